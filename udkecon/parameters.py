"""Parameters are checked, not trusted: before any kernel starts, every parameter of a run is
checked against the notebook's parameters cell and the report's own rules.

- **Names**: each name must be a parameter of the notebook (papermill's inspection of the
  cell tagged `parameters`); an unknown name is refused with the closest one
  (`base_yaer` -> "did you mean 'base_year'?"). papermill itself only warns and runs with
  the default.
- **Types**: each value must fit the parameter's type hint (`int`, `float`, `str`, `bool`,
  `list`, `dict`); a number is accepted where text is expected (a code 101, a rate 0.035),
  text never where a number is.
- **The reports' rules** that can be checked outside the kernel (`RULES`): language, base
  year within the price index, municipality, Monte Carlo draws, months, output name, and
  every input file (`INPUT_FILES`) must be an existing regular file whose content passes
  the loader's checks for its kind (`INPUT_KINDS`).
- **Paths**: a relative path is read from the folder of the file that gave it (a
  parameters or parameter-sets file) or from the directory the command was given in (`-p`,
  `-o`), and handed to the kernel - which runs in notebooks/ - as an absolute path.

YAML is read strictly (`load_yaml`): `0101` stays text (not octal 65), `yes`/`no`/`on`/`off`
stay text (only true/false are booleans), dates stay text, a key given twice is refused.

Every problem is a `ParameterError`, one line naming where the value came from (the file,
the set, or the command line), the parameter and the fix.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from . import config, guards
from .errors import ParameterError

# the driver gives these to every notebook (the staging folder and the file stem)
DRIVER_PARAMETERS = ("output_dir", "output_name")
# a parameters or parameter-sets file is a few lines of YAML; anything larger is not one
MAX_YAML_BYTES = 1 << 20
# the reports' input files: each must exist. Any other `*_file` parameter (a test
# notebook's `release_file` is a file that appears later) is only made absolute, and
# refused when something other than a file (a folder, a FIFO) is there.
INPUT_FILES = ("index_file", "cost_file", "dut_file", "municipalities_file", "case_file",
               "availability_file", "calls_file", "allocation_keys_file",
               "allocation_channels_file", "population_file")
# ...and the kind each is read as: its content is checked before the kernel starts too, so
# that a bad ledger stops a run (or a whole batch) before anything runs, with the loader's
# one line. `case` given as a path is a business case file as well.
INPUT_KINDS = {"index_file": "price_index", "cost_file": "costs", "dut_file": "dut",
               "municipalities_file": "municipalities", "case_file": "business_case",
               "case": "business_case", "availability_file": "sla_availability",
               "calls_file": "service_calls", "allocation_keys_file": "allocation_keys",
               "allocation_channels_file": "allocation_channels",
               "population_file": "population_by_year"}


@dataclass(frozen=True)
class Origin:
    """Where parameters were given: how a message names the place, and the folder their
    relative paths are read from."""

    where: str
    base: Path

    @classmethod
    def command_line(cls) -> Origin:
        return cls("command line", Path.cwd())

    @classmethod
    def of_file(cls, path, part: str = "") -> Origin:
        path = config.absolute(path)
        return cls(f"{path}{', ' + part if part else ''}", path.parent)


# --------------------------------------------------------------------------- YAML

def _strict_loader():
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """YAML without YAML 1.1's surprises (see the module docstring)."""

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"'{key}' is given twice", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    dropped = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    StrictLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in dropped]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    StrictLoader.add_implicit_resolver("tag:yaml.org,2002:int",
                                       re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                                       list("-+0123456789"))
    StrictLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                       re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                       list("tTfF"))
    return StrictLoader


_LOADER = None


def parse_yaml(text: str, where: str):
    """YAML text -> Python values, strictly; a one-line ParameterError saying where and what.

    >>> parse_yaml("municipality: 0101\\nlanguage: no\\nday: 2021-03-01", "x")
    {'municipality': '0101', 'language': 'no', 'day': '2021-03-01'}
    """
    import yaml

    global _LOADER
    _LOADER = _LOADER or _strict_loader()
    try:
        # an alias repeats a node by reference; written into a manifest it would be copied
        # out in full (a few lines of aliases can stand for gigabytes)
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                raise ParameterError(f"{where}: line {line}: a YAML alias (*{event.anchor}) "
                                     "is not allowed here; write the value out")
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 (the strict SafeLoader above)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ParameterError(f"{where}: not valid YAML: {problem}{line}; fix the YAML") from None


def load_yaml(path, what: str):
    """The contents of a YAML file given on the command line (`what` names the option),
    refused in one line when it is missing, not a regular file, binary, not UTF-8, empty
    or not valid YAML."""
    path = config.absolute(path)
    where = f"{what} {path}"
    kind = _file_kind(path)
    if kind is not None:
        raise ParameterError(f"{where}: {kind}; give the path of a YAML file")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise ParameterError(f"{where}: {size} bytes is too large for a YAML file of "
                             f"parameters (at most {MAX_YAML_BYTES}); check the file name")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{where}: {exc.strerror}; make the file readable") from None
    if b"\0" in data:
        offset = data.index(b"\0")
        raise ParameterError(f"{where}: a binary file (a NUL byte at offset {offset}), not "
                             "YAML text; give the YAML file of parameters")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ParameterError(f"{where}: line {line} is not UTF-8 (byte {data[exc.start]:#04x}); "
                             "save the file as UTF-8") from None
    content = parse_yaml(text, where)
    if content is None:
        raise ParameterError(f"{where}: the file is empty (nothing in it but space or "
                             f"comments); fill it in, or leave {what} out")
    return content


def _file_kind(path: Path) -> str | None:
    """None for an existing regular file, else what it is instead (for a message)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "file not found"
    except NotADirectoryError:
        return "file not found (a part of the path is not a folder)"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    return "not a regular file (a device or socket)"


# --------------------------------------------------------------------------- the notebook

_DECLARED: dict = {}


def declared(notebook) -> dict[str, dict]:
    """The parameters of a notebook's parameters cell: name -> {name, inferred_type_name,
    default, help} (papermill's inspection), cached while the file is unchanged."""
    notebook = Path(notebook)
    info = notebook.stat()
    key = (str(notebook.resolve()), info.st_mtime_ns, info.st_size)
    if key not in _DECLARED:
        import logging

        from papermill.inspection import inspect_notebook

        logging.getLogger("papermill").setLevel(logging.WARNING)  # not "Input Notebook: ..."
        _DECLARED[key] = inspect_notebook(str(notebook))
    return _DECLARED[key]


def require_parameter(notebook, name: str, why: str) -> None:
    """Refuse a notebook without the parameter `name` (`why` says who needs it)."""
    names = declared(notebook)
    if name not in names:
        raise ParameterError(f"{Path(notebook).name} has no parameter '{name}' "
                             f"(its parameters: {', '.join(names) or 'none'}), so {why}")


# --------------------------------------------------------------------------- values

def _kind(value) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "text",
            list: "a list", dict: "a mapping", type(None): "empty"}.get(type(value),
                                                                        type(value).__name__)


def _typed(name: str, value, hint: str | None, default: str | None = None):
    """`value` if it fits the type hint, else a ParameterError naming the parameter.
    `default`: the parameter's default as its cell writes it (for the advice on an empty
    value)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"parameter '{name}' is {value}; give a finite number")
    hint = (hint or "").strip().replace("typing.", "")
    base = hint.split("[")[0].strip().lower()
    shown = repr(value) if not isinstance(value, str) else f"'{value}'"
    if value is None:  # YAML's null: ~, null, or nothing after the colon
        shown = "(null)"
    if base == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"parameter '{name}' must be a whole number (int), not "
                                 f"{_kind(value)} {shown}; "
                                 + _number_advice(name, value, "int", default))
    elif base == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"parameter '{name}' must be a number (float), not "
                                 f"{_kind(value)} {shown}; "
                                 + _number_advice(name, value, "float", default))
    elif base == "str":
        if value is None:  # YAML's null (~, or nothing after the colon): not empty text
            raise ParameterError(f"parameter '{name}' must be text (str), not empty (null: "
                                 f"~, null or nothing after the colon); write '' for empty "
                                 f"text, or leave {name} out to use its default")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ParameterError(f"parameter '{name}' must be text (str), not "
                                 f"{_kind(value)} {shown}; put the value in quotes")
    elif base == "bool":
        if not isinstance(value, bool):
            raise ParameterError(f"parameter '{name}' must be true or false, not "
                                 f"{_kind(value)} {shown}")
    elif base in ("list", "tuple"):
        if not isinstance(value, list):
            raise ParameterError(f"parameter '{name}' must be a list, e.g. {name}: [1, 2], "
                                 f"not {_kind(value)} {shown}")
    elif base == "dict":
        if not isinstance(value, dict):
            raise ParameterError(f"parameter '{name}' must be a mapping, not "
                                 f"{_kind(value)} {shown}")
    return value


def _number_advice(name: str, value, kind: str, default: str | None) -> str:
    """How to write a number the value was not: the advice fits what was given (text in
    quotes, a decimal for a whole number, true/false, nothing) - never "without quotes"
    for a value that had none."""
    example = default if default and re.fullmatch(r"-?\d+(\.\d+)?", default) else \
        ("2020" if kind == "int" else "0.035")
    if value is None or (isinstance(value, str) and not value.strip()):
        # empty is not "the default": papermill would hand the notebook None or ''
        told = f", {default}" if default else ""
        return (f"an empty value is not a number (nor the default): give one such as "
                f"{example}, or leave {name} out to use the default{told}")
    if isinstance(value, str):
        number = r"[-+]?\d+" if kind == "int" else r"[-+]?(\d+\.?\d*|\.\d+)"
        if re.fullmatch(number, value.strip()):
            return f"write it without quotes, e.g. {name}: {value.strip()}"
        digits = "digits only" if kind == "int" else "digits with a decimal point"
        return f"write it as {digits}, e.g. {name}: {example}"
    if isinstance(value, bool):
        return f"true/false is not a number; give one such as {example}"
    if isinstance(value, float) and kind == "int":
        if value.is_integer():
            return f"write it without the decimal point, e.g. {name}: {int(value)}"
        return f"give a whole number such as {example}"
    return f"give a single number such as {example}"


def _input_file(name: str, value, params: dict, base: Path):
    """A `*_file` parameter: empty (the default file) or an existing regular file, made
    absolute (the kernel runs in notebooks/)."""
    from .reading import read_bytes, split_sheet

    if value in ("", None):
        return value
    path = config.absolute(str(value), base)
    # a workbook may name its sheet, as the loaders read it: costs.xlsx#Ledger
    file = split_sheet(path)[0]
    kind = _file_kind(file)
    if kind == "file not found" and name not in INPUT_FILES:
        return str(path)
    if kind == "file not found" and "#" in str(path):
        read_bytes(path)  # the loader's line for a sheet named after a CSV (data.csv#Sheet1)
    if kind is not None:
        raise ParameterError(f"{name} '{value}': {kind} (read as {file}); give an existing "
                             "file, or leave it empty for the default in data/raw")
    if name in INPUT_KINDS:
        _require_valid(path, INPUT_KINDS[name])
    return str(path)


def _require_valid(path: Path, kind: str) -> None:
    """The file's content passes the loader's checks for `kind` (a DataError otherwise: the
    loader's line, naming file, row and column). Checked once per state of the file, so
    that 98 parameter sets naming the same ledger read it once."""
    from .reading import split_sheet

    stat_ = split_sheet(path)[0].stat()  # the workbook of costs.xlsx#Ledger
    problems = _problems(str(path), kind, stat_.st_mtime_ns, stat_.st_size)
    if problems:
        raise problems[0]


@functools.lru_cache(maxsize=32)
def _problems(path: str, kind: str, mtime_ns: int, size: int) -> tuple:
    from .data import validate

    return tuple(validate(path, kind)[1])


def _case(name: str, value, params: dict, base: Path):
    """`case` is a case's name or the path of a case file: a path is made absolute; an
    unknown name is left for the notebook to refuse with its list of cases."""
    if isinstance(value, str) and value.strip():
        from .reading import split_sheet

        path = config.absolute(value.strip(), base)
        if split_sheet(path)[0].exists():  # a case workbook may name its sheet: x.xlsx#Case
            return _input_file(name, value.strip(), params, base)
    return value


def _rule(check):
    """A rule from a guard that takes the value only and returns it checked."""
    def rule(name, value, params, base):
        check(value)
        return value
    return rule


def _base_year(name, value, params, base):
    guards.require_base_year(value, params.get("index_file") or None)
    return value


def _municipality(name, value, params, base):
    guards.require_municipality(value, params.get("municipalities_file") or None)
    return value


def _month(name, value, params, base):
    guards.require_month(name, value)
    return value


def _discount_rate(name, value, params, base):
    """A schedule, a decision date or a decimal rate within the rates a discount-rate file
    may hold, as the business case notebook reads it (the handout reads it the same way)."""
    from .documents.business_case.model import parse_discount_rate

    parse_discount_rate(value)
    return value


def _output_name(name, value, params, base):
    if value not in ("", None):
        guards.require_file_name(value, name)
    return value


def _output_dir(name, value, params, base):
    return str(config.absolute(value, base)) if value not in ("", None) else value


# name -> rule(name, value, all parameters, folder for relative paths) -> value to use.
# Rules run in this order (files first: base_year depends on index_file).
RULES = {
    "language": _rule(guards.require_language),
    "base_year": _base_year,
    "municipality": _municipality,
    "draws": _rule(guards.require_draws),
    "seed": _rule(lambda value: guards.require_whole("seed", value, least=0)),
    "horizon": _rule(lambda value: guards.require_whole("horizon", value, least=0,
                                                        most=guards.MAX_HORIZON)),
    "discount_rate": _discount_rate,
    "first_month": _month,
    "last_month": _month,
    "output_name": _output_name,
    "output_dir": _output_dir,
    "case": _case,
}


def check(notebook, parameters: dict, origins: dict | None = None,
          default: Origin | None = None) -> dict:
    """The parameters of a run of `notebook`, checked (see the module docstring); returns
    them with relative paths made absolute. `origins` maps a name to the `Origin` that gave
    it (default: `default`, else the command line)."""
    notebook = Path(notebook)
    default = default or Origin.command_line()
    origins = origins or {}
    names = declared(notebook)
    result = dict(parameters)

    def where(name):
        return origins.get(name, default)

    for name in parameters:
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(f"{where(name).where}: {name!r} is not a parameter name; "
                                 "names are words such as base_year")
        if name not in names and name not in DRIVER_PARAMETERS:
            # BASE_YEAR is base_year in the wrong case, however far apart difflib sees them
            close = [n for n in names if n.casefold() == name.casefold()] or \
                difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
            hint = (f"did you mean '{close[0]}'?" if close
                    else f"its parameters are: {', '.join(names) or 'none'}")
            raise ParameterError(f"{where(name).where}: parameter '{name}' is not a parameter "
                                 f"of {notebook.name}; {hint}")
    ordered = sorted(result, key=lambda n: (not n.endswith("_file"),
                                            list(RULES).index(n) if n in RULES else -1))
    for name in ordered:
        value = result[name]
        origin = where(name)
        try:
            hint = names[name]["inferred_type_name"] if name in names else "str"
            value = _typed(name, value, hint, names.get(name, {}).get("default"))
            if name.endswith("_file"):
                value = _input_file(name, value, result, origin.base)
            elif name in RULES:
                value = RULES[name](name, value, result, origin.base)
        except ParameterError as error:
            message = str(error)
            if name not in message:
                message = f"parameter '{name}': {message}"
            raise ParameterError(f"{origin.where}: {message}") from None
        result[name] = value
    _only_with(result, names, "guidance_date", "view", "socio", where)
    return result


def _only_with(result: dict, names: dict, name: str, other: str, needed, where) -> None:
    """Refuse `name` given (not empty) when `other` (given, or the notebook's default) is
    not `needed`: the notebook would ignore it without a word (guidance_date applies to
    the socio-economic view only)."""
    if result.get(name) in (None, "") or other not in names:
        return
    value = result.get(other)
    if value is None:
        import ast

        try:
            value = ast.literal_eval(names[other].get("default") or "None")
        except (ValueError, SyntaxError):
            return
    if value != needed:
        raise ParameterError(f"{where(name).where}: parameter '{name}' applies to "
                             f"{other}={needed} only, and {other} is {value}; give "
                             f"-p {other}={needed}, or leave {name} out")


def is_bad_input(ename: str) -> bool:
    """True when an error raised in a notebook (its class name, as papermill reports it)
    is one of udkecon's bad-input errors (exit code 2)."""
    from . import errors

    kinds = [errors.UdkeconError]
    bad = set()
    while kinds:
        kind = kinds.pop()
        if getattr(kind, "exit_code", 1) == 2:
            bad.add(kind.__name__)
        kinds.extend(kind.__subclasses__())
    return ename in bad
