"""Benchmark: `make report` the old way (one kernel per report, one after another) vs now
(`python -m udkecon report`: worker processes, each with one warm kernel), in one run.

(a) old: one process runs the five default reports in turn, each executed by papermill's
    own engine in a kernel of its own (start-up and imports paid per report), as
    `make report` did before issue 12;
(b) new: `python -m udkecon report`, as `make report` runs it;
(c) before: `python -m udkecon report` as the project shipped it before issue 12 (commit
    BEFORE, checked out in a temporary git worktree and run with this environment) - the
    "today's time" of the issue, measured in the same run. Its reports say less (issue 11
    came later), so only its time is compared; skipped where git or the commit is missing.

Both write to folders of their own under reports/bench/ (kept for a look, replaced on the
next run) and start as fresh processes; (b) is checked to have printed one line per report
and nothing else, and its PDFs (text) and workbooks (cell values) to equal (a)'s. Printed:
both wall times and the ratio old / new. Target (issue 12): new at most a third of old.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from udkecon import config  # noqa: E402

TARGET_RATIO = 3
# the last commit before issue 12's work on `make report` (warm kernels, IPC, SVG images)
BEFORE = "fd87a6b"

# (a) in a process of its own: what `python -m udkecon report` did before issue 12 - for each
# report in turn, papermill's own engine (a new kernel, started and stopped), then the PDF
# and the files put in place, with the driver's stages of today
_OLD = """
from udkecon import run
for name in run.REPORTS:
    job = run.prepare(name, {})
    try:
        executed = run.execute(job)  # engine_name=None: papermill's engine, a kernel of its own
        run.render_pdf(job, executed)
        run.publish(job)
        run._write_manifest(job.final_dir, job.result, succeeded=True)
    finally:
        run.discard(job)
    print(name, flush=True)
"""
# one generation time for both, so that the workbooks' "generated at" cells agree
_EPOCH = "1606780800"  # 2020-12-01 00:00 UTC


def timed(command: list[str], reports: Path, tree: Path = ROOT
          ) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "UDKECON_REPORTS_DIR": str(reports), "SOURCE_DATE_EPOCH": _EPOCH,
           "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")])}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        raise SystemExit(f"{' '.join(command[:4])} failed (exit code {done.returncode})")
    return seconds, done


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def workbook_values(path: Path) -> dict:
    import openpyxl

    book = openpyxl.load_workbook(path)  # formulas as written, values as stored
    return {(sheet.title, cell.coordinate): cell.value for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.value is not None}


def same_reports(old: Path, new: Path, names) -> list[str]:
    """What differs between the two runs' PDFs (text) and workbooks (values)."""
    differences = []
    for name in names:
        if pdf_text(old / name / f"{name}.pdf") != pdf_text(new / name / f"{name}.pdf"):
            differences.append(f"{name}.pdf (text)")
        if workbook_values(old / name / f"{name}.xlsx") != \
                workbook_values(new / name / f"{name}.xlsx"):
            differences.append(f"{name}.xlsx (values)")
    return differences


def before_issue_12(reports: Path) -> float | None:
    """Seconds of `python -m udkecon report` at commit BEFORE, or None where it cannot run."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="udkecon-before-") as folder:
        tree = Path(folder) / "tree"
        added = subprocess.run(["git", "worktree", "add", "--detach", str(tree), BEFORE],
                               cwd=ROOT, capture_output=True, text=True)
        if added.returncode != 0:
            return None
        try:
            seconds, _ = timed([sys.executable, "-m", "udkecon", "report"], reports, tree)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                           capture_output=True)
        return seconds


def main() -> int:
    from udkecon.run import REPORTS

    root = config.REPORTS_DIR / "bench" / "reports"
    shutil.rmtree(root, ignore_errors=True)
    old_dir, new_dir = root / "old", root / "new"
    print(f"udkecon benchmark: the {len(REPORTS)} default reports (PDF + Excel + notebook), "
          f"{os.cpu_count()} cores", flush=True)
    old_s, _ = timed([sys.executable, "-c", _OLD], old_dir)
    print(f"(a) old, one kernel per report, one after another: {old_s:6.1f} s", flush=True)
    new_s, done = timed([sys.executable, "-m", "udkecon", "report"], new_dir)
    print(f"(b) new, python -m udkecon report:                 {new_s:6.1f} s", flush=True)
    ratio = old_s / new_s
    print(f"    ratio old / new: {ratio:.1f}x (target at least {TARGET_RATIO}x: "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})")
    before_s = before_issue_12(root / "before")
    if before_s is None:
        print(f"(c) before issue 12 (commit {BEFORE}): skipped, the commit is not available")
    else:
        print(f"(c) before issue 12, make report at {BEFORE}:   {before_s:6.1f} s", flush=True)
        print(f"    ratio before / new: {before_s / new_s:.1f}x (target at least "
              f"{TARGET_RATIO}x: {'met' if before_s / new_s >= TARGET_RATIO else 'NOT met'})")
    lines = done.stdout.splitlines()
    quiet = (not done.stderr and len(lines) == len(REPORTS)
             and all(line.split(":")[0] in REPORTS and ": ok -> " in line for line in lines))
    print(f"    output of (b): {len(lines)} lines on stdout, {len(done.stderr.splitlines())} "
          f"on stderr ({'one line per report and nothing else' if quiet else 'NOT clean'})")
    differences = same_reports(old_dir, new_dir, REPORTS)
    print(f"    PDF text and workbook values of (a) and (b): "
          f"{'the same' if not differences else 'DIFFER: ' + ', '.join(differences)}")
    print(f"outputs: {root}")
    return 0 if quiet and not differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
