"""The operations report's workbook: SLA breaches, availability by month, calls.

Sheets (Danish names; English with language="en"):

    Oversigt        key figures (live counts over the other sheets), breaches and calls
                    per month, native charts of both
    Tilgængelighed  services x months, breached cells marked, one row per service
    Brud            one row per breach; shortfall and hours as formulas over the row
    Tjenester       compliance per service
    Kald            calls to Serviceplatformen per month and the change (when shown)
    Om tallene      definitions, parameters, sources and sha256 of the inputs

Months are written as Excel dates (the first of the month, shown as "feb 2020"), so that a
reader can sort and filter them and the summary can count breaches per month with
COUNTIFS on a number. Counts per service are written as the package's values rather than
COUNTIFS over service names: a name with * or ? would be read as a wildcard.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill

from ... import fmt
from ...excel.about import (
    Section,
    footer_note,
    input_sections,
    parameters_section,
    report_section,
    set_properties,
    write_about_sheet,
)
from ...excel.board import front_block, not_updating
from ...excel.book import (
    COUNT,
    FIRST_ROW,
    LEFT_WRAP,
    SECTION_FONT,
    SHARE,
    SUBTITLE_FONT,
    Book,
    Column,
    Formula,
    letter,
    quote,
)
from ...excel.charts import COLOURS, column_chart
from ...excel.save import report_writer
from ...fmt import month_label
from ...labels import label
from . import charts, text
from .model import OperationsStatus

NOTE_FONT = SUBTITLE_FONT  # the economy note under the key figures, as a sheet's subtitle
PCT = "0.00"  # availability and targets in percent, two decimals as published
HOURS = "#,##0.0"
CALLS = "#,##0"
MONTH = "mmm yyyy"
MIO = "#,##0"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def month_serial(month: str) -> int:
    """The Excel date number of the first day of a "YYYY-MM" month.

    >>> month_serial("2020-02")  # 1 February 2020
    43862
    """
    year, number = (int(part) for part in month.split("-"))
    return (dt.date(year, number, 1) - _EXCEL_EPOCH).days


class _Names:
    """The sheet titles in the workbook's language."""

    def __init__(self, book: Book):
        self.summary = book.label("xl_sheet_summary")
        for key in ("availability", "breaches", "services", "calls"):
            setattr(self, key, book.label(f"ops_sheet_{key}"))


class Grid(NamedTuple):
    """Where the availability sheet put its figures (for the formulas of the other sheets).

    `first`/`last`: the data rows of the availability table (one per service); the target
    table below repeats the services in the same order, `offset` rows further down; months
    are in columns `first_month_column`..`last_month_column` in both tables;
    `breach_column` counts each service's months below target."""

    sheet: str
    first: int
    last: int
    offset: int
    first_month_column: int
    last_month_column: int
    breach_column: int

    def months(self, row: int, absolute: bool = False) -> str:
        """The month cells of one row, 'D5:O5' ('$D5:$O5' with absolute columns)."""
        d = "$" if absolute else ""
        return (f"{d}{letter(self.first_month_column)}{row}:"
                f"{d}{letter(self.last_month_column)}{row}")

    def column(self, column: int, target: bool = False) -> str:
        """One month's cells over every service, 'E$5:E$16' (of the target table)."""
        shift = self.offset if target else 0
        return (f"{letter(column)}${self.first + shift}:"
                f"{letter(column)}${self.last + shift}")


def _status_rules(grid: Grid) -> list[tuple[str, int]]:
    """The conditional formats of the availability table: (formula, status of
    `charts.cell_status`) for its top-left month cell, relative so that each cell compares
    with its own month's target in the target table. The conditions exclude each other, so
    no rule order or "stop if true" is needed; a blank cell matches none."""
    cell = f"{letter(grid.first_month_column)}{grid.first}"
    target = f"{letter(grid.first_month_column)}{grid.first + grid.offset}"
    measured = f"ISNUMBER({cell}),ISNUMBER({target})"
    shortfall = f"ROUND({target}-{cell},6)"  # 6 decimals: as cell_status, no binary noise
    bounds = [*charts.SHORTFALL_BOUNDS, None]
    rules = [(f"AND({measured},{shortfall}<=0,{cell}>=100)", 0),
             (f"AND({measured},{shortfall}<=0,{cell}<100)", 1)]
    for status, (lower, upper) in enumerate(zip(bounds[:-1], bounds[1:], strict=True), 2):
        above = f"{shortfall}>{lower}" if lower == 0 else f"{shortfall}>={lower}"
        below = f",{shortfall}<{upper}" if upper is not None else ""
        rules.append((f"AND({measured},{above}{below})", status))
    return rules


def _availability_sheet(book: Book, names: _Names, status: OperationsStatus) -> Grid:
    """Services x months against each service's SLA target, coloured by live conditional
    formats; below it the target of every month (the row's target, a formula over column C,
    unless the target changed within the period)."""
    ws = book.add_sheet(names.availability, landscape=True)
    book.heading(ws, book.label("ops_xl_availability_title"),
                 book.label("ops_xl_availability_subtitle"))
    values, targets = status.matrix.availability, status.matrix.target
    row_target = status.services.set_index(["platform", "service"])["sla_target_pct"]
    months = [str(m) for m in values.columns]
    n_months = len(months)
    first = FIRST_ROW
    last = first + len(values) - 1
    target_top = last + 3  # a heading row, then the target table's header row
    grid = Grid(names.availability, first, last, target_top + 1 - first, 4, 3 + n_months,
                4 + n_months)
    columns = [Column(book.label("ops_col_platform")), Column(book.label("ops_col_service")),
               Column(book.label("ops_col_target"), PCT, 12)]
    columns += [Column(month_label(m, book.language), PCT, 9) for m in months]
    count_column = Column(book.label("ops_col_months_breached"), COUNT, 10)
    rows, target_rows = [], []
    for row, key in enumerate(values.index, start=first):
        breaches = int(status.matrix.breached.loc[key].sum())
        target_row = row + grid.offset
        # "measured" as (range<>""), not ISNUMBER(range): every engine evaluates an operator
        # over a range inside SUMPRODUCT, but Gnumeric reads ISNUMBER(range) as one value
        count = Formula(f"=SUMPRODUCT(({grid.months(row)}<{grid.months(target_row)})"
                        f'*({grid.months(row)}<>""))', breaches)
        rows.append([*key, row_target[key], *[values.loc[key, m] for m in months], count])
        # each month's target: the row's (column C, so that changing C moves everything)
        # where it is the same, the month's own where the target changed in the period
        target_rows.append([*key, Formula(f"=$C{row}", row_target[key]), *[
            Formula(f"=$C{row}", row_target[key]) if targets.loc[key, m] == row_target[key]
            else targets.loc[key, m] for m in months]])
    book.table(ws, "availability", [*columns, count_column], rows)
    book.put(ws, target_top - 1, 1, book.label("ops_xl_targets_title"), font=SECTION_FONT)
    book.table(ws, "targets", columns, target_rows, top=target_top)
    for formula, status_index in _status_rules(grid):
        fill, ink = charts.STATUS_COLOURS[status_index]
        bold = status_index not in charts.MET_STATUSES  # a breach, as in the PDF
        ws.conditional_formatting.add(
            f"{letter(grid.first_month_column)}{first}:{letter(grid.last_month_column)}{last}",
            FormulaRule(formula=[formula], stopIfTrue=True,
                        fill=PatternFill("solid", fgColor=fill[1:].upper(),
                                         bgColor=fill[1:].upper()),
                        font=Font(bold=bold, color=ink[1:].upper())))
    ws.freeze_panes = ws.cell(row=first, column=4).coordinate  # keep the names in view
    ws.print_title_rows = f"{first - 1}:{first - 1}"
    return grid


def _breaches_sheet(book: Book, names: _Names, status: OperationsStatus) -> tuple[int, int]:
    ws = book.add_sheet(names.breaches, landscape=True)
    book.heading(ws, book.label("ops_xl_breaches_title"),
                 book.label("ops_xl_breaches_subtitle"))
    columns = [Column(book.label("ops_col_month"), MONTH, 11),
               Column(book.label("ops_col_platform")), Column(book.label("ops_col_service")),
               Column(book.label("ops_col_target"), PCT, 10),
               Column(book.label("ops_col_availability"), PCT, 13),
               Column(book.label("ops_col_shortfall"), PCT, 13),
               Column(book.label("ops_col_hours"), COUNT, 10),
               Column(book.label("ops_col_downtime"), HOURS, 12),
               Column(book.label("ops_col_allowed"), HOURS, 14),
               Column(book.label("ops_col_excess"), HOURS, 13),
               Column(book.label("ops_col_source_row"), COUNT, 10)]
    rows = []
    for row, (source_row, b) in enumerate(zip(status.breaches.index,
                                              status.breaches.itertuples(index=False),
                                              strict=True), start=FIRST_ROW):
        rows.append([
            month_serial(b.month), b.platform, b.service, b.sla_target_pct, b.availability_pct,
            Formula(f"=D{row}-E{row}", b.shortfall_pp),
            Formula(f"=DAY(EOMONTH(A{row},0))*24", int(b.hours_in_month)),
            Formula(f"=(100-E{row})/100*G{row}", b.downtime_hours),
            Formula(f"=(100-D{row})/100*G{row}", b.sla_allowed_downtime_hours),
            Formula(f"=F{row}/100*G{row}", b.excess_downtime_hours),
            int(source_row),
        ])
    return book.table(ws, "breaches", columns, rows)


def _services_sheet(book: Book, names: _Names, status: OperationsStatus, grid: Grid) -> None:
    """Compliance per service: counts and mean as formulas over the availability sheet; the
    lowest month (furthest below target) and the downtime greyed, as no formula follows them."""
    ws = book.add_sheet(names.services, landscape=True)
    book.heading(ws, book.label("ops_xl_services_title"),
                 book.label("ops_xl_services_subtitle"))
    columns = [Column(book.label("ops_col_platform")), Column(book.label("ops_col_service")),
               Column(book.label("ops_col_target"), PCT, 10),
               Column(book.label("ops_col_months_measured"), COUNT, 10),
               Column(book.label("ops_col_months_breached"), COUNT, 10),
               Column(book.label("ops_xl_compliance"), SHARE, 13),
               Column(book.label("ops_col_mean"), PCT, 17),
               Column(book.label("ops_xl_lowest"), PCT, 17),
               Column(book.label("ops_xl_lowest_month"), MONTH, 11),
               Column(book.label("ops_col_downtime"), HOURS, 12)]
    sheet = quote(grid.sheet)
    source_row = {key: row for row, key in enumerate(status.matrix.availability.index,
                                                     start=grid.first)}
    rows, static = [], []
    for row, s in enumerate(status.services.itertuples(index=False), start=FIRST_ROW):
        at = source_row[(s.platform, s.service)]
        months = f"{sheet}!{grid.months(at, absolute=True)}"
        rows.append([
            s.platform, s.service, Formula(f"={sheet}!$C${at}", s.sla_target_pct),
            Formula(f"=COUNT({months})", int(s.months_measured)),
            Formula(f"={sheet}!${letter(grid.breach_column)}${at}", int(s.months_breached)),
            Formula(f"=(D{row}-E{row})/D{row}", s.compliance_rate),
            Formula(f"=AVERAGE({months})", s.mean_availability_pct),
            None, None, None,
        ])
        static.append((row, s))
    book.table(ws, "services", columns, rows)
    for row, s in static:
        not_updating(book, ws, row, 8, s.worst_availability_pct, PCT)
        # "–" where the service was at 100 % every month (the note above says so)
        not_updating(book, ws, row, 9, month_serial(s.worst_month)
                     if text.has_lowest_month(s.worst_availability_pct)
                     else text.NO_LOWEST_MONTH, MONTH)
        not_updating(book, ws, row, 10, s.downtime_hours, HOURS)


def _calls_sheet(book: Book, names: _Names, status: OperationsStatus) -> tuple[int, int]:
    ws = book.add_sheet(names.calls)
    book.heading(ws, book.label("ops_xl_calls_title"), book.label("ops_xl_calls_subtitle"))
    columns = [Column(book.label("ops_col_month"), MONTH, 11),
               Column(book.label("ops_col_calls"), CALLS, 14),
               Column(book.label("ops_col_change_calls"), CALLS, 16),
               Column(book.label("ops_col_change_pct"), SHARE, 14)]
    calls = status.calls
    rows, previous = [], None
    for row, c in enumerate(calls.itertuples(index=False), start=FIRST_ROW):
        change = None if pd.isna(c.change_calls) else int(c.change_calls)
        share = None if pd.isna(c.change_pct) else c.change_pct / 100
        # a formula only where the month before is the row above (the first row's month
        # before may lie outside the period: its change is the package's value)
        follows = previous is not None and month_serial(c.month) - previous <= 31
        rows.append([
            month_serial(c.month), int(c.service_calls),
            Formula(f"=B{row}-B{row - 1}", change) if follows and change is not None
            else change,
            Formula(f"=C{row}/B{row - 1}", share) if follows and share is not None else share,
        ])
        previous = month_serial(c.month)
    return book.table(ws, "calls", columns, rows)


def _summary_sheet(book: Book, names: _Names, status: OperationsStatus, grid: Grid,
                   call_rows: tuple[int, int] | None) -> None:
    """Page 1 of the paper: Resumé and Indstilling, the key figures (live formulas over the
    availability sheet; the worst month and the largest breach greyed), a table per month
    and two charts."""
    ws = book.add_sheet(names.summary, landscape=True)
    ws.page_setup.fitToHeight = 1  # the summary is one page
    lang = status.language
    book.heading(ws, book.title, book.label("ops_xl_subtitle", period=text.period_label(status),
                                            what=text.subtitle(status)), span=4)
    ws.column_dimensions["A"].width = 38
    for column, width in (("B", 12), ("C", 16), ("D", 12), ("E", 14)):
        ws.column_dimensions[column].width = width
    top = front_block(book, ws, 4, resume_sentences=text.resume_sentences(status),
                      clauses=text.recommendation_clauses(status), span=11)
    sheet = quote(grid.sheet)
    month_grid = (f"{sheet}!${letter(grid.first_month_column)}${grid.first}:"
                  f"${letter(grid.last_month_column)}${grid.last}")
    breach_counts = (f"{sheet}!${letter(grid.breach_column)}${grid.first}:"
                     f"${letter(grid.breach_column)}${grid.last}")
    worst = status.worst_month
    big = status.worst_breach
    # short enough to stay clear of the charts: '83,10 % (mål 99,90 %)'
    big_text = (f"{big['service']}, {month_label(big['month'], lang)}: "
                f"{fmt.percent(big['availability_pct'] / 100, 2, lang)} / "
                f"{fmt.percent(big['sla_target_pct'] / 100, 2, lang)}") if big is not None \
        else book.label("ops_xl_none")
    measured_row, breach_row = top + 3, top + 4
    figures = [
        ("ops_xl_period", text.period_label(status), None),
        ("ops_xl_platforms", text.platform_label(status), None),
        ("ops_xl_services", Formula(f"=COUNTA({sheet}!$B${grid.first}:$B${grid.last})",
                                    len(status.services)), COUNT),
        ("ops_xl_service_months", Formula(f"=COUNT({month_grid})", status.service_months),
         COUNT),
        ("ops_xl_breaches", Formula(f"=SUM({breach_counts})", status.breach_count), COUNT),
        ("ops_xl_compliance", Formula(f"=(B{measured_row}-B{breach_row})/B{measured_row}",
                                      status.compliance_rate), SHARE),
    ]
    static = [
        ("ops_xl_worst_month", month_label(worst, lang, "long") if worst
         else book.label("ops_xl_none")),
        ("ops_xl_worst_breach", big_text),
    ]
    calls = quote(names.calls) if status.calls is not None and call_rows else None
    row = top
    for row, (key, value, number_format) in enumerate(figures, start=top):
        book.put(ws, row, 1, book.label(key))
        # numbers right in column B; text from column B's left edge, spilling to the right
        book.put(ws, row, 2, value, number_format,
                 alignment=Column("", number_format).alignment() if number_format else None)
    after_figures = row + 1
    for row, (key, value) in enumerate(static, start=after_figures):
        book.put(ws, row, 1, book.label(key))
        not_updating(book, ws, row, 2, value)
    if calls:
        row += 1
        book.put(ws, row, 1, book.label("ops_xl_calls_total"))
        book.put(ws, row, 2, Formula(
            f"=SUM({calls}!$B${call_rows[0]}:$B${call_rows[1]})/1000000",
            status.calls["service_calls"].sum() / 1e6), MIO,
            alignment=Column("", MIO).alignment())
    # the note wraps within the key figures' columns, clear of the charts to the right
    book.put(ws, row + 1, 1, text.economy_note(status), font=NOTE_FONT, alignment=LEFT_WRAP,
             measure=False)
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=5)

    # Per month: breaches and hours beyond the SLA counted over the availability sheet's
    # column of the month against the target table's; calls looked up
    header = row + 4
    book.put(ws, header - 1, 1, book.label("ops_xl_by_month"), font=SECTION_FONT)
    month_column = Column(book.label("ops_col_month"), MONTH)
    # column A is wide for the key figures' labels: months start at its left edge
    month_alignment = Alignment(horizontal="left", vertical="top", indent=1)
    columns = [month_column, Column(book.label("ops_col_breaches"), COUNT),
               Column(book.label("ops_col_excess"), HOURS)]
    if status.calls is not None:
        columns.append(Column(book.label("ops_xl_calls_mio"), MIO))
    book.header_row(ws, header, 1, columns)
    ws.cell(row=header, column=1).alignment = Alignment(horizontal="left", vertical="center",
                                                        wrap_text=True, indent=1)
    first = header + 1
    calls_by_month = (status.calls.set_index("month")["service_calls"]
                      if status.calls is not None else None)
    for row, month in enumerate(status.months, start=first):
        counts = status.by_month.loc[month]
        column = grid.first_month_column + status.months.index(month)
        actual = f"{sheet}!{grid.column(column)}"
        target = f"{sheet}!{grid.column(column, target=True)}"
        below = f'({actual}<{target})*({actual}<>"")'  # (not ISNUMBER: see the count above)
        book.put(ws, row, 1, month_serial(month), MONTH, alignment=month_alignment)
        book.put(ws, row, 2, Formula(f"=SUMPRODUCT({below})", int(counts["breaches"])), COUNT)
        book.put(ws, row, 3, Formula(
            f"=SUMPRODUCT(({target}-{actual})*{below})/100*DAY(EOMONTH($A{row},0))*24",
            counts["excess_downtime_hours"]), HOURS)
        if calls_by_month is not None:
            book.put(ws, row, 4, Formula(
                f"=VLOOKUP($A{row},{quote(names.calls)}!$A:$B,2,FALSE)/1000000",
                calls_by_month[month] / 1e6), MIO)
    last = first + len(status.months) - 1

    chart = column_chart(ws, f"G{top}", title=book.label("ops_xl_chart_breaches"),
                         axis_title=book.label("ops_xl_count"), header_row=header,
                         first_row=first, last_row=last, first_column=2, last_column=2,
                         colours=[COLOURS["accent"]], width=15.0, height=7.0)
    _month_axis(chart)
    if status.calls is not None:
        chart = column_chart(ws, f"G{top + 15}", title=book.label("ops_xl_chart_calls"),
                             axis_title=book.label("ops_calls_axis"), header_row=header,
                             first_row=first, last_row=last, first_column=4, last_column=4,
                             colours=[COLOURS["operation"]], width=15.0, height=7.0)
        _month_axis(chart)


def _month_axis(chart) -> None:
    """Month categories shown as months, not as date numbers; one series needs no legend."""
    chart.x_axis.number_format = MONTH
    chart.legend = None


def _about_sections(book: Book, status: OperationsStatus, parameters: dict, author: str,
                    generated_at: dt.datetime) -> list[Section]:
    keys = ["ops_xl_def_availability", "ops_xl_def_breach", "ops_xl_def_downtime",
            "ops_xl_def_worst", "ops_xl_def_calls"]
    method = Section(book.label("ops_xl_method"),
                     [(book.label(key), sentence) for key, sentence
                      in zip(keys, text.method_sentences(status), strict=False)])
    return [report_section(book, author, generated_at), method,
            parameters_section(book, parameters), *input_sections(book, status.inputs)]


def build(status: OperationsStatus, *, parameters: dict, author: str = "udkecon",
          generated_at: dt.datetime | None = None) -> Book:
    """The workbook in memory (for tests and for callers that add sheets)."""
    generated_at = generated_at or fmt.generation_time()
    book = Book(title=label("ops_title", status.language), language=status.language,
                illustrative=False, footer_note=footer_note(status.language, generated_at))
    names = _Names(book)
    # the summary counts over the data sheets, so it is written last and moved to the front
    grid = _availability_sheet(book, names, status)
    _breaches_sheet(book, names, status)
    _services_sheet(book, names, status, grid)
    call_rows = _calls_sheet(book, names, status) if status.calls is not None else None
    _summary_sheet(book, names, status, grid, call_rows)
    book.workbook.move_sheet(names.summary, offset=-(len(book.workbook.sheetnames) - 1))
    write_about_sheet(book, _about_sections(book, status, parameters, author, generated_at))
    set_properties(book, subject=text.subtitle(status), author=author,
                   keywords=book.label("ops_xl_keywords").split(";"),
                   description=text.period_label(status), generated_at=generated_at)
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
