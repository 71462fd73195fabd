"""One municipality's share of what UDK cost the municipalities: the numbers of its handout.

The shares
----------
The national figures come from the fixed-price analysis (`costs.fixed_price_analysis`), in
fixed prices of `base_year`. For municipality k in year t (`allocation.allocate_ore`):

    gross_k,t = gross_t * w_k / sum_j w_j       w = min(pop, 150000) + 0.744 * max(pop - 150000, 0)
    dut_k,t   = dut_t * pop_k / sum_j pop_j     (DUT is distributed by plain population)
    net_k,t   = gross_k,t - dut_k,t

The gross cost follows the key of BEK nr. 1629 af 16/11/2020 for the municipalities'
contributions to Udbetaling Danmark; DUT compensation follows the block grant, by population.
Each share is a whole number of øre and the 98 shares of a year add up to the national
amount to the øre, so the net shares add up to the national net cost as well.

Per inhabitant, at each level (the municipality, its region, the country):

    kr_per_inhabitant = sum of the level's shares (mio. kr.) * 1,000,000 / its population

Under the BEK nr. 1629 key every municipality of at most 150,000 inhabitants pays the same
gross amount per inhabitant, a little above the country's average; the four largest
municipalities pay less, as their inhabitants above 150,000 count at 74.4 %.

The business case
-----------------
The UDK business case (`business_case.evaluate`) is shared by the same BEK nr. 1629 key:
NPV_k = NPV * w_k / sum_j w_j, and so for each year's net benefit. As every flow of the
case is scaled by the same share, the municipality's payback time, IRR and benefit-cost
ratio are the country's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, fmt
from .allocation import (
    BEK1629_THRESHOLD,
    BEK1629_WEIGHT,
    ORE_PER_MIO_DKK,
    allocate_ore,
    allocation_weights,
    per_inhabitant_comparison,
)
from .documents.fixed_prices.model import CostAnalysis
from .documents.fixed_prices.model import build as fixed_price_analysis
from .data import load_municipalities, provenance
from .errors import ParameterError
from .labels import check_language, label
from .municipalities import resolve_municipality

MEASURES = ("gross", "dut", "net")
LEVELS = ("municipality", "region", "country")


# --------------------------------------------------------------------------- shares

@dataclass(frozen=True)
class Shares:
    """Every municipality's gross cost, DUT compensation and net cost per year (mio. kr.).

    Each frame is municipality code x year, in the prices of the national figures.
    """

    gross: pd.DataFrame
    dut: pd.DataFrame
    net: pd.DataFrame

    def of(self, code: int) -> pd.DataFrame:
        """One municipality: years x (gross, dut, net)."""
        frame = pd.DataFrame({m: getattr(self, m).loc[code] for m in MEASURES})
        frame.index = pd.Index([int(y) for y in frame.index], name="year")
        return frame


def municipal_shares(national: pd.DataFrame, population, prices: str = "fixed") -> Shares:
    """Share the national gross cost by the BEK nr. 1629 key and DUT by population.

    gross_k,t = gross_t * w_k / sum w (BEK nr. 1629), dut_k,t = dut_t * pop_k / sum pop,
    net_k,t = gross_k,t - dut_k,t; each share to the øre, adding up to the national amount.

    `national` is the per-year table of `costs.net_of_dut` (columns gross_fixed, dut_fixed,
    ... indexed by year); `population` a Series indexed by municipality code or the
    municipalities table.

    >>> national = pd.DataFrame({"gross_fixed": [3.0], "dut_fixed": [0.9]},
    ...                         index=pd.Index([2021], name="year"))
    >>> shares = municipal_shares(national, pd.Series({101: 200_000, 147: 100_000}))
    >>> shares.of(147).round(8).to_dict("records")  # weights 187200 and 100000
    [{'gross': 1.04456825, 'dut': 0.3, 'net': 0.74456825}]
    """
    if prices not in ("fixed", "current"):
        raise ValueError(f"prices '{prices}': use 'fixed' or 'current'")
    gross = allocate_ore(national[f"gross_{prices}"], population, key="bek1629")
    dut = allocate_ore(national[f"dut_{prices}"], population, key="population")
    # net in whole øre: gross and DUT each add up to their national amount, so net does too
    frames = {"gross": gross, "dut": dut, "net": gross - dut}
    return Shares(**{name: frame.astype("float64") / ORE_PER_MIO_DKK
                     for name, frame in frames.items()})


# --------------------------------------------------------------------------- comparison

def level_comparison(municipality, shares: Shares, table: pd.DataFrame) -> pd.DataFrame:
    """Gross, DUT and net per inhabitant for the municipality, its region and the country.

    One row per period (each year, then the whole period "2017-2021") and level
    (municipality, region, country): population, the level's sum of shares in mio. kr.
    (gross, dut, net) and per inhabitant (gross_kr, dut_kr, net_kr =
    sum * 1,000,000 / population), and net_index = 100 * net_kr / the country's net_kr.

    >>> table = pd.DataFrame({"municipality_code": [101, 147, 825],
    ...     "municipality": ["København", "Frederiksberg", "Læsø"],
    ...     "region_code": [1084, 1084, 1081],
    ...     "region": ["Region Hovedstaden", "Region Hovedstaden", "Region Nordjylland"],
    ...     "population": [600_000, 100_000, 300_000]})
    >>> frame = lambda v: pd.DataFrame({2021: v}, index=[101, 147, 825])
    >>> shares = Shares(frame([6.0, 1.0, 2.0]), frame([0.6, 0.1, 0.3]), frame([5.4, 0.9, 1.7]))
    >>> level_comparison(147, shares, table).query("period == '2021'")["net_kr"].round(6).tolist()
    [9.0, 9.0, 8.0]
    """
    years = [int(y) for y in shares.gross.columns]
    period = f"{years[0]}-{years[-1]}"
    parts = []
    for measure in MEASURES:
        frame = getattr(shares, measure).copy()
        frame.columns = [str(y) for y in years]
        frame[period] = getattr(shares, measure).sum(axis=1)
        part = per_inhabitant_comparison(municipality, frame, table)
        part = part.rename(columns={"year": "period", "amount_mio_dkk": measure,
                                    "kr_per_inhabitant": f"{measure}_kr"})
        parts.append(part.drop(columns="relative_to_country"))
    keys = ["period", "level", "code", "name", "population"]
    result = parts[0]
    for part in parts[1:]:
        result = result.merge(part, on=keys, how="left", validate="one_to_one")
    country = result[result["level"] == "country"].set_index("period")["net_kr"]
    with np.errstate(divide="ignore", invalid="ignore"):
        result["net_index"] = 100 * result["net_kr"] / result["period"].map(country)
    return result[keys + list(MEASURES) + [f"{m}_kr" for m in MEASURES] + ["net_index"]]


# --------------------------------------------------------------------------- business case

@dataclass(frozen=True)
class BusinessCaseShare:
    """A municipality's share of the national business case, by the BEK nr. 1629 key."""

    national: object  # business_case.BusinessCaseResult
    key_share: float  # w_k / sum_j w_j
    npv: float  # mio. kr., to the øre
    pv_benefits: float
    pv_costs: float
    by_year: pd.DataFrame  # year: net_benefit, discounted_net_benefit, cumulative_discounted

    @property
    def payback_year(self):
        return self.national.summary()["payback_year"]

    @property
    def discounted_payback_year(self):
        return self.national.summary()["discounted_payback_year"]


def business_case_share(result, code: int, population) -> BusinessCaseShare:
    """Municipality `code`'s share of an evaluated business case, by the BEK nr. 1629 key.

    NPV_k = NPV * w_k / sum_j w_j, and likewise the present values of benefits and costs
    and each year's net benefit, discounted or not, each to the øre by largest remainder.
    `result` is what `business_case.evaluate` returns; `population` a Series indexed by
    municipality code or the municipalities table.

    >>> from types import SimpleNamespace
    >>> case = SimpleNamespace(npv=2.872, pv_benefits=2.872, pv_costs=0.0, years=[2021],
    ...                        net_benefit=[2.872], discounted_net_benefit=[2.872])
    >>> share = business_case_share(case, 147, pd.Series({101: 200_000, 147: 100_000}))
    >>> round(share.npv, 8), round(share.key_share, 6)  # 2.872 * 100000 / 287200
    (1.0, 0.348189)
    """
    key = allocation_weights(population)
    if code not in key.index:
        raise ParameterError(f"municipality {code} is not in the population given; share "
                             "the case over a population that includes it")
    figures = pd.Series({"npv": result.npv, "pv_benefits": result.pv_benefits,
                         "pv_costs": result.pv_costs})
    totals = allocate_ore(figures, population).loc[code] / ORE_PER_MIO_DKK
    years = [int(y) for y in result.years]
    net = allocate_ore(pd.Series(result.net_benefit, index=years), population).loc[code]
    discounted = allocate_ore(pd.Series(result.discounted_net_benefit, index=years),
                              population).loc[code]
    by_year = pd.DataFrame({
        "net_benefit": net.to_numpy(dtype=float) / ORE_PER_MIO_DKK,
        "discounted_net_benefit": discounted.to_numpy(dtype=float) / ORE_PER_MIO_DKK,
    }, index=pd.Index(years, name="year"))
    by_year["cumulative_discounted"] = by_year["discounted_net_benefit"].cumsum()
    return BusinessCaseShare(national=result, key_share=float(key.loc[code] / key.sum()),
                             npv=float(totals["npv"]), pv_benefits=float(totals["pv_benefits"]),
                             pv_costs=float(totals["pv_costs"]), by_year=by_year)


# --------------------------------------------------------------------------- the handout

@dataclass(frozen=True)
class MunicipalityHandout:
    """Everything a municipality's handout shows, computed once, read by notebook and Excel."""

    code: int
    name: str
    region_code: int
    region: str
    population: int
    key_weight: float  # BEK nr. 1629 weight of the municipality
    key_share: float  # its weight / the sum of all weights
    population_share: float  # its population / the country's
    base_year: int
    language: str
    analysis: CostAnalysis  # the national figures (fixed and current prices)
    shares: pd.DataFrame  # years x (gross, dut, net), mio. kr., fixed prices
    comparison: pd.DataFrame  # see level_comparison
    business_case: BusinessCaseShare | None
    inputs: list[dict] = field(default_factory=list)
    illustrative: bool = False
    population_date: dt.date | None = None  # the day the population was counted
    municipalities: pd.DataFrame | None = None  # the table the keys were computed from

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.shares.index]

    @property
    def period(self) -> str:
        return f"{self.years[0]}-{self.years[-1]}"

    @property
    def decimals(self) -> int:
        """Decimals of the municipality's amounts in mio. kr.: 1.000 kr. for a small one."""
        return money_decimals(self.shares["gross"].sum())

    def level(self, level: str, period: str | None = None) -> pd.Series:
        """The comparison row of one level for one period (default: the whole period)."""
        rows = self.comparison[(self.comparison["level"] == level)
                               & (self.comparison["period"] == (period or self.period))]
        return rows.iloc[0]


def money_decimals(amount: float) -> int:
    """How many decimals of mio. kr. show an amount to about three significant digits.

    >>> money_decimals(94.3), money_decimals(3.2), money_decimals(0.33)
    (1, 2, 3)
    """
    amount = abs(float(amount))
    return 1 if amount >= 10 else 2 if amount >= 1 else 3


# National figures per set of input files: computed once per process and reused by every
# municipality (a batch runs many handouts in one warm kernel). Keyed by file contents, so an
# edited input is never served from the cache.
_NATIONAL: OrderedDict = OrderedDict()
_NATIONAL_MAX = 4


def _content_key(path) -> tuple[str, str]:
    path = Path(path)
    return str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest()


def _national(cost_file, dut_file, index_file, municipalities_file, case_file, base_year,
              language, rate, with_case):
    files = [cost_file, dut_file, index_file, config.PHASES_FILE, municipalities_file]
    if with_case:
        files.append(case_file)
    key = (tuple(_content_key(f) for f in files), base_year, language, str(rate), with_case)
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return _NATIONAL[key]
    analysis = fixed_price_analysis(cost_file, dut_file, index_file, base_year=base_year,
                                    language=language)
    table = load_municipalities(municipalities_file)
    shares = municipal_shares(analysis.net, table)
    case = None
    if with_case:
        from .business_case import evaluate

        case = evaluate(case_file, rate, base_year=base_year, index=analysis.index)
    _NATIONAL[key] = value = (analysis, table, shares, case)
    while len(_NATIONAL) > _NATIONAL_MAX:
        _NATIONAL.popitem(last=False)
    return value


def municipality_handout(municipality, base_year: int = config.DEFAULT_BASE_YEAR,
                         language: str = config.DEFAULT_LANGUAGE, cost_file=None,
                         dut_file=None, index_file=None, municipalities_file=None,
                         case_file=None, rate=config.DEFAULT_DISCOUNT_RATE,
                         business_case: bool = True) -> MunicipalityHandout:
    """The handout of one municipality (code or name; see `resolve_municipality`).

    Files default to those in data/raw (config); `case_file` is the UDK business case
    (config.UDK_SHARE_CASE_FILE), evaluated at `rate` unless business_case=False. An
    unknown municipality raises ParameterError naming the closest valid ones.
    """
    check_language(language)
    files = {
        "cost_file": Path(cost_file or config.COSTS_FILE),
        "dut_file": Path(dut_file or config.DUT_FILE),
        "index_file": Path(index_file or config.CPI_FILE),
        "municipalities_file": Path(municipalities_file or config.MUNICIPALITIES_FILE),
        "case_file": Path(case_file or config.UDK_SHARE_CASE_FILE),
    }
    analysis, table, shares, case = _national(**files, base_year=base_year, language=language,
                                              rate=rate, with_case=business_case)
    code = resolve_municipality(municipality, table)
    row = table.loc[table["municipality_code"].astype("int64") == code].iloc[0]
    population = _population(table)
    weights = allocation_weights(table)
    inputs = list(analysis.inputs) + [provenance(files["municipalities_file"])]
    share_of_case = None
    if case is not None:
        share_of_case = business_case_share(case, code, table)
        inputs.append(provenance(files["case_file"]))
    return MunicipalityHandout(
        code=code, name=str(row["municipality"]), region_code=int(row["region_code"]),
        region=str(row["region"]), population=int(population.loc[code]),
        key_weight=float(weights.loc[code]), key_share=float(weights.loc[code] / weights.sum()),
        population_share=float(population.loc[code] / population.sum()),
        base_year=base_year, language=language, analysis=analysis,
        shares=shares.of(code), comparison=level_comparison(code, shares, table),
        business_case=share_of_case, inputs=inputs,
        illustrative=bool(analysis.illustrative
                          or (case is not None and case.illustrative)),
        population_date=_population_date(table), municipalities=table,
    )


def _population_column(table: pd.DataFrame) -> str:
    return next(c for c in table.columns if str(c).startswith("population"))


def _population(table: pd.DataFrame) -> pd.Series:
    return pd.Series(table[_population_column(table)].astype("int64").to_numpy(),
                     index=table["municipality_code"].astype("int64").to_numpy())


def _population_date(table: pd.DataFrame) -> dt.date | None:
    """The count date in the column name (population_2020_01_01), when it has one."""
    match = re.fullmatch(r"population_(\d{4})_(\d{2})_(\d{2})", _population_column(table))
    return dt.date(*(int(part) for part in match.groups())) if match else None


# --------------------------------------------------------------------------- for readers

def _m(handout: MunicipalityHandout, value: float) -> str:
    return fmt.money(value, handout.decimals, handout.language)


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
    people = fmt.number(h.population, 0, lang)
    fields = dict(
        name=h.name, region=h.region, population=people, key_share=pct(h.key_share),
        population_share=pct(h.population_share), period=h.period, base_year=h.base_year,
        gross=_m(h, total["gross"]), dut=_m(h, total["dut"]), net=_m(h, total["net"]),
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
    # an abbreviation at the end of a sentence takes no second full stop ("mio. kr.")
    return [s.replace("kr..", "kr.") for s in sentences]


def business_case_sentence(handout: MunicipalityHandout) -> str:
    """What the municipality's share of the business case is worth, with the country's."""
    share, lang = handout.business_case, handout.language
    summary = share.national.summary()
    payback = summary["payback_year"]
    text = label("handout_sentence_case", lang, name=handout.name,
                 npv=fmt.money(share.npv, money_decimals(share.npv), lang),
                 national=fmt.money(share.national.npv, 1, lang),
                 first=summary["first_year"], last=summary["last_year"],
                 rate=summary["rate"], key_share=fmt.percent(share.key_share, 2, lang))
    if payback is not None:
        text += " " + label("handout_sentence_payback", lang, year=payback)
    return text.replace("kr..", "kr.")


def key_figures(handout: MunicipalityHandout) -> list[tuple[str, str]]:
    """(value, caption) pairs for the boxes at the top of the handout; units in captions."""
    h, lang = handout, handout.language
    total = h.shares.sum()
    unit, kr = label("unit", lang), ("kr." if lang == "da" else "DKK")
    figures = [
        (fmt.number(total["net"], h.decimals, lang),
         label("handout_kf_net", lang, period=h.period) + f", {unit}"),
        (fmt.number(h.level("municipality")["net_kr"], 0, lang),
         label("handout_kf_net_kr", lang, period=h.period) + f", {kr}"),
        (fmt.percent(h.key_share, 2, lang), label("handout_kf_key_share", lang)),
    ]
    if h.business_case is not None:
        npv = h.business_case.npv
        figures.append((fmt.number(npv, money_decimals(npv), lang),
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


def key_figures_block(handout: MunicipalityHandout):
    """The key figures as the row of boxes the print stylesheet lays out (`.key-figures`)."""
    import html

    from IPython.display import HTML

    boxes = "".join(f'<div class="key-figure"><div class="value">{html.escape(value)}</div>'
                    f'<div class="caption">{html.escape(caption)}</div></div>'
                    for value, caption in key_figures(handout))
    return HTML(f'<div class="key-figures">{boxes}</div>')


def subtitle(handout: MunicipalityHandout) -> str:
    """'Region Nordjylland · 1.786 indbyggere (1. januar 2020)' under the title."""
    lang = handout.language
    date = handout.population_date
    return label("handout_subtitle", lang, region=handout.region,
                 population=fmt.number(handout.population, 0, lang),
                 date=fmt.long_date(date, lang) if date else "")
