"""Two reads of a name that differ only in spaces: OCR glues words together more often than
it splits one, and a split shows as a piece that is no word; the better spaced read is
kept, still to confirm."""

from __future__ import annotations

from datetime import date
from typing import cast

from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.imaging import Prepared
from bot.documents.page import Word
from bot.documents.rereading import third_read
from bot.documents.tesseract import OcrEngine


class NoOcr:
    """Spacing alone decides: no third read may be asked for."""

    def words(self, image: object, *, psm: int) -> list[Word]:
        raise AssertionError("no OCR expected")


def chosen(first: str, second: str) -> tuple[str, float]:
    read = FieldRead("nome", Parsed(first, True), first, (Word(first, 0, 0, 100, 10, 96),), "below")
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {"nome": (read, Parsed(second, True))}
    third_read(picked, cast(Prepared, None), ocr=cast(OcrEngine, NoOcr()), today=date(2026, 1, 1))
    kept, other = picked["nome"]
    return kept.parsed.value, score(kept, Evidence(second=other))


def test_a_particle_glued_to_a_surname_is_split() -> None:
    value, confidence = chosen("JOÃO PEREIRA DAROMÃO", "JOÃO PEREIRA DA ROMÃO")
    assert value == "JOÃO PEREIRA DA ROMÃO" and confidence < ASSERTED


def test_two_names_glued_together_are_split() -> None:
    value, confidence = chosen("PAULOOTÁVIO DIAS", "PAULO OTÁVIO DIAS")
    assert value == "PAULO OTÁVIO DIAS" and confidence < ASSERTED
    value, _ = chosen("PAULO OTÁVIO DIAS", "PAULOOTÁVIO DIAS")
    assert value == "PAULO OTÁVIO DIAS"


def test_a_word_split_in_two_is_joined() -> None:
    value, confidence = chosen("DÉBORA BRAGA DA NASCIME NTO", "DÉBORA BRAGA DA NASCIMENTO")
    assert value == "DÉBORA BRAGA DA NASCIMENTO" and confidence < ASSERTED
