"""The loader tried as a hostile user would: each case that once passed silently wrong, or
failed with a traceback, is now refused in one line naming file, row and fix, or read right.

Expected values are written out by hand (the numbers in the files), never taken from the
loader's own output.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from udkecon import business_case, config
from udkecon.data import load, validate
from udkecon.errors import DataError
from udkecon.number_forms import parse_number

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
LEDGER = "year,system,system_group,cost_type,amount_mio_dkk,data_status,note\n"


def error_of(path, kind=None) -> DataError:
    with pytest.raises(DataError) as caught:
        load(path, kind)
    return caught.value


def write(tmp_path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def check(*args, cwd=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    return subprocess.run([sys.executable, "-m", "udkecon", "check", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


# --------------------------------------------------------------------------- CSV structure

class TestQuotes:
    def test_unterminated_quote_is_refused_at_its_row_not_swallowing_the_rest(self):
        error = error_of(BAD / "ledger__unterminated_quote.csv", "costs")
        assert error.row == 3 and "never closed" in error.problem

    def test_a_quote_closed_rows_later_is_refused_at_the_row_it_opens(self):
        error = error_of(BAD / "ledger__quote_closed_rows_later.csv", "costs")
        assert error.row == 3 and "unterminated quote" in error.problem

    def test_a_real_line_break_inside_a_quoted_note_is_kept(self, tmp_path):
        path = write(tmp_path, "ledger.csv", LEDGER
                     + '2017,UDK Barsel,udk,operation,9.6,illustrative,"first line\nsecond"\n'
                     + "2018,UDK Barsel,udk,operation,9.9,illustrative,\n")
        ledger = load(path, "costs")
        assert ledger.loc[2, "note"] == "first line\nsecond"
        # the next row starts on line 4 of the file, and is numbered so
        assert list(ledger.index) == [2, 4]
        assert list(ledger["amount_mio_dkk"]) == [9.6, 9.9]

    def test_the_check_command_no_longer_says_ok(self):
        done = check("--kind", "costs", BAD / "ledger__unterminated_quote.csv")
        assert done.returncode == 2 and "row 3" in done.stderr and "ok" not in done.stdout


class TestEncodings:
    def test_one_windows_1252_line_in_a_utf8_file_is_refused_naming_it(self):
        error = error_of(BAD / "ledger__mixed_encoding.csv", "costs")
        assert error.row == 4 and "mixes encodings" in error.problem
        assert "line 3 is UTF-8" in error.problem and "0xf8" in error.problem

    def test_a_whole_windows_1252_file_is_still_read_with_its_letters(self, tmp_path):
        text = LEDGER + "2017,KMD-løsninger (eksisterende),legacy,operation,148.6,illustrative,\n"
        ledger = load(write(tmp_path, "cp1252.csv", text.encode("cp1252")), "costs")
        assert ledger.loc[2, "system"] == "KMD-løsninger (eksisterende)"

    def test_cr_only_line_ends_are_read(self, tmp_path):
        # old Excel for Mac ("CSV (Macintosh)") ends lines with CR alone
        text = LEDGER.replace("\n", "\r") + "2017,UDK Barsel,udk,operation,9.6,illustrative,\r" \
            "2018,UDK Barsel,udk,operation,9.9,illustrative,\r"
        ledger = load(write(tmp_path, "mac.csv", text), "costs")
        assert list(ledger["year"]) == [2017, 2018] and list(ledger.index) == [2, 3]

    def test_binary_and_nul_bytes_are_named_visibly(self):
        error = error_of(BAD / "ledger__nul_byte.csv", "costs")
        assert error.row == 3 and "\\x00" in str(error) and "\x00" not in str(error)
        assert "is a PDF" in str(error_of(BAD / "ledger__pdf_named_csv.csv", "costs"))


# --------------------------------------------------------------------------- numbers

ACCEPTED = [  # (text, decimal comma, whole-number column, value)
    ("1234.5", False, False, 1234.5),
    ("1234,5", True, False, 1234.5),
    ("1.234,5", True, False, 1234.5),
    ("1,234.5", False, False, 1234.5),
    ("1.234.567", True, False, 1234567.0),
    ("1,234,567", False, False, 1234567.0),
    ("1 234,5", True, False, 1234.5),
    ("1\u00a0234,5", True, False, 1234.5),  # no-break space, Danish Excel's grouping
    ("1\u202f234.5", False, False, 1234.5),  # narrow no-break space
    ("-9,6", True, False, -9.6),
    ("\u22129.6", False, False, -9.6),  # typographic minus
    ("1,5E+03", True, False, 1500.0),
    ("632.340", True, True, 632340.0),  # whole-number column: only thousands fits
    ("2017", False, True, 2017.0),
]
REFUSED = [  # (text, decimal comma, why)
    ("101.4", True, "decimal point in a file with decimal comma"),
    ("1.486", True, "ambiguous"),
    ('1,486', False, "ambiguous"),
    ("9,6", False, "decimal comma in a file with decimal point"),
    ("12.34,5", True, "groups of three"),
    ("1.234.567", False, "groups of three"),
    ("14 86", False, "space inside the number"),
    ("1 2 3", True, "space inside the number"),
    ("1 234.567,8", True, "space inside the number"),
    ("1e400", False, "too large"),
    ("nan", False, "not a number"),
    ("inf", False, "not a number"),
    ("٢٠١٨", False, "not a number"),  # Arabic-Indic digits
    ("0x10", False, "not a number"),
    ("1_000", False, "not a number"),
    (".5", False, "digit on both sides"),
]


class TestNumberForms:
    @pytest.mark.parametrize("text, comma, whole, value", ACCEPTED)
    def test_accepted(self, text, comma, whole, value):
        assert parse_number(text, comma, whole) == (value, None)

    @pytest.mark.parametrize("text, comma, why", REFUSED)
    def test_refused(self, text, comma, why):
        value, reason = parse_number(text, comma)
        assert value is None and why in reason

    def test_an_ambiguous_amount_in_a_file_names_both_readings(self):
        error = error_of(BAD / "ledger__semicolon_ambiguous_thousands.csv", "costs")
        assert (error.row, error.column) == (3, "amount_mio_dkk")
        assert "1486" in error.problem and "1.486" in error.problem


# --------------------------------------------------------------------------- keys

class TestKeys:
    def test_rows_differing_only_in_case_are_not_two_systems(self):
        error = error_of(BAD / "ledger__case_duplicate.csv", "costs")
        assert (error.row, error.column) == (4, "system")
        assert "'udk barsel' is written 'UDK Barsel' in row 2" in error.problem

    def test_an_invisible_character_in_a_key_is_refused_and_shown(self):
        error = error_of(BAD / "ledger__zero_width_space_in_system.csv", "costs")
        assert "UDK\\u200bBarsel" in str(error) and "\u200b" not in str(error)

    def test_a_trailing_no_break_space_makes_no_second_key(self, tmp_path):
        # str.strip removes the no-break space: the two rows are the same key
        path = write(tmp_path, "nbsp.csv", LEDGER
                     + "2018,UDK Barsel,udk,operation,9.6,illustrative,\n"
                     + "2018,UDK Barsel\u00a0,udk,operation,9.7,illustrative,\n")
        error = error_of(path, "costs")
        assert error.row == 3 and "duplicate row" in error.problem


# --------------------------------------------------------------------------- reference tables

def flows_npv_by_hand(flows, rates):
    """NPV with per-year rates, period by period: DF_t = prod_{s<=t} 1/(1+r_s)."""
    total, factor = flows[0], 1.0
    for t in range(1, len(flows)):
        factor /= 1 + rates[t]
        total += flows[t] * factor
    return total


class TestReferenceTables:
    def test_overlapping_discount_bands_are_refused_and_do_not_change_the_npv(
            self, tmp_path, monkeypatch):
        flows = [-1000.0] + [40.0] * 40
        # 2013 schedule by hand: 4 % in years 1-35, 3 % in 36-40
        expected = flows_npv_by_hand(flows, [0.0] + [0.04] * 35 + [0.03] * 5)
        assert business_case.npv(flows, "fm2013") == pytest.approx(expected, rel=1e-12)
        overlapping = write(tmp_path, "rates.csv", (BAD / "discount_rates__overlapping_bands"
                                                           ".csv").read_bytes())
        monkeypatch.setattr(config, "DISCOUNT_RATES_FILE", overlapping)
        with pytest.raises(DataError) as caught:
            business_case.npv(flows, "fm2013")
        assert caught.value.row == 3 and "years 30-35 are in two bands" in caught.value.problem

    def test_gap_in_the_bands(self):
        error = error_of(BAD / "discount_rates__gap_between_bands.csv", "discount_rates")
        assert "no band covers year(s) 36-39" in error.problem

    def test_index_years_must_be_contiguous(self):
        error = error_of(BAD / "index__missing_year.csv", "price_index")
        assert error.row == 4 and "no value for 2019" in error.problem

    def test_population_zero_is_refused_before_any_allocation(self):
        from udkecon.data import load_municipalities

        with pytest.raises(DataError) as caught:
            load_municipalities(BAD / "municipalities__population_zero.csv")
        assert (caught.value.row, caught.value.column) == (4, "population_2020_01_01")
        assert "non-positive population 0" in caught.value.problem


class TestPlausibility:
    def test_an_amount_in_kroner_is_refused_with_the_unit(self):
        error = error_of(BAD / "ledger__amount_in_kroner.csv", "costs")
        assert (error.row, error.column) == (4, "amount_mio_dkk")
        assert "amounts are in mio. kr." in error.fix

    def test_a_huge_amount_stops_in_the_loader_not_in_a_chart(self):
        from udkecon.costs import load_costs

        with pytest.raises(DataError) as caught:
            load_costs(BAD / "ledger__huge_amount.csv")
        assert (caught.value.row, caught.value.column) == (3, "amount_mio_dkk")
        assert "ledger__huge_amount.csv" in str(caught.value)


# --------------------------------------------------------------------------- headers

class TestHeaderProblemsAreOneLine:
    def test_a_shifted_header_over_fifty_rows_is_one_line(self, tmp_path):
        rows = "".join(f"{2000 + i},UDK Barsel,udk,operation,9.6,illustrative,\n"
                       for i in range(50))
        path = write(tmp_path, "shifted.csv", "id," + LEDGER + rows)
        done = check("--kind", "costs", path)
        assert done.returncode == 2
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and "row 1" in lines[0] and "header" in lines[0]

    def test_a_column_wrong_in_every_row_is_one_line(self, tmp_path):
        rows = "".join(f"{2000 + i},UDK Barsel,udk,operation,{9600000 + i},illustrative,\n"
                       for i in range(20))
        _, problems = validate(write(tmp_path, "kroner.csv", LEDGER + rows), "costs")
        assert len(problems) == 1 and "every other row" in problems[0].problem

    def test_a_stray_bom_in_the_header_is_shown(self):
        error = error_of(BAD / "ledger__double_bom_in_header.csv", "costs")
        assert "'\\ufeffyear'" in str(error) and error.row == 1


# --------------------------------------------------------------------------- workbooks

def save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def ledger_book(amount: float, title: str = "Ledger") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(LEDGER.strip().split(","))
    sheet.append([2017, "UDK Barsel", "udk", "operation", amount, "illustrative", None])
    return book


class TestWorkbooks:
    def test_a_hidden_first_sheet_is_not_read(self):
        error = error_of(BAD / "ledger__hidden_first_sheet.xlsx", "costs")
        # the hidden sheet 'Old' is good; the visible 'Ledger' has -9.6 on row 3
        assert "(sheet 'Ledger')" in error.file and error.row == 3

    def test_a_hidden_sheet_is_read_when_named(self):
        ledger = load(f"{BAD / 'ledger__hidden_first_sheet.xlsx'}#Old", "costs")
        assert list(ledger["amount_mio_dkk"]) == [15.2, 9.6, 9.9]
        assert "(sheet 'Old')" in ledger.attrs["sheet"]

    def test_a_sheet_that_does_not_exist_lists_the_sheets(self):
        error = error_of(f"{BAD / 'ledger__hidden_first_sheet.xlsx'}#Nope", "costs")
        assert "no sheet 'Nope'" in error.problem and "'Old' (hidden)" in error.problem

    def test_the_active_sheet_of_several_visible_is_read_and_named(self, tmp_path):
        book = ledger_book(1.0, "First")
        second = book.create_sheet("Second")
        for row in ledger_book(2.0).active.iter_rows(values_only=True):
            second.append(row)
        book.active = 1
        ledger = load(save(book, tmp_path / "two.xlsx"), "costs")
        assert list(ledger["amount_mio_dkk"]) == [2.0]
        assert ledger.attrs["sheet"].endswith("(sheet 'Second')")

    def test_no_visible_active_sheet_is_refused(self):
        error = error_of(BAD / "ledger__active_sheet_hidden.xlsx", "costs")
        assert "does not say which sheet" in error.problem and "#A" in error.fix

    def test_excel_date_cells_are_dates_and_months(self, tmp_path):
        import datetime as dt

        book = openpyxl.Workbook()
        book.active.append(["valid_from", "from_year", "to_year", "rate"])
        book.active.append([dt.datetime(2021, 1, 7), 0, 35, 0.035])
        book.active.append([dt.datetime(2021, 1, 7), 36, 70, 0.025])
        rates = load(save(book, tmp_path / "rates.xlsx"), "discount_rates")
        assert list(rates["valid_from"]) == [dt.date(2021, 1, 7)] * 2
        book = openpyxl.Workbook()
        book.active.append(["month", "service_calls"])
        book.active.append([dt.datetime(2019, 10, 1), 91000000])
        calls = load(save(book, tmp_path / "calls.xlsx"), "service_calls")
        assert list(calls["month"]) == ["2019-10"]

    def test_ref_error_is_named_as_such(self):
        error = error_of(BAD / "ledger__ref_error.xlsx", "costs")
        assert "Excel error #REF!" in error.problem and "nan" not in str(error)

    def test_formula_without_a_saved_value_is_named(self):
        error = error_of(BAD / "ledger__formula_without_value.xlsx", "costs")
        assert "formula without a saved value (=SUM(E2:E2))" in error.problem
        assert "open and save" in error.fix

    def test_a_formula_with_its_saved_value_is_read(self, tmp_path):
        # as Excel saves it: the formula and its value (<f>...</f><v>...</v>)
        data = io.BytesIO()
        ledger_book("=4.8*2").save(data)
        source = zipfile.ZipFile(io.BytesIO(data.getvalue()))
        path = tmp_path / "saved.xlsx"
        with zipfile.ZipFile(path, "w") as out:
            for info in source.infolist():
                content = source.read(info)
                if info.filename.startswith("xl/worksheets/sheet"):
                    content = re.sub(rb"<f>([^<]*)</f><v\s*/>|<f>([^<]*)</f>(<v></v>)?",
                                     lambda m: b"<f>" + (m.group(1) or m.group(2))
                                     + b"</f><v>9.6</v>", content)
                out.writestr(info, content)
        assert list(load(path, "costs")["amount_mio_dkk"]) == [9.6]


# --------------------------------------------------------------------------- files

class TestFilesThatAreNotFiles:
    def test_a_folder(self, tmp_path):
        error = error_of(tmp_path, "costs")
        assert "is a folder" in error.problem

    def test_a_fifo_is_refused_without_hanging(self, tmp_path):
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        done = check("--kind", "costs", fifo, timeout=30)  # would block forever if opened
        assert done.returncode == 2 and "named pipe (FIFO)" in done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr

    def test_a_character_device(self):
        error = error_of("/dev/zero", "costs")  # endless: reading it would never finish
        assert "is a character device, not a regular file" in error.problem

    def test_permission_denied(self, tmp_path, monkeypatch):
        path = write(tmp_path, "locked.csv", LEDGER)
        real_open = os.open

        def refuse(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied")
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
        error = error_of(path, "costs")
        assert "permission denied" in error.problem and "chmod" in error.fix

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
    def test_permission_denied_for_real(self, tmp_path):
        path = write(tmp_path, "locked.csv", LEDGER)
        path.chmod(0)
        done = check("--kind", "costs", path)
        assert done.returncode == 2 and "permission denied" in done.stderr

    def test_a_broken_symbolic_link(self, tmp_path):
        (tmp_path / "link.csv").symlink_to(tmp_path / "gone.csv")
        assert "does not exist" in error_of(tmp_path / "link.csv", "costs").problem

    def test_a_hash_in_an_existing_file_name_is_part_of_the_name(self, tmp_path):
        path = save(ledger_book(1.5), tmp_path / "costs#2.xlsx")
        assert list(load(path, "costs")["amount_mio_dkk"]) == [1.5]


# --------------------------------------------------------------------------- real data

class TestRealDataUnchanged:
    def test_the_ledger_reads_as_a_plain_csv_reader_reads_it(self):
        import csv

        with open(config.COSTS_FILE, encoding="utf-8", newline="") as handle:
            plain = [(int(r["year"]), r["system"], float(r["amount_mio_dkk"]))
                     for r in csv.DictReader(handle)]
        ledger = load(config.COSTS_FILE, "costs")
        assert list(zip(ledger["year"], ledger["system"], ledger["amount_mio_dkk"],
                        strict=True)) == plain

    def test_the_hash_is_of_the_bytes_read(self):
        import hashlib

        frame = load(config.CPI_FILE, "price_index")
        assert frame.attrs["sha256"] == hashlib.sha256(config.CPI_FILE.read_bytes()).hexdigest()

    def test_every_raw_file_passes_check(self):
        done = check(*sorted(config.RAW_DIR.glob("*.csv")))
        assert done.returncode == 0, done.stderr
