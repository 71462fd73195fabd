"""The cost ledger summed for readers: by cost type and year, and gross vs net of DUT.

All functions take ledgers already restated by `prices.restate_frame`, so each table has
both `amount_mio_dkk` (current prices) and `amount_mio_dkk_fixed` (fixed prices).
"""

from __future__ import annotations

import pandas as pd

from . import config
from .data import COST_TYPES, check_year_coverage, load
from .prices import PriceIndex, restate_frame


def load_costs(path=None, index: PriceIndex | None = None,
               base_year: int = config.DEFAULT_BASE_YEAR) -> pd.DataFrame:
    """The cost ledger, validated, with its fixed-price column (when an index is given)."""
    ledger = load(path or config.COSTS_FILE, "costs")
    return restate_frame(ledger, index, base_year) if index is not None else ledger


def load_dut(path=None, index: PriceIndex | None = None,
             base_year: int = config.DEFAULT_BASE_YEAR) -> pd.DataFrame:
    """The DUT compensation series, validated, with its fixed-price column."""
    dut = load(path or config.DUT_FILE, "dut")
    if index is None:
        return dut
    return restate_frame(dut, index, base_year, amount_column="dut_compensation_mio_dkk")


def notes(frame: pd.DataFrame, language: str) -> pd.Series:
    """Each row's note in the reader's language: note_da in Danish, note in English; where
    that one is empty (or the file has no such column), the other, so that a user's file
    with one note column still shows it. None where the row has no note.

    >>> frame = pd.DataFrame({"note": ["fully replaced", None, "only English"],
    ...                       "note_da": ["fuldt afløst", None, None]})
    >>> list(notes(frame, "da")), list(notes(frame, "en"))
    (['fuldt afløst', None, 'only English'], ['fully replaced', None, 'only English'])
    """
    def column(name: str) -> pd.Series:
        values = frame[name] if name in frame.columns else pd.Series(None, index=frame.index)
        values = values.astype("object").where(values.notna(), None)
        return values.map(lambda v: v if v is None or str(v).strip() else None)

    first, second = ("note_da", "note") if language == "da" else ("note", "note_da")
    preferred, other = column(first), column(second)
    return preferred.where(preferred.notna(), other).astype("object").where(
        preferred.notna() | other.notna(), None)


def by_cost_type(ledger: pd.DataFrame, prices: str = "fixed") -> pd.DataFrame:
    """Years x cost types (in the ledger's canonical order), mio. kr.; zero where none."""
    column = "amount_mio_dkk_fixed" if prices == "fixed" else "amount_mio_dkk"
    table = ledger.pivot_table(index="year", columns="cost_type", values=column,
                               aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=[c for c in COST_TYPES if c in table.columns])
    table.index = table.index.astype(int)
    table.columns.name = None
    return table


def by_system(ledger: pd.DataFrame, prices: str = "fixed") -> pd.DataFrame:
    """Systems x years, mio. kr."""
    column = "amount_mio_dkk_fixed" if prices == "fixed" else "amount_mio_dkk"
    table = ledger.pivot_table(index=["system_group", "system"], columns="year", values=column,
                               aggfunc="sum", fill_value=0.0)
    table.columns = table.columns.astype(int)
    return table


def net_of_dut(ledger: pd.DataFrame, dut: pd.DataFrame) -> pd.DataFrame:
    """Gross cost, DUT compensation and net municipal cost per year, current and fixed.

    net = gross - DUT, in each price basis. Every ledger year must have a DUT row (write 0
    for a year without compensation), so that a missing year is never read as zero.
    """
    years = sorted(int(y) for y in ledger["year"].unique())
    dut_file = dut.attrs.get("source_file", "")
    ledger_file = ledger.attrs.get("source_file", "")
    check_year_coverage(ledger, dut["year"].astype(int),
                        f"the DUT compensation file {dut_file}".rstrip(),
                        "add a row for that year to the DUT file (0 if no compensation)")
    # and the other way: a DUT year without costs would silently drop out of the net cost
    check_year_coverage(dut, years, f"the cost ledger {ledger_file}".rstrip(),
                        "remove the row, or add that year's costs to the ledger (the DUT "
                        "compensation is set against the costs of the same year)")
    gross = ledger.groupby("year")[["amount_mio_dkk", "amount_mio_dkk_fixed"]].sum()
    comp = dut.set_index("year")[["dut_compensation_mio_dkk", "dut_compensation_mio_dkk_fixed"]]
    gross.index = gross.index.astype(int)
    comp.index = comp.index.astype(int)
    comp = comp.reindex(years)
    out = pd.DataFrame({
        "gross_current": gross["amount_mio_dkk"],
        "dut_current": comp["dut_compensation_mio_dkk"],
        "gross_fixed": gross["amount_mio_dkk_fixed"],
        "dut_fixed": comp["dut_compensation_mio_dkk_fixed"],
    }, index=pd.Index(years, name="year"))
    out["net_current"] = out["gross_current"] - out["dut_current"]
    out["net_fixed"] = out["gross_fixed"] - out["dut_fixed"]
    return out[["gross_current", "dut_current", "net_current",
                "gross_fixed", "dut_fixed", "net_fixed"]]
