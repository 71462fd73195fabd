"""The corpus of bad parameter files (`-f`) and parameter-sets files (`--parameter-sets`).

Each file in tests/data/bad/ named `params__<defect>.yaml` or `sets__<defect>.yaml` is
given to the command line as a user would; each must give exit 2, one line on stderr
naming the file and the parameter (or what is wrong with the file), and nothing written:
the output folder, holding an earlier report, is byte for byte as it was. The checks run
before any kernel starts, so this test runs no notebook.

(The data-file corpus in the same folder, `<kind>__<defect>.<ext>`, has its own test.)
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from udkecon import cli

BAD = Path(__file__).resolve().parent / "data" / "bad"

# file -> (notebook, words the one line must contain besides the file's name)
EXPECTED = {
    "params__misspelt_name.yaml": (None, ["parameter 'base_yaer'", "did you mean 'base_year'"]),
    "params__wrong_type.yaml": (None, ["base_year", "whole number"]),
    "params__base_year_out_of_range.yaml": (None, ["base_year 1990", "price index"]),
    "params__unknown_language.yaml": (None, ["language 'fr'", "da, en"]),
    "params__norway_problem.yaml": (None, ["language 'no'"]),
    "params__unknown_municipality.yaml": ("municipality_handout", ["municipality 'Atlantis'",
                                                                  "closest"]),
    "params__not_a_mapping.yaml": (None, ["mapping of parameter names"]),
    "params__yaml_syntax_error.yaml": (None, ["not valid YAML", "line 3"]),
    "params__output_name_parent.yaml": (None, ["output_name '../victim'", "separator"]),
    "params__output_name_hidden.yaml": (None, ["output_name '.hidden'", "dot"]),
    "params__empty.yaml": (None, ["empty"]),
    "params__binary.yaml": (None, ["binary"]),
    "params__duplicate_key.yaml": (None, ["'base_year' is given twice", "line 3"]),
    "params__draws_huge.yaml": ("business_case", ["draws 1000000000", "1000000"]),
    "params__not_a_number.yaml": (None, ["parameter 'base_year' is nan"]),
    "params__not_utf8.yaml": (None, ["line 1 is not UTF-8"]),
    "params__missing_cost_file.yaml": (None, ["cost_file 'no_such_ledger.csv'",
                                              "file not found"]),
    "params__month_format.yaml": ("operations_status", ["first_month '2019-13'", "YYYY-MM"]),
    "params__list_for_int.yaml": (None, ["base_year", "whole number"]),
    "params__null_base_year.yaml": (None, ["parameter 'base_year'", "not empty (null)",
                                           "leave base_year out to use the default, 2020"]),
    "params__alias.yaml": (None, ["alias"]),
    "params__cost_file_is_folder.yaml": (None, ["cost_file", "a folder, not a file"]),
    "sets__misspelt_name.yaml": (None, ["set 1", "parameter 'langauge'",
                                        "did you mean 'language'"]),
    "sets__output_name_parent.yaml": (None, ["set 1", "output_name '../victim'"]),
    "sets__output_name_hidden.yaml": (None, ["set 1", "output_name '.hidden'"]),
    "sets__output_name_absolute.yaml": (None, ["set 1", "output_name '/tmp/victim'"]),
    "sets__duplicate_output_names.yaml": (None, ["sets 1 and 2", "output_name"]),
    "sets__duplicate_output_names_case.yaml": (None, ["sets 1 and 2", "output_name"]),
    "sets__empty.yaml": (None, ["empty"]),
    "sets__not_a_list.yaml": (None, ["list of parameter sets"]),
    "sets__set_not_a_mapping.yaml": (None, ["set 1 is 101"]),
    "sets__unknown_municipality.yaml": (None, ["set 2", "municipality 'Atlantis'"]),
    "sets__base_year_out_of_range.yaml": (None, ["set 1", "base_year 1990"]),
    "sets__wrong_type.yaml": (None, ["set 1", "base_year", "whole number"]),
    "sets__output_dir_per_set.yaml": (None, ["set 1", "output_dir cannot be given per set"]),
    "sets__yaml_syntax_error.yaml": (None, ["not valid YAML", "line 2"]),
    "sets__binary.yaml": (None, ["binary"]),
    "sets__unknown_top_level_key.yaml": (None, ["'output' is not one"]),
    "sets__common_unknown_name.yaml": (None, ["common", "parameter 'base_yaer'",
                                              "did you mean 'base_year'"]),
}
DEFAULT_NOTEBOOK = {"params": "udk_costs_fixed_prices", "sets": "municipality_handout"}


def corpus() -> list[str]:
    return sorted(p.name for p in BAD.glob("*.yaml") if p.name.split("__")[0] in DEFAULT_NOTEBOOK)


def snapshot(folder: Path) -> dict:
    """Every file and folder under `folder`, with the bytes of each file."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def test_every_file_of_the_corpus_says_what_it_expects(capsys):
    assert sorted(EXPECTED) == corpus()
    counts = collections.Counter(name.split("__")[0] for name in corpus())
    assert counts["params"] >= 12 and counts["sets"] >= 12
    with capsys.disabled():
        print(f"\nbad parameter files: {counts['params']} -f, {counts['sets']} "
              "--parameter-sets")


@pytest.mark.parametrize("name", corpus())
def test_bad_file_exit_2_one_line_nothing_written(name, tmp_path, capsys, monkeypatch):
    kind = name.split("__")[0]
    notebook, words = EXPECTED[name]
    notebook = notebook or DEFAULT_NOTEBOOK[kind]
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier_report.pdf").write_bytes(b"%PDF-1.7 an earlier good report")
    (out / "manifest.json").write_text('{"kind": "udkecon batch", "items": []}' if kind == "sets"
                                       else '{"status": "ok"}')
    victim = tmp_path / "victim.xlsx"  # where `../victim` would point
    victim.write_bytes(b"PK an earlier workbook")
    monkeypatch.chdir(tmp_path)  # a relative path must not reach beyond it either
    before = snapshot(tmp_path)
    option = ["-f"] if kind == "params" else ["--parameter-sets"]
    command = "run" if kind == "params" else "batch"
    code = cli.main([command, notebook, *option, str(BAD / name), "-o", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("error: ") and "\n" not in err, err
    assert "Traceback" not in err
    assert name in err, f"the file is not named: {err}"
    for word in words:
        assert word in err, f"{word!r} not in: {err}"
    assert snapshot(tmp_path) == before, "something was written or changed"
