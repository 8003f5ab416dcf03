"""Tesseract behind a one-method port: image in, positioned words out (pytesseract, ``por``)."""

from __future__ import annotations

import os
import tempfile
from typing import Protocol

import pytesseract
from PIL import Image

from bot.documents.errors import DocumentError, ReadTimeout
from bot.documents.page import Word


class OcrEngine(Protocol):
    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        """Recognize ``image`` with page-segmentation mode ``psm``."""
        ...


class TesseractEngine:
    """Runs the ``tesseract`` binary through pytesseract with a timeout per call."""

    def __init__(self, *, lang: str = "por", timeout: float = 20.0, command: str = "") -> None:
        self.lang = lang
        self.timeout = timeout
        self.command = command

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        if self.command:
            pytesseract.pytesseract.tesseract_cmd = self.command
        # an uncompressed PNM file: pytesseract's own PNG encoding costs more than OCR on
        # small crops
        binary = image.mode == "1" or (image.mode == "L" and _two_level(image))
        suffix = ".pbm" if binary else ".pgm"
        fd, path = tempfile.mkstemp(suffix=suffix, prefix="ocr-")
        os.close(fd)
        try:
            (image.convert("1") if binary else image.convert("L")).save(path)
            data = pytesseract.image_to_data(
                path,
                lang=self.lang,
                config=f"--oem 1 --psm {psm} -c tessedit_do_invert=0",
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise DocumentError("tesseract is not installed") from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise ReadTimeout(f"OCR took longer than {self.timeout:.0f} s") from exc
            raise DocumentError(f"tesseract failed: {exc}") from exc
        finally:
            os.unlink(path)
        words: list[Word] = []
        for i, text in enumerate(data["text"]):
            conf = float(data["conf"][i])
            if not text.strip() or conf < 0:
                continue
            left, top = float(data["left"][i]), float(data["top"][i])
            words.append(
                Word(
                    text.strip(),
                    left,
                    top,
                    left + float(data["width"][i]),
                    top + float(data["height"][i]),
                    conf,
                )
            )
        return words


def _two_level(image: Image.Image) -> bool:
    colors = image.getcolors(maxcolors=2)
    return colors is not None
