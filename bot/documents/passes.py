"""One page's OCR passes and the choice of each field's value between them.

The binarized page is read first (sparse text); when fields are missing the grey page too
(uniform block). Each field's value is then chosen between the passes, confirmed by re-reading
its crop (``rereading.py``) or the CIN's zone, and scored (``confidence.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from bot.documents.accents import lost_accent_words, star_run
from bot.documents.card_grey import KIND as CARD
from bot.documents.card_grey import SPARSE_PSM, card_rows, grey_sparse_fill, wanted
from bot.documents.cin import cin_number, is_cin, read_zone, with_zone
from bot.documents.confidence import TEXT_FIELDS, Evidence
from bot.documents.contract import page_text
from bot.documents.extraction import extract_fields
from bot.documents.fields import CHECKED_FIELDS, FIELD_NAMES, FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.imaging import Prepared
from bot.documents.kinds import detect_kind
from bot.documents.mrz import Mrz, mrz_reads
from bot.documents.orientation import MIN_DOCUMENT_WORDS, read_upright
from bot.documents.page import Page
from bot.documents.quality import ImageQuality
from bot.documents.rereading import (
    SMALL_DIGITS,
    crop_reads,
    pick,
    restore_accents,
    third_read,
)
from bot.documents.results import Extraction, ReadOptions, record, warn_kind
from bot.documents.tesseract import OcrEngine

__all__ = ["from_passes"]


def _incomplete(found: dict[str, FieldRead], kind: str, *, zone: Mrz | None = None) -> bool:
    vouched = set(mrz_reads(zone)) - {"nome"} if zone is not None and zone.verified else set()
    return any(
        name not in found
        or not found[name].parsed.valid
        or found[name].via == "order"
        or (name in CHECKED_FIELDS and not found[name].parsed.checked)
        for name in FIELD_NAMES[kind]
        if name not in vouched
    )


@dataclass(slots=True)
class _Passes:
    """What the OCR passes of one page found, before values are chosen."""

    kind: str
    detected: str
    first: Page
    found: dict[str, FieldRead] = field(default_factory=dict)
    other: dict[str, FieldRead] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    unread: dict[str, FieldRead] = field(default_factory=dict)


def _passes(
    prepared: Prepared,
    first: Page,
    *,
    kind: str,
    opts: ReadOptions,
    ocr: OcrEngine,
    zone: Mrz | None,
) -> _Passes:
    """OCR the binarized page (sparse text, already done: ``first``); when fields are
    missing, the grey page too (uniform block), which finds labels the first segmentation
    merged or dropped, and a kind the first pass could not tell. A cartão's grey page is
    read sparse and only over the rows of its missing fields, then as a block over the rows
    still missing (``card_grey.py``)."""
    detected, _ = detect_kind(first, mrz=zone is not None)
    run = _Passes(kind=detected if kind == "auto" else kind, detected=detected, first=first)
    if run.kind not in ("other", "contrato_social"):
        run.found, run.missing = extract_fields(
            first, run.kind, today=opts.today, unread=run.unread
        )
    if (
        not opts.verify
        or run.kind == "contrato_social"
        or (run.kind != "other" and not _incomplete(run.found, run.kind, zone=zone))
        or (run.kind == "other" and len(first.words) < MIN_DOCUMENT_WORDS)
    ):
        return run
    size = (float(prepared.image.width), float(prepared.image.height))
    grey = Image.fromarray(np.clip(prepared.gray, 0, 255).astype(np.uint8))
    sparse = run.kind == CARD
    second = _second(grey, kind=run.kind, found=run.found, first=first, opts=opts, ocr=ocr)
    if run.kind == "other":
        merged = Page(first.words + second.words, *size)
        run.detected, _ = detect_kind(merged, mrz=zone is not None)
        run.kind = run.detected if kind == "auto" else kind
        if run.kind == "contrato_social":
            run.first = merged
        if run.kind in ("other", "contrato_social"):
            return run
        run.found, run.missing = extract_fields(
            first, run.kind, today=opts.today, unread=run.unread
        )
    run.other, missing_other = extract_fields(second, run.kind, today=opts.today)
    run.missing = {**missing_other, **run.missing}
    # the cartão's fields still missing: their rows read the other way (card_grey.py)
    third = grey_sparse_fill(
        grey,
        kind=run.kind,
        first=run.found,
        second=run.other,
        ocr=ocr,
        today=opts.today,
        pages=(first, second),
        psm=opts.second_psm if sparse else SPARSE_PSM,
    )
    run.other |= third
    run.missing = {n: why for n, why in run.missing.items() if n not in third}
    return run


def _second(
    grey: Image.Image,
    *,
    kind: str,
    found: dict[str, FieldRead],
    first: Page,
    opts: ReadOptions,
    ocr: OcrEngine,
) -> Page:
    """The grey page's pass: a uniform block for most kinds; a cartão's read sparse and only
    over the rows of the fields the first pass missed (its tiny labels survive there:
    ``card_grey.py``)."""
    if kind == CARD:
        return card_rows(grey, wanted(found), pages=(first,), ocr=ocr, psm=SPARSE_PSM)
    return Page(tuple(ocr.words(grey, psm=opts.second_psm)), float(grey.width), float(grey.height))


def from_passes(
    prepared: Prepared,
    *,
    kind: str,
    opts: ReadOptions,
    ocr: OcrEngine,
    quality: ImageQuality,
    turned: int = 0,
) -> Extraction:
    """Read the page (one or two passes), choose each field's value between the passes, the
    crops re-read and the MRZ, and score it."""
    prepared, first, flipped = read_upright(prepared, ocr=ocr, psm=opts.psm, flip=opts.orient)
    turned = (turned + 180 * flipped) % 360
    zone = None
    if kind in ("auto", "rg"):
        zone = read_zone(prepared, first, ocr=ocr, today=opts.today, verify=opts.verify)
    run = _passes(prepared, first, kind=kind, opts=opts, ocr=ocr, zone=zone)
    if run.kind == "other":
        return Extraction(
            kind="other",
            warnings=["document kind not recognized"],
            turned=turned,
            text=first.text(),
        )
    if run.kind == "contrato_social":
        # a scanned page keeps the pass where more of the contract's grammar holds: a heavy
        # 120-dpi page measures "ok" yet loses partners when binarized (bench/ocr/README)
        text = (
            page_text(prepared, first=run.first, poor=quality.verdict == "poor", ocr=ocr)
            if opts.verify
            else run.first.text()
        )
        return Extraction(kind=run.kind, turned=turned, text=text)
    picked = _choose(run, prepared, ocr=ocr, opts=opts)
    zone_reads = mrz_reads(zone) if zone is not None and run.kind == "rg" else {}
    result = Extraction(kind=run.kind, turned=turned, text=first.text())
    warn_kind(result, kind, detected=run.detected)
    poor = quality.verdict == "poor"
    ink = np.asarray(prepared.image) < 128
    for name in FIELD_NAMES[run.kind]:
        read, confirm = picked.get(name, (None, None))
        if (
            read is not None
            and name == "nome_fantasia"
            and read.parsed.value
            and (star_run(ink, read.box) or star_run(ink, _row_of_value(read)))
        ):
            read = replace(read, parsed=Parsed("", True))
        flags = lost_accent_words(ink, read.words) if read and name in TEXT_FIELDS else []
        lost = any(flags)
        if lost and read is not None:
            read = restore_accents(read, flags)
        read, agrees = with_zone(name, read, zone=zone_reads.get(name))
        evidence = Evidence(
            second=confirm, image_poor=poor, verified=opts.verify, lost_accent=lost, agrees=agrees
        )
        record(result, name, read=read, missing=run.missing, evidence=evidence)
    if run.kind == "rg" and (zone is not None or is_cin(first)):
        result.warnings = cin_number(result.fields, result.confidence, warnings=result.warnings)
    return result


def _row_of_value(read: FieldRead) -> tuple[float, float, float, float]:
    """The value's line across its whole column: Tesseract reads part of a row of
    asterisks as a word ("OFEOFEAKE") and the rest as specks it drops, so the word's own box
    holds too few stars to be told from letters."""
    left, top, right, bottom = read.box
    if read.column is not None:
        left, right = min(left, read.column[0]), max(right, read.column[1])
    return left, top, right, bottom


def _choose(
    run: _Passes, prepared: Prepared, *, ocr: OcrEngine, opts: ReadOptions
) -> dict[str, tuple[FieldRead, Parsed | None]]:
    """Each field's read and its confirmation: the better of two passes, or one pass's value
    confirmed by re-reading its crop; a label whose value did not parse is re-read larger."""
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {}
    lonely: dict[str, tuple[FieldRead, bool]] = {}  # read, found on the binarized pass
    for name in FIELD_NAMES[run.kind]:
        a, b = run.found.get(name), run.other.get(name)
        if a is not None and b is not None:
            picked[name] = pick(a, b)
        elif a is not None:
            picked[name] = (a, None)
            lonely[name] = (a, True)
        elif b is not None:
            picked[name] = (b, None)
            lonely[name] = (b, False)
    rescue = {n: (r, True) for n, r in run.unread.items() if n not in picked}
    if opts.verify and rescue:
        for name, parsed in crop_reads(
            rescue, prepared, ocr=ocr, today=opts.today, zoom=1.5
        ).items():
            if parsed is not None and parsed.valid and parsed.value:
                picked[name] = (replace(rescue[name][0], parsed=parsed), None)
                run.missing.pop(name, None)
    if opts.verify and lonely:
        seconds = crop_reads(lonely, prepared, ocr=ocr, today=opts.today)
        blind = {n: lonely[n] for n, p in seconds.items() if p is None or not p.valid}
        if blind:  # the crop read nothing usable (a label's line cut in): once more, larger
            # (a CEP smaller: at the page's scale its digits are already too large)
            numbers = {
                n: r
                for n, r in blind.items()
                if n in SMALL_DIGITS and _DIGITS.fullmatch(r[0].parsed.value)
            }
            words = {n: r for n, r in blind.items() if n not in numbers}
            again = crop_reads(words, prepared, ocr=ocr, today=opts.today, zoom=1.5)
            again |= crop_reads(numbers, prepared, ocr=ocr, today=opts.today, zoom=DIGITS_ZOOM)
            seconds |= {n: p for n, p in again.items() if p is not None and p.valid}
        for name, parsed in seconds.items():
            alone = picked[name][0]
            if parsed is not None and parsed.value == "" and parsed.valid:
                alone = replace(alone, parsed=parsed)  # "********": stars misread as letters
            elif parsed is not None and parsed.valid and not alone.parsed.valid:
                # the crop reads what the page did not (a CPF whose check digits failed):
                # its value, never asserted on that one read
                alone = replace(alone, parsed=replace(parsed, repairs=max(parsed.repairs, 1)))
                parsed = None
            picked[name] = (alone, parsed)
    if opts.verify:
        third_read(picked, prepared, ocr=ocr, today=opts.today)
    return picked


_DIGITS = re.compile(r"[\d./-]+")
# a CEP's crop re-read at this zoom: the page is scaled for letters about 30 px high, so its
# digits stand 38-47 px, where Tesseract's LSTM misreads a clean 5 as 9; at 0.6 they stand
# 23-28 px and read right (tuning cartões' CEPs, clean and moderate: 6 of 6 at 0.5-0.6,
# 4 of 6 at 1.0). Only the CEP: it has no check digit, and an RG number re-read so took a
# wrong digit (held-out clean RG, bench/ocr/README)
DIGITS_ZOOM = 0.6
