"""The business case report: its text module, its charts, and the notebook end to end.

Expected numbers are worked out by hand in the comments, or by an independent route
(numpy-financial for the IRR, `business_case.evaluate` formatted with `udkecon.fmt` for what
the PDF must show), never copied from the report's output. Annuity factor used below:
a(n, r) = sum_{t=1..n} (1+r)^-t = (1 - (1+r)^-n) / r.

The monopoly-break case (data/raw/business_case_monopoly_break.csv) with savings from 2021
(savings_start=2021, the timing before 2022 became the default), years 2017-2030 = t 0..13:
    scenario 0: KMD 549.8 a year                                     -> 549.8 every year
    scenario 1: KMD 549.8 + investment 1200/4 = 300 in 2017-2020     -> 849.8
                new payments 412.5 in 2021-2030                      -> 412.5
    net saving: -300 in t = 0..3, 549.8 - 412.5 = 137.3 in t = 4..13
With the default savings start 2022, years 2017-2031 = t 0..14: -240 in t = 0..4 (1200/5),
137.3 in t = 5..14.
"""

from __future__ import annotations

import ast
import datetime
import inspect
import json
import math
import re
from pathlib import Path

import libreoffice
import numpy as np
import numpy_financial as npf
import openpyxl
import pytest
from pypdf import PdfReader

from udkecon import business_case as bc
from udkecon import config, fmt
from udkecon.documents.business_case import charts as bccharts
from udkecon.documents.business_case import model
from udkecon.documents.business_case import text as bctext
from udkecon.errors import ParameterError
from udkecon.labels import label
from udkecon.run import run_notebook

NOTEBOOK = config.NOTEBOOKS_DIR / "business_case.ipynb"
DATA = Path(__file__).parent.parent / "data"
MONOPOLY = config.MONOPOLY_BREAK_CASE_FILE
UDK_SHARE = config.UDK_SHARE_CASE_FILE


def annuity(n, r):
    return (1 - (1 + r) ** -n) / r


# fm2021 is 3.5 % in years 1-35, so over 14 years it is a flat 3.5 %:
#   PV costs    = 300 * (1 + a(3, 3.5 %))                = 300 * 3.801637     = 1140.4911
#   PV benefits = 137.3 * (a(13, 3.5 %) - a(3, 3.5 %))   = 137.3 * 7.501102   = 1029.9012
#   NPV         = 1029.9012 - 1140.4911                                       = -110.5899
MONOPOLY_PV_COSTS_2021 = 300 * (1 + annuity(3, 0.035))
MONOPOLY_PV_BENEFITS_2021 = 137.3 * (annuity(13, 0.035) - annuity(3, 0.035))
MONOPOLY_NPV_2021 = MONOPOLY_PV_BENEFITS_2021 - MONOPOLY_PV_COSTS_2021
# fm2013 (4 %): 137.3 * (a(13, 4 %) - a(3, 4 %)) - 300 * (1 + a(3, 4 %))
#             = 137.3 * 7.210557 - 300 * 3.775091 = 990.0095 - 1132.5273 = -142.5179
MONOPOLY_NPV_2013 = 137.3 * (annuity(13, 0.04) - annuity(3, 0.04)) - 300 * (1 + annuity(3, 0.04))
# cumulative: -1200 at the end of 2020 (t = 3), +137.3 a year from t = 4: at t = 11 (2028)
# -1200 + 8 * 137.3 = -101.6, at t = 12 (2029) +35.7, so payback = 11 + 101.6 / 137.3
# = 11.74 years, paid back in 2029
MONOPOLY_PAYBACK = 11 + (1200 - 8 * 137.3) / 137.3
MONOPOLY_NET = [-300.0] * 4 + [137.3] * 10
# Savings from 2022 (the default): PV costs = 240 * (1 + a(4, 3.5 %)) = 240 * 4.673079
#   = 1121.5390; PV benefits = 137.3 * 1.035^-4 * a(10, 3.5 %) = 137.3 * 0.871442 * 8.316605
#   = 995.0737; NPV = -126.4654
MONOPOLY_NPV_2022 = -240 * (1 + annuity(4, 0.035)) + 137.3 * 1.035**-4 * annuity(10, 0.035)
OLD_START = {"savings_start": 2021}


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[ \u00a0]+", " ", text)


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_hand_figures_are_what_the_package_computes():
    # the hand arithmetic above against the package, so the tests below may use either
    result = bc.evaluate(MONOPOLY, "fm2021", **OLD_START)
    assert result.npv == pytest.approx(MONOPOLY_NPV_2021, abs=1e-9)
    assert MONOPOLY_NPV_2021 == pytest.approx(-110.5899, abs=1e-4)
    assert MONOPOLY_NPV_2022 == pytest.approx(-126.4654, abs=1e-4)
    assert bc.evaluate(MONOPOLY, "fm2021").npv == pytest.approx(MONOPOLY_NPV_2022, abs=1e-9)
    assert MONOPOLY_NPV_2013 == pytest.approx(-142.5179, abs=1e-4)
    assert result.payback == pytest.approx(MONOPOLY_PAYBACK, rel=1e-12)
    assert result.irr == pytest.approx(npf.irr(MONOPOLY_NET), rel=1e-9)


# --------------------------------------------------------------------------- parameters

class TestCaseFile:
    def test_names_and_paths(self):
        assert model.case_file("monopoly_break") == MONOPOLY
        assert model.case_file("udk_share") == UDK_SHARE
        assert model.case_file(str(UDK_SHARE)) == UDK_SHARE
        assert model.case_name(str(UDK_SHARE)) == "business_case_udk_share_illustrative"

    def test_unknown_case_names_the_parameter_and_the_choices(self):
        with pytest.raises(ParameterError) as error:
            model.case_file("monopoly")
        message = str(error.value)
        assert "case 'monopoly'" in message
        assert "monopoly_break" in message and "udk_share" in message


class TestParseDiscountRate:
    @pytest.mark.parametrize("text, expected", [
        ("fm2013", "fm2013"), ("FM2021", "fm2021"), ("0.035", 0.035), ("0,035", 0.035),
        ("2016-06-01", datetime.date(2016, 6, 1)), (0.04, 0.04)])
    def test_accepted_forms(self, text, expected):
        assert model.parse_discount_rate(text) == expected

    def test_unknown_schedule_names_the_parameter_and_the_choices(self):
        with pytest.raises(ParameterError) as error:
            model.parse_discount_rate("fm2019")
        message = str(error.value)
        assert "discount_rate 'fm2019'" in message
        assert "'fm2013'" in message and "'fm2021'" in message

    def test_a_percentage_is_refused(self):
        with pytest.raises(ParameterError, match=r"discount_rate '3.5'.*0.035 for 3.5 %"):
            model.parse_discount_rate("3.5")

    def test_decision_date_before_the_first_schedule(self):
        with pytest.raises(ParameterError, match="discount_rate '2010-01-01'.*before the first"):
            model.parse_discount_rate("2010-01-01")


class TestCheckParameters:
    def test_the_2021_schedule_covers_long_horizons(self):
        # 1.5 % from year 71: 80 years (years 0-79) need it
        model.check_parameters("monopoly_break", "fm2021", 80, 10, 1)
        model.check_parameters("monopoly_break", "fm2013", 80, 10, 1)  # 2 % after year 70

    def test_savings_start_needs_a_phased_case(self):
        with pytest.raises(ParameterError, match=r"^savings_start 2022: the case has no phases"):
            model.check_parameters("udk_share", "fm2021", 0, 10, 1, savings_start=2022)
        with pytest.raises(ParameterError, match=r"savings_start 2017 is not usable"):
            model.check_parameters("monopoly_break", "fm2021", 0, 10, 1, savings_start=2017)

    def test_view_and_guidance_date(self):
        with pytest.raises(ParameterError, match=r"^view 'society' .*budget.*socio"):
            model.check_parameters("monopoly_break", "fm2021", 0, 10, 1, view="society")
        with pytest.raises(ParameterError, match=r"^guidance_date '2023-13-45' is not a date"):
            model.check_parameters("monopoly_break", "fm2021", 0, 10, 1, view="socio",
                                   guidance_date="2023-13-45")

    @pytest.mark.parametrize("name, values", [
        ("horizon", ("monopoly_break", "fm2021", -1, 10, 1)),
        ("draws", ("monopoly_break", "fm2021", 0, 0, 1)),
        ("seed", ("monopoly_break", "fm2021", 0, 10, 1.5))])
    def test_whole_numbers(self, name, values):
        with pytest.raises(ParameterError, match=f"^{name} "):
            model.check_parameters(*values)


# --------------------------------------------------------------------------- the target

class TestSavingVsTarget:
    def test_final_account(self):
        target = bc.saving_vs_target()
        assert target.share == pytest.approx(137.2 / 549.8, rel=1e-12)
        assert target.target == 0.25 and target.after == 412.5
        # the inputs are rounded to 0.1: the share lies in 137.15/549.85 .. 137.25/549.75
        # = 0.249432 .. 0.249659, all of it under 25 %: 'just under', never '24.95 %'
        low, high = target.share_bounds()
        assert low == pytest.approx(137.15 / 549.85, rel=1e-12)
        assert high == pytest.approx(137.25 / 549.75, rel=1e-12)
        assert target.relation == "below"
        assert bctext.share_text(target) == "knap 25\u00a0%"
        assert bctext.share_text(target, "en") == "just under 25%"


class TestCaseSaving:
    def test_monopoly_break_first_full_year(self):
        own = bc.case_saving(bc.evaluate(MONOPOLY, "fm2021"))
        # the investment ends in 2021: 2022 is the first full year; 1 - 412.5/549.8 = 24.97 %
        assert own.year == 2022
        assert (own.baseline_operation, own.alternative_operation) == (549.8, 412.5)
        assert own.share == pytest.approx(137.3 / 549.8, rel=1e-12)

    def test_udk_share_restated_at_2020_prices(self):
        own = bc.case_saving(bc.evaluate(UDK_SHARE, "fm2021", base_year=2020))
        # 2021: legacy continued 148.6 (2017 prices) * 103.43 / 101.40 = 151.5749;
        # tendered 113.9 (2021 prices) * 103.43 / 105.35 = 111.8242, phase-out 0;
        # new tasks are not operation. share = 1 - 111.8242 / 151.5749 = 26.23 %
        assert own.year == 2021
        assert own.baseline_operation == pytest.approx(148.6 * 103.43 / 101.40, rel=1e-12)
        assert own.alternative_operation == pytest.approx(113.9 * 103.43 / 105.35, rel=1e-12)
        assert own.share == pytest.approx(0.26225, abs=1e-5)


# --------------------------------------------------------------------------- tables, sentences

@pytest.fixture(scope="module")
def monopoly_report():
    return model.build("monopoly_break", "fm2021", draws=2000, seed=1, **OLD_START)


@pytest.fixture(scope="module")
def udk_report():
    return model.build("udk_share", "fm2021", draws=2000, seed=1)


class TestKeyFiguresTable:
    def test_hand_worked_values_in_danish(self, monopoly_report):
        values = list(bctext.key_figures_table(monopoly_report).iloc[:, 0])
        # values[0] is the expected NPV (the mean of the draws, tested in TestHeadline)
        assert values[1] == "-110,6 mio. kr."  # MONOPOLY_NPV_2021
        assert values[2] == "1.029,9 mio. kr." and values[3] == "1.140,5 mio. kr."
        assert values[4] == "0,90"  # 1029.9012 / 1140.4911 = 0.9030
        assert plain(values[5]) == "2,0 %"  # npf.irr: 1.96 %
        assert values[6] == "11,7 år (tilbagebetalt i 2029)"
        assert values[7] == "Ikke tilbagebetalt inden for 2017-2030"
        assert "3,5" in values[8] and "(år 1-13)" in values[8]
        assert values[9].startswith("Budgetøkonomisk")

    def test_identity_npv_is_benefits_minus_costs(self, udk_report):
        result = udk_report.result
        assert result.npv == pytest.approx(result.pv_benefits - result.pv_costs, rel=1e-12)
        assert bctext.key_figures_table(udk_report).iloc[1, 0] == fmt.money(result.npv)


class TestRateBands:
    def test_bands_over_a_long_horizon(self):
        result = bc.evaluate(MONOPOLY, "fm2013", horizon=75)
        # fm2013: 4 % in years 1-35, 3 % in 36-70, 2 % after 70 (years 0-74)
        assert plain(bctext.rate_bands(result)) == "4,0 % (år 1-35), 3,0 % (år 36-70), " \
                                                   "2,0 % (år 71-74)"
        assert plain(bctext.rate_bands(bc.evaluate(MONOPOLY, 0.035), "en")) == \
            "3.5% (years 1-14)"  # savings from 2022: 2017-2031


class TestConclusion:
    def test_negative_npv_is_said_plainly_with_its_cause(self, monopoly_report):
        text = " ".join(bctext.conclusion_sentences(monopoly_report))
        assert "negativ nettonutidsværdi (NNV) på -110,6 mio. kr." in text
        # the timing assumptions behind it, and that the figures are headline figures
        assert "tidsforudsætningerne" in text and "hovedtal" in text
        assert "jævnt fordelt over 2017-2020" in text and "fra 2021 i 10 år" in text
        # payback 11.74 years -> 2029; discounted never within 2017-2030
        assert "tilbagebetalingstiden 11,7 år, så investeringen er tilbagebetalt i 2029" in text
        assert "inden udgangen af 2030" in text
        # 3.5 % applies to all 14 years, not only "the first years"
        assert "3,5 %, der gælder i alle casens 14 år" in plain(text)
        assert "afholdes i 2017-2020" in text and "falder" not in text
        # the 25 % target: 137.2 / 549.8 from figures rounded to 0.1 -> "knap 25 %"
        assert "knap 25 %" in plain(text) and "lige under målet på 25 %" in plain(text)
        assert "24,95" not in text and "procentpoint" not in text
        assert "ealiseret" not in text and "tjent hjem" not in text and "tjener" not in text
        assert "kr.." not in text

    def test_fm2013_and_english(self):
        report = model.build("monopoly_break", "fm2013", draws=500, language="en", **OLD_START)
        text = " ".join(bctext.conclusion_sentences(report))
        # MONOPOLY_NPV_2013
        assert "negative net present value (NPV) of -142.5 DKK million" in text
        assert "31 May 2013" in text and "headline figures" in text
        assert "just under 25% of the municipalities' payments to KMD" in text
        assert "realised" not in text.lower()

    def test_positive_illustrative_case(self, udk_report):
        text = " ".join(bctext.conclusion_sentences(udk_report))
        assert "positiv nettonutidsværdi (NNV)" in text and "illustrativt eksempel" in text
        assert "hovedtal" not in text

    def test_uncertainty_sentence_carries_the_simulation(self, monopoly_report):
        mc = monopoly_report.monte_carlo
        text = " ".join(bctext.conclusion_sentences(monopoly_report))
        assert fmt.money(mc.p10) in text and fmt.money(mc.p90) in text
        # the widest tornado bar: new payments 380-440 a year over 10 years at 3.5 %
        # NPV at low = -110.5899 + 32.5 * 7.501102 = 133.1959
        assert "Betalinger efter monopolbruddet" in text and "133,2 mio. kr." in text

    def test_which_assumption_decides_the_sign(self):
        # Savings from 2022, every item at its triangular mean (the expected NPV):
        #   investment (1100 + 1200 + 1400)/3 = 1233.333, 246.667 a year in 2017-2021;
        #   new payments (380 + 412.5 + 440)/3 = 410.833, a saving of 138.967 a year.
        #   E[NPV] = -246.667 * 4.673079 + 138.967 * 0.871442 * a(n, 3.5 %)
        # needs a(n) >= 1152.693 / 121.102 = 9.5183: a(11) = 9.0016, a(12) = 9.6633, so 12
        # years of operation instead of 10 turn it positive, whatever the start year
        # 2021-2023 (all negative, table below). The new payments that make E[NPV] = 0 with 10
        # years: 410.833 + E[NPV] / (0.871442 * 8.316605) = 410.833 - 145.540 / 7.247374
        #   = 390.752
        report = model.build("monopoly_break", "fm2021", draws=500)
        expected = -1233.333333 / 5 * (1 + annuity(4, 0.035)) + \
            (549.8 - 1232.5 / 3) * 1.035**-4 * annuity(10, 0.035)
        assert report.expected.npv == pytest.approx(expected, abs=1e-4)
        assert expected == pytest.approx(-145.540, abs=1e-3)
        driver = report.sign_driver
        assert driver["years_needed"] == 12 and driver["years"] == 10
        assert not driver["start_decides"]
        assert driver["item"] == "new_supplier_payments"
        assert driver["switching_value"] == pytest.approx(
            1232.5 / 3 + expected / (1.035**-4 * annuity(10, 0.035)), abs=1e-6)
        text = " ".join(bctext.conclusion_sentences(report))
        assert "startårene 2021-2023 er den forventede NNV negativ" in text
        assert "med 12 i stedet for 10 driftsår" in text and "390,8 mio. kr." in text
        assert "fortegn" not in text.lower()  # a board reads "positiv eller negativ"


class TestSignSettled:
    """A switch point to 0.1 mio. kr. is false precision when the expected NPV is about zero
    against its spread; the thresholds (35-65 % positive, |mean| < (P90 - P10)/10) by hand."""

    @staticmethod
    def _mc(mean, p10, p90, prob):
        from types import SimpleNamespace
        return SimpleNamespace(mean=mean, p10=p10, p90=p90, prob_positive=prob)

    @pytest.mark.parametrize("mean, p10, p90, prob, settled", [
        (-145.0, -283.0, -4.0, 0.09, True),    # monopoly_break: |mean| 145 >= 27.9, 9 %
        (-1.6, -106.0, 105.0, 0.49, False),    # udk_share: 49 % is within 35-65 %
        (-15.0, -200.0, 150.0, 0.30, False),   # 30 %, but |15| < 350 / 10 = 35
        (-40.0, -200.0, 150.0, 0.30, True),    # |40| >= 35 and 30 % outside 35-65 %
        (10.0, -100.0, 120.0, 0.35, False),    # the 35 % bound belongs to "unsettled"
    ])
    def test_thresholds_by_hand(self, mean, p10, p90, prob, settled):
        assert bctext.sign_settled(self._mc(mean, p10, p90, prob)) is settled

    def test_udk_share_says_about_zero_and_gives_no_switch_point(self, udk_report):
        text = " ".join(bctext.resume_sentences(udk_report))
        assert "omtrent nul" in text and "afgør ikke" in text
        assert "i stedet for" not in text  # no 152,7 instead of 152,5

    def test_monopoly_break_keeps_its_switch_point(self, monopoly_report):
        text = " ".join(bctext.resume_sentences(monopoly_report))
        assert "omtrent nul" not in text and "i stedet for 10 driftsår" in text


class TestTwoEstimatesOfTheExpectedNpv:
    def test_standard_error_by_hand(self):
        # draws 1, 2, 3, 4: mean 2.5, sample variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3,
        # standard error sqrt(5/3) / sqrt(4) = 0.645497
        from udkecon.uncertainty import MonteCarloResult
        mc = MonteCarloResult(npv=np.array([1.0, 2.0, 3.0, 4.0]), p10=0, p50=0, p90=0,
                              mean=2.5, prob_positive=1.0, deterministic_npv=0, draws=4,
                              seed=1, rate_name="")
        assert mc.standard_error == pytest.approx(0.645497, abs=1e-6)

    def test_named_apart_and_never_said_equal(self, monopoly_report):
        r = monopoly_report
        annex = " ".join(bctext.method_sentences(r))
        notes = bctext.risk_adjusted_note(r) + " " + bctext.savings_start_note(r)
        se = r.monte_carlo.standard_error
        assert se == pytest.approx(r.monte_carlo.npv.std(ddof=1) / np.sqrt(r.monte_carlo.draws))
        for text in (annex, notes):
            assert "simulationsstøj" in text and "er den lig" not in text
            assert fmt.money(se, 1) in text
        assert "NNV af de risikojusterede værdier" in annex
        # the analytic value keeps its own name in the start-year table
        table = bctext.savings_start_table(r)
        assert "NNV af de risikojusterede værdier" in table.columns
        assert "Forventet NNV" not in table.columns
        # mean and analytic value differ by simulation noise only (a few standard errors)
        assert abs(r.monte_carlo.mean - r.expected.npv) < 5 * se


class TestSavingsStart:
    def test_npv_by_start_year_by_hand(self):
        # 2021: MONOPOLY_NPV_2021; 2022: MONOPOLY_NPV_2022; 2023: investment 1200/6 = 200 a
        # year in 2017-2022, saving 137.3 a year in 2023-2032:
        #   -200 * (1 + a(5, 3.5 %)) + 137.3 * 1.035^-5 * a(10, 3.5 %) = -1103.0104 + 961.4239
        #   = -141.5866
        npv_2023 = -200 * (1 + annuity(5, 0.035)) + 137.3 * 1.035**-5 * annuity(10, 0.035)
        assert npv_2023 == pytest.approx(-141.5866, abs=1e-4)
        report = model.build("monopoly_break", "fm2021", draws=200)
        table = report.savings_sensitivity
        assert list(table["savings_start"]) == [2021, 2022, 2023]
        assert list(table["chosen"]) == [False, True, False]
        assert list(table["last_year"]) == [2030, 2031, 2032]
        assert table["npv"].tolist() == pytest.approx(
            [MONOPOLY_NPV_2021, MONOPOLY_NPV_2022, npv_2023], abs=1e-9)
        shown = bctext.savings_start_table(report)
        assert list(shown.index) == ["2021", "2022 (valgt)", "2023"]

    def test_default_is_2022_and_the_annex_says_why(self):
        report = model.build("monopoly_break", "fm2021", draws=200)
        assert report.flows.savings_start == 2022
        assert report.result.years[0] == 2017 and report.result.years[-1] == 2031
        annex = " ".join(bctext.annex_method_sentences(report))
        assert "sat til 2022" in annex and "2021-2022" in annex and "2010 til 2022" in annex
        assert "beregnet" in annex and "ikke målt" in annex

    def test_a_case_without_phases_has_no_table(self, udk_report):
        assert udk_report.savings_sensitivity is None
        assert bctext.savings_start_table(udk_report) is None


class TestHeadline:
    def test_headline_is_the_mean_of_the_draws(self, monopoly_report):
        draws = monopoly_report.monte_carlo.npv
        mean = math.fsum(draws.tolist()) / len(draws)  # independent of numpy's mean
        assert monopoly_report.headline_npv == pytest.approx(mean, rel=1e-12)
        economy = bctext.economy_table(monopoly_report)
        assert economy.iloc[0, 0] == fmt.money(mean)
        # the key table says once which year the present value is in: year 0, 2017
        assert economy.index[0] == "Forventet nettonutidsværdi (NNV) i 2017 (år 0), risikojusteret"
        assert economy.iloc[1, 0] == fmt.money(MONOPOLY_NPV_2021)
        assert bctext.key_figures(monopoly_report)[0][0] == fmt.number(mean, 1)
        assert fmt.money(mean) in bctext.resume_sentences(monopoly_report)[0]

    def test_one_uncertain_item_expected_npv_by_hand(self, tmp_path):
        # The hand case (tests/test_business_case.py) at a flat 5 % with only the legacy
        # operation uncertain, Tri(90, 100, 115): E[X] = 305/3 = 101.667, and NPV rises by
        # a(4, 5 %) = 3.545951 per unit (its years 1-4 in scenario 0), so
        #   E[NPV] = 53.980877 + 1.666667 * 3.545951 = 59.890795
        # sigma(NPV) = sqrt(475/18) * 3.545951 = 18.2156; at 200,000 draws the mean's
        # standard error is 0.0407: 5 of them is the tolerance.
        rows = (DATA / "business_case_hand_case.csv").read_text(encoding="utf-8").splitlines()
        fixed = [rows[0]]
        for line in rows[1:]:
            fields = line.split(",")
            if fields[0] != "legacy_operation":
                fields[7] = fields[9] = fields[8]  # low = high = mode
            fixed.append(",".join(fields))
        case = tmp_path / "one_uncertain_item.csv"
        case.write_text("\n".join(fixed) + "\n", encoding="utf-8")
        hand_npv = -45 - 5 / 1.05 + 40 / 1.05**2 + 40 / 1.05**3 + 40 / 1.05**4
        expected = hand_npv + (305 / 3 - 100) * annuity(4, 0.05)
        assert expected == pytest.approx(59.890795, abs=1e-6)
        report = model.build(str(case), "0.05", draws=200_000, seed=5)
        assert report.expected.npv == pytest.approx(expected, abs=1e-9)
        assert report.headline_npv == pytest.approx(expected, abs=5 * 0.0407)
        assert report.result.npv == pytest.approx(hand_npv, abs=1e-9)

    def test_why_they_differ(self, monopoly_report):
        sentence = bctext.why_differ_sentence(monopoly_report)
        assert "lavere" in sentence and "kommunernes investering" in sentence
        # the formula is for the annex, not page 1
        assert "(lav + mest sandsynlig + høj)/3" not in sentence
        assert "(lav + mest sandsynlig + høj)/3" in " ".join(
            bctext.method_sentences(monopoly_report))
        assert "Digitaliseringsstyrelsens" not in bctext.risk_adjusted_note(monopoly_report)


class TestRiskAdjusted:
    def test_effects_by_hand_and_they_add_up(self):
        # savings from 2022: investment mean 1233.333 vs 1200: 6.667 a year more in
        # 2017-2021 -> -6.667 * (1 + a(4, 3.5 %)) = -31.1539; new payments mean 410.833 vs
        # 412.5: 1.667 a year less in 2022-2031 -> 1.667 * 1.035^-4 * a(10) = 12.0791
        report = model.build("monopoly_break", "fm2021", draws=200)
        frame = report.risk_adjusted.set_index(["item", "scenario"])
        assert frame.loc[("investment", 1), "npv_effect"] == pytest.approx(
            -(100 / 3) / 5 * (1 + annuity(4, 0.035)), abs=1e-9)
        assert frame.loc[("new_supplier_payments", 1), "npv_effect"] == pytest.approx(
            (5 / 3) * 1.035**-4 * annuity(10, 0.035), abs=1e-9)
        assert frame.loc[("investment", 1), "mean_total"] == pytest.approx(3700 / 3)
        assert frame.loc[("kmd_payments", 0), "difference"] == 0
        assert frame["npv_effect"].sum() == pytest.approx(
            report.expected.npv - report.result.npv, abs=1e-9)
        assert "skæve opad" in frame.loc[("investment", 1), "range_reason"]

    def test_every_range_has_its_reason_in_the_case_files(self):
        for path in (MONOPOLY, UDK_SHARE):
            case = bc.load_case(path)
            ranged = case[case["low"] < case["high"]]
            assert len(ranged) and ranged["range_reason"].str.len().min() > 20, path.name

    def test_a_range_without_a_reason_is_refused(self, tmp_path):
        from udkecon.errors import DataError

        text = MONOPOLY.read_text(encoding="utf-8").splitlines()
        # row 5 of the file (the new payments, a range 380-440): its reason emptied
        header = text[0].split(",")
        assert "range_reason" in header
        import csv as csv_module
        rows = list(csv_module.reader(text))
        rows[4][header.index("range_reason")] = ""
        bad = tmp_path / "business_case_range_without_reason.csv"
        with bad.open("w", encoding="utf-8", newline="") as handle:
            csv_module.writer(handle, lineterminator="\n").writerows(rows)
        with pytest.raises(DataError) as error:
            bc.load_case(bad)
        message = str(error.value)
        assert "row 5" in message and "range_reason" in message


class TestPriceBasis:
    def test_own_prices_and_restated_in_the_language(self, monopoly_report):
        # the monopoly-break case has no price_year: its amounts are not restated
        assert "ikke omregnet" in bctext.price_basis(monopoly_report)
        english = model.build("udk_share", draws=10, language="en")
        assert bctext.price_basis(english).startswith("Fixed prices (2020 level)")


class TestRateComparison:
    def test_decision_date_marks_its_schedule_and_a_flat_rate_is_added(self):
        report = model.build("monopoly_break", "2016-06-01", draws=10, **OLD_START)
        frame = report.rate_comparison
        assert list(frame.loc[frame["chosen"], "rate"]) == ["fm2013"]
        assert frame.loc[frame["rate"] == "fm2013", "npv"].iloc[0] == \
            pytest.approx(MONOPOLY_NPV_2013, abs=1e-9)
        flat = model.build("monopoly_break", "0.04", draws=10, **OLD_START).rate_comparison
        # a flat 4 % equals fm2013 over 14 years (4 % until year 35)
        assert list(flat["rate"]) == ["fm2013", "fm2021", 0.04, 0.0]
        assert flat["npv"].iloc[2] == pytest.approx(MONOPOLY_NPV_2013, abs=1e-9)
        # undiscounted: -1200 + 10 * 137.3 = 173
        assert flat["npv"].iloc[3] == pytest.approx(173.0, abs=1e-9)


class TestSpans:
    def test_consecutive_years_as_ranges(self):
        assert bctext.spans([2017, 2018, 2019, 2021, 2023, 2024]) == "2017-2019, 2021, 2023-2024"


class TestSensitivityTable:
    def test_switching_value_makes_npv_zero(self, monopoly_report):
        table = bctext.sensitivity_table(monopoly_report)
        switching = table.loc["Betalinger efter monopolbruddet", label("bc_col_switching")]
        # NPV is linear in the new payments: -110.5899 - (x - 412.5) * 7.501102 = 0
        # -> x = 412.5 - 110.5899 / 7.501102 = 397.757
        assert switching == pytest.approx(412.5 + MONOPOLY_NPV_2021 /
                                          (annuity(13, 0.035) - annuity(3, 0.035)), rel=1e-9)
        values = bc.evaluate(MONOPOLY, "fm2021", values={"new_supplier_payments": switching},
                             **OLD_START)
        assert values.npv == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------- charts

class TestCharts:
    def test_cumulative_marks_the_payback_year(self, udk_report):
        fig = bccharts.cumulative(udk_report.result)
        vertical = {line.get_xdata()[0] for line in fig.axes[0].lines
                    if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
        summary = udk_report.result.summary()
        assert vertical == {summary["payback_year"], summary["discounted_payback_year"]}
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert f"Tilbagebetalt {summary['payback_year']}" in texts

    def test_tornado_bars_span_low_to_high(self, udk_report):
        fig = bccharts.tornado(udk_report.tornado)
        bars = fig.axes[0].patches
        assert len(bars) == 2 * len(udk_report.tornado)
        ends = sorted(round(b.get_x() + b.get_width(), 6) for b in bars)
        expected = sorted(round(v, 6) for v in np.concatenate(
            [udk_report.tornado["npv_low"], udk_report.tornado["npv_high"]]))
        assert ends == expected

    def test_npv_distribution_marks_percentiles_and_zero(self, monopoly_report):
        mc = monopoly_report.monte_carlo
        fig = bccharts.npv_distribution(mc)
        vertical = sorted(line.get_xdata()[0] for line in fig.axes[0].lines)
        assert vertical == sorted([mc.p10, mc.p50, mc.p90, 0.0])
        shares = [b.get_height() for b in fig.axes[0].patches]
        assert sum(shares) == pytest.approx(1.0)


# --------------------------------------------------------------------------- defaults

def notebook_defaults() -> dict:
    """The values of the business case notebook's parameters cell, as papermill reads them."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    [cell] = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    tree = ast.parse("".join(cell["source"]))
    return {node.target.id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.AnnAssign)}


def test_the_notebooks_defaults_give_the_packages_monte_carlo():
    # The report run with its defaults and `model.build()` called with none must agree: the
    # notebook's seed used to be 2020 against the package's 20201001.
    defaults = notebook_defaults()
    assert defaults["seed"] == config.MONTE_CARLO_SEED
    assert defaults["draws"] == config.MONTE_CARLO_DRAWS
    arguments = inspect.signature(model.build).parameters
    from_notebook = model.build(**{k: v for k, v in defaults.items() if k in arguments})
    from_api = model.build()
    assert from_notebook.monte_carlo.seed == from_api.monte_carlo.seed == 20201001
    assert from_notebook.monte_carlo.draws == from_api.monte_carlo.draws == 100_000
    for figure in ("p10", "p50", "p90", "mean", "prob_positive"):
        assert getattr(from_notebook.monte_carlo, figure) == getattr(from_api.monte_carlo,
                                                                     figure), figure
    assert from_notebook.result.npv == from_api.result.npv


# --------------------------------------------------------------------------- end to end

def _summary_values(path: Path) -> dict:
    """The summary sheet's key figures by their label (column A -> column B)."""
    sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2)
            if isinstance(row[0].value, str)}


class TestBoardPage:
    """Page 1 in every case and view: Resumé (3-5 sentences), Indstilling, Økonomi, and no
    internal names (file names, rate codes, parameter names)."""

    @pytest.mark.parametrize("case, view, guidance", [
        ("monopoly_break", "budget", ""), ("monopoly_break", "socio", ""),
        ("udk_share", "budget", ""), ("udk_share", "socio", "2020-01-01")])
    def test_page_one_has_no_internal_names(self, case, view, guidance):
        from udkecon import board

        report = model.build(case, "fm2021", draws=500, view=view, guidance_date=guidance)
        resume = bctext.resume_sentences(report)
        assert 3 <= len(resume) <= 5
        clauses = bctext.recommendation_clauses(report)
        assert clauses[0] == "at orienteringen tages til efterretning"
        table = bctext.economy_table(report)
        page = " ".join([*resume, *clauses, *table.index, *table.iloc[:, 0],
                         bctext.economy_note(report)])
        assert board.internal_names(page) == []
        assert "NPV" not in page and "realiseret" not in page.lower()
        assert ("Samfundsøkonomisk" if view == "socio" else "Budgetøkonomisk") in page

    def test_a_missing_net_tax_factor_is_said_on_page_one_and_in_the_annex(self):
        report = model.build("monopoly_break", "fm2021", draws=500, view="socio",
                             guidance_date="2020-01-01")
        table = bctext.economy_table(report)
        view_row = table.loc["Opgørelse"].iloc[0]
        assert "NAF ikke i datagrundlaget, faktorpriser" in view_row
        assert "skatteforvridningsfaktoren 1,10" in view_row
        note = bctext.economy_note(report)
        assert "nettoafgiftsfaktoren for 1. januar 2020 er ikke med i datagrundlaget" in note
        assert "faktorpriser" in note
        annex = " ".join(bctext.annex_method_sentences(report))
        assert note in annex and "B × (NAF + skatteforvridningsfaktor − 1)" in annex
        # 1.10 applied, no NAF guessed: the NPV is 1.1 times the budget view's
        budget = model.build("monopoly_break", "fm2021", draws=500)
        assert report.result.npv == pytest.approx(1.1 * budget.result.npv, rel=1e-12)
        assert budget.result.npv == pytest.approx(MONOPOLY_NPV_2022, abs=1e-9)

    def test_the_timing_is_a_decision_point(self):
        report = model.build("monopoly_break", "fm2021", draws=500)
        clauses = bctext.recommendation_clauses(report)
        assert any("besparelsen er antaget fra 2022 i 10 år" in c for c in clauses)


def _recalculate_with(workbook_path: Path, tmp_path: Path, changes: dict) -> dict:
    """The workbook with `changes` ({(sheet, cell): value}) recalculated by LibreOffice:
    the summary's values by their label."""
    book = openpyxl.load_workbook(workbook_path)
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    changed = tmp_path / f"changed_{len(changes)}_{workbook_path.name}"
    book.save(changed)
    [result] = libreoffice.recalculate([changed], tmp_path / f"out_{len(changes)}")
    return _summary_values(result)


class TestWorkbookFollowsItsAssumptions:
    def test_payback_and_npv_after_changing_rates_and_the_view(self, tmp_path):
        if libreoffice.soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed; it recalculates the workbook")
        from udkecon.documents.business_case import workbook

        report = model.build("monopoly_break", "fm2021", draws=500)
        path = workbook.write(report, tmp_path / "monopoly.xlsx", parameters={})
        sheet = label("xl_bc_sheet_assumptions")
        # every rate 0 and the 2023 net tax factor: undiscounted = discounted, NPV x 1.28.
        # By hand (savings from 2022): undiscounted NPV = -1200 + 10 * 137.3 = 173, times
        # 1.28 = 221.44; payback 4 + 1200 / 137.3 = 12.7400 years, both, in 2030
        changes = {(sheet, f"C{row}"): 0.0 for row in range(6, 5 + 15)}
        changes[(sheet, "G5")] = 1.28
        values = _recalculate_with(path, tmp_path, changes)
        assert values[label("xl_bc_npv")] == pytest.approx(173.0 * 1.28, abs=1e-6)
        assert values[label("xl_bc_payback")] == pytest.approx(4 + 1200 / 137.3, abs=1e-9)
        assert values[label("xl_bc_discounted_payback")] == pytest.approx(4 + 1200 / 137.3,
                                                                        abs=1e-9)
        assert values[label("xl_bc_payback_year")] == 2030
        assert values[label("xl_bc_bc_ratio")] == pytest.approx(1373 / 1200, abs=1e-9)
        # the Monte Carlo figure does not follow: greyed, marked as not updating
        assert values[label("xl_bc_expected_npv")] == pytest.approx(report.headline_npv)
        summary = openpyxl.load_workbook(path).worksheets[0]
        [row] = [r for r in range(1, summary.max_row + 1)
                 if summary[f"A{r}"].value == label("xl_bc_expected_npv")]
        assert summary[f"B{row}"].comment.text == label("board_not_updating")
        assert summary[f"B{row}"].font.color.rgb.endswith("7F7F7F")
        for key in ("xl_bc_npv", "xl_bc_payback", "xl_bc_discounted_payback", "xl_bc_irr"):
            [row] = [r for r in range(1, summary.max_row + 1)
                     if summary[f"A{r}"].value == label(key)]
            assert summary[f"B{row}"].data_type == "f", key
        # what it costs and saves, as on page 1 (by hand: 5 x 240 = 1200 invested in
        # 2017-2021; 549.8 - 412.5 = 137.3 a year from 2022): values no formula here
        # follows, so greyed and marked like the Monte Carlo figure
        for text_label, expected in (
                (label("bc_investment_row", years="2017-2021") + ", mio. kr.", 1200.0),
                (label("bc_saving_row", year=2022) + ", mio. kr.", 549.8 - 412.5)):
            [row] = [r for r in range(1, summary.max_row + 1)
                     if summary[f"A{r}"].value == text_label]
            assert summary[f"B{row}"].value == pytest.approx(expected, abs=1e-9)
            assert summary[f"B{row}"].comment.text == label("board_not_updating")

    def test_gnumeric_agrees_on_the_payback(self, tmp_path):
        # a second engine: Gnumeric's ssconvert recalculates the workbook (cached values
        # stripped) with every rate at 2 %. By hand (savings from 2022): the cumulative flow
        # is -240 a year to -1200 at t = 4, then +137.3 a year: negative until t = 12
        # (-1200 + 8 * 137.3 = -101.6), so payback = 12 + 101.6 / 137.3 = 12.7400 years
        import shutil
        import subprocess

        if shutil.which("ssconvert") is None:
            pytest.skip("Gnumeric (ssconvert) is not installed")
        from udkecon.documents.business_case import workbook

        report = model.build("monopoly_break", "fm2021", draws=200)
        path = workbook.write(report, tmp_path / "monopoly.xlsx", parameters={})
        book = openpyxl.load_workbook(path)
        for row in range(6, 5 + 15):
            book[label("xl_bc_sheet_assumptions")][f"C{row}"] = 0.02
        book.save(tmp_path / "at_2pct.xlsx")
        libreoffice.strip_cached_values(tmp_path / "at_2pct.xlsx", tmp_path / "stripped.xlsx")
        subprocess.run(["ssconvert", "--recalc", "-S", str(tmp_path / "stripped.xlsx"),
                        str(tmp_path / "sheet.csv")], check=True, capture_output=True,
                       timeout=120)
        import csv as csv_module
        with (tmp_path / "sheet.csv.0").open(encoding="utf-8") as handle:
            values = {row[0]: row[1] for row in csv_module.reader(handle) if len(row) > 1}
        assert float(values[label("xl_bc_payback")]) == pytest.approx(12 + 101.6 / 137.3,
                                                                      abs=1e-9)
        expected = bc.evaluate(MONOPOLY, 0.02)
        assert float(values[label("xl_bc_npv")]) == pytest.approx(expected.npv, abs=1e-6)
        assert values[label("xl_bc_discounted_payback")] == label("xl_bc_never")
        assert expected.discounted_payback is None

    def test_front_block_on_the_first_sheet(self, tmp_path):
        from udkecon.documents.business_case import workbook

        report = model.build("udk_share", "fm2021", draws=500)
        path = workbook.write(report, tmp_path / "udk.xlsx", parameters={})
        first = openpyxl.load_workbook(path).worksheets[0]
        column_a = [first[f"A{r}"].value for r in range(1, first.max_row + 1)]
        for heading in ("Resumé", "Indstilling", "Økonomi"):
            assert heading in column_a
        assert bctext.resume_sentences(report)[0] in column_a
        assert "1. at orienteringen tages til efterretning" in column_a


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("business_case")
    for case in ("monopoly_break", "udk_share"):
        run_notebook(NOTEBOOK, {"case": case, "draws": 20000},
                     output_dir=folder / case, stem=f"business_case_{case}")
    return folder


@pytest.mark.slow
class TestReports:
    @pytest.mark.parametrize("case, path", [("monopoly_break", MONOPOLY),
                                            ("udk_share", UDK_SHARE)])
    def test_pdf_shows_the_packages_key_figures(self, reports, case, path):
        text = pdf_text(reports / case / f"business_case_{case}.pdf")
        result = bc.evaluate(path, "fm2021", base_year=2020)
        assert fmt.money(result.npv) in text
        assert f"{fmt.number(result.payback, 1)} år" in text
        assert plain(fmt.percent(result.irr, 1)) in text
        assert fmt.number(result.bc_ratio, 2) in text
        assert f"tilbagebetalt i {result.summary()['payback_year']}" in text
        assert "Beregnet besparelse mod målet på 25 %" in text
        assert "24,95" not in text and "ealiseret" not in text and "tjent hjem" not in text
        assert re.search(r"Side 1 af \d", text)
        assert "import" not in text and "PosixPath" not in text

    @pytest.mark.parametrize("case", ["monopoly_break", "udk_share"])
    def test_page_one_is_the_board_page_and_the_annex_is_at_the_back(self, reports, case):
        from udkecon import board

        pages = [re.sub(r"[ \u00a0]+", " ", page.extract_text())
                 for page in PdfReader(reports / case / f"business_case_{case}.pdf").pages]
        first = pages[0]
        flat = re.sub(r"\s+", " ", first)
        for heading in ("Resumé", "Indstilling", "Økonomi",
                        "Forventet nettonutidsværdi (NNV) i 2017 (år 0), risikojusteret",
                        "Investering i alt", "Forventet besparelse om året i fuld drift",
                        "80 % sandsynlighed for en NNV mellem"):
            assert heading in flat, heading
        assert "fortegn" not in flat.lower() and "trekant" not in flat
        assert "ikke inden 20" not in flat
        assert board.internal_names(first) == []
        annex = [i for i, page in enumerate(pages) if "Bilag: Datagrundlag og metode" in page]
        assert annex and annex[0] >= len(pages) - 3
        back = " ".join(pages[annex[0]:])
        assert "Datakilder" in back and "KOMBIT" in back
        assert "Datakilder" not in first.split("Resumé")[1]

    def test_monopoly_break_npv_by_hand_and_not_illustrative(self, reports):
        text = pdf_text(reports / "monopoly_break" / "business_case_monopoly_break.pdf")
        # MONOPOLY_NPV_2022, savings from 2022 (the default)
        assert "negativ nettonutidsværdi (NNV) på -126,5 mio. kr." in text
        assert "hovedtal" in text and "tidsforudsætningerne" in text
        assert "Nettonutidsværdien efter startår for besparelsen" in text
        assert "llustrativ" not in text

    def test_udk_share_marked_illustrative_on_every_page(self, reports):
        pages = PdfReader(reports / "udk_share" / "business_case_udk_share.pdf").pages
        assert len(pages) >= 2
        for page in pages:
            assert "Illustrativt eksempel" in page.extract_text()

    def test_workbook_key_figures_after_recalculation(self, reports, tmp_path):
        if libreoffice.soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed; it recalculates the workbook")
        books = [reports / c / f"business_case_{c}.xlsx" for c in ("monopoly_break",
                                                                   "udk_share")]
        recalculated = libreoffice.recalculate(books, tmp_path)
        for book, path in zip(recalculated, (MONOPOLY, UDK_SHARE), strict=True):
            result = bc.evaluate(path, "fm2021", base_year=2020)
            values = _summary_values(book)
            assert values[label("xl_bc_npv")] == pytest.approx(result.npv, rel=1e-9)
            assert values[label("xl_bc_pv_benefits")] == pytest.approx(result.pv_benefits,
                                                                       rel=1e-9)
            assert values[label("xl_bc_pv_costs")] == pytest.approx(result.pv_costs, rel=1e-9)
            assert values[label("xl_bc_bc_ratio")] == pytest.approx(result.bc_ratio, rel=1e-9)
            assert values[label("xl_bc_irr")] == pytest.approx(result.irr, rel=1e-6)
            assert values[label("xl_bc_payback")] == pytest.approx(result.payback, rel=1e-9)
            assert values[label("xl_bc_payback_year")] == result.summary()["payback_year"]
            discounted = values[label("xl_bc_discounted_payback")]
            if result.discounted_payback is None:
                assert discounted == label("xl_bc_never")
            else:
                assert discounted == pytest.approx(result.discounted_payback, rel=1e-9)
        monopoly = _summary_values(recalculated[0])
        assert monopoly[label("xl_bc_npv")] == pytest.approx(MONOPOLY_NPV_2022, abs=1e-6)

    def test_english_at_the_2013_rate(self, tmp_path):
        run_notebook(NOTEBOOK, {"discount_rate": "fm2013", "language": "en", "draws": 2000,
                                "savings_start": 2021},
                     output_dir=tmp_path, stem="business_case_monopoly_break")
        text = pdf_text(tmp_path / "business_case_monopoly_break.pdf")
        # MONOPOLY_NPV_2013
        assert "negative net present value (NPV) of -142.5 DKK million" in text
        assert "Computed saving against the 25% target" in text
        assert re.search(r"Page 1 of \d", text)
        # the workbook caches the package's values beside its formulas
        values = _summary_values(tmp_path / "business_case_monopoly_break.xlsx")
        assert values[label("xl_bc_npv", "en")] == pytest.approx(MONOPOLY_NPV_2013, abs=1e-6)

    def test_socio_view_runs(self, tmp_path):
        run_notebook(NOTEBOOK, {"view": "socio", "draws": 2000},
                     output_dir=tmp_path, stem="business_case_monopoly_break")
        text = pdf_text(tmp_path / "business_case_monopoly_break.pdf")
        # 1.28 * MONOPOLY_NPV_2022 = 1.28 * -126.4654 = -161.8757
        assert fmt.money(1.28 * MONOPOLY_NPV_2022) in text
        assert "samfundsøkonomisk" in text.lower() and "1,28" in text


@pytest.mark.slow
class TestBadParameters:
    @pytest.mark.parametrize("parameters, message", [
        ({"case": "monopoly"}, "case 'monopoly' is neither a known case"),
        ({"view": "society"}, "view 'society' is not a view"),
        ({"case": "udk_share", "savings_start": 2022}, "savings_start 2022: the case has no"),
    ])
    def test_run_fails_with_a_clear_message(self, tmp_path, parameters, message):
        # refused by the notebook's guard cell: bad input (exit 2), nothing kept
        from udkecon.run import InputRefused

        with pytest.raises(InputRefused, match=message) as caught:
            run_notebook(NOTEBOOK, parameters, output_dir=tmp_path, stem="business_case_bad")
        assert caught.value.exit_code == 2
        assert list(tmp_path.iterdir()) == []

    def test_a_bad_discount_rate_is_refused_before_the_kernel(self, tmp_path):
        # the notebook's rule (parse_discount_rate) runs with the parameter checks
        with pytest.raises(ParameterError, match="discount_rate 'fm2019'") as caught:
            run_notebook(NOTEBOOK, {"discount_rate": "fm2019"}, output_dir=tmp_path,
                         stem="business_case_bad")
        assert caught.value.exit_code == 2
        assert list(tmp_path.iterdir()) == []
