"""Tests of udkecon.operations against the seed's availability and call tables.

Expected values were read off the slides "Serviceplatformen - september 2020" and
"Støttesystemer - september 2020" in /work/shared/seed/kombit-programledermoede-2020-10.txt
(and the CSV copies in data/raw) and worked out by hand; the arithmetic is in the comments.
None of them was copied from the code's output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from udkecon import config, operations
from udkecon.errors import DataError, ParameterError

DATA = Path(__file__).parent / "data"
AT_TARGET = DATA / "operations_at_target.csv"
ABOVE_100 = DATA / "operations_availability_above_100.csv"
NOT_A_NUMBER = DATA / "operations_availability_not_a_number.csv"
DECIMAL_COMMA = DATA / "operations_availability_decimal_comma.csv"
MISSING_MONTH = DATA / "operations_missing_month.csv"
CALLS_GAP = DATA / "operations_calls_gap.csv"

SP, STOTTE = "Serviceplatformen", "Støttesystemer"

# Every service-month below its SLA target, read off the two slides by hand, sorted by
# month and within a month in the slides' order of services. Targets: SP/STS m1 99.80,
# SP/STS m2 98.50, every support system 99.90. Not breaches although below 100 %:
# SP produktionsmiljø m2 in 2020-01 (99.60 >= 98.50) and 2020-03 (98.79 >= 98.50).
EXPECTED_BREACHES = [
    # (platform, service, month, target, availability)
    (STOTTE, "SDY - infrastruktur", "2019-10", 99.90, 99.40),
    (STOTTE, "SDY - infrastruktur", "2019-11", 99.90, 99.80),
    (STOTTE, "KO - infrastruktur", "2020-01", 99.90, 99.80),
    (STOTTE, "BF - infrastruktur", "2020-01", 99.90, 98.80),
    (STOTTE, "Adgangsstyring - infrastruktur", "2020-01", 99.90, 98.40),
    (STOTTE, "KO - applikation", "2020-02", 99.90, 83.10),
    (STOTTE, "KO - infrastruktur", "2020-02", 99.90, 99.30),
    (STOTTE, "SDY - infrastruktur", "2020-02", 99.90, 99.30),
    (STOTTE, "BF - infrastruktur", "2020-02", 99.90, 99.30),
    (STOTTE, "Adgangsstyring - infrastruktur", "2020-02", 99.90, 99.10),
    (SP, "SP produktionsmiljø m1", "2020-03", 99.80, 98.98),
    (STOTTE, "KO - applikation", "2020-09", 99.90, 98.30),
]


@pytest.fixture(scope="module")
def availability():
    return operations.load_availability()


@pytest.fixture(scope="module")
def calls():
    return operations.load_service_calls()


def _rows(frame):
    return [tuple(r) for r in frame[list(operations.AVAILABILITY_COLUMNS)]
            .itertuples(index=False)]


class TestHoursInMonth:
    def test_february_2020_has_29_days(self):
        # 2020 is a leap year: 29 * 24 = 696
        assert operations.hours_in_month("2020-02") == 696

    def test_known_months(self):
        # 2019-02: 28 * 24 = 672; 2020-09: 30 * 24 = 720; 2019-10: 31 * 24 = 744
        assert operations.hours_in_month(["2019-02", "2020-09", "2019-10"]).tolist() == [
            672, 720, 744]

    def test_identity_a_year_of_months_is_the_hours_of_the_year(self):
        months = [f"2020-{m:02d}" for m in range(1, 13)]
        assert operations.hours_in_month(months).sum() == 366 * 24

    def test_series_keeps_its_index(self):
        months = pd.Series(["2020-02", "2020-03"], index=[54, 7])
        assert list(operations.hours_in_month(months).index) == [54, 7]


class TestBreaches:
    def test_the_breached_service_months_of_the_seed(self, availability):
        assert _rows(operations.breaches(availability)) == EXPECTED_BREACHES

    def test_path_and_loaded_table_give_the_same(self, availability):
        by_path = operations.breaches(config.SLA_AVAILABILITY_FILE)
        pd.testing.assert_frame_equal(by_path, operations.breaches(availability))

    def test_index_is_the_source_row(self, availability):
        # KO - applikation is the 5th service in the file; 2020-02 is its 5th month:
        # header row 1, 4 * 12 rows of Serviceplatformen (rows 2-49), KO from row 50,
        # so 2020-02 is row 54
        worst = operations.breaches(availability, order="shortfall")
        assert worst.index[0] == 54

    def test_worst_shortfall(self, availability):
        worst = operations.breaches(availability, order="shortfall").iloc[0]
        assert (worst["service"], worst["month"]) == ("KO - applikation", "2020-02")
        # 99.90 - 83.10 = 16.80 percentage points
        assert worst["shortfall_pp"] == pytest.approx(16.80)
        # February 2020: 29 * 24 = 696 h
        # downtime 16.90 % of 696 = 0.169 * 696 = 117.624 h
        # allowed   0.10 % of 696 = 0.001 * 696 =   0.696 h
        # excess   16.80 % of 696 = 0.168 * 696 = 116.928 h
        assert worst["hours_in_month"] == 696
        assert worst["downtime_hours"] == pytest.approx(117.624)
        assert worst["sla_allowed_downtime_hours"] == pytest.approx(0.696)
        assert worst["excess_downtime_hours"] == pytest.approx(116.928)

    def test_downtime_of_the_september_2020_outage(self, availability):
        ko = operations.breaches(availability, STOTTE, "2020-09", "2020-09")
        assert _rows(ko) == [EXPECTED_BREACHES[-1]]
        row = ko.iloc[0]
        # September: 30 * 24 = 720 h; (100 - 98.30) / 100 * 720 = 0.017 * 720 = 12.24 h
        assert row["downtime_hours"] == pytest.approx(12.24)
        # 99.90 - 98.30 = 1.60 pp; 0.016 * 720 = 11.52 h beyond the SLA allowance
        assert row["shortfall_pp"] == pytest.approx(1.60)
        assert row["excess_downtime_hours"] == pytest.approx(11.52)
        # The slide's one outage: Organisation down 29 Sep 19.50 to 30 Sep 7.45 = 11 h 55 min
        # = 11.92 h. The approximation lands within half an hour of it.
        assert abs(row["downtime_hours"] - (11 + 55 / 60)) < 0.5

    def test_identity_allowed_plus_excess_is_downtime(self, availability):
        found = operations.breaches(availability)
        allowed_plus_excess = found["sla_allowed_downtime_hours"] + found["excess_downtime_hours"]
        assert allowed_plus_excess.tolist() == pytest.approx(found["downtime_hours"].tolist())
        difference = found["sla_target_pct"] - found["availability_pct"]
        assert found["shortfall_pp"].tolist() == pytest.approx(difference.tolist())
        assert (found["shortfall_pp"] > 0).all()

    def test_small_shortfall_has_no_float_noise(self, availability):
        # 99.90 - 99.80 is 0.10000000000000853 in binary floating point
        found = operations.breaches(availability, first_month="2019-11", last_month="2019-11")
        assert found["shortfall_pp"].tolist() == [0.1]

    def test_at_target_is_not_a_breach(self):
        found = operations.breaches(AT_TARGET)
        # 99.90 at 99.90 and 98.50 at 98.50 meet the SLA; 99.89 and 98.49 do not
        assert _rows(found) == [
            (STOTTE, "KO - applikation", "2020-02", 99.90, 99.89),
            (SP, "SP produktionsmiljø m2", "2020-02", 98.50, 98.49),
        ]
        assert found["shortfall_pp"].tolist() == [0.01, 0.01]

    def test_order_by_shortfall(self, availability):
        found = operations.breaches(availability, order="shortfall")
        # largest three by hand: 16.80 (KO app 2020-02), 1.60 (KO app 2020-09),
        # 1.50 (Adgangsstyring infra 2020-01)
        assert found["shortfall_pp"].head(3).tolist() == pytest.approx([16.80, 1.60, 1.50])
        assert found["shortfall_pp"].is_monotonic_decreasing
        assert sorted(_rows(found)) == sorted(EXPECTED_BREACHES)

    def test_platform_filter(self, availability):
        assert _rows(operations.breaches(availability, SP)) == [EXPECTED_BREACHES[10]]
        assert _rows(operations.breaches(availability, STOTTE)) == [
            b for b in EXPECTED_BREACHES if b[0] == STOTTE]

    def test_period_filter(self, availability):
        found = operations.breaches(availability, first_month="2020-01", last_month="2020-02")
        assert _rows(found) == EXPECTED_BREACHES[2:10]

    def test_danish_csv(self):
        found = operations.breaches(DECIMAL_COMMA)
        assert _rows(found) == [(STOTTE, "KO - applikation", "2020-02", 99.90, 83.10)]

    def test_bad_platform_names_the_valid_ones(self, availability):
        with pytest.raises(ParameterError) as error:
            operations.breaches(availability, platform="Serviceplatform")
        message = str(error.value)
        assert "platform 'Serviceplatform'" in message
        assert "'Serviceplatformen'" in message and "'Støttesystemer'" in message
        assert "None" in message

    def test_month_outside_the_data(self, availability):
        with pytest.raises(ParameterError, match=r"first_month '2019-09'.*2019-10 to 2020-09"):
            operations.breaches(availability, first_month="2019-09")
        with pytest.raises(ParameterError, match=r"last_month '2020-10'.*2019-10 to 2020-09"):
            operations.breaches(availability, last_month="2020-10")

    def test_month_outside_the_data_says_leave_it_empty(self, availability):
        """Issue W5: the fix said "or None for the whole period", but the notebook's
        parameter is left empty (first_month: "") for the data's own first month."""
        with pytest.raises(ParameterError) as error:
            operations.breaches(availability, first_month="2018-01")
        message = str(error.value)
        assert message.endswith("use a month from 2019-10 to 2020-09, or leave first_month "
                                "empty to start from the data's first month")
        assert "None" not in message
        with pytest.raises(ParameterError, match="leave last_month empty to end with the "
                                                 "data's last month"):
            operations.breaches(availability, last_month="2021-01")
        # ...and empty is what the message says it is, also in the package's own functions
        assert len(operations.breaches(availability, first_month="", last_month="")) == \
            len(operations.breaches(availability))

    def test_month_badly_written(self, availability):
        with pytest.raises(ParameterError, match=r"first_month '2020-13'.*YYYY-MM"):
            operations.breaches(availability, first_month="2020-13")
        with pytest.raises(ParameterError, match=r"last_month 'sep-20'.*YYYY-MM"):
            operations.breaches(availability, last_month="sep-20")

    def test_period_backwards(self, availability):
        with pytest.raises(ParameterError, match="first_month '2020-05' is after last_month"):
            operations.breaches(availability, first_month="2020-05", last_month="2020-02")

    def test_bad_order(self, availability):
        with pytest.raises(ParameterError, match=r"order 'worst'.*'month', 'shortfall'"):
            operations.breaches(availability, order="worst")

    def test_table_without_the_columns(self):
        table = pd.DataFrame({"month": ["2020-01"], "availability_pct": [99.0]})
        with pytest.raises(ParameterError, match="availability.*platform"):
            operations.breaches(table)

    def test_availability_above_100_is_a_data_error(self):
        with pytest.raises(DataError) as error:
            operations.breaches(ABOVE_100)
        # header = row 1, so the second data line (100.50) is row 3
        assert (error.value.row, error.value.column) == (3, "availability_pct")
        assert "row 3, column 'availability_pct'" in str(error.value)
        assert "100.50" in str(error.value)

    def test_non_numeric_availability_is_a_data_error(self):
        with pytest.raises(DataError) as error:
            operations.breaches(NOT_A_NUMBER)
        assert (error.value.row, error.value.column) == (4, "availability_pct")
        assert "'n/a' is not a number" in str(error.value)

    def test_carries_the_source(self, availability):
        found = operations.breaches(availability)
        assert found.attrs["source_file"] == str(config.SLA_AVAILABILITY_FILE)


class TestSelect:
    def test_counts(self, availability):
        # 12 services * 12 months = 144; Serviceplatformen 4 services; Jan-Mar 3 months
        assert len(operations.select(availability)) == 144
        assert len(operations.select(availability, SP)) == 48
        assert len(operations.select(availability, STOTTE, "2020-01", "2020-03")) == 24

    def test_identity_platforms_partition_the_table(self, availability):
        parts = pd.concat([operations.select(availability, p) for p in (SP, STOTTE)])
        pd.testing.assert_frame_equal(parts.sort_index(), availability, check_like=True)

    def test_unknown_platform(self, availability):
        with pytest.raises(ParameterError, match="platform 'KOMBIT'"):
            operations.select(availability, "KOMBIT")


class TestServiceSummary:
    @pytest.fixture
    def summary(self, availability):
        return operations.service_summary(availability).set_index("service")

    def test_ko_applikation(self, summary):
        ko = summary.loc["KO - applikation"]
        # 12 months; below 99.90 in 2020-02 (83.10) and 2020-09 (98.30): 2 breaches, 10 met
        assert (ko["months_measured"], ko["months_met"], ko["months_breached"]) == (12, 10, 2)
        assert ko["compliance_rate"] == pytest.approx(10 / 12)  # 0.8333
        assert (ko["worst_month"], ko["worst_availability_pct"]) == ("2020-02", 83.10)
        # mean = (10 * 100 + 83.10 + 98.30) / 12 = 1181.40 / 12 = 98.45
        assert ko["mean_availability_pct"] == pytest.approx(98.45)
        assert ko["sla_target_pct"] == 99.90
        # downtime = 0.169 * 696 + 0.017 * 720 = 117.624 + 12.24 = 129.864 h
        assert ko["downtime_hours"] == pytest.approx(129.864)

    def test_sdy_infrastruktur(self, summary):
        sdy = summary.loc["SDY - infrastruktur"]
        # below 99.90 in 2019-10 (99.40), 2019-11 (99.80), 2020-02 (99.30)
        assert (sdy["months_met"], sdy["months_breached"]) == (9, 3)
        assert sdy["compliance_rate"] == pytest.approx(0.75)
        assert (sdy["worst_month"], sdy["worst_availability_pct"]) == ("2020-02", 99.30)
        # (9 * 100 + 99.40 + 99.80 + 99.30) / 12 = 1198.50 / 12 = 99.875
        assert sdy["mean_availability_pct"] == pytest.approx(99.875)

    def test_below_100_but_within_target(self, summary):
        m2 = summary.loc["SP produktionsmiljø m2"]
        # 99.60 and 98.79 are both >= 98.50: no breach
        assert (m2["months_breached"], m2["compliance_rate"]) == (0, 1.0)
        assert (m2["worst_month"], m2["worst_availability_pct"]) == ("2020-03", 98.79)
        # (10 * 100 + 99.60 + 98.79) / 12 = 1198.39 / 12 = 99.865833...
        assert m2["mean_availability_pct"] == pytest.approx(1198.39 / 12)

    def test_tie_takes_the_earliest_month(self, summary):
        # STS adm m1 is 100.00 every month: the worst month is the first, 2019-10
        sts = summary.loc["STS adm produktionsmiljø m1"]
        assert (sts["worst_month"], sts["worst_availability_pct"]) == ("2019-10", 100.0)

    def test_services_in_file_order(self, summary):
        assert list(summary.index) == [
            "SP produktionsmiljø m1", "SP produktionsmiljø m2", "STS adm produktionsmiljø m1",
            "STS adm produktionsmiljø m2", "KO - applikation", "KO - infrastruktur",
            "SDY - applikation", "SDY - infrastruktur", "BF - applikation",
            "BF - infrastruktur", "Adgangsstyring - applikation",
            "Adgangsstyring - infrastruktur"]

    def test_identities(self, availability, summary):
        assert (summary["months_met"] + summary["months_breached"]
                == summary["months_measured"]).all()
        assert summary["months_breached"].sum() == len(EXPECTED_BREACHES)
        assert summary["downtime_hours"].sum() == pytest.approx(
            ((100 - availability["availability_pct"]) / 100
             * operations.hours_in_month(availability["month"])).sum())

    def test_filters(self, availability):
        summary = operations.service_summary(availability, STOTTE, "2020-03", "2020-08")
        # six months without any outage on the support systems
        assert len(summary) == 8
        assert (summary["months_measured"] == 6).all()
        assert (summary["months_breached"] == 0).all()

    def test_at_target_counts_as_met(self):
        summary = operations.service_summary(AT_TARGET).set_index("service")
        assert summary.loc["KO - applikation", "months_met"] == 2  # 99.90 and 100.00
        assert summary.loc["KO - applikation", "months_breached"] == 1  # 99.89


class TestPlatformSummary:
    @pytest.fixture
    def summary(self, availability):
        return operations.platform_summary(availability).set_index("platform")

    def test_serviceplatformen(self, summary):
        sp = summary.loc[SP]
        # 4 services * 12 months = 48; one breach (m1, 2020-03)
        assert (sp["services"], sp["service_months"], sp["breaches"]) == (4, 48, 1)
        assert sp["compliance_rate"] == pytest.approx(47 / 48)
        # worst against its own target: m1 98.98 < 99.80, although m2's 98.79 is lower
        # (m2 met its 98.50 target)
        assert (sp["worst_service"], sp["worst_month"]) == ("SP produktionsmiljø m1", "2020-03")
        assert sp["worst_availability_pct"] == 98.98
        # points below 100: 1.02 (m1 Mar) + 0.40 (m2 Jan) + 1.21 (m2 Mar) = 2.63
        # mean = 100 - 2.63 / 48 = 99.945208...
        assert sp["mean_availability_pct"] == pytest.approx(100 - 2.63 / 48)

    def test_stottesystemer(self, summary):
        st = summary.loc[STOTTE]
        assert (st["services"], st["service_months"], st["breaches"]) == (8, 96, 11)
        assert st["compliance_rate"] == pytest.approx(85 / 96)
        assert (st["worst_service"], st["worst_month"]) == ("KO - applikation", "2020-02")
        # points below 100: KO app 16.90 + 1.70, KO infra 0.20 + 0.70,
        # SDY infra 0.60 + 0.20 + 0.70, BF infra 1.20 + 0.70, Adgangsstyring infra
        # 1.60 + 0.90 = 18.60 + 0.90 + 1.50 + 1.90 + 2.50 = 25.40; 100 - 25.40 / 96
        assert st["mean_availability_pct"] == pytest.approx(100 - 25.40 / 96)

    def test_identity_with_the_service_summary(self, availability, summary):
        services = operations.service_summary(availability)
        totals = services.groupby("platform", sort=False).agg(
            service_months=("months_measured", "sum"), breaches=("months_breached", "sum"))
        pd.testing.assert_frame_equal(summary[["service_months", "breaches"]], totals,
                                      check_dtype=False)

    def test_platform_filter(self, availability):
        only = operations.platform_summary(availability, STOTTE)
        assert only["platform"].tolist() == [STOTTE]


class TestAvailabilityMatrix:
    def test_shape_order_and_values(self, availability):
        values, breached, _ = operations.availability_matrix(availability)
        assert values.shape == (12, 12)
        assert list(values.columns) == ["2019-10", "2019-11", "2019-12"] + [
            f"2020-{m:02d}" for m in range(1, 10)]
        assert values.index[0] == (SP, "SP produktionsmiljø m1")
        assert values.index[-1] == (STOTTE, "Adgangsstyring - infrastruktur")
        assert values.loc[(STOTTE, "KO - applikation"), "2020-02"] == 83.10
        assert values.loc[(SP, "SP produktionsmiljø m2"), "2020-03"] == 98.79

    def test_breach_matrix_parallels_the_breach_list(self, availability):
        values, breached, _ = operations.availability_matrix(availability)
        assert breached.index.equals(values.index)
        assert breached.columns.equals(values.columns)
        assert all(pd.api.types.is_bool_dtype(dtype) for dtype in breached.dtypes)
        cells = breached.stack()  # index (platform, service, month)
        marked = sorted(cells[cells].index.tolist())
        assert marked == sorted((p, s, m) for p, s, m, _, _ in EXPECTED_BREACHES)
        # below 100 but within its 98.50 target
        assert not breached.loc[(SP, "SP produktionsmiljø m2"), "2020-03"]

    def test_missing_month(self):
        values, breached, target = operations.availability_matrix(MISSING_MONTH)
        # services in file order: KO - infrastruktur first
        assert list(values.index.get_level_values("service")) == [
            "KO - infrastruktur", "KO - applikation"]
        assert pd.isna(values.loc[(STOTTE, "KO - applikation"), "2020-01"])
        assert not breached.loc[(STOTTE, "KO - applikation"), "2020-01"]
        assert int(breached.to_numpy().sum()) == 3  # 99.80, 99.30, 83.10 all < 99.90
        assert pd.isna(target.loc[(STOTTE, "KO - applikation"), "2020-01"])

    def test_target_matrix_is_each_months_own_target(self, availability):
        target = operations.availability_matrix(availability).target
        # from the slides: SP m1 and STS adm m1 99.80, SP m2 and STS adm m2 98.50, the eight
        # support-system rows 99.90, the same in every month
        assert target.loc[(SP, "SP produktionsmiljø m2")].tolist() == [98.50] * 12
        assert target.loc[(STOTTE, "KO - applikation")].tolist() == [99.90] * 12
        assert target.loc[(SP, "STS adm produktionsmiljø m1"), "2020-09"] == 99.80

    def test_filters(self, availability):
        values, _, _ = operations.availability_matrix(availability, SP, "2020-01", "2020-03")
        assert values.shape == (4, 3)


class TestCallVolume:
    def test_january_2020(self, calls):
        jan = operations.call_volume(calls).set_index("month").loc["2020-01"]
        # 136,000,000 - 111,000,000 = +25,000,000; 25 / 111 = 0.225225... = +22.52 %
        assert jan["change_calls"] == 25_000_000
        assert jan["change_pct"] == pytest.approx(100 * 25 / 111)

    def test_august_2020(self, calls):
        aug = operations.call_volume(calls).set_index("month").loc["2020-08"]
        # 86,000,000 - 131,000,000 = -45,000,000; -45 / 131 = -0.343511... = -34.35 %
        assert aug["change_calls"] == -45_000_000
        assert aug["change_pct"] == pytest.approx(-34.3511, abs=1e-4)

    def test_first_month_has_no_change(self, calls):
        first = operations.call_volume(calls).iloc[0]
        assert first["month"] == "2019-10"
        assert pd.isna(first["change_calls"]) and pd.isna(first["change_pct"])

    def test_identity_changes_sum_to_last_minus_first(self, calls):
        volume = operations.call_volume(calls)
        # 78,000,000 - 91,000,000 = -13,000,000
        assert volume["change_calls"].sum() == -13_000_000
        assert volume["change_calls"].sum() == (volume["service_calls"].iloc[-1]
                                                - volume["service_calls"].iloc[0])

    def test_period_keeps_the_change_from_before_it(self, calls):
        volume = operations.call_volume(config.SERVICE_CALLS_FILE, "2020-01", "2020-03")
        assert volume["month"].tolist() == ["2020-01", "2020-02", "2020-03"]
        # 2020-01 still compares with 2019-12; 2020-02: 134 - 136 = -2 million;
        # 2020-03: 114 - 134 = -20 million
        assert volume["change_calls"].tolist() == [25_000_000, -2_000_000, -20_000_000]

    def test_gap_gives_no_change(self):
        volume = operations.call_volume(CALLS_GAP).set_index("month")
        # March is missing: April is not compared with February
        assert pd.isna(volume.loc["2020-04", "change_calls"])
        # 98 - 120 = -22 million; -22 / 120 = -18.33 %
        assert volume.loc["2020-05", "change_calls"] == -22_000_000
        assert volume.loc["2020-05", "change_pct"] == pytest.approx(-100 * 22 / 120)

    def test_month_outside_the_data(self, calls):
        with pytest.raises(ParameterError, match=r"last_month '2020-12'.*2019-10 to 2020-09"):
            operations.call_volume(calls, last_month="2020-12")
