"""Reading real bytes end to end: text-layer PDFs, scans and photos of each kind (Tesseract)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageFilter

from bench.ocr.synthetic import TODAY, make_sample
from bot.documents import DocumentRejected, ReadOptions, read_document

from .samples import confident_wrong, exact_share, reading

KINDS = ("cnpj_card", "cnh", "rg")


@pytest.mark.parametrize("kind", KINDS)
def test_text_layer_pdf_is_read_without_ocr(kind: str) -> None:
    sample = make_sample(kind, "pdf", seed=7)
    result = read_document(sample.data, options=ReadOptions(today=TODAY))
    assert result.source == "text_layer"
    assert result.kind == kind
    assert result.fields == sample.truth
    assert all(value >= 0.99 for value in result.confidence.values())
    assert set(result.to_json()) == {"kind", "fields", "confidence", "warnings"}


def test_blank_nome_fantasia_is_left_out_and_named() -> None:
    sample = make_sample("cnpj_card", "pdf", seed=15)  # this seed prints ******** as the name
    assert "nome_fantasia" not in sample.truth
    result = read_document(sample.data, options=ReadOptions(today=TODAY))
    assert "nome_fantasia" not in result.fields
    assert any(w.startswith("nome_fantasia") for w in result.warnings)


# One OCR reading per (kind, set) keeps the folder fast on 2 shared cores; the benchmark
# covers the sets at size. Scans and photos of every kind are read across these tests.
CASES = [("cnpj_card", "clean"), ("cnh", "moderate"), ("rg", "moderate"), ("cnh", "heavy")]


@pytest.mark.tesseract
def test_clean_scan_of_a_cnpj_card() -> None:
    sample, result = reading("cnpj_card", "clean", 3)
    assert result.kind == "cnpj_card" and result.source == "ocr"
    assert exact_share(sample, result) >= 0.85, (result.fields, sample.truth)
    assert result.quality is not None and result.quality.verdict == "ok"
    assert result.confidence["cnpj"] >= 0.9  # check digits vouch for it


@pytest.mark.tesseract
@pytest.mark.parametrize("kind", ["cnh", "rg"])
def test_phone_photo_of_identity_documents(kind: str) -> None:
    sample, result = reading(kind, "moderate", 3)
    assert result.kind == kind
    assert exact_share(sample, result) >= 0.75, (result.fields, sample.truth)
    assert result.fields.get("cpf") == sample.truth["cpf"]


@pytest.mark.tesseract
def test_confidence_is_honest_on_a_fixed_set() -> None:
    """No field asserted (>= 0.9) may be wrong; degraded photos included."""
    wrong: list[str] = []
    checked = 0
    for kind, set_name in CASES:
        sample, result = reading(kind, set_name, 3)
        wrong += confident_wrong(sample, result)
        checked += len(result.fields)
        assert set(result.confidence) == set(result.fields)
        assert all(0.0 <= value <= 1.0 for value in result.confidence.values())
        for name in set(sample.truth) - set(result.fields):
            assert any(w.startswith(name) for w in result.warnings)
    assert checked >= 12
    assert wrong == []


@pytest.mark.tesseract
def test_blurred_photo_gets_a_tip_instead_of_a_reading() -> None:
    sample = make_sample("cnh", "moderate", seed=5)
    blurred = Image.open(io.BytesIO(sample.data)).filter(ImageFilter.GaussianBlur(6))
    small = blurred.resize((blurred.width // 2, blurred.height // 2))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=40)
    result = read_document(buf.getvalue(), kind="cnh", options=ReadOptions(today=TODAY))
    assert result.quality is not None and result.quality.verdict == "unreadable"
    assert result.fields == {}
    assert "PDF" in result.tip_pt and "flat" in result.tip_en
    assert result.warnings and result.warnings[0].startswith("image unreadable")


@pytest.mark.tesseract
def test_scanned_pdf_goes_through_ocr() -> None:
    sample = make_sample("rg", "clean", seed=2)
    image = Image.open(io.BytesIO(sample.data)).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=200.0)
    result = read_document(buf.getvalue(), options=ReadOptions(today=TODAY))
    assert result.source == "ocr" and result.kind == "rg"
    assert exact_share(sample, result) >= 0.75
    assert not confident_wrong(sample, result)


@pytest.mark.tesseract
def test_exif_orientation_is_applied() -> None:
    sample = make_sample("rg", "clean", seed=6)
    image = Image.open(io.BytesIO(sample.data)).convert("RGB").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the camera held sideways
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92, exif=exif)
    result = read_document(buf.getvalue(), options=ReadOptions(today=TODAY))
    assert result.kind == "rg"
    assert result.fields.get("cpf") == sample.truth["cpf"]


@pytest.mark.tesseract
def test_heic_photo_is_read() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    sample = make_sample("cnh", "clean", seed=2)
    buf = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(sample.data)).convert("RGB")).save(
        buf, quality=90
    )
    result = read_document(buf.getvalue(), options=ReadOptions(today=TODAY))
    assert result.kind == "cnh" and result.source == "ocr"
    assert result.fields.get("cpf") == sample.truth["cpf"]
    assert not confident_wrong(sample, result)


def test_truncated_heic_is_refused_as_corrupt() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    pillow_heif.from_pillow(Image.effect_noise((600, 400), 60).convert("RGB")).save(buf)
    data = buf.getvalue()
    with pytest.raises(DocumentRejected) as info:
        read_document(data[: len(data) // 2], options=ReadOptions(today=TODAY))
    assert info.value.code == "corrupt"


def test_dates_in_the_future_are_not_asserted() -> None:
    sample = make_sample("cnh", "pdf", seed=1)
    earlier = date(1930, 1, 1)  # "today" before the birth date: the date cannot be right
    result = read_document(sample.data, options=ReadOptions(today=earlier))
    assert result.confidence.get("data_nascimento", 0.0) < 0.9
