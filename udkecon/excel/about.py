"""The sheet "Om tallene" (About the figures) and the document properties.

The sheet lets a sceptical reader follow every number back: the report and when it was
made, by which version, the price basis and method, the parameters of the run, and each
input file with its source and sha256 - and, first of all, whether the figures are
illustrative.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import openpyxl

from .. import __version__, config, fmt
from ..data import source_text
from ..labels import label
from .book import LEFT_WRAP, SECTION_FONT, WRAP, Book

_LANGUAGE_TAGS = {"da": "da-DK", "en": "en-GB"}


@dataclass
class Section:
    """A heading and its (label, value) rows on the about sheet."""

    heading: str
    rows: list[tuple[str, object]] = field(default_factory=list)


def parameter_value(value):
    """A parameter as one cell shows it: numbers stay numbers, everything else is text.

    >>> parameter_value(2020), parameter_value(None), parameter_value([2017, 2021])
    (2020, None, '2017, 2021')
    >>> parameter_value({"b": 1, "a": "x"})
    '{"a": "x", "b": 1}'
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return ", ".join(str(v) for v in value)
    return str(value)


def timestamp(moment: dt.datetime) -> str:
    """The generation time as written on the sheet: '2026-11-27 10:00:00 UTC'."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def footer_note(language: str, generated_at: dt.datetime) -> str:
    """'Dannet 27. november 2026 · udkecon 0.1.0', printed at the foot of every page."""
    return label("xl_footer", language, date=fmt.long_date(generated_at.date(), language),
                 version=__version__)


def report_section(book: Book, author: str, generated_at: dt.datetime) -> Section:
    return Section(book.label("xl_about_report"), [
        (book.label("xl_report_title"), book.title),
        (book.label("xl_generated_at"), timestamp(generated_at)),
        (book.label("xl_author"), author),
        (book.label("xl_package_version"), f"udkecon {__version__}"),
        (book.label("xl_written_with"), f"openpyxl {openpyxl.__version__}"),
    ])


def parameters_section(book: Book, parameters: Mapping) -> Section:
    not_given = book.label("xl_not_given")
    rows = [(str(key), not_given if parameter_value(value) is None else parameter_value(value))
            for key, value in sorted(parameters.items())]
    return Section(book.label("xl_about_parameters"),
                   rows or [(book.label("xl_none"), "")])


def display_path(path) -> str:
    """A path as the reader sees it: relative to the project when inside it.

    >>> from udkecon import config
    >>> display_path(config.RAW_DIR / "phases.csv")
    'data/raw/phases.csv'
    """
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(config.PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def input_sections(book: Book, inputs: list[dict]) -> list[Section]:
    """One section per input file: title, source, status, file and sha256."""
    title_key = "title_en" if book.language == "en" else "title_da"
    sections = []
    for record in inputs:
        status = record.get("status", "")
        sections.append(Section(f"{book.label('xl_input_file')}: {record.get('file', '')}", [
            (book.label("xl_title"), record.get(title_key, "")),
            (book.label("sources"), source_text(record, book.language)),
            (book.label("xl_status"), book.label(f"xl_status_{status}") if status else ""),
            (book.label("xl_path"), display_path(record.get("path", ""))),
            ("SHA-256", record.get("sha256", "")),
        ]))
    return sections


def write_about_sheet(book: Book, sections: list[Section],
                      illustrative_note: str | None = None) -> None:
    """The sheet "Om tallene": the illustrative note first (default: the cost figures'
    note), then each section."""
    ws = book.add_sheet(book.label("xl_sheet_about"))
    book.heading(ws, book.label("xl_sheet_about"), book.label("xl_about_subtitle"), span=2)
    row = 5
    if book.illustrative:
        book.put(ws, row, 1, book.label("xl_illustrative_heading"), font=SECTION_FONT,
                 alignment=WRAP)
        book.put(ws, row, 2, illustrative_note or book.label("illustrative_note"),
                 alignment=LEFT_WRAP)
        row += 2
    for section in sections:
        book.put(ws, row, 1, section.heading, font=SECTION_FONT)
        row += 1
        for name, value in section.rows:
            book.put(ws, row, 1, name, alignment=WRAP)
            book.put(ws, row, 2, value, alignment=LEFT_WRAP)
            row += 1
        row += 1
    # 24 + 62 fills an A4 portrait page at 100 %
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 62
    ws.print_title_rows = None


def set_properties(book: Book, *, subject: str, author: str, keywords: list[str],
                   description: str, generated_at: dt.datetime) -> None:
    """Title, subject, author, keywords and language of the workbook file."""
    props = book.workbook.properties
    props.title = book.title
    props.subject = subject
    props.creator = author
    props.lastModifiedBy = author
    props.keywords = ", ".join(keywords)
    props.description = description
    props.language = _LANGUAGE_TAGS[book.language]
    props.category = book.label("xl_category")
    moment = generated_at.astimezone(dt.UTC) if generated_at.tzinfo else generated_at
    props.created = props.modified = moment.replace(tzinfo=None)


def document(book: Book, *, method: Section, parameters: Mapping, inputs: list[dict],
             author: str, generated_at: dt.datetime, subject: str, keywords: list[str],
             description: str = "", illustrative_note: str | None = None) -> None:
    """The sheet "Om tallene" (report, `method`, parameters, inputs) and the properties."""
    write_about_sheet(book, [report_section(book, author, generated_at), method,
                             parameters_section(book, parameters),
                             *input_sections(book, inputs)], illustrative_note)
    set_properties(book, subject=subject, author=author, keywords=keywords,
                   description=description, generated_at=generated_at)
