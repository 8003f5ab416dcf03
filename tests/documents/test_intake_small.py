"""Small photos at the intake: a thumbnail-sized picture whose letters measure small is
refused with the tip to come closer; a document far away in a full-size photo, whose letters
the reader still reads, is let through."""

from __future__ import annotations

import pytest

from bench.ocr.synthetic import draw_unusable
from bot.documents.errors import DocumentRejected
from bot.documents.imaging import load_image
from bot.documents.intake import TINY_PICTURE, check_photo
from bot.documents.quality import TOO_SMALL, measure_quality


@pytest.mark.parametrize(("family", "seed"), [("tuning", 1000), ("tuning", 1001)])
def test_a_thumbnail_with_small_letters_is_refused_with_the_tip(family: str, seed: int) -> None:
    sample = draw_unusable("rg", seed=seed, family=family, defect="small")
    image = load_image(sample.data)
    quality = measure_quality(image)
    # the photo measures "poor", not "unreadable": only the intake's size check refuses it
    assert quality.readable and TOO_SMALL in quality.reasons
    assert max(image.size) < TINY_PICTURE
    with pytest.raises(DocumentRejected) as info:
        check_photo(sample.data)
    assert info.value.code == "photo_too_small"
    assert "Dica: aproxime o celular" in info.value.message_pt
    assert "Tip: bring the phone closer" in info.value.message_en


def test_a_card_far_away_in_a_full_size_photo_is_let_through() -> None:
    sample = draw_unusable("cnh", seed=1000, family="tuning", defect="small")
    image = load_image(sample.data)
    assert TOO_SMALL in measure_quality(image).reasons
    assert max(image.size) >= TINY_PICTURE
    check_photo(sample.data)  # read 5 of 5 fields by the reader: no refusal
