"""Saving a workbook so that the same inputs give the same bytes, and never a half file.

openpyxl stamps the save time into docProps/core.xml and every zip entry, and writes
formulas without a cached value. `save` rewrites the package: the generation time in its
place, formula cells given the package's values as cached values (what Excel shows before
it recalculates, e.g. in Protected View; the workbook still asks for a full recalculation
on load), the entries in a fixed order with a fixed date. The finished bytes go to a
temporary file in the target directory and replace the target in one step.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .book import Book

# The cell of a formula as openpyxl writes it: <c r="B5" s="3"><f>A5*2</f><v /></c>
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)><f>([^<]*)</f><v ?/></c>')
_FIRST = ("[Content_Types].xml", "_rels/.rels")


def _number(value: float) -> str:
    # repr keeps every digit, so the cached value is the package's value exactly
    return repr(float(value))


def _with_cached_values(xml: str, cached: dict[str, float | str]) -> str:
    def fill(match: re.Match) -> str:
        coordinate, style, formula = match.groups()
        if coordinate not in cached:
            return match.group(0)
        value = cached[coordinate]
        if isinstance(value, str):
            return f'<c r="{coordinate}"{style} t="str"><f>{formula}</f><v>{escape(value)}</v></c>'
        return f'<c r="{coordinate}"{style}><f>{formula}</f><v>{_number(value)}</v></c>'

    return _FORMULA_CELL.sub(fill, xml)


def _stamp(xml: str, moment: dt.datetime) -> str:
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    for element in ("created", "modified"):
        xml = re.sub(rf"(<dcterms:{element}[^>]*>)[^<]*(</dcterms:{element}>)",
                     rf"\g<1>{iso}\g<2>", xml)
    return xml


def package_bytes(book: Book, generated_at: dt.datetime) -> bytes:
    """The workbook as reproducible .xlsx bytes (generated_at: an aware or UTC time)."""
    moment = generated_at.astimezone(dt.UTC) if generated_at.tzinfo else generated_at
    book.workbook.properties.created = moment.replace(tzinfo=None)
    book.fit_row_heights()
    raw = io.BytesIO()
    book.workbook.save(raw)
    sheets = {ws.path.lstrip("/"): book.cached.get(ws.title, {})
              for ws in book.workbook.worksheets}
    # zip dates cannot be before 1980
    stamp = max(moment.replace(tzinfo=None), dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = sorted(source.namelist(),
                       key=lambda n: (_FIRST.index(n) if n in _FIRST else len(_FIRST), n))
        for name in names:
            data = source.read(name)
            if name in sheets and sheets[name]:
                data = _with_cached_values(data.decode("utf-8"), sheets[name]).encode("utf-8")
            elif name == "docProps/core.xml":
                data = _stamp(data.decode("utf-8"), moment).encode("utf-8")
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


def write_atomically(path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def save(book: Book, path, generated_at: dt.datetime) -> Path:
    """Write the workbook reproducibly and atomically; return its path."""
    return write_atomically(path, package_bytes(book, generated_at))



def report_writer(build):
    """The `write` of a report's workbook module, from its `build`:

        write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path

    builds the workbook and saves it to `path` atomically, returning the path.
    `generated_at` defaults to SOURCE_DATE_EPOCH when set, else now; with the same report,
    parameters and time the file is byte-identical. One signature for every report.
    """
    def write(report, path, *, parameters: dict, author: str = "udkecon",
              generated_at: dt.datetime | None = None) -> Path:
        from ..fmt import generation_time

        generated_at = generated_at or generation_time()
        book = build(report, parameters=parameters, author=author, generated_at=generated_at)
        return save(book, path, generated_at)

    write.__doc__ = (f"Write the workbook of {build.__module__.rsplit('.', 2)[-2]} to `path` "
                     "(atomically) and return the path; see `excel.save.report_writer`.")
    write.__module__ = build.__module__
    return write
