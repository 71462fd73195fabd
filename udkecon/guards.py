"""Checks for a notebook's guard cell: fail fast, naming the parameter and the valid values."""

from __future__ import annotations

import os
import re
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


# Monte Carlo draws are held in memory at once (draws x cost lines x 8 bytes): ten times the
# default is plenty for stable percentiles and still fits a laptop.
MAX_DRAWS = 10 * config.MONTE_CARLO_DRAWS
# a business case's life: Finansministeriet's schedules are written for up to 100+ years
MAX_HORIZON = 200


def require_whole(name: str, value, least: int | None = None, most: int | None = None) -> int:
    """A whole number within [least, most], or a ParameterError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{name} {value!r} is not a whole number; give one such as "
                             f"{least if least is not None else 1}")
    if (least is not None and value < least) or (most is not None and value > most):
        bounds = (f"from {least} to {most}" if least is not None and most is not None
                  else f"of at least {least}" if least is not None else f"of at most {most}")
        raise ParameterError(f"{name} {value} is out of range; give a whole number {bounds}")
    return value


def require_draws(draws) -> int:
    return require_whole("draws", draws, least=1, most=MAX_DRAWS)


def require_municipality(municipality, municipalities_file=None) -> int:
    """The code of a municipality given by code or name (`resolve_municipality`)."""
    from .data import load_municipalities
    from .municipalities import resolve_municipality

    return resolve_municipality(municipality, load_municipalities(municipalities_file))


def require_month(name: str, month) -> str:
    """A month written YYYY-MM, or empty (the data's own first or last month)."""
    text = str(month)
    if month in ("", None):
        return ""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise ParameterError(f"{name} '{month}' is not a month; write it YYYY-MM, e.g. 2019-10, "
                             "or leave it empty for the data's own")
    return text


def require_file_name(name, what: str = "output_name") -> str:
    """A plain file name for outputs: not empty, no folder separators, not starting with a
    dot (hidden, or '..'), no control characters, not too long for the file system once
    '.failed.ipynb' is added. Anything else could write outside the report folder or
    produce files nobody sees."""
    text = str(name) if isinstance(name, str | int) and not isinstance(name, bool) else None
    problem = None
    if text is None:
        problem = f"is {name!r}, not a name"
    elif not text.strip():
        problem = "is empty"
    elif "/" in text or "\\" in text or (os.altsep and os.altsep in text):
        problem = "contains a folder separator"
    elif text.startswith("."):
        problem = "starts with a dot (a hidden file, or a step out of the folder)"
    elif any(ord(c) < 32 or ord(c) == 127 for c in text):
        problem = "contains a control character"
    elif text != text.strip():
        problem = "starts or ends with a space"
    elif len(f"{text}.failed.ipynb".encode()) > 255:
        problem = "is too long for a file name"
    elif text.casefold().endswith(".failed"):
        # `<name>.failed.ipynb` is the kept notebook of a failed run: a report named
        # "x.failed" would be taken for x's, and a success of x would delete it
        problem = ("ends with '.failed', which is kept for the notebook of a failed run "
                   "(<name>.failed.ipynb)")
    if problem:
        raise ParameterError(f"{what} {name!r} {problem}; give a plain file name such as "
                             "udk_costs_2021 (the folder goes in --output-dir)")
    return text
