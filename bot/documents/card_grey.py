"""The cartão CNPJ's third pass: its grey page read as sparse text, for the fields both
passes missed.

The card's labels are its smallest and lightest print. On a blurred, noisy photo Otsu's
threshold turns them into specks (the first pass, binarized and sparse, finds no label), and
the second pass (grey, uniform block) merges a tiny label with the value under it. The grey
page read sparse keeps both: on heavy photos of the tuning family it found 13 more of 94
fields than the binarized sparse pass (bench/ocr/README, fourth round). It runs only for a
cartão and only when a field is still missing, invalid or placed by the card's order after
the two passes, and it only fills those fields: a value it alone gives is re-read from the
binarized crop like any value one pass found, so it is asserted on agreement only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PIL import Image

from bot.documents.extraction import extract_fields
from bot.documents.fields import FIELD_NAMES, FieldRead
from bot.documents.page import Page
from bot.documents.tesseract import OcrEngine

__all__ = ["KIND", "SPARSE_PSM", "grey_sparse_fill", "wanted"]

KIND = "cnpj_card"
SPARSE_PSM = 11


def _settled(name: str, reads: tuple[Mapping[str, FieldRead], ...]) -> bool:
    return any(
        name in found and found[name].parsed.valid and found[name].via != "order" for found in reads
    )


def wanted(*reads: Mapping[str, FieldRead]) -> list[str]:
    """The card's fields no pass read by its label (or read valid): what a third pass may fill."""
    return [name for name in FIELD_NAMES[KIND] if not _settled(name, reads)]


def grey_sparse_fill(
    grey: Image.Image,
    *,
    kind: str,
    first: Mapping[str, FieldRead],
    second: Mapping[str, FieldRead],
    ocr: OcrEngine,
    today: date,
) -> dict[str, FieldRead]:
    """Values for the cartão's fields that neither pass settled, read from the grey page with
    sparse segmentation; nothing for another kind or a card both passes read whole."""
    if kind != KIND:
        return {}
    names = wanted(first, second)
    if not names:
        return {}
    page = Page(tuple(ocr.words(grey, psm=SPARSE_PSM)), float(grey.width), float(grey.height))
    found, _ = extract_fields(page, KIND, today=today)
    return {
        name: found[name]
        for name in names
        if name in found
        and found[name].parsed.valid
        and not (name in second and second[name].parsed.valid and found[name].via == "order")
    }
