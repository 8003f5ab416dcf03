"""Translation catalogues (Babel) of the server-rendered pages, the console's and the status
page's: English message ids in the code and templates, ``<locale_dir>/pt_BR/LC_MESSAGES/
messages.po`` for Brazilian Portuguese (the default).

A ``.po`` file is compiled in memory at start-up, so there is no build step and no binary
``.mo`` in the repository.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "compile_catalogue", "pick_language"]

DEFAULT_LANGUAGE = "pt_BR"
LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}


def compile_catalogue(locale_dir: Path) -> dict[str, gettext.NullTranslations]:
    """Language code → translations of the catalogue in ``locale_dir``; English is the
    message ids themselves."""
    result: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
    for language in LANGUAGES:
        po = locale_dir / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        result[language] = Translations(buffer)
    return result


def pick_language(asked: str | None) -> str:
    """A supported language code for ``asked`` (a session's or a form's), else the default."""
    if asked in LANGUAGES:
        return asked
    if asked and asked.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE
