"""Charts of the operations report: availability heatmap and calls to Serviceplatformen.

Availability lives between 98 and 100 % (one outage of 83 % aside), so a linear colour
scale would paint almost every cell the same. The heatmap uses bands instead, narrow near
100 %: 100 / 99,90-99,99 / 99,50-99,89 / 99,00-99,49 / 98,00-98,99 / under 98 %. Whether a
cell is a breach depends on the service's own target (98,5, 99,8 or 99,9 %), so breaches
are marked separately: a black frame and the value in bold.
"""

from __future__ import annotations

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

# (lower bound, colour, text colour), from 100 % down; a cell takes the first band whose
# lower bound it reaches. Light to dark as availability falls: the eye goes to the outages.
AVAILABILITY_BANDS = (
    (100.0, "#f2f2f2", "#1a1a1a"),
    (99.9, "#fee8c8", "#1a1a1a"),
    (99.5, "#fdbb84", "#1a1a1a"),
    (99.0, "#fc8d59", "#1a1a1a"),
    (98.0, "#d7301f", "#ffffff"),
    (-np.inf, "#7f0000", "#ffffff"),
)
MISSING_COLOUR = "#ffffff"
BREACH_EDGE = "#000000"


def band(value: float) -> int:
    """The index of the colour band of an availability in percent.

    >>> band(100.0), band(99.95), band(99.8), band(99.3), band(98.98), band(83.1)
    (0, 1, 2, 3, 4, 5)
    """
    for index, (lower, _, _) in enumerate(AVAILABILITY_BANDS):
        if value >= lower:
            return index
    return len(AVAILABILITY_BANDS) - 1


def band_labels(language: str = "da") -> list[str]:
    """Legend text of each band: '100 %', '99,90–99,99 %', ..., 'under 98 %'."""
    n = lambda v: fmt.number(v, 2, language)  # noqa: E731
    unit = "\u00a0%" if language == "da" else "%"
    labels = [f"100{unit}"]
    bounds = [b[0] for b in AVAILABILITY_BANDS]
    for upper, lower in zip(bounds[:-2], bounds[1:-1], strict=True):
        labels.append(f"{n(lower)}–{n(upper - 0.01)}{unit}")
    labels.append(label("ops_legend_below", language, value=fmt.number(bounds[-2], 0, language)))
    return labels


def availability_heatmap(matrix: AvailabilityMatrix, targets: pd.Series,
                         language: str = "da"):
    """Services (rows, grouped by platform) x months (columns), coloured by availability band.

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
            _, colour, ink = AVAILABILITY_BANDS[band(value)]
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
               for (_, colour, _), text in zip(AVAILABILITY_BANDS, band_labels(language),
                                               strict=True)]
    handles.append(Patch(facecolor="white", edgecolor=BREACH_EDGE, linewidth=1.4,
                         label=label("ops_legend_breach", language)))
    if values.isna().to_numpy().any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#bfbfbf", hatch="////",
                             label=label("ops_legend_missing", language)))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.45, 0.0),
              ncol=4, fontsize=7, handlelength=1.6, columnspacing=1.2, frameon=False)
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
