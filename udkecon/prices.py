"""Fixed prices: restate current-price amounts at a base year with an annual price index.

    amount_base = amount_t * index[base_year] / index[t]

The index used (its name, source, file hash and base year) travels with every result, so a
table in fixed prices can always say which prices it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config
from .data import check_year_coverage, load, provenance, source_text
from .errors import DataError, ParameterError


@dataclass(frozen=True)
class PriceIndex:
    """An annual price index: values by year, and where they came from."""

    values: pd.Series  # float, indexed by int year
    name: str
    source: str = ""
    file: str = ""
    sha256: str = ""
    reference_year: int | None = None  # the year the published index equals 100 in

    def __getitem__(self, year: int) -> float:
        return float(self.values.loc[int(year)])

    def __contains__(self, year) -> bool:
        return int(year) in self.values.index

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.values.index]

    def describe(self, base_year: int, language: str = "da") -> str:
        """One line a reader sees under a fixed-price table."""
        span = f"{self.years[0]}-{self.years[-1]}"
        if language == "en":
            return (f"Fixed prices ({base_year} level), restated with {self.name} "
                    f"({span}); source: {self.source}")
        return (f"Faste priser ({base_year}-niveau), omregnet med {self.name} "
                f"({span}); kilde: {self.source}")


def load_index(path=None, language: str = "da") -> PriceIndex:
    """Load an annual price index file (columns `year` and one index column).

    Default: Statistics Denmark's CPI, annual average, 2015 = 100 (data/raw).
    """
    path = path or config.CPI_FILE
    table = load(path, "price_index")
    column = [c for c in table.columns if c != "year"][0]
    values = pd.Series(table[column].to_numpy(float), index=table["year"].astype(int).to_numpy(),
                       name=column).sort_index()
    info = provenance(path, table.attrs.get("sha256"))
    reference = None
    hundred = values[np.isclose(values, 100.0)]
    if len(hundred) == 1:
        reference = int(hundred.index[0])
    title = info["title_en"] if language == "en" else info["title_da"]
    return PriceIndex(values=values, name=title, source=source_text(info, language),
                      file=info["path"], sha256=info["sha256"], reference_year=reference)


def _values(index) -> Mapping:
    if isinstance(index, PriceIndex):
        return index.values
    return index


def _require_year(index, year: int, role: str) -> float:
    values = _values(index)
    try:
        value = float(values[int(year)])
    except (KeyError, IndexError):
        where = getattr(index, "file", "") or "the price index"
        raise DataError(where, f"the index has no value for the {role} {year}",
                        "use an index series that covers that year, or another "
                        f"{role}") from None
    if not value > 0:
        raise DataError(getattr(index, "file", "") or "the price index",
                        f"the index value for {year} is {value}, not positive",
                        "correct the index value")
    return value


def restate(amount, index, year: int, base_year: int = config.DEFAULT_BASE_YEAR):
    """Restate an amount in current prices of `year` at `base_year` prices.

    amount_base = amount * index[base_year] / index[year]

    `index` is a mapping year -> index value (any reference year) or a `PriceIndex`.

    >>> round(restate(100.0, {2017: 101.40, 2020: 103.43}, 2017, 2020), 2)
    102.0
    >>> restate(50.0, {2020: 103.43}, 2020, 2020)
    50.0
    """
    base = _require_year(index, base_year, "base year")
    current = _require_year(index, year, "year")
    return amount * base / current


def rebase(index, base_year: int):
    """The index rescaled so that `base_year` = 100 (same relative movements).

    rebased[t] = 100 * index[t] / index[base_year]

    >>> rebase({2019: 103.0, 2020: 103.43}, 2020)[2020]
    100.0
    """
    base = _require_year(index, base_year, "base year")
    values = pd.Series(_values(index), dtype=float)
    rebased = values * 100.0 / base
    if isinstance(index, PriceIndex):
        return PriceIndex(values=rebased, name=f"{index.name}, {base_year} = 100",
                          source=index.source, file=index.file, sha256=index.sha256,
                          reference_year=base_year)
    return rebased.to_dict()


def restate_frame(frame: pd.DataFrame, index: PriceIndex,
                  base_year: int = config.DEFAULT_BASE_YEAR,
                  amount_column: str = "amount_mio_dkk", year_column: str = "year",
                  fixed_column: str | None = None) -> pd.DataFrame:
    """Vectorised `restate`: a copy of `frame` with a fixed-price column added.

    fixed = amount * index[base_year] / index[year], row by row, in one array operation.
    The result's attrs record the index, its source and the base year. A year the index
    does not cover is refused with the row of the input file that has it.
    """
    if base_year not in index:
        raise ParameterError(
            f"base_year {base_year} is not in the price index {index.name} "
            f"(covers {index.years[0]}-{index.years[-1]}); choose a year in that range")
    check_year_coverage(frame, index.years, f"the price index '{index.name}'",
                        "extend the index file to that year or remove the row")
    years = frame[year_column].astype(int).to_numpy()
    factors = index.values[base_year] / index.values.reindex(years).to_numpy()
    out = frame.copy()
    out[fixed_column or f"{amount_column}_fixed"] = frame[amount_column].to_numpy(float) * factors
    out.attrs = dict(frame.attrs)
    out.attrs.update(base_year=base_year, index_name=index.name, index_source=index.source,
                     index_file=index.file, index_sha256=index.sha256)
    return out

