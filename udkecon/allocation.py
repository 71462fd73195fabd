"""Municipal shares of a national amount: the key of BEK nr. 1629 for UDK's administration
contributions, and plain population for DUT compensation.

The rules
---------
Udbetaling Danmark-loven § 22: the municipalities pay contributions that cover UDK's
administration of the tasks moved from them. BEK nr. 1629 af 16/11/2020 (from budget year
2021) splits them by population, counting a municipality's inhabitants above 150,000 at
74.4 %::

    weight_k = min(pop_k, 150000) + 0.744 * max(pop_k - 150000, 0)
    share_k  = amount * weight_k / sum_j weight_j

DUT compensation (the block grant adjustment for changed municipal tasks) is distributed
by plain population: ``key="population"``, ``weight_k = pop_k``.

Rounding to the øre
-------------------
A share is a whole number of øre (1 øre = 0.01 kr. = 1e-8 mio. kr.) and the shares add up
to the amount exactly, by the largest-remainder (Hamilton) method:

1. the amount is rounded to whole øre (half away from zero);
2. each municipality gets the whole øre of its exact quota ``amount * weight / total``
   (rounded down);
3. the øre left over (fewer than the number of municipalities) go one each to the
   municipalities with the largest remainders; equal remainders go to the lower
   municipality code.

Quotas are computed in exact rational arithmetic, reading every number as the decimal it
prints as (0.744 is 744/1000, 0.1 is 1/10), so binary float noise never decides who gets
an øre. `allocate_ore` returns the øre as integers; `allocate` returns mio. kr., where
each value is the float nearest to its whole-øre amount (``round(x * 1e8)`` gives the øre
back exactly).

One municipality
----------------
`municipal_shares` shares the national gross cost (by BEK nr. 1629) and DUT (by population)
among all municipalities, `level_comparison` sets a municipality beside its region and the
country per inhabitant, and `business_case_share` gives it its share of a business case: the
numbers of the municipal handout (`udkecon.documents.handout`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from . import config, data
from .errors import DataError, ParameterError

# Names and codes live in `municipalities`; importable from here too, where they were first.
from .municipalities import (
    _as_code,
    _municipality_table,
    _names_by_code,
    _regions,
    _source_name,
    municipalities_in,  # noqa: F401
    resolve_municipality,
)

KEYS = ("bek1629", "population")
# BEK nr. 1629 af 16/11/2020: a municipality's inhabitants above the threshold count at the
# reduced weight.
BEK1629_THRESHOLD = 150_000
BEK1629_WEIGHT = 0.744
ORE_PER_MIO_DKK = 100_000_000  # 1 mio. kr. = 100,000,000 øre
COUNTRY_NAME = "Hele landet"

# Largest øre amount that a float holds exactly (2**53 øre, about 90 mio. mio. kr.).
_MAX_ORE = 2**53


# --------------------------------------------------------------------------- exact numbers

def _exact(value, parameter: str) -> Fraction:
    """A number as an exact fraction of the decimal it prints as."""
    if isinstance(value, bool):
        raise ParameterError(f"{parameter}={value!r} is not a number; give a number")
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        decimal = value
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{parameter}={value!r} is not a number; "
                                 "give a number such as 12.5") from None
        if not math.isfinite(number):
            raise ParameterError(f"{parameter}={value!r} is not a finite number; "
                                 "give a number such as 12.5")
        decimal = Decimal(repr(number))
    if not decimal.is_finite():
        raise ParameterError(f"{parameter}={value!r} is not a finite number; "
                             "give a number such as 12.5")
    return Fraction(decimal)


def _round_half_away(value: Fraction) -> int:
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def _to_ore(amount, parameter: str = "amount") -> int:
    ore = _round_half_away(_exact(amount, parameter) * ORE_PER_MIO_DKK)
    if abs(ore) > _MAX_ORE:
        raise ParameterError(f"{parameter}={amount!r} mio. kr. is too large to share to the "
                             f"øre; give an amount below {_MAX_ORE / ORE_PER_MIO_DKK:,.0f} "
                             "mio. kr.")
    return ore


# --------------------------------------------------------------------------- population

def population_column(table: pd.DataFrame) -> str:
    """The name of the one population column of a municipalities table."""
    candidates = [c for c in table.columns if str(c).startswith("population")]
    if len(candidates) != 1:
        found = ", ".join(map(str, candidates)) or "none"
        raise ParameterError(f"population: the table needs exactly one population column "
                             f"(found {found}); pass a Series of population indexed by "
                             "municipality code instead")
    return candidates[0]


def _population_series(population) -> pd.Series:
    """Population as a Series indexed by municipality code, sorted by code."""
    if isinstance(population, pd.DataFrame):
        if "municipality_code" not in population.columns:
            raise ParameterError("population: the table has no column 'municipality_code'; "
                                 "give the municipalities table as loaded by "
                                 "data.load_municipalities(), or a Series indexed by code")
        column = population_column(population)
        codes = population["municipality_code"]
        if codes.isna().any():
            raise ParameterError("population: the table has a row without municipality_code")
        series = pd.Series(population[column].to_numpy(dtype=object),
                           index=pd.Index(codes.astype("int64").to_numpy(),
                                          name="municipality_code"))
    elif isinstance(population, pd.Series):
        series = population.copy()
        series.index = series.index.rename("municipality_code")
    elif isinstance(population, dict):
        series = pd.Series(population, dtype=object).rename_axis("municipality_code")
    else:
        raise ParameterError(f"population: expected a Series indexed by municipality code or "
                             f"the municipalities table, got {type(population).__name__}")
    if series.empty:
        raise ParameterError("population: no municipalities given; give at least one")
    codes = [_as_code(c) for c in series.index]
    if None not in codes:  # codes as plain ints, whether given as Int64, "101" or "0101"
        series.index = pd.Index(codes, dtype="int64", name="municipality_code")
    duplicated = series.index[series.index.duplicated()]
    if len(duplicated):
        raise ParameterError(f"population: municipality code {duplicated[0]} appears more "
                             "than once; give one population per municipality")
    try:
        series = series.sort_index()
    except TypeError:
        pass  # mixed index types: keep the given order, which then breaks ties
    return series


def _exact_population(series: pd.Series) -> list[Fraction]:
    values = []
    for code, value in series.items():
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            raise ParameterError(f"population of municipality {code} is missing; "
                                 "fill in the number of inhabitants")
        exact = _exact(value, f"population of municipality {code}")
        if exact < 0:
            raise ParameterError(f"population of municipality {code} is negative ({value}); "
                                 "give the number of inhabitants (0 or more)")
        values.append(exact)
    return values


def _check_key(key: str, threshold, weight) -> tuple[Fraction, Fraction]:
    if key not in KEYS:
        raise ParameterError(f"key={key!r} is not an allocation key; use one of: 'bek1629' "
                             "(BEK nr. 1629 af 16/11/2020, UDK's administration "
                             "contributions), 'population' (plain population, as for DUT)")
    exact_threshold = _exact(threshold, "threshold")
    exact_weight = _exact(weight, "weight")
    if exact_threshold < 0:
        raise ParameterError(f"threshold={threshold!r} is negative; give the number of "
                             "inhabitants counted in full (BEK nr. 1629: 150000)")
    if exact_weight < 0:
        raise ParameterError(f"weight={weight!r} is negative; give the weight of the "
                             "inhabitants above the threshold as a decimal (BEK nr. 1629: "
                             "0.744)")
    if key == "bek1629" and exact_threshold == 0 and exact_weight == 0:
        # every municipality would weigh 0: say so here rather than blame the population
        raise ParameterError("threshold=0 with weight=0 gives every municipality the weight "
                             "0; give the threshold (BEK nr. 1629: 150000) or a weight above "
                             "0 (BEK nr. 1629: 0.744)")
    return exact_threshold, exact_weight


def _exact_weights(population: list[Fraction], key: str, threshold: Fraction,
                   weight: Fraction) -> list[Fraction]:
    if key == "population":
        return list(population)
    return [min(pop, threshold) + weight * max(pop - threshold, 0) for pop in population]


def _integer_weights(weights: list[Fraction]) -> list[int]:
    # One common denominator turns the weights into integers with the same ratios.
    denominator = math.lcm(*(w.denominator for w in weights))
    scaled = [int(w * denominator) for w in weights]
    if sum(scaled) == 0:
        raise ParameterError("population: the weights sum to zero (no inhabitants); "
                             "there is nothing to share the amount by")
    return scaled


def allocation_weights(population, key: str = "bek1629", threshold=BEK1629_THRESHOLD,
                       weight=BEK1629_WEIGHT) -> pd.Series:
    """Each municipality's weight in the allocation key.

    key="bek1629" (BEK nr. 1629 af 16/11/2020, Udbetaling Danmark-loven § 22):

        weight = min(pop, threshold) + weight * max(pop - threshold, 0)

    with threshold = 150,000 and weight = 0.744; key="population" (DUT): weight = pop
    (threshold and weight are then not used).

    `population` is a Series indexed by municipality code or the municipalities table as
    loaded by `data.load_municipalities()`. Returns a float Series named "weight", indexed
    by municipality code in ascending order.

    >>> pop = pd.Series({101: 632_340, 825: 1_786})
    >>> allocation_weights(pop).round(2).tolist()  # 150000 + 0.744 * 482340
    [508860.96, 1786.0]
    >>> allocation_weights(pop, key="population").tolist()
    [632340.0, 1786.0]
    """
    exact_threshold, exact_weight = _check_key(key, threshold, weight)
    series = _population_series(population)
    weights = _exact_weights(_exact_population(series), key, exact_threshold, exact_weight)
    return pd.Series([float(w) for w in weights], index=series.index, name="weight",
                     dtype="float64")


# --------------------------------------------------------------------------- allocation

def _largest_remainder(total_ore: int, weights: list[int]) -> list[int]:
    """Split `total_ore` in proportion to integer `weights`, to whole øre, exactly."""
    total_weight = sum(weights)
    quotas = [total_ore * w for w in weights]
    shares = [q // total_weight for q in quotas]
    remainders = [q % total_weight for q in quotas]
    left_over = total_ore - sum(shares)  # 0 <= left_over < len(weights)
    # ties go to the earlier position, i.e. the lower municipality code
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left_over]:
        shares[i] += 1
    return shares


def _amounts(amount):
    """(amounts as a Series, whether the caller gave several) for a scalar or a vector."""
    if isinstance(amount, pd.DataFrame):
        raise ParameterError("amount: give one amount or a Series of amounts indexed by "
                             "year, not a table (e.g. table.set_index('year')[column])")
    if isinstance(amount, dict):
        return pd.Series(amount, dtype=object), True
    if isinstance(amount, pd.Series):
        if amount.index.has_duplicates:
            repeated = sorted({str(v) for v in amount.index[amount.index.duplicated()]})
            raise ParameterError(f"amount: the labels {', '.join(repeated)} occur more than "
                                 "once; give one amount per year")
        return amount, True
    if isinstance(amount, (list, tuple, np.ndarray)):
        array = np.asarray(amount, dtype=object)
        if array.ndim == 0:
            return pd.Series([array.item()]), False
        if array.ndim != 1:
            raise ParameterError(f"amount: expected one amount per year (1-D), got an "
                                 f"array of shape {array.shape}")
        return pd.Series(list(array), dtype=object), True
    return pd.Series([amount], dtype=object), False


def allocate_ore(amount, population, key: str = "bek1629", threshold=BEK1629_THRESHOLD,
                 weight=BEK1629_WEIGHT):
    """Each municipality's share of a national amount (mio. kr.) in whole øre (int64).

    share = amount * weight_k / sum(weights), rounded to whole øre by largest remainder so
    that the shares sum to the amount (rounded to the øre) exactly; see `allocate` and the
    module docstring for the key and the rounding rule.

    >>> pop = pd.Series({101: 200_000, 147: 100_000})
    >>> # weights 150000 + 0.744 * 50000 = 187200 and 100000; quotas in øre
    >>> # 65181058.50 - 0.0042 and 34818941.50 + 0.0042: the left-over øre goes to 147
    >>> allocate_ore(1.0, pop).tolist()
    [65181058, 34818942]
    """
    exact_threshold, exact_weight = _check_key(key, threshold, weight)
    series = _population_series(population)
    weights = _integer_weights(
        _exact_weights(_exact_population(series), key, exact_threshold, exact_weight))
    amounts, several = _amounts(amount)
    columns = {}
    for label, value in amounts.items():
        name = f"amount[{label!r}]" if several else "amount"
        columns[label] = _largest_remainder(_to_ore(value, name), weights)
    if not several:
        return pd.Series(columns[0], index=series.index, name="share_ore", dtype="int64")
    frame = pd.DataFrame({label: pd.Series(values, index=series.index, dtype="int64")
                          for label, values in columns.items()},
                         index=series.index, columns=list(amounts.index))
    frame.columns = pd.Index(list(amounts.index), name=amounts.index.name)
    return frame


def allocate(amount, population, key: str = "bek1629", threshold=BEK1629_THRESHOLD,
             weight=BEK1629_WEIGHT):
    """Each municipality's share of a national amount, in mio. kr., to the øre.

    key="bek1629": the key of BEK nr. 1629 af 16/11/2020 for the municipalities'
    contributions to Udbetaling Danmark's administration (Udbetaling Danmark-loven § 22):

        weight_k = min(pop_k, threshold) + weight * max(pop_k - threshold, 0)
        share_k  = amount * weight_k / sum_j weight_j

    with threshold = 150,000 inhabitants and weight = 0.744. key="population": weight_k =
    pop_k, the way DUT compensation is distributed.

    Shares are whole øre and sum to the amount (rounded to the øre) exactly: largest-
    remainder rounding, ties to the lower municipality code (see the module docstring).

    `amount` is one amount (-> Series indexed by municipality code) or a Series / dict /
    list of amounts, e.g. by year (-> DataFrame municipality x year, each column summing to
    its amount). `population` is a Series indexed by municipality code or the
    municipalities table as loaded. `allocate_ore` gives the same shares as int øre.

    >>> pop = pd.Series({101: 200_000, 147: 100_000})
    >>> allocate(1.0, pop).tolist()  # weights 187200 and 100000
    [0.65181058, 0.34818942]
    >>> allocate({2020: 3.0, 2021: 1.0}, pop, key="population").round(8).to_dict("list")
    {2020: [2.0, 1.0], 2021: [0.66666667, 0.33333333]}
    """
    ore = allocate_ore(amount, population, key=key, threshold=threshold, weight=weight)
    # int / 1e8 is the float nearest to the decimal øre amount (both exact, one rounding)
    shares = ore.astype("float64") / ORE_PER_MIO_DKK
    if isinstance(shares, pd.Series):
        shares.name = "share_mio_dkk"
    return shares


def allocation_key_table(municipalities: pd.DataFrame | None = None, key: str = "bek1629",
                         threshold=BEK1629_THRESHOLD, weight=BEK1629_WEIGHT,
                         amount=None) -> pd.DataFrame:
    """The allocation key as a tidy table for a handout, one row per municipality.

    Columns: municipality_code, municipality, region_code, region, population, weight
    (see `allocation_weights`), share_pct = 100 * weight / sum(weights); with a single
    `amount` (mio. kr.) also share_mio_dkk (see `allocate`) and kr_per_inhabitant =
    share * 1,000,000 / population. Rows in municipality code order. `municipalities`
    defaults to data.load_municipalities() (BEK nr. 1629 af 16/11/2020 for key="bek1629").

    >>> table = pd.DataFrame({"municipality_code": [101, 147],
    ...     "municipality": ["København", "Frederiksberg"], "region_code": [1084, 1084],
    ...     "region": ["Region Hovedstaden"] * 2, "population": [200_000, 100_000]})
    >>> allocation_key_table(table)["share_pct"].round(4).tolist()  # 187200 / 287200
    [65.1811, 34.8189]
    """
    table = data.load_municipalities() if municipalities is None else municipalities
    missing = [c for c in ("municipality_code", "municipality", "region_code", "region")
               if c not in table.columns]
    if missing:
        raise ParameterError(f"municipalities: the table lacks the column(s) "
                             f"{', '.join(missing)}; give the table as loaded by "
                             "data.load_municipalities()")
    exact_threshold, exact_weight = _check_key(key, threshold, weight)
    population = _population_series(table)
    exact = _exact_weights(_exact_population(population), key, exact_threshold, exact_weight)
    total = sum(exact)
    if total == 0:
        raise ParameterError("municipalities: the population sums to zero; "
                             "there is nothing to share by")
    info = table.assign(municipality_code=table["municipality_code"].astype("int64"))
    info = info.set_index("municipality_code").loc[population.index]
    result = pd.DataFrame({
        "municipality_code": population.index.astype("int64"),
        "municipality": info["municipality"].to_numpy(),
        "region_code": info["region_code"].astype("int64").to_numpy(),
        "region": info["region"].to_numpy(),
        "population": population.astype("float64").to_numpy(),
        "weight": [float(w) for w in exact],
        "share_pct": [float(100 * w / total) for w in exact],
    })
    if (result["population"] == result["population"].round()).all():
        result["population"] = result["population"].astype("int64")
    if amount is not None:
        if not np.isscalar(amount) and not isinstance(amount, (Decimal, Fraction)):
            raise ParameterError("amount: the key table takes one amount (mio. kr.); "
                                 "use allocate() for amounts by year")
        shares = allocate(amount, table, key=key, threshold=threshold, weight=weight)
        result["share_mio_dkk"] = shares.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            per_head = shares.to_numpy() * 1e6 / result["population"].to_numpy(dtype=float)
        result["kr_per_inhabitant"] = np.where(result["population"] > 0, per_head, np.nan)
    return result


# --------------------------------------------------------------------------- per inhabitant

def per_inhabitant(shares, population):
    """Kroner per inhabitant: kr_per_inhabitant = share (mio. kr.) * 1,000,000 / population.

    `shares` is a Series (or a DataFrame municipality x year) indexed by municipality code,
    as `allocate` returns; `population` a Series indexed by code or the municipalities
    table. A municipality without inhabitants gets NaN.

    >>> per_inhabitant(pd.Series({101: 2.5}), pd.Series({101: 500_000})).tolist()
    [5.0]
    """
    pop = _population_series(population).astype("float64").replace(0.0, np.nan)
    unknown = shares.index.difference(pop.index)
    if len(unknown):
        raise ParameterError(f"population: no population for municipality code "
                             f"{unknown[0]}; give the population of every municipality "
                             "in the shares")
    pop = pop.reindex(shares.index)
    if isinstance(shares, pd.DataFrame):
        return shares.mul(1e6).div(pop, axis=0)
    return (shares * 1e6 / pop).rename("kr_per_inhabitant")


def per_inhabitant_comparison(municipality, shares, table: pd.DataFrame | None = None
                              ) -> pd.DataFrame:
    """A municipality's amount per inhabitant beside its region's and the country's.

    For each level (municipality, region, country):

        kr_per_inhabitant = sum of shares (mio. kr.) * 1,000,000 / sum of population

    over the municipalities of `shares` at that level, and relative_to_country =
    kr_per_inhabitant / the country's. Under BEK nr. 1629 af 16/11/2020 every municipality
    up to 150,000 inhabitants pays the same per inhabitant and the large cities less.

    `shares` is what `allocate` returns (Series, or DataFrame municipality x year: then the
    table has a `year` column, one block of three rows per year); `table` the
    municipalities table (default data.load_municipalities()). Columns: [year,] level,
    code, name, amount_mio_dkk, population, kr_per_inhabitant, relative_to_country.

    >>> table = pd.DataFrame({"municipality_code": [101, 147, 825],
    ...     "municipality": ["København", "Frederiksberg", "Læsø"],
    ...     "region_code": [1084, 1084, 1081],
    ...     "region": ["Region Hovedstaden", "Region Hovedstaden", "Region Nordjylland"],
    ...     "population": [600_000, 100_000, 300_000]})
    >>> shares = pd.Series({101: 6.0, 147: 1.0, 825: 2.0})
    >>> per_inhabitant_comparison("København", shares, table)["kr_per_inhabitant"].tolist()
    [10.0, 10.0, 9.0]
    """
    table = _municipality_table(table)
    code = resolve_municipality(municipality, table)
    regions = _regions(table)
    population = _population_series(table).astype("float64")
    region_of = dict(zip(table["municipality_code"].astype("int64"),
                         table["region_code"].astype("int64"), strict=True))
    frame = shares.to_frame(name=None) if isinstance(shares, pd.Series) else shares
    unknown = frame.index.difference(population.index)
    if len(unknown):
        raise ParameterError(f"shares: municipality code {unknown[0]} is not in "
                             f"{_source_name(table)}; allocate with the same table")
    if code not in frame.index:
        raise ParameterError(f"shares: no share for municipality {code}; allocate over a "
                             "population that includes it")
    region = int(region_of[code])
    in_region = [c for c in frame.index if region_of[c] == region]
    levels = [("municipality", code, _names_by_code(table)[code], [code]),
              ("region", region, regions[region], in_region),
              ("country", pd.NA, COUNTRY_NAME, list(frame.index))]
    # sums per level first (vectorised over years), then one block of three rows per year
    amounts = {level: frame.loc[codes].to_numpy(dtype=float).sum(axis=0)
               for level, _, _, codes in levels}
    people = {level: float(population[codes].sum()) for level, _, _, codes in levels}
    rows = []
    for position, label in enumerate(frame.columns):
        country = (amounts["country"][position] * 1e6 / people["country"]
                   if people["country"] else math.nan)
        for level, level_code, name, _ in levels:
            amount = float(amounts[level][position])
            per_head = amount * 1e6 / people[level] if people[level] else math.nan
            rows.append({"year": label, "level": level, "code": level_code, "name": name,
                         "amount_mio_dkk": amount, "population": people[level],
                         "kr_per_inhabitant": per_head,
                         "relative_to_country": per_head / country if country else math.nan})
    result = pd.DataFrame(rows)
    result["code"] = result["code"].astype("Int64")
    if isinstance(shares, pd.Series):
        result = result.drop(columns="year")
    if (result["population"] == result["population"].round()).all():
        result["population"] = result["population"].astype("int64")
    return result


# --------------------------------------------------------------------------- one municipality

MEASURES = ("gross", "dut", "net")
LEVELS = ("municipality", "region", "country")


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


def level_comparison(municipality, shares: Shares, table: pd.DataFrame,
                     populations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Gross, DUT and net per inhabitant for the municipality, its region and the country.

    One row per period (each year, then the whole period "2017-2021") and level
    (municipality, region, country): population, the level's sum of shares in mio. kr.
    (gross, dut, net) and per inhabitant (gross_kr, dut_kr, net_kr =
    sum * 1,000,000 / population), and net_index = 100 * net_kr / the country's net_kr.

    `populations` (municipality code x year) gives each year its own population, the one
    its key used (`shares_by_rules`); the whole period's kr. per inhabitant is then the sum
    of the years' (with one population for all years, the same as the period's amount
    divided by it) and its population that of the last year.

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
    if populations is not None:
        return _level_comparison_by_year(municipality, shares, table, populations, years)
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


def _level_comparison_by_year(municipality, shares: Shares, table: pd.DataFrame,
                              populations: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    column = population_column(table)
    parts = []
    for year in years:
        of_year = table.copy()
        counts = populations[year].reindex(of_year["municipality_code"].astype("int64"))
        of_year[column] = counts.to_numpy()
        one = Shares(*(getattr(shares, m)[[year]] for m in MEASURES))
        parts.append(level_comparison(municipality, one, of_year))
    yearly = pd.concat([p[p["period"] == str(y)] for p, y in zip(parts, years, strict=True)],
                       ignore_index=True)
    period = f"{years[0]}-{years[-1]}"
    summed = yearly.groupby("level", sort=False)[
        list(MEASURES) + [f"{m}_kr" for m in MEASURES]].sum()
    whole = yearly[yearly["period"] == str(years[-1])].set_index("level").copy()
    whole[summed.columns] = summed
    whole["period"] = period
    country = whole.loc["country", "net_kr"]
    with np.errstate(divide="ignore", invalid="ignore"):
        whole["net_index"] = 100 * whole["net_kr"] / country
    result = pd.concat([yearly, whole.reset_index()[yearly.columns]], ignore_index=True)
    result["code"] = result["code"].astype("Int64")
    return result


# --------------------------------------------------------------------------- the rules in force

ALLOCATION_KEYS_FILE = config.RAW_DIR / "allocation_keys.csv"
ALLOCATION_CHANNELS_FILE = config.RAW_DIR / "allocation_channels.csv"
# How a cost item reaches the municipalities; DUT comes back through the block grant.
UDK_CONTRIBUTION = "udk_contribution"
KOMBIT_JOINT_FINANCING = "kombit_joint_financing"
OWN_CONTRACT = "own_contract"
BLOCK_GRANT = "block_grant"
ALLOCATED_CHANNELS = (UDK_CONTRIBUTION, KOMBIT_JOINT_FINANCING)
# The population fallback when a year's count is not in the population file: the count of
# the municipalities table (municipalities_2020.csv, 1 January 2020).
FALLBACK_POPULATION_YEAR = 2020


def load_allocation_keys(path=None) -> pd.DataFrame:
    """The allocation keys by channel with the budget years each is in force, validated
    (no two keys of a channel in force in the same year)."""
    return data.load(path or ALLOCATION_KEYS_FILE, "allocation_keys")


def load_allocation_channels(path=None) -> pd.DataFrame:
    """Which channel each system group and cost type of the ledger is paid through."""
    return data.load(path or ALLOCATION_CHANNELS_FILE, "allocation_channels")


@dataclass(frozen=True)
class KeyInForce:
    """The key a channel's amount of one budget year is shared by.

    `approximation` is True when no key of the table covers the year and the nearest one
    (the earliest that starts later, else the latest that ended before) stands in for it.
    """

    key_id: str
    channel: str
    name_da: str
    name_en: str
    legal_basis: str
    threshold: int | None  # None: plain population
    weight: float | None
    approximation: bool
    # the key's own budget years from the keys table (None: open), named in the text
    first_budget_year: int | None = None
    last_budget_year: int | None = None

    @property
    def key(self) -> str:
        """The formula `allocate` applies: by threshold ("bek1629") or plain population."""
        return "population" if self.threshold is None else "bek1629"

    def parameters(self) -> dict:
        if self.threshold is None:
            return {"key": "population"}
        return {"key": "bek1629", "threshold": self.threshold, "weight": self.weight}


def key_in_force(keys: pd.DataFrame, channel: str, year: int) -> KeyInForce:
    """The key of `channel` in force in budget year `year`, or the nearest as an
    approximation when none is.

    >>> keys = pd.DataFrame({"key_id": ["bek1629"], "channel": ["udk_contribution"],
    ...     "name_da": ["BEK nr. 1629"], "name_en": ["BEK no. 1629"],
    ...     "legal_basis": ["BEK nr. 1629 af 16/11/2020"], "first_budget_year": [2021],
    ...     "last_budget_year": [pd.NA], "threshold": [150000], "weight_above": [0.744]})
    >>> key_in_force(keys, "udk_contribution", 2021).approximation
    False
    >>> key_in_force(keys, "udk_contribution", 2018).approximation  # BEK nr. 1218's years
    True
    """
    rows = keys[keys["channel"] == channel]
    if rows.empty:
        raise DataError(keys.attrs.get("source_file", ALLOCATION_KEYS_FILE.name),
                        f"has no key for the channel '{channel}'",
                        f"add a row with channel {channel} and the key it is shared by")
    best = None
    for row, record in rows.iterrows():
        first, last = record["first_budget_year"], record["last_budget_year"]
        before = 0 if pd.isna(first) else max(int(first) - year, 0)
        after = 0 if pd.isna(last) else max(year - int(last), 0)
        # distance in years; at equal distance the later key (the rule that replaced)
        rank = (before + after, -(0 if pd.isna(first) else int(first)), row)
        if best is None or rank < best[0]:
            best = (rank, record)
    (distance, _, _), record = best
    threshold = None if pd.isna(record["threshold"]) else int(record["threshold"])
    return KeyInForce(
        key_id=str(record["key_id"]), channel=channel, name_da=str(record["name_da"]),
        name_en=str(record["name_en"]), legal_basis=str(record["legal_basis"]),
        threshold=threshold,
        weight=None if threshold is None else float(record["weight_above"]),
        approximation=distance > 0,
        first_budget_year=None if pd.isna(first) else int(first),
        last_budget_year=None if pd.isna(last) else int(last))


def population_count_year(budget_year: int) -> int:
    """The 1 January whose population a budget year's key uses.

    BEK nr. 1629 § 1 bases the contribution on "Danmarks Statistiks senest offentliggjorte
    kommunefordelte befolkningstal". The contributions of budget year t are set before t
    begins, and the latest count of 1 January published by then is that of 1 January t-1
    (FOLK1A publishes the first quarter in February). The project keeps only 1 January
    counts, so a later quarter is not considered.

    >>> population_count_year(2021)
    2020
    """
    return int(budget_year) - 1


@dataclass(frozen=True)
class PopulationInUse:
    budget_year: int
    count_year: int  # the population is that of 1 January of this year
    approximation: bool  # True: the rule's count was not available, the fallback stands in
    population: pd.Series  # by municipality code


def population_in_use(budget_year: int, by_year: pd.DataFrame | None,
                      fallback: pd.Series) -> PopulationInUse:
    """The population a budget year's keys use: 1 January of the year before
    (`population_count_year`) from the population file when it has that year, else the
    municipalities table's count of 1 January 2020, marked as an approximation (unless
    2020 is the year the rule asks for)."""
    wanted = population_count_year(budget_year)
    if by_year is not None and wanted in by_year.columns:
        return PopulationInUse(budget_year, wanted, False, by_year[wanted].astype("int64"))
    return PopulationInUse(budget_year, FALLBACK_POPULATION_YEAR,
                           wanted != FALLBACK_POPULATION_YEAR, fallback.astype("int64"))


def _check_same_municipalities(by_year: pd.DataFrame, table: pd.DataFrame) -> None:
    codes = set(table["municipality_code"].astype("int64"))
    where = by_year.attrs.get("source_file", config.POPULATION_BY_YEAR_FILE.name)
    for row, code in enumerate(by_year.index, start=2):  # header is row 1
        if code not in codes:
            raise DataError(where, f"municipality code {code} is not in "
                            f"{_source_name(table)}", "use the same municipalities in both "
                            "files", row=row, column="municipality_code")
    missing = sorted(codes - set(by_year.index))
    if missing:
        raise DataError(where, f"has no row for municipality code {missing[0]}",
                        "add the municipality (python -m udkecon refresh population --write "
                        "fetches all 98)", column="municipality_code")


def ledger_channels(ledger: pd.DataFrame, channels: pd.DataFrame) -> pd.Series:
    """The channel of each ledger line (indexed like the ledger).

    Every system group and cost type of the ledger must have a channel: a ledger line
    without one would otherwise drop out of every municipality's share unnoticed.
    """
    mapping = {(g, c): ch for g, c, ch in zip(channels["system_group"], channels["cost_type"],
                                               channels["channel"], strict=True)}
    assigned = []
    for row, group, cost_type in zip(ledger.index, ledger["system_group"],
                                     ledger["cost_type"], strict=True):
        if (group, cost_type) not in mapping:
            raise DataError(ledger.attrs.get("source_file", "<ledger>"),
                            f"system_group '{group}' with cost_type '{cost_type}' has no "
                            "allocation channel",
                            f"add a row {group},{cost_type},<channel> to "
                            f"{channels.attrs.get('source_file', ALLOCATION_CHANNELS_FILE)}",
                            row=row, column="cost_type")
        assigned.append(mapping[(group, cost_type)])
    return pd.Series(assigned, index=ledger.index, name="channel")


def national_by_channel(ledger: pd.DataFrame, channels: pd.DataFrame,
                        prices: str = "fixed") -> pd.DataFrame:
    """Years x channels (udk_contribution, kombit_joint_financing, own_contract), mio. kr.,
    each the sum of the ledger lines paid through it (`ledger_channels`)."""
    column = "amount_mio_dkk_fixed" if prices == "fixed" else "amount_mio_dkk"
    table = (ledger.assign(channel=ledger_channels(ledger, channels))
             .pivot_table(index="year", columns="channel", values=column, aggfunc="sum",
                          fill_value=0.0)
             .reindex(columns=[*ALLOCATED_CHANNELS, OWN_CONTRACT], fill_value=0.0))
    table.index = pd.Index([int(y) for y in table.index], name="year")
    table.columns.name = None
    return table


@dataclass(frozen=True)
class RuleShares:
    """Every municipality's shares under the rules in force each year.

    shares.gross = the UDK contribution share (by the key in force) + the KOMBIT share (by
    population); shares.dut by population; shares.net = gross - dut. `channels` holds the
    two parts of gross (code x year each); `national` the country's amounts by channel and
    DUT (year x channel); `basis` per year the key, the population year and whether each is
    an approximation; `populations` the population each year used (code x year).
    """

    shares: Shares
    channels: dict
    national: pd.DataFrame
    national_current: pd.DataFrame  # the same in current prices (the workbook restates it)
    basis: pd.DataFrame
    populations: pd.DataFrame
    keys: dict  # year -> KeyInForce of the UDK contribution
    lines: pd.DataFrame  # the ledger's system, system_group, cost_type with their channel


def shares_by_rules(ledger: pd.DataFrame, dut: pd.DataFrame, table: pd.DataFrame, *,
                    keys: pd.DataFrame, channels: pd.DataFrame,
                    population_by_year: pd.DataFrame | None = None,
                    prices: str = "fixed") -> RuleShares:
    """Share each year's national amounts by the channel and the key in force that year.

    For municipality k and budget year t, with the population of `population_in_use(t)`:

        udk_k,t    = udk_contribution_t * w_k / sum_j w_j     (key_in_force, e.g. BEK nr. 1629)
        kombit_k,t = kombit_joint_financing_t * pop_k / sum_j pop_j
        gross_k,t  = udk_k,t + kombit_k,t    (own contracts are not shared)
        dut_k,t    = dut_t * pop_k / sum_j pop_j                (the block grant)
        net_k,t    = gross_k,t - dut_k,t

    each share to the øre by largest remainder. `ledger` and `dut` are restated tables
    (`costs.load_costs`, `costs.load_dut` with an index); `table` the municipalities.
    """
    if prices not in ("fixed", "current"):
        raise ValueError(f"prices '{prices}': use 'fixed' or 'current'")
    national = national_by_channel(ledger, channels, prices)
    dut_column = ("dut_compensation_mio_dkk_fixed" if prices == "fixed"
                  else "dut_compensation_mio_dkk")
    dut_by_year = dut.assign(year=dut["year"].astype(int)).set_index("year")[dut_column]
    national[BLOCK_GRANT] = dut_by_year.reindex(national.index).to_numpy()
    current = national_by_channel(ledger, channels, "current")
    current[BLOCK_GRANT] = (dut.assign(year=dut["year"].astype(int)).set_index("year")
                            ["dut_compensation_mio_dkk"].reindex(current.index).to_numpy())
    fallback = _population_series(table).astype("int64")
    if population_by_year is not None:
        _check_same_municipalities(population_by_year, table)
    parts = {UDK_CONTRIBUTION: {}, KOMBIT_JOINT_FINANCING: {}, BLOCK_GRANT: {}}
    basis, populations, in_force = [], {}, {}
    for year in national.index:
        people = population_in_use(year, population_by_year, fallback)
        population = people.population.reindex(fallback.index)
        populations[year] = population
        for channel in parts:
            key = key_in_force(keys, channel, year)
            amount = national.loc[year, channel]
            parts[channel][year] = allocate_ore(amount, population, **key.parameters())
            if channel == UDK_CONTRIBUTION:
                in_force[year] = key
                basis.append({"year": year, "key_id": key.key_id, "key_name_da": key.name_da,
                              "key_name_en": key.name_en, "legal_basis": key.legal_basis,
                              "key_approximation": key.approximation,
                              "threshold": key.threshold, "weight": key.weight,
                              "population_year": people.count_year,
                              "population_approximation": people.approximation})
    ore = {channel: pd.DataFrame(by_year) for channel, by_year in parts.items()}
    gross = ore[UDK_CONTRIBUTION] + ore[KOMBIT_JOINT_FINANCING]
    frames = {"gross": gross, "dut": ore[BLOCK_GRANT], "net": gross - ore[BLOCK_GRANT]}
    as_mio = lambda frame: frame.astype("float64") / ORE_PER_MIO_DKK  # noqa: E731
    return RuleShares(
        shares=Shares(**{name: as_mio(frame) for name, frame in frames.items()}),
        channels={c: as_mio(ore[c]) for c in ALLOCATED_CHANNELS},
        national=national,
        national_current=current,
        basis=pd.DataFrame(basis).set_index("year"),
        populations=pd.DataFrame(populations),
        keys=in_force,
        lines=ledger[["system", "system_group", "cost_type"]]
        .assign(channel=ledger_channels(ledger, channels)).drop_duplicates()
        .reset_index(drop=True))


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


def business_case_share(result, code: int, population, threshold=BEK1629_THRESHOLD,
                        weight=BEK1629_WEIGHT) -> BusinessCaseShare:
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
    key = allocation_weights(population, threshold=threshold, weight=weight)
    if code not in key.index:
        raise ParameterError(f"municipality {code} is not in the population given; share "
                             "the case over a population that includes it")
    figures = pd.Series({"npv": result.npv, "pv_benefits": result.pv_benefits,
                         "pv_costs": result.pv_costs})
    by_key = {"threshold": threshold, "weight": weight}
    totals = allocate_ore(figures, population, **by_key).loc[code] / ORE_PER_MIO_DKK
    years = [int(y) for y in result.years]
    net = allocate_ore(pd.Series(result.net_benefit, index=years), population,
                       **by_key).loc[code]
    discounted = allocate_ore(pd.Series(result.discounted_net_benefit, index=years),
                              population, **by_key).loc[code]
    by_year = pd.DataFrame({
        "net_benefit": net.to_numpy(dtype=float) / ORE_PER_MIO_DKK,
        "discounted_net_benefit": discounted.to_numpy(dtype=float) / ORE_PER_MIO_DKK,
    }, index=pd.Index(years, name="year"))
    by_year["cumulative_discounted"] = by_year["discounted_net_benefit"].cumsum()
    return BusinessCaseShare(national=result, key_share=float(key.loc[code] / key.sum()),
                             npv=float(totals["npv"]), pv_benefits=float(totals["pv_benefits"]),
                             pv_costs=float(totals["pv_costs"]), by_year=by_year)
