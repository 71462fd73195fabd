"""The report catalogue behind `make report`: names bring their notebook and parameters."""

from __future__ import annotations

import pytest

from udkecon import config
from udkecon.errors import ParameterError
from udkecon.run import REPORTS, discard, prepare, resolve_notebook


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_default_report_has_its_notebook(name):
    assert resolve_notebook(name).exists()


def test_a_report_name_brings_its_parameters_and_is_the_file_stem(tmp_path):
    job = prepare("business_case_udk_share", {"language": "en"}, output_dir=tmp_path)
    try:
        assert job.stem == "business_case_udk_share"
        assert job.parameters == {"case": "udk_share", "language": "en"}
        assert job.notebook == config.NOTEBOOKS_DIR / "business_case.ipynb"
    finally:
        discard(job)
    assert not list(tmp_path.glob(".staging-*"))


def test_given_parameters_override_the_catalogue(tmp_path):
    job = prepare("business_case_monopoly_break", {"case": "udk_share"}, output_dir=tmp_path)
    discard(job)
    assert job.parameters["case"] == "udk_share"


def test_unknown_notebook_lists_the_choices():
    with pytest.raises(ParameterError, match="udk_costs_fixed_prices"):
        resolve_notebook("no_such_report")


class TestCommandLineParameters:
    """Bad parameters on the command line: one line on stderr, exit 2, nothing run."""

    def run(self, capsys, *argv):
        from udkecon.cli import main

        code = main(list(argv))
        return code, capsys.readouterr().err.strip()

    def test_missing_parameters_file(self, capsys, tmp_path):
        code, err = self.run(capsys, "run", "udk_costs_fixed_prices", "-f",
                             str(tmp_path / "none.yaml"))
        assert code == 2 and "none.yaml" in err and "\n" not in err

    def test_broken_yaml_names_the_line(self, capsys, tmp_path):
        broken = tmp_path / "params.yaml"
        broken.write_text("base_year: 2020\nlanguage: [da\n")
        code, err = self.run(capsys, "run", "udk_costs_fixed_prices", "-f", str(broken))
        assert code == 2 and "params.yaml" in err and "line 3" in err

    def test_parameter_without_value(self, capsys):
        code, err = self.run(capsys, "run", "udk_costs_fixed_prices", "-p", "base_year")
        assert code == 2 and "NAME=VALUE" in err

    def test_zero_padded_code_stays_text(self):
        from udkecon.cli import _parameters

        # YAML 1.1 reads 0101 as octal 65; a municipality code must arrive as written
        assert _parameters(["municipality=0101", "base_year=2021", "language=en"]) == {
            "municipality": "0101", "base_year": 2021, "language": "en"}


def test_report_refuses_an_unknown_name_before_running_anything(capsys):
    from udkecon.cli import main

    assert main(["report", "udk_costs_fixed_prices", "no_such_report"]) == 2
    assert "no_such_report" in capsys.readouterr().err
