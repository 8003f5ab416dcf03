"""Cross-checks between what a document says and what the client told us (pure functions).

Each check returns ``None`` when consistent or a ``Mismatch`` with a reason in Portuguese and
English, ready to show the client and to raise to the CSM as an escalation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz import fuzz

from bot.documents.folding import fold
from bot.documents.plausible import implausible
from bot.domain.validators import format_cnpj

PARTICLES = frozenset({"DA", "DE", "DO", "DAS", "DOS", "E", "D"})


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A disagreement: ``code`` is cnpj_differs | cpf_differs | name_differs | cnh_expired |
    date_implausible."""

    code: str
    field: str
    expected: str
    found: str
    reason_pt: str
    reason_en: str


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def compare_cnpj(typed: str, card: str) -> Mismatch | None:
    """The CNPJ the client typed against the one on the cartão CNPJ."""
    if _compact(typed) == _compact(card):
        return None
    return Mismatch(
        "cnpj_differs",
        "cnpj",
        _compact(typed),
        _compact(card),
        f"O CNPJ do cartão ({format_cnpj(_compact(card))}) é diferente do informado "
        f"({format_cnpj(_compact(typed))}).",
        f"The CNPJ on the card ({format_cnpj(_compact(card))}) differs from the one given "
        f"({format_cnpj(_compact(typed))}).",
    )


def compare_cpf(contact: str, document: str) -> Mismatch | None:
    """The contact's CPF against the CPF printed on the CNH or RG."""
    if _compact(contact) == _compact(document):
        return None
    return Mismatch(
        "cpf_differs",
        "cpf",
        _compact(contact),
        _compact(document),
        "O CPF do documento é diferente do CPF do contato cadastrado.",
        "The CPF on the document differs from the registered contact's CPF.",
    )


def name_tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"[A-Z]+", fold(name)) if t not in PARTICLES]


def _same_token(a: str, b: str) -> bool:
    if a == b:
        return True
    return min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 85  # one OCR slip in a long name


def names_match(contact: str, document: str) -> bool:
    """Same person? Accents, case, particles and omitted middle names are tolerated.

    First names must agree; when both names have a surname, the last surnames must agree and
    every name of the shorter form must appear, in order, in the longer one.
    """
    a, b = name_tokens(contact), name_tokens(document)
    if not a or not b:
        return False
    if not _same_token(a[0], b[0]):
        return False
    if len(a) == 1 or len(b) == 1:
        return True
    if not _same_token(a[-1], b[-1]):
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    position = 0
    for token in short:
        while position < len(long) and not _same_token(token, long[position]):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def compare_name(contact: str, document: str) -> Mismatch | None:
    if names_match(contact, document):
        return None
    return Mismatch(
        "name_differs",
        "nome",
        contact,
        document,
        f"O nome no documento ({document}) não confere com o do contato ({contact}).",
        f"The name on the document ({document}) does not match the contact's ({contact}).",
    )


def parse_br_date(value: str) -> date:
    return datetime.strptime(value.strip(), "%d/%m/%Y").date()


def check_cnh_expiry(validade: str, *, today: date) -> Mismatch | None:
    """An expired CNH (``validade`` as DD/MM/YYYY) relative to ``today``."""
    expires = parse_br_date(validade)
    if expires >= today:
        return None
    return Mismatch(
        "cnh_expired",
        "validade",
        today.strftime("%d/%m/%Y"),
        validade,
        f"A CNH venceu em {validade}.",
        f"The CNH expired on {validade}.",
    )


_DATE_NAMES = {
    "data_nascimento": ("data de nascimento", "birth date"),
    "validade": ("validade", "expiry date"),
    "data_abertura": ("data de abertura", "opening date"),
    "data_emissao": ("data de emissão", "issue date"),
    "data_expedicao": ("data de expedição", "issue date"),
}


def check_dates(kind: str, fields: Mapping[str, str], *, today: date) -> list[Mismatch]:
    """Each date that cannot be what its field says (``plausible.implausible``): a birth
    in the future, a bill years old. The client is asked to look at the document again."""
    found = []
    for name, why in implausible(kind, fields, today=today).items():
        pt, en = _DATE_NAMES.get(name, (name, name))
        value = fields[name]
        found.append(
            Mismatch(
                "date_implausible",
                name,
                "",
                value,
                f"A {pt} lida ({value}) não parece possível; confira o documento.",
                f"The {en} read ({value}) does not look possible ({why}); please check the "
                "document.",
            )
        )
    return found


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _cep(value: str) -> str:
    digits = _digits(value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 8 else value


def compare_bill_cep(typed: str, bill: str) -> Mismatch | None:
    """The CEP typed at the registration against the one on the utility bill."""
    if _digits(typed) == _digits(bill):
        return None
    return Mismatch(
        "cep_differs",
        "cep",
        _digits(typed),
        _digits(bill),
        f"O CEP do comprovante ({_cep(bill)}) é diferente do informado no cadastro "
        f"({_cep(typed)}).",
        f"The CEP on the proof of address ({_cep(bill)}) differs from the one given "
        f"({_cep(typed)}).",
    )


def _contract_cnpj(typed: str, contract: str) -> Mismatch | None:
    differs = compare_cnpj(typed, contract)
    if differs is None:
        return None
    return Mismatch(
        differs.code,
        differs.field,
        differs.expected,
        differs.found,
        f"O CNPJ do contrato social ({format_cnpj(differs.found)}) é diferente do informado "
        f"({format_cnpj(differs.expected)}).",
        f"The CNPJ in the articles of association ({format_cnpj(differs.found)}) differs "
        f"from the one given ({format_cnpj(differs.expected)}).",
    )


def cross_check(
    kind: str,
    fields: Mapping[str, str],
    *,
    today: date,
    typed_cnpj: str = "",
    typed_cep: str = "",
    contact_cpf: str = "",
    contact_name: str = "",
) -> list[Mismatch]:
    """Every applicable check for a read document; fields not read are not judged."""
    found: list[Mismatch | None] = []
    if kind == "cnpj_card" and typed_cnpj and fields.get("cnpj"):
        found.append(compare_cnpj(typed_cnpj, fields["cnpj"]))
    if kind in ("cnh", "rg"):
        if contact_cpf and fields.get("cpf"):
            found.append(compare_cpf(contact_cpf, fields["cpf"]))
        if contact_name and fields.get("nome"):
            found.append(compare_name(contact_name, fields["nome"]))
    implausible_dates = check_dates(kind, fields, today=today)
    found.extend(implausible_dates)
    judged = {m.field for m in implausible_dates}
    if kind == "cnh" and fields.get("validade") and "validade" not in judged:
        try:
            found.append(check_cnh_expiry(fields["validade"], today=today))
        except ValueError:
            pass  # an unparsable date is already flagged uncertain by the reader
    if kind == "comprovante_endereco" and typed_cep and fields.get("cep"):
        found.append(compare_bill_cep(typed_cep, fields["cep"]))
    if kind == "contrato_social" and typed_cnpj and fields.get("cnpj"):
        found.append(_contract_cnpj(typed_cnpj, fields["cnpj"]))
    return [m for m in found if m is not None]
