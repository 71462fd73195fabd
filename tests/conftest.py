"""What every test module shares: tests/ on the import path, so that a module anywhere under
tests/ can `import libreoffice` (the LibreOffice and poppler helpers in tests/libreoffice.py)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
