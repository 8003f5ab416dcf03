"""What the dialogue learns from a document the client sent: the reading, or why it was refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.validators import format_cnpj

# The document kinds the OCR knows, and the fields each shows the client (SPEC names).
DOCUMENT_KINDS = ("cnpj_card", "cnh", "rg")

KIND_LABELS: dict[str, dict[str, str]] = {
    "cnpj_card": {"pt": "cartão CNPJ", "en": "CNPJ card"},
    "cnh": {"pt": "CNH", "en": "driver's licence (CNH)"},
    "rg": {"pt": "RG", "en": "ID card (RG)"},
    "other": {"pt": "documento", "en": "document"},
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "cnpj": {"pt": "CNPJ", "en": "CNPJ"},
    "razao_social": {"pt": "Razão social", "en": "Legal name"},
    "nome_fantasia": {"pt": "Nome fantasia", "en": "Trade name"},
    "data_abertura": {"pt": "Data de abertura", "en": "Opening date"},
    "cep": {"pt": "CEP", "en": "CEP"},
    "municipio": {"pt": "Município", "en": "City"},
    "uf": {"pt": "UF", "en": "State"},
    "situacao_cadastral": {"pt": "Situação cadastral", "en": "Registration status"},
    "nome": {"pt": "Nome", "en": "Name"},
    "cpf": {"pt": "CPF", "en": "CPF"},
    "data_nascimento": {"pt": "Data de nascimento", "en": "Date of birth"},
    "numero_registro": {"pt": "Nº de registro", "en": "Registration no."},
    "validade": {"pt": "Validade", "en": "Valid until"},
    "rg": {"pt": "RG", "en": "RG"},
    "titular": {"pt": "Titular", "en": "Account holder"},
    "endereco": {"pt": "Endereço", "en": "Address"},
    "data_emissao": {"pt": "Data de emissão", "en": "Issue date"},
}
_PARTNER = re.compile(r"socio_(\d+)_(nome|cpf)")


def field_label(name: str, language: str) -> str:
    """A field's name as the client reads it; a partner's fields (``socio_2_cpf``) by number."""
    lang = "en" if language == "en" else "pt"
    if name in FIELD_LABELS:
        return FIELD_LABELS[name][lang]
    partner = _PARTNER.fullmatch(name)
    if partner is not None:
        number, what = partner.groups()
        if what == "cpf":
            return f"CPF ({'partner' if lang == 'en' else 'sócio'} {number})"
        return f"{'Partner' if lang == 'en' else 'Sócio'} {number}"
    return name


def format_field(name: str, value: str) -> str:
    """An identifier as people write it (CNPJ, CPF, CEP); other values as read."""
    digits = re.sub(r"\D", "", value)
    if name == "cnpj":
        return format_cnpj(value)
    if (name == "cpf" or name.endswith("_cpf")) and len(digits) == 11:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    if name == "cep" and len(digits) == 8:
        return f"{digits[:5]}-{digits[5:]}"
    return value


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A difference between a document and what the client told us, explained in pt and en."""

    field: str
    reason_pt: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class DocumentReading:
    """The outcome of reading one uploaded file, delivered to the dialogue as an event."""

    document_id: int
    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    uncertain: tuple[str, ...] = ()
    rejected_pt: str = ""
    rejected_en: str = ""
    tip_pt: str = ""
    tip_en: str = ""
    mismatches: tuple[Mismatch, ...] = ()
    # The reader's confidence per field, 0.0–1.0 (SPEC's OCR contract); shown to the staff.
    confidence: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return bool(self.rejected_pt)
