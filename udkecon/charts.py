"""Chart styling shared by every report (matplotlib, Agg): one palette, quiet axes, Danish
number format. Each report's own figures are in `udkecon.documents.<report>.charts`; a
figure goes into the report with `blocks.figure`, which writes the source line under it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import fmt  # noqa: E402
from .labels import label  # noqa: E402

# One palette for every report, so a cost type has the same colour everywhere.
PALETTE = {
    "operation": "#1f4e79",
    "implementation": "#5b9bd5",
    "dual_operation": "#f4b183",
    "new_tasks": "#c55a11",
    "gross": "#1f4e79",
    "net": "#70ad47",
    "dut": "#a5a5a5",
    "accent": "#c00000",
}

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "svg.hashsalt": "udkecon",  # stable ids in the SVG, so reports are reproducible
    # chart text stays text (DejaVu Sans, the report's font): a reader can search and copy
    # it in the PDF, and WeasyPrint draws a glyph instead of parsing its outline as a path
    "svg.fonttype": "none",
})


def money_axis(ax, language: str = "da", decimals: int = 0) -> None:
    """Tick labels in the reader's number format and the unit (mio. kr.) on the y axis."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, decimals, language)))
    ax.set_ylabel(label("unit", language))


def finish(fig, ax, title: str = ""):
    """The title at the top left, the layout tightened; the figure returned.

    The source line goes under the figure in the report (`blocks.figure`), not into the image.
    """
    if title:
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig
