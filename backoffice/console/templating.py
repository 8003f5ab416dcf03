"""The console's views: ``backoffice.html.Views`` on the console's own templates, with the
labels of codes (``inbox_labels.LABELS``: reasons, channels, SLA states...) on every page."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

from backoffice.console.inbox_labels import LABELS
from backoffice.html.views import Views as PageViews
from backoffice.html.views import waited

__all__ = ["TEMPLATES_DIR", "Views", "waited"]

TEMPLATES_DIR = Path(__file__).parent / "templates"


class Views(PageViews):
    """Renders the console's templates (or ``directory``'s) in the request's language."""

    def __init__(
        self,
        translations: Mapping[str, gettext.NullTranslations],
        *,
        timezone: str,
        directory: Path = TEMPLATES_DIR,
    ) -> None:
        super().__init__(translations, timezone=timezone, directory=directory)
        for env in self._envs.values():  # codes in words on every page (``inbox_labels``)
            env.globals.update(LABELS)
