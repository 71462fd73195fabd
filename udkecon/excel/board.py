"""The committee paper's form on a workbook's first sheet: "Resumé" and "Indstilling" above
the key table ("Økonomi"), as on page 1 of the PDF (udkecon.board), so that a board member
who opens only the workbook reads the same three things first.
"""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .book import FONT, LEFT_WRAP, SECTION_FONT, Book, Formula

# Greyed: a figure the workbook cannot recompute (Monte Carlo, ...), see `not_updating`
STATIC_FONT = Font(name=FONT, italic=True, color="7F7F7F")
STATIC_FILL = PatternFill("solid", fgColor="EDEDED")


def _wrapped(book: Book, ws: Worksheet, row: int, text, span: int) -> None:
    book.put(ws, row, 1, text, alignment=LEFT_WRAP, measure=False)
    text = text.value if isinstance(text, Formula) else text  # a formula: the text it shows
    if span > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    # merged wrapped cells do not grow by themselves: about 1.1 characters per width unit
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43
                for c in range(1, span + 1))
    lines = max(1, -(-len(text) // max(int(width * 1.1), 20)))
    ws.row_dimensions[row].height = 15.0 * lines


def front_block(book: Book, ws: Worksheet, row: int, *, resume_sentences: list[str],
                clauses: list[str], span: int) -> int:
    """Write "Resumé" and "Indstilling" from `row` across `span` columns; return the next
    free row (where the report puts "Økonomi", its key table).

    A sentence may be a `Formula` (text whose figures follow the assumptions).
    Set the sheet's column widths before calling: row heights follow them.
    """
    book.put(ws, row, 1, book.label("board_resume"), font=SECTION_FONT)
    row += 1
    for sentence in resume_sentences:
        _wrapped(book, ws, row, sentence, span)
        row += 1
    row += 1
    book.put(ws, row, 1, book.label("board_recommendation"), font=SECTION_FONT)
    row += 1
    book.put(ws, row, 1, book.label("board_recommendation_lead"), measure=False)
    row += 1
    for number, clause in enumerate(clauses, start=1):
        _wrapped(book, ws, row, f"{number}. {clause}", span)
        row += 1
    row += 1
    book.put(ws, row, 1, book.label("board_economy"), font=SECTION_FONT)
    return row + 1


def not_updating(book: Book, ws: Worksheet, row: int, column: int, value,
                 number_format: str | None = None):
    """A figure computed by udkecon at the run that no formula can follow (Monte Carlo):
    greyed, with the note "beregnet af udkecon ved kørslen; opdateres ikke" as a comment."""
    from openpyxl.comments import Comment

    cell = book.put(ws, row, column, value, number_format, font=STATIC_FONT, fill=STATIC_FILL)
    cell.comment = Comment(book.label("board_not_updating"), "udkecon")
    return cell
