"""The kinds of input file and the columns each must have (the schemas `udkecon.data`
checks files against). A module that owns a kind of file registers it with `register`."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Schema:
    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # For price indices the value column may have any name (cpi_2015_100, index, ...).
    free_value_column: Column | None = None
    extra: dict = field(default_factory=dict)

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


COST_TYPES = ("operation", "implementation", "dual_operation", "new_tasks")
SYSTEM_GROUPS = ("udk", "legacy", "kombit_support")

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
        Column("amount_mio_dkk", "float", nonnegative=True),
        Column("data_status", allowed=DATA_STATUSES),
        Column("note", optional_value=True, required=False),
    ),
    key=("year", "system", "cost_type"),
))
register(Schema(
    "price_index", "annual price index (year and one index column)",
    (Column("year", "year"),),
    key=("year",),
    free_value_column=Column("index", "float", positive=True),
))
register(Schema(
    "dut", "DUT compensation to the municipalities, current prices, one row per year",
    (
        Column("year", "year"),
        Column("dut_compensation_mio_dkk", "float", nonnegative=True),
        Column("data_status", allowed=DATA_STATUSES),
        Column("note", optional_value=True, required=False),
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
        Column("municipality_code", "int", nonnegative=True),
        Column("municipality"),
        Column("region_code", "int", nonnegative=True),
        Column("region"),
        Column("population_2020_01_01", "int", nonnegative=True),
    ),
    key=("municipality_code",),
))
register(Schema(
    "discount_rates", "Finansministeriet's discount rate by year of a project's life",
    (
        Column("valid_from", "date"),
        Column("from_year", "int", nonnegative=True),
        Column("to_year", "int", optional_value=True, nonnegative=True),
        Column("rate", "float", nonnegative=True, upper=1.0),
    ),
    key=("valid_from", "from_year"),
))
register(Schema(
    "sla_availability", "monthly availability per service against its SLA target",
    (
        Column("platform"),
        Column("service"),
        Column("month", "month"),
        Column("sla_target_pct", "float", lower=0.0, upper=100.0),
        Column("availability_pct", "float", lower=0.0, upper=100.0),
    ),
    key=("platform", "service", "month"),
))
register(Schema(
    "service_calls", "calls to Serviceplatformen per month",
    (Column("month", "month"), Column("service_calls", "int", nonnegative=True)),
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
