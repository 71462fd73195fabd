"""Checks for a notebook's guard cell: fail fast, naming the parameter and the valid values."""

from __future__ import annotations

from pathlib import Path

from . import config
from .errors import ParameterError
from .labels import check_language


def require_language(language: str) -> str:
    return check_language(language)


def require_base_year(base_year, index_file=None) -> int:
    """The base year must be a whole year that the price index covers."""
    from .prices import load_index

    if isinstance(base_year, bool) or not isinstance(base_year, int):
        raise ParameterError(f"base_year must be a whole year such as 2020, not {base_year!r}")
    index = load_index(index_file)
    if base_year not in index:
        raise ParameterError(
            f"base_year {base_year} is not covered by the price index "
            f"{Path(index_file or config.CPI_FILE).name} ({index.years[0]}-{index.years[-1]}); "
            "choose a year in that range or give an index_file that covers it")
    return base_year


def require_choice(name: str, value, choices) -> object:
    if value not in choices:
        raise ParameterError(f"{name} '{value}' is not valid; use one of: "
                             f"{', '.join(str(c) for c in choices)}")
    return value
