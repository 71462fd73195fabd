"""Loading and validation: every loader error names file, row, column, problem and fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from udkecon import config
from udkecon.data import load, read_raw, validate
from udkecon.errors import DataError, UdkeconError

DATA = Path(__file__).parent / "data"


def error_of(path, kind=None) -> DataError:
    with pytest.raises(DataError) as caught:
        load(path, kind)
    return caught.value


class TestLoaderErrors:
    def test_missing_file(self):
        error = error_of(DATA / "costs_no_such_file.csv", "costs")
        assert "costs_no_such_file.csv" in str(error)
        assert "file not found" in str(error)
        assert "Fix:" in str(error)

    def test_misspelt_column_suggests_the_right_name(self):
        error = error_of(DATA / "costs_misspelt_column.csv", "costs")
        assert (error.row, error.column) == (1, "amount_mio_dkk")
        assert "amount_mio_dk" in error.problem  # the spelling found
        assert "rename" in error.fix

    def test_missing_column(self):
        error = error_of(DATA / "costs_missing_column.csv", "costs")
        assert (error.row, error.column) == (1, "amount_mio_dkk")
        assert "missing" in error.problem

    def test_non_numeric_amount(self):
        error = error_of(DATA / "costs_non_numeric_amount.csv")
        # header is row 1, the bad amount is on the second data line
        assert (error.row, error.column) == (3, "amount_mio_dkk")
        assert "'ni komma seks' is not a number" in error.problem

    def test_empty_amount(self):
        error = error_of(DATA / "costs_empty_amount.csv")
        assert (error.row, error.column) == (3, "amount_mio_dkk")
        assert "empty amount" in error.problem
        assert "0" in error.fix

    def test_duplicate_rows_for_same_year_system_cost_type(self):
        error = error_of(DATA / "costs_duplicate_row.csv")
        assert error.row == 4
        assert "duplicate" in error.problem and "also row 2" in error.problem

    def test_negative_amount(self):
        error = error_of(DATA / "costs_negative_amount.csv")
        assert (error.row, error.column) == (3, "amount_mio_dkk")
        assert "negative" in error.problem

    def test_unknown_cost_type_suggests_known_ones(self):
        error = error_of(DATA / "costs_unknown_cost_type.csv")
        assert (error.row, error.column) == (3, "cost_type")
        assert "maintenance" in error.problem
        assert "operation" in error.fix

    def test_year_the_index_does_not_cover(self):
        from udkecon.prices import load_index, restate_frame

        ledger = load(DATA / "costs_year_outside_index.csv")
        with pytest.raises(DataError) as caught:
            restate_frame(ledger, load_index(), 2020)
        error = caught.value
        assert (error.row, error.column) == (2, "year")
        assert "2014" in error.problem and "2015-2023" in error.problem
        assert error.file.endswith("costs_year_outside_index.csv")

    def test_index_without_base_year(self):
        from udkecon.prices import load_index, restate

        index = load_index(DATA / "index_without_base_year.csv")
        with pytest.raises(DataError) as caught:
            restate(100.0, index, 2017, 2020)
        assert "base year 2020" in str(caught.value)
        assert "index_without_base_year.csv" in str(caught.value)

    def test_index_with_non_positive_value(self):
        error = error_of(DATA / "index_non_positive.csv")
        assert (error.row, error.column) == (3, "cpi_2015_100")
        assert "non-positive" in error.problem

    def test_every_error_is_one_line_in_the_udkecon_family(self):
        for name in ("costs_duplicate_row.csv", "costs_negative_amount.csv",
                     "costs_misspelt_column.csv"):
            error = error_of(DATA / name)
            assert isinstance(error, UdkeconError)
            assert "\n" not in str(error)
            assert name in str(error)

    def test_validate_collects_all_problems_in_row_order(self):
        _, problems = validate(DATA / "costs_unknown_cost_type.csv")
        assert len(problems) == 1
        frame, problems = validate(config.COSTS_FILE)
        assert problems == [] and len(frame) > 0


class TestDanishAndExcelInput:
    def test_semicolon_decimal_comma_bom_crlf(self):
        ledger = load(DATA / "costs_decimal_comma.csv", "costs")
        assert list(ledger["amount_mio_dkk"]) == [9.6, 1148.6, 11.5]  # 1.148,6 -> 1148.6
        assert ledger.columns[0] == "year"  # BOM stripped from the first header
        assert ledger.loc[3, "note"] == "note; with semicolon"  # row 3 in the file
        assert list(ledger.index) == [2, 3, 4]  # the blank ;;; line is skipped

    def test_xlsx_gives_the_same_table_as_csv(self, tmp_path):
        csv_ledger = load(DATA / "costs_decimal_comma.csv", "costs")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(csv_ledger.columns))
        for record in csv_ledger.itertuples(index=False):
            sheet.append([int(record.year), record.system, record.system_group,
                          record.cost_type, float(record.amount_mio_dkk),
                          record.data_status, record.note or None])
        path = tmp_path / "costs.xlsx"
        book.save(path)
        xlsx_ledger = load(path)  # kind detected from the header
        assert xlsx_ledger.attrs["kind"] == "costs"
        assert list(xlsx_ledger["amount_mio_dkk"]) == [9.6, 1148.6, 11.5]
        assert list(xlsx_ledger["year"]) == [2017, 2017, 2020]
        assert list(xlsx_ledger.index) == [2, 3, 4]

    def test_xlsx_with_a_bad_cell_names_its_row(self, tmp_path):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["year", "dut_compensation_mio_dkk", "data_status"])
        sheet.append([2017, 1.5, "illustrative"])
        sheet.append([2018, "n/a", "illustrative"])
        path = tmp_path / "dut.xlsx"
        book.save(path)
        error = error_of(path)
        assert (error.row, error.column) == (3, "dut_compensation_mio_dkk")

    def test_every_reference_file_loads(self):
        paths = sorted(config.RAW_DIR.glob("*.csv"))
        # 10 real (with Finansministeriet's socio-economic key figures) + 2 business cases
        # + 2 illustrative + sources + allocation keys and channels
        assert len(paths) == 17
        for path in paths:
            frame, problems = validate(path)
            assert problems == [], problems
            assert frame.attrs["sha256"]

    def test_raw_keeps_row_numbers(self):
        raw = read_raw(config.MUNICIPALITIES_FILE)
        assert raw.frame.index[0] == 2 and len(raw.frame) == 98


class TestCheckCommand:
    def run(self, *args):
        return subprocess.run([sys.executable, "-m", "udkecon", "check", *map(str, args)],
                              capture_output=True, text=True)

    def test_good_files_print_ok_and_exit_0(self):
        done = self.run(config.COSTS_FILE, config.CPI_FILE)
        assert done.returncode == 0
        assert done.stdout.strip().endswith("ok")

    def test_bad_file_exits_2_with_one_line_naming_file_and_row(self):
        done = self.run(DATA / "costs_negative_amount.csv")
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "costs_negative_amount.csv, row 3, column 'amount_mio_dkk'" in lines[0]
        assert "Traceback" not in done.stderr

    def test_kind_can_be_given(self):
        done = self.run("--kind", "dut", DATA / "costs_negative_amount.csv")
        assert done.returncode == 2
        assert "dut_compensation_mio_dkk" in done.stderr

    def test_missing_file_exits_2(self):
        done = self.run(DATA / "nope.csv")
        assert done.returncode == 2
        assert "nope.csv" in done.stderr and "not found" in done.stderr


class TestInputThatMustNotPassSilently:
    def test_decimal_point_in_a_semicolon_file_is_refused_not_read_as_thousands(self):
        # "101.4" in a Danish file would otherwise become 1014
        error = error_of(DATA / "index_semicolon_decimal_point.csv")
        assert (error.row, error.column) == (2, "cpi_2015_100")
        assert "decimal comma" in error.fix

    def test_a_byte_neither_utf8_nor_windows_1252_is_a_data_error(self):
        error = error_of(DATA / "index_not_utf8.csv")
        assert error.row == 3 and "0x81" in error.problem and "CSV UTF-8" in error.fix

    def test_utf16_from_excel_unicode_text_is_read(self):
        index = load(DATA / "index_utf16.csv")
        assert list(index["cpi_2015_100"]) == [101.40, 102.23, 103.00, 103.43]

    def test_header_without_rows(self):
        error = error_of(DATA / "index_header_only.csv")
        assert error.row == 2 and "no data rows" in error.problem

    def test_day_first_date_is_refused_not_swapped(self):
        # 07.01.2021 is 7 January to a Dane; a month-first parser reads 1 July
        error = error_of(DATA / "discount_rates_danish_date.csv")
        assert (error.row, error.column) == (2, "valid_from")
        assert "YYYY-MM-DD" in error.fix

    def test_an_infinite_number_is_not_a_number(self):
        error = error_of(DATA / "index_infinite.csv")
        assert (error.row, error.column) == (2, "cpi_2015_100")
