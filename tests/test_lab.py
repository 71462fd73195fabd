"""The working copy `make lab` opens: templates stay as committed, user edits are never lost."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest

from udkecon import config, lab
from udkecon.errors import ParameterError

PROJECT_KERNEL = {"name": "udkecon", "display_name": "Python (udkecon)", "language": "python"}


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def template(path, parameters='base_year: int = 2020  # price level', body="print(base_year)"):
    """A small notebook shaped like ours: a note, a tagged parameters cell, a code cell."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Costs"), cell,
                      nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def edit(path, cell: int, source: str) -> None:
    """What a user does in JupyterLab: change a cell's source and save."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[cell].source = source
    nbformat.write(notebook, path)


def run_all(path) -> None:
    """What Run All and a save leave in a notebook: outputs, counts, kernel metadata."""
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = number + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2020\n")]
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    nbformat.write(notebook, path)


def cells(path) -> list:
    return [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells]


def actions(synced) -> dict:
    return {s.name: s.action for s in synced}


@pytest.fixture
def folders(tmp_path):
    templates, work = tmp_path / "notebooks", tmp_path / "work"
    template(templates / "costs.ipynb")
    return templates, work


class TestSync:
    def test_a_missing_copy_is_made_with_the_project_kernel(self, folders):
        templates, work = folders
        before = sha(templates / "costs.ipynb")
        synced = lab.sync(templates, work)
        assert actions(synced) == {"costs.ipynb": "copied"}
        assert cells(work / "costs.ipynb") == cells(templates / "costs.ipynb")
        copy = nbformat.read(work / "costs.ipynb", as_version=4)
        assert copy.metadata.kernelspec == PROJECT_KERNEL
        assert sha(templates / "costs.ipynb") == before
        assert synced[0].line() == f"{work / 'costs.ipynb'}: copied from notebooks/costs.ipynb"

    def test_nothing_changes_and_nothing_is_said_when_both_are_as_they_were(self, folders):
        templates, work = folders
        lab.sync(templates, work)
        run_all(work / "costs.ipynb")  # outputs are not edits, and stay
        copy = sha(work / "costs.ipynb")
        synced = lab.sync(templates, work)
        assert actions(synced) == {"costs.ipynb": "current"}
        assert synced[0].line() is None
        assert sha(work / "costs.ipynb") == copy

    def test_a_changed_template_refreshes_a_copy_the_user_only_ran(self, folders):
        templates, work = folders
        lab.sync(templates, work)
        run_all(work / "costs.ipynb")
        template(templates / "costs.ipynb", body="print(base_year, 'new chart')")
        synced = lab.sync(templates, work)
        assert actions(synced) == {"costs.ipynb": "refreshed"}
        assert cells(work / "costs.ipynb")[2] == ("code", "print(base_year, 'new chart')")
        assert "refreshed from notebooks/costs.ipynb" in synced[0].line()
        assert not list(work.glob("*.new*.ipynb"))

    def test_when_both_changed_the_users_copy_stays_and_the_template_goes_beside_it(self,
                                                                                   folders):
        templates, work = folders
        lab.sync(templates, work)
        edit(work / "costs.ipynb", 1, "base_year: int = 2021  # mine")
        mine = sha(work / "costs.ipynb")
        template(templates / "costs.ipynb", body="print('new')")
        synced = lab.sync(templates, work)
        assert actions(synced) == {"costs.ipynb": "kept"}
        assert sha(work / "costs.ipynb") == mine
        proposal = work / "costs.new.ipynb"
        assert cells(proposal) == cells(templates / "costs.ipynb")
        assert synced[0].new == proposal
        line = synced[0].line()
        assert "\n" not in line and "kept your edits" in line and str(proposal) in line
        # said again at every sync until resolved, and still nothing overwritten
        again = lab.sync(templates, work)
        assert actions(again) == {"costs.ipynb": "kept"}
        assert sha(work / "costs.ipynb") == mine

    def test_a_proposal_the_user_edited_is_not_overwritten_either(self, folders):
        templates, work = folders
        lab.sync(templates, work)
        edit(work / "costs.ipynb", 1, "base_year: int = 2021  # mine")
        template(templates / "costs.ipynb", body="print('second')")
        lab.sync(templates, work)
        edit(work / "costs.new.ipynb", 2, "print('merging by hand')")
        merging = sha(work / "costs.new.ipynb")
        template(templates / "costs.ipynb", body="print('third')")
        synced = lab.sync(templates, work)
        assert sha(work / "costs.new.ipynb") == merging
        third = synced[0].new
        assert third.name.startswith("costs.new-") and third.name.endswith(".ipynb")
        assert cells(third)[2] == ("code", "print('third')")

    def test_a_copy_edited_into_the_new_template_is_adopted_and_the_proposal_removed(self,
                                                                                      folders):
        templates, work = folders
        lab.sync(templates, work)
        edit(work / "costs.ipynb", 1, "base_year: int = 2021  # mine")
        template(templates / "costs.ipynb", body="print('new')")
        lab.sync(templates, work)
        # the user takes the new template over (keeping the outputs of a run)
        (work / "costs.ipynb").write_bytes((work / "costs.new.ipynb").read_bytes())
        run_all(work / "costs.ipynb")
        ran = sha(work / "costs.ipynb")
        synced = lab.sync(templates, work)
        assert actions(synced) == {"costs.ipynb": "adopted"}
        assert synced[0].line() is None
        assert sha(work / "costs.ipynb") == ran
        assert not (work / "costs.new.ipynb").exists()
        assert actions(lab.sync(templates, work)) == {"costs.ipynb": "current"}

    def test_a_deleted_copy_comes_back_from_the_template(self, folders):
        templates, work = folders
        lab.sync(templates, work)
        (work / "costs.ipynb").unlink()
        assert actions(lab.sync(templates, work)) == {"costs.ipynb": "copied"}
        assert cells(work / "costs.ipynb") == cells(templates / "costs.ipynb")

    def test_without_a_record_a_differing_copy_is_kept_and_an_equal_one_adopted(self, tmp_path):
        templates, work = tmp_path / "notebooks", tmp_path / "work"
        template(templates / "costs.ipynb")
        template(templates / "handout.ipynb")
        template(work / "costs.ipynb", parameters="base_year: int = 2019  # someone's")
        template(work / "handout.ipynb")
        kept = sha(work / "costs.ipynb")
        assert actions(lab.sync(templates, work)) == {"costs.ipynb": "kept",
                                                      "handout.ipynb": "adopted"}
        assert sha(work / "costs.ipynb") == kept

    def test_the_state_file_records_each_templates_hash(self, folders):
        templates, work = folders
        lab.sync(templates, work)
        state = json.loads((work / lab.STATE_FILE).read_text())
        assert state["costs.ipynb"]["template_sha256"] == sha(templates / "costs.ipynb")

    def test_the_command_line_prints_one_line_per_copy_made_and_then_nothing(
            self, folders, capsys, monkeypatch):
        templates, work = folders
        template(templates / "handout.ipynb")
        monkeypatch.setattr(config, "NOTEBOOKS_DIR", templates)
        assert lab.main(["sync", "--work-dir", str(work)]) == 0
        assert capsys.readouterr().out.splitlines() == [
            f"{work / 'costs.ipynb'}: copied from notebooks/costs.ipynb",
            f"{work / 'handout.ipynb'}: copied from notebooks/handout.ipynb"]
        assert lab.main(["sync", "--work-dir", str(work)]) == 0
        assert capsys.readouterr().out == ""


def test_sync_of_the_real_templates_leaves_them_unchanged(tmp_path):
    before = {p.name: sha(p) for p in config.NOTEBOOKS_DIR.glob("*.ipynb")}
    synced = lab.sync(work_dir=tmp_path)
    assert sorted(s.name for s in synced) == sorted(before)
    assert {p.name: sha(p) for p in config.NOTEBOOKS_DIR.glob("*.ipynb")} == before
    for name in before:
        assert cells(tmp_path / name) == cells(config.NOTEBOOKS_DIR / name)


class TestKernelspec:
    def test_only_the_kernelspec_changes_and_a_second_run_changes_nothing(self, tmp_path):
        path = tmp_path / "costs.ipynb"
        # a notebook as JupyterLab writes it with the default kernel
        template = json.loads((config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb").read_text())
        template["metadata"]["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                              "name": "python3"}
        path.write_text(json.dumps(template, indent=1, ensure_ascii=False) + "\n")
        before = json.loads(path.read_text())
        assert lab.set_kernelspec(path) is True
        after = json.loads(path.read_text())
        assert after["metadata"]["kernelspec"] == PROJECT_KERNEL
        del before["metadata"]["kernelspec"], after["metadata"]["kernelspec"]
        assert after == before
        once = path.read_bytes()
        assert lab.set_kernelspec(path) is False
        assert path.read_bytes() == once

    def test_the_command_line_names_the_notebooks_it_changed(self, tmp_path, capsys):
        path = template(tmp_path / "costs.ipynb")
        assert lab.main(["kernelspec", str(path)]) == 0
        assert lab.main(["kernelspec", str(path)]) == 0
        assert capsys.readouterr().out == f"{path}: kernel set to Python (udkecon)\n"


@pytest.mark.parametrize("path", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_every_notebook_uses_the_project_kernel(path):
    assert nbformat.read(path, as_version=4).metadata.get("kernelspec") == PROJECT_KERNEL


class TestRequireTemplate:
    def test_a_clean_template_passes(self, tmp_path):
        lab.require_template(template(tmp_path / "costs.ipynb"), templates_dir=tmp_path)

    def test_a_template_with_outputs_is_refused_naming_it_and_the_fix(self, tmp_path):
        path = template(tmp_path / "costs.ipynb")
        run_all(path)
        with pytest.raises(ParameterError) as error:
            lab.require_template(path, templates_dir=tmp_path)
        message = str(error.value)
        assert "\n" not in message
        assert message.startswith(f"{path}: 2 code cells with outputs")
        assert f"git checkout {path}" in message and "clear all outputs" in message
        assert error.value.exit_code == 2

    def test_the_real_templates_are_named_as_a_person_types_them(self, tmp_path, monkeypatch):
        templates = tmp_path / "notebooks"
        path = template(templates / "costs.ipynb")
        run_all(path)
        monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
        monkeypatch.setattr(config, "NOTEBOOKS_DIR", templates)
        with pytest.raises(ParameterError, match=r"^notebooks/costs\.ipynb: .*"
                           r"git checkout notebooks/costs\.ipynb"):
            lab.require_template(path)

    def test_a_notebook_outside_the_templates_may_have_outputs(self, tmp_path):
        path = template(tmp_path / "work" / "costs.ipynb")
        run_all(path)
        lab.require_template(path, templates_dir=tmp_path / "notebooks")

    def test_the_shipped_templates_pass(self):
        for path in config.NOTEBOOKS_DIR.glob("*.ipynb"):
            lab.require_template(path)
