"""The console's one translation catalogue (Babel): English message ids in the code and
templates, ``locale/pt_BR/LC_MESSAGES/messages.po`` for Brazilian Portuguese (the default),
compiled in memory when the console starts (``backoffice.html.catalogues``).
``pybabel extract -F babel.cfg -o messages.pot .`` then ``pybabel update`` keep it in step with
the templates (README, "Console texts").
"""

from __future__ import annotations

import gettext
from pathlib import Path

from backoffice.html.catalogues import DEFAULT_LANGUAGE, LANGUAGES, compile_catalogue, pick_language

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LOCALE_DIR", "load_translations", "pick_language"]

LOCALE_DIR = Path(__file__).parent / "locale"


def load_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, gettext.NullTranslations]:
    """Language code → translations of the console's catalogue (or of ``locale_dir``)."""
    return compile_catalogue(locale_dir)
