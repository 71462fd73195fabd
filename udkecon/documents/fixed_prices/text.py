"""What the fixed-price report says: the opening paragraph, the key figures, the tables in
the reader's labels, the source line under a chart and the method section.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import display

from ... import blocks, fmt, phases
from ...labels import label
from ...phases import year_phases
from .model import CostAnalysis


def summary_sentences(analysis: CostAnalysis) -> list[str]:
    """The report's opening paragraph, every number taken from the analysis."""
    lang, net = analysis.language, analysis.net
    first, last = analysis.years[0], analysis.years[-1]
    gross_total = net["gross_fixed"].sum()
    net_total = net["net_fixed"].sum()
    dut_total = net["dut_fixed"].sum()
    peak_year = int(net["gross_fixed"].idxmax())
    dual = analysis.by_type_fixed.get("dual_operation", pd.Series(0.0, index=net.index))
    new = analysis.by_type_fixed.get("new_tasks", pd.Series(0.0, index=net.index))
    amounts = {name: fmt.money(value, 1, lang) for name, value in (
        ("gross", gross_total), ("dut", dut_total), ("net", net_total),
        ("peak", net.loc[peak_year, "gross_fixed"]), ("dual", dual.get(first, 0.0)),
        ("last", net.loc[last, "gross_fixed"]), ("new", new.get(last, 0.0)),
        ("last_dut", net.loc[last, "dut_fixed"]))}
    if lang == "en":
        sentences = [
            f"In {analysis.base_year} prices, the municipalities' IT costs related to UDK "
            f"total {amounts['gross']} over {first}-{last}; after DUT compensation of "
            f"{amounts['dut']}, the net municipal cost is {amounts['net']}.",
            f"Costs peak in {peak_year} at {amounts['peak']}, when new "
            f"and existing solutions ran side by side (dual operation "
            f"{amounts['dual']} in {first}).",
            f"{last}, the first full year of operation, costs {amounts['last']}, "
            f"of which {amounts['new']} are extra costs of new tasks from law and "
            f"practice changes; DUT compensates {amounts['last_dut']} of it.",
        ]
    else:
        sentences = [
            f"Opgjort i {analysis.base_year}-priser udgør kommunernes IT-omkostninger vedr. UDK "
            f"{amounts['gross']} i {first}-{last}; efter DUT-kompensation på {amounts['dut']} "
            f"er den kommunale nettoomkostning {amounts['net']}.",
            f"Omkostningerne topper i {peak_year} med {amounts['peak']}, "
            f"hvor nye og eksisterende løsninger var i drift samtidig (dobbeltdrift "
            f"{amounts['dual']} i {first}).",
            f"{last}, det første fulde driftsår, koster {amounts['last']}, heraf "
            f"{amounts['new']} i meromkostninger til nye opgaver som følge af lov- og "
            f"praksisændringer; DUT kompenserer {amounts['last_dut']} heraf.",
        ]
    return [fmt.sentence(s) for s in sentences]


def key_figures(analysis: CostAnalysis) -> list[tuple[str, str]]:
    """The report's headline numbers (value, caption) for the boxes under the title."""
    lang, net = analysis.language, analysis.net
    first, last = analysis.years[0], analysis.years[-1]
    period = f"{first}-{last}"
    return [
        (fmt.number(net["gross_fixed"].sum(), 1, lang),
         label("key_gross_total", lang, period=period)),
        (fmt.number(net["dut_fixed"].sum(), 1, lang), label("key_dut_total", lang, period=period)),
        (fmt.number(net["net_fixed"].sum(), 1, lang), label("key_net_total", lang, period=period)),
        (fmt.number(net.loc[last, "gross_fixed"], 1, lang),
         label("key_first_full_year", lang, year=last)),
    ]


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
    # the index only by name here: its full source is in the title block and the method note
    basis = label("fixed_prices", lang) + f" ({analysis.base_year}), {analysis.index.name}"
    return f"{text}. {basis}."


def method_note(analysis: CostAnalysis) -> None:
    """The method section: formula, index and source, what is illustrative."""
    language = analysis.language
    blocks.heading(label("method_heading", language), language)
    display(blocks.paragraph(analysis.index.describe(analysis.base_year, language) + ". "
                             + label("restate_formula", language, base_year=analysis.base_year)))
    if analysis.illustrative:
        display(blocks.paragraph(label("illustrative_note", language)))


def phase_spans(analysis: CostAnalysis) -> list[tuple[str, int, int]]:
    """(name, first year, last year) of each phase, named in the reader's language."""
    return phases.phase_spans(analysis.phases, analysis.language)
