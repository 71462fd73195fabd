"""What every test module shares: tests/ on the import path, so that a module anywhere under
tests/ can `import libreoffice` (the LibreOffice and poppler helpers in tests/libreoffice.py),
and the size of the bad-input corpus, shown at the end of every test run."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

BAD = Path(__file__).parent / "data" / "bad"


def corpus_counts() -> tuple[list[str], Counter]:
    """(kinds listed in tests/data/bad/kinds.csv, files per kind)."""
    with open(BAD / "kinds.csv", encoding="utf-8", newline="") as handle:
        kinds = [row["kind"] for row in csv.DictReader(handle)]
    counts = Counter(p.name.split("__", 1)[0] for p in BAD.iterdir() if "__" in p.name)
    return kinds, counts


def pytest_terminal_summary(terminalreporter):
    if not BAD.is_dir():
        return
    kinds, counts = corpus_counts()
    listed = ", ".join(f"{kind} {counts.get(kind, 0)}" for kind in kinds)
    terminalreporter.write_line(f"bad-input corpus (tests/data/bad): {listed}; "
                                f"{sum(counts.values())} files")


def made_up_country_patch():
    """Lift the rule that a municipalities file lists all 98 municipalities, for tests that
    share costs among a few municipalities with round numbers (fixtures worked by hand).
    A module uses it as a module-scoped autouse fixture, so that its module-scoped fixtures
    load their made-up files under it."""
    import pytest

    from udkecon import table_checks

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_checks, "required_municipality_codes", lambda: None)
        yield


def snapshot(folder: Path) -> dict:
    """Every file and folder under `folder`, with the bytes of each file (a test's proof
    that nothing there was written, changed or lost)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def cli_main(capsys, *argv) -> tuple[int, str]:
    """`python -m udkecon *argv` in this process: (exit code, stderr stripped)."""
    from udkecon import cli

    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err.strip()
