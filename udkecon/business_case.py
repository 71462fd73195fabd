"""Business case of an alternative against its baseline: cash flows, NPV with
Finansministeriet's stepwise discount rate, payback, IRR and benefit-cost ratio.

Scenario 0 is the baseline (the legacy solutions continued), scenario 1 the alternative (the
tendered solutions, with one-off implementation, dual operation and transition costs). A case
file lists the costs of both, by item and year, in fixed prices; the net benefit of a year is

    net_benefit_t = cost_t(scenario 0) - cost_t(scenario 1)

(positive when the alternative is cheaper that year).

Timing and discounting. Year 0 is the first year of the case and is not discounted; the flows
of year t fall at the end of year t and are discounted period by period with the rate of each
year of the project's life:

    DF_0 = 1,   DF_t = prod_{s=1..t} 1 / (1 + r_s),   NPV = sum_t net_benefit_t * DF_t

This is not (1 + r_t)^-t: under the 2013 schedule (4 % in years 0-35, 3 % in 36-70, 2 %
after) a flow in year 40 is discounted by 1.04^-35 * 1.03^-5, not by 1.03^-40. Reference:
Finansministeriet, "Ny og lavere samfundsøkonomisk diskonteringsrente" (31 May 2013) and the
note "Den samfundsøkonomiske diskonteringsrente" (3 September 2018, annex to FIU Alm.del
spm. 418), note to table 1: flows of the first 35 years are discounted at 4 % a year, those
of years 36-70 at 3 %, those after year 70 at 2 %; "Dokumentationsnotat - den
samfundsøkonomiske diskonteringsrente" (7 January 2021): 3.5 % in years 0-35, 2.5 % in
36-70, and 1.5 % from year 71 (stated among the implemented changes in Finansministeriet's
news of 22 June 2023 on the new guidance). The schedules are read from
`config.DISCOUNT_RATES_FILE`; a horizon beyond a schedule's last band is refused.

Two views (Finansministeriet, "Vejledning i samfundsøkonomiske konsekvensvurderinger",
2017, updated 2023): `view="budget"` takes the municipalities' own cash flows as they are;
`view="socio"` restates them for society, see `socioeconomic_factors`.

KOMBIT's final account: its computed yearly saving against its target (`saving_vs_target`)
and a case's own operating saving in its first full year (`case_saving`) are at the end.
Sensitivity, switching values and Monte Carlo are in `udkecon.uncertainty`.
"""

from __future__ import annotations

import datetime
import math
import numbers
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, prices
from .data import COST_TYPES, DATA_STATUSES, Column, Schema, load, provenance, register
from .errors import DataError, ParameterError
from .schemas import MIO_DKK_FIX, MIO_DKK_TOTAL

BASES = ("per_year", "total")  # an amount every year of the row, or a total spread evenly
POINTS = ("low", "mode", "high")  # three-point estimate: minimum, most likely, maximum

register(Schema(
    "business_case", "business case: costs by item of scenario 0 (baseline) and scenario 1 "
    "(alternative), with a three-point estimate (low, mode, high) per row",
    (
        Column("item"),
        Column("scenario", "int", lower=0, upper=1),
        Column("cost_type", allowed=COST_TYPES),
        Column("phase", optional_value=True, required=False),
        Column("first_year", "year"),
        Column("last_year", "year"),
        Column("basis", allowed=BASES),
        Column("low", "float", nonnegative=True, plausible=(None, MIO_DKK_TOTAL),
               fix=MIO_DKK_FIX),
        Column("mode", "float", nonnegative=True, plausible=(None, MIO_DKK_TOTAL),
               fix=MIO_DKK_FIX),
        Column("high", "float", nonnegative=True, plausible=(None, MIO_DKK_TOTAL),
               fix=MIO_DKK_FIX),
        # why the range is as wide (and as skewed) as it is, in Danish for readers
        Column("range_reason", optional_value=True, required=False),
        Column("price_year", "year", optional_value=True, required=False),
        Column("data_status", allowed=DATA_STATUSES),
        Column("label_da", optional_value=True, required=False),
        Column("note", optional_value=True, required=False),
    ),
    key=("item", "scenario", "first_year"),
    # (a lambda: the check is defined with load_case, below)
    checks=(lambda case, where: _case_problems(case, where),),
))


# --------------------------------------------------------------------------- discount rates

def schedules() -> dict[str, dict]:
    """Finansministeriet's schedules by name ('fm2013', ...): valid_from and rate bands."""
    # keyed by the file's state, so a long-lived kernel sees an edited rate file
    stat = config.DISCOUNT_RATES_FILE.stat()
    return _schedules(str(config.DISCOUNT_RATES_FILE), stat.st_mtime_ns, stat.st_size)


@cache
def _schedules(path: str, mtime_ns: int, size: int) -> dict[str, dict]:
    table = load(path, "discount_rates")
    schedules: dict[str, dict] = {}
    for valid_from, group in table.groupby("valid_from", sort=True):
        bands = [(int(first), None if pd.isna(last) else int(last), float(rate))
                 for first, last, rate in zip(group["from_year"], group["to_year"],
                                              group["rate"], strict=True)]
        schedules[f"fm{valid_from.year}"] = {"valid_from": valid_from, "bands": bands}
    return schedules


def flat_rate_limits() -> tuple[float, float]:
    """The lowest and highest flat discount rate a report takes: the rates a discount-rate
    file may hold (its schema's `rate` column: not negative, at most the plausible highest,
    above which it is a slip of the decimal point), so that a rate given as a parameter is
    judged as the same rate in the file would be.

    >>> flat_rate_limits()
    (0.0, 0.15)
    """
    from .data import SCHEMAS

    column = next(c for c in SCHEMAS["discount_rates"].columns if c.name == "rate")
    lows = [0.0 if column.nonnegative else None, column.lower, column.plausible[0]]
    highs = [column.upper, column.plausible[1]]
    return (max(x for x in lows if x is not None),
            min(x for x in highs if x is not None))


def _choices() -> str:
    names = ", ".join(f"'{name}'" for name in schedules())
    return (f"{names}, a decision date (the schedule valid on that date), a decimal rate such "
            "as 0.035, or a sequence of per-year rates")


def schedule_on(decision_date) -> str:
    """Name of Finansministeriet's schedule valid on `decision_date` (date or 'YYYY-MM-DD').

    >>> schedule_on("2020-10-01"), schedule_on(datetime.date(2021, 1, 7))
    ('fm2013', 'fm2021')
    """
    try:
        day = pd.Timestamp(decision_date).date()
    except (TypeError, ValueError):
        raise ParameterError(f"decision date '{decision_date}' is not a date; write it as "
                             "YYYY-MM-DD") from None
    valid = [(s["valid_from"], name) for name, s in schedules().items()
             if s["valid_from"] <= day]
    if not valid:
        first = min(s["valid_from"] for s in schedules().values())
        raise ParameterError(f"decision date {day} is before the first discount-rate schedule "
                             f"in {config.DISCOUNT_RATES_FILE.name} (valid from {first}); give "
                             f"a decision date from {first} on, or one of: " + _choices())
    return max(valid)[1]


def _check_rates(rates: np.ndarray, shown) -> None:
    bad = rates[~np.isnan(rates)]
    if (bad <= -1).any() or (bad >= 1).any():
        raise ParameterError(f"rate {shown} is not a usable decimal rate: rates are decimals "
                             "above -1 and below 1 (0.035 for 3.5 %); use one of: "
                             + _choices())


def rate_schedule(rate, n_years: int) -> np.ndarray:
    """The discount rate of each year 0..n_years-1 of the case's life (r[0] is not used).

    `rate` is a decimal (flat rate), a schedule name ('fm2013', 'fm2021'), a decision date
    (the schedule valid then), or a sequence of per-year rates: n_years of them (indexed by
    year, the first not used) or n_years - 1 (the rates of years 1..n_years-1).

    >>> rate_schedule("fm2013", 38)[[0, 35, 36, 37]].tolist()
    [0.04, 0.04, 0.03, 0.03]
    """
    if not isinstance(n_years, numbers.Integral) or n_years < 1:
        raise ParameterError(f"n_years {n_years} is not a number of years; give a whole "
                             "number of at least 1")
    if isinstance(rate, datetime.date):
        rate = schedule_on(rate)
    if isinstance(rate, str):
        name = rate.strip().lower()
        if name not in schedules():
            raise ParameterError(f"rate '{rate}' is not a known discount-rate schedule; use "
                                 "one of: " + _choices())
        rates = np.full(n_years, np.nan)
        for first, last, value in schedules()[name]["bands"]:
            stop = n_years - 1 if last is None else min(last, n_years - 1)
            rates[first:stop + 1] = value
        missing = np.flatnonzero(np.isnan(rates[1:])) + 1
        if missing.size:
            # only what covers the horizon: not the refused schedule, not another that stops
            # as early, nor a decision date (its schedule might be either)
            usable = [f"'{other}'" for other, s in schedules().items() if other != name
                      and any(last is None or last >= n_years - 1 for _, last, _ in s["bands"])]
            raise ParameterError(
                f"rate '{name}' gives no rate for year {missing[0]} of the case's life (the "
                f"schedule in {config.DISCOUNT_RATES_FILE.name} stops at year {missing[0] - 1}), "
                f"but the horizon of {n_years} years (years 0-{n_years - 1}) needs it; shorten the "
                f"horizon to at most {missing[0]} years, or use "
                + ", ".join([*usable, "a decimal rate such as 0.035"])
                + ", or a sequence of per-year rates")
        return rates
    if isinstance(rate, numbers.Real) and not isinstance(rate, bool):
        rates = np.full(n_years, float(rate))
        _check_rates(rates, rate)
        return rates
    try:
        rates = np.asarray(rate, dtype=float)
    except (TypeError, ValueError):
        rates = None
    if rates is None or rates.ndim != 1:
        raise ParameterError(f"rate {rate!r} is not usable; use one of: " + _choices())
    if rates.size == n_years - 1:
        rates = np.concatenate([[np.nan], rates])
    elif rates.size != n_years:
        raise ParameterError(f"rate has {rates.size} per-year rates but the cash flows cover "
                             f"{n_years} years; give {n_years} rates (years 0-{n_years - 1}, "
                             f"the first not used) or {n_years - 1} (years 1-{n_years - 1})")
    if np.isnan(rates[1:]).any():
        raise ParameterError("rate: the per-year rates have a gap (NaN) after year 0; give a "
                             "rate for every year")
    _check_rates(rates[1:], "sequence")
    return rates


def discount_factors(rate, n_years: int) -> np.ndarray:
    """Discount factor of each year 0..n_years-1: DF_0 = 1, DF_t = prod_{s<=t} 1/(1+r_s).

    >>> bool(np.isclose(discount_factors("fm2013", 37)[36], 1.04**-35 / 1.03))
    True
    """
    rates = rate_schedule(rate, n_years)
    return np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates[1:]))])


def describe_rate(rate) -> str:
    """A short name of the rate for tables: 'fm2013', 'fm2021 (valid on 2021-03-01)', ..."""
    if isinstance(rate, datetime.date):
        return f"{schedule_on(rate)} (valid on {pd.Timestamp(rate).date()})"
    if isinstance(rate, str):
        return rate.strip().lower()
    if isinstance(rate, numbers.Real):
        return f"flat {float(rate):.4g}"
    return "per-year rates"


# --------------------------------------------------------------------------- the two views

VIEWS = ("budget", "socio")  # budgetøkonomisk, samfundsøkonomisk
FIGURES = ("nettoafgiftsfaktor", "skatteforvridningsfaktor")


@dataclass(frozen=True)
class SocioeconomicFactors:
    """Finansministeriet's key figures in force on `guidance_date` (None: not shipped)."""

    guidance_date: datetime.date
    net_tax_factor: float | None  # nettoafgiftsfaktor (NAF)
    net_tax_factor_from: datetime.date | None
    tax_distortion_factor: float | None  # skatteforvridningsfaktor
    tax_distortion_factor_from: datetime.date | None

    @property
    def missing(self) -> list[str]:
        """The figures the shipped file does not give for the date (Danish names)."""
        return [name for name, value in zip(FIGURES, (self.net_tax_factor,
                                                      self.tax_distortion_factor), strict=True)
                if value is None]

    @property
    def factor(self) -> float:
        """NAF + (skatteforvridningsfaktor - 1); a missing figure counts as not applied."""
        naf = 1.0 if self.net_tax_factor is None else self.net_tax_factor
        distortion = 1.0 if self.tax_distortion_factor is None else self.tax_distortion_factor
        return naf + (distortion - 1.0)


def socioeconomic_factors(guidance_date=None, path=None) -> SocioeconomicFactors:
    """The net tax factor and the tax distortion factor in force on `guidance_date` (a date
    or 'YYYY-MM-DD'; default the latest date in the file, `config.SOCIOECONOMIC_FILE`).

    The socio-economic view of a year's budget amount B (factor prices, public money):

        socio = B * NAF + B * (skatteforvridningsfaktor - 1) = B * (NAF + SFF - 1)

    NAF turns factor prices into market (consumer) prices; the tax distortion loss is the
    factor's excess over 1 times the public financing requirement, which is B itself
    (Finansministeriet, Vejledning i samfundsøkonomiske konsekvensvurderinger, August 2017,
    updated June 2023). A figure not shipped for the date is not guessed: it is left out
    (NAF missing: the amounts stay in factor prices) and named in `missing`.

    Worked example, a saving of 100 mio. kr.: under the 2023 guidance (NAF 1.28,
    SFF 1.00) 100 * 1.28 + 100 * 0 = 128; on 1 January 2020 (SFF 1.10 since 28 August 2017,
    NAF not shipped) 100 * 1 + 100 * 0.10 = 110, in factor prices.

    >>> socioeconomic_factors("2023-06-22").factor
    1.28
    >>> old = socioeconomic_factors("2020-01-01"); round(100 * old.factor, 6), old.missing
    (110.0, ['nettoafgiftsfaktor'])
    """
    path = Path(path or config.SOCIOECONOMIC_FILE)
    table = load(path, "socioeconomic_key_figures")
    if guidance_date is None or (isinstance(guidance_date, str) and not guidance_date.strip()):
        day = max(table["valid_from"])
    else:
        try:
            day = pd.Timestamp(guidance_date).date()
        except (TypeError, ValueError):
            raise ParameterError(f"guidance_date '{guidance_date}' is not a date; write it as "
                                 "YYYY-MM-DD, e.g. 2023-06-22") from None
    found = {}
    for figure in FIGURES:
        valid = table[(table["figure"] == figure) & (table["valid_from"] <= day)]
        if len(valid):
            row = valid.sort_values("valid_from").iloc[-1]
            found[figure] = (float(row["value"]), row["valid_from"])
        else:
            found[figure] = (None, None)
    naf, distortion = found["nettoafgiftsfaktor"], found["skatteforvridningsfaktor"]
    return SocioeconomicFactors(day, naf[0], naf[1], distortion[0], distortion[1])


def check_view(view) -> str:
    text = str(view).strip().lower()
    if text not in VIEWS:
        raise ParameterError(f"view '{view}' is not a view of the business case; use budget "
                             "(the municipalities' own cash flows, budgetøkonomisk) or socio "
                             "(samfundsøkonomisk)")
    return text


# --------------------------------------------------------------------------- key figures

def _flows(values) -> np.ndarray:
    flows = np.asarray(values, dtype=float)
    if flows.ndim == 0 or flows.shape[-1] == 0:
        raise ParameterError(f"values {values!r} is not a sequence of yearly cash flows; give "
                             "them year 0 first (note the order: npv(values, rate))")
    return flows


def npv(values, rate):
    """Net present value, year 0 undiscounted, flows at the end of each year.

    NPV = sum_t values[t] * prod_{s=1..t} 1/(1+r_s)   (= sum_t values[t]/(1+r)^t if flat)

    `rate`: see `rate_schedule`. `values` may be 2-D (draws x years): one NPV per row.

    >>> round(npv([-100, 60, 60], 0.04), 4)  # -100 + 60/1.04 + 60/1.04**2
    13.1657
    """
    flows = _flows(values)
    result = flows @ discount_factors(rate, flows.shape[-1])
    return float(result) if flows.ndim == 1 else result


def payback(values, rate=None):
    """Payback time in years from year 0, interpolated linearly within the year; None if the
    cumulative flow is still negative at the end. With `rate`, the discounted payback.

    It is the point after which the cumulative flow C_t stays non-negative: with k the last
    year in which C_k < 0, payback = k + (-C_k) / values[k+1]; 0.0 if C_t is never negative.

    >>> payback([-100, 30, 40, 50])  # C = -100, -70, -30, 20: 2 + 30/50
    2.6
    >>> payback([-100, 30, 30]) is None
    True
    """
    flows = _flows(values)
    if flows.ndim != 1:
        raise ParameterError("payback takes one series of cash flows (1-D values)")
    if rate is not None:
        flows = flows * discount_factors(rate, flows.size)
    cumulative = np.cumsum(flows)
    if cumulative[-1] < 0:
        return None
    negative = np.flatnonzero(cumulative < 0)
    if negative.size == 0:
        return 0.0
    last = negative[-1]
    return float(last + (-cumulative[last]) / flows[last + 1])


# r from -90 % to 1000 %: fine below 100 % (where business cases live), coarser above.
_IRR_GRID = np.unique(np.concatenate([np.linspace(-0.9, 1.0, 1901), np.geomspace(1.0, 10.0, 231)]))


def irr(values):
    """Internal rate of return: the flat rate r with sum_t values[t] / (1+r)^t = 0.

    NPV is evaluated on a grid of r in [-0.9, 10]; every sign change is refined by bisection
    to machine precision. Of several roots the one closest to zero is returned (as
    numpy-financial does); None when there is none (e.g. all flows of one sign).

    >>> round(irr([-100, 39, 59, 55, 20]), 5)  # Gitman (2003), p. 348
    0.28095
    """
    flows = _flows(values)
    if flows.ndim != 1:
        raise ParameterError("irr takes one series of cash flows (1-D values)")
    if not ((flows > 0).any() and (flows < 0).any()):
        return None
    years = np.arange(flows.size)

    def present_value(rates):
        with np.errstate(over="ignore", invalid="ignore"):
            return (1.0 + np.asarray(rates, float))[..., None] ** -years @ flows

    on_grid = present_value(_IRR_GRID)
    roots = list(_IRR_GRID[on_grid == 0.0])
    for i in np.flatnonzero(np.sign(on_grid[:-1]) * np.sign(on_grid[1:]) < 0):
        low, high, at_low = _IRR_GRID[i], _IRR_GRID[i + 1], on_grid[i]
        while True:
            middle = 0.5 * (low + high)
            if middle in (low, high):
                break  # the bracket is two adjacent floats
            at_middle = present_value(middle)
            if at_middle == 0.0:
                low = high = middle
                break
            if (at_middle < 0) == (at_low < 0):
                low, at_low = middle, at_middle
            else:
                high = middle
        roots.append(0.5 * (low + high))
    return float(min(roots, key=abs)) if roots else None


def bc_ratio(values, rate) -> float:
    """Benefit-cost ratio: present value of the years with a net benefit over the present
    value of the years with a net cost (each year netted first):

        B/C = sum_t max(v_t, 0) DF_t / sum_t max(-v_t, 0) DF_t,  so NPV > 0 <=> B/C > 1

    inf when no year has a net cost.

    >>> bc_ratio([-100, 60, 60], 0.0)
    1.2
    """
    flows = _flows(values)
    factors = discount_factors(rate, flows.shape[-1])
    benefits = float(np.clip(flows, 0, None) @ factors)
    costs = float(np.clip(-flows, 0, None) @ factors)
    if costs == 0:
        return math.inf if benefits > 0 else math.nan
    return benefits / costs


# --------------------------------------------------------------------------- the case

def load_case(path) -> pd.DataFrame:
    """Load and check a case file (kind 'business_case'); DataError names row and column.

    Beyond the schema (checked by `_case_problems`, so `check` finds the same): low <= mode
    <= high, first_year <= last_year, all rows of a phase share their years, and price_year
    is given in every row or in none.
    """
    case = load(path, "business_case")
    # an empty optional cell arrives as NaN; a row without a phase has the phase ""
    case["phase"] = case["phase"].fillna("").astype(str) if "phase" in case else ""
    return case


def _case_problems(case: pd.DataFrame, file: str) -> list[DataError]:
    """The checks of a case file beyond its columns' (the first problem found)."""
    for row, line in case.iterrows():
        if line["last_year"] < line["first_year"]:
            return [DataError(file, f"last_year {line['last_year']} is before first_year "
                              f"{line['first_year']}", "swap the two years", row, "last_year")]
        for smaller, larger in (("low", "mode"), ("mode", "high")):
            if line[smaller] > line[larger]:
                return [DataError(file, f"{smaller} {line[smaller]:g} is above {larger} "
                                  f"{line[larger]:g}", "give low <= mode <= high (minimum, "
                                  "most likely, maximum)", row, larger)]
        reason = line.get("range_reason", "")
        if "range_reason" in case and line["low"] < line["high"] and \
                (not isinstance(reason, str) or not reason.strip()):
            return [DataError(file, f"the range {line['low']:g}-{line['high']:g} has no reason",
                              "say in range_reason why the range is as wide as it is (e.g. "
                              "'overskridelser er mere sandsynlige end besparelser')", row,
                              "range_reason")]
    spans: dict[str, tuple] = {}
    phases = case["phase"] if "phase" in case else pd.Series("", index=case.index)
    for row, phase, first, last in zip(case.index, phases, case["first_year"],
                                       case["last_year"], strict=True):
        if isinstance(phase, str) and phase and \
                spans.setdefault(phase, (first, last, row))[:2] != (first, last):
            was = spans[phase]
            return [DataError(file, f"phase '{phase}' is {first}-{last} here but {was[0]}-"
                              f"{was[1]} in row {was[2]}", "give every row of a phase the same "
                              "first_year and last_year", row, "first_year")]
    if "price_year" in case and case["price_year"].isna().any() and \
            case["price_year"].notna().any():
        row = case.index[case["price_year"].isna()][0]
        return [DataError(file, "price_year is empty here but given in other rows",
                          "give every row the year whose prices its amounts are in, or leave "
                          "price_year empty in all rows (amounts already in fixed prices)",
                          row, "price_year")]
    return _scenario_problems(case, file)


def _scenario_problems(case: pd.DataFrame, file: str) -> list[DataError]:
    """A business case compares two scenarios: the net benefit is the baseline's costs minus
    the alternative's. Without one of them, with one that costs nothing at all, or with two
    that are the same, every figure of the report (NPV, payback, the draws) is an artefact of
    the file, not an answer."""
    first = case.index[0]
    names = {0: "scenario 0 (the baseline)", 1: "scenario 1 (the alternative)"}
    for scenario, name in names.items():
        rows = case[case["scenario"] == scenario]
        if rows.empty:
            return [DataError(file, f"has no row of {name}: a business case compares two "
                              "scenarios", f"add the costs of {name} as rows with scenario "
                              f"{scenario} (0 = the solution continued, 1 = the alternative)",
                              first, "scenario")]
        if not rows[["low", "mode", "high"]].to_numpy().any():
            return [DataError(file, f"every amount of {name} is 0 (low, mode and high): a "
                              "scenario that costs nothing is no scenario", f"give the costs "
                              f"of {name} in mio. kr.", int(rows.index[0]), "mode")]
    columns = [c for c in ("cost_type", "first_year", "last_year", "basis", "low", "mode",
                           "high", "price_year") if c in case]

    def lines(scenario):
        rows = case.loc[case["scenario"] == scenario, columns].astype(str)
        return sorted(map(tuple, rows.to_numpy()))
    if lines(0) == lines(1):
        return [DataError(file, "scenario 1 has the same rows as scenario 0: the net benefit "
                          "is 0 in every year", "give scenario 1 the alternative's own costs",
                          int(case.index[case["scenario"] == 1][0]), "scenario")]
    return []


@dataclass(frozen=True, eq=False)
class CashFlows:
    """A case laid out year by year over its horizon, in fixed prices.

    Row r adds amount_r * timing[r, t] to the cost of its scenario in year t (timing is 1 in
    the row's years, 1/n for a total spread over n years, 0 outside), so every cash flow,
    and the NPV, is linear in the row amounts.
    """

    # the case rows: low/mode/high in fixed prices (= low_given/... as in the file times
    # price_factor = index[base_year] / index[price_year]; 1 when not restated)
    rows: pd.DataFrame
    years: np.ndarray  # calendar years, years[0] = year 0
    timing: np.ndarray  # rows x years
    base_year: int | None  # None: the amounts were already in the case's fixed prices
    price_basis: str
    source_file: str
    sha256: str
    view: str = "budget"
    socioeconomic: SocioeconomicFactors | None = None  # the figures of the socio view

    @property
    def view_factor(self) -> float:
        """What every budget amount is multiplied by in this view (1 in the budget view)."""
        return 1.0 if self.socioeconomic is None else self.socioeconomic.factor

    @property
    def savings_start(self) -> int | None:
        """The first year of the phase 'full_operation', when the case has one."""
        rows = self.rows[self.rows["phase"] == FULL_OPERATION]
        return int(rows["first_year"].min()) if len(rows) else None

    @property
    def items(self) -> list[str]:
        return list(dict.fromkeys(self.rows["item"]))

    @property
    def sign(self) -> np.ndarray:
        """+1 for a baseline cost (scenario 0), -1 for an alternative cost (scenario 1)."""
        return np.where(self.rows["scenario"].to_numpy() == 0, 1.0, -1.0)

    @property
    def data_status(self) -> str:
        return "illustrative" if (self.rows["data_status"] == "illustrative").any() else "real"

    def amounts(self, at: str = "mode", values: dict | None = None,
                scale: dict | None = None) -> np.ndarray:
        """Row amounts at a point of the estimate ('mean': the triangular mean), with items
        set to `values` (every row of the item, fixed prices) or multiplied by `scale`."""
        if at not in (*POINTS, "mean"):
            raise ParameterError(f"at '{at}' is not a point of the estimate; use one of: "
                                 + ", ".join(POINTS) + ", mean")
        if at == "mean":  # the triangular mean: the risk-adjusted value of each row
            amounts = self.rows[list(POINTS)].to_numpy(float).sum(axis=1) / 3.0
        else:
            amounts = self.rows[at].to_numpy(float).copy()
        for changes, setting in ((values or {}, True), (scale or {}, False)):
            for item, value in changes.items():
                rows = self._rows_of(item)
                if setting and np.unique(amounts[rows]).size > 1:
                    raise ParameterError(f"values['{item}']: the item has different amounts "
                                         "in different rows; use scale={item: factor}")
                amounts[rows] = value if setting else amounts[rows] * value
        return amounts

    def _rows_of(self, item: str) -> np.ndarray:
        rows = (self.rows["item"] == item).to_numpy()
        if not rows.any():
            raise ParameterError(f"item '{item}' is not in the case; use one of: "
                                 + ", ".join(self.items))
        return rows

    def costs(self, amounts=None) -> tuple[np.ndarray, np.ndarray]:
        """Cost per year of scenario 0 and of scenario 1."""
        amounts = self.amounts() if amounts is None else amounts
        baseline = (self.sign > 0).astype(float)
        return (amounts * baseline) @ self.timing, (amounts * (1 - baseline)) @ self.timing

    def net_benefit(self, amounts=None) -> np.ndarray:
        """cost(scenario 0) - cost(scenario 1) per year; amounts may be draws x rows."""
        amounts = self.amounts() if amounts is None else np.asarray(amounts, float)
        return (amounts * self.sign) @ self.timing

    def present_value_weights(self, factors) -> np.ndarray:
        """w with NPV = amounts @ w: each row's discounted, signed timing."""
        return self.sign * (self.timing @ np.asarray(factors, float))

    def by_item(self, amounts=None) -> pd.DataFrame:
        """Tidy costs: one row per year x case row, in fixed prices (amount_mio_dkk) and
        in the prices of the file (amount_given_mio_dkk, in prices of price_year)."""
        amounts = self.amounts() if amounts is None else amounts
        row, year = np.nonzero(self.timing)
        columns = ["scenario", "item", "label_da", "cost_type", "price_year", "price_factor",
                   "view_factor"]
        frame = self.rows.reindex(columns=columns).iloc[row]
        frame.insert(0, "source_row", frame.index)
        frame.insert(0, "year", self.years[year])
        frame["amount_mio_dkk"] = amounts[row] * self.timing[row, year]
        frame["amount_given_mio_dkk"] = (frame["amount_mio_dkk"] / frame["price_factor"]
                                         / frame["view_factor"])
        return frame.sort_values(["year", "scenario"], kind="stable").reset_index(drop=True)


def price_basis_text(base_year: int | None, language: str = "da") -> str:
    """The price basis a reader sees: the CPI at `base_year`, or the case's own prices."""
    from .labels import label

    if base_year is None:
        return label("bc_price_basis_own", language)
    return prices.load_index(None, language).describe(base_year, language)


BUILD, FULL_OPERATION = "build", "full_operation"  # the phases `savings_start` moves


def _move_savings_start(rows: pd.DataFrame, savings_start) -> None:
    """Full operation from `savings_start` for as many years as the case gives it; the build
    phase (and with it a total spread over it) ends the year before."""
    phases = set(rows["phase"])
    if not {BUILD, FULL_OPERATION} <= phases:
        raise ParameterError(f"savings_start {savings_start}: the case has no phases '{BUILD}' "
                             f"and '{FULL_OPERATION}' to move; leave savings_start empty (0) for "
                             "this case")
    try:
        start = int(savings_start)
    except (TypeError, ValueError):
        start = None
    build = rows["phase"] == BUILD
    first_build = int(rows.loc[build, "first_year"].min())
    if start is None or isinstance(savings_start, bool) or start <= first_build:
        raise ParameterError(f"savings_start {savings_start!r} is not usable; give a year after "
                             f"the first build year {first_build}, e.g. 2022")
    full = rows["phase"] == FULL_OPERATION
    years = int(rows.loc[full, "last_year"].max()) - int(rows.loc[full, "first_year"].min())
    rows.loc[build, "last_year"] = start - 1
    rows.loc[full, ["first_year", "last_year"]] = (start, start + years)


def build_cash_flows(case, *, base_year: int | None = None, start_year: int | None = None,
                     horizon: int | None = None, phases: dict | None = None,
                     index=None, savings_start: int | None = None, view: str = "budget",
                     guidance_date=None) -> CashFlows:
    """Lay a case (DataFrame from `load_case`, or a path) out over its horizon.

    - start_year: year 0 (default the case's first year); rows before it are left out (sunk).
    - horizon: number of years from year 0 (default: to the case's last year); years beyond
      the case's rows have no flows.
    - phases: {phase: (first_year, last_year)} moves every row of a phase (a 'total' row is
      then spread over the new years).
    - savings_start: the first year of the phase 'full_operation' (its length kept); the
      phase 'build' ends the year before. None: the case file's own timing.
    - view: 'budget' (the amounts as they are) or 'socio' (every amount times
      `socioeconomic_factors(guidance_date).factor`).
    - base_year, index: rows with a price_year are restated to base_year prices,
      amount * index[base_year] / index[price_year] (`prices.restate`; default the CPI,
      config.DEFAULT_BASE_YEAR). A case without price_year is taken as fixed prices of its
      own price level and is not restated (base_year is then not used).
    """
    if not isinstance(case, pd.DataFrame):
        case = load_case(case)
    rows = case.copy()
    rows["phase"] = rows.get("phase", pd.Series("", index=rows.index)).fillna("")
    for phase, span in (phases or {}).items():
        if phase not in set(rows["phase"]) - {""}:
            raise ParameterError(f"phases: '{phase}' is not a phase of the case; use one of: "
                                 + ", ".join(sorted(set(rows["phase"]) - {""})))
        try:
            first, last = (int(year) for year in span)
        except (TypeError, ValueError):
            first, last = 1, 0
        if last < first:
            raise ParameterError(f"phases['{phase}'] = {span!r}; give (first_year, last_year)")
        rows.loc[rows["phase"] == phase, ["first_year", "last_year"]] = (first, last)
    if savings_start is not None:
        _move_savings_start(rows, savings_start)
    view = check_view(view)

    start = int(rows["first_year"].min()) if start_year is None else int(start_year)
    if horizon is None:
        horizon = int(rows["last_year"].max()) - start + 1
    if not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise ParameterError(f"horizon {horizon} is not a number of years; give a whole "
                             "number of at least 1 (years from year 0)")
    years = np.arange(start, start + horizon)

    for point in POINTS:  # as written in the file, for readers and live Excel formulas
        rows[f"{point}_given"] = rows[point].astype(float)
    rows["price_factor"] = 1.0
    base, basis = None, price_basis_text(None)
    if "price_year" in rows and rows["price_year"].notna().any():
        base = config.DEFAULT_BASE_YEAR if base_year is None else int(base_year)
        index = prices.load_index() if index is None else index
        file = case.attrs.get("source_file", "<case>")
        if base not in index:
            raise ParameterError(f"base_year {base} is not in the price index; choose a year "
                                 "the index covers")
        factors = {}
        for row, year in rows["price_year"].items():
            if int(year) not in index:
                raise DataError(file, f"the price index has no value for {year}",
                                "extend the price index or correct the year", row, "price_year")
            factors.setdefault(int(year), prices.restate(1.0, index, int(year), base))
        rows["price_factor"] = rows["price_year"].astype(int).map(factors).astype(float)
        rows[list(POINTS)] = rows[list(POINTS)].to_numpy(float) * rows[["price_factor"]].to_numpy()
        basis = (index.describe(base) if isinstance(index, prices.PriceIndex)
                 else price_basis_text(base))

    socioeconomic = socioeconomic_factors(guidance_date) if view == "socio" else None
    rows["view_factor"] = 1.0 if socioeconomic is None else socioeconomic.factor
    rows[list(POINTS)] = rows[list(POINTS)].to_numpy(float) * rows[["view_factor"]].to_numpy()

    first = rows["first_year"].to_numpy(int)
    last = rows["last_year"].to_numpy(int)
    share = np.where(rows["basis"].to_numpy() == "total", 1.0 / (last - first + 1), 1.0)
    timing = ((years >= first[:, None]) & (years <= last[:, None])) * share[:, None]
    return CashFlows(rows=rows, years=years, timing=timing, base_year=base, price_basis=basis,
                     source_file=case.attrs.get("source_file", ""),
                     sha256=case.attrs.get("sha256", ""), view=view,
                     socioeconomic=socioeconomic)


# --------------------------------------------------------------------------- evaluation

@dataclass(frozen=True, eq=False)
class BusinessCaseResult:
    """The key figures and series of an evaluated case, ready for tables, charts and Excel.

    Series are per year of `years` (fixed prices, mio. kr.); payback times are years after
    year 0 (payback_year in `summary()` is the calendar year in which it pays back).
    """

    years: np.ndarray
    cost_scenario_0: np.ndarray
    cost_scenario_1: np.ndarray
    net_benefit: np.ndarray
    cumulative_net_benefit: np.ndarray
    rates: np.ndarray  # r_t by year of the case's life; rates[0] is not used
    discount_factors: np.ndarray
    discounted_net_benefit: np.ndarray
    cumulative_discounted_net_benefit: np.ndarray
    npv: float
    pv_benefits: float
    pv_costs: float
    bc_ratio: float
    payback: float | None
    discounted_payback: float | None
    irr: float | None
    rate_name: str
    base_year: int | None
    price_basis: str
    data_status: str
    source_file: str
    sha256: str
    by_item: pd.DataFrame  # one row per year x scenario x item
    view: str = "budget"
    view_factor: float = 1.0  # every budget amount times this (socio view), 1 in budget

    @property
    def illustrative(self) -> bool:
        return self.data_status == "illustrative"

    def table(self) -> pd.DataFrame:
        """One row per year: costs, net benefit, rate, discount factor, cumulative sums."""
        columns = ["cost_scenario_0", "cost_scenario_1", "net_benefit", "cumulative_net_benefit",
                   "rates", "discount_factors", "discounted_net_benefit",
                   "cumulative_discounted_net_benefit"]
        frame = pd.DataFrame({c: getattr(self, c) for c in columns},
                             index=pd.Index(self.years, name="year"))
        frame.insert(0, "t", np.arange(self.years.size))
        return frame.rename(columns={"rates": "rate", "discount_factors": "discount_factor"})

    def summary(self) -> dict:
        def year_of(time):
            return None if time is None else int(self.years[0] + math.ceil(time))

        return {
            "npv": self.npv, "pv_benefits": self.pv_benefits, "pv_costs": self.pv_costs,
            "bc_ratio": self.bc_ratio, "irr": self.irr,
            "payback": self.payback, "payback_year": year_of(self.payback),
            "discounted_payback": self.discounted_payback,
            "discounted_payback_year": year_of(self.discounted_payback),
            "rate": self.rate_name, "first_year": int(self.years[0]),
            "last_year": int(self.years[-1]), "horizon": int(self.years.size),
            "base_year": self.base_year, "price_basis": self.price_basis,
            "data_status": self.data_status, "source_file": self.source_file,
            "view": self.view, "view_factor": self.view_factor,
        }


def evaluate(case, rate=config.DEFAULT_DISCOUNT_RATE, horizon: int | None = None, *,
             base_year: int | None = None, start_year: int | None = None,
             phases: dict | None = None, values: dict | None = None,
             index=None, savings_start: int | None = None, view: str | None = None,
             guidance_date=None, at: str = "mode") -> BusinessCaseResult:
    """Evaluate a case (path, DataFrame from `load_case`, or `CashFlows`) at its mode values
    (`at="mean"`: at the triangular means (low + mode + high) / 3, the risk-adjusted values).

    `rate`: see `rate_schedule` (default config.DEFAULT_DISCOUNT_RATE); `values` sets items
    to other amounts (fixed prices); the other keywords go to `build_cash_flows`.
    """
    if isinstance(case, CashFlows):
        given = dict(horizon=horizon, base_year=base_year, start_year=start_year,
                     phases=phases, index=index, savings_start=savings_start, view=view,
                     guidance_date=guidance_date)
        if any(v is not None for v in given.values()):
            raise ParameterError(", ".join(k for k, v in given.items() if v is not None)
                                 + " apply when the cash flows are built; give them to "
                                 "build_cash_flows, or pass the case itself")
        flows = case
    else:
        flows = build_cash_flows(case, base_year=base_year, start_year=start_year,
                                 horizon=horizon, phases=phases, index=index,
                                 savings_start=savings_start, view=view or "budget",
                                 guidance_date=guidance_date)
    amounts = flows.amounts(at, values=values)
    cost_0, cost_1 = flows.costs(amounts)
    net = cost_0 - cost_1
    rates = rate_schedule(rate, flows.years.size)
    factors = discount_factors(rates, flows.years.size)
    discounted = net * factors
    pv_benefits = float(np.clip(net, 0, None) @ factors)
    pv_costs = float(np.clip(-net, 0, None) @ factors)
    return BusinessCaseResult(
        years=flows.years, cost_scenario_0=cost_0, cost_scenario_1=cost_1, net_benefit=net,
        cumulative_net_benefit=np.cumsum(net), rates=rates, discount_factors=factors,
        discounted_net_benefit=discounted,
        cumulative_discounted_net_benefit=np.cumsum(discounted),
        npv=float(discounted.sum()), pv_benefits=pv_benefits, pv_costs=pv_costs,
        bc_ratio=bc_ratio(net, rates), payback=payback(net),
        discounted_payback=payback(net, rates), irr=irr(net), rate_name=describe_rate(rate),
        base_year=flows.base_year, price_basis=flows.price_basis,
        data_status=flows.data_status, source_file=flows.source_file, sha256=flows.sha256,
        by_item=flows.by_item(amounts), view=flows.view, view_factor=flows.view_factor)


# --------------------------------------------------------------------------- the saving target

# Cost types of the one-off build: the first full year of operation is the year after them.
BUILD_COST_TYPES = ("implementation", "dual_operation")


@dataclass(frozen=True)
class SavingVsTarget:
    """KOMBIT's final account: the computed yearly saving once the new systems are in full
    use, against the saving target. A computed (expected) saving, not a measured one."""

    target: float  # share, 0.25
    baseline: float  # municipal payments to KMD in 2017, mio. kr.
    after: float  # new payments after the monopoly break at most, mio. kr. a year
    saving: float  # stated yearly saving, mio. kr. (published rounded: not baseline - after)
    source: dict  # provenance of the final account file
    rounding: float = 0.05  # half the last published digit (the figures are given to 0.1)

    @property
    def share(self) -> float:
        """share = saving / baseline (137.2 / 549.8 = 0.2495...)."""
        return self.saving / self.baseline

    def share_bounds(self) -> tuple[float, float]:
        """The share the published figures allow, each rounded by at most `rounding`:
        (saving - h) / (baseline + h) .. (saving + h) / (baseline - h).

        >>> [round(100 * b, 3) for b in saving_vs_target().share_bounds()]  # 137.15/549.85
        [24.943, 24.966]
        """
        h = self.rounding
        return (self.saving - h) / (self.baseline + h), (self.saving + h) / (self.baseline - h)

    @property
    def relation(self) -> str:
        """'below', 'above' or 'within' the target, whichever the rounding allows: 'below'
        only when even the largest share the figures allow is under the target."""
        low, high = self.share_bounds()
        return "below" if high < self.target else "above" if low > self.target else "within"


def saving_vs_target(path=None) -> SavingVsTarget:
    """The final account's saving against its target (`config.FINAL_ACCOUNT_FILE`).

    >>> round(100 * saving_vs_target().share, 2)  # 137.2 / 549.8
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


def case_saving(result: BusinessCaseResult) -> CaseSaving | None:
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
