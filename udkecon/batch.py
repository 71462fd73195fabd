"""The batch runner: one notebook over many parameter sets, in parallel, resumable.

    python -m udkecon batch municipality_handout --municipalities all --jobs 2

What a batch does
-----------------
- **Plan**: one parameter set per municipality of a selection ("all", a region, codes or
  names separated by commas) or per entry of a YAML file; each set gets a file stem
  (`municipality_handout_101`) and the hash of everything it reads.
- **Run**: `--jobs` worker processes. Each keeps one warm kernel (`udkecon.engine`): the
  notebook's imports are paid once per worker, the namespace is reset before every
  notebook, and a new kernel is started after a failure. Each worker executes the
  notebook with papermill, renders the PDF itself and moves the files in place with
  `os.replace` (`udkecon.run`'s stages), so a finished PDF or workbook is never replaced
  by half a file, whatever happens to the batch.
- **Record**: `manifest.json` in the batch folder lists every parameter set: parameters,
  input hashes, status (ok, failed, skipped, pending, interrupted), files with sha256,
  per-stage timings and the package version. It is rewritten (atomically) as each set
  finishes, so a killed batch leaves a true account of what it finished.
- **Resume**: with `--resume`, a set whose last run succeeded, whose inputs, parameters and
  package are unchanged and whose files are still there (same sha256) is skipped.

A failing set keeps its executed notebook (`<stem>.failed.ipynb`) and does not stop the
others; the batch ends with a summary and exit code 1 (2 for a bad command line, 130/143
when interrupted). One batch at a time may write to a folder (a lock file says so).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import platform
import queue
import re
import signal
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, batch_worker, config, fmt
from .errors import ParameterError, UdkeconError
from .hashing import sha256

MANIFEST = "manifest.json"
LOCK = ".batch.lock"
STATUSES = ("ok", "failed", "skipped", "pending", "interrupted")


@dataclass(frozen=True)
class ParameterSet:
    """One run of the batch: its file stem and the notebook parameters."""

    stem: str
    parameters: dict


# --------------------------------------------------------------------------- planning

def _slug(value) -> str:
    """A file-name-safe spelling of a parameter value.

    >>> _slug("Lyngby-Taarbæk"), _slug(0.035), _slug("Region Nordjylland")
    ('lyngby-taarbaek', '0-035', 'region-nordjylland')
    """
    text = str(value).casefold()
    for letter, spelling in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, spelling)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")[:60] or "x"


def _stem(notebook: Path, parameters: dict, table=None) -> str:
    if parameters.get("output_name"):
        return str(parameters["output_name"])
    parts = []
    for name, value in parameters.items():
        if name == "municipality":
            value = _municipality_code(value, table)
        parts.append(_slug(value))
    return "_".join([notebook.stem, *parts]) if parts else notebook.stem


def _municipality_code(value, table):
    """The code for the stem; an unknown name stays as given (the notebook refuses it)."""
    from .municipalities import resolve_municipality

    try:
        return resolve_municipality(value, table)
    except UdkeconError:
        return value


def _municipalities_table(common: dict):
    from .data import load_municipalities

    return load_municipalities(common.get("municipalities_file") or None)


def municipality_sets(notebook, selection, common: dict | None = None) -> list[ParameterSet]:
    """One parameter set per municipality of `selection` ("all", a region, codes or names
    separated by commas; see `municipalities.municipalities_in`), each with `common`.

    Unknown parts are refused (ParameterError) with the closest valid choices.
    """
    from .municipalities import municipalities_in
    from .run import resolve_notebook

    notebook = resolve_notebook(notebook)
    common = dict(common or {})
    table = _municipalities_table(common)
    sets = []
    for code in municipalities_in(selection, table):
        parameters = {**common, "municipality": code}
        sets.append(ParameterSet(f"{notebook.stem}_{code}", parameters))
    return _unique(sets, "--municipalities")


def file_sets(notebook, path, common: dict | None = None) -> list[ParameterSet]:
    """The parameter sets of a YAML file: a list of mappings, or a mapping with `common`
    (parameters for every set) and `sets` (the list). `output_name` in a set names its
    files; otherwise the stem is the notebook's name and the set's values."""
    import yaml

    from .run import resolve_notebook

    notebook = resolve_notebook(notebook)
    path = Path(path)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"--parameter-sets {path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"--parameter-sets {path}: not valid YAML ({exc})") from None
    shared = {}
    if isinstance(content, dict):
        unknown = set(content) - {"common", "sets"}
        if unknown or not isinstance(content.get("sets"), list):
            raise ParameterError(f"--parameter-sets {path}: give a list of parameter sets, "
                                 "or a mapping with 'common' and 'sets' (a list)")
        shared = content.get("common") or {}
        content = content["sets"]
    if not isinstance(content, list) or not content:
        raise ParameterError(f"--parameter-sets {path}: give a non-empty list of parameter "
                             "sets (each a mapping of parameter: value)")
    table = None
    sets = []
    for number, entry in enumerate(content, start=1):
        if not isinstance(entry, dict):
            raise ParameterError(f"--parameter-sets {path}: set {number} is {entry!r}, not a "
                                 "mapping of parameter: value")
        parameters = {**(common or {}), **shared, **entry}
        if "municipality" in parameters and table is None:
            table = _municipalities_table(parameters)
        # the stem from the set's own values: what the sets share does not tell them apart
        sets.append(ParameterSet(_stem(notebook, entry, table), parameters))
    return _unique(sets, f"--parameter-sets {path}")


def _unique(sets: list[ParameterSet], source: str) -> list[ParameterSet]:
    seen: dict[str, int] = {}
    for number, item in enumerate(sets, start=1):
        if item.stem in seen:
            raise ParameterError(f"{source}: sets {seen[item.stem]} and {number} would both "
                                 f"write {item.stem}.*; give each an output_name")
        seen[item.stem] = number
    return sets


# --------------------------------------------------------------------------- inputs

def _package_digest() -> str:
    """One hash of the package's code, labels and templates: a new version of the code is a
    changed input even when the version number is not."""
    digest = hashlib.sha256()
    for path in sorted(config.PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv", ".j2", ".css", ".json"):
            digest.update(str(path.relative_to(config.PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _inputs(notebook: Path, item: ParameterSet, shared: dict) -> dict:
    hashes = dict(shared)
    for value in item.parameters.values():
        if isinstance(value, str) and value and Path(value).is_file():
            hashes[value] = sha256(value)
    return hashes


def _shared_inputs(notebook: Path) -> dict:
    from .run import input_hashes

    hashes = input_hashes(notebook, {})
    hashes["udkecon (package code)"] = _package_digest()
    return hashes


# --------------------------------------------------------------------------- manifest

def read_manifest(folder) -> dict | None:
    """The manifest of the last batch in `folder`, or None."""
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_manifest(folder: Path, manifest: dict) -> None:
    from .publish import atomic_path

    with atomic_path(folder / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                       encoding="utf-8")


def _still_good(entry: dict, fingerprint: str, folder: Path) -> bool:
    """True when an earlier entry produced these outputs from the same inputs, and they
    are all still there, unchanged."""
    if entry.get("status") not in ("ok", "skipped") or entry.get("fingerprint") != fingerprint:
        return False
    files = entry.get("files") or []
    if not files:
        return False
    for record in files:
        path = folder / record["name"]
        if not path.is_file() or sha256(path) != record["sha256"]:
            return False
    return True


# --------------------------------------------------------------------------- progress

class _Progress:
    """A progress bar on a terminal; one plain line per finished set otherwise."""

    def __init__(self, total: int, done: int, mode: str, stream):
        self.total, self.done, self.stream = total, done, stream
        interactive = hasattr(stream, "isatty") and stream.isatty()
        self.mode = ("bar" if interactive else "log") if mode == "auto" else mode
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="set", file=stream,
                            dynamic_ncols=True)

    def log(self, text: str) -> None:
        if self.mode == "log":
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            print(f"{stamp} {text}", file=self.stream, flush=True)

    def finished(self, entry: dict) -> None:
        self.done += 1
        width = len(str(self.total))
        seconds = entry.get("timings", {}).get("total_s")
        took = f"{seconds:.1f} s" if seconds is not None else ""
        line = f"[{self.done:>{width}}/{self.total}] {entry['status']:<7} {entry['stem']} {took}"
        if entry["status"] != "ok" and entry.get("error"):
            line += f" - {entry['error']}"
        if self.bar is not None:
            self.bar.update(1)
            if entry["status"] != "ok":
                self.bar.write(line, file=self.stream)
        else:
            self.log(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- the batch

@dataclass
class BatchResult:
    """What a batch did: the manifest's path and contents, and the exit code."""

    manifest_path: Path
    manifest: dict
    exit_code: int
    counts: dict = field(default_factory=dict)

    def summary(self) -> str:
        m = self.manifest
        lines = [f"Batch {Path(m['notebook']).stem}: {len(m['items'])} parameter sets in "
                 f"{m['duration_s']:.1f} s with {m['jobs']} worker(s) - {m['status']}"]
        for status in STATUSES:
            if self.counts.get(status):
                note = {"skipped": " (unchanged since their last run)"}.get(status, "")
                lines.append(f"  {status:<12}{self.counts[status]:>5}{note}")
        for entry in m["items"]:
            if entry["status"] in ("failed", "interrupted"):
                kept = (f"; notebook kept: {entry['failed_notebook']}"
                        if entry.get("failed_notebook") else "")
                lines.append(f"    {entry['stem']}: {entry.get('error') or entry['status']}{kept}")
        lines.append(f"Manifest: {self.manifest_path}")
        return "\n".join(lines)


class _Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _lock(folder: Path):
    """Hold the folder's lock file for the batch; refuse when another batch holds it."""
    handle = open(folder / LOCK, "a+")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # no fcntl (Windows): no lock
        pass
    except OSError:
        handle.close()
        raise UdkeconError(f"another batch is writing to {folder}; wait for it to finish "
                           "or give another --output-dir") from None
    return handle


def _clear_leftovers(folder: Path) -> None:
    """Staging folders and temporary files of a batch that was killed (we hold the lock)."""
    import shutil

    for path in folder.glob(".staging-*"):
        shutil.rmtree(path, ignore_errors=True)
    for pattern in (".*.part", ".*.tmp"):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)


def _pending_entry(notebook: Path, item: ParameterSet, inputs: dict, fingerprint: str) -> dict:
    return {"notebook": str(notebook), "stem": item.stem, "parameters": item.parameters,
            "status": "pending", "files": [], "failed_notebook": None, "error": None,
            "timings": {}, "inputs": inputs, "fingerprint": fingerprint,
            "package_version": __version__, "python": platform.python_version(),
            "finished_at": ""}


def run_batch(notebook, sets: list[ParameterSet], output_dir=None, jobs: int | None = None,
              resume: bool = False, pdf: bool = True, timeout: float | None = 600,
              progress: str = "auto", stream=None, kernel_name: str = "python3") -> BatchResult:
    """Run `notebook` once per parameter set, in `jobs` worker processes; see the module
    docstring. Returns the result (exit_code 0 when every set succeeded or was skipped)."""
    from .run import fingerprint, resolve_notebook

    stream = stream or sys.stderr
    notebook = resolve_notebook(notebook).resolve()
    if not sets:
        raise ParameterError("the batch has no parameter sets; give --municipalities or "
                             "--parameter-sets")
    folder = Path(output_dir) if output_dir else config.REPORTS_DIR / f"{notebook.stem}_batch"
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or _cores())
    lock = _lock(folder)
    try:
        _clear_leftovers(folder)
        return _run_locked(notebook, sets, folder, jobs, resume, pdf, timeout, progress,
                           stream, kernel_name, fingerprint)
    finally:
        lock.close()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _run_locked(notebook, sets, folder, jobs, resume, pdf, timeout, progress, stream,
                kernel_name, fingerprint) -> BatchResult:
    started = time.perf_counter()
    shared = _shared_inputs(notebook)
    earlier_manifest = read_manifest(folder) or {}
    previous = {e["stem"]: e for e in (earlier_manifest.get("earlier_items", [])
                                       + earlier_manifest.get("items", []))}
    entries: dict[str, dict] = {}
    todo = []
    for item in sets:
        inputs = _inputs(notebook, item, shared)
        unchanged = fingerprint(notebook, item.parameters, inputs)
        earlier = previous.get(item.stem)
        if resume and earlier and _still_good(earlier, unchanged, folder):
            entries[item.stem] = {**earlier, "status": "skipped"}
        else:
            entries[item.stem] = _pending_entry(notebook, item, inputs, unchanged)
            todo.append({"stem": item.stem, "parameters": item.parameters, "inputs": inputs})
    jobs = min(jobs, len(todo)) if todo else 0
    manifest = {
        "kind": "udkecon batch", "notebook": str(notebook), "output_dir": str(folder),
        "status": "running", "started_at": fmt.generation_time().isoformat(),
        "finished_at": "", "duration_s": 0.0, "jobs": jobs, "resume": resume, "pdf": pdf,
        "package_version": __version__, "python": platform.python_version(),
        "command": sys.argv, "counts": {}, "workers": [], "items": [],
    }

    def save(status: str | None = None) -> None:
        if status:
            manifest["status"] = status
        manifest["items"] = [entries[item.stem] for item in sets]
        # sets of earlier batches in this folder that this one did not touch keep their
        # record (a batch over one municipality must not make --resume forget the other 97)
        manifest["earlier_items"] = [e for stem, e in previous.items() if stem not in entries]
        manifest["counts"] = {s: sum(e["status"] == s for e in manifest["items"])
                              for s in STATUSES}
        manifest["duration_s"] = round(time.perf_counter() - started, 3)
        if status and status != "running":
            manifest["finished_at"] = fmt.generation_time().isoformat()
        _write_manifest(folder, manifest)

    save()
    reporter = _Progress(len(sets), len(sets) - len(todo), progress, stream)
    if len(todo) < len(sets):
        reporter.log(f"{len(sets) - len(todo)} set(s) unchanged since their last run: skipped")
    exit_code = 0
    previous_handler = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise _Interrupted(signum)

    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        signal.signal(signal.SIGTERM, on_term)
    try:
        if todo:
            reporter.log(f"running {len(todo)} set(s) of {notebook.name} with {jobs} "
                         f"worker(s) into {folder}")
            options = {"output_dir": str(folder), "pdf": pdf, "timeout": timeout,
                       "kernel_name": kernel_name}
            _dispatch(notebook, todo, jobs, options, entries, manifest, save, reporter)
        failed = sum(e["status"] == "failed" for e in entries.values())
        save("failed" if failed else "ok")
        exit_code = 1 if failed else 0
    except UdkeconError as error:  # the workers could not run at all
        manifest["error"] = str(error)
        save("failed")
        raise
    except (KeyboardInterrupt, _Interrupted) as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        for entry in entries.values():
            if entry["status"] == "running":
                entry["status"] = "interrupted"
                entry["error"] = f"the batch was interrupted ({signal.Signals(signum).name})"
        save("interrupted")
        # the workers are stopped by now (_dispatch's finally) and the lock is still ours:
        # clear their staging folders rather than leave them for the next batch
        _clear_leftovers(folder)
        exit_code = 128 + int(signum)
    finally:
        reporter.close()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    counts = dict(manifest["counts"])
    return BatchResult(folder / MANIFEST, manifest, exit_code, counts)


def _dispatch(notebook: Path, todo: list[dict], jobs: int, options: dict, entries: dict,
              manifest: dict, save, reporter: _Progress) -> None:
    """Hand the sets to `jobs` workers and record each result as it comes."""
    begun = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    tasks, results = context.Queue(), context.Queue()
    for task in todo:
        tasks.put(task)
    for _ in range(jobs):
        tasks.put(None)
    workers: dict[int, multiprocessing.Process] = {}
    busy: dict[int, str | None] = {}
    serial = iter(range(1_000_000))

    def spawn() -> None:
        number = next(serial)
        process = context.Process(target=batch_worker.main, name=f"udkecon-batch-{number}",
                                  args=(number, str(notebook), options, tasks, results,
                                        os.getpid()))
        process.start()
        workers[number], busy[number] = process, None

    for _ in range(jobs):
        spawn()
    remaining = len(todo)
    ready: set[int] = set()
    try:
        while remaining:
            try:
                kind, number, payload = results.get(timeout=0.5)
            except queue.Empty:
                remaining -= _check_workers(workers, busy, ready, entries, reporter, save,
                                            spawn, tasks_left=remaining)
                if remaining and not any(p.is_alive() for p in workers.values()):
                    remaining -= _lost(todo, entries, reporter, save)
                continue
            if kind == "ready":
                ready.add(number)
                # start-up: a new process, its imports, the kernel and the notebook's imports
                payload["ready_after_s"] = round(time.perf_counter() - begun, 3)
                manifest["workers"].append({"worker": number, **payload})
                reporter.log(f"worker {number} ready (pid {payload['pid']}, kernel warm in "
                             f"{payload['warm_up_s']:.1f} s)")
            elif kind == "broken":
                reporter.log(f"worker {number}: {payload}")
                raise UdkeconError(f"batch worker {number}: {payload}")
            elif kind == "started":
                busy[number] = payload
                entries[payload]["status"] = "running"
                save()  # a scheduler watching manifest.json sees what runs now
            elif kind == "done":
                busy[number] = None
                entries[payload["stem"]] = payload
                remaining -= 1
                reporter.finished(payload)
                save()
    except BaseException:
        _stop_workers(workers, graceful=False)
        raise
    _stop_workers(workers, graceful=True)


def _check_workers(workers, busy, ready, entries, reporter, save, spawn,
                   tasks_left: int) -> int:
    """Record the set of a worker that died as failed, and start another worker."""
    lost = 0
    for number, process in list(workers.items()):
        if process.is_alive() or process.exitcode == 0:
            continue
        if number not in ready:
            raise UdkeconError(f"batch worker {number} did not start (exit code "
                               f"{process.exitcode}); see the messages above")
        del workers[number]
        stem = busy.pop(number, None)
        if stem is not None:
            entry = entries[stem]
            entry["status"] = "failed"
            entry["error"] = (f"the worker process died (exit code {process.exitcode}) while "
                              "running this set")
            entry["finished_at"] = fmt.generation_time().isoformat()
            reporter.finished(entry)
            save()
            lost += 1
        if tasks_left - lost > 0:
            spawn()
    return lost


def _lost(todo: list[dict], entries: dict, reporter, save) -> int:
    """Every worker has ended but some sets never reported back: record them as failed."""
    lost = 0
    for task in todo:
        entry = entries[task["stem"]]
        if entry["status"] in ("pending", "running"):
            entry["status"] = "failed"
            entry["error"] = "no worker reported on this set (a worker ended unexpectedly)"
            reporter.finished(entry)
            lost += 1
    save()
    return lost


def _stop_workers(workers: dict, graceful: bool) -> None:
    """Let finished workers exit (graceful) or terminate them (each kills its kernel)."""
    deadline = time.monotonic() + (15 if graceful else 0)
    for process in workers.values():
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in workers.values():
        if process.is_alive():
            process.terminate()
    for process in workers.values():
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
