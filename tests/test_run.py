"""The report catalogue behind `make report`: names bring their notebook and parameters."""

from __future__ import annotations

import json

import nbformat
import pytest

from udkecon import config
from udkecon.errors import ParameterError
from udkecon.run import REPORTS, discard, plan, prepare, resolve_notebook


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


@pytest.mark.parametrize("name", ["foo", "manifest"])
def test_output_name_names_the_files_as_name_does(name, tmp_path, monkeypatch):
    """Issue: `run udk_costs_fixed_prices -p output_name=foo` wrote udk_costs_fixed_prices.*
    while its manifest said output_name: foo. The parameter is the notebook's own and a
    parameter-sets file's way to name the files, so it counts as --name does: the stem,
    and the default folder reports/<stem>/."""
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path)
    by_parameter = plan("udk_costs_fixed_prices", {"output_name": name})
    by_option = plan("udk_costs_fixed_prices", {}, stem=name)
    assert by_parameter[2] == by_option[2] == name
    assert by_parameter[3] == by_option[3] == tmp_path / name


def test_name_and_output_name_that_disagree_are_refused():
    with pytest.raises(ParameterError, match="--name bar and the parameter output_name foo "
                                             "disagree; give the name once"):
        plan("udk_costs_fixed_prices", {"output_name": "foo"}, stem="bar")
    assert plan("udk_costs_fixed_prices", {"output_name": "foo"}, stem="foo")[2] == "foo"


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b"])
def test_output_name_of_a_report_is_a_plain_file_name(name):
    with pytest.raises(ParameterError, match="output_name"):
        plan("udk_costs_fixed_prices", {"output_name": name})


@pytest.mark.slow
def test_a_report_run_under_output_name_leaves_the_earlier_report(tmp_path, monkeypatch,
                                                                  capsys):
    from udkecon.cli import main

    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path)
    earlier = tmp_path / "udk_costs_fixed_prices"
    earlier.mkdir()
    files = {f"udk_costs_fixed_prices.{s}": f"earlier {s}".encode() for s in ("xlsx", "ipynb")}
    files["manifest.json"] = b'{"stem": "udk_costs_fixed_prices", "status": "ok"}'
    for file, content in files.items():
        (earlier / file).write_bytes(content)
    for name in ("foo", "manifest"):
        assert main(["run", "udk_costs_fixed_prices", "-p", f"output_name={name}",
                     "--no-pdf"]) == 0, capsys.readouterr().err
        folder = tmp_path / name
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [f"{name}.ipynb", f"{name}.xlsx", "manifest.json"])
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["stem"] == manifest["parameters"]["output_name"] == name
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == files


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


# --------------------------------------------------------------------------- where a run writes

DATA = config.PROJECT_ROOT / "tests" / "data"
INTERACTIVE_NOTEBOOK = DATA / "interactive_test_notebook.ipynb"


def _tree(folder):
    """Every file under `folder` with its bytes (a report folder, before and after)."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _env(reports):
    import os

    return {**os.environ, "UDKECON_REPORTS_DIR": str(reports),
            "PYTHONPATH": os.pathsep.join([str(config.PROJECT_ROOT),
                                           os.environ.get("PYTHONPATH", "")])}


def test_without_output_dir_a_notebook_writes_to_the_interactive_folder(monkeypatch, tmp_path):
    from udkecon import run

    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    out = run.outputs("", "", default_name="udk_costs_fixed_prices")
    assert out.dir == tmp_path / "reports" / "interactive" / "udk_costs_fixed_prices"
    assert out.dir.is_dir() and not out.by_driver
    assert out.final(out.xlsx) == out.xlsx


def test_a_folder_with_a_manifest_is_refused_by_hand_but_not_the_drivers_staging(tmp_path):
    from udkecon import run

    report = tmp_path / "udk_costs_fixed_prices"
    report.mkdir()
    (report / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ParameterError, match="manifest describes the files"):
        run.outputs(str(report), "", default_name="udk_costs_fixed_prices")
    assert sorted(p.name for p in report.iterdir()) == ["manifest.json"]
    # the driver's staging folder lies inside the report folder; its files end up beside it
    staging = report / ".staging-0123abcd"
    out = run.outputs(str(staging), "udk_costs_fixed_prices")
    assert out.by_driver
    assert out.final(out.xlsx) == report / "udk_costs_fixed_prices.xlsx"


def test_the_line_naming_the_files_is_left_out_of_the_pdf(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from udkecon import run
    from udkecon.publish import notebook_html

    InteractiveShell.instance()
    out = run.outputs(str(tmp_path / "report" / ".staging-0123abcd"), "x")
    with capture_output() as captured:
        out.wrote(out.xlsx, language="en")
    [shown] = captured.outputs
    expected = f"Written: {tmp_path / 'report' / 'x.xlsx'}"  # the final name, not the staged
    assert shown.data == {"text/plain": expected}
    assert shown.metadata == {"tags": ["remove-in-report"]}
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "", outputs=[nbformat.v4.new_output("display_data", data={"text/plain": expected},
                                            metadata={"tags": ["remove-in-report"]}),
                     nbformat.v4.new_output("display_data",
                                            data={"text/html": "<p>kept</p>"})])])
    html = notebook_html(notebook)
    assert "kept" in html and "Written:" not in html


@pytest.mark.slow
def test_an_interactive_run_leaves_the_report_folders_byte_identical(tmp_path):
    """`make report`'s folder, then a plain papermill run with another base year and no
    output_dir: the report folder (PDF, workbook, notebook, manifest) has the same bytes,
    and the interactive run's workbook is in its own folder, in the other prices."""
    import subprocess
    import sys

    import openpyxl

    from udkecon.labels import label

    reports = tmp_path / "reports"
    made = subprocess.run([sys.executable, "-m", "udkecon", "report", "udk_costs_fixed_prices"],
                          env=_env(reports), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    folder = reports / "udk_costs_fixed_prices"
    # one line per report and nothing else (no kernel warnings: the kernel talks over IPC)
    assert made.stdout.splitlines() == [f"udk_costs_fixed_prices: ok -> {folder}"]
    assert made.stderr == ""
    before = _tree(folder)
    assert {"manifest.json", "udk_costs_fixed_prices.pdf",
            "udk_costs_fixed_prices.xlsx"} <= set(before)
    ran = subprocess.run([sys.executable, "-m", "papermill",
                          str(config.NOTEBOOKS_DIR / "udk_costs_fixed_prices.ipynb"),
                          str(tmp_path / "mine.ipynb"), "-p", "base_year", "2021",
                          "--cwd", str(config.NOTEBOOKS_DIR), "--no-progress-bar"],
                         env=_env(reports), capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert _tree(folder) == before
    assert sorted(p.name for p in reports.iterdir()) == ["interactive", "udk_costs_fixed_prices"]
    mine = reports / "interactive" / "udk_costs_fixed_prices" / "udk_costs_fixed_prices.xlsx"
    subject = openpyxl.load_workbook(mine).properties.subject
    assert subject == label("costs_title", "da", period="2017-2021", base_year=2021)
    assert openpyxl.load_workbook(folder / "udk_costs_fixed_prices.xlsx").properties.subject \
        == label("costs_title", "da", period="2017-2021", base_year=2020)


@pytest.mark.slow
def test_a_refusal_in_a_notebook_shows_one_line_and_the_driver_still_says_exit_2(tmp_path):
    import subprocess
    import sys

    import papermill as pm

    # in the notebook: the error output is the one line, with the class name for the driver
    with pytest.raises(pm.PapermillExecutionError) as raised:
        pm.execute_notebook(str(INTERACTIVE_NOTEBOOK), str(tmp_path / "refused.ipynb"),
                            parameters={"action": "refuse"}, progress_bar=False,
                            kernel_name="python3", cwd=str(config.NOTEBOOKS_DIR))
    assert raised.value.ename == "ParameterError"
    assert raised.value.evalue == "action 'refuse': refused as asked; give action write"
    assert raised.value.traceback == [
        "\x1b[0;31mParameterError\x1b[0m: action 'refuse': refused as asked; give action write"]
    # by the driver: exit 2, one line, nothing written
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "udkecon", "run", str(INTERACTIVE_NOTEBOOK),
                           "-p", "action=refuse", "-o", str(out), "--no-pdf"],
                          env=_env(tmp_path / "reports"), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "refused as asked" in done.stderr
    assert not out.exists() and not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_driver_run_names_its_files_by_their_final_paths(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "udkecon", "run", str(INTERACTIVE_NOTEBOOK),
                           "-o", str(out), "-p", "language=en"], env=_env(tmp_path / "reports"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    executed = nbformat.read(out / "interactive_test_notebook.ipynb", as_version=4)
    lines = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
             if o.get("metadata", {}).get("tags") == ["remove-in-report"]]
    assert [o.data["text/plain"] for o in lines] == [
        f"Written: {out / 'interactive_test_notebook.xlsx'}"]
    assert not (tmp_path / "reports").exists()  # nothing went to the interactive folder
