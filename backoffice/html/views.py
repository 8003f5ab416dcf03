"""Pages and their fragments: one Jinja2 environment per language, one template per page with
named blocks; an htmx request gets just the block it swaps (``jinja2-fragments``).

Filters every template may use: ``local`` (a UTC datetime in the business time zone),
``waited`` (a business-time duration, "2 h 15 min"), ``sla_class`` (a CSS class per SLA state),
and codes said in the page's language (``backoffice.html.labels``): ``stage``, ``doc_kind``,
``reading_label`` (a field read from a document), ``reading_value`` (its value, formatted)
and ``record_value`` (a record's CEP or phone as people write them).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block, render_blocks
from starlette.requests import Request
from starlette.responses import HTMLResponse

from backoffice.html.catalogues import DEFAULT_LANGUAGE, LANGUAGES
from backoffice.html.labels import (
    kind_label,
    reading_label,
    reading_value,
    record_value,
    stage_label,
)

__all__ = ["SLA_CLASSES", "Views", "waited"]

SLA_CLASSES = {"on_track": "sla-ok", "at_risk": "sla-risk", "breached": "sla-late"}


class Views:
    """Renders the templates of one directory (the console's, the status page's) in the
    request's language."""

    def __init__(
        self,
        translations: Mapping[str, gettext.NullTranslations],
        *,
        timezone: str,
        directory: Path,
    ) -> None:
        self._zone = ZoneInfo(timezone)
        self._envs: dict[str, Environment] = {}
        for language in LANGUAGES:
            env = Environment(
                loader=FileSystemLoader(directory),
                autoescape=select_autoescape(["html", "svg"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(  # type: ignore[attr-defined]
                translations.get(language, gettext.NullTranslations()), newstyle=True
            )
            env.filters["local"] = self._local
            env.filters["waited"] = waited
            env.filters["sla_class"] = lambda state: SLA_CLASSES.get(state or "", "sla-none")
            env.filters["reading_value"] = reading_value
            env.filters["record_value"] = record_value
            self._label_filters(env, language)
            env.globals["LANGUAGES"] = LANGUAGES
            self._envs[language] = env
        self._translations = translations

    @staticmethod
    def _label_filters(env: Environment, language: str) -> None:
        env.filters["stage"] = lambda code: stage_label(code, language)
        env.filters["doc_kind"] = lambda code: kind_label(code, language)
        env.filters["reading_label"] = lambda name: reading_label(name, language)

    def gettext(self, language: str, message: str) -> str:
        """``message`` translated for Python-side texts (flashes, errors)."""
        return self._translations.get(language, gettext.NullTranslations()).gettext(message)

    def render(
        self,
        request: Request,
        name: str,
        *,
        context: Mapping[str, Any],
        language: str = DEFAULT_LANGUAGE,
        block: str | Sequence[str] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The whole page, or only ``block`` (one name or several, concatenated)."""
        env = self._envs.get(language, self._envs[DEFAULT_LANGUAGE])
        values = {"request": request, "lang": language, **context}
        if block is None:
            html = env.get_template(name).render(values)
        elif isinstance(block, str):
            html = render_block(env, name, block, values)
        else:
            html = render_blocks(env, name, list(block), values)
        return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))

    def _local(self, value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        if value is None:
            return "—"
        return value.astimezone(self._zone).strftime(fmt)


def waited(value: timedelta | float | None) -> str:
    """A duration the way a person reads it: "<1 min", "12 min", "2 h 15 min", "36 h".

    Never days: the console's durations are mostly business time (9 business hours make a
    business day), where "1 d 12 h" of 24-hour days would mislead."""
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 10 and minutes:
        return f"{hours} h {minutes:02d} min"
    return f"{hours} h"
