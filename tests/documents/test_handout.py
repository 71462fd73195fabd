"""Tests of a municipality's handout (udkecon.documents.handout: its share of the UDK costs and
business case, computed in udkecon.allocation), its workbook and the notebook end to end.

Expected numbers are worked out by hand, with the arithmetic in the comments or written out
as the expression itself; never copied from the code's output.

The fixture tests/data/handout_municipalities_three.csv has three municipalities:
101 (200,000 inhabitants) and 147 (100,000) in Region Hovedstaden, 825 (50,000) in Region
Nordjylland. BEK nr. 1629 weights: 101: 150,000 + 0.744 * 50,000 = 187,200; 147: 100,000;
825: 50,000; total 337,200. Population total 350,000.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import libreoffice
import numpy as np
import openpyxl
import pandas as pd
import pytest

from udkecon import allocation, config, data, fmt
from udkecon.documents.handout import model
from udkecon.documents.handout import text as handout
from udkecon.documents.handout.workbook import build as build_handout_book
from udkecon.documents.handout.workbook import write as write_handout_workbook
from udkecon.errors import ParameterError

TESTS = Path(__file__).resolve().parents[1]

THREE = TESTS / "data" / "handout_municipalities_three.csv"
W101, W147, W825 = 187_200, 100_000, 50_000
WEIGHTS = W101 + W147 + W825  # 337,200
POPULATION = 200_000 + 100_000 + 50_000  # 350,000
# CPI (data/raw): 2017 101.40, 2020 103.43, 2021 105.35; the 2017 ledger sums to 312.4
# (current prices) and DUT 2021 is 21.5 (test_costs_report, test_prices)
GROSS_2017_FIXED = 312.4 * 103.43 / 101.40
DUT_2021_FIXED = 21.5 * 103.43 / 105.35
ORE = 1e-8  # mio. kr.
GENERATED = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)

needs_libreoffice = pytest.mark.skipif(libreoffice.soffice() is None,
                                       reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def three():
    return data.load_municipalities(THREE)


@pytest.fixture(scope="module")
def hand_shares(three):
    # 2017: gross 337.2 and DUT 35.0 split without rounding (the weights divide them):
    #   gross 101: 337.2 * 187200 / 337200 = 187.2, 147: 100.0, 825: 50.0
    #   DUT   101: 35 * 200000 / 350000 = 20.0, 147: 10.0, 825: 5.0
    # 2018: gross 1.0, DUT 0.0 (øre rounding, see TestMunicipalShares)
    national = pd.DataFrame({"gross_fixed": [337.2, 1.0], "dut_fixed": [35.0, 0.0]},
                            index=pd.Index([2017, 2018], name="year"))
    return allocation.municipal_shares(national, three)


@pytest.fixture(scope="module")
def koebenhavn_three():
    """The handout of 101 in the three-municipality country, real costs and case."""
    return model.build(101, municipalities_file=THREE)


class TestMunicipalShares:
    def test_by_hand(self, hand_shares):
        assert hand_shares.gross[2017].tolist() == pytest.approx([187.2, 100.0, 50.0],
                                                abs=ORE / 2)
        assert hand_shares.dut[2017].tolist() == pytest.approx([20.0, 10.0, 5.0], abs=ORE / 2)
        assert hand_shares.net[2017].tolist() == pytest.approx([167.2, 90.0, 45.0],
                                              abs=ORE / 2)

    def test_rounded_to_the_ore_by_largest_remainder(self, hand_shares):
        # 1 mio. kr. = 100,000,000 øre: quotas 1e8 * 187200/337200 = 55,516,014.23,
        # 1e8 * 100000/337200 = 29,655,990.51, 1e8 * 50000/337200 = 14,827,995.26; the
        # floors sum to 99,999,999, and the one øre left goes to the largest remainder (147)
        assert hand_shares.gross[2018].tolist() == pytest.approx(
            [0.55516014, 0.29655991, 0.14827995], abs=ORE / 10)

    def test_identities(self, hand_shares):
        # every year's shares add up to the national amount to the øre, net = gross - DUT
        assert hand_shares.gross.sum().tolist() == pytest.approx([337.2, 1.0], abs=ORE / 2)
        assert hand_shares.dut.sum().tolist() == pytest.approx([35.0, 0.0], abs=ORE / 2)
        assert np.allclose(hand_shares.net, hand_shares.gross - hand_shares.dut, atol=ORE / 2)

    def test_of_one_municipality(self, hand_shares):
        frame = hand_shares.of(825)
        assert list(frame.columns) == ["gross", "dut", "net"]
        assert frame.loc[2017].tolist() == pytest.approx([50.0, 5.0, 45.0], abs=ORE / 2)

    def test_current_prices_and_bad_prices(self, three):
        national = pd.DataFrame({"gross_current": [337.2], "dut_current": [35.0]},
               index=pd.Index([2017], name="year"))
        shares = allocation.municipal_shares(national, three, prices="current")
        assert shares.gross[2017].sum() == pytest.approx(337.2, abs=ORE / 2)
        with pytest.raises(ValueError, match="fixed"):
            allocation.municipal_shares(national, three, prices="nominal")


class TestLevelComparison:
    def test_per_inhabitant_by_hand(self, hand_shares, three):
        table = allocation.level_comparison(101, hand_shares, three)
        year = table[table["period"] == "2017"].set_index("level")
        # 101: gross 187.2e6 / 200,000 = 936 kr., DUT 20e6 / 200,000 = 100, net 836
        assert year.loc["municipality", ["gross_kr", "dut_kr", "net_kr"]].tolist() == \
            pytest.approx([936.0, 100.0, 836.0])
        # Region Hovedstaden: net (167.2 + 90) = 257.2 mio. kr. / 300,000 = 857.33 kr.
        assert year.loc["region", "net_kr"] == pytest.approx(257.2e6 / 300_000)
        assert year.loc["region", "population"] == 300_000
        # country: net 302.2 mio. kr. / 350,000 = 863.43 kr.; index 100 * 836 / 863.43
        assert year.loc["country", "net_kr"] == pytest.approx(302.2e6 / 350_000)
        assert year.loc["municipality", "net_index"] == pytest.approx(
            100 * 836 / (302.2e6 / 350_000))
        assert year.loc["country", "net_index"] == pytest.approx(100.0)

    def test_whole_period_adds_the_years(self, hand_shares, three):
        table = allocation.level_comparison(147, hand_shares, three)
        periods = list(dict.fromkeys(table["period"]))
        assert periods == ["2017", "2018", "2017-2018"]
        whole = table[table["period"] == "2017-2018"].set_index("level")
        # 147: gross 100.0 + 0.29655991 (2018, see TestMunicipalShares)
        assert whole.loc["municipality", "gross"] == pytest.approx(100.29655991, abs=ORE)

    def test_every_municipality_up_to_the_threshold_pays_the_same_gross_per_inhabitant(
            self, hand_shares, three):
        # 147: 100e6 / 100,000 = 1,000 kr.; 825: 50e6 / 50,000 = 1,000 kr.
        gross = [allocation.level_comparison(code, hand_shares, three).query(
            "period == '2017' and level == 'municipality'")["gross_kr"].iloc[0]
            for code in (147, 825)]
        assert gross == pytest.approx([1000.0, 1000.0])


class TestBusinessCaseShare:
    def test_by_hand(self, three):
        # a case of NPV 33.72 (PV of benefits 67.44, of costs 33.72), two years:
        # 101's share 187200/337200: NPV 33.72 * 187200 / 337200 = 18.72, benefits 37.44
        case = SimpleNamespace(npv=33.72, pv_benefits=67.44, pv_costs=33.72,
              years=np.array([2020, 2021]),
              net_benefit=np.array([-33.72, 67.44]),
              discounted_net_benefit=np.array([-33.72, 67.44]))
        share = allocation.business_case_share(case, 101, three)
        assert share.key_share == pytest.approx(187_200 / 337_200)
        assert (share.npv, share.pv_benefits, share.pv_costs) == pytest.approx(
            (18.72, 37.44, 18.72), abs=ORE / 2)
        assert share.by_year["net_benefit"].tolist() == pytest.approx([-18.72, 37.44],
                                                      abs=ORE / 2)
        assert share.by_year["cumulative_discounted"].iloc[-1] == pytest.approx(18.72,
                                                               abs=ORE)

    def test_shares_add_up_to_the_national_npv(self, three):
        from udkecon.business_case import evaluate

        case = evaluate(config.UDK_SHARE_CASE_FILE, base_year=2020)
        total = sum(allocation.business_case_share(case, code, three).npv
   for code in (101, 147, 825))
        assert total == pytest.approx(round(case.npv, 8), abs=ORE / 2)

    def test_unknown_code(self, three):
        case = SimpleNamespace(npv=1.0, pv_benefits=1.0, pv_costs=0.0, years=np.array([1]),
              net_benefit=np.array([1.0]),
              discounted_net_benefit=np.array([1.0]))
        with pytest.raises(ParameterError, match="999"):
            allocation.business_case_share(case, 999, three)


class TestMoneyDecimals:
    def test_three_significant_digits(self):
        assert [fmt.money_decimals(v) for v in (94.3, 10.0, 9.99, 1.0, 0.33, -12.0)] == \
            [1, 1, 2, 2, 3, 1]


class TestMunicipalityHandout:
    def test_shares_by_hand_with_the_real_costs(self, koebenhavn_three):
        h = koebenhavn_three
        assert (h.code, h.name, h.region, h.population) == \
            (101, "København", "Region Hovedstaden", 200_000)
        assert h.shares.loc[2017, "gross"] == pytest.approx(
            GROSS_2017_FIXED * W101 / WEIGHTS, abs=ORE)
        assert h.shares.loc[2021, "dut"] == pytest.approx(
            DUT_2021_FIXED * 200_000 / POPULATION, abs=ORE)
        assert h.key_share == pytest.approx(W101 / WEIGHTS)
        assert h.population_share == pytest.approx(200_000 / POPULATION)
        assert h.key_weight == pytest.approx(W101)

    def test_identities(self, koebenhavn_three):
        h = koebenhavn_three
        assert np.allclose(h.shares["net"], h.shares["gross"] - h.shares["dut"], atol=ORE)
        whole = h.level("country")
        national = h.analysis.net
        assert whole["net"] == pytest.approx(national["net_fixed"].sum(), abs=1e-6)
        assert whole["net_kr"] == pytest.approx(national["net_fixed"].sum() * 1e6 / POPULATION)
        assert h.population_date == dt.date(2020, 1, 1)
        assert h.illustrative  # the cost, DUT and case figures are illustrative

    def test_names_as_typed(self):
        codes = {model.build(name, municipalities_file=THREE,
                             business_case=False).code
                 for name in ("København", "koebenhavn", "Kobenhavn", " 0101 ", 101)}
        assert codes == {101}

    def test_unknown_municipality_is_refused_with_the_closest(self):
        with pytest.raises(ParameterError, match=r"unknown municipality 'Frederiksbjerg'; "
                                r"closest: Frederiksberg \(147\)"):
            model.build("Frederiksbjerg", municipalities_file=THREE)
        with pytest.raises(ParameterError, match=r"closest: .*\(101\)"):
            model.build(102, municipalities_file=THREE)

    def test_without_business_case(self):
        h = model.build(825, municipalities_file=THREE, business_case=False)
        assert h.business_case is None
        assert len(handout.key_figures(h)) == 3

    def test_national_figures_are_cached_by_file_contents(self, tmp_path):
        copy = tmp_path / "municipalities.csv"
        copy.write_bytes(THREE.read_bytes())
        first = model.build(825, municipalities_file=copy,
                            business_case=False)
        # the same file again: the same national analysis object
        again = model.build(147, municipalities_file=copy,
                            business_case=False)
        assert again.analysis is first.analysis
        # an edited file is read again: 825 now has 100,000 inhabitants
        copy.write_text(THREE.read_text(encoding="utf-8").replace("50000", "100000"),
       encoding="utf-8")
        edited = model.build(825, municipalities_file=copy,
                             business_case=False)
        assert edited.population == 100_000


class TestSentences:
    def test_danish_numbers_from_the_computation(self, koebenhavn_three):
        text = " ".join(handout.summary_sentences(koebenhavn_three))
        # key share 187200 / 337200 = 55.516 % -> "55,52 %"; population 200000/350000 = 57.14 %
        assert "55,52\u00a0%" in text and "57,14\u00a0%" in text
        assert "BEK nr. 1629" in text and "Region Hovedstaden" in text
        # 101 pays less per inhabitant than the country: its extra 50,000 count at 74.4 %
        assert "under landsgennemsnittet" in text
        assert "tæller med 74,4\u00a0%" in text
        assert "kr.." not in text

    def test_english(self):
        h = model.build(147, language="en", municipalities_file=THREE)
        text = " ".join(handout.summary_sentences(h))
        assert "above the national average" in text  # 147 pays the full rate
        assert "DKK" in text and "kr." not in text.replace("DKK", "")
        case = handout.business_case_sentence(h)
        assert case.startswith("The municipality's share of the business case")

    def test_key_figures_and_tables(self, koebenhavn_three):
        h = koebenhavn_three
        values = [value for value, _ in handout.key_figures(h)]
        assert values[2] == "55,52\u00a0%"
        years = handout.year_table(h)
        assert list(years.index) == ["2017", "2018", "2019", "2020", "2021"]
        comparison = handout.comparison_table(h)
        assert list(comparison.index) == ["København", "Region Hovedstaden", "Hele landet"]
        assert comparison.iloc[:, -1].iloc[-1] == pytest.approx(100.0)
        by_year = handout.per_inhabitant_by_year(h)
        assert list(by_year.columns) == ["København", "Region Hovedstaden", "Hele landet"]
        case = handout.business_case_table(h)
        assert case.iloc[0].tolist() == pytest.approx(
            [h.business_case.national.npv, h.business_case.npv])
        assert any("BEK nr. 1629" in s for s in handout.method_sentences(h))


# --------------------------------------------------------------------------- the workbook

SHEETS_DA = ["Oversigt", "Kommunens andel", "Pr. indbygger", "Fordelingsnøgle", "Landstal",
             "Business case", "Forudsætninger", "Om tallene"]


@pytest.fixture(scope="module")
def workbook(koebenhavn_three, tmp_path_factory):
    path = tmp_path_factory.mktemp("handout_xlsx") / "handout.xlsx"
    return write_handout_workbook(koebenhavn_three, path, parameters={"municipality": 101},
                 generated_at=GENERATED)


class TestWorkbook:
    def test_sheets_in_the_readers_order(self, workbook):
        assert openpyxl.load_workbook(workbook).sheetnames == SHEETS_DA

    def test_key_is_a_live_formula_over_the_assumptions(self, workbook):
        book = openpyxl.load_workbook(workbook)
        key = book["Fordelingsnøgle"]
        assert key["A5"].value == 101 and key["D5"].value == 200_000
        assert key["E5"].value == ("=MIN(D5,'Forudsætninger'!$B$6)+'Forudsætninger'!$B$7"
                  "*MAX(D5-'Forudsætninger'!$B$6,0)")
        cached = openpyxl.load_workbook(workbook, data_only=True)
        assert cached["Fordelingsnøgle"]["E5"].value == pytest.approx(W101)
        assert cached["Forudsætninger"]["B6"].value == 150_000
        assert cached["Forudsætninger"]["B7"].value == pytest.approx(0.744)

    def test_cached_values_are_the_package_values(self, workbook, koebenhavn_three):
        h = koebenhavn_three
        cached = openpyxl.load_workbook(workbook, data_only=True)["Kommunens andel"]
        for row, year in enumerate(h.years, start=5):
            assert cached[f"A{row}"].value == year
            assert [cached[f"{c}{row}"].value for c in "FGH"] == pytest.approx(
                h.shares.loc[year, ["gross", "dut", "net"]].tolist())
        assert all(value is not None for *_, value in libreoffice.formula_cells(workbook))

    def test_reproducible_bytes(self, koebenhavn_three, tmp_path, workbook):
        again = write_handout_workbook(koebenhavn_three, tmp_path / "again.xlsx",
                      parameters={"municipality": 101},
                      generated_at=GENERATED)
        assert again.read_bytes() == workbook.read_bytes()

    def test_english_and_without_business_case(self):
        h = model.build(825, language="en", municipalities_file=THREE,
                        business_case=False)
        book = build_handout_book(h, parameters={}, author="test", generated_at=GENERATED)
        names = book.workbook.sheetnames
        assert names[0] == "Summary" and "Business case" not in names
        assert names[-1] == "About the figures"


@pytest.fixture(scope="module")
def recalculated(workbook, tmp_path_factory):
    """The workbook recalculated by LibreOffice, and a copy with the weight above the
    threshold set to 1 (the BEK key is then plain population: 101's share 200000 / 350000)."""
    if libreoffice.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("handout_recalc")
    plain = openpyxl.load_workbook(workbook)
    plain["Forudsætninger"]["B7"] = 1.0
    plain.save(folder / "plain.xlsx")
    results = libreoffice.recalculate([workbook, folder / "plain.xlsx"], folder / "out")
    return [openpyxl.load_workbook(path, data_only=True) for path in results]


@needs_libreoffice
class TestWorkbookRecalculated:
    def test_every_formula_cell_equals_the_package_value(self, workbook, recalculated):
        result = recalculated[0]
        cells = libreoffice.formula_cells(workbook)
        assert len(cells) > 200
        for sheet, coordinate, formula, expected in cells:
            got = result[sheet][coordinate].value
            where = f"{sheet}!{coordinate} {formula}"
            if isinstance(expected, str):
                assert got == expected, where
            else:
                # the package's shares are whole øre; the formulas are not rounded
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-6), where

    def test_the_key_follows_the_assumptions(self, recalculated):
        shares = recalculated[1]["Kommunens andel"]
        assert shares["D5"].value == pytest.approx(200_000 / 350_000)
        # gross 2017 = national gross * plain population share
        assert shares["F5"].value == pytest.approx(GROSS_2017_FIXED * 200_000 / 350_000,
                                  abs=1e-6)


# --------------------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def laesoe(tmp_path_factory):
    from udkecon.run import run_notebook

    folder = tmp_path_factory.mktemp("handout_run")
    result = run_notebook(config.NOTEBOOKS_DIR / "municipality_handout.ipynb",
         {"municipality": "Laesoe"}, output_dir=folder)
    return folder, result


@pytest.mark.slow
class TestNotebook:
    def test_pdf_and_workbook(self, laesoe):
        from pypdf import PdfReader

        folder, result = laesoe
        assert result.status == "ok"
        pdf = folder / "municipality_handout.pdf"
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        text = re.sub(r"[ \u00a0]+", " ", text)
        assert "Læsø: kommunens andel af IT-omkostningerne" in text
        assert "Region Nordjylland" in text and "1.786 indbyggere" in text
        assert "Illustrativt eksempel" in text and re.search(r"Side 1 af \d", text)
        # Læsø (1,786 inhabitants, below the threshold) pays gross per inhabitant = the
        # national gross / the sum of BEK weights (5,616,779.992, worked out by hand in
        # test_allocation), DUT per inhabitant = the national DUT / 5,822,679 inhabitants
        national = model.build(825).analysis.net.sum()
        net_kr = (national["gross_fixed"] * 1e6 / 5_616_779.992
 - national["dut_fixed"] * 1e6 / 5_822_679)
        assert f"{round(net_kr)} kr. pr. indbygger" in text
        book = openpyxl.load_workbook(folder / "municipality_handout.xlsx", data_only=True)
        assert book.sheetnames == SHEETS_DA
        assert book["Oversigt"]["B6"].value == "Læsø (825)"
