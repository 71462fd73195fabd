"""What the business case report says: the key figures a reader sees, the tables, the
conclusion, the method and the source lines, in Danish or English, every number taken from
the report object (`model.build`).
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd

from ... import blocks, fmt
from ... import business_case as bc
from ...labels import label
from .model import BusinessCaseReport

# --------------------------------------------------------------------------- formatting

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
        ("bc_npv", fmt.money(result.npv, 1, lang)),
        ("bc_pv_benefits", fmt.money(result.pv_benefits, 1, lang)),
        ("bc_pv_costs", fmt.money(result.pv_costs, 1, lang)),
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
    """A table of already formatted values (one unit per row, so `blocks.table`'s one
    format per column does not fit), values right-aligned like numbers."""
    return blocks.table(frame, caption=caption, note=note, text_cells_right=True)


def key_figures(report: BusinessCaseReport) -> list[tuple[str, str]]:
    """NPV, payback year, IRR, B/C and P(NPV > 0): (value, caption) for the boxes at the top
    of the report."""
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
    return figures


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
    rows = [("bc_mc_p10", fmt.money(mc.p10, 1, lang)),
            ("bc_mc_p50", fmt.money(mc.p50, 1, lang)),
            ("bc_mc_p90", fmt.money(mc.p90, 1, lang)),
            ("bc_mc_mean", fmt.money(mc.mean, 1, lang)),
            ("bc_mc_deterministic", fmt.money(mc.deterministic_npv, 1, lang)),
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
    return blocks.illustrative_banner(report.language, "bc_illustrative_banner",
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
                           npv=fmt.money(result.npv, 1, lang),
                           pv_benefits=fmt.money(result.pv_benefits, 1, lang),
                           pv_costs=fmt.money(result.pv_costs, 1, lang),
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
    sentences.append(label("bc_conclusion_target", lang,
                           saving=fmt.money(target.saving, 1, lang),
                           realised=fmt.percent(target.realised, 2, lang),
                           baseline=fmt.money(target.baseline, 1, lang),
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
                               p10=fmt.money(mc.p10, 1, lang), p50=fmt.money(mc.p50, 1, lang),
                               p90=fmt.money(mc.p90, 1, lang),
                               prob=fmt.percent(mc.prob_positive, 0, lang),
                               item=item_label(top["item"], top["label_da"], lang),
                               npv_low=fmt.money(top["npv_low"], 1, lang),
                               npv_high=fmt.money(top["npv_high"], 1, lang)))
    return [fmt.sentence(s) for s in sentences]


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
    return [fmt.sentence(s) for s in sentences]


def source_note(report: BusinessCaseReport) -> str:
    """'Kilde: ...' under a chart: the case file's title and, when illustrative, the mark."""
    lang = report.language
    record = report.inputs[0]
    text = f"{label('source_prefix', lang)}: {record['title_' + lang]}"
    if report.illustrative and label("illustrative_tag", lang) not in text:
        text += f" ({label('illustrative_tag', lang)})"
    return text + f". {label('bc_rate', lang)}: {_capital(rate_text(report.rate, lang))}."


def target_heading(report: BusinessCaseReport) -> str:
    """The heading of the section on the saving target: 'Besparelse mod målet på 25 %'."""
    lang = report.language
    return label("bc_heading_target", lang, target=fmt.percent(report.target.target, 0, lang))


def monte_carlo_caption(report: BusinessCaseReport) -> str:
    """The caption of the Monte Carlo table, with the number of draws."""
    lang = report.language
    return label("bc_table_monte_carlo", lang,
                 draws=fmt.number(report.monte_carlo.draws, 0, lang))
