"""The handout's object: one municipality's share of what UDK cost the municipalities.

The shares
----------
The national figures come from the fixed-price report's object (`fixed_prices.model.build`), in
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

The shares, the comparison and the share of the business case are computed in
`udkecon.allocation` (`municipal_shares`, `level_comparison`, `business_case_share`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config
from ...allocation import (
    BusinessCaseShare,
    allocation_weights,
    business_case_share,
    level_comparison,
    municipal_shares,
    population_column,
)
from ...business_case import evaluate
from ...data import load_municipalities, provenance
from ...hashing import sha256
from ...labels import check_language
from ...municipalities import resolve_municipality
from ..fixed_prices import model as fixed_prices
from ..fixed_prices.model import CostAnalysis


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

    def level(self, level: str, period: str | None = None) -> pd.Series:
        """The comparison row of one level for one period (default: the whole period)."""
        rows = self.comparison[(self.comparison["level"] == level)
                               & (self.comparison["period"] == (period or self.period))]
        return rows.iloc[0]


# National figures per set of input files: computed once per process and reused by every
# municipality (a batch runs many handouts in one warm kernel). Keyed by file contents, so an
# edited input is never served from the cache.
_NATIONAL: OrderedDict = OrderedDict()
_NATIONAL_MAX = 4


def _content_key(path) -> tuple[str, str]:
    path = Path(path)
    return str(path.resolve()), sha256(path)


def _national(cost_file, dut_file, index_file, municipalities_file, case_file, base_year,
              language, rate, with_case):
    files = [cost_file, dut_file, index_file, config.PHASES_FILE, municipalities_file]
    if with_case:
        files.append(case_file)
    key = (tuple(_content_key(f) for f in files), base_year, language, str(rate), with_case)
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return _NATIONAL[key]
    analysis = fixed_prices.build(cost_file, dut_file, index_file, base_year=base_year,
                                  language=language)
    table = load_municipalities(municipalities_file)
    shares = municipal_shares(analysis.net, table)
    case = None
    if with_case:
        case = evaluate(case_file, rate, base_year=base_year, index=analysis.index)
    _NATIONAL[key] = value = (analysis, table, shares, case)
    while len(_NATIONAL) > _NATIONAL_MAX:
        _NATIONAL.popitem(last=False)
    return value


def build(municipality, base_year: int = config.DEFAULT_BASE_YEAR,
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


def _population(table: pd.DataFrame) -> pd.Series:
    return pd.Series(table[population_column(table)].astype("int64").to_numpy(),
                     index=table["municipality_code"].astype("int64").to_numpy())


def _population_date(table: pd.DataFrame) -> dt.date | None:
    """The count date in the column name (population_2020_01_01), when it has one."""
    match = re.fullmatch(r"population_(\d{4})_(\d{2})_(\d{2})", population_column(table))
    return dt.date(*(int(part) for part in match.groups())) if match else None
