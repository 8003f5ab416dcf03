"""The Carteira de Identidade Nacional: its MRZ found (and re-read when it does not verify),
and its values weighed against the printed ones.

The MRZ's check digits make its number and dates far surer than the printed zone, so a
verified zone wins for them; its name has no accents, so the printed name is kept and only
gains confidence when the zone spells the same words.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from bot.documents.confidence import ASSERTED
from bot.documents.fields import FieldRead
from bot.documents.imaging import Prepared, crop
from bot.documents.labels import find_labels
from bot.documents.mrz import Mrz, find_td1, mrz_rows, same_name
from bot.documents.page import Page
from bot.documents.tesseract import OcrEngine


def read_zone(
    prepared: Prepared, first: Page, *, ocr: OcrEngine, today: date, verify: bool
) -> Mrz | None:
    """The CIN's MRZ: from the page as read, else re-read from its crop, larger, once."""
    zone = find_td1(first, today=today)
    if zone is not None and zone.verified or not verify:
        return zone
    box = mrz_rows(first)
    if box is None:
        return zone
    height = (box[3] - box[1]) / 3
    piece = np.clip(crop(prepared.gray, box, pad=0.5 * height), 0, 255).astype(np.uint8)
    image = Image.fromarray(piece)
    image = image.resize(
        (round(image.width * 1.5), round(image.height * 1.5)), Image.Resampling.BICUBIC
    )
    again = find_td1(Page(tuple(ocr.words(image, psm=6)), image.width, image.height), today=today)
    if again is not None and (
        zone is None or sum(ok for _, ok in again.checks) > sum(ok for _, ok in zone.checks)
    ):
        return again
    return zone


def with_zone(
    name: str, read: FieldRead | None, *, zone: FieldRead | None
) -> tuple[FieldRead | None, bool]:
    """The printed value or the MRZ's: a verified zone wins for numbers and dates; the
    printed name is kept (the zone has no accents) and gains when the zone agrees."""
    if zone is None:
        return read, False
    if name == "nome":
        if read is None or not read.parsed.valid:
            return zone, False
        return read, same_name(
            read.parsed.value, zone.raw.rstrip("<"), truncated=zone.raw.endswith("<")
        )
    if read is None or zone.parsed.checked or not read.parsed.valid:
        return zone, False
    if read.parsed.value == zone.parsed.value:
        return read, True  # two independent reads, the zone's with its own check digit
    if name == "data_nascimento" and zone.parsed.repairs and _same_but_century(read, zone):
        return read, True  # the zone's digits verified, the printed year gives the century
    return zone, False


def _same_but_century(read: FieldRead, zone: FieldRead) -> bool:
    """DD/MM/YYYY values with the same day, month and last two digits of the year."""
    a, b = read.parsed.value, zone.parsed.value
    return len(a) == len(b) == 10 and a[:6] == b[:6] and a[8:] == b[8:]


def is_cin(page: Page) -> bool:
    """The page names itself the Carteira de Identidade Nacional."""
    return bool(find_labels(page.rows(), {"cin": ("CARTEIRA DE IDENTIDADE NACIONAL",)}))


def cin_number(
    fields: dict[str, str], confidence: dict[str, float], *, warnings: list[str]
) -> list[str]:
    """On the CIN the number is the CPF: a CIN whose RG was not read takes its CPF (``fields``
    and ``confidence`` are filled in place); returns the warnings to keep."""
    if "rg" in fields or "cpf" not in fields:
        return warnings
    fields["rg"] = fields["cpf"]
    confidence["rg"] = confidence["cpf"]
    kept = [w for w in warnings if not w.startswith("rg:")]
    return kept + (["rg: uncertain, please confirm"] if confidence["rg"] < ASSERTED else [])
