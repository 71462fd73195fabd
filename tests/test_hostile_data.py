"""Hostile input to the data readers and checks (plan/HOSTILE.md, findings 1, 3-7, 10, 11 and
W2, W3, W6): each once passed silently wrong, or failed with a traceback or without end; now
it is read right or refused in one line naming the file, the row or column, and the fix.

Expected values are worked out by hand from the files (the numbers are in the comments),
never taken from the code's own output.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from udkecon import reading
from udkecon.data import load
from udkecon.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"


def error_of(path, kind=None) -> DataError:
    with pytest.raises(DataError) as caught:
        load(path, kind)
    return caught.value


def _limit_memory():  # a reader that walks the declared dimension is stopped, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def check_quickly(*paths, timeout=30):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "udkecon", "check", *map(str, paths)],
                          capture_output=True, text=True, env=env, timeout=timeout,
                          preexec_fn=_limit_memory)
    return done, time.monotonic() - start


# --------------------------------------------------------------------------- finding 1

class TestWorkbookExtent:
    """A workbook's declared dimension is not its table: a stray cell at XFD1048576 once made
    the reader walk 17 billion cells (24 GB, killed after 314 s); one at A1048576 took 26 s."""

    def test_a_stray_space_in_the_last_cell_reads_in_seconds(self):
        done, seconds = check_quickly(DATA / "ledger_stray_space_xfd1048576.xlsx",
                                      DATA / "ledger_stray_space_a1048576.xlsx")
        assert done.returncode == 0, done.stderr
        assert done.stdout.count(": ok") == 2
        assert seconds < 20  # about 1 s each; the old reader never finished the first

    def test_a_value_far_right_is_refused_naming_the_cell(self):
        done, _ = check_quickly(BAD / "ledger__value_far_right.xlsx")
        assert done.returncode == 2
        assert "cell XFD1048576 holds 'x'" in done.stderr and "Fix:" in done.stderr

    def test_a_table_far_larger_than_any_kind_is_refused(self, tmp_path, monkeypatch):
        # the limits scaled down: a ledger of 3 data rows against a limit of 2 rows with values
        monkeypatch.setattr(reading, "MAX_ROWS", 2)
        error = error_of(BAD / "ledger__merged_system.xlsx")
        assert "more than 2 rows with values" in str(error)
        monkeypatch.setattr(reading, "MAX_ROWS", 200_000)
        monkeypatch.setattr(reading, "MAX_CELLS", 10)  # 7 header cells + 6 of row 2
        error = error_of(BAD / "ledger__merged_system.xlsx")
        assert "stores more than 10 cells (reached at row 2)" in str(error)


# --------------------------------------------------------------------------- W3

def test_merged_cells_are_named_not_asked_to_be_zero():
    # B3:B4 merged: row 4's system shows 'UDK Barsel' in Excel but the cell is empty
    error = error_of(BAD / "ledger__merged_system.xlsx")
    assert (error.row, error.column) == (4, "system")
    assert "merged cells B3:B4" in str(error) and "unmerge" in str(error)
    assert "write 0" not in str(error)


def test_an_empty_text_cell_is_not_asked_to_be_zero(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("year,system,system_group,cost_type,amount_mio_dkk,data_status,note\n"
                    "2017,,udk,operation,9.6,illustrative,\n", encoding="utf-8")
    error = error_of(path)
    assert error.column == "system" and "write 0" not in str(error)


# --------------------------------------------------------------------------- finding 3

def test_a_month_missing_from_the_calls_is_refused_naming_it():
    """Calls without 2020-03 once ended the operations report in a KeyError (exit 1)."""
    from udkecon.documents.operations import model

    calls = DATA / "calls_without_2020_03.csv"
    with pytest.raises(DataError) as caught:
        model.build(calls_file=calls)
    error = caught.value
    # the file's rows: header 1, 2019-10 .. 2020-02 rows 2-6, then 2020-04 on row 7
    assert (error.file, error.row, error.column) == (str(calls), 7, "month")
    assert "has no calls for 2020-03" in str(error)
    assert "sla_availability_2019_2020.csv" in str(error) and "Fix: add the row" in str(error)


# --------------------------------------------------------------------------- findings 5, 6

@pytest.mark.parametrize("name, row, value", [
    ("sla__availability_as_fraction.csv", 3, "0.9995"),  # 99.95 % written as a fraction
    ("sla__availability_percent_formatted.xlsx", 2, "1 "),  # a %-formatted cell holds 1
])
def test_an_availability_written_as_a_fraction_is_refused(name, row, value):
    error = error_of(BAD / name, "sla_availability")
    assert (error.row, error.column) == (row, "availability_pct")
    assert f": {value}" in str(error) and "write 99.95, not 0.9995" in str(error)


def test_a_population_in_thousands_is_refused():
    # København written 632 (thousands) for 632,340: below the smallest, Læsø's ~1,800
    error = error_of(BAD / "municipalities__population_in_thousands.csv")
    assert (error.row, error.column) == (2, "population_2020_01_01")
    assert "write whole persons" in str(error)
    error = error_of(DATA / "population_by_year_in_thousands.csv", "population_by_year")
    assert (error.row, error.column) == (2, "population_2020_01_01")
    assert "632 is implausibly small" in str(error)


# --------------------------------------------------------------------------- finding 10

def test_the_sheet_suggested_for_a_name_with_a_hash_can_be_used(tmp_path):
    """A sheet named 'Data#2': the fix once suggested book.xlsx#Data#2, which then read as
    the file 'book.xlsx#Data' (not found). The workbook now ends at the first '#' after an
    existing .xlsx name."""
    book = tmp_path / "book.xlsx"
    book.write_bytes((DATA / "ledger_sheet_named_with_hash.xlsx").read_bytes())
    error = error_of(f"{book}#")
    suggested = str(error).split("e.g. ", 1)[1]
    assert suggested == f"{book}#Data#2"
    assert len(load(suggested)) > 0


def test_a_sheet_named_after_a_csv_is_said_to_be_a_csv(tmp_path, capsys, monkeypatch):
    """`check cpi.csv#Sheet1` said 'file not found' of a file that is there (hostile round 2,
    CK2): a CSV has no sheets; the fix is the path without the sheet. The same line for a
    report's *_file parameter."""
    from udkecon import config, parameters
    from udkecon.cli import main

    monkeypatch.chdir(tmp_path)
    index = tmp_path / "cpi.csv"
    index.write_bytes((ROOT / "data" / "raw" / "cpi_dk_annual_2015_100.csv").read_bytes())
    assert main(["check", "cpi.csv#Sheet1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == ("cpi.csv#Sheet1: names a sheet after '#', but cpi.csv is not "
                                 "a workbook (.xlsx) and has no sheets. Fix: give the file "
                                 "without the sheet: cpi.csv\n")
    with pytest.raises(DataError, match=r"but .*cpi\.csv is not a workbook"):
        parameters.check(config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb",
                         {"index_file": "cpi.csv#Sheet1"})
    # a file that is not there stays 'file not found'
    assert "file not found" in str(error_of(tmp_path / "none.csv#Sheet1"))


# --------------------------------------------------------------------------- finding 11, W2, W6

def test_a_dut_year_without_costs_is_refused_naming_both_files():
    """DUT for 2022 with a ledger of 2017-2021 was once dropped without a word (DUT stayed
    29.4 mio. kr.)."""
    from udkecon.documents.fixed_prices import model

    dut = DATA / "dut_extra_2022.csv"
    with pytest.raises(DataError) as caught:
        model.build(dut_file=dut)
    error = caught.value
    assert (error.file, error.row, error.column) == (str(dut), 7, "year")  # 2017-2021 rows 2-6
    assert "year 2022 is not covered by the cost ledger" in str(error)
    assert "udk_it_costs_2017_2021_illustrative.csv (it covers 2017-2021)" in str(error)


def test_a_year_missing_inside_the_dut_years_is_called_missing():
    # the DUT file has 2017, 2018, 2020, 2021: 2019 lies inside, its row is missing
    from udkecon.documents.fixed_prices import model

    dut = DATA / "dut_without_2019.csv"
    with pytest.raises(DataError) as caught:
        model.build(dut_file=dut)
    message = str(caught.value)
    assert f"year 2019 has no row in the DUT compensation file {dut}" in message
    assert "(its years: 2017-2018, 2020-2021)" in message and "it covers" not in message


def test_the_title_follows_the_ledgers_years():
    from udkecon.documents.fixed_prices import model, text

    analysis = model.build(DATA / "costs_with_2022.csv", DATA / "dut_with_2022.csv")
    assert text.title(analysis) == \
        "Kommunale IT-omkostninger vedr. UDK 2017-2022, faste priser (2020-niveau)"
