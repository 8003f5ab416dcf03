"""The cartão CNPJ's third pass (grey page, sparse text) fills the fields both passes missed."""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from bot.documents.card_grey import SPARSE_PSM, bands, grey_sparse_fill, wanted
from bot.documents.extraction import extract_fields
from bot.documents.imaging import Prepared
from bot.documents.page import Page, Word
from bot.documents.passes import from_passes
from bot.documents.quality import ImageQuality
from bot.documents.results import ReadOptions

TODAY = date(2026, 12, 7)


def _row(top: float, *texts: tuple[str, float]) -> list[Word]:
    return [Word(text, left, top, left + 12 * len(text), top + 30, 95.0) for text, left in texts]


# What a sparse read of the grey page gives on a heavy photo whose binarized labels were specks
CARD = (
    *_row(20, ("REPÚBLICA", 500), ("FEDERATIVA", 640), ("DO", 790), ("BRASIL", 830)),
    *_row(60, ("CADASTRO", 500), ("NACIONAL", 640), ("DA", 790), ("PESSOA", 830)),
    *_row(100, ("NÚMERO", 50), ("DE", 140), ("INSCRIÇÃO", 180), ("DATA", 1400)),
    *_row(100, ("DE", 1460), ("ABERTURA", 1500)),
    *_row(140, ("40.650.635/0001-59", 50), ("28/04/2008", 1400)),
    *_row(200, ("NOME", 50), ("EMPRESARIAL", 120)),
    *_row(240, ("PADARIA", 50), ("BOA", 160), ("VISTA", 220), ("LTDA", 300)),
    *_row(285, ("TÍTULO", 50), ("DO", 150), ("ESTABELECIMENTO", 200), ("(NOME", 400)),
    *_row(285, ("DE", 480), ("FANTASIA)", 520)),
    *_row(325, ("PADOCA", 50), ("DA", 140), ("VILA", 180)),
    *_row(370, ("CEP", 55), ("BAIRRO/DISTRITO", 393), ("MUNICÍPIO", 976), ("UF", 1700)),
    *_row(410, ("78.692-081", 57), ("CENTRO", 393), ("MANAUS", 976), ("AM", 1700)),
    *_row(500, ("SITUAÇÃO", 53), ("CADASTRAL", 158)),
    *_row(540, ("ATIVA", 57), ("09/08/2016", 1218)),
)
# The binarized sparse pass of the same photo: the values, with every small label lost
SPECKS = tuple(w for w in CARD if w.top in (140, 240, 410, 540)) + tuple(
    Word(t, 900 + 40 * i, 400, 930 + 40 * i, 420, 20.0) for i, t in enumerate("em am ma =".split())
)


class GreyOnlyEngine:
    """Tesseract as the photo leaves it: the labels readable only on the grey page, sparse."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        grey = len(set(np.asarray(image.convert("L")).ravel().tolist())) > 2
        self.calls.append(("grey" if grey else "binary", psm))
        if grey and psm == SPARSE_PSM:
            return list(CARD)
        return list(SPECKS) if not grey else []


def _prepared() -> Prepared:
    grey = np.full((700, 1800), 235, dtype=np.float32)
    grey[::7, ::5] = np.linspace(20, 200, 360)  # ink of many greys: not a two-level page
    binary = Image.fromarray(np.where(grey < 128, 0, 255).astype(np.uint8))
    return Prepared(binary, grey, 0.0, 1.0, 30.0)


def _quality() -> ImageQuality:
    return ImageQuality(1800, 700, 30.0, 100.0, 100.0, "ok")


def test_the_grey_sparse_pass_fills_what_the_binarized_and_block_passes_missed() -> None:
    engine = GreyOnlyEngine()
    result = from_passes(
        _prepared(),
        kind="cnpj_card",
        opts=ReadOptions(today=TODAY, orient=False),
        ocr=engine,
        quality=_quality(),
    )
    assert ("grey", SPARSE_PSM) in engine.calls
    assert result.fields["razao_social"] == "PADARIA BOA VISTA LTDA"
    assert result.fields["situacao_cadastral"] == "ATIVA"
    assert result.fields["municipio"] == "MANAUS"
    # one pass alone read them: shown to confirm, never asserted on that
    assert result.confidence["razao_social"] < 0.9


def test_it_only_fills_fields_no_pass_settled_and_never_for_another_kind() -> None:
    whole, _ = extract_fields(Page(CARD, 1800, 700), "cnpj_card", today=TODAY)
    assert wanted(whole, {}) == []
    grey = Image.fromarray(_prepared().gray.astype(np.uint8))
    engine = GreyOnlyEngine()
    assert (
        grey_sparse_fill(grey, kind="cnpj_card", first=whole, second={}, ocr=engine, today=TODAY)
        == {}
    )
    assert grey_sparse_fill(grey, kind="cnh", first={}, second={}, ocr=engine, today=TODAY) == {}
    assert engine.calls == []  # a card read whole, or another kind: no third pass
    partial = {n: r for n, r in whole.items() if n != "razao_social"}
    filled = grey_sparse_fill(
        grey, kind="cnpj_card", first=partial, second={}, ocr=engine, today=TODAY
    )
    assert set(filled) == {"razao_social"}


class BandEngine:
    """Tesseract on a band of the page: the CARD's words inside it, in the band's pixels."""

    def __init__(self, tops: dict[int, int]) -> None:
        self.tops = tops  # band height -> its top on the page (the test knows its bands)
        self.sizes: list[tuple[int, int]] = []

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        self.sizes.append(image.size)
        y0 = self.tops[image.height]
        return [
            Word(w.text, w.left, w.top - y0, w.right, w.bottom - y0, w.conf)
            for w in CARD
            if y0 <= w.top and w.bottom <= y0 + image.height
        ]


def test_the_wanted_fields_rows_are_bounded_by_the_labels_found_around_them() -> None:
    found_labels = Page(tuple(w for w in CARD if w.top not in (370, 410)), 1800, 700)
    # the CEP's row (370-440) lies between TÍTULO's row (285) and SITUAÇÃO's (500)
    assert bands(["cep", "municipio"], (found_labels,), height=700.0) == [(255.0, 560.0)]
    # the opening date's row: from the header's (at the page's top) to NOME EMPRESARIAL's
    assert bands(["data_abertura"], (found_labels,), height=700.0) == [(0.0, 260.0)]
    # most of the page: read it whole
    assert bands(["cnpj", "situacao_cadastral"], (found_labels,), height=700.0) is None


def test_only_the_bands_of_the_missing_fields_are_read() -> None:
    whole, _ = extract_fields(Page(CARD, 1800, 700), "cnpj_card", today=TODAY)
    partial = {n: r for n, r in whole.items() if n not in ("cep", "municipio", "uf")}
    grey = Image.fromarray(_prepared().gray.astype(np.uint8))
    labels_found = Page(tuple(w for w in CARD if w.top not in (370, 410)), 1800, 700)
    engine = BandEngine({306: 255})
    filled = grey_sparse_fill(
        grey,
        kind="cnpj_card",
        first=partial,
        second={},
        ocr=engine,
        today=TODAY,
        pages=(labels_found,),
    )
    assert engine.sizes == [(1800, 306)]  # one band, not the 700 px page
    assert filled["cep"].parsed.value == "78692081"
    assert filled["municipio"].parsed.value == "MANAUS"
    assert filled["cep"].words[0].top == 410  # in the page's pixels
