"""Codes said as people say them, in the page's language: a stage ("documentos" → "Documentos"),
a document kind ("cnh" → "CNH"), a field read from a document ("data_nascimento" → "Data de
nascimento") and its value ("12345678909" → "123.456.789-09", "1980-03-12" → "12/03/1980").
The words are the bot's own (``bot.domain``), so the chat, the status page and the console
name things alike. Registered as filters by ``backoffice.html.views.Views``."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

from bot.domain.documents import KIND_LABELS, field_label, format_field
from bot.domain.onboarding import STAGE_LABELS, Stage

__all__ = ["kind_label", "reading_label", "reading_value", "record_value", "stage_label"]

BRAZIL = 55  # the calling code of the numbers shown without it
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _short(language: str) -> str:
    return "en" if language == "en" else "pt"


def stage_label(stage: str | None, language: str) -> str:
    """A stage's name for people; an unknown code as it is, none as "—"."""
    if not stage:
        return "—"
    try:
        return STAGE_LABELS[Stage(stage)][_short(language)]
    except ValueError:
        return stage


def kind_label(kind: str | None, language: str) -> str:
    """A document kind's name ("CNH", "cartão CNPJ"); an unknown kind as "documento"."""
    labels = KIND_LABELS.get(kind or "", KIND_LABELS["other"])
    return labels[_short(language)]


def reading_label(name: str, language: str) -> str:
    """A field read from a document, named as on the client's status page."""
    return field_label(name, _short(language))


def reading_value(name: str, value: object) -> str:
    """A value read from a document as people write it: identifiers with their punctuation,
    ISO dates as dd/mm/yyyy (the Brazilian way, in either language: the documents are)."""
    text = str(value)
    found = _ISO_DATE.fullmatch(text.strip())
    if found is not None:
        try:
            return date(*(int(part) for part in found.groups())).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return format_field(name, text)


def record_value(value: object, name: str) -> object:
    """A stored value of a client record as people write it: a CEP with its hyphen, a phone
    as dialled in Brazil ("(11) 98888-7777", others with their country code); anything else,
    and nothing (None), as it is."""
    if value is None or value == "":
        return value
    text = str(value)
    if name == "phone":
        try:
            number = phonenumbers.parse(text, "BR")
        except phonenumbers.NumberParseException:
            return text
        style = phonenumbers.PhoneNumberFormat
        chosen = style.NATIONAL if number.country_code == BRAZIL else style.INTERNATIONAL
        return phonenumbers.format_number(number, chosen)
    if name == "cep":
        return format_field("cep", text)
    return value
