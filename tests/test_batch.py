"""Tests of the batch runner (udkecon.batch, udkecon.engine, `python -m udkecon batch`).

The end-to-end tests (marked slow) run real notebooks in real worker processes: the
municipality handout over three parameter sets of which one is deliberately broken, and
a tiny test notebook (tests/data/batch_test_notebook.ipynb) whose sets leave state behind,
kill their kernel, or wait until released, so that a batch can be killed mid-run on cue.
Nothing here asserts a timing; `make bench` measures.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import openpyxl
import pytest
from pypdf import PdfReader

from udkecon import batch, cli, config, engine
from udkecon.errors import ParameterError

DATA = Path(__file__).resolve().parent / "data"
ONE_BROKEN = DATA / "batch_sets_one_broken.yaml"
TEST_NOTEBOOK = DATA / "batch_test_notebook.ipynb"
HANDOUT = config.NOTEBOOKS_DIR / "municipality_handout.ipynb"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_yaml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- planning

class TestMunicipalitySets:
    def test_a_region(self):
        sets = batch.municipality_sets("municipality_handout", "Nordjylland",
                                       {"language": "en"})
        # Region Nordjylland: 11 municipalities (data/raw/municipalities_2020.csv)
        assert len(sets) == 11
        assert sets[0] == batch.ParameterSet("municipality_handout_773",
                                             {"language": "en", "municipality": 773})

    def test_codes_and_names(self):
        stems = [s.stem for s in batch.municipality_sets(HANDOUT, "101, Læsø,Aarhus")]
        assert stems == ["municipality_handout_101", "municipality_handout_825",
                         "municipality_handout_751"]

    def test_all(self):
        assert len(batch.municipality_sets(HANDOUT, "all")) == 98

    def test_unknown_is_refused_with_the_closest(self):
        with pytest.raises(ParameterError, match=r"closest: .*Frederiksberg \(147\)"):
            batch.municipality_sets(HANDOUT, "101,Frederiksbjerg")

    def test_unknown_notebook(self):
        with pytest.raises(ParameterError, match="municipality_handout"):
            batch.municipality_sets("no_such_notebook", "all")

    def test_one_output_name_for_every_handout_is_refused(self, tmp_path, capsys):
        # it was ignored: the handouts were named after their municipalities, exit 0
        with pytest.raises(ParameterError, match=r"output_name 'x' names one report"):
            batch.municipality_sets(HANDOUT, "101,147", {"output_name": "x"})
        code = cli.main(["batch", "municipality_handout", "--municipalities", "101,147",
                         "-p", "output_name=x", "-o", str(tmp_path / "b")])
        assert code == 2 and not (tmp_path / "b").exists()
        assert capsys.readouterr().err.count("\n") == 1


class TestFileSets:
    def test_a_list(self):
        sets = batch.file_sets(HANDOUT, ONE_BROKEN, {"author": "test"})
        # the stem from each set's own values; a municipality name becomes its code
        assert [s.stem for s in sets] == ["municipality_handout_825",
                                          "municipality_handout_101_short_dut",
                                          "municipality_handout_147_en"]
        assert sets[2].parameters == {"author": "test", "municipality": "Frederiksberg",
                                      "language": "en"}

    def test_common_and_sets(self, tmp_path):
        path = write_yaml(tmp_path / "sets.yaml", "common: {language: en}\nsets:\n"
                                                  "  - {municipality: 101}\n"
                                                  "  - {municipality: 101, language: da,"
                                                  " output_name: kbh_da}\n")
        sets = batch.file_sets(HANDOUT, path, {"language": "da", "author": "x"})
        assert sets[0].parameters == {"language": "en", "author": "x", "municipality": 101}
        assert sets[1].stem == "kbh_da" and sets[1].parameters["language"] == "da"

    @pytest.mark.parametrize("text, message", [
        ("[1, 2", "not valid YAML"),
        ("municipality: 101\n", "give a list"),
        ("[]", "non-empty list"),
        ("- 101\n", "set 1 is 101"),
        ("- {municipality: 101}\n- {municipality: '0101'}\n", "sets 1 and 2 would both"),
    ])
    def test_bad_files(self, tmp_path, text, message):
        with pytest.raises(ParameterError, match=message):
            batch.file_sets(HANDOUT, write_yaml(tmp_path / "bad.yaml", text))

    def test_missing_file(self, tmp_path):
        with pytest.raises(ParameterError, match="file not found"):
            batch.file_sets(HANDOUT, tmp_path / "none.yaml")


class TestWarmUpStatements:
    def test_imports_only_and_magics_skipped(self):
        notebook = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell("import os\nx = 1\nfrom pathlib import Path"),
            nbformat.v4.new_code_cell("%matplotlib inline\nimport sys"),
            nbformat.v4.new_markdown_cell("import nothing"),
            nbformat.v4.new_code_cell("import os"),
        ])
        assert engine.warm_up_statements(notebook) == ["import os", "from pathlib import Path"]

    def test_the_handout_notebook(self):
        statements = engine.warm_up_statements(nbformat.read(HANDOUT, as_version=4))
        assert ("from udkecon.documents.handout import charts, model, text, workbook"
                in statements)


class TestStillGood:
    def entry(self, folder: Path, status="ok", fingerprint="f") -> dict:
        (folder / "a.pdf").write_bytes(b"%PDF")
        return {"status": status, "fingerprint": fingerprint,
                "files": [{"name": "a.pdf", "sha256": sha256(folder / "a.pdf")}]}

    def test_unchanged(self, tmp_path):
        assert batch._still_good(self.entry(tmp_path), "f", tmp_path)

    def test_changed_inputs_failed_or_touched_outputs(self, tmp_path):
        entry = self.entry(tmp_path)
        assert not batch._still_good(entry, "g", tmp_path)
        assert not batch._still_good({**entry, "status": "failed"}, "f", tmp_path)
        (tmp_path / "a.pdf").write_bytes(b"%PDF-edited")
        assert not batch._still_good(entry, "f", tmp_path)
        (tmp_path / "a.pdf").unlink()
        assert not batch._still_good(entry, "f", tmp_path)


class TestProgress:
    def test_log_lines_when_not_on_a_terminal(self):
        stream = io.StringIO()
        progress = batch._Progress(2, 0, "auto", stream)
        progress.finished({"stem": "a", "status": "ok", "timings": {"total_s": 1.25}})
        progress.finished({"stem": "b", "status": "failed", "timings": {}, "error": "E: x"})
        lines = stream.getvalue().splitlines()
        assert lines[0].endswith("[1/2] ok      a 1.2 s")
        assert lines[1].endswith("[2/2] failed  b  - E: x")

    def test_a_bar_on_a_terminal(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        stream = Terminal()
        progress = batch._Progress(4, 1, "auto", stream)
        progress.finished({"stem": "a", "status": "ok", "timings": {"total_s": 1.0}})
        progress.close()
        assert "2/4" in stream.getvalue() and "[1/4]" not in stream.getvalue()


# --------------------------------------------------------------------------- end to end

def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def start_batch(sets_file, folder, *options) -> subprocess.Popen:
    """`python -m udkecon batch` on the test notebook, two workers, in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "udkecon", "batch", str(TEST_NOTEBOOK), "--parameter-sets",
         str(sets_file), "-o", str(folder), "--jobs", "2", *options],
        cwd=config.PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_while_running(process, condition, timeout_message: str, seconds: float = 120):
    """Poll `condition` until it holds; fail if the batch ends first or time runs out."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, "the batch ended before it could be stopped"
        assert time.monotonic() < deadline, timeout_message
        time.sleep(0.05)


def by_stem(manifest: dict) -> dict:
    return {entry["stem"]: entry for entry in manifest["items"]}


@pytest.fixture
def fixed_package_digest(monkeypatch):
    """Other engineers edit the package while the suite runs; --resume must not see that
    as a changed input between two runs of one test."""
    monkeypatch.setattr(batch, "_package_digest", lambda: "package")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """`python -m udkecon batch` over three handouts, the second deliberately broken (a
    discount rate the notebook refuses): folder, exit code, stdout, stderr."""
    folder = tmp_path_factory.mktemp("batch_handouts")
    patch = pytest.MonkeyPatch()
    patch.setattr(batch, "_package_digest", lambda: "package")
    out, err = io.StringIO(), io.StringIO()
    patch.setattr(sys, "stdout", out)
    patch.setattr(sys, "stderr", err)
    try:
        code = cli.main(["batch", "municipality_handout", "--parameter-sets",
                         str(ONE_BROKEN), "-o", str(folder), "--jobs", "2"])
    finally:
        patch.undo()
    return folder, code, out.getvalue(), err.getvalue()


@pytest.mark.slow
class TestHandoutBatch:

    def test_good_outputs_refused_set_summary_and_exit_code(self, first_run):
        folder, code, out, err = first_run
        assert code == 2  # the only failure is bad input (the notebook refused it)
        for stem in ("municipality_handout_825", "municipality_handout_147_en"):
            assert len(PdfReader(folder / f"{stem}.pdf").pages) >= 2
            assert openpyxl.load_workbook(folder / f"{stem}.xlsx").sheetnames[0] in \
                ("Oversigt", "Summary")
            assert (folder / f"{stem}.ipynb").exists()
        # bad input keeps no .failed.ipynb (the message says it all), and makes nothing
        assert not list(folder.glob("municipality_handout_101_short_dut*"))
        assert "failed          1" in out and "ok              2" in out
        # (the ledger's first year the DUT file lacks, 2018, named by the notebook's check)
        assert "municipality_handout_101_short_dut: " in out and "2018" in out
        assert "[3/3]" in err  # plain log lines: the test's stderr is not a terminal
        assert not list(folder.glob(".staging-*"))

    def test_manifest(self, first_run):
        folder, *_ = first_run
        manifest = manifest_of(folder)
        assert manifest["status"] == "failed" and manifest["jobs"] == 2
        assert manifest["counts"]["ok"] == 2 and manifest["counts"]["failed"] == 1
        entries = by_stem(manifest)
        ok = entries["municipality_handout_147_en"]
        assert ok["parameters"] == {"municipality": "Frederiksberg", "language": "en"}
        assert ok["package_version"] and ok["status"] == "ok"
        assert ok["inputs"]["data/raw/municipalities_2020.csv"] == \
            sha256(config.MUNICIPALITIES_FILE)
        assert {"execute_s", "html_s", "render_s", "pdf_s", "total_s"} <= set(ok["timings"])
        files = {f["name"]: f["sha256"] for f in ok["files"]}
        assert files["municipality_handout_147_en.pdf"] == \
            sha256(folder / "municipality_handout_147_en.pdf")
        broken = entries["municipality_handout_101_short_dut"]
        assert broken["status"] == "failed" and "2018" in broken["error"]
        assert broken["bad_input"] and broken["failed_notebook"] is None
        assert len(manifest["workers"]) == 2

    def test_executed_notebooks_are_fresh_runs(self, first_run):
        folder, *_ = first_run
        for stem in ("municipality_handout_825", "municipality_handout_147_en"):
            notebook = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
            counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
            assert counts == list(range(1, len(counts) + 1))
            assert notebook.metadata.papermill.parameters["output_name"] == stem

    def test_resume_does_not_redo_finished_work(self, first_run, fixed_package_digest):
        folder, *_ = first_run
        pdf = folder / "municipality_handout_825.pdf"
        before = pdf.stat().st_mtime_ns
        sets = batch.file_sets(HANDOUT, ONE_BROKEN)
        result = batch.run_batch(HANDOUT, sets, output_dir=folder, jobs=2, resume=True,
                                 stream=io.StringIO())
        assert pdf.stat().st_mtime_ns == before
        statuses = {e["stem"]: e["status"] for e in result.manifest["items"]}
        assert statuses == {"municipality_handout_825": "skipped",
                            "municipality_handout_147_en": "skipped",
                            "municipality_handout_101_short_dut": "failed"}
        assert result.exit_code == 2
        # a changed parameter is a changed input: that set runs again
        sets = [batch.ParameterSet(s.stem, {**s.parameters, "author": "someone else"})
                for s in sets[:1]]
        again = batch.run_batch(HANDOUT, sets, output_dir=folder, jobs=1, resume=True,
                                stream=io.StringIO())
        assert again.manifest["items"][0]["status"] == "ok"
        assert pdf.stat().st_mtime_ns != before


@pytest.mark.slow
class TestFreshKernelState:
    def test_state_left_behind_and_a_dead_kernel_do_not_reach_the_next_set(self, tmp_path):
        # one worker, so the sets run one after another in the same kernel
        names = ["poison", "check_after_poison", "die", "check_after_death"]
        actions = ["poison", "check", "die", "check"]
        sets = [batch.ParameterSet(n, {"action": a, "output_name": n})
                for n, a in zip(names, actions, strict=True)]
        result = batch.run_batch(TEST_NOTEBOOK, sets, output_dir=tmp_path, jobs=1,
                                 stream=io.StringIO())
        statuses = {e["stem"]: e["status"] for e in result.manifest["items"]}
        assert statuses == {"poison": "ok", "check_after_poison": "ok", "die": "failed",
                            "check_after_death": "ok"}
        assert result.exit_code == 1
        assert len({e["worker"] for e in result.manifest["items"] if "worker" in e}) == 1
        assert (tmp_path / "check_after_death.pdf").exists()


@pytest.mark.slow
class TestKilledBatch:
    def test_no_half_written_outputs_and_resume_finishes(self, tmp_path):
        # (the package's code is one of the inputs --resume compares: a colleague saving a
        # module of the package during this test would make the finished set run again)
        folder = tmp_path / "out"
        release = tmp_path / "release"
        sets_file = write_yaml(tmp_path / "sets.yaml", f"""
- {{action: check, output_name: done_first}}
- {{action: wait, release_file: {release}, output_name: waiting_a}}
- {{action: wait, release_file: {release}, output_name: waiting_b}}
""")
        process = start_batch(sets_file, folder)
        try:
            wait_while_running(process, lambda: (folder / "done_first.pdf").exists(),
                               "no output within two minutes")
            time.sleep(0.3)  # the other worker is inside waiting_a
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        workers = [w["pid"] for w in manifest_of(folder)["workers"]]
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "workers outlived the batch"

        # what is there is whole: readable PDFs and workbooks, and nothing for the rest
        assert len(PdfReader(folder / "done_first.pdf").pages) == 1
        openpyxl.load_workbook(folder / "done_first.xlsx")
        for stem in ("waiting_a", "waiting_b"):
            assert not list(folder.glob(f"{stem}.*")), stem
        assert not [p for p in folder.iterdir() if p.suffix in (".pdf", ".xlsx")
                    and p.stem not in ("done_first",)]
        manifest = manifest_of(folder)  # rewritten atomically: it parses
        assert by_stem(manifest)["done_first"]["status"] == "ok"
        assert by_stem(manifest)["waiting_b"]["status"] in ("pending", "running")

        # --resume: the finished set is kept as it is, the others run
        before = (folder / "done_first.pdf").stat().st_mtime_ns
        release.touch()
        sets = batch.file_sets(TEST_NOTEBOOK, sets_file)
        result = batch.run_batch(TEST_NOTEBOOK, sets, output_dir=folder, jobs=2, resume=True,
                                 stream=io.StringIO())
        assert result.exit_code == 0
        assert {e["stem"]: e["status"] for e in result.manifest["items"]} == \
            {"done_first": "skipped", "waiting_a": "ok", "waiting_b": "ok"}
        assert (folder / "done_first.pdf").stat().st_mtime_ns == before
        assert not list(folder.glob(".staging-*")) and not list(folder.glob(".*.part"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its new parent) counts as gone
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


class TestCommandLine:
    def test_bad_selection_exits_2_before_running_anything(self, tmp_path, capsys):
        code = cli.main(["batch", "municipality_handout", "--municipalities", "Atlantis",
                         "-o", str(tmp_path)])
        assert code == 2
        assert "closest" in capsys.readouterr().err
        assert not (tmp_path / "manifest.json").exists()

    @pytest.mark.parametrize("selection", ["", " , "])
    def test_an_empty_selection_names_the_option(self, tmp_path, capsys, selection):
        # hostile round 2, BM3: it said "selection='' is empty", a name the user never typed
        code = cli.main(["batch", "municipality_handout", "--municipalities", selection,
                         "-o", str(tmp_path)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1
        assert err.startswith(f"error: --municipalities {selection!r} is empty; give 'all'")
        assert list(tmp_path.iterdir()) == []

    def test_one_batch_per_folder(self, tmp_path):
        handle = batch._lock(tmp_path)
        try:
            with pytest.raises(batch.UdkeconError, match="another batch"):
                batch._lock(tmp_path)
        finally:
            handle.close()


@pytest.mark.slow
class TestTerminatedBatch:
    def test_sigterm_stops_workers_and_marks_the_unfinished_sets(self, tmp_path):
        import psutil

        folder = tmp_path / "out"
        release = tmp_path / "release"  # never created: the waiting sets wait until killed
        sets_file = write_yaml(tmp_path / "sets.yaml", f"""
- {{action: check, output_name: done_first}}
- {{action: wait, release_file: {release}, output_name: waiting_a}}
- {{action: wait, release_file: {release}, output_name: waiting_b}}
""")
        process = start_batch(sets_file, folder, "--no-pdf")
        descendants: set[int] = set()
        try:
            wanted = {"done_first": "ok", "waiting_a": "running", "waiting_b": "running"}
            # polled, not slept: on a slow machine the second waiting set starts later
            wait_while_running(process, lambda: {
                stem: entry.get("status") for stem, entry in
                by_stem(batch.read_manifest(folder) or {"items": []}).items()} == wanted,
                "the sets did not start within two minutes")
            # the workers, their kernels and multiprocessing's helpers
            descendants = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
        assert code == 143
        workers = {w["pid"] for w in manifest_of(folder)["workers"]}
        assert len(workers) == 2 and workers <= descendants
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in descendants) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in descendants if _alive(pid)], "processes outlived the batch"

        manifest = manifest_of(folder)  # parses
        assert manifest["status"] == "interrupted"
        statuses = {e["stem"]: e["status"] for e in manifest["items"]}
        assert statuses == {"done_first": "ok", "waiting_a": "interrupted",
                            "waiting_b": "interrupted"}
        assert "SIGTERM" in by_stem(manifest)["waiting_a"]["error"]
        # nothing half-written where the finished outputs are
        openpyxl.load_workbook(folder / "done_first.xlsx")
        for stem in ("waiting_a", "waiting_b"):
            assert not list(folder.glob(f"{stem}.*")), stem
        assert not list(folder.glob("*.part")) and not list(folder.glob(".*.part"))
        # staged (never final) files of the interrupted sets: the batch clears the staging
        # folders its terminated workers left before it exits
        assert not list(folder.glob(".staging-*"))


@pytest.mark.slow
class TestResumeAfterAChangedFile:
    def test_a_set_whose_input_file_changed_runs_again(self, tmp_path, fixed_package_digest):
        text = tmp_path / "input.txt"
        text.write_text("first", encoding="utf-8")
        sets = [batch.ParameterSet("reads", {"input_file": str(text), "output_name": "reads"}),
                batch.ParameterSet("plain", {"output_name": "plain"})]

        def run():
            result = batch.run_batch(TEST_NOTEBOOK, sets, output_dir=tmp_path / "out", jobs=1,
                                     resume=True, pdf=False, stream=io.StringIO())
            assert result.exit_code == 0
            return {e["stem"]: e["status"] for e in result.manifest["items"]}

        assert run() == {"reads": "ok", "plain": "ok"}
        text.write_text("second", encoding="utf-8")  # same parameters, new content
        assert run() == {"reads": "ok", "plain": "skipped"}
        book = openpyxl.load_workbook(tmp_path / "out" / "reads.xlsx")
        assert book.active["A2"].value == "second"
