"""The kinds of input file and the columns each must have (the schemas `udkecon.data`
checks files against). A module that owns a kind of file registers it with `register`.

Besides its columns, a kind may carry plausibility limits per column (a value outside them
is a typo or the wrong unit, not data) and checks of the table as a whole (rate bands
without overlap or gap, index years without gaps); those are in `udkecon.table_checks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import table_checks

DATA_STATUSES = ("real", "illustrative")
# provenance of a whole file (data/raw/sources.csv): derived = computed from real figures
SOURCE_STATUSES = ("real", "derived", "illustrative")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"  # str | int | float | year | month | date
    optional_value: bool = False  # an empty cell is allowed
    nonnegative: bool = False
    positive: bool = False
    allowed: tuple[str, ...] | None = None
    lower: float | None = None
    upper: float | None = None
    required: bool = True  # the column itself must be present
    # plausible range: a value outside it is refused as a typo or a wrong unit, with `fix`
    plausible: tuple[float | None, float | None] = (None, None)
    fix: str = ""  # the fix for a value out of range (positive, lower/upper, plausible)


@dataclass(frozen=True)
class Schema:
    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # For price indices the value column may have any name (cpi_2015_100, index, ...).
    free_value_column: Column | None = None
    extra: dict = field(default_factory=dict)
    # checks of the whole typed table: check(frame, where) -> list of DataError
    checks: tuple[Callable, ...] = ()

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


COST_TYPES = ("operation", "implementation", "dual_operation", "new_tasks")

# Plausibility limits, chosen so that a municipal economist would call a value outside them
# a typo or a wrong unit, never data:
# - one ledger line in mio. kr.: the lines are tens to hundreds of mio. kr., and everything
#   the municipalities paid KMD before the monopoly break was 549.8 mio. kr. a year
#   (KOMBIT's final account, data/raw); a line above 10,000 mio. kr., almost twenty times
#   that, is kroner written where millions are meant (148.600.000 for 148,6).
MIO_DKK_PER_YEAR = 10_000.0
#   A business-case row may be a total over many years (basis 'total'), so ten times that.
MIO_DKK_TOTAL = 100_000.0
MIO_DKK_FIX = ("amounts are in mio. kr. (148.600.000 kr. is written 148,6 or 148.6); an "
               "amount this large is not a municipal IT cost")
# - population of one municipality: København, by far the largest, has 0.63 million; more
#   than 1 million is a typo (an extra digit), 0 a municipality with nobody in it, which
#   would silently get a share of zero in every allocation.
MAX_POPULATION = 1_000_000
#   Læsø, the smallest, has about 1,800 (Christiansø is no municipality); below 1,000 is a
#   population written in thousands (632 for København's 632,340).
MIN_POPULATION = 1_000
POPULATION_FIX = (f"write whole persons: a municipality has {MIN_POPULATION:,}-"
                  f"{MAX_POPULATION:,} inhabitants (København about 632,340, Læsø about "
                  "1,800), not thousands; a population of 0 would give the municipality a "
                  "share of zero in every allocation")
# - a discount rate: Finansministeriet's rates since 1999 have been 6 %, then 4/3/2 % (2013)
#   and 3.5/2.5 % (2021); above 15 % is a slip of the decimal point (0.35 for 3.5 %).
MAX_DISCOUNT_RATE = 0.15
# - an SLA target in per cent: targets are 95-99.99 %; below 50 it is a fraction (0.998)
#   written where a percentage (99.8) is meant.
MIN_SLA_TARGET_PCT = 50.0
# - a month's availability in per cent: the worst month in the shipped data is 83.1 %; below
#   50 % a service would be down more than half the month. Excel stores a cell formatted as
#   a percentage as a fraction (0.9995 for 99.95 %), which read as per cent would be a month
#   of almost no service.
MIN_AVAILABILITY_PCT = 50.0
# - calls to Serviceplatformen in one month: about 10^8 in 2019-2020; 10^10 a month would
#   be almost 4,000 calls a second around the clock, a hundred times the real load.
MAX_CALLS_PER_MONTH = 10_000_000_000
SYSTEM_GROUPS = ("udk", "legacy", "kombit_support")
# How a cost item reaches the municipalities (data/raw/allocation_channels.csv): through UDK's
# administration contribution (a BEK key), KOMBIT's joint financing (population), or the
# municipality's own contract (not allocated); DUT comes back through the block grant.
ALLOCATION_CHANNELS = ("udk_contribution", "kombit_joint_financing", "own_contract")
KEYED_CHANNELS = ("udk_contribution", "kombit_joint_financing", "block_grant")

SCHEMAS: dict[str, Schema] = {}


def register(schema: Schema) -> Schema:
    """Add a kind of file; modules that own a kind of input register it here."""
    SCHEMAS[schema.kind] = schema
    return schema


register(Schema(
    "costs", "municipal IT cost ledger, current prices, one row per year/system/cost type",
    (
        Column("year", "year"),
        Column("system"),
        Column("system_group", allowed=SYSTEM_GROUPS),
        Column("cost_type", allowed=COST_TYPES),
        Column("amount_mio_dkk", "float", nonnegative=True,
               plausible=(None, MIO_DKK_PER_YEAR), fix=MIO_DKK_FIX),
        Column("data_status", allowed=DATA_STATUSES),
        # the note in English (note) and in Danish (note_da): a report shows the one in its
        # language, the other where that one is empty (a user's ledger may have only one)
        Column("note", optional_value=True, required=False),
        Column("note_da", optional_value=True, required=False),
    ),
    key=("year", "system", "cost_type"),
    checks=(table_checks.one_group_per_system,),
))
register(Schema(
    "price_index", "annual price index (year and one index column)",
    (Column("year", "year"),),
    key=("year",),
    free_value_column=Column("index", "float", positive=True,
                             fix="an index must be greater than zero; correct the value"),
    checks=(table_checks.index_years_contiguous, table_checks.index_changes_plausible),
))
register(Schema(
    "dut", "DUT compensation to the municipalities, current prices, one row per year",
    (
        Column("year", "year"),
        Column("dut_compensation_mio_dkk", "float", nonnegative=True,
               plausible=(None, MIO_DKK_PER_YEAR), fix=MIO_DKK_FIX),
        Column("data_status", allowed=DATA_STATUSES),
        Column("note", optional_value=True, required=False),  # English, as in the ledger
        Column("note_da", optional_value=True, required=False),  # Danish
    ),
    key=("year",),
))
register(Schema(
    "phases", "phases of the programme and the years each covers",
    (
        Column("phase"),
        Column("label_da"),
        Column("label_en"),
        Column("first_year", "year"),
        Column("last_year", "year"),
        Column("description_da", optional_value=True, required=False),
        Column("description_en", optional_value=True, required=False),
    ),
    key=("phase",),
))
register(Schema(
    "municipalities", "municipalities with region and population",
    (
        # Danish municipality codes are three digits (101 København .. 860 Hjørring),
        # region codes 1081-1085 (Nordjylland .. Hovedstaden)
        Column("municipality_code", "int", plausible=(101, 999),
               fix="a municipality code has three digits, 101-999 (Danmarks Statistik)"),
        Column("municipality"),
        Column("region_code", "int", plausible=(1081, 1085),
               fix="a region code is 1081-1085 (Danmarks Statistik)"),
        Column("region"),
        Column("population_2020_01_01", "int", positive=True,
               plausible=(MIN_POPULATION, MAX_POPULATION), fix=POPULATION_FIX),
    ),
    key=("municipality_code",),
    checks=(table_checks.municipality_names_unique, table_checks.one_region_per_code,
            table_checks.every_municipality),
))
register(Schema(
    "discount_rates", "Finansministeriet's discount rate by year of a project's life",
    (
        Column("valid_from", "date"),
        Column("from_year", "int", nonnegative=True),
        Column("to_year", "int", optional_value=True, nonnegative=True),
        Column("rate", "float", nonnegative=True, upper=1.0,
               plausible=(None, MAX_DISCOUNT_RATE),
               fix="a rate is a decimal: 0.035 for 3.5 %"),
    ),
    key=("valid_from", "from_year"),
    checks=(table_checks.rate_bands_without_overlap_or_gap,),
))
# Finansministeriet's key figures for the socio-economic view of a business case
# (udkecon.business_case.socioeconomic_factors). Both are factors around 1: the NAF was
# 1.325-1.35 before 2023 and is 1.28 since, the tax distortion factor 1.2, 1.1, now 1.
# Outside 1-2 a figure is a rate written where a factor is meant (0.10 for 1.10).
SOCIOECONOMIC_FIGURES = ("nettoafgiftsfaktor", "skatteforvridningsfaktor")
register(Schema(
    "socioeconomic_key_figures", "Finansministeriet's net tax factor and tax distortion factor "
    "by the date each took effect",
    (
        Column("valid_from", "date"),
        Column("figure", allowed=SOCIOECONOMIC_FIGURES),
        Column("value", "float", positive=True, plausible=(1.0, 2.0),
               fix="give the factor, not the rate: 1.10 for a tax distortion of 10 %, 1.28 for "
                   "a net tax factor of 1.28"),
        Column("source"),
    ),
    key=("valid_from", "figure"),
))
register(Schema(
    "sla_availability", "monthly availability per service against its SLA target",
    (
        Column("platform"),
        Column("service"),
        Column("month", "month"),
        Column("sla_target_pct", "float", lower=0.0, upper=100.0,
               plausible=(MIN_SLA_TARGET_PCT, None),
               fix="targets are in per cent: write 99.8, not 0.998"),
        Column("availability_pct", "float", lower=0.0, upper=100.0,
               plausible=(MIN_AVAILABILITY_PCT, None),
               fix="availability is in per cent: write 99.95, not 0.9995 (a cell formatted as "
                   "a percentage in Excel holds the fraction; format it as a number)"),
    ),
    key=("platform", "service", "month"),
))
register(Schema(
    "service_calls", "calls to Serviceplatformen per month",
    (Column("month", "month"),
     Column("service_calls", "int", nonnegative=True, plausible=(None, MAX_CALLS_PER_MONTH),
            fix="give the number of calls in the month (about 100 million in 2020)")),
    key=("month",),
))
register(Schema(
    "final_account", "headline figures of KOMBIT's final account of the monopoly break",
    (Column("item"), Column("value_mio_dkk", "float"), Column("note", optional_value=True)),
    key=("item",),
))
register(Schema(
    "udk_systems", "UDK's tendered systems, supplier and go-live month",
    (
        Column("system"),
        Column("supplier"),
        Column("part", optional_value=True),
        Column("went_live", "month", optional_value=True),
        Column("note", optional_value=True),
    ),
))
register(Schema(
    "sources", "provenance of each data file",
    (
        Column("file"),
        Column("title_da"),
        Column("title_en"),
        Column("source"),  # in Danish, as cited
        Column("source_en", optional_value=True, required=False),
        Column("status", allowed=SOURCE_STATUSES),
        # the day the figures were fetched (python -m udkecon refresh), named in source lines
        Column("retrieved", "date", optional_value=True, required=False),
    ),
    key=("file",),
))
register(Schema(
    "allocation_keys", "allocation keys by channel and the budget years each is in force",
    (
        Column("key_id"),
        Column("channel", allowed=KEYED_CHANNELS),
        Column("name_da"),  # the key's short name in the reader's tables
        Column("name_en"),
        Column("legal_basis"),
        # empty: no start (end) given, the key is in force before (after) any budget year
        Column("first_budget_year", "year", optional_value=True),
        Column("last_budget_year", "year", optional_value=True),
        # both empty: plain population; both given: min(pop, threshold) + weight * the rest
        Column("threshold", "int", optional_value=True, nonnegative=True,
               plausible=(None, MAX_POPULATION),
               fix="the threshold is a number of inhabitants (BEK nr. 1629: 150000)"),
        Column("weight_above", "float", optional_value=True, lower=0.0, upper=1.0,
               fix="the weight is a decimal between 0 and 1 (BEK nr. 1629: 0.744)"),
        Column("source"),
    ),
    key=("key_id",),
    checks=(table_checks.key_periods_without_overlap,),
))
register(Schema(
    "allocation_channels", "which channel each system group and cost type is paid through",
    (
        Column("system_group", allowed=SYSTEM_GROUPS),
        Column("cost_type", allowed=COST_TYPES),
        Column("channel", allowed=ALLOCATION_CHANNELS),
        Column("reason", optional_value=True, required=False),
    ),
    key=("system_group", "cost_type"),
))
