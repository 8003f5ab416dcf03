"""The drawing families: four disjoint font sets, four sets of wordings, and the fresh and wide
families' fonts asked for by name when they are missing (no OCR; their drawings themselves are
skipped when their fonts are not installed, and fail in CI)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.ocr import bill, contract, ids, receita, rg_models
from bench.ocr import render as render_module
from bench.ocr.families import (
    FAMILIES,
    FRESH,
    LABELS,
    TUNING,
    WIDE,
    Family,
    family,
)
from bench.ocr.generator import _page
from bench.ocr.render import EXTRA_FONTS, FontMissing, font_path
from bench.ocr.synthetic import FIXED_SEED, draw, draw_sample
from tests.bench_ocr.fonts import needs_fresh_fonts, needs_wide_fonts


def _fonts(fam: Family) -> set[str]:
    return set(fam.sans + fam.serif + fam.mono)


def test_the_four_families_share_no_font_and_only_fresh_and_wide_need_extra_ones() -> None:
    sets = [_fonts(family(name)) for name in FAMILIES]
    for i, one in enumerate(sets):
        for other in sets[i + 1 :]:
            assert not one & other
    tuning, heldout, fresh, wide = sets
    assert fresh <= set(EXTRA_FONTS) and wide <= set(EXTRA_FONTS)
    assert not (tuning | heldout) & set(EXTRA_FONTS)
    assert FAMILIES == ("tuning", "heldout", "fresh", "wide")
    assert family("fresh") is FRESH and family("wide") is WIDE
    assert len(set(FIXED_SEED.values())) == len(FIXED_SEED) == len(FAMILIES)
    # no package installs fonts for both: the wide family's apt line is its own
    packages = {name: EXTRA_FONTS[name][2] for name in fresh | wide}
    assert not {packages[n] for n in fresh} & {packages[n] for n in wide}


def _plain(wording: str) -> str:
    return wording.upper().rstrip(":").strip()


def test_each_familys_wordings_are_spellings_the_earlier_families_never_show() -> None:
    for key, (tuning, heldout, fresh, wide) in LABELS.items():
        assert fresh and not set(fresh) & (set(tuning) | set(heldout)), key
        # wide's differ from all three even in another case ("Validade" is VALIDADE)
        earlier = {_plain(w) for w in tuning + heldout + fresh}
        assert wide and not {_plain(w) for w in wide} & earlier, key
    for table in (bill.UTILITIES, contract.CPF_WORDING, contract.CNPJ_WORDING):
        for i, name in enumerate(FAMILIES[2:], start=2):
            others = {w for earlier in FAMILIES[:i] for w in table[earlier]}
            assert table[name] and not set(table[name]) & others, name


def test_every_family_names_its_own_rg_states_tints_and_rows() -> None:
    states = {name: {m.state for m in rg_models.RG_MODELS[name]} for name in FAMILIES}
    assert not states["wide"] & (states["tuning"] | states["heldout"] | states["fresh"])
    assert not states["fresh"] & (states["tuning"] | states["heldout"])
    for table in (ids.CNH_GREEN, ids.CIN_TINT, ids.MRZ_FONT, receita.ROW_HEIGHT, bill.STYLES):
        assert set(table) == set(FAMILIES)
    assert ids.MRZ_FONT["wide"] in _fonts(WIDE)


def test_split_ranges_draw_from_their_ends_and_the_others_draw_as_before() -> None:
    rng = random.Random(3)
    values = [FRESH.pick(rng, (0.0, 3.0)) for _ in range(500)]
    assert all(0.0 <= v < 1.0 or 2.0 <= v <= 3.0 for v in values)
    assert min(values) < 0.2 and max(values) > 2.8
    assert TUNING.pick(random.Random(5), (1.0, 2.0)) == random.Random(5).uniform(1.0, 2.0)
    # wide is as wide as fresh, with ends of its own
    for span in ("value_pt", "label_pt", "gap"):
        low, high = getattr(WIDE, span)
        fresh_low, fresh_high = getattr(FRESH, span)
        assert WIDE.split and high - low >= fresh_high - fresh_low
        assert (low, high) != (fresh_low, fresh_high)
    assert WIDE.rule_width[0] < FRESH.rule_width[0] and WIDE.rule_width[1] > TUNING.rule_width[1]


def test_a_missing_extra_font_says_which_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(render_module, "FONTS_ROOT", tmp_path)
    with pytest.raises(FontMissing, match=r"install fonts-freefont-ttf .*apt-get install -y"):
        font_path("FreeSans", bold=True)
    with pytest.raises(FontMissing, match=r"install fonts-lato .*fonts-roboto-unhinted"):
        font_path("Lato", bold=False)
    with pytest.raises(FontMissing, match="apt-get install"):
        draw("cnh", seed=FIXED_SEED["fresh"], family="fresh", level="pdf")
    with pytest.raises(FontMissing, match="apt-get install"):
        draw("rg", seed=FIXED_SEED["wide"], family="wide", level="pdf")
    data, _ = draw("cnh", seed=FIXED_SEED["tuning"], family="tuning", level="pdf")
    assert data.startswith(b"%PDF")  # the old families need none of them


def _drawn(name: str) -> tuple[set[str], set[str]]:
    fonts: set[str] = set()
    texts: set[str] = set()
    for kind in ("cnpj_card", "cnh", "rg", "comprovante_endereco"):
        for seed in range(FIXED_SEED[name], FIXED_SEED[name] + 8):
            lay = _page(kind, fam_name=name, seed=seed).pen.lay
            fonts |= {t.font or lay.font for t in lay.texts}
            texts |= {t.text.rstrip(":") for t in lay.texts}
    return fonts, texts


@needs_fresh_fonts
def test_fresh_drawings_use_its_fonts_and_wordings() -> None:
    fonts, texts = _drawn("fresh")
    assert fonts <= _fonts(FRESH) and len(fonts) >= 4
    fresh_only = {w for _, _, fresh, _ in LABELS.values() for w in fresh}
    assert len(texts & fresh_only) >= 8
    assert not texts & {"NOME COMPLETO", "DATA NASC.", "TITULAR", "VALIDADE"} - fresh_only


@needs_wide_fonts
def test_wide_drawings_use_its_fonts_and_wordings() -> None:
    fonts, texts = _drawn("wide")
    assert fonts <= _fonts(WIDE) and len(fonts) >= 5
    wide_only = {w for *_, wide in LABELS.values() for w in wide}
    assert len(texts & wide_only) >= 12
    others = {"NOME COMPLETO", "DATA NASC.", "TITULAR", "NOME CIVIL", "Nº DO CPF", "CIC"}
    assert not texts & others


@needs_fresh_fonts
def test_fresh_photos_are_the_same_document_at_every_level() -> None:
    seed = FIXED_SEED["fresh"] + 1
    first = draw_sample("rg", seed=seed, family="fresh", level="heavy")
    assert first.data == draw_sample("rg", seed=seed, family="fresh", level="heavy").data
    for level in ("pdf", "clean", "moderate"):
        assert draw_sample("rg", seed=seed, family="fresh", level=level).truth == first.truth


@needs_wide_fonts
def test_wide_photos_are_taken_with_the_fresh_familys_phone() -> None:
    base = FIXED_SEED["wide"]
    heavy = [draw_sample("cnh", seed=base + i, family="wide", level="heavy") for i in range(6)]
    qualities = [s.params["jpeg"] for s in heavy]
    assert all(32 <= q < 47 for q in qualities)
    assert all(800 <= s.params["width"] < 1100 for s in heavy)
    assert min(qualities) < 38  # below the tuning family's phone (38-51)
    for level in ("pdf", "clean", "moderate"):
        assert draw_sample("cnh", seed=base, family="wide", level=level).truth == heavy[0].truth
