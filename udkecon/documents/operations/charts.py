"""Charts of the operations report: availability heatmap and calls to Serviceplatformen.

The heatmap colours every cell against that service-month's own SLA target (98,5, 99,8 or
99,9 %), not against a common scale: a cell that met its target is green, whatever its
value, and a cell below its target is orange to dark red by how far below it lies, in
percentage points. A common scale would paint SP produktionsmiljø m2's 98,79 % (target
98,50 %: met) redder than KO - infrastruktur's 99,80 % (target 99,90 %: missed). The scale
diverges from the target: pale next to it, darker further away on either side; with values
capped at 100 %, the met side has two steps, "100 %" and "met, below 100 %". Breaches also
have a black frame and a bold value, so that the status does not rest on colour alone
(colour-blind readers, black-and-white print).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from ... import fmt
from ...charts import PALETTE
from ...fmt import month_label
from ...labels import label
from ...operations import AvailabilityMatrix

# Shortfall bands below the target, lower bounds in percentage points (inclusive). The
# published figures have two decimals, so the smallest shortfall is 0,01.
SHORTFALL_BOUNDS = (0.0, 0.5, 1.0, 5.0)

# (fill, text colour) per status: 0 = 100 %, 1 = met below 100 %, then one per shortfall
# band from the smallest up (ColorBrewer RdYlGn, light next to the target)
STATUS_COLOURS = (
    ("#d3ebcb", "#1a1a1a"),  # 100 %: met (most cells: light, so the eye goes to the misses)
    ("#f4f9cf", "#1a1a1a"),  # met, below 100 %: close to the target on the good side
    ("#fdae61", "#1a1a1a"),  # missed by less than 0,50 pp
    ("#f46d43", "#1a1a1a"),  # 0,50-0,99 pp
    ("#d73027", "#ffffff"),  # 1,00-4,99 pp
    ("#7f0000", "#ffffff"),  # 5,00 pp or more
)
MET_STATUSES = (0, 1)
MISSING_COLOUR = "#ffffff"
BREACH_EDGE = "#000000"


def cell_status(availability: float, target: float) -> int | None:
    """The colour status of one service-month against its own target; None when unmeasured.

    0 = 100 % (met), 1 = met below 100 %, 2-5 = missed by <0,50 / 0,50-0,99 / 1,00-4,99 /
    5,00 or more percentage points. The difference is rounded to 6 decimals so that binary
    noise (99,80 - 99,30 = 0,4999999999999716) does not move a cell across a bound.

    >>> cell_status(100.0, 99.9), cell_status(98.79, 98.5), cell_status(98.5, 98.5)
    (0, 1, 1)
    >>> cell_status(99.8, 99.9), cell_status(99.3, 99.8), cell_status(98.98, 99.8)
    (2, 3, 3)
    >>> cell_status(98.4, 99.9), cell_status(83.1, 99.9), cell_status(float("nan"), 99.9)
    (4, 5, None)
    """
    if availability is None or target is None or math.isnan(availability) \
            or math.isnan(target):
        return None
    shortfall = round(target - availability, 6)
    if shortfall <= 0:
        return 0 if availability >= 100 else 1
    return 2 + sum(1 for lower in SHORTFALL_BOUNDS[1:] if shortfall >= lower)


def status_matrix(matrix: AvailabilityMatrix) -> pd.DataFrame:
    """`cell_status` of every cell of the matrix (services x months; <NA> where unmeasured)."""
    values, targets = matrix.availability, matrix.target
    statuses = [[cell_status(values.iat[r, c], targets.iat[r, c])
                 for c in range(values.shape[1])] for r in range(values.shape[0])]
    return pd.DataFrame(statuses, index=values.index, columns=values.columns, dtype="Int64")


def status_labels(language: str = "da") -> list[str]:
    """Legend text of each status: '100 % (målet nået)', ..., '5,00 pct.-point eller mere'."""
    n = lambda v: fmt.number(v, 2, language)  # noqa: E731
    bounds = SHORTFALL_BOUNDS
    ranges = [label("ops_legend_short_first", language, upper=n(bounds[1]))]
    ranges += [label("ops_legend_short_range", language, lower=n(lower), upper=n(upper - 0.01))
               for lower, upper in zip(bounds[1:-1], bounds[2:], strict=True)]
    ranges.append(label("ops_legend_short_last", language, lower=n(bounds[-1])))
    return [label("ops_legend_full", language), label("ops_legend_met", language), *ranges]


def availability_heatmap(matrix: AvailabilityMatrix, targets: pd.Series,
                         language: str = "da"):
    """Services (rows, grouped by platform) x months (columns), each cell coloured by
    `cell_status` against its own month's target (`matrix.target`).

    `matrix` is `operations.availability_matrix(...)`; `targets` the SLA target per
    (platform, service), shown in a column at the right. Every value below 100 % is written
    in its cell; breaches have a black frame and a bold value.
    """
    values = matrix.availability
    months = [str(m) for m in values.columns]
    platforms = list(dict.fromkeys(values.index.get_level_values(0)))
    grouped = len(platforms) > 1
    # one row per service, plus a heading row per platform when there are several
    rows: list[tuple[str, tuple | None]] = []
    for platform in platforms:
        if grouped:
            rows.append((platform, None))
        rows += [(service, (platform, service))
                 for service in values.loc[platform].index]
    n_rows, n_months = len(rows), len(months)
    cell_h = 0.27  # inches
    fig_h = 0.95 + cell_h * n_rows  # + month labels on top and the legend below
    fig, ax = plt.subplots(figsize=(7.2, fig_h))
    ax.set_xlim(-0.5, n_months + 1.1)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0)
    size = 7 if n_months <= 12 else 6
    for y, (name, key) in enumerate(rows):
        if key is None:  # platform heading
            ax.text(-0.55, y + 0.1, name, ha="right", va="center", fontsize=8.5,
                    fontweight="bold", color="#1f4e79")
            continue
        for x, month in enumerate(months):
            value = values.loc[key, month]
            breached = bool(matrix.breached.loc[key, month])
            if pd.isna(value):
                ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=MISSING_COLOUR,
                                       edgecolor="#bfbfbf", hatch="////", linewidth=0.4))
                continue
            colour, ink = STATUS_COLOURS[cell_status(value, matrix.target.loc[key, month])]
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour,
                                   edgecolor="white", linewidth=1.2))
            if breached:
                ax.add_patch(Rectangle((x - 0.42, y - 0.40), 0.84, 0.80, fill=False,
                                       edgecolor=BREACH_EDGE, linewidth=1.4, zorder=3))
            if value < 100:
                ax.text(x, y, fmt.number(value, 2, language), ha="center", va="center",
                        fontsize=size, color=ink, fontweight="bold" if breached else "normal",
                        zorder=4)
        target = targets.get(key, np.nan)
        ax.text(n_months - 0.35, y, fmt.number(target, 2, language), ha="left", va="center",
                fontsize=7.5, color="#404040")
    service_rows = [y for y, (_, key) in enumerate(rows) if key is not None]
    ax.set_yticks(service_rows, [rows[y][0] for y in service_rows], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_xticks(range(n_months),
                  [month_label(m, language).replace(" ", "\n") for m in months], fontsize=7.5)
    ax.text(n_months - 0.35, -0.75, label("ops_target_header", language) + "\n(%)",
            ha="left", va="bottom", fontsize=7.5, color="#404040")
    handles = [Patch(facecolor=colour, edgecolor="#bfbfbf", linewidth=0.4, label=text)
               for (colour, _), text in zip(STATUS_COLOURS, status_labels(language),
                                            strict=True)]
    handles.append(Patch(facecolor="white", edgecolor=BREACH_EDGE, linewidth=1.4,
                         label=label("ops_legend_breach", language)))
    if values.isna().to_numpy().any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#bfbfbf", hatch="////",
                             label=label("ops_legend_missing", language)))
    # four columns, filled column by column: the two greens, then the shortfalls in order
    legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.42, 0.0),
                       ncol=4, fontsize=6.8, handlelength=1.5, columnspacing=0.9,
                       frameon=False, title=label("ops_legend_title", language),
                       title_fontsize=7.5, alignment="left")
    legend.get_title().set_color("#404040")
    fig.tight_layout()
    return fig


def call_volume_chart(volume: pd.DataFrame, language: str = "da"):
    """Calls per month (columns, in millions) above the change from the month before (%).

    `volume` is `operations.call_volume(...)`. A month whose previous month is missing has
    no change bar.
    """
    months = [str(m) for m in volume["month"]]
    calls = volume["service_calls"].astype("float64").to_numpy() / 1e6
    change = volume["change_pct"].astype("float64").to_numpy()
    x = np.arange(len(months))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 3.9), sharex=True,
                                      gridspec_kw={"height_ratios": [2.6, 1], "hspace": 0.22})
    top.bar(x, calls, width=0.62, color=PALETTE["gross"])
    for xi, value in zip(x, calls, strict=True):
        top.annotate(fmt.number(value, 0, language), (xi, value), ha="center", va="bottom",
                     xytext=(0, 2), textcoords="offset points", fontsize=7.5)
    top.set_ylim(0, calls.max() * 1.15)
    top.set_ylabel(label("ops_calls_axis", language))
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, 0, language)))
    shown = ~np.isnan(change)
    colours = [PALETTE["operation"] if c >= 0 else PALETTE["accent"] for c in change[shown]]
    bottom.bar(x[shown], change[shown], width=0.62, color=colours)
    bottom.axhline(0, color="#7f7f7f", linewidth=0.6)
    span = np.nanmax(np.abs(change)) if shown.any() else 1.0
    bottom.set_ylim(-span * 1.6, span * 1.6)
    for xi, value in zip(x[shown], change[shown], strict=True):
        text = ("+" if value > 0 else "−" if value < 0 else "") + fmt.number(abs(value), 0,
                                                                            language)
        bottom.annotate(text, (xi, value), ha="center", va="bottom" if value >= 0 else "top",
                        xytext=(0, 1.5 if value >= 0 else -1.5), textcoords="offset points",
                        fontsize=6.5, color="#404040")
    bottom.set_ylabel("%")
    bottom.text(0.0, 1.04, label("ops_change_axis", language), transform=bottom.transAxes,
                ha="left", va="bottom", fontsize=7.5, color="#404040")
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, 0, language)))
    bottom.set_xticks(x, [month_label(m, language).replace(" ", "\n") for m in months],
                      fontsize=7)
    fig.align_ylabels([top, bottom])
    return fig
