"""LibreOffice, headless, for the tests of the Excel handouts: recalculate workbooks from
scratch and print them to PDF (and PNG with poppler's pdftoppm).

Each call gets its own LibreOffice profile, so parallel tests do not collide; the profile
tells Calc to recalculate every OOXML file on load, and the copy handed to LibreOffice has
its cached formula values removed, so nothing a writer cached can pass for a result.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

# /org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode: 0 = always recalculate
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""
_CACHED = re.compile(r'(<c [^>]*?)(?: t="(?:str|n|b|e)")?(>\s*<f[^>]*>[^<]*</f>)\s*<v>[^<]*</v>')
TIMEOUT = 180


def _required(name: str, found: str | None) -> str | None:
    # CI sets UDKECON_REQUIRE_LIBREOFFICE: there a missing tool fails the tests instead of
    # skipping them, since LibreOffice is the independent check of every workbook number
    if found is None and os.environ.get("UDKECON_REQUIRE_LIBREOFFICE"):
        raise RuntimeError(f"{name} is required (UDKECON_REQUIRE_LIBREOFFICE is set) "
                           "but not installed")
    return found


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return _required("soffice", shutil.which("soffice") or shutil.which("libreoffice"))


def pdftoppm() -> str | None:
    return _required("pdftoppm", shutil.which("pdftoppm"))


def strip_cached_values(source: Path, target: Path) -> int:
    """Copy a workbook without the cached values of its formula cells; return how many."""
    removed = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text, count = _CACHED.subn(r"\1\2", data.decode("utf-8"))
                removed += count
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return removed


def _run(arguments: list[str], outdir: Path) -> None:
    executable = soffice()
    if executable is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        command = [executable, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", *arguments, "--outdir", str(outdir)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): "
                               f"{done.stdout}{done.stderr}")


def recalculate(paths, outdir) -> list[Path]:
    """Each workbook fully recalculated by LibreOffice, saved as .xlsx in `outdir`.

    One LibreOffice start serves all `paths` (starting it is the slow part).
    """
    outdir = Path(outdir)
    stripped_dir = outdir / "stripped"
    stripped_dir.mkdir(parents=True, exist_ok=True)
    stripped = []
    for path in paths:
        copy = stripped_dir / Path(path).name
        strip_cached_values(Path(path), copy)
        stripped.append(copy)
    _run(["--convert-to", "xlsx:Calc MS Excel 2007 XML", *map(str, stripped)], outdir)
    results = [outdir / copy.name for copy in stripped]
    missing = [str(r) for r in results if not r.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no {', '.join(missing)}")
    return results


def to_pdf(path, outdir) -> Path:
    """The workbook as LibreOffice prints it (every sheet, with its print setup)."""
    outdir = Path(outdir)
    _run(["--convert-to", "pdf", str(path)], outdir)
    pdf = outdir / (Path(path).stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no {pdf}")
    return pdf


def to_png(pdf, outdir, resolution: int = 80) -> list[Path]:
    """Each page of a PDF as a PNG (pdftoppm)."""
    outdir = Path(outdir)
    prefix = outdir / Path(pdf).stem
    subprocess.run([pdftoppm() or "pdftoppm", "-png", "-r", str(resolution), str(pdf),
                    str(prefix)], check=True, capture_output=True, timeout=TIMEOUT)
    return sorted(outdir.glob(f"{Path(pdf).stem}-*.png"))


def formula_cells(path) -> list[tuple]:
    """(sheet, coordinate, formula, cached value) of every formula cell in a workbook."""
    import openpyxl

    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    return [(ws.title, cell.coordinate, cell.value, cached[ws.title][cell.coordinate].value)
            for ws in formulas.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]
