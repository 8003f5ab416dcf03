"""Synthetic cartão CNPJ, CNH and RG pages with ground truth, for the OCR tests and benchmark.

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
import math
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.ocr.layouts import (
    Layout,
    cnh_layout,
    cnpj_card_layout,
    fmt_date,
    rg_layout,
)
from bench.ocr.people import make_company, make_person

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
KINDS = ("cnpj_card", "cnh", "rg")
SETS = ("pdf", "clean", "moderate", "heavy", "rotated")
TODAY = date(2026, 3, 2)
PT_TO_MM = 0.3528


@dataclass(frozen=True, slots=True)
class Sample:
    """One synthetic document: ``data`` as uploaded and the fields a perfect reader returns."""

    name: str
    kind: str
    data: bytes
    mime: str
    truth: dict[str, str]
    params: dict[str, float] = field(default_factory=dict)


def _font(family: str, *, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    name = f"{family}-Bold.ttf" if bold else f"{family}.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size=max(px, 6))


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


def _background(lay: Layout, size: tuple[int, int], rng: random.Random) -> Image.Image:
    if lay.background == "white":
        return Image.new("RGB", size, (255, 255, 255))
    base, line = ((226, 240, 226), (196, 222, 200)) if lay.background == "green" else (
        (246, 230, 234), (228, 200, 210))
    img = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(img)
    w, h = size
    phase, freq = rng.uniform(0, 6.28), rng.uniform(3, 6)
    for k in range(0, h, max(h // 28, 4)):
        pts = [(x, k + 0.02 * h * math.sin(freq * 6.28 * x / w + phase + k))
               for x in range(0, w, 8)]
        draw.line(pts, fill=line, width=max(1, w // 700))
    return img


def render_image(lay: Layout, *, px_per_mm: float, rng: random.Random) -> Image.Image:
    """Draw the layout as a flat RGB scan."""
    size = (round(lay.width * px_per_mm), round(lay.height * px_per_mm))
    img = _background(lay, size, rng)
    draw = ImageDraw.Draw(img)
    for r in lay.rules:
        draw.line([(r.x0 * px_per_mm, r.y0 * px_per_mm), (r.x1 * px_per_mm, r.y1 * px_per_mm)],
                  fill=(60, 60, 60), width=max(1, round(px_per_mm * 0.2)))
    if lay.photo:
        x, y, w, h = (v * px_per_mm for v in lay.photo)
        draw.rectangle([x, y, x + w, y + h], fill=(170, 175, 180))
        draw.ellipse([x + w * 0.25, y + h * 0.15, x + w * 0.75, y + h * 0.6], fill=(120, 110, 100))
    for t in lay.texts:
        if not t.text:
            continue
        px = round(t.size * PT_TO_MM * px_per_mm * 1.35)
        font = _font(lay.font, bold=t.bold, px=px)
        room = (t.max_width or lay.width - t.x - 3) * px_per_mm
        while not t.center_in and draw.textlength(t.text, font=font) > room and px > 8:
            px -= 1  # shrink long names to fit, as the issuing systems do
            font = _font(lay.font, bold=t.bold, px=px)
        x = t.x * px_per_mm
        if t.center_in:
            x += (t.center_in * px_per_mm - draw.textlength(t.text, font=font)) / 2
        draw.text((x, t.y * px_per_mm), t.text, font=font, fill=t.color)
    return img


def render_pdf(lay: Layout) -> bytes:
    """The layout as a one-page PDF whose text is a real text layer."""
    pdf = FPDF(unit="mm", format=(lay.width, lay.height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("doc", "", str(FONT_DIR / f"{lay.font}.ttf"))
    pdf.add_font("doc", "B", str(FONT_DIR / f"{lay.font}-Bold.ttf"))
    pdf.set_line_width(0.2)
    for r in lay.rules:
        pdf.line(r.x0, r.y0, r.x1, r.y1)
    for t in lay.texts:
        if not t.text:
            continue
        size = t.size * 1.35
        pdf.set_font("doc", "B" if t.bold else "", size)
        while not t.center_in and pdf.get_string_width(t.text) > (t.max_width or
                                                                  lay.width - t.x - 3):
            size -= 0.25
            pdf.set_font("doc", "B" if t.bold else "", size)
        pdf.set_text_color(*t.color)
        x = t.x
        if t.center_in:
            x += (t.center_in - pdf.get_string_width(t.text)) / 2
        pdf.text(x, t.y + t.size * 1.35 * PT_TO_MM * 0.8, t.text)
    return bytes(pdf.output())


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> np.ndarray:
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    h = np.linalg.solve(np.array(a, dtype=float), np.array(b, dtype=float))
    return np.append(h, 1.0).reshape(3, 3)


def _camera(img: Image.Image, rng: random.Random, *, tilt: float, angle: float) -> Image.Image:
    """Perspective (corner jitter of ``tilt`` x width) and rotation in one resampling."""
    w, h = img.size
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [(x + rng.uniform(-tilt, tilt) * w, y + rng.uniform(-tilt, tilt) * w)
             for x, y in corners]
    rad = math.radians(angle)
    rot = np.array([[math.cos(rad), math.sin(rad), 0], [-math.sin(rad), math.cos(rad), 0],
                    [0, 0, 1]])
    forward = rot @ _homography(corners, moved)
    pts = forward @ np.array([[x, y, 1.0] for x, y in corners]).T
    xs, ys = pts[0] / pts[2], pts[1] / pts[2]
    shift = np.array([[1, 0, -xs.min()], [0, 1, -ys.min()], [0, 0, 1]])
    inverse = np.linalg.inv(shift @ forward)
    inverse /= inverse[2, 2]
    size = (math.ceil(xs.max() - xs.min()), math.ceil(ys.max() - ys.min()))
    return img.transform(size, Image.Transform.PERSPECTIVE, tuple(inverse.flatten()[:8].tolist()),
                         Image.Resampling.BILINEAR, fillcolor=(90, 75, 60))


def photograph(
    img: Image.Image, *, rng: random.Random, level: str, quarter_turns: int = 0
) -> tuple[bytes, dict[str, float]]:
    """Simulate a phone photo of a printed page, sent through WhatsApp (JPEG).

    ``quarter_turns``: the phone held sideways or upside down (counter-clockwise turns of 90
    degrees), with no EXIF orientation to undo it.
    """
    heavy = level == "heavy"
    margin = rng.uniform(0.02, 0.08 if not heavy else 0.12)
    w, h = img.size
    table = Image.new("RGB", (round(w * (1 + 2 * margin)), round(h * (1 + 2 * margin))),
                      (rng.randrange(70, 140), rng.randrange(55, 110), rng.randrange(40, 90)))
    table.paste(img, (round(w * margin), round(h * margin)))
    angle = rng.uniform(-15, 15) if heavy else rng.uniform(-7, 7)
    img = _camera(table, rng, tilt=0.03 if heavy else 0.012, angle=angle)
    ww, hh = img.size
    sw, sh = max(ww // 16, 2), max(hh // 16, 2)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(sw, sh)
    depth = rng.uniform(0.35, 0.55) if heavy else rng.uniform(0.1, 0.3)
    light = (1.0 - depth * np.clip(1.2 - dist * 1.8, 0, 1)) * (1.0 - rng.uniform(0, 0.2) * xx / sw)
    light_img = Image.fromarray((light * 255).astype(np.uint8)).resize(
        (ww, hh), Image.Resampling.BILINEAR)
    arr = np.asarray(img).astype(np.float32) * (np.asarray(light_img, np.float32) / 255)[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    blur = rng.uniform(1.2, 2.2) if heavy else rng.uniform(0.3, 1.0)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    target = rng.randrange(700, 1100) if heavy else rng.randrange(1200, 1600)
    img = img.resize((target, round(img.height * target / img.width)), Image.Resampling.LANCZOS)
    nrng = np.random.default_rng(rng.randrange(2**32))
    sigma = rng.uniform(6, 12) if heavy else rng.uniform(2, 6)
    noisy = np.asarray(img).astype(np.float32) + nrng.normal(0, sigma, (img.height, img.width, 1))
    img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    quality = rng.randrange(35, 50) if heavy else rng.randrange(50, 76)
    if quarter_turns % 4:
        img = img.rotate(90 * quarter_turns, expand=True)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    params = {"angle": round(angle, 2), "blur": round(blur, 2), "width": float(target),
              "jpeg": float(quality), "shadow": round(depth, 2), "noise": round(sigma, 1),
              "turn": float(90 * (quarter_turns % 4))}
    return buf.getvalue(), params


def make_sample(kind: str, set_name: str, seed: int) -> Sample:
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
    return [make_sample(kind, set_name, seed + i) for i in range(count) for kind in KINDS]
