"""Moving the reader's confidence with what the image cannot show: Receita's record for the
same CNPJ, the CEP's address, and what the client typed.

The reader scores each field from the page alone (``confidence.py``). An independent source
that says the same thing is evidence a second OCR pass cannot give; one that says something
else means the client must look. Where each source moves a field:

| source | fields | same value | different value |
| --- | --- | --- | --- |
| Receita's record of the card's CNPJ | every field of the card | 0.97 | 0.5, warned |
| the CEP's address (BrasilAPI) | municipio, uf | 0.95 | 0.5, warned |
| the CNPJ the client typed | cnpj | 0.99 (3) | 0.5, warned |
| the contact's CPF | cpf, socio_N_cpf | 0.99 | unchanged (1) |
| the contact's name | nome, titular, socio_N_nome | 0.95 | unchanged (1) |
| the calendar (``today``) | every date | unchanged | 0.5, warned (2) |

(1) the document may be someone else's: ``cross_check`` raises that as a mismatch.
(2) a date that cannot be what its field says (``plausible.py``: a birth in the future, a
bill years old), whatever else agreed with it.
(3) also a read that differs from the typed CNPJ only where letters and digits look alike
(O/0, I/1): in the 2026 alphanumeric CNPJ an O and a 0 are both allowed, the card's font
hardly tells them apart, and a misread may even keep valid check digits; the typed CNPJ (its
check digits valid) is taken, and the Receita's record is then compared with it.

Text compares without accents (Receita's records rarely carry them), but a value raised must
not have lost one: a read without accents that looks like it lost one ("JOAO",
"CONSTRUCOES") is never raised, since Receita cannot tell "CONSTRUÇÕES" from "CONSTRUCOES".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from bot.documents.brasilapi import AddressRecord, CompanyRecord
from bot.documents.confidence import ASSERTED, LOST_ACCENT
from bot.documents.crosscheck import names_match
from bot.documents.folding import fold
from bot.documents.identifiers import cnpj_is_valid
from bot.documents.plausible import settle
from bot.documents.results import Extraction

AGREED = 0.97
AGREED_ADDRESS = 0.95
AGREED_TYPED = 0.99
AGREED_NAME = 0.95
DOUBTED = 0.5


@dataclass(frozen=True, slots=True)
class Typed:
    """What the client typed during the registration (empty: not asked or not given)."""

    cnpj: str = ""
    cpf: str = ""
    name: str = ""


def _same_text(read: str, other: str) -> bool:
    def words(text: str) -> str:
        return " ".join(re.findall(r"[A-Z0-9&]+", fold(text)))

    return bool(other) and words(read) == words(other)


def _may_have_lost_accent(value: str) -> bool:
    return fold(value) == value.upper() and LOST_ACCENT.search(value.upper()) is not None


def _receita_values(company: CompanyRecord) -> dict[str, str]:
    opened = company.data_inicio_atividade
    return {
        "razao_social": company.razao_social,
        "nome_fantasia": company.nome_fantasia,
        "data_abertura": opened.strftime("%d/%m/%Y") if opened else "",
        "cep": re.sub(r"\D", "", company.cep),
        "municipio": company.municipio,
        "uf": company.uf,
        "situacao_cadastral": company.descricao_situacao_cadastral,
    }


def _move(
    result: Extraction, name: str, *, agrees: bool, up: float, down: float | None, source: str
) -> None:
    value = result.fields[name]
    if agrees:
        if _may_have_lost_accent(value):
            return
        result.confidence[name] = max(result.confidence[name], up)
    elif down is not None:
        result.confidence[name] = min(result.confidence[name], down)
        result.warnings.append(f"{name}: differs from {source}")


def _warnings(result: Extraction) -> list[str]:
    """The "uncertain" warnings again, after the scores moved."""
    # dict.fromkeys: the reader settled an implausible date already, and said so
    kept = list(
        dict.fromkeys(w for w in result.warnings if not w.endswith(": uncertain, please confirm"))
    )
    return kept + [
        f"{name}: uncertain, please confirm"
        for name in result.fields
        if result.confidence[name] < ASSERTED
    ]


def corroborate(
    extraction: Extraction,
    *,
    company: CompanyRecord | None = None,
    address: AddressRecord | None = None,
    typed: Typed | None = None,
    today: date | None = None,
) -> Extraction:
    """A copy of ``extraction`` whose confidences the other sources moved (see the table);
    ``today``, the clock's date, judges the dates (never ``ReadOptions``' far-off default)."""
    result = replace(
        extraction,
        fields=dict(extraction.fields),
        confidence=dict(extraction.confidence),
        warnings=list(extraction.warnings),
    )
    fields = result.fields
    if typed is not None:
        _typed_look_alike(result, typed)
    if (
        company is not None
        and result.kind == "cnpj_card"
        and re.sub(r"\W", "", company.cnpj).upper() == fields.get("cnpj")
    ):
        for name, known in _receita_values(company).items():
            if name in fields and known:
                same = (
                    fields[name] == known
                    if name in ("data_abertura", "cep")
                    else _same_text(fields[name], known)
                )
                _move(result, name, agrees=same, up=AGREED, down=DOUBTED, source="Receita")
    if address is not None and re.sub(r"\D", "", address.cep) == fields.get("cep"):
        for name, known in (("municipio", address.city), ("uf", address.state)):
            if name in fields and known:
                _move(
                    result,
                    name,
                    agrees=_same_text(fields[name], known),
                    up=AGREED_ADDRESS,
                    down=DOUBTED,
                    source="the CEP's address",
                )
    if typed is not None:
        _typed(result, typed)
    if today is not None:
        result.warnings += settle(
            result.kind, result.fields, confidence=result.confidence, today=today
        )
    result.warnings = _warnings(result)
    return result


LOOK_ALIKES = {frozenset("O0"), frozenset("I1")}


def _typed_look_alike(result: Extraction, typed: Typed) -> None:
    """The typed CNPJ for a read that differs from it only by look-alike characters."""
    read, cnpj = result.fields.get("cnpj", ""), re.sub(r"\W", "", typed.cnpj).upper()
    if not read or read == cnpj or len(read) != len(cnpj) or not cnpj_is_valid(cnpj):
        return
    if all(a == b or frozenset((a, b)) in LOOK_ALIKES for a, b in zip(read, cnpj, strict=True)):
        result.fields["cnpj"] = cnpj


def _typed(result: Extraction, typed: Typed) -> None:
    fields = result.fields
    cnpj = re.sub(r"\W", "", typed.cnpj).upper()
    if cnpj and "cnpj" in fields:
        _move(
            result,
            "cnpj",
            agrees=fields["cnpj"] == cnpj,
            up=AGREED_TYPED,
            down=DOUBTED,
            source="the CNPJ typed",
        )
    cpf = re.sub(r"\D", "", typed.cpf)
    for name in [n for n in fields if n == "cpf" or re.fullmatch(r"socio_\d+_cpf", n)]:
        if cpf and fields[name] == cpf:
            _move(result, name, agrees=True, up=AGREED_TYPED, down=None, source="")
    names = [n for n in fields if n in ("nome", "titular") or re.fullmatch(r"socio_\d+_nome", n)]
    for name in names:
        if (
            typed.name
            and _same_text(fields[name], typed.name)
            and names_match(typed.name, fields[name])
        ):
            _move(result, name, agrees=True, up=AGREED_NAME, down=None, source="")
