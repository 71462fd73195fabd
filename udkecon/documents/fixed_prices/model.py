"""The fixed-price report's object: the cost ledger and DUT series restated at one base
year's prices, summed by cost type and year, gross and net of DUT, with the provenance of
every file read. Built once; the notebook, the sentences, the charts and the workbook read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config
from ...costs import by_cost_type, load_costs, load_dut, net_of_dut
from ...data import is_illustrative, provenance
from ...labels import check_language
from ...phases import load_phases
from ...prices import PriceIndex, load_index


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


def build(cost_file=None, dut_file=None, index_file=None, phases_file=None,
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
