"""Numbers and dates as a Danish (or English) reader expects them: 1.234,5 and 27. november 2026."""

from __future__ import annotations

import datetime as dt
import os

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .labels import check_language

_LOCALES = {"da": "da_DK", "en": "en_GB"}


def number(value, decimals: int = 1, language: str = "da") -> str:
    """A number with grouping and a fixed number of decimals, in the reader's convention.

    >>> number(1234.56)
    '1.234,6'
    >>> number(1234.56, 1, "en")
    '1,234.6'
    >>> number(-0.04, 1)
    '0,0'
    """
    if value is None or value != value:  # None or NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    value = round(float(value), decimals)
    if value == 0:
        value = 0.0  # no "-0,0"
    return format_decimal(value, format=pattern, locale=_LOCALES[check_language(language)])


def money(value, decimals: int = 1, language: str = "da") -> str:
    """An amount in mio. kr. with its unit: '1.234,5 mio. kr.'."""
    unit = "mio. kr." if language == "da" else "DKK million"
    return f"{number(value, decimals, language)} {unit}"


def percent(value, decimals: int = 1, language: str = "da") -> str:
    """A share (0.125) as a percentage ('12,5 %' in Danish).

    >>> percent(0.125)
    '12,5\\xa0%'
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + " %"
    text = format_percent(value, format=pattern, locale=_LOCALES[check_language(language)])
    return text.replace(" %", "\u00a0%") if language == "da" else text.replace(" %", "%")


def generation_time() -> dt.datetime:
    """Now, or the fixed time of SOURCE_DATE_EPOCH (reproducible builds), in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def long_date(value: dt.date, language: str = "da") -> str:
    """'27. november 2026' (da) or '27 November 2026' (en).

    >>> long_date(dt.date(2026, 11, 27))
    '27. november 2026'
    """
    return format_date(value, format="long", locale=_LOCALES[check_language(language)])
