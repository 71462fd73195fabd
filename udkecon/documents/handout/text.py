"""What a municipality's handout says: the resumé, the recommendation and the key table of
page 1, the tables in the reader's labels, the business case sentence, the method annex and
the source line.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ... import blocks, board, fmt
from ...allocation import ALLOCATED_CHANNELS, LEVELS, OWN_CONTRACT
from ...labels import label
from ..business_case import text as business_case_text
from ..fixed_prices import text as fixed_prices_text
from .model import MunicipalityHandout


def decimals(handout: MunicipalityHandout) -> int:
    """Decimals of the municipality's amounts in mio. kr.: one decimal (100.000 kr.) from
    1 mio. kr. up, as the figures are illustrative; 1.000 kr. for a small municipality
    (Læsø's 0,223 mio. kr.), so its figures do not round to zero."""
    return 1 if abs(handout.shares["gross"].sum()) >= 1 else 3


def _kr(value: float, language: str) -> str:
    number = fmt.number(value, 0, language)
    return f"DKK {number}" if language == "en" else f"{number} kr."


def case_amount(value: float, language: str) -> str:
    """A share of the business case in reader words: '2,1 mio. kr.' from 1 mio. kr. up,
    below that in kr. to two significant digits ('-130.000 kr.', '-470 kr.'): the case is
    illustrative, and a small municipality's share would show as '0,000 mio. kr.'.

    >>> case_amount(2.1494, "da"), case_amount(-0.1344, "da"), case_amount(-0.000472, "da")
    ('2,1 mio. kr.', '-130.000 kr.', '-470 kr.')
    """
    if abs(value) >= 1:
        return fmt.money(value, 1, language)
    kr = value * 1_000_000
    if kr == 0:
        return _kr(0.0, language)
    step = 10.0 ** (math.floor(math.log10(abs(kr))) - 1)
    return _kr(round(kr / step) * step, language)


def _years_text(years: list[int], language: str) -> str:
    """'2017-2020' for consecutive years, else '2017, 2019 og 2020'."""
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}-{years[-1]}"
    words = [str(y) for y in years]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + (" and " if language == "en" else " og ") + words[-1]


# --------------------------------------------------------------------------- keys per year

def key_name(handout: MunicipalityHandout, year: int) -> str:
    """The key a year's UDK contribution was shared by: 'BEK nr. 1629 (tilnærmelse)'."""
    basis = handout.basis.loc[year]
    name = basis[f"key_name_{handout.language}"]
    if basis["key_approximation"]:
        name += f" ({label('handout_approximation', handout.language)})"
    return name


def population_date(handout: MunicipalityHandout, year: int) -> str:
    """The count a year used: '1. januar 2020', with '(tilnærmelse)' when the rule's count
    (1 January of the year before) was not in the data."""
    basis = handout.basis.loc[year]
    text = fmt.long_date(dt.date(int(basis["population_year"]), 1, 1), handout.language)
    if basis["population_approximation"]:
        text += f" ({label('handout_approximation', handout.language)})"
    return text


def _in_force_key(handout: MunicipalityHandout):
    """The key in force in the handout's last year (BEK nr. 1629 from budget year 2021)."""
    return handout.rules.keys[handout.years[-1]]


def _approximation_sentences(handout: MunicipalityHandout, fields: dict) -> list[str]:
    """Per key standing in for years no key covers: the years and the key's own first (or
    last) budget year from the keys table. (The first year it served in the period is not
    its start: a key in force from 2025 serves 2017-2021 only as an approximation.)"""
    h, lang = handout, handout.language
    by_key: dict[str, tuple] = {}
    for year in h.approximated_years:
        key = h.rules.keys[year]
        side = ("before" if key.first_budget_year is not None
                and year < key.first_budget_year else "after")
        by_key.setdefault((key.key_id, side), (key, []))[1].append(year)
    sentences = []
    for (_, side), (key, years) in by_key.items():
        name = "handout_resume_approximation" if side == "before" else \
            "handout_resume_approximation_after"
        sentences.append(label(name, lang, **{
            **fields, "years": _years_text(years, lang),
            "key_title": key.name_da if lang == "da" else key.name_en,
            "first": key.first_budget_year, "last": key.last_budget_year}))
    return sentences


# --------------------------------------------------------------------------- page 1

def resume_sentences(handout: MunicipalityHandout) -> list[str]:
    """The resumé (three to five sentences): the share net of DUT, per inhabitant beside the
    region and the country, the keys, the approximation and what is not shared."""
    h, lang = handout, handout.language
    total = h.shares.sum()
    own, region, country = (h.level(level) for level in LEVELS)
    difference = own["net_kr"] / country["net_kr"] - 1 if country["net_kr"] else 0.0
    places = decimals(h)
    key = _in_force_key(h)
    fields = dict(
        name=h.name, region=h.region, period=h.period, base_year=h.base_year,
        gross=fmt.money(total["gross"], places, lang), dut=fmt.money(total["dut"], places, lang),
        net=fmt.money(total["net"], places, lang), net_kr=_kr(own["net_kr"], lang),
        region_kr=_kr(region["net_kr"], lang), country_kr=_kr(country["net_kr"], lang),
        difference=fmt.percent(abs(difference), 1, lang), last_year=h.years[-1],
        key_title=key.name_da if lang == "da" else key.name_en,
        key_share=fmt.percent(h.key_share, 2, lang))
    sentences = [label("handout_resume_share", lang, **fields)]
    if abs(difference) < 0.0005:
        sentences.append(label("handout_resume_same", lang, **fields))
    else:
        direction = "above" if difference > 0 else "below"
        sentences.append(label(f"handout_resume_{direction}", lang, **fields))
    sentences.append(label("handout_resume_keys", lang, **fields))
    sentences += _approximation_sentences(h, fields)
    # own contracts (not shared) are named under the key table and shown in the body
    return [fmt.sentence(s) for s in sentences]


def clauses(handout: MunicipalityHandout) -> list[str]:
    """Indstilling: the committee takes note (the handout is a briefing, no decision)."""
    return [board.note_taken(handout.language)]


def economy_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """Page 1's key table: per year the municipality's gross, DUT and net (mio. kr.), net
    per inhabitant, and the key and the population count the year used."""
    h, lang = handout, handout.language
    own = h.comparison[h.comparison["level"] == "municipality"].set_index("period")
    return pd.DataFrame({
        label("handout_col_gross", lang): h.shares["gross"].to_numpy(),
        label("handout_col_dut", lang): h.shares["dut"].to_numpy(),
        label("handout_col_net", lang): h.shares["net"].to_numpy(),
        label("handout_col_net_kr", lang): own.loc[[str(y) for y in h.years],
                                                   "net_kr"].to_numpy(),
        label("handout_key_column", lang): [key_name(h, y) for y in h.years],
        label("handout_population_column", lang): [population_date(h, y) for y in h.years],
    }, index=pd.Index([str(y) for y in h.years], name=label("year", lang)))


def economy_caption(handout: MunicipalityHandout) -> str:
    return label("handout_table_economy", handout.language, base_year=handout.base_year)


def economy_note(handout: MunicipalityHandout) -> str:
    """Under the key table: what gross covers, and what '(tilnærmelse)' means."""
    lang = handout.language
    note = label("handout_economy_note", lang)
    if handout.approximated_years or handout.basis["population_approximation"].any():
        note += " " + label("handout_economy_note_approximation", lang)
    return note


# --------------------------------------------------------------------------- body

def channel_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """The whole period by channel: the country's amount, what it is shared by, and the
    municipality's part (mio. kr.); own contracts and DUT included."""
    h, lang = handout, handout.language
    national = h.rules.national.sum()
    own = h.channel_shares.sum()
    key = _in_force_key(h)
    key_words = key.name_da if lang == "da" else key.name_en
    population = label("handout_by_population", lang)
    rows = [
        (label("handout_channel_udk_contribution", lang), national["udk_contribution"],
         key_words, own["udk_contribution"]),
        (label("handout_channel_kombit_joint_financing", lang),
         national["kombit_joint_financing"], population, own["kombit_joint_financing"]),
        (label("handout_channel_own_contract", lang), national[OWN_CONTRACT],
         label("handout_not_shared", lang), float("nan")),
        (label("handout_channel_block_grant", lang), -national["block_grant"], population,
         -h.shares["dut"].sum()),
    ]
    return pd.DataFrame({
        label("handout_country", lang): [r[1] for r in rows],
        label("handout_shared_by", lang): [r[2] for r in rows],
        h.name: [r[3] for r in rows],
    }, index=pd.Index([r[0] for r in rows], name=label("handout_channel", lang)))


def channel_caption(handout: MunicipalityHandout) -> str:
    return label("handout_table_channels", handout.language, period=handout.period,
                 base_year=handout.base_year)


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


def comparison_note(handout: MunicipalityHandout) -> str:
    """The population column shows the last year's count; the kr. are the years' sum."""
    return label("handout_comparison_note", handout.language,
                 date=population_date(handout, handout.years[-1]))


def per_inhabitant_by_year(handout: MunicipalityHandout) -> pd.DataFrame:
    """Net kr. per inhabitant by year (rows) for municipality, region, country (columns)."""
    h = handout
    yearly = h.comparison[h.comparison["period"] != h.period]
    table = yearly.pivot(index="period", columns="level", values="net_kr")[list(LEVELS)]
    table.index = pd.Index([int(p) for p in table.index], name="year")
    table.columns = [h.name, h.region, label("handout_country", h.language)]
    return table


def rate_words(handout: MunicipalityHandout) -> str:
    """The business case's discount rate in reader words (never a schedule code)."""
    return business_case_text.rate_text(handout.rate, handout.language)


def case_name(handout: MunicipalityHandout, quoted: bool = False, tag: bool = True) -> str:
    """The case's name as the business case report has it ('Business case for UDK's andel
    af monopolbruddet') for the shipped case, else 'Business casen'; '(illustrativt
    eksempel)' after it when the case is illustrative."""
    from pathlib import Path

    from ... import config

    lang, national = handout.language, handout.business_case.national
    if Path(national.source_file).name == Path(config.UDK_SHARE_CASE_FILE).name:
        name = label("bc_title_udk_share", lang)
        if quoted:
            name = f"»{name}«" if lang == "da" else f"“{name}”"
    else:
        name = label("handout_case_name_other", lang)
        name = name[0].lower() + name[1:] if quoted else name
    if tag and national.illustrative:
        name += " " + label("handout_case_illustrative", lang)
    return name


def case_heading(handout: MunicipalityHandout) -> str:
    heading = label("handout_heading_case", handout.language)
    if handout.business_case.national.illustrative:
        heading += " " + label("handout_case_illustrative", handout.language)
    return heading


def business_case_sentences(handout: MunicipalityHandout) -> list[str]:
    """The business case section's lead: the share of the expected (risk-adjusted) NPV
    first, as in the business case report, with the most likely value beside it and the
    country's; that the national case's sign is not settled; the payback; and that the
    whole case is shared by the key as an approximation."""
    share, expected, lang = handout.business_case, handout.expected_case, handout.language
    summary = share.national.summary()
    key = _in_force_key(handout)
    illustrative = label("handout_case_illustrative", lang).strip("()") + "; "
    sentences = [label("handout_sentence_case", lang,
                       case=case_name(handout, quoted=True, tag=False),
                       tag=illustrative if share.national.illustrative else "",
                       expected=case_amount(expected.npv, lang),
                       npv=case_amount(share.npv, lang),
                       national_expected=fmt.money(expected.national.npv, 1, lang),
                       national=fmt.money(share.national.npv, 1, lang),
                       first=summary["first_year"], last=summary["last_year"],
                       rate=rate_words(handout),
                       key_title=key.name_da if lang == "da" else key.name_en,
                       key_share=fmt.percent(share.key_share, 2, lang))]
    probability = handout.case_prob_positive
    if probability is not None:
        # between 10 % and 90 % the national P10 and P90 lie on either side of zero: the
        # sign is not settled; outside, the probability alone is said
        key = ("handout_sentence_sign" if 0.1 < probability < 0.9
               else "handout_sentence_probability")
        sentences.append(label(key, lang, probability=fmt.percent(probability, 0, lang)))
    payback = summary["payback_year"]
    if payback is not None:
        sentences.append(label("handout_sentence_payback", lang, year=payback))
    sentences.append(label("handout_sentence_case_approximation", lang))
    return [fmt.sentence(s) for s in sentences]


def business_case_table(handout: MunicipalityHandout) -> pd.DataFrame:
    """The municipality's share of the case beside the country's, as text with units
    (`case_amount`): the expected NPV, the NPV and the present values at the most likely
    values."""
    share, expected, lang = handout.business_case, handout.expected_case, handout.language
    rows = [("expected_npv", expected.national.npv, expected.npv),
            ("npv", share.national.npv, share.npv),
            ("pv_benefits", share.national.pv_benefits, share.pv_benefits),
            ("pv_costs", share.national.pv_costs, share.pv_costs)]
    return pd.DataFrame({
        label("handout_country", lang): [fmt.money(n, 1, lang) for _, n, _ in rows],
        handout.name: [case_amount(m, lang) for _, _, m in rows],
    }, index=pd.Index([label(f"handout_case_{k}", lang) for k, _, _ in rows],
                      name=label("handout_case_figure", lang)))


def business_case_caption(handout: MunicipalityHandout) -> str:
    years = handout.business_case.by_year.index
    return label("handout_table_case", handout.language, base_year=handout.base_year,
                 first=years[0], last=years[-1], case=case_name(handout))


def illustrative_banner(handout: MunicipalityHandout):
    """The red flag under the title: it names the business case when the handout shows it."""
    return blocks.illustrative_banner(handout.language, *illustrative_keys(handout))


def illustrative_keys(handout: MunicipalityHandout) -> tuple[str, str]:
    """The banner's and the note's label keys (the workbook uses them too)."""
    if handout.business_case is None or not handout.business_case.national.illustrative:
        return "illustrative_banner", "illustrative_note"
    return "handout_illustrative_banner", "handout_illustrative_note"


# --------------------------------------------------------------------------- annex

def key_sentences(handout: MunicipalityHandout) -> list[str]:
    """Per key used: its legal basis, formula, first budget year and the years it served,
    as the rule or as an approximation; then the population rule and the counts used."""
    h, lang = handout, handout.language
    sentences = []
    for key_id in dict.fromkeys(h.basis["key_id"]):
        rows = h.basis[h.basis["key_id"] == key_id]
        record = rows.iloc[0]
        in_force = [int(y) for y in rows.index[~rows["key_approximation"].astype(bool)]]
        approximated = [int(y) for y in rows.index[rows["key_approximation"].astype(bool)]]
        fields = dict(key_title=record[f"key_name_{lang}"], legal_basis=record["legal_basis"])
        if record["threshold"] is not None and not pd.isna(record["threshold"]):
            sentences.append(label(
                "handout_method_key_threshold", lang, **fields,
                threshold=fmt.number(record["threshold"], 0, lang),
                weight=fmt.number(record["weight"], 3, lang)))
        else:
            sentences.append(label("handout_method_key_population", lang, **fields))
        if in_force:
            sentences.append(label("handout_method_key_years", lang, **fields,
                                   years=_years_text(in_force, lang)))
        if approximated:
            sentences.append(label("handout_method_key_approximation", lang, **fields,
                                   years=_years_text(approximated, lang)))
    sentences.append(label("handout_method_population_rule", lang))
    groups = h.basis.groupby(["population_year", "population_approximation"], sort=False)
    for (count_year, approximation), rows in groups:
        years = [int(y) for y in rows.index]
        key = ("handout_method_population_approximation" if approximation
               else "handout_method_population_used")
        sentences.append(label(key, lang, years=_years_text(years, lang),
                               date=fmt.long_date(dt.date(int(count_year), 1, 1), lang)))
    return sentences


def channel_sentences(handout: MunicipalityHandout) -> list[str]:
    """Which ledger items go through which channel, from the channels table: a system
    named alone has all its lines in the channel, else its cost types follow in brackets."""
    lang = handout.language
    lines = handout.rules.lines
    sentences = [label("handout_method_channels", lang)]
    for channel in (*ALLOCATED_CHANNELS, OWN_CONTRACT):
        items = []
        for system, of_system in lines.groupby("system", sort=False):
            here = of_system[of_system["channel"] == channel]
            if here.empty:
                continue
            if len(here) == len(of_system):
                items.append(system)
            else:
                types = ", ".join(label(t, lang).split(" (")[0].lower()
                                  for t in dict.fromkeys(here["cost_type"]))
                items.append(f"{system} ({types})")
        if items:
            sentences.append(label(f"handout_method_channel_{channel}", lang,
                                   items="; ".join(items)))
    return sentences


def method_sentences(handout: MunicipalityHandout) -> list[str]:
    """How the shares were computed, for the annex and the workbook."""
    lang = handout.language
    sentences = [*channel_sentences(handout),
                 *key_sentences(handout),
                 label("handout_method_dut", lang),
                 label("handout_method_rounding", lang),
                 handout.analysis.index.describe(handout.base_year, lang) + ".",
                 label("restate_formula", lang, base_year=handout.base_year)]
    if handout.business_case is not None:
        key = _in_force_key(handout)
        sentences.append(label("handout_method_case", lang, rate=rate_words(handout),
                               case=case_name(handout),
                               key_title=key.name_da if lang == "da" else key.name_en,
                               date=population_date(handout, handout.years[-1])))
        sentences.append(label("handout_method_case_expected", lang))
        sentences.append(label("handout_method_case_approximation", lang))
    if handout.illustrative:
        sentences.append(label(illustrative_keys(handout)[1], lang))
    return [fmt.sentence(s) for s in sentences]


def price_basis(handout: MunicipalityHandout) -> str:
    """The title block's short price basis; the index and its source are in the annex."""
    return label("handout_price_basis", handout.language, base_year=handout.base_year)


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
