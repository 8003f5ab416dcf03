"""The reader's own quality measure: glare is the intake's to judge, measured once."""

from __future__ import annotations

from bench.ocr.synthetic import draw_unusable
from bot.documents.imaging import load_image
from bot.documents.quality import GLARE, measure_quality

SEED = 1000  # the tuning family's fixed set


def test_glare_is_measured_for_the_intake_and_skipped_for_the_reader() -> None:
    sample = draw_unusable("rg", seed=SEED + 2, family="tuning", defect="glare")
    image = load_image(sample.data)
    intake = measure_quality(image)
    assert GLARE in intake.reasons and intake.glare > 0
    reader = measure_quality(image, glare=False)
    assert GLARE not in reader.reasons and reader.glare == 0
    assert reader.sharpness == intake.sharpness and reader.text_height == intake.text_height
