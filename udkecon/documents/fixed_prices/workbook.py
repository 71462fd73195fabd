"""The fixed-price report's workbook: the cost ledger in current and fixed prices, DUT and
net cost, with the fixed-price cells as live formulas over the index and the base year.

Sheets (Danish names; English with language="en"):

    Oversigt        key figures, by year, by cost type, two native charts
    Løbende priser  the ledger as read, one row per year/system/cost type
    Faste priser    the ledger with  fixed = current * index[base] / index[year]  per row
    DUT og netto    gross (SUMIFS over the ledgers), DUT, net = gross - DUT, per year
    Indeks          the price index the formulas look up
    Forudsætninger  the base year cell every fixed-price formula reads
    Om tallene      sources, method, parameters, sha256 of every input, version, time

The fixed-price sheet repeats each row's current amount instead of pointing at the other
sheet, so that a reader can sort or filter either sheet without the rows coming apart.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

from openpyxl.worksheet.datavalidation import DataValidation

from ... import fmt
from ...costs import notes
from ...excel.about import Section, document, footer_note
from ...excel.board import front_block
from ...excel.book import (
    FACTOR,
    FIRST_ROW,
    INDEX,
    INPUT_FILL,
    MONEY,
    SECTION_FONT,
    SUBTITLE_FONT,
    TOTAL_FONT,
    WRAP,
    YEAR,
    Book,
    Column,
    Formula,
    letter,
    quote,
    ref,
    text_formula,
)
from ...excel.charts import COLOURS, column_chart, line_chart
from ...excel.save import report_writer
from ...labels import label
from ...phases import year_phases
from . import text
from .model import CostAnalysis

BASE_YEAR_CELL = f"$B${FIRST_ROW}"  # on the assumptions sheet
NOTE_FONT = SUBTITLE_FONT  # a note under a table, as a sheet's subtitle


class _Names:
    """The sheet titles in the workbook's language."""

    def __init__(self, book: Book):
        for key in ("summary", "current", "fixed", "net", "index", "assumptions"):
            setattr(self, key, book.label(f"xl_sheet_{key}"))


def _lookup(names: _Names, year: str) -> str:
    """The index value of `year` (a cell reference) from the index sheet."""
    return f"VLOOKUP({year},{quote(names.index)}!$A:$B,2,FALSE)"


def _base(names: _Names) -> str:
    return ref(names.assumptions, BASE_YEAR_CELL)


def _factor(analysis: CostAnalysis, year: int) -> float:
    return analysis.index[analysis.base_year] / analysis.index[year]


def _status(book: Book, status: str) -> str:
    return book.label(f"xl_status_{status}")


def _fixed_basis(book: Book, names: _Names, analysis: CostAnalysis, key: str) -> Formula:
    """A subtitle that names the base year read from the assumptions sheet."""
    return text_formula(book.label(key), _base(names), analysis.base_year)


def _ledger_columns(book: Book) -> list[Column]:
    """The columns both ledger sheets start with: where the entry is, what it is, how much."""
    return [Column(book.label("xl_source_row"), YEAR), Column(book.label("year"), YEAR),
            Column(book.label("system")), Column(book.label("system_group")),
            Column(book.label("cost_type")), Column(book.label("xl_amount_current"), MONEY)]


def _ledger_entries(book: Book, analysis: CostAnalysis):
    """(sheet row, entry, its first cells) for each entry of the ledger, in file order."""
    for row, (source_row, entry) in enumerate(
            zip(analysis.ledger.index, analysis.ledger.itertuples(), strict=True),
            start=FIRST_ROW):
        yield row, entry, [source_row, int(entry.year), entry.system,
                           book.label(entry.system_group), book.label(entry.cost_type),
                           entry.amount_mio_dkk]


def _current_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    ws = book.add_sheet(names.current, landscape=True)
    book.heading(ws, book.label("xl_current_title"), book.label("xl_current_subtitle",
                 file=Path(analysis.inputs[0]["path"]).name if analysis.inputs else ""))
    columns = _ledger_columns(book) + [Column(book.label("xl_data_status")),
                                       Column(book.label("xl_note"), width=60, wrap=True)]
    note = notes(analysis.ledger, book.language)  # the note in the workbook's language
    rows = [cells + [_status(book, entry.data_status), note[entry.Index]]
            for _, entry, cells in _ledger_entries(book, analysis)]
    book.table(ws, "current_prices", columns, rows)


def _fixed_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    ws = book.add_sheet(names.fixed, landscape=True)
    book.heading(ws, book.label("xl_fixed_title"),
                 _fixed_basis(book, names, analysis, "xl_fixed_subtitle"))
    columns = _ledger_columns(book) + [
        Column(book.label("xl_index_of_year"), INDEX), Column(book.label("restate_factor"), FACTOR),
        Column(book.label("xl_amount_fixed"), MONEY), Column(book.label("xl_data_status"))]
    base_index = _lookup(names, _base(names))
    rows = []
    for row, entry, cells in _ledger_entries(book, analysis):
        year = int(entry.year)
        rows.append(cells + [
            Formula(f"={_lookup(names, f'B{row}')}", analysis.index[year]),
            Formula(f"={base_index}/G{row}", _factor(analysis, year)),
            Formula(f"=F{row}*H{row}", entry.amount_mio_dkk_fixed),
            _status(book, entry.data_status),
        ])
    book.table(ws, "fixed_prices", columns, rows)


def _net_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    ws = book.add_sheet(names.net, landscape=True)
    book.heading(ws, book.label("xl_net_title"),
                 _fixed_basis(book, names, analysis, "xl_net_subtitle"))
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_gross_current"), MONEY),
               Column(book.label("xl_dut_current"), MONEY),
               Column(book.label("xl_net_current"), MONEY),
               Column(book.label("restate_factor"), FACTOR),
               Column(book.label("xl_gross_fixed"), MONEY),
               Column(book.label("xl_dut_fixed"), MONEY),
               Column(book.label("xl_net_fixed"), MONEY), Column(book.label("xl_data_status")),
               Column(book.label("xl_note"), width=50, wrap=True)]
    current, fixed = quote(names.current), quote(names.fixed)
    dut = analysis.dut.set_index(analysis.dut["year"].astype(int))
    dut = dut.assign(note=notes(dut, book.language))  # in the workbook's language
    rows = []
    for row, year in enumerate(analysis.years, start=FIRST_ROW):
        net = analysis.net.loc[year]
        rows.append([
            year,
            Formula(f"=SUMIFS({current}!$F:$F,{current}!$B:$B,$A{row})", net["gross_current"]),
            dut.loc[year, "dut_compensation_mio_dkk"],
            Formula(f"=B{row}-C{row}", net["net_current"]),
            Formula(f"={_lookup(names, _base(names))}/{_lookup(names, f'$A{row}')}",
                    _factor(analysis, year)),
            Formula(f"=SUMIFS({fixed}!$I:$I,{fixed}!$B:$B,$A{row})", net["gross_fixed"]),
            Formula(f"=C{row}*E{row}", net["dut_fixed"]),
            Formula(f"=F{row}-G{row}", net["net_fixed"]),
            _status(book, dut.loc[year, "data_status"]),
            dut.loc[year, "note"],
        ])
    book.table(ws, "dut_and_net", columns, rows)


def _index_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    ws = book.add_sheet(names.index, fit_width=False)
    index = analysis.index
    book.heading(ws, book.label("xl_index_title"), index.name)
    columns = [Column(book.label("year"), YEAR), Column(book.label("index_value"), INDEX, 12),
               Column(book.label("xl_factor_to_base"), FACTOR, 18)]
    base_index = _lookup(names, _base(names))
    rows = [[year, index[year], Formula(f"={base_index}/B{row}", _factor(analysis, year))]
            for row, year in enumerate(index.years, start=FIRST_ROW)]
    _, last = book.table(ws, "price_index", columns, rows)
    book.put(ws, last + 2, 1, f"{book.label('sources')}: {index.source}", alignment=WRAP)
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=3)


def _assumptions_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    ws = book.add_sheet(names.assumptions)
    book.heading(ws, book.label("xl_assumptions_title"), book.label("xl_assumptions_subtitle"))
    first, last = analysis.index.years[0], analysis.index.years[-1]
    columns = [Column(book.label("xl_parameter"), width=20, wrap=True),
               Column(book.label("xl_value"), width=20, wrap=True),
               Column(book.label("xl_explanation"), width=46, wrap=True)]
    rows = [
        [book.label("xl_base_year"), analysis.base_year,
         book.label("xl_base_year_help", first=first, last=last, sheet=names.index)],
        [book.label("xl_price_index"), analysis.index.name,
         book.label("xl_price_index_help", sheet=names.index)],
        [book.label("xl_unit"), book.label("unit"), book.label("xl_unit_help")],
    ]
    book.table(ws, "assumptions", columns, rows)
    cell = ws[BASE_YEAR_CELL.replace("$", "")]
    cell.fill = INPUT_FILL
    cell.number_format = YEAR
    check = DataValidation(type="whole", operator="between", formula1=str(first),
                           formula2=str(last), showErrorMessage=True,
                           errorTitle=book.label("xl_base_year"),
                           error=book.label("xl_base_year_help", first=first, last=last,
                                            sheet=names.index))
    ws.add_data_validation(check)
    check.add(cell)


def _number_text(expression: str, language: str) -> str:
    """A formula giving the number as the PDF writes it, one decimal and grouped
    (1.045,2 in Danish, 1,045.2 in English), whatever the spreadsheet's own locale.

    FIXED() or TEXT() would follow the locale of the Excel that opens the file, so the
    digits are put together from whole numbers, which every locale writes the same way.
    Up to 999.999.999,9 (the amounts are mio. kr.).
    """
    group, decimal = (".", ",") if language == "da" else (",", ".")
    rounded = f"ROUND({expression},1)"
    whole = f"INT(ABS({rounded}))"
    tenths = f"ROUND(ABS({rounded})*10-{whole}*10,0)"

    def three(part: str) -> str:
        return f'RIGHT("00"&{part},3)'

    grouped = (f'IF({whole}>=1000000,INT({whole}/1000000)&"{group}"'
               f'&{three(f"INT(MOD({whole},1000000)/1000)")}&"{group}"'
               f'&{three(f"MOD({whole},1000)")},'
               f'IF({whole}>=1000,INT({whole}/1000)&"{group}"&{three(f"MOD({whole},1000)")},'
               f"{whole}))")
    return f'IF({rounded}<0,"-","")&{grouped}&"{decimal}"&{tenths}'


def _money_text(book: Book, expression: str) -> str:
    """An amount as the sentence shows it: the number, then the unit."""
    return f'{_number_text(expression, book.language)}&" {book.label("unit")}"'


def _sentence_formula(book: Book, key: str, fields: dict, expression) -> Formula:
    """A Resumé sentence (a label template) as a text formula: each `Figure` is the Excel
    `expression(figure)`, other fields are literal text; the cached value is the sentence
    the PDF shows."""
    pieces = []
    after_unit = False
    for literal, name, _, _ in string.Formatter().parse(book.label(key)):
        if after_unit and literal.startswith("."):
            literal = literal[1:]  # "mio. kr." ends the sentence: one full stop, not two
        if literal:
            pieces.append('"' + literal.replace('"', '""') + '"')
        after_unit = False
        if name is None:
            continue
        value = fields[name]
        if not isinstance(value, text.Figure):
            pieces.append('"' + str(value).replace('"', '""') + '"')
        elif value.kind == "year":
            pieces.append(expression(value))
        else:
            pieces.append(_money_text(book, expression(value)))
            after_unit = book.label("unit").endswith(".")
    shown = fmt.sentence(book.label(key, **{
        name: value.text(book.language) if isinstance(value, text.Figure) else value
        for name, value in fields.items()}))
    return Formula("=" + "&".join(pieces), shown)


def _figure_expression(figure: text.Figure, *, base: str, year_rows: dict, type_rows: dict,
                       type_columns: dict) -> str:
    """The Excel expression of a Resumé figure, over the summary's own tables."""
    first, last = figure.years
    if figure.measure == "base_year":
        return base
    gross = f"$B${year_rows[first]}:$B${year_rows[last]}"
    if figure.measure == "peak_gross":
        return f"MAX({gross})"
    if figure.measure == "peak_year":
        years = f"$A${year_rows[first]}:$A${year_rows[last]}"
        return f"INDEX({years},MATCH(MAX({gross}),{gross},0))"
    if figure.measure in ("gross", "dut", "net"):
        column = {"gross": "B", "dut": "C", "net": "D"}[figure.measure]
        return f"SUM({column}{year_rows[first]}:{column}{year_rows[last]})"
    if figure.measure not in type_columns:  # no entries of that cost type: nothing to sum
        return "0"
    column = letter(type_columns[figure.measure])
    return f"SUM({column}{type_rows[first]}:{column}{type_rows[last]})"


def _resume_formulas(book: Book, names: _Names, analysis: CostAnalysis, **tables) -> list:
    """The Resumé of the PDF (text.resume_parts) as formulas over the summary's own tables
    (`tables`: year_rows, type_rows, type_columns), so that every number in it follows the
    base year on the assumptions sheet."""
    def expression(figure: text.Figure) -> str:
        return _figure_expression(figure, base=_base(names), **tables)

    return [_sentence_formula(book, key, fields, expression)
            for key, fields in text.resume_parts(analysis)]


def _summary_sheet(book: Book, names: _Names, analysis: CostAnalysis) -> None:
    """The committee paper's first page (Resumé, Indstilling, Økonomi: the key table by
    year), then the costs by type and charts over those tables.

    Every figure here is a formula over the other sheets, so the whole sheet, the Resumé
    included, follows a change of the base year on the assumptions sheet.
    """
    ws = book.add_sheet(names.summary, landscape=True)
    ws.page_setup.fitToHeight = 1  # the summary is one page
    ws.print_options.horizontalCentered = True
    years = analysis.years
    measures = [("xl_gross_fixed", 6, "gross_fixed"), ("xl_dut_fixed", 7, "dut_fixed"),
                ("xl_net_fixed", 8, "net_fixed"), ("xl_gross_current", 2, "gross_current"),
                ("xl_dut_current", 3, "dut_current"), ("xl_net_current", 4, "net_current")]
    span = len(measures) + 2
    # widths first: the Resumé's row heights follow them
    ws.column_dimensions["A"].width = 22
    for column in range(2, len(measures) + 2):
        ws.column_dimensions[letter(column)].width = 19
    ws.column_dimensions[letter(span)].width = 32
    book.heading(ws, book.title, _fixed_basis(book, names, analysis, "xl_summary_subtitle"),
                 span=span)
    year_column = Column(book.label("year"), YEAR)
    money = [Column(book.label(key), MONEY) for key, _, _ in measures]
    right = money[0].alignment()
    cost_types = list(analysis.by_type_fixed.columns)
    resume_rows = len(text.resume_parts(analysis))

    # Rows: Resumé and Indstilling from 5 (board.front_block), then Økonomi: the key table
    # by year with its total, then the costs by type, then the charts
    year_header = 5 + 1 + resume_rows + 1 + 3 + len(text.recommendation(analysis)) + 1
    year_first, year_last = year_header + 1, year_header + len(years)
    total_row = year_last + 1
    # under each table with totals, the rounding note (row total_row + 1, type_last + 1)
    type_header = total_row + 4
    type_first, type_last = type_header + 1, type_header + len(years)
    chart_row = type_last + 3
    year_rows = {year: row for row, year in enumerate(years, start=year_first)}
    type_rows = {year: row for row, year in enumerate(years, start=type_first)}
    type_columns = {cost_type: column for column, cost_type in enumerate(cost_types, start=2)}

    economy_row = front_block(
        book, ws, 5, span=span, clauses=text.recommendation(analysis),
        resume_sentences=_resume_formulas(book, names, analysis, year_rows=year_rows,
                                          type_rows=type_rows, type_columns=type_columns))
    if economy_row != year_header:  # the Resumé's formulas point into the key table
        raise RuntimeError(f"the key table starts in row {economy_row}, not {year_header}")

    # Økonomi, by year: looked up in the DUT and net sheet by year (sorting it is safe)
    net_sheet = quote(names.net)
    book.header_row(ws, year_header, 1, [year_column, *money, Column(book.label("phase"))])
    phases = year_phases(years, analysis.phases, book.language)
    for year, row in year_rows.items():
        book.put(ws, row, 1, year, YEAR, alignment=year_column.alignment())
        for column, (_, position, field) in enumerate(measures, start=2):
            book.put(ws, row, column, Formula(
                f"=VLOOKUP($A{row},{net_sheet}!$A:$H,{position},FALSE)",
                analysis.net.loc[year, field]), MONEY, alignment=right)
        book.put(ws, row, len(measures) + 2, phases[year], alignment=Column("").alignment())
    book.put(ws, total_row, 1, text.economy_total(analysis), font=TOTAL_FONT, measure=False)
    totals = analysis.net.sum()
    for column, (_, _, field) in enumerate(measures, start=2):
        cells = f"{letter(column)}{year_first}:{letter(column)}{year_last}"
        book.put(ws, total_row, column, Formula(f"=SUM({cells})", totals[field]), MONEY,
                 font=TOTAL_FONT, alignment=right)
    # the totals add the unrounded amounts, the cells show one decimal
    rounding = book.label("costs_rounding_note")
    book.put(ws, total_row + 1, 1, rounding, font=NOTE_FONT, measure=False)

    # By cost type, fixed prices: SUMIFS over the fixed-price ledger
    book.put(ws, type_header - 1, 1, book.label("xl_by_cost_type"), font=SECTION_FONT)
    book.header_row(ws, type_header, 1, [year_column]
                    + [Column(book.label(c), MONEY) for c in cost_types]
                    + [Column(book.label("total"), MONEY)])
    fixed = quote(names.fixed)
    total_column = len(cost_types) + 2
    for year, row in type_rows.items():
        book.put(ws, row, 1, year, YEAR, alignment=year_column.alignment())
        for cost_type, column in type_columns.items():
            header = f"{letter(column)}${type_header}"
            book.put(ws, row, column, Formula(
                f"=SUMIFS({fixed}!$I:$I,{fixed}!$B:$B,$A{row},{fixed}!$E:$E,{header})",
                analysis.by_type_fixed.loc[year, cost_type]), MONEY, alignment=right)
        book.put(ws, row, total_column, Formula(
            f"=SUM(B{row}:{letter(total_column - 1)}{row})",
            analysis.by_type_fixed.loc[year].sum()), MONEY, font=TOTAL_FONT, alignment=right)
    book.put(ws, type_last + 1, 1, rounding, font=NOTE_FONT, measure=False)

    column_chart(ws, f"A{chart_row}", title=book.label("xl_chart_by_type"),
                 axis_title=book.label("unit"), header_row=type_header, first_row=type_first,
                 last_row=type_last, first_column=2, last_column=len(cost_types) + 1,
                 colours=[COLOURS[c] for c in cost_types], stacked=True, width=15.5,
                 legend="r")
    line_chart(ws, f"F{chart_row}", title=book.label("xl_chart_fixed_current"),
               axis_title=book.label("unit"), header_row=year_header, first_row=year_first,
               last_row=year_last, columns=[2, 5],
               colours=[COLOURS["fixed"], COLOURS["current"]], width=13.0)


def _method(book: Book, names: _Names, analysis: CostAnalysis) -> Section:
    return Section(book.label("xl_about_method"), [
        (book.label("xl_base_year"), analysis.base_year),
        (book.label("xl_price_index"), analysis.index.name),
        (book.label("xl_index_source"), analysis.index.source),
        (book.label("fixed_prices"), book.label("xl_method_fixed", sheet=names.fixed)),
        (book.label("net_cost"), book.label("xl_method_net", sheet=names.net)),
        (book.label("xl_change_base_year"), book.label(
            "xl_method_change_base", sheet=names.assumptions,
            cell=BASE_YEAR_CELL.replace("$", ""))),
        (book.label("xl_sorting"), book.label("xl_method_sorting", current=names.current,
                                              fixed=names.fixed)),
    ])


def build(analysis: CostAnalysis, *, parameters: dict, author: str = "udkecon",
          generated_at: dt.datetime | None = None) -> Book:
    """The workbook in memory, in the analysis's language (for tests and for callers that
    add sheets)."""
    generated_at = generated_at or fmt.generation_time()
    language = analysis.language
    years = analysis.years
    book = Book(title=label("xl_costs_title", language, first=years[0], last=years[-1]),
                language=language, illustrative=analysis.illustrative,
                footer_note=footer_note(language, generated_at))
    names = _Names(book)
    _summary_sheet(book, names, analysis)
    _current_sheet(book, names, analysis)
    _fixed_sheet(book, names, analysis)
    _net_sheet(book, names, analysis)
    _index_sheet(book, names, analysis)
    _assumptions_sheet(book, names, analysis)
    document(book, method=_method(book, names, analysis), parameters=parameters,
             inputs=analysis.inputs, author=author, generated_at=generated_at,
             subject=text.title(analysis),
             keywords=book.label("xl_costs_keywords").split(";"),
             description=book.label("illustrative_note") if analysis.illustrative else "")
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
