"""The benchmark's document generator: deterministic, valid truth, real layouts, real defects.

No OCR here: these tests check what the generator promises GEO's and INTAKE's tests (the
values are in the drawing where the truth says, check digits hold, photos to refuse are what
their defect says), quickly.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import numpy as np
import pypdfium2
import pytest
from PIL import Image, ImageFilter
from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from bench.ocr.generator import _page
from bench.ocr.layouts import fmt_cnpj, fmt_cpf
from bench.ocr.mrz import check_digit
from bench.ocr.synthetic import (
    ALL_KINDS,
    FIXED_SEED,
    draw,
    draw_sample,
    draw_unusable,
    flat_page,
)
from tests.bench_ocr.fonts import needs_fresh_fonts, needs_wide_fonts

UFS = set(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
FAMILIES = ("tuning", "heldout")
# every family, fresh and wide only where their fonts are installed (tests/bench_ocr/fonts.py)
ALL_FAMILIES = (
    *FAMILIES,
    pytest.param("fresh", marks=needs_fresh_fonts),
    pytest.param("wide", marks=needs_wide_fonts),
)


def _pdf_text(data: bytes) -> tuple[str, int]:
    doc = pypdfium2.PdfDocument(data)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    pages = len(doc)
    doc.close()
    return text, pages


def _grey(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float32)


@pytest.mark.parametrize("family", ALL_FAMILIES)
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_same_seed_draws_the_same_photo(kind: str, family: str) -> None:
    first = draw_sample(kind, seed=FIXED_SEED[family], family=family, level="heavy")
    again = draw_sample(kind, seed=FIXED_SEED[family], family=family, level="heavy")
    other = draw_sample(kind, seed=FIXED_SEED[family] + 1, family=family, level="pdf")
    assert first.data == again.data and first.truth == again.truth
    assert other.truth != first.truth


@pytest.mark.parametrize("family", ALL_FAMILIES)
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_level_shows_the_same_document(kind: str, family: str) -> None:
    truths = [
        draw(kind, seed=FIXED_SEED[family] + 2, family=family, level=level)[1]
        for level in ("pdf", "clean", "moderate", "heavy")
    ]
    assert all(t == truths[0] for t in truths)


def _check_truth(kind: str, truth: dict[str, str]) -> None:
    for name, value in truth.items():
        if name == "cpf" or name.endswith("_cpf"):
            assert stdnum_cpf.is_valid(value), (name, value)
        if name == "cnpj":
            assert stdnum_cnpj.is_valid(value) or not value.isdigit(), value
        if name == "cep":
            assert re.fullmatch(r"\d{8}", value)
        if name == "uf":
            assert value in UFS
        if name in ("data_nascimento", "validade", "data_abertura", "data_emissao"):
            datetime.strptime(value, "%d/%m/%Y")
    if kind == "rg":
        assert re.fullmatch(r"\d{7,11}X?", truth["rg"])
    if kind == "contrato_social":
        assert {"razao_social", "cnpj", "socio_1_nome", "socio_1_cpf"} <= set(truth)


@pytest.mark.parametrize("family", ALL_FAMILIES)
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_text_layer_holds_every_true_value(kind: str, family: str) -> None:
    for seed in range(FIXED_SEED[family], FIXED_SEED[family] + 4):
        data, truth = draw(kind, seed=seed, family=family, level="pdf")
        _check_truth(kind, truth)
        text, _ = _pdf_text(data)
        flat = re.sub(r"\s+", " ", text)
        for name, value in truth.items():
            shown = {"cpf": fmt_cpf, "cnpj": fmt_cnpj}.get(name.split("_")[-1], str)(value)
            if name in ("cep", "rg") or (kind == "cnh" and name == "cpf"):
                assert re.sub(r"\D", "", value) in re.sub(r"\D", "", flat), (name, value)
            elif kind == "rg" and name == "cpf" and "CPF" not in flat:
                continue  # the CIN prints its CPF in "REGISTRO GERAL - CPF"
            else:
                assert shown in flat, (seed, name, shown)


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_the_receita_card_puts_each_value_under_its_label(family: str) -> None:
    for seed in range(FIXED_SEED[family], FIXED_SEED[family] + 6):
        page = _page("cnpj_card", fam_name=family, seed=seed)
        texts = page.pen.lay.texts
        label = next(
            t for t in texts if t.text.replace("Ç", "C").replace("Ã", "A") == "SITUACAO CADASTRAL"
        )
        value = page.pen.boxes["situacao_cadastral"]
        assert page.truth["situacao_cadastral"] in {
            "ATIVA",
            "SUSPENSA",
            "INAPTA",
            "BAIXADA",
            "NULA",
        }
        assert value[1] > label.y + 1.0  # below the label ...
        assert abs(value[0] - label.x) < 0.5  # ... and aligned with it, not beside it


def test_the_cin_carries_an_mrz_whose_check_digits_verify() -> None:
    # ICAO 9303 part 3's worked examples
    assert (check_digit("L898902C3"), check_digit("740812"), check_digit("120415")) == (
        "6",
        "2",
        "9",
    )
    seen = 0
    for seed in range(FIXED_SEED["tuning"], FIXED_SEED["tuning"] + 30):
        sample = draw_sample("rg", seed=seed, level="pdf")
        if sample.notes.get("model") != "cin":
            continue
        seen += 1
        line1, line2, line3 = sample.notes["mrz"].split("\n")
        assert len(line1) == len(line2) == len(line3) == 30
        cpf = sample.truth["cpf"]
        assert sample.truth["rg"] == cpf
        assert line1[:5] == "IDBRA" and line1[5:14] + line1[15:17] == cpf
        assert line1[14] == "<" and line1[17] == check_digit(cpf)
        born = datetime.strptime(sample.truth["data_nascimento"], "%d/%m/%Y").strftime("%y%m%d")
        assert line2[:6] == born and line2[6] == check_digit(born)
        assert line2[14] == check_digit(line2[8:14])
        assert line2[29] == check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
        surname = sample.truth["nome"].split()[-1]
        assert line3.startswith(
            surname.replace("Ã", "A")
            .replace("Õ", "O")
            .replace("Ç", "C")
            .replace("É", "E")
            .replace("Ê", "E")
            .replace("Á", "A")
            .replace("Í", "I")
            .replace("Ó", "O")
            .replace("Ú", "U")
            .replace("Â", "A")
            .replace("Ô", "O")
            + "<<"
        )
    assert seen >= 3


def test_the_families_draw_with_different_fonts_and_wordings() -> None:
    fonts: dict[str, set[str]] = {"tuning": set(), "heldout": set()}
    labels: dict[str, set[str]] = {"tuning": set(), "heldout": set()}
    for family in FAMILIES:
        for kind in ("cnpj_card", "cnh", "rg", "comprovante_endereco"):
            for seed in range(FIXED_SEED[family], FIXED_SEED[family] + 8):
                lay = _page(kind, fam_name=family, seed=seed).pen.lay
                fonts[family] |= {t.font or lay.font for t in lay.texts} - {
                    "DejaVuSansMono",
                    "LiberationMono",
                }  # the MRZ's and bar code's digits
                labels[family] |= {t.text for t in lay.texts}
    assert fonts["tuning"] and fonts["heldout"] and not fonts["tuning"] & fonts["heldout"]
    assert {"DATA NASC.", "NOME COMPLETO"} & labels["heldout"]
    assert not {"DATA NASC.", "NOME COMPLETO"} & labels["tuning"]


def test_the_contract_is_a_text_pdf_and_a_scan_without_text() -> None:
    sample = draw_sample("contrato_social", seed=1000, level="pdf")
    text, pages = _pdf_text(sample.data)
    assert "CLÁUSULA" in text and pages >= 1
    assert fmt_cpf(sample.truth["socio_1_cpf"]) in text
    scan = draw_sample("contrato_social", seed=1000, level="moderate")
    scan_text, scan_pages = _pdf_text(scan.data)
    assert scan_text.strip() == "" and scan_pages == pages
    assert scan.truth == sample.truth


def _sharpness(grey: np.ndarray) -> float:
    edges = Image.fromarray(grey.astype(np.uint8)).filter(ImageFilter.FIND_EDGES)
    return float(np.asarray(edges, dtype=np.float32).var())


@pytest.mark.parametrize("kind", ("cnpj_card", "cnh", "rg", "comprovante_endereco"))
def test_photos_to_refuse_have_their_defect(kind: str) -> None:
    good = _grey(draw(kind, seed=1000, level="moderate")[0])
    dark = draw_unusable(kind, seed=1000, defect="dark")
    assert _grey(dark.data).mean() < 40 < good.mean()
    blurred = draw_unusable(kind, seed=1000, defect="blurred")
    assert _sharpness(_grey(blurred.data)) < _sharpness(good) / 3
    small = draw_unusable(kind, seed=1000, defect="small")
    assert small.notes["defect"] == "small"
    glare = draw_unusable(kind, seed=1000, defect="glare")
    assert glare.notes["region"] in ("nome", "razao_social", "titular")
    cropped = draw_unusable(kind, seed=1000, defect="cropped")
    assert cropped.notes["side"] in ("left", "right", "top", "bottom")


def test_glare_washes_out_the_field_it_names() -> None:
    from bench.ocr.camera import add_glare

    img, _ = flat_page("cnh", seed=1000, width=1280)
    page = _page("cnh", fam_name="tuning", seed=1000)
    x0, y0, x1, y1 = (v * 10 for v in page.pen.boxes["nome"])  # 1280 px / 128 mm
    before = np.asarray(img.convert("L"), dtype=np.float32)[
        round(y0) : round(y1), round(x0) : round(x1)
    ]
    import random

    add_glare(img, random.Random(1), strength=1.0, box=(x0, y0, x1, y1))
    after = np.asarray(img.convert("L"), dtype=np.float32)[
        round(y0) : round(y1), round(x0) : round(x1)
    ]
    assert before.min() < 80  # the name's ink ...
    assert after.min() > 200  # ... is gone under the reflection


def test_unknown_names_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="kind"):
        draw("passport", seed=1)
    with pytest.raises(ValueError, match="family"):
        draw("cnh", seed=1, family="other")
    with pytest.raises(ValueError, match="level"):
        draw("cnh", seed=1, level="blurry")
    with pytest.raises(ValueError, match="defect"):
        draw_unusable("cnh", seed=1, defect="wet")


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_no_two_runs_of_text_overlap_and_none_leaves_the_page(family: str) -> None:
    from bench.ocr.forms import text_box

    for kind in ("cnpj_card", "cnh", "rg", "comprovante_endereco"):
        for seed in range(FIXED_SEED[family], FIXED_SEED[family] + 12):
            lay = _page(kind, fam_name=family, seed=seed).pen.lay
            boxes = [(t.text, text_box(t, lay)) for t in lay.texts if t.text]
            for i, (text, a) in enumerate(boxes):
                assert a[0] >= 0 and a[2] <= lay.width + 0.5, (kind, seed, text)
                for other, b in boxes[i + 1 :]:
                    w = min(a[2], b[2]) - max(a[0], b[0])
                    h = min(a[3], b[3]) - max(a[1], b[1])
                    assert w <= 0.3 or h <= 0.6, (kind, seed, text, other)


@pytest.mark.parametrize("kind", ("cnh", "comprovante_endereco"))
def test_another_familys_camera_shoots_the_same_document_another_way(kind: str) -> None:
    own = draw_sample(kind, seed=1002, family="tuning", level="heavy")
    harsher = draw_sample(kind, seed=1002, family="tuning", level="heavy", camera="fresh")
    assert harsher.truth == own.truth and harsher.data != own.data
    assert harsher.name.endswith("-freshcam") and not own.name.endswith("cam")
    # the same family named as the camera is the family's own capture, byte for byte
    same = draw_sample(kind, seed=1002, family="tuning", level="heavy", camera="tuning")
    assert same.data == own.data
    with pytest.raises(ValueError, match="family"):
        draw_sample(kind, seed=1002, family="tuning", level="heavy", camera="drone")
