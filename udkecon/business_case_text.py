"""The business case report's content: which case and rate the parameters name, the key
figures a reader sees, the realised saving against the 25 % target, and the conclusion in
Danish or English, every number taken from the computation.

`business_case_report(...)` evaluates a case once (key figures, tornado, switching values,
Monte Carlo) for the notebook, its PDF and its workbook; the other functions turn that into
tables and sentences. The discounting and the key figures themselves are in
`udkecon.business_case`, the uncertainty in `udkecon.uncertainty`.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import business_case as bc
from . import config, fmt, prices, uncertainty
from .data import load, provenance
from .errors import ParameterError
from .labels import check_language, label

# The named cases a report can be run on; any other value of `case` is a path to a case file.
CASES = {
    "monopoly_break": config.MONOPOLY_BREAK_CASE_FILE,
    "udk_share": config.UDK_SHARE_CASE_FILE,
}
# Cost types of the one-off build: the first full year of operation is the year after them.
BUILD_COST_TYPES = ("implementation", "dual_operation")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- parameters

def case_file(case) -> Path:
    """The case file of `case`: a name in CASES or the path of a case file.

    >>> case_file("monopoly_break").name
    'business_case_monopoly_break.csv'
    """
    text = str(case).strip()
    if text in CASES:
        return CASES[text]
    path = Path(text).expanduser()
    if text and path.is_file():
        return path
    raise ParameterError(f"case '{case}' is neither a known case nor an existing file; use one "
                         f"of: {', '.join(CASES)}, or the path of a case file (kind "
                         "business_case, see data/raw/README.md)")


def case_name(case) -> str:
    """The case's name: its key in CASES, else the stem of its file."""
    text = str(case).strip()
    return text if text in CASES else Path(text).stem


def parse_discount_rate(discount_rate):
    """The notebook's `discount_rate` text as `business_case.evaluate` takes it: a schedule
    name ('fm2013', 'fm2021'), a decision date YYYY-MM-DD (the schedule valid then) or a
    decimal rate ('0.035' or '0,035').

    >>> parse_discount_rate("0,035"), parse_discount_rate("2021-03-01")
    (0.035, datetime.date(2021, 3, 1))
    """
    if isinstance(discount_rate, (int, float)) and not isinstance(discount_rate, bool):
        rate = float(discount_rate)
    else:
        text = str(discount_rate).strip().lower()
        rate = text
        if _DATE.match(text):
            try:
                rate = datetime.date.fromisoformat(text)
            except ValueError:
                rate = text
        elif re.fullmatch(r"[+-]?\d*[.,]?\d+", text):
            rate = float(text.replace(",", "."))
    try:
        bc.rate_schedule(rate, 2)
    except ParameterError as error:
        raise ParameterError(f"discount_rate '{discount_rate}' cannot be used: {error}") from None
    return rate


def check_parameters(case, discount_rate, horizon: int, draws: int, seed: int) -> None:
    """Fail fast on a value the report cannot use, naming the parameter and the choices."""
    path = case_file(case)
    rate = parse_discount_rate(discount_rate)
    for name, value, least in (("horizon", horizon, 0), ("draws", draws, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ParameterError(f"{name} {value!r} is not usable; give a whole number of at "
                                 f"least {least}" + (" (0 means the case's own horizon)"
                                                     if name == "horizon" else ""))
    cases = bc.load_case(path)
    years = horizon or int(cases["last_year"].max()) - int(cases["first_year"].min()) + 1
    try:
        bc.rate_schedule(rate, years)
    except ParameterError as error:
        raise ParameterError(f"horizon {horizon} ({years} years) with discount_rate "
                             f"'{discount_rate}' cannot be used: {error}") from None


# --------------------------------------------------------------------------- the saving target

@dataclass(frozen=True)
class SavingVsTarget:
    """KOMBIT's final account: the realised yearly saving against the saving target."""

    target: float  # share, 0.25
    baseline: float  # municipal payments to KMD in 2017, mio. kr.
    after: float  # new payments after the monopoly break at most, mio. kr. a year
    saving: float  # stated yearly saving, mio. kr. (published rounded: not baseline - after)
    source: dict  # provenance of the final account file

    @property
    def realised(self) -> float:
        """realised = saving / baseline (137.2 / 549.8 = 24.95 %)."""
        return self.saving / self.baseline

    @property
    def gap_points(self) -> float:
        """realised - target in percentage points (negative: short of the target)."""
        return 100.0 * (self.realised - self.target)


def saving_vs_target(path=None) -> SavingVsTarget:
    """The final account's saving against its target (`config.FINAL_ACCOUNT_FILE`).

    >>> round(100 * saving_vs_target().realised, 2)  # 137.2 / 549.8
    24.95
    """
    path = Path(path or config.FINAL_ACCOUNT_FILE)
    table = load(path, "final_account").set_index("item")["value_mio_dkk"]
    return SavingVsTarget(target=float(table["saving_target_pct"]) / 100.0,
                          baseline=float(table["municipal_payments_to_kmd_2017"]),
                          after=float(table["max_new_payments_per_year"]),
                          saving=float(table["annual_saving"]), source=provenance(path))


@dataclass(frozen=True)
class CaseSaving:
    """The case's own operating saving in its first full year of operation."""

    year: int
    baseline_operation: float  # operation costs of scenario 0 that year
    alternative_operation: float  # operation costs of scenario 1 that year

    @property
    def share(self) -> float:
        return 1.0 - self.alternative_operation / self.baseline_operation


def case_saving(result: bc.BusinessCaseResult) -> CaseSaving | None:
    """Operation costs of both scenarios in the first full year of operation: the first year
    after the last one-off cost (implementation, dual operation) of the alternative.

    Only operation costs count: the target is on what the municipalities pay to run the
    systems, and new tasks fall in both scenarios alike. None when the case has no such year.
    """
    items = result.by_item
    build = items[(items["scenario"] == 1) & items["cost_type"].isin(BUILD_COST_TYPES)
                  & (items["amount_mio_dkk"] > 0)]
    first = int(build["year"].max()) + 1 if len(build) else int(result.years[0])
    operation = items[(items["cost_type"] == "operation") & (items["year"] == first)]
    baseline = float(operation.loc[operation["scenario"] == 0, "amount_mio_dkk"].sum())
    alternative = float(operation.loc[operation["scenario"] == 1, "amount_mio_dkk"].sum())
    if first > int(result.years[-1]) or baseline <= 0:
        return None
    return CaseSaving(first, baseline, alternative)


# --------------------------------------------------------------------------- the report's data

@dataclass(frozen=True)
class BusinessCaseReport:
    """Everything the business case report shows, computed once."""

    case: str  # name in CASES, or the stem of the user's file
    language: str
    rate: object  # as `business_case.evaluate` takes it
    flows: bc.CashFlows
    result: bc.BusinessCaseResult
    tornado: pd.DataFrame
    switching: pd.DataFrame
    monte_carlo: uncertainty.MonteCarloResult
    target: SavingVsTarget
    case_saving: CaseSaving | None
    rate_comparison: pd.DataFrame  # NPV and B/C under the other schedules and 0 %
    inputs: list[dict] = field(default_factory=list)  # provenance of every file read

    @property
    def illustrative(self) -> bool:
        return self.result.illustrative

    @property
    def period(self) -> str:
        return f"{self.result.years[0]}-{self.result.years[-1]}"


def business_case_report(case="monopoly_break", discount_rate=config.DEFAULT_DISCOUNT_RATE,
                         horizon: int = 0, base_year: int = config.DEFAULT_BASE_YEAR,
                         draws: int = config.MONTE_CARLO_DRAWS,
                         seed: int = config.MONTE_CARLO_SEED,
                         language: str = config.DEFAULT_LANGUAGE) -> BusinessCaseReport:
    """Evaluate `case` (name or path) at `discount_rate` over `horizon` years (0 = the case's
    own), with key figures, tornado, switching values and `draws` Monte Carlo draws."""
    check_language(language)
    check_parameters(case, discount_rate, horizon, draws, seed)
    path = case_file(case)
    rate = parse_discount_rate(discount_rate)
    index = prices.load_index(None, language)
    flows = bc.build_cash_flows(path, base_year=base_year, horizon=horizon or None, index=index)
    result = bc.evaluate(flows, rate)
    inputs = [provenance(path), provenance(config.DISCOUNT_RATES_FILE),
              provenance(config.FINAL_ACCOUNT_FILE)]
    if flows.base_year is not None:
        inputs.append(provenance(config.CPI_FILE))
    return BusinessCaseReport(
        case=case_name(case), language=language, rate=rate, flows=flows, result=result,
        tornado=uncertainty.tornado(flows, rate),
        switching=uncertainty.switching_values(flows, rate),
        monte_carlo=uncertainty.monte_carlo(flows, rate, draws=draws, seed=seed),
        target=saving_vs_target(), case_saving=case_saving(result),
        rate_comparison=_rate_comparison(flows, rate), inputs=inputs)


def _rate_comparison(flows: bc.CashFlows, rate) -> pd.DataFrame:
    """NPV and B/C under each of Finansministeriet's schedules and without discounting."""
    chosen = bc.schedule_on(rate) if isinstance(rate, datetime.date) else rate
    others = [*bc.schedules(), 0.0]
    if chosen not in others:  # a flat rate other than 0: shown in its place, before 0 %
        others.insert(-1, chosen)
    records = []
    for other in others:
        try:
            other_result = bc.evaluate(flows, other)
        except ParameterError:  # a schedule that does not cover the horizon
            continue
        records.append({"rate": other, "npv": other_result.npv,
                        "bc_ratio": other_result.bc_ratio, "chosen": other == chosen})
    return pd.DataFrame(records)


# --------------------------------------------------------------------------- formatting

def _m(value, language: str) -> str:
    return fmt.money(value, 1, language)


def _years(value, language: str) -> str:
    return f"{fmt.number(value, 1, language)} {'years' if language == 'en' else 'år'}"


def _rate_percent(rate: float, language: str) -> str:
    return fmt.percent(rate, 2 if round(rate * 1000) != rate * 1000 else 1, language)


def rate_bands(result: bc.BusinessCaseResult, language: str = "da") -> str:
    """The rates the case's years are discounted at: '3,5 % (år 1-13)'."""
    rates = result.rates[1:]
    if rates.size == 0:
        return label("bc_no_discounting", language)
    parts, start = [], 1
    for t in range(1, rates.size + 1):
        if t == rates.size or rates[t] != rates[t - 1]:
            span = f"{start}-{t}" if t > start else f"{start}"
            parts.append(label("bc_rate_band", language, rate=_rate_percent(rates[t - 1], language),
                               years=span))
            start = t + 1
    return ", ".join(parts)


def rate_text(rate, language: str = "da") -> str:
    """The discount rate in words: whose schedule, valid from when, or a flat rate."""
    if isinstance(rate, datetime.date):
        name = bc.schedule_on(rate)
        valid = bc.schedules()[name]["valid_from"]
        return label("bc_rate_decision", language, date=fmt.long_date(rate, language),
                     valid_from=fmt.long_date(valid, language))
    if isinstance(rate, str):
        valid = bc.schedules()[rate.strip().lower()]["valid_from"]
        return label("bc_rate_schedule", language, valid_from=fmt.long_date(valid, language))
    return label("bc_rate_flat", language, rate=_rate_percent(float(rate), language))


def price_basis(report: BusinessCaseReport) -> str:
    """The price basis a reader sees: the index and base year, or the case's own prices."""
    return bc.price_basis_text(report.flows.base_year, report.language)


def item_label(item: str, label_da, language: str = "da") -> str:
    """An item's name for readers: the case file's label_da in Danish, labels.csv's
    bc_item_<item> in English (falling back on the Danish label, then the key)."""
    danish = label_da if isinstance(label_da, str) and label_da else item
    if language == "da":
        return danish
    english = label(f"bc_item_{item}", language)
    return danish if english == f"bc_item_{item}" else english


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _spans(years) -> str:
    """Consecutive years as ranges: [2017, 2018, 2019, 2021] -> '2017-2019 og 2021'."""
    years = [int(y) for y in years]
    ranges, start = [], None
    for i, year in enumerate(years):
        start = year if start is None else start
        if i + 1 == len(years) or years[i + 1] != year + 1:
            ranges.append(f"{start}-{year}" if year > start else str(year))
            start = None
    return ", ".join(ranges)


def _payback_text(time, result: bc.BusinessCaseResult, language: str) -> str:
    if time is None:
        return label("bc_not_paid_back", language, period=f"{result.years[0]}-{result.years[-1]}")
    year = int(result.years[0] + math.ceil(time))
    return label("bc_payback_value", language, years=_years(time, language), year=year)


# --------------------------------------------------------------------------- tables

def key_figures_table(report: BusinessCaseReport) -> pd.DataFrame:
    """NPV, present values, B/C, IRR, payback times, rate and period, one row each, with the
    value already formatted for the reader (each row has its own unit)."""
    lang, result = report.language, report.result
    irr = "–" if result.irr is None else fmt.percent(result.irr, 1, lang)
    bc_ratio = "–" if not math.isfinite(result.bc_ratio) else fmt.number(result.bc_ratio, 2, lang)
    rows = [
        ("bc_npv", _m(result.npv, lang)),
        ("bc_pv_benefits", _m(result.pv_benefits, lang)),
        ("bc_pv_costs", _m(result.pv_costs, lang)),
        ("bc_bc_ratio", bc_ratio),
        ("bc_irr", irr),
        ("bc_payback", _payback_text(result.payback, result, lang)),
        ("bc_discounted_payback", _payback_text(result.discounted_payback, result, lang)),
        ("bc_rate", f"{_capital(rate_text(report.rate, lang))}: {rate_bands(result, lang)}"),
        ("bc_period", label("bc_period_value", lang, period=report.period,
                            years=result.years.size)),
    ]
    return pd.DataFrame({label("bc_value", lang): [value for _, value in rows]},
                        index=pd.Index([label(key, lang) for key, _ in rows],
                                       name=label("bc_key_figure", lang)))


def text_table(frame: pd.DataFrame, caption: str = "", note: str = ""):
    """A table of already formatted values (one unit per row, so `report.table`'s one
    format per column does not fit), values right-aligned like numbers."""
    from . import blocks as report_html

    return report_html.table(frame, caption=caption, note=note, text_cells_right=True)


def key_figure_boxes(report: BusinessCaseReport):
    """NPV, payback year, IRR and B/C as a row of boxes at the top of the report."""
    from . import blocks as report_html

    lang, result = report.language, report.result
    summary = result.summary()
    figures = [
        (fmt.number(result.npv, 1, lang), label("bc_box_npv", lang)),
        (str(summary["payback_year"]) if summary["payback_year"] else "–",
         label("bc_box_payback", lang)),
        ("–" if result.irr is None else fmt.percent(result.irr, 1, lang),
         label("bc_box_irr", lang)),
        (fmt.number(result.bc_ratio, 2, lang) if math.isfinite(result.bc_ratio) else "–",
         label("bc_box_bc_ratio", lang)),
        (fmt.percent(report.monte_carlo.prob_positive, 0, lang), label("bc_box_prob", lang)),
    ]
    return report_html.key_figures(figures)


def target_table(report: BusinessCaseReport) -> pd.DataFrame:
    """The final account's realised saving and the case's own, against the target."""
    lang, target = report.language, report.target
    rows = [(label("bc_target_final_account", lang), target.baseline, target.after,
             target.saving, 100 * target.realised)]
    if report.case_saving is not None:
        own = report.case_saving
        rows.append((label("bc_target_case", lang, year=own.year), own.baseline_operation,
                     own.alternative_operation, own.baseline_operation - own.alternative_operation,
                     100 * own.share))
    rows.append((label("bc_target_row", lang), np.nan, np.nan, np.nan, 100 * target.target))
    columns = [label(k, lang) for k in ("bc_col_before", "bc_col_after", "bc_col_saving",
                                        "bc_col_saving_pct")]
    return pd.DataFrame([r[1:] for r in rows], columns=columns,
                        index=pd.Index([r[0] for r in rows], name=""))


def target_decimals(language: str = "da") -> dict:
    return {label("bc_col_saving_pct", language): 2}


def sensitivity_table(report: BusinessCaseReport) -> pd.DataFrame:
    """Per uncertain input: low, mode, high (mio. kr. a year), NPV at low and at high, and
    the switching value (the amount at which NPV = 0, the others at mode)."""
    lang = report.language
    switching = report.switching.set_index("item")
    frame = pd.DataFrame({
        label("bc_col_low", lang): report.tornado["low"].to_numpy(),
        label("bc_col_mode", lang): report.tornado["mode"].to_numpy(),
        label("bc_col_high", lang): report.tornado["high"].to_numpy(),
        label("bc_col_npv_low", lang): report.tornado["npv_low"].to_numpy(),
        label("bc_col_npv_high", lang): report.tornado["npv_high"].to_numpy(),
        label("bc_col_switching", lang):
            switching["switching_value"].reindex(report.tornado["item"]).to_numpy(),
    }, index=pd.Index([item_label(i, d, lang) for i, d in
                       zip(report.tornado["item"], report.tornado["label_da"], strict=True)],
                      name=label("bc_col_input", lang)))
    return frame


def monte_carlo_table(report: BusinessCaseReport) -> pd.DataFrame:
    """P10, P50, P90, mean and P(NPV > 0) of the simulated NPV, and the mode-value NPV."""
    lang, mc = report.language, report.monte_carlo
    rows = [("bc_mc_p10", _m(mc.p10, lang)), ("bc_mc_p50", _m(mc.p50, lang)),
            ("bc_mc_p90", _m(mc.p90, lang)), ("bc_mc_mean", _m(mc.mean, lang)),
            ("bc_mc_deterministic", _m(mc.deterministic_npv, lang)),
            ("bc_mc_prob", fmt.percent(mc.prob_positive, 1, lang))]
    return pd.DataFrame({label("bc_value", lang): [v for _, v in rows]},
                        index=pd.Index([label(k, lang) for k, _ in rows],
                                       name=label("bc_key_figure", lang)))


def rate_comparison_table(report: BusinessCaseReport) -> pd.DataFrame:
    """NPV and B/C under each schedule and without discounting (the chosen rate marked)."""
    lang = report.language
    frame = report.rate_comparison
    names = []
    for rate, chosen in zip(frame["rate"], frame["chosen"], strict=True):
        name = (label("bc_undiscounted", lang) if rate == 0.0 and not isinstance(rate, str)
                else _capital(rate_text(rate, lang)))
        names.append(name + (f" ({label('bc_chosen', lang)})" if chosen else ""))
    return pd.DataFrame({label("bc_npv", lang): frame["npv"].to_numpy(),
                         label("bc_bc_ratio", lang): frame["bc_ratio"].to_numpy()},
                        index=pd.Index(names, name=label("bc_rate", lang)))


def year_table(report: BusinessCaseReport) -> pd.DataFrame:
    """Year by year: both scenarios' costs, net benefit, discount factor, discounted and
    cumulative net benefit."""
    lang = report.language
    table = report.result.table()
    columns = {"cost_scenario_0": "bc_col_cost_0", "cost_scenario_1": "bc_col_cost_1",
               "net_benefit": "bc_col_net", "cumulative_net_benefit": "bc_col_cumulative",
               "discount_factor": "bc_col_factor", "discounted_net_benefit": "bc_col_discounted",
               "cumulative_discounted_net_benefit": "bc_col_cumulative_discounted"}
    out = table[list(columns)].rename(columns={k: label(v, lang) for k, v in columns.items()})
    out.index = pd.Index([str(y) for y in table.index], name=label("year", lang))
    return out


def assumptions_table(report: BusinessCaseReport) -> pd.DataFrame:
    """The case's items: scenario, years, and the total over the period at the low, most
    likely and high value (fixed prices), as laid out by `build_cash_flows`."""
    lang, flows = report.language, report.flows
    rows = flows.rows.reset_index(drop=True)  # positions match the rows of flows.timing
    totals = {point: rows[point].to_numpy(float) * flows.timing.sum(axis=1)
              for point in bc.POINTS}
    records = []
    for (item, scenario), group in rows.groupby(["item", "scenario"], sort=False):
        position = group.index.to_numpy()
        active = flows.years[(flows.timing[position] > 0).any(axis=0)]
        records.append({
            label("bc_col_input", lang): item_label(item, group["label_da"].iloc[0]
                                                    if "label_da" in group else None, lang),
            label("bc_col_scenario", lang): str(int(scenario)),
            label("bc_col_years", lang): _spans(active) if len(active) else "–",
            **{label(f"bc_col_total_{point}", lang): float(sum(totals[point][position]))
               for point in bc.POINTS}})
    first = label("bc_col_input", lang)
    return pd.DataFrame(records).set_index(first)


def year_decimals(language: str = "da") -> dict:
    return {label("bc_col_factor", language): 4}


# --------------------------------------------------------------------------- sentences

def title(report: BusinessCaseReport) -> str:
    key = f"bc_title_{report.case}"
    text = label(key, report.language)
    return text if text != key else label("bc_title_file", report.language, file=report.case)


def subtitle(report: BusinessCaseReport) -> str:
    return label("bc_subtitle", report.language, period=report.period)


def illustrative_banner(report: BusinessCaseReport):
    """The illustrative warning of a business case (also the mark on every PDF page)."""
    from . import blocks as report_html

    return report_html.illustrative_banner(report.language, "bc_illustrative_banner",
                                           "bc_illustrative_note")


def timing(result: bc.BusinessCaseResult) -> dict:
    """The years of net cost and of net benefit, and the span of the saving years."""
    cost_years = result.years[result.net_benefit < -1e-9]
    benefit_years = result.years[result.net_benefit > 1e-9]
    return {"cost_years": cost_years, "benefit_years": benefit_years}


def conclusion_sentences(report: BusinessCaseReport) -> list[str]:
    """The plain-language conclusion, every number from the report's computation."""
    lang, result, mc, target = report.language, report.result, report.monte_carlo, report.target
    when = timing(result)
    sentences = []
    sign = "bc_conclusion_negative" if result.npv < 0 else "bc_conclusion_positive"
    sentences.append(label(sign, lang, rate=rate_text(report.rate, lang), period=report.period,
                           npv=_m(result.npv, lang), pv_benefits=_m(result.pv_benefits, lang),
                           pv_costs=_m(result.pv_costs, lang),
                           bc=fmt.number(result.bc_ratio, 2, lang)))
    if result.payback is None:
        sentences.append(label("bc_conclusion_no_payback", lang, last=result.years[-1]))
    else:
        year = result.summary()["payback_year"]
        discounted = (label("bc_conclusion_discounted_never", lang, last=result.years[-1])
                      if result.discounted_payback is None else
                      label("bc_conclusion_discounted_year", lang,
                            year=result.summary()["discounted_payback_year"]))
        sentences.append(label("bc_conclusion_payback", lang, years=_years(result.payback, lang),
                               year=year, discounted=discounted))
    if result.irr is not None:
        sentences.append(label("bc_conclusion_irr", lang, irr=fmt.percent(result.irr, 1, lang),
                               first_rate=_rate_percent(result.rates[1], lang)
                               if result.rates.size > 1 else "–",
                               relation=label("bc_below" if result.irr < result.rates[1]
                                              else "bc_above", lang)))
    if len(when["cost_years"]) and len(when["benefit_years"]):
        sentences.append(label("bc_conclusion_timing", lang,
                               cost_years=_spans(when["cost_years"]),
                               benefit_years=_spans(when["benefit_years"]),
                               n=len(when["benefit_years"])))
    caveat = f"bc_caveat_{report.case}"
    if result.npv < 0 and label(caveat + "_negative", lang) != caveat + "_negative":
        caveat += "_negative"
    if label(caveat, lang) != caveat:
        sentences.append(label(caveat, lang,
                               cost_years=_spans(when["cost_years"]),
                               first=int(when["benefit_years"][0])
                               if len(when["benefit_years"]) else "–",
                               n=len(when["benefit_years"])))
    sentences.append(label("bc_conclusion_target", lang, saving=_m(target.saving, lang),
                           realised=fmt.percent(target.realised, 2, lang),
                           baseline=_m(target.baseline, lang),
                           target=fmt.percent(target.target, 0, lang),
                           gap=fmt.number(abs(target.gap_points), 2, lang),
                           relation=label("bc_short_of" if target.gap_points < 0
                                          else "bc_at_or_above", lang)))
    if report.case_saving is not None:
        own = report.case_saving
        sentences.append(label("bc_conclusion_case_saving", lang,
                               share=fmt.percent(own.share, 1, lang), year=own.year))
    if len(report.tornado):
        top = report.tornado.iloc[0]
        sentences.append(label("bc_conclusion_uncertainty", lang, draws=fmt.number(mc.draws, 0,
                                                                                   lang),
                               p10=_m(mc.p10, lang), p50=_m(mc.p50, lang), p90=_m(mc.p90, lang),
                               prob=fmt.percent(mc.prob_positive, 0, lang),
                               item=item_label(top["item"], top["label_da"], lang),
                               npv_low=_m(top["npv_low"], lang),
                               npv_high=_m(top["npv_high"], lang)))
    # an abbreviation at the end of a sentence takes no second full stop ("mio. kr.")
    return [s.replace("kr..", "kr.").replace("million..", "million.") for s in sentences]


def target_sentence(report: BusinessCaseReport) -> str:
    """Under the target table: how the realised saving was computed."""
    target = report.target
    lang = report.language
    numbers = dict(saving=fmt.number(target.saving, 1, lang),
                   baseline=fmt.number(target.baseline, 1, lang),
                   after=fmt.number(target.after, 1, lang),
                   difference=fmt.number(target.baseline - target.after, 1, lang),
                   realised=fmt.percent(target.realised, 2, lang),
                   target=fmt.percent(target.target, 0, lang))
    text = label("bc_target_note", lang, **numbers)
    if numbers["difference"] != numbers["saving"]:
        text += " " + label("bc_target_rounding", lang, **numbers)
    return text


def method_sentences(report: BusinessCaseReport) -> list[str]:
    """Discounting, key-figure definitions, uncertainty method and the case's assumptions."""
    lang, mc = report.language, report.monte_carlo
    sentences = [
        label("bc_method_net", lang),
        label("bc_method_discounting", lang, rate=rate_text(report.rate, lang),
              bands=rate_bands(report.result, lang), first=report.result.years[0]),
        label("bc_method_key_figures", lang),
        label("bc_method_uncertainty", lang, draws=fmt.number(mc.draws, 0, lang),
              seed=mc.seed),
        price_basis(report) + ".",
    ]
    assumption = f"bc_assumptions_{report.case}"
    if label(assumption, lang) != assumption:
        sentences.append(label(assumption, lang))
    return [s.replace("kr..", "kr.").replace("..", ".") for s in sentences]


def source_note(report: BusinessCaseReport) -> str:
    """'Kilde: ...' under a chart: the case file's title and, when illustrative, the mark."""
    lang = report.language
    record = report.inputs[0]
    text = f"{label('source_prefix', lang)}: {record['title_' + lang]}"
    if report.illustrative and label("illustrative_tag", lang) not in text:
        text += f" ({label('illustrative_tag', lang)})"
    return text + f". {label('bc_rate', lang)}: {_capital(rate_text(report.rate, lang))}."


def workbook_parameters(report: BusinessCaseReport, **given) -> dict:
    """The run's parameters as the workbook's 'Om tallene' sheet lists them."""
    return {"case": report.case, **given}
