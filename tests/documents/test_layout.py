"""One folder per report, the same four parts each, and notebooks that import them alike."""

from __future__ import annotations

import importlib
import inspect

import nbformat
import pytest

from udkecon import config, documents

PARTS = ("model", "text", "charts", "workbook")


def test_every_report_folder_has_the_four_parts():
    folders = sorted(p.name for p in config.PACKAGE_DIR.joinpath("documents").iterdir()
                     if p.is_dir() and not p.name.startswith("__"))
    assert folders == sorted(documents.REPORTS)
    for folder in folders:
        for part in PARTS:
            assert (config.PACKAGE_DIR / "documents" / folder / f"{part}.py").is_file(), \
                f"documents/{folder}/{part}.py"


def test_no_top_level_module_is_named_after_one_report():
    gone = ["report", "handout", "business_case_text", "operations_report", "operations_text",
            "charts_business_case", "charts_handout", "charts_operations"]
    for name in gone:
        assert not (config.PACKAGE_DIR / f"{name}.py").exists(), name
    assert sorted(p.name for p in (config.PACKAGE_DIR / "excel").glob("*.py")) == [
        "__init__.py", "about.py", "board.py", "book.py", "charts.py", "save.py"]


@pytest.mark.parametrize("folder", sorted(documents.REPORTS))
def test_every_workbook_writes_with_the_same_signature(folder):
    workbook = importlib.import_module(f"udkecon.documents.{folder}.workbook")
    signature = inspect.signature(workbook.write)
    assert list(signature.parameters) == ["report", "path", "parameters", "author",
                                          "generated_at"]
    keyword_only = [n for n, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY]
    assert keyword_only == ["parameters", "author", "generated_at"]
    assert signature.parameters["author"].default == "udkecon"
    model = importlib.import_module(f"udkecon.documents.{folder}.model")
    assert callable(model.build)


@pytest.mark.parametrize("folder, notebook", sorted(documents.REPORTS.items()))
def test_every_notebook_imports_its_report_the_same_way(folder, notebook):
    cells = nbformat.read(config.NOTEBOOKS_DIR / notebook, as_version=4).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    imports = [line for line in code[1].splitlines() if line.startswith(("from ", "import "))]
    assert imports[:2] == ["from udkecon import blocks, run",
                           f"from udkecon.documents.{folder} import charts, model, text, "
                           "workbook"]
    assert imports[-1] == "from udkecon.labels import label"
    assert any("workbook.write(" in source for source in code), "the workbook is written"
