"""Loading and validating input files: CSV (comma, or Danish semicolon with decimal comma,
UTF-8 with or without BOM) and .xlsx, each checked against the schema of its kind.

Every loaded table is a tidy DataFrame whose index is the row number a person sees in
the file (header = row 1), so that a later check can still point at the exact row; its
`attrs` carry the file, its sha256 and its kind.

Problems are `DataError`s naming file, row, column, problem and fix. `validate` collects
all of them (the `check` command prints one line each); `load` raises the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from . import config
from .errors import DataError
from .hashing import sha256
from .schemas import (  # noqa: F401  (re-exported: the kinds belong with loading)
    COST_TYPES,
    DATA_STATUSES,
    SCHEMAS,
    SYSTEM_GROUPS,
    Column,
    Schema,
    register,
)

# --------------------------------------------------------------------------- reading

@dataclass
class RawTable:
    """The cells of a file as text, before any schema is applied."""

    path: Path
    frame: pd.DataFrame  # all cells str, index = row number in the file
    decimal_comma: bool
    where: str = ""  # how problems name the file: the path, and the sheet of a workbook


def _decode(path: Path, data: bytes) -> str:
    # Danish Excel writes UTF-8 with a BOM ("CSV UTF-8"), Windows-1252 ("CSV") or UTF-16
    # with a BOM ("Unicode text").
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DataError(path, f"is not a text file in UTF-8 or Windows-1252 (byte "
                        f"0x{data[exc.start]:02x} on line {line})",
                        "save it from Excel as 'CSV UTF-8' or as .xlsx", row=line) from None


def read_raw(path) -> RawTable:
    """Read a CSV or .xlsx file into text cells, detecting the Danish CSV dialect."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file not found",
                        "check the path, or copy the file into data/raw/")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with pd.ExcelFile(path) as book:
                sheets = book.sheet_names
                frame = pd.read_excel(book, sheet_name=0, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise DataError(path, f"cannot be read as an Excel workbook ({exc})",
                            "save it again from Excel as .xlsx") from None
        frame = frame.map(lambda v: "" if v is None else str(v).strip())
        # only the first sheet is read: say so when there are others
        where = f"{path} (sheet '{sheets[0]}')" if len(sheets) > 1 else str(path)
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = pd.RangeIndex(2, len(frame) + 2, name="source_row")
        frame = frame[~(frame == "").all(axis=1)]
        return RawTable(path, frame, False, where)
    elif path.suffix.lower() in (".csv", ".txt"):
        text = _decode(path, path.read_bytes())
        lines = text.splitlines()
        if not lines or not lines[0].strip():
            raise DataError(path, "the file is empty", "export the table with its header row")
        header = lines[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        names = [h.strip() for h in rows[0]]
        body = []
        for number, cells in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines at the end of Excel exports
            if len(cells) > len(names):
                raise DataError(path, f"has {len(cells)} cells but the header has {len(names)}",
                                "remove the extra separators or quote text that "
                                f"contains '{delimiter}'", row=number)
            cells = [c.strip() for c in cells] + [""] * (len(names) - len(cells))
            body.append((number, cells))
        frame = pd.DataFrame([c for _, c in body], columns=names, dtype=str)
        frame.index = pd.Index([n for n, _ in body], name="source_row")
        return RawTable(path, frame, decimal_comma=delimiter == ";", where=str(path))
    raise DataError(path, f"unsupported file type '{path.suffix}'",
                    "give a .csv (comma or semicolon separated) or an .xlsx file")


# Modules that register kinds of their own (imported on demand, so `check` knows them).
KIND_MODULES = ("udkecon.business_case",)


def _register_all_kinds() -> None:
    import importlib

    for name in KIND_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def detect_kind(raw: RawTable) -> str:
    """Which kind of file this is, from its header."""
    _register_all_kinds()
    header = set(raw.frame.columns)
    exact = [s.kind for s in SCHEMAS.values()
             if s.free_value_column is None and set(s.required_names) <= header]
    if exact:
        # the schema that explains most of the header wins (costs vs dut both have year)
        return max(exact, key=lambda k: len(SCHEMAS[k].required_names))
    if list(raw.frame.columns)[:1] == ["year"] and len(header) == 2:
        return "price_index"
    best = max(SCHEMAS.values(),
               key=lambda s: len(set(s.required_names) & header) / max(len(s.required_names), 1))
    if set(best.required_names) & header:
        return best.kind
    raise DataError(raw.where or raw.path, f"the header ({', '.join(raw.frame.columns)}) "
                    "matches no known kind of file", "give the kind with --kind "
                    f"({', '.join(sorted(SCHEMAS))}) or fix the header", row=1)


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str, decimal_comma: bool) -> float | None:
    """Parse a number as written in the file; None when it is not one.

    >>> parse_number("1.234,5", decimal_comma=True)
    1234.5
    >>> parse_number("1234.5", decimal_comma=False)
    1234.5
    >>> parse_number("12 mio", decimal_comma=False) is None
    True

    In a semicolon file a point may only group thousands ("1.234"); "101.4" is refused
    rather than read as 1014.

    >>> parse_number("101.4", decimal_comma=True) is None
    True
    """
    s = text.replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        if "." in s and not _THOUSANDS.match(s):
            return None
        s = s.replace(".", "").replace(",", ".")
    if not _NUMBER.match(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def _close(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else ""


def _cell_problem(column: Column, text: str, decimal_comma: bool):
    """(value, problem, fix) for one cell; problem is None when the cell is fine."""
    if text == "":
        if column.optional_value:
            return None, None, None
        what = "amount" if column.type in ("float", "int") else "value"
        return None, f"empty {what}", f"fill in the {what} (write 0 if it is zero)"
    if column.type in ("float", "int", "year"):
        value = parse_number(text, decimal_comma)
        sep = ("decimal comma, e.g. 12,5" if decimal_comma else "decimal point, e.g. 12.5")
        if value is None:
            return None, f"'{text}' is not a number", f"write a plain number with a {sep}"
        if column.type in ("int", "year") and abs(value) >= 2**53:
            return None, f"'{text}' is too large", "write the whole number without exponent"
        if column.type in ("int", "year") and value != int(value):
            return None, f"'{text}' is not a whole number", "write a whole number"
        if column.type == "year" and not 1900 <= value <= 2200:
            return None, f"'{text}' is not a year", "write a four-digit year such as 2020"
        if column.nonnegative and value < 0:
            return None, f"negative amount {text}", ("costs cannot be negative; record "
                                                     "savings or compensation in their own "
                                                     "file or column")
        if column.positive and value <= 0:
            return None, f"non-positive index value {text}", ("an index must be greater than "
                                                              "zero; correct the value")
        if column.lower is not None and value < column.lower:
            return (None, f"{text} is below {column.lower:g}",
                    f"write a value of at least {column.lower:g}")
        if column.upper is not None and value > column.upper:
            return (None, f"{text} is above {column.upper:g}",
                    f"write a value of at most {column.upper:g}")
        return (int(value) if column.type in ("int", "year") else value), None, None
    if column.type == "month":
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            return None, f"'{text}' is not a month", "write the month as YYYY-MM, e.g. 2020-03"
        return text, None, None
    if column.type == "date":
        try:
            # ISO only: "07.01.2021" would otherwise be read month first (1 July)
            return dt.date.fromisoformat(text), None, None
        except ValueError:
            return None, f"'{text}' is not a date", "write the date as YYYY-MM-DD"
    if column.allowed is not None and text not in column.allowed:
        guess = _close(text, column.allowed)
        hint = f"did you mean '{guess}'? " if guess else ""
        return None, f"unknown {column.name.replace('_', ' ')} '{text}'", \
            f"{hint}use one of: {', '.join(column.allowed)}"
    return text, None, None


def validate(path, kind: str | None = None) -> tuple[pd.DataFrame | None, list[DataError]]:
    """Read and check a file; return (typed frame or None, list of problems)."""
    try:
        raw = read_raw(path)
        kind = kind or detect_kind(raw)
    except DataError as error:
        return None, [error]
    where = raw.where or str(path)
    if kind not in SCHEMAS:
        _register_all_kinds()
    if kind not in SCHEMAS:
        return None, [DataError(where, f"unknown kind '{kind}'",
                                f"use one of: {', '.join(sorted(SCHEMAS))}")]
    schema = SCHEMAS[kind]
    frame = raw.frame
    if frame.empty:
        return None, [DataError(where, "has a header but no data rows",
                                "add the rows below the header", row=2)]
    problems: list[DataError] = []

    columns = list(schema.columns)
    if schema.free_value_column is not None:
        others = [c for c in frame.columns if c != "year"]
        if len(others) != 1:
            problems.append(DataError(where, f"a price index needs 'year' and exactly one index "
                                      f"column, found {', '.join(frame.columns)}",
                                      "keep two columns: year and the index value", row=1))
            return None, problems
        columns.append(Column(others[0], schema.free_value_column.type, positive=True))
    unexpected = [c for c in frame.columns if c not in {col.name for col in columns}]
    for column in columns:
        if column.required and column.name not in frame.columns:
            guess = _close(column.name, unexpected)
            problem = f"column '{column.name}' is missing"
            if guess:
                problem += f" (found '{guess}', misspelt?)"
            fix = (f"rename the column '{guess}' to '{column.name}'" if guess
                   else f"add a column '{column.name}' to the header")
            problems.append(DataError(where, problem, fix, row=1, column=column.name))
    if problems:
        return None, problems

    typed = {}
    for column in columns:
        if column.name not in frame.columns:
            continue
        values = []
        for row, text in frame[column.name].items():
            value, problem, fix = _cell_problem(column, text, raw.decimal_comma)
            if problem:
                problems.append(DataError(where, problem, fix, row=row, column=column.name))
            values.append(value)
        typed[column.name] = values
    result = pd.DataFrame(typed, index=frame.index)
    for column in columns:
        if column.name in result and column.type in ("int", "year"):
            result[column.name] = result[column.name].astype("Int64")
        elif column.name in result and column.type == "float":
            result[column.name] = result[column.name].astype("float64")

    if schema.key and not problems:
        seen: dict[tuple, int] = {}
        for row, key in zip(result.index, result[list(schema.key)].itertuples(index=False),
                            strict=True):
            key = tuple(key)
            if key in seen:
                what = ", ".join(f"{k} {v}" for k, v in zip(schema.key, key, strict=True))
                problems.append(DataError(
                    where, f"duplicate row for {what} (also row {seen[key]})",
                    "merge the two rows into one or correct the key", row=row,
                    column=schema.key[-1]))
            else:
                seen[key] = row
    if schema.kind == "phases" and not problems:
        for row, first, last in zip(result.index, result["first_year"], result["last_year"],
                                    strict=True):
            if last < first:
                problems.append(DataError(where, f"last_year {last} is before first_year {first}",
                                          "swap the two years", row=row, column="last_year"))
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        return None, problems
    result.attrs.update(source_file=str(Path(path)), sha256=sha256(path), kind=kind)
    return result, []


def load(path, kind: str | None = None) -> pd.DataFrame:
    """Load and validate a file; raise the first `DataError` if anything is wrong."""
    frame, problems = validate(path, kind)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.fix += (f" ({len(problems) - 1} more problem(s): "
                          f"python -m udkecon check {path})")
            first.args = (first._message(),)
        raise first
    return frame


def check_year_coverage(frame: pd.DataFrame, years_covered, what: str, fix: str) -> None:
    """Raise a DataError at the first row whose year is not in `years_covered`."""
    covered = set(int(y) for y in years_covered)
    for row, year in frame["year"].items():
        if int(year) not in covered:
            span = f"{min(covered)}-{max(covered)}" if covered else "no years"
            raise DataError(frame.attrs.get("source_file", "<table>"),
                            f"year {year} is not covered by {what} (it covers {span})",
                            fix, row=row, column="year")


# --------------------------------------------------------------------------- named inputs

def load_municipalities(path=None) -> pd.DataFrame:
    return load(path or config.MUNICIPALITIES_FILE, "municipalities")


def load_sources(path=None) -> pd.DataFrame:
    path = Path(path or config.SOURCES_FILE)
    stat = path.stat()
    # every report and handout asks for provenance several times: read the table once per
    # state of the file (a long-lived batch kernel still sees an edit)
    return _sources(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _sources(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return load(path, "sources")


def provenance(path, sha: str | None = None) -> dict:
    """Title, source and status of a data file, from data/raw/sources.csv.

    A file that is not listed (a user's own) is described by its path. `sha` is the
    file's sha256 when the caller already has it (a loaded table's attrs).
    """
    path = Path(path)
    table = load_sources()
    hit = table[table["file"] == path.name]
    if path.resolve().parent == config.RAW_DIR.resolve() and len(hit):
        record = hit.iloc[0].to_dict()
    else:
        record = {"file": path.name, "title_da": path.name, "title_en": path.name,
                  "source": f"brugerens egen fil {path}",
                  "source_en": f"user-supplied file {path}", "status": "unknown"}
    record["sha256"] = sha or sha256(path)
    record["path"] = str(path)
    return record


def source_text(record: dict, language: str = "da") -> str:
    """A file's source in the reader's language (the Danish citation when none is given)."""
    return record.get(f"source_{language}") or record.get("source", "")


def is_illustrative(*frames: pd.DataFrame) -> bool:
    """True when any row of the given tables is marked illustrative."""
    return any("data_status" in f and (f["data_status"] == "illustrative").any() for f in frames)
