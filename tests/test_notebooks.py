"""Notebooks are committed clean: no outputs, a tagged parameters cell with documented types."""

from __future__ import annotations

import nbformat
import pytest
from papermill.inspection import display_notebook_help  # noqa: F401  (papermill present)
from papermill.translators import PythonTranslator

from udkecon import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def test_the_report_notebooks_are_all_here():
    # an empty list would make the parametrised tests below skip, not fail
    assert [p.name for p in NOTEBOOKS] == ["business_case.ipynb", "municipality_handout.ipynb",
                                           "operations_status.ipynb",
                                           "udk_costs_fixed_prices.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_documents_every_parameter(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert notebook.cells.index(tagged[0]) <= 1, "the parameters cell comes first"
    assignments = [line for line in tagged[0].source.splitlines()
                   if line and not line.startswith("#")]
    parameters = PythonTranslator.inspect(tagged[0])
    # papermill could read every line (it skips lines with a second '=' or a bad shape)
    assert len(parameters) == len(assignments)
    for parameter in parameters:
        assert parameter.inferred_type_name not in ("None", ""), parameter.name
        assert parameter.help, f"{parameter.name} has no comment"
    names = {p.name for p in parameters}
    assert {"language", "output_dir", "output_name"} <= names
