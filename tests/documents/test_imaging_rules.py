"""Rule removal (``imaging.rules_mask``): a form's box lines go, a blurred word's body stays."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.ocr.synthetic import FONT_DIR, draw
from bot.documents import pdf as pdf_pages
from bot.documents.imaging import Preprocessing, load_image, otsu_threshold, prepare, rules_mask


def _ink(image: Image.Image, *, blur: float) -> np.ndarray:
    gray = np.asarray(image.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32)
    ink: np.ndarray = gray < otsu_threshold(gray)
    return ink


def _form(*, blur: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid of boxes, 2 px lines, with a label and a value in each: (ink, lines, words)."""
    size = (900, 400)
    lines = Image.new("L", size, 255)
    words = Image.new("L", size, 255)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 20)
    small = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 10)
    pen, text = ImageDraw.Draw(lines), ImageDraw.Draw(words)
    for y in (40, 140, 240, 340):
        pen.line([(40, y), (860, y)], fill=0, width=2)
    for x in (40, 450, 860):
        pen.line([(x, 40), (x, 340)], fill=0, width=2)
    for top in (40, 140, 240):
        for left in (40, 450):
            text.text((left + 8, top + 8), "NOME EMPRESARIAL", font=small, fill=0)
            text.text((left + 8, top + 40), "CONFECÇÕES LTDA - EPP", font=font, fill=0)
    both = Image.fromarray(np.minimum(np.asarray(lines), np.asarray(words)))
    ink = _ink(both, blur=blur)
    near = 3  # blur spreads each drawing a few pixels
    grown = [
        np.asarray(layer.filter(ImageFilter.MinFilter(2 * near + 1))) < 128
        for layer in (lines, words)
    ]
    return ink, grown[0] & ~grown[1], grown[1] & ~grown[0]


def test_box_lines_of_a_form_are_removed_and_its_words_kept() -> None:
    for blur in (0.6, 1.4):
        ink, lines, words = _form(blur=blur)
        mask = rules_mask(ink, letter=14)
        assert (mask & lines).sum() >= 0.95 * (ink & lines).sum(), blur
        assert (mask & words).sum() <= 0.01 * (ink & words).sum(), blur


def test_a_blurred_words_body_is_not_a_rule() -> None:
    # a 120-dpi scan's long lowercase word: blurred, its x-height is one solid band of ink
    image = Image.new("L", (1100, 120), 255)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif-Bold.ttf"), 40)
    ImageDraw.Draw(image).text((20, 30), "sociedade empresarial", font=font, fill=0)
    ink = _ink(image, blur=3.0)
    letter = 30.0  # a capital's height at this size
    mask = rules_mask(ink, letter=letter)
    assert mask.sum() <= 0.01 * ink.sum()


def test_a_document_edge_longer_than_any_word_still_goes() -> None:
    # a photo's thick dark border along the document: no word is 25 letter heights long
    ink = np.zeros((200, 900), dtype=bool)
    ink[100:110, 20:880] = True
    assert rules_mask(ink, letter=10).sum() == ink.sum()


def _longest_run(ink: np.ndarray) -> int:
    edges = np.diff(np.pad(ink.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    return int((ends[1] - starts[1]).max()) if starts[1].size else 0


def _prepared_ink(image: Image.Image, *, remove_rules: bool) -> tuple[np.ndarray, float]:
    prepared = prepare(image, Preprocessing(remove_rules=remove_rules))
    return np.asarray(prepared.image) < 128, prepared.text_height


def test_a_heavy_scanned_contract_keeps_its_words() -> None:
    # held-out heavy contract 9000: the old mask painted "sociedade", partners' names and
    # CPFs white (12% of the page's ink); its signature lines are the only rules
    data, _ = draw("contrato_social", seed=9000, family="heldout", level="heavy")
    pdf = pdf_pages.open_pdf(data)
    try:
        page = pdf_pages.render_page(pdf, 0, dpi=200.0)
    finally:
        pdf.close()
    kept, _ = _prepared_ink(page, remove_rules=False)
    removed, _ = _prepared_ink(page, remove_rules=True)
    lost = (kept & ~removed).sum()
    assert 0 < lost <= 0.03 * kept.sum()


def test_a_cartao_photo_still_loses_its_box_lines() -> None:
    data, _ = draw("cnpj_card", seed=1000, family="tuning", level="heavy")
    image = load_image(data)
    kept, letter = _prepared_ink(image, remove_rules=False)
    removed, _ = _prepared_ink(image, remove_rules=True)
    assert _longest_run(kept) > 40 * letter  # the box lines across the card
    assert _longest_run(removed) < 10 * letter  # no line left, only words
