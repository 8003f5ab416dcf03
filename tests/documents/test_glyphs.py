"""An alphanumeric CNPJ's O/0 and I/1 told apart by their glyphs' widths: the letter O is
wider than the digit 0 in proportional faces, the I a bare stem beside the 1's flag; a
monospaced face's O never turns a 0 into an O."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.ocr.render import font_path
from bot.documents.fields import FieldRead
from bot.documents.glyphs import glyph_widths, spelled_cnpj
from bot.documents.identifiers import Parsed, cnpj_is_valid
from bot.documents.imaging import Prepared
from bot.documents.page import Word
from bot.documents.rereading import look_alikes

TRUE = "O5.BOS.TQJ/0OO1-76"  # O5BOSTQJ0OO176: its twin 05BOSTQJOOO176 passes the check too


def _page(text: str, *, font: str, bold: bool = True) -> tuple[np.ndarray, Word]:
    """``text`` printed 40 px tall on white, binarized as the reader's page is, and its box."""
    face = ImageFont.truetype(str(font_path(font, bold=bold)), 54)
    image = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(image).text((30, 30), text, font=face, fill=0)
    ink = np.asarray(image) < 128
    ys, xs = np.nonzero(ink)
    binary = np.where(ink, 0, 255).astype(np.uint8)
    return binary, Word("", float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _as_read(word: Word, text: str) -> tuple[Word, ...]:
    return (Word(text, word.left, word.top, word.right, word.bottom, 40.0),)


@pytest.mark.parametrize("font", ["LiberationSans", "DejaVuSans", "DejaVuSansCondensed"])
def test_the_os_read_as_zeros_are_spelled_back_by_their_width(font: str) -> None:
    binary, box = _page(TRUE, font=font)
    # Tesseract in a number's context: every O read as 0
    assert spelled_cnpj(_as_read(box, "05.B0S.TQJ/0001-76"), binary) == "O5BOSTQJ0OO176"


def test_a_bare_i_and_a_flagged_one_are_told_apart() -> None:
    binary, box = _page("2X.LII.D5A/0001-87", font="LiberationSans")
    assert cnpj_is_valid("2XLIID5A000187")
    assert spelled_cnpj(_as_read(box, "2X.L11.D5A/000I-87"), binary) == "2XLIID5A000187"


def test_a_monospaced_zero_is_never_spelled_as_an_o() -> None:
    binary, box = _page("05.BOS.TQJ/OOO1-76", font="DejaVuSansMono")  # the twin, as printed
    spelled = spelled_cnpj(_as_read(box, "05.BOS.TQJ/OOO1-76"), binary)
    assert spelled is not None and spelled[0] in "0?"  # a 0 glyph: 0 or undecided


def test_glyphs_that_do_not_match_the_text_tell_nothing() -> None:
    binary, box = _page(TRUE, font="LiberationSans")
    assert spelled_cnpj(_as_read(box, "05.BOS.TQJ/0001-7"), binary) is None  # a glyph short
    assert spelled_cnpj(_as_read(box, "NÚMERO"), binary) is None


def test_glyphs_a_blur_joined_are_parted_in_the_grey_page() -> None:
    binary, box = _page(TRUE, font="LiberationSans")
    grey = np.asarray(Image.fromarray(binary).filter(ImageFilter.GaussianBlur(2.5)))
    blurred = np.where(grey < 190, 0, 255).astype(np.uint8)  # binarized: glyphs touch
    read = _as_read(box, "05.B0S.TQJ/0001-76")
    assert spelled_cnpj(read, blurred) is None
    assert spelled_cnpj(read, blurred, grey=grey.astype(np.float32)) == "O5BOSTQJ0OO176"


def test_a_dot_and_a_hyphen_are_no_glyphs() -> None:
    binary, box = _page("12.345", font="LiberationSans")
    assert len(glyph_widths(binary[int(box.top) - 6 : int(box.bottom) + 6] < 128)) == 5


Picked = dict[str, tuple[FieldRead, Parsed | None]]


def _picked(raw: str, parsed: Parsed, second: Parsed | None) -> tuple[Prepared, Picked]:
    binary, box = _page(TRUE, font="LiberationSans")
    words = _as_read(box, raw)
    prepared = Prepared(Image.fromarray(binary), binary.astype(np.float32), 0.0, 1.0, 40.0)
    return prepared, {"cnpj": (FieldRead("cnpj", parsed, raw, words, "below"), second)}


def test_a_read_the_glyphs_spell_otherwise_takes_their_value() -> None:
    invalid = Parsed("05B0STQJ000176", False, 0)
    prepared, picked = _picked("05.B0S.TQJ/0001-76", invalid, None)
    look_alikes(picked, prepared)
    read, _ = picked["cnpj"]
    assert read.parsed == Parsed("O5BOSTQJ0OO176", True, 1, checked=True)


def test_a_twin_the_glyphs_contradict_is_never_asserted() -> None:
    # the twin as OCR gave it, both reads alike; but a glyph it calls 0 is an O's width
    twin = Parsed("05BOSTQJOOO176", True, 0, checked=True)
    prepared, picked = _picked("05.BOS.TQJ/OOO1-76", twin, twin)
    # the glyph under position 9 is a 0 drawn narrow: the spelled value is the true one
    look_alikes(picked, prepared)
    read, second = picked["cnpj"]
    assert read.parsed.value == "O5BOSTQJ0OO176"
    assert second is not None and second.repairs >= 1  # no "checked twice" for the twin
