"""Numbers and dates as a Danish (or English) reader expects them: 1.234,5 and 27. november 2026."""

from __future__ import annotations

import datetime as dt
import os
import re

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .labels import check_language

_LOCALES = {"da": "da_DK", "en": "en_GB"}
_MONTH_FORMATS = {"short": "MMM y", "long": "MMMM y"}


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
    """An amount in mio. kr. with its unit: '1.234,5 mio. kr.'.

    >>> money(1234.56), money(2.5, 2, "en")
    ('1.234,6 mio. kr.', '2.50 DKK million')
    """
    unit = "mio. kr." if language == "da" else "DKK million"
    return f"{number(value, decimals, language)} {unit}"


def money_decimals(amount: float) -> int:
    """How many decimals of mio. kr. show an amount to about three significant digits.

    >>> money_decimals(94.3), money_decimals(3.2), money_decimals(0.33)
    (1, 2, 3)
    """
    amount = abs(float(amount))
    return 1 if amount >= 10 else 2 if amount >= 1 else 3


_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def sentence(text: str) -> str:
    """A sentence whose last word is an abbreviation takes one full stop, not two.

    A sentence built from a label ending in "." around an amount ending in "kr." would
    otherwise end in "kr.."; an ellipsis ("...") is left alone.

    >>> sentence("Nettoomkostningen er 12,5 mio. kr.."), sentence("Vent...")
    ('Nettoomkostningen er 12,5 mio. kr.', 'Vent...')
    """
    return _DOUBLE_STOP.sub(".", text)


# Spaces a printed line must not break at (Danish typography): between an amount and its
# unit ("410,8 mio. kr.", "3,5 %", "12,7 år"), inside "mio. kr.", and after "nr." in a
# reference ("BEK nr. 1629"). Only the PDF and notebook view need it: the model's and the
# workbook's strings keep plain spaces.
_KEEP_TOGETHER = re.compile(
    r"(?<=\d) (?=(?:mio\.|mia\.|kr\.|%|pct\.|procentpoint|percentage|timer|hours|år\b|"
    r"years?\b|million|billion|DKK))"
    r"|(?<=\bmio\.) (?=kr\.)|(?<=\bmia\.) (?=kr\.)|(?<=\bnr\.) (?=\d)")


def keep_together(text: str) -> str:
    """`text` with a no-break space (U+00A0) where a line must not break: between a figure
    and its unit, inside "mio. kr.", after "nr." before a number.

    >>> keep_together("NNV på -145,0 mio. kr. ved 3,5 % efter BEK nr. 1629").split(" ")
    ['NNV', 'på', '-145,0\xa0mio.\xa0kr.', 'ved', '3,5\xa0%', 'efter', 'BEK', 'nr.\xa01629']
    """
    return _KEEP_TOGETHER.sub("\u00a0", text)


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


def month_label(value: str, language: str = "da", width: str = "short") -> str:
    """A "YYYY-MM" month as a reader writes it: 'okt. 2019' (short) or 'oktober 2019' (long).

    >>> month_label("2019-10"), month_label("2020-02", "da", "long")
    ('okt. 2019', 'februar 2020')
    >>> month_label("2020-09", "en"), month_label("2020-09", "en", "long")
    ('Sept 2020', 'September 2020')
    """
    from .errors import ParameterError

    check_language(language)
    if width not in _MONTH_FORMATS:
        raise ParameterError(f"width {width!r} is not valid; use one of: "
                             + ", ".join(repr(w) for w in _MONTH_FORMATS))
    year, number_of_month = (int(part) for part in value.split("-"))
    return format_date(dt.date(year, number_of_month, 1), _MONTH_FORMATS[width],
                       locale=_LOCALES[language])


def long_date(value: dt.date, language: str = "da") -> str:
    """'27. november 2026' (da) or '27 November 2026' (en).

    >>> long_date(dt.date(2026, 11, 27))
    '27. november 2026'
    """
    return format_date(value, format="long", locale=_LOCALES[check_language(language)])
