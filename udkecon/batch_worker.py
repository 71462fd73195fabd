"""What runs in a batch worker process: one warm kernel, parameter set after parameter set.

Started by `udkecon.batch` (spawned, `--jobs` of them). A worker starts its kernel
(`udkecon.engine.WarmKernel`), then takes sets from the task queue until it gets None. Each
set goes through `udkecon.run`'s stages (prepare, execute with the warm engine, PDF,
publish); the result - the manifest entry - goes back on the result queue. A failed set
gets a new kernel for the next one. If the batch process goes away (killed), the worker
kills its kernel and exits within half a second; so does it on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import asdict
from pathlib import Path

from . import fmt
from .hashing import sha256


def main(number: int, notebook: str, options: dict, tasks, results, parent: int) -> None:
    """The worker process: one warm kernel, parameter sets from `tasks` until None; results
    ("ready", "broken", "started", "done") go to `results`."""
    from . import engine

    engine.skip_unused_imports()
    kernel = engine.WarmKernel(kernel_name=options["kernel_name"])

    def stop(signum=None, frame=None):
        # terminated by the batch, or orphaned: no clean-up that could hang, the kernel
        # goes at once; staged files are left for the next batch to clear away
        kernel.kill()
        os._exit(143 if signum == signal.SIGTERM else 1)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the batch to handle
    signal.signal(signal.SIGTERM, stop)

    def watchdog():
        while os.getppid() == parent:
            time.sleep(0.5)
        stop()

    threading.Thread(target=watchdog, daemon=True).start()
    warm_up = engine.warm_up_statements(notebook)

    def while_booting():  # the worker's own imports overlap with the kernel's start-up
        engine.register()
        if options["pdf"]:
            _warm_pdf()

    try:
        seconds = kernel.start(warm_up, while_booting=while_booting)
        results.put(("ready", number, {"pid": os.getpid(), "warm_up_s": round(seconds, 3)}))
    except Exception as exc:
        results.put(("broken", number, f"the kernel did not start: {exc}"))
        return
    try:
        while True:
            task = tasks.get()
            if task is None:
                break
            results.put(("started", number, task["stem"]))
            entry = _run_one(kernel, notebook, task, options)
            entry["worker"] = os.getpid()
            results.put(("done", number, entry))
            if entry["status"] != "ok" or not kernel.alive():
                kernel.restart()  # nothing a failed notebook left behind reaches the next
    finally:
        kernel.shutdown()


def _warm_pdf() -> None:
    """Load the PDF pipeline (nbconvert's template, WeasyPrint's fonts) while the kernel
    boots, so that the first set does not pay for it."""
    import tempfile

    import nbformat

    from .publish import html_to_pdf, notebook_html

    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Warm")])
    with tempfile.TemporaryDirectory(prefix="udkecon-warm-") as folder:
        html_to_pdf(notebook_html(empty), Path(folder) / "warm.pdf")


def _run_one(kernel, notebook: str, task: dict, options: dict) -> dict:
    """Run one parameter set in the worker's kernel: execute, PDF, place; never raises."""
    from . import engine, run
    from .errors import RunError, UdkeconError

    started = time.perf_counter()
    try:  # (checked by the batch before it started; the folder can still change under it)
        job = run.prepare(notebook, task["parameters"], options["output_dir"], task["stem"],
                          hashes=task["inputs"], batch=True, pdf=options["pdf"])
    except UdkeconError as error:
        result = run.RunResult(notebook=notebook, stem=task["stem"],
                               output_dir=options["output_dir"], parameters=task["parameters"],
                               status="failed", error=str(error), bad_input=True,
                               inputs=task["inputs"])
        return _entry(result, started, None)
    result = job.result
    try:
        try:
            kernel.reset()
        except Exception:  # the kernel died between sets: start another
            kernel.restart()
            kernel.reset()
        executed = run.execute(job, kernel_name=options["kernel_name"],
                               engine_name=engine.ENGINE_NAME, warm_kernel=kernel,
                               execution_timeout=options["timeout"])
        if options["pdf"]:
            run.render_pdf(job, executed)
        run.publish(job)
        result.status = "ok"
    except RunError:
        pass  # the stage recorded the error and kept the failed notebook
    except UdkeconError as error:  # bad input the notebook found, or a file in the way
        result.status, result.bad_input = "failed", True
        result.error = result.error or str(error)
    except Exception as exc:  # the PDF or the placing failed: keep what ran, for a look
        result.status = "failed"
        result.error = run._one_line(exc)
        run._keep_failed(job)
    finally:
        run.discard(job)
    return _entry(result, started, job)


def _entry(result, started: float, job) -> dict:
    """The manifest entry of a finished set."""
    result.timings["total_s"] = round(time.perf_counter() - started, 3)
    result.finished_at = fmt.generation_time().isoformat()
    entry = asdict(result)
    entry["files"] = [{"name": Path(f).name, "sha256": sha256(Path(f))} for f in result.files]
    entry["slowest_cells"] = _slowest_cells(job) if job is not None else []
    return entry


def _slowest_cells(job) -> list:
    """[cell number, first line, seconds] of the three slowest cells of the run."""
    import nbformat

    path = next((Path(p) for p in job.result.files if p.endswith(".ipynb")),
                Path(job.result.failed_notebook) if job.result.failed_notebook else None)
    if path is None or not path.exists():
        return []
    cells = [(number, (cell.source.splitlines() or [""])[0][:60],
              cell.metadata.get("papermill", {}).get("duration") or 0.0)
             for number, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if cell.cell_type == "code"]
    return [[n, line, round(seconds, 3)] for n, line, seconds
            in sorted(cells, key=lambda c: -c[2])[:3]]
