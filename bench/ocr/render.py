"""Draw a ``Layout`` as a flat RGB scan (Pillow) or as a one-page text-layer PDF (fpdf2).

Both renderers read the same millimetre layout, so an image and a PDF of one document carry the
same words in the same places. Fonts are the DejaVu and Liberation families installed with the
system, and for the "fresh" and "wide" families the fonts of ``EXTRA_FONTS`` (``font_path``); a
``Text`` may name its own family, otherwise the layout's is used.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bench.ocr.layouts import Layout

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LIBERATION_DIR = Path("/usr/share/fonts/truetype/liberation")
FONTS_ROOT = Path("/usr/share/fonts")
PT_TO_MM = 0.3528
STAMP = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Fonts only the "fresh" and "wide" families draw with: family -> (regular, bold) under
# FONTS_ROOT, and the Debian package that installs them. fpdf2 embeds both TrueType and CFF
# OpenType (urw-base35, linux-libertine, cantarell).
EXTRA_FONTS: dict[str, tuple[str, str, str]] = {
    "FreeSans": (
        "truetype/freefont/FreeSans.ttf",
        "truetype/freefont/FreeSansBold.ttf",
        "fonts-freefont-ttf",
    ),
    "FreeSerif": (
        "truetype/freefont/FreeSerif.ttf",
        "truetype/freefont/FreeSerifBold.ttf",
        "fonts-freefont-ttf",
    ),
    "FreeMono": (
        "truetype/freefont/FreeMono.ttf",
        "truetype/freefont/FreeMonoBold.ttf",
        "fonts-freefont-ttf",
    ),
    "NimbusSans": (
        "opentype/urw-base35/NimbusSans-Regular.otf",
        "opentype/urw-base35/NimbusSans-Bold.otf",
        "fonts-urw-base35",
    ),
    "NimbusSansNarrow": (
        "opentype/urw-base35/NimbusSansNarrow-Regular.otf",
        "opentype/urw-base35/NimbusSansNarrow-Bold.otf",
        "fonts-urw-base35",
    ),
    "NimbusRoman": (
        "opentype/urw-base35/NimbusRoman-Regular.otf",
        "opentype/urw-base35/NimbusRoman-Bold.otf",
        "fonts-urw-base35",
    ),
    "NimbusMonoPS": (
        "opentype/urw-base35/NimbusMonoPS-Regular.otf",
        "opentype/urw-base35/NimbusMonoPS-Bold.otf",
        "fonts-urw-base35",
    ),
    "NotoSans": (
        "truetype/noto/NotoSans-Regular.ttf",
        "truetype/noto/NotoSans-Bold.ttf",
        "fonts-noto-core",
    ),
    "NotoSerif": (
        "truetype/noto/NotoSerif-Regular.ttf",
        "truetype/noto/NotoSerif-Bold.ttf",
        "fonts-noto-core",
    ),
    "Carlito": (
        "truetype/crosextra/Carlito-Regular.ttf",
        "truetype/crosextra/Carlito-Bold.ttf",
        "fonts-crosextra-carlito",
    ),
    "OpenSans": (
        "truetype/open-sans/OpenSans-Regular.ttf",
        "truetype/open-sans/OpenSans-Bold.ttf",
        "fonts-open-sans",
    ),
    # the "wide" family's
    "Roboto": (
        "truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
        "truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf",
        "fonts-roboto-unhinted",
    ),
    "RobotoCondensed": (
        "truetype/roboto/unhinted/RobotoCondensed-Regular.ttf",
        "truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
        "fonts-roboto-unhinted",
    ),
    "Lato": (
        "truetype/lato/Lato-Regular.ttf",
        "truetype/lato/Lato-Bold.ttf",
        "fonts-lato",
    ),
    "GoSans": ("fonts-go/Go-Regular.ttf", "fonts-go/Go-Bold.ttf", "fonts-go"),
    "GoMono": ("fonts-go/Go-Mono.ttf", "fonts-go/Go-Mono-Bold.ttf", "fonts-go"),
    "Cantarell": (
        "opentype/cantarell/Cantarell-Regular.otf",
        "opentype/cantarell/Cantarell-Bold.otf",
        "fonts-cantarell",
    ),
    "LinBiolinum": (
        "opentype/linux-libertine/LinBiolinum_R.otf",
        "opentype/linux-libertine/LinBiolinum_RB.otf",
        "fonts-linuxlibertine",
    ),
    "LinLibertine": (
        "opentype/linux-libertine/LinLibertine_R.otf",
        "opentype/linux-libertine/LinLibertine_RB.otf",
        "fonts-linuxlibertine",
    ),
    "Caladea": (
        "truetype/crosextra/Caladea-Regular.ttf",
        "truetype/crosextra/Caladea-Bold.ttf",
        "fonts-crosextra-caladea",
    ),
    "Hack": (
        "truetype/hack/Hack-Regular.ttf",
        "truetype/hack/Hack-Bold.ttf",
        "fonts-hack",
    ),
}
EXTRA_PACKAGES = tuple(sorted({package for _, _, package in EXTRA_FONTS.values()}))


class FontMissing(RuntimeError):
    """A font a drawing family needs is not installed (the message says which package)."""


def font_path(family: str, *, bold: bool) -> Path:
    """The font file of ``family`` ("DejaVuSans", "LiberationSerif", "FreeSans", ...), one weight.

    Raises ``FontMissing`` naming the package to install when an ``EXTRA_FONTS`` file is absent.
    """
    if family in EXTRA_FONTS:
        regular, heavy, package = EXTRA_FONTS[family]
        path = FONTS_ROOT / (heavy if bold else regular)
        if not path.is_file():
            raise FontMissing(
                f"font {family} not found at {path}: install {package} "
                f"(apt-get install -y {' '.join(EXTRA_PACKAGES)})"
            )
        return path
    if family.startswith("Liberation"):
        return LIBERATION_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf"
    return FONT_DIR / (f"{family}-Bold.ttf" if bold else f"{family}.ttf")


def check_fonts(families: tuple[str, ...]) -> None:
    """Fail early, with the package to install, when any weight of ``families`` is missing."""
    for family in families:
        font_path(family, bold=False)
        font_path(family, bold=True)


@lru_cache(maxsize=512)
def _font(family: str, *, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(family, bold=bold)), size=max(px, 6))


def _guilloche(img: Image.Image, line: tuple[int, int, int], *, rng: random.Random) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    phase, freq = rng.uniform(0, 6.28), rng.uniform(3, 6)
    for k in range(0, h, max(h // 28, 4)):
        pts = [
            (x, k + 0.02 * h * math.sin(freq * 6.28 * x / w + phase + k)) for x in range(0, w, 8)
        ]
        draw.line(pts, fill=line, width=max(1, w // 700))


def _background(lay: Layout, size: tuple[int, int], *, rng: random.Random) -> Image.Image:
    if lay.background == "white":
        return Image.new("RGB", size, (255, 255, 255))
    if lay.background == "tinted" and lay.tint is not None:
        base = lay.tint
        line = (max(base[0] - 28, 0), max(base[1] - 22, 0), max(base[2] - 24, 0))
    else:
        base, line = (
            ((226, 240, 226), (196, 222, 200))
            if lay.background == "green"
            else ((246, 230, 234), (228, 200, 210))
        )
    img = Image.new("RGB", size, base)
    _guilloche(img, line, rng=rng)
    return img


def render_image(lay: Layout, *, px_per_mm: float, rng: random.Random) -> Image.Image:
    """Draw the layout as a flat RGB scan."""
    size = (round(lay.width * px_per_mm), round(lay.height * px_per_mm))
    img = _background(lay, size, rng=rng)
    draw = ImageDraw.Draw(img)
    for b in lay.blocks:
        box = [b.x * px_per_mm, b.y * px_per_mm, (b.x + b.w) * px_per_mm, (b.y + b.h) * px_per_mm]
        (draw.ellipse if b.round else draw.rectangle)(box, fill=b.color)
    for r in lay.rules:
        draw.line(
            [(r.x0 * px_per_mm, r.y0 * px_per_mm), (r.x1 * px_per_mm, r.y1 * px_per_mm)],
            fill=r.color,
            width=max(1, round(px_per_mm * r.width)),
        )
    if lay.photo:
        x, y, w, h = (v * px_per_mm for v in lay.photo)
        draw.rectangle([x, y, x + w, y + h], fill=(170, 175, 180))
        draw.ellipse([x + w * 0.25, y + h * 0.15, x + w * 0.75, y + h * 0.6], fill=(120, 110, 100))
    for t in lay.texts:
        if not t.text:
            continue
        family = t.font or lay.font
        px = round(t.size * PT_TO_MM * px_per_mm * 1.35)
        font = _font(family, bold=t.bold, px=px)
        room = (t.max_width or lay.width - t.x - 3) * px_per_mm
        while not t.center_in and draw.textlength(t.text, font=font) > room and px > 8:
            px -= 1  # shrink long names to fit, as the issuing systems do
            font = _font(family, bold=t.bold, px=px)
        x = t.x * px_per_mm
        if t.center_in:
            x += (t.center_in * px_per_mm - draw.textlength(t.text, font=font)) / 2
        draw.text((x, t.y * px_per_mm), t.text, font=font, fill=t.color)
    return img


def quiet_font_tables() -> None:
    """fontTools warns on Carlito's old ``head.created`` stamp each time fpdf2 subsets it."""
    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)


def _pdf_fonts(pdf: FPDF, lay: Layout) -> None:
    quiet_font_tables()
    for family in sorted({lay.font} | {t.font for t in lay.texts if t.font}):  # stable bytes
        pdf.add_font(family, "", str(font_path(family, bold=False)))
        pdf.add_font(family, "B", str(font_path(family, bold=True)))


def draw_on_pdf(pdf: FPDF, lay: Layout, *, dx: float = 0.0, dy: float = 0.0) -> None:
    """Draw ``lay`` on the current page of ``pdf`` with its top-left corner at (dx, dy) mm."""
    _pdf_fonts(pdf, lay)
    for b in lay.blocks:
        pdf.set_fill_color(*b.color)
        if b.round:
            pdf.ellipse(dx + b.x, dy + b.y, b.w, b.h, style="F")
        else:
            pdf.rect(dx + b.x, dy + b.y, b.w, b.h, style="F")
    for r in lay.rules:
        pdf.set_line_width(r.width)
        pdf.set_draw_color(*r.color)
        pdf.line(dx + r.x0, dy + r.y0, dx + r.x1, dy + r.y1)
    for t in lay.texts:
        if not t.text:
            continue
        family = t.font or lay.font
        size = t.size * 1.35
        pdf.set_font(family, "B" if t.bold else "", size)
        while not t.center_in and pdf.get_string_width(t.text) > (
            t.max_width or lay.width - t.x - 3
        ):
            size -= 0.25
            pdf.set_font(family, "B" if t.bold else "", size)
        pdf.set_text_color(*t.color)
        x = t.x
        if t.center_in:
            x += (t.center_in - pdf.get_string_width(t.text)) / 2
        pdf.text(dx + x, dy + t.y + t.size * 1.35 * PT_TO_MM * 0.8, t.text)


def render_pdf(lay: Layout) -> bytes:
    """The layout as a one-page PDF whose text is a real text layer."""
    pdf = FPDF(unit="mm", format=(lay.width, lay.height))
    pdf.set_creation_date(STAMP)  # fixed, so a seed gives the same bytes
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_line_width(0.2)
    draw_on_pdf(pdf, lay)
    return bytes(pdf.output())
