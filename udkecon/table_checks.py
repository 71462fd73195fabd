"""Checks of a whole table, after every cell has passed its column's check: reference tables
must agree with themselves (rate bands without overlap or gap, an index without missing
years or impossible jumps, one region per region code), and a name must be written the
same way in every row.

Each check is `check(frame, where) -> list[DataError]`; `frame` is the typed table whose
index is the row number in the file, `where` names the file (and sheet).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pandas as pd

from .errors import DataError


@lru_cache(maxsize=65536)  # names repeat row after row in a ledger
def key_text(value) -> str:
    """The form of a name that two spellings of the same thing share: compatibility-
    normalised, no invisible characters, case folded, runs of spaces as one space.

    >>> key_text(" UDK\\u200b  Barsel\\xa0") == key_text("udk barsel")
    True
    """
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc"))
    return " ".join(text.casefold().split())


def same_spelling(frame: pd.DataFrame, where: str, column: str) -> list[DataError]:
    """A name differing from an earlier row's only in case or spaces is refused: it would
    count as a second system (or service, item, ...) in every table and chart."""
    first: dict[str, tuple[str, int]] = {}
    for row, name in frame[column].items():
        if name is None or (isinstance(name, float) and pd.isna(name)) or name == "":
            continue
        spelling, seen = first.setdefault(key_text(name), (name, row))
        if spelling != name:
            return [DataError(where, f"'{name}' is written '{spelling}' in row {seen}",
                              "write the name the same way in every row (case and spaces)",
                              row=row, column=column)]
    return []


def one_group_per_system(frame: pd.DataFrame, where: str) -> list[DataError]:
    groups: dict[str, tuple[str, int]] = {}
    for row, system, group in zip(frame.index, frame["system"], frame["system_group"],
                                  strict=True):
        known, seen = groups.setdefault(system, (group, row))
        if known != group:
            return [DataError(where, f"system '{system}' is in group '{group}' here but "
                              f"'{known}' in row {seen}", "give a system one system_group in "
                              "every row", row=row, column="system_group")]
    return []


def index_years_contiguous(frame: pd.DataFrame, where: str) -> list[DataError]:
    """An index covers every year from its first to its last: a missing year would be
    refused only when a ledger needs it, and silently bridged by nothing."""
    by_year = frame.sort_values("year")
    years = [int(y) for y in by_year["year"]]
    steps = zip(years, years[1:], strict=False)
    for (before, after), row in zip(steps, by_year.index[1:], strict=False):
        if after != before + 1:
            missing = (f"{before + 1}" if after == before + 2 else
                       f"{before + 1}-{after - 1}")
            return [DataError(where, f"the index has no value for {missing} (it jumps from "
                              f"{before} to {after})", "add the missing year(s): an index "
                              "covers every year from its first to its last", row=row,
                              column="year")]
    return []


# Danish consumer prices have risen by at most about 15 % in a year since 1950 (1974,
# 1980) and never fallen by more than a few per cent; -20 % and +50 % leave room for other
# indices and older periods and still catch a misplaced decimal mark (1034,3 for 103,43, a
# factor of ten) or two series with different reference years joined together.
INDEX_STEP = (-0.20, 0.50)


def index_changes_plausible(frame: pd.DataFrame, where: str) -> list[DataError]:
    column = next(c for c in frame.columns if c != "year")
    by_year = frame.sort_values("year")
    pairs = zip(by_year["year"], by_year[column], by_year["year"][1:], by_year[column][1:],
                by_year.index[1:], strict=False)
    for year0, value0, year1, value1, row in pairs:
        change = value1 / value0 - 1
        if not INDEX_STEP[0] <= change <= INDEX_STEP[1]:
            return [DataError(where, f"the index moves by {change:+.0%} from {year0} "
                              f"({value0:g}) to {year1} ({value1:g}), more than prices move "
                              "in a year", "check the value (a misplaced decimal mark?) and "
                              "that the series has one reference year throughout",
                              row=row, column=column)]
    return []


def rate_bands_without_overlap_or_gap(frame: pd.DataFrame, where: str) -> list[DataError]:
    """Each schedule's bands start at year 0 or 1 and follow each other without overlap
    or gap; only the last may be open-ended. An overlap would let the row order decide the
    rate of the overlapping years, and so the NPV."""
    for valid_from, group in frame.groupby("valid_from", sort=True):
        bands = sorted(zip(group["from_year"], group["to_year"], group.index, strict=True),
                       key=lambda band: int(band[0]))
        schedule = f"the schedule valid from {valid_from}"
        first, _, row = bands[0]
        if first > 1:
            return [DataError(where, f"{schedule} starts at year {first}", "start its first "
                              "band at year 0 (the years of a project's life count from 0)",
                              row=row, column="from_year")]
        for start, end, row in bands:
            if not pd.isna(end) and end < start:
                return [DataError(where, f"to_year {end} is before from_year {start}",
                                  "swap the two years", row=row, column="to_year")]
        for (start0, end0, row0), (start1, end1, row1) in zip(bands, bands[1:], strict=False):
            if pd.isna(end0):
                return [DataError(where, f"in {schedule}, the band from year {start0} "
                                  f"(row {row0}) has no end but another starts at year {start1}",
                                  "give the earlier band a to_year, or delete one band",
                                  row=row1, column="from_year")]
            if start1 <= end0:
                overlap = end0 if pd.isna(end1) else min(end0, end1)
                return [DataError(where, f"in {schedule}, years {start1}-{overlap} are in two "
                                  f"bands (rows {row0} and {row1})",
                                  "make the bands follow each other: a band starts the year "
                                  "after the one before it ends", row=row1, column="from_year")]
            if start1 > end0 + 1:
                missing = f"{end0 + 1}" if start1 == end0 + 2 else f"{end0 + 1}-{start1 - 1}"
                return [DataError(where, f"in {schedule}, no band covers year(s) {missing}",
                                  "make the bands follow each other: a band starts the year "
                                  "after the one before it ends", row=row1, column="from_year")]
    return []


def municipality_names_unique(frame: pd.DataFrame, where: str) -> list[DataError]:
    seen: dict[str, int] = {}
    for row, name in frame["municipality"].items():
        if key_text(name) in seen:
            return [DataError(where, f"municipality '{name}' is also in row "
                              f"{seen[key_text(name)]}", "give each municipality one row",
                              row=row, column="municipality")]
        seen[key_text(name)] = row
    return []


@lru_cache(maxsize=1)  # the shipped list: read once per process, not once per load
def required_municipality_codes() -> frozenset[int] | None:
    """The municipalities a municipalities file must list: the 98 of the shipped file.

    The allocation shares the whole country's costs among the municipalities in the file, so
    a file with two of them gave each a share of the whole (København 83 % instead of 9 %).
    Tests of made-up countries (three municipalities with round numbers) replace this
    function; nothing else does."""
    import csv

    from . import config

    with open(config.MUNICIPALITIES_FILE, encoding="utf-8", newline="") as handle:
        return frozenset(int(row["municipality_code"]) for row in csv.DictReader(handle))


def every_municipality(frame: pd.DataFrame, where: str) -> list[DataError]:
    required = required_municipality_codes()
    if required is None:
        return []
    codes = {int(code) for code in frame["municipality_code"]}
    missing, unknown = sorted(required - codes), sorted(codes - required)
    if unknown:
        row = next(r for r, c in frame["municipality_code"].items() if int(c) == unknown[0])
        return [DataError(where, f"municipality code {unknown[0]} is not one of Denmark's 98 "
                          "municipalities", "use Danmarks Statistik's municipality codes "
                          "(the file data/raw/municipalities_2020.csv lists them)",
                          row=row, column="municipality_code")]
    if missing:
        shown = ", ".join(str(c) for c in missing[:8]) + (", ..." if len(missing) > 8 else "")
        return [DataError(where, f"{len(missing)} of the 98 municipalities are missing "
                          f"(codes {shown}); the costs are shared among all of them, so "
                          "every municipality needs its row", "add the missing rows (all 98 "
                          "are in data/raw/municipalities_2020.csv)", column="municipality_code")]
    return []


def one_region_per_code(frame: pd.DataFrame, where: str) -> list[DataError]:
    regions: dict[int, tuple[str, int]] = {}
    for row, code, region in zip(frame.index, frame["region_code"], frame["region"],
                                 strict=True):
        known, seen = regions.setdefault(int(code), (region, row))
        if known != region:
            return [DataError(where, f"region code {code} is '{region}' here but '{known}' in "
                              f"row {seen}", "give a region code one name in every row",
                              row=row, column="region")]
    return []


def key_periods_without_overlap(frame: pd.DataFrame, where: str) -> list[DataError]:
    """Allocation keys (data/raw/allocation_keys.csv): within one channel no two keys are in
    force in the same budget year (the row order would otherwise decide a municipality's
    share); a period ends no earlier than it starts; a key by threshold gives both the
    threshold and the weight above it (neither: plain population), and not both 0."""
    for row, first, last in zip(frame.index, frame["first_budget_year"],
                                frame["last_budget_year"], strict=True):
        if not pd.isna(first) and not pd.isna(last) and last < first:
            return [DataError(where, f"last_budget_year {last} is before first_budget_year "
                              f"{first}", "swap the two years", row=row,
                              column="last_budget_year")]
    for row, threshold, weight in zip(frame.index, frame["threshold"], frame["weight_above"],
                                      strict=True):
        if pd.isna(threshold) != pd.isna(weight):
            missing = "weight_above" if pd.isna(weight) else "threshold"
            return [DataError(where, f"{missing} is empty but the other is given",
                              "give both the threshold and the weight above it, or leave "
                              "both empty for a key by plain population", row=row,
                              column=missing)]
        # weight = min(pop, threshold) + weight_above * (pop - threshold): with both 0 every
        # municipality weighs 0 and there is nothing to share an amount by (the run stopped
        # later, blaming the population); with either above 0 every inhabited one weighs > 0
        if not pd.isna(threshold) and threshold == 0 and weight == 0:
            return [DataError(where, "threshold 0 and weight_above 0 give every municipality "
                              "the weight 0, so no amount can be shared by this key",
                              "give the threshold (BEK nr. 1629: 150000) or a weight above 0 "
                              "(BEK nr. 1629: 0.744), or leave both empty for a key by plain "
                              "population", row=row, column="weight_above")]
    low, high = -10**6, 10**6  # an open end: before or after any budget year
    for channel, group in frame.groupby("channel", sort=True):
        periods = sorted(
            ((low if pd.isna(f) else int(f), high if pd.isna(t) else int(t), row)
             for row, f, t in zip(group.index, group["first_budget_year"],
                                  group["last_budget_year"], strict=True)))
        for (_start0, end0, row0), (start1, end1, row1) in zip(periods, periods[1:],
                                                               strict=False):
            if start1 <= end0:
                stop = min(end0, end1)
                years = (f"from {start1}" if stop == high else f"in {start1}"
                         if stop == start1 else f"in {start1}-{stop}")
                first_row, later_row = sorted((row0, row1))
                return [DataError(where, f"two keys of channel '{channel}' are both in force "
                                  f"{years} (rows {first_row} and {later_row})",
                                  "end the earlier key (last_budget_year) the year before the "
                                  "later one starts", row=later_row,
                                  column="first_budget_year")]
    return []
