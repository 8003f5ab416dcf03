"""Glare over text: a reflection that washes out a field is found, a readable photo is not."""

from __future__ import annotations

import io

from PIL import Image

from bench.ocr.synthetic import draw_sample, draw_unusable
from bot.documents.quality import GLARE, measure_quality


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
