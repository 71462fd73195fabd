"""What every udkecon workbook shares: one way to put a value in a cell, formulas that carry
the package's value, formatted tables, sheet headings and the A4 print setup.

A cell gets its content only through `Book.put`, which is where text from input data is
kept as text: a system called `=HYPERLINK(...)` is written as a string (and marked with a
quote prefix, so that editing the cell in Excel does not turn it into a formula either).
Formulas are `Formula` objects and nothing else; each carries the value the package
computed, which is stored as the cell's cached value (what Excel shows in Protected View
and what file previewers show) and which the tests compare with LibreOffice's
recalculation.
"""

from __future__ import annotations

import math
import numbers
import textwrap
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..labels import check_language, label

# Rows 1-3 of a data sheet: title, what the figures are (price basis, unit), and the
# illustrative banner; the table's header is row 4, so that the header row can be frozen
# and repeated on every printed page.
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1

# Number formats are stored locale-free; Excel shows them as 1.234,5 in Danish.
MONEY = "#,##0.0;-#,##0.0"  # mio. kr. with one decimal
INDEX = "0.00"
FACTOR = "0.0000"
YEAR = "0"
RATE = "0.0%"
SHARE = "0.0%"
COUNT = "0"

# Excel's limit for one cell's text
_MAX_TEXT = 32767
# Excel reads a cell typed as starting with these as a formula
_FORMULA_STARTS = ("=", "+", "-", "@")

FONT = "Calibri"
TITLE_FONT = Font(name=FONT, bold=True, size=14, color="1F3864")
SUBTITLE_FONT = Font(name=FONT, italic=True, size=10, color="404040")
SECTION_FONT = Font(name=FONT, bold=True, size=11, color="1F3864")
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
BANNER_FONT = Font(name=FONT, bold=True, color="9C0006")
BANNER_FILL = PatternFill("solid", fgColor="FFC7CE")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # a cell the reader may change
TOTAL_FONT = Font(name=FONT, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
LEFT_WRAP = Alignment(horizontal="left", wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")
_LINE_HEIGHT = 15.0  # points, for 11 pt text
_DEFAULT_WIDTH = 8.43


@dataclass(frozen=True)
class Formula:
    """A live Excel formula (A1 references, starting with '=') and the package's value."""

    text: str
    value: float | str

    def __post_init__(self):
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass(frozen=True)
class Column:
    """A table column: its header, number format and width (None: fit to the content)."""

    header: str
    number_format: str | None = None
    width: float | None = None
    wrap: bool = False

    @property
    def horizontal(self) -> str:
        """Years centred, other numbers right, text left (with the header above them)."""
        if self.number_format == YEAR:
            return "center"
        return "right" if self.number_format else "left"

    def alignment(self, header: bool = False) -> Alignment:
        return Alignment(horizontal=self.horizontal, vertical="center" if header else "top",
                         # text one space in from the cell edge, away from the numbers
                         wrap_text=header or self.wrap, indent=0 if self.number_format else 1)


def quote(sheet_title: str) -> str:
    """A sheet name as a formula reference needs it, always quoted.

    >>> quote("Faste priser")
    "'Faste priser'"
    >>> quote("Kim's")
    "'Kim''s'"
    """
    return "'" + sheet_title.replace("'", "''") + "'"


def ref(ws: Worksheet | str, cell: str) -> str:
    """A reference to `cell` on another sheet: 'Forudsætninger'!$B$5."""
    title = ws if isinstance(ws, str) else ws.title
    return f"{quote(title)}!{cell}"


def letter(column: int) -> str:
    return get_column_letter(column)


def plain_text(value: str) -> str:
    """Text as a cell can hold it: control characters dropped, at most Excel's 32,767."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_TEXT]


def _plain_number(value):
    """numpy and pandas scalars as Python numbers; NaN and NA as None (an empty cell)."""
    if value is None or isinstance(value, bool):
        return value
    try:
        if value != value or (isinstance(value, float) and math.isinf(value)):
            return None
    except (TypeError, ValueError):  # pandas.NA refuses comparison
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


class Book:
    """An openpyxl workbook being written for one report, in one language."""

    def __init__(self, title: str, language: str, illustrative: bool, footer_note: str,
                 banner: str | None = None):
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        self.title = title
        self.language = check_language(language)
        self.illustrative = illustrative
        self.footer_note = footer_note
        # the line under every sheet's title when the figures are illustrative
        self.banner = banner or label("illustrative_banner", self.language)
        # sheet title -> coordinate -> the package's value of the formula there
        self.cached: dict[str, dict[str, float | str]] = {}
        self._widths: dict[str, dict[int, float]] = {}
        self._wrapped: dict[str, list[tuple[int, int, str]]] = {}

    def label(self, key: str, **fields) -> str:
        return label(key, self.language, **fields)

    # ------------------------------------------------------------------ cells

    def put(self, ws: Worksheet, row: int, column: int, value, number_format: str | None = None,
            font: Font | None = None, fill: PatternFill | None = None,
            alignment: Alignment | None = None, measure: bool = True):
        """Write one value: a `Formula` as a formula, a str always as text, numbers as numbers.

        `measure`: let the value count for its column's fitted width (headers, which may
        wrap, do not)."""
        cell = ws.cell(row=row, column=column)
        if isinstance(value, Formula):
            cell.value = value.text
            cell.data_type = "f"
            number = _plain_number(value.value) if not isinstance(value.value, str) else None
            cached = value.value if isinstance(value.value, str) else number
            if cached is not None:
                self.cached.setdefault(ws.title, {})[cell.coordinate] = cached
            shown = value.value
        elif isinstance(value, str):
            text = plain_text(value)
            cell.value = text
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if text.startswith(_FORMULA_STARTS):
                cell.quotePrefix = True
            shown = text
        else:
            cell.value = shown = _plain_number(value)
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if alignment:
            cell.alignment = alignment
            if alignment.wrap_text and shown is not None:
                self._wrapped.setdefault(ws.title, []).append((row, column, str(shown)))
        if measure:
            self._note_width(ws, column, shown, number_format)
        return cell

    def _note_width(self, ws: Worksheet, column: int, shown, number_format: str | None) -> None:
        if shown is None:
            return
        if isinstance(shown, float):
            text = f"{shown:,.4f}" if number_format in (FACTOR, INDEX) else f"{shown:,.1f}"
        else:
            text = str(shown)
        widths = self._widths.setdefault(ws.title, {})
        widths[column] = max(widths.get(column, 0), len(text))

    # ------------------------------------------------------------------ sheets

    def add_sheet(self, title: str, landscape: bool = False, fit_width: bool = True) -> Worksheet:
        """A new sheet with the report's A4 print setup, header and footer.

        `fit_width`: shrink to one page wide, as many pages tall as it takes. A sheet much
        narrower than the page should not ask for it: LibreOffice would enlarge it.
        """
        ws = self.workbook.create_sheet(title)
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        if fit_width:
            setup.fitToWidth = 1
            setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.sheet_view.showGridLines = False
        # '&' starts a code in Excel's header language; a literal one is written '&&'.
        header = ws.oddHeader
        header.left.text = self.title.replace("&", "&&")
        header.left.size = 9
        if self.illustrative:
            header.right.text = self.label("xl_illustrative_short").replace("&", "&&")
            header.right.size = 9
            header.right.color = "9C0006"
        footer = ws.oddFooter
        footer.left.text = self.footer_note.replace("&", "&&")
        footer.left.size = 8
        footer.right.text = self.label("page", page="&P", pages="&N")
        footer.right.size = 8
        return ws

    def heading(self, ws: Worksheet, title: str, subtitle, span: int = 1) -> None:
        """Rows 1-3: the sheet's title, what its figures are, the illustrative banner
        (coloured across `span` columns)."""
        self.put(ws, 1, 1, title, font=TITLE_FONT)
        if subtitle is not None:
            self.put(ws, 2, 1, subtitle, font=SUBTITLE_FONT)
        if self.illustrative:
            self.put(ws, 3, 1, self.banner, font=BANNER_FONT, fill=BANNER_FILL)
            for column in range(2, span + 1):
                ws.cell(row=3, column=column).fill = BANNER_FILL
        # titles are long and spill over the columns to their right: not a width to fit
        self._widths.get(ws.title, {}).pop(1, None)

    def header_row(self, ws: Worksheet, row: int, first_column: int, headers) -> None:
        """A row of headers; `headers` are texts or `Column`s (aligned like their column)."""
        for offset, header in enumerate(headers):
            column = header if isinstance(header, Column) else Column(header)
            self.put(ws, row, first_column + offset, column.header, font=HEADER_FONT,
                     fill=HEADER_FILL, alignment=column.alignment(header=True), measure=False)

    def table(self, ws: Worksheet, name: str, columns: list[Column], rows,
              top: int = HEADER_ROW, first_column: int = 1) -> tuple[int, int]:
        """A filterable Excel table with a frozen, repeated header row.

        `rows` are lists of values (numbers, text, `Formula`s) in column order. Returns the
        first and last data row.
        """
        self.header_row(ws, top, first_column, columns)
        alignments = [column.alignment() for column in columns]
        row = top
        for row, values in enumerate(rows, start=top + 1):
            for offset, (column, value) in enumerate(zip(columns, values, strict=True)):
                self.put(ws, row, first_column + offset, value, column.number_format,
                         alignment=alignments[offset])
        last = max(row, top + 1)  # an Excel table needs at least one data row
        span = f"{letter(first_column)}{top}:{letter(first_column + len(columns) - 1)}{last}"
        excel_table = Table(displayName=name, ref=span)
        excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True,
                                                    showColumnStripes=False)
        ws.add_table(excel_table)
        if self.illustrative and top > 3:  # the banner spans the table
            for index in range(1, first_column + len(columns)):
                ws.cell(row=3, column=index).fill = BANNER_FILL
        ws.freeze_panes = ws.cell(row=top + 1, column=1).coordinate
        ws.print_title_rows = f"{top}:{top}"
        for offset, column in enumerate(columns):
            index = first_column + offset
            width = column.width or self._fitted(ws, index, column.header)
            ws.column_dimensions[letter(index)].width = width
        return top + 1, last

    def _fitted(self, ws: Worksheet, column: int, header: str) -> float:
        content = self._widths.get(ws.title, {}).get(column, 0)
        # a header may wrap onto two lines, but not inside a word; the content may not wrap
        longest_word = max((len(word) for word in header.split()), default=0)
        return float(min(max(content + 2, len(header) / 2 + 2, longest_word + 2, 10), 60))

    def fit_row_heights(self) -> None:
        """Heights for rows with wrapped text, from the text and the column widths.

        Neither Excel nor LibreOffice reliably grows a row for wrapped text on opening a
        file, so the height is estimated here (about one character per unit of width).
        """
        for ws in self.workbook.worksheets:
            merged = {(r.min_row, r.min_col): (r.min_col, r.max_col) for r in ws.merged_cells}
            lines_of_row: dict[int, int] = {}
            for row, column, text in self._wrapped.get(ws.title, []):
                first, last = merged.get((row, column), (column, column))
                width = sum(ws.column_dimensions[letter(c)].width or _DEFAULT_WIDTH
                            for c in range(first, last + 1))
                per_line = max(int(width * 1.15) - 1, 1)
                lines = sum(len(textwrap.wrap(part, per_line)) or 1 for part in text.split("\n"))
                lines_of_row[row] = max(lines_of_row.get(row, 1), lines)
            for row, lines in lines_of_row.items():
                if lines > 1:
                    ws.row_dimensions[row].height = _LINE_HEIGHT * lines + 2


def text_formula(template: str, reference: str, value, field: str = "base_year") -> Formula:
    """A label whose `{field}` is read from a cell, so that the text follows the cell.

    >>> text_formula("Faste priser ({base_year}-niveau)", "$B$5", 2020).text
    '="Faste priser ("&$B$5&"-niveau)"'
    """
    before, _, after = template.partition("{" + field + "}")
    parts = [f'"{part.replace(chr(34), chr(34) * 2)}"' if part else "" for part in (before, after)]
    text = "&".join(p for p in (parts[0], reference, parts[1]) if p)
    return Formula("=" + text, template.format(**{field: value}))
