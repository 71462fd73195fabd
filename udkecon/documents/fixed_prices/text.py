"""What the fixed-price report says: the committee paper's page 1 (Resumé, Indstilling,
Økonomi), the tables in the reader's labels, the source line under a chart and the annex
"Datagrundlag og metode".

The Resumé's sentences are label templates whose numbers are `Figure`s: the PDF formats
them here, and the workbook writes the same sentences as formulas over its own cells
(`workbook._resume_formulas`), so that the two say the same and the workbook's sentences
follow a change of the base year.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML, display

from ... import blocks, board, fmt, phases
from ...labels import label
from ...phases import year_phases
from .model import CostAnalysis


@dataclass(frozen=True)
class Figure:
    """A number in a Resumé sentence: what it measures, over which years, its value at the run.

    `measure` is gross, dut or net (fixed prices, summed over `years`), a cost type
    (dual_operation, new_tasks: fixed prices summed over `years`), peak_year or peak_gross
    (the year of the highest gross cost and that cost), or base_year (the assumption
    itself). The workbook writes each as a formula over its own tables.
    """

    measure: str
    value: float
    years: tuple[int, int] = (0, 0)  # first and last year summed
    kind: str = "money"  # money (mio. kr., one decimal) | year

    def text(self, language: str) -> str:
        if self.kind == "year":
            return str(int(self.value))
        return fmt.money(self.value, 1, language)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def phase_years(analysis: CostAnalysis, key: str) -> tuple[int, int]:
    """First and last year of a phase of the phases table (dual_operation, transition,
    first_full_year)."""
    row = analysis.phases.loc[analysis.phases["phase"] == key].iloc[0]
    return int(row["first_year"]), int(row["last_year"])


def resume_parts(analysis: CostAnalysis) -> list[tuple[str, dict]]:
    """The Resumé as (label key, fields) per sentence; numbers are `Figure`s.

    A ledger that does not reach into the transition or the first full year (a user's own
    file) gets no sentence about it.
    """
    net, by_type = analysis.net, analysis.by_type_fixed
    years = analysis.years
    first, last = years[0], years[-1]
    zero = pd.Series(0.0, index=net.index)

    def total(measure: str, span: tuple[int, int]) -> Figure:
        column = (net[f"{measure}_fixed"] if measure in ("gross", "dut", "net")
                  else by_type.get(measure, zero))
        return Figure(measure, float(column.loc[span[0]:span[1]].sum()), span)

    parts = [("costs_resume_total", {
        "period": f"{first}-{last}",
        "base_year": Figure("base_year", analysis.base_year, kind="year"),
        "gross": total("gross", (first, last)), "dut": total("dut", (first, last)),
        "net": total("net", (first, last))})]
    t_first, t_last = phase_years(analysis, "transition")
    transition = [y for y in years if t_first <= y <= t_last]
    if transition:
        span = (transition[0], transition[-1])
        peak_year = int(net["gross_fixed"].idxmax())
        parts.append(("costs_resume_transition", {
            "transition_period": _span(*span),
            "transition": total("gross", span), "dual": total("dual_operation", span),
            "peak_year": Figure("peak_year", peak_year, (first, last), "year"),
            "peak": Figure("peak_gross", net.loc[peak_year, "gross_fixed"], (first, last))}))
    full_year = phase_years(analysis, "first_full_year")[0]
    if full_year in years:
        span = (full_year, full_year)
        parts.append(("costs_resume_first_full_year", {
            "year": str(full_year), "gross": total("gross", span),
            "new_tasks": total("new_tasks", span), "dut": total("dut", span),
            "net": total("net", span)}))
    if analysis.illustrative:
        parts.append(("costs_resume_illustrative", {}))
    return parts


def resume_sentences(analysis: CostAnalysis) -> list[str]:
    """The Resumé (three or four sentences), every number taken from the analysis."""
    lang = analysis.language
    return [fmt.sentence(label(key, lang, **{
        name: value.text(lang) if isinstance(value, Figure) else value
        for name, value in fields.items()})) for key, fields in resume_parts(analysis)]


def recommendation(analysis: CostAnalysis) -> list[str]:
    """The Indstilling: an orientation, with no decision for the committee to take."""
    return [board.note_taken(analysis.language)]


def first_full_year(analysis: CostAnalysis) -> int:
    return phase_years(analysis, "first_full_year")[0]


def economy_table(analysis: CostAnalysis) -> pd.DataFrame:
    """Økonomi: gross, DUT and net per year in fixed prices, the first full year named
    (the total row is added by `blocks.table`, named by `economy_total`)."""
    lang = analysis.language
    full_year = first_full_year(analysis)
    names = [label("costs_economy_first_full_year", lang, year=y) if y == full_year else str(y)
             for y in analysis.years]
    table = net_table(analysis)
    table.index = pd.Index(names, name=label("year", lang))
    return table


def title(analysis: CostAnalysis) -> str:
    """The report's title: its period is the ledger's years (a ledger with 2022 says so)."""
    return label("costs_title", analysis.language, base_year=analysis.base_year,
                 period=f"{analysis.years[0]}-{analysis.years[-1]}")


def economy_total(analysis: CostAnalysis) -> str:
    return label("costs_economy_total", analysis.language,
                 period=f"{analysis.years[0]}-{analysis.years[-1]}")


def economy_caption(analysis: CostAnalysis) -> str:
    return label("costs_economy_caption", analysis.language, base_year=analysis.base_year)


def front_page(analysis: CostAnalysis) -> HTML:
    """Page 1 under the title: Resumé, Indstilling and Økonomi."""
    lang = analysis.language
    table = blocks.table(economy_table(analysis), lang, total_row=economy_total(analysis),
                         caption=economy_caption(analysis))
    return board.front_page(resume_sentences=resume_sentences(analysis),
                            clauses=recommendation(analysis), economy_table=table,
                            language=lang, economy_note=economy_note(analysis))


def economy_note(analysis: CostAnalysis) -> str:
    """Under the key table: what net means, and that the total may differ from the sum of
    the rounded rows (the totals are summed from the unrounded amounts)."""
    lang = analysis.language
    return f"{label('costs_economy_note', lang)} {label('costs_rounding_note', lang)}"


def type_block(analysis: CostAnalysis, prices: str = "fixed") -> HTML:
    """The table of costs by year and type with its totals, in fixed or current prices,
    and the note under it (the restatement for fixed prices; rounding for both)."""
    lang = analysis.language
    notes = [label("restate_formula", lang, base_year=analysis.base_year)] \
        if prices == "fixed" else []
    caption = (label("table_fixed", lang, base_year=analysis.base_year) if prices == "fixed"
               else label("table_current", lang))
    return blocks.table(type_table(analysis, prices), lang, total_row=label("total", lang),
                        caption=caption,
                        note=" ".join([*notes, label("costs_rounding_note", lang)]))


def price_basis(analysis: CostAnalysis) -> str:
    """The price basis in a few words for the title block (the index's source is in the
    annex)."""
    return label("costs_price_basis", analysis.language, base_year=analysis.base_year,
                 index=analysis.index.name)


def year_table(analysis: CostAnalysis) -> pd.DataFrame:
    """Per year: index, restatement factor, totals in current and fixed prices, phases."""
    lang = analysis.language
    years = analysis.years
    index_values = analysis.index.values.reindex(years)
    factor = analysis.index[analysis.base_year] / index_values
    return pd.DataFrame({
        label("phase", lang): year_phases(years, analysis.phases, lang).to_numpy(),
        label("index_value", lang): index_values.to_numpy(),
        label("restate_factor", lang): factor.to_numpy(),
        label("current_prices", lang): analysis.net["gross_current"].to_numpy(),
        label("fixed_prices", lang) + f" ({analysis.base_year})":
            analysis.net["gross_fixed"].to_numpy(),
    }, index=pd.Index([str(y) for y in years], name=label("year", lang)))


def type_table(analysis: CostAnalysis, prices: str = "fixed") -> pd.DataFrame:
    """Years x cost types with a total column, reader's labels (for report and workbook)."""
    lang = analysis.language
    table = analysis.by_type_fixed if prices == "fixed" else analysis.by_type_current
    out = table.rename(columns=lambda c: label(c, lang)).copy()
    out[label("total", lang)] = table.sum(axis=1)
    # years are labels here, not numbers: no "2.017"
    out.index = pd.Index([str(int(y)) for y in table.index], name=label("year", lang))
    return out


def net_table(analysis: CostAnalysis) -> pd.DataFrame:
    """Gross, DUT and net in fixed prices per year, reader's labels."""
    lang = analysis.language
    net = analysis.net
    return pd.DataFrame({
        label("gross_cost", lang): net["gross_fixed"].to_numpy(),
        label("dut_compensation", lang): net["dut_fixed"].to_numpy(),
        label("net_cost", lang): net["net_fixed"].to_numpy(),
    }, index=pd.Index([str(y) for y in net.index], name=label("year", lang)))


def source_note(analysis: CostAnalysis) -> str:
    """'Kilde: ...' line for under a chart, with the illustrative mark when it applies."""
    lang = analysis.language
    titles = [s[f"title_{lang}"] for s in analysis.inputs if s.get("status") == "illustrative"]
    text = f"{label('source_prefix', lang)}: " + "; ".join(titles or [s[f"title_{lang}"]
                                                                      for s in analysis.inputs])
    # the index only by name here: its full source is in the annex
    basis = label("fixed_prices", lang) + f" ({analysis.base_year}), {analysis.index.name}"
    return f"{text}. {basis}."


def files_table(analysis: CostAnalysis) -> pd.DataFrame:
    """The annex's data files: file name, what it holds, the start of its sha256 (the
    workbook's sheet "Om tallene" has the whole hash)."""
    lang = analysis.language
    return pd.DataFrame({
        label("costs_annex_content", lang): [s[f"title_{lang}"] for s in analysis.inputs],
        label("costs_annex_sha", lang): [s["sha256"][:12] for s in analysis.inputs],
    }, index=pd.Index([s["file"] for s in analysis.inputs], name=label("costs_annex_file", lang)))


def annex(analysis: CostAnalysis) -> None:
    """Bilag: Datagrundlag og metode, at the back: sources, method, the index year by year,
    what is illustrative, and the data files."""
    lang = analysis.language
    display(board.annex_heading(lang))
    display(board.source_list(analysis.inputs, lang))
    blocks.heading(label("method_heading", lang), lang, level=3)
    years = analysis.index.years
    display(blocks.paragraph(
        label("costs_method_index", lang, base_year=analysis.base_year,
              index=analysis.index.name, span=f"{years[0]}-{years[-1]}")
        + " " + label("restate_formula", lang, base_year=analysis.base_year)))
    display(blocks.paragraph(label("costs_method_net", lang)))
    display(blocks.table(year_table(analysis), lang, decimals={label("index_value", lang): 2,
                         label("restate_factor", lang): 4}, caption=label("table_years", lang)))
    if analysis.illustrative:
        display(blocks.paragraph(label("illustrative_note", lang)))
    display(blocks.table(files_table(analysis), lang, caption=label("costs_annex_files", lang),
                         note=label("costs_annex_files_note", lang,
                                    sheet=label("xl_sheet_about", lang))))


def phase_spans(analysis: CostAnalysis) -> list[tuple[str, int, int]]:
    """(name, first year, last year) of each phase, named in the reader's language."""
    return phases.phase_spans(analysis.phases, analysis.language)
