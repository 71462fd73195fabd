"""The operations report's sentences, in Danish or English, every number from the computation.

Page 1 (the committee paper's form, `front_page`): `resume_sentences` (how many
measurements met their targets, per platform, the worst month, the services below target
more than once, the calls), `recommendation_clauses` and the SLA key table with the note
that a status has no direct financial consequences. The body: `context_sentences` (what the
source says about the worst months), `breach_sentences` (the breaches, the same count as
`operations.breaches`), `calls_sentences`. The annex: `scope_sentence`, `method_sentences`.
Numbers are formatted as the reader expects (Danish: 91,7 %, 1.309 mio.). The reader's
tables and blocks of the PDF (breaches, compliance per service, key figures) are at the end.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ... import blocks, fmt, operations
from ...data import source_text
from ...fmt import month_label
from ...labels import check_language, label
from .model import OperationsStatus


def _pct(value_pct: float, decimals: int, language: str) -> str:
    """A figure already in percent (99.9) as '99,90 %' (da) or '99.90%' (en)."""
    return fmt.percent(value_pct / 100, decimals, language)


def _hours(value: float, language: str) -> str:
    """Hours in a table: one decimal (the tables show the computation)."""
    return fmt.number(value, 1, language)


def _about_hours(value: float, language: str, genitive: bool = False) -> str:
    """Hours in prose, whole hours: 'ca. 135 timer' ('ca. 135 timers nedetid' with
    `genitive`), 'ca. 1 time', 'under en halv time'. The hours are estimated from monthly
    availability published to two decimals, so a tenth of an hour in prose would be false
    precision; the tables keep one decimal.

    >>> _about_hours(134.96, "da"), _about_hours(117.6, "da", True), _about_hours(0.7, "da")
    ('ca. 135 timer', 'ca. 118 timers', 'ca. 1 time')
    >>> _about_hours(0.3, "en"), _about_hours(20.1, "en")
    ('less than half an hour', 'about 20 hours')
    """
    whole = math.floor(value + 0.5)  # half up, as the tables round
    if language == "en":
        if whole == 0:
            return "less than half an hour"
        return f"about {fmt.number(whole, 0, language)} {'hour' if whole == 1 else 'hours'}"
    if whole == 0:
        return "under en halv times" if genitive else "under en halv time"
    unit = ("times" if genitive else "time") if whole == 1 else ("timers" if genitive
                                                                  else "timer")
    return f"ca. {fmt.number(whole, 0, language)} {unit}"


def _breach_count(n: int, language: str) -> str:
    if language == "en":
        return f"{n} {'breach' if n == 1 else 'breaches'}"
    return f"{n} brud"  # the same in singular and plural


def _and(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {label('ops_and', language)} {items[-1]}"


def period_label(status: OperationsStatus, width: str = "long") -> str:
    """The report's months: 'oktober 2019 – september 2020', or one month."""
    first = month_label(status.first_month, status.language, width)
    last = month_label(status.last_month, status.language, width)
    return first if first == last else f"{first} – {last}"


def platform_label(status: OperationsStatus) -> str:
    """The platform chosen, or every platform in the data: 'A og B'."""
    if status.platform is not None:
        return status.platform
    return _and(list(status.platforms["platform"]), status.language)


def subtitle(status: OperationsStatus) -> str:
    """What the report covers: the platform(s), and the calls when they are shown."""
    key = "ops_subtitle_calls" if status.calls is not None else "ops_subtitle"
    return label(key, status.language, platforms=platform_label(status))


def measure_basis(status: OperationsStatus) -> str:
    """The title block's line in place of a price basis: what is measured, and in what
    units (the calls only where the report shows them)."""
    key = "ops_measure_basis" if status.calls is not None else "ops_measure_basis_no_calls"
    return label(key, status.language)


def period_phrase(status: OperationsStatus) -> str:
    """'I perioden oktober 2019 – september 2020' / 'From October 2019 to September 2020';
    'I marts 2020' / 'In March 2020' for one month."""
    lang = status.language
    first = month_label(status.first_month, lang, "long")
    last = month_label(status.last_month, lang, "long")
    if status.first_month == status.last_month:
        return f"In {first}" if lang == "en" else f"I {first}"
    return f"From {first} to {last}" if lang == "en" else f"I perioden {first} – {last}"


def measurements_phrase(status: OperationsStatus, count: int | None = None) -> str:
    """'144 målinger (12 tjenester × 12 måneder)' / '144 measurements (12 services × 12
    months)'; without the product when a month is missing (it would not multiply out)."""
    lang = status.language
    measured = status.service_months if count is None else count
    services, months = len(status.services), len(status.months)
    complete = count is None and services * months == measured
    if lang == "en":
        scope = (f" ({services} {'service' if services == 1 else 'services'} × {months} "
                 f"{'month' if months == 1 else 'months'})") if complete else ""
        return f"{measured} {'measurement' if measured == 1 else 'measurements'}{scope}"
    scope = (f" ({services} {'tjeneste' if services == 1 else 'tjenester'} × {months} "
             f"{'måned' if months == 1 else 'måneder'})") if complete else ""
    return f"{measured} {'måling' if measured == 1 else 'målinger'}{scope}"


def breach_sentence(status: OperationsStatus) -> str:
    """How many measurements fell below target, out of how many, and the compliance rate.

    A measurement is one service's availability in one month.

    >>> from udkecon.documents.operations.model import build
    >>> breach_sentence(build(first_month="2020-03", last_month="2020-03"))
    'I marts 2020 er der registreret 1 brud på SLA-målene: i 1 af 12 målinger (12 \
tjenester × 1 måned) lå den brugeroplevede tilgængelighed under målet, en målopfyldelse \
på 91,7\\xa0%.'
    """
    lang = status.language
    n = status.breach_count
    rate = fmt.percent(status.compliance_rate, 1, lang)
    period = period_phrase(status)
    measured = measurements_phrase(status)
    if lang == "en":
        if n == 0:
            return (f"{period} there were no breaches of the SLA targets: all {measured} "
                    f"met their target.")
        return (f"{period} there {'was' if n == 1 else 'were'} "
                f"{_breach_count(n, lang)} of the SLA targets: in {n} of {measured} the "
                f"user-experienced availability was below target, a compliance rate of "
                f"{rate}.")
    if n == 0:
        return (f"{period} er der ikke registreret brud på SLA-målene: alle {measured} "
                f"nåede målet.")
    return (f"{period} er der registreret {_breach_count(n, lang)} på SLA-målene: i {n} af "
            f"{measured} lå den brugeroplevede tilgængelighed under målet, en "
            f"målopfyldelse på {rate}.")


def platform_sentence(status: OperationsStatus) -> str | None:
    """Breaches per platform (None when the report covers one platform)."""
    lang = status.language
    if len(status.platforms) < 2:
        return None
    parts = []
    for first, row in enumerate(status.platforms.itertuples(index=False)):
        rate = fmt.percent(row.compliance_rate, 1, lang)
        count = _breach_count(int(row.breaches), lang)
        if lang == "en":
            parts.append(f"{row.platform} had {count} in {row.service_months} measurements "
                         f"({rate} compliance)" if first == 0 else
                         f"{row.platform} {count} in {row.service_months} ({rate})")
        else:
            parts.append(f"{row.platform} havde {count} i {row.service_months} målinger "
                         f"({rate} målopfyldelse)" if first == 0 else
                         f"{row.platform} {count} i {row.service_months} ({rate})")
    return _and(parts, lang) + "."


def worst_sentences(status: OperationsStatus) -> list[str]:
    """The worst month (most downtime beyond the SLA) and the largest single breach."""
    lang = status.language
    month = status.worst_month
    breach = status.worst_breach
    if month is None or breach is None:
        return []
    row = status.by_month.loc[month]
    count = _breach_count(int(row["breaches"]), lang)
    excess_en = _about_hours(row["excess_downtime_hours"], lang)
    excess_da = _about_hours(row["excess_downtime_hours"], lang, genitive=True)
    name = month_label(month, lang, "long")
    b_month = month_label(breach["month"], lang, "long")
    actual = _pct(breach["availability_pct"], 2, lang)
    target = _pct(breach["sla_target_pct"], 2, lang)
    shortfall = fmt.number(breach["shortfall_pp"], 2, lang)
    downtime_en = _about_hours(breach["downtime_hours"], lang)
    downtime_da = _about_hours(breach["downtime_hours"], lang, genitive=True)
    service = f"{breach['service']} ({breach['platform']})"
    if lang == "en":
        return [
            f"The worst month was {name}, with {count} and {excess_en} of downtime "
            f"beyond what the SLA targets allow.",
            f"The largest single breach was {service} in {b_month}: {actual} against a "
            f"target of {target}, {shortfall} percentage points below target, or "
            f"{downtime_en} of downtime in the month.",
        ]
    return [
        f"Den værste måned var {name} med {count} og {excess_da} nedetid ud over, "
        f"hvad SLA-målene tillader.",
        f"Det største enkeltbrud var {service} i {b_month}: {actual} mod et mål på {target}, "
        f"{shortfall} procentpoint under målet, svarende til {downtime_da} nedetid "
        f"i måneden.",
    ]


def calls_sentences(status: OperationsStatus) -> list[str]:
    """Total, mean, highest and lowest month, and the trend of the calls to Serviceplatformen.

    trend  = calls[last month] / calls[first month] - 1

    The source gives the calls in round figures, whole millions (91.000.000): so the mean is
    written in whole millions and the changes in whole percent (91 and 78 million, each
    within half a million, put the fall between 13.3 % and 15.3 %: "14 %", not "14,3 %").
    """
    lang = status.language
    calls = status.calls
    if calls is None or calls.empty:
        return []
    counts = calls.set_index("month")["service_calls"].astype("float64") / 1e6
    first, last = counts.index[0], counts.index[-1]
    high, low = counts.idxmax(), counts.idxmin()
    m = lambda v, d=0: fmt.number(v, d, lang)  # noqa: E731
    name = lambda month: month_label(month, lang, "long")  # noqa: E731
    sentences = []
    if lang == "en":
        sentences.append(
            f"Serviceplatformen received about {m(counts.sum())} million calls in the period, "
            f"{m(counts.mean())} million a month on average; the most in {name(high)} "
            f"({m(counts[high])} million), the fewest in {name(low)} ({m(counts[low])} million).")
    else:
        sentences.append(
            f"Serviceplatformen modtog ca. {m(counts.sum())} mio. kald i perioden, i "
            f"gennemsnit ca. {m(counts.mean())} mio. om måneden; flest i {name(high)} "
            f"({m(counts[high])} mio.), færrest i {name(low)} ({m(counts[low])} mio.).")
    if len(counts) < 2:
        return sentences
    trend = counts[last] / counts[first] - 1
    # the largest month-on-month change either way, within the period: the first month's
    # change is from a month outside it
    change = calls.set_index("month")["change_pct"].drop(first).dropna()
    biggest = change.abs().idxmax() if not change.empty else None
    size = fmt.percent(abs(trend), 0, lang)  # whole percent: see the docstring
    if lang == "en":
        direction = "rose" if trend > 0 else "fell" if trend < 0 else "was unchanged"
        text = (f"From {name(first)} to {name(last)} the monthly number of calls {direction}"
                + (f" by {size}" if trend else "")
                + f" (from {m(counts[first])} to {m(counts[last])} million)")
        if biggest is not None:
            text += (f"; the largest change from one month to the next was in "
                     f"{name(biggest)} ({_signed_pct(change[biggest], lang)})")
    else:
        direction = "steg" if trend > 0 else "faldt" if trend < 0 else "var uændret"
        text = (f"Fra {name(first)} til {name(last)} {direction} antallet af kald pr. måned"
                + (f" med {size}" if trend else "")
                + f" (fra {m(counts[first])} til {m(counts[last])} mio.)")
        if biggest is not None:
            text += (f"; den største ændring fra én måned til den næste var i "
                     f"{name(biggest)} ({_signed_pct(change[biggest], lang)})")
    sentences.append(text + ".")
    return sentences


def _signed_pct(value_pct: float, language: str) -> str:
    """A change in calls in percent with its sign, whole percent as the calls are round
    figures (`calls_sentences`): '+15 %', '-34 %' (the same minus as every other figure in
    the text; the charts keep matplotlib's typographic minus on axes and labels alike)."""
    text = _pct(abs(value_pct), 0, language)
    return ("+" if value_pct > 0 else "-" if value_pct < 0 else "") + text


def breach_sentences(status: OperationsStatus) -> list[str]:
    """The paragraphs that open the breaches section: how many, per platform, the worst
    month and the largest single breach, every number taken from `status`."""
    check_language(status.language)
    sentences = [breach_sentence(status)]
    per_platform = platform_sentence(status)
    if per_platform:
        sentences.append(per_platform)
    return sentences + worst_sentences(status)


def method_sentences(status: OperationsStatus) -> list[str]:
    """Definitions: breach, downtime, worst month, and what the figures are."""
    if status.language == "en":
        text = [
            "Availability is KOMBIT's user-experienced availability (\"brugeroplevet "
            "driftseffektivitet\") of each service per month: service windows do not count "
            "against it.",
            "A measurement is one service's availability in one month. It is a breach when "
            "the availability is strictly below the service's SLA target for that month; a "
            "month exactly at target meets the SLA.",
            "Downtime is approximated as (100 − availability) / 100 × the hours in the "
            "month, and the downtime beyond the SLA as (target − availability) / 100 × the "
            "hours in the month. As availability is published rounded to two decimals, the "
            "hours are approximate (up to 0.04 hours from rounding alone).",
            "The worst month is the month with the most downtime beyond the SLA targets, "
            "summed over its breaches (ties: more breaches, then the earlier month).",
        ]
        if status.calls is not None:
            text.append("Calls are the number of calls to Serviceplatformen per month in "
                        "round figures, as given in the source.")
        return text
    text = [
        "Tilgængeligheden er KOMBITs brugeroplevede driftseffektivitet for hver tjeneste "
        "pr. måned: servicevinduer tæller ikke imod den.",
        "En måling er én tjenestes tilgængelighed i én måned. Den er et brud, når "
        "tilgængeligheden er under tjenestens SLA-mål for måneden; en måned præcis på målet "
        "har nået målet.",
        "Nedetiden er tilnærmet som (100 − tilgængelighed) / 100 × månedens timer, og "
        "nedetiden ud over SLA som (mål − tilgængelighed) / 100 × månedens timer. Da "
        "tilgængeligheden er offentliggjort afrundet til to decimaler, er timerne omtrentlige "
        "(op til 0,04 time alene fra afrundingen).",
        "Den værste måned er måneden med mest nedetid ud over SLA-målene, lagt sammen over "
        "månedens brud (ved lighed: flest brud, dernæst den tidligste måned).",
    ]
    if status.calls is not None:
        text.append("Kald er antal kald til Serviceplatformen pr. måned i runde tal, som "
                    "kilden oplyser dem.")
    return text


def calls_frame(status: OperationsStatus) -> pd.DataFrame | None:
    """Calls in millions and the change from the month before (for tables and workbooks)."""
    if status.calls is None:
        return None
    calls = status.calls
    return pd.DataFrame({
        "month": calls["month"].to_numpy(),
        "calls_mio": (calls["service_calls"].astype("float64") / 1e6).to_numpy(),
        "change_pct": calls["change_pct"].to_numpy(),
    })


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
        label("ops_pdf_lowest_month", lang): [
            month_label(m, lang) if has_lowest_month(low) else NO_LOWEST_MONTH
            for m, low in zip(s["worst_month"], s["worst_availability_pct"], strict=True)],
        label("ops_pdf_downtime", lang): s["downtime_hours"].to_numpy(),
    }, index=pd.Index(s["service"].to_numpy(),
                      name=label("ops_col_service", lang)))


# In place of the lowest month of a service that was 100 % available in every month: no
# month was lower than another, so naming the first (okt. 2019) would mislead
NO_LOWEST_MONTH = "–"


def has_lowest_month(lowest_availability_pct: float) -> bool:
    """Whether a service's lowest month is worth naming: it fell below 100 % at least once.

    >>> has_lowest_month(98.79), has_lowest_month(100.0)
    (True, False)
    """
    return lowest_availability_pct < 100


def service_table_decimals(language: str) -> dict[str, int]:
    return {label("ops_pdf_target", language): 2, label("ops_pdf_months_breached", language): 0,
            label("ops_pdf_compliance", language): 1, label("ops_pdf_lowest", language): 2,
            label("ops_pdf_downtime", language): 1}


def source_note(status: OperationsStatus, calls: bool = False) -> str:
    """'Kilde: ...' under a chart: the source of the availability (or the calls) file."""
    record = status.inputs[1 if calls and len(status.inputs) > 1 else 0]
    return f"{label('source_prefix', status.language)}: {source_text(record, status.language)}."


def key_figures(status: OperationsStatus) -> list[tuple[str, str]]:
    """The report's key figures: (value, caption) for the boxes under the title."""
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
    return figures


def breach_block(status: OperationsStatus):
    """The breach table for the PDF, or a sentence saying there were none."""
    lang = status.language
    if status.breaches.empty:
        return blocks.paragraph(label("ops_no_breaches", lang))
    return blocks.table(
        breach_table(status), lang, decimals=breach_table_decimals(lang), nowrap=True,
        caption=label("ops_table_breaches", lang), note=label("ops_table_breaches_note", lang))


def service_block(status: OperationsStatus):
    """The compliance table per service for the PDF."""
    lang = status.language
    return blocks.table(
        service_table(status), lang, decimals=service_table_decimals(lang), nowrap=True,
        caption=label("ops_table_services", lang, period=period_label(status, "short")),
        note=label("ops_services_note", lang))


def heatmap_note(status: OperationsStatus) -> str:
    """How to read the heatmap, then its source: the line under the figure."""
    return f"{label('ops_heatmap_note', status.language)} {source_note(status)}"


# --------------------------------------------------------------------------- page 1 (board)

def repeated_breaches(status: OperationsStatus) -> pd.DataFrame:
    """The services below target in more than one month of the period, most months first
    (file order on a tie): the ones a follow-up with KOMBIT would be about."""
    services = status.services
    repeated = services[services["months_breached"] >= 2]
    return repeated.sort_values("months_breached", ascending=False, kind="stable")


def resume_sentences(status: OperationsStatus) -> list[str]:
    """Page 1's 'Resumé': three to five sentences, the conclusion first.

    1. how many measurements met their targets; 2. per platform (when several); 3. the worst
    month and the largest single breach; 4. the services below target more than once;
    5. the trend of the calls. Every number from `status`.
    """
    lang = status.language
    n, measured = status.breach_count, status.service_months
    met = measured - n
    rate = fmt.percent(status.compliance_rate, 1, lang)
    period = period_phrase(status)
    scope = measurements_phrase(status)
    if lang == "en":
        sentences = [f"{period}, {met} of {scope} met their SLA target ({rate}); {n} "
                     f"{'was' if n == 1 else 'were'} below it."]
    else:
        sentences = [f"{period} nåede {met} af {scope} deres SLA-mål ({rate}); {n} lå under "
                     f"målet."]
    if len(status.platforms) > 1:
        parts = []
        for row in status.platforms.itertuples(index=False):
            if lang == "en":
                parts.append(f"{row.platform} in {int(row.breaches)} of {row.service_months}"
                             + (" measurements" if not parts else ""))
            else:
                parts.append(f"{row.platform} i {int(row.breaches)} af {row.service_months}"
                         + (" målinger" if not parts else ""))
        lead = "Below target: " if lang == "en" else "Under målet lå "
        sentences.append(lead + _and(parts, lang) + ".")
    month, breach = status.worst_month, status.worst_breach
    if month is not None and breach is not None:
        count = _breach_count(int(status.by_month.loc[month, "breaches"]), lang)
        name = month_label(month, lang, "long")
        actual = _pct(breach["availability_pct"], 2, lang)
        target = _pct(breach["sla_target_pct"], 2, lang)
        when = month_label(breach["month"], lang, "long")
        if lang == "en":
            sentences.append(
                f"The worst month was {name} ({count}); the largest single breach was "
                f"{breach['service']} in {when}, {actual} against a target of {target}.")
        else:
            sentences.append(
                f"Den værste måned var {name} ({count}); det største enkeltbrud var "
                f"{breach['service']} i {when} med {actual} mod et mål på {target}.")
    repeated = repeated_breaches(status)
    if not repeated.empty:
        names = [f"{r.service} ({int(r.months_breached)})" for r in repeated.itertuples()]
        many = len(repeated)
        if lang == "en":
            sentences.append(
                f"In more than one month, {many} {'service was' if many == 1 else 'services were'}"
                f" below target (months in brackets): {_and(names, lang)}.")
        else:
            sentences.append(
                f"I mere end én måned lå {many} {'tjeneste' if many == 1 else 'tjenester'} "
                f"under målet (antal måneder i parentes): {_and(names, lang)}.")
    sentences += _calls_trend(status)
    return sentences[:5]


def _calls_trend(status: OperationsStatus) -> list[str]:
    """One sentence: the calls to Serviceplatformen, first to last month and the peak."""
    lang = status.language
    if status.calls is None or len(status.calls) < 2:
        return []
    counts = status.calls.set_index("month")["service_calls"].astype("float64") / 1e6
    first, last, high = counts.index[0], counts.index[-1], counts.idxmax()
    m = lambda v: fmt.number(v, 0, lang)  # noqa: E731
    name = lambda month: month_label(month, lang, "long")  # noqa: E731
    change = _signed_pct((counts[last] / counts[first] - 1) * 100, lang)
    if lang == "en":
        return [f"Calls to Serviceplatformen went from {m(counts[first])} million in "
                f"{name(first)} to {m(counts[last])} million in {name(last)} ({change}), "
                f"with a peak of {m(counts[high])} million in {name(high)}."]
    return [f"Kaldene til Serviceplatformen gik fra {m(counts[first])} mio. i {name(first)} "
            f"til {m(counts[last])} mio. i {name(last)} ({change}) med en top på "
            f"{m(counts[high])} mio. i {name(high)}."]


def recommendation_clauses(status: OperationsStatus) -> list[str]:
    """Page 1's 'Indstilling': the briefing is noted; and, when some service was below its
    target in more than one month, that the administration follows them up with KOMBIT."""
    from ... import board

    lang = status.language
    clauses = [board.note_taken(lang)]
    repeated = repeated_breaches(status)
    if not repeated.empty:
        names = _and(list(repeated["service"]), lang)
        if lang == "en":
            clauses.append(f"that the administration follows up with KOMBIT on the services "
                           f"below their SLA target in more than one month ({names})")
        else:
            clauses.append(f"at administrationen følger op over for KOMBIT på de tjenester, "
                           f"der lå under SLA-målet i mere end én måned ({names})")
    return clauses


def key_table(status: OperationsStatus) -> pd.DataFrame:
    """Page 1's key table ('Økonomi'): measurements, met, below target and compliance per
    platform, and the total when there are several platforms."""
    lang = status.language
    p = status.platforms
    frame = pd.DataFrame({
        label("ops_key_col_measured", lang): p["service_months"].astype(float).to_numpy(),
        label("ops_key_col_met", lang): (p["service_months"] - p["breaches"]).astype(float)
        .to_numpy(),
        label("ops_key_col_missed", lang): p["breaches"].astype(float).to_numpy(),
        label("ops_key_col_compliance", lang): (p["compliance_rate"] * 100).to_numpy(),
    }, index=pd.Index(p["platform"].to_numpy(), name=label("ops_col_platform", lang)))
    if len(p) > 1:
        frame.loc[label("total", lang)] = [
            float(status.service_months), float(status.service_months - status.breach_count),
            float(status.breach_count), status.compliance_rate * 100]
    return frame


def key_block(status: OperationsStatus):
    """The key table as HTML, counts without decimals and compliance with one."""
    lang = status.language
    frame = key_table(status)
    decimals = {column: 0 for column in frame.columns}
    decimals[label("ops_key_col_compliance", lang)] = 1
    return blocks.table(frame, lang, decimals=decimals,
                        caption=label("ops_key_caption", lang, period=period_label(status)))


def economy_note(status: OperationsStatus) -> str:
    """Under the key table: an operations status has no amounts and no direct cost; then the
    abbreviations of the service names that page 1 uses (a Resumé keeps to five
    sentences, so they go at the foot of the page, in the PDF and the workbook alike)."""
    note = abbreviations_note(status)
    return " ".join(filter(None, [label("ops_economy_note", status.language), note]))


# The abbreviations in KOMBIT's service names, and what the source (the seed, KOMBIT's
# programme managers' meeting, October 2020) says they stand for. Only two are spelt out
# there: SP heads the rows of the slide "Serviceplatformen – september 2020"; and the slide
# "Støttesystemer – september 2020 – 1 ud af 2" speaks of "Klassifikation og Organisation"
# beside the rows KO - applikation / infrastruktur, whose September 2020 breach is the
# outage of Organisation on the next slide. The slides' legend explains the two layers
# ("Infrastruktur: hardware/operativsystem Applikation: software/program"). STS adm, SDY,
# BF and m1/m2 are not explained anywhere in the source, so the report does not guess.
EXPLAINED_ABBREVIATIONS = (("SP", "ops_abbrev_sp"), ("KO", "ops_abbrev_ko"))
UNEXPLAINED_ABBREVIATIONS = ("STS adm", "SDY", "BF", "m1/m2")
LAYER_WORDS = ("applikation", "infrastruktur")


def abbreviations_note(status: OperationsStatus) -> str | None:
    """One line for page 1 (under the key table, `economy_note`): the abbreviations in the
    report's service names, expanded where the source supports it, the others named as
    KOMBIT's own. None when there are none.

    >>> from udkecon.documents.operations.model import build
    >>> abbreviations_note(build(platform="Serviceplatformen"))
    'Forkortelser i tjenestenavnene: SP = Serviceplatformen. STS adm og m1/m2 er betegnelser \
som i KOMBITs driftsstatus; kilden forklarer dem ikke.'
    """
    lang = status.language
    names = " ".join(status.services["service"])

    def used(abbreviation: str) -> bool:
        parts = abbreviation.split("/")  # m1/m2: either
        return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", names) for p in parts)

    explained = [label(key, lang) for abbreviation, key in EXPLAINED_ABBREVIATIONS
                 if used(abbreviation)]
    layers = any(re.search(rf"\b{word}\b", names) for word in LAYER_WORDS)
    unexplained = [a for a in UNEXPLAINED_ABBREVIATIONS if used(a)]
    if not (explained or layers or unexplained):
        return None
    known = "; ".join(filter(None, [", ".join(explained),
                                    label("ops_abbrev_layers", lang) if layers else ""]))
    lead = label("ops_abbrev_lead", lang)
    parts = [f"{lead}: {known}."] if known else []
    if unexplained:
        rest = label("ops_abbrev_unexplained", lang, names=_and(unexplained, lang)) + "."
        parts.append(rest if known else f"{lead}: {rest}")
    return " ".join(parts)


def front_page(status: OperationsStatus):
    """Page 1 after the title: Resumé, Indstilling and Økonomi (udkecon.board)."""
    from ... import board

    return board.front_page(resume_sentences=resume_sentences(status),
                            clauses=recommendation_clauses(status),
                            economy_table=key_block(status), language=status.language,
                            economy_note=economy_note(status))


# --------------------------------------------------------------------------- the seed's context

# What KOMBIT's slides say about the incidents behind the figures, by the file name of the
# availability table (as data/raw/sources.csv keys its sources). Only what the slides say:
# "Støttesystemer – september 2020" (1 and 2 of 2) describe one incident, in September 2020;
# neither slide gives a cause for any earlier month.
SOURCE_CONTEXT = {
    "sla_availability_2019_2020.csv": {
        "covers": {
            "da": "KOMBITs dias om Serviceplatformen og Støttesystemer beskriver kun "
                  "hændelser i september 2020",
            "en": "KOMBIT's slides on Serviceplatformen and Støttesystemer describe "
                  "incidents in September 2020 only",
        },
        "months": {
            "2020-09": {
                "da": "September 2020: Ifølge diasset »Støttesystemer – september 2020 – 2 ud "
                      "af 2« skyldtes bruddet ét nedbrud på Organisation den 29.-30. "
                      "september kl. 19.50-7.45, hvor Organisation ikke kunne bruges. To "
                      "servere løb tør for hukommelse, fordi en cache i Organisation ikke "
                      "slettede data; fejlen blev afhjulpet ved at genstarte de to servere, "
                      "og en permanent rettelse af koden var planlagt til den ordinære "
                      "release 16.-17. oktober 2020. KOMBIT vurderer på diasset før "
                      "(»1 ud af 2«) driftsstabiliteten for Støttesystemer som ikke "
                      "tilfredsstillende i perioden.",
                "en": "September 2020: according to the slide \"Støttesystemer – september "
                      "2020 – 2 ud af 2\", the breach came from one outage of Organisation on "
                      "29-30 September, 19.50-7.45, when Organisation could not be used. Two "
                      "servers ran out of memory because a cache in Organisation did not "
                      "delete data; the fault was remedied by restarting the two servers, "
                      "and a permanent fix of the code was planned for the ordinary release "
                      "of 16-17 October 2020. On the slide before (\"1 ud af 2\") KOMBIT "
                      "rates the operational stability of Støttesystemer in the period as "
                      "not satisfactory.",
            },
        },
    },
}

WORST_MONTHS_SHOWN = 3


def worst_months(status: OperationsStatus, count: int = WORST_MONTHS_SHOWN) -> list[str]:
    """The months with breaches, most downtime beyond the SLA first (ties as
    `operations.worst_month`: more breaches, then the earlier month), at most `count`."""
    by_month = status.by_month
    ranked = []
    remaining = by_month
    while len(ranked) < count:
        month = operations.worst_month(remaining)
        if month is None:
            break
        ranked.append(month)
        remaining = remaining.drop(month)
    return ranked


def context_sentences(status: OperationsStatus) -> list[str]:
    """What the source says about the worst months: the incident it describes, and for the
    other worst months that the source gives no cause. Empty without breaches."""
    lang = status.language
    months = worst_months(status)
    if not months:
        return []
    context = SOURCE_CONTEXT.get(status.inputs[0]["file"], {}) if status.inputs else {}
    described = context.get("months", {})
    names = _and([f"{month_label(m, lang, 'long')} "
                  f"({_about_hours(status.by_month.loc[m, 'excess_downtime_hours'], lang)})"
                  for m in months], lang)
    if len(months) == 1:
        sentences = [f"The worst month, by downtime beyond the SLA targets, was {names}."
                     if lang == "en" else
                     f"Den værste måned målt på nedetid ud over SLA-målene var {names}."]
    elif lang == "en":
        sentences = [f"The worst months, by downtime beyond the SLA targets, were {names}."]
    else:
        sentences = [f"De værste måneder målt på nedetid ud over SLA-målene var {names}."]
    sentences += [described[m][lang] for m in months if m in described]
    silent = sorted(m for m in months if m not in described)
    if silent:
        covers = context.get("covers", {}).get(lang)
        names = _and([month_label(m, lang, "long") for m in silent], lang)
        one = int(status.by_month.loc[silent, "breaches"].sum()) == 1
        if lang == "en":
            sentence = (f"The source gives no cause for the {'breach' if one else 'breaches'} "
                        f"in {names}")
        else:
            sentence = (f"Kilden oplyser ingen årsag til {'bruddet' if one else 'bruddene'} "
                        f"i {names}")
        sentences.append(sentence + (f": {covers}." if covers else "."))
    return sentences


# --------------------------------------------------------------------------- the annex

def scope_sentence(status: OperationsStatus) -> str:
    """The report's choices in reader words: period, platforms, what a measurement is."""
    lang = status.language
    platforms = (label("ops_all_platforms", lang, platforms=platform_label(status))
                 if status.platform is None else status.platform)
    if lang == "en":
        return (f"The report covers {period_label(status)} and {platforms}: "
                f"{measurements_phrase(status)}.")
    return (f"Rapporten dækker {period_label(status)} og {platforms}: "
            f"{measurements_phrase(status)}.")


def annex_blocks(status: OperationsStatus) -> list:
    """The annex's opening at the back: 'Bilag: Datagrundlag og metode' on a new page and the
    sources of the files read (udkecon.board)."""
    from ... import board

    return [board.annex_heading(status.language),
            board.source_list(status.inputs, status.language)]
