"""Synthetic documents with ground truth, for the OCR tests and benchmark.

The drawing families (issue #16) — use these
--------------------------------------------

    from bench.ocr.synthetic import draw, draw_sample, draw_unusable, flat_page

    data, truth = draw("cnpj_card", seed=1000, family="tuning", level="clean")
    sample = draw_sample("rg", seed=1003, family="tuning", level="moderate")
    bad = draw_unusable("cnh", seed=1001, family="tuning", defect="glare")
    image, truth = flat_page("comprovante_endereco", seed=1002)   # PIL image, no camera

- ``kind``: ``cnpj_card``, ``cnh``, ``rg``, ``comprovante_endereco``, ``contrato_social``
  (``ALL_KINDS``). ``cnh`` draws the 2017 or the 2022 model (its PDF is the CNH-e page);
  ``rg`` draws a state's RG model or, 3 in 10, the CIN with its MRZ (``rg`` = the CPF).
- ``family``: ``tuning`` (tune the reader on it), ``heldout`` (NEVER tune on it: it differs
  in fonts, spacing, label wordings, colours and layout choices, to measure generalisation),
  ``fresh`` (never tuned on nor studied: the final figures; it draws with fonts from extra
  packages, ``bench.ocr.render.EXTRA_FONTS``, and says which to install when they are missing),
  or ``wide`` (as wide as fresh but drawn otherwise, with fonts of yet other packages: a second
  family to tune on, since nobody may tune on fresh).
- ``level`` (``LEVELS``): ``pdf`` (text layer: cartão from Receita, CNH-e, CIN, bill, contract),
  ``clean`` (flat scan, PNG or JPEG 90; the contract: a scanned PDF without text layer),
  ``moderate`` / ``heavy`` (phone photos: on a table or in a hand with a thumb over an edge,
  perspective, shadow, soft glare, folds, blur, noise, JPEG; the contract: rougher scans).
  Every level is meant to be readable; photos to refuse come from ``draw_unusable``.
- ``seed``: fixes the document; the level only changes its capture. The fixed benchmark sets
  use seeds ``FIXED_SEED[family] + i``.
- ``draw`` returns ``(bytes as uploaded, truth)``; ``truth`` uses SPEC's field names and
  formats (dates DD/MM/YYYY; cnpj, cpf, cep, rg, numero_registro as digits; the contract's
  partners ``socio_1_nome``, ``socio_1_cpf``, ...; the bill's ``endereco`` is its street line).
- ``draw_sample`` returns a ``Sample`` (``data``, ``mime``, ``truth``, ``params`` of the
  camera, and ``notes``: e.g. ``model`` 2017/2022/cin/rg, ``mrz``, ``scene`` table/hand,
  ``thumb`` edge, ``glare`` soft, ``fold``).
- ``draw_unusable(kind, seed=, family=, defect=)``: a photo to refuse, ``defect`` one of
  ``DEFECTS`` (``blurred``, ``cropped``, ``glare``, ``small``, ``dark``); ``notes["defect"]``,
  and for glare ``notes["region"]`` (the field washed out: ``nome``, ``razao_social``,
  ``titular``), for cropped ``notes["side"]``.

The legacy sets (before issue #16), unchanged
---------------------------------------------

``make_set(name, count=..., seed=...)`` gives a deterministic list of ``Sample`` (bytes as a
client would send them plus the expected SPEC fields). Sets:

- ``pdf``: text-layer PDFs (fpdf2, DejaVu fonts) as downloaded from Receita;
- ``clean``: flat scans, 1500-1900 px wide, PNG or JPEG 90;
- ``moderate``: phone photos, rotation <= 7 degrees, mild perspective, shadow, blur, noise,
  downscaled to 1200-1600 px wide, JPEG 50-75;
- ``heavy``: rotation up to 15 degrees, stronger perspective and shadow, blur, JPEG 35-50,
  700-1100 px wide;
- ``rotated``: ``moderate`` photos taken sideways or upside down (turned 90, 180 or 270
  degrees by the seed), without EXIF orientation.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date

from PIL import Image

from bench.ocr.camera import DEFECTS, photograph
from bench.ocr.generator import (
    ALL_KINDS,
    FIXED_SEED,
    LEVELS,
    draw_drawn,
    draw_unusable_drawn,
)
from bench.ocr.generator import flat_page as _flat_page
from bench.ocr.layouts import (
    Layout,
    cnh_layout,
    cnpj_card_layout,
    fmt_date,
    rg_layout,
)
from bench.ocr.people import make_company, make_person
from bench.ocr.render import FONT_DIR, PT_TO_MM, render_image, render_pdf

__all__ = [
    "ALL_KINDS",
    "DEFECTS",
    "FIXED_SEED",
    "FONT_DIR",
    "KINDS",
    "LEVELS",
    "PT_TO_MM",
    "SETS",
    "TODAY",
    "Sample",
    "draw",
    "draw_sample",
    "draw_unusable",
    "family_set",
    "flat_page",
    "make_sample",
    "make_set",
    "photograph",
    "render_image",
    "render_pdf",
]
KINDS = ("cnpj_card", "cnh", "rg")
SETS = ("pdf", "clean", "moderate", "heavy", "rotated")
TODAY = date(2026, 3, 2)


@dataclass(frozen=True, slots=True)
class Sample:
    """One synthetic document: ``data`` as uploaded and the fields a perfect reader returns."""

    name: str
    kind: str
    data: bytes
    mime: str
    truth: dict[str, str]
    params: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    family: str = ""  # "" for the legacy sets
    level: str = ""


def document(kind: str, rng: random.Random) -> tuple[Layout, dict[str, str]]:
    """A layout and its ground truth (SPEC field names and formats)."""
    if kind == "cnpj_card":
        company = make_company(rng, today=TODAY)
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
        return cnpj_card_layout(company, rng=rng, emitted=TODAY), truth
    person = make_person(rng, today=TODAY)
    if kind == "cnh":
        truth = {
            "nome": person.nome,
            "cpf": person.cpf,
            "data_nascimento": fmt_date(person.data_nascimento),
            "numero_registro": person.cnh_registro,
            "validade": fmt_date(person.cnh_validade),
        }
        return cnh_layout(person, rng=rng, emitted=TODAY), truth
    if kind == "rg":
        truth = {
            "nome": person.nome,
            "rg": person.rg,
            "cpf": person.cpf,
            "data_nascimento": fmt_date(person.data_nascimento),
        }
        return rg_layout(person, rng=rng), truth
    raise ValueError(f"unknown kind {kind!r}")


def make_sample(kind: str, set_name: str, *, seed: int) -> Sample:
    """One deterministic sample of ``kind`` for ``set_name`` (see the module docstring)."""
    rng = random.Random(f"{kind}/{set_name}/{seed}")
    lay, truth = document(kind, rng)
    name = f"{set_name}-{kind}-{seed:03d}"
    if set_name == "pdf":
        return Sample(name, kind, render_pdf(lay), "application/pdf", truth)
    if set_name == "clean":
        width = rng.randrange(1500, 1900)
        img = render_image(lay, px_per_mm=width / lay.width, rng=rng)
        buf = io.BytesIO()
        if rng.random() < 0.5:
            img.save(buf, "PNG")
            return Sample(name, kind, buf.getvalue(), "image/png", truth, {"width": width})
        img.save(buf, "JPEG", quality=90)
        return Sample(name, kind, buf.getvalue(), "image/jpeg", truth, {"width": width})
    if set_name in ("moderate", "heavy"):
        img = render_image(lay, px_per_mm=rng.uniform(1900, 2200) / lay.width, rng=rng)
        data, params = photograph(img, rng=rng, level=set_name)
        return Sample(name, kind, data, "image/jpeg", truth, params)
    if set_name == "rotated":
        img = render_image(lay, px_per_mm=rng.uniform(1900, 2200) / lay.width, rng=rng)
        data, params = photograph(img, rng=rng, level="moderate", quarter_turns=1 + seed % 3)
        return Sample(name, kind, data, "image/jpeg", truth, params)
    raise ValueError(f"unknown set {set_name!r}")


def make_set(set_name: str, *, count: int, seed: int = 0) -> list[Sample]:
    """``count`` samples per kind, interleaved (cnpj_card, cnh, rg, cnpj_card, ...)."""
    return [make_sample(kind, set_name, seed=seed + i) for i in range(count) for kind in KINDS]


def draw_sample(
    kind: str, *, seed: int, family: str = "tuning", level: str = "clean", camera: str = ""
) -> Sample:
    """``kind`` drawn in ``family`` from ``seed`` and captured at ``level`` (see the top), with
    ``camera``'s scanner and phone when given (another family's: its JPEG qualities, sizes,
    vignetting), so capture and drawing can be told apart."""
    d = draw_drawn(kind, seed=seed, family_name=family, level=level, camera=camera)
    return Sample(d.name, kind, d.data, d.mime, d.truth, d.params, d.notes, family, level)


def draw(
    kind: str, *, seed: int, family: str = "tuning", level: str = "clean"
) -> tuple[bytes, dict[str, str]]:
    """The bytes a client would send and the fields a perfect reader returns."""
    sample = draw_sample(kind, seed=seed, family=family, level=level)
    return sample.data, sample.truth


def draw_unusable(kind: str, *, seed: int, family: str = "tuning", defect: str) -> Sample:
    """A photo the reader must refuse for ``defect`` (``DEFECTS``); truth is the document's."""
    d = draw_unusable_drawn(kind, seed=seed, family_name=family, defect=defect)
    return Sample(d.name, kind, d.data, d.mime, d.truth, d.params, d.notes, family, defect)


def flat_page(
    kind: str, *, seed: int, family: str = "tuning", width: int = 2000
) -> tuple[Image.Image, dict[str, str]]:
    """The document flat (no camera) as a PIL image ``width`` px wide, and its truth."""
    return _flat_page(kind, seed=seed, family_name=family, width=width)


def family_set(
    family: str, level: str, *, count: int, kinds: tuple[str, ...] = ALL_KINDS
) -> list[Sample]:
    """The fixed set: ``count`` documents per kind, seeds ``FIXED_SEED[family] + i``."""
    base = FIXED_SEED[family]
    return [
        draw_sample(kind, seed=base + i, family=family, level=level)
        for i in range(count)
        for kind in kinds
    ]
