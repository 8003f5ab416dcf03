"""A partner OCR lost whole must not shift the next one into his number with confidence.

Contracts are drawn with the bench's tuning writer (``bench/ocr/contract.write``) and damaged
on purpose: the first partner's qualification (name, RG, CPF) removed, as a scan at low
resolution loses a paragraph's lines. What is read and at which confidence is asserted.
"""

from __future__ import annotations

import random

import pytest

from bench.ocr.contract import Contract, scanned_pdf, text_pdf, write
from bench.ocr.families import TUNING
from bench.ocr.synthetic import TODAY
from bot.documents import ReadOptions, read_document
from bot.documents.confidence import ASSERTED, Evidence, score
from bot.documents.contract import contract_fields
from bot.documents.contract_numbering import numbering_sure, partners_shown, shares
from bot.documents.contract_partners import joined, partners


def _contract(partners_wanted: int) -> Contract:
    """The first tuning contract (seeds from 0) with ``partners_wanted`` partners."""
    for seed in range(100):
        contract = write(fam=TUNING, rng=random.Random(seed))
        if sum(key.endswith("_cpf") for key in contract.truth) == partners_wanted:
            return contract
    raise AssertionError("no such contract drawn")


def _without_first_partner(contract: Contract) -> list[str]:
    """The contract's paragraphs with the first partner's qualification cut out."""
    title, parties, *rest = contract.paragraphs
    return [title, parties.split("; ", 1)[1], *rest]


def _confident(text: str) -> dict[str, str]:
    """The fields asserted (>= 0.9) on a scanned contract whose text is ``text``."""
    found, _ = contract_fields(text, scanned=True)
    return {
        name: read.parsed.value
        for name, read in found.items()
        if score(read, Evidence()) >= ASSERTED
    }


@pytest.mark.parametrize("count", [2, 3])
def test_the_whole_contract_numbers_its_partners_surely(count: int) -> None:
    contract = _contract(count)
    confident = _confident("\n".join(contract.paragraphs))
    for number in range(1, count + 1):
        cpf = f"socio_{number}_cpf"
        assert confident[cpf] == contract.truth[cpf]  # check digits, numbering sure
    # three partners of 10.000 quotas hold 3.333 each: the share rounded down lost nobody
    text = joined("\n".join(contract.paragraphs))
    assert partners_shown(text) == count
    assert len(shares(text)) == count


@pytest.mark.parametrize("count", [2, 3])
def test_a_partner_lost_whole_leaves_no_partner_asserted(count: int) -> None:
    contract = _contract(count)
    text = "\n".join(_without_first_partner(contract))
    found, _ = contract_fields(text, scanned=True)
    # the second partner is read as the first ...
    assert found["socio_1_cpf"].parsed.value == contract.truth["socio_2_cpf"]
    # ... and nothing numbered is asserted: the capital clause names one more partner
    assert not any(name.startswith("socio_") for name in _confident(text))
    assert found["cnpj"].parsed.checked  # the company's number does not depend on it


def _evidence_only(paragraphs: list[str], keep: str) -> str:
    """The damaged contract with every sign of the lost partner removed but ``keep``."""
    out = []
    for paragraph in paragraphs:
        if keep != "sole":
            paragraph = paragraph.replace("únicos sócios", "sócios")
        if paragraph.startswith("CLÁUSULA TERCEIRA") and keep not in ("capital", "sum"):
            paragraph = "CLÁUSULA TERCEIRA - DO CAPITAL. O capital é o do registro."
        if paragraph.startswith("_") and keep != "signatures":
            continue
        out.append(paragraph)
    if keep == "sum":  # the lost partner's share lost with him: the rest falls short
        capital = next(i for i, p in enumerate(out) if p.startswith("CLÁUSULA TERCEIRA"))
        head, listed = out[capital].split("assim distribuídas: ")
        out[capital] = head + "assim distribuídas: " + listed.split("; ", 1)[1]
    return "\n".join(out)


@pytest.mark.parametrize("keep", ["capital", "sum", "signatures", "sole"])
def test_each_clause_that_counts_the_partners_is_enough(keep: str) -> None:
    contract = _contract(2)
    damaged = _without_first_partner(contract)
    text = _evidence_only(damaged, keep)
    assert "socio_1_cpf" not in _confident(text), keep
    # the check can fail: with none of them, the lost partner leaves no trace
    blind = _evidence_only(damaged, "nothing")
    assert _confident(blind)["socio_1_cpf"] == contract.truth["socio_2_cpf"]


def test_sócio_written_under_the_signatures_counts_the_partners() -> None:
    contract = _contract(2)
    text = _evidence_only(_without_first_partner(contract), "nothing")
    signed = text.replace("TESTEMUNHAS:", "____________ Sócio\n____________ Sócia\nTESTEMUNHAS:")
    assert partners_shown(joined(signed)) == 2
    assert "socio_1_cpf" not in _confident(signed)


def test_the_quotas_stated_in_the_clause_are_the_whole() -> None:
    # "dividido em 10.000 quotas": two shares of 5.000 lose nobody, one of 5.000 does
    text = (
        "O capital social é de R$ 100.000,00, dividido em 10.000 quotas de R$ 10,00 cada: "
        "ANA MARIA SOUZA: 5.000 quotas; PAULO LIMA: 5.000 quotas."
    )
    assert partners_shown(text) == 2
    lost = text.replace("; PAULO LIMA: 5.000 quotas", "")
    assert partners_shown(lost) == 2
    assert partners_shown(lost.replace("5.000", "10.000")) == 1


def test_the_numbering_guard_compares_with_the_partners_read() -> None:
    contract = _contract(2)
    text = joined("\n".join(contract.paragraphs))
    listed = partners(text)
    assert numbering_sure(text, listed)
    assert not numbering_sure(text, listed[1:])


def test_a_scanned_contract_that_lost_its_first_partner_asserts_no_partner() -> None:
    contract = _contract(2)
    damaged = Contract(tuple(_without_first_partner(contract)), contract.truth)
    rng = random.Random(7)
    data = scanned_pdf(text_pdf(damaged, fam=TUNING, rng=rng), rng=rng, level="clean")
    result = read_document(data, options=ReadOptions(today=TODAY))
    assert result.kind == "contrato_social"
    assert result.fields["socio_1_cpf"] == contract.truth["socio_2_cpf"]
    assert result.confidence["socio_1_cpf"] < ASSERTED
    assert all(result.confidence[name] < ASSERTED for name in result.fields if "socio" in name)
    assert result.fields["cnpj"] == contract.truth["cnpj"]
    assert result.confidence["cnpj"] >= ASSERTED
