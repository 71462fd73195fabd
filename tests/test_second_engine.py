"""A second spreadsheet engine: Gnumeric's ssconvert recalculates each report's workbook with
its formulas' cached values stripped, and arrives at the package's numbers.

LibreOffice does the same in the workbook tests; a second engine catches formulas that only
one engine reads as meant. It found one: `SUMPRODUCT((A<B)*ISNUMBER(A))` counted every
breach in LibreOffice and Excel but none in Gnumeric, which reads ISNUMBER of a range as one
value; the operations workbook now writes `(A<>"")`.
"""

from __future__ import annotations

import shutil
import subprocess

import libreoffice
import openpyxl
import pytest

TOLERANCE = 1e-6

pytestmark = pytest.mark.skipif(shutil.which("ssconvert") is None,
                                reason="Gnumeric (ssconvert) is not installed")


def _workbook(report: str, path):
    if report == "fixed_prices":
        from udkecon.documents.fixed_prices import model, workbook

        return workbook.write(model.build(), path, parameters={})
    if report == "business_case":
        from udkecon.documents.business_case import model, workbook

        return workbook.write(model.build("udk_share", draws=500), path, parameters={})
    if report == "handout":
        from udkecon.documents.handout import model, workbook

        return workbook.write(model.build(101), path, parameters={})
    from udkecon.documents.operations import model, workbook

    return workbook.write(model.build(), path, parameters={})


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's file
@pytest.mark.parametrize("report", ["fixed_prices", "business_case", "handout", "operations"])
def test_gnumeric_recalculates_every_formula_to_the_package_value(report, tmp_path):
    path = _workbook(report, tmp_path / f"{report}.xlsx")
    cells = libreoffice.formula_cells(path)  # (sheet, cell, formula, package value)
    assert len(cells) > 50
    stripped = tmp_path / f"stripped_{report}.xlsx"
    assert libreoffice.strip_cached_values(path, stripped) == len(cells)
    result = tmp_path / f"gnumeric_{report}.xlsx"
    subprocess.run(["ssconvert", "--recalc", str(stripped), str(result)], check=True,
                   capture_output=True, timeout=300)
    book = openpyxl.load_workbook(result, data_only=True)
    wrong = []
    for sheet, coordinate, formula, expected in cells:
        got = book[sheet][coordinate].value
        if isinstance(expected, str):
            same = got == expected
        else:
            same = isinstance(got, int | float) and got == pytest.approx(expected,
                                                                        abs=TOLERANCE)
        if not same:
            wrong.append(f"{sheet}!{coordinate} {formula}: {got!r} != {expected!r}")
    assert wrong == []
