"""Where manager alerts go: a port with one method and its HTTP adapters (Telegram, webhook).

Errors::

    AlertDeliveryError          every failure of a destination, translated at the edge
      .transient = True         timeouts, connection errors, 408/425/429/5xx: retry later
      .transient = False        refused (bad chat, 4xx, bad address): retrying will not help
      .retry_after              seconds the provider asked us to wait, when it said so

Alert texts are written for managers in Brazilian Portuguese; ``AlertMessage.text`` is the one
plain-text rendering the chat destinations share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from bot.domain.retrying import retry_after_seconds

_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_SEVERITY_MARK = {"info": "ℹ️", "warning": "⚠️", "critical": "🔴"}
_TELEGRAM_MAX_CHARS = 4000


class AlertDeliveryError(Exception):
    """A destination did not take the alert."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertMessage:
    """One alert (``purpose="raise"``) or the notice that it was resolved (``"resolve"``)."""

    alert_id: int
    kind: str
    severity: str
    title: str
    body: str
    purpose: str
    raised_at: datetime

    @property
    def resolved(self) -> bool:
        return self.purpose == "resolve"

    @property
    def headline(self) -> str:
        if self.resolved:
            return f"✅ Resolvido: {self.title}"
        return f"{_SEVERITY_MARK.get(self.severity, '⚠️')} {self.title}"

    @property
    def text(self) -> str:
        if self.resolved:
            return f"{self.headline}\n\nA condição deixou de valer; nenhuma ação é necessária."
        return f"{self.headline}\n\n{self.body}".rstrip()


class AlertDestination(Protocol):
    """A place alerts are sent to; ``name`` is the ``alert_deliveries.destination`` value."""

    @property
    def name(self) -> str: ...

    async def send(self, message: AlertMessage) -> None:
        """Delivers ``message`` or raises ``AlertDeliveryError``."""
        ...

    async def aclose(self) -> None: ...


class _HttpDestination:
    """An owned ``httpx.AsyncClient`` (made on first use, in the loop that sends)."""

    def __init__(self, *, timeout_s: float) -> None:
        self._timeout = httpx.Timeout(timeout_s)
        self._client: httpx.AsyncClient | None = None

    async def _post(self, url: str, payload: dict[str, Any], *, what: str) -> httpx.Response:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        try:
            return await self._client.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise AlertDeliveryError(f"{what}: timeout", transient=True) from exc
        except httpx.TransportError as exc:
            raise AlertDeliveryError(f"{what}: {exc!r}"[:300], transient=True) from exc

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class TelegramAlertDestination(_HttpDestination):
    """``sendMessage`` of the Bot API to one chat (a manager or a managers' group).

    httpx rather than python-telegram-bot: one JSON call needs no PTB application life cycle,
    and the alert worker may run where the Telegram channel itself is not mounted.
    """

    def __init__(
        self,
        *,
        token: str,
        chat_id: int,
        api_url: str = "https://api.telegram.org",
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(timeout_s=timeout_s)
        self._url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self.chat_id = chat_id

    @property
    def name(self) -> str:
        return f"telegram:{self.chat_id}"

    async def send(self, message: AlertMessage) -> None:
        payload = {
            "chat_id": self.chat_id,
            "text": message.text[:_TELEGRAM_MAX_CHARS],
            "link_preview_options": {"is_disabled": True},
        }
        response = await self._post(self._url, payload, what="telegram")
        if response.status_code == 200:
            return
        retry_after = _telegram_retry_after(response)
        raise AlertDeliveryError(
            f"telegram HTTP {response.status_code}: {response.text[:200]}",
            transient=response.status_code in _TRANSIENT_STATUSES,
            retry_after=retry_after,
        )


class WebhookAlertDestination(_HttpDestination):
    """A POST of a Slack-compatible body (``text`` plus one ``mrkdwn`` section) to a URL."""

    def __init__(self, *, url: str, label: str = "default", timeout_s: float = 10.0) -> None:
        super().__init__(timeout_s=timeout_s)
        self._url = url
        self.label = label

    @property
    def name(self) -> str:
        return f"webhook:{self.label}"

    async def send(self, message: AlertMessage) -> None:
        response = await self._post(self._url, slack_body(message), what="webhook")
        if 200 <= response.status_code < 300:
            return
        raise AlertDeliveryError(
            f"webhook HTTP {response.status_code}: {response.text[:200]}",
            transient=response.status_code in _TRANSIENT_STATUSES,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )


def slack_body(message: AlertMessage) -> dict[str, Any]:
    """The body Slack incoming webhooks (and Mattermost, Rocket.Chat, Discord's /slack) accept."""
    headline = _mrkdwn_escape(message.headline)
    detail = "" if message.resolved else _mrkdwn_escape(message.body)
    section = f"*{headline}*" + (f"\n{detail}" if detail else "")
    return {
        "text": message.text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section[:2900]}}],
    }


def _mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _telegram_retry_after(response: httpx.Response) -> float | None:
    """The Bot API's ``parameters.retry_after`` (its own body field), else the header."""
    try:
        value = response.json()["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        value = response.headers.get("Retry-After")
    return retry_after_seconds(value if isinstance(value, str | int | float) else None) or None
