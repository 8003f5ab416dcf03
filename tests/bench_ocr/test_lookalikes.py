"""The hard cartões of ``bench/ocr/lookalikes.py``: CNPJs made of look-alikes (half of them
with a twin the check digits cannot tell from them), CEPs of 7, 1, 5 and 9 inside their
UF's range. No OCR here."""

from __future__ import annotations

from stdnum.br import cnpj as stdnum_cnpj

from bench.ocr.lookalikes import SWAP, draw_card, twins
from bot.documents.plausible import cep_fits_uf


def test_a_twin_differs_by_two_look_alikes_and_passes_the_check_digits() -> None:
    assert twins("O5BOSTQJ0OO176") == ["05BOSTQJOOO176"]
    assert twins("IC9Y246C0OO122") == []


def test_cards_are_drawn_as_asked_and_the_same_for_a_seed() -> None:
    for seed in range(4):
        card = draw_card(seed, with_twin=seed % 2 == 0)
        cnpj, cep = card.truth["cnpj"], card.truth["cep"]
        assert stdnum_cnpj.is_valid(cnpj) and not cnpj[:12].isdigit()
        assert sum(ch in SWAP for ch in cnpj[:12]) >= 6
        assert bool(card.twins) == (seed % 2 == 0)
        assert all(stdnum_cnpj.is_valid(t) for t in card.twins)
        assert set(cep[3:]) <= set("7159") and cep_fits_uf(cep, card.truth["uf"])
    assert draw_card(1, with_twin=False).data == draw_card(1, with_twin=False).data
