"""The Excel handouts: live formulas that LibreOffice recalculates to the package's numbers,
text that stays text, print setup, provenance, reproducible bytes, atomic writes.

The tests that need LibreOffice (soffice) or poppler (pdftoppm) skip with a reason when
these are not installed; CI installs them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import libreoffice
import numpy_financial as npf
import openpyxl
import pytest

from udkecon import __version__, config
from udkecon import business_case as bc
from udkecon.documents.business_case import model as business_case_model
from udkecon.documents.business_case import workbook as business_case_workbook
from udkecon.documents.fixed_prices import workbook as fixed_prices_workbook
from udkecon.documents.fixed_prices.model import build as fixed_price_analysis
from udkecon.excel.book import MONEY
from udkecon.labels import label

TESTS = Path(__file__).resolve().parent

DATA = TESTS / "data"
INJECTION = DATA / "excel_formula_injection.csv"
# the ledger above covers 2020-2021; a DUT year without costs is refused, so its own DUT file
INJECTION_DUT = DATA / "excel_formula_injection_dut.csv"
HAND_CASE = DATA / "excel_business_case_hand.csv"
GENERATED = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
PARAMETERS = {"base_year": 2020, "language": "da", "cost_file": None}
TOLERANCE = 0.001  # mio. kr.
EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "Err:")

needs_libreoffice = pytest.mark.skipif(libreoffice.soffice() is None,
                                       reason="LibreOffice (soffice) is not installed")
needs_poppler = pytest.mark.skipif(libreoffice.pdftoppm() is None,
                                   reason="poppler's pdftoppm is not installed")

SHEETS_DA = ["Oversigt", "Løbende priser", "Faste priser", "DUT og netto", "Indeks",
             "Forudsætninger", "Om tallene"]
SHEETS_EN = ["Summary", "Current prices", "Fixed prices", "DUT and net", "Index",
             "Assumptions", "About the figures"]
BC_SHEETS_DA = ["Oversigt", "Poster", "Pengestrømme", "Risikojustering", "Følsomhed",
                "Indeks", "Forudsætninger", "Om tallene"]  # udk_share: restated with the CPI
BC_SHEETS_EN = ["Summary", "Items", "Cash flows", "Risk adjustment", "Sensitivity",
                "Assumptions", "About the figures"]


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def analyses():
    return {
        "costs_da": fixed_price_analysis(),
        "costs_en": fixed_price_analysis(language="en"),
        "injection": fixed_price_analysis(cost_file=INJECTION, dut_file=INJECTION_DUT),
    }


@pytest.fixture(scope="module")
def cases():
    """The illustrative UDK case at Finansministeriet's 2021 rates, with its tornado and
    Monte Carlo; and the hand case at a flat 4 % (its numbers are worked out below)."""
    return {
        "bc_da": business_case_model.build("udk_share", "fm2021", draws=2000, seed=7,
                                           language="da"),
        "bc_hand": business_case_model.build(str(HAND_CASE), 0.04, draws=200, language="en"),
    }


@pytest.fixture(scope="module")
def workbooks(analyses, cases, tmp_path_factory):
    """Each workbook written once; plus copies with an assumption changed by a reader: the
    Danish costs workbook with base year 2021, the hand case with every rate at 5 %."""
    folder = tmp_path_factory.mktemp("workbooks")
    paths = {name: fixed_prices_workbook.write(analysis, folder / f"{name}.xlsx",
                                               parameters=PARAMETERS, author="Test Økonom",
                                               generated_at=GENERATED)
             for name, analysis in analyses.items()}
    for name, report in cases.items():
        paths[name] = business_case_workbook.write(
            report, folder / f"{name}.xlsx", parameters={"rate": "fm2021"},
            author="Test Økonom", generated_at=GENERATED)
    rebased = openpyxl.load_workbook(paths["costs_da"])
    rebased["Forudsætninger"]["B5"] = 2021
    paths["rebased_2021"] = folder / "rebased_2021.xlsx"
    rebased.save(paths["rebased_2021"])
    at_five = openpyxl.load_workbook(paths["bc_hand"])
    for row in range(5, 10):  # t = 0..4
        at_five["Assumptions"][f"C{row}"] = 0.05
    paths["bc_hand_5pct"] = folder / "bc_hand_5pct.xlsx"
    at_five.save(paths["bc_hand_5pct"])
    return paths


@pytest.fixture(scope="module")
def recalculated(workbooks, tmp_path_factory):
    """Every workbook recalculated from scratch by LibreOffice (one start for all)."""
    if libreoffice.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    names = list(workbooks)
    results = libreoffice.recalculate([workbooks[n] for n in names],
                                      tmp_path_factory.mktemp("recalculated"))
    return {name: openpyxl.load_workbook(path, data_only=True)
            for name, path in zip(names, results, strict=True)}


def row_of_source_row(ws, source_row: int) -> int:
    """The sheet row that shows a given row of the cost file (column A)."""
    for row in range(5, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == source_row:
            return row
    raise AssertionError(f"source row {source_row} not on {ws.title}")


def row_of_year(ws, year: int, column: int = 1, first: int = 5) -> int:
    for row in range(first, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == year:
            return row
    raise AssertionError(f"year {year} not on {ws.title}")


# --------------------------------------------------------------------------- recalculation

@needs_libreoffice
class TestFormulasRecalculated:
    """LibreOffice, recalculating every formula with no cached value to lean on, arrives at
    the package's numbers (written as each formula's cached value)."""

    @pytest.mark.parametrize("name", ["costs_da", "costs_en", "injection", "bc_da", "bc_hand"])
    def test_every_formula_cell_equals_the_package_value(self, name, workbooks, recalculated):
        cells = libreoffice.formula_cells(workbooks[name])
        assert len(cells) > 50
        result = recalculated[name]
        for sheet, coordinate, formula, expected in cells:
            assert expected is not None, f"{sheet}!{coordinate} {formula} has no package value"
            got = result[sheet][coordinate].value
            where = f"{sheet}!{coordinate} {formula}"
            if isinstance(expected, str):
                assert got == expected, where
            else:
                assert isinstance(got, int | float), f"{where}: {got!r}"
                assert got == pytest.approx(expected, abs=TOLERANCE), where

    @pytest.mark.parametrize("name", ["costs_da", "costs_en", "injection", "rebased_2021",
                                      "bc_da", "bc_hand", "bc_hand_5pct"])
    def test_no_cell_holds_an_error(self, name, recalculated):
        for ws in recalculated[name].worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "e", f"{ws.title}!{cell.coordinate}: {cell.value}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(EXCEL_ERRORS), \
                            f"{ws.title}!{cell.coordinate}: {cell.value}"

    def test_recalculation_does_not_trust_cached_values(self, tmp_path, analyses):
        # A workbook whose cached value is wrong on purpose: LibreOffice must replace it.
        path = fixed_prices_workbook.write(analyses["injection"], tmp_path / "wrong.xlsx",
                                           parameters={}, generated_at=GENERATED)
        with zipfile.ZipFile(path) as source:
            items = {n: source.read(n) for n in source.namelist()}
        sheet = "xl/worksheets/sheet3.xml"  # Faste priser
        text = items[sheet].decode()
        assert "<f>F5*H5</f><v>10.0</v>" in text  # 2020 at 2020 prices: 10.0 * 1
        items[sheet] = text.replace("<f>F5*H5</f><v>10.0</v>",
                                    "<f>F5*H5</f><v>999.0</v>").encode()
        with zipfile.ZipFile(path, "w") as target:
            for name, data in items.items():
                target.writestr(name, data)
        [result] = libreoffice.recalculate([path], tmp_path / "out")
        assert openpyxl.load_workbook(result, data_only=True)["Faste priser"]["I5"].value == 10.0


@needs_libreoffice
class TestFixedPricesByHand:
    def test_a_ledger_row(self, recalculated):
        # cost file row 2: 2017, KMD-løsninger, operation, 148.6 mio. kr. (current prices)
        # CPI 2017 = 101.40, 2020 = 103.43: 148.6 * 103.43 / 101.40 = 15369.698 / 101.40
        #                                   = 151.57493...
        ws = recalculated["costs_da"]["Faste priser"]
        row = row_of_source_row(ws, 2)
        assert ws[f"H{row}"].value == pytest.approx(103.43 / 101.40, abs=1e-9)
        assert ws[f"I{row}"].value == pytest.approx(151.57493, abs=TOLERANCE)

    def test_net_in_the_base_year(self, recalculated):
        # 2020 is the base year (factor 1): gross = the 2020 rows of the cost file
        # 29.8 + 8.4 + 11.2 + 12.2 + 16.8 + 6.9 + 11.5 + 5.3 + 9.8 + 2.2 + 9.4 + 17.7 + 9.2
        # + 14.3 = 164.7; DUT 2020 = 4.1; net = 164.7 - 4.1 = 160.6
        ws = recalculated["costs_da"]["DUT og netto"]
        row = row_of_year(ws, 2020)
        assert ws[f"F{row}"].value == pytest.approx(164.7, abs=TOLERANCE)
        assert ws[f"G{row}"].value == pytest.approx(4.1, abs=TOLERANCE)
        assert ws[f"H{row}"].value == pytest.approx(160.6, abs=TOLERANCE)

    def test_key_figures_from_the_raw_files(self, recalculated):
        # An independent route: the raw CSV files summed here, year by year, at 2020 prices.
        index = {int(r["year"]): float(r["cpi_2015_100"]) for r in _rows(config.CPI_FILE)}
        gross = sum(float(r["amount_mio_dkk"]) * index[2020] / index[int(r["year"])]
                    for r in _rows(config.COSTS_FILE))
        dut = sum(float(r["dut_compensation_mio_dkk"]) * index[2020] / index[int(r["year"])]
                  for r in _rows(config.DUT_FILE))
        ws = recalculated["costs_da"]["Oversigt"]
        # the key table under "Økonomi" ends in its total row, gross, DUT, net in B-D
        total = row_of_year(ws, "I alt 2017-2021")
        assert ws[f"B{total}"].value == pytest.approx(gross, abs=TOLERANCE)
        assert ws[f"C{total}"].value == pytest.approx(dut, abs=TOLERANCE)
        assert ws[f"D{total}"].value == pytest.approx(gross - dut, abs=TOLERANCE)
        # identity: the stacked cost types add up to the gross cost of each year
        year_rows = range(total - 5, total)
        type_header = row_of_year(ws, "År", first=total)
        assert ws[f"F{type_header}"].value == "I alt"
        for row in year_rows:
            type_row = row_of_year(ws, ws[f"A{row}"].value, first=type_header)
            assert ws[f"F{type_row}"].value == pytest.approx(ws[f"B{row}"].value, abs=TOLERANCE)


def _rows(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@needs_libreoffice
class TestBaseYearFollows:
    """Writing 2021 in Forudsætninger!B5 restates the whole workbook at 2021 prices."""

    def test_a_ledger_row(self, recalculated):
        # 148.6 * 105.35 / 101.40 = 15655.01 / 101.40 = 154.38866...
        ws = recalculated["rebased_2021"]["Faste priser"]
        assert ws[f"I{row_of_source_row(ws, 2)}"].value == pytest.approx(154.38866, abs=TOLERANCE)

    def test_agrees_with_the_package_at_2021(self, recalculated):
        at_2021 = fixed_price_analysis(base_year=2021)
        ws = recalculated["rebased_2021"]["DUT og netto"]
        for year in at_2021.years:
            row = row_of_year(ws, year)
            for column, field in (("F", "gross_fixed"), ("G", "dut_fixed"), ("H", "net_fixed")):
                assert ws[f"{column}{row}"].value == pytest.approx(
                    at_2021.net.loc[year, field], abs=TOLERANCE), (year, field)
        summary = recalculated["rebased_2021"]["Oversigt"]
        total = row_of_year(summary, "I alt 2017-2021")
        assert summary[f"D{total}"].value == pytest.approx(at_2021.net["net_fixed"].sum(),
                                                           abs=TOLERANCE)
        assert summary["A2"].value == "Mio. kr. Faste priser er i 2021-niveau."


# --------------------------------------------------------------------------- text safety

class TestTextStaysText:
    def _raw(self):
        return _rows(INJECTION)

    def test_written_as_strings(self, workbooks):
        ws = openpyxl.load_workbook(workbooks["injection"])["Løbende priser"]
        raw = self._raw()
        assert {r["system"][0] for r in raw} == {"=", "+", "-", "@"}
        for record, row in zip(raw, range(5, 5 + len(raw)), strict=True):
            for column, field in (("C", "system"), ("H", "note")):
                cell = ws[f"{column}{row}"]
                assert cell.data_type == "s", cell.coordinate
                assert cell.value == record[field]
            # Excel's quote prefix: editing the cell keeps it text too
            assert ws[f"C{row}"].quotePrefix

    def test_no_formula_from_data(self, workbooks):
        # the only formulas are the package's own: none on the sheet of the ledger as read
        ws = openpyxl.load_workbook(workbooks["injection"])["Løbende priser"]
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
        fixed = openpyxl.load_workbook(workbooks["injection"])["Faste priser"]
        assert fixed["C5"].data_type == "s"
        assert fixed["C5"].value.startswith("=HYPERLINK(")

    @needs_libreoffice
    def test_still_text_after_recalculation(self, recalculated):
        ws = recalculated["injection"]["Løbende priser"]
        for record, row in zip(self._raw(), range(5, 10), strict=True):
            assert ws[f"C{row}"].value == record["system"]
            assert ws[f"H{row}"].value == record["note"]


# --------------------------------------------------------------------------- structure

class TestWorkbookStructure:
    def test_danish_sheets_in_order(self, workbooks):
        assert openpyxl.load_workbook(workbooks["costs_da"]).sheetnames == SHEETS_DA

    def test_english_sheets_and_headers(self, workbooks):
        wb = openpyxl.load_workbook(workbooks["costs_en"])
        assert wb.sheetnames == SHEETS_EN
        assert wb["Fixed prices"]["I4"].value == "Fixed prices (DKK million)"

    def test_tables_frozen_headers_and_number_formats(self, workbooks, analyses):
        wb = openpyxl.load_workbook(workbooks["costs_da"])
        last = 4 + len(analyses["costs_da"].ledger)  # header in row 4, one row per entry
        expected = {"Løbende priser": (f"A4:H{last}", ["F"]),
                    "Faste priser": (f"A4:J{last}", ["F", "I"]),
                    "DUT og netto": ("A4:J9", ["B", "C", "D", "F", "G", "H"]),
                    "Indeks": ("A4:C13", [])}
        for sheet, (span, money_columns) in expected.items():
            ws = wb[sheet]
            [table] = ws.tables.values()
            assert table.ref == span
            assert table.autoFilter is not None  # the header has filter buttons
            assert ws.freeze_panes == "A5"
            assert ws.print_title_rows == "$4:$4"
            for column in money_columns:
                assert ws[f"{column}5"].number_format == MONEY

    def test_print_setup(self, workbooks):
        wb = openpyxl.load_workbook(workbooks["costs_da"])
        landscape = {"Oversigt", "Løbende priser", "Faste priser", "DUT og netto"}
        for ws in wb.worksheets:
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
            assert ws.page_setup.orientation == ("landscape" if ws.title in landscape
                                                 else "portrait")
            if ws.title != "Indeks":  # narrow enough to print at 100 %
                assert ws.sheet_properties.pageSetUpPr.fitToPage
                assert ws.page_setup.fitToWidth == 1
            assert ws.oddHeader.left.text == "Kommunale IT-omkostninger vedr. UDK 2017-2021"
            assert ws.oddHeader.right.text == "Illustrativt eksempel"
            assert ws.oddFooter.left.text == "Dannet 27. november 2026 · udkecon " + __version__
            assert ws.oddFooter.right.text == "Side &P af &N"
        assert wb["Oversigt"].page_setup.fitToHeight == 1  # the summary is one page

    def test_summary_has_native_charts(self, workbooks):
        with zipfile.ZipFile(workbooks["costs_da"]) as package:
            charts = sorted(n for n in package.namelist() if n.startswith("xl/charts/chart"))
            assert len(charts) == 2
            stacked = package.read(charts[0]).decode()
            lines = package.read(charts[1]).decode()
            rels = package.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert '<grouping val="stacked"' in stacked
        ws = openpyxl.load_workbook(workbooks["costs_da"])["Oversigt"]
        type_header = row_of_year(ws, "År", first=row_of_year(ws, "I alt 2017-2021"))
        assert f"'Oversigt'!$B${type_header + 1}:$B${type_header + 5}" in stacked
        assert "<lineChart>" in lines
        assert "drawing" in rels  # on the summary sheet, the first one

    def test_document_properties(self, workbooks):
        props = openpyxl.load_workbook(workbooks["costs_da"]).properties
        assert props.title == "Kommunale IT-omkostninger vedr. UDK 2017-2021"
        assert props.subject.endswith("faste priser (2020-niveau)")
        assert props.creator == "Test Økonom"
        assert "UDK" in props.keywords and "faste priser" in props.keywords
        assert props.created == dt.datetime(2026, 11, 27, 9, 30)
        assert props.modified == dt.datetime(2026, 11, 27, 9, 30)

    def test_base_year_cell_is_an_input(self, workbooks):
        ws = openpyxl.load_workbook(workbooks["costs_da"])["Forudsætninger"]
        assert ws["B5"].value == 2020
        [validation] = ws.data_validations.dataValidation
        assert (validation.type, validation.formula1, validation.formula2) == \
            ("whole", "2015", "2023")


class TestAboutTheFigures:
    def _texts(self, path, sheet="Om tallene"):
        ws = openpyxl.load_workbook(path)[sheet]
        return [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in range(1, ws.max_row + 1)]

    def test_sha256_of_every_input(self, workbooks):
        values = [value for _, value in self._texts(workbooks["costs_da"])]
        for path in (config.COSTS_FILE, config.DUT_FILE, config.CPI_FILE, config.PHASES_FILE):
            assert hashlib.sha256(path.read_bytes()).hexdigest() in values, path.name
            assert f"data/raw/{path.name}" in values

    def test_version_time_price_basis_and_parameters(self, workbooks):
        rows = dict(self._texts(workbooks["costs_da"]))
        assert rows["Programversion"] == f"udkecon {__version__}"
        assert rows["Dannet"] == "2026-11-27 09:30:00 UTC"
        assert rows["Forfatter"] == "Test Økonom"
        assert rows["Basisår (faste priser)"] == 2020
        assert rows["Prisindeks"].startswith("Forbrugerprisindeks")
        assert rows["base_year"] == 2020 and rows["language"] == "da"
        assert rows["cost_file"] == "(ikke angivet)"

    def test_illustrative_note(self, workbooks):
        rows = dict(self._texts(workbooks["costs_da"]))
        assert rows["Illustrative tal"].startswith("Kilden (KOMBITs programledermøde")

    def test_no_illustrative_note_for_real_figures(self, tmp_path):
        real = fixed_price_analysis(cost_file=DATA / "excel_costs_real.csv",
                                    dut_file=DATA / "excel_dut_real.csv")
        path = fixed_prices_workbook.write(real, tmp_path / "real.xlsx", parameters={},
                                           generated_at=GENERATED)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert ws.oddHeader.right.text is None
            assert "Illustrativ" not in str(ws["A3"].value)
        assert "Illustrative tal" not in dict(self._texts(path))


# --------------------------------------------------------------------------- bytes

class TestReproducible:
    def test_same_epoch_same_bytes(self, analyses, tmp_path, monkeypatch):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
        first = fixed_prices_workbook.write(analyses["costs_da"], tmp_path / "a.xlsx",
                                            parameters=PARAMETERS)
        second = fixed_prices_workbook.write(analyses["costs_da"], tmp_path / "b.xlsx",
                                             parameters=PARAMETERS)
        assert first.read_bytes() == second.read_bytes()
        # 1795000000 s = 20775 days * 86400 s + 40000 s; 1970-01-01 + 20775 days = 2026-11-18
        # and 40000 s = 11 h 6 min 40 s: 2026-11-18 11:06:40 UTC, stamped on every zip entry
        with zipfile.ZipFile(first) as package:
            assert {i.date_time for i in package.infolist()} == {(2026, 11, 18, 11, 6, 40)}
            assert "2026-11-18T11:06:40Z" in package.read("docProps/core.xml").decode()

    def test_same_bytes_from_another_process(self, analyses, tmp_path, monkeypatch):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
        here = fixed_prices_workbook.write(analyses["costs_da"], tmp_path / "here.xlsx",
                                           parameters=PARAMETERS)
        there = tmp_path / "there.xlsx"
        script = ("import sys; from udkecon.documents.fixed_prices import model, workbook; "
                  "workbook.write(model.build(), sys.argv[1], "
                  f"parameters={PARAMETERS!r})")
        env = dict(os.environ, PYTHONHASHSEED="12345")
        subprocess.run([sys.executable, "-c", script, str(there)], check=True, env=env,
                       cwd=config.PROJECT_ROOT, timeout=120)
        assert here.read_bytes() == there.read_bytes()

    def test_another_epoch_other_bytes(self, analyses, tmp_path, monkeypatch):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
        first = fixed_prices_workbook.write(analyses["costs_da"], tmp_path / "a.xlsx",
                                            parameters=PARAMETERS)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000001")
        second = fixed_prices_workbook.write(analyses["costs_da"], tmp_path / "b.xlsx",
                                             parameters=PARAMETERS)
        assert first.read_bytes() != second.read_bytes()


class TestAtomicWrite:
    def test_a_failed_write_leaves_the_old_file(self, analyses, tmp_path, monkeypatch):
        target = tmp_path / "report.xlsx"
        target.write_bytes(b"the finished workbook of yesterday")

        def disk_full(_descriptor):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("udkecon.excel.save.os.fsync", disk_full)
        with pytest.raises(OSError):
            fixed_prices_workbook.write(analyses["costs_da"], target, parameters={},
                                        generated_at=GENERATED)
        assert target.read_bytes() == b"the finished workbook of yesterday"
        assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]

    def test_creates_the_directory(self, analyses, tmp_path):
        path = fixed_prices_workbook.write(analyses["injection"], tmp_path / "new" / "x.xlsx",
                                           parameters={}, generated_at=GENERATED)
        assert path.exists() and zipfile.is_zipfile(path)


# --------------------------------------------------------------------------- as printed

@needs_libreoffice
@needs_poppler
class TestPrinted:
    def test_summary_prints_on_one_landscape_page(self, workbooks, tmp_path):
        from pypdf import PdfReader

        pdf = libreoffice.to_pdf(workbooks["costs_da"], tmp_path)
        pages = PdfReader(pdf).pages
        first = pages[0]
        assert first.mediabox.width > first.mediabox.height  # landscape
        text = first.extract_text()
        for heading in ("Resumé", "Indstilling", "Økonomi", "I alt 2017-2021"):
            assert heading in text
        assert "Omkostninger efter type, faste priser" in text
        assert f"Side 1 af {len(pages)}" in text
        assert "Omkostninger i løbende priser" in pages[1].extract_text()
        pictures = libreoffice.to_png(pdf, tmp_path, resolution=40)
        assert len(pictures) == len(pages)


# --------------------------------------------------------------------------- business case

HAND_NET = [-45.0, -5.0, 40.0, 40.0, 40.0]
# The hand case (tests/data/excel_business_case_hand.csv), 2020-2024:
#   scenario 0: legacy operation 100 a year                       -> 100 100 100 100 100
#   scenario 1: legacy 100 in 2020, new operation 60 from 2021, investment 90 spread
#               over 2020-2021 (45 a year)                        -> 145 105  60  60  60
#   net benefit = 0 - 1                                           ->  -45  -5  40  40  40
# At a flat 4 % with year 0 undiscounted:
#   NPV = -45 - 5/1.04 + 40/1.0816 + 40/1.124864 + 40/1.16985856
#       = -45 - 4.80769 + 36.98225 + 35.55985 + 34.19217 = 56.92658
#   PV benefits = 36.98225 + 35.55985 + 34.19217 = 106.73427; PV costs = 49.80769
#   B/C = 106.73427 / 49.80769 = 2.14293
#   cumulative net benefit -45, -50, -10, 30, 70: payback = 2 + 10/40 = 2.25 years


@needs_libreoffice
class TestBusinessCaseRecalculated:
    def _row(self, ws, year):
        return row_of_year(ws, year)

    def test_hand_case_npv_and_key_figures(self, recalculated):
        cash = recalculated["bc_hand"]["Cash flows"]
        assert [cash[f"E{r}"].value for r in range(5, 10)] == pytest.approx(HAND_NET)
        assert cash["H5"].value == 1.0  # year 0 is not discounted
        assert cash["H7"].value == pytest.approx(1 / 1.0816, abs=1e-9)
        assert cash["M5"].value == pytest.approx(56.92658, abs=TOLERANCE)
        assert cash["M6"].value == pytest.approx(106.73427, abs=TOLERANCE)
        assert cash["M7"].value == pytest.approx(49.80769, abs=TOLERANCE)
        assert cash["M8"].value == pytest.approx(2.14293, abs=1e-5)
        summary = recalculated["bc_hand"]["Summary"]
        values = {summary[f"A{r}"].value: summary[f"B{r}"].value
                  for r in range(1, summary.max_row + 1)}
        assert values[label("xl_bc_npv", "en")] == pytest.approx(56.92658, abs=TOLERANCE)
        # payback is a formula now, recalculated by LibreOffice: 2 + 10/40 = 2.25 (above)
        assert values[label("xl_bc_payback", "en")] == pytest.approx(2.25, abs=1e-12)

    def test_hand_case_against_numpy_financial(self, recalculated):
        # numpy-financial's npv does not discount the first value either (unlike Excel's)
        cash = recalculated["bc_hand"]["Cash flows"]
        assert cash["M5"].value == pytest.approx(npf.npv(0.04, HAND_NET), abs=TOLERANCE)
        assert cash["M9"].value == pytest.approx(npf.irr(HAND_NET), abs=1e-6)
        # identity: at the IRR the NPV is zero
        assert npf.npv(cash["M9"].value, HAND_NET) == pytest.approx(0.0, abs=1e-6)

    def test_stepwise_rate_agrees_with_the_package(self, recalculated, cases):
        result = cases["bc_da"].result
        cash = recalculated["bc_da"]["Pengestrømme"]
        assert cash["M5"].value == pytest.approx(result.npv, abs=TOLERANCE)
        assert cash["M5"].value == pytest.approx(bc.npv(result.net_benefit, "fm2021"),
                                                 abs=TOLERANCE)
        last = 4 + len(result.years)
        assert cash[f"J{last}"].value == pytest.approx(result.npv, abs=TOLERANCE)

    def test_a_changed_rate_flows_through(self, recalculated):
        # every rate set to 5 % on the Assumptions sheet
        cash = recalculated["bc_hand_5pct"]["Cash flows"]
        assert cash["H6"].value == pytest.approx(1 / 1.05, abs=1e-9)
        assert cash["M5"].value == pytest.approx(npf.npv(0.05, HAND_NET), abs=TOLERANCE)
        assert cash["M5"].value == pytest.approx(bc.evaluate(HAND_CASE, 0.05).npv,
                                                 abs=TOLERANCE)
        summary = recalculated["bc_hand_5pct"]["Summary"]
        [row] = [r for r in range(1, summary.max_row + 1)
                 if summary[f"A{r}"].value == label("xl_bc_npv", "en")]
        assert summary[f"B{row}"].value == pytest.approx(npf.npv(0.05, HAND_NET), abs=TOLERANCE)


class TestBusinessCaseWorkbook:
    def test_sheets(self, workbooks):
        assert openpyxl.load_workbook(workbooks["bc_da"]).sheetnames == BC_SHEETS_DA
        assert openpyxl.load_workbook(workbooks["bc_hand"]).sheetnames == BC_SHEETS_EN

    def test_live_formulas(self, workbooks):
        cash = openpyxl.load_workbook(workbooks["bc_hand"])["Cash flows"]
        assert cash["M5"].value == "=SUMPRODUCT(E5:E9,H5:H9)"
        assert cash["H6"].value == "=H5/(1+G6)"
        assert cash["G6"].value == "=VLOOKUP($B6,'Assumptions'!$A:$C,3,FALSE)"
        # the amount in the report's view (column K = fixed prices x the view's factor)
        assert cash["C5"].value.startswith("=SUMIFS('Items'!$K:$K")

    def test_rates_are_inputs(self, workbooks, cases):
        ws = openpyxl.load_workbook(workbooks["bc_da"])["Forudsætninger"]
        rates = cases["bc_da"].result.rates
        assert [ws[f"C{5 + t}"].value for t in range(len(rates))] == pytest.approx(rates)
        assert ws["C5"].fill.fgColor.rgb.endswith("FFF2CC")

    def test_tornado_table(self, workbooks, cases):
        ws = openpyxl.load_workbook(workbooks["bc_da"])["Følsomhed"]
        tornado = cases["bc_da"].tornado
        for row, (_, line) in enumerate(tornado.iterrows(), start=5):
            assert ws[f"A{row}"].value == line["label_da"]
            assert ws[f"E{row}"].value == pytest.approx(line["npv_low"])
            assert ws[f"F{row}"].value == pytest.approx(line["npv_high"])
            assert ws[f"G{row}"].value == pytest.approx(line["swing"])

    def test_monte_carlo_and_chart_on_the_summary(self, workbooks, cases):
        ws = openpyxl.load_workbook(workbooks["bc_da"])["Oversigt"]
        texts = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(1, ws.max_row + 1)}
        monte_carlo = cases["bc_da"].monte_carlo
        assert texts["NNV, median (P50)"] == pytest.approx(monte_carlo.p50)
        assert texts["Sandsynlighed for NNV > 0"] == pytest.approx(monte_carlo.prob_positive)
        with zipfile.ZipFile(workbooks["bc_da"]) as package:
            chart = package.read("xl/charts/chart1.xml").decode()
        assert "<lineChart>" in chart and "'Pengestrømme'!$F$5:$F$18" in chart

    def test_item_names_stay_text(self, workbooks):
        items = openpyxl.load_workbook(workbooks["bc_hand"])["Items"]
        # column C shows the item's own label (not its code): formula-like labels stay text
        names = {items[f"C{r}"].value for r in range(5, items.max_row + 1)}
        assert "+Ny drift" in names and "-Investering" in names
        for row in range(5, items.max_row + 1):
            assert items[f"C{row}"].data_type == "s" and items[f"D{row}"].data_type == "s"
        tornado = openpyxl.load_workbook(workbooks["bc_hand"])["Sensitivity"]
        assert tornado["A5"].data_type == "s"
        assert tornado["A5"].value == '=HYPERLINK("http://example.invalid/")'

    def test_about_sheet(self, workbooks):
        ws = openpyxl.load_workbook(workbooks["bc_da"])["Om tallene"]
        values = [ws[f"B{r}"].value for r in range(1, ws.max_row + 1)]
        for path in (config.UDK_SHARE_CASE_FILE, config.DISCOUNT_RATES_FILE, config.CPI_FILE):
            assert hashlib.sha256(path.read_bytes()).hexdigest() in values, path.name
        assert f"udkecon {__version__}" in values
        assert any(str(v).startswith("Tallene i denne business case er et illustrativt")
                   for v in values)

    def test_reproducible(self, cases, tmp_path, monkeypatch):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
        first, second = (business_case_workbook.write(cases["bc_da"], tmp_path / f"{n}.xlsx",
                                                      parameters={})
                         for n in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()
