"""The second hostile round on the driver and the batch runner: each case as the tester
gave it, refused in one line with exit 2 before anything runs (and nothing already there
changed), or done right.

The project's folders (notebooks/, data/, work/) are stood in for by a made-up project
under tmp_path (config's paths monkeypatched), so that a run that is wrongly let through
writes there and never into the real templates. The expected messages and outcomes are
worked out from the findings, not copied from the code's output.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import cli_main as main
from conftest import snapshot

from udkecon import batch, cli, config, parameters, run
from udkecon.errors import ParameterError
from udkecon.guards import require_file_name

DATA = Path(__file__).resolve().parent / "data"
TEST_NOTEBOOK = DATA / "batch_test_notebook.ipynb"
BUSINESS_CASE = config.NOTEBOOKS_DIR / "business_case.ipynb"
COSTS = config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb"


def one_line(err: str) -> bool:
    return bool(err) and "\n" not in err and "Traceback" not in err


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A made-up project: notebooks/ with a template (the tiny test notebook), data/raw
    with a file, work/ with a copy; config points at it (data/raw itself stays the real one,
    which every run hashes)."""
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    (root / "work").mkdir()
    shutil.copy(TEST_NOTEBOOK, root / "notebooks" / "template.ipynb")
    shutil.copy(TEST_NOTEBOOK, root / "work" / "template.ipynb")
    (root / "data" / "raw" / "input.csv").write_text("year,value\n2020,1\n")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", root / "notebooks")
    monkeypatch.setattr(config, "DATA_DIR", root / "data")
    monkeypatch.setattr(config, "LAB_DIR", root / "work")
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    return root


# --------------------------------------------------------------------------- finding 1

@pytest.mark.parametrize("folder", ["notebooks", "data", "data/raw", "work", "work/sub"])
def test_run_into_the_projects_own_folders_is_refused(folder, project, capsys):
    before = snapshot(project)
    code, err = main(capsys, "run", project / "notebooks" / "template.ipynb",
                     "-o", project / folder, "--no-pdf")
    assert code == 2 and one_line(err) and "the output folder is" in err, err
    assert snapshot(project) == before  # the template's bytes too


def test_batch_into_notebooks_named_in_the_sets_file_is_refused(project, tmp_path, capsys):
    # ps1.yaml of the finding: output_dir proj/notebooks, an output_name of a template
    sets = tmp_path / "ps1.yaml"
    sets.write_text("output_dir: proj/notebooks\nsets:\n  - {output_name: template}\n")
    before = snapshot(project)
    code, err = main(capsys, "batch", project / "notebooks" / "template.ipynb",
                     "--parameter-sets", sets, "--no-pdf")
    assert code == 2 and one_line(err) and "notebooks/ folder" in err, err
    assert snapshot(project) == before  # no manifest.json, no .batch.lock


def test_reports_dir_inside_notebooks_is_refused(project, monkeypatch, capsys):
    monkeypatch.setattr(config, "REPORTS_DIR", project / "notebooks")
    monkeypatch.setenv("UDKECON_REPORTS_DIR", str(project / "notebooks"))
    before = snapshot(project)
    code, err = main(capsys, "run", project / "notebooks" / "template.ipynb", "--no-pdf")
    assert code == 2 and one_line(err) and "UDKECON_REPORTS_DIR" in err, err
    assert snapshot(project) == before


def test_a_run_over_its_own_notebook_is_refused(tmp_path, capsys):
    # run nbown/my.ipynb -o nbown: the executed notebook would be nbown/my.ipynb
    own = tmp_path / "nbown"
    own.mkdir()
    shutil.copy(TEST_NOTEBOOK, own / "my.ipynb")
    before = snapshot(own)
    code, err = main(capsys, "run", own / "my.ipynb", "-o", own, "--no-pdf")
    assert code == 2 and one_line(err) and "the notebook being run" in err, err
    assert snapshot(own) == before


def test_an_output_over_an_input_file_is_refused_in_run_and_batch(tmp_path, capsys):
    # input_file x.xlsx, outputs named x: the workbook would replace the input it reads
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "x.xlsx").write_text("the input\n")
    before = snapshot(tmp_path)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", folder, "--name", "x",
                     "-p", f"input_file={folder / 'x.xlsx'}", "--no-pdf")
    assert code == 2 and one_line(err) and "parameter input_file" in err, err
    assert snapshot(tmp_path) == before
    # the same workbook named with its sheet is the same file (it once went through, and
    # the report's workbook replaced the ledger it was made from)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", folder, "--name", "x",
                     "-p", f"input_file={folder / 'x.xlsx'}#Ledger", "--no-pdf")
    assert code == 2 and one_line(err) and "parameter input_file" in err, err
    assert snapshot(tmp_path) == before
    sets = tmp_path / "sets.yaml"
    sets.write_text(f"- {{output_name: x, input_file: {folder / 'x.xlsx'}}}\n")
    before = snapshot(tmp_path)
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", sets, "-o", folder,
                     "--no-pdf")
    assert code == 2 and one_line(err) and "parameter input_file" in err, err
    assert snapshot(tmp_path) == before


def test_plain_papermill_output_dir_in_notebooks_is_refused(project):
    with pytest.raises(ParameterError, match="notebooks/ folder"):
        run.outputs(str(project / "notebooks"), "x")


# --------------------------------------------------------------------------- finding 2

@pytest.mark.parametrize("content, problem", [
    ("this is not json\n", "not JSON"),
    ("", "empty (0 bytes)"),
    ('{"a": 1}', "not a Jupyter notebook"),
])
def test_a_notebook_that_is_not_one_is_bad_input(content, problem, tmp_path, capsys):
    notebook = tmp_path / "bad.ipynb"
    notebook.write_text(content)
    code, err = main(capsys, "run", notebook, "-o", tmp_path / "out")
    assert code == 2 and one_line(err) and problem in err and "bad.ipynb" in err, err
    sets = tmp_path / "sets.yaml"
    sets.write_text("- {output_name: a}\n")
    code, err = main(capsys, "batch", notebook, "--parameter-sets", sets,
                     "-o", tmp_path / "out")
    assert code == 2 and one_line(err) and problem in err, err
    assert not (tmp_path / "out").exists()


def test_a_template_with_a_merge_conflict_says_how_to_restore_it(tmp_path, monkeypatch,
                                                                 capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    broken = notebooks / COSTS.name
    broken.write_text("<<<<<<< HEAD\n" + COSTS.read_text(encoding="utf-8"))
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    code, err = main(capsys, "report", "udk_costs_fixed_prices")
    assert code == 2 and one_line(err), err
    assert "merge conflict" in err and f"git checkout notebooks/{COSTS.name}" in err
    assert not (tmp_path / "reports").exists()


# --------------------------------------------------------------------------- findings 3, 4

def _fake_worker(names, language, tasks, results):
    """A report worker without a kernel: each report it is given is 'ok'."""
    while (name := tasks.get()) is not None:
        results.put(("done", (name, 0, f"/reports/{name}")))


def test_a_report_named_twice_runs_once_and_ends(monkeypatch):
    # with -j 2 the driver waited for two distinct names to finish: it never ended
    monkeypatch.setattr(run, "_report_worker", _fake_worker)
    outcome = []
    names = ["operations_status", "udk_costs_fixed_prices", "operations_status"]
    thread = threading.Thread(target=lambda: outcome.extend(run.run_reports(names, jobs=2)),
                              daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "run_reports did not end"
    assert sorted(outcome) == [("operations_status", 0, "/reports/operations_status"),
                               ("udk_costs_fixed_prices", 0, "/reports/udk_costs_fixed_prices")]


@pytest.mark.parametrize("name", ["business_case", "municipality_handout", "nosuchreport"])
def test_report_takes_only_report_names_and_lists_them(name, tmp_path, monkeypatch, capsys):
    # business_case is a notebook, not a report: it crashed with KeyError
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    code, err = main(capsys, "report", name)
    assert code == 2 and one_line(err) and f"'{name}'" in err, err
    assert all(report in err for report in run.REPORTS)
    assert "run <notebook>" in err
    assert not (tmp_path / "reports").exists()


# --------------------------------------------------------------------------- finding 5

def test_the_fingerprint_says_whether_a_pdf_is_made():
    hashes = {"notebook": "0" * 64}
    assert run.fingerprint(COSTS, {}, hashes, pdf=True) != \
        run.fingerprint(COSTS, {}, hashes, pdf=False)


def test_a_set_without_the_file_it_should_have_is_not_unchanged(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    entry = {"status": "ok", "fingerprint": "f",
             "files": [{"name": "a.ipynb", "sha256": batch.sha256(tmp_path / "a.ipynb")}]}
    assert batch._still_good(entry, "f", tmp_path, ["a.ipynb"])
    assert not batch._still_good(entry, "f", tmp_path, ["a.ipynb", "a.pdf"])


@pytest.mark.slow
def test_resume_makes_the_pdfs_after_a_batch_without_them(tmp_path):
    sets = tmp_path / "sets.yaml"
    sets.write_text("- {output_name: a}\n- {output_name: b}\n")
    folder = tmp_path / "out"
    for options in (["--no-pdf"], ["--resume"]):
        code = cli.main(["batch", str(TEST_NOTEBOOK), "--parameter-sets", str(sets),
                         "-o", str(folder), "-j", "1", "--progress", "none", *options])
        assert code == 0
    assert (folder / "a.pdf").is_file() and (folder / "b.pdf").is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [item["status"] for item in manifest["items"]] == ["ok", "ok"]


# --------------------------------------------------------------------------- findings 6, 7, Y5

@pytest.mark.parametrize("name", ["x.failed", "X.FAILED"])
def test_an_output_name_ending_in_failed_is_refused(name, tmp_path, capsys):
    with pytest.raises(ParameterError, match=r"\.failed"):
        require_file_name(name)
    sets = tmp_path / "yf.yaml"
    sets.write_text(f"- {{output_name: {name}}}\n- {{output_name: x}}\n")
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", sets,
                     "-o", tmp_path / "out")
    assert code == 2 and one_line(err) and "set 1" in err and ".failed" in err, err
    code, err = main(capsys, "run", TEST_NOTEBOOK, "--name", name, "-o", tmp_path / "out")
    assert code == 2 and one_line(err), err
    assert not (tmp_path / "out").exists()


def test_one_output_name_for_every_set_of_a_file_is_refused(tmp_path, capsys):
    sets = tmp_path / "yo.yaml"
    sets.write_text("- {action: check}\n- {action: poison}\n")
    with pytest.raises(ParameterError, match="output_name 'foo' names one report"):
        batch.file_sets(TEST_NOTEBOOK, sets, {"output_name": "foo"})
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", sets,
                     "-p", "output_name=foo", "-o", tmp_path / "out")
    assert code == 2 and one_line(err) and "output_name 'foo'" in err, err
    common = tmp_path / "yo2.yaml"
    common.write_text("common: {output_name: foo}\nsets:\n- {action: check}\n"
                      "- {action: poison}\n")
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", common,
                     "-o", tmp_path / "out")
    assert code == 2 and one_line(err) and "common" in err and "'foo'" in err, err
    assert not (tmp_path / "out").exists()


def test_names_that_differ_only_in_case_are_called_so(tmp_path):
    sets = tmp_path / "y5.yaml"
    sets.write_text("- {output_name: Kbh}\n- {output_name: kbh}\n")
    with pytest.raises(ParameterError, match="differ only in case") as refused:
        batch.file_sets(TEST_NOTEBOOK, sets)
    assert "give each an output_name" not in str(refused.value)  # both had one


# --------------------------------------------------------------------------- 12, YV10, PA10

def test_reports_dir_that_is_a_file_is_named(tmp_path, monkeypatch, capsys):
    afile = tmp_path / "afile"
    afile.write_bytes(b"a file")
    monkeypatch.setattr(config, "REPORTS_DIR", afile)
    monkeypatch.setenv("UDKECON_REPORTS_DIR", str(afile))
    sets = tmp_path / "sets.yaml"
    sets.write_text("- {output_name: a}\n")
    for argv in (["run", TEST_NOTEBOOK, "--no-pdf"],
                 ["batch", TEST_NOTEBOOK, "--parameter-sets", sets],
                 ["report", "udk_costs_fixed_prices"]):
        code, err = main(capsys, *argv)
        assert code == 2 and one_line(err), err
        assert f"UDKECON_REPORTS_DIR={afile} is a file" in err
    assert afile.read_bytes() == b"a file"


def test_a_parameter_in_the_wrong_case_gets_its_name():
    with pytest.raises(ParameterError, match="did you mean 'base_year'"):
        parameters.check(COSTS, {"BASE_YEAR": 2019})


def test_guidance_date_only_with_the_socio_view():
    with pytest.raises(ParameterError, match="guidance_date.*view=socio"):
        parameters.check(BUSINESS_CASE, {"guidance_date": "2020-01-01"})  # default budget
    with pytest.raises(ParameterError, match="guidance_date"):
        parameters.check(BUSINESS_CASE, {"guidance_date": "2020-01-01", "view": "budget"})
    checked = parameters.check(BUSINESS_CASE, {"guidance_date": "2020-01-01",
                                               "view": "socio"})
    assert checked["guidance_date"] == "2020-01-01"
    assert parameters.check(BUSINESS_CASE, {"guidance_date": ""}) == {"guidance_date": ""}


# --------------------------------------------------------------------------- finding 13

def test_after_ctrl_c_a_dead_kernel_task_prints_no_traceback(caplog, monkeypatch):
    """Ctrl-C: the kernel dies under a waiting nbclient task, and asyncio logged "Task
    exception was never retrieved" with a DeadKernelError traceback; other errors still
    show."""
    import asyncio
    import logging

    from jupyter_core.utils import ensure_event_loop
    from nbclient.exceptions import DeadKernelError

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_report", interrupted)
    assert cli.main(["report"]) == 130
    loop = ensure_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            loop.call_exception_handler({"message": "Task exception was never retrieved",
                                         "exception": DeadKernelError("Kernel died")})
            assert caplog.records == []
            loop.call_exception_handler({"message": "something else",
                                         "exception": RuntimeError("shown")})
            assert len(caplog.records) == 1 and "something else" in caplog.text
    finally:
        loop.set_exception_handler(None)
    assert isinstance(loop, asyncio.AbstractEventLoop)


def test_a_reader_that_stops_reading_is_not_a_path_error(tmp_path):
    """`python -m udkecon check ... | head -1`: the pipe closes under the command. It once
    said "error: Broken pipe; check the path and its permissions" (exit 2); now it stops
    quietly with 141, as a shell command killed by SIGPIPE."""
    import subprocess
    import sys

    files = [str(p) for p in sorted(config.RAW_DIR.glob("*.csv"))] * 40
    process = subprocess.Popen([sys.executable, "-m", "udkecon", "check", *files],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=config.PROJECT_ROOT)
    process.stdout.readline()
    process.stdout.close()  # the reader is gone
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141
    assert b"Broken pipe" not in err and b"Traceback" not in err


@pytest.mark.slow
def test_an_input_replaced_during_the_run_publishes_nothing(tmp_path, monkeypatch):
    """A ledger replaced while the kernel ran (hostile round 2: the workbook showed the new
    figures, the manifest the old file's sha256). Now nothing is published and the earlier
    report's bytes stay."""
    ledger = tmp_path / "ledger.csv"
    shutil.copyfile(config.COSTS_FILE, ledger)
    out = tmp_path / "out"
    run.run_notebook(COSTS, {"cost_file": str(ledger)}, output_dir=out, pdf=False)
    before = snapshot(out)
    execute = run.execute

    def execute_while_the_file_is_replaced(job, **options):
        executed = execute(job, **options)
        ledger.write_text(ledger.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return executed

    monkeypatch.setattr(run, "execute", execute_while_the_file_is_replaced)
    with pytest.raises(ParameterError, match=r"ledger\.csv changed while the report was running"):
        run.run_notebook(COSTS, {"cost_file": str(ledger)}, output_dir=out, pdf=False)
    assert snapshot(out) == before
