"""A thin command line over the package: `python -m udkecon check|run|report|batch|refresh`.

Exit codes: 0 ok; 1 a notebook failed (its executed notebook is kept as
`<name>.failed.ipynb` beside the report); 2 bad input - a file, a parameter, a path, or an
output folder that cannot be written - with one line naming it and the fix, and nothing
written; 130 / 143 interrupted (Ctrl-C / SIGTERM).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from .errors import ParameterError, UdkeconError

_EPILOG = ("Relative paths on the command line (-o, -f, files in -p) are read from the "
           "directory the command is given in; relative paths inside a YAML file from that "
           "file's folder. Exit codes: 0 ok, 1 a notebook failed (kept as "
           "<name>.failed.ipynb beside the report), 2 bad input (nothing written), "
           "130/143 interrupted.")


class _Parser(argparse.ArgumentParser):
    """argparse, with a command-line mistake as one line (no usage block) and exit 2."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _check(args) -> int:
    from .data import validate

    status = 0
    for path in args.files:
        _, problems = validate(path, args.kind)
        if problems:
            status = 2
            for problem in problems:
                print(problem, file=sys.stderr)
        elif not args.quiet:
            print(f"{path}: ok")
    if status == 0 and len(args.files) > 1 and not args.quiet:
        print("ok")
    return status


def _parameters_file(path) -> tuple[dict, dict]:
    """The parameters of a YAML file (a mapping of name: value) and where each came from."""
    from .parameters import Origin, load_yaml

    if not path:
        return {}, {}
    parameters = load_yaml(path, "-f")
    origin = Origin.of_file(path)
    if not isinstance(parameters, dict):
        raise ParameterError(f"-f {origin.where}: must be a mapping of parameter names to "
                             f"values (name: value lines), not {type(parameters).__name__}")
    return parameters, dict.fromkeys(parameters, origin)


def _parameters(pairs: list[str]) -> dict:
    """`-p NAME=VALUE` pairs; the value read as strict YAML (0101 stays text)."""
    from .parameters import parse_yaml

    parameters = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ParameterError(f"parameter '{pair}' must be written NAME=VALUE")
        name, value = pair.split("=", 1)
        if name in parameters:
            raise ParameterError(f"-p {name} is given twice; give each parameter once")
        parameters[name] = parse_yaml(value, f"-p {pair}") if value else value
    return parameters


def _given(args) -> tuple[dict, dict]:
    """The parameters of -f and -p (-p wins) and the origin of each."""
    from .parameters import Origin

    parameters, origins = _parameters_file(args.parameters_file)
    pairs = _parameters(args.parameter)
    parameters.update(pairs)
    origins.update(dict.fromkeys(pairs, Origin.command_line()))
    return parameters, origins


def _run(args) -> int:
    from . import config
    from .guards import require_file_name
    from .run import run_notebook

    if args.name is not None:
        require_file_name(args.name, "--name")
    parameters, origins = _given(args)
    output_dir = config.absolute(args.output_dir) if args.output_dir else None
    result = run_notebook(args.notebook, parameters, output_dir=output_dir,
                          stem=args.name, pdf=not args.no_pdf, origins=origins)
    for path in result.files:
        print(path)
    return 0


def _exit_code(codes) -> int:
    """A notebook that failed (1) outweighs bad input (2): it is the one to look at."""
    codes = set(codes) - {0}
    return 1 if 1 in codes else max(codes, default=0)


def _report(args) -> int:
    """The default reports, each in its own folder: one line per report, nothing else."""
    import difflib

    from .batch import _cores
    from .run import REPORTS, require_reports_dir, resolve_notebook, run_reports

    names = list(dict.fromkeys(args.reports)) or list(REPORTS)  # each report once
    for name in names:  # an unknown name stops before anything runs
        if name not in REPORTS:
            close = difflib.get_close_matches(name, list(REPORTS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ParameterError(f"report '{name}' is not one of the reports; {hint}the "
                                 f"reports are: {', '.join(REPORTS)} (python -m udkecon run "
                                 "<notebook> runs any notebook)")
    require_reports_dir()
    for name in names:
        resolve_notebook(name)  # a template that is not as committed stops them all
    codes = []
    for name, code, detail in run_reports(names, args.language,
                                          jobs=args.jobs or _cores()):
        codes.append(code)
        if code == 0:
            print(f"{name}: ok -> {detail}", flush=True)
        else:
            print(f"{name}: {detail}", file=sys.stderr, flush=True)
    return _exit_code(codes)


def _batch(args) -> int:
    from . import config
    from .batch import file_sets, municipality_sets, run_batch

    common, origins = _given(args)
    output_dir = config.absolute(args.output_dir) if args.output_dir else None
    if common.get("output_dir"):  # -p/-f output_dir: the batch folder, as -o (which wins)
        given = common.pop("output_dir")
        output_dir = output_dir or config.absolute(str(given), origins["output_dir"].base)
    common.pop("output_dir", None)
    if args.parameter_sets:
        sets = file_sets(args.notebook, args.parameter_sets, common, origins)
        # a folder named in the file counts when -o does not name one
        output_dir = output_dir or sets.output_dir
    else:
        sets = municipality_sets(args.notebook, args.municipalities, common, origins)
    result = run_batch(args.notebook, sets, output_dir=output_dir, jobs=args.jobs,
                       resume=args.resume, pdf=not args.no_pdf, timeout=args.timeout or None,
                       progress=args.progress)
    print(result.summary())
    return result.exit_code


def _refresh(args) -> int:
    from .refresh import main

    return main(args)


def _seconds(text: str) -> float:
    """--timeout: a finite number of seconds, 0 for no limit."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 (no "
                                         "limit) to 604800 (a week)")
    return value


def _workers(text: str) -> int:
    """--jobs: from 1 to four per core (each worker holds a kernel: memory, not speed)."""
    from .batch import _cores

    most = 4 * _cores()
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes from 1 to "
                                         f"{most} (four per core of this machine)")
    return value


def _os_error(error: OSError) -> str:
    where = getattr(error, "filename", None)
    return f"{where + ': ' if where else ''}{error.strerror or error}; check the path and " \
           "its permissions"


_NO_PDF = ("execute only, no PDF; an earlier PDF of the same name in the folder is removed "
           "(it would no longer match the new workbook)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m udkecon", description=__doc__.splitlines()[0],
                     epilog=_EPILOG)
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate input files (kind from the header)")
    check.add_argument("files", nargs="+", help="CSV or xlsx files")
    check.add_argument("--kind", help="kind of file, when the header does not tell")
    check.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    check.set_defaults(func=_check)

    run = sub.add_parser("run", help="run one notebook with papermill and publish PDF + xlsx",
                         description="Run one notebook (parameters checked first) and publish "
                                     "its PDF, workbook and executed notebook.",
                         epilog=_EPILOG)
    run.add_argument("notebook", help="report name or notebook path")
    run.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                     help="a parameter (value read as YAML: 2020, en, [1, 2]); wins over -f")
    run.add_argument("-f", "--parameters-file", help="YAML file of parameters")
    run.add_argument("-o", "--output-dir",
                     help="report folder (default reports/<name>/; not a batch's folder)")
    run.add_argument("--name", help="file stem of the outputs: a plain file name")
    run.add_argument("--no-pdf", action="store_true", help=_NO_PDF)
    run.set_defaults(func=_run)

    report = sub.add_parser("report", help="produce the default reports under reports/")
    report.add_argument("reports", nargs="*", help="report names (default: all)")
    report.add_argument("--language", choices=["da", "en"], help="report language")
    # each worker keeps one warm kernel for the reports it runs (udkecon.run.ReportWorker)
    report.add_argument("-j", "--jobs", type=_workers, metavar="N",
                        help="worker processes, each with one kernel for the reports it runs "
                             "(default: the machine's cores)")
    report.set_defaults(func=_report)

    batch = sub.add_parser(
        "batch", help="run one notebook over many parameter sets, in parallel",
        description="Run a notebook once per parameter set in parallel worker processes "
                    "(PDF + workbook + executed notebook each), with a manifest.json of "
                    "every output. Every set is checked before any runs. Exit code 1 when a "
                    "set's notebook failed, 2 when sets failed only on bad input.",
        epilog=_EPILOG)
    batch.add_argument("notebook", help="report name or notebook path")
    sets = batch.add_mutually_exclusive_group(required=True)
    sets.add_argument("--municipalities", metavar="SELECTION",
                      help="'all', a region (Nordjylland or 1081), or municipality codes or "
                           "names separated by commas (101,751,Læsø)")
    sets.add_argument("--parameter-sets", metavar="FILE.yaml",
                      help="YAML list of parameter sets (or 'common' + 'sets', and an "
                           "'output_dir' read from the file's folder)")
    batch.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                       help="a parameter for every set (value read as YAML)")
    batch.add_argument("-f", "--parameters-file", help="YAML file of parameters for every set")
    batch.add_argument("-o", "--output-dir",
                       help="batch folder (default reports/<notebook>_batch/)")
    batch.add_argument("-j", "--jobs", type=_workers, metavar="N",
                       help="worker processes (default: the machine's cores)")
    batch.add_argument("--resume", action="store_true",
                       help="skip sets that succeeded before with unchanged inputs")
    batch.add_argument("--no-pdf", action="store_true", help=_NO_PDF)
    batch.add_argument("--timeout", type=_seconds, default=600, metavar="SECONDS",
                       help="longest a cell may run (default 600; 0 = no limit)")
    batch.add_argument("--progress", choices=["auto", "bar", "log", "none"], default="auto",
                       help="a progress bar on a terminal, log lines otherwise (auto)")
    batch.set_defaults(func=_batch)

    refresh = sub.add_parser(
        "refresh", help="fetch the CPI or the populations from Statistics Denmark",
        description="Fetch a reference table from Statistics Denmark's StatBank API, check it "
                    "like any input and show what would change; --write replaces the file "
                    "(the current one is kept in data/raw/backup/). Exit 2: the request or the "
                    "table is wrong; exit 1: the service cannot be reached.")
    refresh.add_argument("table", choices=["cpi", "population"],
                         help="cpi: PRIS112 annual averages; population: FOLK1A, 1 January")
    refresh.add_argument("--years", metavar="YEARS",
                         help="2017-2021, 2020 or 2019,2021 (default: cpi all years from 2015; "
                              "population the reports' period 2017-2021)")
    refresh.add_argument("--write", action="store_true",
                         help="replace the file (default: only show what would change)")
    refresh.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                         help="longest wait for each answer of the API (default 30)")
    refresh.set_defaults(func=_refresh)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .engine import skip_unused_imports

    skip_unused_imports()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UdkeconError as error:
        print(f"error: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 1)
    except BrokenPipeError:
        # whoever read the output stopped reading (`| head`): not a path problem; the reports
        # finished so far are in place, the rest was not started or was left whole
        _stdout_gone()
        return 141  # 128 + SIGPIPE, as a shell command killed by the closed pipe
    except OSError as error:  # a path the package did not foresee: still one line, no traceback
        print(f"error: {_os_error(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _quiet_dead_kernel()
        return 130


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that the interpreter's own flush at exit does not raise
    a second BrokenPipeError (Python's documented way out of SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _quiet_dead_kernel() -> None:
    """After Ctrl-C the kernel is gone, and a task of nbclient still waiting on it ends in
    DeadKernelError, which asyncio prints as "Task exception was never retrieved" with a
    traceback when the task is collected. That death is the interrupt's doing: keep it
    quiet on the loop the driver's kernel calls ran on; any other error is still shown."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    previous = loop.get_exception_handler()

    def handler(loop, context):
        if type(context.get("exception")).__name__ == "DeadKernelError":
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
