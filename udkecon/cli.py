"""A thin command line over the package: `python -m udkecon check|run|report ...`.

Bad input prints one line per problem (no traceback) and exits 2; a failed notebook run
exits 1 and says where the failed notebook was kept.
"""

from __future__ import annotations

import argparse
import sys

from .errors import UdkeconError


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


def _parameters(pairs: list[str]) -> dict:
    import yaml

    parameters = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise UdkeconError(f"parameter '{pair}' must be written NAME=VALUE")
        name, value = pair.split("=", 1)
        parameters[name] = yaml.safe_load(value) if value else ""
    return parameters


def _run(args) -> int:
    import yaml

    from .run import run_notebook

    parameters = {}
    if args.parameters_file:
        with open(args.parameters_file, encoding="utf-8") as handle:
            parameters.update(yaml.safe_load(handle) or {})
    parameters.update(_parameters(args.parameter))
    result = run_notebook(args.notebook, parameters, output_dir=args.output_dir,
                          stem=args.name, pdf=not args.no_pdf)
    for path in result.files:
        print(path)
    return 0


def _report(args) -> int:
    from .run import REPORTS, run_notebook

    names = args.reports or list(REPORTS)
    failed = 0
    for name in names:
        try:
            result = run_notebook(name, {"language": args.language} if args.language else {})
            print(f"{name}: ok -> {result.output_dir}")
        except UdkeconError as error:
            failed += 1
            print(f"{name}: {error}", file=sys.stderr)
    return 1 if failed else 0


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
    report.set_defaults(func=_report)
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
