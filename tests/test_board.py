"""The committee paper's form shared by every report (udkecon.board, udkecon.excel.board)."""

from __future__ import annotations

import pytest

from udkecon import board
from udkecon.excel.board import front_block, not_updating
from udkecon.excel.book import Book


class TestFrontPage:
    def test_order_resume_recommendation_economy(self):
        page = board.front_page(resume_sentences=["Første.", "Anden.", "Tredje."],
                                clauses=[board.note_taken(), "at rammen godkendes"],
                                economy_table="<table class='x'></table>").data
        resume, recommendation, economy = (page.index("Resumé"), page.index("Indstilling"),
                                           page.index("Økonomi"))
        assert resume < recommendation < economy
        assert page.count("<li>") == 2
        assert "at orienteringen tages til efterretning" in page
        assert "<table class='x'></table>" in page

    def test_english(self):
        page = board.front_page(resume_sentences=["One."], clauses=[board.note_taken("en")],
                                economy_table="", language="en").data
        assert "Summary" in page and "Recommendation" in page and "Finances" in page

    def test_text_is_escaped(self):
        page = board.front_page(resume_sentences=["<b>&"], clauses=["x"],
                                economy_table="").data
        assert "&lt;b&gt;&amp;" in page

    @pytest.mark.parametrize("sentences", [[], ["1", "2", "3", "4", "5", "6"]])
    def test_a_resume_is_short(self, sentences):
        with pytest.raises(ValueError):
            board.resume(sentences)


class TestInternalNames:
    @pytest.mark.parametrize("text,found", [
        ("Kilde: kombit_final_account.csv", ["kombit_final_account.csv"]),
        ("Diskonteringsrente fm2013", ["fm2013"]),
        ("Parameter base_year", ["base_year"]),
        ("Finansministeriets diskonteringsrente fra 2021 (3,5 %)", []),
        ("Nettonutidsværdi (NNV): -110,6 mio. kr.; KOMBIT's slutregnskab", []),
    ])
    def test_found(self, text, found):
        assert board.internal_names(text) == found


class TestWorkbookFront:
    def test_rows_and_merges(self):
        book = Book("Titel", "da", illustrative=False, footer_note="")
        ws = book.add_sheet("Resumé")
        for column in "ABCD":
            ws.column_dimensions[column].width = 20
        long = "x" * 250  # 4 columns of 20 -> 88 characters a line -> 3 lines
        next_row = front_block(book, ws, 5, resume_sentences=["Kort.", long],
                               clauses=[board.note_taken()], span=4)
        # 5 Resumé, 6-7 sentences, 8 blank, 9 Indstilling, 10 lead, 11 clause, 12 blank,
        # 13 Økonomi -> the key table starts at 14
        assert next_row == 14
        assert ws["A5"].value == "Resumé" and ws["A9"].value == "Indstilling"
        assert ws["A11"].value == "1. at orienteringen tages til efterretning"
        assert ws["A13"].value == "Økonomi"
        assert "A7:D7" in {str(r) for r in ws.merged_cells.ranges}
        assert ws.row_dimensions[7].height == 45.0

    def test_not_updating_is_greyed_and_says_so(self):
        book = Book("Titel", "da", illustrative=False, footer_note="")
        ws = book.add_sheet("Resumé")
        cell = not_updating(book, ws, 2, 2, -123.4, "0.0")
        assert cell.value == -123.4 and cell.font.italic
        assert cell.fill.fgColor.rgb.endswith("EDEDED")
        assert "opdateres ikke" in cell.comment.text


class TestSourceList:
    def test_an_illustrative_title_is_tagged_once(self):
        records = [
            {"title_da": "Omkostninger (illustrativt eksempel)", "source": "Konstrueret",
             "status": "illustrative"},
            {"title_da": "DUT", "source": "Konstrueret", "status": "illustrative"},
            {"title_da": "Forbrugerprisindeks", "source": "Danmarks Statistik",
             "status": "real"},
        ]
        text = board.source_list(records).data
        assert text.count("illustrativt eksempel") == 2  # the first title, the DUT tag
        assert "Forbrugerprisindeks</strong>: Danmarks Statistik" in text
