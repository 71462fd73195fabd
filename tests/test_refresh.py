"""`python -m udkecon refresh`: StatBank answers replayed from tests/data/statbank/ (no
network). Expected figures are worked by hand from the fixtures' README (the shipped CPI
rounded to one decimal; the real 1 January 2020 populations; invented 2019/2021 rules)."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import http.client
import json
import shutil
import socket
import urllib.error
from pathlib import Path

import pytest

from udkecon import cli, config
from udkecon.data import load, provenance, source_text
from udkecon.errors import ParameterError, UdkeconError
from udkecon.population import load_population_by_year
from udkecon.refresh import parse_years, refresh
from udkecon.statbank import (
    StatbankError,
    StatbankUnavailable,
    parse_csv,
    parse_jsonstat,
    urllib_transport,
)

STATBANK = Path(__file__).parent / "data" / "statbank"
NOW = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def shipped_data_untouched():
    """No test may change the project's own data/raw (the CLI tests run against it)."""
    before = tree_hash(config.RAW_DIR)
    yield
    assert tree_hash(config.RAW_DIR) == before


@pytest.fixture
def raw(tmp_path) -> Path:
    """A copy of data/raw to refresh."""
    return Path(shutil.copytree(config.RAW_DIR, tmp_path / "raw"))


class Replay:
    """A transport answering each API function from a file (or bytes), recording calls."""

    def __init__(self, **answers):
        self.answers = answers  # function -> (status, file name or bytes) or an exception
        self.calls: list[tuple[str, dict, float]] = []

    def __call__(self, url: str, body: bytes, timeout: float):
        function = url.rsplit("/", 1)[1]
        self.calls.append((function, json.loads(body), timeout))
        answer = self.answers[function]
        if isinstance(answer, BaseException):
            raise answer
        status, content = answer
        return status, content if isinstance(content, bytes) else (STATBANK / content).read_bytes()


def cpi_replay(data: str | bytes = "pris112_data.csv", tableinfo="pris112_tableinfo.json"):
    return Replay(tableinfo=(200, tableinfo), data=(200, data))


def population_replay(data="folk1a_2020K1.jsonstat.json"):
    return Replay(tableinfo=(200, "folk1a_tableinfo.json"), data=(200, data))


def run(what, transport, raw, years=None, write=False, now=NOW):
    lines: list[str] = []
    code = refresh(what, years, write=write, transport=transport, raw_dir=raw, now=now,
                   out=lines.append)
    return code, lines


def changes(lines):
    return [line.strip() for line in lines if line.startswith("  ")]


# --------------------------------------------------------------------------- parsing


class TestParsing:
    def test_csv_decimal_comma_and_codes(self):
        cells = parse_csv((STATBANK / "pris112_data.csv").read_bytes(), "PRIS112",
                          ["HOVED", "Tid"])
        assert len(cells.rows) == 9
        assert cells.rows[1] == ({"HOVED": "1005", "Tid": "2016"}, "100.3")

    def test_not_available_is_none(self):
        cells = parse_csv("HOVED;TID;INDHOLD\n1005;2024;..\n", "PRIS112", ["HOVED", "Tid"])
        assert cells.rows == [({"HOVED": "1005", "Tid": "2024"}, None)]

    def test_jsonstat_and_csv_of_the_same_table_agree(self):
        # two formats of FOLK1A 2020K1: the same 105 cells either way
        as_csv = parse_csv((STATBANK / "folk1a_2020K1.csv").read_bytes(), "FOLK1A",
                           ["OMRÅDE", "Tid"])
        as_json = parse_jsonstat((STATBANK / "folk1a_2020K1.jsonstat.json").read_bytes(),
                                 "FOLK1A", ["OMRÅDE", "Tid"])
        assert as_csv.rows == as_json.rows
        assert len(as_json.rows) == 105  # all Denmark, 5 regions, 98 municipalities, 411
        assert as_json.labels["OMRÅDE"]["825"] == "Læsø"
        assert dict((k["OMRÅDE"], v) for k, v in as_json.rows)["000"] == "5822763"

    def test_jsonstat_row_major_order_over_years(self):
        cells = parse_jsonstat((STATBANK / "folk1a_2019K1_2021K1.jsonstat.json").read_bytes(),
                               "FOLK1A", ["OMRÅDE", "Tid"])
        laeso = [v for k, v in cells.rows if k["OMRÅDE"] == "825"]
        # 1786 in 2020 (data/raw); invented 2019 = 1786 - 825 mod 10 = 1781, 2021 = 1786 + 25 = 1811
        assert laeso == ["1781", "1786", "1811"]

    def test_years(self):
        assert parse_years("2017-2021") == [2017, 2018, 2019, 2020, 2021]
        assert parse_years("2021, 2019") == [2019, 2021]
        with pytest.raises(ParameterError, match="runs backwards"):
            parse_years("2021-2017")
        with pytest.raises(ParameterError, match="--years 'sidste år'"):
            parse_years("sidste år")


class TestTransport:
    def test_posts_json_with_a_timeout(self):
        seen = {}

        class Answer:
            status = 200

            def read(self):
                return b"ok"

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        def opener(request, timeout):
            seen.update(method=request.get_method(), url=request.full_url,
                        type=request.get_header("Content-type"), body=request.data,
                        timeout=timeout)
            return Answer()

        assert urllib_transport("https://api.statbank.dk/v1/data", b'{"table": "X"}', 7.5,
                                opener=opener) == (200, b"ok")
        assert seen == {"method": "POST", "url": "https://api.statbank.dk/v1/data",
                        "type": "application/json; charset=utf-8",
                        "body": b'{"table": "X"}', "timeout": 7.5}

    def test_http_error_status_is_returned_with_its_body(self):
        body = (STATBANK / "error_cell_limit.json").read_bytes()

        def opener(request, timeout):
            import io
            raise urllib.error.HTTPError(request.full_url, 400, "Bad Request", {},
                                         io.BytesIO(body))

        assert urllib_transport("https://api.statbank.dk/v1/data", b"{}", 1,
                                opener=opener) == (400, body)


# --------------------------------------------------------------------------- CPI


class TestCpiRefresh:
    def test_shows_the_revisions_and_writes_nothing(self, raw):
        before = tree_hash(raw)
        transport = cpi_replay()
        code, lines = run("cpi", transport, raw)
        assert code == 0
        # shipped (mean of months, 2 decimals) vs PRIS112 (1 decimal), by hand:
        # 100.00=100.0, 100.25->100.3, 101.40=101.4, 102.23->102.2, 103.00=103.0,
        # 103.43->103.4, 105.35->105.4, 113.46->113.5, 117.21->117.2
        assert changes(lines) == ["2016: 100.25 -> 100.3", "2018: 102.23 -> 102.2",
                                  "2020: 103.43 -> 103.4", "2021: 105.35 -> 105.4",
                                  "2022: 113.46 -> 113.5", "2023: 117.21 -> 117.2"]
        assert "nothing written" in lines[-1] and "--write" in lines[-1]
        assert tree_hash(raw) == before
        # tableinfo first (active? codes?), then the data; a timeout on every call
        assert [c[0] for c in transport.calls] == ["tableinfo", "data"]
        assert all(timeout == 30 for *_, timeout in transport.calls)
        assert transport.calls[1][1]["variables"] == [{"code": "HOVED", "values": ["1005"]},
                                                      {"code": "Tid", "values": ["*"]}]

    def test_write_replaces_the_file_keeps_a_backup_and_records_the_source(self, raw):
        target = raw / "cpi_dk_annual_2015_100.csv"
        old = target.read_bytes()
        target.chmod(0o640)
        others = {k: v for k, v in tree_hash(raw).items()
                  if k not in ("cpi_dk_annual_2015_100.csv", "sources.csv")}
        code, lines = run("cpi", cpi_replay(), raw, write=True)
        assert code == 0
        assert target.read_text(encoding="utf-8") == (
            "year,cpi_2015_100\n2015,100.0\n2016,100.3\n2017,101.4\n2018,102.2\n"
            "2019,103.0\n2020,103.4\n2021,105.4\n2022,113.5\n2023,117.2\n")
        assert target.stat().st_mode & 0o777 == 0o640  # the file's mode, not mkstemp's 0600
        backup = raw / "backup" / "cpi_dk_annual_2015_100.2026-11-30.csv"
        assert backup.read_bytes() == old
        assert (raw / "backup" / "sources.2026-11-30.csv").exists()
        # nothing else in data/raw changed; the backups stay out of the loaders' folder
        after = tree_hash(raw)
        assert {k: v for k, v in after.items() if k in others} == others
        assert not list(raw.glob("*.part")) and not list(raw.glob(".*"))

        sidecar = json.loads((raw / "cpi_dk_annual_2015_100.csv.source.json").read_text())
        assert sidecar["table"] == "PRIS112"
        assert sidecar["variables"] == {"HOVED": ["1005"], "Tid": ["*"]}
        assert sidecar["retrieved"] == "2026-11-30T14:05:00+01:00"
        assert [r["url"] for r in sidecar["requests"]] == [
            "https://api.statbank.dk/v1/tableinfo", "https://api.statbank.dk/v1/data"]
        assert sidecar["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()

        index = load(target, "price_index")
        assert dict(zip(index["year"], index["cpi_2015_100"], strict=True))[2021] == 105.4
        sources = load(raw / "sources.csv", "sources").set_index("file")
        row = sources.loc["cpi_dk_annual_2015_100.csv"]
        assert row["retrieved"] == dt.date(2026, 11, 30) and row["status"] == "real"
        assert "PRIS112" in row["source"] and "2015-2023" in row["source"]
        assert pd_isna(sources.loc["phases.csv", "retrieved"])  # other rows as they were
        record = sources.loc["cpi_dk_annual_2015_100.csv"].to_dict()
        assert source_text(record).endswith(", hentet 30. november 2026")
        assert source_text(record, "en").endswith(", retrieved 30 November 2026")

    def test_a_revised_value_is_the_one_change(self, raw):
        run("cpi", cpi_replay(), raw, write=True)
        code, lines = run("cpi", cpi_replay("pris112_data_revised_2023.csv"), raw)
        assert changes(lines) == ["2023: 117.2 -> 117.3"]
        assert (raw / "cpi_dk_annual_2015_100.csv").read_text().endswith("2023,117.2\n")
        run("cpi", cpi_replay("pris112_data_revised_2023.csv"), raw, write=True)
        assert (raw / "cpi_dk_annual_2015_100.csv").read_text().endswith("2023,117.3\n")
        # a second backup the same day does not overwrite the first (the original file)
        first = raw / "backup" / "cpi_dk_annual_2015_100.2026-11-30.csv"
        second = raw / "backup" / "cpi_dk_annual_2015_100.2026-11-30-2.csv"
        assert first.read_bytes() == (config.CPI_FILE).read_bytes()
        assert second.read_text().endswith("2023,117.2\n")

    def test_a_broken_current_file_is_replaced(self, raw):
        (raw / "cpi_dk_annual_2015_100.csv").write_text("year,cpi_2015_100\n2015,hundrede\n")
        code, lines = run("cpi", cpi_replay(), raw, write=True)
        assert "does not pass the input checks" in changes(lines)[0]
        assert "years added: 2015-2023" in changes(lines)
        assert load(raw / "cpi_dk_annual_2015_100.csv", "price_index")["year"].tolist() == \
            list(range(2015, 2024))

    def test_unchanged_table_writes_nothing(self, raw):
        run("cpi", cpi_replay(), raw, write=True)
        before = tree_hash(raw)
        code, lines = run("cpi", cpi_replay(), raw, write=True)
        assert changes(lines) == [] and "up to date" in lines[-1]
        assert tree_hash(raw) == before

    def test_some_years_keep_the_others(self, raw):
        lines = (STATBANK / "pris112_data.csv").read_bytes().splitlines(keepends=True)
        transport = cpi_replay(b"".join(line for line in lines
                                        if not line.startswith(b"1005;20") or
                                        line.startswith((b"1005;2022", b"1005;2023"))))
        code, lines = run("cpi", transport, raw, years=[2022, 2023], write=True)
        assert transport.calls[1][1]["variables"][1] == {"code": "Tid",
                                                         "values": ["2022", "2023"]}
        text = (raw / "cpi_dk_annual_2015_100.csv").read_text()
        assert "2016,100.25\n" in text and "2022,113.5\n" in text
        assert "kept from the current file (not fetched): 2015-2021" in changes(lines)
        row = load(raw / "sources.csv", "sources").set_index("file").loc[
            "cpi_dk_annual_2015_100.csv"]
        assert row["status"] == "derived" and "2015-2021 fra den tidligere fil" in row["source"]


def pd_isna(value) -> bool:
    return value is None or value != value


# --------------------------------------------------------------------------- population


def jsonstat(name="folk1a_2019K1_2021K1.jsonstat.json") -> dict:
    return json.loads((STATBANK / name).read_text(encoding="utf-8"))


def cell(data: dict, code: str, period: str) -> int:
    """Position of (OMRÅDE code, period) in the value list (row-major, Tid last)."""
    dimension = data["dataset"]["dimension"]
    periods = len(dimension["Tid"]["category"]["index"])
    return (dimension["OMRÅDE"]["category"]["index"][code] * periods
            + dimension["Tid"]["category"]["index"][period])


def without(data: dict, code: str) -> dict:
    """The answer with one OMRÅDE code taken out (its people out of the total too)."""
    dataset = data["dataset"]
    dimension = dataset["dimension"]
    periods = list(dimension["Tid"]["category"]["index"])
    for period in periods:
        dataset["value"][cell(data, "000", period)] -= dataset["value"][cell(data, code,
                                                                             period)]
    start = cell(data, code, periods[0])
    del dataset["value"][start:start + len(periods)]
    codes = [c for c in dimension["OMRÅDE"]["category"]["index"] if c != code]
    dimension["OMRÅDE"]["category"]["index"] = {c: i for i, c in enumerate(codes)}
    del dimension["OMRÅDE"]["category"]["label"][code]
    dimension["size"][0] -= 1
    return data


def as_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class TestPopulationRefresh:
    def test_2020_matches_the_shipped_file(self, raw):
        # FOLK1A 2020K1 converted = the shipped population_by_year.csv, byte for byte
        before = tree_hash(raw)
        code, lines = run("population", population_replay(), raw, years=[2020], write=True)
        assert code == 0 and changes(lines) == [] and "up to date" in lines[-1]
        assert tree_hash(raw) == before and not (raw / "backup").exists()

    def test_several_years_feed_the_handouts(self, raw):
        transport = population_replay("folk1a_2019K1_2021K1.jsonstat.json")
        code, lines = run("population", transport, raw, years=[2019, 2020, 2021], write=True)
        assert changes(lines) == ["years added (1 January): 2019, 2021"]
        assert transport.calls[1][1]["variables"] == [
            {"code": "OMRÅDE", "values": ["*"]},
            {"code": "Tid", "values": ["2019K1", "2020K1", "2021K1"]}]

        population = load_population_by_year(raw / "population_by_year.csv")
        assert list(population.columns) == [2019, 2020, 2021]
        assert len(population) == 98 and 411 not in population.index
        assert population.index.min() >= 101  # no national or regional rows
        # København 101: 632340 - 1 and + 1; Læsø 825: 1786 - 5 and + 25 (the fixture rule)
        assert population.loc[101].tolist() == [632339, 632340, 632341]
        assert population.loc[825].tolist() == [1781, 1786, 1811]
        assert population[2020].sum() == 5_822_679  # data README
        assert population.attrs["names"][825] == "Læsø"

        # a handout takes one year's column as the allocation's population
        from fractions import Fraction

        from udkecon.allocation import allocate_ore
        shares = allocate_ore(1.0, population[2021], key="population")
        total_2021 = 5_822_679 + sum(code % 100 for code in population.index)
        exact = Fraction(10**8) * 632_341 / total_2021  # København's øre, exact
        assert abs(int(shares.loc[101]) - exact) < 1 and shares.sum() == 10**8

    def test_a_revised_population_is_shown(self, raw):
        data = jsonstat("folk1a_2020K1.jsonstat.json")
        data["dataset"]["value"][cell(data, "825", "2020K1")] += 1
        data["dataset"]["value"][cell(data, "000", "2020K1")] += 1
        transport = Replay(tableinfo=(200, "folk1a_tableinfo.json"), data=(200, as_bytes(data)))
        code, lines = run("population", transport, raw, years=[2020])
        assert changes(lines) == ["825 Læsø, 1 January 2020: 1786 -> 1787"]

    def test_default_years_are_the_reports_period(self, raw):
        transport = population_replay("folk1a_2019K1_2021K1.jsonstat.json")
        # the recorded table has 2017K1 (it begins 2008), the recorded answer does not
        with pytest.raises(StatbankError, match="answered no municipalities for 2017K1"):
            run("population", transport, raw)
        assert transport.calls[1][1]["variables"][1]["values"] == [
            "2017K1", "2018K1", "2019K1", "2020K1", "2021K1"]


# --------------------------------------------------------------------------- failures


def _renamed_variable() -> bytes:
    info = json.loads((STATBANK / "pris112_tableinfo.json").read_text(encoding="utf-8"))
    info["variables"][0]["id"] = "HOVEDTAL"
    return json.dumps(info).encode()


def _rebased() -> bytes:
    return (STATBANK / "pris112_data.csv").read_bytes().replace(b"2015;100,0", b"2015;95,3")


def _no_value_list() -> bytes:
    data = jsonstat("folk1a_2020K1.jsonstat.json")
    del data["dataset"]["value"]
    return as_bytes(data)


def _total_off() -> bytes:
    data = jsonstat("folk1a_2020K1.jsonstat.json")
    data["dataset"]["value"][cell(data, "101", "2020K1")] += 1000
    return as_bytes(data)


def _missing_laeso() -> bytes:
    return as_bytes(without(jsonstat("folk1a_2020K1.jsonstat.json"), "825"))


FAILURES = {
    # name: (table, answers, exit code, words in the message)
    "offline": ("cpi", {"tableinfo": urllib.error.URLError(
        socket.gaierror(-3, "Temporary failure in name resolution"))}, 1, "offline"),
    "timeout": ("cpi", {"tableinfo": (200, "pris112_tableinfo.json"),
                        "data": TimeoutError("timed out")}, 1, "did not answer within 30 s"),
    "network unreachable": ("cpi", {"tableinfo": urllib.error.URLError(
        OSError(errno.ENETUNREACH, "Network is unreachable"))}, 1, "offline"),
    "answer cut off": ("population", {"tableinfo": (200, "folk1a_tableinfo.json"),
                                      "data": http.client.IncompleteRead(b"{")}, 1,
                       "cannot reach api.statbank.dk"),
    "connection reset": ("cpi", {"tableinfo": ConnectionResetError(104, "reset by peer")},
                         1, "cannot reach api.statbank.dk"),
    "HTTP 503": ("cpi", {"tableinfo": (503, "error_service_unavailable.html")}, 1,
                 "HTTP 503"),
    "cell limit": ("population", {"tableinfo": (200, "folk1a_tableinfo.json"),
                                  "data": (400, "error_cell_limit.json")}, 2, "1,000,000"),
    "unknown table": ("cpi", {"tableinfo": (400, "error_table_not_found.json")}, 2,
                      "renamed or withdrawn"),
    "inactive table": ("cpi", {"tableinfo": (200, "pris112_tableinfo_inactive.json")}, 2,
                       "no longer active"),
    "changed value code": ("cpi", {"tableinfo": (200, "pris112_tableinfo_code_changed.json")},
                           2, "no value 1005 for HOVED"),
    "renamed variable": ("cpi", {"tableinfo": (200, _renamed_variable())}, 2,
                         "no variable HOVED"),
    "period not published": ("population", {"tableinfo": (200, "folk1a_tableinfo.json")}, 2,
                             "no period 2022K1 for Tid (it has 2008K1 to 2021K4)"),
    "unexpected CSV": ("cpi", {"tableinfo": (200, "pris112_tableinfo.json"),
                               "data": (200, "pris112_data_unexpected_shape.csv")}, 2,
                       "unexpected shape"),
    "unexpected JSON-stat": ("population", {"tableinfo": (200, "folk1a_tableinfo.json"),
                                            "data": (200, _no_value_list())}, 2,
                             "unexpected shape"),
    "tableinfo not JSON": ("cpi", {"tableinfo": (200, "error_service_unavailable.html")}, 2,
                           "not JSON"),
    "a year not asked for": ("cpi", {"tableinfo": (200, "pris112_tableinfo.json"),
                                          "data": (200, "pris112_data.csv")}, 2,
                             "not asked for"),
    "rebased index": ("cpi", {"tableinfo": (200, "pris112_tableinfo.json"),
                              "data": (200, _rebased())}, 2, "no longer 2015 = 100"),
    "totals disagree": ("population", {"tableinfo": (200, "folk1a_tableinfo.json"),
                                       "data": (200, _total_off())}, 2,
                        "add up to 5,823,763, the national total is 5,822,763"),
    "municipality missing": ("population", {"tableinfo": (200, "folk1a_tableinfo.json"),
                                            "data": (200, _missing_laeso())}, 2,
                             "1 missing, 0 added"),
}


class TestFailuresChangeNothing:
    @pytest.mark.parametrize("name", list(FAILURES))
    def test_one_line_exit_code_and_identical_files(self, raw, name):
        what, answers, exit_code, words = FAILURES[name]
        years = {"period not published": [2022], "a year not asked for": [2022]}.get(
            name, [2020] if what == "population" else None)
        before = tree_hash(raw)
        lines: list[str] = []
        with pytest.raises(UdkeconError) as caught:
            refresh(what, years, write=True, transport=Replay(**answers), raw_dir=raw,
                    now=NOW, out=lines.append)
        error = caught.value
        assert isinstance(error, StatbankUnavailable if exit_code == 1 else StatbankError)
        assert error.exit_code == exit_code
        message = str(error)
        assert words in message and "\n" not in message and "nothing was changed" in message
        assert tree_hash(raw) == before  # every data file byte-identical, no backup folder
        if name == "municipality missing":  # the change is shown before the refusal
            assert "municipality missing in FOLK1A: 825 Læsø" in changes(lines)


class TestCommandLine:
    def test_offline_is_one_line_and_exit_1(self, monkeypatch, capsys):
        def offline(url, body, timeout):
            raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

        monkeypatch.setattr("udkecon.refresh.urllib_transport", offline)
        assert cli.main(["refresh", "cpi", "--write"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: offline: cannot look up "
                                                       "api.statbank.dk")

    def test_without_write_nothing_is_written(self, monkeypatch, capsys):
        # against the project's own data/raw: the module fixture checks it is unchanged
        monkeypatch.setattr("udkecon.refresh.urllib_transport", cpi_replay())
        assert cli.main(["refresh", "cpi"]) == 0
        out = capsys.readouterr().out
        assert "2016: 100.25 -> 100.3" in out and "nothing written" in out

    def test_timeout_reaches_every_call(self, monkeypatch):
        transport = population_replay()
        monkeypatch.setattr("udkecon.refresh.urllib_transport", transport)
        assert cli.main(["refresh", "population", "--years", "2020", "--timeout", "5"]) == 0
        assert [c[2] for c in transport.calls] == [5.0, 5.0]

    def test_bad_years_exit_2(self, capsys):
        assert cli.main(["refresh", "population", "--years", "2021-2017"]) == 2
        assert "runs backwards" in capsys.readouterr().err

    def test_bad_timeout_exit_2(self, capsys):
        assert cli.main(["refresh", "cpi", "--timeout", "0"]) == 2
        assert "--timeout 0" in capsys.readouterr().err


def test_provenance_of_a_refreshed_file_names_the_day(raw, monkeypatch):
    run("population", population_replay("folk1a_2019K1_2021K1.jsonstat.json"), raw,
        years=[2019, 2020, 2021], write=True)
    monkeypatch.setattr(config, "RAW_DIR", raw)
    monkeypatch.setattr(config, "SOURCES_FILE", raw / "sources.csv")
    record = provenance(raw / "population_by_year.csv")
    assert record["title_da"] == "Folketal pr. kommune 1. januar, 2019-2021"
    assert source_text(record) == ("Danmarks Statistik FOLK1A, 2019K1, 2020K1, 2021K1 "
                                   "(1. januar); Christiansø udeladt, hentet 30. november 2026")
