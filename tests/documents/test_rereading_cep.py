"""A CEP the page and its crop read alike (a 7 read as 1 by both, at 38-47 px digits) is read
once more with its digits about 20 px tall: a value the small reads contradict is never
asserted, and the read inside the UF's CEP range, or the one both small reads give, is kept."""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.imaging import Prepared
from bot.documents.page import Word
from bot.documents.rereading import SMALL_DIGIT_PX, small_cep, third_read

TODAY = date(2026, 12, 7)


class SmallReader:
    """Tesseract reading the CEP's digits as ``small`` when the sheet is small (the crop
    read at about 20 px), as ``large`` otherwise; the calls' sheet heights are kept."""

    def __init__(self, small: str, large: str) -> None:
        self.small, self.large = small, large
        self.heights: list[int] = []

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        self.heights.append(image.height)
        text = self.small if image.height < 100 else self.large
        return [Word(text, 0, 0, image.width, image.height, 90.0)]


def _prepared() -> Prepared:
    grey = np.full((200, 600), 235, dtype=np.float32)
    return Prepared(Image.fromarray(grey.astype(np.uint8)), grey, 0.0, 1.0, 30.0)


def _picked(value: str, *, uf: str = "") -> dict[str, tuple[FieldRead, Parsed | None]]:
    word = Word(value, 40, 80, 300, 120, 90)  # digits 40 px tall, as on the page
    read = FieldRead("cep", Parsed(value, True), value, (word,), "below")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {"cep": (read, Parsed(value, True))}
    if uf:
        picked["uf"] = (FieldRead("uf", Parsed(uf, True), uf, (), "below"), Parsed(uf, True))
    return picked


def _asserted(picked: dict[str, tuple[FieldRead, Parsed | None]]) -> bool:
    read, second = picked["cep"]
    return score(read, Evidence(second=second)) >= ASSERTED


def test_two_small_reads_overrule_the_page_and_crop_agreeing_on_a_1_for_a_7() -> None:
    picked = _picked("25191715")
    assert _asserted(picked)  # before: the page and its crop agree
    reader = SmallReader("25.797-715", "25.191-715")
    small_cep(picked, _prepared(), ocr=reader, today=TODAY)
    assert picked["cep"][0].parsed.value == "25797715"
    assert not _asserted(picked)  # three reads against two: the client confirms
    assert len(reader.heights) == 2 and SMALL_DIGIT_PX / 40 < 1  # grey and binarized


class Replies:
    """Tesseract giving ``texts`` one call after the other."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        return [Word(self.texts.pop(0), 0, 0, image.width, image.height, 90.0)]


def test_the_read_inside_the_ufs_range_is_kept() -> None:
    # GO is 72800-76799 and 73700-...: the page read a 5 as 1 at the CEP's front (SP's 7 for
    # GO's 7 would be DF's), one small read agrees with it, the other does not
    picked = _picked("71597157", uf="GO")
    small_cep(picked, _prepared(), ocr=Replies("75.597-157", "71.597-157"), today=TODAY)
    assert picked["cep"][0].parsed.value == "75597157"
    assert not _asserted(picked)


def test_two_disagreeing_small_reads_and_no_uf_keep_the_page_read_unasserted() -> None:
    picked = _picked("71597157")
    small_cep(picked, _prepared(), ocr=Replies("75.597-157", "77.597-157"), today=TODAY)
    assert picked["cep"][0].parsed.value == "71597157"
    assert not _asserted(picked)


def test_page_and_crop_disagreeing_are_settled_by_the_small_reads() -> None:
    # the page read a 5 as 9 at its scale, the crop read it right: the two small reads side
    # with the crop, and the CEP is never asserted on that (two reads of four disagree)
    word = Word("26890310", 40, 80, 300, 120, 90)
    read = FieldRead("cep", Parsed("26890310", True), "26890310", (word,), "below")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {"cep": (read, Parsed("26850310", True))}
    reader = SmallReader("26.850-310", "26.890-310")
    small_cep(picked, _prepared(), ocr=reader, today=TODAY)
    assert picked["cep"][0].parsed.value == "26850310"
    assert not _asserted(picked)


def test_a_disagreeing_cep_is_read_smaller_not_larger() -> None:
    word = Word("26890310", 40, 80, 300, 120, 90)
    read = FieldRead("cep", Parsed("26890310", True), "26890310", (word,), "below")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {"cep": (read, Parsed("26850310", True))}
    reader = SmallReader("26.850-310", "26.890-310")
    third_read(picked, _prepared(), ocr=reader, today=TODAY)
    assert reader.heights and all(h < 100 for h in reader.heights)  # no read at zoom 2
    assert picked["cep"][0].parsed.value == "26850310"


def test_small_reads_that_agree_with_the_value_change_nothing() -> None:
    picked = _picked("59779775", uf="RN")
    before = dict(picked)
    small_cep(picked, _prepared(), ocr=SmallReader("59779-775", "59779-775"), today=TODAY)
    assert picked == before and _asserted(picked)


def test_a_cep_placed_by_order_is_not_read_again() -> None:
    picked = _picked("59779775")
    read, second = picked["cep"]
    picked["cep"] = (FieldRead("cep", read.parsed, read.raw, read.words, "order"), second)
    reader = SmallReader("59.779-775", "59.779-775")
    small_cep(picked, _prepared(), ocr=reader, today=TODAY)
    assert reader.heights == []
