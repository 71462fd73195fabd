"""The form of a Danish committee paper (dagsordenspunkt) for every report.

A board member reads page 1 alone: "Resumé" (three to five sentences), "Indstilling" (what
the administration recommends the committee to note or decide, as numbered "at ..."
clauses) and "Økonomi" (the key table). Sources, input files and method go to an annex,
"Bilag: Datagrundlag og metode", at the back. This is the layout of KL's and the
municipalities' own committee papers; the reports only fill it in.

The blocks return IPython HTML like the other report blocks; the print stylesheet
(templates/udkecon_report/print.css) styles them.
"""

from __future__ import annotations

import re

from IPython.display import HTML

from .blocks import text_html
from .labels import check_language, label

# What a reader must never see: internal file names, codes of rate schedules, snake_case
# keys and parameter names. Used by `reader_text` and by the tests of every report.
INTERNAL_NAME = re.compile(
    r"[\w-]+\.(?:csv|xlsx|ipynb|yaml|yml|json|py)\b"   # file names
    r"|\bfm20\d\d\b"                                     # rate schedule codes
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b"                        # snake_case keys and parameters
)

NOTE_RECOMMENDATION = "board_note_taken"  # "at orienteringen tages til efterretning"


def internal_names(text: str) -> list[str]:
    """The internal names in a reader's text (empty when it is clean).

    >>> internal_names("Kilde: KOMBIT's slutregnskab (kombit_final_account.csv), fm2021")
    ['kombit_final_account.csv', 'fm2021']
    >>> internal_names("Nettonutidsværdi (NNV) 2017-2030: -110,6 mio. kr.")
    []
    """
    return [match.group(0) for match in INTERNAL_NAME.finditer(text)]


def _paragraphs(sentences: list[str]) -> str:
    return "".join(f"<p>{text_html(s)}</p>" for s in sentences if s)


def resume(sentences: list[str], language: str = "da") -> str:
    """'Resumé': three to five sentences, the conclusion first."""
    check_language(language)
    if not 1 <= len([s for s in sentences if s]) <= 5:
        raise ValueError("a resumé has one to five sentences (three to five for a board)")
    return (f'<h2 class="board-heading">{text_html(label("board_resume", language))}</h2>'
            f'<div class="board-resume">{_paragraphs(sentences)}</div>')


def recommendation(clauses: list[str], language: str = "da") -> str:
    """'Indstilling': 'Administrationen indstiller,' then numbered 'at ...' clauses.

    The first clause is usually that the committee notes the analysis
    ('at orienteringen tages til efterretning'); decision points follow.
    """
    check_language(language)
    items = "".join(f"<li>{text_html(c)}</li>" for c in clauses if c)
    return (f'<h2 class="board-heading">'
            f'{text_html(label("board_recommendation", language))}</h2>'
            f'<p class="board-lead">{text_html(label("board_recommendation_lead", language))}'
            f'</p><ol class="board-recommendation">{items}</ol>')


def economy(table_html: str, language: str = "da", note: str = "") -> str:
    """'Økonomi': the key table (HTML from `blocks.table`) and an optional short note."""
    check_language(language)
    note_html = f'<p class="table-note">{text_html(note)}</p>' if note else ""
    return (f'<h2 class="board-heading">{text_html(label("board_economy", language))}</h2>'
            f'<div class="board-economy">{table_html}{note_html}</div>')


def front_page(*, resume_sentences: list[str], clauses: list[str], economy_table,
               language: str = "da", economy_note: str = "") -> HTML:
    """Page 1 after the title: Resumé, Indstilling and Økonomi, then a page break.

    `economy_table` is an IPython HTML object or an HTML string.
    """
    table_html = getattr(economy_table, "data", economy_table)
    return HTML('<section class="board-front">'
                + resume(resume_sentences, language)
                + recommendation(clauses, language)
                + economy(table_html, language, economy_note)
                + "</section>")


def note_taken(language: str = "da") -> str:
    """The usual first clause: 'at orienteringen tages til efterretning'."""
    return label(NOTE_RECOMMENDATION, language)


def annex_heading(language: str = "da") -> HTML:
    """The annex at the back: 'Bilag: Datagrundlag og metode', on a new page."""
    check_language(language)
    return HTML(f'<h2 class="annex-heading">{text_html(label("board_annex", language))}</h2>')


def source_list(sources: list[dict], language: str = "da") -> HTML:
    """The annex's list of data sources: title, source in the reader's language, status.

    `sources` are the records of data/raw/sources.csv that the report used (dicts with
    title_da/title_en, source/source_en, status and, after a refresh, retrieved: the
    source line then names the retrieval date).
    """
    from .data import source_text

    check_language(language)
    rows = []
    for record in sources:
        status = record.get("status", "")
        tag_text = label("illustrative_tag", language)
        # a title that already says so ("... (illustrativt eksempel)") is not tagged twice
        tag = (f" <em>({text_html(tag_text)})</em>"
               if status == "illustrative" and tag_text not in record["title_" + language]
               else "")
        rows.append(f'<li><strong>{text_html(record["title_" + language])}</strong>{tag}: '
                    f'{text_html(source_text(record, language))}</li>')
    return HTML(f'<div class="annex-sources"><h3>{text_html(label("sources", language))}</h3>'
                f'<ul>{"".join(rows)}</ul></div>')
