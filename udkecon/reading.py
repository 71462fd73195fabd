"""Reading an input file into cells, before any schema: the bytes of a regular file, text in
one encoding, strict CSV, or one deliberately chosen sheet of a workbook.

What cannot be read without guessing is refused with a `DataError` naming the file, the
line or row, and the fix: a missing or unreadable file, a folder or a pipe where a file
belongs (never opened, so a pipe cannot hang the reader), a binary file, mixed encodings,
an unterminated quote, a header with duplicate or empty names, rows that do not fit the
header, a workbook whose sheet to read is not clear.

Rows are numbered as a person finds them: in a CSV, the line the row starts on (header =
line 1 when the file starts with it); in a workbook, the spreadsheet row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError, invisible_in, shown

# The largest input file read: a ledger of 100,000 rows is about 10 MB; anything far larger
# is not a table for this suite (and reading it whole would exhaust memory).
MAX_BYTES = 256 * 2**20
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SAVE_AS = "save it from Excel as 'CSV UTF-8' or as .xlsx"


@dataclass(frozen=True)
class ExcelError:
    """A cell that holds an Excel error value (#REF!, #DIV/0!, #N/A, #VALUE!, ...)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class UnsavedFormula:
    """A formula cell saved without its value (written by a program, never recalculated)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass
class RawTable:
    """The cells of a file before any schema is applied.

    CSV cells are text; workbook cells keep their type (number, date, text, `ExcelError`,
    `UnsavedFormula`); an empty cell is "". The index is the row number in the file.
    """

    path: Path
    frame: pd.DataFrame
    decimal_comma: bool
    where: str = ""  # how problems name the file: the path, and the sheet of a workbook
    sha256: str = ""
    header_row: int = 1
    sheets: tuple[str, ...] = field(default_factory=tuple)  # all sheets of a workbook


# --------------------------------------------------------------------------- the file

def split_sheet(path, sheet: str | None = None) -> tuple[Path, str | None]:
    """A workbook path may name its sheet after '#': `costs.xlsx#Ledger`.

    A path that exists as given is taken as it is (a '#' may be part of a file name).
    Otherwise the workbook ends at the first '#' after an .xlsx name that exists, so a
    sheet's own name may hold '#' (`costs.xlsx#Data#2`); with no such file, at the first
    '#' after an .xlsx name (the message then names that file as not found).
    """
    text = str(path)
    if sheet is None and "#" in text and not os.path.lexists(text):
        splits = [(text[:i], text[i + 1:]) for i, char in enumerate(text) if char == "#"
                  and text[:i].lower().endswith(XLSX_SUFFIXES)]
        existing = [(base, name) for base, name in splits if os.path.lexists(base)]
        if existing or splits:
            base, name = (existing or splits)[0]
            return Path(base), name
    return Path(text), sheet


_FILE_TYPES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _not_regular(path, mode: int) -> DataError:
    if stat.S_ISDIR(mode):
        return DataError(path, "is a folder, not a file",
                         "give the path of a CSV or .xlsx file inside it")
    what = next((name for test, name in _FILE_TYPES if test(mode)), "not a regular file")
    return DataError(path, f"is {what}, not a regular file",
                     "give the path of a CSV or .xlsx file saved on disk")


def read_bytes(path) -> bytes:
    """The bytes of a regular file, or a DataError; a folder, pipe or device is never read."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise DataError(path, "is a symbolic link to a file that does not exist",
                            "point the link at the file, or give the file's own path") from None
        text = str(path)
        named = next((text[:i] for i, char in enumerate(text) if char == "#"
                      and os.path.isfile(text[:i])), None)
        if named is not None:  # data.csv#Sheet1: only a workbook's path may name a sheet
            raise DataError(path, f"names a sheet after '#', but {named} is not a workbook "
                            "(.xlsx) and has no sheets",
                            f"give the file without the sheet: {named}") from None
        raise DataError(path, "file not found",
                        "check the path, or copy the file into data/raw/") from None
    except NotADirectoryError:
        raise DataError(path, "file not found (a part of the path is a file, not a folder)",
                        "check the path") from None
    except PermissionError:
        raise DataError(path, "cannot be reached: permission denied on a folder of the path",
                        "ask for access to the folder, or copy the file elsewhere") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DataError(path, f"cannot be opened ({reason})", "check the path") from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(path, info.st_mode)
    too_large = DataError(path, f"is {info.st_size / 2**20:,.0f} MB, larger than the "
                          f"{MAX_BYTES // 2**20} MB an input table may be",
                          "give the table itself, not an archive or a database export")
    if info.st_size > MAX_BYTES:
        raise too_large
    try:
        # O_NONBLOCK: should the file have been replaced by a pipe since the stat, opening
        # it must not wait for a writer
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise DataError(path, "cannot be read: permission denied",
                        "give yourself read access (chmod u+r) or copy the file") from None
    except OSError as exc:
        raise DataError(path, f"cannot be opened ({exc.strerror})",
                        "check the path and the file") from None
    with os.fdopen(handle, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise DataError(path, f"cannot be read ({exc.strerror})",
                            "copy the file to a local disk and try again") from None
    if len(data) > MAX_BYTES:
        raise too_large
    return data


def read_raw(path, sheet: str | None = None) -> RawTable:
    """Read a CSV or .xlsx file into cells (`costs.xlsx#Ledger` names a workbook's sheet)."""
    path, sheet = split_sheet(path, sheet)
    suffix = path.suffix.lower()
    data = read_bytes(path)  # first: a folder or a pipe is named as such, whatever its name
    if suffix == ".xls":
        raise DataError(path, "is an old Excel .xls workbook",
                        "save it from Excel as .xlsx or as 'CSV UTF-8'")
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise DataError(path, f"unsupported file type '{path.suffix}'",
                        "give a .csv (comma or semicolon separated) or an .xlsx file")
    digest = hashlib.sha256(data).hexdigest()
    if suffix in XLSX_SUFFIXES:
        raw = _read_xlsx(path, data, sheet)
    else:
        if sheet is not None:
            raise DataError(path, f"is a CSV file, which has no sheet '{sheet}'",
                            "name a sheet only after an .xlsx file")
        raw = _read_csv(path, data)
    raw.sha256 = digest
    return raw


# --------------------------------------------------------------------------- CSV

_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or another zip archive",
     "rename it to .xlsx if it is a workbook, or export the table as 'CSV UTF-8'"),
    (b"\xd0\xcf\x11\xe0", "an old .xls workbook (or a password-protected one)", SAVE_AS),
    (b"%PDF", "a PDF document", "export the table from its source as CSV or .xlsx"),
    (b"\x89PNG", "an image", "export the table from its source as CSV or .xlsx"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
)
_UTF8_BOM = b"\xef\xbb\xbf"


def _line_at(data: bytes, offset: int) -> int:
    """The line (1 = first) that byte `offset` is on; LF, CRLF or CR end a line."""
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _lines(data: bytes) -> list[bytes]:
    return re.split(rb"\r\n|\r|\n", data)


def _decode(path: Path, data: bytes) -> str:
    """The text of a CSV in its one encoding: UTF-8 (with or without BOM), Windows-1252 or
    UTF-16 with a BOM. A file that mixes encodings is refused at its first odd line."""
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise DataError(path, f"is {what}, not a CSV text file", fix, row=1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n\x00") + data[:exc.start].count(b"\x00\n") + 1
            raise DataError(path, "is damaged UTF-16 text", SAVE_AS, row=line) from None
    if b"\x00" in data:
        offset = data.index(b"\x00")
        if data[1:200:2].count(0) > 50 or data[0:200:2].count(0) > 50:
            raise DataError(path, "is UTF-16 text without a byte order mark",
                            SAVE_AS, row=1)
        raise DataError(path, "holds a NUL byte (\\x00): a binary file, or a damaged export",
                        SAVE_AS, row=_line_at(data, offset))
    bom = data.startswith(_UTF8_BOM)
    body = data[len(_UTF8_BOM):] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(_UTF8_BOM) if bom else 0)
        bad_line, byte = _line_at(data, offset), data[offset]
    if bom:
        raise DataError(path, f"starts with a UTF-8 byte order mark, but line {bad_line} is "
                        f"not UTF-8 (byte 0x{byte:02x}): the file mixes encodings",
                        "retype the special letters on that line, or save the whole file "
                        "again from Excel as 'CSV UTF-8'", row=bad_line)
    for number, line in enumerate(_lines(body), start=1):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            # one line is UTF-8 with letters beyond ASCII, another is not: decoding the
            # whole file as Windows-1252 would turn this line's letters into mojibake
            raise DataError(path, f"mixes encodings: line {number} is UTF-8 but line "
                            f"{bad_line} is not (byte 0x{byte:02x})",
                            "retype the special letters on that line, or save the whole "
                            "file again from Excel as 'CSV UTF-8'", row=bad_line)
    try:
        return body.decode("cp1252")  # Danish Excel's plain "CSV"
    except UnicodeDecodeError as exc:
        line = _line_at(body, exc.start)
        raise DataError(path, f"is not a text file in UTF-8 or Windows-1252 (byte "
                        f"0x{body[exc.start]:02x} on line {line})", SAVE_AS,
                        row=line) from None


def _delimiter(path: Path, header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    if counts["\t"] > max(counts[";"], counts[","]):
        raise DataError(path, "is separated by tabs", "save it from Excel as 'CSV UTF-8' "
                        "(comma) or 'CSV' (semicolon), or as .xlsx", row=1)
    # Danish Excel writes ";" and a decimal comma; a header never needs a quoted separator
    return ";" if counts[";"] > counts[","] else ","


def _records(path: Path, text: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of every record, parsed strictly."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, start = [], 1
    try:
        for cells in reader:
            records.append((start, reader.line_num, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        close = ("close the quote, or remove it; a quote inside a quoted cell is written "
                 "twice (\"\")")
        if "field larger than field limit" in message:
            raise DataError(path, "a cell starting on this line is longer than 128 KiB, "
                            "most likely because a quote (\") is never closed", close,
                            row=start) from None
        if "unexpected end of data" in message:
            raise DataError(path, "a quote (\") opened on this line is never closed: the "
                            "rest of the file would be read as one cell", close,
                            row=start) from None
        if "expected after" in message:
            if reader.line_num > start:
                raise DataError(path, f"a quote (\") opened on this line closes only on line "
                                f"{reader.line_num}, with text after it: an unterminated "
                                "quote", close, row=start) from None
            raise DataError(path, "text after the closing quote of a cell (\"abc\"def)",
                            "quote the whole cell, and write a quote inside it twice (\"\")",
                            row=start) from None
        raise DataError(path, f"cannot be read as CSV ({message})", SAVE_AS,
                        row=start) from None
    return records


def _read_csv(path: Path, data: bytes) -> RawTable:
    text = _decode(path, data)
    if not text.strip():
        raise DataError(path, "the file is empty", "export the table with its header row",
                        row=1)
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = _delimiter(path, first)
    records = [r for r in _records(path, text, delimiter) if any(c.strip() for c in r[2])]
    header_row, _, header = records[0]
    names = [name.strip() for name in header]
    body = records[1:]
    # an empty last header cell (a trailing separator) with no values below is no column
    while names and names[-1] == "" and all(len(c) < len(names) or not c[len(names) - 1]
                                            .strip() for _, _, c in body):
        names.pop()
    _check_header(path, names, header_row)
    wide = [(line, cells) for line, _, cells in body if len(cells) > len(names)]
    if wide:
        line, cells = wide[0]
        if len(wide) == len(body) and len(body) > 1:
            raise DataError(path, f"every data row has {len(cells)} cells but the header has "
                            f"{len(names)} names: the header is shifted or lacks a name",
                            "give every column a name in the header row", row=header_row)
        raise DataError(path, f"has {len(cells)} cells but the header has {len(names)}",
                        "remove the extra separators or quote text that contains "
                        f"'{delimiter}'", row=line)
    narrow = [len(cells) for _, _, cells in body if len(cells) < len(names)]
    if len(body) > 1 and len(narrow) == len(body) and len(set(narrow)) == 1:
        raise DataError(path, f"the header has {len(names)} names but every data row has "
                        f"{narrow[0]} cells: the header is shifted or has a name too many",
                        "make the header name exactly the columns of the rows",
                        row=header_row)
    rows = []
    for line, last, cells in body:
        if last > line and len(names) >= 3:
            _check_multiline(path, cells, delimiter, len(names), line)
        rows.append([c.strip() for c in cells] + [""] * (len(names) - len(cells)))
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame.index = pd.Index([line for line, _, _ in body], name="source_row")
    return RawTable(path, frame, decimal_comma=delimiter == ";", where=str(path),
                    header_row=header_row)


def _check_multiline(path: Path, cells: list[str], delimiter: str, width: int,
                     line: int) -> None:
    """A quoted cell may hold line breaks, but not lines that look like rows of the file:
    those are rows swallowed by a quote that was never closed."""
    for cell in cells:
        for inner in cell.splitlines()[1:]:
            if inner.count(delimiter) >= width - 1:
                raise DataError(path, "a quote (\") opened on this line runs over the next "
                                "line(s), which look like rows: an unterminated quote",
                                "close the quote, or remove it; a quote inside a quoted cell "
                                "is written twice (\"\")", row=line)


def _check_header(where, names: list[str], row: int) -> None:
    """One line about the header, whatever is wrong with it."""
    filled = [name for name in names if name != ""]
    if len(names) >= 2 and len(filled) == 1:
        raise DataError(where, f"row {row} holds only '{shown(filled[0])}', like a title "
                        "above the header", "delete the rows above the header (a title belongs in "
                        "the file name or data/raw/sources.csv)", row=row)
    for number, name in enumerate(names, start=1):
        char = invisible_in(name)
        if char is not None:
            raise DataError(where, f"the header name '{shown(name)}' (column {number}) holds "
                            f"the invisible character {shown(char)}",
                            "delete it (a second byte order mark? save the file again as "
                            "'CSV UTF-8')", row=row)
    empty = [n for n, name in enumerate(names, start=1) if name == ""]
    if empty:
        raise DataError(where, f"column {empty[0]} has values but no name in the header",
                        "give the column a name in the header row, or delete it", row=row)
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        key = name.casefold()
        if key in seen:
            raise DataError(where, f"the header names '{name}' twice (columns {seen[key]} "
                            f"and {number})", "rename or delete one of the two columns",
                            row=row, column=name)
        seen[key] = number


# --------------------------------------------------------------------------- xlsx

def _choose_sheet(path: Path, book, name: str | None):
    """The sheet to read: the one named, else the only visible one, else the active one."""
    if not book.worksheets:
        raise DataError(path, "has no worksheet (only charts)",
                        "put the table on a worksheet of its own")
    def listing():
        return ", ".join(f"'{ws.title}'" + ("" if ws.sheet_state == "visible" else
                                            f" ({ws.sheet_state})") for ws in book.worksheets)
    if name is not None:
        match = [ws for ws in book.worksheets if ws.title == name] or \
                [ws for ws in book.worksheets if ws.title.casefold() == name.strip().casefold()]
        if not match:
            raise DataError(path, f"has no sheet '{name}' (its sheets: {listing()})",
                            f"name one of its sheets after '#', e.g. {path}#"
                            f"{book.worksheets[0].title}")
        return match[0]
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if len(visible) == 1:
        return visible[0]
    active = book.active
    if visible and active in visible:
        return active
    raise DataError(path, f"does not say which sheet to read (its sheets: {listing()})",
                    f"name the sheet after '#', e.g. {path}#{book.worksheets[0].title}")


def _sheet_has_formulas(data: bytes) -> bool:
    """Whether any sheet of the workbook holds a formula (cheap: no XML is parsed)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(re.search(rb"<(?:\w+:)?f[ >/]", archive.read(info))
                   for info in archive.infolist()
                   if info.filename.startswith("xl/worksheets/") and
                   info.filename.endswith(".xml"))


# A table for this suite is at most a ledger of some 100,000 rows and a dozen columns. A
# workbook may declare (or hold a stray cell at) XFD1048576, 17 billion cells: the sheet is
# read cell by cell as stored in the file, never by its declared dimension, and a table far
# beyond these bounds is refused rather than read into memory.
MAX_ROWS = 200_000  # rows holding values
MAX_COLUMNS = 200  # a value right of this column is no part of a table
MAX_CELLS = 5_000_000  # cells stored in the sheet, empty (formatted) ones included


@dataclass(frozen=True)
class MergedAway:
    """An empty cell inside merged cells: only the first cell of a merge holds the value."""

    merge: str  # the merged range, e.g. B3:B5

    def __str__(self) -> str:
        return ""


def _value(cell: dict):
    """The value of one parsed cell (openpyxl's parser's dict): text stripped, "" empty."""
    value = cell["value"]
    if cell["data_type"] == "e":
        return ExcelError(str(value))
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value  # int, float, bool, datetime, date, time


def _parse_sheet(book, sheet, data_only: bool):
    """openpyxl's parser over the sheet's XML as stored: it yields only the rows and cells
    the file holds, so a cell at XFD1048576 costs one cell, not the 17 billion that
    `iter_rows` over the declared dimension walks. (Private attributes of openpyxl's read-only
    worksheet, version pinned in requirements.lock.)"""
    from openpyxl.worksheet._reader import WorkSheetParser

    source = book._archive.open(sheet._worksheet_path)
    return source, WorkSheetParser(source, sheet._shared_strings, data_only=data_only,
                                   epoch=book.epoch, date_formats=book._date_formats,
                                   timedelta_formats=book._timedelta_formats)


def _sheet_cells(path: Path, where: str, book, sheet) -> tuple[dict, list[str]]:
    """{row: {column: value}} of the cells holding a value, and the merged ranges."""
    from openpyxl.utils import get_column_letter

    rows: dict[int, dict[int, object]] = {}
    stored = 0
    source, parser = _parse_sheet(book, sheet, data_only=True)
    with source:
        for number, cells in parser.parse():
            stored += len(cells)
            if stored > MAX_CELLS:
                raise DataError(where, f"the sheet stores more than {MAX_CELLS:,} cells "
                                f"(reached at row {number}), far more than a table for this "
                                "suite", "copy the table alone onto a new sheet or workbook, "
                                "or save it as 'CSV UTF-8'")
            values = {}
            for cell in cells:
                value = _value(cell)
                if value == "":
                    continue
                if cell["column"] > MAX_COLUMNS:
                    coordinate = f"{get_column_letter(cell['column'])}{cell['row']}"
                    raise DataError(where, f"cell {coordinate} holds '{shown(value)}', right "
                                    f"of column {get_column_letter(MAX_COLUMNS)}, far beyond "
                                    "any table", "delete the stray cell (or every column right "
                                    "of the table)", row=cell["row"])
                values[cell["column"]] = value
            if values:
                rows[number] = values
                if len(rows) > MAX_ROWS:
                    raise DataError(where, f"the sheet has more than {MAX_ROWS:,} rows with "
                                    "values, far more than a table for this suite",
                                    "check that this is the right sheet; split the table or "
                                    "delete stray cells far below it", row=number)
        merged = [m.coord for m in parser.merged_cells.mergeCell] if parser.merged_cells \
            else []
    return rows, merged


def _read_xlsx(path: Path, data: bytes, sheet_name: str | None) -> RawTable:
    import openpyxl
    from openpyxl.utils import range_boundaries

    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise DataError(path, "is an old .xls workbook or a password-protected one",
                            "save it from Excel as .xlsx without a password")
        raise DataError(path, "is not an .xlsx workbook (it is not a zip archive)",
                        "save it from Excel as .xlsx, or give a CSV file a .csv name")
    try:
        # read-only: the workbook's sheets are parsed when read, cell by cell as stored
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataError(path, f"cannot be read as an Excel workbook ({shown(exc)})",
                        "save it again from Excel as .xlsx") from None
    try:
        sheet = _choose_sheet(path, book, sheet_name)
        where = f"{path} (sheet '{sheet.title}')"
        sheets = tuple(ws.title for ws in book.worksheets)
        try:
            cells, merged = _sheet_cells(path, where, book, sheet)
        except DataError:
            raise
        except Exception as exc:  # a damaged sheet part: parsed only now
            raise DataError(where, f"cannot be read as an Excel workbook ({shown(exc)})",
                            "save it again from Excel as .xlsx") from None
    finally:
        book.close()
    if not cells:
        raise DataError(where, "the sheet is empty", "put the table with its header row "
                        "on this sheet, or name the sheet that has it")
    width = max(max(r) for r in cells.values())
    rows = {n: [r.get(c, "") for c in range(1, width + 1)] for n, r in sorted(cells.items())}
    # an empty cell covered by merged cells says so (only a merge's first cell has a value)
    for merge in merged:
        min_col, min_row, max_col, max_row = range_boundaries(merge)
        for number in range(min_row, min(max_row, max(rows)) + 1):
            if number in rows:
                for column in range(min_col, min(max_col, width) + 1):
                    if (number, column) != (min_row, min_col) and \
                            rows[number][column - 1] == "":
                        rows[number][column - 1] = MergedAway(merge)
    header_row = min(rows)
    header = [str(v).strip() if not isinstance(v, ExcelError) else str(v)
              for v in rows.pop(header_row)]
    first = next((i for i, name in enumerate(header) if name != ""), 0)
    # columns left of the table that are empty in every row (a table starting at column B)
    if all(all(v == "" for v in r[:first]) for r in rows.values()):
        header = header[first:]
        body = {n: r[first:width] for n, r in rows.items()}
    else:
        body = {n: r[:width] for n, r in rows.items()}
    while header and header[-1] == "" and all(r[len(header) - 1] == "" for r in body.values()):
        header.pop()
    _check_header(where, header, header_row)
    body = {n: r[:len(header)] for n, r in body.items()}
    if any(v == "" for r in body.values() for v in r):
        try:
            if _sheet_has_formulas(data):
                _mark_unsaved_formulas(data, sheet.title, body, first)
        except Exception as exc:  # read once already: this is a damaged part of the file
            raise DataError(where, f"cannot be read as an Excel workbook ({shown(exc)})",
                            "save it again from Excel as .xlsx") from None
    frame = pd.DataFrame(list(body.values()), columns=header, dtype=object)
    frame.index = pd.Index(list(body), name="source_row")
    return RawTable(path, frame, decimal_comma=False, where=where, header_row=header_row,
                    sheets=sheets)


def _mark_unsaved_formulas(data: bytes, title: str, body: dict, first: int) -> None:
    """Replace the empty cells that are formulas without a saved value by `UnsavedFormula`."""
    import openpyxl

    wanted = {(number, first + i + 1) for number, values in body.items()
              for i, value in enumerate(values) if isinstance(value, str) and value == ""}
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    try:
        source, parser = _parse_sheet(book, book[title], data_only=False)
        with source:
            for number, cells in parser.parse():
                for cell in cells:
                    if (number, cell["column"]) not in wanted:
                        continue
                    formula = cell["value"]
                    formula = getattr(formula, "text", formula)  # array formulas
                    if isinstance(formula, str) and formula.startswith("="):
                        body[number][cell["column"] - first - 1] = UnsavedFormula(formula)
    finally:
        book.close()


def is_date(value) -> bool:
    return isinstance(value, (dt.date, dt.datetime))
