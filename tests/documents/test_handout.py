"""Tests of a municipality's handout (udkecon.documents.handout: its share of the UDK costs and
business case, computed in udkecon.allocation), its workbook and the notebook end to end.

Expected numbers are worked out by hand, with the arithmetic in the comments or written out
as the expression itself; never copied from the code's output.

The fixture tests/data/handout_municipalities_three.csv has three municipalities:
101 (200,000 inhabitants) and 147 (100,000) in Region Hovedstaden, 825 (50,000) in Region
Nordjylland. BEK nr. 1629 weights: 101: 150,000 + 0.744 * 50,000 = 187,200; 147: 100,000;
825: 50,000; total 337,200. Population total 350,000.

The channels (data/raw/allocation_channels.csv), read off the ledger by hand
(data/raw/udk_it_costs_2017_2021_illustrative.csv, current prices, mio. kr.):
- 2017: UDK contribution = udk 33.5 + 75.4 + 16.2 + KOMBIT implementation 20.3 = 145.4;
  KOMBIT joint financing = KOMBIT operation 18.4; own contracts (legacy KMD) 148.6 (not
  shared); 145.4 + 18.4 + 148.6 = 312.4, the ledger's 2017 total.
- 2020: UDK contribution = udk 9.1 + 20.9 + 5.3 + 76.1 = 111.4; KOMBIT 23.5; DUT 4.1.
- 2021: UDK contribution = udk 89.9 + 30.5 = 120.4; KOMBIT 24.0 + 8.4 = 32.4; DUT 21.5.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import libreoffice
import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import made_up_country_patch

from udkecon import allocation, board, config, data, fmt
from udkecon.documents.handout import model
from udkecon.documents.handout import text as handout
from udkecon.documents.handout.workbook import build as build_handout_book
from udkecon.documents.handout.workbook import write as write_handout_workbook
from udkecon.errors import ParameterError

TESTS = Path(__file__).resolve().parents[1]

THREE = TESTS / "data" / "handout_municipalities_three.csv"
SECOND_KEY = TESTS / "data" / "allocation_keys_second_key_2017_2020.csv"
POPULATION_2019_2021 = TESTS / "data" / "population_by_year_three_2019_2021.csv"
# all 98 with invented counts for 2019 and 2021 near the real 2020 ones, for a notebook run
POPULATION_98_2019_2021 = TESTS / "data" / "population_by_year_98_2019_2021.csv"
W101, W147, W825 = 187_200, 100_000, 50_000
WEIGHTS = W101 + W147 + W825  # 337,200
POPULATION = 200_000 + 100_000 + 50_000  # 350,000
# CPI (data/raw): 2017 101.40, 2020 103.43, 2021 105.35 (test_prices)
F2017, F2021 = 103.43 / 101.40, 103.43 / 105.35
UDK_2017, KOMBIT_2017 = 145.4 * F2017, 18.4 * F2017
UDK_2021, KOMBIT_2021 = 120.4 * F2021, 32.4 * F2021
DUT_2021_FIXED = 21.5 * F2021
# 101's gross 2017 in the three-municipality country: BEK weights for the UDK contribution,
# population for KOMBIT
GROSS_101_2017 = UDK_2017 * W101 / WEIGHTS + KOMBIT_2017 * 200_000 / POPULATION
ORE = 1e-8  # mio. kr.
GENERATED = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)

needs_libreoffice = pytest.mark.skipif(libreoffice.soffice() is None,
                                       reason="LibreOffice (soffice) is not installed")


# a made-up country of a few municipalities with round numbers (tests/conftest.py)
made_up_country = pytest.fixture(scope="module", autouse=True)(made_up_country_patch)


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


TWO_YEARS = TESTS / "data" / "handout_case_two_years.csv"


@pytest.fixture(scope="module")
def two_years():
    """101 in the three-municipality country with the two-year case at a flat 4 %."""
    return model.build(101, municipalities_file=THREE, case_file=TWO_YEARS, rate=0.04)


class TestExpectedCase:
    """The share of the expected (risk-adjusted) NPV, by hand, with the two-year case
    tests/data/handout_case_two_years.csv at a flat 4 %: legacy operation 2020-2021 at
    low 90, mode 100, high 140 (mean (90 + 100 + 140) / 3 = 110) against new operation at
    60 with no range. Net benefit a year: 100 - 60 = 40 at the mode, 110 - 60 = 50 at the
    mean; discount factors 1 and 1 / 1.04.
      NPV at the mode:  40 * (1 + 1/1.04) = 78.4615...
      expected NPV:     50 * (1 + 1/1.04) = 98.0769...
    101's share 187,200 / 337,200: 43.5587... and 54.4484... The legacy amount is never
    below 90 > 60, so every Monte Carlo draw is positive: probability 100 %."""

    def test_by_hand(self, two_years):
        h = two_years
        assert h.expected_case.national.npv == pytest.approx(50 * (1 + 1 / 1.04))
        assert h.business_case.national.npv == pytest.approx(40 * (1 + 1 / 1.04))
        assert h.expected_case.npv == pytest.approx(50 * (1 + 1 / 1.04) * W101 / WEIGHTS,
                                                    abs=ORE)
        assert h.business_case.npv == pytest.approx(40 * (1 + 1 / 1.04) * W101 / WEIGHTS,
                                                    abs=ORE)
        assert h.case_prob_positive == 1.0

    def test_sentences_and_table(self, two_years):
        sentences = handout.business_case_sentences(two_years)
        # 54.448 -> "54,4 mio. kr." and 43.559 -> "43,6 mio. kr." (one decimal from 1 mio.)
        assert ("forventet nettonutidsværdi (NNV af de risikojusterede værdier) på 54,4 mio. kr."
                in sentences[0])
        assert "ved de mest sandsynlige værdier er NNV 43,6 mio. kr." in sentences[0]
        assert ("hele landet: 98,1 mio. kr. af de risikojusterede værdier og 78,5 mio. kr."
                in sentences[0])
        # not the shipped case: no report name; a probability of 100 % is not "not settled"
        assert sentences[0].startswith("Kommunens andel af business casen (illustrativt "
                                       "eksempel; ")
        assert "ikke afgjort" not in " ".join(sentences)
        assert "sandsynligheden for en positiv NNV for hele landet 100\u00a0%" in sentences[1]
        table = handout.business_case_table(two_years)
        assert table.iloc[0].tolist() == ["98,1 mio. kr.", "54,4 mio. kr."]

    def test_small_amounts_in_kroner(self):
        # below 1 mio. kr. in kr. to two significant digits: -0.134396 mio. kr. = -134,396 kr.
        # -> -130.000 kr.; 0.0075438 mio. kr. = 7,543.8 kr. -> 7.500 kr.; -471.7 kr. -> -470
        assert handout.case_amount(2.1494, "da") == "2,1 mio. kr."
        assert handout.case_amount(-0.134396, "da") == "-130.000 kr."
        assert handout.case_amount(0.0075438, "da") == "7.500 kr."
        assert handout.case_amount(-0.0004717, "da") == "-470 kr."


class TestMoneyDecimals:
    def test_three_significant_digits(self):
        assert [fmt.money_decimals(v) for v in (94.3, 10.0, 9.99, 1.0, 0.33, -12.0)] == \
            [1, 1, 2, 2, 3, 1]


class TestMunicipalityHandout:
    def test_shares_by_hand_with_the_real_costs(self, koebenhavn_three):
        h = koebenhavn_three
        assert (h.code, h.name, h.region, h.population) == \
            (101, "København", "Region Hovedstaden", 200_000)
        assert h.shares.loc[2017, "gross"] == pytest.approx(GROSS_101_2017, abs=ORE)
        assert h.channel_shares.loc[2017].tolist() == pytest.approx(
            [UDK_2017 * W101 / WEIGHTS, KOMBIT_2017 * 200_000 / POPULATION], abs=ORE)
        assert h.shares.loc[2021, "dut"] == pytest.approx(
            DUT_2021_FIXED * 200_000 / POPULATION, abs=ORE)
        assert h.key_share == pytest.approx(W101 / WEIGHTS)
        assert h.population_share == pytest.approx(200_000 / POPULATION)
        assert h.key_weight == pytest.approx(W101)

    def test_own_contracts_are_not_shared(self, koebenhavn_three):
        h = koebenhavn_three
        national = h.rules.national
        assert national.loc[2017, "own_contract"] == pytest.approx(148.6 * F2017)
        # the three municipalities' gross adds up to UDK + KOMBIT, without the 148.6
        assert h.rules.shares.gross[2017].sum() == pytest.approx(UDK_2017 + KOMBIT_2017,
                                                                 abs=ORE)

    def test_identities(self, koebenhavn_three):
        h = koebenhavn_three
        assert np.allclose(h.shares["net"], h.shares["gross"] - h.shares["dut"], atol=ORE)
        whole = h.level("country")
        allocated = h.rules.national[["udk_contribution", "kombit_joint_financing"]].sum()
        net = allocated.sum() - h.analysis.net["dut_fixed"].sum()
        assert whole["net"] == pytest.approx(net, abs=1e-6)
        # one population for every year: the sum of the years' kr. = the period's amount / pop
        assert whole["net_kr"] == pytest.approx(net * 1e6 / POPULATION)
        assert h.population_date == dt.date(2020, 1, 1)
        assert h.illustrative  # the cost, DUT and case figures are illustrative

    def test_key_and_population_per_year(self, koebenhavn_three):
        basis = koebenhavn_three.basis
        # BEK nr. 1629 is in force from 2021; 2017-2020 are BEK nr. 1218's years, whose key
        # is not shipped: BEK nr. 1629's key stands in
        assert basis["key_id"].tolist() == ["bek1629"] * 5
        assert basis["key_approximation"].tolist() == [True, True, True, True, False]
        # own municipalities, no population file: 1 January 2020 for every year, which is the
        # rule's count (1 January t-1) only for 2021
        assert basis["population_year"].tolist() == [2020] * 5
        assert basis["population_approximation"].tolist() == [True] * 4 + [False]
        assert koebenhavn_three.approximated_years == [2017, 2018, 2019, 2020]

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
        assert len(handout.resume_sentences(h)) == 4

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


@pytest.fixture(scope="module")
def second():
    return model.build(101, municipalities_file=THREE, keys_file=SECOND_KEY)


@pytest.fixture(scope="module")
def by_year():
    return model.build(825, municipalities_file=THREE, population_file=POPULATION_2019_2021)


@pytest.fixture(scope="module")
def plain():
    return model.build(825, municipalities_file=THREE)


class TestSecondKey:
    """A key covering 2017-2020 (tests/data/allocation_keys_second_key_2017_2020.csv:
    threshold 100,000, weight 0.5) changes exactly those years of the handout."""

    def test_changes_exactly_2017_2020(self, koebenhavn_three, second):
        for year in (2017, 2018, 2019, 2020):
            assert second.shares.loc[year, "gross"] != pytest.approx(
                koebenhavn_three.shares.loc[year, "gross"], abs=1e-6), year
        # 2021 is BEK nr. 1629's year in both: identical to the øre
        assert second.shares.loc[2021].tolist() == koebenhavn_three.shares.loc[2021].tolist()
        # DUT follows population, not the key: unchanged in every year
        assert second.shares["dut"].tolist() == koebenhavn_three.shares["dut"].tolist()

    def test_2017_by_hand(self, second):
        # weights 101: 100,000 + 0.5 * 100,000 = 150,000; 147: 100,000; 825: 50,000;
        # total 300,000. UDK contribution 145.4 * F2017 * 150000 / 300000 = 72.7 * F2017;
        # KOMBIT by population 18.4 * F2017 * 200000 / 350000
        expected = F2017 * (72.7 + 18.4 * 200_000 / 350_000)
        assert second.shares.loc[2017, "gross"] == pytest.approx(expected, abs=ORE)

    def test_the_handout_names_the_key_of_each_year(self, second):
        basis = second.basis
        assert basis["key_id"].tolist() == ["fixture_2017_2020"] * 4 + ["bek1629"]
        assert not basis["key_approximation"].any()
        keys = handout.economy_table(second)["Fordelingsnøgle"].tolist()
        assert keys == ["Testnøgle 2017-2020"] * 4 + ["BEK nr. 1629"]
        # no approximation: the resumé does not claim one
        assert not any("tilnærmelse" in s for s in handout.resume_sentences(second))


class TestPopulationByYear:
    """tests/data/population_by_year_three_2019_2021.csv: counts of 1 January 2019 and 2021.
    Budget year t uses 1 January t-1, so the 2019 count serves 2020 and the 2021 count
    would serve 2022 (outside the handout); every other year keeps the 2020 count."""

    def test_changes_the_year_it_covers(self, by_year, plain):
        assert by_year.shares.loc[2020, "gross"] != pytest.approx(
            plain.shares.loc[2020, "gross"], abs=1e-6)
        for year in (2017, 2018, 2019, 2021):
            assert by_year.shares.loc[year].tolist() == plain.shares.loc[year].tolist(), year

    def test_2020_by_hand(self, by_year):
        # 1 January 2019: 101 180,000, 147 100,000, 825 60,000 (population 340,000);
        # BEK weights 150,000 + 0.744 * 30,000 = 172,320, 100,000, 60,000 (332,320).
        # 2020 is the base year (factor 1): UDK 111.4, KOMBIT 23.5, DUT 4.1
        gross = 111.4 * 60_000 / 332_320 + 23.5 * 60_000 / 340_000
        dut = 4.1 * 60_000 / 340_000
        assert by_year.shares.loc[2020].tolist() == pytest.approx(
            [gross, dut, gross - dut], abs=ORE)
        own = by_year.comparison.query("period == '2020' and level == 'municipality'")
        assert own["net_kr"].iloc[0] == pytest.approx((gross - dut) * 1e6 / 60_000, rel=1e-9)

    def test_the_handout_names_the_population_of_each_year(self, by_year):
        basis = by_year.basis
        assert basis["population_year"].tolist() == [2020, 2020, 2020, 2019, 2020]
        assert basis["population_approximation"].tolist() == [True, True, True, False, False]
        dates = handout.economy_table(by_year)["Folketal pr."].tolist()
        assert dates[3] == "1. januar 2019" and dates[4] == "1. januar 2020"
        assert dates[0] == "1. januar 2020 (tilnærmelse)"

    def test_other_municipalities_are_refused(self, tmp_path):
        other = tmp_path / "population.csv"
        other.write_text(POPULATION_2019_2021.read_text(encoding="utf-8")
                         .replace("825,Læsø", "860,Hjørring"), encoding="utf-8")
        with pytest.raises(data.DataError, match=r"population\.csv, row 4, column "
                                                 r"'municipality_code': municipality code 860"):
            model.build(101, municipalities_file=THREE, population_file=other,
                        business_case=False)


class TestSentences:
    def test_resume_from_the_computation(self, koebenhavn_three):
        sentences = handout.resume_sentences(koebenhavn_three)
        assert 3 <= len(sentences) <= 5
        text = " ".join(sentences)
        # key share 187200 / 337200 = 55.516 % -> "55,52 %", the two numbers kept apart
        assert "andel i 2021: 55,52\u00a0%" in text
        assert "BEK nr. 1629 9," not in text and "BEK nr. 1629 55" not in text
        assert "Region Hovedstaden" in text and "under landsgennemsnittet" in text
        assert "For 2017-2020 er nøglen i BEK nr. 1629 (virkning fra budgetåret 2021) " \
            "anvendt som tilnærmelse" in text
        assert "kr.." not in text
        assert board.internal_names(text) == []

    @pytest.mark.parametrize("years, expected", [
        # BEK nr. 1629 in force from 2025 in the keys file: it stands in for every year of
        # 2017-2021, and the text gives the file's 2025 (hostile round 2, finding 9: it said
        # 2021, the handout's last year, read as if it were the key's start)
        ("2025,", "For 2017-2021 er nøglen i BEK nr. 1629 (virkning fra budgetåret 2025) "
                  "anvendt som tilnærmelse"),
        # in force 2015-2018 only: 2019-2021 are after its end, no earlier key is missing
        ("2015,2018", "For 2019-2021 er nøglen i BEK nr. 1629 (virkning til og med "
                      "budgetåret 2018) anvendt som tilnærmelse"),
    ])
    def test_the_approximation_names_the_keys_own_budget_years(self, tmp_path, years,
                                                                 expected):
        keys = tmp_path / "allocation_keys.csv"
        raw = (config.RAW_DIR / "allocation_keys.csv").read_text(encoding="utf-8")
        assert "BEK nr. 1629 af 16/11/2020,2021,," in raw
        keys.write_text(raw.replace("BEK nr. 1629 af 16/11/2020,2021,,",
                                    f"BEK nr. 1629 af 16/11/2020,{years},"), encoding="utf-8")
        h = model.build(101, municipalities_file=THREE, keys_file=keys, business_case=False)
        text = " ".join(handout.resume_sentences(h))
        assert expected in text
        assert text.count("tilnærmelse") == 1

    def test_english(self):
        h = model.build(147, language="en", municipalities_file=THREE)
        text = " ".join(handout.resume_sentences(h))
        assert "above the national average" in text  # 147 pays the full rate
        assert "DKK" in text and "kr." not in text.replace("DKK", "")
        case = " ".join(handout.business_case_sentences(h))
        assert case.startswith("The municipality's share of “Business case of UDK's share of "
                               "the monopoly break” (illustrative example; ")
        assert "expected (risk-adjusted) net present value (NPV)" in case
        assert "fm2021" not in case

    def test_business_case_in_board_terms(self, koebenhavn_three):
        sentences = handout.business_case_sentences(koebenhavn_three)
        case = " ".join(sentences)
        # the business case report's name, marked illustrative
        assert case.startswith("Kommunens andel af »Business case for UDK's andel af "
                               "monopolbruddet« (illustrativt eksempel; ")
        assert "forventet nettonutidsværdi (NNV af de risikojusterede værdier)" in case
        assert "fm2021" not in case
        assert "andel efter fordelingsnøglen i BEK nr. 1629: 55,52\u00a0%" in case
        assert "tjent hjem" not in case
        # the national Monte Carlo of the shipped case straddles zero: the sign is not settled
        assert ("Om hele landets business case ender positivt eller negativt, er ikke afgjort"
                in case)
        # the own-contract savings shared by the key: said as an approximation
        assert "som en tilnærmelse" in sentences[-1] and "egen kontrakt" in sentences[-1]
        assert handout.case_heading(koebenhavn_three) == \
            "Kommunens andel af business casen (illustrativt eksempel)"

    def test_tables(self, koebenhavn_three):
        h = koebenhavn_three
        economy = handout.economy_table(h)
        assert list(economy.index) == ["2017", "2018", "2019", "2020", "2021"]
        assert economy["Fordelingsnøgle"].tolist() == \
            ["BEK nr. 1629 (tilnærmelse)"] * 4 + ["BEK nr. 1629"]
        assert economy.iloc[0, 0] == pytest.approx(GROSS_101_2017, abs=ORE)
        channels = handout.channel_table(h)
        assert channels.iloc[:, 0].tolist()[:3] == pytest.approx(
            h.rules.national[["udk_contribution", "kombit_joint_financing",
                              "own_contract"]].sum().tolist())
        comparison = handout.comparison_table(h)
        assert list(comparison.index) == ["København", "Region Hovedstaden", "Hele landet"]
        assert comparison.iloc[:, -1].iloc[-1] == pytest.approx(100.0)
        by_year = handout.per_inhabitant_by_year(h)
        assert list(by_year.columns) == ["København", "Region Hovedstaden", "Hele landet"]
        case = handout.business_case_table(h)
        # the expected (risk-adjusted) NPV first, then the figures at the most likely values
        assert list(case.index) == [
            "Forventet NNV (af de risikojusterede værdier)", "NNV ved mest sandsynlige værdier",
            "Diskonterede nettobesparelser (mest sandsynlige værdier)",
            "Diskonterede nettoudgifter (mest sandsynlige værdier)"]
        assert list(case.columns) == ["Hele landet", "København"]

    def test_method_names_keys_and_population_years(self, koebenhavn_three):
        method = " ".join(handout.method_sentences(koebenhavn_three))
        assert "BEK nr. 1629 af 16/11/2020: vægt = min(indbyggere; 150.000) + 0,744" in method
        assert "Nøglen i BEK nr. 1629 gælder for 2021" in method
        assert "For 2017-2020 gjaldt en tidligere nøgle" in method
        assert "2017-2020: folketallet pr. 1. januar 2020 (tilnærmelse" in method
        assert "KMD-løsninger (eksisterende)" in method  # own contracts, named from the data
        assert board.internal_names(method) == []


# --------------------------------------------------------------------------- the workbook

SHEETS_DA = ["Oversigt", "Kommunens andel", "Pr. indbygger", "Fordelingsnøgle", "Landstal",
             "Business case", "Forudsætninger", "Om tallene"]
# the per-year key table on Forudsætninger: header row 11, 2017 in row 12 ... 2021 in row 16
KEY_ROWS = {2017: 12, 2018: 13, 2019: 14, 2020: 15, 2021: 16}


def summary_rows(sheet) -> dict:
    """Oversigt: the row of each year of the key table (column A holds the year)."""
    return {cell.value: cell.row for cell in sheet["A"]
            if isinstance(cell.value, int) and 2017 <= cell.value <= 2021}


@pytest.fixture(scope="module")
def workbook(koebenhavn_three, tmp_path_factory):
    path = tmp_path_factory.mktemp("handout_xlsx") / "handout.xlsx"
    return write_handout_workbook(koebenhavn_three, path, parameters={"municipality": 101},
                 generated_at=GENERATED)


class TestWorkbook:
    def test_sheets_in_the_readers_order(self, workbook):
        assert openpyxl.load_workbook(workbook).sheetnames == SHEETS_DA

    def test_first_sheet_is_a_board_paper(self, workbook):
        sheet = openpyxl.load_workbook(workbook, data_only=True)["Oversigt"]
        column = [c.value for c in sheet["A"] if isinstance(c.value, str)]
        assert column.index("Resumé") < column.index("Indstilling") < column.index("Økonomi")
        assert "1. at orienteringen tages til efterretning" in column
        rows = summary_rows(sheet)
        assert sheet[f"F{rows[2017]}"].value == "BEK nr. 1629 (tilnærmelse)"
        assert sheet[f"F{rows[2021]}"].value == "BEK nr. 1629"
        assert sheet[f"G{rows[2021]}"].value == "1. januar 2020"
        assert sheet[f"B{rows[2017]}"].value == pytest.approx(GROSS_101_2017, abs=ORE)

    def test_every_summary_figure_is_a_formula(self, workbook):
        sheet = openpyxl.load_workbook(workbook)["Oversigt"]
        years = set(summary_rows(sheet).values())
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not (
                        cell.column == 1 and cell.row in years):
                    raise AssertionError(f"Oversigt!{cell.coordinate} = {cell.value} is not "
                                         "a formula")

    def test_key_is_a_live_formula_over_each_years_assumptions(self, workbook):
        book = openpyxl.load_workbook(workbook)
        key = book["Fordelingsnøgle"]
        # 2017's population, weight, key share, population share are columns D-G
        assert key["A5"].value == 101 and key["D5"].value == 200_000
        assert key["E5"].value == ("=MIN(D5,'Forudsætninger'!$C$12)+'Forudsætninger'!$D$12"
                                   "*MAX(D5-'Forudsætninger'!$C$12,0)")
        # 2021's weight (columns T-W) reads row 16
        assert "'Forudsætninger'!$C$16" in key["U5"].value
        cached = openpyxl.load_workbook(workbook, data_only=True)
        assert cached["Fordelingsnøgle"]["E5"].value == pytest.approx(W101)
        assumptions = cached["Forudsætninger"]
        assert [assumptions[f"C{r}"].value for r in KEY_ROWS.values()] == [150_000] * 5
        assert assumptions["D12"].value == pytest.approx(0.744)
        assert assumptions["B12"].value == "BEK nr. 1629 (tilnærmelse)"

    def test_cached_values_are_the_package_values(self, workbook, koebenhavn_three):
        h = koebenhavn_three
        cached = openpyxl.load_workbook(workbook, data_only=True)["Kommunens andel"]
        for row, year in enumerate(h.years, start=5):
            assert cached[f"A{row}"].value == year
            assert [cached[f"{c}{row}"].value for c in "JKL"] == pytest.approx(
                h.shares.loc[year, ["gross", "dut", "net"]].tolist())
        assert all(value is not None for *_, value in libreoffice.formula_cells(workbook))

    def test_no_internal_names_on_the_summary(self, workbook):
        sheet = openpyxl.load_workbook(workbook, data_only=True)["Oversigt"]
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row
                        if isinstance(c.value, str))
        assert board.internal_names(text) == []

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
    """The workbook recalculated by LibreOffice, and a copy in which 2017's weight above
    the threshold is 1 (2017's key is then plain population: 101's share 200000 / 350000)."""
    if libreoffice.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("handout_recalc")
    plain = openpyxl.load_workbook(workbook)
    plain["Forudsætninger"][f"D{KEY_ROWS[2017]}"] = 1.0
    plain.save(folder / "plain.xlsx")
    four = openpyxl.load_workbook(workbook)  # the discount rate 3.5 % -> 4 %
    four["Forudsætninger"]["B8"] = 0.04
    four.save(folder / "four.xlsx")
    results = libreoffice.recalculate([workbook, folder / "plain.xlsx", folder / "four.xlsx"],
                                      folder / "out")
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
                # the package's shares are whole øre; the formulas are not rounded (kr. per
                # inhabitant of a small amount magnifies the øre: relative 1e-6)
                assert got == pytest.approx(expected, rel=1e-6, abs=1e-6), where

    def test_2017_follows_its_assumptions_and_2021_does_not_move(self, recalculated):
        before, after = (book["Kommunens andel"] for book in recalculated[:2])
        assert after["F5"].value == pytest.approx(200_000 / 350_000)
        # gross 2017 = (UDK + KOMBIT) * the plain population share
        expected = (UDK_2017 + KOMBIT_2017) * 200_000 / 350_000
        assert after["J5"].value == pytest.approx(expected, abs=1e-6)
        assert after["J9"].value == pytest.approx(before["J9"].value, abs=1e-12)
        summary = recalculated[1]["Oversigt"]
        rows = summary_rows(summary)
        assert summary[f"B{rows[2017]}"].value == pytest.approx(expected, abs=1e-6)
        # the period's net per inhabitant on the summary follows too
        net = sum(after[f"L{r}"].value for r in range(5, 10))
        assert summary[f"E{rows[2021] + 1}"].value == pytest.approx(net * 1e6 / 200_000)


    def test_the_discount_factors_follow_the_rate(self, recalculated):
        """Forudsætninger!B8 at 4 %: year t's factor is 1 / 1.04^t, and the municipality's
        expected NPV is the sum of the country's risk-adjusted net benefits (the greyed
        column C, which does not update) / 1.04^t times 187,200 / 337,200."""
        before, four = recalculated[0]["Business case"], recalculated[2]["Business case"]
        rows = range(5, 19)  # 2017-2030
        assert [four[f"D{r}"].value for r in rows] == pytest.approx(
            [1.04 ** -t for t in range(14)])
        assert [before[f"D{r}"].value for r in rows] == pytest.approx(
            [1.035 ** -t for t in range(14)])  # Finansministeriet's 3.5 % in years 0-35
        expected = sum(four[f"C{r}"].value * 1.04 ** -t for t, r in enumerate(rows))
        assert four["J22"].value == pytest.approx(expected * W101 / WEIGHTS)
        summary = recalculated[2]["Oversigt"]
        assert summary["A33"].value.startswith("Forventet NNV (risikojusteret), kommunen")
        assert summary["B33"].value == pytest.approx(expected * W101 / WEIGHTS)


class TestWorkbookMarks:
    def test_what_does_not_update_is_greyed_and_said(self, workbook):
        from udkecon.excel.board import STATIC_FILL

        book = openpyxl.load_workbook(workbook)
        case, assumptions = book["Business case"], book["Forudsætninger"]
        assert case["A1"].value == ("Business case for UDK's andel af monopolbruddet "
                                    "(illustrativt eksempel)")
        for cell in ("B5", "C18", "B6", "B7"):  # net benefits, base year, base index
            sheet = case if cell in ("B5", "C18") else assumptions
            assert sheet[cell].fill.fgColor.rgb.endswith(STATIC_FILL.fgColor.rgb[-6:]), cell
            assert "opdateres ikke" in sheet[cell].comment.text, cell
        assert case["D5"].value.startswith("=1/(1+'Forudsætninger'!$B$8)^")
        assert "opdateres ikke" in case["A25"].value  # visible, not only a comment
        assert "Ingen formel læser cellen" in assumptions["C6"].value
        assert assumptions["B8"].value == 0.035
        summary = book["Oversigt"]
        assert summary["A10"].value.startswith("Resuméet er skrevet af udkecon ved kørslen "
                                               "og opdateres ikke")
        assert summary["A3"].value == ("Illustrativt eksempel: omkostnings-, DUT- og "
                                       "business case-tallene er ikke officielle")


# --------------------------------------------------------------------------- end to end

def _pdf_pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [re.sub(r"[ \u00a0]+", " ", page.extract_text()) for page in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def laesoe(tmp_path_factory):
    from udkecon.run import run_notebook

    folder = tmp_path_factory.mktemp("handout_run")
    result = run_notebook(config.NOTEBOOKS_DIR / "municipality_handout.ipynb",
         {"municipality": "Laesoe"}, output_dir=folder)
    return folder, result


def _hand_net_kr_laesoe() -> float:
    """Læsø's net kr. per inhabitant 2017-2021, by an independent route: the ledger and
    DUT read with the csv module, the channels by system group and cost type as the data
    README states them, restated with the CPI. Læsø (1,786 inhabitants) is below the
    threshold, so per year it pays UDK / the sum of BEK weights (5,616,779.992, worked out
    by hand in test_allocation) and KOMBIT and DUT / 5,822,679 inhabitants."""
    cpi = {int(r["year"]): float(r["cpi_2015_100"])
           for r in csv.DictReader(open(config.CPI_FILE, encoding="utf-8"))}
    udk = kombit = dut = 0.0
    for r in csv.DictReader(open(config.COSTS_FILE, encoding="utf-8")):
        fixed = float(r["amount_mio_dkk"]) * cpi[2020] / cpi[int(r["year"])]
        if r["system_group"] == "udk" or (r["system_group"] == "kombit_support"
                                          and r["cost_type"] == "implementation"):
            udk += fixed
        elif r["system_group"] == "kombit_support":
            kombit += fixed
    for r in csv.DictReader(open(config.DUT_FILE, encoding="utf-8")):
        dut += float(r["dut_compensation_mio_dkk"]) * cpi[2020] / cpi[int(r["year"])]
    return udk * 1e6 / 5_616_779.992 + (kombit - dut) * 1e6 / 5_822_679


@pytest.mark.slow
class TestNotebook:
    def test_page_one_is_a_board_paper(self, laesoe):
        folder, result = laesoe
        assert result.status == "ok"
        pages = _pdf_pages(folder / "municipality_handout.pdf")
        first = pages[0]
        assert "Læsø: kommunens andel af IT-omkostningerne" in first
        assert "Region Nordjylland" in first and "1.786 indbyggere" in first
        assert "Illustrativt eksempel" in first and re.search(r"Side 1 af \d", first)
        for heading in ("Resumé", "Indstilling", "Økonomi"):
            assert heading in first, heading
        assert "at orienteringen tages til efterretning" in first
        # the key and the population count of each year, in the table and in the text
        assert first.count("BEK nr. 1629 (tilnærmelse)") == 4
        assert "Folketal pr." in first and "1. januar 2020 (tilnærmelse)" in first
        assert "For 2017-2020 er nøglen i BEK nr. 1629" in first
        assert f"{round(_hand_net_kr_laesoe())} kr. pr. indbygger" in first
        assert board.internal_names(first) == []
        assert "Bilag" not in first

    def test_annex_at_the_back(self, laesoe):
        folder, _ = laesoe
        pages = _pdf_pages(folder / "municipality_handout.pdf")
        annex = [i for i, page in enumerate(pages) if "Bilag: Datagrundlag og metode" in page]
        assert annex and annex[0] > 0
        back = " ".join(pages[annex[0]:])
        assert "BEK nr. 1629 af 16/11/2020: vægt" in back
        assert "folketallet pr. 1. januar 2020" in back

    def test_workbook(self, laesoe):
        folder, _ = laesoe
        book = openpyxl.load_workbook(folder / "municipality_handout.xlsx", data_only=True)
        assert book.sheetnames == SHEETS_DA
        names = [c.value for c in book["Oversigt"]["A"]]
        assert "Resumé" in names and "Indstilling" in names

    def test_fixtures_change_the_pdf(self, tmp_path):
        """A second key for 2017-2020 and counts of 2019 and 2021 (of all 98 municipalities:
        the kernel checks its files as a user's run does): the PDF's key table names each
        year's key and population count."""
        from udkecon.run import run_notebook

        result = run_notebook(config.NOTEBOOKS_DIR / "municipality_handout.ipynb",
                              {"municipality": 101,
                               "allocation_keys_file": str(SECOND_KEY),
                               "population_file": str(POPULATION_98_2019_2021)},
                              output_dir=tmp_path)
        assert result.status == "ok"
        first = _pdf_pages(tmp_path / "municipality_handout.pdf")[0]
        assert first.count("Testnøgle 2017-2020") == 4
        assert "1. januar 2019" in first and "tilnærmelse" in first  # 2017-2019: 2020's count
