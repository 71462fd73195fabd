"""Loading and validating input files: CSV (comma, or Danish semicolon with decimal comma;
UTF-8 with or without BOM, Windows-1252 or UTF-16) and .xlsx, each checked against the
schema of its kind. Reading the file into cells is `udkecon.reading`; the number forms
accepted are `udkecon.number_forms`; checks of whole tables are `udkecon.table_checks`.

Every loaded table is a tidy DataFrame whose index is the row number a person sees in
the file (header = row 1), so that a later check can still point at the exact row; its
`attrs` carry the file, its sha256 (of the very bytes parsed) and its kind.

Problems are `DataError`s naming file, row, column, problem and fix. `validate` collects
all of them (the `check` command prints one line each); `load` raises the first. A problem
of the header, or one that every row of a column shares (a shifted header, a column in
kroner), is one line, not one per row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from functools import cache
from pathlib import Path

import pandas as pd

from . import config, hashing
from .errors import DataError, invisible_in, shown
from .number_forms import parse_number
from .reading import ExcelError, MergedAway, RawTable, UnsavedFormula, read_raw, split_sheet
from .schemas import (  # noqa: F401  (re-exported: the kinds belong with loading)
    COST_TYPES,
    DATA_STATUSES,
    SCHEMAS,
    SYSTEM_GROUPS,
    Column,
    Schema,
    register,
)
from .table_checks import key_text, same_spelling

__all__ = ["RawTable", "read_raw", "validate", "load", "detect_kind", "sha256"]


def sha256(path) -> str:
    """The file's sha256 (a workbook's, for `book.xlsx#Sheet`)."""
    return hashing.sha256(split_sheet(path)[0])


# Modules that register kinds of their own (imported on demand, so `check` knows them).
KIND_MODULES = ("udkecon.business_case", "udkecon.population")


def _register_all_kinds() -> None:
    import importlib

    for name in KIND_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _header_below(raw: RawTable, names_sets) -> DataError | None:
    """A header further down (title rows above it) is one line about the header."""
    for row, values in raw.frame.head(10).iterrows():
        cells = {str(v).strip() for v in values}
        if any(names <= cells for names in names_sets):
            return DataError(raw.where, f"the header is on row {row}, not on row "
                             f"{raw.header_row}", "delete the rows above the header (a title "
                             "belongs in the file name or data/raw/sources.csv)",
                             row=raw.header_row)
    return None


def _other_sheets(raw: RawTable) -> str:
    others = [s for s in raw.sheets if f"(sheet '{s}')" not in raw.where]
    if not others:
        return ""
    return f"; or name the sheet that holds the table: {raw.path}#{others[0]}"


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
    below = _header_below(raw, [set(s.required_names) for s in SCHEMAS.values()
                                if s.free_value_column is None])
    if below:
        raise below
    best = max(SCHEMAS.values(),
               key=lambda s: len(set(s.required_names) & header) / max(len(s.required_names), 1))
    if set(best.required_names) & header:
        return best.kind
    raise DataError(raw.where or raw.path, f"the header ({', '.join(raw.frame.columns)}) "
                    "matches no known kind of file", "give the kind with --kind "
                    f"({', '.join(sorted(SCHEMAS))}) or fix the header" + _other_sheets(raw),
                    row=raw.header_row)


def _close(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else ""


_NUMERIC = ("float", "int", "year")


def _number(column: Column, value, decimal_comma: bool, xlsx: bool):
    """(number, problem, fix) of a cell in a numeric column."""
    if isinstance(value, bool):
        return None, f"{str(value).upper()} is not a number", "write a number"
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return None, f"{value} is not a number", "write a finite number"
        return number, None, None
    if isinstance(value, (dt.date, dt.time)):
        return None, f"the cell holds a date ({_date_text(value)}), not a number", \
            "format the cell as a number, not as a date"
    number, why = parse_number(value, decimal_comma, whole=column.type in ("int", "year"))
    if xlsx:
        return (number, None, None) if why is None else (
            None, f"'{value}' is text, not a number ({why})",
            "enter the number as a number (not text), e.g. 12.5 in a cell formatted as "
            "a number")
    sep = ("decimal comma, e.g. 12,5 or 1.234,5" if decimal_comma
           else "decimal point, e.g. 12.5")
    if why is None:
        return number, None, None
    if why == "not a number":
        return None, f"'{value}' is not a number", f"write a plain number with a {sep}"
    return None, f"'{value}' is not read as a number: {why}", \
        f"write a plain number with a {sep} (this file's convention)"


# what each Excel error value means, for the message
_EXCEL_ERRORS = {
    "#REF!": "a formula refers to a deleted cell",
    "#DIV/0!": "a formula divides by zero",
    "#N/A": "a lookup found no value",
    "#VALUE!": "a formula got the wrong kind of value",
    "#NAME?": "a formula uses an unknown name",
    "#NUM!": "a formula gave an impossible number",
    "#NULL!": "two ranges that do not meet",
}


def _cell_problem(column: Column, value, decimal_comma: bool, xlsx: bool = False):
    """(value, problem, fix) for one cell; problem is None when the cell is fine."""
    if isinstance(value, ExcelError):
        cause = _EXCEL_ERRORS.get(value.code.upper())
        return None, f"the cell holds Excel error {value.code}" + (f" ({cause})" if cause
                                                                    else ""), \
            "correct the formula or value in the workbook and save it again"
    if isinstance(value, UnsavedFormula):
        return None, f"formula without a saved value ({value.formula})", \
            "open and save the file in Excel or LibreOffice, so the formula's value is stored"
    if isinstance(value, str):
        char = invisible_in(value)
        if char is not None:
            return None, f"'{shown(value)}' holds the invisible character {shown(char)}", \
                "delete it (retype the cell)"
    if isinstance(value, MergedAway):
        if column.optional_value:
            return None, None, None
        # merged cells show one value over several rows, but only the first cell holds it
        return None, f"empty: the cell is part of the merged cells {value.merge}, and only " \
            "the first of them holds the value", "unmerge the cells and write the value in " \
            "every row"
    if isinstance(value, str) and value == "":
        if column.optional_value:
            return None, None, None
        if column.type in ("float", "int"):
            return None, "empty amount", "fill in the amount (write 0 if it is zero)"
        return None, "empty value", "fill in the value"
    if column.type in _NUMERIC:
        number, problem, fix = _number(column, value, decimal_comma, xlsx)
        if problem:
            return None, problem, fix
        # a message quotes the number as the file writes it ("100.50", "1.234,5")
        return _range_problem(column, number, value if isinstance(value, str) else None)
    if column.type == "month":
        if isinstance(value, dt.datetime) and value.day == 1 and value.time() == dt.time():
            return f"{value.year:04d}-{value.month:02d}", None, None
        if isinstance(value, (dt.date, dt.datetime)):
            return None, f"the cell holds the date {value:%Y-%m-%d}, not a month", \
                "write the month as YYYY-MM, e.g. 2020-03, or a date on the 1st of the month"
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value)):
            return None, f"'{value}' is not a month", "write the month as YYYY-MM, e.g. 2020-03"
        return value, None, None
    if column.type == "date":
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                return None, (f"the cell holds a date and time ({_date_text(value)}), not "
                              "a date"), \
                    "give the date without a time of day"
            return value.date(), None, None
        if isinstance(value, dt.date):
            return value, None, None
        if not isinstance(value, str):
            return None, f"the cell holds the number {value}, not a date", \
                "format the cell as a date, or write the date as YYYY-MM-DD"
        try:
            # ISO only: "07.01.2021" would otherwise be read month first (1 July)
            return dt.date.fromisoformat(value), None, None
        except ValueError:
            return None, f"'{value}' is not a date", "write the date as YYYY-MM-DD"
    value = _as_text(value)
    if column.allowed is not None and value not in column.allowed:
        guess = _close(value, column.allowed)
        hint = f"did you mean '{guess}'? " if guess else ""
        return None, f"unknown {column.name.replace('_', ' ')} '{value}'", \
            f"{hint}use one of: {', '.join(column.allowed)}"
    return value, None, None


def _date_text(value) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _as_text(value) -> str:
    """A workbook cell in a text column, as the text it shows."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _range_problem(column: Column, value: float, text: str | None = None):
    if text is None:
        text = f"{value:.15g}"
    if column.type in ("int", "year") and abs(value) >= 2**53:
        return None, f"{text} is too large", "write the whole number without exponent"
    if column.type in ("int", "year") and value != int(value):
        return None, f"{text} is not a whole number", "write a whole number"
    if column.type == "year" and not 1900 <= value <= 2200:
        return None, f"{text} is not a year", "write a four-digit year such as 2020"
    if column.nonnegative and value < 0:
        if "mio_dkk" in column.name or column.name in ("low", "mode", "high"):
            return None, f"negative amount {text}", (
                "costs cannot be negative; record savings or compensation in their own file "
                "or column")
        return None, f"negative value {text}", column.fix or "write a value of at least 0"
    if column.positive and value <= 0:
        what = "index value" if column.name != "population_2020_01_01" else "population"
        return None, f"non-positive {what} {text}", column.fix or "correct the value"
    if column.lower is not None and value < column.lower:
        return (None, f"{text} is below {column.lower:g}",
                f"write a value of at least {column.lower:g}")
    if column.upper is not None and value > column.upper:
        return (None, f"{text} is above {column.upper:g}",
                f"write a value of at most {column.upper:g}")
    low, high = column.plausible
    if low is not None and value < low:
        return None, f"{text} is implausibly small (below {low:,.15g})", column.fix
    if high is not None and value > high:
        return None, f"{text} is implausibly large (above {high:,.15g})", column.fix
    return (int(value) if column.type in ("int", "year") else value), None, None


def _header_problems(raw: RawTable, schema: Schema, columns: list[Column]) -> list[DataError]:
    """At most one line about the header: the columns missing, or a near-miss name."""
    frame, where = raw.frame, raw.where
    names = {col.name for col in columns}
    unexpected = [c for c in frame.columns if c not in names]
    missing = [c for c in columns if c.required and c.name not in frame.columns]
    if missing:
        below = _header_below(raw, [set(schema.required_names)])
        if below:
            return [below]
        found = {c.name: _close(c.name, unexpected) for c in missing}
        parts = [f"'{name}'" + (f" (found '{guess}', misspelt?)" if guess else "")
                 for name, guess in found.items()]
        first, guess = next(iter(found.items()))
        problem = (f"column '{first}' is missing" + (f" (found '{guess}', misspelt?)" if guess
                                                     else "")
                   if len(parts) == 1 else
                   f"{len(parts)} columns are missing: {', '.join(parts)}")
        fix = (f"rename the column '{guess}' to '{first}'" if guess and len(parts) == 1
               else f"give the header the columns {', '.join(schema.required_names)}"
               + _other_sheets(raw))
        return [DataError(where, problem, fix, row=raw.header_row, column=first)]
    absent = [c.name for c in columns if c.name not in frame.columns]
    for name in unexpected:
        guess = _close(name, absent)
        if guess:
            return [DataError(where, f"unknown column '{name}' (misspelt '{guess}'?)",
                              f"rename the column to '{guess}', or give it another name if it "
                              "is a column of your own", row=raw.header_row, column=name)]
    return []


def _one_line_per_column(problems: list[DataError], rows: int, where: str,
                         header_row: int) -> list[DataError]:
    """A problem every row of a column shares is one line; several such columns are one
    line about the header (it is shifted against the data, or names the wrong columns)."""
    if rows < 2:
        return problems
    by_column: dict[str, list[DataError]] = {}
    for problem in problems:
        by_column.setdefault(problem.column, []).append(problem)
    everywhere = [c for c, found in by_column.items() if len({p.row for p in found}) == rows]
    if not everywhere:
        return problems
    kept = [p for p in problems if p.column not in everywhere]
    first = by_column[everywhere[0]][0]
    if len(everywhere) > 1:
        names = ", ".join(f"'{c}'" for c in everywhere)
        kept.append(DataError(where, f"no row has a valid value in the columns {names} (row "
                              f"{first.row}, '{first.column}': {first.problem}): the header "
                              "does not fit the data", "check that the header names the "
                              "columns in the order of the data (is it shifted?)",
                              row=header_row, column=first.column))
    else:
        kept.append(DataError(where, f"{first.problem}, and every other row of the column is "
                              "refused too", first.fix, row=first.row, column=first.column))
    return kept


def validate(path, kind: str | None = None, sheet: str | None = None
             ) -> tuple[pd.DataFrame | None, list[DataError]]:
    """Read and check a file; return (typed frame or None, list of problems).

    `path` may name a workbook's sheet after '#' (`costs.xlsx#Ledger`), or give `sheet`.
    """
    try:
        raw = read_raw(path, sheet)
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
    columns = list(schema.columns)
    if schema.free_value_column is not None:
        others = [c for c in frame.columns if c != "year"]
        if len(others) != 1 or "year" not in frame.columns:
            return None, [DataError(where, f"a price index needs 'year' and exactly one index "
                                    f"column, found {', '.join(frame.columns)}",
                                    "keep two columns: year and the index value",
                                    row=raw.header_row)]
        free = schema.free_value_column
        columns.append(Column(others[0], free.type, positive=free.positive, fix=free.fix,
                              plausible=free.plausible))
    problems = _header_problems(raw, schema, columns)
    if problems:
        return None, problems
    if frame.empty:
        return None, [DataError(where, "has a header but no data rows",
                                "add the rows below the header", row=raw.header_row + 1)]

    xlsx = raw.path.suffix.lower() in (".xlsx", ".xlsm")
    typed = {}
    for column in columns:
        if column.name not in frame.columns:
            continue
        values = []
        for row, text in frame[column.name].items():
            value, problem, fix = _cell_problem(column, text, raw.decimal_comma, xlsx)
            if problem:
                problems.append(DataError(where, problem, fix, row=row, column=column.name))
            values.append(value)
        typed[column.name] = values
    if problems:
        problems = _one_line_per_column(problems, len(frame), where, raw.header_row)
        problems.sort(key=lambda p: (p.row or 0))
        return None, problems
    result = pd.DataFrame(typed, index=frame.index)
    for column in columns:
        if column.name in result and column.type in ("int", "year"):
            result[column.name] = result[column.name].astype("Int64")
        elif column.name in result and column.type == "float":
            result[column.name] = result[column.name].astype("float64")

    problems = _table_problems(result, schema, where)
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        return None, problems
    result.attrs.update(source_file=str(raw.path), sha256=raw.sha256, kind=kind)
    if xlsx:
        result.attrs["sheet"] = where
    return result, []


def _table_problems(result: pd.DataFrame, schema: Schema, where: str) -> list[DataError]:
    """Checks of the whole table: names spelt one way, unique keys, the kind's own checks."""
    problems: list[DataError] = []
    text_keys = [c.name for c in schema.columns if c.name in schema.key and c.type == "str"]
    for name in text_keys:
        problems += same_spelling(result, where, name)
    if problems:
        return problems
    if schema.key:
        seen: dict[tuple, int] = {}
        keys = result[list(schema.key)].itertuples(index=False)
        for row, key in zip(result.index, keys, strict=True):
            # "UDK Barsel" and "udk barsel\u200b" are one system: compare normalised keys
            normal = tuple(key_text(k) if isinstance(k, str) else k for k in key)
            if normal in seen:
                what = ", ".join(f"{k} {v}" for k, v in zip(schema.key, key, strict=True))
                problems.append(DataError(
                    where, f"duplicate row for {what} (also row {seen[normal]})",
                    "merge the two rows into one or correct the key", row=row,
                    column=schema.key[-1]))
            else:
                seen[normal] = row
    if schema.kind == "phases" and not problems:
        for row, first, last in zip(result.index, result["first_year"], result["last_year"],
                                    strict=True):
            if last < first:
                problems.append(DataError(where, f"last_year {last} is before first_year {first}",
                                          "swap the two years", row=row, column="last_year"))
    if problems:
        return problems
    for check in schema.checks:
        problems += check(result, where)
        if problems:
            break
    return problems


def load(path, kind: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """Load and validate a file; raise the first `DataError` if anything is wrong."""
    frame, problems = validate(path, kind, sheet)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.fix += (f" ({len(problems) - 1} more problem(s): "
                          f"python -m udkecon check {path})")
            first.args = (first._message(),)
        raise first
    return frame


def year_ranges(years) -> str:
    """Years as runs: `year_ranges([2017, 2018, 2020, 2021])` is '2017-2018, 2020-2021'."""
    runs: list[list[int]] = []
    for year in sorted(set(int(y) for y in years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs) or "no years"


def check_year_coverage(frame: pd.DataFrame, years_covered, what: str, fix: str) -> None:
    """Raise a DataError at the first row whose year is not in `years_covered`."""
    covered = set(int(y) for y in years_covered)
    for row, year in frame["year"].items():
        if int(year) not in covered:
            # a year inside the other file's span lacks its row; one outside is not covered
            inside = covered and min(covered) < int(year) < max(covered)
            problem = (f"year {year} has no row in {what} (its years: "
                       f"{year_ranges(covered)})" if inside else
                       f"year {year} is not covered by {what} (it covers "
                       f"{year_ranges(covered)})")
            raise DataError(frame.attrs.get("source_file", "<table>"), problem, fix, row=row,
                            column="year")


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
    path = split_sheet(path)[0]  # a workbook named with its sheet: costs.xlsx#Ledger
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
    """A file's source in the reader's language (the Danish citation when none is given),
    with the date it was retrieved when sources.csv records one (`refresh` does)."""
    text = record.get(f"source_{language}") or record.get("source", "")
    retrieved = record.get("retrieved")
    if isinstance(retrieved, dt.date):
        from .fmt import long_date
        from .labels import label

        text += f", {label('retrieved', language)} {long_date(retrieved, language)}"
    return text


def is_illustrative(*frames: pd.DataFrame) -> bool:
    """True when any row of the given tables is marked illustrative."""
    return any("data_status" in f and (f["data_status"] == "illustrative").any() for f in frames)
