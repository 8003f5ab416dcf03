"""A number without check digits that the page and its crop read differently (a CEP's 5 read
as 9 at the page's scale) is settled by its crop read smaller, never asserted; a row of the
Receita's asterisks is told from letters across its whole column."""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.imaging import Prepared
from bot.documents.page import Word
from bot.documents.passes import DIGITS_ZOOM, _digits_vote, _row_of_value
from bot.documents.results import ReadOptions

TODAY = date(2026, 12, 7)


class SmallReader:
    """Tesseract reading the digits right only when they are small (the sheet's height
    tells the zoom), wrong at the page's scale."""

    def __init__(self, small: str, large: str) -> None:
        self.small, self.large = small, large
        self.heights: list[int] = []

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        self.heights.append(image.height)
        text = self.small if image.height < 130 else self.large
        return [Word(text, 0, 0, image.width, image.height, 90.0)]


def _prepared() -> Prepared:
    grey = np.full((200, 600), 235, dtype=np.float32)
    return Prepared(Image.fromarray(grey.astype(np.uint8)), grey, 0.0, 1.0, 40.0)


def _cep(value: str) -> FieldRead:
    return FieldRead(
        "cep", Parsed(value, True), value, (Word(value, 40, 80, 300, 120, 76),), "below"
    )


def test_the_crop_read_small_breaks_a_tie_between_page_and_crop() -> None:
    reader = SmallReader("26.850-310", "26.890-310")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {
        "cep": (_cep("26890310"), Parsed("26850310", True))
    }
    _digits_vote(picked, _prepared(), ocr=reader, opts=ReadOptions(today=TODAY))
    kept, confirm = picked["cep"]
    assert kept.parsed.value == "26850310"
    assert score(kept, Evidence(second=confirm)) < ASSERTED  # two reads of three: to confirm
    assert len(reader.heights) == 1 and reader.heights[0] < 130 and DIGITS_ZOOM < 1


def test_agreeing_reads_and_words_are_not_read_again() -> None:
    reader = SmallReader("26.850-310", "26.850-310")
    name = FieldRead("municipio", Parsed("CURITIBA", True), "CURITIBA", (), "below")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {
        "cep": (_cep("26850310"), Parsed("26850310", True)),
        "municipio": (name, Parsed("CURITJBA", True)),
    }
    _digits_vote(picked, _prepared(), ocr=reader, opts=ReadOptions(today=TODAY))
    assert reader.heights == []


def test_a_star_row_is_looked_for_across_the_values_column() -> None:
    word = Word("OFEOFEAKE", 223, 695, 330, 722, 0.0)
    read = FieldRead("nome_fantasia", Parsed("OFEOFEAKE", True), "x", (word,), "below", (61, 2190))
    assert _row_of_value(read) == (61, 695, 2190, 722)
