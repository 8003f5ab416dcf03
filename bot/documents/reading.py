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
from bot.documents.cin import cin_number, is_cin, read_zone, with_zone
from bot.documents.confidence import ASSERTED, TEXT_FIELDS, Evidence, score
from bot.documents.contract import contract_fields, prose_text
from bot.documents.contract import field_names as contract_field_names
from bot.documents.errors import DocumentRejected
from bot.documents.extraction import extract_fields
from bot.documents.fields import CHECKED_FIELDS, FIELD_NAMES, FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.imaging import (
    Prepared,
    Preprocessing,
    correct_illumination,
    heif_available,
    load_image,
    otsu_threshold,
    prepare,
    to_gray,
)
from bot.documents.intake import sniff_type
from bot.documents.kinds import detect_kind
from bot.documents.mrz import Mrz, find_td1, mrz_reads
from bot.documents.orientation import quarter_turn, read_upright, turn, turn_array
from bot.documents.page import Page
from bot.documents.pdf import MIN_TEXT_CHARS
from bot.documents.quality import SCAN_THRESHOLDS, TIP_EN, TIP_PT, ImageQuality, measure_quality
from bot.documents.rereading import crop_reads, pick, restore_accents, third_read
from bot.documents.tesseract import OcrEngine, TesseractEngine

KINDS = tuple(FIELD_NAMES)
FAR_FUTURE = date(2100, 1, 1)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read. ``today`` bounds plausible dates (pass the clock's date)."""

    today: date = FAR_FUTURE
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    psm: int = 11  # first pass: binarized page, sparse text (finds small labels in forms)
    second_psm: int = 6  # second pass: grey page, uniform block; agreement is evidence
    verify: bool = True  # run the second pass (and re-read values only one pass found)
    max_pages: int = 2  # pages read by OCR
    max_text_pages: int = 30  # text-layer pages (cheap) read for a contract's partners
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
    text: str = field(default="", repr=False)  # the page as read, row by row (contracts)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "fields": dict(self.fields),
            "confidence": dict(self.confidence),
            "warnings": list(self.warnings),
        }

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
        raise DocumentRejected(
            "heic_unsupported",
            "Não consigo abrir fotos HEIC; envie em JPEG.",
            "HEIC photos cannot be opened here; please send a JPEG.",
        )
    try:
        image = load_image(data)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentRejected(
            "corrupt", "Não consegui abrir a imagem.", "I could not open the image."
        ) from exc
    return _read_image(image, kind=kind, opts=opts, ocr=ocr)


def _read_pdf(data: bytes, *, kind: str, opts: ReadOptions, ocr: OcrEngine) -> Extraction:
    """Page by page: text layers cheaply (a contract's partners may be pages in), scanned
    pages through OCR up to ``max_pages``; a contract is read from all its pages' text."""
    pdf = pdf_pages.open_pdf(data)
    try:
        results: list[Extraction] = []
        scanned = 0
        for index in range(min(len(pdf), max(opts.max_pages, opts.max_text_pages))):
            contract = kind == "contrato_social" or (
                results and results[0].kind == "contrato_social"
            )
            if index >= opts.max_pages and not contract:
                break
            # a contract whose pages have text layers: a short last page is text, not a scan
            texts = contract and all(r.source == "text_layer" for r in results)
            page = pdf_pages.text_page(pdf, index, min_chars=1 if texts else MIN_TEXT_CHARS)
            if page is not None:
                results.append(_from_page(page, kind=kind, opts=opts))
            elif scanned < opts.max_pages:
                scanned += 1
                image = pdf_pages.render_page(pdf, index, dpi=opts.pdf_dpi)
                # a contract's later pages are its prose: no kind to tell again
                page_kind = "contrato_social" if contract else kind
                results.append(_read_image(image, kind=page_kind, opts=opts, ocr=ocr, scan=True))
            if not contract and _complete(results[-1]):
                break
    finally:
        pdf.close()
    if results and (kind == "contrato_social" or results[0].kind == "contrato_social"):
        return _contract(results)
    return _merge(results)


def _contract(pages: list[Extraction]) -> Extraction:
    """A contract from the text of all its pages (its clauses run across page breaks)."""
    text_layer = all(page.source == "text_layer" for page in pages)
    text = "\n".join(page.text for page in pages)
    found, missing = contract_fields(text, scanned=not text_layer)
    result = Extraction(
        kind="contrato_social",
        source="text_layer" if text_layer else "ocr",
        quality=pages[0].quality,
        text=text,
    )
    poor = any(p.quality is not None and p.quality.verdict == "poor" for p in pages)
    for name in contract_field_names(found, missing):
        _record(
            result,
            name,
            read=found.get(name),
            missing=missing,
            evidence=Evidence(text_layer=text_layer, image_poor=poor),
        )
    return result


def _complete(result: Extraction) -> bool:
    names = FIELD_NAMES.get(result.kind, ())
    return bool(names) and all(
        result.confidence.get(n, 0) >= ASSERTED
        or f"{n}: not printed on the document" in result.warnings
        for n in names
    )


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


def _read_image(
    image: Image.Image, *, kind: str, opts: ReadOptions, ocr: OcrEngine, scan: bool = False
) -> Extraction:
    """``scan``: a PDF's image page (its blur is the scanner's, it cannot be retaken)."""
    flat = correct_illumination(to_gray(image))
    turned = 0
    if opts.orient and quarter_turn(flat < otsu_threshold(flat)):
        # text runs down the page; the first pass tells whether this quarter turn was the wrong one
        turned = 90
        image, flat = turn(image, turned), turn_array(flat, turned)
    quality = measure_quality(image, SCAN_THRESHOLDS if scan else None, flat=flat)
    if not quality.readable:
        return Extraction(
            kind=kind if kind != "auto" else "other",
            quality=quality,
            source="none",
            warnings=[f"image unreadable: {', '.join(quality.reasons)}"],
            tip_pt=TIP_PT,
            tip_en=TIP_EN,
            turned=turned,
        )
    prepared = prepare(image, opts.preprocessing, flat=flat)
    result = _from_passes(prepared, kind=kind, opts=opts, ocr=ocr, quality=quality, turned=turned)
    if turned and result.kind == "other":
        # the ink's axis misled the quarter turn (guilloche, a table's edge): read as taken
        unturned = prepare(turn(image, 270), opts.preprocessing, flat=turn_array(flat, 270))
        again = _from_passes(unturned, kind=kind, opts=opts, ocr=ocr, quality=quality)
        result = again if again.kind != "other" else result
    result.quality = quality
    if quality.verdict == "poor" or (
        result.kind != "other" and len(result.uncertain) * 2 >= len(FIELD_NAMES[result.kind])
    ):
        result.tip_pt, result.tip_en = TIP_PT, TIP_EN
    return result


def _from_page(page: Page, *, kind: str, opts: ReadOptions) -> Extraction:
    """A text-layer page: one exact reading, nothing to cross-check."""
    detected, _ = detect_kind(page, mrz=find_td1(page, today=opts.today) is not None)
    chosen = detected if kind == "auto" else kind
    text = page.text()
    if chosen == "other":
        return Extraction(
            kind="other", source="text_layer", warnings=["document kind not recognized"], text=text
        )
    result = Extraction(kind=chosen, source="text_layer", text=text)
    if chosen == "contrato_social":
        return result  # read from all its pages together (_contract)
    found, missing = extract_fields(page, chosen, today=opts.today)
    _warn_kind(result, kind, detected=detected)
    zone = find_td1(page, today=opts.today) if chosen == "rg" else None
    zone_reads = mrz_reads(zone) if zone is not None else {}
    for name in FIELD_NAMES[chosen]:
        read, agrees = with_zone(name, found.get(name), zone=zone_reads.get(name))
        _record(
            result,
            name,
            read=read,
            missing=missing,
            evidence=Evidence(text_layer=read is None or read.via != "mrz", agrees=agrees),
        )
    if chosen == "rg" and (zone is not None or is_cin(page)):
        result.warnings = cin_number(result.fields, result.confidence, warnings=result.warnings)
    return result


def _warn_kind(result: Extraction, asked: str, *, detected: str) -> None:
    if asked != "auto" and detected not in (asked, "other"):
        result.warnings.append(f"document looks like {detected}, read as {asked}")


def _record(
    result: Extraction,
    name: str,
    *,
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
    merged or dropped, and a kind the first pass could not tell."""
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
    ):
        return run
    size = (float(prepared.image.width), float(prepared.image.height))
    grey = Image.fromarray(np.clip(prepared.gray, 0, 255).astype(np.uint8))
    second = Page(tuple(ocr.words(grey, psm=opts.second_psm)), *size)
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
    return run


def _from_passes(
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
        # a poor scan's prose reads better grey as blocks (bench/ocr/README: contracts)
        poor = opts.verify and quality.verdict == "poor"
        text = prose_text(prepared, ocr=ocr) if poor else run.first.text()
        return Extraction(kind=run.kind, turned=turned, text=text)
    picked = _choose(run, prepared, ocr=ocr, opts=opts)
    zone_reads = mrz_reads(zone) if zone is not None and run.kind == "rg" else {}
    result = Extraction(kind=run.kind, turned=turned, text=first.text())
    _warn_kind(result, kind, detected=run.detected)
    poor = quality.verdict == "poor"
    ink = np.asarray(prepared.image) < 128
    for name in FIELD_NAMES[run.kind]:
        read, confirm = picked.get(name, (None, None))
        if (
            read is not None
            and name == "nome_fantasia"
            and read.parsed.value
            and star_run(ink, read.box)
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
        _record(result, name, read=read, missing=run.missing, evidence=evidence)
    if run.kind == "rg" and (zone is not None or is_cin(first)):
        result.warnings = cin_number(result.fields, result.confidence, warnings=result.warnings)
    return result


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
            again = crop_reads(blind, prepared, ocr=ocr, today=opts.today, zoom=1.5)
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
