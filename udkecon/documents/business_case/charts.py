"""Charts of the business case report: cash flows, cumulative net saving with the payback
marked, tornado and the Monte Carlo distribution of the NPV.

Each function takes finished results (`business_case.BusinessCaseResult`,
`uncertainty.tornado`, `uncertainty.MonteCarloResult`) and returns a matplotlib figure for
`blocks.figure`; nothing is computed here that a reader should see as a number elsewhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ... import fmt
from ...charts import PALETTE, money_axis, plt
from ...labels import label

SAVING = PALETTE["net"]  # a net saving, green as the net cost in the other reports
COST = PALETTE["accent"]  # a net cost
SCENARIO_0 = "#a5a5a5"  # the legacy solutions continued: grey, the baseline
SCENARIO_1 = PALETTE["operation"]  # the tendered alternative


def _years_axis(ax, years) -> None:
    ax.set_xticks(list(years), [str(y) for y in years], rotation=0)
    if len(years) > 12:
        ax.tick_params(axis="x", labelsize=7.5)


def cash_flows(result, language: str = "da"):
    """Costs of scenario 0 and scenario 1 and the net saving (0 minus 1), year by year."""
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    years = np.asarray(result.years)
    width = 0.27
    ax.bar(years - width, result.cost_scenario_0, width, color=SCENARIO_0,
           label=label("bc_legend_cost_0", language))
    ax.bar(years, result.cost_scenario_1, width, color=SCENARIO_1,
           label=label("bc_legend_cost_1", language))
    net = np.asarray(result.net_benefit)
    ax.bar(years + width, net, width, color=np.where(net >= 0, SAVING, COST),
           label=label("bc_legend_net", language))
    ax.axhline(0, color="#404040", linewidth=0.8)
    _years_axis(ax, years)
    money_axis(ax, language)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8)
    fig.tight_layout()
    return fig


def cumulative(result, language: str = "da"):
    """Cumulative net saving, plain and discounted, with the payback year marked.

    Amounts fall at the end of their year, so each point is the cumulative sum at the end of
    the year on the axis; the payback year (`summary()['payback_year']`) is the first year
    at whose end the sum has turned positive for good, and is marked on its point.
    """
    fig, ax = plt.subplots(figsize=(7.2, 3.5))
    years = np.asarray(result.years)
    plain = np.asarray(result.cumulative_net_benefit)
    discounted = np.asarray(result.cumulative_discounted_net_benefit)
    ax.plot(years, plain, color=SCENARIO_1, marker="o", markersize=3.5, linewidth=1.8,
            label=label("bc_legend_cumulative", language))
    ax.plot(years, discounted, color=SCENARIO_1, linestyle="--", marker="o", markersize=2.5,
            linewidth=1.2, alpha=0.75, label=label("bc_legend_cumulative_discounted", language))
    ax.axhline(0, color="#404040", linewidth=0.8)
    low = min(plain.min(), discounted.min(), 0.0)
    high = max(plain.max(), discounted.max(), 0.0)
    span = high - low or 1.0
    summary = result.summary()
    marks = [(summary["payback_year"], plain, "bc_marker_payback", SAVING, 0.95),
             (summary["discounted_payback_year"], discounted, "bc_marker_discounted_payback",
              SCENARIO_1, 0.12)]
    for year, series, key, colour, height in marks:
        if year is None:
            continue
        value = series[list(years).index(year)]
        ax.axvline(year, color=colour, linewidth=1.1, linestyle=":")
        ax.plot([year], [value], marker="D", color=colour, markersize=7, zorder=5)
        ax.annotate(label(key, language, year=year), (year, low + height * span),
                    xytext=(-5, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=8, color=colour, fontweight="bold",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    if summary["payback_year"] is None:
        ax.annotate(label("bc_marker_not_paid_back", language, last=int(years[-1])),
                    (years[-1], low + 0.95 * span), ha="right", va="center", fontsize=8,
                    color=COST, fontweight="bold")
    ax.set_ylim(low - 0.05 * span, high + 0.12 * span)
    _years_axis(ax, years)
    money_axis(ax, language)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    fig.tight_layout()
    return fig


def tornado(frame: pd.DataFrame, language: str = "da", item_labels=None):
    """NPV with each input at its low and its high value (bars from the mode-value NPV),
    the input with the largest swing on top."""
    rows = len(frame)
    fig, ax = plt.subplots(figsize=(7.2, 1.6 + 0.5 * max(rows, 1)))
    if rows == 0:
        ax.set_axis_off()
        return fig
    base = float(frame["npv_base"].iloc[0])
    names = list(item_labels) if item_labels is not None else list(frame["item"])
    positions = np.arange(rows)[::-1]  # largest swing at the top
    for y, low, high in zip(positions, frame["npv_low"], frame["npv_high"], strict=True):
        ax.barh(y, low - base, left=base, height=0.55, color=PALETTE["implementation"])
        ax.barh(y, high - base, left=base, height=0.55, color=PALETTE["new_tasks"])
        for value in (low, high):
            ax.annotate(fmt.number(value, 1, language), (value, y),
                        xytext=(3 if value >= base else -3, 0), textcoords="offset points",
                        ha="left" if value >= base else "right", va="center", fontsize=7.5)
    ax.axvline(base, color="#404040", linewidth=1)
    ax.axvline(0, color=COST, linewidth=0.9, linestyle="--")
    ax.set_yticks(positions, names)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    lowest = min(frame["npv_low"].min(), frame["npv_high"].min(), 0.0)
    highest = max(frame["npv_low"].max(), frame["npv_high"].max(), 0.0)
    margin = 0.15 * (highest - lowest or 1.0)
    ax.set_xlim(lowest - margin, highest + margin)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, 0, language)))
    ax.set_xlabel(label("bc_npv_axis", language))
    handles = [plt.Rectangle((0, 0), 1, 1, color=PALETTE["implementation"]),
               plt.Rectangle((0, 0), 1, 1, color=PALETTE["new_tasks"]),
               plt.Line2D([0], [0], color="#404040"),
               plt.Line2D([0], [0], color=COST, linestyle="--")]
    texts = [label("bc_tornado_low", language), label("bc_tornado_high", language),
             label("bc_tornado_base", language, npv=fmt.money(base, 1, language)),
             label("bc_zero_line", language)]
    fig.legend(handles, texts, loc="lower center", ncol=2, fontsize=8)
    fig.tight_layout(rect=(0, 0.16 if rows > 2 else 0.22, 1, 1))
    return fig


def npv_distribution(monte_carlo, language: str = "da", bins: int = 60):
    """Histogram of the simulated NPV (share of draws), P10/P50/P90 and the zero line; the
    draws below zero in the cost colour."""
    fig, ax = plt.subplots(figsize=(7.2, 3.3))
    values = np.asarray(monte_carlo.npv)
    counts, edges = np.histogram(values, bins=bins)
    shares = counts / values.size
    centres = (edges[:-1] + edges[1:]) / 2
    ax.bar(centres, shares, width=np.diff(edges), color=np.where(centres < 0, COST, SAVING),
           alpha=0.55, edgecolor="white", linewidth=0.3)
    top = float(shares.max()) if shares.size else 1.0
    for value, name, style, side in ((monte_carlo.p10, "P10", ":", "right"),
                                     (monte_carlo.p50, "P50", "-", "center"),
                                     (monte_carlo.p90, "P90", ":", "left")):
        ax.axvline(value, color="#1a1a1a", linewidth=1.1, linestyle=style)
        ax.annotate(f"{name}\n{fmt.number(value, 1, language)}", (value, top * 1.04),
                    xytext={"right": (-3, 0), "center": (0, 0), "left": (3, 0)}[side],
                    textcoords="offset points", ha=side, va="bottom", fontsize=7.5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.axvline(0, color=COST, linewidth=1.3, linestyle="--")
    ax.annotate(label("bc_zero_line", language), (0, top * 0.45), xytext=(4, 0),
                textcoords="offset points", ha="left", fontsize=7.5, color=COST,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_ylim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, 0, language)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.percent(v, 1, language)))
    ax.set_xlabel(label("bc_npv_axis", language))
    ax.set_ylabel(label("bc_share_axis", language))
    fig.tight_layout()
    return fig
