r"""The number forms an input file may use, and nothing else: a number that could be read
two ways is refused, not guessed.

A file has one convention, from its separator (the README's "What is validated" lists it):

- comma-separated CSV and the text cells of an xlsx: decimal point (`1234.5`); a thousands
  separator, if any, is a comma (`"1,234.5"`, quoted in a CSV);
- semicolon-separated CSV (Danish Excel): decimal comma (`1234,5`); a thousands separator,
  if any, is a point (`1.234,5`).

Thousands groups must be groups of three (`1.234.567`, never `12.34`), and a space
(plain, no-break U+00A0, narrow no-break U+202F or thin U+2009) may group thousands too
(`1 234,5`), one kind of separator per number. A number with one separator and exactly
three digits after it (`1.234` in a semicolon file, `"1,234"` in a comma file) could be a
thousands group or a decimal written in the other convention, so it is refused where a
fraction is possible; in a whole-number column (years, codes, counts, population) it is
read as thousands, the only reading that gives a whole number. A minus sign may be `-` or
the typographic `−` (U+2212); an exponent (`1,5E+03`, `1.5e3`) may follow a number without
thousands separators.
"""

from __future__ import annotations

import math
import re

_SPACES = " \u00a0\u202f\u2009"
_SIGN = r"[+\-\u2212]?"


def _pattern(decimal: str, group: str) -> re.Pattern:
    d, g = re.escape(decimal), f"[{re.escape(group)}{_SPACES}]"
    return re.compile(
        rf"^(?P<sign>{_SIGN})(?:"
        rf"(?P<plain>\d+)(?:{d}(?P<fraction>\d+))?(?P<exponent>[eE][+-]?\d{{1,3}})?"
        rf"|(?P<grouped>\d{{1,3}}(?:(?P<sep>{g})\d{{3}})(?:(?P=sep)\d{{3}})*)"
        rf"(?:{d}(?P<gfraction>\d+))?"
        rf")$", re.ASCII)  # ASCII: \d must not match other scripts' digits


_FORMS = {True: _pattern(",", "."), False: _pattern(".", ",")}


def parse_number(text: str, decimal_comma: bool, whole: bool = False
                 ) -> tuple[float | None, str | None]:
    """(value, None) for a number written in one of the accepted forms, else (None, why).

    >>> parse_number("1.234,5", decimal_comma=True)
    (1234.5, None)
    >>> parse_number("1 234,5", decimal_comma=True)
    (1234.5, None)
    >>> parse_number("1,234.5", decimal_comma=False)
    (1234.5, None)

    A point in a semicolon file groups thousands; "101.4" is refused rather than read as
    1014, and "101.400" could be either, so it is refused where a fraction is possible:

    >>> parse_number("101.4", decimal_comma=True)[1]
    'a decimal point in a file with decimal comma'
    >>> parse_number("101.400", decimal_comma=True)[1]
    'ambiguous: 101400 with a thousands point, or 101.4 with a decimal point'
    >>> parse_number("632.340", decimal_comma=True, whole=True)
    (632340.0, None)
    >>> parse_number("12 34", decimal_comma=True)[1]
    'a space inside the number that does not group thousands'
    """
    text = text.strip()
    match = _FORMS[decimal_comma].match(text)
    decimal, group = (",", ".") if decimal_comma else (".", ",")
    if match is None:
        return None, _why_not(text, decimal, group)
    sign = -1.0 if match["sign"] in ("-", "\u2212") else 1.0
    if match["plain"] is not None:
        digits = match["plain"] + ("." + match["fraction"] if match["fraction"] else "")
        value = float(digits + (match["exponent"] or ""))
    else:
        separator = match["sep"]
        groups = match["grouped"].split(separator)
        if (len(groups) == 2 and separator == group and not match["gfraction"]
                and not whole):
            # "1.234" in a semicolon file: a Dane's 1234, or 1.234 with a decimal point
            integer, fraction = groups
            decimal_reading = integer + ("." + fraction.rstrip("0") if fraction.rstrip("0")
                                         else "")
            return None, (f"ambiguous: {integer}{fraction} with a thousands {_name(group)}, "
                          f"or {decimal_reading} with a decimal {_name(group)}")
        value = float("".join(groups) + ("." + match["gfraction"] if match["gfraction"]
                                         else ""))
    value *= sign
    if not math.isfinite(value):
        return None, "too large to be a number"
    return value, None


def _name(separator: str) -> str:
    return {",": "comma", ".": "point"}.get(separator, "space")


def _why_not(text: str, decimal: str, group: str) -> str:
    """Why `text` is not in an accepted form: the most useful of the likely reasons."""
    body = text.lstrip("+-\u2212")
    if not body or not any(c in "0123456789" for c in body):
        return "not a number"
    if any(c in _SPACES for c in body) and re.fullmatch(rf"[\d{re.escape(decimal)}"
                                                         rf"{re.escape(group)}{_SPACES}]+",
                                                         body):
        return "a space inside the number that does not group thousands"
    if re.fullmatch(r"\d+" + re.escape(group) + r"\d{1,2}|\d+" + re.escape(group)
                    + r"\d{4,}", body):
        return f"a decimal {_name(group)} in a file with decimal {_name(decimal)}"
    if body.startswith((decimal, group)) or body.endswith((decimal, group)):
        return "a decimal mark without a digit on both sides"
    if re.fullmatch(rf"[0-9{re.escape(decimal)}{re.escape(group)}]+", body):
        return "thousands separators not in groups of three, or more than one decimal mark"
    return "not a number"
