"""The bad-input corpus (tests/data/bad/): every file is refused with exit 2 and exactly one
line on stderr naming the file and where in it, no traceback, nothing written.

Each file holds one defect in otherwise good data and is named `<kind>__<defect>.<ext>`;
the kinds and the route that reads them are listed in tests/data/bad/kinds.csv. Data files
go through `python -m udkecon check --kind <kind>`, which loads with the same
`udkecon.data.load` path the reports use (`check` prints every problem, `load` raises the
first; so one line from `check` means the report stops on that same line).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from udkecon.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"

with open(BAD / "kinds.csv", encoding="utf-8", newline="") as handle:
    KINDS = {row["kind"]: row for row in csv.DictReader(handle)}

FILES = sorted(p for p in BAD.iterdir() if "__" in p.name)
CHECKED = [p for p in FILES if KINDS.get(p.name.split("__", 1)[0], {}).get("route") == "check"]

# Files that are not a table at all: the problem is the whole file, so no row is named.
WHOLE_FILE = {
    "ledger__csv_named_xlsx.xlsx",  # text with a workbook's name: not a zip archive
    "ledger__truncated_workbook.xlsx",  # half a zip archive
    # rows that are not there: the line names the column and the missing codes
    "municipalities__only_two_municipalities.csv",
}


def kind_of(path: Path) -> str:
    return path.name.split("__", 1)[0]


def names_where(line: str, path: Path) -> bool:
    """The line names the file and a row (or, for a workbook, the sheet or its sheets)."""
    if str(path) not in line:
        return False
    if path.name in WHOLE_FILE:
        return True
    return bool(re.search(r", row \d+[,:]", line)) or (
        path.suffix == ".xlsx" and ("(sheet '" in line or "its sheets:" in line))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_the_corpus_covers_every_data_kind_with_enough_files():
    unknown = sorted({kind_of(p) for p in FILES} - set(KINDS))
    assert not unknown, f"files of kinds not listed in kinds.csv: {unknown}"
    assert len(CHECKED) >= 60
    counts = defaultdict(int)
    for path in CHECKED:
        counts[kind_of(path)] += 1
    thin = [k for k, row in KINDS.items() if row["route"] == "check" and counts[k] < 1]
    assert not thin, f"data kinds without a bad file: {thin}"


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_bad_file_is_refused_in_one_line(path, tmp_path, monkeypatch, capsys):
    before = digest(BAD)
    monkeypatch.chdir(tmp_path)  # anything written relative to the working directory shows
    status = main(["check", "--kind", KINDS[kind_of(path)]["schema_kind"], str(path)])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert status == 2, (status, out, err)
    assert len(lines) == 1, err
    assert names_where(lines[0], path), lines[0]
    assert "Fix:" in lines[0] and "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []
    assert digest(BAD) == before


@pytest.mark.parametrize("kind", sorted(k for k, row in KINDS.items() if row["route"] == "check"))
def test_the_command_line_refuses_each_file_with_exit_2_and_no_traceback(kind, tmp_path):
    """The same files through a real process: one `check` per kind over all its files."""
    paths = [p for p in CHECKED if kind_of(p) == kind]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([sys.executable, "-m", "udkecon", "check", "--kind",
                           KINDS[kind]["schema_kind"], *map(str, paths)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == len(paths)
    for path in paths:
        # each file's line starts with its own path (no path is a prefix of another's line)
        assert sum(line.startswith(f"{path},") or line.startswith(f"{path}:") or
                   line.startswith(f"{path} (sheet") for line in lines) == 1, path
    assert list(tmp_path.iterdir()) == []
