"""The fixed-price report end to end: papermill -> executed notebook -> PDF + workbook."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import libreoffice
import openpyxl
import pytest
from pypdf import PdfReader

from udkecon import board, config
from udkecon.documents.fixed_prices import model, text
from udkecon.errors import DataError, ParameterError, RunError
from udkecon.run import run_notebook

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"
NOTEBOOK = config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb"


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))


def pdf_pages(path: Path) -> list[str]:
    return [re.sub(r"[ \u00a0]+", " ", page.extract_text()) for page in PdfReader(path).pages]


# The inputs as the data files hold them, for numbers worked by hand in these tests:
# CPI annual averages (data/raw/cpi_dk_annual_2015_100.csv); the cost ledger summed by year
# (totals as in test_excel.py) and by cost type with awk over
# data/raw/udk_it_costs_2017_2021_illustrative.csv; DUT (dut_compensation_2017_2021_...csv)
CPI = {2017: 101.40, 2018: 102.23, 2019: 103.00, 2020: 103.43, 2021: 105.35}
GROSS = {2017: 312.4, 2018: 221.6, 2019: 186.8, 2020: 164.7, 2021: 152.8}
DUT = {2017: 0.0, 2018: 1.2, 2019: 3.0, 2020: 4.1, 2021: 21.5}
DUAL_OPERATION = {2017: 33.5, 2018: 9.5, 2019: 4.6, 2020: 9.1}
NEW_TASKS_2021 = 38.9


def at_prices_of(base_year: int, amounts: dict[int, float]) -> dict[int, float]:
    """amount * CPI[base] / CPI[year], year by year: the restatement, written out."""
    return {year: amount * CPI[base_year] / CPI[year] for year, amount in amounts.items()}


@pytest.fixture(scope="module")
def danish_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("costs_da")
    result = run_notebook(NOTEBOOK, {}, output_dir=folder)
    return folder, result


class TestDanishReport:
    def test_outputs_and_manifest(self, danish_report):
        folder, result = danish_report
        stem = "udk_costs_fixed_prices"
        for suffix in ("pdf", "xlsx", "ipynb"):
            assert (folder / f"{stem}.{suffix}").stat().st_size > 0
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["status"] == "ok"
        assert manifest["inputs"]["data/raw/udk_it_costs_2017_2021_illustrative.csv"] == \
            __import__("hashlib").sha256(config.COSTS_FILE.read_bytes()).hexdigest()
        assert set(manifest["timings"]) >= {"execute_s", "pdf_s"}
        assert not list(folder.glob(".staging-*")) and not list(folder.glob("*.part"))

    def test_pdf_title_base_year_and_hand_worked_numbers(self, danish_report):
        folder, _ = danish_report
        text = pdf_text(folder / "udk_costs_fixed_prices.pdf")
        assert "Kommunale IT-omkostninger vedr. UDK 2017-2021" in text
        assert "2020-niveau" in text
        # 2017 total 312.4 current (summed by hand in test_prices) * 103.43/101.40
        # = 318.654 -> "318,7"; net 2021: (152.8 - 21.5) * 103.43/105.35 = 128.907 -> "128,9"
        assert "318,7" in text and "128,9" in text
        # Danish thousands separator: the 2017-2021 gross total is above 1,000 mio. kr.
        assert re.search(r"\b1\.\d{3},\d\b", text)
        assert "Illustrativt eksempel" in text
        assert re.search(r"Side 1 af \d", text)
        # the code is not in the report
        assert "model.build" not in text and "import" not in text

    def test_page_one_is_the_board_paper_front(self, danish_report):
        folder, _ = danish_report
        first = pdf_pages(folder / "udk_costs_fixed_prices.pdf")[0]
        # in this order: title, compact meta block, banner, Resumé, Indstilling, Økonomi
        order = ["Kommunale IT-omkostninger vedr. UDK 2017-2021", "Periode", "Dato",
                 "Prisgrundlag", "Version", "Illustrativt eksempel", "Resumé",
                 "Indstilling", "Administrationen indstiller",
                 "at orienteringen tages til efterretning", "Økonomi"]
        positions = [first.index(marker) for marker in order]
        assert positions == sorted(positions)
        # the key table: 2017-2021 and the first full year, in fixed 2020 prices, by hand
        # (see test_resume_sentences_carry_the_hand_worked_numbers)
        assert "Mio. kr., faste priser (2020-niveau)" in first
        assert "2021 (første fulde driftsår) 150,0 21,1 128,9" in first
        assert "2017 318,7 0,0 318,7" in first
        assert "I alt 2017-2021 1.045,2 29,4 1.015,7" in first
        # the net rows shown add to 318,7 + 223,0 + 184,6 + 160,6 + 128,9 = 1.015,8, the
        # total (from the unrounded amounts) is 1.015,7: the note says such differences occur
        assert "Afrundingsdifferencer kan forekomme." in " ".join(first.split())
        # the metadata went to the annex: no sources, no internal names on page 1
        assert "Datakilder" not in first and "PRIS113" not in first
        assert board.internal_names(first) == []

    def test_the_annex_is_at_the_back_with_the_sources_and_files(self, danish_report):
        folder, _ = danish_report
        pages = pdf_pages(folder / "udk_costs_fixed_prices.pdf")
        [annex] = [i for i, page in enumerate(pages) if "Bilag: Datagrundlag og metode" in page]
        assert annex == len(pages) - 1 or all("Bilag" not in p for p in pages[annex + 1:])
        # it starts a page: nothing of the report's body above it on that page
        assert "Omkostninger pr. år og type" not in pages[annex].split("Bilag")[0]
        back = " ".join(pages[annex:]).replace("\n", " ")
        for where in ("Datakilder", "Danmarks Statistik, PRIS113",
                      "udk_it_costs_2017_2021_illustrative.csv", "Metode og forudsætninger",
                      "løbende priser × indeks(2020) / indeks(år)"):
            assert where in back
        body = "\n".join(pages[:annex])
        assert "PRIS113" not in body and ".csv" not in body

    def test_every_page_marks_the_figures_illustrative(self, danish_report):
        folder, _ = danish_report
        pages = PdfReader(folder / "udk_costs_fixed_prices.pdf").pages
        assert len(pages) >= 2
        for page in pages:
            assert "Illustrativt eksempel" in page.extract_text()

    def test_workbook_values_read_back(self, danish_report):
        folder, _ = danish_report
        book = openpyxl.load_workbook(folder / "udk_costs_fixed_prices.xlsx")
        assert book.sheetnames[0] != "Om tallene"  # the summary comes first
        assert "Om tallene" in book.sheetnames
        about = book["Om tallene"]
        about_text = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
        assert "llustrativ" in about_text  # the illustrative note
        current_values = [c.value for ws in book.worksheets for row in ws.iter_rows()
                          for c in row if isinstance(c.value, (int, float))]
        # the ledger's current-price amounts are written as numbers: 148.6 is legacy 2017
        assert 148.6 in current_values
        # the data files' notes in the workbook's language (column note_da of the files)
        current, net = book["Løbende priser"], book["DUT og netto"]
        assert current["H4"].value == "Note"
        assert current["H5"].value == ("eksisterende KMD-løsninger, der udfases, efterhånden "
                                       "som de konkurrenceudsatte systemer idriftsættes")
        assert [net[f"J{row}"].value for row in range(5, 10)] == [
            "ingen lovændringer med betydning for UDK's IT kompenseret i året", None,
            "kompensation for kontanthjælpsloftet",
            "kompensation for lovændringer på pensionsområdet",
            "delvis kompensation for de nye opgaver i 2021 (praksisændringer på "
            "pensionsområdet, ligedeling af børne- og ungeydelse)"]
        # under each table with totals on the summary, the rounding note
        summary = book.worksheets[0]
        notes = [c.value for c in summary["A"] if c.value == "Afrundingsdifferencer kan forekomme."]
        assert len(notes) == 2


    @pytest.mark.skipif(libreoffice.soffice() is None,
                        reason="LibreOffice (soffice) is not installed; .ci/run installs it")
    def test_recalculated_workbook_holds_the_hand_worked_numbers(self, danish_report,
                                                                  tmp_path):
        folder, _ = danish_report
        [recalculated] = libreoffice.recalculate([folder / "udk_costs_fixed_prices.xlsx"],
                                                 tmp_path)
        summary = openpyxl.load_workbook(recalculated, data_only=True)["Oversigt"]
        rows = key_table_rows(summary)
        assert list(rows) == [2017, 2018, 2019, 2020, 2021]
        # gross 2017 in 2020 prices: 312.4 * 103.43 / 101.40 = 318.654 (hand, test_prices)
        assert summary[f"B{rows[2017]}"].value == pytest.approx(318.654, abs=1e-3)
        # net 2021: (152.8 - 21.5) * 103.43 / 105.35 = 131.3 * 0.981775 = 128.907
        assert summary[f"D{rows[2021]}"].value == pytest.approx(128.907, abs=1e-3)
        # current prices are the ledger's own sums: 2017 = 312.4, DUT 2021 = 21.5
        assert summary[f"E{rows[2017]}"].value == pytest.approx(312.4)
        assert summary[f"F{rows[2021]}"].value == pytest.approx(21.5)


def key_table_rows(ws) -> dict[int, int]:
    """year -> row of the key table under "Økonomi" on the summary sheet."""
    economy = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == "Økonomi")
    rows = {}
    for row in range(economy + 2, ws.max_row + 1):  # the header, then a row per year
        if not isinstance(ws[f"A{row}"].value, int):
            break
        rows[ws[f"A{row}"].value] = row
    return rows


def resume_texts(ws) -> list[str]:
    """The Resumé's sentences on the summary sheet (the cells under "Resumé")."""
    start = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == "Resumé")
    texts = []
    for row in range(start + 1, ws.max_row + 1):
        if ws[f"A{row}"].value is None:
            break
        texts.append(ws[f"A{row}"].value)
    return texts


AMOUNT = re.compile(r"(\d{1,3}(?:[.,]\d{3})*)[.,](\d)\b")


def amounts(sentence: str) -> list[float]:
    """The one-decimal amounts of a sentence, read in either convention: LibreOffice's
    FIXED() writes its locale's separators (1,045.2 here; 1.045,2 in a Danish Excel)."""
    return [float(re.sub(r"[.,]", "", whole) + "." + decimal)
            for whole, decimal in AMOUNT.findall(sentence)]


@pytest.fixture(scope="module")
def summary(danish_report):
    folder, _ = danish_report
    return openpyxl.load_workbook(folder / "udk_costs_fixed_prices.xlsx")["Oversigt"]


class TestWorkbookFrontSheet:
    """The workbook's first sheet in the committee paper's form, every figure on it live."""

    def test_resume_and_recommendation_above_the_key_table(self, summary):
        column_a = [summary[f"A{r}"].value for r in range(1, summary.max_row + 1)]
        order = [column_a.index(key) for key in ("Resumé", "Indstilling", "Økonomi")]
        assert order == sorted(order)
        assert "1. at orienteringen tages til efterretning" in column_a

    def test_the_resume_says_what_the_pdf_says(self, danish_report):
        # the value each Resumé formula shows before any recalculation (its cached value)
        # is the PDF's sentence; test_a_new_base_year... checks what the formulas compute
        folder, _ = danish_report
        cached = openpyxl.load_workbook(folder / "udk_costs_fixed_prices.xlsx",
                                        data_only=True)["Oversigt"]
        pdf = pdf_text(folder / "udk_costs_fixed_prices.pdf").replace("\n", " ")
        sentences = resume_texts(cached)
        assert sentences == text.resume_sentences(model.build())
        assert "1.045,2 mio. kr. brutto i 2017-2021" in sentences[0]
        for sentence in sentences:
            assert " ".join(sentence.split()[:6]) in pdf

    def test_every_number_on_the_summary_is_a_formula(self, summary):
        """Item 7: a figure that depends on the base year or the index must follow it; on
        this sheet only the years (column A, categories) are typed-in numbers, and no
        text cell holds an amount that a formula did not write."""
        static = []
        for row in summary.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    continue
                if isinstance(cell.value, (int, float)) and not (
                        cell.column == 1 and cell.value in CPI):
                    static.append(cell.coordinate)
                if isinstance(cell.value, str) and re.search(r"\d,\d", cell.value):
                    static.append(cell.coordinate)
        assert static == []
        assert len(resume_texts(summary)) == 4
        assert all(text.startswith("=") for text in resume_texts(summary)[:3])

    @pytest.mark.skipif(libreoffice.soffice() is None,
                        reason="LibreOffice (soffice) is not installed; .ci/run installs it")
    def test_a_new_base_year_carries_through_to_the_summary(self, danish_report, tmp_path):
        """The reader writes 2018 on Forudsætninger; LibreOffice recalculates; the key
        table and the Resumé's sentences follow (numbers worked by hand at 2018 prices)."""
        folder, _ = danish_report
        book = openpyxl.load_workbook(folder / "udk_costs_fixed_prices.xlsx")
        assert book["Forudsætninger"]["A5"].value == "Basisår (faste priser)"
        book["Forudsætninger"]["B5"] = 2018
        changed = tmp_path / "base_2018.xlsx"
        book.save(changed)
        [recalculated] = libreoffice.recalculate([changed], tmp_path / "recalculated")
        summary = openpyxl.load_workbook(recalculated, data_only=True)["Oversigt"]

        gross = at_prices_of(2018, GROSS)  # 2017: 312.4 * 102.23 / 101.40 = 314.957
        dut = at_prices_of(2018, DUT)
        assert gross[2017] == pytest.approx(314.957, abs=1e-3)
        rows = key_table_rows(summary)
        for year, row in rows.items():
            assert summary[f"B{row}"].value == pytest.approx(gross[year], abs=1e-6)
            assert summary[f"C{row}"].value == pytest.approx(dut[year], abs=1e-6)
            assert summary[f"D{row}"].value == pytest.approx(gross[year] - dut[year], abs=1e-6)
        total = rows[2021] + 1
        assert summary[f"B{total}"].value == pytest.approx(sum(gross.values()), abs=1e-6)
        assert summary["A2"].value == "Mio. kr. Faste priser er i 2018-niveau."

        first, transition, full_year, illustrative = resume_texts(summary)
        assert "(2018-niveau)" in first
        net_total = sum(gross.values()) - sum(dut.values())
        assert amounts(first) == pytest.approx(
            [round(v, 1) for v in (sum(gross.values()), sum(dut.values()), net_total)])
        dual = sum(at_prices_of(2018, DUAL_OPERATION).values())
        in_transition = sum(gross[y] for y in (2017, 2018, 2019, 2020))
        assert amounts(transition) == pytest.approx(
            [round(v, 1) for v in (in_transition, dual, gross[2017])])
        assert "størst i 2017" in transition
        new_tasks = NEW_TASKS_2021 * CPI[2018] / CPI[2021]
        assert amounts(full_year) == pytest.approx(
            [round(v, 1) for v in (gross[2021], new_tasks, dut[2021], gross[2021] - dut[2021])])
        assert "ikke officielle" in illustrative


class TestEnglishAndOtherBaseYear:
    def test_english_report_in_2021_prices(self, tmp_path):
        run_notebook(NOTEBOOK, {"language": "en", "base_year": 2021}, output_dir=tmp_path)
        text = pdf_text(tmp_path / "udk_costs_fixed_prices.pdf")
        assert "Municipal IT costs related to UDK 2017-2021" in text
        assert "2021 level" in text
        # 2020 total 164.7 in 2021 prices: 164.7 * 105.35 / 103.43 = 167.757 -> "167.8"
        assert "167.8" in text
        # sources in the reader's language (data/raw/sources.csv, column source_en)
        assert "Statistics Denmark, PRIS113" in text and "Danmarks Statistik" not in text
        assert re.search(r"Page 1 of \d", text)
        assert "Totals may differ from the sum of the rounded figures." in " ".join(text.split())
        # the English workbook keeps the files' English notes (column note)
        book = openpyxl.load_workbook(tmp_path / "udk_costs_fixed_prices.xlsx")
        assert book["Current prices"]["H5"].value == ("legacy KMD solutions phased out as the "
                                                      "tendered systems go live")


class TestFailedRun:
    def test_bad_parameter_is_refused_before_the_kernel_and_keeps_the_last_good_report(
            self, danish_report, tmp_path):
        # bad input, not a notebook bug: exit 2, no .failed.ipynb, nothing written
        folder, _ = danish_report
        target = tmp_path / "report"
        shutil.copytree(folder, target)
        before = {p.name: p.read_bytes() for p in target.iterdir()}
        with pytest.raises(ParameterError, match="base_year 1990") as caught:
            run_notebook(NOTEBOOK, {"base_year": 1990}, output_dir=target)
        assert caught.value.exit_code == 2
        assert {p.name: p.read_bytes() for p in target.iterdir()} == before

    def test_bad_input_file_is_named_in_the_error(self, tmp_path):
        # found by the loader before any kernel starts: bad input (exit 2), nothing kept
        bad = DATA / "costs_negative_amount.csv"
        with pytest.raises(DataError, match="costs_negative_amount.csv, row 3"):
            run_notebook(NOTEBOOK, {"cost_file": str(bad)}, output_dir=tmp_path / "out")
        assert not (tmp_path / "out").exists()


def test_resume_sentences_carry_the_hand_worked_numbers():
    analysis = model.build()
    resume = text.resume_sentences(analysis)
    assert 3 <= len(resume) <= 5  # a board's Resumé
    sentences = " ".join(resume)
    gross = at_prices_of(2020, GROSS)
    dut = at_prices_of(2020, DUT)
    # 2017-2021 in 2020 prices: gross 318.654 + 224.201 + 187.580 + 164.7 + 150.015
    # = 1045.150 -> "1.045,2"; DUT 0 + 1.214 + 3.013 + 4.1 + 21.108 = 29.435 -> "29,4";
    # net 1015.716 -> "1.015,7"
    assert sum(gross.values()) == pytest.approx(1045.150, abs=1e-3)
    assert sum(dut.values()) == pytest.approx(29.435, abs=1e-3)
    assert "1.045,2 mio. kr. brutto i 2017-2021" in sentences
    assert "DUT-kompensation på 29,4 mio. kr." in sentences
    assert "nettoomkostning 1.015,7 mio. kr." in sentences
    # the transition 2017-2020: 318.654 + 224.201 + 187.580 + 164.7 = 895.135 -> "895,1";
    # dual operation (33.5, 9.5, 4.6, 9.1 restated) = 34.171 + 9.612 + 4.619 + 9.1 = 57.502
    assert "afholdes 895,1 mio. kr. brutto" in sentences
    assert sum(at_prices_of(2020, DUAL_OPERATION).values()) == pytest.approx(57.502, abs=1e-3)
    assert "heraf 57,5 mio. kr. til dobbeltdrift" in sentences
    assert "størst i 2017 med 318,7 mio. kr." in sentences
    # 2021: 152.8 * 103.43/105.35 = 150.015; new tasks 38.9 * 0.981775 = 38.191;
    # DUT 21.5 * 0.981775 = 21.108; net 128.907
    assert "2021, det første fulde driftsår, koster 150,0 mio. kr. brutto, heraf 38,2 mio. kr." \
        in sentences
    assert "DUT-kompensation på 21,1 mio. kr. er nettoomkostningen 128,9 mio. kr." in sentences
    assert "illustrativt eksempel" in sentences
    assert "kr.." not in sentences and "falder" not in sentences


def test_a_failing_pdf_render_keeps_the_last_good_report(danish_report, tmp_path, monkeypatch):
    """The notebook runs, then the renderer fails: nothing is replaced, the run is kept."""
    import udkecon.run

    folder, _ = danish_report
    target = tmp_path / "report"
    shutil.copytree(folder, target)
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}

    def broken_renderer(job, executed=None):
        raise OSError("no space left on device")

    monkeypatch.setattr(udkecon.run, "render_pdf", broken_renderer)
    with pytest.raises(RunError, match="PDF rendering: OSError: no space left on device"):
        run_notebook(NOTEBOOK, {}, output_dir=target)
    for name, data in before.items():
        assert (target / name).read_bytes() == data, f"{name} changed by a failed render"
    assert (target / "udk_costs_fixed_prices.failed.ipynb").exists()
    assert json.loads((target / "manifest.failed.json").read_text())["status"] == "failed"
    assert not list(target.glob(".staging-*"))


def test_a_run_without_pdf_removes_the_old_pdf(tmp_path):
    """--no-pdf: an old PDF would no longer match the new workbook, so it goes."""
    (tmp_path / "udk_costs_fixed_prices.pdf").write_bytes(b"%PDF-1.7 old")
    result = run_notebook(NOTEBOOK, {}, output_dir=tmp_path, pdf=False)
    assert not (tmp_path / "udk_costs_fixed_prices.pdf").exists()
    assert (tmp_path / "udk_costs_fixed_prices.xlsx").exists()
    assert sorted(Path(f).name for f in result.files) == [
        "udk_costs_fixed_prices.ipynb", "udk_costs_fixed_prices.xlsx"]
