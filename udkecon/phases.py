"""Phases of the programme (dual operation, transition, first full year) from a data table.

A year may belong to more than one phase: 2017 is both the year of dual operation and the
first year of the 2017-2020 transition, as the source document tells it.
"""

from __future__ import annotations

import pandas as pd

from . import config
from .data import load
from .labels import check_language


def load_phases(path=None) -> pd.DataFrame:
    """The phases table (phase, label_da, label_en, first_year, last_year, descriptions)."""
    return load(path or config.PHASES_FILE, "phases")


def phases_of_year(year: int, phases: pd.DataFrame, language: str = "da") -> list[str]:
    """Labels of every phase that covers `year`, in the table's order.

    >>> table = pd.DataFrame({"phase": ["a", "b"], "label_da": ["Dobbeltdrift", "Transition"],
    ...     "label_en": ["Dual", "Transition"], "first_year": [2017, 2017],
    ...     "last_year": [2017, 2020]})
    >>> phases_of_year(2017, table)
    ['Dobbeltdrift', 'Transition']
    >>> phases_of_year(2019, table, "en")
    ['Transition']
    """
    column = f"label_{check_language(language)}"
    covers = (phases["first_year"] <= year) & (phases["last_year"] >= year)
    return list(phases.loc[covers, column])


def year_phases(years, phases: pd.DataFrame, language: str = "da") -> pd.Series:
    """For each year, its phases joined as one reader's label ('Dobbeltdrift, Transition')."""
    return pd.Series({int(y): ", ".join(phases_of_year(int(y), phases, language)) for y in years},
                     name="phase")


def phase_spans(phases: pd.DataFrame, language: str = "da") -> list[tuple[str, int, int]]:
    """(label, first_year, last_year) for marking phases on a chart."""
    column = f"label_{check_language(language)}"
    return [(row[column], int(row["first_year"]), int(row["last_year"]))
            for _, row in phases.iterrows()]
