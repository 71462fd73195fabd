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

Every set is checked before any runs (`udkecon.parameters`): one bad set stops the batch
before anything is written (exit 2). A set whose notebook fails keeps its executed notebook
(`<stem>.failed.ipynb`) and does not stop the others; one whose notebook refuses its input
keeps nothing. The batch ends with a summary and exit code 1 when a notebook failed, 2 when
sets failed only on bad input, 130/143 when interrupted. One batch at a time may write to a
folder (a lock file says so), and a single `run` may not write into it.
"""

from __future__ import annotations

import hashlib
import json
import math
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
from .reading import split_sheet

MANIFEST = "manifest.json"
LOCK = ".batch.lock"
STATUSES = ("ok", "failed", "skipped", "pending", "interrupted")


@dataclass(frozen=True)
class ParameterSet:
    """One run of the batch: its file stem and the notebook parameters (and, for messages
    and relative paths, where each parameter was given: `udkecon.parameters.Origin`)."""

    stem: str
    parameters: dict
    origins: dict = field(default_factory=dict, compare=False, repr=False)


class ParameterSets(list):
    """The sets of a batch, and the batch folder their file names (None: -o or the default)."""

    output_dir: Path | None = None


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


def _stem(notebook: Path, parameters: dict, table=None, where: str = "") -> str:
    from .guards import require_file_name

    if parameters.get("output_name") not in (None, ""):
        try:
            return require_file_name(parameters["output_name"], "output_name")
        except ParameterError as error:
            raise ParameterError(f"{where}: {error}") from None
    parts = []
    for name, value in parameters.items():
        if name == "municipality":
            value = _municipality_code(value, table)
        parts.append(_slug(value))
    return "_".join([notebook.stem, *parts]) if parts else notebook.stem


def _municipality_code(value, table):
    """The code for the stem; an unknown name stays as given (the check refuses it)."""
    from .municipalities import resolve_municipality

    try:
        return resolve_municipality(value, table)
    except UdkeconError:
        return value


def _municipalities_table(common: dict):
    from .data import load_municipalities

    return load_municipalities(common.get("municipalities_file") or None)


def _no_common_name(common: dict, how: str, where: str = "") -> None:
    """Refuse one output_name for every set: it would be ignored (each set is named on its
    own) or, honoured, make every set overwrite the one before."""
    if common.get("output_name") not in (None, ""):
        raise ParameterError(
            f"{where}output_name '{common['output_name']}' names one report, but {how}; "
            "leave output_name out, or give each set its own output_name in a "
            "--parameter-sets file")


def municipality_sets(notebook, selection, common: dict | None = None,
                      origins: dict | None = None) -> ParameterSets:
    """One parameter set per municipality of `selection` ("all", a region, codes or names
    separated by commas; see `municipalities.municipalities_in`), each with `common`.

    Unknown parts are refused (ParameterError) with the closest valid choices, and so is a
    notebook without a `municipality` parameter (it would make the same report each time).
    """
    from .municipalities import municipalities_in
    from .parameters import require_parameter
    from .run import resolve_notebook

    notebook = resolve_notebook(notebook)
    require_parameter(notebook, "municipality",
                      "--municipalities would make the same report once per municipality")
    common = dict(common or {})
    _no_common_name(common, f"--municipalities names each handout itself "
                            f"({notebook.stem}_<code>)")
    table = _municipalities_table(common)
    sets = ParameterSets()
    for code in municipalities_in(selection, table, given_as="--municipalities"):
        parameters = {**common, "municipality": code}
        sets.append(ParameterSet(f"{notebook.stem}_{code}", parameters, dict(origins or {})))
    return _unique(sets, "--municipalities")


def file_sets(notebook, path, common: dict | None = None,
              origins: dict | None = None) -> ParameterSets:
    """The parameter sets of a YAML file: a list of mappings, or a mapping with `sets` (the
    list), optionally `common` (parameters for every set) and `output_dir` (the batch
    folder, read from the file's folder when relative). `output_name` in a set names its
    files; otherwise the stem is the notebook's name and the set's values. `common` and
    `origins` are the command line's parameters (the file's win over them)."""
    from . import config
    from .parameters import Origin, load_yaml
    from .run import resolve_notebook

    notebook = resolve_notebook(notebook)
    path = config.absolute(path)
    source = f"--parameter-sets {path}"
    content = load_yaml(path, "--parameter-sets")
    shared, sets = {}, ParameterSets()
    if isinstance(content, dict):
        unknown = set(content) - {"common", "sets", "output_dir"}
        if unknown or not isinstance(content.get("sets"), list):
            extra = f" ('{sorted(map(str, unknown))[0]}' is not one)" if unknown else ""
            raise ParameterError(f"{source}: give a list of parameter sets, or a mapping "
                                 f"with 'sets' (a list), 'common' and 'output_dir'{extra}")
        shared = content.get("common") or {}
        if not isinstance(shared, dict):
            raise ParameterError(f"{source}: 'common' must be a mapping of parameter: value")
        if content.get("output_dir") not in (None, ""):
            if not isinstance(content["output_dir"], str):
                raise ParameterError(f"{source}: output_dir must be a folder name")
            sets.output_dir = config.absolute(content["output_dir"], path.parent)
        content = content["sets"]
    if not isinstance(content, list) or not content:
        raise ParameterError(f"{source}: give a non-empty list of parameter "
                             "sets (each a mapping of parameter: value)")
    how = "a batch writes one report per set (named by the set's own output_name or values)"
    _no_common_name(common or {}, how, "-p/-f: ")
    _no_common_name(shared, how, f"{source}, common: ")
    table = None
    for where, values in [("common", shared)] + [(f"set {n}", e) for n, e in
                                                 enumerate(content, start=1)]:
        if isinstance(values, dict) and "output_dir" in values:
            raise ParameterError(f"{source}, {where}: output_dir cannot be given per set (a "
                                 "batch writes every set into one folder); give it once, "
                                 "at the top of the file, or with --output-dir")
    for number, entry in enumerate(content, start=1):
        if not isinstance(entry, dict):
            raise ParameterError(f"{source}: set {number} is {entry!r}, not a "
                                 "mapping of parameter: value")
        parameters = {**(common or {}), **shared, **entry}
        where = {**(origins or {}), **dict.fromkeys(shared, Origin.of_file(path, "common")),
                 **dict.fromkeys(entry, Origin.of_file(path, f"set {number}"))}
        if "municipality" in parameters and table is None:
            try:
                table = _municipalities_table(parameters)
            except UdkeconError:
                table = None  # a bad municipalities_file: the check names it
        # the stem from the set's own values: what the sets share does not tell them apart
        stem = _stem(notebook, entry, table, f"{source}, set {number}")
        sets.append(ParameterSet(stem, parameters, where))
    return _unique(sets, source)


def _unique(sets: ParameterSets, source: str) -> ParameterSets:
    # compared without regard to case: on macOS and Windows "Kbh" and "kbh" are one file
    seen: dict[str, int] = {}
    for number, item in enumerate(sets, start=1):
        key = item.stem.casefold()
        if key in seen:
            other = sets[seen[key] - 1].stem
            if other != item.stem:  # both named, apart only in case
                raise ParameterError(
                    f"{source}: sets {seen[key]} and {number} are named {other} and "
                    f"{item.stem}, which differ only in case: on a case-insensitive file "
                    "system (macOS, Windows) they are one file; give output_names that "
                    "differ in more than case")
            raise ParameterError(f"{source}: sets {seen[key]} and {number} would both "
                                 f"write {item.stem}.*; give each an output_name")
        seen[key] = number
    return sets


def check_sets(notebook: Path, sets: list[ParameterSet]) -> list[ParameterSet]:
    """Every set's parameters checked (`udkecon.parameters.check`) before any set runs:
    bad input in one set stops the batch before it starts (exit 2), with the set named."""
    from .guards import require_file_name
    from .parameters import Origin, check

    checked = ParameterSets()
    checked.output_dir = getattr(sets, "output_dir", None)
    for item in sets:
        require_file_name(item.stem, "output name")
        parameters = dict(item.parameters)
        if "output_dir" in parameters:
            raise ParameterError(f"set {item.stem}: output_dir cannot be given per set (a "
                                 "batch writes every set into one folder); give --output-dir")
        default = Origin(f"set {item.stem}", Path.cwd())
        checked.append(ParameterSet(item.stem, check(notebook, parameters, item.origins,
                                                     default), item.origins))
    return checked


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
        if isinstance(value, str) and value and split_sheet(value)[0].is_file():
            hashes[value] = sha256(split_sheet(value)[0])  # costs.xlsx#Ledger: the workbook
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
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, a folder, not JSON
        return None
    return manifest if isinstance(manifest, dict) else None


def _write_manifest(folder: Path, manifest: dict) -> None:
    from .publish import atomic_path

    with atomic_path(folder / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                       encoding="utf-8")


def _still_good(entry: dict, fingerprint: str, folder: Path, expected=()) -> bool:
    """True when an earlier entry produced these outputs from the same inputs, they are
    all still there, unchanged, and among them are the files this run must have
    (`expected`: names, e.g. the PDF when one is wanted)."""
    if entry.get("status") not in ("ok", "skipped") or entry.get("fingerprint") != fingerprint:
        return False
    files = entry.get("files") or []
    if not files:
        return False
    if not set(expected) <= {record.get("name") for record in files}:
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
        raise ParameterError(f"another batch is writing to {folder}; wait for it to finish "
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
    docstring. Every set is checked before anything is written (ParameterError, exit 2).
    Returns the result: exit_code 0 when every set succeeded or was skipped, 1 when a set's
    notebook failed, 2 when sets failed only on bad input found inside the notebook."""
    from .run import check_output_folder, os_problem, require_reports_dir, resolve_notebook

    stream = stream or sys.stderr
    notebook = resolve_notebook(notebook)
    if not sets:
        raise ParameterError("the batch has no parameter sets; give --municipalities or "
                             "--parameter-sets")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ParameterError(f"jobs {jobs!r} is not a number of worker processes; give 1 or more")
    if timeout is not None and not (isinstance(timeout, int | float) and 0 < timeout < math.inf):
        raise ParameterError(f"timeout {timeout!r} is not a number of seconds; give a "
                             "positive number, or None for no limit")
    sets = check_sets(notebook, sets)
    if not output_dir:
        require_reports_dir()
    folder = config.absolute(output_dir) if output_dir else \
        config.REPORTS_DIR / f"{notebook.stem}_batch"
    for item in sets:
        check_output_folder(folder, item.stem, batch=True, notebook=notebook,
                            parameters=item.parameters)
    earlier = read_manifest(folder)
    if (folder / MANIFEST).exists() and (earlier or {}).get("kind") != "udkecon batch":
        raise ParameterError(f"{folder / MANIFEST} is not a batch's manifest (a single run's, "
                             "or unreadable); give the batch another --output-dir")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder)
    except OSError as exc:
        raise os_problem(exc, folder, "create the batch folder") from None
    try:
        _clear_leftovers(folder)
        options = {"output_dir": str(folder), "pdf": pdf, "timeout": timeout,
                   "kernel_name": kernel_name}
        return _Batch(notebook, sets, folder, jobs or _cores(), resume, options, progress,
                      stream).run()
    finally:
        lock.close()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class _Batch:
    """One batch in progress (the batch folder is locked): the sets and their manifest
    entries, the worker processes and their queues, and the progress shown."""

    def __init__(self, notebook: Path, sets: list[ParameterSet], folder: Path, jobs: int,
                 resume: bool, options: dict, progress: str, stream):
        from .run import fingerprint

        self.started = time.perf_counter()
        self.notebook, self.sets, self.folder, self.options = notebook, sets, folder, options
        shared = _shared_inputs(notebook)
        earlier = read_manifest(folder) or {}
        self.previous = {e["stem"]: e for e in (earlier.get("earlier_items", [])
                                                + earlier.get("items", []))}
        self.entries: dict[str, dict] = {}
        self.todo: list[dict] = []
        for item in sets:
            inputs = _inputs(notebook, item, shared)
            unchanged = fingerprint(notebook, item.parameters, inputs, options["pdf"])
            before = self.previous.get(item.stem)
            expected = [f"{item.stem}.ipynb"] + ([f"{item.stem}.pdf"] if options["pdf"] else [])
            if resume and before and _still_good(before, unchanged, folder, expected):
                self.entries[item.stem] = {**before, "status": "skipped"}
            else:
                self.entries[item.stem] = _pending_entry(notebook, item, inputs, unchanged)
                self.todo.append({"stem": item.stem, "parameters": item.parameters,
                                  "inputs": inputs})
        self.jobs = min(jobs, len(self.todo)) if self.todo else 0
        self.manifest = {
            "kind": "udkecon batch", "notebook": str(notebook), "output_dir": str(folder),
            "status": "running", "started_at": fmt.generation_time().isoformat(),
            "finished_at": "", "duration_s": 0.0, "jobs": self.jobs, "resume": resume,
            "pdf": options["pdf"], "package_version": __version__,
            "python": platform.python_version(), "command": sys.argv, "counts": {},
            "workers": [], "items": [],
        }
        self.reporter = _Progress(len(sets), len(sets) - len(self.todo), progress, stream)
        # the workers (while dispatching): number -> process, the stem each is running,
        # and those that reported ready
        self.workers: dict[int, multiprocessing.Process] = {}
        self.busy: dict[int, str | None] = {}
        self.ready: set[int] = set()

    # ----------------------------------------------------------------- the record

    def save(self, status: str | None = None) -> None:
        manifest = self.manifest
        if status:
            manifest["status"] = status
        manifest["items"] = [self.entries[item.stem] for item in self.sets]
        # sets of earlier batches in this folder that this one did not touch keep their
        # record (a batch over one municipality must not make --resume forget the other 97)
        manifest["earlier_items"] = [e for stem, e in self.previous.items()
                                     if stem not in self.entries]
        manifest["counts"] = {s: sum(e["status"] == s for e in manifest["items"])
                              for s in STATUSES}
        manifest["duration_s"] = round(time.perf_counter() - self.started, 3)
        if status and status != "running":
            manifest["finished_at"] = fmt.generation_time().isoformat()
        _write_manifest(self.folder, manifest)

    def exit_code(self) -> int:
        failed = [e for e in self.entries.values() if e["status"] == "failed"]
        if not failed:
            return 0
        return 2 if all(e.get("bad_input") for e in failed) else 1

    # ----------------------------------------------------------------- the run

    def run(self) -> BatchResult:
        self.save()
        skipped = len(self.sets) - len(self.todo)
        if skipped:
            self.reporter.log(f"{skipped} set(s) unchanged since their last run: skipped")
        exit_code = 0
        previous_handler = signal.getsignal(signal.SIGTERM)

        def on_term(signum, frame):
            raise _Interrupted(signum)

        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread:
            signal.signal(signal.SIGTERM, on_term)
        try:
            if self.todo:
                self.reporter.log(f"running {len(self.todo)} set(s) of {self.notebook.name} "
                                  f"with {self.jobs} worker(s) into {self.folder}")
                self.dispatch()
            exit_code = self.exit_code()
            self.save("failed" if exit_code else "ok")
        except UdkeconError as error:  # the workers could not run at all
            self.manifest["error"] = str(error)
            self.save("failed")
            raise
        except (KeyboardInterrupt, _Interrupted) as stop:
            signum = getattr(stop, "signum", signal.SIGINT)
            for entry in self.entries.values():
                if entry["status"] == "running":
                    entry["status"] = "interrupted"
                    entry["error"] = f"the batch was interrupted ({signal.Signals(signum).name})"
            self.save("interrupted")
            # the workers are stopped by now (dispatch's finally) and the lock is still
            # ours: clear their staging folders rather than leave them for the next batch
            _clear_leftovers(self.folder)
            exit_code = 128 + int(signum)
        finally:
            self.reporter.close()
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous_handler)
        return BatchResult(self.folder / MANIFEST, self.manifest, exit_code,
                           dict(self.manifest["counts"]))

    def dispatch(self) -> None:
        """Hand the sets to the workers and record each result as it comes."""
        begun = time.perf_counter()
        context = multiprocessing.get_context("spawn")
        self.tasks, self.results = context.Queue(), context.Queue()
        self.context, self.serial = context, iter(range(1_000_000))
        for task in self.todo:
            self.tasks.put(task)
        for _ in range(self.jobs):
            self.tasks.put(None)
        for _ in range(self.jobs):
            self.spawn()
        remaining = len(self.todo)
        try:
            while remaining:
                try:
                    kind, number, payload = self.results.get(timeout=0.5)
                except queue.Empty:
                    remaining -= self.check_workers(tasks_left=remaining)
                    if remaining and not any(p.is_alive() for p in self.workers.values()):
                        remaining -= self.lost()
                    continue
                if kind == "ready":
                    self.ready.add(number)
                    # start-up: a new process, its imports, the kernel and the notebook's
                    payload["ready_after_s"] = round(time.perf_counter() - begun, 3)
                    self.manifest["workers"].append({"worker": number, **payload})
                    self.reporter.log(f"worker {number} ready (pid {payload['pid']}, kernel "
                                      f"warm in {payload['warm_up_s']:.1f} s)")
                elif kind == "broken":
                    self.reporter.log(f"worker {number}: {payload}")
                    raise UdkeconError(f"batch worker {number}: {payload}")
                elif kind == "started":
                    self.busy[number] = payload
                    self.entries[payload]["status"] = "running"
                    self.save()  # a scheduler watching manifest.json sees what runs now
                elif kind == "done":
                    self.busy[number] = None
                    self.entries[payload["stem"]] = payload
                    remaining -= 1
                    self.reporter.finished(payload)
                    self.save()
        except BaseException:
            _stop_workers(self.workers, graceful=False)
            raise
        _stop_workers(self.workers, graceful=True)

    def spawn(self) -> None:
        number = next(self.serial)
        process = self.context.Process(
            target=batch_worker.main, name=f"udkecon-batch-{number}",
            args=(number, str(self.notebook), self.options, self.tasks, self.results,
                  os.getpid()))
        process.start()
        self.workers[number], self.busy[number] = process, None

    def check_workers(self, tasks_left: int) -> int:
        """Record the set of a worker that died as failed, and start another worker."""
        lost = 0
        for number, process in list(self.workers.items()):
            if process.is_alive() or process.exitcode == 0:
                continue
            if number not in self.ready:
                raise UdkeconError(f"batch worker {number} did not start (exit code "
                                   f"{process.exitcode}); see the messages above")
            del self.workers[number]
            stem = self.busy.pop(number, None)
            if stem is not None:
                entry = self.entries[stem]
                entry["status"] = "failed"
                entry["error"] = (f"the worker process died (exit code {process.exitcode}) "
                                  "while running this set")
                entry["finished_at"] = fmt.generation_time().isoformat()
                self.reporter.finished(entry)
                self.save()
                lost += 1
            if tasks_left - lost > 0:
                self.spawn()
        return lost

    def lost(self) -> int:
        """Every worker has ended but some sets never reported back: record them failed."""
        lost = 0
        for task in self.todo:
            entry = self.entries[task["stem"]]
            if entry["status"] in ("pending", "running"):
                entry["status"] = "failed"
                entry["error"] = "no worker reported on this set (a worker ended unexpectedly)"
                self.reporter.finished(entry)
                lost += 1
        self.save()
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
