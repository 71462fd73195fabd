"""Charts of a municipality's handout: its gross and net cost by year, and its net cost per
inhabitant beside its region's and the country's (palette from `udkecon.charts`).

The notebook puts them in the PDF as PNG images (`blocks.figure(..., dpi=200)`): a batch of
98 handouts renders much faster from rasters than from SVG."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ... import fmt
from ...charts import PALETTE, plt
from ...labels import label

# municipality, region, country: the municipality stands out, the comparisons recede
LEVEL_COLOURS = (PALETTE["gross"], "#9dc3e6", PALETTE["dut"])


def _axis(ax, language: str, decimals: int, unit: str) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, decimals, language)))
    ax.set_ylabel(unit)


def municipal_gross_net(shares: pd.DataFrame, language: str = "da", decimals: int = 1):
    """Gross and net cost per year of one municipality (columns gross, dut, net; mio. kr.),
    with the DUT compensation written over each net column."""
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    years = [int(y) for y in shares.index]
    width = 0.38
    ax.bar([y - width / 2 for y in years], shares["gross"], width, color=PALETTE["gross"],
           label=label("gross_cost", language))
    ax.bar([y + width / 2 for y in years], shares["net"], width, color=PALETTE["net"],
           label=label("net_cost", language))
    smallest = 0.5 * 10 ** -decimals  # what rounds to zero is not worth a note
    for year, dut, net in zip(years, shares["dut"], shares["net"], strict=True):
        if dut >= smallest:
            ax.annotate(f"DUT {fmt.number(dut, decimals, language)}", (year + width / 2, net),
                        ha="center", va="bottom", xytext=(0, 2), textcoords="offset points",
                        fontsize=7, color="#404040")
    ax.set_xticks(years, [str(y) for y in years])
    _axis(ax, language, max(decimals - 1, 0), label("unit", language))
    # below the plot: the columns reach the top in the first years
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def per_inhabitant_levels(by_year: pd.DataFrame, language: str = "da"):
    """Net cost (after DUT) per inhabitant (kr.) by year: one column each for the municipality, its
    region and the country (the columns of `by_year`, in that order)."""
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    years = [int(y) for y in by_year.index]
    width = 0.8 / len(by_year.columns)
    for position, (name, colour) in enumerate(zip(by_year.columns, LEVEL_COLOURS,
                                                  strict=False)):
        offset = (position - (len(by_year.columns) - 1) / 2) * width
        ax.bar([y + offset for y in years], by_year[name], width, color=colour, label=name)
    ax.set_xticks(years, [str(y) for y in years])
    # net of the DUT compensation: say so on the axis, the reader cannot tell from the bars
    _axis(ax, language, 0, label("handout_net_kr", language))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    fig.tight_layout()
    return fig
