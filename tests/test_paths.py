"""Nothing lost: output folders, output names and OS errors (issue 10's data-loss cases).

Each case that once deleted or replaced a good report is tried as the user tried it, and
each test checks that the earlier outputs' bytes are unchanged. The refusals happen before
any kernel starts; the cases marked slow run the tiny test notebook
(tests/data/batch_test_notebook.ipynb, no PDF) for real.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import cli_main as main
from conftest import snapshot

from udkecon import batch, config, run
from udkecon.errors import ParameterError

DATA = Path(__file__).resolve().parent / "data"
TEST_NOTEBOOK = DATA / "batch_test_notebook.ipynb"
STEM = TEST_NOTEBOOK.stem


@pytest.fixture
def earlier(tmp_path):
    """A folder with an earlier good report of the test notebook, and a file beside it."""
    out = tmp_path / "out"
    out.mkdir()
    for suffix in ("pdf", "xlsx", "ipynb"):
        (out / f"{STEM}.{suffix}").write_bytes(f"earlier good {suffix}".encode())
    (out / "manifest.json").write_text('{"status": "ok"}', encoding="utf-8")
    (tmp_path / "victim.xlsx").write_bytes(b"PK someone else's workbook")
    return out


# --------------------------------------------------------------------------- output names

@pytest.mark.parametrize("name", ["../victim", "/abs/x", ".hidden", "", "a/b"])
def test_output_name_is_a_plain_file_name(name, earlier, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(earlier)  # ../victim would be tmp_path/victim.*
    before = snapshot(tmp_path)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "--name", name, "-o", earlier)
    assert code == 2 and err.startswith("error: --name") and "\n" not in err
    assert snapshot(tmp_path) == before
    assert not Path("/abs/x.xlsx").exists()


def test_output_name_in_a_parameter_sets_file(earlier, tmp_path, capsys):
    sets = tmp_path / "sets.yaml"
    sets.write_text("- {action: check, output_name: ../victim}\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", sets, "-o", earlier)
    assert code == 2 and "set 1: output_name '../victim'" in err and "\n" not in err
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- folders

def test_a_run_into_a_batch_folder_is_refused(earlier, capsys):
    (earlier / "manifest.json").write_text(json.dumps({"kind": "udkecon batch", "items": []}))
    before = snapshot(earlier)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", earlier)
    assert code == 2 and "is a batch's folder" in err and "\n" not in err
    assert snapshot(earlier) == before


def test_a_second_report_into_a_report_folder_is_refused(earlier, capsys):
    """One report per folder, so its manifest describes every file in it: a run under
    another name would have replaced the manifest and left the first report undescribed."""
    (earlier / "manifest.json").write_text(json.dumps({"stem": STEM, "status": "ok"}))
    before = snapshot(earlier)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "--name", "another", "-o", earlier)
    assert code == 2 and f"holds the report '{STEM}'" in err and "\n" not in err
    assert snapshot(earlier) == before


def test_a_batch_into_a_run_folder_is_refused(earlier, capsys):
    before = snapshot(earlier)
    sets = earlier.parent / "sets.yaml"
    sets.write_text("- {action: check, output_name: a}\n", encoding="utf-8")
    code, err = main(capsys, "batch", TEST_NOTEBOOK, "--parameter-sets", sets, "-o", earlier)
    assert code == 2 and "is not a batch's manifest" in err
    assert snapshot(earlier) == before


def test_the_output_folder_is_a_file(tmp_path, capsys):
    target = tmp_path / "report"
    target.write_bytes(b"a file")
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", target)
    assert code == 2 and "the output folder is a file" in err
    assert target.read_bytes() == b"a file"


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: os.mkfifo(p)])
def test_something_else_where_an_output_belongs(make, earlier, capsys):
    (earlier / f"{STEM}.xlsx").unlink()
    make(earlier / f"{STEM}.xlsx")
    before = sorted(p.name for p in earlier.iterdir())
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", earlier)
    assert code == 2 and f"{STEM}.xlsx" in err and "move it away" in err
    assert sorted(p.name for p in earlier.iterdir()) == before


@pytest.mark.parametrize("number, fix", [
    (errno.EACCES, "change its permissions"),
    (errno.EROFS, "read-only"),
    (errno.ENOSPC, "the disk is full"),
])
def test_os_errors_on_the_output_folder_are_one_line(number, fix, tmp_path, capsys,
                                                     monkeypatch):
    # (simulated: the tests may run as root, for whom permissions do not apply)
    def refuse(self, *args, **kwargs):
        raise OSError(number, os.strerror(number), str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", tmp_path / "new")
    assert code == 2 and "\n" not in err and fix in err
    assert err.startswith(f"error: {tmp_path / 'new'}: cannot create the output folder")


def test_staging_left_by_a_killed_run_is_cleared_but_not_a_running_ones(tmp_path):
    import fcntl

    killed = tmp_path / ".staging-killed0"
    killed.mkdir()
    (killed / ".lock").touch()
    (killed / f"{STEM}.xlsx").write_bytes(b"half")
    running = tmp_path / ".staging-running"
    running.mkdir()
    with open(running / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running run holds it
        job = run.prepare(TEST_NOTEBOOK, {}, output_dir=tmp_path)
        run.discard(job)
        assert not killed.exists() and running.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".staging-running"]


# --------------------------------------------------------------------------- a full disk

def _no_space(where=""):
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), where or None)


def _kernel_no_space(job):
    """What papermill raises when a cell hit a full disk (the workbook's save), after the
    executed notebook was written only in part: the error as the kernel named it."""
    from papermill.exceptions import PapermillExecutionError

    def execute(input_path, output_path, **kwargs):
        Path(output_path).write_text('{"cells": [{"cell_type": "code", "sou', encoding="utf-8")
        raise PapermillExecutionError(3, 3, "book.save(...)", "OSError",
                                      "[Errno 28] No space left on device", [])
    return execute


def _driver_no_space(job):
    """papermill itself could not write the executed notebook."""
    def execute(input_path, output_path, **kwargs):
        Path(output_path).write_text('{"cells": [', encoding="utf-8")
        raise _no_space(output_path)
    return execute


@pytest.mark.parametrize("where", [_kernel_no_space, _driver_no_space])
def test_a_full_disk_while_the_notebook_runs_is_bad_input(where, earlier, monkeypatch):
    """Issue: a full disk gave exit 1 and left a truncated (not JSON) .failed.ipynb. The
    README promises exit 2, one line naming the folder, "the disk is full" and the fix, and
    nothing written."""
    import papermill

    before = snapshot(earlier)
    job = run.prepare(TEST_NOTEBOOK, {}, output_dir=earlier)
    monkeypatch.setattr(papermill, "execute_notebook", where(job))
    try:
        with pytest.raises(ParameterError) as refused:
            run.execute(job)
    finally:
        run.discard(job)
    message = str(refused.value)
    assert refused.value.exit_code == 2 and "\n" not in message
    assert message.startswith(f"{earlier}: cannot write the report")
    assert "the disk is full" in message and "free some space" in message
    assert job.result.bad_input and job.result.failed_notebook is None
    assert snapshot(earlier) == before  # no .failed.ipynb, no manifest.failed.json


def test_a_full_disk_while_the_pdf_is_written_is_bad_input(earlier, monkeypatch):
    import udkecon.publish

    before = snapshot(earlier)
    job = run.prepare(TEST_NOTEBOOK, {}, output_dir=earlier)
    staged = job.staging / f"{STEM}.pdf"

    def full(html, pdf_path, base_url=None):
        Path(pdf_path).write_bytes(b"%PDF-1.7 cut")
        raise _no_space(str(pdf_path))

    monkeypatch.setattr(udkecon.publish, "notebook_html", lambda *a, **k: "<html></html>")
    monkeypatch.setattr(udkecon.publish, "html_to_pdf", full)
    try:
        with pytest.raises(ParameterError, match="the disk is full"):
            run.render_pdf(job, executed=object())
        assert staged.exists()  # (the staging folder goes with discard, below)
    finally:
        run.discard(job)
    assert snapshot(earlier) == before


def test_a_failed_notebook_written_only_in_part_is_not_kept(earlier):
    """A notebook cut short (here by hand) is no notebook: it is not put beside the report
    as <name>.failed.ipynb, and the error says why."""
    job = run.prepare(TEST_NOTEBOOK, {}, output_dir=earlier)
    try:
        job.executed.write_text('{"cells": [{"cell_ty', encoding="utf-8")
        job.result.error = "ZeroDivisionError: division by zero"
        run._keep_failed(job)
    finally:
        run.discard(job)
    assert job.result.failed_notebook is None
    assert "not written whole" in job.result.error
    assert not (earlier / f"{STEM}.failed.ipynb").exists()


@pytest.mark.slow
def test_a_full_disk_on_the_command_line_is_exit_2(earlier, capsys, monkeypatch):
    import papermill

    before = snapshot(earlier)
    monkeypatch.setattr(papermill, "execute_notebook", _kernel_no_space(None))
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", earlier, "--no-pdf")
    assert code == 2 and "\n" not in err and "the disk is full" in err
    assert err.startswith(f"error: {earlier}: ")
    assert snapshot(earlier) == before


# --------------------------------------------------------------------------- real runs

@pytest.mark.slow
def test_relative_output_dir_is_read_from_the_command_directory(earlier, tmp_path, capsys,
                                                                 monkeypatch):
    notebooks = snapshot(config.NOTEBOOKS_DIR)
    (tmp_path / "other.pdf").write_bytes(b"%PDF other")
    monkeypatch.chdir(tmp_path)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", "out", "--no-pdf")
    assert code == 0, err
    # the new workbook is where the user asked (once it went to notebooks/out/ and the
    # clean-up removed the good one here)
    assert openpyxl.load_workbook(earlier / f"{STEM}.xlsx").active["A1"].value == STEM
    assert not (earlier / f"{STEM}.pdf").exists()  # --no-pdf: the old PDF no longer matches
    assert (tmp_path / "other.pdf").read_bytes() == b"%PDF other"
    assert (tmp_path / "victim.xlsx").read_bytes() == b"PK someone else's workbook"
    assert snapshot(config.NOTEBOOKS_DIR) == notebooks


@pytest.mark.slow
def test_relative_reports_dir_is_read_from_the_command_directory(tmp_path):
    folder = tmp_path / "my_reports" / STEM
    folder.mkdir(parents=True)
    (folder / f"{STEM}.xlsx").write_bytes(b"earlier good workbook")
    neighbour = tmp_path / "my_reports" / "udk_costs_fixed_prices"
    neighbour.mkdir()
    (neighbour / "udk_costs_fixed_prices.pdf").write_bytes(b"%PDF earlier")
    notebooks = snapshot(config.NOTEBOOKS_DIR)
    env = {**os.environ, "UDKECON_REPORTS_DIR": "my_reports",
           "PYTHONPATH": os.pathsep.join([str(config.PROJECT_ROOT),
                                          os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "udkecon", "run", str(TEST_NOTEBOOK),
                           "--no-pdf"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(folder / f"{STEM}.xlsx").active["A1"].value == STEM
    assert (neighbour / "udk_costs_fixed_prices.pdf").read_bytes() == b"%PDF earlier"
    assert snapshot(config.NOTEBOOKS_DIR) == notebooks


@pytest.mark.slow
def test_a_run_into_a_batch_folder_leaves_resume_with_nothing_to_do(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setattr(batch, "_package_digest", lambda: "package")
    folder = tmp_path / "batch"
    sets_file = tmp_path / "sets.yaml"
    sets_file.write_text("- {action: check, output_name: one}\n", encoding="utf-8")
    sets = batch.file_sets(TEST_NOTEBOOK, sets_file)
    first = batch.run_batch(TEST_NOTEBOOK, sets, output_dir=folder, jobs=1, pdf=False,
                            stream=io.StringIO())
    assert first.exit_code == 0
    before = snapshot(folder)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", folder, "--name", "one")
    assert code == 2 and "batch's folder" in err
    assert snapshot(folder) == before
    again = batch.run_batch(TEST_NOTEBOOK, sets, output_dir=folder, jobs=1, resume=True,
                            pdf=False, stream=io.StringIO())
    assert [e["status"] for e in again.manifest["items"]] == ["skipped"]
    assert {k: v for k, v in snapshot(folder).items() if k != "manifest.json"} == \
        {k: v for k, v in before.items() if k != "manifest.json"}


@pytest.mark.slow
def test_disk_full_while_placing_keeps_the_earlier_report(earlier, capsys, monkeypatch):
    import udkecon.publish

    before = snapshot(earlier)

    def full(staged, final):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(final))

    monkeypatch.setattr(udkecon.publish, "place", full)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", earlier, "--no-pdf")
    assert code == 2 and "\n" not in err and "the disk is full" in err
    assert snapshot(earlier) == before


@pytest.mark.slow
def test_a_notebook_bug_keeps_exit_1_and_its_failed_notebook(earlier, capsys):
    before = snapshot(earlier)
    code, err = main(capsys, "run", TEST_NOTEBOOK, "-o", earlier, "-p", "action=die",
                     "--no-pdf")
    assert code == 1 and "\n" not in err
    failed = earlier / f"{STEM}.failed.ipynb"
    assert failed.exists() and str(failed) in err
    assert json.loads((earlier / "manifest.failed.json").read_text())["status"] == "failed"
    assert {k: v for k, v in snapshot(earlier).items() if k in before} == before


def test_in_notebook_bad_input_is_recognised():
    from udkecon.parameters import is_bad_input

    assert is_bad_input("ParameterError") and is_bad_input("DataError")
    assert is_bad_input("InputRefused")
    assert not is_bad_input("RunError") and not is_bad_input("ZeroDivisionError")
    assert not is_bad_input("UdkeconError")
    with pytest.raises(ParameterError):
        run.outputs("", "../x")
