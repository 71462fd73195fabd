"""The one label table: what a reader sees for each key, in Danish (default) or English."""

from __future__ import annotations

import csv
from functools import cache

from . import config
from .errors import ParameterError

LABELS_FILE = config.PACKAGE_DIR / "labels.csv"


@cache
def _table() -> dict[str, dict[str, str]]:
    with open(LABELS_FILE, encoding="utf-8") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def check_language(language: str) -> str:
    if language not in config.LANGUAGES:
        raise ParameterError(f"language '{language}' is not supported; "
                             f"use one of: {', '.join(config.LANGUAGES)}")
    return language


def label(key: str, language: str = config.DEFAULT_LANGUAGE, **fields) -> str:
    """The reader's label for `key`; unknown keys are shown as they are.

    >>> label("dual_operation")
    'Dobbeltdrift'
    >>> label("costs_title", "en", period="2017-2021", base_year=2020)
    'Municipal IT costs related to UDK 2017-2021, fixed prices (2020 level)'
    """
    check_language(language)
    row = _table().get(key)
    text = row[language] if row else key
    return text.format(**fields) if fields else text
