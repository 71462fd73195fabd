"""The handout's object: one municipality's share of what UDK cost the municipalities.

The shares
----------
The national figures come from the fixed-price report's object (`fixed_prices.model.build`), in
fixed prices of `base_year`. Each ledger line reaches the municipalities through a channel
(data/raw/allocation_channels.csv): UDK's administration contribution, KOMBIT's joint
financing, or the municipality's own contract (not shared). For municipality k and budget
year t (`allocation.shares_by_rules`):

    udk_k,t    = udk_contribution_t * w_k / sum_j w_j   the key in force in t (allocation_keys.csv)
    kombit_k,t = kombit_joint_financing_t * pop_k / sum_j pop_j
    gross_k,t  = udk_k,t + kombit_k,t
    dut_k,t    = dut_t * pop_k / sum_j pop_j            (DUT comes back through the block grant)
    net_k,t    = gross_k,t - dut_k,t

BEK nr. 1629 af 16/11/2020 (w = min(pop, 150000) + 0.744 * max(pop - 150000, 0)) is in force
from budget year 2021; the key of BEK nr. 1218 af 20/11/2017, which it repealed, is not in the
data, so for 2017-2020 BEK nr. 1629's key stands in as an approximation, and the handout says
so per year. The population of budget year t is that of 1 January t-1 (the latest published
count, BEK nr. 1629 § 1) where the population file has it, else that of 1 January 2020.
Each share is a whole number of øre and the 98 shares of a year add up to the national
amount to the øre.

Per inhabitant, at each level (the municipality, its region, the country), with each year's
population:

    kr_per_inhabitant_t = sum of the level's shares (mio. kr.) * 1,000,000 / its population

and for the whole period the sum of the years' figures.

The business case
-----------------
The UDK business case (`business_case.evaluate`, the illustrative udk_share case) is shared
by the key and population of the last year: NPV_k = NPV * w_k / sum_j w_j, and so for each
year's net benefit. As every flow of the case is scaled by the same share, the municipality's
payback time, IRR and benefit-cost ratio are the country's.

The handout's headline is the share of the expected (risk-adjusted) NPV, as the business
case report's is: the case evaluated with every row at its triangular mean
(low + most likely + high) / 3 (`evaluate(..., at="mean")`); the NPV is linear in the
amounts, so this is the expected NPV without a simulation per municipality. The national
Monte Carlo (`uncertainty.monte_carlo`, the report's draws and seed) runs once per set of
inputs, only for the probability that the national NPV is positive.

The case's items follow different channels (the savings on the KMD solutions are each
municipality's own contract, not shared by any key); the handout spreads the whole case by
the BEK key all the same, an approximation the text states.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config
from ...allocation import (
    ALLOCATED_CHANNELS,
    ALLOCATION_CHANNELS_FILE,
    ALLOCATION_KEYS_FILE,
    BusinessCaseShare,
    RuleShares,
    allocation_weights,
    business_case_share,
    level_comparison,
    load_allocation_channels,
    load_allocation_keys,
    shares_by_rules,
)
from ...business_case import build_cash_flows, evaluate
from ...data import load_municipalities, provenance
from ...hashing import sha256
from ...labels import check_language
from ...municipalities import resolve_municipality
from ...population import load_population_by_year
from ...uncertainty import monte_carlo
from ..business_case.model import parse_discount_rate
from ..fixed_prices import model as fixed_prices
from ..fixed_prices.model import CostAnalysis


@dataclass(frozen=True)
class MunicipalityHandout:
    """Everything a municipality's handout shows, computed once, read by notebook and Excel."""

    code: int
    name: str
    region_code: int
    region: str
    population: int  # the population the last year's key used
    key_weight: float  # the last year's key weight of the municipality (BEK nr. 1629)
    key_share: float  # its weight / the sum of all weights, last year
    population_share: float  # its population / the country's, last year
    base_year: int
    language: str
    analysis: CostAnalysis  # the national figures (fixed and current prices)
    shares: pd.DataFrame  # years x (gross, dut, net), mio. kr., fixed prices
    comparison: pd.DataFrame  # see level_comparison
    business_case: BusinessCaseShare | None  # at the most likely values
    inputs: list[dict] = field(default_factory=list)
    illustrative: bool = False
    population_date: dt.date | None = None  # the day the population was counted
    municipalities: pd.DataFrame | None = None  # the table the keys were computed from
    rules: RuleShares | None = None  # every municipality's shares, the keys, the populations
    rate: object = config.DEFAULT_DISCOUNT_RATE  # the business case's discount rate as given
    # the share of the expected (risk-adjusted) case: every item at its triangular mean
    expected_case: BusinessCaseShare | None = None
    # the national Monte Carlo's probability of a positive NPV (the report's draws and seed)
    case_prob_positive: float | None = None

    @property
    def basis(self) -> pd.DataFrame:
        """Per year: the key (name, legal basis, approximation) and the population year."""
        return self.rules.basis

    @property
    def channel_shares(self) -> pd.DataFrame:
        """Years x allocated channels: the municipality's part of gross, mio. kr."""
        return pd.DataFrame({c: self.rules.channels[c].loc[self.code]
                             for c in ALLOCATED_CHANNELS}).rename_axis("year")

    @property
    def approximated_years(self) -> list[int]:
        """Years whose key is an approximation (no key of the table in force)."""
        return [int(y) for y, a in self.basis["key_approximation"].items() if a]

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


def _national(cost_file, dut_file, index_file, municipalities_file, case_file, keys_file,
              channels_file, population_file, base_year, language, rate, with_case):
    files = [cost_file, dut_file, index_file, config.PHASES_FILE, municipalities_file,
             keys_file, channels_file]
    if population_file is not None:
        files.append(population_file)
    if with_case:
        files.append(case_file)
    key = (tuple(_content_key(f) for f in files), base_year, language, str(rate), with_case)
    if key in _NATIONAL:
        _NATIONAL.move_to_end(key)
        return _NATIONAL[key]
    analysis = fixed_prices.build(cost_file, dut_file, index_file, base_year=base_year,
                                  language=language)
    table = load_municipalities(municipalities_file)
    by_year = load_population_by_year(population_file) if population_file else None
    rules = shares_by_rules(analysis.ledger, analysis.dut, table,
                            keys=load_allocation_keys(keys_file),
                            channels=load_allocation_channels(channels_file),
                            population_by_year=by_year)
    case = None
    if with_case:
        flows = build_cash_flows(case_file, base_year=base_year, index=analysis.index)
        case = (evaluate(flows, rate), evaluate(flows, rate, at="mean"),
                # once per inputs (about 0.2 s), the same draws as the business case report
                monte_carlo(flows, rate, draws=config.MONTE_CARLO_DRAWS,
                            seed=config.MONTE_CARLO_SEED).prob_positive)
    _NATIONAL[key] = value = (analysis, table, rules, case)
    while len(_NATIONAL) > _NATIONAL_MAX:
        _NATIONAL.popitem(last=False)
    return value


def build(municipality, base_year: int = config.DEFAULT_BASE_YEAR,
          language: str = config.DEFAULT_LANGUAGE, cost_file=None, dut_file=None,
          index_file=None, municipalities_file=None, case_file=None,
          rate=config.DEFAULT_DISCOUNT_RATE, business_case: bool = True, keys_file=None,
          channels_file=None, population_file=None) -> MunicipalityHandout:
    """The handout of one municipality (code or name; see `resolve_municipality`).

    Files default to those in data/raw (config, allocation); `case_file` is the UDK business
    case (config.UDK_SHARE_CASE_FILE), evaluated at `rate` unless business_case=False;
    `keys_file` the allocation keys with their budget years, `channels_file` the channel of
    each system group and cost type, `population_file` the population on 1 January by year
    (data/raw/population_by_year.csv). An unknown municipality raises ParameterError naming
    the closest valid ones.
    """
    check_language(language)
    # read as the business case report reads it (a decision date, '0,035', the limits)
    rate = parse_discount_rate(rate)
    files = {
        "cost_file": Path(cost_file or config.COSTS_FILE),
        "dut_file": Path(dut_file or config.DUT_FILE),
        "index_file": Path(index_file or config.CPI_FILE),
        "municipalities_file": Path(municipalities_file or config.MUNICIPALITIES_FILE),
        "case_file": Path(case_file or config.UDK_SHARE_CASE_FILE),
        "keys_file": Path(keys_file or ALLOCATION_KEYS_FILE),
        "channels_file": Path(channels_file or ALLOCATION_CHANNELS_FILE),
        "population_file": _population_file(population_file, municipalities_file),
    }
    analysis, table, rules, case = _national(**files, base_year=base_year, language=language,
                                             rate=rate, with_case=business_case)
    code = resolve_municipality(municipality, table)
    row = table.loc[table["municipality_code"].astype("int64") == code].iloc[0]
    last = analysis.years[-1]
    population = rules.populations[last]
    key = rules.keys[last]
    weights = allocation_weights(population, **key.parameters())
    inputs = list(analysis.inputs) + [
        provenance(files[name]) for name in ("municipalities_file", "population_file",
                                             "keys_file", "channels_file") if files[name]]
    share_of_case = expected = prob_positive = None
    if case is not None:
        by_key = {k: v for k, v in key.parameters().items() if k != "key"}
        most_likely, mean, prob_positive = case
        share_of_case = business_case_share(most_likely, code, population, **by_key)
        expected = business_case_share(mean, code, population, **by_key)
        inputs.append(provenance(files["case_file"]))
    count_year = int(rules.basis.loc[last, "population_year"])
    return MunicipalityHandout(
        code=code, name=str(row["municipality"]), region_code=int(row["region_code"]),
        region=str(row["region"]), population=int(population.loc[code]),
        key_weight=float(weights.loc[code]), key_share=float(weights.loc[code] / weights.sum()),
        population_share=float(population.loc[code] / population.sum()),
        base_year=base_year, language=language, analysis=analysis,
        shares=rules.shares.of(code),
        comparison=level_comparison(code, rules.shares, table, rules.populations),
        business_case=share_of_case, inputs=inputs,
        illustrative=bool(analysis.illustrative
                          or (case is not None and case[0].illustrative)),
        population_date=dt.date(count_year, 1, 1), municipalities=table, rules=rules,
        rate=rate, expected_case=expected, case_prob_positive=prob_positive,
    )


def _population_file(population_file, municipalities_file):
    """The population by year: the given file, else data/raw's, except when the caller gave
    their own municipalities (a test's three-municipality country): their count is then the
    only population, so no year mixes two sets of municipalities."""
    if population_file:
        return Path(population_file)
    if municipalities_file:
        return None
    return Path(config.POPULATION_BY_YEAR_FILE)
