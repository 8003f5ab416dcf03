"""Glare over text: a reflection that washes out a field is found, a readable photo is not."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from bench.ocr.synthetic import draw_sample, draw_unusable
from bot.documents.glare import washed_out_row
from bot.documents.quality import BLURRED, GLARE, QualityThresholds, measure_quality


def test_a_reflection_running_off_the_card_is_glare() -> None:
    # the CIN's name washed out by a band of light that runs past the card's edge
    bad = draw_unusable("rg", seed=1001, family="tuning", defect="glare")
    quality = measure_quality(Image.open(io.BytesIO(bad.data)))
    assert quality.verdict == "unreadable"
    assert quality.main_reason == GLARE
    assert quality.glare_box is not None


def test_a_readable_photo_of_the_same_card_is_not_glare() -> None:
    good = draw_sample("rg", seed=1001, family="tuning", level="moderate")
    quality = measure_quality(Image.open(io.BytesIO(good.data)))
    assert GLARE not in quality.reasons


def test_glare_on_white_paper_is_found_by_the_letters_it_washed_out_when_asked() -> None:
    # a bill on white paper: the reflection over the holder is no brighter than the page.
    # The intake does not ask (``ghost_glare`` is off: a good fresh-family bill was refused)
    bad = draw_unusable("comprovante_endereco", seed=1000, family="tuning", defect="glare")
    image = Image.open(io.BytesIO(bad.data))
    assert GLARE not in measure_quality(image).reasons
    quality = measure_quality(image, QualityThresholds(ghost_glare=True))
    assert quality.main_reason == GLARE
    assert quality.glare_box is not None
    left, top, right, bottom = quality.glare_box
    assert right - left > 0.1  # a row of letters, not a speck
    assert top < 0.5  # the holder's line, in the upper half of the bill


def test_good_photos_of_white_paper_are_not_glare() -> None:
    for level in ("clean", "moderate", "heavy"):
        for kind in ("comprovante_endereco", "cnpj_card"):
            good = draw_sample(kind, seed=1000, family="tuning", level=level)
            image = Image.open(io.BytesIO(good.data))
            quality = measure_quality(image, QualityThresholds(ghost_glare=True))
            assert GLARE not in quality.reasons, (kind, level)


def _page(ghost_depth: float, *, rule: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A white page (clipped at 255, noise 3) with rows of 16 px letters; the fourth row's
    letters ``ghost_depth`` levels deep; with ``rule``, a faint line instead of that row."""
    rng = np.random.default_rng(7)
    page = np.full((480, 900), 258.0)
    for row in range(6):
        top = 40 + row * 60
        depth = ghost_depth if row == 3 else 220.0
        if row == 3 and rule:
            page[top + 8 : top + 9, 60:840] -= 4.0
            continue
        for left in range(60, 840, 12):  # upright strokes: letters' stems
            page[top : top + 16, left : left + 2] -= depth
            page[top : top + 2, left : left + 8] -= depth
    page = np.clip(page + rng.normal(0, 3, page.shape), 0, 255)
    ink = page < 128
    return page, ink


def test_a_row_washed_out_to_a_ghost_is_found() -> None:
    page, ink = _page(6.0)
    share, box = washed_out_row(page, ink, paper=np.ones_like(ink), letters=16.0)
    assert box is not None and share > 0.002
    assert box[1] < 220 / 480 < box[3] + 0.05  # the fourth row


def test_a_faint_rule_or_blank_paper_is_not_a_ghost() -> None:
    for page, ink in (_page(0.0), _page(0.0, rule=True)):
        assert washed_out_row(page, ink, paper=np.ones_like(ink), letters=16.0) == (0.0, None)


def test_a_shaken_photo_is_told_to_hold_still_not_glare() -> None:
    # smeared ink leaves the paper between rows as bright blobs with edges (tuning, outside
    # the fixed set: refused as glare before the blurred reason was put first)
    for seed in (1004, 1007):
        shaken = draw_unusable("cnpj_card", seed=seed, family="tuning", defect="blurred")
        quality = measure_quality(Image.open(io.BytesIO(shaken.data)))
        assert quality.verdict == "unreadable"
        assert quality.main_reason == BLURRED
        assert GLARE not in quality.reasons
