"""The Tesseract engine: the command, or the library in-process (the reader's workers), the
same words either way."""

from __future__ import annotations

import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.documents.errors import ReadTimeout
from bot.documents.tesseract import TesseractEngine

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ("NOME EMPRESARIAL", "PADARIA SÃO JOÃO LTDA", "CNPJ 11.222.333/0001-81", "DATA 06/12/1985")


def _card(*, binary: bool = False) -> Image.Image:
    image = Image.new("L", (760, 260), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((24, 20 + 56 * i), line, font=ImageFont.truetype(FONT, 30), fill=0)
    return image.point(lambda v: 0 if v < 128 else 255) if binary else image


@pytest.mark.tesseract
@pytest.mark.parametrize("binary", [False, True])
def test_the_library_and_the_command_read_the_same_words(binary: bool) -> None:
    library, command = TesseractEngine(in_process=True), TesseractEngine()
    assert library.loaded and not command.loaded
    for psm in (6, 11):
        words = library.words(_card(binary=binary), psm=psm)
        assert words == command.words(_card(binary=binary), psm=psm)
    assert "PADARIA" in [w.text for w in words]


@pytest.mark.tesseract
def test_the_library_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_command(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tesseract command was run")

    monkeypatch.setattr(pytesseract, "image_to_data", no_command)
    texts = [w.text for w in TesseractEngine(in_process=True).words(_card(), psm=6)]
    assert "11.222.333/0001-81" in texts


@pytest.mark.tesseract
def test_without_the_library_the_command_reads() -> None:
    engine = TesseractEngine(in_process=True, library="libno-such-tesseract.so.0")
    assert not engine.loaded
    assert "NOME" in [w.text for w in engine.words(_card(), psm=6)]


@pytest.mark.tesseract
def test_a_call_past_its_time_limit_raises_a_timeout() -> None:
    page = Image.new("L", (1600, 2400), 255)
    draw = ImageDraw.Draw(page)
    for i in range(40):
        draw.text((30, 20 + 58 * i), " ".join(LINES), font=ImageFont.truetype(FONT, 28), fill=0)
    with pytest.raises(ReadTimeout):
        TesseractEngine(in_process=True, timeout=0.001).words(page, psm=6)


@pytest.mark.tesseract
def test_no_time_limit_is_zero() -> None:
    engine = TesseractEngine(in_process=True, timeout=0)
    assert "NOME" in [w.text for w in engine.words(_card(), psm=6)]
