"""Checks on an uploaded file before anything is stored or read.

The real type comes from the content (magic bytes, then Pillow or PDFium opening it), never
from the file name or the MIME type the channel declared. Every refusal is a
``DocumentRejected`` with a specific, friendly message in Portuguese and English.

A photo the reader cannot use (``bot.documents.quality``: blurred, cut by the frame, glare
over the text, too small or far, too dark) is refused here too, at once, with the reason and
a tip for the next photo — the client does not wait for a reading that would fail.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field, replace

import pypdfium2 as pdfium
from PIL import Image, UnidentifiedImageError

from bot.documents.errors import DocumentRejected
from bot.documents.glare_field import glare_field
from bot.documents.imaging import heif_available, load_image
from bot.documents.photo_advice import photo_refusal
from bot.documents.quality import GLARE, TOO_SMALL, ImageQuality, QualityThresholds, measure_quality

MB = 1024 * 1024
# A picture whose longest side is under this (a thumbnail, a preview forwarded instead of the
# photo) holds a whole document only in letters at the limit of reading: with letters
# measured small too, it is refused. Measured (bench/ocr, photos to refuse, "small"): RG and
# CIN photos 300-310 px wide, letters 7 px, read 0-3 of 4 fields with a birth date asserted
# wrong; CNH photos 1250-1520 px wide with the card far away, letters 7-9 px, read 14 of 15
# fields and are let through. Phone photos are 1000 px and more.
TINY_PICTURE = 640
HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_bytes: int = 16 * MB
    max_pixels: int = 40_000_000
    max_pdf_pages: int = 2  # more pages are accepted, but only these are read
    min_side: int = 200  # px: smaller images cannot hold a readable document
    check_photo: bool = True  # refuse photos the reader cannot use (quality.py), at once
    quality: QualityThresholds = field(default_factory=QualityThresholds)


@dataclass(frozen=True, slots=True)
class Notice:
    """A non-blocking remark for the client (e.g. only the first pages will be read)."""

    code: str
    message_pt: str
    message_en: str


@dataclass(frozen=True, slots=True)
class Upload:
    """An accepted upload: what it really is and how much of it will be read."""

    sha256: str
    size: int
    mime: str  # image/jpeg | image/png | image/webp | image/heic | application/pdf
    page_count: int
    pages_to_read: int
    width: int = 0
    height: int = 0
    filename: str = ""
    declared_type: str = ""
    notices: tuple[Notice, ...] = field(default=())

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf"


def sniff_type(data: bytes) -> str:
    """The MIME type from the first bytes, or "" when not a supported image or PDF."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    if _is_heif(data):
        return "image/heic"
    return ""


def _is_heif(data: bytes) -> bool:
    """An ISO-BMFF file whose ``ftyp`` box names an HEVC image brand (an iPhone photo).

    AVIF shares the container and the generic ``mif1`` brand but not the codec: it is not
    HEIC, and pillow-heif built without AV1 cannot open it.
    """
    if data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 256)]
    brands = {box[0:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & HEVC_BRANDS:
        return True
    return not brands & AVIF_BRANDS and bool(brands & GENERIC_HEIF_BRANDS)


# The code and its sentence in both languages, as DocumentRejected takes them.
def _reject(code: str, pt: str, en: str) -> DocumentRejected:  # noqa: PLR0917
    return DocumentRejected(code, pt, en)


def _corrupt() -> DocumentRejected:
    return _reject(
        "corrupt",
        "Não consegui abrir a imagem: o arquivo parece corrompido ou incompleto. "
        "Pode enviar de novo?",
        "I could not open the image: the file looks corrupt or incomplete. "
        "Could you send it again?",
    )


def _check_image(data: bytes, limits: IntakeLimits) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > limits.max_pixels:
                    raise _too_many_pixels(width * height, limits)
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, limits) from exc
    except DocumentRejected:
        raise
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise _corrupt() from exc
    if min(width, height) < limits.min_side:
        raise _reject(
            "too_small",
            f"A imagem é pequena demais para ler ({width}×{height} pixels). "
            "Envie uma foto com o documento ocupando a tela, ou o PDF.",
            f"The image is too small to read ({width}×{height} pixels). "
            "Please send a photo where the document fills the frame, or the PDF.",
        )
    return width, height


def _too_many_pixels(pixels: int | None, limits: IntakeLimits) -> DocumentRejected:
    limit = limits.max_pixels / 1e6
    size_pt = f" ({pixels / 1e6:.0f} megapixels)" if pixels else ""
    return _reject(
        "too_many_pixels",
        f"A imagem tem resolução grande demais{size_pt}; o limite é {limit:.0f} megapixels. "
        "Envie uma foto com resolução menor ou o PDF.",
        f"The image resolution is too large{size_pt}; the limit is {limit:.0f} megapixels. "
        "Please send a smaller photo or the PDF.",
    )


def _check_pdf(data: bytes) -> int:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _reject(
                "pdf_encrypted",
                "Este PDF está protegido por senha. Envie uma versão sem senha ou uma foto "
                "do documento.",
                "This PDF is password-protected. Please send a version without a password "
                "or a photo of the document.",
            ) from exc
        raise _reject(
            "pdf_unreadable",
            "Não consegui abrir este PDF: ele parece corrompido ou incompleto. "
            "Pode baixar de novo e reenviar?",
            "I could not open this PDF: it looks corrupt or incomplete. "
            "Could you download it again and resend it?",
        ) from exc
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages == 0:
        raise _reject("pdf_empty", "Este PDF não tem páginas.", "This PDF has no pages.")
    return pages


def inspect_upload(
    data: bytes, *, declared_type: str = "", filename: str = "", limits: IntakeLimits
) -> Upload:
    """Accept ``data`` as a readable image or PDF, or raise ``DocumentRejected``."""
    mime = _check_file(data, limits=limits)
    digest = hashlib.sha256(data).hexdigest()
    if mime != "application/pdf":
        width, height = _check_image(data, limits)
        if limits.check_photo:
            check_photo(data, limits.quality)
        return Upload(
            digest,
            len(data),
            mime,
            page_count=1,
            pages_to_read=1,
            width=width,
            height=height,
            filename=filename,
            declared_type=declared_type,
        )
    pages = _check_pdf(data)
    notices: tuple[Notice, ...] = ()
    if pages > limits.max_pdf_pages:
        first = limits.max_pdf_pages
        notices = (
            Notice(
                "too_many_pages",
                f"O PDF tem {pages} páginas; vou ler só as {first} primeiras.",
                f"The PDF has {pages} pages; I will read only the first {first}.",
            ),
        )
    return Upload(
        digest,
        len(data),
        mime,
        page_count=pages,
        pages_to_read=min(pages, limits.max_pdf_pages),
        notices=notices,
        filename=filename,
        declared_type=declared_type,
    )


def _check_file(data: bytes, *, limits: IntakeLimits) -> str:
    """The file's type by its content, or ``DocumentRejected``: empty, too large, neither an
    image nor a PDF, or HEIC without the decoder."""
    if not data:
        raise _reject(
            "empty",
            "O arquivo chegou vazio. Pode enviar de novo?",
            "The file arrived empty. Could you send it again?",
        )
    if len(data) > limits.max_bytes:
        size, limit = len(data) / MB, limits.max_bytes / MB
        raise _reject(
            "too_large",
            f"O arquivo tem {size:.1f} MB e o limite é {limit:.0f} MB. Envie uma foto menor "
            "ou o PDF.",
            f"The file is {size:.1f} MB and the limit is {limit:.0f} MB. Please send a smaller "
            "photo or the PDF.",
        )
    mime = sniff_type(data)
    if not mime:
        raise _reject(
            "unsupported_type",
            "Não reconheço este arquivo como imagem ou PDF. Envie uma foto (JPEG, PNG ou "
            "WebP) ou o PDF do documento.",
            "I do not recognize this file as an image or a PDF. Please send a photo (JPEG, "
            "PNG or WebP) or the document's PDF.",
        )
    if mime == "image/heic" and not heif_available():
        raise _reject(
            "heic_unsupported",
            "Recebi uma foto em HEIC, que ainda não consigo abrir. Envie em JPEG (no iPhone: "
            "Ajustes > Câmera > Formatos > Mais Compatível) ou o PDF.",
            "I received a HEIC photo, which I cannot open yet. Please send it as JPEG (on "
            "iPhone: Settings > Camera > Formats > Most Compatible) or the PDF.",
        )
    return mime


def check_photo(data: bytes, thresholds: QualityThresholds | None = None) -> None:
    """Raise ``DocumentRejected`` (code ``photo_<reason>``) for a photo the reader cannot use.

    A picture where no letters are found at all is let through: it is not a document photo
    gone wrong but something else (the reader then says it did not recognize a document).
    """
    image = load_image(data)
    quality = measure_quality(image, thresholds)
    if quality.text_height == 0:
        return
    if quality.readable:
        if not _tiny_with_small_letters(quality):
            return
        quality = replace(quality, verdict="unreadable", reasons=(TOO_SMALL,))
    over = glare_field(image, quality) if quality.main_reason == GLARE else ""
    refusal = photo_refusal(quality, glare_over=over)
    raise DocumentRejected(refusal.code, refusal.message_pt, refusal.message_en)


def _tiny_with_small_letters(quality: ImageQuality) -> bool:
    """A thumbnail-sized picture whose letters already measure small (``TINY_PICTURE``)."""
    return TOO_SMALL in quality.reasons and max(quality.width, quality.height) < TINY_PICTURE
