"""A page lit from above (vignetting) is not glare; a reflection over a field still is.

The photos are drawn here, not by the bench: a form of our own (DejaVu fonts, a blank middle as
on a utility bill), lit by a lamp whose light falls off towards the frame's corners (a cos^4
law, not the bench's quadratic), shot at low JPEG qualities; the reflection is light added on
top, clipped to white, with a smooth edge.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bot.documents.errors import DocumentRejected
from bot.documents.intake import check_photo
from bot.documents.quality import GLARE, measure_quality

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
Box = tuple[float, float, float, float]


def _form(width: int = 1400) -> tuple[Image.Image, Box]:
    """A bill-like page: header band, holder and address on the left, dated boxes on the
    right, a blank middle, items and bars at the foot; and the holder's name's box."""
    height = int(width * 0.7)
    page = Image.new("RGB", (width, height), (252, 252, 250))
    draw = ImageDraw.Draw(page)
    small = ImageFont.truetype(FONT, width // 75)
    big = ImageFont.truetype(BOLD, width // 50)
    draw.rectangle((0, 0, width, height // 8), fill=(30, 90, 140))
    draw.text((width // 20, height // 30), "COMPANHIA DE AGUA E ESGOTO", font=big, fill="white")
    y, name = height // 5, (0.0, 0.0, 0.0, 0.0)
    for label, value in (
        ("NOME DO CLIENTE", "MARIA APARECIDA DOS SANTOS"),
        ("ENDEREÇO", "RUA DAS FLORES, 123 - APTO 45"),
        ("CEP", "01310-100 SAO PAULO/SP"),
    ):
        draw.text((width // 20, y), label, font=small, fill=(160, 40, 40))
        y += width // 70
        draw.text((width // 20, y), value, font=big, fill=(20, 20, 20))
        if label.startswith("NOME"):
            name = draw.textbbox((width // 20, y), value, font=big)
        y += width // 35
    x, y = int(width * 0.6), height // 5
    for label, value in (("EMISSÃO", "12/01/2026"), ("VENCIMENTO", "25/01/2026")):
        draw.rectangle((x, y - 4, int(width * 0.93), y + width // 28), outline="grey", width=2)
        draw.text((x + 8, y), label, font=small, fill=(160, 40, 40))
        draw.text((x + 8, y + width // 70), value, font=big, fill=(20, 20, 20))
        y += width // 25
    y = int(height * 0.68)
    for item in range(4):
        line = f"ITEM {item + 1}  CONSUMO DO MES  {31 + 7 * item} M3   R$ {17 + item},25"
        draw.text((width // 20, y), line, font=small, fill=(20, 20, 20))
        y += width // 55
    for bar in range(60):
        left = width // 20 + bar * 12
        draw.rectangle((left, int(height * 0.9), left + 2 + bar % 5, int(height * 0.96)), "black")
    return page, name


def _photo(
    page: Image.Image,
    *,
    falloff: float,
    centre: tuple[float, float],
    reflection: Box | None = None,
    quality: int = 40,
    width: int = 1200,
    seed: int = 0,
) -> bytes:
    """``page`` on a table, its light falling off by ``falloff`` from ``centre`` (fractions of
    the frame) to the corners; ``reflection``: a spot of light over that box of the page."""
    rng = np.random.default_rng(seed)
    margin = int(0.08 * page.width)
    scene = Image.new("RGB", (page.width + 2 * margin, page.height + 2 * margin), (95, 80, 60))
    scene.paste(page, (margin, margin))
    pixels = np.asarray(scene).astype(np.float32)
    h, w = pixels.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    radius = np.hypot(xx / w - centre[0], yy / h - centre[1]) / 0.7
    light = 1 - falloff * (1 - np.cos(np.clip(radius, 0, 1) * math.pi / 2) ** 4)
    pixels *= light[..., None]
    if reflection is not None:  # light added on top of the page's, clipped to white
        x0, y0, x1, y1 = reflection
        cx, cy = margin + (x0 + x1) / 2, margin + (y0 + y1) / 2
        rx, ry = (x1 - x0) * 0.6, max((y1 - y0) * 1.3, 0.06 * page.height)
        spot = np.clip((1.25 - np.hypot((xx - cx) / rx, (yy - cy) / ry)) / 0.25, 0, 1)
        spot = spot * spot * (3 - 2 * spot)
        pixels = pixels * (1 - spot[..., None]) + 255 * spot[..., None]
    pixels += rng.normal(0, 3, (h, w))[..., None]
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    photo = photo.rotate(2.5, resample=Image.Resampling.BICUBIC, fillcolor=(95, 80, 60))
    photo = photo.filter(ImageFilter.GaussianBlur(0.8))
    photo = photo.resize(
        (width, round(photo.height * width / photo.width)), Image.Resampling.LANCZOS
    )
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("falloff", "centre", "quality", "width"),
    [
        (0.35, (0.5, 0.45), 40, 1200),  # a lamp above the middle: the page's middle clipped
        (0.35, (0.5, 0.45), 55, 1400),
        (0.4, (0.3, 0.3), 35, 1300),  # off-centre, over the holder's block
    ],
)
def test_a_page_lit_brighter_in_its_middle_is_let_through(
    falloff: float, centre: tuple[float, float], quality: int, width: int
) -> None:
    page, _ = _form()
    data = _photo(page, falloff=falloff, centre=centre, quality=quality, width=width)
    assert GLARE not in measure_quality(Image.open(io.BytesIO(data))).reasons
    check_photo(data)  # the client is not turned away


@pytest.mark.parametrize(
    ("falloff", "centre"),
    [
        (0.2, (0.7, 0.6)),  # the lamp's bright side away from the name
        (0.35, (0.5, 0.45)),  # the page's middle lit too, beside the reflection
    ],
)
def test_a_reflection_over_the_name_is_still_refused(
    falloff: float, centre: tuple[float, float]
) -> None:
    page, name = _form()
    data = _photo(page, falloff=falloff, centre=centre, reflection=name)
    quality = measure_quality(Image.open(io.BytesIO(data)))
    assert quality.main_reason == GLARE
    assert quality.glare_box is not None
    top, bottom = quality.glare_box[1], quality.glare_box[3]
    margin = int(0.08 * page.width)  # the name's row, as a share of the frame's height
    holder = (margin + (name[1] + name[3]) / 2) / (page.height + 2 * margin)
    assert top < holder + 0.05 and bottom > holder - 0.05
    with pytest.raises(DocumentRejected) as refused:
        check_photo(data)
    assert refused.value.code == "photo_glare"
