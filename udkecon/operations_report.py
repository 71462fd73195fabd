"""The operations report's figures, computed once: SLA breaches, the worst month, call volume.

`operations_status` loads the availability and call tables, applies the report's
parameters (platform, period) and keeps every result the notebook, the sentences
(`udkecon.operations_text`), the charts (`udkecon.charts_operations`) and the workbook
(`udkecon.excel.operations`) show, so that they cannot disagree. The computations
themselves are in `udkecon.operations`; this module adds what a reader needs on top:

- breaches per month (``breaches_by_month``) and the **worst month**: the month with the
  most downtime beyond what the SLA targets allow, summed over its breaches
  (``excess_downtime_hours``), ties broken by the number of breaches, then the earlier
  month. Hours, not counts, so that a 0.1-point miss does not weigh as much as a day-long
  outage;
- month labels in the reader's language ("okt. 2019", "oktober 2019");
- the reader's tables, with labels from ``udkecon/labels.csv``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from babel.dates import format_date

from . import config, fmt, operations
from .data import provenance, source_text
from .errors import ParameterError
from .labels import check_language, label

# The call figures of the seed are calls to Serviceplatformen; no other platform has them.
CALLS_PLATFORM = "Serviceplatformen"

_LOCALES = {"da": "da_DK", "en": "en_GB"}
_MONTH_FORMATS = {"short": "MMM y", "long": "MMMM y"}


def month_label(month: str, language: str = "da", width: str = "short") -> str:
    """A "YYYY-MM" month as a reader writes it: 'okt. 2019' (short) or 'oktober 2019' (long).

    >>> month_label("2019-10"), month_label("2020-02", "da", "long")
    ('okt. 2019', 'februar 2020')
    >>> month_label("2020-09", "en"), month_label("2020-09", "en", "long")
    ('Sept 2020', 'September 2020')
    """
    check_language(language)
    if width not in _MONTH_FORMATS:
        raise ParameterError(f"width {width!r} is not valid; use one of: "
                             + ", ".join(repr(w) for w in _MONTH_FORMATS))
    year, number = (int(part) for part in month.split("-"))
    return format_date(dt.date(year, number, 1), _MONTH_FORMATS[width],
                       locale=_LOCALES[language])


def require_platform(platform, availability: pd.DataFrame) -> str | None:
    """The notebook's platform parameter: '' means every platform (None); else one in the data.

    >>> require_platform("", operations.load_availability()) is None
    True
    >>> require_platform("Serviceplatform", operations.load_availability())
    Traceback (most recent call last):
    ...
    udkecon.errors.ParameterError: platform 'Serviceplatform' is not valid; leave it empty \
for all platforms or use one of: Serviceplatformen, Støttesystemer
    """
    platforms = list(dict.fromkeys(availability["platform"]))
    if platform in ("", None):
        return None
    if platform not in platforms:
        raise ParameterError(f"platform {platform!r} is not valid; leave it empty for all "
                             f"platforms or use one of: {', '.join(platforms)}")
    return platform


def breaches_by_month(breaches: pd.DataFrame, months) -> pd.DataFrame:
    """Breaches per month for every month of the period (0 where none), chronological.

    breaches              = number of service-months below target in the month
    excess_downtime_hours = sum of the breaches' (target - availability) / 100 * hours
    downtime_hours        = sum of the breaches' (100 - availability) / 100 * hours

    >>> table = pd.DataFrame({"month": ["2020-02", "2020-02"], "excess_downtime_hours":
    ...                       [116.928, 5.568], "downtime_hours": [117.624, 6.264]})
    >>> by_month = breaches_by_month(table, ["2020-01", "2020-02"])
    >>> feb = by_month.loc["2020-02"]
    >>> by_month["breaches"].tolist(), round(float(feb["excess_downtime_hours"]), 3)
    ([0, 2], 122.496)
    """
    months = pd.Index(sorted(months), name="month")
    grouped = breaches.groupby("month")
    result = pd.DataFrame({
        "breaches": grouped.size(),
        "excess_downtime_hours": grouped["excess_downtime_hours"].sum(),
        "downtime_hours": grouped["downtime_hours"].sum(),
    }).reindex(months)
    result["breaches"] = result["breaches"].fillna(0).astype("int64")
    return result.fillna(0.0)


def worst_month(by_month: pd.DataFrame) -> str | None:
    """The month with the most excess downtime; ties: more breaches, then the earlier month.

    None when no month has a breach.

    >>> by_month = pd.DataFrame({"breaches": [1, 1, 0], "excess_downtime_hours":
    ...     [6.1008, 11.52, 0.0]}, index=["2020-03", "2020-09", "2020-10"])
    >>> worst_month(by_month), worst_month(by_month.iloc[2:])
    ('2020-09', None)
    """
    breached = by_month[by_month["breaches"] > 0]
    if breached.empty:
        return None
    ranked = pd.DataFrame({
        # 6 decimals: sums of the same hours in another order must tie, not differ at 1e-15
        "excess": breached["excess_downtime_hours"].round(6).to_numpy(),
        "breaches": breached["breaches"].to_numpy(),
        "month": [str(m) for m in breached.index],
    }).sort_values(["excess", "breaches", "month"], ascending=[False, False, True],
                   kind="stable")
    return ranked["month"].iloc[0]


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
        return worst_month(self.by_month)

    @property
    def worst_breach(self) -> pd.Series | None:
        """The breach furthest below its target (largest shortfall), or None."""
        if self.breaches.empty:
            return None
        return self.breaches.sort_values("shortfall_pp", ascending=False, kind="stable").iloc[0]

    def period_label(self, width: str = "long") -> str:
        first = month_label(self.first_month, self.language, width)
        last = month_label(self.last_month, self.language, width)
        return first if first == last else f"{first} – {last}"

    def platform_label(self) -> str:
        if self.platform is not None:
            return self.platform
        names = list(self.platforms["platform"])
        if len(names) == 1:
            return names[0]
        return f"{', '.join(names[:-1])} {label('ops_and', self.language)} {names[-1]}"


def operations_status(availability_file=None, calls_file=None, platform: str | None = None,
                      first_month: str | None = None, last_month: str | None = None,
                      language: str = config.DEFAULT_LANGUAGE) -> OperationsStatus:
    """Load, filter and summarise availability and calls for the operations report.

    Empty strings (the notebook's defaults) mean: the files in data/raw, every platform,
    the whole period of the availability table. The calls are read and shown when the
    selected service-months include Serviceplatformen (all platforms, or that one).

    >>> status = operations_status()
    >>> status.breach_count, status.service_months, status.worst_month
    (12, 144, '2020-02')
    """
    check_language(language)
    availability_file = Path(availability_file or config.SLA_AVAILABILITY_FILE)
    calls_file = Path(calls_file or config.SERVICE_CALLS_FILE)
    table = operations.load_availability(availability_file)
    platform = require_platform(platform, table)
    selected = operations.select(table, platform, first_month or None, last_month or None)
    first, last = str(selected["month"].min()), str(selected["month"].max())
    matrix = operations.availability_matrix(table, platform, first, last)
    breaches = operations.breaches(table, platform, first, last)
    inputs = [provenance(availability_file)]
    calls = None
    if CALLS_PLATFORM in set(selected["platform"]):
        calls = operations.call_volume(operations.load_service_calls(calls_file), first, last)
        inputs.append(provenance(calls_file))
    return OperationsStatus(
        language=language, platform=platform, first_month=first, last_month=last,
        availability=selected, matrix=matrix, breaches=breaches,
        services=operations.service_summary(table, platform, first, last),
        platforms=operations.platform_summary(table, platform, first, last),
        by_month=breaches_by_month(breaches, matrix.availability.columns),
        calls=calls, inputs=inputs,
    )


# --------------------------------------------------------------------------- reader tables

def breach_table(status: OperationsStatus) -> pd.DataFrame:
    """The breaches as the PDF shows them: month, service, target, measured, hours."""
    lang = status.language
    b = status.breaches
    return pd.DataFrame({
        label("ops_col_service", lang): b["service"].to_numpy(),
        label("ops_pdf_target", lang): b["sla_target_pct"].to_numpy(),
        label("ops_pdf_availability", lang): b["availability_pct"].to_numpy(),
        label("ops_pdf_shortfall", lang): b["shortfall_pp"].to_numpy(),
        label("ops_pdf_downtime", lang): b["downtime_hours"].to_numpy(),
        label("ops_pdf_excess", lang): b["excess_downtime_hours"].to_numpy(),
    }, index=pd.Index([month_label(m, lang) for m in b["month"]],
                      name=label("ops_col_month", lang)))


def breach_table_decimals(language: str) -> dict[str, int]:
    return {label("ops_pdf_target", language): 2, label("ops_pdf_availability", language): 2,
            label("ops_pdf_shortfall", language): 2, label("ops_pdf_downtime", language): 1,
            label("ops_pdf_excess", language): 1}


def service_table(status: OperationsStatus) -> pd.DataFrame:
    """Per service: target, months breached, compliance, lowest month, downtime.

    The mean availability is left out of the PDF (the table must fit A4 portrait, and the
    lowest month says more); the workbook has it."""
    lang = status.language
    s = status.services
    return pd.DataFrame({
        label("ops_pdf_target", lang): s["sla_target_pct"].to_numpy(),
        label("ops_pdf_months_breached", lang): s["months_breached"].astype(float).to_numpy(),
        label("ops_pdf_compliance", lang): (s["compliance_rate"] * 100).to_numpy(),
        label("ops_pdf_lowest", lang): s["worst_availability_pct"].to_numpy(),
        label("ops_pdf_lowest_month", lang): [month_label(m, lang)
                                              for m in s["worst_month"]],
        label("ops_pdf_downtime", lang): s["downtime_hours"].to_numpy(),
    }, index=pd.Index(s["service"].to_numpy(),
                      name=label("ops_col_service", lang)))


def service_table_decimals(language: str) -> dict[str, int]:
    return {label("ops_pdf_target", language): 2, label("ops_pdf_months_breached", language): 0,
            label("ops_pdf_compliance", language): 1, label("ops_pdf_lowest", language): 2,
            label("ops_pdf_downtime", language): 1}


def source_note(status: OperationsStatus, calls: bool = False) -> str:
    """'Kilde: ...' under a chart: the source of the availability (or the calls) file."""
    record = status.inputs[1 if calls and len(status.inputs) > 1 else 0]
    return f"{label('source_prefix', status.language)}: {source_text(record, status.language)}."


def key_figures(status: OperationsStatus):
    """The report's key figures as a row of boxes."""
    from . import blocks as report

    lang = status.language
    worst = status.worst_month
    figures = [
        (str(status.breach_count), label("ops_key_breaches", lang)),
        (str(status.service_months), label("ops_key_service_months", lang)),
        (fmt.percent(status.compliance_rate, 1, lang), label("ops_key_compliance", lang)),
        (month_label(worst, lang) if worst else "–", label("ops_key_worst_month", lang)),
    ]
    if status.calls is not None and len(status.calls):
        total = status.calls["service_calls"].sum() / 1e6
        figures.append((fmt.number(total, 0, lang), label("ops_key_calls", lang)))
    return report.key_figures(figures)


def breach_block(status: OperationsStatus):
    """The breach table for the PDF, or a sentence saying there were none."""
    from . import blocks as report

    lang = status.language
    if status.breaches.empty:
        return report.paragraph(label("ops_no_breaches", lang))
    return report.table(
        breach_table(status), lang, decimals=breach_table_decimals(lang), nowrap=True,
        caption=label("ops_table_breaches", lang), note=label("ops_table_breaches_note", lang))


def service_block(status: OperationsStatus):
    """The compliance table per service for the PDF."""
    from . import blocks as report

    lang = status.language
    return report.table(
        service_table(status), lang, decimals=service_table_decimals(lang), nowrap=True,
        caption=label("ops_table_services", lang, period=status.period_label("short")),
        note=label("ops_services_note", lang))


def heatmap_note(status: OperationsStatus) -> str:
    """How to read the heatmap, then its source: the line under the figure."""
    return f"{label('ops_heatmap_note', status.language)} {source_note(status)}"
