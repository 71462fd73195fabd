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

from udkecon import config
from udkecon.documents.fixed_prices import model, text
from udkecon.errors import ParameterError, RunError
from udkecon.run import InputRefused, run_notebook

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"
NOTEBOOK = config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb"


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[ \u00a0]+", " ", text)


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


    @pytest.mark.skipif(libreoffice.soffice() is None,
                        reason="LibreOffice (soffice) is not installed; .ci/run installs it")
    def test_recalculated_workbook_holds_the_hand_worked_numbers(self, danish_report,
                                                                  tmp_path):
        folder, _ = danish_report
        [recalculated] = libreoffice.recalculate([folder / "udk_costs_fixed_prices.xlsx"],
                                                 tmp_path)
        summary = openpyxl.load_workbook(recalculated, data_only=True)["Oversigt"]
        assert [summary[f"A{r}"].value for r in range(13, 18)] == [2017, 2018, 2019, 2020, 2021]
        # gross 2017 in 2020 prices: 312.4 * 103.43 / 101.40 = 318.654 (hand, test_prices)
        assert summary["B13"].value == pytest.approx(318.654, abs=1e-3)
        # net 2021: (152.8 - 21.5) * 103.43 / 105.35 = 131.3 * 0.981775 = 128.907
        assert summary["D17"].value == pytest.approx(128.907, abs=1e-3)
        # current prices are the ledger's own sums: 2017 = 312.4, DUT 2021 = 21.5
        assert summary["E13"].value == pytest.approx(312.4)
        assert summary["F17"].value == pytest.approx(21.5)


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
        # found inside the notebook (by the loader): still bad input, exit 2, nothing kept
        bad = DATA / "costs_negative_amount.csv"
        with pytest.raises(InputRefused, match="costs_negative_amount.csv, row 3") as caught:
            run_notebook(NOTEBOOK, {"cost_file": str(bad)}, output_dir=tmp_path / "out")
        assert caught.value.exit_code == 2
        assert not (tmp_path / "out").exists()


def test_summary_sentences_carry_the_computed_numbers():
    analysis = model.build()
    sentences = " ".join(text.summary_sentences(analysis))
    assert "2017" in sentences and "318,7 mio. kr." in sentences
    assert "kr.." not in sentences


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
