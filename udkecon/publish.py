"""Executed notebook -> HTML without code (our nbconvert template) -> PDF (WeasyPrint).

Also the one way outputs are put in place: written beside their final name, then moved
over it with `os.replace`, so a reader or a crashed run never sees half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import __version__, config, fmt
from .labels import check_language

TEMPLATE = "udkecon_report"
_TITLE = re.compile(r'<h1 class="report-title">(.*?)</h1>', re.S)


def _page_css(language: str) -> str:
    words = ("Side", "af") if language == "da" else ("Page", "of")
    return ('@page { @bottom-right { content: "' + words[0] + '" " " counter(page) " '
            + words[1] + ' " counter(pages); font-size: 7.5pt; color: #595959; } }')


def notebook_html(notebook, language: str = "da", author: str = "udkecon",
                  footer: str = "") -> str:
    """The report HTML of an executed notebook (path or NotebookNode): outputs, no code."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    check_language(language)
    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    css = (config.TEMPLATES_DIR / TEMPLATE / "print.css").read_text(encoding="utf-8")
    exporter = HTMLExporter(template_name=TEMPLATE,
                            extra_template_basedirs=[str(config.TEMPLATES_DIR)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    # notes for the economist in JupyterLab, not for the board: cells so tagged, and single
    # outputs so tagged (the line naming the files a run wrote, `run.Outputs.wrote`)
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"remove-in-report"},
                              remove_single_output_tags={"remove-in-report"}, enabled=True),
        enabled=True)
    created = fmt.generation_time()
    resources = {"udkecon": {
        "language": language, "title": "", "author": author, "version": __version__,
        "created": created.isoformat(), "css": css + "\n" + _page_css(language),
        "footer": footer or f"udkecon {__version__} · {fmt.long_date(created.date(), language)}",
    }}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    match = _TITLE.search(body)
    if match:  # the <title> (PDF metadata) is the report's own title
        body = body.replace("<title></title>", f"<title>{match.group(1).strip()}</title>", 1)
    return body


def html_to_pdf(html: str, pdf_path, base_url=None) -> Path:
    """Render report HTML to a PDF file, placed atomically."""
    from weasyprint import HTML

    pdf_path = Path(pdf_path)
    with atomic_path(pdf_path) as tmp:
        HTML(string=html, base_url=str(base_url or config.PROJECT_ROOT)).write_pdf(tmp)
    return pdf_path


def notebook_to_pdf(notebook, pdf_path, language: str = "da", author: str = "udkecon",
                    footer: str = "") -> Path:
    return html_to_pdf(notebook_html(notebook, language, author, footer), pdf_path)


@contextmanager
def atomic_path(final):
    """Yield a temporary path beside `final`; on success move it over `final`.

    On any error the temporary file is removed and `final` is left as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(handle)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are for reading
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def place(staged, final) -> Path:
    """Move a finished file from a staging folder over its final name (same filesystem)."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, final)
    return final
