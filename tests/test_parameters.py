"""Parameters checked before any kernel starts (udkecon.parameters, udkecon.guards) and the
command line's options: each bad value refused in one line naming the parameter, no
notebook run. Expected values are the notebooks' own declarations (read from the cells
here) and the reference files' ranges (CPI 2015-2023 in data/raw)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from udkecon import batch, cli, config, guards, parameters
from udkecon.errors import ParameterError
from udkecon.parameters import Origin

DATA = Path(__file__).resolve().parent / "data"
COSTS = config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb"
HANDOUT = config.NOTEBOOKS_DIR / "municipality_handout.ipynb"
BUSINESS_CASE = config.NOTEBOOKS_DIR / "business_case.ipynb"
TEST_NOTEBOOK = DATA / "batch_test_notebook.ipynb"


class TestStrictYaml:
    def test_no_octal_no_norway_no_dates(self):
        assert parameters.parse_yaml("a: 0101\nb: no\nc: 2021-03-01\nd: 1:30\ne: true", "x") == \
            {"a": "0101", "b": "no", "c": "2021-03-01", "d": "1:30", "e": True}

    def test_numbers_stay_numbers(self):
        assert parameters.parse_yaml("a: 2020\nb: -3\nc: 0.035\nd: 0", "x") == \
            {"a": 2020, "b": -3, "c": 0.035, "d": 0}

    def test_a_key_given_twice(self):
        with pytest.raises(ParameterError, match="'base_year' is given twice at line 2"):
            parameters.parse_yaml("base_year: 2019\nbase_year: 2021\n", "x")

    def test_aliases_refused(self):
        with pytest.raises(ParameterError, match=r"line 2: a YAML alias \(\*a\)"):
            parameters.parse_yaml("x: &a [1, 2]\ny: *a\n", "f.yaml")

    def test_fifo_is_not_opened(self, tmp_path):
        # opening a FIFO for reading would wait for a writer for ever
        fifo = tmp_path / "params.yaml"
        os.mkfifo(fifo)
        with pytest.raises(ParameterError, match="named pipe"):
            parameters.load_yaml(fifo, "-f")


class TestNames:
    def test_misspelt_name_gets_the_closest(self):
        with pytest.raises(ParameterError) as caught:
            parameters.check(COSTS, {"base_yaer": 2021})
        assert str(caught.value) == (
            "command line: parameter 'base_yaer' is not a parameter of "
            "udk_costs_fixed_prices.ipynb; did you mean 'base_year'?")

    def test_far_name_lists_the_parameters(self):
        with pytest.raises(ParameterError, match="its parameters are: base_year, index_file"):
            parameters.check(COSTS, {"colour": "red"})

    def test_where_it_came_from(self, tmp_path):
        origin = Origin.of_file(tmp_path / "p.yaml")
        with pytest.raises(ParameterError, match=r"^/.*p\.yaml: parameter 'langauge'"):
            parameters.check(COSTS, {"langauge": "en"}, {"langauge": origin})

    def test_declared_parameters_are_the_cell(self):
        names = parameters.declared(COSTS)
        # udk_costs_fixed_prices.ipynb's parameters cell, as written there
        assert list(names) == ["base_year", "index_file", "cost_file", "dut_file", "language",
                               "output_dir", "output_name", "author"]
        assert names["base_year"]["inferred_type_name"] == "int"

    def test_batch_over_municipalities_needs_the_parameter(self):
        with pytest.raises(ParameterError, match="has no parameter 'municipality'"):
            batch.municipality_sets(COSTS, "all")


class TestDiscountRate:
    """Issue: -p discount_rate=0.5 ran a report "at 50 %" and -0.01 was taken, where the same
    rate in the discount-rate file is refused. The limits are the file's (its schema: not
    negative, at most 0.15 as plausible, see data/raw's discount_rates_dk.csv: 4 %, 3.5 %
    ...); 0.15 and 0 are inside, 0.5 and -0.01 outside, by hand."""

    @pytest.mark.parametrize("notebook", [BUSINESS_CASE, HANDOUT])
    @pytest.mark.parametrize("value, says", [
        (0.5, "discount_rate 0.5 is above 0.15"),
        (-0.01, "discount_rate -0.01 is below 0"),
        ("0,5", "discount_rate '0,5' is above 0.15"),
    ])
    def test_outside_the_files_limits(self, notebook, value, says):
        with pytest.raises(ParameterError) as refused:
            parameters.check(notebook, {"discount_rate": value})
        message = str(refused.value)
        assert says in message and "a decimal rate from 0 to 0.15 such as 0.035" in message
        assert "\n" not in message

    @pytest.mark.parametrize("value", [0.15, 0, 0.035, "0,035", "fm2013", "2021-03-01"])
    def test_inside_pass_unchanged(self, value):
        assert parameters.check(BUSINESS_CASE, {"discount_rate": value}) == \
            {"discount_rate": value}

    def test_limits_are_the_discount_rate_files(self):
        from udkecon.business_case import flat_rate_limits
        from udkecon.schemas import MAX_DISCOUNT_RATE

        assert flat_rate_limits() == (0.0, MAX_DISCOUNT_RATE)

    @pytest.mark.parametrize("value, reason", [
        ("2000-01-01", "decision date 2000-01-01 is before the first discount-rate schedule"),
        ("abc", "neither a schedule's name, a date nor a number"),
        ("2021-02-30", "2021-02-30 is not a date"),
    ])
    def test_the_fix_names_the_parameter_and_its_forms(self, value, reason):
        """Issue W4: a date before the first schedule was told "e.g. rate=0.05", a
        parameter no notebook has. The fix names discount_rate and every form it takes."""
        with pytest.raises(ParameterError) as refused:
            parameters.check(BUSINESS_CASE, {"discount_rate": value})
        message = str(refused.value)
        assert reason in message and "rate=" not in message
        assert message.endswith(
            "give discount_rate as 'fm2013' or 'fm2021' (Finansministeriet's schedules), a "
            "decision date YYYY-MM-DD from 2013-05-31 on, or a decimal rate from 0 to 0.15 "
            "such as 0.035")


class TestNumberAdvice:
    """Issue W1: every value that was not a whole number got "write it without quotes",
    even one that had no quotes. The advice now fits what was given; the default 2020 is
    the cell's (base_year: int = 2020), 100000 draws the business case's."""

    @pytest.mark.parametrize("notebook, name, value, advice", [
        (COSTS, "base_year", "2020", "not text '2020'; write it without quotes, e.g. "
                                     "base_year: 2020"),
        (COSTS, "base_year", 2020.0, "write it without the decimal point, e.g. base_year: 2020"),
        (COSTS, "base_year", 2020.5, "give a whole number such as 2020"),
        (COSTS, "base_year", True, "true/false is not a number; give one such as 2020"),
        (COSTS, "base_year", "", "an empty value is not a number (nor the default): give one "
                                 "such as 2020, or leave base_year out to use the default, 2020"),
        (COSTS, "base_year", None, "not empty (null); an empty value is not a number"),
        (COSTS, "base_year", "2_020", "write it as digits only, e.g. base_year: 2020"),
        (COSTS, "base_year", [2020], "give a single number such as 2020"),
        (BUSINESS_CASE, "draws", "", "leave draws out to use the default, 100000"),
    ])
    def test_the_advice_fits_the_value(self, notebook, name, value, advice):
        with pytest.raises(ParameterError) as refused:
            parameters.check(notebook, {name: value})
        message = str(refused.value)
        assert message.endswith(advice) or advice in message, message
        if not isinstance(value, str) or not value.strip().isdigit():
            assert "without quotes" not in message

    def test_null_text_is_told_how_to_write_empty_text(self):
        with pytest.raises(ParameterError, match="write '' for empty text, or leave "
                                                 "language out to use its default"):
            parameters.check(COSTS, {"language": None})

    def test_the_command_line_says_it_in_one_line(self, capsys):
        assert cli.main(["run", "udk_costs_fixed_prices", "-p", "base_year="]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "without quotes" not in err and "empty value" in err


class TestValues:
    @pytest.mark.parametrize("name, value, message", [
        ("base_year", "2020", "must be a whole number"),
        ("base_year", True, "must be a whole number"),
        ("base_year", 2020.0, "must be a whole number"),
        ("base_year", 2014, "base_year 2014 is not covered"),  # the CPI starts in 2015
        ("base_year", 2024, "base_year 2024 is not covered"),  # ... and ends in 2023
        ("language", "fr", "language 'fr'"),
        ("language", False, "must be text"),
        ("author", ["a"], "must be text"),
        ("author", float("inf"), "is inf; give a finite number"),
        ("output_name", "../x", "separator"),
    ])
    def test_refused(self, name, value, message):
        with pytest.raises(ParameterError, match=message):
            parameters.check(COSTS, {name: value})

    def test_good_values_pass_unchanged(self):
        given = {"base_year": 2015, "language": "en", "author": 101}
        assert parameters.check(COSTS, given) == given

    def test_municipality_by_name_or_code(self):
        assert parameters.check(HANDOUT, {"municipality": "Læsø"}) == {"municipality": "Læsø"}
        with pytest.raises(ParameterError, match=r"closest: .*Frederiksberg \(147\)"):
            parameters.check(HANDOUT, {"municipality": "Frederiksbjerg"})

    @pytest.mark.parametrize("draws", [0, -5, guards.MAX_DRAWS + 1, 10**12])
    def test_draws(self, draws):
        with pytest.raises(ParameterError, match=f"^command line: draws {draws} "):
            parameters.check(BUSINESS_CASE, {"draws": draws})

    def test_draws_at_the_limit(self):
        assert parameters.check(BUSINESS_CASE, {"draws": guards.MAX_DRAWS})["draws"] == \
            1_000_000

    def test_base_year_against_the_given_index(self, tmp_path):
        index = tmp_path / "index.csv"
        index.write_text("year,index\n2000,90.0\n2001,91.0\n", encoding="utf-8")
        checked = parameters.check(COSTS, {"index_file": str(index), "base_year": 2001})
        assert checked["base_year"] == 2001
        with pytest.raises(ParameterError, match=r"base_year 2020 .*index\.csv \(2000-2001\)"):
            parameters.check(COSTS, {"index_file": str(index), "base_year": 2020})

    def test_relative_files_from_their_origin(self, tmp_path, monkeypatch):
        ledger = tmp_path / "sub" / "ledger.csv"
        ledger.parent.mkdir()
        # a real ledger: the content of an input file is checked too
        ledger.write_bytes((config.RAW_DIR / "udk_it_costs_2017_2021_illustrative.csv")
                           .read_bytes())
        # from a YAML file in sub/: read from the file's folder
        origin = Origin.of_file(ledger.parent / "params.yaml")
        assert parameters.check(COSTS, {"cost_file": "ledger.csv"},
                                {"cost_file": origin}) == {"cost_file": str(ledger)}
        # from the command line: read from the directory the command was given in
        monkeypatch.chdir(tmp_path)
        assert parameters.check(COSTS, {"cost_file": "sub/ledger.csv"}) == \
            {"cost_file": str(ledger)}

    def test_a_workbook_named_with_its_sheet(self, tmp_path, monkeypatch):
        """index_file=cpi.xlsx#Ledger as the loaders and `check` read it (hostile round 2,
        finding 11: 'file not found (read as .../cpi.xlsx#Ledger)'). The workbook's active
        sheet 'Other' holds only 'x', so the sheet named is the one read."""
        import hashlib

        from udkecon import data, run

        book = tmp_path / "sub" / "cpi.xlsx"
        book.parent.mkdir()
        book.write_bytes((DATA / "cpi_sheet_ledger_active_sheet_other.xlsx").read_bytes())
        named = f"{book}#Ledger"
        monkeypatch.chdir(tmp_path)  # relative to the command's directory, sheet kept
        assert parameters.check(COSTS, {"index_file": "sub/cpi.xlsx#Ledger"}) == \
            {"index_file": named}
        origin = Origin.of_file(book.parent / "params.yaml")  # relative to a YAML file
        assert parameters.check(COSTS, {"index_file": "cpi.xlsx#Ledger"},
                                {"index_file": origin}) == {"index_file": named}
        # the manifest hashes the workbook's bytes (hashed here by hand), under the name given
        digest = hashlib.sha256(book.read_bytes()).hexdigest()
        assert run.input_hashes(COSTS, {"index_file": named})[named] == digest
        item = batch.ParameterSet("x", {"index_file": named})
        assert batch._inputs(COSTS, item, {})[named] == digest
        assert data.provenance(named)["sha256"] == digest
        # a sheet that is not there is the loader's line, not 'file not found'
        with pytest.raises(data.DataError, match=r"has no sheet 'Nope' \(its sheets: "
                           r"'Ledger', 'Other'\)"):
            parameters.check(COSTS, {"index_file": f"{book}#Nope"})

    @pytest.mark.parametrize("make, message", [
        (lambda p: p.mkdir(), "a folder, not a file"),
        (lambda p: os.mkfifo(p), "a named pipe"),
        (lambda p: None, "file not found"),
    ])
    def test_input_file_must_be_a_regular_file(self, tmp_path, make, message):
        path = tmp_path / "ledger.csv"
        make(path)
        with pytest.raises(ParameterError, match=f"cost_file '{path}': {message}"):
            parameters.check(COSTS, {"cost_file": str(path)})

    @pytest.mark.parametrize("month", ["2019-13", "2019-1", "okt 2019", "2019/10"])
    def test_months(self, month):
        with pytest.raises(ParameterError, match="write it YYYY-MM"):
            parameters.check(config.NOTEBOOKS_DIR / "operations_status.ipynb",
                             {"first_month": month})


class TestFileNames:
    @pytest.mark.parametrize("name", ["", " ", "../victim", "/abs/x", "a/b", "a\\b", ".hidden",
                                      "..", ".", "a\nb", " x", "x" * 250, None, True])
    def test_refused(self, name):
        with pytest.raises(ParameterError, match="give a plain file name"):
            guards.require_file_name(name)

    @pytest.mark.parametrize("name", ["udk_2021", "Kbh-2021.v2", "Læsø", 2021])
    def test_plain_names(self, name):
        assert guards.require_file_name(name) == str(name)


class TestCommandLine:
    def run(self, capsys, *argv):
        try:
            code = cli.main(list(argv))
        except SystemExit as stop:  # argparse
            code = stop.code
        return code, capsys.readouterr().err.strip()

    @pytest.mark.parametrize("option, value", [
        ("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "-1"), ("--timeout", "1e9"),
        ("--jobs", "0"), ("--jobs", "-3"), ("--jobs", "100000"), ("--jobs", "two"),
    ])
    def test_numeric_options(self, capsys, tmp_path, option, value):
        code, err = self.run(capsys, "batch", "municipality_handout", "--municipalities", "101",
                             "-o", str(tmp_path / "out"), option, value)
        assert code == 2 and "\n" not in err and option in err and repr(value) in err
        assert not (tmp_path / "out").exists()

    def test_report_jobs(self, capsys):
        code, err = self.run(capsys, "report", "--jobs", "-1")
        assert code == 2 and "--jobs" in err

    def test_a_parameter_given_twice(self, capsys, tmp_path):
        code, err = self.run(capsys, "run", str(TEST_NOTEBOOK), "-p", "action=check", "-p",
                             "action=die", "-o", str(tmp_path))
        assert code == 2 and err == "error: -p action is given twice; give each parameter once"

    def test_help_says_what_no_pdf_removes(self, capsys):
        with pytest.raises(SystemExit):
            cli.main(["run", "--help"])
        help_text = " ".join(capsys.readouterr().out.split())
        assert "an earlier PDF of the same name in the folder is removed" in help_text
        assert "2 bad input" in help_text and "read from the directory the command" in help_text

    def test_batch_over_a_notebook_without_municipality(self, capsys, tmp_path):
        code, err = self.run(capsys, "batch", "udk_costs_fixed_prices", "--municipalities",
                             "all", "-o", str(tmp_path / "out"))
        assert code == 2 and "has no parameter 'municipality'" in err
        assert not (tmp_path / "out").exists()


def test_relative_reports_dir_is_read_from_the_command_directory(tmp_path):
    """A relative UDKECON_REPORTS_DIR is absolute from the start, and written back so that a
    kernel (working in notebooks/) reads the same folder."""
    code = ("import os; from udkecon import config; "
            "print(config.REPORTS_DIR); print(os.environ['UDKECON_REPORTS_DIR'])")
    env = {**os.environ, "UDKECON_REPORTS_DIR": "my_reports",
           "PYTHONPATH": os.pathsep.join([str(config.PROJECT_ROOT),
                                          os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == [str(tmp_path / "my_reports")] * 2


def test_a_file_that_is_not_an_input_need_not_exist_yet(tmp_path, monkeypatch):
    # the test notebook's release_file appears while it runs; it is only made absolute
    monkeypatch.chdir(tmp_path)
    assert parameters.check(TEST_NOTEBOOK, {"release_file": "later"}) == \
        {"release_file": str(tmp_path / "later")}
    (tmp_path / "later").mkdir()
    with pytest.raises(ParameterError, match="a folder, not a file"):
        parameters.check(TEST_NOTEBOOK, {"release_file": "later"})


class TestInputFileContent:
    """A named input file is read and checked before any kernel starts: a bad ledger stops
    a run, or a batch of 98, with the loader's one line and nothing started."""

    def test_a_bad_ledger_is_refused_before_the_kernel(self, capsys, tmp_path, monkeypatch):
        from udkecon import run

        def no_kernel(*args, **kwargs):
            raise AssertionError("a kernel was started for a bad input file")

        monkeypatch.setattr(run, "execute", no_kernel)
        bad = DATA / "bad" / "ledger__unterminated_quote.csv"
        code = cli.main(["run", "udk_costs_fixed_prices", "-p", f"cost_file={bad}",
                         "-o", str(tmp_path / "out")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and "\n" not in err
        assert str(bad) in err and "row 3" in err and "Fix:" in err
        assert not (tmp_path / "out").exists()

    def test_a_file_of_another_program_is_refused_before_the_kernel(self, tmp_path):
        odf = tmp_path / "costs.ods"
        odf.write_bytes(b"PK\x03\x04 not a ledger")
        with pytest.raises(Exception, match=r"costs\.ods.*unsupported file type '\.ods'"):
            parameters.check(COSTS, {"cost_file": str(odf)})

    def test_a_good_file_passes_and_is_made_absolute(self, tmp_path, monkeypatch):
        ledger = config.RAW_DIR / "udk_it_costs_2017_2021_illustrative.csv"
        monkeypatch.chdir(ledger.parent)
        checked = parameters.check(COSTS, {"cost_file": ledger.name})
        assert checked["cost_file"] == str(ledger)
