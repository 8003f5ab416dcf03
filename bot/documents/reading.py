"""Reading a document: text-layer PDFs directly, images and scans through Tesseract.

``read_document(data, kind=..., options=...)`` returns an ``Extraction`` with SPEC's fields,
a confidence per field and warnings. Images are measured first: one too poor to read gets a
tip instead of a reading. Values without check digits are read twice (the whole page, then
their crops prepared differently) and only asserted when both reads agree.
"""

from __future__ import annotations

from PIL import Image

from bot.documents import pdf as pdf_pages
from bot.documents.cin import cin_number, is_cin, with_zone
from bot.documents.confidence import ASSERTED, Evidence
from bot.documents.contract import contract_fields
from bot.documents.contract import field_names as contract_field_names
from bot.documents.errors import DocumentRejected
from bot.documents.extraction import extract_fields
from bot.documents.fields import FIELD_NAMES
from bot.documents.imaging import (
    correct_illumination,
    heif_available,
    load_image,
    otsu_threshold,
    prepare,
    to_gray,
)
from bot.documents.intake import sniff_type
from bot.documents.kinds import detect_kind
from bot.documents.mrz import find_td1, mrz_reads
from bot.documents.orientation import text_axis, turn, turn_array
from bot.documents.page import Page
from bot.documents.passes import from_passes
from bot.documents.pdf import MIN_TEXT_CHARS
from bot.documents.plausible import settle
from bot.documents.quality import SCAN_THRESHOLDS, TIP_EN, TIP_PT, measure_quality
from bot.documents.results import FAR_FUTURE, KINDS, Extraction, ReadOptions, record, warn_kind
from bot.documents.tesseract import OcrEngine, TesseractEngine

__all__ = ["FAR_FUTURE", "KINDS", "Extraction", "ReadOptions", "read_document"]


def read_document(
    data: bytes,
    *,
    kind: str = "auto",
    options: ReadOptions | None = None,
    engine: OcrEngine | None = None,
) -> Extraction:
    """Read an image (JPEG/PNG/WebP/HEIC) or PDF and extract the fields of ``kind``; a date
    its field cannot have (``plausible.py``) is never confident."""
    opts = options or ReadOptions()
    result = _read(data, kind=kind, opts=opts, engine=engine)
    if opts.today_known:
        result.warnings += settle(
            result.kind, result.fields, confidence=result.confidence, today=opts.today
        )
    return result


def _read(data: bytes, *, kind: str, opts: ReadOptions, engine: OcrEngine | None) -> Extraction:
    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    ocr = engine or TesseractEngine(
        lang=opts.lang, timeout=opts.page_timeout, in_process=opts.in_process
    )
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
                if index > 0 and pdf_pages.nearly_blank(image):
                    results.append(_blank_page(page_kind))
                else:
                    results.append(
                        _read_image(image, kind=page_kind, opts=opts, ocr=ocr, scan=True)
                    )
            if not contract and _complete(results[-1]):
                break
    finally:
        pdf.close()
    if results and (kind == "contrato_social" or results[0].kind == "contrato_social"):
        return _contract(results)
    return _merge(results)


def _blank_page(kind: str) -> Extraction:
    """A later scanned page with a few words of ink at most (a scanner's page stamp, the end
    of a signature line): nothing to read on it (``pdf.nearly_blank``)."""
    return Extraction(
        kind=kind if kind != "auto" else "other",
        source="none",
        warnings=["page nearly blank: not read"],
    )


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
        record(
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
    sideways, fit = text_axis(flat < otsu_threshold(flat)) if opts.orient else (False, None)
    if sideways:
        # text runs down the page; the first pass tells whether this quarter turn was the wrong one
        turned = 90
        image, flat = turn(image, turned), turn_array(flat, turned)
    # glare was measured by the intake, which refuses a photo it hides words on (a scanned
    # PDF page has none): measured again it would refuse nothing more
    quality = measure_quality(image, SCAN_THRESHOLDS if scan else None, flat=flat, glare=False)
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
    # what the axis and the quality measured on this ink is not measured again
    prepared = prepare(
        image,
        opts.preprocessing,
        flat=flat,
        fit=None if turned else fit,
        letters=quality.text_height,
    )
    result = from_passes(prepared, kind=kind, opts=opts, ocr=ocr, quality=quality, turned=turned)
    if turned and result.kind == "other":
        # the ink's axis misled the quarter turn (guilloche, a table's edge): read as taken
        unturned = prepare(turn(image, 270), opts.preprocessing, flat=turn_array(flat, 270))
        again = from_passes(unturned, kind=kind, opts=opts, ocr=ocr, quality=quality)
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
    warn_kind(result, kind, detected=detected)
    zone = find_td1(page, today=opts.today) if chosen == "rg" else None
    zone_reads = mrz_reads(zone) if zone is not None else {}
    for name in FIELD_NAMES[chosen]:
        read, agrees = with_zone(name, found.get(name), zone=zone_reads.get(name))
        record(
            result,
            name,
            read=read,
            missing=missing,
            evidence=Evidence(text_layer=read is None or read.via != "mrz", agrees=agrees),
        )
    if chosen == "rg" and (zone is not None or is_cin(page)):
        result.warnings = cin_number(result.fields, result.confidence, warnings=result.warnings)
    return result
