"""The business case's workbook: costs by item, cash flows with live discounting, NPV,
the tornado table and where every number came from.

Sheets (Danish names; English with language="en"):

    Oversigt        the committee paper's front (Resumé, Indstilling) and "Økonomi": the
                    expected NPV (Monte Carlo, greyed: it does not update), NPV at the most
                    likely values, payback and discounted payback, IRR and B/C as live
                    formulas; a chart of the cumulative net benefit
    Pengestrømme    per year: cost of each scenario (SUMIFS over Poster), net benefit,
                    the year's rate (looked up on Forudsætninger), DF_t = DF_t-1 / (1 + r_t),
                    present value and cumulative sums; NPV = SUMPRODUCT(net benefit, DF)
    Poster          the case's items by year: amount as in the file x price factor, x the
                    view's factor (NAF + tax distortion factor - 1; 1 in the budget view)
    Risikojustering per item: low, most likely, high and the risk-adjusted value (formulas)
    Følsomhed       the tornado table (NPV with each input at its low and high value)
    Forudsætninger  the discount rate of each year of the case's life and the view's two
                    factors: change them there
    Om tallene      sources, method, parameters, sha256 of every input, version, time

Payback is a formula too: k = the last year t with a negative cumulative flow, the MAX of a
helper column IF(cumulative<0, t, -1) (-1 when there is none), then
payback = k + (-cumulative_k) / flow_(k+1) with INDEX, as `business_case.payback`.

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
from ...excel import board as excel_board
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
        for key in ("summary", "cash_flows", "items", "risk", "sensitivity", "assumptions"):
            setattr(self, key, book.label(f"xl_bc_sheet_{key}"))
        self.index = book.label("xl_sheet_index")


def _finite(value) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


# Where the view's factors are on the assumptions sheet (beside the rate table)
NAF_CELL, DISTORTION_CELL, VIEW_FACTOR_CELL = "$G$5", "$G$6", "$G$7"
# Where the base year is on the index sheet (beside the index table)
BASE_YEAR_CELL = f"$E${FIRST_ROW}"


def _items_sheet(book: Book, names: _Names, report: BusinessCaseReport) -> None:
    """One row per case row and year, in the file's prices and in fixed prices; a case with
    a price year restates with a formula over the index sheet."""
    result = report.result
    ws = book.add_sheet(names.items, landscape=True)
    subtitle = book.label("xl_bc_items_subtitle")
    if report.index is not None:
        subtitle += " " + book.label("xl_bc_index_note", sheet=names.index)
    book.heading(ws, book.label("xl_bc_items_title"), subtitle)
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_bc_scenario"), YEAR),
               Column(book.label("xl_bc_item")), Column(book.label("xl_bc_scenario_name")),
               Column(book.label("cost_type")), Column(book.label("xl_source_row"), YEAR),
               Column(book.label("xl_bc_amount_given"), MONEY),
               Column(book.label("xl_bc_price_year"), YEAR),
               Column(book.label("restate_factor"), FACTOR),
               Column(book.label("xl_amount_fixed"), MONEY),
               Column(book.label("xl_bc_amount_view"), MONEY)]
    factor = ref(names.assumptions, VIEW_FACTOR_CELL)
    index = quote(names.index)
    rows = []
    for row, item in enumerate(result.by_item.itertuples(), start=FIRST_ROW):
        price_year = None if pd.isna(item.price_year) else int(item.price_year)
        # index[base year] / index[price year], looked up on the index sheet, so that an
        # index value changed there follows through; 1 when the case is not restated
        price_factor = (Formula(f"=VLOOKUP({index}!{BASE_YEAR_CELL},{index}!$A:$B,2,FALSE)"
                                f"/VLOOKUP(H{row},{index}!$A:$B,2,FALSE)", item.price_factor)
                        if report.index is not None and price_year is not None
                        else item.price_factor)
        rows.append([int(item.year), int(item.scenario),
                     text.item_label(item.item, item.label_da, book.language),
                     book.label(f"bc_legend_cost_{int(item.scenario)}"),
                     book.label(item.cost_type), int(item.source_row),
                     item.amount_given_mio_dkk, price_year, price_factor,
                     Formula(f"=G{row}*I{row}", item.amount_mio_dkk / item.view_factor),
                     Formula(f"=J{row}*{factor}", item.amount_mio_dkk)])
    book.table(ws, "case_items", columns, rows)


def _index_sheet(book: Book, names: _Names, report: BusinessCaseReport) -> None:
    """The price index the amounts are restated with, and the base year: the Poster sheet's
    restatement factors are formulas over it."""
    index = report.index
    ws = book.add_sheet(names.index, fit_width=False)
    book.heading(ws, book.label("xl_index_title"), f"{index.name}. {index.source}")
    columns = [Column(book.label("year"), YEAR), Column(book.label("index_value"), FACTOR, 12)]
    book.table(ws, "price_index", columns, [[year, index[year]] for year in index.years])
    book.header_row(ws, HEADER_ROW, 4, [book.label("xl_bc_base_year"),
                                        Column(book.label("xl_value"), YEAR)])
    book.put(ws, FIRST_ROW, 4, book.label("xl_bc_base_year"))
    book.put(ws, FIRST_ROW, 5, int(report.flows.base_year), YEAR)
    ws.column_dimensions["C"].width = 3
    ws.column_dimensions["D"].width = 26
    ws.column_dimensions["E"].width = 12


def _assumptions_sheet(book: Book, names: _Names, report: BusinessCaseReport) -> None:
    """The rate of each year of the case's life, as input cells, and the view's factors."""
    result = report.result
    ws = book.add_sheet(names.assumptions, landscape=True)
    book.heading(ws, book.label("xl_assumptions_title"),
                 book.label("xl_bc_assumptions_subtitle",
                            rate=text.rate_short(report)))
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
    _view_factors(book, ws, report)


def _view_factors(book: Book, ws, report: BusinessCaseReport) -> None:
    """The view's two factors (inputs) and the factor every amount is multiplied by."""
    socio = report.socioeconomic
    naf = 1.0 if socio is None or socio.net_tax_factor is None else socio.net_tax_factor
    distortion = (1.0 if socio is None or socio.tax_distortion_factor is None
                  else socio.tax_distortion_factor)
    book.header_row(ws, HEADER_ROW, 6, [book.label("xl_bc_view"), Column(book.label("xl_value"),
                                                                          FACTOR)])
    book.put(ws, 5, 6, book.label("xl_bc_naf"))
    book.put(ws, 5, 7, naf, FACTOR, fill=INPUT_FILL)
    book.put(ws, 6, 6, book.label("xl_bc_distortion"))
    book.put(ws, 6, 7, distortion, FACTOR, fill=INPUT_FILL)
    book.put(ws, 7, 6, book.label("xl_bc_view_factor"))
    book.put(ws, 7, 7, Formula("=G5+(G6-1)", report.flows.view_factor), FACTOR)
    book.put(ws, 8, 6, text.view_text(report), measure=False)
    book.put(ws, 9, 6, book.label("xl_bc_view_note"), measure=False)
    ws.column_dimensions["E"].width = 3
    ws.column_dimensions["F"].width = 52
    ws.column_dimensions["G"].width = 12


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
            return Formula(f"=SUMIFS({items}!$K:$K,{items}!$A:$A,$A{row},"
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
    # payback, undiscounted (cumulative F, flows E) and discounted (cumulative J, flows I)
    never = book.label("xl_bc_never")
    base = FIRST_ROW + len(figures)
    for offset, (key, cumulative, flows, time) in enumerate((
            ("xl_bc_payback", "F", "E", result.payback),
            ("xl_bc_discounted_payback", "J", "I", result.discounted_payback))):
        k_row, time_row = base + 3 * offset, base + 3 * offset + 1
        span = f"{cumulative}{FIRST_ROW}:{cumulative}{last}"
        k = f"M{k_row}"
        last_negative = _last_negative(result, cumulative == "J")
        helper = "O" if cumulative == "F" else "P"  # t where the cumulative is negative, else -1
        figures.append((f"xl_bc_k_{key}", Formula(
            f"=MAX({helper}{FIRST_ROW}:{helper}{last})", last_negative), YEAR))
        figures.append((key, Formula(
            f'=IF({cumulative}{last}<0,"{never}",IF({k}<0,0,{k}-INDEX({span},{k}+1)'
            f'/INDEX({flows}{FIRST_ROW}:{flows}{last},{k}+2)))',
            time if _finite(time) else never), YEARS))
        year = None if time is None else int(result.years[0] + math.ceil(time))
        figures.append((f"{key}_year", Formula(
            f'=IF(ISNUMBER(M{time_row}),A{FIRST_ROW}+ROUNDUP(M{time_row},0),"{never}")',
            year if year is not None else never), YEAR))
    cells = {}
    names_of = {"xl_bc_k_xl_bc_payback": "xl_bc_negative_years",
                "xl_bc_k_xl_bc_discounted_payback": "xl_bc_negative_years",
                "xl_bc_payback_year": "xl_bc_payback_year",
                "xl_bc_discounted_payback_year": "xl_bc_discounted_payback_year"}
    for row, (key, value, number_format) in enumerate(figures, start=FIRST_ROW):
        book.put(ws, row, 12, book.label(names_of.get(key, key)))
        book.put(ws, row, 13, value, number_format)
        cells[key] = (f"$M${row}", value.value if isinstance(value, Formula) else value)
    ws.column_dimensions["K"].width = 3
    ws.column_dimensions["L"].width = 34
    ws.column_dimensions["M"].width = 14
    # helper columns for the payback: t where the cumulative flow is negative, else -1, so
    # that MAX gives the last such year with plain formulas (no array evaluation, which
    # spreadsheet programs treat differently)
    book.header_row(ws, HEADER_ROW, 15, [Column(book.label("xl_bc_negative_t"), YEAR),
                                         Column(book.label("xl_bc_negative_t_discounted"),
                                                YEAR)])
    for t in range(len(result.years)):
        row = FIRST_ROW + t
        for column, letter_, series in ((15, "F", result.cumulative_net_benefit),
                                        (16, "J", result.cumulative_discounted_net_benefit)):
            book.put(ws, row, column, Formula(f"=IF({letter_}{row}<0,B{row},-1)",
                                              t if series[t] < 0 else -1), YEAR)
    ws.column_dimensions["N"].width = 3
    ws.column_dimensions["O"].width = 16
    ws.column_dimensions["P"].width = 16
    return cells


def _last_negative(result: BusinessCaseResult, discounted: bool) -> int:
    """The last t with a negative cumulative flow, -1 when there is none (the formula's)."""
    cumulative = (result.cumulative_discounted_net_benefit if discounted
                  else result.cumulative_net_benefit)
    negative = [t for t, value in enumerate(cumulative) if value < 0]
    return negative[-1] if negative else -1


def _risk_sheet(book: Book, names: _Names, report: BusinessCaseReport) -> None:
    """Digitaliseringsstyrelsen's form: per item and scenario the totals at low, most likely
    and high (inputs), the risk-adjusted value (L + M + H)/3 and the difference as formulas;
    the effect on the NPV computed by udkecon (greyed)."""
    ws = book.add_sheet(names.risk, landscape=True)
    book.heading(ws, book.label("xl_bc_risk_title"), book.label("xl_bc_risk_subtitle"))
    flows = report.flows
    rows_of = flows.rows.reset_index(drop=True)
    over_horizon = flows.timing.sum(axis=1)
    columns = [Column(book.label("xl_bc_item")), Column(book.label("xl_bc_scenario"), YEAR),
               Column(book.label("xl_bc_low"), MONEY), Column(book.label("xl_bc_mode"), MONEY),
               Column(book.label("xl_bc_high"), MONEY),
               Column(book.label("xl_bc_mean_amount"), MONEY),
               Column(book.label("bc_col_difference"), MONEY),
               Column(book.label("bc_col_npv_effect"), MONEY),
               Column(book.label("xl_bc_reason"), width=60, wrap=True)]
    rows = []
    effects = []
    for row, record in enumerate(report.risk_adjusted.itertuples(), start=FIRST_ROW):
        match = ((rows_of["item"] == record.item) & (rows_of["scenario"] == record.scenario)
                 ).to_numpy()
        totals = {p: float(rows_of[p].to_numpy(float)[match] @ over_horizon[match])
                  for p in ("low", "mode", "high")}
        name = (record.label_da if book.language == "da" and isinstance(record.label_da, str)
                else text.item_label(record.item, record.label_da, book.language))
        rows.append([name, int(record.scenario), totals["low"], totals["mode"], totals["high"],
                     Formula(f"=(C{row}+D{row}+E{row})/3", record.mean_total),
                     Formula(f"=F{row}-D{row}", record.difference), None,
                     record.range_reason or book.label("bc_no_reason")])
        effects.append((row, record.npv_effect))
    first, last = book.table(ws, "risk_adjusted", columns, rows)
    for row in range(first, last + 1):
        for column in "CDE":
            ws[f"{column}{row}"].fill = INPUT_FILL
    for row, effect in effects:
        excel_board.not_updating(book, ws, row, 8, effect, MONEY)


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


def _summary_sheet(ws, book: Book, names: _Names, report: BusinessCaseReport,
                   cells: dict) -> None:
    """The committee paper's front: Resumé and Indstilling as on page 1 of the PDF, then
    "Økonomi": live formulas for everything the assumptions decide, the Monte Carlo
    figures greyed (they do not update)."""
    result, monte_carlo = report.result, report.monte_carlo
    ws.page_setup.fitToHeight = 1
    subtitle = (book.label("xl_summary_subtitle", base_year=result.base_year)
                if result.base_year is not None else book.label("xl_bc_own_prices"))
    book.heading(ws, book.title, subtitle, span=3)
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 20
    row = excel_board.front_block(book, ws, 5, resume_sentences=text.resume_sentences(report),
                                  clauses=text.recommendation_clauses(report), span=2)
    # the sentences above hold numbers that no formula follows: say so on the sheet itself
    # (a cell comment alone is not seen on paper); the note takes the blank row before
    # "Økonomi"
    book.put(ws, row - 2, 1, book.label("xl_bc_text_not_updating"), font=excel_board.STATIC_FONT)
    cash = names.cash_flows
    book.header_row(ws, row, 1, [book.label("xl_bc_key_figures"),
                                 Column(book.label("xl_value"), MONEY)])

    def live(key):
        return Formula(f"={ref(cash, cells[key][0])}", cells[key][1])

    figures = [
        ("xl_bc_expected_npv", None, MONEY),  # Monte Carlo: greyed below
        ("xl_bc_npv", live("xl_bc_npv"), MONEY),
        ("xl_bc_pv_benefits", live("xl_bc_pv_benefits"), MONEY),
        ("xl_bc_pv_costs", live("xl_bc_pv_costs"), MONEY),
        ("xl_bc_bc_ratio", live("xl_bc_bc_ratio") if "xl_bc_bc_ratio" in cells
         else book.label("xl_bc_none"), RATIO),
        ("xl_bc_irr", live("xl_bc_irr") if "xl_bc_irr" in cells else book.label("xl_bc_none"),
         RATE),
        ("xl_bc_payback", live("xl_bc_payback"), YEARS),
        ("xl_bc_payback_year", live("xl_bc_payback_year"), YEAR),
        ("xl_bc_discounted_payback", live("xl_bc_discounted_payback"), YEARS),
        ("xl_bc_view", _capital_first(text.view_short(report)), None),
        ("xl_bc_rate", text.rate_short(report)[:1].upper() + text.rate_short(report)[1:], None),
        ("period", report.period, None),
    ]
    if report.flows.savings_start is not None:
        figures.append(("xl_bc_savings_start", report.flows.savings_start, YEAR))
    # what it costs and what it saves, as on page 1: sums over the items' timing that no
    # formula on these sheets follows, so greyed like the Monte Carlo figures
    static = {"xl_bc_expected_npv": monte_carlo.mean}
    unit = ", " + book.label("unit")
    investment, years = report.investment
    if years:
        key = label("bc_investment_row", report.language, years=text.spans(years)) + unit
        figures.insert(2, (key, None, MONEY))
        static[key] = investment
    if report.case_saving is not None:
        own = report.case_saving
        key = label("bc_saving_row", report.language, year=own.year) + unit
        figures.insert(3 if years else 2, (key, None, MONEY))
        static[key] = own.baseline_operation - own.alternative_operation
    first_row = row + 1
    for row, (key, value, number_format) in enumerate(figures, start=first_row):
        book.put(ws, row, 1, book.label(key) if key.startswith("xl_") or key == "period"
                 else key)
        if key in static:
            excel_board.not_updating(book, ws, row, 2, static[key], MONEY)
        else:
            book.put(ws, row, 2, value, number_format, alignment=RIGHT)
    row += 2
    book.put(ws, row, 1, book.label("xl_bc_monte_carlo", draws=f"{monte_carlo.draws:,}"
                                    .replace(",", ".")), font=SECTION_FONT)
    row += 1
    book.put(ws, row, 1, book.label("xl_bc_mc_not_updating"), font=excel_board.STATIC_FONT)
    for key, value, number_format in (
            ("xl_bc_p10", monte_carlo.p10, MONEY), ("xl_bc_p50", monte_carlo.p50, MONEY),
            ("xl_bc_p90", monte_carlo.p90, MONEY), ("xl_bc_mean", monte_carlo.mean, MONEY),
            ("xl_bc_prob_positive", monte_carlo.prob_positive, SHARE)):
        row += 1
        book.put(ws, row, 1, book.label(key))
        excel_board.not_updating(book, ws, row, 2, value, number_format)
    row += 1
    book.put(ws, row, 1, book.label("xl_bc_seed"))
    book.put(ws, row, 2, monte_carlo.seed, YEAR, alignment=RIGHT)
    cash_ws = book.workbook[cash]
    last = FIRST_ROW + len(result.years) - 1
    line_chart(ws, "D5", title=book.label("xl_bc_chart_cumulative"),
               axis_title=book.label("unit"), header_row=HEADER_ROW, first_row=FIRST_ROW,
               last_row=last, columns=[6, 10], colours=[COLOURS["fixed"], COLOURS["net"]],
               width=17.0, height=9.0, source=cash_ws)


def _capital_first(value: str) -> str:
    return value[:1].upper() + value[1:]


def _method(book: Book, names: _Names, report: BusinessCaseReport) -> Section:
    result = report.result
    return Section(book.label("xl_about_method"), [
        (book.label("price_basis"), price_basis_text(result.base_year, book.language)),
        (book.label("xl_bc_rate"), book.label(
            "xl_bc_method_rate", rate=text.rate_text(report.rate, book.language)[:1].upper()
            + text.rate_text(report.rate, book.language)[1:], sheet=names.assumptions)),
        (book.label("xl_bc_df"), book.label("xl_bc_method_df")),
        (book.label("xl_bc_npv"), book.label("xl_bc_method_npv", sheet=names.cash_flows)),
        (book.label("xl_bc_bc_ratio"), book.label("xl_bc_method_bc")),
        (book.label("xl_bc_irr"), book.label("xl_bc_method_irr")),
        (book.label("xl_bc_payback"), book.label("xl_bc_method_payback",
                                                 sheet=names.cash_flows)),
        (book.label("xl_bc_view"), text.view_text(report)),
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
    _items_sheet(book, names, report)
    cells = _cash_flow_sheet(book, names, result)
    _risk_sheet(book, names, report)
    _sensitivity_sheet(book, names, result, report.tornado)
    if report.index is not None:  # as in the costs workbook: the index before the assumptions
        _index_sheet(book, names, report)
    _assumptions_sheet(book, names, report)
    note = book.label("xl_bc_illustrative_note")
    document(book, method=_method(book, names, report), parameters=parameters,
             inputs=report.inputs, author=author, generated_at=generated_at,
             subject=title, keywords=book.label("xl_bc_keywords").split(";"),
             description=note if result.illustrative else "", illustrative_note=note)
    _summary_sheet(summary, book, names, report, cells)
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
