"""The contrato social (or its last amendment): company, CNPJ and partners, read from prose.

A contract has no form to anchor on: the text of every page is joined and read as sentences.
The company is named by cue phrases (``contract_company``); each CPF introduced as one, with
the qualified name before it, is a partner (``contract_partners``), numbered in order of
appearance when the contract shows no more partners than were read (``contract_numbering``);
a name is asserted when another clause gives it alike and nothing in it looks misread
(``contract_names``). A scanned page's text is chosen clause by clause from two reads of it
(``contract_pages``, whose ``page_text`` the page passes call).
"""

from __future__ import annotations

from bot.documents import identifiers as ids
from bot.documents.contract_company import cnpj_read, company_cnpj, company_name, company_names
from bot.documents.contract_names import (
    accent_doubt,
    completed,
    named_again,
    vouchable,
    with_accents,
)
from bot.documents.contract_numbering import numbering_sure, share_names
from bot.documents.contract_pages import page_text
from bot.documents.contract_partners import joined, partners
from bot.documents.fields import FieldRead

__all__ = ["contract_fields", "field_names", "page_text"]


def _company_read(text: str, *, scanned: bool) -> FieldRead | None:
    """The company's name, vouched for when another clause names it the same way (title,
    name clause), no accent may be lost and no word of it looks misread; a scan's name not
    vouched for is shown with the lexicon's accents (a text layer's as printed)."""
    company = company_name(text)
    if company is None:
        return None
    alike = [n for n in company_names(text) if n.value == company.value]
    # a mark taken out may have hidden a letter: one reading without it must agree
    again = len(alike) >= 2 and any(not n.marked for n in alike)
    sure = again and not accent_doubt(company.value) and vouchable(company.value)
    value = with_accents(company.value) if scanned and not sure else company.value
    parsed = ids.Parsed(value, True, 0 if sure else 1, checked=sure)
    return FieldRead("razao_social", parsed, company.value, (), "prose")


def contract_fields(
    text: str,
    *,
    scanned: bool = False,
) -> tuple[dict[str, FieldRead], dict[str, str]]:
    """SPEC's fields of a contract from its whole text, and why the missing ones are missing.

    Names read from prose (the company's, the partners') are given with ``repairs=1``: shown
    to the client to confirm — a contract's wording varies more than any cue list, and a name
    taken from the wrong clause would look right — unless another clause gives the same name
    (``contract_names``) and, for a partner's, the numbering is sure. Numbers whose check
    digits hold (the CNPJ; a partner's CPF when the numbering is sure) are asserted.
    """
    text = joined(text)
    found: dict[str, FieldRead] = {}
    missing: dict[str, str] = {}
    company = _company_read(text, scanned=scanned)
    if company is not None:
        found["razao_social"] = company
    else:
        missing["razao_social"] = "company name not found in the text"
    cnpj = company_cnpj(text)
    if cnpj is not None:
        found["cnpj"] = cnpj_read(cnpj, scanned=scanned)
    else:
        missing["cnpj"] = "no valid CNPJ in the text"
    listed = partners(text, company=company.raw if company else "")
    members = [p for p in listed if not p.leaves]
    sure = numbering_sure(text, listed)
    if not members:
        missing["socio_1_nome"] = missing["socio_1_cpf"] = "no partner with a valid CPF"
    for number, partner in enumerate(members, start=1):
        key = f"socio_{number}_cpf"
        found[key] = FieldRead(
            key,
            ids.Parsed(partner.cpf, True, 0 if sure else 1, checked=sure),
            partner.cpf,
            (),
            "prose",
        )
        key = f"socio_{number}_nome"
        if partner.name is None:
            continue
        name = partner.name.value
        # vouched for when the capital clause (or another) names the partner the same way;
        # else shown whole as the capital clause gives it, with the lexicon's accents
        vouched = sure and named_again(text, name) and not accent_doubt(name) and vouchable(name)
        value = name if vouched else completed(name, share_names(text))
        value = with_accents(value) if scanned and not vouched else value
        parsed = ids.Parsed(value, True, 0 if vouched else 1, checked=vouched)
        found[key] = FieldRead(key, parsed, name, (), "prose")
    return found, missing


def field_names(found: dict[str, FieldRead], missing: dict[str, str]) -> tuple[str, ...]:
    """The contract's field names in SPEC order: company, CNPJ, then partner by partner."""
    names = ["razao_social", "cnpj"]
    keys = set(found) | set(missing)
    number = 1
    while f"socio_{number}_cpf" in keys or f"socio_{number}_nome" in keys:
        names += [f"socio_{number}_nome", f"socio_{number}_cpf"]
        number += 1
    return tuple(names)
