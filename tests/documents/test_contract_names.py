"""A name read alike in two clauses is vouched for, unless a word of it looks misread.

The same font and scanner can garble a word the same way wherever it is printed, so two
identical reads of "GONGALVES" (GONÇALVES, its cedilla read as a G) are no confirmation.
Contracts are drawn with the bench's tuning writer and garbled on purpose, identically in
every clause; what is read and at which confidence is asserted.
"""

from __future__ import annotations

import random

import pytest

from bench.ocr.contract import Contract, write
from bench.ocr.families import TUNING
from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.contract import contract_fields
from bot.documents.contract_names import vouchable
from bot.documents.lexicon import plausible


def _contract(company_word: str) -> Contract:
    """The first tuning contract (seeds from 0) whose company's name starts ``company_word``."""
    for seed in range(200):
        contract = write(fam=TUNING, rng=random.Random(seed))
        if contract.truth["razao_social"].startswith(company_word + " "):
            return contract
    raise AssertionError("no such contract drawn")


def _read(
    contract: Contract, *, garble: tuple[str, str] = ("", "")
) -> dict[str, tuple[str, float]]:
    """Each field's value and confidence on a scan whose every clause reads ``garble``."""
    text = "\n".join(contract.paragraphs)
    if garble[0]:
        text = text.replace(*garble)
    found, _ = contract_fields(text, scanned=True)
    return {name: (read.parsed.value, score(read, Evidence())) for name, read in found.items()}


@pytest.mark.parametrize(
    ("company_word", "garbled"),
    [
        ("SOUZA", "SOUZAA"),  # a letter doubled at the end
        ("MACEDO", "MAGEDO"),  # one letter for another: a known surname misread
        ("ROCHA", "R0CHA"),  # a digit among the letters
        ("FONSECA", "FONSECA I"),  # a lone letter (a stroke or a speck read as one)
        ("MENDES", "MRNDES"),  # consonants no syllable joins
    ],
)
def test_a_company_name_garbled_alike_in_every_clause_is_not_vouched_for(
    company_word: str, garbled: str
) -> None:
    contract = _contract(company_word)
    name, confidence = _read(contract)["razao_social"]
    assert name == contract.truth["razao_social"] and confidence >= ASSERTED
    name, confidence = _read(contract, garble=(company_word + " ", garbled + " "))["razao_social"]
    assert name == contract.truth["razao_social"].replace(company_word, garbled, 1)
    assert confidence < ASSERTED


def test_a_partners_name_garbled_alike_in_both_clauses_is_not_vouched_for() -> None:
    contract = _contract("MACEDO")
    first = contract.truth["socio_1_nome"]
    name, confidence = _read(contract)["socio_1_nome"]
    assert name == first
    assert confidence >= ASSERTED  # named again in the capital clause
    last = first.split()[-1]
    garbled = first.replace(last, last[:-1] + last[-1] * 2)  # "SOUZAA": read alike twice
    name, confidence = _read(contract, garble=(first, garbled))["socio_1_nome"]
    assert name == garbled and confidence < ASSERTED


@pytest.mark.parametrize(
    "word",
    [
        "SILVA",
        "GONÇALVES",
        "GONCALVES",
        "CONSTRUÇÕES",
        "INSTALAÇÕES",
        "EXPRESS",
        "E",
        "&",
        "S.A.",
        "S/A",
        "LTDA.",
        "EPP",
        "D'ÁVILA",
        "CAMILO",
        "MARTIN",
        "KLEIN",
        "WAGNER",
        "DISTRIBUIDORA",
        "ODONTOLÓGICA",
        "AUTOPEÇAS",
        "MELLO",
        "TEIXEIRA",
        "ISAAC",
    ],
)
def test_words_and_names_are_plausible(word: str) -> None:
    assert plausible(word)


@pytest.mark.parametrize(
    "word",
    [
        "I",
        "L",
        "C0MERCIO",
        "GONGALVES",
        "RNARTINS",
        "CLIMICA",
        "OLIVFIRA",
        "SOUZAA",
        "IIMA",
        "XPTO",
        "MRNDES",
        "|",
        "SIL|VA",
    ],
)
def test_misreads_are_not(word: str) -> None:
    assert not plausible(word)


def test_a_name_is_vouchable_only_when_every_word_is() -> None:
    assert vouchable("SOUZA E FILHOS COMÉRCIO LTDA - EPP")
    assert not vouchable("SOUZA I FILHOS COMÉRCIO LTDA")


def test_a_partners_first_name_lost_in_the_qualification_is_taken_from_the_capital_clause() -> None:
    # tuning heavy 1017: "...JUNDIAÍ/SP; CASTRO MARTINS, brasileiro(a)" while the capital
    # clause reads "MÔNICA CASTRO MARTINS: 128.500 quotas"
    contract = _contract("MACEDO")
    first = contract.truth["socio_1_nome"]
    cut = " ".join(first.split()[1:])
    parties = contract.paragraphs[1].replace(first + ",", cut + ",", 1)
    text = "\n".join([contract.paragraphs[0], parties, *contract.paragraphs[2:]])
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_1_nome"].parsed.value == first
    assert score(found["socio_1_nome"], Evidence()) < ASSERTED  # one clause's word: confirm
    # a garbled word before the name in the capital clause is not taken
    garbled = text.replace(first + ":", "XPTO " + cut + ":")
    found, _ = contract_fields(garbled, scanned=True)
    assert found["socio_1_nome"].parsed.value == cut


def test_a_noise_mark_after_a_word_of_the_company_is_left_out() -> None:
    # tuning heavy 1045: "nome empresarial CAVALCANTI! PAPELARIA E INFORMÁTICA LTDA" in two
    # clauses, read clean in the title
    contract = _contract("MACEDO")
    company = contract.truth["razao_social"]
    title, *rest = contract.paragraphs
    marked = [p.replace("MACEDO ", "MACEDO! ") for p in rest]
    name, confidence = _read(Contract((title, *marked), contract.truth))["razao_social"]
    assert name == company and confidence >= ASSERTED
    # marked in every clause: the mark may hide a letter, so nothing vouches for it
    everywhere = Contract((title.replace("MACEDO ", "MACEDO! "), *marked), contract.truth)
    name, confidence = _read(everywhere)["razao_social"]
    assert name == company and confidence < ASSERTED
