"""The letters' height (``imaging.text_height``) measured on the arrays at once gives what
measuring each shape's slice one at a time gave."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bench.ocr.synthetic import draw_sample
from bot.documents.imaging import (
    correct_illumination,
    load_image,
    otsu_threshold,
    paper_mask,
    text_height,
    to_gray,
)


def _one_by_one(ink: np.ndarray, *, gray: np.ndarray | None) -> float:
    """The measure as it was written first: a loop over ``find_objects``' slices."""
    labels, count = ndimage.label(ink)
    if count == 0:
        return 0.0
    paper = paper_mask(gray) if gray is not None else None
    heights = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if not (4 <= h <= 200 and 0.15 <= w / h <= 1.6):
            continue
        if (
            paper is not None
            and not paper[(sl[0].start + sl[0].stop) // 2, (sl[1].start + sl[1].stop) // 2]
        ):
            continue
        heights.append(h)
    return float(np.median(heights)) if len(heights) >= 10 else 0.0


def test_text_height_is_the_slices_measure() -> None:
    for kind, level in (("cnpj_card", "heavy"), ("rg", "moderate"), ("cnh", "clean")):
        image = load_image(draw_sample(kind, seed=1000, family="tuning", level=level).data)
        gray = to_gray(image)
        flat = correct_illumination(gray)
        ink = flat < otsu_threshold(flat)
        assert text_height(ink, gray=gray) == _one_by_one(ink, gray=gray) > 0, (kind, level)
        assert text_height(ink) == _one_by_one(ink, gray=None), (kind, level)


def test_noise_specks_and_an_empty_page() -> None:
    rng = np.random.default_rng(7)
    specks = rng.random((400, 600)) < 0.45  # a blank scan's paper noise under Otsu
    assert text_height(specks) == _one_by_one(specks, gray=None)
    assert text_height(np.zeros((50, 50), dtype=bool)) == 0.0
