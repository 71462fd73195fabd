"""The one driver: execute a report notebook with papermill and publish what it produced.

A run works in a staging folder inside the report folder; only when the notebook ran and
the PDF rendered are the files moved over the previous ones (each with `os.replace`), and
a manifest written. A failed run keeps its executed notebook as `<name>.failed.ipynb` for
inspection and leaves the last good report untouched.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, config, fmt
from .errors import ParameterError, RunError
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


def outputs(output_dir: str = "", output_name: str = "", default_name: str = "report") -> Outputs:
    """The output folder and file stem a notebook writes to ('' = the default in reports/)."""
    stem = output_name or default_name
    folder = Path(output_dir) if output_dir else config.REPORTS_DIR / stem
    folder.mkdir(parents=True, exist_ok=True)
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
    for value in parameters.values():
        if isinstance(value, str) and value and Path(value).is_file():
            files[value] = Path(value)
    return {name: sha256(path) for name, path in files.items()}


def fingerprint(notebook: Path, parameters: dict, hashes: dict | None = None) -> str:
    """One hash of inputs, parameters and package version: equal means nothing changed."""
    hashes = hashes if hashes is not None else input_hashes(notebook, parameters)
    payload = json.dumps({"inputs": hashes, "parameters": parameters, "version": __version__},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def resolve_notebook(notebook) -> Path:
    """A report name ('udk_costs_fixed_prices'), a notebook of notebooks/ by name
    ('municipality_handout') or a notebook path -> the notebook's path."""
    if str(notebook) in REPORTS:
        return config.NOTEBOOKS_DIR / REPORTS[str(notebook)].notebook
    path = Path(notebook)
    for candidate in (config.NOTEBOOKS_DIR / path, config.NOTEBOOKS_DIR / f"{notebook}.ipynb"):
        if not path.exists() and candidate.exists():  # a notebook of notebooks/ by name
            path = candidate
    if not path.exists():
        names = sorted({*REPORTS, *(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))})
        raise ParameterError(f"notebook '{notebook}' not found; give a path or one of: "
                             f"{', '.join(names)}")
    return path


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

    @property
    def executed(self) -> Path:
        return self.staging / f"{self.stem}.ipynb"


def prepare(notebook, parameters: dict | None = None, output_dir=None, stem: str | None = None,
            language: str | None = None, hashes: dict | None = None) -> Job:
    """Resolve the notebook, make the staging folder and hash the inputs of a run.

    A default report's name ('business_case_udk_share') brings its parameters (which the
    given ones override) and is the file stem.
    """
    report = REPORTS.get(str(notebook))
    if report is not None:
        parameters = {**report.parameters, **(parameters or {})}
        stem = stem or str(notebook)
    notebook = resolve_notebook(notebook)
    parameters = dict(parameters or {})
    stem = stem or parameters.get("output_name") or notebook.stem
    final_dir = Path(output_dir) if output_dir else config.REPORTS_DIR / stem
    final_dir.mkdir(parents=True, exist_ok=True)
    staging = final_dir / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    hashes = hashes if hashes is not None else input_hashes(notebook, parameters)
    result = RunResult(notebook=str(notebook), stem=stem, output_dir=str(final_dir),
                       parameters=parameters, inputs=hashes,
                       fingerprint=fingerprint(notebook, parameters, hashes))
    language = language or parameters.get("language", config.DEFAULT_LANGUAGE)
    return Job(notebook, parameters, stem, final_dir, staging, language, result)


def execute(job: Job, kernel_name: str = "python3", engine_name: str | None = None,
            **engine_kwargs):
    """Run the notebook with papermill into the staging folder; return the executed notebook.

    The notebook gets `output_dir` (the staging folder) and `output_name` (the stem) as
    parameters. On failure the executed notebook is kept as `<stem>.failed.ipynb` in the
    report folder, the result says why, and RunError is raised.
    """
    import papermill as pm

    from .publish import place

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
        result.error = _one_line(exc)
        if job.executed.exists():
            failed = place(job.executed, job.final_dir / f"{job.stem}.failed.ipynb")
            result.failed_notebook = str(failed)
        where = (f"the failed notebook is {result.failed_notebook}"
                 if result.failed_notebook else "the notebook did not start")
        raise RunError(f"{job.notebook.name} failed: {result.error}; {where}; the last good "
                       f"report in {job.final_dir} is unchanged") from None
    result.timings["execute_s"] = round(time.perf_counter() - started, 3)
    return executed


def render_pdf(job: Job, executed=None) -> Path:
    """The staged PDF of the executed notebook (a NotebookNode, or read from staging)."""
    from .publish import html_to_pdf, notebook_html

    started = time.perf_counter()
    html = notebook_html(executed if executed is not None else job.executed, job.language,
                         footer=f"udkecon {__version__} · {job.stem}")
    converted = time.perf_counter()
    path = html_to_pdf(html, job.staging / f"{job.stem}.pdf")
    finished = time.perf_counter()
    job.result.timings.update(html_s=round(converted - started, 3),
                              render_s=round(finished - converted, 3),
                              pdf_s=round(finished - started, 3))
    return path


def publish(job: Job) -> list[str]:
    """Move every staged file over its final name (one `os.replace` each)."""
    from .publish import place

    started = time.perf_counter()
    for staged in sorted(job.staging.iterdir()):
        if staged.is_file() and not staged.name.startswith("."):
            job.result.files.append(str(place(staged, job.final_dir / staged.name)))
    # a success supersedes the evidence of an earlier failure, and an output this run did
    # not make (a PDF after --no-pdf) would no longer belong with the others
    produced = {Path(f).name for f in job.result.files}
    stale = [job.final_dir / f"{job.stem}.failed.ipynb", job.final_dir / "manifest.failed.json"]
    stale += [job.final_dir / f"{job.stem}.{suffix}" for suffix in ("pdf", "xlsx", "ipynb")
              if f"{job.stem}.{suffix}" not in produced]
    for path in stale:
        if path.exists():
            path.unlink()
    job.result.timings["place_s"] = round(time.perf_counter() - started, 3)
    return job.result.files


def discard(job: Job) -> None:
    shutil.rmtree(job.staging, ignore_errors=True)


def run_notebook(notebook, parameters: dict | None = None, output_dir=None, stem: str | None = None,
                 pdf: bool = True, language: str | None = None,
                 kernel_name: str = "python3") -> RunResult:
    """Execute `notebook` with `parameters`, then publish its PDF and move outputs in place.

    Raises RunError (after keeping the failed notebook) when the notebook fails.
    """
    job = prepare(notebook, parameters, output_dir, stem, language)
    try:
        try:
            executed = execute(job, kernel_name=kernel_name)
        except RunError:
            _write_manifest(job.final_dir, job.result, succeeded=False)
            raise
        if pdf:
            try:
                render_pdf(job, executed)
            except Exception as exc:  # nbconvert or WeasyPrint: keep what ran, say so
                raise _kept_as_failed(job, "PDF rendering", exc) from None
        publish(job)
        _write_manifest(job.final_dir, job.result, succeeded=True)
        return job.result
    finally:
        discard(job)


def _kept_as_failed(job: Job, stage: str, exc: Exception) -> RunError:
    """After the notebook ran but a later stage failed: keep the executed notebook as
    `<stem>.failed.ipynb`, write the failed manifest, and return the error to raise."""
    from .publish import place

    job.result.status = "failed"
    job.result.error = f"{stage}: {_one_line(exc)}"
    if job.executed.exists():
        job.result.failed_notebook = str(place(job.executed,
                                               job.final_dir / f"{job.stem}.failed.ipynb"))
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
    with atomic_path(folder / name) as tmp:
        tmp.write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False, default=str),
                       encoding="utf-8")
