"""Rebuild the constructed StatBank answers in this folder (see README.md).

Run from the project root: python tests/data/statbank/build_fixtures.py
It reads only data/raw/municipalities_2020.csv and the figures written below; it does not
use udkecon, so the fixtures stay an independent route to the numbers the tests expect.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
# Pinned to the shipped file as it was when the fixtures were made (1 January 2020).
MUNICIPALITIES = ROOT / "data" / "raw" / "municipalities_2020.csv"

# PRIS112, HOVED 1005, one decimal as the table publishes it: the shipped derived series
# (data/raw/cpi_dk_annual_2015_100.csv) rounded to one decimal, which reproduces the
# published annual inflation rates (2016 0.3 %, 2017 1.1 %, 2018 0.8 %, 2019 0.8 %,
# 2020 0.4 %, 2021 1.9 %, 2022 7.7 %, 2023 3.3 %).
PRIS112 = {2015: "100,0", 2016: "100,3", 2017: "101,4", 2018: "102,2", 2019: "103,0",
           2020: "103,4", 2021: "105,4", 2022: "113,5", 2023: "117,2"}
CHRISTIANSO_2020 = 84  # data/raw/README.md: 5,822,679 + 84 = 5,822,763
REGION_ORDER = [1084, 1085, 1083, 1082, 1081]  # the order FOLK1A lists the regions in


def municipalities():
    with open(MUNICIPALITIES, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(name: str, data) -> None:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    (HERE / name).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def areas(rows):
    """OMRÅDE in FOLK1A's order: all Denmark, then each region followed by its
    municipalities; Christiansø (411) after Bornholm (400)."""
    order = [("000", "Hele landet")]
    for region in REGION_ORDER:
        members = [r for r in rows if int(r["region_code"]) == region]
        order.append((f"{region - 1000:03d}", members[0]["region"]))
        for row in members:
            order.append((row["municipality_code"], row["municipality"]))
            if row["municipality_code"] == "400":
                order.append(("411", "Christiansø"))
    return order


def population(rows, year: int) -> dict[str, int]:
    """Population per OMRÅDE code. 2020: the real 1 January 2020 figures. 2019 and 2021 are
    INVENTED for the tests: 2019 = 2020 - (code mod 10), 2021 = 2020 + (code mod 100)."""
    people = {}
    for row in rows:
        code = int(row["municipality_code"])
        value = int(row["population_2020_01_01"])
        people[row["municipality_code"]] = value + {2019: -(code % 10), 2020: 0,
                                                    2021: code % 100}[year]
    people["411"] = CHRISTIANSO_2020
    for region in REGION_ORDER:
        people[f"{region - 1000:03d}"] = sum(people[r["municipality_code"]] for r in rows
                                             if int(r["region_code"]) == region)
    people["000"] = sum(v for k, v in people.items() if int(k) >= 100)
    return people


def tableinfo_folk1a(rows):
    quarters = [f"{y}K{q}" for y in range(2008, 2022) for q in range(1, 5)]
    return {
        "id": "FOLK1A", "text": "Befolkningen den 1. i kvartalet",
        "description": "Befolkningen den 1. i kvartalet efter område, køn, alder, "
                       "civilstand og tid",
        "unit": "Antal", "suppressedDataValue": "0", "updated": "2021-05-11T08:00:00",
        "active": True, "contacts": [], "documentation": None, "footnote": None,
        "variables": [
            {"id": "OMRÅDE", "text": "område", "elimination": True, "time": False,
             "map": "denmark_municipality_07",
             "values": [{"id": c, "text": t} for c, t in areas(rows)]},
            {"id": "KØN", "text": "køn", "elimination": True, "time": False,
             "values": [{"id": "1", "text": "Mænd"}, {"id": "2", "text": "Kvinder"}]},
            {"id": "ALDER", "text": "alder", "elimination": True, "time": False,
             "values": [{"id": "IALT", "text": "Alder i alt"}]
             + [{"id": str(a), "text": f"{a} år"} for a in range(0, 126)]},
            {"id": "CIVILSTAND", "text": "civilstand", "elimination": True, "time": False,
             "values": [{"id": "TOT", "text": "I alt"}, {"id": "U", "text": "Ugift"},
                        {"id": "G", "text": "Gift/separeret"},
                        {"id": "E", "text": "Enke/enkemand"},
                        {"id": "F", "text": "Fraskilt"}]},
            {"id": "Tid", "text": "tid", "elimination": False, "time": True,
             "values": [{"id": q, "text": q} for q in quarters]},
        ],
    }


def jsonstat_folk1a(rows, years):
    order = areas(rows)
    quarters = [f"{y}K1" for y in years]
    by_year = {y: population(rows, y) for y in years}
    # row-major over (OMRÅDE, ContentsCode, Tid): the last dimension varies fastest
    values = [by_year[y][code] for code, _ in order for y in years]
    return {"dataset": {
        "dimension": {
            "OMRÅDE": {"label": "område", "category": {
                "index": {c: i for i, (c, _) in enumerate(order)},
                "label": dict(order)}},
            "ContentsCode": {"label": "Indhold", "category": {
                "index": {"FOLK1A": 0},
                "label": {"FOLK1A": "Befolkningen den 1. i kvartalet"},
                "unit": {"FOLK1A": {"base": "antal", "decimals": 0}}}},
            "Tid": {"label": "tid", "category": {
                "index": {q: i for i, q in enumerate(quarters)},
                "label": {q: q for q in quarters}}},
            "id": ["OMRÅDE", "ContentsCode", "Tid"],
            "size": [len(order), 1, len(quarters)],
            "role": {"metric": ["ContentsCode"], "time": ["Tid"]},
        },
        "label": "Befolkningen den 1. i kvartalet efter område og tid",
        "source": "Danmarks Statistik",
        "updated": "2021-05-11T08:00:00Z",
        "value": values,
    }}


def main():
    rows = municipalities()
    write("pris112_tableinfo.json", {
        "id": "PRIS112", "text": "Forbrugerprisindeks, årsgennemsnit (2015=100)",
        "description": "Forbrugerprisindeks, årsgennemsnit (2015=100) efter hovedtal og tid",
        "unit": "Indeks", "suppressedDataValue": "0", "updated": "2024-01-10T08:00:00",
        "active": True, "contacts": [], "documentation": None, "footnote": None,
        "variables": [
            {"id": "HOVED", "text": "hovedtal", "elimination": False, "time": False,
             "values": [{"id": "1005", "text": "Forbrugerprisindeks, årsgennemsnit"},
                        {"id": "1010", "text": "Ændring i forhold til året før (pct.)"}]},
            {"id": "Tid", "text": "tid", "elimination": False, "time": True,
             "values": [{"id": str(y), "text": str(y)} for y in PRIS112]},
        ],
    })
    write("pris112_data.csv", "HOVED;TID;INDHOLD\n"
          + "".join(f"1005;{y};{v}\n" for y, v in PRIS112.items()))
    revised = {**PRIS112, 2023: "117,3"}  # one value revised, for the diff test
    write("pris112_data_revised_2023.csv", "HOVED;TID;INDHOLD\n"
          + "".join(f"1005;{y};{v}\n" for y, v in revised.items()))
    write("folk1a_tableinfo.json", tableinfo_folk1a(rows))
    write("folk1a_2020K1.jsonstat.json", jsonstat_folk1a(rows, [2020]))
    write("folk1a_2019K1_2021K1.jsonstat.json", jsonstat_folk1a(rows, [2019, 2020, 2021]))
    people = population(rows, 2020)
    write("folk1a_2020K1.csv", "OMRÅDE;TID;INDHOLD\n"
          + "".join(f"{code};2020K1;{people[code]}\n" for code, _ in areas(rows)))


if __name__ == "__main__":
    main()
