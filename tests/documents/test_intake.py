"""Every intake rejection path, with its message, and type detection by content."""

from __future__ import annotations

import io
import struct
import sys
import zlib

import pytest
from fpdf import FPDF
from PIL import Image

from bot.documents import DocumentRejected, IntakeLimits, inspect_upload
from bot.documents.intake import sniff_type

LIMITS = IntakeLimits()


def png(width: int = 400, height: int = 300) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 200).save(buf, "PNG")
    return buf.getvalue()


def jpeg(width: int = 400, height: int = 300) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def pdf(pages: int = 1, *, password: str = "") -> bytes:
    doc = FPDF()
    for i in range(pages):
        doc.add_page()
        doc.set_font("helvetica", size=12)
        doc.text(20, 20, f"page {i + 1}")
    if password:
        doc.set_encryption(owner_password="owner", user_password=password)
    return bytes(doc.output())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (a decompression bomb's signature)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def rejected(data: bytes, limits: IntakeLimits = LIMITS) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as info:
        inspect_upload(data, limits=limits)
    error = info.value
    assert error.message_pt and error.message_en
    return error


def test_accepts_a_jpeg_and_reports_hash_size_and_type() -> None:
    data = jpeg()
    upload = inspect_upload(data, declared_type="application/pdf", filename="x.pdf", limits=LIMITS)
    assert upload.mime == "image/jpeg"  # by content, not by name or declared type
    assert upload.size == len(data) and len(upload.sha256) == 64
    assert (upload.width, upload.height, upload.page_count) == (400, 300, 1)


def test_accepts_png_and_webp() -> None:
    assert inspect_upload(png(), limits=LIMITS).mime == "image/png"
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(buf, "WEBP")
    assert inspect_upload(buf.getvalue(), limits=LIMITS).mime == "image/webp"


def test_empty_file() -> None:
    assert rejected(b"").code == "empty"


def test_too_large_names_the_limit() -> None:
    error = rejected(jpeg(), IntakeLimits(max_bytes=1024))
    assert error.code == "too_large"
    assert "0 MB" in error.message_en and "limite" in error.message_pt


def test_not_an_image_or_pdf() -> None:
    error = rejected(b"GIF89a" + b"\x00" * 100)
    assert error.code == "unsupported_type"
    assert "PDF" in error.message_pt


def test_truncated_jpeg_is_corrupt() -> None:
    data = jpeg(800, 600)
    assert rejected(data[: len(data) // 2]).code == "corrupt"


def test_too_many_pixels_by_our_limit() -> None:
    error = rejected(png(500, 500), IntakeLimits(max_pixels=100_000))
    assert error.code == "too_many_pixels"
    assert "megapixels" in error.message_en


def test_decompression_bomb_header_is_refused_before_decoding() -> None:
    assert rejected(png_header_only(30_000, 30_000)).code == "too_many_pixels"


def test_tiny_image() -> None:
    assert rejected(png(120, 90)).code == "too_small"


def heic(image: Image.Image) -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    pillow_heif.from_pillow(image).save(buf, quality=85)
    return buf.getvalue()


def noisy(width: int = 800, height: int = 600) -> Image.Image:
    """An image that does not compress to nothing, so truncating it cuts into the pixels."""
    return Image.effect_noise((width, height), 60).convert("RGB")


def test_heic_is_recognized_by_content_and_accepted() -> None:
    data = heic(noisy())
    # noise is no document photo: only the type is under test here, not the photo's quality
    upload = inspect_upload(
        data,
        declared_type="application/octet-stream",
        filename="IMG_0001",
        limits=IntakeLimits(check_photo=False),
    )
    assert upload.mime == "image/heic"
    assert (upload.width, upload.height) == (800, 600)


def test_truncated_heic_is_corrupt() -> None:
    data = heic(noisy())
    assert rejected(data[: len(data) // 2]).code == "corrupt"
    assert rejected(data[:64]).code == "corrupt"


def test_heic_without_pillow_heif(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as if not installed
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    error = rejected(data)
    assert error.code == "heic_unsupported"
    assert "JPEG" in error.message_pt


@pytest.mark.parametrize(
    ("brands", "mime"),
    [
        (b"heic\x00\x00\x00\x00mif1heic", "image/heic"),
        (b"mif1\x00\x00\x00\x00mif1heix", "image/heic"),
        (b"hevc\x00\x00\x00\x00msf1hevc", "image/heic"),
        (b"mif1\x00\x00\x00\x00mif1miaf", "image/heic"),
        (b"avif\x00\x00\x00\x00mif1miaf", ""),  # AVIF: same container, another codec
        (b"mif1\x00\x00\x00\x00mif1avif", ""),
        (b"isom\x00\x00\x00\x00isomiso2", ""),  # an MP4 video
    ],
)
def test_heif_brands(brands: bytes, mime: str) -> None:
    data = (8 + len(brands)).to_bytes(4, "big") + b"ftyp" + brands + b"\x00" * 32
    assert sniff_type(data) == mime


def test_encrypted_pdf() -> None:
    error = rejected(pdf(password="secret"))
    assert error.code == "pdf_encrypted"
    assert "senha" in error.message_pt


def test_unreadable_pdf() -> None:
    assert rejected(b"%PDF-1.7\n" + b"garbage " * 50).code == "pdf_unreadable"


def test_long_pdf_is_accepted_with_a_notice() -> None:
    upload = inspect_upload(pdf(pages=5), limits=IntakeLimits(max_pdf_pages=2))
    assert upload.mime == "application/pdf"
    assert (upload.page_count, upload.pages_to_read) == (5, 2)
    assert upload.notices[0].code == "too_many_pages"
    assert "2 primeiras" in upload.notices[0].message_pt
