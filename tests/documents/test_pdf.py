"""A scanned PDF's nearly blank page (``pdf.nearly_blank``): a scanner's stamp is blank, a
page of clauses, or only their last lines, is not, nor a page scanned dark."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from bench.ocr.synthetic import FONT_DIR, draw_sample
from bot.documents import pdf as pdf_pages


def _page(*, lines: int, paper: int = 232) -> Image.Image:
    """An A4 page at 200 dpi, its paper ``paper`` grey, with ``lines`` lines of 10 pt text."""
    image = Image.new("L", (1654, 2339), paper)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 28)
    pen = ImageDraw.Draw(image)
    pen.text((1300, 150), "Página 1 de 1", font=font, fill=20)
    for i in range(lines):
        pen.text(
            (150, 300 + 45 * i), "Cláusula 9ª - São Paulo, 2 de março de 2026", font=font, fill=20
        )
    return image


def test_a_scanners_stamp_alone_is_a_blank_page() -> None:
    assert pdf_pages.nearly_blank(_page(lines=0))


def test_a_few_lines_of_clauses_are_read() -> None:
    assert not pdf_pages.nearly_blank(_page(lines=2))


def test_a_page_scanned_dark_is_never_blank() -> None:
    assert not pdf_pages.nearly_blank(_page(lines=0, paper=140))


def test_a_drawn_contracts_pages() -> None:
    pdf = pdf_pages.open_pdf(draw_sample("contrato_social", seed=1006, level="heavy").data)
    try:
        blank = [pdf_pages.nearly_blank(pdf_pages.render_page(pdf, i)) for i in range(len(pdf))]
    finally:
        pdf.close()
    assert blank == [False, False, True]  # prose, the clauses' last lines, the stamp
