"""Every path and default in one place.

Notebooks and scripts take their paths from here, never from string literals, so that a
clone works wherever it lies and a scheduler can point `UDKECON_REPORTS_DIR` elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def absolute(path, base=None) -> Path:
    """`path` made absolute: `~` expanded, a relative path read from `base` (default: the
    directory the command was given in), `.` and `..` taken out.

    Every folder and file a user names is made absolute in the driver, before a kernel -
    which runs in notebooks/ - could read it from there.

    >>> str(absolute("out/../reports", "/home/me"))
    '/home/me/reports'
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.is_absolute():
        path = Path(base if base is not None else Path.cwd()) / path
    return Path(os.path.normpath(path))


# A relative UDKECON_REPORTS_DIR is read from the directory the command was given in, and
# written back absolute so that kernels (which run in notebooks/) and workers agree.
_REPORTS_ENV = os.environ.get("UDKECON_REPORTS_DIR", "").strip()
REPORTS_DIR = absolute(_REPORTS_ENV) if _REPORTS_ENV else PROJECT_ROOT / "reports"
if _REPORTS_ENV:
    os.environ["UDKECON_REPORTS_DIR"] = str(REPORTS_DIR)
# `make lab` works in a git-ignored copy of notebooks/ (udkecon.lab), never in the templates
LAB_DIR = PROJECT_ROOT / "work"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

# Reference data (real, with sources in data/raw/README.md and data/raw/sources.csv)
CPI_FILE = RAW_DIR / "cpi_dk_annual_2015_100.csv"
DISCOUNT_RATES_FILE = RAW_DIR / "discount_rates_dk.csv"
MUNICIPALITIES_FILE = RAW_DIR / "municipalities_2020.csv"
POPULATION_BY_YEAR_FILE = RAW_DIR / "population_by_year.csv"  # 1 January, one column a year
UDK_SYSTEMS_FILE = RAW_DIR / "udk_systems.csv"
SLA_AVAILABILITY_FILE = RAW_DIR / "sla_availability_2019_2020.csv"
SERVICE_CALLS_FILE = RAW_DIR / "serviceplatform_calls_2019_2020.csv"
FINAL_ACCOUNT_FILE = RAW_DIR / "kombit_monopoly_break_final_account.csv"
# Finansministeriet's NAF and tax distortion factor by date (the socio-economic view)
SOCIOECONOMIC_FILE = RAW_DIR / "fm_socioeconomic_key_figures.csv"
SOURCES_FILE = RAW_DIR / "sources.csv"

# Illustrative figures (the sources do not give them; labelled so wherever they appear)
COSTS_FILE = RAW_DIR / "udk_it_costs_2017_2021_illustrative.csv"
DUT_FILE = RAW_DIR / "dut_compensation_2017_2021_illustrative.csv"
PHASES_FILE = RAW_DIR / "phases.csv"

DEFAULT_BASE_YEAR = 2020
DEFAULT_LANGUAGE = "da"
LANGUAGES = ("da", "en")
PERIOD = (2017, 2021)

# Money is shown in DKK millions throughout.
UNIT_DA = "mio. kr."
UNIT_EN = "DKK million"

# Business cases (udkecon.business_case): scenario 0 = legacy continued, 1 = tendered
MONOPOLY_BREAK_CASE_FILE = RAW_DIR / "business_case_monopoly_break.csv"
UDK_SHARE_CASE_FILE = RAW_DIR / "business_case_udk_share_illustrative.csv"
DEFAULT_DISCOUNT_RATE = "fm2021"  # Finansministeriet's schedule valid since 7 January 2021
DEFAULT_VIEW = "budget"  # budget (the municipalities' own cash flows) or socio
MONTE_CARLO_DRAWS = 100_000
MONTE_CARLO_SEED = 20201001
