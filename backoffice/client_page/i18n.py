"""The status page's own Babel catalogue: English message ids in templates and code,
``locale/pt_BR/LC_MESSAGES/messages.po`` for Brazilian Portuguese, compiled in memory at
start-up (no ``.mo`` in the repository) by ``backoffice.html.catalogues``, as the console's.

``pybabel extract -F backoffice/client_page/babel.cfg -o /tmp/page.pot backoffice/client_page``
then ``pybabel update -i /tmp/page.pot -d backoffice/client_page/locale`` keep it in step.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from backoffice.html.catalogues import compile_catalogue

__all__ = ["LOCALE_DIR", "load_page_translations", "page_language"]

LOCALE_DIR = Path(__file__).parent / "locale"


def load_page_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, gettext.NullTranslations]:
    """Language code → translations of the page's catalogue."""
    return compile_catalogue(locale_dir)


def page_language(conversation_language: str | None) -> str:
    """The page's language for a conversation's (``pt`` | ``en``): pt-BR unless English."""
    return "en" if conversation_language == "en" else "pt_BR"
