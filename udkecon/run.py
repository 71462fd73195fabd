"""The one driver: execute a report notebook with papermill and publish what it produced.

A run works in a staging folder inside the report folder; only when the notebook ran and
the PDF rendered are the files moved over the previous ones (each with `os.replace`), and
a manifest written. A failed run keeps its executed notebook as `<name>.failed.ipynb` for
inspection and leaves the last good report untouched.

Before anything is created, the run's parameters are checked (`udkecon.parameters`), the
output folder is made absolute (a relative one is read from the directory the command was
given in, not from notebooks/ where the kernel runs), the file stem must be a plain file
name, and the folder must not be a batch's (its manifest is the batch's record). Bad input
found inside the notebook (its guard cell raising ParameterError or DataError) is bad input
too: exit 2, no `.failed.ipynb`, nothing written. So is a full disk (or quota) at any stage:
the folder cannot hold the report, and a failed notebook written on it would be cut short.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, config, fmt
from .errors import ParameterError, RunError, UdkeconError
from .hashing import sha256


@dataclass(frozen=True)
class Report:
    """A default report: its notebook and the parameters that make it this report."""

    notebook: str
    parameters: dict = field(default_factory=dict)


# The reports `make report` produces: name (the folder and file stem) -> notebook + parameters.
# The 98 municipal handouts are a batch (`make handouts`); one stands here as an example.
REPORTS = {
    "udk_costs_fixed_prices": Report("udk_costs_fixed_prices.ipynb"),
    "business_case_monopoly_break": Report("business_case.ipynb", {"case": "monopoly_break"}),
    "business_case_udk_share": Report("business_case.ipynb", {"case": "udk_share"}),
    "operations_status": Report("operations_status.ipynb"),
    "municipality_handout_101_koebenhavn": Report("municipality_handout.ipynb",
                                                  {"municipality": "101"}),
}


# Where a notebook run without the driver (JupyterLab, plain papermill) writes: a folder of
# its own under reports/, never a report folder of `make report`, whose manifest describes
# the files beside it (an interactive run with another base year once left a 2021 workbook
# beside a 2020 PDF there, and a manifest that still said 2020).
INTERACTIVE = "interactive"
_STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class Outputs:
    """Where a notebook writes its files: `dir` and the common file stem."""

    dir: Path
    stem: str

    def file(self, suffix: str) -> Path:
        return self.dir / f"{self.stem}.{suffix.lstrip('.')}"

    @property
    def xlsx(self) -> Path:
        return self.file("xlsx")

    @property
    def by_driver(self) -> bool:
        """True when the driver runs the notebook (it passes its staging folder)."""
        return self.dir.name.startswith(_STAGING_PREFIX)

    def final(self, path) -> Path:
        """Where `path` ends up: a staged file goes to the report folder around the
        staging folder when the run succeeds."""
        path = Path(path)
        return self.dir.parent / path.name if self.by_driver and path.parent == self.dir \
            else path

    def wrote(self, *paths, language: str = "da") -> None:
        """The notebook's last line: the files it wrote, by their full paths (for the
        economist in JupyterLab; the PDF leaves it out: the output is tagged
        `remove-in-report`)."""
        from IPython.display import display

        from .labels import label

        names = ", ".join(str(self.final(p)) for p in paths) if paths else "-"
        line = label("nbview_wrote", language, files=names)
        display({"text/plain": line}, raw=True, metadata={"tags": [REMOVE_IN_REPORT]})


# the tag of cells and outputs for the economist only (left out of the PDF)
REMOVE_IN_REPORT = "remove-in-report"


class InputRefused(UdkeconError):
    """Bad input found inside a notebook (its guard cell or a loader raised ParameterError
    or DataError): exit 2, like bad input found before the kernel started."""

    exit_code = 2


def outputs(output_dir: str = "", output_name: str = "", default_name: str = "report") -> Outputs:
    """The output folder and file stem a notebook writes to.

    The driver (`python -m udkecon run/report/batch`) always gives `output_dir` (its staging
    folder). Empty - a run in JupyterLab or with plain papermill - means the interactive
    folder, `reports/interactive/<name>/`, so that such a run never mixes its files into a
    report folder of the driver. A folder given by hand that holds a report's or a batch's
    manifest is refused for the same reason.
    """
    from .guards import require_file_name

    stem = require_file_name(output_name or default_name, "output_name")
    if output_dir:
        folder = config.absolute(output_dir)
        if not folder.name.startswith(_STAGING_PREFIX):
            check_not_protected(folder, "output_dir")
        if not folder.name.startswith(_STAGING_PREFIX) and any(
                (folder / name).exists() for name in _MANIFESTS):
            raise ParameterError(
                f"output_dir {folder} is a report folder made by python -m udkecon (its "
                "manifest describes the files in it); leave output_dir empty (the "
                f"notebook then writes to {config.REPORTS_DIR / INTERACTIVE / stem}) or "
                "give another folder")
    else:
        require_reports_dir()
        folder = config.REPORTS_DIR / INTERACTIVE / stem
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_problem(exc, folder, "create the output folder") from None
    return Outputs(folder, stem)


@dataclass
class RunResult:
    notebook: str
    stem: str
    output_dir: str
    parameters: dict
    status: str = "ok"
    files: list[str] = field(default_factory=list)
    failed_notebook: str | None = None
    error: str | None = None
    bad_input: bool = False  # failed on bad input (exit 2), not on a notebook bug (exit 1)
    timings: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    fingerprint: str = ""
    package_version: str = __version__
    python: str = platform.python_version()
    finished_at: str = ""


def input_hashes(notebook: Path, parameters: dict) -> dict[str, str]:
    """sha256 of everything a run reads: the notebook, data/raw, and files named in parameters."""
    files = {str(notebook): notebook}
    files.update({f"data/raw/{p.name}": p for p in sorted(config.RAW_DIR.glob("*"))
                  if p.is_file()})
    from .reading import split_sheet

    for value in parameters.values():
        # a workbook named with its sheet (costs.xlsx#Ledger): the workbook's bytes
        if isinstance(value, str) and value and split_sheet(value)[0].is_file():
            files[value] = split_sheet(value)[0]
    return {name: sha256(path) for name, path in files.items()}


def require_unchanged_inputs(job) -> None:
    """Refuse to publish a report whose inputs changed while it ran: the manifest records
    the sha256 taken before the run, and a file replaced half-way (a sync, an editor saving)
    would leave it describing bytes the kernel may not have read. Nothing is published; the
    last good report stays."""
    try:
        now = input_hashes(job.notebook, job.parameters)
    except OSError as exc:
        raise ParameterError(f"{exc.filename}: could not be read again after the run: "
                             f"{exc.strerror}; run again when it is in place") from None
    changed = [name for name, digest in job.result.inputs.items() if now.get(name) != digest]
    if changed:
        raise ParameterError(f"{changed[0]} changed while the report was running (its sha256 "
                             "before and after differ), so nothing was published; run again "
                             "when the file is no longer being written")


def fingerprint(notebook: Path, parameters: dict, hashes: dict | None = None,
                pdf: bool = True) -> str:
    """One hash of inputs, parameters, package version and whether a PDF is made: equal
    means nothing changed (a run without the PDF is not the run `--resume` may skip when
    the PDF is wanted)."""
    hashes = hashes if hashes is not None else input_hashes(notebook, parameters)
    payload = json.dumps({"inputs": hashes, "parameters": parameters, "version": __version__,
                          "pdf": bool(pdf)}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def resolve_notebook(notebook) -> Path:
    """A report name ('udk_costs_fixed_prices'), a notebook of notebooks/ by name
    ('municipality_handout') or a notebook path -> the notebook's absolute path."""
    from .lab import require_template

    if str(notebook) in REPORTS:
        path = config.NOTEBOOKS_DIR / REPORTS[str(notebook)].notebook
        require_notebook_file(path)
        require_template(path)  # a template a JupyterLab session saved its outputs into
        return path
    path = Path(notebook)
    for candidate in (config.NOTEBOOKS_DIR / path, config.NOTEBOOKS_DIR / f"{notebook}.ipynb"):
        if not path.exists() and candidate.exists():  # a notebook of notebooks/ by name
            path = candidate
    if not path.exists():
        names = sorted({*REPORTS, *(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))})
        raise ParameterError(f"notebook '{notebook}' not found; give a path or one of: "
                             f"{', '.join(names)}")
    if not path.is_file() or path.suffix != ".ipynb":
        raise ParameterError(f"notebook '{notebook}' is not a notebook file (.ipynb); give "
                             "the path of a notebook or a report name")
    path = config.absolute(path)
    require_notebook_file(path)
    require_template(path)
    return path


_READABLE: set = set()


def require_notebook_file(path: Path) -> None:
    """Refuse, in one line, a file that is not a Jupyter notebook: not UTF-8, empty, not
    JSON (a merge conflict, a half-saved file) or JSON that is not a notebook. papermill
    and nbformat would stop on it with a traceback, as if the notebook had a bug. Checked
    once per state of the file."""
    import warnings

    import nbformat

    try:
        info = path.stat()
    except OSError as exc:
        raise ParameterError(f"notebook {path}: {exc.strerror}; give a readable notebook") \
            from None
    key = (str(path), info.st_mtime_ns, info.st_size)
    if key in _READABLE:
        return
    problem = None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problem = "not UTF-8 text, so not a notebook"
    except OSError as exc:
        raise ParameterError(f"notebook {path}: cannot read it: {exc.strerror}; make it "
                             "readable") from None
    if problem is None and not text.strip():
        problem = "empty (0 bytes), not a notebook" if not text else "empty, not a notebook"
    if problem is None:
        try:
            json.loads(text)
        except ValueError as exc:
            conflict = " (a git merge conflict marker)" if "\n<<<<<<< " in f"\n{text}" else ""
            problem = f"not JSON{conflict}: {exc}"
    if problem is None:
        try:
            with warnings.catch_warnings():  # a cell without an id is still a notebook
                warnings.simplefilter("ignore")
                nbformat.validate(nbformat.reads(text, as_version=4))
        except Exception as exc:  # noqa: BLE001 (nbformat's ValidationError and its kin)
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            problem = f"JSON, but not a Jupyter notebook ({first})"
    if problem:
        inside = _real(path).parent == _real(config.NOTEBOOKS_DIR)
        fix = (f"restore the template: git checkout notebooks/{path.name}" if inside
               else "give a notebook saved by Jupyter (.ipynb)")
        raise ParameterError(f"notebook {path}: {problem}; {fix}")
    _READABLE.add(key)


# --------------------------------------------------------------------------- output folders

# what `publish` would put in a report folder, per file stem
_SUFFIXES = ("pdf", "xlsx", "ipynb", "failed.ipynb")
_MANIFESTS = ("manifest.json", "manifest.failed.json")
# a temporary file of `publish.atomic_path` older than this belongs to no running write
_ABANDONED_PART_S = 3600


def os_problem(exc: OSError, path, doing: str) -> ParameterError:
    """An OS error on an output, as one line: the path, what went wrong and the fix."""
    fixes = {
        errno.EACCES: "give a folder you may write to (--output-dir) or change its permissions",
        errno.EPERM: "give a folder you may write to (--output-dir) or change its permissions",
        errno.EROFS: "the file system is read-only; give a writable folder (--output-dir)",
        errno.ENOSPC: "the disk is full; free some space or give a folder on another disk",
        errno.EDQUOT: "your disk quota is used up; free some space or give another folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder; give another folder",
        errno.EEXIST: "a file of that name is in the way; move it, or give another folder",
        errno.EISDIR: "a folder is where the file belongs; move it away",
        errno.ENAMETOOLONG: "give a shorter folder or file name",
    }
    fix = fixes.get(exc.errno, "check the folder and try again")
    where = getattr(exc, "filename", None) or path
    return ParameterError(f"{where}: cannot {doing}: {exc.strerror or exc}; {fix}")


# A full disk (or a used-up quota) is the output folder's problem, not the notebook's: exit 2
# with the fix, and no failed notebook (on a full disk it would be half written, if at all).
_FULL = (errno.ENOSPC, errno.EDQUOT)


def _disk_full(exc: BaseException) -> bool:
    """True when `exc`, or an error it was raised from, is a full disk or quota: an OSError
    raised here, or one raised in the kernel (papermill gives its class name and message,
    "[Errno 28] No space left on device")."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return True
        number = re.match(r"\[Errno (\d+)\]", str(getattr(exc, "evalue", "") or ""))
        if number and getattr(exc, "ename", "") in _OS_ERROR_NAMES \
                and int(number.group(1)) in _FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# what OSError is called in a kernel's traceback (its aliases and the subclass zipfile and
# openpyxl may raise while saving a workbook)
_OS_ERROR_NAMES = ("OSError", "IOError", "EnvironmentError")


def _full_disk_error(job: Job) -> ParameterError:
    """The run stopped on a full disk: one line naming the report folder and the fix; the
    staging folder goes with `discard`, so nothing of the run is left."""
    job.result.status, job.result.bad_input = "failed", True
    number = errno.ENOSPC
    error = os_problem(OSError(number, os.strerror(number)), job.final_dir, "write the report")
    job.result.error = str(error)
    return ParameterError(f"{error}; the last good report in it is unchanged")


def _manifest(folder: Path) -> dict:
    """The folder's manifest.json as a dict ({} where there is none or it is unreadable)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _is_batch_folder(folder: Path) -> bool:
    return _manifest(folder).get("kind") == "udkecon batch"


def _in_the_way(path: Path) -> str | None:
    """What is at `path` that a file cannot be moved over (a folder, a FIFO, a device), or
    None (nothing, a file, or a symbolic link - `os.replace` replaces the link itself)."""
    import stat

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return "a folder" if stat.S_ISDIR(mode) else \
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"


def _protected() -> dict[str, Path]:
    """The project's folders no run may write into, and how a message names them."""
    return {"the project's notebooks/ folder (the templates every run starts from)":
            config.NOTEBOOKS_DIR,
            "the project's data/ folder (the inputs of every run)": config.DATA_DIR,
            "the JupyterLab working copy work/ (your own notebooks)": config.LAB_DIR}


def _real(path) -> Path:
    """`path` with its symbolic links (and those of its folders) followed."""
    return Path(os.path.realpath(path))


def _protected_by(folder: Path) -> str | None:
    """How `folder` lies in notebooks/, data/ or work/ ("is the project's notebooks/
    folder ..."), or None."""
    real = _real(folder)
    for what, protected in _protected().items():
        protected = _real(protected)
        if real == protected or protected in real.parents:
            return f"{'is' if real == protected else 'is inside'} {what}"
    return None


def check_not_protected(folder: Path, option: str = "--output-dir") -> None:
    """Refuse an output folder that is, or is inside, notebooks/, data/ or work/: a run
    there would replace a template with its executed notebook, or leave a workbook and a
    manifest where later runs read their inputs."""
    where = _protected_by(folder)
    if where:
        example = "" if _protected_by(config.REPORTS_DIR) else \
            f" (e.g. under {config.REPORTS_DIR})"
        raise ParameterError(f"{folder}: the output folder {where}; give another "
                             f"{option}{example}")


def _inputs_of(notebook: Path | None, parameters: dict | None) -> dict[Path, str]:
    """The files a run reads (the notebook, files named in parameters), by real path,
    with how a message names each."""
    from .reading import split_sheet

    files = {}
    for name, value in (parameters or {}).items():
        # a workbook named with its sheet (costs.xlsx#Ledger) is the workbook's file
        if isinstance(value, str) and value and split_sheet(value)[0].is_file():
            files[_real(split_sheet(value)[0])] = f"its input file (parameter {name})"
    if notebook is not None:
        files[_real(notebook)] = "the notebook being run"
    return files


def check_output_folder(folder: Path, stem: str, batch: bool = False,
                        notebook: Path | None = None, parameters: dict | None = None) -> None:
    """Refuse, before anything runs, a folder a run must not write to: the project's
    notebooks/, data/ or work/ (or a folder inside them), a batch's folder (unless this is
    the batch), a file where the folder belongs, or a folder, FIFO or other non-file where
    one of the run's files belongs; and any output file that would be the notebook being
    run or an input file of the run (`notebook`, `parameters`)."""
    check_not_protected(folder)
    names = [f"{stem}.{suffix}" for suffix in _SUFFIXES] + list(_MANIFESTS)
    inputs = _inputs_of(notebook, parameters)
    for name in names:
        what = inputs.get(_real(folder / name))
        if what:
            raise ParameterError(f"{folder / name}: the run would write its output over "
                                 f"{what}; give another --output-dir or output name")
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder}: the output folder is a file; give a folder "
                             "(--output-dir)")
    if not batch and _is_batch_folder(folder):
        raise ParameterError(
            f"{folder} is a batch's folder (its manifest.json is the batch's record for "
            "--resume); run into another folder, or run the set as a batch: python -m "
            f"udkecon batch ... --output-dir {folder}")
    # one report per folder: its manifest.json describes the files in it, so a run under
    # another name would leave a manifest that says nothing of the other report's files
    other = _manifest(folder).get("stem") if not batch else None
    if isinstance(other, str) and other and other != stem:
        raise ParameterError(
            f"{folder} holds the report {other!r} (its manifest.json describes those "
            f"files); give {stem!r} a folder of its own (--output-dir), or run it as "
            f"--name {other} to replace that report")
    names = [f"{stem}.{suffix}" for suffix in _SUFFIXES] + ([] if batch else list(_MANIFESTS))
    for name in names:
        what = _in_the_way(folder / name)
        if what:
            raise ParameterError(f"{folder / name}: {what} is where the report's file "
                                 "belongs; move it away or give another --output-dir")


def _clear_abandoned(folder: Path) -> None:
    """Staging folders of runs that were killed, and stale temporary files: each running
    run holds a lock on its staging folder's `.lock`, so a folder whose lock can be taken
    belongs to no running run (another's, running, is never touched)."""
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): leave them
        return
    for staging in folder.glob(".staging-*"):
        lock = staging / ".lock"
        try:
            handle = open(lock, "r+")  # noqa: SIM115 (held while the folder goes)
        except OSError:
            continue  # being created or cleared right now, or not a run's: not ours to judge
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running run's
            shutil.rmtree(staging, ignore_errors=True)
    now = time.time()
    for part in folder.glob(".*.part"):
        try:
            if now - part.stat().st_mtime > _ABANDONED_PART_S:
                part.unlink()
        except OSError:
            pass


def _make_staging(folder: Path):
    """A new staging folder inside `folder`, locked for as long as the returned handle is
    open (see `_clear_abandoned`)."""
    staging = folder / f"{_STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    handle = open(staging / ".lock", "w")  # noqa: SIM115 (held for the run)
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        pass
    return staging, handle


# --------------------------------------------------------------------------- a run

@dataclass
class Job:
    """One run in progress: the notebook, its parameters and where its files are staged.

    A run is four stages, which the batch runner also uses one by one: `prepare` (staging
    folder, input hashes), `execute` (papermill), `render_pdf` and `publish` (move the
    staged files over their final names); `discard` removes the staging folder.
    """

    notebook: Path
    parameters: dict
    stem: str
    final_dir: Path
    staging: Path
    language: str
    result: RunResult
    lock: object = None  # the open, locked `.lock` of the staging folder
    made_folder: bool = False  # the run made its report folder (removed again if left empty)

    @property
    def executed(self) -> Path:
        return self.staging / f"{self.stem}.ipynb"


def require_reports_dir() -> None:
    """Refuse a reports folder (UDKECON_REPORTS_DIR, or reports/) that is a file, or
    lies under one: every default output folder is inside it."""
    folder = config.REPORTS_DIR
    where = _protected_by(folder)
    if where:
        raise ParameterError(f"UDKECON_REPORTS_DIR={folder}: the reports folder {where}; "
                             "point UDKECON_REPORTS_DIR at a folder outside notebooks/, "
                             "data/ and work/")
    for part in (folder, *folder.parents):
        if part.exists() or part.is_symlink():
            if part.is_dir():
                return
            what = " is a file" if part == folder else f": {part} (a part of it) is a file"
            if os.environ.get("UDKECON_REPORTS_DIR", "").strip():
                raise ParameterError(f"UDKECON_REPORTS_DIR={folder}{what}, not a folder; "
                                     "point UDKECON_REPORTS_DIR at a folder, or unset it for "
                                     f"{config.PROJECT_ROOT / 'reports'}")
            raise ParameterError(f"the reports folder {folder}{what}, not a folder; move "
                                 "it away, or set UDKECON_REPORTS_DIR to a folder")
        if part == part.parent:
            return


def plan(notebook, parameters: dict | None = None, output_dir=None, stem: str | None = None,
         origins: dict | None = None, checked: bool = False):
    """What a run would do, checked and nothing created: (notebook, parameters, stem,
    output folder). A default report's name ('business_case_udk_share') brings its
    parameters (which the given ones override) and is the file stem, unless `stem`
    (--name) or the parameter output_name gives another. `checked`: the
    parameters were checked already (by the batch)."""
    from . import parameters as checks
    from .guards import require_file_name

    report = REPORTS.get(str(notebook))
    if report is not None:
        parameters = {**report.parameters, **(parameters or {})}
    name = str(notebook)
    notebook = resolve_notebook(notebook)
    parameters = dict(parameters or {})
    if not checked:
        parameters = checks.check(notebook, parameters, origins)
    # `-p output_dir=...` names the folder as --output-dir does (papermill's own way)
    given_dir = parameters.pop("output_dir", "") or ""
    if output_dir and given_dir and config.absolute(output_dir) != config.absolute(given_dir):
        raise ParameterError(f"--output-dir {output_dir} and the parameter output_dir "
                             f"{given_dir} disagree; give the folder once")
    output_dir = output_dir or given_dir
    # ...and `-p output_name=...` the files as --name does (the notebook's own parameter, and
    # a parameter-sets file's way): a report's name is only the default. (A batch passes
    # each set's stem, which its output_name already decided.)
    given_name = parameters.get("output_name") or ""
    if not checked and stem and given_name and str(given_name) != stem:
        raise ParameterError(f"--name {stem} and the parameter output_name {given_name} "
                             "disagree; give the name once")
    explicit = stem or given_name
    stem = require_file_name(explicit or (name if report is not None else notebook.stem),
                             "output name" if stem else "output_name")
    if not output_dir:
        require_reports_dir()
    final_dir = config.absolute(output_dir) if output_dir else config.REPORTS_DIR / stem
    return notebook, parameters, stem, final_dir


def prepare(notebook, parameters: dict | None = None, output_dir=None, stem: str | None = None,
            language: str | None = None, hashes: dict | None = None,
            origins: dict | None = None, batch: bool = False, pdf: bool = True) -> Job:
    """Check the run (`plan`), clear what killed runs left in its folder, make the staging
    folder and hash the inputs. `batch`: a batch's set (checked by the batch, into the
    batch's folder). `pdf`: whether the run makes a PDF (part of its fingerprint)."""
    notebook, parameters, stem, final_dir = plan(notebook, parameters, output_dir, stem,
                                                 origins, checked=batch)
    check_output_folder(final_dir, stem, batch=batch, notebook=notebook, parameters=parameters)
    made_folder = not final_dir.exists()
    try:
        final_dir.mkdir(parents=True, exist_ok=True)
        _clear_abandoned(final_dir)
        staging, lock = _make_staging(final_dir)
    except OSError as exc:
        raise os_problem(exc, final_dir, "create the output folder") from None
    try:
        hashes = hashes if hashes is not None else input_hashes(notebook, parameters)
    except OSError as exc:
        lock.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise ParameterError(f"{exc.filename}: cannot read it: {exc.strerror}; make it "
                             "readable") from None
    result = RunResult(notebook=str(notebook), stem=stem, output_dir=str(final_dir),
                       parameters=parameters, inputs=hashes,
                       fingerprint=fingerprint(notebook, parameters, hashes, pdf))
    language = language or parameters.get("language", config.DEFAULT_LANGUAGE)
    return Job(notebook, parameters, stem, final_dir, staging, language, result, lock,
               made_folder)


def execute(job: Job, kernel_name: str = "python3", engine_name: str | None = None,
            **engine_kwargs):
    """Run the notebook with papermill into the staging folder; return the executed notebook.

    The notebook gets `output_dir` (the staging folder) and `output_name` (the stem) as
    parameters. When the notebook refuses its input (ParameterError, DataError), the result
    says why and InputRefused is raised (exit 2, nothing kept). On any other failure the
    executed notebook is kept as `<stem>.failed.ipynb` in the report folder, the result
    says why, and RunError is raised.
    """
    import papermill as pm

    from .parameters import is_bad_input

    result = job.result
    started = time.perf_counter()
    try:
        executed = pm.execute_notebook(str(job.notebook), str(job.executed),
                                       parameters={**job.parameters,
                                                   "output_dir": str(job.staging),
                                                   "output_name": job.stem},
                                       kernel_name=kernel_name, progress_bar=False,
                                       cwd=str(config.NOTEBOOKS_DIR), engine_name=engine_name,
                                       **engine_kwargs)
    except Exception as exc:  # PapermillExecutionError, or a kernel that died
        result.timings["execute_s"] = round(time.perf_counter() - started, 3)
        result.status = "failed"
        if _disk_full(exc):
            raise _full_disk_error(job) from None
        if is_bad_input(getattr(exc, "ename", "")):
            # the notebook's own check of its input: the message is the whole story
            result.bad_input = True
            result.error = str(getattr(exc, "evalue", exc)).splitlines()[0][:600]
            raise InputRefused(f"{job.notebook.name}: {result.error}") from None
        result.error = _one_line(exc)
        _keep_failed(job)
        where = (f"the failed notebook is {result.failed_notebook}"
                 if result.failed_notebook else "the notebook did not start")
        raise RunError(f"{job.notebook.name} failed: {result.error}; {where}; the last good "
                       f"report in {job.final_dir} is unchanged") from None
    result.timings["execute_s"] = round(time.perf_counter() - started, 3)
    return executed


def _keep_failed(job: Job) -> None:
    """Keep the executed notebook of a failed run as `<stem>.failed.ipynb`, if it can be."""
    from .publish import place

    if not job.executed.exists():
        return
    try:  # papermill writes the notebook in place: a write cut short is no notebook
        json.loads(job.executed.read_bytes())
    except (OSError, ValueError):
        job.result.error += " (the failed notebook could not be kept: it was not written whole)"
        return
    try:
        job.result.failed_notebook = str(place(job.executed,
                                               job.final_dir / f"{job.stem}.failed.ipynb"))
    except OSError as exc:  # e.g. a folder where it belongs: say so instead of keeping it
        job.result.error += f" (the failed notebook could not be kept: {exc.strerror})"


def render_pdf(job: Job, executed=None) -> Path:
    """The staged PDF of the executed notebook (a NotebookNode, or read from staging)."""
    from .publish import html_to_pdf, notebook_html

    started = time.perf_counter()
    html = notebook_html(executed if executed is not None else job.executed, job.language,
                         footer=f"udkecon {__version__} · {job.stem}")
    converted = time.perf_counter()
    try:
        path = html_to_pdf(html, job.staging / f"{job.stem}.pdf")
    except Exception as exc:
        if _disk_full(exc):
            raise _full_disk_error(job) from None
        raise
    finished = time.perf_counter()
    job.result.timings.update(html_s=round(converted - started, 3),
                              render_s=round(finished - converted, 3),
                              pdf_s=round(finished - started, 3))
    return path


def publish(job: Job) -> list[str]:
    """Move every staged file over its final name (one `os.replace` each).

    Every final name is checked before the first file moves, so that a folder or FIFO in
    the way leaves the earlier report whole rather than half replaced.
    """
    from .publish import place

    started = time.perf_counter()
    staged = [path for path in sorted(job.staging.iterdir())
              if path.is_file() and not path.name.startswith(".")]
    for path in staged:
        what = _in_the_way(job.final_dir / path.name)
        if what:
            raise ParameterError(f"{job.final_dir / path.name}: {what} is where the "
                                 "report's file belongs; move it away and run again")
    for path in staged:
        job.result.files.append(str(place(path, job.final_dir / path.name)))
    # a success supersedes the evidence of an earlier failure, and an output this run did
    # not make (a PDF after --no-pdf) would no longer belong with the others
    produced = {Path(f).name for f in job.result.files}
    stale = [job.final_dir / f"{job.stem}.failed.ipynb", job.final_dir / "manifest.failed.json"]
    stale += [job.final_dir / f"{job.stem}.{suffix}" for suffix in ("pdf", "xlsx", "ipynb")
              if f"{job.stem}.{suffix}" not in produced]
    for path in stale:
        if path.is_file() or path.is_symlink():
            path.unlink()
    job.result.timings["place_s"] = round(time.perf_counter() - started, 3)
    return job.result.files


def discard(job: Job) -> None:
    """Remove the staging folder (and the report folder the run made, if nothing is in it:
    bad input leaves no trace)."""
    shutil.rmtree(job.staging, ignore_errors=True)
    if job.lock is not None:
        job.lock.close()
        job.lock = None
    if job.made_folder:
        try:
            job.final_dir.rmdir()  # only when empty
        except OSError:
            pass


def run_notebook(notebook, parameters: dict | None = None, output_dir=None, stem: str | None = None,
                 pdf: bool = True, language: str | None = None,
                 kernel_name: str = "python3", origins: dict | None = None,
                 kernel=None) -> RunResult:
    """Execute `notebook` with `parameters`, then publish its PDF and move outputs in place.

    Bad input (a parameter, a path, or an input the notebook refuses) raises a
    ParameterError or InputRefused (exit 2) and writes nothing. A failing notebook raises
    RunError after keeping the failed notebook. `origins` say where each parameter was
    given (`udkecon.parameters.Origin`), for messages and relative paths.

    `kernel`: a running `udkecon.engine.WarmKernel` to execute in (reset first to a fresh
    namespace); without one a kernel is started for this run and stopped after it. Either
    way the kernel talks over local sockets (IPC), not TCP ports.
    """
    from . import engine

    job = prepare(notebook, parameters, output_dir, stem, language, origins=origins, pdf=pdf)
    own = kernel is None
    try:
        if own:  # only now: bad input found by `prepare` starts no kernel
            kernel = engine.WarmKernel(kernel_name=kernel_name)
            kernel.start(while_booting=engine.register)
        else:
            engine.register()
            kernel.reset()
        try:
            executed = execute(job, kernel_name=kernel_name, engine_name=engine.ENGINE_NAME,
                               warm_kernel=kernel)
        except RunError:  # (InputRefused, bad input, leaves no record: nothing was made)
            _write_manifest(job.final_dir, job.result, succeeded=False)
            raise
        if pdf:
            try:
                render_pdf(job, executed)
            except UdkeconError:  # the disk is full: bad input, nothing kept
                raise
            except Exception as exc:  # nbconvert or WeasyPrint: keep what ran, say so
                raise _kept_as_failed(job, "PDF rendering", exc) from None
        require_unchanged_inputs(job)
        try:
            publish(job)
            _write_manifest(job.final_dir, job.result, succeeded=True)
        except OSError as exc:
            raise os_problem(exc, job.final_dir, "write the report") from None
        return job.result
    finally:
        if own and kernel is not None:
            kernel.shutdown()
        discard(job)


# --------------------------------------------------------------------------- the default reports

# heaviest first, so that the last report to start is a short one (longest processing time
# first). Measured per report (execute + PDF, warm kernel, manifest timings): a business case
# about 2 s (Monte Carlo and four vector charts), operations 1.6 s, the handout 1.3 s (it
# runs the national Monte Carlo too), the fixed prices 0.8 s
_COST_ORDER = ("business_case", "operations", "municipality_handout", "udk_costs")


def _heaviest_first(names: list[str]) -> list[str]:
    def rank(name):
        return next((i for i, prefix in enumerate(_COST_ORDER) if name.startswith(prefix)),
                    len(_COST_ORDER))

    return sorted(names, key=rank)


class ReportWorker:
    """One warm kernel running default report after report (`make report`).

    The kernel imports once what the notebooks import (`engine.warm_up_statements`); each
    report then runs in a fresh namespace of it (`engine.kernel_reset`), and after a failed
    notebook a new kernel is started, so that nothing a failure left behind reaches the next.
    """

    def __init__(self, names: list[str], language: str | None = None,
                 kernel_name: str = "python3"):
        from . import engine

        self.language = language
        warm_up: list[str] = []
        for name in names:
            warm_up += engine.warm_up_statements(config.NOTEBOOKS_DIR / REPORTS[name].notebook)
        self.warm_up = list(dict.fromkeys(warm_up))
        self.kernel = engine.WarmKernel(kernel_name=kernel_name)

    def start(self) -> None:
        from .batch_worker import _warm_pdf
        from .engine import register

        def while_booting():  # the PDF pipeline loads while the kernel boots
            register()
            _warm_pdf()

        self.kernel.start(self.warm_up, while_booting=while_booting)

    def run(self, name: str) -> tuple[str, int, str]:
        """Run one default report; (name, exit code, folder or error) - never raises
        UdkeconError or OSError."""
        parameters = {"language": self.language} if self.language else {}
        failed = False
        try:
            result = run_notebook(name, parameters, kernel=self.kernel)
            outcome = (name, 0, result.output_dir)
        except UdkeconError as error:
            failed = isinstance(error, RunError)  # a notebook failed (not bad input)
            outcome = (name, getattr(error, "exit_code", 1), str(error))
        except OSError as error:
            where = getattr(error, "filename", None)
            outcome = (name, 2, f"{where + ': ' if where else ''}{error.strerror or error}; "
                                "check the path and its permissions")
        if failed or not self.kernel.alive():
            self.kernel.restart()  # what a failed notebook left behind must not stay
        return outcome

    def shutdown(self) -> None:
        self.kernel.shutdown()


def _report_worker(names: list[str], language, tasks, results) -> None:
    """A worker process of `run_reports`: one warm kernel, reports from `tasks` until None."""
    import signal

    worker = ReportWorker(names, language)

    def stop(signum=None, frame=None):  # terminated: the kernel goes at once
        worker.kernel.kill()
        os._exit(143)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    signal.signal(signal.SIGTERM, stop)
    try:
        worker.start()
    except Exception as exc:  # noqa: BLE001 (reported for every report it would have run)
        results.put(("broken", f"the kernel did not start: {_one_line(exc)}"))
        worker.shutdown()
        return
    try:
        while (name := tasks.get()) is not None:
            results.put(("done", worker.run(name)))
    finally:
        worker.shutdown()


def run_reports(names: list[str], language: str | None = None, jobs: int = 1):
    """Run the default reports `names` in `jobs` worker processes, each with one warm kernel
    (`ReportWorker`); yield (name, exit code, folder or error) as each finishes. With one
    job the reports run in this process. Each report goes to its own folder
    (reports/<name>/) with its own manifest, exactly as `run_notebook` makes it."""
    import multiprocessing
    import queue

    names = _heaviest_first(list(dict.fromkeys(names)))  # each once: one folder each
    jobs = max(1, min(jobs, len(names)))
    if jobs == 1:
        worker = ReportWorker(names, language)
        try:
            worker.start()
            for name in names:
                yield worker.run(name)
        finally:
            worker.shutdown()
        return
    # forked: this process has loaded little yet (no kernel, no threads), and the workers
    # load the rest side by side
    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    for name in names:
        tasks.put(name)
    for _ in range(jobs):
        tasks.put(None)
    workers = [context.Process(target=_report_worker, args=(names, language, tasks, results),
                               name=f"udkecon-report-{number}") for number in range(jobs)]
    for process in workers:
        process.start()
    done: set[str] = set()
    try:
        while len(done) < len(names):
            try:
                kind, payload = results.get(timeout=0.5)
            except queue.Empty:
                if not any(process.is_alive() for process in workers):
                    for name in names:  # nobody is left to run them
                        if name not in done:
                            done.add(name)
                            yield name, 1, "the worker running it ended unexpectedly"
                continue
            if kind == "broken":
                raise RunError(f"make report: {payload}")
            done.add(payload[0])
            yield payload
    finally:
        for process in workers:
            process.join(timeout=15 if len(done) == len(names) else 0)
        for process in workers:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


def _kept_as_failed(job: Job, stage: str, exc: Exception) -> RunError:
    """After the notebook ran but a later stage failed: keep the executed notebook as
    `<stem>.failed.ipynb`, write the failed manifest, and return the error to raise."""
    job.result.status = "failed"
    job.result.error = f"{stage}: {_one_line(exc)}"
    _keep_failed(job)
    _write_manifest(job.final_dir, job.result, succeeded=False)
    return RunError(f"{job.notebook.name}: {job.result.error}; the executed notebook is "
                    f"{job.result.failed_notebook}; the last good report in {job.final_dir} "
                    "is unchanged")


def _one_line(exc: Exception) -> str:
    name = getattr(exc, "ename", type(exc).__name__)
    value = getattr(exc, "evalue", str(exc))
    return f"{name}: {value}".splitlines()[0][:400]


def _write_manifest(folder: Path, result: RunResult, succeeded: bool) -> None:
    from .publish import atomic_path

    result.finished_at = fmt.generation_time().isoformat()
    name = "manifest.json" if succeeded else "manifest.failed.json"
    try:
        with atomic_path(folder / name) as tmp:
            tmp.write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False,
                                      default=str), encoding="utf-8")
    except OSError:
        if succeeded:
            raise
        # the record of a failure must not hide the failure itself (the error says it all)
