"""Tests of udkecon.business_case and udkecon.uncertainty.

Expected values come from numpy-financial (flat-rate NPV and IRR) or are worked out by hand
from closed forms (geometric sums) written out in the comments; none was copied from the
code's output. Annuity factor used below: a(n, r) = sum_{t=1..n} (1+r)^-t = (1 - (1+r)^-n)/r.
"""

from __future__ import annotations

import csv
import datetime
import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

from udkecon import business_case as bc
from udkecon import config, uncertainty
from udkecon.errors import DataError, ParameterError

DATA = Path(__file__).parent / "data"
HAND_CASE = DATA / "business_case_hand_case.csv"
MODE_ABOVE_HIGH = DATA / "business_case_mode_above_high.csv"
PHASE_MISMATCH = DATA / "business_case_phase_mismatch.csv"
NOT_A_NUMBER = DATA / "business_case_not_a_number.csv"


def annuity(n, r):
    return (1 - (1 + r) ** -n) / r


# The hand case (tests/data/business_case_hand_case.csv), years 2020-2024 = t 0..4:
#   scenario 0: legacy 100 a year                          -> 100, 100, 100, 100, 100
#   scenario 1: legacy 100 in 2020, new 60 a year 2021-24,
#               investment 90 spread over 2020-21 (45 + 45) -> 145, 105, 60, 60, 60
#   net benefit                                            -> -45,  -5,  40,  40,  40
HAND_NET = [-45.0, -5.0, 40.0, 40.0, 40.0]
# NPV at a flat 5 %: -45 - 5/1.05 + 40/1.05^2 + 40/1.05^3 + 40/1.05^4
#                  = -45 - 4.7619 + 36.2812 + 34.5535 + 32.9081 = 53.9809
HAND_NPV_5 = -45 - 5 / 1.05 + 40 / 1.05**2 + 40 / 1.05**3 + 40 / 1.05**4
A4 = annuity(4, 0.05)  # 3.5460: a cost of 1 a year in years 1-4 is worth this today
INVESTMENT_WEIGHT = (1 + 1 / 1.05) / 2  # 0.97619: 1 of the investment, half in t=0, half in t=1


# --------------------------------------------------------------------------- rates

class TestRateSchedule:
    def test_fm2013_bands_by_year_of_life(self):
        # 4 % years 0-35, 3 % 36-70, 2 % from 71 (Finansministeriet 31 May 2013)
        rates = bc.rate_schedule("fm2013", 80)
        assert rates[35] == 0.04 and rates[36] == 0.03 and rates[70] == 0.03
        assert rates[71] == 0.02 and rates[79] == 0.02

    def test_fm2021_bands(self):
        rates = bc.rate_schedule("fm2021", 71)
        assert rates[1] == 0.035 and rates[35] == 0.035 and rates[36] == 0.025
        assert rates[70] == 0.025

    def test_fm2021_third_band_from_year_71(self):
        # 1.5 % from year 71 (documentation note of 7 January 2021; Finansministeriet's news
        # of 22 June 2023 lists it among the implemented changes)
        rates = bc.rate_schedule("fm2021", 80)
        assert rates[70] == 0.025 and rates[71] == 0.015 and rates[79] == 0.015

    def test_npv_of_100_in_year_71_by_hand(self):
        # Year 0 is not discounted; years 1-35 at 3.5 % (35 factors), 36-70 at 2.5 % (35
        # factors), year 71 at 1.5 % (one factor): 100 / (1.035^35 * 1.025^35 * 1.015)
        #   1.035^35 = 3.333590, 1.025^35 = 2.373205, product 7.911297, * 1.015 = 8.029966
        #   -> 100 / 8.029966 = 12.45336
        expected = 100 / (1.035**35 * 1.025**35 * 1.015)
        assert expected == pytest.approx(12.45336, abs=1e-5)
        import udkecon
        assert udkecon.npv([0] * 71 + [100], "fm2021") == pytest.approx(expected, rel=1e-12)
        # not the year-71 rate over all 71 years
        assert udkecon.npv([0] * 71 + [100], "fm2021") != pytest.approx(100 / 1.015**71,
                                                                        rel=1e-3)

    def test_a_schedule_without_a_band_for_the_horizon_is_refused(self, tmp_path, monkeypatch):
        rates = tmp_path / "rates.csv"
        rates.write_text("valid_from,from_year,to_year,rate\n2021-01-07,0,35,0.035\n"
                         "2021-01-07,36,70,0.025\n", encoding="utf-8")
        monkeypatch.setattr(config, "DISCOUNT_RATES_FILE", rates)
        with pytest.raises(ParameterError, match="year 71.*stops at year 70.*at most 71 years"):
            bc.rate_schedule("fm2021", 72)

    def test_the_refused_schedule_is_not_offered_instead(self, tmp_path, monkeypatch):
        # fm2021 stops at year 70, fm2013 is open from year 71, fm2020 stops at year 80:
        # for 100 years (0-99) only fm2013 covers the horizon (hostile round 2, D2: the
        # message offered 'fm2013', 'fm2021', the refused one among them)
        rates = tmp_path / "rates.csv"
        rates.write_text("valid_from,from_year,to_year,rate\n2013-05-31,0,35,0.04\n"
                         "2013-05-31,36,,0.03\n2020-01-01,0,80,0.03\n"
                         "2021-01-07,0,35,0.035\n2021-01-07,36,70,0.025\n", encoding="utf-8")
        monkeypatch.setattr(config, "DISCOUNT_RATES_FILE", rates)
        with pytest.raises(ParameterError) as error:
            bc.rate_schedule("fm2021", 100)
        assert str(error.value).endswith(
            "shorten the horizon to at most 71 years, or use 'fm2013', a decimal rate such as "
            "0.035, or a sequence of per-year rates")

    def test_unknown_schedule_names_the_choices(self):
        with pytest.raises(ParameterError) as error:
            bc.rate_schedule("fm2019", 10)
        message = str(error.value)
        assert "rate 'fm2019'" in message and "'fm2013'" in message and "'fm2021'" in message

    def test_decision_date_chooses_the_regime_valid_then(self):
        assert bc.schedule_on(datetime.date(2020, 12, 31)) == "fm2013"
        assert bc.schedule_on("2021-01-07") == "fm2021"
        assert bc.schedule_on("2013-05-31") == "fm2013"
        assert np.array_equal(bc.rate_schedule(datetime.date(2016, 6, 1), 5),
                              bc.rate_schedule("fm2013", 5))

    def test_decision_date_before_the_first_schedule(self):
        with pytest.raises(ParameterError, match="before the first"):
            bc.schedule_on("2012-01-01")

    def test_percentage_instead_of_decimal_is_refused(self):
        with pytest.raises(ParameterError, match="0.035 for 3.5 %"):
            bc.rate_schedule(3.5, 10)

    def test_sequences_of_n_or_n_minus_1_rates(self):
        # n rates: indexed by year, the first not used; n-1 rates: years 1..n-1
        assert np.array_equal(bc.discount_factors([0.9, 0.1, 0.2], 3),
                              bc.discount_factors([0.1, 0.2], 3))
        with pytest.raises(ParameterError, match="3 years"):
            bc.rate_schedule([0.1, 0.2, 0.3, 0.4], 3)

    def test_explicit_per_year_rates_by_hand(self):
        # n - 1 = 2 rates are the rates of years 1 and 2 (docstring of rate_schedule):
        #   DF_0 = 1, DF_1 = 1/1.1 = 0.909091, DF_2 = 1/(1.1 * 1.2) = 1/1.32 = 0.757576
        expected = [1.0, 1 / 1.1, 1 / (1.1 * 1.2)]
        assert np.allclose(bc.discount_factors([0.1, 0.2], 3), expected, rtol=1e-12, atol=0)
        # n = 3 rates indexed by year: the first (year 0) is not used, so the same factors
        assert np.allclose(bc.discount_factors([0.5, 0.1, 0.2], 3), expected, rtol=1e-12, atol=0)


class TestDiscountFactors:
    def test_period_by_period_identity(self):
        # DF_t / DF_{t-1} = 1 / (1 + r_t) for every t
        factors = bc.discount_factors("fm2013", 100)
        rates = bc.rate_schedule("fm2013", 100)
        assert factors[0] == 1.0
        assert np.allclose(factors[1:] / factors[:-1], 1 / (1 + rates[1:]))

    def test_year_40_is_not_discounted_at_the_year_40_rate(self):
        # 1.04^-35 * 1.03^-5, not 1.03^-40
        factor = bc.discount_factors("fm2013", 41)[40]
        assert factor == pytest.approx(1.04**-35 * 1.03**-5, rel=1e-12)
        assert factor != pytest.approx(1.03**-40, rel=1e-3)


# --------------------------------------------------------------------------- key figures

class TestNpv:
    @pytest.mark.parametrize("rate", [0.0, 0.02, 0.035, 0.04, 0.1, -0.02])
    def test_flat_rate_equals_numpy_financial(self, rate):
        values = [-1200.0, 130.5, 137.3, 140.0, -20.0, 137.3, 300.0]
        assert bc.npv(values, rate) == pytest.approx(npf.npv(rate, values), rel=1e-12)

    def test_numpy_financial_also_leaves_year_0_undiscounted(self):
        # so the comparison above is like with like (Excel's NPV would discount year 0)
        assert npf.npv(0.1, [100.0]) == 100.0
        assert bc.npv([100.0], 0.1) == 100.0

    def test_stepwise_fm2013_on_40_years_by_hand(self):
        # -1000 in year 0, +50 in years 1-39. Years 1-35 at 4 %, years 36-39 at 3 % on top
        # of 1.04^-35:
        #   NPV = -1000 + 50 * (a(35, 4 %) + 1.04^-35 * a(4, 3 %))
        #       = -1000 + 50 * (18.664613 + 0.253415 * 3.717098)
        #       = -1000 + 50 * 19.606583 = -19.6708
        values = [-1000.0] + [50.0] * 39
        expected = -1000 + 50 * (annuity(35, 0.04) + 1.04**-35 * annuity(4, 0.03))
        assert expected == pytest.approx(-19.6708, abs=1e-4)
        assert bc.npv(values, "fm2013") == pytest.approx(expected, rel=1e-12)
        # the wrong convention (1 + r_t)^-t would give -0.72 instead
        assert bc.npv(values, "fm2013") != pytest.approx(
            -1000 + 50 * (annuity(35, 0.04) + sum(1.03**-t for t in range(36, 40))), abs=1)

    def test_stepwise_fm2021_on_40_years_by_hand(self):
        # = -1000 + 50 * (a(35, 3.5 %) + 1.035^-35 * a(4, 2.5 %))
        # = -1000 + 50 * (20.000661 + 0.299977 * 3.761974) = -1000 + 50 * 21.129166 = 56.4583
        values = [-1000.0] + [50.0] * 39
        expected = -1000 + 50 * (annuity(35, 0.035) + 1.035**-35 * annuity(4, 0.025))
        assert bc.npv(values, "fm2021") == pytest.approx(expected, rel=1e-12)
        assert bc.npv(values, datetime.date(2022, 1, 1)) == pytest.approx(expected, rel=1e-12)

    def test_rows_of_a_matrix_are_separate_cash_flows(self):
        flows = np.array([[-100.0, 60.0, 60.0], [10.0, 0.0, 0.0]])
        assert np.allclose(bc.npv(flows, 0.04), [npf.npv(0.04, flows[0]), 10.0])

    def test_scalar_values_point_at_the_argument_order(self):
        with pytest.raises(ParameterError, match=r"npv\(values, rate\)"):
            bc.npv(0.04, [1.0, 2.0])


class TestPayback:
    def test_linear_within_the_year(self):
        # cumulative -100, -70, -30, 20: turns non-negative in year 3, 2 + 30/50 = 2.6
        assert bc.payback([-100, 30, 40, 50]) == pytest.approx(2.6, abs=1e-12)

    def test_never_pays_back(self):
        assert bc.payback([-100, 30, 30, 30]) is None

    def test_no_negative_cumulative_pays_back_at_once(self):
        assert bc.payback([0, 10, 10]) == 0.0

    def test_exactly_zero_at_the_end_counts_as_paid_back(self):
        assert bc.payback([-100, 50, 50]) == pytest.approx(2.0)  # 1 + 50/50

    def test_after_a_second_dip_it_is_the_last_crossing(self):
        # cumulative -100, 50, -50, 50: negative last in year 2, so 2 + 50/100 = 2.5
        assert bc.payback([-100, 150, -100, 100]) == pytest.approx(2.5)

    def test_hand_case_undiscounted_and_discounted(self):
        # undiscounted cumulative -45, -50, -10, 30: 2 + 10/40 = 2.25
        assert bc.payback(HAND_NET) == pytest.approx(2.25)
        # discounted at 5 %: -45, -4.7619, 36.2812, 34.5535, 32.9081
        # cumulative -45, -49.7619, -13.4807, 21.0728: 2 + 13.4807/34.5535 = 2.3901
        cumulative_2 = -45 - 5 / 1.05 + 40 / 1.05**2
        expected = 2 + (-cumulative_2) / (40 / 1.05**3)
        assert expected == pytest.approx(2.3901, abs=1e-4)
        assert bc.payback(HAND_NET, 0.05) == pytest.approx(expected, rel=1e-12)


class TestIrr:
    @pytest.mark.parametrize("values", [
        [-100, 39, 59, 55, 20],  # numpy-financial's doc examples
        [-100, 0, 0, 74],
        [-100, 100, 0, -7],
        [-100, 100, 0, 7],
        [-5, 10.5, 1, -8, 1],
        HAND_NET,
        [-1200.0] + [137.3] * 10,
    ])
    def test_equals_numpy_financial(self, values):
        assert bc.irr(values) == pytest.approx(npf.irr(values), abs=1e-9)

    @pytest.mark.parametrize("values", [HAND_NET, [-1000.0] + [50.0] * 39, [-100, 30, 40, 50]])
    def test_npv_at_irr_is_zero(self, values):
        assert bc.npv(values, bc.irr(values)) == pytest.approx(0.0, abs=1e-9)

    def test_two_year_case_by_hand(self):
        # -100 + 121/(1+r)^2 = 0  ->  r = 0.1
        assert bc.irr([-100, 0, 121]) == pytest.approx(0.1, abs=1e-12)

    def test_no_sign_change_has_no_irr(self):
        assert bc.irr([100, 20, 30]) is None
        assert bc.irr([-100, -20]) is None


class TestBcRatio:
    def test_hand_case(self):
        # benefits = the years with a net benefit, costs = the years with a net cost, at 5 %:
        # B = 40 (1.05^-2 + 1.05^-3 + 1.05^-4) = 103.7428, C = 45 + 5/1.05 = 49.7619
        benefits = 40 * (1.05**-2 + 1.05**-3 + 1.05**-4)
        costs = 45 + 5 / 1.05
        assert bc.bc_ratio(HAND_NET, 0.05) == pytest.approx(benefits / costs, rel=1e-12)
        assert benefits - costs == pytest.approx(HAND_NPV_5, rel=1e-12)  # identity B - C = NPV

    def test_above_one_exactly_when_npv_is_positive(self):
        for values in ([-100, 60, 60], [-100, 50, 50], [-100, 40, 40]):
            assert (bc.bc_ratio(values, 0.04) > 1) == (bc.npv(values, 0.04) > 0)

    def test_no_costs(self):
        assert bc.bc_ratio([10, 10], 0.04) == math.inf


# --------------------------------------------------------------------------- the case model

class TestLoadCase:
    def test_high_below_mode_names_row_and_column(self):
        with pytest.raises(DataError) as error:
            bc.load_case(MODE_ABOVE_HIGH)
        assert error.value.row == 3 and error.value.column == "high"
        assert "mode 412.5 is above high 400" in str(error.value)

    def test_phase_with_two_spans_names_row_and_column(self):
        with pytest.raises(DataError) as error:
            bc.load_case(PHASE_MISMATCH)
        assert error.value.row == 3 and error.value.column == "first_year"
        assert "phase 'build'" in str(error.value) and "row 2" in str(error.value)

    def test_amount_with_a_unit_names_row_and_column(self):
        with pytest.raises(DataError) as error:
            bc.load_case(NOT_A_NUMBER)
        assert error.value.row == 3 and error.value.column == "mode"

    def test_the_two_cases_load(self):
        assert len(bc.load_case(config.MONOPOLY_BREAK_CASE_FILE)) == 5
        udk = bc.load_case(config.UDK_SHARE_CASE_FILE)
        assert set(udk["data_status"]) == {"illustrative"}
        assert udk.attrs["kind"] == "business_case"


class TestBuildCashFlows:
    def test_hand_case_costs_per_scenario(self):
        flows = bc.build_cash_flows(HAND_CASE)
        cost_0, cost_1 = flows.costs()
        assert flows.years.tolist() == [2020, 2021, 2022, 2023, 2024]
        assert np.allclose(cost_0, [100, 100, 100, 100, 100])
        assert np.allclose(cost_1, [145, 105, 60, 60, 60])
        assert np.allclose(flows.net_benefit(), HAND_NET)
        assert flows.base_year is None  # no price_year: taken as fixed prices already

    def test_moving_a_phase_respreads_a_total(self):
        # build only in 2020: investment 90 falls in 2020; net -90, 40, 40, 40, 40
        flows = bc.build_cash_flows(HAND_CASE, phases={"build": (2020, 2020)})
        assert np.allclose(flows.net_benefit(), [-90, 40, 40, 40, 40])

    def test_unknown_phase_names_the_phases(self):
        with pytest.raises(ParameterError, match="'bulid'.*use one of: build"):
            bc.build_cash_flows(HAND_CASE, phases={"bulid": (2020, 2021)})

    def test_horizon_cuts_and_extends(self):
        assert np.allclose(bc.build_cash_flows(HAND_CASE, horizon=3).net_benefit(),
                           [-45, -5, 40])
        assert np.allclose(bc.build_cash_flows(HAND_CASE, horizon=6).net_benefit(),
                           HAND_NET + [0.0])
        with pytest.raises(ParameterError, match="horizon 0"):
            bc.build_cash_flows(HAND_CASE, horizon=0)

    def test_by_item_sums_to_the_scenario_costs(self):
        flows = bc.build_cash_flows(HAND_CASE)
        totals = flows.by_item().groupby(["scenario", "year"])["amount_mio_dkk"].sum()
        cost_0, cost_1 = flows.costs()
        assert np.allclose(totals.loc[0].to_numpy(), cost_0)
        assert np.allclose(totals.loc[1].to_numpy(), cost_1)


class TestEvaluate:
    def test_hand_case_key_figures(self):
        result = bc.evaluate(HAND_CASE, rate=0.05)
        assert result.npv == pytest.approx(HAND_NPV_5, rel=1e-12)
        assert result.payback == pytest.approx(2.25)
        assert result.irr == pytest.approx(npf.irr(HAND_NET), abs=1e-9)
        assert result.pv_benefits - result.pv_costs == pytest.approx(result.npv)
        assert result.summary()["payback_year"] == 2023  # 2020 + ceil(2.25)

    def test_series_are_consistent(self):
        result = bc.evaluate(HAND_CASE, rate="fm2021")
        table = result.table()
        assert np.allclose(table["cumulative_net_benefit"], np.cumsum(HAND_NET))
        # fm2021: 3.5 % in years 0-35, so DF_t = 1.035^-t for t = 0..4
        assert np.allclose(table["discount_factor"], 1.035 ** -np.arange(5), rtol=1e-12, atol=0)
        assert table["cumulative_discounted_net_benefit"].iloc[-1] == pytest.approx(result.npv)
        assert result.rate_name == "fm2021"

    def test_values_override_an_item(self):
        # new operation 70 instead of 60: NPV falls by 10 * a(4, 5 %)
        result = bc.evaluate(HAND_CASE, rate=0.05, values={"new_operation": 70.0})
        assert result.npv == pytest.approx(HAND_NPV_5 - 10 * A4, rel=1e-12)

    def test_build_keywords_with_ready_cash_flows_are_refused(self):
        flows = bc.build_cash_flows(HAND_CASE)
        with pytest.raises(ParameterError, match="horizon"):
            bc.evaluate(flows, rate=0.05, horizon=3)


class TestMonopolyBreakCase:
    def test_reproduces_the_published_annual_saving(self):
        result = bc.evaluate(config.MONOPOLY_BREAK_CASE_FILE, rate="fm2013", savings_start=2021)
        full_operation = result.net_benefit[result.years >= 2021]
        # 549.8 - 412.5 = 137.3; published as 137.2 (the published figures are rounded)
        assert np.allclose(full_operation, 549.8 - 412.5)
        assert abs(full_operation[0] - 137.2) <= 0.1 + 1e-9
        assert result.cost_scenario_0[0] == pytest.approx(549.8)

    def test_investment_totals_1_2_bn(self):
        flows = bc.build_cash_flows(config.MONOPOLY_BREAK_CASE_FILE)
        items = flows.by_item()
        assert items.loc[items["item"] == "investment", "amount_mio_dkk"].sum() == \
            pytest.approx(1200.0)

    def test_npv_fm2013_by_hand(self):
        # Default timing: year 0 = 2017; build 2017-2020 (t 0-3): investment 1200/4 = 300 a
        # year, KMD payments in both scenarios; full operation 2021-2030 (t 4-13): 137.3 a
        # year. All years <= 35, so 4 %:
        #   NPV = -300 * sum_{t=0..3} 1.04^-t + 137.3 * sum_{t=4..13} 1.04^-t
        #       = -300 * (1 + a(3, 4 %)) + 137.3 * 1.04^-3 * a(10, 4 %)
        #       = -300 * 3.775091 + 137.3 * 0.888996 * 8.110896
        #       = -1132.527 + 990.009 = -142.518
        expected = -300 * (1 + annuity(3, 0.04)) + 137.3 * 1.04**-3 * annuity(10, 0.04)
        assert expected == pytest.approx(-142.518, abs=1e-3)
        result = bc.evaluate(config.MONOPOLY_BREAK_CASE_FILE, rate="fm2013", savings_start=2021)
        assert result.npv == pytest.approx(expected, rel=1e-9)
        assert result.years[0] == 2017 and result.years[-1] == 2030
        # undiscounted: cumulative -1200 after 2020, +137.3 a year: 1200/137.3 = 8.74 years
        # of operation -> 3 + 1200/137.3 = 11.74 years after 2017
        assert result.payback == pytest.approx(3 + 1200 / 137.3, rel=1e-12)
        assert result.data_status == "real" and result.base_year is None


    def test_build_phase_is_a_parameter(self):
        # build 2015-2020: investment 1200/6 = 200 a year, KMD paid in both scenarios, so
        # net -200 in 2015-2020 and 137.3 in 2021-2030; year 0 moves to 2015
        result = bc.evaluate(config.MONOPOLY_BREAK_CASE_FILE, rate="fm2013",
                             phases={"build": (2015, 2020), "full_operation": (2021, 2030)})
        assert result.years[0] == 2015
        assert np.allclose(result.net_benefit[:6], -200.0)
        assert np.allclose(result.net_benefit[6:], 549.8 - 412.5)


class TestUdkShareCase:
    def test_scenario_1_is_the_ledger(self):
        # scenario 1 in current prices = the illustrative ledger's total for each year
        case = bc.load_case(config.UDK_SHARE_CASE_FILE)
        ledger = pd.read_csv(config.COSTS_FILE)
        alternative = case[(case["scenario"] == 1) & (case["first_year"] <= 2021)]
        assert (alternative["first_year"] == alternative["last_year"]).all()
        assert np.allclose(alternative.groupby("first_year")["mode"].sum().to_numpy(),
                           ledger.groupby("year")["amount_mio_dkk"].sum().to_numpy())

    def test_fixed_prices_by_hand(self):
        # CPI (2015 = 100): 2017 101.40, 2020 103.43, 2021 105.35
        # 2017: (148.6 - (148.6 + 34.6 + 95.7 + 33.5)) * 103.43/101.40 = -163.8 * 1.020020
        # 2022: 148.6 * 103.43/101.40 - 113.9 * 103.43/105.35 = 151.5749 - 111.8242
        result = bc.evaluate(config.UDK_SHARE_CASE_FILE, rate="fm2013", base_year=2020)
        assert result.net_benefit[0] == pytest.approx(-163.8 * 103.43 / 101.40, rel=1e-9)
        assert result.net_benefit[5] == pytest.approx(
            148.6 * 103.43 / 101.40 - 113.9 * 103.43 / 105.35, rel=1e-9)
        assert result.base_year == 2020 and result.illustrative

    def test_new_tasks_cancel_between_the_scenarios(self):
        flows = bc.build_cash_flows(config.UDK_SHARE_CASE_FILE)
        without = flows.amounts(scale={"new_tasks": 0.0})
        assert np.allclose(flows.net_benefit(without), flows.net_benefit())
        # one amount for rows that differ (3.7, 5.3, 38.9) is refused: it would not scale
        with pytest.raises(ParameterError, match="use scale"):
            flows.amounts(values={"new_tasks": 0.0})

    def test_key_figures_by_an_independent_route(self):
        # Net benefit built with a plain csv loop: mode values, restated to 2020 prices with
        # the CPI (amount * cpi[2020] / cpi[price_year]), 'total' rows spread evenly over
        # first_year..last_year, scenario 0 minus scenario 1 per year. The case covers
        # 2017-2030 (14 years, all <= 35), so fm2021 is a flat 3.5 % and numpy-financial's
        # npv (year 0 undiscounted) applies.
        with open(config.CPI_FILE, newline="", encoding="utf-8") as handle:
            cpi = {int(row["year"]): float(row["cpi_2015_100"]) for row in csv.DictReader(handle)}
        with open(config.UDK_SHARE_CASE_FILE, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 26  # 27 lines in the file, one of them the header
        first = min(int(row["first_year"]) for row in rows)
        last = max(int(row["last_year"]) for row in rows)
        assert (first, last) == (2017, 2030)
        net = [0.0] * (last - first + 1)
        for row in rows:
            start, stop = int(row["first_year"]), int(row["last_year"])
            amount = float(row["mode"]) * cpi[2020] / cpi[int(row["price_year"])]
            if row["basis"] == "total":
                amount /= stop - start + 1
            sign = 1.0 if row["scenario"] == "0" else -1.0
            for year in range(start, stop + 1):
                net[year - first] += sign * amount
        # spot check, by hand: 2030 = (148.6 * 103.43/101.40) - (113.9 * 103.43/105.35)
        assert net[-1] == pytest.approx(148.6 * 103.43 / 101.40 - 113.9 * 103.43 / 105.35)
        result = bc.evaluate(config.UDK_SHARE_CASE_FILE, "fm2021")
        assert result.base_year == 2020 and result.years.tolist() == list(range(2017, 2031))
        assert np.allclose(result.net_benefit, net, rtol=1e-12, atol=1e-9)
        assert result.npv == pytest.approx(npf.npv(0.035, net), rel=1e-10)
        assert result.irr == pytest.approx(npf.irr(net), abs=1e-9)


# --------------------------------------------------------------------------- uncertainty

class TestTornado:
    def test_hand_case(self):
        # at 5 %, a = a(4, 5 %) = 3.5460, investment weight (1 + 1/1.05)/2 = 0.97619
        #   new_operation 50 / 80:   NPV + 10a / NPV - 20a, swing 30a = 106.38
        #   legacy_operation 90/115: the 2020 rows cancel, so NPV - 10a / NPV + 15a, swing 25a
        #   investment 80 / 120:     NPV + 10 w / NPV - 30 w, swing 40 w = 39.05
        table = uncertainty.tornado(HAND_CASE, rate=0.05)
        assert table["item"].tolist() == ["new_operation", "legacy_operation", "investment"]
        new = table.iloc[0]
        assert new["npv_low"] == pytest.approx(HAND_NPV_5 + 10 * A4)
        assert new["npv_high"] == pytest.approx(HAND_NPV_5 - 20 * A4)
        assert new["swing"] == pytest.approx(30 * A4)
        assert table.iloc[1]["swing"] == pytest.approx(25 * A4)
        assert table.iloc[2]["swing"] == pytest.approx(40 * INVESTMENT_WEIGHT)
        assert np.allclose(table["npv_base"], HAND_NPV_5)


class TestSwitchingValues:
    def test_hand_case(self):
        # new_operation: NPV - (v - 60) a = 0   ->  v = 60 + NPV/a = 75.22
        # investment:    NPV - (v - 90) w = 0   ->  v = 90 + NPV/w = 145.30
        table = uncertainty.switching_values(HAND_CASE, rate=0.05).set_index("item")
        assert table.loc["new_operation", "switching_value"] == \
            pytest.approx(60 + HAND_NPV_5 / A4)
        assert table.loc["investment", "switching_value"] == \
            pytest.approx(90 + HAND_NPV_5 / INVESTMENT_WEIGHT)

    @pytest.mark.parametrize(("case", "items"), [
        # items as listed in the two csv files (one row of the table per item)
        (HAND_CASE, {"legacy_operation", "new_operation", "investment"}),
        (config.MONOPOLY_BREAK_CASE_FILE, {"kmd_payments", "new_supplier_payments", "investment"}),
    ])
    def test_switching_value_makes_npv_zero(self, case, items):
        table = uncertainty.switching_values(case, rate="fm2013")
        # the loop below must not pass over an empty table
        assert len(table) == len(items) and set(table["item"]) == items
        for item, value in zip(table["item"], table["switching_value"], strict=True):
            assert bc.evaluate(case, rate="fm2013", values={item: value}).npv == \
                pytest.approx(0.0, abs=1e-8)

    def test_switching_factor_of_an_item_with_differing_rows(self):
        flows = bc.build_cash_flows(config.UDK_SHARE_CASE_FILE)
        table = uncertainty.switching_values(flows, rate="fm2013").set_index("item")
        factor = table.loc["implementation", "switching_factor"]
        assert np.isnan(table.loc["implementation", "switching_value"])
        amounts = flows.amounts(scale={"implementation": factor})
        assert bc.npv(flows.net_benefit(amounts), "fm2013") == pytest.approx(0.0, abs=1e-8)
        assert np.isnan(table.loc["new_tasks", "switching_factor"])  # cancels: no effect


class TestTriangularQuantile:
    def test_inverts_the_cdf(self):
        # F(x) = (x-a)^2 / ((b-a)(c-a)) for x <= c, 1 - (b-x)^2 / ((b-a)(b-c)) above
        a, c, b = 80.0, 90.0, 120.0
        u = np.array([0.01, 0.1, 0.25, 0.5, 0.9, 0.99])
        x = uncertainty.triangular_quantile(u, a, c, b)
        cdf = np.where(x <= c, (x - a) ** 2 / ((b - a) * (c - a)),
                       1 - (b - x) ** 2 / ((b - a) * (b - c)))
        assert np.allclose(cdf, u)

    def test_degenerate_is_the_point(self):
        assert np.all(uncertainty.triangular_quantile(np.linspace(0, 1, 5), 7.0, 7.0, 7.0) == 7)


class TestMonteCarlo:
    def test_same_seed_same_draws(self):
        first = uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=20_000, seed=7)
        second = uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=20_000, seed=7)
        assert np.array_equal(first.npv, second.npv)
        assert (first.p10, first.p50, first.p90) == (second.p10, second.p50, second.p90)

    def test_percentiles_stable_across_seeds(self):
        one = uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=100_000, seed=1)
        two = uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=100_000, seed=2)
        spread = one.p90 - one.p10
        for p in ("p10", "p50", "p90"):
            assert abs(getattr(one, p) - getattr(two, p)) < 0.02 * spread
        assert one.p10 < one.p50 < one.p90

    def test_min_mode_max_equal_gives_the_deterministic_npv(self):
        case = bc.load_case(HAND_CASE)
        case["low"] = case["mode"]
        case["high"] = case["mode"]
        result = uncertainty.monte_carlo(case, rate=0.05, draws=1_000, seed=3)
        assert np.allclose(result.npv, HAND_NPV_5)
        assert result.p10 == pytest.approx(HAND_NPV_5) and result.p90 == pytest.approx(HAND_NPV_5)
        assert result.prob_positive == 1.0

    def test_mean_is_the_npv_at_the_means(self):
        # NPV is linear, so E[NPV] = NPV at E[x] = (low + mode + high)/3 for each item:
        #   legacy 101.667 (+1.667 a), new 63.333 (-3.333 a), investment 96.667 (-6.667 w)
        expected = (HAND_NPV_5 + (305 / 3 - 100) * A4 - (190 / 3 - 60) * A4
                    - (290 / 3 - 90) * INVESTMENT_WEIGHT)
        assert expected == pytest.approx(41.563, abs=1e-3)
        result = uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=100_000, seed=11)
        standard_error = result.npv.std() / math.sqrt(result.draws)
        assert abs(result.mean - expected) < 5 * standard_error
        assert result.deterministic_npv == pytest.approx(HAND_NPV_5)

    def test_distribution_with_one_uncertain_item_by_hand(self):
        # Only legacy_operation varies: Tri(low 90, mode 100, high 115) (fixture rows 1-2).
        # Both its rows (scenario 0, 2020-24; scenario 1, 2020) share one draw X, so in 2020
        # they cancel and only scenario 0's years 1-4 remain: NPV = NPV_5 + (X - 100) * a_4,
        # a_4 = a(4, 5 %) = 3.545951 (increasing in X, so quantiles map one to one).
        # Quantile of X: F(mode) = (100 - 90)/(115 - 90) = 0.4 > 0.1, so
        #   Q(0.1) = 90 + sqrt(0.1 * (115 - 90) * (100 - 90)) = 90 + sqrt(25) = 95
        #   p10 = 53.980877 + (95 - 100) * 3.545951 = 53.980877 - 17.729753 = 36.251125
        # Triangular variance (a^2 + b^2 + c^2 - ab - ac - bc)/18
        #   = (8100 + 13225 + 10000 - 10350 - 9000 - 11500)/18 = 475/18 = 26.388889,
        #   sigma = 5.137011, so std(NPV) = 5.137011 * 3.545951 = 18.215589
        # Mean: E[X] = (90 + 100 + 115)/3 = 101.666667 -> NPV_5 + 1.666667 a_4 = 59.890795
        case = bc.load_case(HAND_CASE)
        legacy = case["item"] == "legacy_operation"
        assert legacy.sum() == 2
        assert (case.loc[legacy, ["low", "mode", "high"]].to_numpy() == [90, 100, 115]).all()
        case.loc[~legacy, "low"] = case.loc[~legacy, "mode"]
        case.loc[~legacy, "high"] = case.loc[~legacy, "mode"]
        p10 = HAND_NPV_5 + (95 - 100) * A4
        sigma = math.sqrt(475 / 18) * A4
        mean = HAND_NPV_5 + (305 / 3 - 100) * A4
        assert p10 == pytest.approx(36.251, abs=1e-3)
        assert sigma == pytest.approx(18.216, abs=1e-3)
        draws = 200_000
        result = uncertainty.monte_carlo(case, rate=0.05, draws=draws, seed=2024)
        assert result.draws == draws and result.npv.shape == (draws,)
        # Standard errors at n = 200,000:
        #   quantile: sqrt(p (1 - p) / n) / f(Q) * a_4, density of X at 95 is
        #     2 (95 - 90)/((115 - 90)(100 - 90)) = 0.04 -> sqrt(0.09/2e5)/0.04 * 3.546 = 0.0595
        #   std: sigma * sqrt((kurtosis - 1)/(4 n)), kurtosis of a triangular = 2.4
        #     -> 18.216 * sqrt(1.4/8e5) = 0.0241
        #   mean: sigma / sqrt(n) = 18.216/447.2 = 0.0407
        # tolerances: 5 standard errors
        assert result.p10 == pytest.approx(p10, abs=5 * 0.0595)
        assert result.npv.std() == pytest.approx(sigma, abs=5 * 0.0241)
        assert result.mean == pytest.approx(mean, abs=5 * 0.0407)
        # the NPV can not leave [NPV_5 - 10 a_4, NPV_5 + 15 a_4] (X in [90, 115])
        assert result.npv.min() >= HAND_NPV_5 - 10 * A4 - 1e-9
        assert result.npv.max() <= HAND_NPV_5 + 15 * A4 + 1e-9

    def test_bad_number_of_draws(self):
        with pytest.raises(ParameterError, match="draws 0"):
            uncertainty.monte_carlo(HAND_CASE, rate=0.05, draws=0)


# --------------------------------------------------------------------------- the two views

# A small case for the socio-economic view, years 2020-2022 at a flat 5 %:
#   scenario 0: operation 100 a year                     -> 100, 100, 100
#   scenario 1: investment 150 in 2020, operation 40 2021-22 -> 150, 40, 40
#   net (budget)                                          -> -50, 60, 60
# NPV (budget) = -50 + 60/1.05 + 60/1.05^2 = -50 + 57.142857 + 54.421769 = 61.564626
SMALL_CASE = ("item,scenario,cost_type,phase,first_year,last_year,basis,low,mode,high,"
              "price_year,data_status,label_da,note\n"
              "operation,0,operation,,2020,2022,per_year,100,100,100,,real,Drift,\n"
              "investment,1,implementation,,2020,2020,per_year,150,150,150,,real,Investering,\n"
              "new_operation,1,operation,,2021,2022,per_year,40,40,40,,real,Ny drift,\n")
SMALL_NPV = -50 + 60 / 1.05 + 60 / 1.05**2


@pytest.fixture
def small_case(tmp_path):
    path = tmp_path / "business_case_small_socio.csv"
    path.write_text(SMALL_CASE, encoding="utf-8")
    return path


class TestSocioeconomicView:
    def test_budget_view_by_hand(self, small_case):
        assert SMALL_NPV == pytest.approx(61.564626, abs=1e-6)
        result = bc.evaluate(small_case, 0.05)
        assert result.view == "budget" and result.view_factor == 1.0
        assert result.npv == pytest.approx(SMALL_NPV, rel=1e-12)

    def test_2023_guidance_by_hand(self, small_case):
        # NAF 1.28, tax distortion factor 1.00 (22 June 2023): every budget amount B counts
        # B * 1.28 + B * (1.00 - 1) = 1.28 B, so each year's net is 1.28 times the budget's:
        #   -64, 76.8, 76.8 -> NPV = -64 + 73.142857 + 69.659864 = 78.802721
        result = bc.evaluate(small_case, 0.05, view="socio", guidance_date="2023-06-22")
        assert result.net_benefit.tolist() == pytest.approx([-64.0, 76.8, 76.8], abs=1e-12)
        assert result.npv == pytest.approx(-64 + 76.8 / 1.05 + 76.8 / 1.05**2, rel=1e-12)
        assert result.npv == pytest.approx(78.802721, abs=1e-6)
        # the latest date in the file is the default
        assert bc.evaluate(small_case, 0.05, view="socio").npv == pytest.approx(result.npv)
        # scaling every amount leaves B/C, IRR and payback as in the budget view
        budget = bc.evaluate(small_case, 0.05)
        assert result.bc_ratio == pytest.approx(budget.bc_ratio, rel=1e-12)
        assert result.irr == pytest.approx(budget.irr, rel=1e-9)
        assert result.payback == pytest.approx(budget.payback, rel=1e-12)

    def test_2017_guidance_without_a_net_tax_factor(self, small_case):
        # 1 January 2020: tax distortion 1.10 (since 28 August 2017); the NAF of that date is
        # not shipped, so it is not applied (the amounts stay in factor prices):
        #   B * 1 + B * 0.10 = 1.1 B -> net -55, 66, 66 -> NPV = 1.1 * 61.564626 = 67.721088
        factors = bc.socioeconomic_factors("2020-01-01")
        assert factors.net_tax_factor is None and factors.tax_distortion_factor == 1.10
        assert factors.missing == ["nettoafgiftsfaktor"]
        assert factors.tax_distortion_factor_from == datetime.date(2017, 8, 28)
        result = bc.evaluate(small_case, 0.05, view="socio", guidance_date="2020-01-01")
        assert result.npv == pytest.approx(-55 + 66 / 1.05 + 66 / 1.05**2, rel=1e-12)

    def test_before_2017_nothing_is_shipped_and_nothing_guessed(self, small_case):
        factors = bc.socioeconomic_factors("2016-01-01")
        assert factors.missing == ["nettoafgiftsfaktor", "skatteforvridningsfaktor"]
        assert factors.factor == 1.0
        result = bc.evaluate(small_case, 0.05, view="socio", guidance_date="2016-01-01")
        assert result.npv == pytest.approx(SMALL_NPV, rel=1e-12)

    def test_bad_view_and_date_name_the_parameter(self, small_case):
        with pytest.raises(ParameterError, match="^view 'samfund'"):
            bc.evaluate(small_case, 0.05, view="samfund")
        with pytest.raises(ParameterError, match="^guidance_date 'snart' is not a date"):
            bc.socioeconomic_factors("snart")

    def test_the_shipped_file_loads_with_its_schema(self):
        from udkecon.data import load

        table = load(config.SOCIOECONOMIC_FILE)  # the kind is recognised from the header
        assert set(table["figure"]) == {"nettoafgiftsfaktor", "skatteforvridningsfaktor"}
        assert sorted(table["value"]) == [1.0, 1.1, 1.28]

    def test_a_rate_written_for_a_factor_is_refused(self, tmp_path):
        bad = tmp_path / "fm_socioeconomic_key_figures.csv"
        bad.write_text("valid_from,figure,value,source\n2017-08-28,skatteforvridningsfaktor,"
                       "0.10,news\n", encoding="utf-8")
        from udkecon.data import load

        with pytest.raises(DataError) as error:
            load(bad, "socioeconomic_key_figures")
        assert "row 2" in str(error.value) and "value" in str(error.value)
        assert "1.10" in str(error.value)


class TestSavingsStart:
    def test_moves_full_operation_and_ends_the_build_the_year_before(self):
        # savings from 2023: investment 1200 spread over 2017-2022 (200 a year), ten years of
        # operation 2023-2032
        result = bc.evaluate(config.MONOPOLY_BREAK_CASE_FILE, 0.035, savings_start=2023)
        assert result.years[0] == 2017 and result.years[-1] == 2032
        assert np.allclose(result.net_benefit[:6], -200.0)
        assert np.allclose(result.net_benefit[6:], 137.3)

    def test_a_case_without_the_phases_is_refused(self):
        with pytest.raises(ParameterError, match="^savings_start 2022: the case has no phases"):
            bc.build_cash_flows(config.UDK_SHARE_CASE_FILE, savings_start=2022)
