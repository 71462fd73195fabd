"""One terminology for a board (issue 11 item 9): the Danish terms of Finansministeriet and
Digitaliseringsstyrelsen that every report uses, and the forms no reader should meet.

The label table (udkecon/labels.csv) is where the reports' words live, so it is scanned
here: no Danish label may hold a forbidden form, and every approved term must be a label
value somewhere. Each check collects every offending key before it fails, so that one run
names them all. The costs report's page 1 is also checked for internal names.
"""

from __future__ import annotations

import csv
import html
import re

import pytest

from udkecon import blocks, board, labels

# The approved terms (docs: /work/plan/PHASE2.md, "Terminology"), as label text must carry them.
APPROVED_DA = [
    "nettonutidsværdi (NNV)",                                 # first mention; then NNV
    "tilbagebetalingstid",                                    # udiskonteret / diskonteret
    "forventet besparelse",                                   # a computed, not measured, saving
    "Implementering (engangsudgifter)",                       # one-off implementation
    "budgetøkonomisk",                                        # the two views of a business case
    "samfundsøkonomisk",
]
# Terms whose numbers the package fills in: checked in the text the reports render
RENDERED_DA = [
    "Finansministeriets diskonteringsrente fra 2021 (3,5 %)",
    "målinger (12 tjenester × 12 måneder)",                   # operations, not "servicemåneder"
]
APPROVED_EN = [
    "net present value (NPV)",
]

# (what is wrong, pattern): matched against every Danish label text, case-insensitively
# unless the pattern says otherwise
FORBIDDEN_DA = [
    ("'nutidsværdi' alone: write 'nettonutidsværdi (NNV)'",
     # (an Excel function named in a method note, NUTIDSVÆRDI(), is not the term)
     re.compile(r"(?<!netto)(?<!netto )(?<!netto-)\bnutidsværdi(?!\()", re.IGNORECASE)),
    ("'NPV' in Danish text: write 'NNV'", re.compile(r"\bNPV\b(?!\()")),
    ("'tjent hjem': write 'tilbagebetalingstid'", re.compile(r"tjent hjem", re.IGNORECASE)),
    ("'tjener sig (ikke) hjem': write 'tilbagebetalingstid'",
     re.compile(r"tjener (?:den )?sig", re.IGNORECASE)),
    ("'realiseret': the saving is 'forventet' or 'beregnet'",
     re.compile(r"\brealisere(?:t|de)\b", re.IGNORECASE)),
    ("'servicemåneder': write 'målinger (12 tjenester × 12 måneder)'",
     re.compile(r"servicemåneder", re.IGNORECASE)),
    ("false precision: two decimals of a percentage point from rounded inputs",
     re.compile(r"\d,\d\d\s*procentpoint", re.IGNORECASE)),
    ("two numbers collide after 'BEK nr.': write 'BEK nr. 1629: 9,06 %'",
     re.compile(r"BEK nr\. \d+ (?:\d|\{)")),
    ("'falder i 20..' reads as 'decrease': costs 'afholdes'",
     re.compile(r"falder i 20", re.IGNORECASE)),
    ("'pct.-point' beside 'procentpoint': write 'procentpoint' everywhere",
     re.compile(r"pct\.?-?\s*point", re.IGNORECASE)),
]
# KOMBIT is said as a word, so its genitive takes no apostrophe (UDK's, said letter by
# letter, keeps it). Checked in the reports that have been brought in line so far
KOMBIT_GENITIVE = re.compile(r"KOMBIT['’]s")
KOMBITS_CHECKED_PREFIXES = ("",)  # every label

# The business case's terms (PDF and workbook alike), settled after the economist's review:
# "nettobesparelse" (a year's scenario 0 minus scenario 1), "diskonterede nettobesparelser /
# nettoudgifter", "benefit-cost-forhold (B/C)", "10 %-fraktil (P10)", "trekantsfordeling",
# "træk". Checked on every label: the handout shows the same case in the same words.
APPROVED_BC_DA = ["nettobesparelse", "diskonterede nettobesparelser", "diskonterede nettoudgifter",
                  "benefit-cost-forhold (B/C)", "10 %-fraktil (P10)", "trekantsfordeling"]
FORBIDDEN_BC_DA = [
    ("'nettogevinst': write 'nettobesparelse'", re.compile(r"nettogevinst", re.IGNORECASE)),
    ("'diskonterede gevinster/omkostninger': write 'diskonterede nettobesparelser/-udgifter'",
     re.compile(r"diskonterede? (?:gevinst|omkostning)", re.IGNORECASE)),
    ("'Gevinst/omkostning': write 'benefit-cost-forhold (B/C)'",
     re.compile(r"gevinst/omkostning", re.IGNORECASE)),
    ("'trekantfordeling': write 'trekantsfordeling'", re.compile(r"trekantfordeling", re.I)),
    ("'trækninger': write 'træk'", re.compile(r"trækninger", re.IGNORECASE)),
    ("'fortegn' for a board: write 'positiv eller negativ'", re.compile(r"fortegn", re.I)),
    ("'KOMBIT's': KOMBIT is said as a word, write 'KOMBITs'", re.compile(r"KOMBIT's")),
    ("an unsourced attribution of the three-point mean",
     re.compile(r"som i Digitaliseringsstyrelsens", re.IGNORECASE)),
]


def _label_rows() -> list[dict]:
    with open(labels.LABELS_FILE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _offences(texts: dict[str, str]) -> list[str]:
    """'key: what is wrong («excerpt»)' for every forbidden form in every text."""
    found = []
    for key, text in texts.items():
        for problem, pattern in FORBIDDEN_DA:
            for match in pattern.finditer(text):
                excerpt = text[max(match.start() - 25, 0):match.end() + 25]
                found.append(f"{key}: {problem} («{excerpt}»)")
    return found


class TestForbiddenForms:
    def test_the_patterns_catch_the_issues_examples(self):
        # the phrases issue 11 names, each caught; and the approved forms pass
        bad = {
            "falder": "Nettoomkostningerne falder i 2017-2020",
            "tjener": "diskonteret tjener den sig ikke hjem",
            "bek": "bærer efter fordelingsnøglen i BEK nr. 1629 9,06 %",
            "bek_template": "bærer efter fordelingsnøglen i BEK nr. 1629 {key_share} af",
            "service": "12 af 144 servicemåneder",
            "npv": "Nutidsværdi (NPV) -12,3 mio. kr.",
            "pp": "0,05 procentpoint under målet",
            "realised": "den realiserede besparelse",
            "pct_point": "Under mål (pct.-point)",
        }
        assert {line.split(":")[0] for line in _offences(bad)} == set(bad)
        good = {
            "nnv": "Nettonutidsværdi (NNV) er -12,3 mio. kr.; nettonutidsværdien falder ikke",
            "bek": "andel efter fordelingsnøglen i BEK nr. 1629: 9,06 %",
            "ops": "12 af 144 målinger (12 tjenester × 12 måneder)",
            "pp": "0,1 procentpoint",
            "excel": "Excels NUTIDSVÆRDI() og NPV() diskonterer første år",
            "paid": "udgifterne afholdes i 2017-2020; tilbagebetalingstid (udiskonteret)",
        }
        assert _offences(good) == []

    def test_no_danish_label_uses_a_forbidden_form(self):
        offences = _offences({row["key"]: row["da"] for row in _label_rows()})
        assert not offences, (f"{len(offences)} label(s) in labels.csv use forbidden forms "
                              "(PHASE2.md, Terminology):\n" + "\n".join(offences))

    def test_kombits_without_apostrophe(self):
        """'KOMBITs programledermøde', not 'KOMBIT's': in the labels of the operations and
        costs reports, their rendered text and the sources they cite."""
        from udkecon.data import source_text
        from udkecon.documents.fixed_prices import model as fp_model
        from udkecon.documents.fixed_prices import text as fp_text
        from udkecon.documents.operations import model as ops_model
        from udkecon.documents.operations import text as ops_text

        assert KOMBIT_GENITIVE.search("KOMBIT's dias") and not KOMBIT_GENITIVE.search(
            "KOMBITs dias; UDK's bestyrelse")
        texts = {row["key"]: row["da"] for row in _label_rows()
                 if row["key"].startswith(KOMBITS_CHECKED_PREFIXES)}
        status, analysis = ops_model.build(), fp_model.build()
        rendered = [*ops_text.resume_sentences(status), *ops_text.context_sentences(status),
                    *ops_text.method_sentences(status), ops_text.economy_note(status),
                    *fp_text.resume_sentences(analysis)]
        texts.update({f"rendered {n}": t for n, t in enumerate(rendered)})
        texts.update({f"source {r['file']}": source_text(r, "da")
                      for r in [*status.inputs, *analysis.inputs]})
        offences = [key for key, text in texts.items() if KOMBIT_GENITIVE.search(text)]
        assert not offences, offences

    def test_the_costs_reports_sentences_use_no_forbidden_form(self):
        # the report's text as the reader gets it, numbers filled in
        from udkecon.documents.fixed_prices import model, text

        sentences = text.resume_sentences(model.build())
        assert _offences(dict(enumerate(sentences))) == []


class TestBusinessCaseTerms:
    @staticmethod
    def _bc_rows() -> dict[str, str]:
        return {row["key"]: row["da"] for row in _label_rows()}

    def test_no_business_case_label_uses_a_replaced_term(self):
        offences = [f"{key}: {problem}" for key, text in self._bc_rows().items()
                    for problem, pattern in FORBIDDEN_BC_DA if pattern.search(text)]
        assert not offences, "\n".join(offences)

    def test_the_settled_terms_are_used(self):
        texts = " ".join(self._bc_rows().values()).casefold()
        assert [t for t in APPROVED_BC_DA if t.casefold() not in texts] == []


class TestApprovedTerms:
    def test_every_approved_term_is_a_label(self):
        rows = _label_rows()
        missing = [term for term in APPROVED_DA
                   if not any(term.casefold() in row["da"].casefold() for row in rows)]
        missing += [term for term in APPROVED_EN
                    if not any(term.casefold() in row["en"].casefold() for row in rows)]
        assert not missing, ("approved terms (PHASE2.md, Terminology) no label carries: "
                             + "; ".join(missing))


    def test_terms_with_numbers_are_rendered_so(self):
        """The default business case names its rate, and the operations status counts its
        measurements, in the approved words."""
        from udkecon.documents.business_case import model as bc_model
        from udkecon.documents.business_case import text as bc_text
        from udkecon.documents.operations import model as ops_model
        from udkecon.documents.operations import text as ops_text

        rendered = " ".join([bc_text.rate_short(bc_model.build(draws=200)),
                             *ops_text.resume_sentences(ops_model.build())])
        rendered = rendered.replace("\u00a0", " ")
        missing = [term for term in RENDERED_DA if term not in rendered]
        assert not missing, missing


class TestNoInternalNamesOnPageOne:
    def test_costs_report_page_one(self):
        """Title block, banner and front page of the costs report, as its notebook shows
        them (the printed page is checked in tests/documents/test_fixed_prices.py)."""
        from udkecon.documents.fixed_prices import model, text

        for language in ("da", "en"):
            analysis = model.build(language=language)
            page_one = (blocks.title_block("Titel", "2017-2021", text.price_basis(analysis),
                                           language=language, illustrative=True).data
                        + text.front_page(analysis).data)
            # the screen stylesheet travels in a <style> element: CSS, not reader text
            page_one = re.sub(r"<style.*?</style>", " ", page_one, flags=re.S)
            plain = html.unescape(re.sub(r"<[^>]+>", " ", page_one))
            assert board.internal_names(plain) == [], language
            assert "Resumé" in plain or "Summary" in plain

    @pytest.mark.parametrize("name", ["udk_it_costs_2017_2021_illustrative.csv", "fm2021",
                                      "cost_file"])
    def test_the_check_would_see_them(self, name):
        assert board.internal_names(f"Kilde: {name}.") == [name]


def test_every_label_row_has_a_key_and_both_languages():
    """A comma left unquoted in a label splits it: the reader then sees half a sentence (it
    happened once). Every row has exactly key, da and en, and no key is given twice."""
    with open(labels.LABELS_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["key", "da", "en"]
    assert [(n, row[0]) for n, row in enumerate(rows[1:], start=2) if len(row) != 3] == []
    keys = [row[0] for row in rows[1:]]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
