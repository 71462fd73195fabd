"""Population of each municipality on 1 January of each year (data/raw/population_by_year.csv).

The file has one row per municipality and one column per 1 January,
`municipality_code, municipality, population_2020_01_01, population_2021_01_01, ...`,
named like the population column of `municipalities_2020.csv` (Statistics Denmark's FOLK1A,
quarter K1 of each year; `python -m udkecon refresh population` fetches more years).

For the handouts and the allocation, a year's population is one column of the loaded table:

    population = load_population_by_year()      # index municipality_code, columns years
    allocate(amount, population[2021], ...)      # a Series of population by code
"""

from __future__ import annotations

import re

import pandas as pd

from . import config
from .data import load, read_raw
from .errors import DataError
from .schemas import MAX_POPULATION, MIN_POPULATION, POPULATION_FIX, Column, Schema, register

# FOLK1A begins in 2008 (2008K1); the upper bound only keeps the list of columns finite.
FIRST_YEAR = 2008
LAST_YEAR = 2100
_COLUMN = re.compile(r"population_(\d{4})_01_01")


def population_column(year: int) -> str:
    """The column of the population on 1 January of `year`.

    >>> population_column(2021)
    'population_2021_01_01'
    """
    return f"population_{int(year)}_01_01"


# Every possible year column is declared (none required), so the loader types and checks
# whichever the file has, with the same rules as any input.
register(Schema(
    "population_by_year", "population by municipality on 1 January, one column per year",
    (
        Column("municipality_code", "int", nonnegative=True),
        Column("municipality"),
        *(Column(population_column(year), "int", nonnegative=True, required=False,
                 plausible=(MIN_POPULATION, MAX_POPULATION), fix=POPULATION_FIX)
          for year in range(FIRST_YEAR, LAST_YEAR + 1)),
    ),
    key=("municipality_code",),
))


def load_population_by_year(path=None) -> pd.DataFrame:
    """Population on 1 January by municipality (rows, index `municipality_code`) and year
    (columns, integers, ascending).

    `attrs` carry the file, its sha256 and `names` (municipality code -> name). A column
    whose name is not `population_YYYY_01_01` is an error, not ignored, so a misspelt year
    cannot silently drop out of a handout.
    """
    path = path or config.POPULATION_BY_YEAR_FILE
    frame = load(path, "population_by_year")
    header = list(read_raw(path).frame.columns)
    years = []
    for column in header:
        if column in ("municipality_code", "municipality"):
            continue
        match = _COLUMN.fullmatch(column)
        if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            raise DataError(path, f"column '{column}' is not a population column",
                            f"name it population_YYYY_01_01 (a year from {FIRST_YEAR}) or "
                            "remove it", row=1, column=column)
        years.append(int(match.group(1)))
    if not years:
        raise DataError(path, "has no population column", "add a column "
                        "population_YYYY_01_01 per year, or run: python -m udkecon refresh "
                        "population --write", row=1)
    table = pd.DataFrame({year: frame[population_column(year)].astype("int64").to_numpy()
                          for year in sorted(years)},
                         index=pd.Index(frame["municipality_code"].astype("int64").to_numpy(),
                                        name="municipality_code"))
    table.columns.name = "year"
    table.attrs.update(frame.attrs)
    table.attrs["names"] = dict(zip(table.index, frame["municipality"], strict=True))
    return table
