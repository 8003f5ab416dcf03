"""The drawing families: three disjoint font sets, three sets of wordings, and the fresh family's
fonts asked for by name when they are missing (no OCR; the fresh drawings themselves are
skipped when its fonts are not installed)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.ocr import bill, contract
from bench.ocr import render as render_module
from bench.ocr.families import FAMILIES, FRESH, HELDOUT, LABELS, TUNING, Family, family
from bench.ocr.generator import _page
from bench.ocr.render import EXTRA_FONTS, FontMissing, font_path
from bench.ocr.synthetic import FIXED_SEED, draw, draw_sample
from tests.bench_ocr.fonts import needs_fresh_fonts


def _fonts(fam: Family) -> set[str]:
    return set(fam.sans + fam.serif + fam.mono)


def test_the_three_families_share_no_font_and_only_fresh_needs_extra_ones() -> None:
    tuning, heldout, fresh = _fonts(TUNING), _fonts(HELDOUT), _fonts(FRESH)
    assert not tuning & heldout and not tuning & fresh and not heldout & fresh
    assert fresh <= set(EXTRA_FONTS)
    assert not (tuning | heldout) & set(EXTRA_FONTS)
    assert FAMILIES == ("tuning", "heldout", "fresh") and family("fresh") is FRESH
    assert len(set(FIXED_SEED.values())) == len(FIXED_SEED) == len(FAMILIES)


def test_fresh_wordings_are_spellings_the_other_families_never_show() -> None:
    for key, (tuning, heldout, fresh) in LABELS.items():
        assert fresh and not set(fresh) & (set(tuning) | set(heldout)), key
    for table in (bill.UTILITIES, contract.CPF_WORDING, contract.CNPJ_WORDING):
        others = set(table["tuning"]) | set(table["heldout"])
        assert table["fresh"] and not set(table["fresh"]) & others


def test_split_ranges_draw_from_their_ends_and_the_others_draw_as_before() -> None:
    rng = random.Random(3)
    values = [FRESH.pick(rng, (0.0, 3.0)) for _ in range(500)]
    assert all(0.0 <= v < 1.0 or 2.0 <= v <= 3.0 for v in values)
    assert min(values) < 0.2 and max(values) > 2.8
    assert TUNING.pick(random.Random(5), (1.0, 2.0)) == random.Random(5).uniform(1.0, 2.0)


def test_a_missing_fresh_font_says_which_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(render_module, "FONTS_ROOT", tmp_path)
    with pytest.raises(FontMissing, match=r"install fonts-freefont-ttf .*apt-get install -y"):
        font_path("FreeSans", bold=True)
    with pytest.raises(FontMissing, match="apt-get install"):
        draw("cnh", seed=FIXED_SEED["fresh"], family="fresh", level="pdf")
    data, _ = draw("cnh", seed=FIXED_SEED["tuning"], family="tuning", level="pdf")
    assert data.startswith(b"%PDF")  # the old families need none of them


@needs_fresh_fonts
def test_fresh_drawings_use_its_fonts_and_wordings() -> None:
    fonts: set[str] = set()
    texts: set[str] = set()
    for kind in ("cnpj_card", "cnh", "rg", "comprovante_endereco"):
        for seed in range(FIXED_SEED["fresh"], FIXED_SEED["fresh"] + 8):
            lay = _page(kind, fam_name="fresh", seed=seed).pen.lay
            fonts |= {t.font or lay.font for t in lay.texts}
            texts |= {t.text.rstrip(":") for t in lay.texts}
    assert fonts <= _fonts(FRESH) and len(fonts) >= 4
    fresh_only = {w for _, _, fresh in LABELS.values() for w in fresh}
    assert len(texts & fresh_only) >= 8
    assert not texts & {"NOME COMPLETO", "DATA NASC.", "TITULAR", "VALIDADE"} - fresh_only


@needs_fresh_fonts
def test_fresh_photos_are_the_same_document_at_every_level() -> None:
    seed = FIXED_SEED["fresh"] + 1
    first = draw_sample("rg", seed=seed, family="fresh", level="heavy")
    assert first.data == draw_sample("rg", seed=seed, family="fresh", level="heavy").data
    for level in ("pdf", "clean", "moderate"):
        assert draw_sample("rg", seed=seed, family="fresh", level=level).truth == first.truth
