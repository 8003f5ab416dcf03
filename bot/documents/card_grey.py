"""The cartão CNPJ's grey page, read only over the rows of the fields the first pass missed.

The card's labels are its smallest and lightest print. On a blurred, noisy photo Otsu's
threshold turns them into specks (the first pass, binarized and sparse, finds no label), and
the grey page read as one block merges a tiny label with the value under it. The grey page
read sparse keeps both: on heavy photos of the tuning family it found 13 more of 94 fields
than the binarized sparse pass (bench/ocr/README, fourth round). So for a cartão the second
pass (``passes.py``) is the grey page read sparse, and the fields still missing after it get
a third, the grey page as a block (which reads some values the sparse segmentation splits).
Each only fills the fields not yet settled: a value one pass alone gives is re-read from its
crop like any such value, so it is asserted on agreement only.

Both read only the bands of the page where the wanted fields can print: the card's rows of
boxes come in the Receita's fixed order (``ROWS``), so the labels already found bound each
wanted field's row from above and below (a missing CEP lies between the LOGRADOURO row and
the ENDEREÇO ELETRÔNICO row). Tesseract's time grows with the text it reads: two rows of
boxes out of thirteen cost a fraction of the page (a heavy photo's three full-page passes,
~1 s each, become one and two bands of ~0.2-0.3 s).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import date

from PIL import Image

from bot.documents.extraction import extract_fields
from bot.documents.fields import FIELD_NAMES, FieldRead
from bot.documents.label_words import LABELS, STOP
from bot.documents.labels import LabelHit, find_labels
from bot.documents.page import Page, Word
from bot.documents.tesseract import OcrEngine

__all__ = ["KIND", "ROWS", "SPARSE_PSM", "bands", "card_rows", "grey_sparse_fill", "wanted"]

KIND = "cnpj_card"
SPARSE_PSM = 11
# The card's rows of boxes, top to bottom, each named by its labels: a field's name, or a
# label that is no field (``label_words.STOP``'s phrases)
ROWS: tuple[frozenset[str], ...] = (
    frozenset({"REPUBLICA FEDERATIVA DO BRASIL", "CADASTRO NACIONAL DA PESSOA JURIDICA"}),
    frozenset(
        {
            "cnpj",
            "data_abertura",
            "COMPROVANTE DE INSCRICAO E DE SITUACAO CADASTRAL",
            "COMPROVANTE DE INSCRICAO E DE SITUACAO",
        }
    ),
    frozenset({"razao_social"}),
    frozenset({"nome_fantasia", "PORTE"}),
    frozenset({"CODIGO E DESCRICAO DA ATIVIDADE ECONOMICA PRINCIPAL"}),
    frozenset({"CODIGO E DESCRICAO DAS ATIVIDADES ECONOMICAS SECUNDARIAS"}),
    frozenset({"CODIGO E DESCRICAO DA NATUREZA JURIDICA"}),
    frozenset({"LOGRADOURO", "NUMERO", "COMPLEMENTO"}),
    frozenset({"cep", "municipio", "uf", "BAIRRO DISTRITO"}),
    frozenset({"ENDERECO ELETRONICO", "TELEFONE"}),
    frozenset({"ENTE FEDERATIVO RESPONSAVEL EFR"}),
    frozenset({"situacao_cadastral", "DATA DA SITUACAO CADASTRAL"}),
    frozenset({"MOTIVO DE SITUACAO CADASTRAL"}),
    frozenset({"SITUACAO ESPECIAL", "DATA DA SITUACAO ESPECIAL"}),
)
_ROW_OF = {name: i for i, row in enumerate(ROWS) for name in row}
# read the whole page when the bands would cover most of it anyway
_MOST = 0.6


def _settled(name: str, reads: tuple[Mapping[str, FieldRead], ...]) -> bool:
    return any(
        name in found and found[name].parsed.valid and found[name].via != "order" for found in reads
    )


def wanted(*reads: Mapping[str, FieldRead]) -> list[str]:
    """The card's fields no pass read by its label (or read valid): what a third pass may fill."""
    return [name for name in FIELD_NAMES[KIND] if not _settled(name, reads)]


def _anchors(pages: tuple[Page, ...]) -> list[tuple[int, float, float]]:
    """The card's rows the passes found labels of: (row, top, bottom) in page pixels, top to
    bottom; a row found out of the card's order (a label's words misread into another
    label's) is left out, the longest run in order kept."""
    found: dict[int, list[LabelHit]] = {}
    for page in pages:
        for hit in find_labels(page.rows(), LABELS[KIND]):
            row = _ROW_OF.get(hit.phrase if hit.key == STOP else hit.key)
            if row is not None:
                found.setdefault(row, []).append(hit)
    rows = sorted(
        (r, statistics.median(h.top for h in hits), statistics.median(h.bottom for h in hits))
        for r, hits in found.items()
    )
    # longest chain of rows whose tops grow with the card's order (at most 14 rows)
    chain: list[list[tuple[int, float, float]]] = []
    for i, anchor in enumerate(rows):
        before = [chain[j] for j in range(i) if rows[j][1] < anchor[1]]
        chain.append([*max(before, key=len, default=[]), anchor])
    return max(chain, key=len, default=[])


def bands(
    names: list[str], pages: tuple[Page, ...], *, height: float
) -> list[tuple[float, float]] | None:
    """The page's horizontal bands (top, bottom) where ``names`` print: from the label row
    found above each field's row to the one found below it, with a letter's margin; None
    when they would cover most of the page (read it whole)."""
    anchors = _anchors(pages)
    words = [w.height for page in pages for w in page.words]
    margin = statistics.median(words) if words else 0.0
    spans: list[tuple[float, float]] = []
    for name in names:
        row = _ROW_OF[name]
        above = [top for r, top, _ in anchors if r < row]
        below = [bottom for r, _, bottom in anchors if r > row]
        top = max(above, default=0.0) - margin
        bottom = min(below, default=height) + margin
        spans.append((max(top, 0.0), min(bottom, height)))
    merged: list[tuple[float, float]] = []
    for top, bottom in sorted(spans):
        if merged and top <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
        else:
            merged.append((top, bottom))
    if sum(bottom - top for top, bottom in merged) > _MOST * height:
        return None
    return merged


def card_rows(
    grey: Image.Image, names: list[str], *, pages: tuple[Page, ...], ocr: OcrEngine, psm: int
) -> Page:
    """The grey page read over the rows where ``names`` print (``bands``; the whole page
    when no label places them), words in page pixels."""
    spans = bands(names, pages, height=float(grey.height)) if pages else None
    size = (float(grey.width), float(grey.height))
    if spans is None:
        return Page(tuple(ocr.words(grey, psm=psm)), *size)
    words: list[Word] = []
    for top, bottom in spans:
        y0, y1 = int(top), min(int(bottom) + 1, grey.height)
        band = grey.crop((0, y0, grey.width, y1))
        words += [
            Word(w.text, w.left, w.top + y0, w.right, w.bottom + y0, w.conf)
            for w in ocr.words(band, psm=psm)
        ]
    return Page(tuple(words), *size)


def grey_sparse_fill(
    grey: Image.Image,
    *,
    kind: str,
    first: Mapping[str, FieldRead],
    second: Mapping[str, FieldRead],
    ocr: OcrEngine,
    today: date,
    pages: tuple[Page, ...] = (),
    psm: int = SPARSE_PSM,
) -> dict[str, FieldRead]:
    """Values for the cartão's fields that neither pass settled, read from the grey page
    (segmentation ``psm``) over their rows (``pages``: the passes, whose labels place the
    rows); nothing for another kind or a card both passes read whole."""
    if kind != KIND:
        return {}
    names = wanted(first, second)
    if not names:
        return {}
    page = card_rows(grey, names, pages=pages, ocr=ocr, psm=psm)
    found, _ = extract_fields(page, KIND, today=today)
    return {
        name: found[name]
        for name in names
        if name in found
        and found[name].parsed.valid
        and not (name in second and second[name].parsed.valid and found[name].via == "order")
    }
