"""The drawing families' generator: any kind, any level, any seed, with its ground truth.

A seed fixes the document (its person or company and its drawing); the level only changes how
it is captured, so ``draw(kind, seed=7, level="clean")`` and ``level="heavy"`` show the same
document. See ``bench.ocr.synthetic`` for the public API.
"""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import date

import pypdfium2
from PIL import Image

from bench.ocr import bill as bills
from bench.ocr import contract as contracts
from bench.ocr import ids
from bench.ocr.camera import DEFECTS, Box, shoot, spoil
from bench.ocr.families import FAMILIES, family
from bench.ocr.forms import MmBox, Pen, text_box
from bench.ocr.layouts import Layout, fmt_date
from bench.ocr.people import make_company, make_person
from bench.ocr.receita import cnpj_card
from bench.ocr.render import check_fonts, render_image, render_pdf

ALL_KINDS = ("cnpj_card", "cnh", "rg", "comprovante_endereco", "contrato_social")
LEVELS = ("pdf", "clean", "moderate", "heavy")
FIXED_SEED = {"tuning": 1000, "heldout": 9000, "fresh": 5000, "wide": 3000}  # sets start here
# the phone a family's photos are taken with, when not its own (camera.shoot knows "fresh"'s);
# and the JPEG qualities of its clean scans when not 90 (drawn, so a seed fixes them)
PHONE = {"wide": "fresh"}
CLEAN_JPEG = {"fresh": (80, 93), "wide": (74, 91)}
TODAY = date(2026, 3, 2)
SITUATIONS = ("ATIVA",) * 6 + ("SUSPENSA", "INAPTA", "BAIXADA", "NULA")
GLARE_REGION = {
    "cnpj_card": "razao_social",
    "cnh": "nome",
    "rg": "nome",
    "comprovante_endereco": "titular",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """A drawn document before capture: its pen (layout, value boxes), truth and notes."""

    pen: Pen
    truth: dict[str, str]
    notes: dict[str, str]
    pdf: bytes = b""  # for kinds whose natural form is a PDF (CNH-e page, contract)


def _page(kind: str, *, fam_name: str, seed: int) -> Page:
    fam = family(fam_name)
    if fam_name in ("fresh", "wide"):  # fonts from packages the other families do not need
        check_fonts(fam.sans + fam.serif + fam.mono)
    rng = random.Random(f"{fam_name}/{kind}/{seed}")
    if kind == "cnpj_card":
        company = make_company(rng, today=TODAY)
        company = dataclasses.replace(company, situacao=rng.choice(SITUATIONS))
        truth = {
            "cnpj": company.cnpj,
            "razao_social": company.razao_social,
            "data_abertura": fmt_date(company.data_abertura),
            "cep": company.cep,
            "municipio": company.municipio,
            "uf": company.uf,
            "situacao_cadastral": company.situacao,
        }
        if company.nome_fantasia:
            truth["nome_fantasia"] = company.nome_fantasia
        return Page(cnpj_card(company, fam=fam, rng=rng, emitted=TODAY), truth, {})
    if kind in ("cnh", "rg"):
        person = make_person(rng, today=TODAY)
        truth = {
            "nome": person.nome,
            "cpf": person.cpf,
            "data_nascimento": fmt_date(person.data_nascimento),
        }
        if kind == "cnh":
            truth |= {
                "numero_registro": person.cnh_registro,
                "validade": fmt_date(person.cnh_validade),
            }
            model = "2022" if rng.random() < 0.45 else "2017"
            pen = ids.cnh(person, fam=fam, rng=rng, emitted=TODAY, model=model)
            page = ids.cnh_e_page(pen.lay, pen=pen, person=person)
            return Page(pen, truth, {"model": model}, render_pdf(page))
        if rng.random() < 0.3:
            pen, zone = ids.cin(person, fam=fam, rng=rng, emitted=TODAY)
            return Page(pen, truth | {"rg": person.cpf}, {"model": "cin", "mrz": zone})
        pen = ids.rg(person, fam=fam, rng=rng)
        return Page(pen, truth | {"rg": person.rg}, {"model": "rg"})
    if kind == "comprovante_endereco":
        pen, truth = bills.bill(fam=fam, rng=rng, today=TODAY)
        return Page(pen, truth, {})
    if kind == "contrato_social":
        text = contracts.write(fam=fam, rng=rng)
        pdf = contracts.text_pdf(text, fam=fam, rng=rng)
        return Page(Pen(Layout(width=210.0, height=297.0), fam, rng), text.truth, {}, pdf)
    raise ValueError(f"unknown kind {kind!r}; use one of {ALL_KINDS}")


def _flat(page: Page, rng: random.Random, *, width: tuple[int, int]) -> tuple[Image.Image, float]:
    lay = page.pen.lay
    px_per_mm = rng.randrange(*width) / lay.width
    return render_image(lay, px_per_mm=px_per_mm, rng=rng), px_per_mm


def _encode(img: Image.Image, rng: random.Random, *, family: str) -> tuple[bytes, str]:
    buf = io.BytesIO()
    if rng.random() < 0.5:
        img.save(buf, "PNG")
        return buf.getvalue(), "image/png"
    quality = rng.randrange(*CLEAN_JPEG[family]) if family in CLEAN_JPEG else 90
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue(), "image/jpeg"


def _px(box: MmBox, px_per_mm: float) -> Box:
    return (box[0] * px_per_mm, box[1] * px_per_mm, box[2] * px_per_mm, box[3] * px_per_mm)


def _text_boxes(page: Page, px_per_mm: float) -> list[Box]:
    lay = page.pen.lay
    return [_px(text_box(t, lay), px_per_mm) for t in lay.texts if t.text]


@dataclasses.dataclass(frozen=True, slots=True)
class Drawn:
    """One drawn document as a client would send it."""

    name: str
    kind: str
    data: bytes
    mime: str
    truth: dict[str, str]
    params: dict[str, float]
    notes: dict[str, str]


def draw_drawn(kind: str, *, seed: int, family_name: str, level: str, camera: str = "") -> Drawn:
    """``kind`` drawn in ``family_name`` from ``seed``, captured at ``level`` by ``camera``'s
    scanner and phone (the family's own when ""; another's keeps the document and its seeds)."""
    for name in (family_name, camera or family_name):
        if name not in FAMILIES:
            raise ValueError(f"unknown family {name!r}; use one of {FAMILIES}")
    camera = camera or family_name
    page = _page(kind, fam_name=family_name, seed=seed)
    rng = random.Random(f"{family_name}/{kind}/{seed}/{level}")
    name = f"{family_name}-{level}-{kind}-{seed}"
    if camera != family_name:
        name += f"-{camera}cam"
    notes = dict(page.notes)
    if kind == "contrato_social":
        data = page.pdf if level == "pdf" else contracts.scanned_pdf(page.pdf, rng=rng, level=level)
        return Drawn(name, kind, data, "application/pdf", page.truth, {}, notes)
    if level == "pdf":
        data = page.pdf if kind == "cnh" else render_pdf(page.pen.lay)
        return Drawn(name, kind, data, "application/pdf", page.truth, {}, notes)
    if level == "clean":
        img, _ = _flat(page, rng, width=(1500, 1900))
        data, mime = _encode(img, rng, family=camera)
        return Drawn(name, kind, data, mime, page.truth, {"width": float(img.width)}, notes)
    if level in ("moderate", "heavy"):
        img, px_per_mm = _flat(page, rng, width=(1900, 2200))
        protect = [_px(box, px_per_mm) for box in page.pen.boxes.values()]
        shot = shoot(
            img,
            rng=rng,
            level=level,
            avoid=_text_boxes(page, px_per_mm),
            protect=protect,
            family=PHONE.get(camera, camera),
        )
        return Drawn(
            name, kind, shot.data, "image/jpeg", page.truth, shot.params, notes | shot.notes
        )
    raise ValueError(f"unknown level {level!r}; use one of {LEVELS}")


def draw_unusable_drawn(kind: str, *, seed: int, family_name: str, defect: str) -> Drawn:
    """A photo of ``kind`` that must be refused for ``defect`` (see ``camera.DEFECTS``)."""
    if defect not in DEFECTS:
        raise ValueError(f"unknown defect {defect!r}; use one of {DEFECTS}")
    if kind == "contrato_social":
        raise ValueError("the contrato social is a PDF; photos to refuse are of the other kinds")
    page = _page(kind, fam_name=family_name, seed=seed)
    rng = random.Random(f"{family_name}/{kind}/{seed}/unusable/{defect}")
    img, px_per_mm = _flat(page, rng, width=(1900, 2200))
    region_name = GLARE_REGION[kind]
    box = page.pen.boxes.get(region_name)
    region = _px(box, px_per_mm) if box else None
    shot = spoil(img, rng=rng, defect=defect, region=region, region_name=region_name)
    return Drawn(
        f"{family_name}-{defect}-{kind}-{seed}",
        kind,
        shot.data,
        "image/jpeg",
        page.truth,
        shot.params,
        dict(page.notes) | shot.notes,
    )


def flat_page(
    kind: str, *, seed: int, family_name: str = "tuning", width: int = 2000
) -> tuple[Image.Image, dict[str, str]]:
    """The document as a flat RGB image ``width`` px wide, before any camera, and its truth."""
    page = _page(kind, fam_name=family_name, seed=seed)
    if page.pdf and kind == "contrato_social":
        doc = pypdfium2.PdfDocument(page.pdf)
        img = doc[0].render(scale=width / doc[0].get_width()).to_pil().convert("RGB")
        doc.close()
        return img, page.truth
    lay = page.pen.lay
    img = render_image(lay, px_per_mm=width / lay.width, rng=random.Random(seed))
    return img, page.truth
