"""The cost ledger summed for readers: by cost type and year, and gross vs net of DUT.

All functions take ledgers already restated by `prices.restate_frame`, so each table has
both `amount_mio_dkk` (current prices) and `amount_mio_dkk_fixed` (fixed prices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import config
from .data import COST_TYPES, check_year_coverage, is_illustrative, load, provenance
from .labels import check_language
from .phases import load_phases
from .prices import PriceIndex, load_index, restate_frame


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
    check_year_coverage(ledger, dut["year"].astype(int), "the DUT compensation file",
                        "add a row for that year to the DUT file (0 if no compensation)")
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


@dataclass(frozen=True)
class CostAnalysis:
    """Everything the fixed-price report shows, computed once, read by notebook and exporters."""

    base_year: int
    language: str
    index: PriceIndex
    ledger: pd.DataFrame  # tidy, current + fixed prices, index = row in the cost file
    dut: pd.DataFrame  # tidy, current + fixed prices
    phases: pd.DataFrame
    by_type_current: pd.DataFrame  # years x cost types
    by_type_fixed: pd.DataFrame
    net: pd.DataFrame  # years x gross/dut/net, current and fixed
    inputs: list[dict] = field(default_factory=list)  # provenance of every file read
    illustrative: bool = False

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.net.index]


def fixed_price_analysis(cost_file=None, dut_file=None, index_file=None, phases_file=None,
                         base_year: int = config.DEFAULT_BASE_YEAR,
                         language: str = config.DEFAULT_LANGUAGE) -> CostAnalysis:
    """Load, validate and restate the cost ledger and DUT series at `base_year` prices."""
    check_language(language)
    cost_file = Path(cost_file or config.COSTS_FILE)
    dut_file = Path(dut_file or config.DUT_FILE)
    index_file = Path(index_file or config.CPI_FILE)
    phases_file = Path(phases_file or config.PHASES_FILE)
    index = load_index(index_file, language)
    ledger = load_costs(cost_file, index, base_year)
    dut = load_dut(dut_file, index, base_year)
    net = net_of_dut(ledger, dut)
    return CostAnalysis(
        base_year=base_year, language=language, index=index, ledger=ledger, dut=dut,
        phases=load_phases(phases_file),
        by_type_current=by_cost_type(ledger, "current"),
        by_type_fixed=by_cost_type(ledger, "fixed"),
        net=net,
        inputs=[provenance(p) for p in (cost_file, dut_file, index_file, phases_file)],
        illustrative=is_illustrative(ledger, dut),
    )


def summary_sentences(analysis: CostAnalysis) -> list[str]:
    """The report's opening paragraph, every number taken from the analysis."""
    from . import fmt

    lang, net = analysis.language, analysis.net
    first, last = analysis.years[0], analysis.years[-1]
    gross_total = net["gross_fixed"].sum()
    net_total = net["net_fixed"].sum()
    dut_total = net["dut_fixed"].sum()
    peak_year = int(net["gross_fixed"].idxmax())
    dual = analysis.by_type_fixed.get("dual_operation", pd.Series(0.0, index=net.index))
    new = analysis.by_type_fixed.get("new_tasks", pd.Series(0.0, index=net.index))
    m = lambda v: fmt.money(v, 1, lang)  # noqa: E731
    if lang == "en":
        sentences = [
            f"In {analysis.base_year} prices, the municipalities' IT costs related to UDK "
            f"total {m(gross_total)} over {first}-{last}; after DUT compensation of "
            f"{m(dut_total)}, the net municipal cost is {m(net_total)}.",
            f"Costs peak in {peak_year} at {m(net.loc[peak_year, 'gross_fixed'])}, when new "
            f"and existing solutions ran side by side (dual operation "
            f"{m(dual.get(first, 0.0))} in {first}).",
            f"{last}, the first full year of operation, costs {m(net.loc[last, 'gross_fixed'])}, "
            f"of which {m(new.get(last, 0.0))} are extra costs of new tasks from law and "
            f"practice changes; DUT compensates {m(net.loc[last, 'dut_fixed'])} of it.",
        ]
    else:
        sentences = [
        f"Opgjort i {analysis.base_year}-priser udgør kommunernes IT-omkostninger vedr. UDK "
        f"{m(gross_total)} i {first}-{last}; efter DUT-kompensation på {m(dut_total)} er "
        f"den kommunale nettoomkostning {m(net_total)}.",
        f"Omkostningerne topper i {peak_year} med {m(net.loc[peak_year, 'gross_fixed'])}, "
        f"hvor nye og eksisterende løsninger var i drift samtidig (dobbeltdrift "
        f"{m(dual.get(first, 0.0))} i {first}).",
        f"{last}, det første fulde driftsår, koster {m(net.loc[last, 'gross_fixed'])}, heraf "
        f"{m(new.get(last, 0.0))} i meromkostninger til nye opgaver som følge af lov- og "
        f"praksisændringer; DUT kompenserer {m(net.loc[last, 'dut_fixed'])} heraf.",
    ]
    # an abbreviation at the end of a sentence takes no second full stop ("mio. kr.")
    return [s.replace("kr..", "kr.") for s in sentences]


def key_figures(analysis: CostAnalysis) -> list[tuple[str, str]]:
    """The report's headline numbers (value, caption) for the boxes under the title."""
    from . import fmt
    from .labels import label

    lang, net = analysis.language, analysis.net
    first, last = analysis.years[0], analysis.years[-1]
    period = f"{first}-{last}"
    return [
        (fmt.number(net["gross_fixed"].sum(), 1, lang),
         label("key_gross_total", lang, period=period)),
        (fmt.number(net["dut_fixed"].sum(), 1, lang), label("key_dut_total", lang, period=period)),
        (fmt.number(net["net_fixed"].sum(), 1, lang), label("key_net_total", lang, period=period)),
        (fmt.number(net.loc[last, "gross_fixed"], 1, lang),
         label("key_first_full_year", lang, year=last)),
    ]


def year_table(analysis: CostAnalysis) -> pd.DataFrame:
    """Per year: index, restatement factor, totals in current and fixed prices, phases."""
    from .labels import label
    from .phases import year_phases

    lang = analysis.language
    years = analysis.years
    index_values = analysis.index.values.reindex(years)
    factor = analysis.index[analysis.base_year] / index_values
    return pd.DataFrame({
        label("phase", lang): year_phases(years, analysis.phases, lang).to_numpy(),
        label("index_value", lang): index_values.to_numpy(),
        label("restate_factor", lang): factor.to_numpy(),
        label("current_prices", lang): analysis.net["gross_current"].to_numpy(),
        label("fixed_prices", lang) + f" ({analysis.base_year})":
            analysis.net["gross_fixed"].to_numpy(),
    }, index=pd.Index([str(y) for y in years], name=label("year", lang)))


def type_table(analysis: CostAnalysis, prices: str = "fixed") -> pd.DataFrame:
    """Years x cost types with a total column, reader's labels (for report and workbook)."""
    from .labels import label

    lang = analysis.language
    table = analysis.by_type_fixed if prices == "fixed" else analysis.by_type_current
    out = table.rename(columns=lambda c: label(c, lang)).copy()
    out[label("total", lang)] = table.sum(axis=1)
    # years are labels here, not numbers: no "2.017"
    out.index = pd.Index([str(int(y)) for y in table.index], name=label("year", lang))
    return out


def net_table(analysis: CostAnalysis) -> pd.DataFrame:
    """Gross, DUT and net in fixed prices per year, reader's labels."""
    from .labels import label

    lang = analysis.language
    net = analysis.net
    return pd.DataFrame({
        label("gross_cost", lang): net["gross_fixed"].to_numpy(),
        label("dut_compensation", lang): net["dut_fixed"].to_numpy(),
        label("net_cost", lang): net["net_fixed"].to_numpy(),
    }, index=pd.Index([str(y) for y in net.index], name=label("year", lang)))
