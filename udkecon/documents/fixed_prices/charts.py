"""The fixed-price report's figures: costs by type per year with the phases marked, and
gross cost against net cost after DUT (styling from `udkecon.charts`)."""

from __future__ import annotations

import pandas as pd

from ... import fmt
from ...charts import PALETTE, finish, money_axis, plt
from ...labels import label


def stacked_costs(by_type: pd.DataFrame, phase_spans: list[tuple[str, int, int]],
                  language: str = "da", title: str = ""):
    """Stacked columns by cost type per year, with the phases marked as brackets above."""
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    years = list(by_type.index)
    bottom = pd.Series(0.0, index=by_type.index)
    for cost_type in by_type.columns:
        ax.bar(years, by_type[cost_type], bottom=bottom, width=0.62,
               color=PALETTE.get(cost_type, "#7f7f7f"), label=label(cost_type, language))
        bottom = bottom + by_type[cost_type]
    for year, total in bottom.items():
        ax.annotate(fmt.number(total, 1, language), (year, total), ha="center", va="bottom",
                    xytext=(0, 2), textcoords="offset points", fontsize=8)
    top = float(bottom.max())
    for level, (name, first, last) in enumerate(phase_spans):
        y = top * (1.10 + 0.11 * level)
        ax.plot([first - 0.35, last + 0.35], [y, y], color="#404040", linewidth=1)
        for end in (first - 0.35, last + 0.35):
            ax.plot([end, end], [y, y - top * 0.025], color="#404040", linewidth=1)
        ax.text((first + last) / 2, y + top * 0.015, name, ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, top * (1.18 + 0.11 * len(phase_spans)))
    ax.set_xticks(years, [str(y) for y in years])
    money_axis(ax, language)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    return finish(fig, ax, title)


def gross_net(net: pd.DataFrame, language: str = "da", title: str = ""):
    """Gross cost, DUT compensation and net municipal cost per year (fixed prices)."""
    fig, ax = plt.subplots(figsize=(7.2, 2.7))
    years = list(net.index)
    width = 0.38
    ax.bar([y - width / 2 for y in years], net["gross_fixed"], width,
           color=PALETTE["gross"], label=label("gross_cost", language))
    ax.bar([y + width / 2 for y in years], net["net_fixed"], width,
           color=PALETTE["net"], label=label("net_cost", language))
    for year, gross, net_value in zip(years, net["gross_fixed"], net["net_fixed"], strict=True):
        if gross - net_value > 0.05:
            ax.annotate(f"DUT {fmt.number(gross - net_value, 1, language)}",
                        (year + width / 2, net_value), ha="center", va="bottom",
                        xytext=(0, 2), textcoords="offset points", fontsize=7, color="#404040")
    ax.set_xticks(years, [str(y) for y in years])
    money_axis(ax, language)
    ax.legend(loc="upper right")
    return finish(fig, ax, title)
