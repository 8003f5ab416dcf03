"""What the Receita Federal says of a company (through a look-up port), and when it deserves a
red flag for the CSM: a situation other than ATIVA, or a company opened very recently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

__all__ = [
    "CompanyFacts",
    "CompanyLookup",
    "CompanyLookupResult",
    "NoCompanyLookup",
    "red_flag_reasons",
]

LookupStatus = Literal["found", "not_found", "unavailable", "off"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyFacts:
    cnpj: str
    razao_social: str = ""
    nome_fantasia: str = ""
    situacao: str = ""  # ATIVA, BAIXADA, INAPTA, SUSPENSA, NULA
    opened_on: date | None = None
    cnae_fiscal: str = ""
    porte: str = ""
    simples: bool | None = None
    municipio: str = ""
    uf: str = ""


@dataclass(frozen=True, slots=True)
class CompanyLookupResult:
    """``found`` with the facts; ``not_found`` (the Receita does not know the CNPJ);
    ``unavailable`` (try again later); ``off`` (no look-up service configured)."""

    status: LookupStatus
    facts: CompanyFacts | None = None


class CompanyLookup(Protocol):
    def company(self, cnpj: str) -> CompanyLookupResult: ...


class NoCompanyLookup:
    def company(self, cnpj: str) -> CompanyLookupResult:
        return CompanyLookupResult("off")


def red_flag_reasons(
    result: CompanyLookupResult, *, today: date, young_days: int = 90
) -> list[str]:
    """Reasons (pt-BR, for the CSM) to flag the onboarding; empty when nothing is odd."""
    if result.status == "not_found":
        return ["CNPJ não encontrado na base da Receita Federal (BrasilAPI)"]
    facts = result.facts
    if result.status != "found" or facts is None:
        return []
    reasons = []
    if facts.situacao and facts.situacao.upper() != "ATIVA":
        reasons.append(f"situação cadastral {facts.situacao.upper()} na Receita Federal")
    if facts.opened_on is not None and (today - facts.opened_on).days < young_days:
        reasons.append(
            f"empresa aberta há {(today - facts.opened_on).days} dias ({facts.opened_on:%d/%m/%Y})"
        )
    return reasons
