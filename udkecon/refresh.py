"""Refresh the reference data from Statistics Denmark: `python -m udkecon refresh cpi|population`.

1. Ask the StatBank API (`udkecon.statbank`) whether the table is active and has the
   variable codes the request uses, then fetch the cells.
2. Turn them into the project's file: the CPI as `year,cpi_2015_100` (PRIS112, HOVED 1005
   = annual average); the populations as `population_by_year.csv`, one column per 1 January
   (FOLK1A, quarter K1), the 98 municipalities without Christiansø and the aggregates.
   Years not fetched this time are kept from the current file.
3. Validate the new content with the loader every input goes through (`udkecon.data`).
4. Show what changed against the current file.
5. Only with `write=True`: keep the current files as dated backups in `data/raw/backup/`,
   then replace the data file, its sidecar `<file>.source.json` (table, variables, the
   requests, retrieval time) and its row in `sources.csv` (with the `retrieved` date that
   the reports' source lines name), each through a temporary file and `os.replace`.

Any failure before step 5 changes nothing; see `udkecon.statbank` for the exit codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, config
from .errors import DataError, ParameterError
from .statbank import Cells, Client, StatbankError, Transport, urllib_transport

CPI_TABLE = "PRIS112"
CPI_MAIN = "1005"  # HOVED: the annual average of the consumer price index, 2015 = 100
CPI_BASE_YEAR = 2015
CPI_COLUMN = "cpi_2015_100"
POPULATION_TABLE = "FOLK1A"
NATIONAL = "000"  # OMRÅDE: all Denmark
CHRISTIANSO = "411"  # administered by the state, not a municipality (data README)
BACKUP_DIR = "backup"
WHAT = ("cpi", "population")


# --------------------------------------------------------------------------- years

def parse_years(text: str | None) -> list[int] | None:
    """'2017-2021' -> [2017, ..., 2021]; '2019,2021' and '2020' work too; None -> None.

    >>> parse_years("2017-2019")
    [2017, 2018, 2019]
    >>> parse_years("2021,2019")
    [2019, 2021]
    """
    if text is None:
        return None
    years: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", part)
        if not match:
            raise ParameterError(f"--years '{text}': write a year (2020), a span (2017-2021) "
                                 "or years separated by commas (2019,2021)")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise ParameterError(f"--years '{text}': the span {part} runs backwards; write "
                                 f"{last}-{first}")
        years.update(range(first, last + 1))
    return sorted(years)


def _span(years) -> str:
    """'2017-2021' for consecutive years, '2017, 2019' otherwise.

    >>> _span([2017, 2018, 2019]), _span([2017, 2019]), _span([2020])
    ('2017-2019', '2017, 2019', '2020')
    """
    years = sorted(years)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


# --------------------------------------------------------------------------- the plan

@dataclass
class Plan:
    """What a refresh would write, and what it would change."""

    what: str
    path: Path  # the data file
    content: str  # its new text
    kind: str
    sidecar: dict
    source_row: dict  # its row in sources.csv
    changes: list[str] = field(default_factory=list)
    blocking: str = ""  # a reason not to write, shown after the changes

    @property
    def current(self) -> str | None:
        return self.path.read_text(encoding="utf-8") if self.path.exists() else None

    @property
    def unchanged(self) -> bool:
        return self.current == self.content


def _current_rows(path: Path, kind: str, changes: list[str]) -> list[dict]:
    """The current file's rows as text; none when there is no file yet, or when it does not
    pass the input checks (then every value counts as new, and the changes say why)."""
    from .data import validate

    if not path.exists():
        return []
    _, problems = validate(path, kind)
    if problems:
        changes.append(f"the current file does not pass the input checks ({problems[0]}); "
                       "it is compared as if empty")
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _number(text: str, table: str, where: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise StatbankError(f"{table} gives '{text}' for {where}, not a number; nothing was "
                            "changed") from None


def _request_record(client: Client) -> list[dict]:
    return [dict(r) for r in client.requests]


# --------------------------------------------------------------------------- CPI

def plan_cpi(client: Client, years: list[int] | None, raw_dir: Path, now: dt.datetime) -> Plan:
    """PRIS112's annual averages as `year,cpi_2015_100`; other years of the file kept."""
    info = client.tableinfo(CPI_TABLE)
    info.check_values("HOVED", [CPI_MAIN])
    time = info.variable("Tid")
    periods = [str(y) for y in years] if years else ["*"]
    info.check_values(time.id, periods)
    cells = client.data(CPI_TABLE, {"HOVED": [CPI_MAIN], time.id: periods}, "CSV")
    fetched: dict[int, str] = {}
    for key, value in cells.rows:
        period = key.get(time.id, "")
        if key.get("HOVED") != CPI_MAIN or not re.fullmatch(r"\d{4}", period) or (
                years and int(period) not in years):
            raise StatbankError(f"{CPI_TABLE} answered a cell for {key}, not asked for; "
                                "nothing was changed. The table changed: update "
                                "udkecon/refresh.py")
        year = int(key[time.id])
        if value is None:
            if years:  # asked for explicitly: it must be there
                raise StatbankError(f"{CPI_TABLE} has no value for {year} yet; nothing was "
                                    "changed. Leave the year out of --years")
            continue  # Tid=*: a year not yet published
        if years or year >= CPI_BASE_YEAR:
            # the shipped series begins at the base year; earlier years only when asked
            if _number(value, CPI_TABLE, str(year)) <= 0:
                raise StatbankError(f"{CPI_TABLE} gives {value} for {year}; an index must be "
                                    "positive; nothing was changed")
            fetched[year] = value
    if not fetched:
        asked = _span(years) if years else "Tid=*"
        raise StatbankError(f"{CPI_TABLE} answered no values for {asked}; nothing was changed")
    if CPI_BASE_YEAR in fetched and float(fetched[CPI_BASE_YEAR]) != 100.0:
        raise StatbankError(f"{CPI_TABLE} gives {fetched[CPI_BASE_YEAR]} for {CPI_BASE_YEAR}, "
                            f"so it is no longer {CPI_BASE_YEAR} = 100 (rebased); nothing was "
                            f"changed. The file's column {CPI_COLUMN} would be wrong: update "
                            "udkecon/refresh.py")

    path = raw_dir / config.CPI_FILE.name
    changes: list[str] = []
    # a valid price index has two columns, year and the index
    current = {int(r["year"]): list(r.values())[1]
               for r in _current_rows(path, "price_index", changes)}
    merged = {**current, **fetched}
    content = _csv_text(["year", CPI_COLUMN], [[y, merged[y]] for y in sorted(merged)])

    added = sorted(set(fetched) - set(current))
    if added:
        changes.append(f"years added: {_span(added)}")
    for year in sorted(set(fetched) & set(current)):
        old, new = current[year], fetched[year]
        if _number(old, path.name, str(year)) != float(new):
            changes.append(f"{year}: {old} -> {new}")
    kept = sorted(set(current) - set(fetched))
    if kept:
        changes.append(f"kept from the current file (not fetched): {_span(kept)}")
    variables = {"HOVED": [CPI_MAIN], time.id: periods}
    sidecar = _sidecar(path, CPI_TABLE, info, variables, "CSV", sorted(fetched), kept,
                       client, now)
    fetched_span = _span(sorted(fetched))
    source_row = {
        "file": path.name,
        "title_da": "Forbrugerprisindeks, årsgennemsnit (2015 = 100)",
        "title_en": "Consumer price index, annual average (2015 = 100)",
        "source": f"Danmarks Statistik, {CPI_TABLE} (forbrugerprisindeks, årsgennemsnit, "
                  f"2015 = 100), {fetched_span}" + (f"; {_span(kept)} fra den tidligere fil"
                                                   if kept else ""),
        "source_en": f"Statistics Denmark, {CPI_TABLE} (consumer price index, annual average, "
                     f"2015 = 100), {fetched_span}" + (f"; {_span(kept)} from the earlier file"
                                                      if kept else ""),
        "status": "real" if not kept else "derived",
        "retrieved": now.date().isoformat(),
    }
    return Plan("cpi", path, content, "price_index", sidecar, source_row, changes)


# --------------------------------------------------------------------------- population

def _quarter(year: int) -> str:
    return f"{year}K1"  # the population on the first day of the quarter: 1 January


def plan_population(client: Client, years: list[int] | None, raw_dir: Path,
                    now: dt.datetime) -> Plan:
    """FOLK1A's population on 1 January of each year asked for (default: the reports'
    period), by municipality; the file's other years are kept."""
    from .data import load
    from .population import population_column

    years = years or list(range(config.PERIOD[0], config.PERIOD[1] + 1))
    info = client.tableinfo(POPULATION_TABLE)
    area = info.variable("OMRÅDE")
    time = info.variable("Tid")
    info.check_values(time.id, [_quarter(y) for y in years])
    variables = {area.id: ["*"], time.id: [_quarter(y) for y in years]}
    cells = client.data(POPULATION_TABLE, variables, "JSONSTAT")
    names = cells.labels.get(area.id) or area.values

    # the 98 municipalities are those of the municipalities file (the 2007 structure)
    reference = load(raw_dir / config.MUNICIPALITIES_FILE.name, "municipalities")
    expected = {int(c): n for c, n in zip(reference["municipality_code"],
                                           reference["municipality"], strict=True)}
    fetched, found_names = _population_cells(cells, area.id, time.id, years, names)

    path = raw_dir / (config.POPULATION_BY_YEAR_FILE.name)
    changes: list[str] = []
    current_rows = _current_rows(path, "population_by_year", changes)
    current: dict[int, dict[int, str]] = {}
    current_names: dict[int, str] = {}
    for row in current_rows:
        code = int(row["municipality_code"])
        current_names[code] = row.get("municipality", "")
        for column, value in row.items():
            match = re.fullmatch(r"population_(\d{4})_01_01", column or "")
            if match:
                current.setdefault(int(match.group(1)), {})[code] = value
    current_years = sorted(current)

    added_years = sorted(set(years) - set(current_years))
    if added_years:
        changes.append(f"years added (1 January): {_span(added_years)}")
    missing = sorted(set(expected) - set(found_names))
    added = sorted(set(found_names) - set(expected))
    for code in missing:
        changes.append(f"municipality missing in {POPULATION_TABLE}: {code} {expected[code]}")
    for code in added:
        changes.append(f"municipality added in {POPULATION_TABLE}: {code} {found_names[code]}")
    for code in sorted(set(found_names) & set(current_names)):
        if current_names[code] and found_names[code] != current_names[code]:
            changes.append(f"{code}: name {current_names[code]} -> {found_names[code]}")
    for year in years:
        for code in sorted(set(current.get(year, {})) & set(fetched[year])):
            old, new = current[year][code], fetched[year][code]
            if old.strip() != new:
                changes.append(f"{code} {found_names[code]}, 1 January {year}: {old} -> {new}")
    blocking = ""
    if missing or added:
        blocking = (f"{POPULATION_TABLE} does not have the 98 municipalities of "
                    f"{config.MUNICIPALITIES_FILE.name} ({len(missing)} missing, {len(added)} "
                    "added); nothing was changed. Check the table; a new municipal structure "
                    f"needs a new {config.MUNICIPALITIES_FILE.name}")

    kept = sorted(set(current_years) - set(years))
    if kept:
        changes.append(f"kept from the current file (not fetched): {_span(kept)}")
    all_years = sorted(set(years) | set(kept))
    rows = []
    for code in sorted(found_names):
        values = [fetched[y][code] if y in fetched else current[y].get(code, "")
                  for y in all_years]
        rows.append([code, found_names[code], *values])
    content = _csv_text(["municipality_code", "municipality",
                         *[population_column(y) for y in all_years]], rows)
    sidecar = _sidecar(path, POPULATION_TABLE, info, variables, "JSONSTAT", years, kept,
                       client, now)
    periods = ", ".join(_quarter(y) for y in years)
    source_row = {
        "file": path.name,
        "title_da": f"Folketal pr. kommune 1. januar, {_span(all_years)}",
        "title_en": f"Population by municipality on 1 January, {_span(all_years)}",
        "source": f"Danmarks Statistik {POPULATION_TABLE}, {periods} (1. januar); Christiansø "
                  "udeladt" + (f"; {_span(kept)} fra den tidligere fil" if kept else ""),
        "source_en": f"Statistics Denmark {POPULATION_TABLE}, "
                     f"{periods.replace('K', 'Q')} (1 January); Christiansø left out"
                     + (f"; {_span(kept)} from the earlier file" if kept else ""),
        "status": "real",
        "retrieved": now.date().isoformat(),
    }
    return Plan("population", path, content, "population_by_year", sidecar, source_row,
                changes, blocking)


def _population_cells(cells: Cells, area: str, time: str, years: list[int], names: dict):
    """{year: {municipality code: population text}}, {code: name}; checks that the
    municipalities and Christiansø add up to the national total where the table gives it."""
    by_year: dict[int, dict[int, str]] = {y: {} for y in years}
    totals: dict[int, int] = {}
    christianso: dict[int, int] = {}
    found_names: dict[int, str] = {}
    quarters = {_quarter(y): y for y in years}
    for key, value in cells.rows:
        code, quarter = key.get(area, ""), key.get(time, "")
        if quarter not in quarters or not code.isdigit():
            raise StatbankError(f"{POPULATION_TABLE} answered a cell for {key}, not asked for; "
                                "nothing was changed. The table changed: update "
                                "udkecon/refresh.py")
        year = quarters[quarter]
        if value is None:
            if code == NATIONAL or int(code) < 100:  # an aggregate: only used for a check
                continue
            raise StatbankError(f"{POPULATION_TABLE} has no population for {code} "
                                f"{names.get(code, '')} in {quarter}; nothing was changed")
        number = _number(value, POPULATION_TABLE, f"{code} in {quarter}")
        if number != int(number) or number < 0:
            raise StatbankError(f"{POPULATION_TABLE} gives {value} people for {code} in "
                                f"{quarter}; nothing was changed")
        if code == NATIONAL:
            totals[year] = int(number)
        elif code == CHRISTIANSO:
            christianso[year] = int(number)
        elif int(code) >= 100:  # 081-085 are the regions
            by_year[year][int(code)] = str(int(number))
            found_names[int(code)] = names.get(code, "")
    for year in years:
        counted = sum(int(v) for v in by_year[year].values()) + christianso.get(year, 0)
        if year in totals and counted != totals[year]:
            raise StatbankError(f"{POPULATION_TABLE} {_quarter(year)}: the municipalities and "
                                f"Christiansø add up to {counted:,}, the national total is "
                                f"{totals[year]:,}; nothing was changed")
        if not by_year[year]:
            raise StatbankError(f"{POPULATION_TABLE} answered no municipalities for "
                                f"{_quarter(year)}; nothing was changed")
    for year in years:  # every municipality in every year asked for
        for code in set(found_names) - set(by_year[year]):
            raise StatbankError(f"{POPULATION_TABLE} has no population for {code} "
                                f"{found_names[code]} in {_quarter(year)}; nothing was changed")
    return by_year, found_names


# --------------------------------------------------------------------------- provenance

def _sidecar(path: Path, table: str, info, variables: dict, fmt: str, years, kept,
             client: Client, now: dt.datetime) -> dict:
    return {
        "file": path.name,
        "source": "Statistics Denmark (Danmarks Statistik), StatBank API",
        "table": table,
        "table_text": info.text,
        "table_updated": info.updated,
        "unit": info.unit,
        "variables": variables,
        "format": fmt,
        "years_fetched": list(years),
        "years_kept_from_earlier_file": list(kept),
        "retrieved": now.isoformat(timespec="seconds"),
        "requests": _request_record(client),
        "written_by": f"udkecon {__version__}: python -m udkecon refresh",
    }


def _sources_text(sources_path: Path, row: dict) -> str:
    """sources.csv with `row` replacing (or added as) its file's row; a `retrieved` column
    is added when the file has none."""
    with open(sources_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    if "retrieved" not in header:
        header.append("retrieved")
    record = {k: row.get(k, "") for k in header}
    for i, existing in enumerate(rows):
        if existing.get("file") == row["file"]:
            rows[i] = record
            break
    else:
        rows.append(record)
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: r.get(k) or "" for k in header} for r in rows)
    return out.getvalue()


# --------------------------------------------------------------------------- validate, write

def _validate(files: dict[Path, tuple[str, str]]) -> None:
    """Every new file through the loader that reads it, before anything is written: the
    content is checked in a scratch folder under its own name."""
    from .data import load
    from .population import load_population_by_year

    with tempfile.TemporaryDirectory(prefix="udkecon-refresh-") as scratch:
        for path, (content, kind) in files.items():
            trial = Path(scratch) / path.name
            trial.write_text(content, encoding="utf-8")
            try:
                if kind == "population_by_year":
                    load_population_by_year(trial)
                else:
                    load(trial, kind)
            except DataError as error:
                raise StatbankError(f"the refreshed {path.name} does not pass the input checks "
                                    f"({error.problem}, row {error.row}, column "
                                    f"{error.column}); nothing was changed") from None


def _backup_path(path: Path, day: str) -> Path:
    """data/raw/backup/<name>.<date><rest>, never overwriting an earlier backup."""
    stem, dot, rest = path.name.partition(".")
    folder = path.parent / BACKUP_DIR
    candidate = folder / f"{stem}.{day}{dot}{rest}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}.{day}-{number}{dot}{rest}"
        number += 1
    return candidate


def write_files(files: dict[Path, str], day: str) -> list[Path]:
    """Replace each file atomically (temporary file in the same folder, then os.replace),
    after copying the current ones to dated backups. Returns the backups made."""
    staged: list[tuple[Path, Path]] = []
    backups: list[Path] = []
    try:
        for path, content in files.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                                 dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            staged.append((Path(temporary), path))
            # mkstemp makes the file private (0600): keep the mode the file had (a new one is
            # readable by all, like the files beside it)
            os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        for _, path in staged:
            if path.exists():
                backup = _backup_path(path, day)
                backup.parent.mkdir(exist_ok=True)
                shutil.copy2(path, backup)
                backups.append(backup)
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return backups


# --------------------------------------------------------------------------- the command

PLANNERS = {"cpi": plan_cpi, "population": plan_population}


def refresh(what: str, years: list[int] | None = None, *, write: bool = False,
            transport: Transport | None = None, timeout: float | None = None,
            raw_dir=None, now: dt.datetime | None = None, out=print) -> int:
    """Fetch, convert, validate and show the changes of one table; write only if asked.

    Returns the exit code (0); failures raise a one-line `UdkeconError`.
    """
    if what not in PLANNERS:
        raise ParameterError(f"refresh '{what}': use one of {', '.join(WHAT)}")
    raw_dir = Path(raw_dir or config.RAW_DIR)
    now = now or dt.datetime.now().astimezone().replace(microsecond=0)
    client = Client(transport or urllib_transport)
    if timeout is not None:
        if not timeout > 0:
            raise ParameterError(f"--timeout {timeout:g}: give the longest wait in seconds, "
                                 "more than 0")
        client.timeout = timeout
    plan = PLANNERS[what](client, years, raw_dir, now)

    sources_path = raw_dir / config.SOURCES_FILE.name
    sidecar_path = plan.path.with_name(plan.path.name + ".source.json")
    plan.sidecar["sha256"] = hashlib.sha256(plan.content.encode("utf-8")).hexdigest()
    files = {
        plan.path: plan.content,
        sidecar_path: json.dumps(plan.sidecar, ensure_ascii=False, indent=2) + "\n",
        sources_path: _sources_text(sources_path, plan.source_row),
    }
    table = plan.sidecar["table"]
    out(f"{plan.path.name}: {table}, {len(plan.changes)} change(s) against the current file")
    for line in plan.changes:
        out(f"  {line}")
    if plan.blocking:
        raise StatbankError(plan.blocking)
    _validate({plan.path: (plan.content, plan.kind),
               sources_path: (files[sources_path], "sources")})
    if plan.unchanged:
        out(f"{plan.path.name} is up to date; nothing written")
        return 0
    if not write:
        out("nothing written; run again with --write to replace the file (the current one "
            "is kept in data/raw/backup/)")
        return 0
    backups = write_files(files, now.date().isoformat())
    out(f"written: {plan.path}, {sidecar_path.name}, {sources_path.name}")
    for backup in backups:
        out(f"backup: {backup}")
    return 0


def main(args) -> int:
    """`python -m udkecon refresh` (the command line's dispatch)."""
    return refresh(args.table, parse_years(args.years), write=args.write,
                   timeout=args.timeout)
