"""A municipality's handout workbook: its share of the UDK costs and business case, with the
allocation key and the shares as live formulas a reader can follow and change.

Sheets (Danish names; English with language="en"):

    Oversigt          key figures of the period, by year, per inhabitant, two native charts
    Kommunens andel   per year: national gross and DUT x the municipality's key shares
    Pr. indbygger     municipality, region and country: amounts and kr. per inhabitant
    Fordelingsnøgle   every municipality: weight = MIN(pop; thr.) + w * MAX(pop - thr.; 0)
    Landstal          national gross and DUT, current prices -> fixed prices
    Business case     the national case by year and the municipality's share of it
    Forudsætninger    threshold and weight of the key (yellow: may be changed), base year
    Om tallene        sources, method, parameters, sha256 of every input, version, time

The package's shares are whole øre (largest remainder); the formulas compute them unrounded,
so a recalculated cell may differ from the cached value by less than one øre (1e-8 mio. kr.).
"""

from __future__ import annotations

import datetime as dt

from ... import fmt
from ...allocation import BEK1629_THRESHOLD, BEK1629_WEIGHT, LEVELS, allocation_key_table
from ...excel.about import (
    Section,
    footer_note,
    input_sections,
    parameters_section,
    report_section,
    set_properties,
    write_about_sheet,
)
from ...excel.book import (
    FACTOR,
    FIRST_ROW,
    INDEX,
    INPUT_FILL,
    MONEY,
    SECTION_FONT,
    TOTAL_FONT,
    YEAR,
    Book,
    Column,
    Formula,
    quote,
    ref,
)
from ...excel.charts import COLOURS, column_chart
from ...excel.save import report_writer
from ...labels import label
from . import text
from .model import MunicipalityHandout

PEOPLE = "#,##0"
KR = "#,##0"
KEY_SHARE = "0.000%"
WEIGHT = "#,##0.000"
RATE_INDEX = "0.0"

# Cells of the assumptions sheet that the formulas read
CODE_CELL = f"$B${FIRST_ROW}"
THRESHOLD_CELL = f"$B${FIRST_ROW + 1}"
WEIGHT_CELL = f"$B${FIRST_ROW + 2}"
BASE_YEAR_CELL = f"$B${FIRST_ROW + 3}"
BASE_INDEX_CELL = f"$B${FIRST_ROW + 4}"


def _money(decimals: int) -> str:
    return "#,##0." + "0" * decimals + ";-#,##0." + "0" * decimals if decimals else MONEY


class _Names:
    """The sheet titles in the workbook's language."""

    def __init__(self, book: Book):
        self.summary = book.label("xl_sheet_summary")
        self.assumptions = book.label("xl_sheet_assumptions")
        for key in ("shares", "comparison", "key", "national", "case"):
            setattr(self, key, book.label(f"xl_handout_sheet_{key}"))


class _Layout:
    """Where the figures that other sheets read are (every table starts at FIRST_ROW)."""

    def __init__(self, names: _Names, h: MunicipalityHandout, table):
        self.key_first, self.key_last = FIRST_ROW, FIRST_ROW + len(table) - 1
        self.shares_first, self.shares_last = FIRST_ROW, FIRST_ROW + len(h.years) - 1
        self.case_npv_cell = ""
        if h.business_case is not None:
            last = FIRST_ROW + len(h.business_case.by_year) - 1
            self.case_npv_cell = ref(names.case, f"$G${last + 3}")


def _assumption(names: _Names, cell: str) -> str:
    return ref(names.assumptions, cell)


def _key_lookup(names: _Names, layout: _Layout, column: int) -> str:
    """A column of the municipality's row on the key sheet (1 = code)."""
    sheet = quote(names.key)
    return (f"VLOOKUP({_assumption(names, CODE_CELL)},{sheet}!$A${layout.key_first}:"
            f"$G${layout.key_last},{column},FALSE)")


# --------------------------------------------------------------------------- sheets

def _assumptions_sheet(book: Book, names: _Names, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.assumptions)
    book.heading(ws, book.label("xl_assumptions_title"), book.label("xl_assumptions_subtitle"))
    columns = [Column(book.label("xl_parameter"), width=26),
               Column(book.label("xl_value"), width=16),
               Column(book.label("xl_explanation"), width=70, wrap=True)]
    case = h.business_case
    rows = [
        [book.label("xl_handout_code"), h.code,
         book.label("xl_handout_code_help", sheet=names.key)],
        [book.label("xl_handout_threshold"), BEK1629_THRESHOLD,
         book.label("xl_handout_threshold_help")],
        [book.label("xl_handout_weight_above"), BEK1629_WEIGHT,
         book.label("xl_handout_weight_above_help")],
        [book.label("xl_base_year"), h.base_year, book.label("xl_handout_base_year_help")],
        [book.label("xl_handout_base_index"), h.analysis.index[h.base_year],
         book.label("xl_handout_base_index_help", sheet=names.national)],
        [book.label("xl_handout_rate"), case.national.rate_name if case else "",
         book.label("xl_handout_rate_help")],
    ]
    book.table(ws, "handout_assumptions", columns, rows)
    for cell, number_format in ((THRESHOLD_CELL, PEOPLE), (WEIGHT_CELL, "0.000")):
        ws[cell.replace("$", "")].fill = INPUT_FILL
        ws[cell.replace("$", "")].number_format = number_format
    ws[BASE_YEAR_CELL.replace("$", "")].number_format = YEAR
    ws[BASE_INDEX_CELL.replace("$", "")].number_format = INDEX
    ws[CODE_CELL.replace("$", "")].number_format = YEAR


def _key_sheet(book: Book, names: _Names, table) -> None:
    ws = book.add_sheet(names.key, landscape=True)
    book.heading(ws, book.label("xl_handout_key_title"),
                 book.label("xl_handout_key_subtitle", sheet=names.assumptions))
    key = allocation_key_table(table)
    first, last = FIRST_ROW, FIRST_ROW + len(key) - 1
    threshold, weight = _assumption(names, THRESHOLD_CELL), _assumption(names, WEIGHT_CELL)
    population_total = key["population"].sum()
    columns = [Column(book.label("xl_handout_code"), YEAR),
               Column(book.label("xl_handout_municipality")),
               Column(book.label("xl_handout_region")),
               Column(book.label("handout_population"), PEOPLE),
               Column(book.label("xl_handout_weight"), WEIGHT, 16),
               Column(book.label("xl_handout_key_share"), KEY_SHARE, 14),
               Column(book.label("xl_handout_population_share"), KEY_SHARE, 14)]
    rows = []
    for row, record in enumerate(key.itertuples(), start=first):
        rows.append([
            int(record.municipality_code), record.municipality, record.region,
            int(record.population),
            Formula(f"=MIN(D{row},{threshold})+{weight}*MAX(D{row}-{threshold},0)",
                    record.weight),
            Formula(f"=E{row}/SUM($E${first}:$E${last})", record.share_pct / 100),
            Formula(f"=D{row}/SUM($D${first}:$D${last})", record.population / population_total),
        ])
    book.table(ws, "allocation_key", columns, rows)


def _national_sheet(book: Book, names: _Names, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.national, landscape=True)
    book.heading(ws, book.label("xl_handout_national_title"),
                 book.label("xl_handout_national_subtitle", base_year=h.base_year))
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_index_of_year"), INDEX),
               Column(book.label("xl_gross_current"), MONEY),
               Column(book.label("xl_dut_current"), MONEY),
               Column(book.label("restate_factor"), FACTOR),
               Column(book.label("xl_gross_fixed"), MONEY),
               Column(book.label("xl_dut_fixed"), MONEY), Column(book.label("xl_net_fixed"), MONEY)]
    base_index = _assumption(names, BASE_INDEX_CELL)
    rows = []
    for row, year in enumerate(h.years, start=FIRST_ROW):
        net = h.analysis.net.loc[year]
        rows.append([
            year, h.analysis.index[year], net["gross_current"], net["dut_current"],
            Formula(f"={base_index}/B{row}",
                    h.analysis.index[h.base_year] / h.analysis.index[year]),
            Formula(f"=C{row}*E{row}", net["gross_fixed"]),
            Formula(f"=D{row}*E{row}", net["dut_fixed"]),
            Formula(f"=F{row}-G{row}", net["net_fixed"]),
        ])
    book.table(ws, "national_figures", columns, rows)


def _shares_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.shares, landscape=True)
    book.heading(ws, book.label("xl_handout_shares_title", name=h.name),
                 book.label("xl_handout_shares_subtitle", base_year=h.base_year))
    money = _money(text.decimals(h))
    columns = [Column(book.label("year"), YEAR),
               Column(book.label("xl_handout_national_gross"), MONEY),
               Column(book.label("xl_handout_national_dut"), MONEY),
               Column(book.label("xl_handout_key_share"), KEY_SHARE),
               Column(book.label("xl_handout_population_share"), KEY_SHARE),
               Column(book.label("xl_handout_gross_share"), money),
               Column(book.label("xl_handout_dut_share"), money),
               Column(book.label("xl_handout_net_share"), money),
               Column(book.label("handout_net_kr"), "#,##0.0")]
    national = quote(names.national)
    own = h.comparison[h.comparison["level"] == "municipality"].set_index("period")
    rows = []
    for row, year in enumerate(h.years, start=FIRST_ROW):
        national_row = f"{national}!$A:$H"
        rows.append([
            year,
            Formula(f"=VLOOKUP($A{row},{national_row},6,FALSE)",
                    h.analysis.net.loc[year, "gross_fixed"]),
            Formula(f"=VLOOKUP($A{row},{national_row},7,FALSE)",
                    h.analysis.net.loc[year, "dut_fixed"]),
            Formula(f"={_key_lookup(names, layout, 6)}", h.key_share),
            Formula(f"={_key_lookup(names, layout, 7)}", h.population_share),
            Formula(f"=B{row}*D{row}", h.shares.loc[year, "gross"]),
            Formula(f"=C{row}*E{row}", h.shares.loc[year, "dut"]),
            Formula(f"=F{row}-G{row}", h.shares.loc[year, "net"]),
            Formula(f"=H{row}*1000000/{_key_lookup(names, layout, 4)}",
                    own.loc[str(year), "net_kr"]),
        ])
    book.table(ws, "municipality_share", columns, rows)


def _comparison_sheet(book: Book, names: _Names, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.comparison, landscape=True)
    book.heading(ws, book.label("xl_handout_comparison_title"),
                 book.label("xl_handout_comparison_subtitle", base_year=h.base_year))
    money = _money(text.decimals(h))
    columns = [Column(book.label("xl_handout_period"), width=11),
               Column(book.label("handout_level"), width=14),
               Column(book.label("xl_handout_municipality"), width=22),
               Column(book.label("handout_population"), PEOPLE),
               Column(book.label("gross_cost"), money),
               Column(book.label("dut_compensation"), money),
               Column(book.label("net_cost"), money),
               Column(book.label("handout_gross_kr"), "#,##0.0"),
               Column(book.label("handout_dut_kr"), "#,##0.0"),
               Column(book.label("handout_net_kr"), "#,##0.0"),
               Column(book.label("handout_net_index"), RATE_INDEX)]
    rows = []
    periods = list(dict.fromkeys(h.comparison["period"]))
    row = FIRST_ROW
    for period in periods:
        block = h.comparison[h.comparison["period"] == period].set_index("level")
        country_row = row + LEVELS.index("country")
        for level in LEVELS:
            record = block.loc[level]
            rows.append([
                period, book.label(f"xl_handout_level_{level}"), record["name"],
                int(record["population"]), record["gross"], record["dut"], record["net"],
                Formula(f"=E{row}*1000000/D{row}", record["gross_kr"]),
                Formula(f"=F{row}*1000000/D{row}", record["dut_kr"]),
                Formula(f"=G{row}*1000000/D{row}", record["net_kr"]),
                Formula(f"=100*J{row}/J{country_row}", record["net_index"]),
            ])
            row += 1
    book.table(ws, "per_inhabitant", columns, rows)


def _case_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    share = h.business_case
    national = share.national
    ws = book.add_sheet(names.case, landscape=True)
    book.heading(ws, book.label("xl_handout_case_title"),
                 book.label("xl_handout_case_subtitle", base_year=h.base_year))
    money = _money(max(text.decimals(h), 2))
    columns = [Column(book.label("year"), YEAR),
               Column(book.label("xl_handout_net_benefit_national"), MONEY),
               Column(book.label("xl_handout_discount_factor"), FACTOR),
               Column(book.label("xl_handout_discounted_national"), MONEY),
               Column(book.label("xl_handout_key_share"), KEY_SHARE),
               Column(book.label("xl_handout_net_benefit_share"), money),
               Column(book.label("xl_handout_discounted_share"), money),
               Column(book.label("xl_handout_cumulative_share"), money)]
    rows = []
    first = FIRST_ROW
    for row, year in enumerate(share.by_year.index, start=first):
        position = row - first
        rows.append([
            int(year), float(national.net_benefit[position]),
            float(national.discount_factors[position]),
            Formula(f"=B{row}*C{row}", float(national.discounted_net_benefit[position])),
            Formula(f"={_key_lookup(names, layout, 6)}", share.key_share),
            Formula(f"=B{row}*E{row}", share.by_year.loc[year, "net_benefit"]),
            Formula(f"=D{row}*E{row}", share.by_year.loc[year, "discounted_net_benefit"]),
            Formula(f"=SUM(G${first}:G{row})", share.by_year.loc[year, "cumulative_discounted"]),
        ])
    _, last = book.table(ws, "business_case_share", columns, rows)
    below = last + 2
    book.put(ws, below, 1, book.label("xl_handout_npv_national"), font=TOTAL_FONT)
    book.put(ws, below, 4, Formula(f"=SUM(D{first}:D{last})", national.npv), MONEY,
             font=TOTAL_FONT)
    book.put(ws, below + 1, 1, book.label("xl_handout_npv_share"), font=TOTAL_FONT)
    book.put(ws, below + 1, 7, Formula(f"=SUM(G{first}:G{last})", share.npv), money,
             font=TOTAL_FONT)
    book.put(ws, below + 3, 1, national.price_basis)
    assert layout.case_npv_cell == ref(names.case, f"$G${below + 1}")


def _summary_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.summary, landscape=True)
    ws.page_setup.fitToHeight = 1
    book.heading(ws, book.title, label("handout_subtitle", h.language, region=h.region,
                                       population=fmt.number(h.population, 0, h.language),
                                       date=fmt.long_date(h.population_date, h.language)
                                       if h.population_date else ""))
    money = _money(text.decimals(h))
    shares = quote(names.shares)
    first, last = layout.shares_first, layout.shares_last
    total = h.shares.sum()
    own = h.level("municipality")

    book.put(ws, 5, 1, book.label("xl_handout_key_figures", period=h.period), font=SECTION_FONT)
    figures = [
        (book.label("xl_handout_municipality"), f"{h.name} ({h.code})", None),
        (book.label("xl_handout_region"), h.region, None),
        (book.label("handout_population"),
         Formula(f"={_key_lookup(names, layout, 4)}", h.population), PEOPLE),
        (book.label("xl_handout_key_share"),
         Formula(f"={_key_lookup(names, layout, 6)}", h.key_share), KEY_SHARE),
        (book.label("xl_handout_population_share"),
         Formula(f"={_key_lookup(names, layout, 7)}", h.population_share), KEY_SHARE),
        (book.label("gross_cost"), Formula(f"=SUM({shares}!F{first}:F{last})", total["gross"]),
         money),
        (book.label("dut_compensation"),
         Formula(f"=SUM({shares}!G{first}:G{last})", total["dut"]), money),
        (book.label("net_cost"), Formula(f"=SUM({shares}!H{first}:H{last})", total["net"]),
         money),
    ]
    # net per inhabitant from the net and population cells above (figures start in row 6)
    net_row, population_row = 6 + len(figures) - 1, 6 + 2
    figures.append((book.label("handout_net_kr"),
                    Formula(f"=B{net_row}*1000000/B{population_row}", own["net_kr"]),
                    "#,##0.0"))
    if h.business_case is not None:
        figures.append((book.label("xl_handout_npv_share"),
                        Formula(f"={layout.case_npv_cell}", h.business_case.npv),
                        _money(max(text.decimals(h), 2))))
    for row, (name, value, number_format) in enumerate(figures, start=6):
        bold = TOTAL_FONT if name == book.label("net_cost") else None
        book.put(ws, row, 1, name, font=bold)
        book.put(ws, row, 2, value, number_format, font=bold)

    # by year: the chart's data, read from the shares sheet
    top = 6 + len(figures) + 1
    book.put(ws, top, 1, book.label("xl_handout_by_year"), font=SECTION_FONT)
    header = top + 1
    book.header_row(ws, header, 1, [book.label("year"), book.label("gross_cost"),
                                    book.label("dut_compensation"), book.label("net_cost")])
    for offset, year in enumerate(h.years):
        row, source = header + 1 + offset, first + offset
        book.put(ws, row, 1, year, YEAR)
        for column, (letter_, measure) in enumerate((("F", "gross"), ("G", "dut"),
                                                     ("H", "net")), start=2):
            book.put(ws, row, column, Formula(f"={shares}!{letter_}{source}",
                                              h.shares.loc[year, measure]), money)
    years_last = header + len(h.years)

    # per inhabitant, whole period: municipality, region, country
    level_top = years_last + 2
    book.put(ws, level_top, 1, book.label("xl_handout_by_level", period=h.period),
             font=SECTION_FONT)
    level_header = level_top + 1
    book.header_row(ws, level_header, 1, [book.label("handout_level"),
                                          book.label("handout_net_kr")])
    for offset, level in enumerate(LEVELS):
        row = level_header + 1 + offset
        book.put(ws, row, 1, h.level(level)["name"])
        book.put(ws, row, 2, float(h.level(level)["net_kr"]), "#,##0.0")
    levels_last = level_header + len(LEVELS)

    ws.column_dimensions["A"].width = 30
    for column in "BCD":
        ws.column_dimensions[column].width = 19
    ws.row_dimensions[header].height = 30
    ws.row_dimensions[level_header].height = 30
    by_year = column_chart(ws, "F5", title=book.label("xl_handout_chart_years"),
                 axis_title=book.label("unit"), header_row=header, first_row=header + 1,
                 last_row=years_last, first_column=2, last_column=4,
                 colours=[COLOURS["fixed"], COLOURS["current"], COLOURS["net"]],
                 number_format=money.split(";")[0])
    by_level = column_chart(ws, "F21", title=book.label("xl_handout_chart_levels",
                                                        period=h.period),
                            axis_title="kr." if h.language == "da" else "DKK",
                            header_row=level_header, first_row=level_header + 1,
                            last_row=levels_last, first_column=2, last_column=2,
                            colours=[COLOURS["fixed"]])
    by_level.legend = None  # one series, named in the title
    for chart in (by_year, by_level):
        chart.y_axis.scaling.min = 0  # columns are compared by height: start at zero


def _about_sections(book: Book, h: MunicipalityHandout, parameters: dict, author: str,
                    generated_at: dt.datetime) -> list[Section]:
    method = Section(book.label("xl_handout_about_method"),
                     [("", sentence) for sentence in text.method_sentences(h)])
    return [report_section(book, author, generated_at), method,
            parameters_section(book, parameters), *input_sections(book, h.inputs)]


# --------------------------------------------------------------------------- the workbook

def build(h: MunicipalityHandout, *, parameters: dict, author: str = "udkecon",
          generated_at: dt.datetime | None = None) -> Book:
    """The workbook in memory (for tests and for callers that add sheets). The key sheet
    shows the municipalities table the handout was computed from."""
    generated_at = generated_at or fmt.generation_time()
    book = Book(title=label("handout_title", h.language, name=h.name, period=h.period),
                language=h.language, illustrative=h.illustrative,
                footer_note=footer_note(h.language, generated_at))
    names = _Names(book)
    table = h.municipalities
    layout = _Layout(names, h, table)
    _summary_sheet(book, names, layout, h)
    _shares_sheet(book, names, layout, h)
    _comparison_sheet(book, names, h)
    _key_sheet(book, names, table)
    _national_sheet(book, names, h)
    if h.business_case is not None:
        _case_sheet(book, names, layout, h)
    _assumptions_sheet(book, names, h)
    write_about_sheet(book, _about_sections(book, h, parameters, author, generated_at))
    set_properties(book, subject=book.title, author=author,
                   keywords=book.label("xl_handout_keywords").split(";"),
                   description=book.label("illustrative_note") if h.illustrative else "",
                   generated_at=generated_at)
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
