"""The business case report: its text module, its charts, and the notebook end to end.

Expected numbers are worked out by hand in the comments, or by an independent route
(numpy-financial for the IRR, `business_case.evaluate` formatted with `udkecon.fmt` for what
the PDF must show), never copied from the report's output. Annuity factor used below:
a(n, r) = sum_{t=1..n} (1+r)^-t = (1 - (1+r)^-n) / r.

The monopoly-break case (data/raw/business_case_monopoly_break.csv), years 2017-2030 = t 0..13:
    scenario 0: KMD 549.8 a year                                     -> 549.8 every year
    scenario 1: KMD 549.8 + investment 1200/4 = 300 in 2017-2020     -> 849.8
                new payments 412.5 in 2021-2030                      -> 412.5
    net saving: -300 in t = 0..3, 549.8 - 412.5 = 137.3 in t = 4..13
"""

from __future__ import annotations

import ast
import datetime
import inspect
import json
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


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[ \u00a0]+", " ", text)


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_hand_figures_are_what_the_package_computes():
    # the hand arithmetic above against the package, so the tests below may use either
    result = bc.evaluate(MONOPOLY, "fm2021")
    assert result.npv == pytest.approx(MONOPOLY_NPV_2021, abs=1e-9)
    assert MONOPOLY_NPV_2021 == pytest.approx(-110.5899, abs=1e-4)
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
    def test_horizon_beyond_the_2021_schedule(self):
        # fm2021 gives no rate after year 70: 72 years (years 0-71) need one
        with pytest.raises(ParameterError, match=r"horizon 72 .*fm2021.*at most 71 years"):
            model.check_parameters("monopoly_break", "fm2021", 72, 10, 1)
        model.check_parameters("monopoly_break", "fm2021", 71, 10, 1)
        model.check_parameters("monopoly_break", "fm2013", 80, 10, 1)  # 2 % after year 70

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
        # 137.2 / 549.8 = 0.249545..., 0.0455 percentage points short of 25 %
        assert target.realised == pytest.approx(137.2 / 549.8, rel=1e-12)
        assert round(100 * target.realised, 2) == 24.95
        assert target.target == 0.25
        assert target.gap_points == pytest.approx(100 * (137.2 / 549.8 - 0.25), rel=1e-12)
        assert target.after == 412.5


class TestCaseSaving:
    def test_monopoly_break_first_full_year(self):
        own = bc.case_saving(bc.evaluate(MONOPOLY, "fm2021"))
        # the investment ends in 2020: 2021 is the first full year; 1 - 412.5/549.8 = 24.97 %
        assert own.year == 2021
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
    return model.build("monopoly_break", "fm2021", draws=2000, seed=1)


@pytest.fixture(scope="module")
def udk_report():
    return model.build("udk_share", "fm2021", draws=2000, seed=1)


class TestKeyFiguresTable:
    def test_hand_worked_values_in_danish(self, monopoly_report):
        values = list(bctext.key_figures_table(monopoly_report).iloc[:, 0])
        assert values[0] == "-110,6 mio. kr."  # MONOPOLY_NPV_2021
        assert values[1] == "1.029,9 mio. kr." and values[2] == "1.140,5 mio. kr."
        assert values[3] == "0,90"  # 1029.9012 / 1140.4911 = 0.9030
        assert plain(values[4]) == "2,0 %"  # npf.irr: 1.96 %
        assert values[5] == "11,7 år (tjent hjem i 2029)"
        assert values[6] == "Ikke tjent hjem i 2017-2030"
        assert "3,5" in values[7] and "(år 1-13)" in values[7]

    def test_identity_npv_is_benefits_minus_costs(self, udk_report):
        result = udk_report.result
        assert result.npv == pytest.approx(result.pv_benefits - result.pv_costs, rel=1e-12)
        assert bctext.key_figures_table(udk_report).iloc[0, 0] == fmt.money(result.npv)


class TestRateBands:
    def test_bands_over_a_long_horizon(self):
        result = bc.evaluate(MONOPOLY, "fm2013", horizon=75)
        # fm2013: 4 % in years 1-35, 3 % in 36-70, 2 % after 70 (years 0-74)
        assert plain(bctext.rate_bands(result)) == "4,0 % (år 1-35), 3,0 % (år 36-70), " \
                                                   "2,0 % (år 71-74)"
        assert plain(bctext.rate_bands(bc.evaluate(MONOPOLY, 0.035), "en")) == \
            "3.5% (years 1-13)"


class TestConclusion:
    def test_negative_npv_is_said_plainly_with_its_cause(self, monopoly_report):
        text = " ".join(bctext.conclusion_sentences(monopoly_report))
        assert "negativ nutidsværdi på -110,6 mio. kr." in text
        # the timing assumptions behind it, and that the figures are headline figures
        assert "tidsforudsætningerne" in text and "hovedtal" in text
        assert "jævnt fordelt over 2017-2020" in text and "fra 2021 i 10 år" in text
        # payback 11.74 years -> 2029; discounted never within 2017-2030
        assert "efter 11,7 år, i 2029" in text and "inden udgangen af 2030" in text
        # the 25 % target: 137.2 / 549.8 = 24.95 %, 0.05 points short
        assert "24,95 %" in plain(text) and "målet på 25 %" in plain(text)
        assert "0,05 procentpoint under" in text
        assert "kr.." not in text

    def test_fm2013_and_english(self):
        report = model.build("monopoly_break", "fm2013", draws=500, language="en")
        text = " ".join(bctext.conclusion_sentences(report))
        assert "negative net present value of -142.5 DKK million" in text  # MONOPOLY_NPV_2013
        assert "31 May 2013" in text and "headline figures" in text
        assert "24.95% of the municipalities' payments to KMD" in text

    def test_positive_illustrative_case(self, udk_report):
        text = " ".join(bctext.conclusion_sentences(udk_report))
        assert "positiv nutidsværdi" in text and "illustrativt eksempel" in text
        assert "hovedtal" not in text

    def test_uncertainty_sentence_carries_the_simulation(self, monopoly_report):
        mc = monopoly_report.monte_carlo
        text = " ".join(bctext.conclusion_sentences(monopoly_report))
        assert fmt.money(mc.p10) in text and fmt.money(mc.p90) in text
        # the widest tornado bar: new payments 380-440 a year over 10 years at 3.5 %
        # NPV at low = -110.5899 + 32.5 * 7.501102 = 133.1959
        assert "Betalinger efter monopolbruddet" in text and "133,2 mio. kr." in text


class TestPriceBasis:
    def test_own_prices_and_restated_in_the_language(self, monopoly_report):
        # the monopoly-break case has no price_year: its amounts are not restated
        assert "ikke omregnet" in bctext.price_basis(monopoly_report)
        english = model.build("udk_share", draws=10, language="en")
        assert bctext.price_basis(english).startswith("Fixed prices (2020 level)")


class TestRateComparison:
    def test_decision_date_marks_its_schedule_and_a_flat_rate_is_added(self):
        report = model.build("monopoly_break", "2016-06-01", draws=10)
        frame = report.rate_comparison
        assert list(frame.loc[frame["chosen"], "rate"]) == ["fm2013"]
        assert frame.loc[frame["rate"] == "fm2013", "npv"].iloc[0] == \
            pytest.approx(MONOPOLY_NPV_2013, abs=1e-9)
        flat = model.build("monopoly_break", "0.04", draws=10).rate_comparison
        # a flat 4 % equals fm2013 over 14 years (4 % until year 35)
        assert list(flat["rate"]) == ["fm2013", "fm2021", 0.04, 0.0]
        assert flat["npv"].iloc[2] == pytest.approx(MONOPOLY_NPV_2013, abs=1e-9)
        # undiscounted: -1200 + 10 * 137.3 = 173
        assert flat["npv"].iloc[3] == pytest.approx(173.0, abs=1e-9)


class TestSpans:
    def test_consecutive_years_as_ranges(self):
        assert bctext._spans([2017, 2018, 2019, 2021, 2023, 2024]) == "2017-2019, 2021, 2023-2024"


class TestSensitivityTable:
    def test_switching_value_makes_npv_zero(self, monopoly_report):
        table = bctext.sensitivity_table(monopoly_report)
        switching = table.loc["Betalinger efter monopolbruddet", label("bc_col_switching")]
        # NPV is linear in the new payments: -110.5899 - (x - 412.5) * 7.501102 = 0
        # -> x = 412.5 - 110.5899 / 7.501102 = 397.757
        assert switching == pytest.approx(412.5 + MONOPOLY_NPV_2021 /
                                          (annuity(13, 0.035) - annuity(3, 0.035)), rel=1e-9)
        values = bc.evaluate(MONOPOLY, "fm2021", values={"new_supplier_payments": switching})
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
        assert f"Tjent hjem {summary['payback_year']}" in texts

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
        assert f"tjent hjem i {result.summary()['payback_year']}" in text
        # the 25 % target: 137.2 / 549.8 = 24,95 %
        assert "Realiseret besparelse mod målet på 25 %" in text and "24,95" in text
        assert re.search(r"Side 1 af \d", text)
        assert "import" not in text and "PosixPath" not in text

    def test_monopoly_break_npv_by_hand_and_not_illustrative(self, reports):
        text = pdf_text(reports / "monopoly_break" / "business_case_monopoly_break.pdf")
        assert "negativ nutidsværdi på -110,6 mio. kr." in text  # MONOPOLY_NPV_2021
        assert "hovedtal" in text and "tidsforudsætningerne" in text
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
        monopoly = _summary_values(recalculated[0])
        assert monopoly[label("xl_bc_npv")] == pytest.approx(MONOPOLY_NPV_2021, abs=1e-6)

    def test_english_at_the_2013_rate(self, tmp_path):
        run_notebook(NOTEBOOK, {"discount_rate": "fm2013", "language": "en", "draws": 2000},
                     output_dir=tmp_path, stem="business_case_monopoly_break")
        text = pdf_text(tmp_path / "business_case_monopoly_break.pdf")
        assert "negative net present value of -142.5 DKK million" in text  # MONOPOLY_NPV_2013
        assert "Realised saving against the 25% target" in text
        assert re.search(r"Page 1 of \d", text)
        # the workbook caches the package's values beside its formulas
        values = _summary_values(tmp_path / "business_case_monopoly_break.xlsx")
        assert values[label("xl_bc_npv", "en")] == pytest.approx(MONOPOLY_NPV_2013, abs=1e-6)


@pytest.mark.slow
class TestBadParameters:
    @pytest.mark.parametrize("parameters, message", [
        ({"case": "monopoly"}, "case 'monopoly' is neither a known case"),
        ({"discount_rate": "fm2019"}, "discount_rate 'fm2019'"),
        ({"horizon": 80}, "horizon 80 .*at most 71 years"),
    ])
    def test_run_fails_with_a_clear_message(self, tmp_path, parameters, message):
        # refused by the notebook's guard cell: bad input (exit 2), nothing kept
        from udkecon.run import InputRefused

        with pytest.raises(InputRefused, match=message) as caught:
            run_notebook(NOTEBOOK, parameters, output_dir=tmp_path, stem="business_case_bad")
        assert caught.value.exit_code == 2
        assert list(tmp_path.iterdir()) == []
