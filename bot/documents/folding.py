"""Text folding for matching OCR output against printed labels: no accents, uppercase."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Uppercase without diacritics ("Município" -> "MUNICIPIO"); ordinal signs become O/A."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens ("DOC. IDENTIDADE/ÓRG." -> ["DOC", "IDENTIDADE", "ORG"])."""
    return re.findall(r"[A-Z0-9]+", fold(text))


def clean_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
