"""Municipality codes and names as people type them: resolve a code or a name, and expand a
selection ("all", a region, a comma-separated list) into municipality codes.

An unknown code or name is refused with a `ParameterError` that names the closest valid
municipalities, so that a typo in a notebook parameter or on the command line is fixed in
one go.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from . import data
from .errors import ParameterError

# Danish letters as people type them without a Danish keyboard; Swedish/German ö and ä
# are the same letters as ø and æ.
_TRANSLITERATIONS = {"æ": ("ae", "a"), "ø": ("oe", "o"), "å": ("aa", "a")}
_FOREIGN = str.maketrans({"ö": "ø", "ä": "æ"})


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """The matching key of a name: lower case, æ/ø/å spelt ae/oe/aa, no accents, letters
    and digits only ("Lyngby-Taarbæk" -> "lyngbytaarbaek")."""
    text = str(text).casefold().translate(_FOREIGN)
    for letter, (spelling, _) in _TRANSLITERATIONS.items():
        text = text.replace(letter, spelling)
    return re.sub(r"[^0-9a-z]", "", _strip_accents(text))


def _spellings(name: str) -> set[str]:
    """Every matching key of a name with æ/ø/å spelt either way ("Ærø": aeroe, aero, aroe,
    aro)."""
    text = str(name).casefold()
    options = [_TRANSLITERATIONS.get(c, (c,)) for c in text]
    return {_fold("".join(parts)) for parts in itertools.product(*options)}


def _municipality_table(table) -> pd.DataFrame:
    table = data.load_municipalities() if table is None else table
    missing = [c for c in ("municipality_code", "municipality") if c not in table.columns]
    if missing:
        raise ParameterError(f"table: the municipalities table lacks the column(s) "
                             f"{', '.join(missing)}; give the table as loaded by "
                             "data.load_municipalities()")
    return table


def _names_by_code(table: pd.DataFrame) -> dict[int, str]:
    return {int(code): str(name)
            for code, name in zip(table["municipality_code"], table["municipality"], strict=True)}


def _source_name(table: pd.DataFrame) -> str:
    source = table.attrs.get("source_file")
    return Path(source).name if source else "the municipalities table"


def _closest_names(value, names: dict, n: int = 3) -> list:
    """The keys of `names` (key -> display name) whose names are closest to `value`."""
    folded = {key: _fold(name) for key, name in names.items()}
    matches = difflib.get_close_matches(_fold(value), list(folded.values()), n=n, cutoff=0.4)
    return [next(k for k, f in folded.items() if f == m) for m in matches]


def _unknown_name(value, table: pd.DataFrame, what: str = "municipality",
                  regions: dict | None = None) -> ParameterError:
    names = _names_by_code(table)
    choices = {("m", c): f"{n} ({c})" for c, n in names.items()}
    choices_plain = {k: names[k[1]] for k in choices}
    if regions:
        choices_plain.update({("r", c): n for c, n in regions.items()})
        choices.update({("r", c): f"{n} ({c})" for c, n in regions.items()})
    close = _closest_names(value, choices_plain)
    hint = "closest: " + ", ".join(choices[k] for k in close) if close else "no close match"
    valid = "a municipality code (e.g. 101) or name"
    if regions:
        valid = "'all', a region name or code, or " + valid + "s separated by commas"
    return ParameterError(f"unknown {what} {str(value)!r}; {hint}. Give {valid} from "
                          f"{_source_name(table)} ({len(names)} municipalities)")


def _as_code(value) -> int | None:
    """The integer a code-like value stands for; None when it is not a code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else None
    text = str(value).strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def resolve_municipality(value, table: pd.DataFrame | None = None) -> int:
    """The municipality code for a code or a name.

    Codes may be int or text, zero-padded or not (101, "101", "0101"). Names match without
    regard to case, accents, hyphens and spaces, with æ/ø/å typed as ae/oe/aa or a/o/a
    ("Koebenhavn", "kobenhavn" -> 101 København; "Aeroe" -> 492 Ærø). An unknown code or
    name raises ParameterError naming the closest valid municipalities. `table` defaults to
    data.load_municipalities().

    >>> table = pd.DataFrame({"municipality_code": [101, 492],
    ...                       "municipality": ["København", "Ærø"]})
    >>> resolve_municipality("0101", table), resolve_municipality("Aeroe", table)
    (101, 492)
    """
    table = _municipality_table(table)
    names = _names_by_code(table)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ParameterError(f"municipality={value!r} is empty; give a municipality code "
                             f"(e.g. 101) or name from {_source_name(table)}")
    code = _as_code(value)
    if code is not None:
        if code in names:
            return code
        nearest = sorted(names, key=lambda c: (abs(c - code), c))[:3]
        listed = ", ".join(f"{names[c]} ({c})" for c in nearest)
        raise ParameterError(f"unknown municipality code {str(value).strip()!r}; closest: "
                             f"{listed}. Give a municipality code or name from "
                             f"{_source_name(table)} ({len(names)} municipalities)")
    wanted = [_fold(value)]
    if wanted[0].endswith("kommune") and len(wanted[0]) > len("kommune"):
        base = wanted[0][: -len("kommune")]  # "Aarhus Kommune", "Københavns Kommune"
        wanted = [base, base[:-1]] if base.endswith("s") else [base]
    spellings = {c: _spellings(n) for c, n in names.items()}
    for key in wanted:
        hits = {c for c, keys in spellings.items() if key in keys}
        if hits:
            break
    if len(hits) == 1:
        return hits.pop()
    if len(hits) > 1:
        listed = ", ".join(f"{names[c]} ({c})" for c in sorted(hits))
        raise ParameterError(f"municipality {str(value)!r} is ambiguous: {listed}; "
                             "give the code or the name with æ/ø/å")
    raise _unknown_name(value, table)


def _regions(table: pd.DataFrame) -> dict[int, str]:
    if "region_code" not in table.columns or "region" not in table.columns:
        raise ParameterError("table: the municipalities table lacks region_code/region; "
                             "give the table as loaded by data.load_municipalities()")
    return {int(c): str(n) for c, n in zip(table["region_code"], table["region"], strict=True)}


def _region_keys(name: str) -> set[str]:
    keys = _spellings(name)
    bare = re.sub(r"^region\s+", "", name.strip(), flags=re.IGNORECASE)
    return keys | _spellings(bare)


def municipalities_in(selection, table: pd.DataFrame | None = None,
                      given_as: str | None = None) -> list[int]:
    """The municipality codes a selection stands for (`given_as` names the option it came
    from in a message, e.g. '--municipalities').

    `selection` is "all" (every municipality), a region ("Region Midtjylland",
    "Midtjylland" or its code 1082), a municipality code or name (see
    `resolve_municipality`), or several of these separated by commas or given as a list.
    Codes come in the order first selected (a region's and "all"'s in code order), each
    once. An unknown part raises ParameterError with the closest valid choices.

    >>> table = pd.DataFrame({"municipality_code": [101, 751, 825],
    ...     "municipality": ["København", "Aarhus", "Læsø"],
    ...     "region_code": [1084, 1082, 1081],
    ...     "region": ["Region Hovedstaden", "Region Midtjylland", "Region Nordjylland"]})
    >>> municipalities_in("Nordjylland, Aarhus, 101", table)
    [825, 751, 101]
    """
    table = _municipality_table(table)
    regions = _regions(table)
    members: dict[int, list[int]] = {}
    for code, region in sorted(zip(table["municipality_code"].astype("int64"),
                                   table["region_code"].astype("int64"), strict=True)):
        members.setdefault(int(region), []).append(int(code))
    several = isinstance(selection, list | tuple | pd.Index | pd.Series | np.ndarray)
    parts = [p.strip() if isinstance(p, str) else p
             for part in (list(selection) if several else [selection])
             for p in (part.split(",") if isinstance(part, str) else [part])]
    parts = [p for p in parts if not (isinstance(p, str) and p == "")]
    if not parts or any(p is None for p in parts):
        what = f"{given_as} {selection!r}" if given_as else f"selection={selection!r}"
        raise ParameterError(f"{what} is empty; give 'all', a region "
                             "(e.g. 'Region Nordjylland') or municipality codes or names "
                             "separated by commas")
    chosen: dict[int, None] = {}  # an ordered set
    for part in parts:
        code = _as_code(part)
        if isinstance(part, str) and _fold(part) in ("all", "alle"):
            codes = sorted(int(c) for c in table["municipality_code"])
        elif code is not None and code in regions:
            codes = members[code]
        elif code is None and (region := next(
                (c for c, n in regions.items() if _fold(part) in _region_keys(n)), None)):
            codes = members[region]
        elif code is not None:
            codes = [resolve_municipality(code, table)]
        else:
            try:
                codes = [resolve_municipality(part, table)]
            except ParameterError:
                raise _unknown_name(part, table, "municipality or region", regions) from None
        chosen.update(dict.fromkeys(codes))
    return list(chosen)
