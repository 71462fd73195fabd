"""Fixed prices, phases and DUT netting, against values worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from udkecon import costs, phases, prices
from udkecon.documents.fixed_prices import model
from udkecon.errors import DataError, ParameterError

DATA = Path(__file__).parent / "data"
CPI = {2017: 101.40, 2020: 103.43, 2021: 105.35}  # Statistics Denmark, 2015 = 100


class TestRestate:
    def test_2017_to_2020_by_hand(self):
        # 103.43 / 101.40: 101.40 * 1.02 = 103.428, leaving 0.002 / 101.40 = 0.0000197
        assert prices.restate(100.0, CPI, 2017, 2020) == pytest.approx(102.00197, abs=1e-5)

    def test_2021_to_2020_by_hand(self):
        # 103.43 / 105.35: 105.35 * 0.98 = 103.243, leaving 0.187 / 105.35 = 0.001775
        assert prices.restate(100.0, CPI, 2021, 2020) == pytest.approx(98.1775, abs=1e-4)

    def test_base_year_is_unchanged(self):
        assert prices.restate(57.3, CPI, 2020, 2020) == 57.3

    def test_to_the_base_and_back(self):
        there = prices.restate(250.0, CPI, 2017, 2020)
        assert prices.restate(there, CPI, 2020, 2017) == pytest.approx(250.0, abs=1e-12)

    def test_any_base_year(self):
        # 2021 prices: 100 * 105.35 / 101.40 = 103.8955 (101.40 * 1.0389 = 105.3445; +0.0055/101.4)
        assert prices.restate(100.0, CPI, 2017, 2021) == pytest.approx(103.8955, abs=1e-4)

    def test_price_index_object_and_mapping_agree(self):
        index = prices.load_index()
        assert prices.restate(100.0, index, 2017, 2020) == prices.restate(100.0, CPI, 2017, 2020)


class TestRebase:
    def test_rebased_index_gives_the_same_fixed_prices(self):
        index = prices.load_index()
        rebased = prices.rebase(index, 2020)
        assert rebased[2020] == 100.0
        # 100 * 101.40 / 103.43 = 98.0373 (103.43 * 0.98 = 101.3614; +0.0386/103.43)
        assert rebased[2017] == pytest.approx(98.0373, abs=1e-4)
        for year in (2017, 2019, 2021):
            assert prices.restate(10.0, rebased, year, 2020) == pytest.approx(
                prices.restate(10.0, index, year, 2020))
        assert "2020 = 100" in rebased.name and rebased.source == index.source


class TestRestateFrame:
    def test_vectorised_equals_row_by_row_and_records_the_index(self):
        index = prices.load_index()
        ledger = costs.load_costs()
        fixed = prices.restate_frame(ledger, index, 2020)
        expected = [prices.restate(a, index, y, 2020)
                    for a, y in zip(ledger["amount_mio_dkk"], ledger["year"], strict=True)]
        assert list(fixed["amount_mio_dkk_fixed"]) == pytest.approx(expected)
        assert fixed.attrs["base_year"] == 2020
        assert "Danmarks Statistik" in fixed.attrs["index_source"]
        assert fixed.attrs["index_sha256"] == index.sha256
        assert "amount_mio_dkk_fixed" not in ledger  # input untouched

    def test_base_year_outside_index_is_a_parameter_error(self):
        with pytest.raises(ParameterError, match="base_year 2030"):
            prices.restate_frame(costs.load_costs(), prices.load_index(), 2030)

    def test_danish_csv_restated(self):
        ledger = costs.load_costs(DATA / "costs_decimal_comma.csv", prices.load_index(), 2020)
        # 1148.6 * 1.0200197 = 1148.6 + 1148.6 * 0.02 + 1148.6 * 0.0000197
        #                   = 1148.6 + 22.972 + 0.0226 = 1171.5946
        assert ledger.loc[3, "amount_mio_dkk_fixed"] == pytest.approx(1171.5946, abs=1e-3)


class TestPhases:
    def test_years_can_belong_to_two_phases(self):
        table = phases.load_phases()
        assert phases.phases_of_year(2017, table) == ["Dobbeltdrift", "Transitionsperiode"]
        assert phases.phases_of_year(2019, table, "en") == ["Transition period"]
        assert phases.phases_of_year(2021, table) == ["Første fulde driftsår"]
        assert phases.phases_of_year(2016, table) == []

    def test_phases_come_from_the_table(self):
        table = phases.load_phases(DATA / "phases_two.csv")
        assert phases.phases_of_year(2021, table) == []
        spans = phases.phase_spans(table, "en")
        assert spans == [("Dual operation", 2017, 2017), ("Transition", 2017, 2020)]

    def test_unknown_language(self):
        with pytest.raises(ParameterError, match="language 'de'"):
            phases.phases_of_year(2017, phases.load_phases(), "de")


class TestNetOfDut:
    def test_gross_dut_net_by_hand(self):
        analysis = model.build()
        net = analysis.net
        # 2017 ledger rows by hand: operation 148.6 + 9.6 + 4.7 + 1.9 + 13.6 + 4.8 = 183.2;
        # implementation 24.3 + 15.2 + 19.6 + 9.8 + 6.5 + 7.9 + 12.4 = 95.7;
        # dual operation 17.5 + 11.8 + 4.2 = 33.5; total 312.4
        assert net.loc[2017, "gross_current"] == pytest.approx(312.4)
        assert net.loc[2017, "gross_fixed"] == pytest.approx(312.4 * 103.43 / 101.40)
        # 2021: gross 152.8, DUT 21.5 -> net 131.3; fixed 131.3 * 0.981775 = 128.907
        assert net.loc[2021, "net_current"] == pytest.approx(131.3)
        assert net.loc[2021, "net_fixed"] == pytest.approx(128.907, abs=1e-3)
        # independent route: restate each year's current-price net with the CPI by hand
        cpi = {2017: 101.40, 2018: 102.23, 2019: 103.00, 2020: 103.43, 2021: 105.35}
        for year, current in net["net_current"].items():
            assert net.loc[year, "net_fixed"] == pytest.approx(current * 103.43 / cpi[year])
        assert analysis.illustrative

    def test_missing_dut_year_is_refused_with_the_ledger_row(self):
        index = prices.load_index()
        ledger = costs.load_costs(index=index)
        dut = costs.load_dut(DATA / "dut_short.csv", index)
        with pytest.raises(DataError) as caught:
            costs.net_of_dut(ledger, dut)
        error = caught.value
        # dut_short.csv has 2017 and 2020: 2018 lies inside its years, its row is missing
        assert "year 2018 has no row in the DUT compensation file" in str(error)
        assert "(its years: 2017, 2020)" in str(error)
        assert error.column == "year"
        assert error.file.endswith("udk_it_costs_2017_2021_illustrative.csv")
        assert ledger.loc[error.row, "year"] == 2018  # the row named is a 2018 row

    def test_by_cost_type_sums_to_gross(self):
        analysis = model.build()
        assert analysis.by_type_fixed.sum(axis=1).to_numpy() == pytest.approx(
            analysis.net["gross_fixed"].to_numpy())
        assert list(analysis.by_type_fixed.columns) == [
            "operation", "implementation", "dual_operation", "new_tasks"]

    def test_other_base_year(self):
        analysis = model.build(base_year=2021)
        # 2020 total 164.7 in 2021 prices: 164.7 * 105.35 / 103.43 = 167.7574
        assert analysis.net.loc[2020, "gross_fixed"] == pytest.approx(167.7574, abs=1e-3)
        assert isinstance(analysis.net, pd.DataFrame)
