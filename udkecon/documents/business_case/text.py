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


def price_basis_short(report: BusinessCaseReport) -> str:
    """The price basis for the title block: 'Faste priser (2020-niveau)'; the index and its
    source are in the annex."""
    base = report.flows.base_year
    text = (label("bc_price_short", report.language, base_year=base) if base is not None
            else label("bc_price_short_own", report.language))
    return _capital(text)


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


def _lower_first(text: str) -> str:
    """An item's name inside a sentence: 'kommunernes investering', but 'KMD-løsninger'."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def spans(years) -> str:
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
        ("bc_expected_npv", fmt.money(report.headline_npv, 1, lang)),
        ("bc_npv", fmt.money(result.npv, 1, lang)),
        ("bc_pv_benefits", fmt.money(result.pv_benefits, 1, lang)),
        ("bc_pv_costs", fmt.money(result.pv_costs, 1, lang)),
        ("bc_bc_ratio", bc_ratio),
        ("bc_irr", irr),
        ("bc_payback", _payback_text(result.payback, result, lang)),
        ("bc_discounted_payback", _payback_text(result.discounted_payback, result, lang)),
        ("bc_rate", f"{_capital(rate_text(report.rate, lang))}: {rate_bands(result, lang)}"),
        ("bc_view_label", _capital(view_text(report))),
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
    """Expected NPV (the headline), most-likely-value NPV, payback year, IRR and P(NPV > 0):
    (value, caption) for the boxes at the top of the report's body."""
    lang, result = report.language, report.result
    summary = result.summary()
    figures = [
        (fmt.number(report.headline_npv, 1, lang), label("bc_box_npv", lang)),
        (fmt.number(result.npv, 1, lang), label("bc_box_mode_npv", lang)),
        (str(summary["payback_year"]) if summary["payback_year"] else "–",
         label("bc_box_payback", lang)),
        ("–" if result.irr is None else fmt.percent(result.irr, 1, lang),
         label("bc_box_irr", lang)),
        (fmt.percent(report.monte_carlo.prob_positive, 0, lang), label("bc_box_prob", lang)),
    ]
    return figures


def target_table(report: BusinessCaseReport) -> pd.DataFrame:
    """The final account's computed saving and the case's own, against the target."""
    lang, target = report.language, report.target
    rows = [(label("bc_target_final_account", lang), target.baseline, target.after,
             target.saving, 100 * target.share)]
    if report.case_saving is not None:
        own = report.case_saving
        rows.append((label("bc_target_case", lang, year=own.year,
                           excluded=excluded_from_case_saving(report)), own.baseline_operation,
                     own.alternative_operation, own.baseline_operation - own.alternative_operation,
                     100 * own.share))
    rows.append((label("bc_target_row", lang), np.nan, np.nan, np.nan, 100 * target.target))
    columns = [label(k, lang) for k in ("bc_col_before", "bc_col_after", "bc_col_saving",
                                        "bc_col_saving_pct")]
    return pd.DataFrame([r[1:] for r in rows], columns=columns,
                        index=pd.Index([r[0] for r in rows], name=""))


def target_decimals(language: str = "da") -> dict:
    # whole percent: the inputs are rounded to 0.1 mio. kr., so 24.95 % would claim a
    # precision the published figures do not have
    return {label("bc_col_saving_pct", language): 0}


def share_text(target: bc.SavingVsTarget, language: str = "da") -> str:
    """The final account's share in words, no more precise than its rounded inputs allow:
    'knap 25 %' when every share the rounding allows is just under the whole percent."""
    whole = fmt.percent(round(target.share, 2), 0, language)
    low, high = target.share_bounds()
    if round(target.share, 2) > high:
        return label("bc_share_under", language, share=whole)
    if round(target.share, 2) < low:
        return label("bc_share_over", language, share=whole)
    return label("bc_share_about", language, share=whole)


def share_words(share: float, language: str = "da") -> str:
    """A share computed from the case's own amounts, in whole percent and in words: 'knap
    25 %' for 24.97 %, 'godt 26 %' for 26.25 %, '25 %' only when it is 25 % to the
    hundredth of a point (one decimal would claim a precision the inputs do not have)."""
    whole = round(share, 2)
    text = fmt.percent(whole, 0, language)
    if abs(share - whole) < 5e-5:
        return text
    return label("bc_share_under" if share < whole else "bc_share_over", language, share=text)


def excluded_from_case_saving(report: BusinessCaseReport) -> str:
    """', ekskl. nye opgaver' when the first full year of operation has new tasks, which the
    case's own saving leaves out (they fall in both scenarios), else ''."""
    own = report.case_saving
    items = report.result.by_item
    if own is None or not len(items):
        return ""
    new = items[(items["cost_type"] == "new_tasks") & (items["year"] == own.year)
                & (items["amount_mio_dkk"] != 0)]
    return label("bc_excluding_new_tasks", report.language) if len(new) else ""


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
            ("bc_mc_se", fmt.money(mc.standard_error, 1, lang)),
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
            label("bc_col_years", lang): spans(active) if len(active) else "–",
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


def first_rate_span(result: bc.BusinessCaseResult, language: str = "da") -> str:
    """Where the first rate applies: 'i alle casens 15 år' when it covers the whole horizon
    (3.5 % over a 15-year case), else 'i år 1-35'."""
    rates = result.rates[1:]
    same = int(np.argmax(rates != rates[0])) if (rates != rates[0]).any() else rates.size
    if same == rates.size:
        return label("bc_span_all_years", language, n=result.years.size)
    return label("bc_span_first_years", language, last=same)


def conclusion_sentences(report: BusinessCaseReport) -> list[str]:
    """The plain-language conclusion, every number from the report's computation: the
    expected NPV first, then the most-likely-value NPV and what decides the sign."""
    lang, result, mc, target = report.language, report.result, report.monte_carlo, report.target
    when = timing(result)
    sentences = [headline_sentence(report), why_differ_sentence(report)]
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
    if result.irr is not None and result.rates.size > 1:
        sentences.append(label("bc_conclusion_irr", lang, irr=fmt.percent(result.irr, 1, lang),
                               first_rate=_rate_percent(result.rates[1], lang),
                               span=first_rate_span(result, lang),
                               relation=label("bc_below" if result.irr < result.rates[1]
                                              else "bc_above", lang)))
    if len(when["cost_years"]) and len(when["benefit_years"]):
        sentences.append(label("bc_conclusion_timing", lang,
                               cost_years=spans(when["cost_years"]),
                               benefit_years=spans(when["benefit_years"]),
                               n=len(when["benefit_years"])))
    caveat = f"bc_caveat_{report.case}"
    if result.npv < 0 and label(caveat + "_negative", lang) != caveat + "_negative":
        caveat += "_negative"
    if label(caveat, lang) != caveat:
        sentences.append(label(caveat, lang,
                               cost_years=spans(when["cost_years"]),
                               first=int(when["benefit_years"][0])
                               if len(when["benefit_years"]) else "–",
                               n=len(when["benefit_years"])))
    sentences.append(label("bc_conclusion_target", lang,
                           saving=fmt.money(target.saving, 1, lang),
                           share=share_text(target, lang),
                           baseline=fmt.money(target.baseline, 1, lang),
                           target=fmt.percent(target.target, 0, lang),
                           relation=label(f"bc_relation_{target.relation}", lang)))
    if report.case_saving is not None:
        sentences.append(case_saving_sentence(report))
    sign = sign_sentence(report)
    if sign:
        sentences.append(sign)
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


def _on_final_account(report: BusinessCaseReport) -> bool:
    """Whether the case's own saving is the final account's (the same two amounts)."""
    own, target = report.case_saving, report.target
    return (own is not None and not report.illustrative
            and round(own.baseline_operation, 1) == round(target.baseline, 1)
            and round(own.alternative_operation, 1) == round(target.after, 1))


def case_saving_sentence(report: BusinessCaseReport) -> str:
    """The case's own saving in its first full year of operation, worked out, its share in
    whole percent, and, for a case built on the final account, which figure is which: the
    case uses the difference of the two published amounts, the account states the saving
    rounded."""
    lang, own = report.language, report.case_saving
    saving = own.baseline_operation - own.alternative_operation
    text = label("bc_conclusion_case_saving", lang, year=own.year,
                 excluded=excluded_from_case_saving(report),
                 baseline=fmt.number(own.baseline_operation, 1, lang),
                 alternative=fmt.number(own.alternative_operation, 1, lang),
                 saving=fmt.money(saving, 1, lang), share=share_words(own.share, lang))
    stated = report.target.saving
    if _on_final_account(report) and round(saving, 1) != round(stated, 1):
        text += " " + label("bc_case_saving_rounding", lang, stated=fmt.money(stated, 1, lang))
    return text


def target_sentence(report: BusinessCaseReport) -> str:
    """Under the target table: how the computed saving was computed."""
    target = report.target
    lang = report.language
    numbers = dict(saving=fmt.number(target.saving, 1, lang),
                   baseline=fmt.number(target.baseline, 1, lang),
                   after=fmt.number(target.after, 1, lang),
                   difference=fmt.number(target.baseline - target.after, 1, lang),
                   share=share_text(target, lang),
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
              seed=mc.seed, expected=fmt.money(report.expected.npv, 1, lang),
              mean=fmt.money(mc.mean, 1, lang), se=fmt.money(mc.standard_error, 1, lang)),
        price_basis(report) + ".",
    ]
    if report.flows.base_year is None:  # amounts not restated: say what that may cost
        sentences.append(label("bc_method_price_caveat", lang))
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


# --------------------------------------------------------------------------- the board paper

def _factor(value: float, language: str) -> str:
    return fmt.number(value, 2, language)


def view_text(report: BusinessCaseReport) -> str:
    """The view in reader words: 'budgetøkonomisk (...)' or 'samfundsøkonomisk (...)' with
    the factors applied and, when a figure is not shipped for the date, that it is not."""
    lang, socio = report.language, report.socioeconomic
    if socio is None:
        return label("bc_view_budget", lang)
    figures = []
    if socio.net_tax_factor is not None:
        figures.append(label("bc_view_naf", lang, value=_factor(socio.net_tax_factor, lang)))
    if socio.tax_distortion_factor is not None:
        figures.append(label("bc_view_distortion", lang,
                             value=_factor(socio.tax_distortion_factor, lang)))
    for figure in socio.missing:
        figures.append(label("bc_view_missing", lang, figure=label(f"bc_figure_{figure}", lang)))
    if "nettoafgiftsfaktor" in socio.missing:
        figures.append(label("bc_view_factor_prices", lang))
    return label("bc_view_socio", lang, date=fmt.long_date(socio.guidance_date, lang),
                 figures="; ".join(figures))


def missing_figures_note(report: BusinessCaseReport) -> str:
    """'' when every figure of the socio-economic view is shipped for the date, else the
    sentence that says which is not and what that means (page 1 and the annex)."""
    socio, lang = report.socioeconomic, report.language
    if socio is None or not socio.missing:
        return ""
    missing = " og ".join(label(f"bc_figure_{f}", lang) for f in socio.missing) \
        if lang == "da" else " and ".join(label(f"bc_figure_{f}", lang) for f in socio.missing)
    consequences = [label("bc_view_consequence_naf" if f == "nettoafgiftsfaktor"
                          else "bc_view_consequence_distortion", lang) for f in socio.missing]
    return label("bc_view_missing_note", lang, missing=missing,
                 date=fmt.long_date(socio.guidance_date, lang),
                 consequence=(" og " if lang == "da" else " and ").join(consequences))


def rate_short(report: BusinessCaseReport) -> str:
    """'Finansministeriets diskonteringsrente fra 2021 (3,5 %)', or a flat rate."""
    rate, lang = report.rate, report.language
    if isinstance(rate, datetime.date):
        rate = bc.schedule_on(rate)
    if isinstance(rate, str):
        schedule = bc.schedules()[rate.strip().lower()]
        return label("bc_rate_short", lang, year=schedule["valid_from"].year,
                     rate=_rate_percent(schedule["bands"][0][2], lang))
    return label("bc_rate_flat_short", lang, rate=_rate_percent(float(rate), lang))


def _skewed_item(report: BusinessCaseReport) -> str:
    """The item whose risk adjustment moves the NPV most."""
    frame = report.risk_adjusted
    top = frame.loc[frame["npv_effect"].abs().idxmax()]
    return item_label(top["item"], top["label_da"], report.language)


def headline_sentence(report: BusinessCaseReport) -> str:
    lang = report.language
    return fmt.sentence(label("bc_resume_headline", lang,
                              expected=fmt.money(report.headline_npv, 1, lang),
                              period=report.period, view=view_text(report).split(" (")[0],
                              rate=rate_short(report)))


def why_differ_sentence(report: BusinessCaseReport) -> str:
    """The most-likely-value NPV and why the expected NPV differs from it (skewed ranges)."""
    lang = report.language
    key = "bc_resume_why_lower" if report.headline_npv < report.result.npv else \
        "bc_resume_why_higher"
    item = _skewed_item(report)
    return fmt.sentence(label(key, lang, mode=fmt.money(report.result.npv, 1, lang),
                              item=_lower_first(item)))


# When the expected NPV is small against its spread, a switching point to a tenth of a
# million is false precision: the case's figures do not settle the sign.
UNSETTLED_PROBABILITY = (0.35, 0.65)
UNSETTLED_SPREAD_SHARE = 0.1  # |mean| below this share of P90 - P10


def sign_settled(mc) -> bool:
    """Whether the Monte Carlo settles the sign of the NPV: not when the probability of a
    positive NPV is between 35 % and 65 %, nor when |mean| is under a tenth of P90 - P10."""
    low, high = UNSETTLED_PROBABILITY
    if low <= mc.prob_positive <= high:
        return False
    return abs(mc.mean) >= UNSETTLED_SPREAD_SHARE * (mc.p90 - mc.p10)


def sign_sentence(report: BusinessCaseReport) -> str:
    """Which assumption decides the sign of the expected NPV ('' when nothing can), or, when
    the expected NPV is about zero against its spread, that the figures do not settle it."""
    lang, driver = report.language, report.sign_driver
    if not sign_settled(report.monte_carlo):
        return fmt.sentence(label("bc_sign_unsettled", lang,
                                  prob=fmt.percent(report.monte_carlo.prob_positive, 0, lang)))
    other = label("bc_positive" if driver["sign"] < 0 else "bc_negative", lang)
    this = label("bc_negative" if driver["sign"] < 0 else "bc_positive", lang)
    sensitivity = report.savings_sensitivity
    years = (f"{sensitivity['savings_start'].min()}-{sensitivity['savings_start'].max()}"
             if sensitivity is not None and len(sensitivity) else "")
    if driver["start_decides"]:
        return fmt.sentence(label("bc_sign_start_decides", lang, years=years))
    if driver["item"] is None:
        return ""
    item = item_label(driver["item"], driver["label_da"], lang)
    # in the amounts of the case file (the socio view scales every amount by one factor,
    # which leaves the switching point of an item where it was)
    factor = report.flows.view_factor
    switch, mean = driver["switching_value"] / factor, driver["mean"] / factor
    has_value = math.isfinite(switch) and switch > 0 and math.isfinite(mean)
    if driver["years_needed"] is not None and has_value:
        return fmt.sentence(label("bc_sign_not_start", lang, this=this, years=years,
                                  item=_lower_first(item),
                                  needed=driver["years_needed"], n=driver["years"],
                                  switch=fmt.money(switch, 1, lang),
                                  mean=fmt.money(mean, 1, lang), other=other))
    if has_value:
        return fmt.sentence(label("bc_sign_item_value", lang, item=item,
                                  switch=fmt.money(switch, 1, lang),
                                  mean=fmt.money(mean, 1, lang), other=other))
    return fmt.sentence(label("bc_sign_item", lang, item=item, other=other,
                              pct=fmt.percent(driver["change_pct"] / 100, 1, lang)))


def resume_sentences(report: BusinessCaseReport) -> list[str]:
    """Page 1's 'Resumé': three to five sentences, the expected NPV first."""
    lang, target = report.language, report.target
    # the payback times are in the key table just below: four sentences fit page 1
    sentences = [headline_sentence(report), why_differ_sentence(report)]
    if report.illustrative:
        sentences.append(label("bc_resume_illustrative", lang))
    else:
        sentences.append(label("bc_resume_target", lang,
                               saving=fmt.money(target.saving, 1, lang),
                               baseline=fmt.number(target.baseline, 1, lang),
                               after=fmt.number(target.after, 1, lang),
                               difference=fmt.money(target.baseline - target.after, 1, lang),
                               share=share_text(target, lang),
                               target=fmt.percent(target.target, 0, lang),
                               relation=label(f"bc_relation_{target.relation}", lang)))
    sign = sign_sentence(report)
    if sign:
        sentences.append(sign)
    return [fmt.sentence(s) for s in sentences]


def recommendation_clauses(report: BusinessCaseReport) -> list[str]:
    """Page 1's 'Indstilling': the briefing is noted, and the decision points: the timing
    assumption, an illustrative case."""
    from ... import board

    lang = report.language
    clauses = [board.note_taken(lang)]
    sensitivity = report.savings_sensitivity
    if report.flows.savings_start is not None and sensitivity is not None and len(sensitivity):
        clauses.append(label("bc_clause_timing", lang, start=report.flows.savings_start,
                             n=report.sign_driver["years"],
                             years=", ".join(str(y) for y in sensitivity["savings_start"])))
    if report.illustrative:
        clauses.append(label("bc_clause_illustrative", lang))
    # a figure of the socio-economic view not shipped for the date is said under the key
    # table (`economy_note`), on the same page
    return clauses


def _payback_short(time, result: bc.BusinessCaseResult, language: str) -> str:
    if time is None:
        return label("bc_not_paid_back_short", language, last=result.years[-1])
    return label("bc_payback_short", language, years=_years(time, language),
                 year=int(result.years[0] + math.ceil(time)))


def _socio_figures(socio, lang: str) -> list[str]:
    """The guidance's factors that apply, as 'NAF 1,28' and 'skatteforvridningsfaktor 1,00'
    (a factor the shipped guidance lacks for the date is left out: the caller says so)."""
    figures = []
    if socio.net_tax_factor is not None:
        figures.append(f"NAF {_factor(socio.net_tax_factor, lang)}")
    if socio.tax_distortion_factor is not None:
        figures.append(f"{label('bc_figure_skatteforvridningsfaktor', lang)} "
                       f"{_factor(socio.tax_distortion_factor, lang)}")
    return figures


def view_short(report: BusinessCaseReport) -> str:
    """The view for the key table: 'Budgetøkonomisk' or 'Samfundsøkonomisk (NAF 1,28, ...)'."""
    lang, socio = report.language, report.socioeconomic
    if socio is None:
        return label("bc_view_budget_short", lang)
    figures = _socio_figures(socio, lang)
    if "nettoafgiftsfaktor" in socio.missing:  # page 1 says so, not only the note below
        figures.append(label("bc_naf_missing_short", lang))
    figures.append(fmt.long_date(socio.guidance_date, lang))
    return label("bc_view_socio_short", lang, figures=", ".join(figures))


def economy_table(report: BusinessCaseReport) -> pd.DataFrame:
    """Page 1's 'Økonomi': the key table in reader words, one formatted value a row."""
    lang, result, mc = report.language, report.result, report.monte_carlo
    period = label("bc_period_value", lang, period=report.period, years=result.years.size)
    if report.flows.savings_start is not None:
        period = label("bc_period_start", lang, period=report.period,
                       start=report.flows.savings_start, n=report.sign_driver["years"])
    first = int(result.years[0])
    rows = [
        (label("bc_expected_npv_year", lang, first=first),
         fmt.money(report.headline_npv, 1, lang)),
        ("bc_mode_npv", fmt.money(result.npv, 1, lang)),
        ("bc_p10_p90", label("bc_range_value", lang, p10=fmt.number(mc.p10, 0, lang),
                             p90=fmt.number(mc.p90, 0, lang),
                             prob=fmt.percent(mc.prob_positive, 0, lang))),
    ]
    investment, years = report.investment
    if years:  # what it costs: the one-off investment, undiscounted
        rows.append((label("bc_investment_row", lang, years=spans(years)),
                     fmt.money(investment, 1, lang)))
    if report.case_saving is not None:  # and what it saves once in full operation
        own = report.case_saving
        rows.append((label("bc_saving_row", lang, year=own.year),
                     fmt.money(own.baseline_operation - own.alternative_operation, 1, lang)))
    rows += [
        ("bc_payback_both", f"{_payback_short(result.payback, result, lang)} / "
                            f"{_payback_short(result.discounted_payback, result, lang)}"),
        ("bc_irr", "–" if result.irr is None else fmt.percent(result.irr, 1, lang)),
        ("bc_bc_ratio", fmt.number(result.bc_ratio, 2, lang)
         if math.isfinite(result.bc_ratio) else "–"),
        ("bc_view_label", view_short(report)),
        ("bc_rate", _capital(rate_short(report))),
        ("bc_period", period),
    ]
    return pd.DataFrame({label("bc_value", lang): [value for _, value in rows]},
                        index=pd.Index([label(key, lang) if key.startswith("bc_") else key
                                        for key, _ in rows],
                                       name=label("bc_key_figure", lang)))


def economy_note(report: BusinessCaseReport) -> str:
    """Under page 1's key table: only what the reader must not miss there, a figure of the
    socio-economic view that is not shipped for the date ('' otherwise; the price basis is
    in the title block, the number of draws in the annex)."""
    return missing_figures_note(report)


def risk_adjusted_table(report: BusinessCaseReport) -> pd.DataFrame:
    """Digitaliseringsstyrelsen's form: per item and scenario, the most likely and the
    risk-adjusted total, their difference, the effect on the NPV and the range's reason."""
    lang, frame = report.language, report.risk_adjusted
    index = [f"{item_label(i, d, lang)} ({label('bc_col_scenario', lang).lower()} {s})"
             for i, d, s in zip(frame["item"], frame["label_da"], frame["scenario"],
                                strict=True)]
    reasons = [r if r else label("bc_no_reason", lang) for r in frame["range_reason"]]
    if lang == "en":  # the reasons are written in Danish in the case file
        reasons = [label(f"bc_range_reason_{i}", lang) if label(f"bc_range_reason_{i}", lang)
                   != f"bc_range_reason_{i}" else r for i, r in zip(frame["item"], reasons,
                                                                   strict=True)]
    return pd.DataFrame({
        label("bc_col_mode", lang): frame["mode_total"].to_numpy(),
        label("bc_col_risk_adjusted", lang): frame["mean_total"].to_numpy(),
        label("bc_col_difference", lang): frame["difference"].to_numpy(),
        label("bc_col_npv_effect", lang): frame["npv_effect"].to_numpy(),
        label("bc_col_reason", lang): reasons,
    }, index=pd.Index(index, name=label("bc_col_input", lang)))


def two_ways_sentence(report: BusinessCaseReport) -> str:
    """The Monte Carlo mean (the headline) and the NPV of the risk-adjusted values are one
    expected value estimated two ways; they differ by simulation noise only, its size the
    Monte Carlo standard error."""
    lang, mc = report.language, report.monte_carlo
    return label("bc_two_ways", lang, mean=fmt.money(mc.mean, 1, lang),
                 se=fmt.money(mc.standard_error, 1, lang))


def risk_adjusted_note(report: BusinessCaseReport) -> str:
    lang = report.language
    return label("bc_table_risk_adjusted_note", lang,
                 expected=fmt.money(report.expected.npv, 1, lang),
                 mode=fmt.money(report.result.npv, 1, lang), two_ways=two_ways_sentence(report))


def savings_start_note(report: BusinessCaseReport) -> str:
    return label("bc_table_savings_start_note", report.language,
                 two_ways=two_ways_sentence(report))


def savings_start_table(report: BusinessCaseReport) -> pd.DataFrame | None:
    """NPV at the most likely values and expected NPV by the year savings start."""
    frame, lang = report.savings_sensitivity, report.language
    if frame is None or not len(frame):
        return None
    first = int(report.result.years[0])
    names = [f"{year}" + (f" ({label('bc_chosen', lang)})" if chosen else "")
             for year, chosen in zip(frame["savings_start"], frame["chosen"], strict=True)]
    return pd.DataFrame({
        label("bc_col_period", lang): [f"{first}-{last}" for last in frame["last_year"]],
        label("bc_col_mode_npv", lang): frame["npv"].to_numpy(),
        label("bc_col_expected", lang): frame["expected_npv"].to_numpy(),
    }, index=pd.Index(names, name=label("bc_col_savings_start", lang)))


def savings_start_caption(report: BusinessCaseReport) -> str:
    return label("bc_table_savings_start", report.language, n=report.sign_driver["years"])


def annex_method_sentences(report: BusinessCaseReport) -> list[str]:
    """The annex's method: the view (with its formula), the savings start, then the
    discounting, key figures, uncertainty and the case's assumptions."""
    lang = report.language
    sentences = []
    socio = report.socioeconomic
    if socio is None:
        sentences.append(label("bc_method_view_budget", lang))
    else:
        figures = _socio_figures(socio, lang)
        sentences.append(label("bc_method_view_socio", lang,
                               date=fmt.long_date(socio.guidance_date, lang),
                               factor=_factor(socio.factor, lang), figures=", ".join(figures),
                               example=fmt.number(100 * socio.factor, 0, lang)))
        missing = missing_figures_note(report)
        if missing:
            sentences.append(missing)
    start = report.flows.savings_start
    if start is not None:
        key = "bc_method_savings_start" if start == 2022 else "bc_method_savings_start_other"
        target = report.target
        sentences.append(label(key, lang, start=start,
                               saving=fmt.money(target.saving, 1, lang),
                               baseline=fmt.number(target.baseline, 1, lang),
                               after=fmt.number(target.after, 1, lang),
                               difference=fmt.money(target.baseline - target.after, 1, lang)))
    return [fmt.sentence(s) for s in sentences] + method_sentences(report)


def parameters_table(report: BusinessCaseReport) -> pd.DataFrame:
    """The report's assumptions in reader words (no parameter names)."""
    lang, mc = report.language, report.monte_carlo
    rows = [(label("bc_parameter_case", lang), title(report)),
            (label("bc_view_label", lang), _capital(view_text(report))),
            (label("bc_rate", lang), _capital(rate_text(report.rate, lang))),
            (label("bc_parameter_horizon", lang), label("bc_period_value", lang,
                                                        period=report.period,
                                                        years=report.result.years.size)),
            (label("price_basis", lang), price_basis(report)),
            (label("bc_parameter_draws", lang),
             f"{fmt.number(mc.draws, 0, lang)}; {mc.seed}")]
    if report.flows.savings_start is not None:
        rows.insert(3, (label("bc_savings_start_label", lang), str(report.flows.savings_start)))
    return pd.DataFrame({label("bc_value", lang): [v for _, v in rows]},
                        index=pd.Index([k for k, _ in rows], name=""))
