"""Write the bad-input corpus of data files: one file per defect, named `<kind>__<defect>`.

Run once (`python tests/data/bad/make_corpus.py`) and commit its output; the files, not
this script, are what tests/test_bad_corpus.py reads. Every file holds exactly one defect
in otherwise good data, so `python -m udkecon check` must print exactly one line for it.
The kinds are listed in kinds.csv beside this script.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

LEDGER = "year,system,system_group,cost_type,amount_mio_dkk,data_status,note"
L2 = "2017,UDK Barsel,udk,implementation,15.2,illustrative,"
L3 = "2018,UDK Barsel,udk,operation,9.6,illustrative,"
L4 = "2019,UDK Barsel,udk,operation,9.9,illustrative,"
L5 = "2019,KMD-løsninger (eksisterende),legacy,operation,148.6,illustrative,"
LEDGER_SEMI = "year;system;system_group;cost_type;amount_mio_dkk;data_status;note"


def ledger(*rows: str) -> str:
    return "\n".join((LEDGER,) + rows) + "\n"


def semi(*rows: str) -> str:
    return "\r\n".join((LEDGER_SEMI,) + rows) + "\r\n"


DUT = "year,dut_compensation_mio_dkk,data_status,note"
INDEX = "year,cpi_2015_100"
RATES = "valid_from,from_year,to_year,rate"
CASE = ("item,scenario,cost_type,phase,first_year,last_year,basis,low,mode,high,price_year,"
        "data_status,label_da,note")
MUNI = "municipality_code,municipality,region_code,region,population_2020_01_01"
M2 = "101,København,1084,Region Hovedstaden,632340"
M3 = "147,Frederiksberg,1084,Region Hovedstaden,104305"
M4 = "825,Læsø,1081,Region Nordjylland,1792"
SLA = "platform,service,month,sla_target_pct,availability_pct"
S = "Serviceplatformen,SP produktionsmiljø m1"
CALLS = "month,service_calls"
PHASES = "phase,label_da,label_en,first_year,last_year"


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


TEXT = {
    # ------------------------------------------------------------------ ledger
    "ledger__unterminated_quote.csv": ledger(L2, L3 + '"never closed', L4, L5),
    "ledger__quote_closed_rows_later.csv": ledger(L2, L3 + '"opens here', L4, L5 + 'closes"'),
    "ledger__text_after_closing_quote.csv": ledger(L2, L3 + '"quoted"then text', L4),
    "ledger__header_only.csv": ledger(),
    "ledger__misspelt_column.csv": ledger(L2, L3).replace("amount_mio_dkk", "amount_mio_dk"),
    "ledger__two_columns_missing.csv": lines(
        "year,system,cost_type,amount_mio_dkk,note", "2017,UDK Barsel,operation,9.6,",
        "2018,UDK Barsel,operation,9.9,"),
    "ledger__duplicate_header_name.csv": lines(LEDGER + ",year", L2 + ",2017", L3 + ",2018"),
    "ledger__empty_header_name_with_values.csv": lines(LEDGER + ",", L2 + ",x", L3 + ",y"),
    "ledger__header_has_extra_leading_name.csv": lines("id," + LEDGER, L2, L3, L4),
    "ledger__data_has_extra_leading_cell.csv": lines(LEDGER, "1," + L2, "2," + L3, "3," + L4),
    "ledger__header_shifted_against_data.csv": lines(
        "system,year,system_group,cost_type,amount_mio_dkk,data_status,note", L2, L3, L4),
    "ledger__title_row_above_header.csv": lines("UDK IT-omkostninger 2017-2021,,,,,,", LEDGER,
                                                L2, L3),
    "ledger__zero_width_space_in_system.csv": ledger(L2, L3.replace("UDK Barsel",
                                                                    "UDK\u200bBarsel"), L4),
    "ledger__bidi_override_in_note.csv": ledger(L2, L3 + "\u202enote", L4),
    "ledger__invisible_character_in_status.csv": ledger(L2, L3.replace("illustrative",
                                                                       "illustrative\u2060")),
    "ledger__case_duplicate.csv": ledger(L2, L3, L3.replace("UDK Barsel", "udk barsel")
                                         .replace("9.6", "9.7"), L4),
    "ledger__duplicate_after_space_normalising.csv": ledger(
        L2, L3, L3.replace("UDK Barsel", "UDK  Barsel").replace("9.6", "9.7")),
    "ledger__same_system_two_spellings.csv": ledger(L2, L3.replace("UDK Barsel", "UDK barsel"),
                                                    L4),
    "ledger__system_in_two_groups.csv": ledger(L2, L3.replace(",udk,", ",legacy,"), L4),
    "ledger__amount_in_kroner.csv": ledger(L2, L3, L5.replace("148.6", "148600000")),
    "ledger__every_amount_in_kroner.csv": ledger(L2.replace("15.2", "15200000"),
                                                 L3.replace("9.6", "9600000"),
                                                 L4.replace("9.9", "9900000")),
    "ledger__huge_amount.csv": ledger(L2, L3.replace("9.6", "1E+300"), L4),
    "ledger__infinite_amount.csv": ledger(L2, L3.replace("9.6", "1e400"), L4),
    "ledger__amount_nan.csv": ledger(L2, L3.replace("9.6", "nan"), L4),
    "ledger__space_inside_number.csv": ledger(L2, L3.replace("9.6", "14 86"), L4),
    "ledger__ambiguous_thousands_comma.csv": ledger(L2, L3.replace("9.6", '"1,486"'), L4),
    "ledger__decimal_comma_in_comma_file.csv": ledger(L2, L3.replace("9.6", '"9,6"'), L4),
    "ledger__points_grouping_in_comma_file.csv": ledger(L2, L3.replace("9.6", "1.234.567"), L4),
    "ledger__currency_after_amount.csv": ledger(L2, L3.replace("9.6", "9.6 mio"), L4),
    "ledger__arabic_indic_digits.csv": ledger(L2, L3.replace("2018", "٢٠١٨"), L4),
    "ledger__negative_amount.csv": ledger(L2, L3.replace("9.6", "-9.6"), L4),
    "ledger__two_digit_year.csv": ledger(L2, L3.replace("2018", "18"), L4),
    "ledger__year_with_decimals.csv": ledger(L2, L3.replace("2018", "2018.5"), L4),
    "ledger__unknown_cost_type.csv": ledger(L2, L3.replace("operation", "maintenance"), L4),
    "ledger__row_with_extra_cell.csv": ledger(L2, L3 + ",extra", L4),
    "ledger__semicolon_decimal_point.csv": semi(
        "2017;UDK Barsel;udk;implementation;15,2;illustrative;",
        "2018;UDK Barsel;udk;operation;9.6;illustrative;"),
    "ledger__semicolon_ambiguous_thousands.csv": semi(
        "2017;UDK Barsel;udk;implementation;15,2;illustrative;",
        "2018;UDK Barsel;udk;operation;1.486;illustrative;"),
    "ledger__semicolon_bad_grouping.csv": semi(
        "2017;UDK Barsel;udk;implementation;15,2;illustrative;",
        "2018;UDK Barsel;udk;operation;12.34,5;illustrative;"),
    "ledger__semicolon_nbsp_bad_grouping.csv": semi(
        "2017;UDK Barsel;udk;implementation;15,2;illustrative;",
        "2018;UDK Barsel;udk;operation;12\u00a034,5;illustrative;"),
    "ledger__tab_separated.csv": "\t".join(LEDGER.split(",")) + "\n"
                                 + "\t".join(L2.split(",")) + "\n",
    # ------------------------------------------------------------------ dut
    "dut__duplicate_year.csv": lines(DUT, "2017,0.0,illustrative,", "2018,1.2,illustrative,",
                                     "2018,1.3,illustrative,"),
    "dut__amount_in_kroner.csv": lines(DUT, "2017,0.0,illustrative,",
                                       "2018,1200000,illustrative,"),
    "dut__negative.csv": lines(DUT, "2017,0.0,illustrative,", "2018,-1.2,illustrative,"),
    "dut__status_capitalised.csv": lines(DUT, "2017,0.0,illustrative,",
                                         "2018,1.2,Illustrative,"),
    "dut__empty_amount.csv": lines(DUT, "2017,0.0,illustrative,", "2018,,illustrative,"),
    # ------------------------------------------------------------------ index
    "index__missing_year.csv": lines(INDEX, "2017,101.40", "2018,102.23", "2020,103.43"),
    "index__zero.csv": lines(INDEX, "2017,101.40", "2018,0", "2019,103.00"),
    "index__decimal_slip.csv": lines(INDEX, "2017,101.40", "2018,1022.3", "2019,103.00"),
    "index__two_value_columns.csv": lines("year,cpi_2015_100,cpi_2000_100", "2017,101.4,130.1",
                                          "2018,102.23,131.2"),
    "index__duplicate_year.csv": lines(INDEX, "2017,101.40", "2018,102.23", "2018,102.30"),
    "index__semicolon_ambiguous.csv": "year;cpi_2015_100\r\n2017;101,40\r\n2018;102.230\r\n",
    "index__two_reference_years_joined.csv": lines(INDEX, "2013,130.5", "2014,131.3",
                                                   "2015,100.00", "2016,100.25"),
    # ------------------------------------------------------------------ discount rates
    "discount_rates__overlapping_bands.csv": lines(RATES, "2013-05-31,0,35,0.04",
                                                   "2013-05-31,30,70,0.03",
                                                   "2013-05-31,71,,0.02"),
    "discount_rates__gap_between_bands.csv": lines(RATES, "2013-05-31,0,35,0.04",
                                                   "2013-05-31,40,70,0.03"),
    "discount_rates__open_band_not_last.csv": lines(RATES, "2013-05-31,0,,0.04",
                                                    "2013-05-31,36,70,0.03"),
    "discount_rates__percent_slip.csv": lines(RATES, "2021-01-07,0,35,0.35",
                                              "2021-01-07,36,70,0.025"),
    "discount_rates__danish_date.csv": lines(RATES, "07.01.2021,0,35,0.035",
                                             "07.01.2021,36,70,0.025"),
    "discount_rates__starts_at_year_5.csv": lines(RATES, "2021-01-07,5,35,0.035",
                                                  "2021-01-07,36,70,0.025"),
    "discount_rates__to_before_from.csv": lines(RATES, "2021-01-07,0,35,0.035",
                                                "2021-01-07,36,30,0.025"),
    # ------------------------------------------------------------------ business case
    "business_case__mode_above_high.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,12,11,,illustrative,,",
        "a,1,operation,,2017,2020,per_year,8,9,10,,illustrative,,"),
    "business_case__last_before_first.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "a,1,operation,,2020,2017,per_year,8,9,10,,illustrative,,"),
    "business_case__phase_years_differ.csv": lines(
        CASE, "a,0,operation,build,2017,2020,per_year,10,11,12,,illustrative,,",
        "a,1,operation,build,2017,2019,per_year,8,9,10,,illustrative,,"),
    "business_case__price_year_partly_empty.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,2017,illustrative,,",
        "a,1,operation,,2017,2020,per_year,8,9,10,,illustrative,,"),
    "business_case__scenario_2.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "a,2,operation,,2017,2020,per_year,8,9,10,,illustrative,,"),
    "business_case__amount_in_kroner.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,540,549800000,560,,real,,",
        "a,1,operation,,2017,2020,per_year,8,9,10,,illustrative,,"),
    "business_case__no_scenario_1.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "b,0,implementation,,2017,2017,per_year,8,9,10,,illustrative,,"),
    "business_case__scenario_1_all_zero.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "a,1,operation,,2017,2020,per_year,0,0,0,,illustrative,,"),
    "business_case__scenarios_identical.csv": lines(
        CASE, "a,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "a,1,operation,,2017,2020,per_year,10,11,12,,illustrative,,"),
    "business_case__item_case_duplicate.csv": lines(
        CASE, "kmd_payments,0,operation,,2017,2020,per_year,10,11,12,,illustrative,,",
        "KMD_payments,0,operation,,2017,2020,per_year,8,9,10,,illustrative,,"),
    # ------------------------------------------------------------------ municipalities
    "municipalities__population_zero.csv": lines(MUNI, M2, M3, M4.replace("1792", "0")),
    # two of the 98: the costs would be shared between them alone
    "municipalities__only_two_municipalities.csv": lines(MUNI, M2, M3),
    "municipalities__population_extra_digit.csv": lines(MUNI, M2.replace("632340", "6323400"),
                                                        M3, M4),
    "municipalities__population_not_whole.csv": lines(MUNI, M2, M3.replace("104305",
                                                                           "104305.5"), M4),
    "municipalities__code_four_digits.csv": lines(MUNI, M2, M3.replace("147,", "1470,"), M4),
    "municipalities__name_twice.csv": lines(MUNI, M2, M3.replace("Frederiksberg", "københavn"),
                                            M4),
    "municipalities__region_code_two_names.csv": lines(
        MUNI, M2, M3.replace("Region Hovedstaden", "Region Sjælland"), M4),
    "municipalities__duplicate_code.csv": lines(MUNI, M2, M3.replace("147,", "101,"), M4),
    "municipalities__population_in_thousands.csv": lines(MUNI, M2.replace("632340", "632"), M3,
                                                         M4),
    # ------------------------------------------------------------------ SLA availability
    "sla__target_as_fraction.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                         f"{S},2019-11,0.998,100.00"),
    "sla__availability_above_100.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                             f"{S},2019-11,99.80,100.50"),
    "sla__month_written_month_first.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                                f"{S},11-2019,99.80,100.00"),
    "sla__service_case_variant.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                           f"{S.replace('SP', 'sp')},2019-11,99.80,100.00"),
    "sla__duplicate_month.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                      f"{S},2019-10,99.80,99.90"),
    "sla__availability_as_fraction.csv": lines(SLA, f"{S},2019-10,99.80,100.00",
                                               f"{S},2019-11,99.80,0.9995"),
    # ------------------------------------------------------------------ service calls
    "calls__negative.csv": lines(CALLS, "2019-10,91000000", "2019-11,-105000000"),
    "calls__not_whole.csv": lines(CALLS, "2019-10,91000000", "2019-11,105000000.5"),
    "calls__implausible.csv": lines(CALLS, "2019-10,91000000", "2019-11,1E+12"),
    "calls__duplicate_month.csv": lines(CALLS, "2019-10,91000000", "2019-10,105000000"),
    "calls__month_as_text.csv": lines(CALLS, "2019-10,91000000", "nov 2019,105000000"),
    # ------------------------------------------------------------------ phases
    "phases__last_before_first.csv": lines(PHASES, "build,Opbygning,Build,2017,2020",
                                           "run,Drift,Operation,2021,2019"),
}

BYTES = {
    "ledger__mixed_encoding.csv": ledger(L2, L5).encode("utf-8")
    + L4.replace("UDK Barsel", "UDK Løn").encode("cp1252") + b"\n",
    "ledger__bom_then_windows_1252_line.csv": b"\xef\xbb\xbf" + ledger(L2, L3).encode("utf-8")
    + L5.encode("cp1252") + b"\n",
    "ledger__byte_not_in_windows_1252.csv": ledger(L2).encode("cp1252") + b"2018,UDK \x81,udk,"
    b"operation,9.6,illustrative,\n",
    "ledger__nul_byte.csv": ledger(L2).encode() + L3.encode().replace(b"9.6", b"9\x00.6") + b"\n",
    "ledger__utf16_without_bom.csv": ledger(L2, L3).encode("utf-16-le"),
    "ledger__pdf_named_csv.csv": b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n",
    "ledger__empty_file.csv": b"",
    "ledger__double_bom_in_header.csv": b"\xef\xbb\xbf\xef\xbb\xbf" + ledger(L2, L3).encode(),
    "ledger__cell_over_128_kib.csv": ledger(L2).encode() + L3.encode() + b'"'
    + b"x" * (140 * 1024) + b'"\n',
}


# ---------------------------------------------------------------------- workbooks

def book_of(header: str, rows: list[list], title: str = "Ledger") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header.split(","))
    for row in rows:
        sheet.append(row)
    return book


LEDGER_ROWS = [[2017, "UDK Barsel", "udk", "implementation", 15.2, "illustrative", None],
               [2018, "UDK Barsel", "udk", "operation", 9.6, "illustrative", None],
               [2019, "UDK Barsel", "udk", "operation", 9.9, "illustrative", None]]


def ledger_with(column: int, value) -> openpyxl.Workbook:
    rows = [list(r) for r in LEDGER_ROWS]
    rows[1][column] = value
    return book_of(LEDGER, rows)


def hidden_first_sheet() -> openpyxl.Workbook:
    # the hidden first sheet holds a good ledger; the visible one, which must be read, a
    # negative amount: the error proves which sheet was read
    book = book_of(LEDGER, LEDGER_ROWS, title="Old")
    book.active.sheet_state = "hidden"
    visible = book.create_sheet("Ledger")
    visible.append(LEDGER.split(","))
    for row in LEDGER_ROWS:
        visible.append(row)
    visible["E3"] = -9.6
    book.active = 1
    return book


def active_sheet_hidden() -> bytes:
    """Two visible sheets and a hidden active one (openpyxl will not save that, so the
    workbook's XML is edited): which sheet holds the table is not clear."""
    book = book_of(LEDGER, LEDGER_ROWS, title="A")
    for name in ("B", "C"):
        sheet = book.create_sheet(name)
        sheet.append(LEDGER.split(","))
    book["C"].sheet_state = "hidden"
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(book)))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb' activeTab="\d+"', b"", data)
                data = data.replace(b'firstSheet="0"', b'firstSheet="0" activeTab="2"')
            out.writestr(info, data)
    return target.getvalue()


def title_rows() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UDK IT-omkostninger 2017-2021"])
    sheet.append([])
    sheet.append(LEDGER.split(","))
    for row in LEDGER_ROWS:
        sheet.append(row)
    return book


def empty_sheet() -> openpyxl.Workbook:
    return openpyxl.Workbook()


def index_formula() -> openpyxl.Workbook:
    book = book_of(INDEX, [[2017, 101.4], [2018, "=B2*1.008"], [2019, 103.0]], title="CPI")
    return book


def month_mid_month() -> openpyxl.Workbook:
    rows = [["Serviceplatformen", "SP produktionsmiljø m1", dt.datetime(2019, 10, 1), 99.8, 100.0],
            ["Serviceplatformen", "SP produktionsmiljø m1", dt.datetime(2019, 11, 15), 99.8,
             100.0]]
    return book_of(SLA, rows, title="SLA")


def rates_with_time() -> openpyxl.Workbook:
    return book_of(RATES, [[dt.datetime(2021, 1, 7, 12, 30), 0, 35, 0.035],
                           [dt.datetime(2021, 1, 7), 36, 70, 0.025]], title="Rates")


def dut_ref() -> openpyxl.Workbook:
    book = book_of(DUT, [[2017, 0.0, "illustrative", None], [2018, "#REF!", "illustrative", None]],
                   title="DUT")
    return book


def municipalities_date_population() -> openpyxl.Workbook:
    return book_of(MUNI, [[101, "København", 1084, "Region Hovedstaden", 632340],
                          [147, "Frederiksberg", 1084, "Region Hovedstaden",
                           dt.datetime(2020, 1, 1)]], title="Kommuner")


def sla_percent_formatted() -> openpyxl.Workbook:
    # availability in cells formatted as a percentage: Excel stores 99.95 % as 0.9995
    rows = [["Serviceplatformen", "SP produktionsmiljø m1", "2019-10", 99.8, 1.0],
            ["Serviceplatformen", "SP produktionsmiljø m1", "2019-11", 99.8, 0.9995]]
    book = book_of(SLA, rows, title="SLA")
    for row in (2, 3):
        book.active.cell(row=row, column=5).number_format = "0.00%"
    return book


def value_far_right() -> openpyxl.Workbook:
    # one value in the sheet's last cell: its dimension is A1:XFD1048576, 17 billion cells
    book = book_of(LEDGER, LEDGER_ROWS)
    book.active["XFD1048576"] = "x"
    return book


def merged_system() -> openpyxl.Workbook:
    # the system merged over rows 3-4: it shows in both, but only B3 holds it
    book = book_of(LEDGER, LEDGER_ROWS)
    book.active.merge_cells("B3:B4")
    return book


BOOKS = {
    "ledger__hidden_first_sheet.xlsx": hidden_first_sheet,
    "ledger__ref_error.xlsx": lambda: ledger_with(4, "#REF!"),
    "ledger__div0_error.xlsx": lambda: ledger_with(4, "#DIV/0!"),
    "ledger__na_error.xlsx": lambda: ledger_with(4, "#N/A"),
    "ledger__value_error_in_year.xlsx": lambda: ledger_with(0, "#VALUE!"),
    "ledger__formula_without_value.xlsx": lambda: ledger_with(4, "=SUM(E2:E2)"),
    "ledger__amount_as_text_with_comma.xlsx": lambda: ledger_with(4, "9,6"),
    "ledger__date_in_amount.xlsx": lambda: ledger_with(4, dt.datetime(2018, 9, 6)),
    "ledger__true_in_amount.xlsx": lambda: ledger_with(4, True),
    "ledger__amount_in_kroner.xlsx": lambda: ledger_with(4, 9_600_000),
    "ledger__title_rows_above_header.xlsx": title_rows,
    "ledger__empty_sheet.xlsx": empty_sheet,
    "index__formula_without_value.xlsx": index_formula,
    "sla__date_mid_month.xlsx": month_mid_month,
    "discount_rates__date_with_time.xlsx": rates_with_time,
    "dut__ref_error.xlsx": dut_ref,
    "municipalities__date_as_population.xlsx": municipalities_date_population,
    "ledger__value_far_right.xlsx": value_far_right,
    "ledger__merged_system.xlsx": merged_system,
    "sla__availability_percent_formatted.xlsx": sla_percent_formatted,
}


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    for name, text in TEXT.items():
        (HERE / name).write_bytes(text.encode("utf-8"))
    for name, data in BYTES.items():
        (HERE / name).write_bytes(data)
    for name, build in BOOKS.items():
        (HERE / name).write_bytes(xlsx_bytes(build()))
    good = xlsx_bytes(book_of(LEDGER, LEDGER_ROWS))
    (HERE / "ledger__workbook_named_csv.csv").write_bytes(good)
    (HERE / "ledger__csv_named_xlsx.xlsx").write_bytes(ledger(L2, L3).encode())
    (HERE / "ledger__active_sheet_hidden.xlsx").write_bytes(active_sheet_hidden())
    (HERE / "ledger__truncated_workbook.xlsx").write_bytes(good[: len(good) // 2])
    print(f"{len(TEXT) + len(BYTES) + len(BOOKS) + 4} files in {HERE}")


if __name__ == "__main__":
    main()
