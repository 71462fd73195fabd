"""The operations report's object, computed once: the selected service-months, SLA breaches,
breaches per month and the worst month, the summaries per service and platform, and the
calls to Serviceplatformen.

`build` loads the availability and call tables, applies the report's parameters (platform,
period) and keeps every result the notebook, the sentences (`text`), the charts (`charts`)
and the workbook (`workbook`) show, so that they cannot disagree. The computations
themselves are in `udkecon.operations`, among them the **worst month**: the month with the
most downtime beyond what the SLA targets allow, summed over its breaches
(``excess_downtime_hours``), ties broken by the number of breaches, then the earlier month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import config, operations
from ...data import provenance
from ...labels import check_language

# The call figures of the seed are calls to Serviceplatformen; no other platform has them.
CALLS_PLATFORM = "Serviceplatformen"


@dataclass(frozen=True)
class OperationsStatus:
    """Everything the operations report shows, computed once and read by every exporter."""

    language: str
    platform: str | None  # None: every platform in the table
    first_month: str
    last_month: str
    availability: pd.DataFrame  # the selected service-months, index = row in the file
    matrix: operations.AvailabilityMatrix
    breaches: pd.DataFrame  # operations.breaches, by month
    services: pd.DataFrame  # operations.service_summary
    platforms: pd.DataFrame  # operations.platform_summary
    by_month: pd.DataFrame  # breaches_by_month over every month of the period
    calls: pd.DataFrame | None  # operations.call_volume; None when not shown (see CALLS_PLATFORM)
    inputs: list[dict] = field(default_factory=list)  # provenance of every file read

    @property
    def months(self) -> list[str]:
        return [str(m) for m in self.matrix.availability.columns]

    @property
    def service_months(self) -> int:
        return len(self.availability)

    @property
    def breach_count(self) -> int:
        return len(self.breaches)

    @property
    def compliance_rate(self) -> float:
        """(service-months - breaches) / service-months, a decimal."""
        return (self.service_months - self.breach_count) / self.service_months

    @property
    def worst_month(self) -> str | None:
        return operations.worst_month(self.by_month)

    @property
    def worst_breach(self) -> pd.Series | None:
        """The breach furthest below its target (largest shortfall), or None."""
        if self.breaches.empty:
            return None
        return self.breaches.sort_values("shortfall_pp", ascending=False, kind="stable").iloc[0]


def build(availability_file=None, calls_file=None, platform: str | None = None,
                      first_month: str | None = None, last_month: str | None = None,
                      language: str = config.DEFAULT_LANGUAGE) -> OperationsStatus:
    """Load, filter and summarise availability and calls for the operations report.

    Empty strings (the notebook's defaults) mean: the files in data/raw, every platform,
    the whole period of the availability table. The calls are read and shown when the
    selected service-months include Serviceplatformen (all platforms, or that one).

    >>> status = build()
    >>> status.breach_count, status.service_months, status.worst_month
    (12, 144, '2020-02')
    """
    check_language(language)
    availability_file = Path(availability_file or config.SLA_AVAILABILITY_FILE)
    calls_file = Path(calls_file or config.SERVICE_CALLS_FILE)
    table = operations.load_availability(availability_file)
    platform = operations.require_platform(platform, table)
    selected = operations.select(table, platform, first_month or None, last_month or None)
    first, last = str(selected["month"].min()), str(selected["month"].max())
    matrix = operations.availability_matrix(table, platform, first, last)
    breaches = operations.breaches(table, platform, first, last)
    inputs = [provenance(availability_file)]
    calls = None
    if CALLS_PLATFORM in set(selected["platform"]):
        calls = operations.call_volume(operations.load_service_calls(calls_file), first, last)
        operations.require_calls_for(calls, matrix.availability.columns, availability_file)
        inputs.append(provenance(calls_file))
    return OperationsStatus(
        language=language, platform=platform, first_month=first, last_month=last,
        availability=selected, matrix=matrix, breaches=breaches,
        services=operations.service_summary(table, platform, first, last),
        platforms=operations.platform_summary(table, platform, first, last),
        by_month=operations.breaches_by_month(breaches, matrix.availability.columns),
        calls=calls, inputs=inputs,
    )
