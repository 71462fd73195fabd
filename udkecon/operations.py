"""SLA compliance of the shared municipal infrastructure, from the monthly availability table.

The figures are KOMBIT's "brugeroplevet driftseffektivitet" (user-experienced availability)
of Serviceplatformen and the support systems (Støttesystemer), October 2019 to September
2020, and the number of calls to Serviceplatformen per month, as shown on the slides
"Serviceplatformen - september 2020" and "Støttesystemer - september 2020" of KOMBIT's
programme managers' meeting, October 2020 (`config.SLA_AVAILABILITY_FILE`,
`config.SERVICE_CALLS_FILE`).

Definitions used throughout:

- a service-month is a **breach** when ``availability_pct < sla_target_pct`` (strictly
  below; a month exactly at its target meets the SLA);
- ``hours_in_month = days_in_month * 24`` (February 2020: 29 * 24 = 696);
- ``downtime_hours = (100 - availability_pct) / 100 * hours_in_month``;
- ``sla_allowed_downtime_hours = (100 - sla_target_pct) / 100 * hours_in_month``;
- ``excess_downtime_hours = (sla_target_pct - availability_pct) / 100 * hours_in_month``,
  so that allowed + excess = downtime for a breach.

Downtime in hours is an **approximation**: the availability is user-experienced (it is not a
stopwatch on the servers, and service windows are not counted against it) and is published
rounded to two decimals, so each figure carries an uncertainty of up to
0.005 / 100 * 744 h = 0.04 h from rounding alone. As a check, the one outage the slides
describe (Organisation, 29-30 September 2020, 19.50-7.45 = 11.9 h) gives 98.30 % for
"KO - applikation" in September, i.e. (100 - 98.30) / 100 * 720 = 12.2 h.

Every public function takes the availability (or calls) table either as loaded by
`udkecon.data.load` or as the path of the CSV, and the filters a notebook needs: `platform`
(None for all, or a platform in the table: "Serviceplatformen", "Støttesystemer") and the
period `first_month`/`last_month` ("YYYY-MM", inclusive). A value outside the data raises a
`ParameterError` naming the valid values.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

import pandas as pd

from . import config, data
from .errors import DataError, ParameterError

AVAILABILITY_COLUMNS = ("platform", "service", "month", "sla_target_pct", "availability_pct")
CALLS_COLUMNS = ("month", "service_calls")
BREACH_ORDERS = ("month", "shortfall")
SERVICE_KEY = ["platform", "service"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


# --------------------------------------------------------------------------- inputs

def load_availability(path=None) -> pd.DataFrame:
    """The monthly availability table (kind ``sla_availability``), validated."""
    return data.load(path or config.SLA_AVAILABILITY_FILE, "sla_availability")


def load_service_calls(path=None) -> pd.DataFrame:
    """The calls to Serviceplatformen per month (kind ``service_calls``), validated."""
    return data.load(path or config.SERVICE_CALLS_FILE, "service_calls")


def _table(table, kind: str, columns, parameter: str) -> pd.DataFrame:
    """A loaded table, or the file at a path loaded and validated as `kind`."""
    if isinstance(table, pd.DataFrame):
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ParameterError(
                f"{parameter}: the table has no column(s) {', '.join(missing)}; give the path "
                f"of the CSV or a table loaded with data.load(path, '{kind}')")
        return table
    if isinstance(table, (str, os.PathLike)):
        return data.load(table, kind)
    raise ParameterError(f"{parameter}: {type(table).__name__} {table!r} is neither a table "
                         "nor a path; give the path of the CSV or a loaded DataFrame")


def _period(months: pd.Series, first_month, last_month, what: str) -> tuple[str, str]:
    """Check first/last month against the months in the data; return the inclusive period."""
    earliest, latest = months.min(), months.max()
    span = f"{earliest} to {latest}"
    for name, value in (("first_month", first_month), ("last_month", last_month)):
        if value in (None, ""):  # empty: the data's own first or last month
            continue
        if not isinstance(value, str) or not _MONTH.fullmatch(value):
            raise ParameterError(f"{name} {value!r} is not a month; write it as 'YYYY-MM', "
                                 f"e.g. '2020-03' ({what} covers {span})")
        # "YYYY-MM" strings sort chronologically, so plain comparison is enough
        if not earliest <= value <= latest:
            empty = ("start from the data's first month" if name == "first_month"
                     else "end with the data's last month")
            raise ParameterError(f"{name} {value!r} is outside {what}; use a month from "
                                 f"{span}, or leave {name} empty to {empty}")
    first, last = first_month or earliest, last_month or latest
    if first > last:
        raise ParameterError(f"first_month {first!r} is after last_month {last!r}; give the "
                             f"earlier month first (the data cover {span})")
    return first, last


def _carry_attrs(result, source: pd.DataFrame):
    result.attrs = dict(source.attrs)
    return result


def select(availability, platform: str | None = None, first_month: str | None = None,
           last_month: str | None = None) -> pd.DataFrame:
    """The service-months of one platform (None: all) within a period, rows as in the file.

    Valid platforms are those in the table ("Serviceplatformen", "Støttesystemer" in the
    seed's table); months are "YYYY-MM", inclusive, and must lie within the table's months.

    >>> table = load_availability()
    >>> len(select(table)), len(select(table, "Serviceplatformen", "2020-01", "2020-03"))
    (144, 12)
    >>> select(table, "Serviceplatform")
    Traceback (most recent call last):
    ...
    udkecon.errors.ParameterError: platform 'Serviceplatform' is not in the availability \
table; use None (all platforms) or one of: 'Serviceplatformen', 'Støttesystemer'
    """
    frame = _table(availability, "sla_availability", AVAILABILITY_COLUMNS, "availability")
    platforms = list(dict.fromkeys(frame["platform"]))
    if platform is not None and platform not in platforms:
        raise ParameterError(f"platform {platform!r} is not in the availability table; use "
                             "None (all platforms) or one of: "
                             + ", ".join(repr(p) for p in platforms))
    first, last = _period(frame["month"], first_month, last_month, "the availability table")
    keep = frame["month"].between(first, last)
    if platform is not None:
        keep &= frame["platform"] == platform
    return _carry_attrs(frame[keep].copy(), frame)


def hours_in_month(month):
    """Hours in a calendar month given as "YYYY-MM": ``days_in_month * 24``.

    A string gives an int; a list or Series gives an int Series (a Series keeps its index).

    >>> hours_in_month("2020-02")   # leap year: 29 * 24
    696
    >>> hours_in_month(["2019-02", "2020-09", "2019-10"]).tolist()
    [672, 720, 744]
    """
    if isinstance(month, str):
        return int(pd.Period(month, freq="M").days_in_month) * 24
    months = pd.Series(month, dtype="str")
    days = pd.to_datetime(months, format="%Y-%m").dt.days_in_month
    return (days * 24).astype("int64")


# --------------------------------------------------------------------------- breaches

def breaches(availability, platform: str | None = None, first_month: str | None = None,
             last_month: str | None = None, order: str = "month") -> pd.DataFrame:
    """Every service-month whose availability is strictly below its SLA target.

    shortfall_pp               = sla_target_pct - availability_pct      (percentage points)
    hours_in_month             = days_in_month * 24
    downtime_hours             = (100 - availability_pct) / 100 * hours_in_month
    sla_allowed_downtime_hours = (100 - sla_target_pct) / 100 * hours_in_month
    excess_downtime_hours      = shortfall_pp / 100 * hours_in_month

    The hours are approximate (user-experienced availability, rounded to two decimals; see
    the module docstring). A month exactly at target is not a breach.

    `order` "month" (default) sorts by month, and within a month keeps the order of the
    file (the slides' order of platforms and services); "shortfall" puts the largest
    shortfall first (ties by month, then file order). The index is the row number in the
    file, so each breach can be traced to its source row.

    >>> table = pd.DataFrame({
    ...     "platform": "Støttesystemer", "service": "KO - applikation",
    ...     "month": ["2020-01", "2020-02"], "sla_target_pct": 99.90,
    ...     "availability_pct": [99.90, 83.10]})
    >>> worst = breaches(table).iloc[0]    # January is exactly at target: no breach
    >>> worst["month"], float(round(worst["shortfall_pp"], 2)), int(worst["hours_in_month"])
    ('2020-02', 16.8, 696)
    >>> float(round(worst["downtime_hours"], 3)), float(round(worst["excess_downtime_hours"], 3))
    (117.624, 116.928)
    """
    if order not in BREACH_ORDERS:
        raise ParameterError(f"order {order!r} is not a known order; use one of: "
                             + ", ".join(repr(o) for o in BREACH_ORDERS))
    frame = select(availability, platform, first_month, last_month)
    below = frame.loc[frame["availability_pct"] < frame["sla_target_pct"],
                      list(AVAILABILITY_COLUMNS)]
    target, actual = below["sla_target_pct"], below["availability_pct"]
    hours = hours_in_month(below["month"])
    # rounding to 6 decimals removes binary noise (99.90 - 99.80 = 0.10000000000000853)
    # without assuming how many decimals the input has
    shortfall = (target - actual).round(6)
    result = below.assign(
        shortfall_pp=shortfall,
        hours_in_month=hours,
        downtime_hours=(100 - actual) / 100 * hours,
        sla_allowed_downtime_hours=(100 - target) / 100 * hours,
        excess_downtime_hours=shortfall / 100 * hours,
    )
    result = result.sort_values("month", kind="stable")
    if order == "shortfall":
        result = result.sort_values("shortfall_pp", ascending=False, kind="stable")
    return _carry_attrs(result, frame)


# --------------------------------------------------------------------------- summaries

def _compliance(frame: pd.DataFrame) -> pd.DataFrame:
    met = frame["availability_pct"] >= frame["sla_target_pct"]
    downtime = (100 - frame["availability_pct"]) / 100 * hours_in_month(frame["month"])
    return frame.assign(met=met, breached=~met, downtime_hours=downtime)


def _summarise(work: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts, mean and worst service-month per group, groups in file order.

    The worst service-month is the one furthest below its own target (largest
    sla_target_pct - availability_pct): with one target per service that is simply the
    lowest availability, but across a platform it keeps a month that met a lax target
    (SP produktionsmiljø m2, 98.79 % against 98.50 %) from outranking a breach of a strict
    one (SP produktionsmiljø m1, 98.98 % against 99.80 %). Ties: earliest month, then file.
    """
    grouped = work.groupby(keys, sort=False)
    summary = grouped.agg(
        months_measured=("month", "size"),
        months_met=("met", "sum"),
        months_breached=("breached", "sum"),
        mean_availability_pct=("availability_pct", "mean"),
        downtime_hours=("downtime_hours", "sum"),
    )
    summary["compliance_rate"] = summary["months_met"] / summary["months_measured"]
    worst = (work.assign(margin=work["availability_pct"] - work["sla_target_pct"])
             .sort_values(["margin", "month"], kind="stable")
             .drop_duplicates(keys)
             .rename(columns={"month": "worst_month",
                              "availability_pct": "worst_availability_pct"})
             .assign(worst_service=lambda w: w["service"])
             .set_index(keys))
    return summary.join(worst[["worst_service", "worst_month", "worst_availability_pct"]])


def service_summary(availability, platform: str | None = None, first_month: str | None = None,
                    last_month: str | None = None) -> pd.DataFrame:
    """SLA compliance per service over a period, services in file order.

    months_breached        = number of months with availability_pct < sla_target_pct
    months_met             = months_measured - months_breached
    compliance_rate        = months_met / months_measured            (a decimal, 0.8333)
    mean_availability_pct  = plain mean of the monthly figures (not weighted by hours)
    worst_month            = month furthest below target, i.e. of the lowest availability
                             when the target is constant (earliest month on a tie)
    downtime_hours         = sum of (100 - availability_pct) / 100 * hours_in_month
    sla_target_pct         = the target of the latest month in the period (compliance is
                             judged month by month against that month's own target)

    >>> ko = service_summary(load_availability()).set_index("service").loc["KO - applikation"]
    >>> int(ko["months_breached"]), float(round(ko["compliance_rate"], 4)), ko["worst_month"]
    (2, 0.8333, '2020-02')
    """
    frame = select(availability, platform, first_month, last_month)
    work = _compliance(frame)
    summary = _summarise(work, SERVICE_KEY)
    summary["sla_target_pct"] = (work.sort_values("month", kind="stable")
                                 .groupby(SERVICE_KEY, sort=False)["sla_target_pct"].last())
    columns = ["sla_target_pct", "months_measured", "months_met", "months_breached",
               "compliance_rate", "worst_month", "worst_availability_pct",
               "mean_availability_pct", "downtime_hours"]
    return _carry_attrs(summary[columns].reset_index(), frame)


def platform_summary(availability, platform: str | None = None,
                     first_month: str | None = None,
                     last_month: str | None = None) -> pd.DataFrame:
    """SLA compliance per platform over a period, platforms in file order.

    services               = number of distinct services
    service_months         = number of service-months measured
    breaches               = service-months with availability_pct < sla_target_pct
    compliance_rate        = (service_months - breaches) / service_months
    worst_service, worst_month, worst_availability_pct
                           = the service-month furthest below its own target, largest
                             sla_target_pct - availability_pct (earliest month on a tie,
                             then the first in the file); not simply the lowest availability,
                             as targets differ between services
    mean_availability_pct  = plain mean over all service-months of the platform

    >>> sp = platform_summary(load_availability(), "Serviceplatformen").iloc[0]
    >>> int(sp["service_months"]), int(sp["breaches"]), sp["worst_service"]
    (48, 1, 'SP produktionsmiljø m1')
    """
    frame = select(availability, platform, first_month, last_month)
    work = _compliance(frame)
    summary = _summarise(work, ["platform"])
    summary["services"] = work.groupby("platform", sort=False)["service"].nunique()
    summary = summary.rename(columns={"months_measured": "service_months",
                                      "months_breached": "breaches"})
    columns = ["services", "service_months", "breaches", "compliance_rate", "worst_service",
               "worst_month", "worst_availability_pct", "mean_availability_pct",
               "downtime_hours"]
    return _carry_attrs(summary[columns].reset_index(), frame)


# --------------------------------------------------------------------------- heatmap

class AvailabilityMatrix(NamedTuple):
    """Service x month tables for a heatmap: availability (NaN where a month is missing),
    breached (True where availability < target; False where met or missing) and each
    service-month's own SLA target (NaN where missing)."""

    availability: pd.DataFrame
    breached: pd.DataFrame
    target: pd.DataFrame


def availability_matrix(availability, platform: str | None = None,
                        first_month: str | None = None,
                        last_month: str | None = None) -> AvailabilityMatrix:
    """Availability per service (rows, (platform, service) in file order) and month (columns,
    chronological), with parallel matrices of breaches and of the month's own target.

    breached[s, m] = availability[s, m] < target[s, m]

    >>> matrix = availability_matrix(load_availability(), "Støttesystemer")
    >>> matrix.availability.shape, int(matrix.breached.to_numpy().sum())
    ((8, 12), 11)
    >>> float(matrix.availability.loc[("Støttesystemer", "KO - applikation"), "2020-02"])
    83.1
    """
    frame = select(availability, platform, first_month, last_month)
    rows = pd.MultiIndex.from_frame(frame[SERVICE_KEY].drop_duplicates())
    months = pd.Index(sorted(frame["month"].unique()), name="month")

    def pivot(column: str) -> pd.DataFrame:
        return (frame.pivot(index=SERVICE_KEY, columns="month", values=column)
                .reindex(index=rows, columns=months))

    values, targets = pivot("availability_pct"), pivot("sla_target_pct")
    breached = values < targets  # NaN (missing month) compares False
    return AvailabilityMatrix(_carry_attrs(values, frame), _carry_attrs(breached, frame),
                              _carry_attrs(targets, frame))


# --------------------------------------------------------------------------- calls

def call_volume(calls, first_month: str | None = None,
                last_month: str | None = None) -> pd.DataFrame:
    """Calls to Serviceplatformen per month with the change from the calendar month before.

    change_calls = calls[m] - calls[m - 1]
    change_pct   = change_calls / calls[m - 1] * 100         (percent)

    The change is taken from the previous *calendar* month, also when that month lies
    before `first_month` (the period only filters the rows shown); it is missing (<NA>/NaN)
    when the previous month is not in the table, so a gap never compares non-neighbours.

    >>> volume = call_volume(load_service_calls(), "2020-01", "2020-01").iloc[0]
    >>> int(volume["change_calls"]), float(round(volume["change_pct"], 2))  # 136 vs 111 mio.
    (25000000, 22.52)
    """
    frame = _table(calls, "service_calls", CALLS_COLUMNS, "calls")
    first, last = _period(frame["month"], first_month, last_month, "the calls table")
    frame = frame.sort_values("month", kind="stable")
    volume = frame["service_calls"].astype("Int64")
    by_month = pd.Series(volume.array, index=frame["month"].array)
    previous_month = (pd.to_datetime(frame["month"], format="%Y-%m").dt.to_period("M") - 1
                      ).dt.strftime("%Y-%m")
    previous = pd.Series(by_month.reindex(previous_month.array).array, index=frame.index)
    change = volume - previous
    result = frame[list(CALLS_COLUMNS)].assign(
        change_calls=change,
        change_pct=(change / previous * 100).astype("float64"),
    )
    result = result[result["month"].between(first, last)]
    return _carry_attrs(result, frame)


# --------------------------------------------------------------------------- the report's period

def require_calls_for(calls: pd.DataFrame, months, availability_file) -> None:
    """The calls must cover every month of the report's period: a month without calls is
    missing data, and a chart or total over the period would silently skip it (or fail).

    Refused as bad input naming the calls file, the first missing month and the row where
    the gap is seen (the next month the file has), with the fix.
    """
    have = set(calls["month"])
    missing = [str(m) for m in months if str(m) not in have]
    if not missing:
        return
    gap = missing[0]
    later = calls[calls["month"] > gap].sort_values("month")
    row = int(later.index[0]) if len(later) else None
    span = f"{min(map(str, months))} to {max(map(str, months))}"
    more = f" (and {len(missing) - 1} more month(s))" if len(missing) > 1 else ""
    raise DataError(calls.attrs.get("source_file", "the calls table"),
                    f"has no calls for {gap}{more}, a month of the report's period {span} "
                    f"that the availability file {availability_file} has",
                    f"add the row for {gap} (the calls of the month, 0 if there were none), or "
                    "choose a period without it (first_month, last_month)", row=row,
                    column="month")


def require_platform(platform, availability: pd.DataFrame) -> str | None:
    """The notebook's platform parameter: '' means every platform (None); else one in the data.

    >>> require_platform("", load_availability()) is None
    True
    >>> require_platform("Serviceplatform", load_availability())
    Traceback (most recent call last):
    ...
    udkecon.errors.ParameterError: platform 'Serviceplatform' is not valid; leave it empty \
for all platforms or use one of: Serviceplatformen, Støttesystemer
    """
    platforms = list(dict.fromkeys(availability["platform"]))
    if platform in ("", None):
        return None
    if platform not in platforms:
        raise ParameterError(f"platform {platform!r} is not valid; leave it empty for all "
                             f"platforms or use one of: {', '.join(platforms)}")
    return platform


def breaches_by_month(breaches: pd.DataFrame, months) -> pd.DataFrame:
    """Breaches per month for every month of the period (0 where none), chronological.

    breaches              = number of service-months below target in the month
    excess_downtime_hours = sum of the breaches' (target - availability) / 100 * hours
    downtime_hours        = sum of the breaches' (100 - availability) / 100 * hours

    >>> table = pd.DataFrame({"month": ["2020-02", "2020-02"], "excess_downtime_hours":
    ...                       [116.928, 5.568], "downtime_hours": [117.624, 6.264]})
    >>> by_month = breaches_by_month(table, ["2020-01", "2020-02"])
    >>> feb = by_month.loc["2020-02"]
    >>> by_month["breaches"].tolist(), round(float(feb["excess_downtime_hours"]), 3)
    ([0, 2], 122.496)
    """
    months = pd.Index(sorted(months), name="month")
    grouped = breaches.groupby("month")
    result = pd.DataFrame({
        "breaches": grouped.size(),
        "excess_downtime_hours": grouped["excess_downtime_hours"].sum(),
        "downtime_hours": grouped["downtime_hours"].sum(),
    }).reindex(months)
    result["breaches"] = result["breaches"].fillna(0).astype("int64")
    return result.fillna(0.0)


def worst_month(by_month: pd.DataFrame) -> str | None:
    """The month with the most excess downtime; ties: more breaches, then the earlier month.

    None when no month has a breach.

    >>> by_month = pd.DataFrame({"breaches": [1, 1, 0], "excess_downtime_hours":
    ...     [6.1008, 11.52, 0.0]}, index=["2020-03", "2020-09", "2020-10"])
    >>> worst_month(by_month), worst_month(by_month.iloc[2:])
    ('2020-09', None)
    """
    breached = by_month[by_month["breaches"] > 0]
    if breached.empty:
        return None
    ranked = pd.DataFrame({
        # 6 decimals: sums of the same hours in another order must tie, not differ at 1e-15
        "excess": breached["excess_downtime_hours"].round(6).to_numpy(),
        "breaches": breached["breaches"].to_numpy(),
        "month": [str(m) for m in breached.index],
    }).sort_values(["excess", "breaches", "month"], ascending=[False, False, True],
                   kind="stable")
    return ranked["month"].iloc[0]
