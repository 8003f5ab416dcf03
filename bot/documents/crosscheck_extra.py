"""Cross-checks of the documents issue #16 added, against what the client typed (pure).

- comprovante de endereço: its CEP against the company's CEP given at the registration;
- contrato social: its CNPJ against the CNPJ typed.

Same ``Mismatch`` as ``bot.documents.crosscheck`` (reason in pt and en, ready for the client
and for the CSM's escalation); fields not read are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.documents.crosscheck import Mismatch, compare_cnpj

__all__ = ["compare_bill_cep", "cross_check_extra"]


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
        "cep_differs", "cep", _digits(typed), _digits(bill),
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
        differs.code, differs.field, differs.expected, differs.found,
        f"O CNPJ do contrato social ({differs.found}) é diferente do informado "
        f"({differs.expected}).",
        f"The CNPJ in the articles of association ({differs.found}) differs from the one "
        f"given ({differs.expected}).",
    )


def cross_check_extra(
    kind: str,
    fields: Mapping[str, str],
    *,
    typed_cnpj: str = "",
    typed_cep: str = "",
) -> list[Mismatch]:
    """Every applicable check for a comprovante de endereço or a contrato social."""
    found: list[Mismatch | None] = []
    if kind == "comprovante_endereco" and typed_cep and fields.get("cep"):
        found.append(compare_bill_cep(typed_cep, fields["cep"]))
    if kind == "contrato_social" and typed_cnpj and fields.get("cnpj"):
        found.append(_contract_cnpj(typed_cnpj, fields["cnpj"]))
    return [m for m in found if m is not None]

