"""A municipality's handout workbook: its share of the UDK costs and business case, with the
allocation keys, the channels and the shares as live formulas a reader can follow and change.

Sheets (Danish names; English with language="en"):

    Oversigt          Resumé and Indstilling, then the key table (Økonomi) by year with the
                      key and the population count each year used, key figures, two charts
    Kommunens andel   per year: the country's amounts by channel x the municipality's shares
    Pr. indbygger     municipality, region and country: amounts and kr. per inhabitant
    Fordelingsnøgle   every municipality, per year: population, weight, key share, population
                      share; weight = MIN(pop; thr.) + w * MAX(pop - thr.; 0) with that year's
                      threshold and weight
    Landstal          the country's amounts by channel and DUT, current -> fixed prices
    Business case     the national case by year and the municipality's share of it
    Forudsætninger    per year: the key, its threshold and weight (yellow: may be changed) and
                      the population count; the municipality, base year and index
    Om tallene        sources, method, parameters, sha256 of every input, version, time

Every figure on the summary sheet is a formula over these sheets, so it follows a change of
threshold, weight or index after recalculation. The package's shares are whole øre (largest
remainder); the formulas compute them unrounded, so a recalculated cell may differ from the
cached value by less than one øre (1e-8 mio. kr.).
"""

from __future__ import annotations

import datetime as dt
import math

from ... import fmt
from ...allocation import LEVELS, OWN_CONTRACT
from ...business_case import rate_schedule
from ...excel.about import (
    Section,
    footer_note,
    input_sections,
    parameters_section,
    report_section,
    set_properties,
    write_about_sheet,
)
from ...excel.board import STATIC_FONT, front_block, not_updating
from ...excel.book import (
    FACTOR,
    FIRST_ROW,
    HEADER_ROW,
    INDEX,
    INPUT_FILL,
    LEFT_WRAP,
    MONEY,
    SECTION_FONT,
    TOTAL_FONT,
    YEAR,
    Book,
    Column,
    Formula,
    letter,
    quote,
    ref,
)
from ...excel.charts import COLOURS, column_chart
from ...excel.save import report_writer
from ...labels import label
from . import text
from .model import MunicipalityHandout

PEOPLE = "#,##0"
KEY_SHARE = "0.000%"
WEIGHT = "#,##0.000"
RATE_INDEX = "0.0"
KR = "#,##0.0"

# The assumptions sheet: single values, then the per-year key table below them
CODE_CELL = f"$B${FIRST_ROW}"
BASE_YEAR_CELL = f"$B${FIRST_ROW + 1}"
BASE_INDEX_CELL = f"$B${FIRST_ROW + 2}"
RATE_ROW = FIRST_ROW + 3
KEYS_TOP = FIRST_ROW + 6  # header row of the per-year key table
# columns of the per-year key table: year, key, threshold, weight, population count
THRESHOLD_COLUMN, WEIGHT_COLUMN = "C", "D"
# the key sheet: code, municipality, region, then per year these four columns
KEY_FIXED_COLUMNS = 3
PER_YEAR = ("population", "weight", "key_share", "population_share")


def _money(decimals: int) -> str:
    return "#,##0." + "0" * decimals + ";-#,##0." + "0" * decimals if decimals else MONEY


def _case_decimals(amount: float) -> int:
    """Decimals of mio. kr. for a share of the business case: one from 1 mio. kr. up (the
    case is illustrative), else two significant digits (-0,13; Læsø's -0,00047)."""
    amount = abs(float(amount))
    if amount >= 1 or amount == 0:
        return 1
    return 1 - math.floor(math.log10(amount))


def _flat_rate(h: MunicipalityHandout) -> float | None:
    """The one rate of every year of the case's horizon (Finansministeriet's 3,5 % for
    years 0-35 under fm2021), or None when the schedule changes within it: a single-rate
    formula 1 / (1 + r)^t is then exact."""
    years = len(h.business_case.by_year)
    rates = rate_schedule(h.rate, years)[1:]
    if years < 2 or (rates == rates[0]).all():
        return float(rates[0]) if years >= 2 else None
    return None


class _Names:
    """The sheet titles in the workbook's language."""

    def __init__(self, book: Book):
        self.summary = book.label("xl_sheet_summary")
        self.assumptions = book.label("xl_sheet_assumptions")
        for key in ("shares", "comparison", "key", "national", "case"):
            setattr(self, key, book.label(f"xl_handout_sheet_{key}"))


class _Layout:
    """Where the figures that other sheets read are."""

    def __init__(self, names: _Names, h: MunicipalityHandout):
        self.names = names
        self.years = h.years
        self.key_first = FIRST_ROW
        self.key_last = FIRST_ROW + len(h.municipalities) - 1
        self.key_last_column = KEY_FIXED_COLUMNS + len(PER_YEAR) * len(h.years)
        self.shares_row = {y: FIRST_ROW + i for i, y in enumerate(h.years)}
        self.assumption_row = {y: KEYS_TOP + 1 + i for i, y in enumerate(h.years)}
        periods = [str(y) for y in h.years] + [h.period]
        self.comparison_row = {(period, level): FIRST_ROW + 3 * i + j
                               for i, period in enumerate(periods)
                               for j, level in enumerate(LEVELS)}
        self.case_npv_cell = self.case_expected_cell = ""
        if h.business_case is not None:
            last = FIRST_ROW + len(h.business_case.by_year) - 1
            # below the case table: national expected, national most likely, then the
            # municipality's expected and most likely NPV (column J and I)
            self.case_expected_cell = ref(names.case, f"$J${last + 4}")
            self.case_npv_cell = ref(names.case, f"$I${last + 5}")

    def key_column(self, year: int, what: str) -> int:
        """The key sheet's column (1 = A) of `what` (PER_YEAR) in `year`."""
        return (KEY_FIXED_COLUMNS + len(PER_YEAR) * self.years.index(year)
                + PER_YEAR.index(what) + 1)

    def key_range(self, year: int, what: str) -> str:
        column = letter(self.key_column(year, what))
        return f"{quote(self.names.key)}!${column}${self.key_first}:${column}${self.key_last}"

    def lookup(self, year: int, what: str) -> str:
        """The municipality's `what` in `year`, looked up by its code on the key sheet."""
        table = (f"{quote(self.names.key)}!$A${self.key_first}:"
                 f"${letter(self.key_last_column)}${self.key_last}")
        return (f"VLOOKUP({ref(self.names.assumptions, CODE_CELL)},{table},"
                f"{self.key_column(year, what)},FALSE)")

    def level_sum(self, year: int, what: str, level: str, name_cell: str) -> str:
        """`what` in `year` summed over a level: the municipality's, its region's (SUMIF on
        the region column), the country's."""
        if level == "municipality":
            return self.lookup(year, what)
        if level == "region":
            regions = (f"{quote(self.names.key)}!$C${self.key_first}:$C${self.key_last}")
            return f"SUMIF({regions},{name_cell},{self.key_range(year, what)})"
        return f"SUM({self.key_range(year, what)})"


def _weights(h: MunicipalityHandout, year: int):
    from ...allocation import allocation_weights

    return allocation_weights(h.rules.populations[year], **h.rules.keys[year].parameters())


# --------------------------------------------------------------------------- sheets

def _assumptions_sheet(book: Book, names: _Names, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.assumptions, landscape=True)
    book.heading(ws, book.label("xl_assumptions_title"), book.label("xl_assumptions_subtitle"))
    columns = [Column(book.label("xl_parameter"), width=26),
               Column(book.label("xl_value"), width=26),
               Column(book.label("xl_explanation"), width=40, wrap=True)]
    case = h.business_case
    rows = [
        [book.label("xl_handout_code"), h.code,
         book.label("xl_handout_code_help", sheet=names.key)],
        [book.label("xl_base_year"), h.base_year, book.label("xl_handout_base_year_help")],
        [book.label("xl_handout_base_index"), h.analysis.index[h.base_year],
         book.label("xl_handout_base_index_help", sheet=names.national)],
        [book.label("xl_handout_rate"), text.rate_words(h) if case else "",
         book.label("xl_handout_rate_help")],
    ]
    book.table(ws, "handout_assumptions", columns, rows)
    ws[CODE_CELL.replace("$", "")].number_format = YEAR
    # the base year and its index are information (the labels say '2020-niveau'
    # throughout): greyed, with the note that they do not update
    not_updating(book, ws, FIRST_ROW + 1, 2, h.base_year, YEAR)
    not_updating(book, ws, FIRST_ROW + 2, 2, h.analysis.index[h.base_year], INDEX)
    if case is not None:
        flat = _flat_rate(h)
        years = len(case.by_year)
        if flat is not None:  # the discount factors are formulas over this cell
            book.put(ws, RATE_ROW, 2, flat, "0.0%", fill=INPUT_FILL)
            help_text = book.label("xl_handout_rate_help", rate=text.rate_words(h),
                                   percent=fmt.percent(flat, 1, h.language), years=years,
                                   sheet=names.case)
        else:
            not_updating(book, ws, RATE_ROW, 2, text.rate_words(h))
            help_text = book.label("xl_handout_rate_schedule_help", rate=text.rate_words(h),
                                   years=years, sheet=names.case)
        book.put(ws, RATE_ROW, 3, help_text, alignment=LEFT_WRAP, measure=False)
    book.put(ws, RATE_ROW + 1, 1, book.label("xl_handout_grey_note"), measure=False)

    book.put(ws, KEYS_TOP - 1, 1, book.label("xl_handout_keys_by_year"), font=SECTION_FONT)
    key_columns = [Column(book.label("year"), YEAR),
                   Column(book.label("handout_key_column"), width=26),
                   Column(book.label("xl_handout_threshold"), PEOPLE, 16),
                   Column(book.label("xl_handout_weight_above"), "0.000", 16),
                   Column(book.label("handout_population_column"), width=28),
                   Column(book.label("xl_handout_legal_basis"), width=30)]
    key_rows = []
    for year in h.years:
        key = h.rules.keys[year]
        key_rows.append([year, text.key_name(h, year),
                         key.threshold if key.threshold is not None else "",
                         key.weight if key.weight is not None else "",
                         text.population_date(h, year), key.legal_basis])
    first, _ = book.table(ws, "handout_keys_by_year", key_columns, key_rows, top=KEYS_TOP)
    for offset, year in enumerate(h.years):
        if h.rules.keys[year].threshold is not None:  # a key by plain population has none
            for column in (THRESHOLD_COLUMN, WEIGHT_COLUMN):
                ws[f"{column}{first + offset}"].fill = INPUT_FILL
    book.put(ws, KEYS_TOP + len(h.years) + 2, 1, book.label("xl_handout_keys_help"),
             measure=False)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1).coordinate
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _key_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.key, landscape=True)
    book.heading(ws, book.label("xl_handout_key_title"),
                 book.label("xl_handout_key_subtitle", sheet=names.assumptions))
    table = h.municipalities.sort_values("municipality_code")
    first, last = layout.key_first, layout.key_last
    columns = [Column(book.label("xl_handout_code"), YEAR),
               Column(book.label("xl_handout_municipality")),
               Column(book.label("xl_handout_region"))]
    for year in h.years:
        columns += [Column(book.label("xl_handout_population_of", year=year), PEOPLE),
                    Column(book.label("xl_handout_weight_of", year=year), WEIGHT, 14),
                    Column(book.label("xl_handout_key_share_of", year=year), KEY_SHARE, 13),
                    Column(book.label("xl_handout_population_share_of", year=year), KEY_SHARE,
                           13)]
    cached = {}
    for year in h.years:
        weights = _weights(h, year)
        population = h.rules.populations[year]
        cached[year] = (population, weights, weights / weights.sum(),
                        population / population.sum())
    rows = []
    for row, record in enumerate(table.itertuples(), start=first):
        code = int(record.municipality_code)
        values = [code, record.municipality, record.region]
        for year in h.years:
            population, weights, key_share, population_share = cached[year]
            pop, weight, share, pop_share = (letter(layout.key_column(year, what))
                                             for what in PER_YEAR)
            key = h.rules.keys[year]
            assumption = layout.assumption_row[year]
            threshold = ref(names.assumptions, f"${THRESHOLD_COLUMN}${assumption}")
            above = ref(names.assumptions, f"${WEIGHT_COLUMN}${assumption}")
            weight_formula = (f"={pop}{row}" if key.threshold is None else
                              f"=MIN({pop}{row},{threshold})+{above}*MAX({pop}{row}-"
                              f"{threshold},0)")
            values += [int(population.loc[code]),
                       Formula(weight_formula, float(weights.loc[code])),
                       Formula(f"={weight}{row}/SUM(${weight}${first}:${weight}${last})",
                               float(key_share.loc[code])),
                       Formula(f"={pop}{row}/SUM(${pop}${first}:${pop}${last})",
                               float(population_share.loc[code]))]
        rows.append(values)
    book.table(ws, "allocation_key", columns, rows)


def _national_sheet(book: Book, names: _Names, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.national, landscape=True)
    book.heading(ws, book.label("xl_handout_national_title"),
                 book.label("xl_handout_national_subtitle", base_year=h.base_year))
    channels = ("udk_contribution", "kombit_joint_financing", OWN_CONTRACT, "block_grant")
    columns = [Column(book.label("year"), YEAR), Column(book.label("xl_index_of_year"), INDEX)]
    columns += [Column(book.label(f"xl_handout_{c}_current"), MONEY, 15) for c in channels]
    columns += [Column(book.label("restate_factor"), FACTOR)]
    columns += [Column(book.label(f"xl_handout_{c}_fixed"), MONEY, 15) for c in channels]
    base_index = ref(names.assumptions, BASE_INDEX_CELL)
    rows = []
    for row, year in enumerate(h.years, start=FIRST_ROW):
        current, fixed = h.rules.national_current.loc[year], h.rules.national.loc[year]
        index = h.analysis.index
        rows.append([
            year, index[year], *(float(current[c]) for c in channels),
            Formula(f"={base_index}/B{row}", index[h.base_year] / index[year]),
            *(Formula(f"={letter(3 + i)}{row}*G{row}", float(fixed[c]))
              for i, c in enumerate(channels)),
        ])
    book.table(ws, "national_figures", columns, rows)


# the shares sheet's columns
_SHARES = dict(national_udk="B", national_kombit="C", national_dut="D", national_own="E",
               key_share="F", population_share="G", udk="H", kombit="I", gross="J", dut="K",
               net="L", population="M", net_kr="N")


def _shares_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.shares, landscape=True)
    book.heading(ws, book.label("xl_handout_shares_title", name=h.name),
                 book.label("xl_handout_shares_subtitle", base_year=h.base_year))
    money = _money(text.decimals(h))
    headers = ["year", "xl_handout_national_udk", "xl_handout_national_kombit",
               "xl_handout_national_dut", "xl_handout_national_own", "xl_handout_key_share",
               "xl_handout_population_share", "xl_handout_udk_share",
               "xl_handout_kombit_share", "xl_handout_gross_share", "xl_handout_dut_share",
               "xl_handout_net_share", "handout_population", "handout_net_kr"]
    formats = [YEAR, MONEY, MONEY, MONEY, MONEY, KEY_SHARE, KEY_SHARE, money, money, money,
               money, money, PEOPLE, KR]
    columns = [Column(book.label(key), number_format, 14)
               for key, number_format in zip(headers, formats, strict=True)]
    national = f"{quote(names.national)}!$A:$K"
    own = h.comparison[h.comparison["level"] == "municipality"].set_index("period")
    rows = []
    for row, year in enumerate(h.years, start=FIRST_ROW):
        fixed = h.rules.national.loc[year]
        channel = h.channel_shares.loc[year]
        population = h.rules.populations[year]
        weights = _weights(h, year)
        rows.append([
            year,
            Formula(f"=VLOOKUP($A{row},{national},8,FALSE)", float(fixed["udk_contribution"])),
            Formula(f"=VLOOKUP($A{row},{national},9,FALSE)",
                    float(fixed["kombit_joint_financing"])),
            Formula(f"=VLOOKUP($A{row},{national},11,FALSE)", float(fixed["block_grant"])),
            Formula(f"=VLOOKUP($A{row},{national},10,FALSE)", float(fixed[OWN_CONTRACT])),
            Formula(f"={layout.lookup(year, 'key_share')}",
                    float(weights.loc[h.code] / weights.sum())),
            Formula(f"={layout.lookup(year, 'population_share')}",
                    float(population.loc[h.code] / population.sum())),
            Formula(f"=B{row}*F{row}", float(channel["udk_contribution"])),
            Formula(f"=C{row}*G{row}", float(channel["kombit_joint_financing"])),
            Formula(f"=H{row}+I{row}", float(h.shares.loc[year, "gross"])),
            Formula(f"=D{row}*G{row}", float(h.shares.loc[year, "dut"])),
            Formula(f"=J{row}-K{row}", float(h.shares.loc[year, "net"])),
            Formula(f"={layout.lookup(year, 'population')}", int(population.loc[h.code])),
            Formula(f"=L{row}*1000000/M{row}", float(own.loc[str(year), "net_kr"])),
        ])
    book.table(ws, "municipality_share", columns, rows)


def _comparison_sheet(book: Book, names: _Names, layout: _Layout,
                      h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.comparison, landscape=True)
    book.heading(ws, book.label("xl_handout_comparison_title"),
                 book.label("xl_handout_comparison_subtitle", base_year=h.base_year))
    money = _money(text.decimals(h))
    columns = [Column(book.label("xl_handout_period"), width=11),
               Column(book.label("handout_level"), width=14),
               Column(book.label("xl_handout_municipality"), width=22),
               Column(book.label("handout_population"), PEOPLE),
               Column(book.label("xl_handout_key_share"), KEY_SHARE, 13),
               Column(book.label("xl_handout_population_share"), KEY_SHARE, 13),
               Column(book.label("gross_cost"), money),
               Column(book.label("dut_compensation"), money),
               Column(book.label("net_cost"), money),
               Column(book.label("handout_gross_kr"), KR),
               Column(book.label("handout_dut_kr"), KR),
               Column(book.label("handout_net_kr"), KR),
               Column(book.label("handout_net_index"), RATE_INDEX)]
    shares = quote(names.shares)
    region_of = dict(zip(h.municipalities["municipality_code"].astype("int64"),
                         h.municipalities["region"], strict=True))
    rows = []
    for year in h.years:
        weights = _weights(h, year)
        population = h.rules.populations[year]
        block = h.comparison[h.comparison["period"] == str(year)].set_index("level")
        source = layout.shares_row[year]
        country_row = layout.comparison_row[(str(year), "country")]
        for level in LEVELS:
            row = layout.comparison_row[(str(year), level)]
            record = block.loc[level]
            codes = ([h.code] if level == "municipality" else
                     [c for c, r in region_of.items() if r == h.region] if level == "region"
                     else list(region_of))
            key_share = float(weights.loc[codes].sum() / weights.sum())
            population_share = float(population.loc[codes].sum() / population.sum())
            rows.append([
                str(year), book.label(f"xl_handout_level_{level}"), record["name"],
                Formula(f"={layout.level_sum(year, 'population', level, f'C{row}')}",
                        int(record["population"])),
                Formula(f"={layout.level_sum(year, 'key_share', level, f'C{row}')}",
                        key_share),
                Formula(f"={layout.level_sum(year, 'population_share', level, f'C{row}')}",
                        population_share),
                Formula(f"={shares}!$B${source}*E{row}+{shares}!$C${source}*F{row}",
                        float(record["gross"])),
                Formula(f"={shares}!$D${source}*F{row}", float(record["dut"])),
                Formula(f"=G{row}-H{row}", float(record["net"])),
                Formula(f"=G{row}*1000000/D{row}", float(record["gross_kr"])),
                Formula(f"=H{row}*1000000/D{row}", float(record["dut_kr"])),
                Formula(f"=I{row}*1000000/D{row}", float(record["net_kr"])),
                Formula(f"=100*L{row}/L{country_row}", float(record["net_index"])),
            ])
    whole = h.comparison[h.comparison["period"] == h.period].set_index("level")
    country_row = layout.comparison_row[(h.period, "country")]
    for level in LEVELS:
        row = layout.comparison_row[(h.period, level)]
        record = whole.loc[level]
        year_rows = [layout.comparison_row[(str(y), level)] for y in h.years]
        last_year = layout.comparison_row[(str(h.years[-1]), level)]

        def added(column: str, rows_=year_rows) -> str:
            return "=" + "+".join(f"{column}{r}" for r in rows_)

        rows.append([
            h.period, book.label(f"xl_handout_level_{level}"), record["name"],
            Formula(f"=D{last_year}", int(record["population"])), "", "",
            Formula(added("G"), float(record["gross"])),
            Formula(added("H"), float(record["dut"])),
            Formula(added("I"), float(record["net"])),
            Formula(added("J"), float(record["gross_kr"])),
            Formula(added("K"), float(record["dut_kr"])),
            Formula(added("L"), float(record["net_kr"])),
            Formula(f"=100*L{row}/L{country_row}", float(record["net_index"])),
        ])
    book.table(ws, "per_inhabitant", columns, rows)


def _case_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    """The national case by year (most likely and risk-adjusted, greyed: computed at the
    run), the discount factor as a formula over the rate on the assumptions sheet when one
    rate covers the horizon, and the municipality's share as formulas."""
    share, expected = h.business_case, h.expected_case
    national, national_expected = share.national, expected.national
    ws = book.add_sheet(names.case, landscape=True)
    book.heading(ws, book.label("xl_handout_case_title", case=text.case_name(h)),
                 book.label("xl_handout_case_subtitle", base_year=h.base_year,
                            year=h.years[-1]))
    money = _money(_case_decimals(share.pv_benefits))
    columns = [Column(book.label("year"), YEAR),
               Column(book.label("xl_handout_net_benefit_national"), MONEY),
               Column(book.label("xl_handout_net_benefit_expected_national"), MONEY),
               Column(book.label("xl_handout_discount_factor"), FACTOR),
               Column(book.label("xl_handout_discounted_national"), MONEY),
               Column(book.label("xl_handout_discounted_expected_national"), MONEY),
               Column(book.label("xl_handout_key_share"), KEY_SHARE),
               Column(book.label("xl_handout_net_benefit_share"), money),
               Column(book.label("xl_handout_discounted_share"), money),
               Column(book.label("xl_handout_discounted_expected_share"), money),
               Column(book.label("xl_handout_cumulative_share"), money)]
    rows = []
    first = FIRST_ROW
    key_share = layout.lookup(h.years[-1], "key_share")
    rate = ref(names.assumptions, f"$B${RATE_ROW}")
    flat = _flat_rate(h) is not None
    for row, year in enumerate(share.by_year.index, start=first):
        position = row - first
        factor = float(national.discount_factors[position])
        rows.append([
            int(year), float(national.net_benefit[position]),
            float(national_expected.net_benefit[position]),
            Formula(f"=1/(1+{rate})^($A{row}-$A${first})", factor) if flat else factor,
            Formula(f"=B{row}*D{row}", float(national.discounted_net_benefit[position])),
            Formula(f"=C{row}*D{row}",
                    float(national_expected.discounted_net_benefit[position])),
            Formula(f"={key_share}", share.key_share),
            Formula(f"=B{row}*G{row}", share.by_year.loc[year, "net_benefit"]),
            Formula(f"=E{row}*G{row}", share.by_year.loc[year, "discounted_net_benefit"]),
            Formula(f"=F{row}*G{row}", expected.by_year.loc[year, "discounted_net_benefit"]),
            Formula(f"=SUM(I${first}:I{row})", share.by_year.loc[year, "cumulative_discounted"]),
        ])
    _, last = book.table(ws, "business_case_share", columns, rows)
    # what no formula can follow: the country's net benefits from the case file (and the
    # discount factors when the rate changes within the horizon)
    for row in range(first, last + 1):
        for column in (2, 3) if flat else (2, 3, 4):
            cell = ws.cell(row=row, column=column)
            not_updating(book, ws, row, column, cell.value, cell.number_format)
    below = last + 2
    totals = [("xl_handout_expected_npv_national", 6, national_expected.npv, MONEY),
              ("xl_handout_npv_national", 5, national.npv, MONEY),
              ("xl_handout_expected_npv_share", 10, expected.npv,
               _money(_case_decimals(expected.npv))),
              ("xl_handout_npv_share", 9, share.npv, _money(_case_decimals(share.npv)))]
    for offset, (key, column, value, number_format) in enumerate(totals):
        column_letter = letter(column)
        book.put(ws, below + offset, 1, book.label(key), font=TOTAL_FONT)
        book.put(ws, below + offset, column,
                 Formula(f"=SUM({column_letter}{first}:{column_letter}{last})", value),
                 number_format, font=TOTAL_FONT)
    book.put(ws, below + len(totals) + 1, 1, book.label("xl_handout_case_note"), measure=False)
    book.put(ws, below + len(totals) + 2, 1, national.price_basis, measure=False)
    assert layout.case_expected_cell == ref(names.case, f"$J${below + 2}")
    assert layout.case_npv_cell == ref(names.case, f"$I${below + 3}")


SUMMARY_SPAN = 7  # columns A-G: the key table; the charts stand to the right


def _summary_sheet(book: Book, names: _Names, layout: _Layout, h: MunicipalityHandout) -> None:
    ws = book.add_sheet(names.summary, landscape=True)
    ws.page_setup.fitToHeight = 1
    book.heading(ws, book.title, text.subtitle(h))
    for column, width in zip("ABCDEFG", (30, 13, 13, 13, 15, 26, 28), strict=True):
        ws.column_dimensions[column].width = width
    money = _money(text.decimals(h))
    shares = quote(names.shares)
    assumptions = quote(names.assumptions)
    resume = text.resume_sentences(h)
    # the resumé is text written at the run: say so visibly, greyed, as its last line
    row = front_block(book, ws, 5, resume_sentences=[*resume,
                                                    book.label("xl_handout_summary_static")],
                      clauses=text.clauses(h), span=SUMMARY_SPAN)
    ws.cell(row=6 + len(resume), column=1).font = STATIC_FONT

    # Økonomi: the key table, every figure read from the shares sheet
    book.put(ws, row, 1, text.economy_caption(h), measure=False)
    header = row + 1
    economy = text.economy_table(h)
    book.header_row(ws, header, 1, [book.label("year"), *economy.columns])
    for offset, year in enumerate(h.years):
        line, source = header + 1 + offset, layout.shares_row[year]
        assumption = layout.assumption_row[year]
        book.put(ws, line, 1, year, YEAR)
        for column, (key, measure) in enumerate((("gross", "gross"), ("dut", "dut"),
                                                 ("net", "net")), start=2):
            book.put(ws, line, column, Formula(f"={shares}!{_SHARES[key]}{source}",
                                               float(h.shares.loc[year, measure])), money)
        book.put(ws, line, 5, Formula(f"={shares}!{_SHARES['net_kr']}{source}",
                                      float(economy.iloc[offset, 3])), KR)
        book.put(ws, line, 6, Formula(f"={assumptions}!$B${assumption}",
                                      text.key_name(h, year)))
        book.put(ws, line, 7, Formula(f"={assumptions}!$E${assumption}",
                                      text.population_date(h, year)))
    years_last = header + len(h.years)
    total = years_last + 1
    book.put(ws, total, 1, book.label("total"), font=TOTAL_FONT)
    sums = h.shares.sum()
    for column, (value, number_format) in enumerate(
            ((sums["gross"], money), (sums["dut"], money), (sums["net"], money),
             (float(economy.iloc[:, 3].sum()), KR)), start=2):
        column_letter = letter(column)
        book.put(ws, total, column,
                 Formula(f"=SUM({column_letter}{header + 1}:{column_letter}{years_last})",
                         float(value)), number_format, font=TOTAL_FONT)
    note = total + 1
    book.put(ws, note, 1, text.economy_note(h), alignment=LEFT_WRAP, measure=False)
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=SUMMARY_SPAN)
    ws.row_dimensions[note].height = 30
    ws.row_dimensions[header].height = 30

    # key figures of the last year and the whole period
    top = note + 2
    last = h.years[-1]
    book.put(ws, top, 1, book.label("xl_handout_key_figures", period=h.period),
             font=SECTION_FONT)
    figures = [
        (book.label("xl_handout_municipality"), f"{h.name} ({h.code})", None),
        (book.label("xl_handout_region"), h.region, None),
        (book.label("xl_handout_population_of", year=last),
         Formula(f"={layout.lookup(last, 'population')}", h.population), PEOPLE),
        (book.label("xl_handout_key_share_of", year=last),
         Formula(f"={layout.lookup(last, 'key_share')}", h.key_share), KEY_SHARE),
        (book.label("xl_handout_population_share_of", year=last),
         Formula(f"={layout.lookup(last, 'population_share')}", h.population_share),
         KEY_SHARE),
    ]
    if h.business_case is not None:  # the expected (risk-adjusted) NPV first, as in the PDF
        figures.append((book.label("xl_handout_expected_npv_share"),
                        Formula(f"={layout.case_expected_cell}", h.expected_case.npv),
                        _money(_case_decimals(h.expected_case.npv))))
        figures.append((book.label("xl_handout_npv_share"),
                        Formula(f"={layout.case_npv_cell}", h.business_case.npv),
                        _money(_case_decimals(h.business_case.npv))))
    for line, (name, value, number_format) in enumerate(figures, start=top + 1):
        book.put(ws, line, 1, name)
        book.put(ws, line, 2, value, number_format)

    # net per inhabitant over the whole period: municipality, region, country
    level_top = top + len(figures) + 2
    book.put(ws, level_top, 1, book.label("xl_handout_by_level", period=h.period),
             font=SECTION_FONT)
    level_header = level_top + 1
    book.header_row(ws, level_header, 1, [book.label("handout_level"),
                                          book.label("handout_net_kr")])
    comparison = quote(names.comparison)
    for offset, level in enumerate(LEVELS):
        line = level_header + 1 + offset
        source = layout.comparison_row[(h.period, level)]
        book.put(ws, line, 1, h.level(level)["name"])
        book.put(ws, line, 2, Formula(f"={comparison}!$L${source}",
                                      float(h.level(level)["net_kr"])), KR)
    levels_last = level_header + len(LEVELS)
    ws.row_dimensions[level_header].height = 30

    by_year = column_chart(ws, "I5", title=book.label("xl_handout_chart_years"),
                           axis_title=book.label("unit"), header_row=header,
                           first_row=header + 1, last_row=years_last, first_column=2,
                           last_column=4,
                           colours=[COLOURS["fixed"], COLOURS["current"], COLOURS["net"]],
                           number_format=money.split(";")[0])
    by_level = column_chart(ws, "I21", title=book.label("xl_handout_chart_levels",
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
    shows the municipalities table the handout was computed from, with each year's
    population."""
    generated_at = generated_at or fmt.generation_time()
    book = Book(title=label("handout_title", h.language, name=h.name, period=h.period),
                language=h.language, illustrative=h.illustrative,
                footer_note=footer_note(h.language, generated_at),
                banner=label(text.illustrative_keys(h)[0], h.language))
    names = _Names(book)
    layout = _Layout(names, h)
    _summary_sheet(book, names, layout, h)
    _shares_sheet(book, names, layout, h)
    _comparison_sheet(book, names, layout, h)
    _key_sheet(book, names, layout, h)
    _national_sheet(book, names, h)
    if h.business_case is not None:
        _case_sheet(book, names, layout, h)
    _assumptions_sheet(book, names, h)
    write_about_sheet(book, _about_sections(book, h, parameters, author, generated_at))
    set_properties(book, subject=book.title, author=author,
                   keywords=book.label("xl_handout_keywords").split(";"),
                   description=(book.label(text.illustrative_keys(h)[1])
                                if h.illustrative else ""),
                   generated_at=generated_at)
    book.workbook.active = 0
    return book


# write(report, path, *, parameters, author="udkecon", generated_at=None) -> Path, the same in
# every report: build, then save atomically (byte-identical for the same inputs and time)
write = report_writer(build)
