"""The HTML blocks every report is made of: title block, banners, Danish-formatted tables,
key-figure boxes, figures, paragraphs and headings.

Each helper returns an IPython display object whose HTML the PDF template styles; the
print stylesheet (templates/udkecon_report/print.css) turns the title block into the
running header and the illustrative banner into a mark on every page. What a report says
is in its own `udkecon.documents.<report>.text`; these blocks only lay it out.
"""

from __future__ import annotations

import datetime as dt
import html
import io

import pandas as pd
from IPython.display import HTML

from . import __version__, fmt
from .data import source_text
from .labels import check_language, label


def text_html(value) -> str:
    """Reader text as HTML: escaped, with no-break spaces where a line must not break."""
    return html.escape(fmt.keep_together(str(value)))


def title_block(title: str, period: str, price_basis: str, sources: list[dict] | None = None,
                language: str = "da", illustrative: bool = False,
                generated_at: dt.datetime | None = None, subtitle: str = "") -> HTML:
    """The report's first block: title and a compact meta block (period, price basis,
    date, version), with the illustrative banner under it when the figures are illustrative.

    Page 1 of a board paper must also hold Resumé, Indstilling and Økonomi
    (`udkecon.board.front_page`), so the meta block is two short rows: period and date,
    price basis and version. The full source list belongs in the annex
    (`udkecon.board.source_list`); `sources`, when a caller still passes it, becomes one
    more row under the two.
    """
    check_language(language)
    generated_at = generated_at or fmt.generation_time()

    def pair(key: str, value_html: str) -> str:
        return f"<th>{text_html(label(key, language))}</th><td>{value_html}</td>"

    rows = [
        pair("period", text_html(period))
        + pair("report_date", text_html(fmt.long_date(generated_at.date(), language))),
        pair("price_basis", text_html(price_basis))
        + pair("version", text_html(f"udkecon {__version__}")),
    ]
    if sources:
        listed = "<br>".join(
            f"{text_html(s['title_' + language])} – {text_html(source_text(s, language))}"
            + (f" <em>({text_html(label('illustrative_tag', language))})</em>"
               if s.get("status") == "illustrative" else "")
            for s in sources)
        rows.append(f"<th>{text_html(label('sources', language))}</th>"
                    f'<td colspan="3">{listed}</td>')
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    parts = [screen_style(),
             f'<div class="title-block"><h1 class="report-title">{text_html(title)}</h1>']
    if subtitle:
        parts.append(f'<p class="report-subtitle">{text_html(subtitle)}</p>')
    parts.append(f'<table class="meta">{body}</table>')
    if illustrative:
        parts.append(illustrative_banner(language).data)
    parts.append("</div>")
    return HTML("".join(parts))


def screen_style() -> str:
    """The screen stylesheet as a <style> element (sent once, with the title block): the
    notebook view looks like the report; the PDF ignores it (see screen.css)."""
    from .config import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "udkecon_report" / "screen.css").read_text(encoding="utf-8")
    return f'<style class="udkecon-screen">\n{css}</style>'


def illustrative_banner(language: str = "da", banner_key: str = "illustrative_banner",
                        note_key: str = "illustrative_note") -> HTML:
    """A visible warning; its text also becomes the mark in every page's margin."""
    return HTML(f'<div class="illustrative-flag"><strong>'
                f'{text_html(label(banner_key, language))}</strong>'
                f'<span>{text_html(label(note_key, language))}</span></div>')


def table(frame: pd.DataFrame, language: str = "da", decimals: int | dict = 1,
          caption: str = "", note: str = "", total_row: str | None = None,
          index_label: str | None = None, nowrap: bool = False,
          text_cells_right: bool = False) -> HTML:
    """A table with Danish number format, numbers right-aligned, an optional total row.

    `decimals` is one number of decimals or a mapping column -> decimals. Years belong in
    the index or a text column (2020, not 2.020). Headers of text columns align left like
    their text; `nowrap` keeps body cells on one line (names in narrow columns);
    `text_cells_right` aligns text like numbers (for values formatted beforehand).
    """
    check_language(language)
    frame = frame.copy()
    if total_row:
        totals = frame.select_dtypes("number").sum()
        frame.loc[total_row] = totals
    numeric = {c for c in frame.columns
               if text_cells_right or pd.api.types.is_numeric_dtype(frame[c])}
    text_header = ' class="text"'
    head = "".join(f"<th{'' if c in numeric else text_header}>{text_html(str(c))}</th>"
                   for c in frame.columns)
    index_name = index_label if index_label is not None else (frame.index.name or "")
    rows = []
    for key, record in frame.iterrows():
        cells = []
        for column, value in record.items():
            places = decimals.get(column, 1) if isinstance(decimals, dict) else decimals
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<td class="num">{fmt.number(value, places, language)}</td>')
            else:
                css = ' class="right"' if text_cells_right else ""
                cells.append(f"<td{css}>{text_html('' if value is None else str(value))}</td>")
        css = ' class="total"' if total_row and key == total_row else ""
        rows.append(f"<tr{css}><th>{text_html(str(key))}</th>{''.join(cells)}</tr>")
    # caption as a heading in one unbreakable block: WeasyPrint may otherwise leave a
    # <caption> at the foot of a page and its table on the next
    caption_html = f'<p class="table-caption">{text_html(caption)}</p>' if caption else ""
    note_html = f'<p class="table-note">{text_html(note)}</p>' if note else ""
    css = "report-table nowrap" if nowrap else "report-table"
    return HTML(f'<div class="table-block">{caption_html}<table class="{css}"><thead><tr>'
                f"<th>{text_html(str(index_name))}</th>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>{note_html}</div>")


def key_figures(figures: list[tuple[str, str]]) -> HTML:
    """A row of equal boxes, each a formatted value over its caption."""
    boxes = "".join(f'<div class="key-figure"><div class="value">{text_html(value)}</div>'
                    f'<div class="caption">{text_html(caption)}</div></div>'
                    for value, caption in figures)
    return HTML(f'<div class="key-figures">{boxes}</div>')


def figure(fig, source: str = "", dpi: int | None = None) -> HTML:
    """A matplotlib figure with its source line under it, in one block: an SVG image (sharp,
    vector in the PDF), or with `dpi` an opaque PNG of that many dots per inch.

    The SVG travels as an `<img>` with a data URI, not as inline `<svg>`: JupyterLab shows
    the outputs of a notebook it does not trust (an executed report reopened, a papermill
    output) through its HTML sanitizer, which strips inline SVG but keeps an image; plain
    `jupyter nbconvert --to html` shows it as is; and WeasyPrint draws it as vector paths,
    faster than inline SVG (whose thousands of elements would otherwise go through the
    HTML parser and the CSS cascade). Chart and source line stay one output, so that the
    print stylesheet keeps them on one page.

    A raster keeps a PDF cheap to render: a batch of 98 handouts spends most of its time
    in WeasyPrint, and drawing each SVG glyph path costs about a third of a handout's
    rendering; at 200 dpi a chart prints sharp at its size on A4. The figure is closed so
    that JupyterLab does not show it a second time.
    """
    note = f'<p class="source-note">{text_html(source)}</p>' if source else ""
    image = _png(fig, dpi) if dpi is not None else _svg(fig)
    return HTML(f'<div class="figure-block">{image}{note}</div>')


def _svg(fig) -> str:
    """The figure as an <img> of an SVG data URI, full width."""
    import base64

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="">'


def _png(fig, dpi: int) -> str:
    """The figure as an <img> of an opaque PNG, full width."""
    import base64

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    fig.set_dpi(dpi)
    fig.canvas.draw()
    # opaque RGB (no alpha channel): the PDF then holds one image, not an image and a mask
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="chart" src="data:image/png;base64,{data}" style="width: 100%" alt="">'


def paragraph(text: str, css_class: str = "", lead: bool = False) -> HTML:
    """Narrative text computed by the package (numbers already formatted).

    `lead`: the paragraph introduces the chart or table after it and is printed on the same
    page (a heading and its lead left alone at the foot of a page, the chart overleaf, read
    as a section with nothing in it)."""
    classes = " ".join(c for c in (css_class, "lead" if lead else "") if c)
    css = f' class="{classes}"' if classes else ""
    return HTML(f"<p{css}>{text_html(text)}</p>")


def heading(text: str, language: str = "da", level: int = 2) -> None:
    """A section heading in the report (from code, so that it follows `language`)."""
    from IPython.display import display

    check_language(language)
    display(HTML(f"<h{level}>{text_html(text)}</h{level}>"))
