"""What a municipality's handout says: the opening paragraph, the key figures, the tables in
the reader's labels, the business case sentence, the method and the source line.
"""

from __future__ import annotations

import pandas as pd

from ... import fmt
from ...allocation import BEK1629_THRESHOLD, BEK1629_WEIGHT, LEVELS
from ...labels import label
from ..fixed_prices import text as fixed_prices_text
from .model import MunicipalityHandout


def decimals(handout: MunicipalityHandout) -> int:
    """Decimals of the municipality's amounts in mio. kr.: 1.000 kr. for a small one."""
    return fmt.money_decimals(handout.shares["gross"].sum())


def case_decimals(handout: MunicipalityHandout) -> int:
    """Decimals of the municipality's share of the business case in mio. kr."""
    return fmt.money_decimals(handout.business_case.npv)


def _kr(value: float, language: str) -> str:
    number = fmt.number(value, 0, language)
    return f"DKK {number}" if language == "en" else f"{number} kr."


def summary_sentences(handout: MunicipalityHandout) -> list[str]:
    """The handout's opening paragraph, every number taken from the computation (the
    business case has its own section: `business_case_sentence`)."""
    h, lang = handout, handout.language
    total = h.shares.sum()
    own, region, country = (h.level(level) for level in LEVELS)
    difference = own["net_kr"] / country["net_kr"] - 1 if country["net_kr"] else 0.0
    pct = lambda v: fmt.percent(v, 2, lang)  # noqa: E731
    places = decimals(h)
    people = fmt.number(h.population, 0, lang)
    fields = dict(
        name=h.name, region=h.region, population=people, key_share=pct(h.key_share),
        population_share=pct(h.population_share), period=h.period, base_year=h.base_year,
        gross=fmt.money(total["gross"], places, lang), dut=fmt.money(total["dut"], places, lang),
        net=fmt.money(total["net"], places, lang),
        net_kr=_kr(own["net_kr"], lang), region_kr=_kr(region["net_kr"], lang),
        country_kr=_kr(country["net_kr"], lang),
        difference=fmt.percent(abs(difference), 1, lang),
        threshold=fmt.number(BEK1629_THRESHOLD, 0, lang),
        weight=fmt.percent(BEK1629_WEIGHT, 1, lang))
    sentences = [label("handout_sentence_share", lang, **fields),
                 label("handout_sentence_net", lang, **fields)]
    if abs(difference) < 0.0005:
        sentences.append(label("handout_sentence_same", lang, **fields))
    else:
        direction = "above" if difference > 0 else "below"
        sentences.append(label(f"handout_sentence_{direction}", lang, **fields))
    big = h.population > BEK1629_THRESHOLD
    sentences.append(label("handout_sentence_key_large" if big else "handout_sentence_key_small",
                           lang, **fields))
    return [fmt.sentence(s) for s in sentences]


def business_case_sentence(handout: MunicipalityHandout) -> str:
    """What the municipality's share of the business case is worth, with the country's."""
    share, lang = handout.business_case, handout.language
    summary = share.national.summary()
    payback = summary["payback_year"]
    text = label("handout_sentence_case", lang, name=handout.name,
                 npv=fmt.money(share.npv, case_decimals(handout), lang),
                 national=fmt.money(share.national.npv, 1, lang),
                 first=summary["first_year"], last=summary["last_year"],
                 rate=summary["rate"], key_share=fmt.percent(share.key_share, 2, lang))
    if payback is not None:
        text += " " + label("handout_sentence_payback", lang, year=payback)
    return fmt.sentence(text)


def key_figures(handout: MunicipalityHandout) -> list[tuple[str, str]]:
    """(value, caption) pairs for the boxes at the top of the handout; units in captions."""
    h, lang = handout, handout.language
    total = h.shares.sum()
    unit, kr = label("unit", lang), ("kr." if lang == "da" else "DKK")
    figures = [
        (fmt.number(total["net"], decimals(h), lang),
         label("handout_kf_net", lang, period=h.period) + f", {unit}"),
        (fmt.number(h.level("municipality")["net_kr"], 0, lang),
         label("handout_kf_net_kr", lang, period=h.period) + f", {kr}"),
        (fmt.percent(h.key_share, 2, lang), label("handout_kf_key_share", lang)),
    ]
    if h.business_case is not None:
        npv = h.business_case.npv
        figures.append((fmt.number(npv, case_decimals(h), lang),
                        label("handout_kf_npv", lang) + f", {unit}"))
    return figures


def year_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """Per year: the municipality's gross, DUT and net (mio. kr.) and net per inhabitant."""
    h, lang = handout, handout.language
    own = h.comparison[h.comparison["level"] == "municipality"].set_index("period")
    return pd.DataFrame({
        label("gross_cost", lang): h.shares["gross"].to_numpy(),
        label("dut_compensation", lang): h.shares["dut"].to_numpy(),
        label("net_cost", lang): h.shares["net"].to_numpy(),
        label("handout_net_kr", lang): own.loc[[str(y) for y in h.years], "net_kr"].to_numpy(),
    }, index=pd.Index([str(y) for y in h.years], name=label("year", lang)))


def comparison_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """The whole period per inhabitant: municipality, region and country side by side."""
    h, lang = handout, handout.language
    rows = h.comparison[h.comparison["period"] == h.period].set_index("name")
    return pd.DataFrame({
        label("handout_population", lang): rows["population"].astype(float),
        label("handout_gross_kr", lang): rows["gross_kr"],
        label("handout_dut_kr", lang): rows["dut_kr"],
        label("handout_net_kr", lang): rows["net_kr"],
        label("handout_net_index", lang): rows["net_index"],
    }).rename_axis(label("handout_level", lang))


def per_inhabitant_by_year(handout: MunicipalityHandout) -> pd.DataFrame:
    """Net kr. per inhabitant by year (rows) for municipality, region, country (columns)."""
    h = handout
    yearly = h.comparison[h.comparison["period"] != h.period]
    table = yearly.pivot(index="period", columns="level", values="net_kr")[list(LEVELS)]
    table.index = pd.Index([int(p) for p in table.index], name="year")
    table.columns = [h.name, h.region, label("handout_country", h.language)]
    return table


def business_case_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """The municipality's share of the case: key figures beside the country's."""
    share, lang = handout.business_case, handout.language
    national = share.national
    rows = [("npv", national.npv, share.npv), ("pv_benefits", national.pv_benefits,
                                                share.pv_benefits),
            ("pv_costs", national.pv_costs, share.pv_costs)]
    return pd.DataFrame({
        label("handout_country", lang): [n for _, n, _ in rows],
        handout.name: [m for _, _, m in rows],
    }, index=pd.Index([label(f"handout_case_{k}", lang) for k, _, _ in rows],
                      name=label("handout_case_figure", lang)))


def method_sentences(handout: MunicipalityHandout) -> list[str]:
    """How the shares were computed, for the method section and the workbook."""
    lang = handout.language
    fields = dict(threshold=fmt.number(BEK1629_THRESHOLD, 0, lang),
                  weight=fmt.number(BEK1629_WEIGHT, 3, lang), base_year=handout.base_year)
    sentences = [label("handout_method_gross", lang, **fields),
                 label("handout_method_dut", lang, **fields),
                 label("handout_method_rounding", lang),
                 handout.analysis.index.describe(handout.base_year, lang) + ".",
                 label("restate_formula", lang, base_year=handout.base_year)]
    if handout.business_case is not None:
        sentences.append(label("handout_method_case", lang,
                               rate=handout.business_case.national.rate_name))
    if handout.illustrative:
        sentences.append(label("illustrative_note", lang))
    return sentences


def subtitle(handout: MunicipalityHandout) -> str:
    """'Region Nordjylland · 1.786 indbyggere (1. januar 2020)' under the title."""
    lang = handout.language
    date = handout.population_date
    return label("handout_subtitle", lang, region=handout.region,
                 population=fmt.number(handout.population, 0, lang),
                 date=fmt.long_date(date, lang) if date else "")


def source_note(handout: MunicipalityHandout) -> str:
    """'Kilde: ...' under a chart: the national figures' sources, as in the fixed-price report."""
    return fixed_prices_text.source_note(handout.analysis)
