"""Reading a document: text-layer PDFs directly, images and scans through Tesseract.

``read_document(data, kind=..., options=...)`` returns an ``Extraction`` with SPEC's fields,
a confidence per field and warnings. Images are measured first: one too poor to read gets a
tip instead of a reading. Values without check digits are read twice (the whole page, then
their crops prepared differently) and only asserted when both reads agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from PIL import Image

from bot.documents import pdf as pdf_pages
from bot.documents.accents import lost_accent_words, star_run
from bot.documents.confidence import ASSERTED, TEXT_FIELDS, Evidence, score
from bot.documents.errors import DocumentRejected
from bot.documents.fields import (
    CHECKED_FIELDS,
    FIELD_NAMES,
    FieldRead,
    extract_fields,
    parsers,
)
from bot.documents.folding import fold
from bot.documents.identifiers import Parsed
from bot.documents.imaging import (
    Prepared,
    Preprocessing,
    correct_illumination,
    crop,
    heif_available,
    load_image,
    otsu_threshold,
    prepare,
    to_gray,
)
from bot.documents.intake import sniff_type
from bot.documents.kinds import detect_kind
from bot.documents.lexicon import restore
from bot.documents.orientation import quarter_turn, read_upright, turn, turn_array
from bot.documents.page import Page
from bot.documents.quality import TIP_EN, TIP_PT, ImageQuality, measure_quality
from bot.documents.tesseract import OcrEngine, TesseractEngine

KINDS = ("cnpj_card", "cnh", "rg")
FAR_FUTURE = date(2100, 1, 1)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read. ``today`` bounds plausible dates (pass the clock's date)."""

    today: date = FAR_FUTURE
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    psm: int = 11  # first pass: binarized page, sparse text (finds small labels in forms)
    second_psm: int = 6  # second pass: grey page, uniform block; agreement is evidence
    verify: bool = True  # run the second pass (and re-read values only one pass found)
    max_pages: int = 2
    page_timeout: float = 20.0
    lang: str = "por"
    pdf_dpi: float = 200.0
    orient: bool = True  # turn photos taken sideways or upside down (no EXIF) upright


@dataclass(slots=True)
class Extraction:
    """What was read. ``to_json()`` is SPEC's ``{"kind", "fields", "confidence", "warnings"}``."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    quality: ImageQuality | None = None
    source: str = "ocr"  # ocr | text_layer | none
    tip_pt: str = ""
    tip_en: str = ""
    turned: int = 0  # degrees the image was turned counter-clockwise to read it upright

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "fields": dict(self.fields),
                "confidence": dict(self.confidence), "warnings": list(self.warnings)}

    @property
    def uncertain(self) -> list[str]:
        """Fields the client must confirm (confidence below 0.9)."""
        return [name for name, value in self.confidence.items() if value < ASSERTED]


def read_document(
    data: bytes,
    *,
    kind: str = "auto",
    options: ReadOptions | None = None,
    engine: OcrEngine | None = None,
) -> Extraction:
    """Read an image (JPEG/PNG/WebP/HEIC) or PDF and extract the fields of ``kind``."""
    opts = options or ReadOptions()
    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    ocr = engine or TesseractEngine(lang=opts.lang, timeout=opts.page_timeout)
    mime = sniff_type(data)
    if mime == "application/pdf":
        return _read_pdf(data, kind=kind, opts=opts, ocr=ocr)
    if mime == "image/heic" and not heif_available():
        raise DocumentRejected("heic_unsupported", "Não consigo abrir fotos HEIC; envie em JPEG.",
                               "HEIC photos cannot be opened here; please send a JPEG.")
    try:
        image = load_image(data)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentRejected(
            "corrupt", "Não consegui abrir a imagem.", "I could not open the image."
        ) from exc
    return _read_image(image, kind=kind, opts=opts, ocr=ocr)


def _read_pdf(data: bytes, *, kind: str, opts: ReadOptions, ocr: OcrEngine) -> Extraction:
    pdf = pdf_pages.open_pdf(data)
    try:
        results: list[Extraction] = []
        for index in range(min(len(pdf), opts.max_pages)):
            page = pdf_pages.text_page(pdf, index)
            if page is not None:
                results.append(_from_page(page, kind=kind, opts=opts))
            else:
                image = pdf_pages.render_page(pdf, index, dpi=opts.pdf_dpi)
                results.append(_read_image(image, kind=kind, opts=opts, ocr=ocr))
            if _complete(results[-1]):
                break
    finally:
        pdf.close()
    return _merge(results)


def _complete(result: Extraction) -> bool:
    names = FIELD_NAMES.get(result.kind, ())
    return bool(names) and all(
        result.confidence.get(n, 0) >= ASSERTED or f"{n}: not printed on the document" in
        result.warnings for n in names)


def _merge(results: list[Extraction]) -> Extraction:
    """Combine pages: the first page's kind, each field from the page most sure of it."""
    best = results[0]
    for other in results[1:]:
        if best.kind == "other":
            best = other
            continue
        if other.kind != best.kind:
            continue
        for name, value in other.fields.items():
            if other.confidence[name] > best.confidence.get(name, -1):
                best.fields[name] = value
                best.confidence[name] = other.confidence[name]
        best.warnings = [w for w in best.warnings if w.split(":")[0] not in best.fields]
    return best


def _read_image(image: Image.Image, *, kind: str, opts: ReadOptions, ocr: OcrEngine) -> Extraction:
    flat = correct_illumination(to_gray(image))
    turned = 0
    if opts.orient and quarter_turn(flat < otsu_threshold(flat)):
        # text runs down the page; the first pass tells whether this quarter turn was the wrong one
        turned = 90
        image, flat = turn(image, turned), turn_array(flat, turned)
    quality = measure_quality(image, flat=flat)
    if not quality.readable:
        return Extraction(
            kind=kind if kind != "auto" else "other", quality=quality, source="none",
            warnings=[f"image unreadable: {', '.join(quality.reasons)}"],
            tip_pt=TIP_PT, tip_en=TIP_EN, turned=turned,
        )
    prepared = prepare(image, opts.preprocessing, flat=flat)
    result = _from_passes(prepared, kind=kind, opts=opts, ocr=ocr, quality=quality,
                          turned=turned)
    result.quality = quality
    if quality.verdict == "poor" or (result.kind != "other" and len(result.uncertain) * 2 >=
                                     len(FIELD_NAMES[result.kind])):
        result.tip_pt, result.tip_en = TIP_PT, TIP_EN
    return result


def _from_page(page: Page, *, kind: str, opts: ReadOptions) -> Extraction:
    """A text-layer page: one exact reading, nothing to cross-check."""
    detected, _ = detect_kind(page)
    chosen = detected if kind == "auto" else kind
    if chosen == "other":
        return Extraction(kind="other", source="text_layer",
                          warnings=["document kind not recognized"])
    found, missing = extract_fields(page, chosen, today=opts.today)
    result = Extraction(kind=chosen, source="text_layer")
    _warn_kind(result, kind, detected)
    for name in FIELD_NAMES[chosen]:
        _record(result, name, found.get(name), missing, Evidence(text_layer=True))
    return result


def _warn_kind(result: Extraction, asked: str, detected: str) -> None:
    if asked != "auto" and detected not in (asked, "other"):
        result.warnings.append(f"document looks like {detected}, read as {asked}")


def _record(
    result: Extraction,
    name: str,
    read: FieldRead | None,
    missing: dict[str, str],
    evidence: Evidence,
) -> None:
    if read is None:
        result.warnings.append(f"{name}: {missing.get(name, 'not found')}")
        return
    if read.parsed.value == "":
        result.warnings.append(f"{name}: not printed on the document")
        return
    result.fields[name] = read.parsed.value
    result.confidence[name] = score(read, evidence)
    if result.confidence[name] < ASSERTED:
        result.warnings.append(f"{name}: uncertain, please confirm")


def _incomplete(found: dict[str, FieldRead], kind: str) -> bool:
    return any(
        name not in found or not found[name].parsed.valid
        or (name in CHECKED_FIELDS and not found[name].parsed.checked)
        for name in FIELD_NAMES[kind])


def _from_passes(
    prepared: Prepared,
    *,
    kind: str,
    opts: ReadOptions,
    ocr: OcrEngine,
    quality: ImageQuality,
    turned: int = 0,
) -> Extraction:
    """OCR the binarized page (sparse text); when fields are missing, the grey page too
    (uniform block), which finds labels the first segmentation merged or dropped. Values
    seen by one pass only are confirmed by re-reading their crops."""
    size = (float(prepared.image.width), float(prepared.image.height))
    prepared, first, flipped = read_upright(prepared, ocr=ocr, psm=opts.psm, flip=opts.orient)
    turned = (turned + 180 * flipped) % 360
    detected, _ = detect_kind(first)
    chosen = detected if kind == "auto" else kind
    found: dict[str, FieldRead] = {}
    missing: dict[str, str] = {}
    unread: dict[str, FieldRead] = {}
    if chosen != "other":
        found, missing = extract_fields(first, chosen, today=opts.today, unread=unread)
    other: dict[str, FieldRead] = {}
    if opts.verify and (chosen == "other" or _incomplete(found, chosen)):
        grey = Image.fromarray(np.clip(prepared.gray, 0, 255).astype(np.uint8))
        second = Page(tuple(ocr.words(grey, psm=opts.second_psm)), *size)
        if chosen == "other":
            detected, _ = detect_kind(second)
            chosen = detected if kind == "auto" else kind
            if chosen != "other":
                found, missing = extract_fields(first, chosen, today=opts.today,
                                                unread=unread)
        if chosen != "other":
            other, missing_other = extract_fields(second, chosen, today=opts.today)
            missing = {**missing_other, **missing}
    if chosen == "other":
        return Extraction(kind="other", warnings=["document kind not recognized"],
                          turned=turned)
    picked: dict[str, tuple[FieldRead, Parsed | None]] = {}
    lonely: dict[str, tuple[FieldRead, bool]] = {}  # read, found on the binarized pass
    for name in FIELD_NAMES[chosen]:
        a, b = found.get(name), other.get(name)
        if a is not None and b is not None:
            picked[name] = _pick(a, b)
        elif a is not None:
            picked[name] = (a, None)
            lonely[name] = (a, True)
        elif b is not None:
            picked[name] = (b, None)
            lonely[name] = (b, False)
    rescue = {n: (r, True) for n, r in unread.items() if n not in picked}
    if opts.verify and rescue:
        # a label was found but its value did not parse: re-read that spot, larger, once
        for name, parsed in _crop_reads(rescue, prepared, ocr=ocr, today=opts.today,
                                        zoom=1.5).items():
            if parsed is not None and parsed.valid and parsed.value:
                picked[name] = (replace(rescue[name][0], parsed=parsed), None)
                missing.pop(name, None)
    if opts.verify and lonely:
        for name, parsed in _crop_reads(lonely, prepared, ocr=ocr, today=opts.today).items():
            alone = picked[name][0]
            if parsed is not None and parsed.value == "" and parsed.valid:
                alone = replace(alone, parsed=parsed)  # "********": stars misread as letters
            picked[name] = (alone, parsed)
    result = Extraction(kind=chosen, turned=turned)
    _warn_kind(result, kind, detected)
    poor = quality.verdict == "poor"
    ink = np.asarray(prepared.image) < 128
    for name in FIELD_NAMES[chosen]:
        choice: tuple[FieldRead | None, Parsed | None] = picked.get(name, (None, None))
        read, confirm = choice
        if read is not None and name == "nome_fantasia" and read.parsed.value and \
                star_run(ink, read.box):
            read = replace(read, parsed=Parsed("", True))
        flags = lost_accent_words(ink, read.words) if read and name in TEXT_FIELDS else []
        lost = any(flags)
        if lost and read is not None:
            read = _restore_accents(read, flags)
        evidence = Evidence(second=confirm, image_poor=poor, verified=opts.verify,
                            lost_accent=lost)
        _record(result, name, read, missing, evidence)
    return result


def _restore_accents(read: FieldRead, flags: list[bool]) -> FieldRead:
    """Put back accents the image shows on words Tesseract returned without them."""
    marked = {fold(w.text).strip(".,;:") for w, lost in zip(read.words, flags, strict=True)
              if lost}
    tokens = []
    for token in read.parsed.value.split():
        fixed = restore(token) if fold(token) in marked else None
        tokens.append(fixed or token)
    value = " ".join(tokens)
    if value == read.parsed.value:
        return read
    parsed = Parsed(value, read.parsed.valid, max(read.parsed.repairs, 2), read.parsed.checked)
    return replace(read, parsed=parsed)


def _accents(text: str) -> int:
    return sum(1 for ch in text if ord(ch) > 127)


def _pick(a: FieldRead, b: FieldRead) -> tuple[FieldRead, Parsed]:
    """The better of two reads of one field, and the other as its confirmation."""
    pa, pb = a.parsed, b.parsed
    if (pa.value == "") != (pb.value == "") and pa.valid and pb.valid:
        return (a, pb) if pa.value == "" else (b, pa)  # stars misread as letters, not vice versa
    if pa.value != pb.value:
        rank_a = (pa.valid, pa.checked, -pa.repairs)
        rank_b = (pb.valid, pb.checked, -pb.repairs)
        if rank_b > rank_a:
            return b, pa
        if rank_a == rank_b and fold(pa.value) == fold(pb.value) and \
                _accents(pb.value) > _accents(pa.value):
            return b, pa  # OCR drops accents far more often than it invents them
    return a, pb


def _crop_reads(
    reads: dict[str, tuple[FieldRead, bool]],
    prepared: Prepared,
    *,
    ocr: OcrEngine,
    today: date,
    zoom: float = 1.0,
) -> dict[str, Parsed | None]:
    """Re-read values found by one pass only: each crop from the other preparation (grey for
    the binarized pass and vice versa), stacked into one image for a single Tesseract call."""
    # check digits already vouch for identifiers: re-read only what has no such check
    names = [n for n, (read, _) in reads.items()
             if read.words and read.parsed.value and not read.parsed.checked]
    if not names:
        return {}
    binary = np.asarray(prepared.image, dtype=np.float32)
    crops = []
    for name in names:
        read, from_binary = reads[name]
        height = max(w.height for w in read.words)
        source = prepared.gray if from_binary else binary
        piece = np.clip(crop(source, read.region, pad=0.35 * height), 0, 255).astype(np.uint8)
        if zoom != 1.0:
            size = (round(piece.shape[1] * zoom), round(piece.shape[0] * zoom))
            piece = np.asarray(Image.fromarray(piece).resize(size, Image.Resampling.BICUBIC))
        crops.append(piece)
    gap = max(int(max(c.shape[0] for c in crops) * 0.8), 12)
    width = max(c.shape[1] for c in crops) + 2 * gap
    height = sum(c.shape[0] + gap for c in crops) + gap
    sheet = np.full((height, width), 255, dtype=np.uint8)
    spans = []
    y = gap
    for piece in crops:
        sheet[y:y + piece.shape[0], gap:gap + piece.shape[1]] = piece
        spans.append((y, y + piece.shape[0]))
        y += piece.shape[0] + gap
    words = ocr.words(Image.fromarray(sheet), psm=6)
    table = parsers(today)
    seconds: dict[str, Parsed | None] = {}
    for name, (top, bottom) in zip(names, spans, strict=True):
        inside = [w for w in words if top - 2 <= (w.top + w.bottom) / 2 <= bottom + 2]
        text = " ".join(w.text for w in sorted(inside, key=lambda w: w.left))
        seconds[name] = table[name](text) if text else None
    return seconds
