"""``bench.ocr.profile.stage_times``: a step called while it is open is counted, and the
reader's functions are its own again once it is closed."""

from __future__ import annotations

from PIL import Image

from bench.ocr.profile import stage_times
from bot.documents import pdf as pdf_pages


def test_a_step_is_counted_and_put_back() -> None:
    original = pdf_pages.nearly_blank
    with stage_times() as (own, calls):
        assert pdf_pages.nearly_blank is not original
        assert pdf_pages.nearly_blank(Image.new("L", (40, 40), 255))
        assert pdf_pages.nearly_blank(Image.new("L", (40, 40), 255))
    assert calls["nearly_blank"] == 2 and own["nearly_blank"] >= 0.0
    assert pdf_pages.nearly_blank is original
