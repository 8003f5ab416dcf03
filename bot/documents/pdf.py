"""PDF pages through pypdfium2: the text layer as positioned words, or a raster for OCR."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from bot.documents.errors import DocumentRejected
from bot.documents.page import Page, Word

MIN_TEXT_CHARS = 40  # fewer characters than this: a scan, not a text PDF
# A scanned page with less of its area in dark ink than this holds a few words at most (a
# scanner's "Página 1 de 1": 0.02 %; a contract's page of prose 4-10 %, its last lines of
# clauses and signatures alone 0.2-0.4 %, tuning family at 120-200 dpi): fewer than a page
# needs to hold a clause (orientation.MIN_DOCUMENT_WORDS), so it is not read
BLANK_INK = 0.0005
DARK = 160  # grey level below which a scanned pixel is ink, whatever the paper's tint


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentRejected(
            "pdf_unreadable",
            "Não consegui abrir este PDF. Ele pode estar corrompido ou protegido por senha.",
            "I could not open this PDF. It may be corrupt or password-protected.",
        ) from exc


def text_page(
    pdf: pdfium.PdfDocument, index: int, *, min_chars: int = MIN_TEXT_CHARS
) -> Page | None:
    """Words of page ``index`` from its text layer, top-left origin; None when it has none
    (fewer than ``min_chars`` characters: a scan, perhaps with a scanner's stamp)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range() if count > 0 else ""
            if len(text.strip()) < max(min_chars, 1):
                return None
            words: list[Word] = []
            current: list[str] = []
            box: list[float] = []

            def flush() -> None:
                if current:
                    words.append(
                        Word(
                            "".join(current),
                            box[0],
                            height - box[3],
                            box[2],
                            height - box[1],
                            100.0,
                        )
                    )
                current.clear()
                box.clear()

            for i in range(count):
                char = textpage.get_text_range(i, 1)
                if not char or char.isspace() or char in "\ufffe\x02":
                    flush()
                    continue
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                size = top - bottom
                if current and (
                    left - box[2] > 0.15 * size
                    or bottom > box[3]
                    or top < box[1]
                    or not 0.8 < size / max(box[3] - box[1], 1e-6) < 1.25
                ):
                    flush()
                if not current:
                    box.extend([left, bottom, right, top])
                else:
                    box[0], box[1] = min(box[0], left), min(box[1], bottom)
                    box[2], box[3] = max(box[2], right), max(box[3], top)
                current.append(char)
            flush()
        finally:
            textpage.close()
    finally:
        page.close()
    return Page(tuple(words), width, height, from_text_layer=True)


def render_page(pdf: pdfium.PdfDocument, index: int, *, dpi: float = 200.0) -> Image.Image:
    """Rasterize page ``index`` (for scanned PDFs)."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        try:
            image: Image.Image = bitmap.to_pil().convert("L")
            return image
        finally:
            bitmap.close()
    finally:
        page.close()


def nearly_blank(image: Image.Image) -> bool:
    """Whether a rendered scan is a nearly blank page (``BLANK_INK``). Measured on the grey
    as scanned: thresholded by Otsu, a blank page's paper noise is half "ink", measures as
    tiny letters and cost ~1 s of CPU to judge unreadable or scale up and read for 4 words
    (bench/ocr/README, sixth round). A dark or tinted page is never blank by this measure."""
    grey = np.asarray(image.convert("L"))
    return float(np.count_nonzero(grey < DARK)) < BLANK_INK * grey.size
