"""Benchmark: municipal handouts the naive way vs the batch runner (`make bench`).

(a) naive: for each of 10 municipalities in turn, the three commands a person would type:

    papermill notebooks/municipality_handout.ipynb OUT.ipynb -p municipality CODE ...
    jupyter nbconvert --to html --no-input --template udkecon_report ... OUT.ipynb
    python -m weasyprint -s print.css OUT.html OUT.pdf

(b) the batch runner on the same 10, in one run: `python -m udkecon batch ... --jobs N`;
then (c) the batch runner on all 98 municipalities.

Printed: both times for the 10, the ratio, the projected time of all 98 (naive and batch)
and the measured time of the 98, with where the batch's time went (from its manifest).
Targets (issue 5): all 98 handouts (PDF + Excel) in at most 120 s on a 2-core machine, at
least 5 times faster than the naive way on the same 10. Nothing is asserted: the numbers
are for reading. Outputs go to reports/bench/ (kept for a look, replaced on the next run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from udkecon import config  # noqa: E402

NOTEBOOK = config.NOTEBOOKS_DIR / "municipality_handout.ipynb"
BIN = Path(sys.executable).parent
# ten municipalities of every size, from København (632,340) to Læsø (1,786)
TEN = "101,751,461,147,851,330,657,492,741,825"
TARGET_ALL_S = 120
TARGET_RATIO = 5


def naive(codes: list[str], folder: Path) -> tuple[float, list[float]]:
    """papermill, then nbconvert, then WeasyPrint, one municipality after another."""
    css = config.TEMPLATES_DIR / "udkecon_report" / "print.css"
    each = []
    started = time.perf_counter()
    for code in codes:
        begun = time.perf_counter()
        stem = f"municipality_handout_{code}"
        executed = folder / f"{stem}.ipynb"
        commands = [
            [str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "municipality", code,
             "-p", "output_dir", str(folder), "-p", "output_name", stem,
             "--cwd", str(config.NOTEBOOKS_DIR), "--no-progress-bar"],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
             "--template", "udkecon_report",
             f"--TemplateExporter.extra_template_basedirs={config.TEMPLATES_DIR}",
             "--TagRemovePreprocessor.remove_cell_tags=remove-in-report",
             "--TagRemovePreprocessor.remove_single_output_tags=remove-in-report",
             "--log-level=WARN", str(executed)],
            [sys.executable, "-m", "weasyprint", "-s", str(css),
             str(folder / f"{stem}.html"), str(folder / f"{stem}.pdf")],
        ]
        for command in commands:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        each.append(time.perf_counter() - begun)
    return time.perf_counter() - started, each


def batch(selection: str, folder: Path, jobs: int) -> tuple[float, dict]:
    """The batch runner in one command; returns the wall time and its manifest."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "udkecon", "batch", str(NOTEBOOK), "--municipalities",
         selection, "--output-dir", str(folder), "--jobs", str(jobs), "--progress", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(process.stdout)
        raise SystemExit(f"the batch failed (exit code {process.returncode})")
    return seconds, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def check_outputs(folder: Path, codes: list[str]) -> None:
    for code in codes:
        for suffix in ("pdf", "xlsx"):
            path = folder / f"municipality_handout_{code}.{suffix}"
            if not path.is_file() or path.stat().st_size == 0:
                raise SystemExit(f"missing output: {path}")


def stages(manifest: dict) -> str:
    """Where the batch's time went, per handout (medians) and in the workers' start-up."""
    items = [e for e in manifest["items"] if e["status"] == "ok"]
    names = ["execute_s", "html_s", "render_s", "total_s"]
    median = {n: statistics.median(e["timings"].get(n, 0.0) for e in items) for n in names}
    ready = [w["ready_after_s"] for w in manifest.get("workers", [])]
    return (f"per handout (median): execute {median['execute_s']:.2f} s, notebook -> HTML "
            f"{median['html_s']:.2f} s, HTML -> PDF {median['render_s']:.2f} s, all stages "
            f"{median['total_s']:.2f} s; workers ready (process, imports, warm kernel) after "
            f"{', '.join(f'{s:.1f} s' for s in ready)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", default=TEN, help=f"the ten (default {TEN})")
    parser.add_argument("--jobs", type=int, default=None,
                        help="batch workers (default: the machine's cores)")
    parser.add_argument("--skip-all", action="store_true", help="do not run all 98")
    args = parser.parse_args()
    codes = [c.strip() for c in args.municipalities.split(",") if c.strip()]
    jobs = args.jobs or len(os.sched_getaffinity(0))
    root = config.REPORTS_DIR / "bench"
    shutil.rmtree(root, ignore_errors=True)
    folders = {name: root / name for name in ("naive", "batch_10", "batch_98")}
    for folder in folders.values():
        folder.mkdir(parents=True)

    print(f"udkecon benchmark: {len(codes)} municipal handouts (PDF + Excel), "
          f"{os.cpu_count()} cores, batch --jobs {jobs}", flush=True)
    naive_s, each = naive(codes, folders["naive"])
    check_outputs(folders["naive"], codes)
    print(f"(a) naive, papermill + nbconvert + weasyprint per municipality: {naive_s:6.1f} s "
          f"({statistics.mean(each):.1f} s each)", flush=True)
    batch_s, manifest = batch(",".join(codes), folders["batch_10"], jobs)
    check_outputs(folders["batch_10"], codes)
    print(f"(b) batch runner, one run:                                     {batch_s:6.1f} s",
          flush=True)
    ratio = naive_s / batch_s
    print(f"    ratio naive / batch: {ratio:.1f}x (target at least {TARGET_RATIO}x: "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})")
    print(f"    {stages(manifest)}")

    # projections: the naive way scales per handout; the batch pays its start-up once
    startup = max(w["ready_after_s"] for w in manifest["workers"]) if manifest["workers"] else 0
    per_handout = (batch_s - startup) / len(codes)
    print(f"all 98, projected: naive {statistics.mean(each) * 98:6.1f} s, "
          f"batch {startup + per_handout * 98:6.1f} s")
    if args.skip_all:
        return 0
    all_s, manifest = batch("all", folders["batch_98"], jobs)
    count = sum(e["status"] == "ok" for e in manifest["items"])
    print(f"all 98, measured: batch {all_s:6.1f} s for {count} handouts (target at most "
          f"{TARGET_ALL_S} s: {'met' if all_s <= TARGET_ALL_S else 'NOT met'})")
    print(f"    {stages(manifest)}")
    print(f"outputs: {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
