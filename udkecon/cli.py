"""A thin command line over the package: `python -m udkecon check|run|report|batch|refresh`.

Bad input prints one line per problem (no traceback) and exits 2; a failed notebook run
exits 1 and says where the failed notebook was kept; a batch with a failed parameter set
exits 1 after its summary.
"""

from __future__ import annotations

import argparse
import re
import sys

from .errors import ParameterError, UdkeconError


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


def _yaml(text, where: str):
    """Parse YAML, or a one-line ParameterError saying where and what is wrong."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ParameterError(f"{where}: {problem}{line}; fix the YAML") from None


def _parameters_file(path) -> dict:
    """The parameters of a YAML file (a mapping of name: value)."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            parameters = _yaml(handle, path)
    except OSError as exc:
        raise ParameterError(f"{path}: {exc.strerror}; give an existing YAML file") from None
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise ParameterError(f"{path}: must be a mapping of parameter names to values")
    return parameters


def _parameters(pairs: list[str]) -> dict:
    parameters = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ParameterError(f"parameter '{pair}' must be written NAME=VALUE")
        name, value = pair.split("=", 1)
        # a zero-padded code ("0101") stays text: YAML 1.1 would read it as octal 65
        literal = not value or re.fullmatch(r"[+-]?0\d+", value)
        parameters[name] = value if literal else _yaml(value, f"parameter '{pair}'")
    return parameters


def _run(args) -> int:
    from .run import run_notebook

    parameters = _parameters_file(args.parameters_file)
    parameters.update(_parameters(args.parameter))
    result = run_notebook(args.notebook, parameters, output_dir=args.output_dir,
                          stem=args.name, pdf=not args.no_pdf)
    for path in result.files:
        print(path)
    return 0


def _one_report(name: str, language: str | None) -> tuple[str, bool, str]:
    """Run one default report; (name, ok, folder or error) - never raises UdkeconError."""
    from .run import run_notebook

    try:
        result = run_notebook(name, {"language": language} if language else {})
        return name, True, result.output_dir
    except UdkeconError as error:
        return name, False, str(error)


def _report(args) -> int:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .run import REPORTS, resolve_notebook

    names = args.reports or list(REPORTS)
    for name in names:
        resolve_notebook(name)  # an unknown name stops before anything runs
    jobs = max(1, min(args.jobs, len(names)))
    if jobs == 1:
        outcomes = [_one_report(name, args.language) for name in names]
    else:  # one process per report at a time: a kernel and a PDF renderer each
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            outcomes = list(pool.map(_one_report, names, [args.language] * len(names)))
    for name, ok, detail in outcomes:
        if ok:
            print(f"{name}: ok -> {detail}")
        else:
            print(f"{name}: {detail}", file=sys.stderr)
    return 0 if all(ok for _, ok, _ in outcomes) else 1


def _batch(args) -> int:
    from .batch import file_sets, municipality_sets, run_batch

    common = _parameters_file(args.parameters_file)
    common.update(_parameters(args.parameter))
    if args.parameter_sets:
        sets = file_sets(args.notebook, args.parameter_sets, common)
    else:
        sets = municipality_sets(args.notebook, args.municipalities, common)
    result = run_batch(args.notebook, sets, output_dir=args.output_dir, jobs=args.jobs,
                       resume=args.resume, pdf=not args.no_pdf, timeout=args.timeout or None,
                       progress=args.progress)
    print(result.summary())
    return result.exit_code


def _refresh(args) -> int:
    from .refresh import main

    return main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m udkecon", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate input files (kind from the header)")
    check.add_argument("files", nargs="+", help="CSV or xlsx files")
    check.add_argument("--kind", help="kind of file, when the header does not tell")
    check.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    check.set_defaults(func=_check)

    run = sub.add_parser("run", help="run one notebook with papermill and publish PDF + xlsx")
    run.add_argument("notebook", help="report name or notebook path")
    run.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                     help="a parameter (value read as YAML: 2020, en, [1, 2])")
    run.add_argument("-f", "--parameters-file", help="YAML file of parameters")
    run.add_argument("-o", "--output-dir", help="report folder (default reports/<name>/)")
    run.add_argument("--name", help="file stem of the outputs")
    run.add_argument("--no-pdf", action="store_true", help="execute only, no PDF")
    run.set_defaults(func=_run)

    report = sub.add_parser("report", help="produce the default reports under reports/")
    report.add_argument("reports", nargs="*", help="report names (default: all)")
    report.add_argument("--language", choices=["da", "en"], help="report language")
    # default one at a time: jupyter_client interrupts a kernel it shuts down, and under
    # load a busy kernel then logs a harmless but alarming "KeyboardInterrupt" line
    report.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="reports run at the same time (default 1; 2 on two cores is "
                             "about 40 %% faster)")
    report.set_defaults(func=_report)

    batch = sub.add_parser(
        "batch", help="run one notebook over many parameter sets, in parallel",
        description="Run a notebook once per parameter set in parallel worker processes "
                    "(PDF + workbook + executed notebook each), with a manifest.json of "
                    "every output. Exit code 1 when a set failed.")
    batch.add_argument("notebook", help="report name or notebook path")
    sets = batch.add_mutually_exclusive_group(required=True)
    sets.add_argument("--municipalities", metavar="SELECTION",
                      help="'all', a region (Nordjylland or 1081), or municipality codes or "
                           "names separated by commas (101,751,Læsø)")
    sets.add_argument("--parameter-sets", metavar="FILE.yaml",
                      help="YAML list of parameter sets (or 'common' + 'sets')")
    batch.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                       help="a parameter for every set (value read as YAML)")
    batch.add_argument("-f", "--parameters-file", help="YAML file of parameters for every set")
    batch.add_argument("-o", "--output-dir",
                       help="batch folder (default reports/<notebook>_batch/)")
    batch.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="worker processes (default: the machine's cores)")
    batch.add_argument("--resume", action="store_true",
                       help="skip sets that succeeded before with unchanged inputs")
    batch.add_argument("--no-pdf", action="store_true", help="execute only, no PDF")
    batch.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
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
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UdkeconError as error:
        print(f"error: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 1)
    except KeyboardInterrupt:
        return 130
