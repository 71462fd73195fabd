"""The business case's workbook: costs by item, cash flows with live discounting, NPV,
the tornado table and where every number came from.

Sheets (Danish names; English with language="en"):

    Oversigt        NPV, PV of benefits and costs, B/C, IRR, payback, Monte Carlo summary,
                    and a chart of the cumulative net benefit
    Pengestrømme    per year: cost of each scenario (SUMIFS over Poster), net benefit,
                    the year's rate (looked up on Forudsætninger), DF_t = DF_t-1 / (1 + r_t),
                    present value and cumulative sums; NPV = SUMPRODUCT(net benefit, DF)
    Poster          the case's items by year: amount as in the file x price factor
    Følsomhed       the tornado table (NPV with each input at its low and high value)
    Forudsætninger  the discount rate of each year of the case's life: change it there
    Om tallene      sources, method, parameters, sha256 of every input, version, time

Excel's NPV() discounts its first value; the package does not discount year 0, so the NPV
cell is SUMPRODUCT(net benefit, discount factor) with DF_0 = 1, which agrees with
`business_case.npv` for a flat rate and for Finansministeriet's stepwise rates alike.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ... import fmt
from ...business_case import BusinessCaseResult, price_basis_text
from ...excel.about import Section, document, footer_note
from ...excel.book import (
    FACTOR,
    FIRST_ROW,
    HEADER_ROW,
    INPUT_FILL,
    MONEY,
    RATE,
    RIGHT,
    SECTION_FONT,
    SHARE,
    YEAR,
    Book,
    Column,
    Formula,
    quote,
    ref,
)
from ...excel.charts import COLOURS, line_chart
from ...excel.save import report_writer
from ...labels import label
from . import text
from .model import BusinessCaseReport

RATIO = "0.00"
YEARS = "0.0"


class _Names:
    """The sheet titles in the workbook's language."""

    def __init__(self, book: Book):
        for key in ("summary", "cash_flows", "items", "sensitivity", "assumptions"):
            setattr(self, key, book.label(f"xl_bc_sheet_{key}"))


def _finite(value) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def _items_sheet(book: Book, names: _Names, result: BusinessCaseResult) -> None:
    """One row per case row and year, in the file's prices and in fixed prices."""
    ws = book.add_sheet(names.items, landscape=True)
    book.heading(ws, book.label("xl_bc_items_title"), book.label("xl_bc_items_subtitle"))
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_bc_scenario"), YEAR),
               Column(book.label("xl_bc_item")), Column(book.label("xl_bc_item_label")),
               Column(book.label("cost_type")), Column(book.label("xl_source_row"), YEAR),
               Column(book.label("xl_bc_amount_given"), MONEY),
               Column(book.label("xl_bc_price_year"), YEAR),
               Column(book.label("restate_factor"), FACTOR),
               Column(book.label("xl_amount_fixed"), MONEY)]
    rows = []
    for row, item in enumerate(result.by_item.itertuples(), start=FIRST_ROW):
        rows.append([int(item.year), int(item.scenario), item.item, item.label_da,
                     book.label(item.cost_type), int(item.source_row),
                     item.amount_given_mio_dkk,
                     None if pd.isna(item.price_year) else int(item.price_year),
                     item.price_factor,
                     Formula(f"=G{row}*I{row}", item.amount_mio_dkk)])
    book.table(ws, "case_items", columns, rows)


def _assumptions_sheet(book: Book, names: _Names, result: BusinessCaseResult) -> None:
    """The rate of each year of the case's life, as input cells."""
    ws = book.add_sheet(names.assumptions)
    book.heading(ws, book.label("xl_assumptions_title"),
                 book.label("xl_bc_assumptions_subtitle", rate=result.rate_name))
    columns = [Column(book.label("xl_bc_t"), YEAR), Column(book.label("year"), YEAR),
               Column(book.label("xl_bc_rate"), RATE, width=18),
               Column(book.label("xl_explanation"), width=50, wrap=True)]
    rows = []
    for t, (year, rate) in enumerate(zip(result.years, result.rates, strict=True)):
        note = book.label("xl_bc_rate_year0") if t == 0 else ""
        rows.append([t, int(year), rate if _finite(float(rate)) else None, note])
    first, last = book.table(ws, "discount_rates", columns, rows)
    for row in range(first, last + 1):
        ws[f"C{row}"].fill = INPUT_FILL


def _cash_flow_sheet(book: Book, names: _Names, result: BusinessCaseResult) -> dict[str, str]:
    """The cash flows and the key figures beside them; returns where each key figure is."""
    ws = book.add_sheet(names.cash_flows, landscape=True)
    book.heading(ws, book.label("xl_bc_cash_title"), book.label("xl_bc_cash_subtitle"))
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_bc_t"), YEAR),
               Column(book.label("xl_bc_cost_0"), MONEY), Column(book.label("xl_bc_cost_1"), MONEY),
               Column(book.label("xl_bc_net"), MONEY), Column(book.label("xl_bc_cum_net"), MONEY),
               Column(book.label("xl_bc_rate"), RATE), Column(book.label("xl_bc_df"), FACTOR),
               Column(book.label("xl_bc_pv"), MONEY), Column(book.label("xl_bc_cum_pv"), MONEY)]
    items, rates = quote(names.items), quote(names.assumptions)
    rows = []
    last = FIRST_ROW + len(result.years) - 1
    for t, year in enumerate(result.years):
        row = FIRST_ROW + t
        previous = row - 1

        def costs(scenario: int, value: float, row=row) -> Formula:
            return Formula(f"=SUMIFS({items}!$J:$J,{items}!$A:$A,$A{row},"
                           f"{items}!$B:$B,{scenario})", value)

        rate = result.rates[t]
        rows.append([
            int(year), t,
            costs(0, result.cost_scenario_0[t]), costs(1, result.cost_scenario_1[t]),
            Formula(f"=C{row}-D{row}", result.net_benefit[t]),
            Formula(f"=E{row}" if t == 0 else f"=F{previous}+E{row}",
                    result.cumulative_net_benefit[t]),
            Formula(f"=VLOOKUP($B{row},{rates}!$A:$C,3,FALSE)", rate)
            if _finite(float(rate)) else None,
            # year 0 is not discounted; then DF_t = DF_t-1 / (1 + r_t)
            1.0 if t == 0 else Formula(f"=H{previous}/(1+G{row})", result.discount_factors[t]),
            Formula(f"=E{row}*H{row}", result.discounted_net_benefit[t]),
            Formula(f"=I{row}" if t == 0 else f"=J{previous}+I{row}",
                    result.cumulative_discounted_net_benefit[t]),
        ])
    book.table(ws, "cash_flows", columns, rows)

    # Key figures beside the table (columns L:M), read by the summary
    net, factors = f"E{FIRST_ROW}:E{last}", f"H{FIRST_ROW}:H{last}"
    book.header_row(ws, HEADER_ROW, 12, [book.label("xl_bc_key_figures"),
                                         Column(book.label("xl_value"), MONEY)])
    figures = [
        ("xl_bc_npv", Formula(f"=SUMPRODUCT({net},{factors})", result.npv), MONEY),
        ("xl_bc_pv_benefits", Formula(f"=SUMPRODUCT(({net}>0)*{net},{factors})",
                                      result.pv_benefits), MONEY),
        ("xl_bc_pv_costs", Formula(f"=-SUMPRODUCT(({net}<0)*{net},{factors})",
                                   result.pv_costs), MONEY),
        ("xl_bc_bc_ratio", Formula(f"=M{FIRST_ROW + 1}/M{FIRST_ROW + 2}", result.bc_ratio)
         if result.pv_costs > 0 else book.label("xl_bc_none"), RATIO),
        # Excel's IRR: sum_t v_t / (1+r)^t = 0 with v_0 undiscounted, as the package
        ("xl_bc_irr", Formula(f"=IRR({net})", result.irr) if _finite(result.irr)
         else book.label("xl_bc_none"), RATE),
    ]
    cells = {}
    for row, (key, value, number_format) in enumerate(figures, start=FIRST_ROW):
        book.put(ws, row, 12, book.label(key))
        book.put(ws, row, 13, value, number_format)
        cells[key] = f"$M${row}"
    ws.column_dimensions["K"].width = 3
    ws.column_dimensions["L"].width = 34
    ws.column_dimensions["M"].width = 14
    return cells


def _sensitivity_sheet(book: Book, names: _Names, result: BusinessCaseResult,
                       tornado: pd.DataFrame) -> None:
    ws = book.add_sheet(names.sensitivity, landscape=True)
    base = float(tornado["npv_base"].iloc[0]) if len(tornado) else result.npv
    book.heading(ws, book.label("xl_bc_tornado_title"),
                 book.label("xl_bc_tornado_subtitle", npv=fmt.number(base, 1, book.language)))
    item_label = "label_da" if book.language == "da" and "label_da" in tornado else "item"
    columns = [Column(book.label("xl_bc_item")), Column(book.label("xl_bc_low"), MONEY),
               Column(book.label("xl_bc_mode"), MONEY), Column(book.label("xl_bc_high"), MONEY),
               Column(book.label("xl_bc_npv_low"), MONEY),
               Column(book.label("xl_bc_npv_high"), MONEY),
               Column(book.label("xl_bc_swing"), MONEY)]
    varies = book.label("xl_bc_varies")  # an item whose rows have different amounts
    rows = [[r[item_label], *(varies if pd.isna(r[p]) else r[p] for p in ("low", "mode", "high")),
             r["npv_low"], r["npv_high"], r["swing"]] for _, r in tornado.iterrows()]
    book.table(ws, "tornado", columns, rows or [[book.label("xl_none")] + [None] * 6])


def _summary_sheet(ws, book: Book, names: _Names, result: BusinessCaseResult, cells: dict,
                   monte_carlo) -> None:
    ws.page_setup.fitToHeight = 1
    subtitle = (book.label("xl_summary_subtitle", base_year=result.base_year)
                if result.base_year is not None else book.label("xl_bc_own_prices"))
    book.heading(ws, book.title, subtitle, span=3)
    cash = names.cash_flows
    book.put(ws, 5, 1, book.label("xl_bc_key_figures"), font=SECTION_FONT)
    book.header_row(ws, 6, 1, ["", Column(book.label("xl_value"), MONEY)])
    figures = [(key, Formula(f"={ref(cash, cells[key])}", value) if _finite(value)
                else book.label("xl_bc_none"), number_format)
               for key, value, number_format in (
                   ("xl_bc_npv", result.npv, MONEY),
                   ("xl_bc_pv_benefits", result.pv_benefits, MONEY),
                   ("xl_bc_pv_costs", result.pv_costs, MONEY),
                   ("xl_bc_bc_ratio", result.bc_ratio, RATIO),
                   ("xl_bc_irr", result.irr, RATE))]
    summary = result.summary()
    # payback is interpolated within a year (business_case.payback): the package's value
    figures += [
        ("xl_bc_payback", result.payback if _finite(result.payback)
         else book.label("xl_bc_never"), YEARS),
        ("xl_bc_payback_year", summary["payback_year"] or book.label("xl_bc_never"), YEAR),
        ("xl_bc_discounted_payback", result.discounted_payback
         if _finite(result.discounted_payback) else book.label("xl_bc_never"), YEARS),
        ("xl_bc_rate", result.rate_name, None),
        ("period", f"{summary['first_year']}-{summary['last_year']}", None),
    ]
    row = 7
    for row, (key, value, number_format) in enumerate(figures, start=7):
        book.put(ws, row, 1, book.label(key))
        book.put(ws, row, 2, value, number_format, alignment=RIGHT)
    if monte_carlo is not None:
        row += 2
        book.put(ws, row, 1, book.label("xl_bc_monte_carlo", draws=f"{monte_carlo.draws:,}"
                                        .replace(",", ".")), font=SECTION_FONT)
        for key, value, number_format in (
                ("xl_bc_p10", monte_carlo.p10, MONEY), ("xl_bc_p50", monte_carlo.p50, MONEY),
                ("xl_bc_p90", monte_carlo.p90, MONEY), ("xl_bc_mean", monte_carlo.mean, MONEY),
                ("xl_bc_prob_positive", monte_carlo.prob_positive, SHARE),
                ("xl_bc_seed", monte_carlo.seed, YEAR)):
            row += 1
            book.put(ws, row, 1, book.label(key))
            book.put(ws, row, 2, value, number_format, alignment=RIGHT)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 16
    cash_ws = book.workbook[cash]
    last = FIRST_ROW + len(result.years) - 1
    line_chart(ws, "D5", title=book.label("xl_bc_chart_cumulative"),
               axis_title=book.label("unit"), header_row=HEADER_ROW, first_row=FIRST_ROW,
               last_row=last, columns=[6, 10], colours=[COLOURS["fixed"], COLOURS["net"]],
               width=17.0, height=9.0, source=cash_ws)


def _method(book: Book, names: _Names, result: BusinessCaseResult) -> Section:
    return Section(book.label("xl_about_method"), [
        (book.label("price_basis"), price_basis_text(result.base_year, book.language)),
        (book.label("xl_bc_rate"), book.label("xl_bc_method_rate", rate=result.rate_name,
                                              sheet=names.assumptions)),
        (book.label("xl_bc_df"), book.label("xl_bc_method_df")),
        (book.label("xl_bc_npv"), book.label("xl_bc_method_npv", sheet=names.cash_flows)),
        (book.label("xl_bc_bc_ratio"), book.label("xl_bc_method_bc")),
        (book.label("xl_bc_irr"), book.label("xl_bc_method_irr")),
        (book.label("xl_bc_payback"), book.label("xl_bc_method_payback")),
        (book.label("xl_bc_net"), book.label("xl_bc_method_net", sheet=names.items)),
        (book.label("xl_bc_tornado_title"), book.label("xl_bc_method_tornado")),
    ])


def build(report: BusinessCaseReport, *, parameters: dict, author: str = "udkecon",
          generated_at: dt.datetime | None = None) -> Book:
    """The workbook in memory, in the report's language (for tests and for callers that add
    sheets)."""
    generated_at = generated_at or fmt.generation_time()
    result, language = report.result, report.language
    title = text.title(report)
    book = Book(title=title, language=language, illustrative=result.illustrative,
                footer_note=footer_note(language, generated_at),
                banner=label("xl_bc_banner", language))
    names = _Names(book)
    # the summary comes first but shows what the cash-flow sheet computes: it is filled last
    summary = book.add_sheet(names.summary, landscape=True)
    _items_sheet(book, names, result)
    cells = _cash_flow_sheet(book, names, result)
    _sensitivity_sheet(book, names, result, report.tornado)
    _assumptions_sheet(book, names, result)
    note = book.label("xl_bc_illustrative_note")
    document(book, method=_method(book, names, result), parameters=parameters,
             inputs=report.inputs, author=author, generated_at=generated_at,
             subject=title, keywords=book.label("xl_bc_keywords").split(";"),
             description=note if result.illustrative else "", illustrative_note=note)
    _summary_sheet(summary, book, names, result, cells, report.monte_carlo)
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
