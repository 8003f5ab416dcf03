"""The console's one translation catalogue (Babel): English message ids in the code and
templates, ``locale/pt_BR/LC_MESSAGES/messages.po`` for Brazilian Portuguese (the default).

The ``.po`` file is compiled in memory when the console starts, so there is no build step and no
binary ``.mo`` in the repository. ``pybabel extract -F babel.cfg -o messages.pot .`` then
``pybabel update`` keep it in step with the templates (README, "Console texts").
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LOCALE_DIR", "load_translations", "pick_language"]

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "pt_BR"
LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}


def load_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, gettext.NullTranslations]:
    """Language code → translations; English is the message ids themselves. ``locale_dir``
    names another catalogue of the same shape (the status page has its own)."""
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
