"""Sending WhatsApp messages through Twilio, and downloading what clients sent.

``TwilioSender`` drives the real ``twilio.rest.Client`` (``messages.create_async``) over
``_AiohttpTwilioClient``, our asynchronous ``HttpClient``. We do not use twilio's
``AsyncTwilioHttpClient`` because it ignores its own ``timeout`` (it passes ``timeout=None``
to aiohttp, which means no timeout at all), opens its session at construction (outside the
loop), uses aiohttp's deprecated ``BasicAuth`` (a warning per request) and, like
``TwilioRestException``, drops the response headers that carry ``Retry-After``. The sender
never retries: the outbox worker decides from ``SendFailed``.

A send that may have happened (the worker died after the request left, or Twilio answered 5xx
or did not answer) is looked up before any resend (``find_sent``): the newest page of the
Messages list filtered by ``To`` and ``From``. Twilio's Message resource carries nothing we
put in the request besides its content (``StatusCallback``, ``Attempt`` and ``ProvideFeedback``
are not returned, and the list filters only by ``To``, ``From`` and ``DateSent``), so the
message is recognized by what only it can be: to that client, from our number, created since
the attempt started (minus ``LOOKUP_SKEW`` for clock differences), with the body we send, and
not one whose sid is already recorded. One conversation has one message in flight at a time
(the outbox sends a conversation's rows in order), so no other candidate can match.

Media: ``TwilioMediaFetcher`` uses httpx, whose redirect handling drops ``Authorization`` when
leaving the origin (checked in ``httpx._client._redirect_headers``).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.errors import MediaUnavailable, SendFailed
from bot.channels.media_http import HttpMediaFetcher
from bot.channels.outbound_formats import numbered_text
from bot.channels.ports import SendResult, Template, read_capped
from bot.domain.messages import MediaRef, OutboundMessage
from bot.domain.retrying import retry_after_seconds

__all__ = [
    "LOOKUP_SKEW",
    "WINDOW_CLOSED_CODE",
    "TwilioMediaFetcher",
    "TwilioSender",
]

_log = logging.getLogger(__name__)

_PREFIX = "whatsapp:"
WINDOW_CLOSED_CODE = "63016"
"""Twilio error: free-form message outside the 24-hour window (use a template)."""
LOOKUP_SKEW = timedelta(minutes=2)
"""How much earlier than our clock's start of an attempt Twilio's ``date_created`` may be."""
LOOKUP_PAGE = 50
"""Messages to one client read when looking for one that may have been sent (newest first)."""


# --- outbound ------------------------------------------------------------------------------


def _twilio_error_code(body: str) -> str | None:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    code = payload.get("code") if isinstance(payload, dict) else None
    return str(code) if code is not None else None


def _transport_failure(exc: Exception) -> SendFailed:
    # A connect failure never reached Twilio; anything later may have created the message.
    not_sent = isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    timed_out = isinstance(exc, TimeoutError)  # aiohttp's timeouts subclass it too
    return SendFailed(
        f"Twilio unreachable: {exc.__class__.__name__}",
        transient=True,
        code="timeout" if timed_out else "network",
        maybe_sent=not not_sent,
    )


def _pairs(values: Mapping[str, object] | None) -> list[tuple[str, str]]:
    """Form/query pairs; twilio passes lists for repeated fields such as ``MediaUrl``."""
    pairs: list[tuple[str, str]] = []
    for key, value in (values or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


class _AiohttpTwilioClient(AsyncHttpClient):  # type: ignore[misc]  # twilio ships no types
    """twilio ``AsyncHttpClient`` over aiohttp with a real timeout; 429/5xx become ``SendFailed``.

    aiohttp (already a dependency of twilio) costs about a fifth of httpx's CPU per request
    here, which matters at hundreds of messages per second. Raising on 429/5xx (instead of
    returning the response to twilio, which would raise a ``TwilioRestException`` without
    headers) keeps ``Retry-After`` without state shared between concurrent requests. The
    session is created on first use, inside the running loop.
    """

    def __init__(self, *, timeout_s: float) -> None:
        super().__init__(_log, True, timeout_s)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def request(  # noqa: PLR0917 - twilio's HttpClient.request signature
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        request_headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            request_headers["Authorization"] = f"Basic {token}"
        # Never pass timeout=None to aiohttp: it means "no timeout at all".
        limit = aiohttp.ClientTimeout(total=timeout) if timeout else self._timeout
        try:
            async with self._session.request(
                method.upper(),
                uri,
                params=_pairs(params),
                data=urlencode(_pairs(data)).encode() if data else None,
                headers=request_headers,
                allow_redirects=allow_redirects,
                timeout=limit,
            ) as response:
                status, text = response.status, await response.text()
                response_headers = response.headers.copy()  # stays case-insensitive
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _transport_failure(exc) from exc
        if status == 429 or status >= 500:
            raise SendFailed(
                f"Twilio answered HTTP {status}",
                transient=True,
                retry_after=retry_after_seconds(response_headers.get("Retry-After")),
                code=_twilio_error_code(text) or str(status),
                maybe_sent=status >= 500,
            )
        return Response(status, text, response_headers)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _whatsapp(number: str) -> str:
    return number if number.startswith(_PREFIX) else f"{_PREFIX}{number}"


class TwilioSender:
    """Sends WhatsApp messages through Twilio's Messages API (implements ``ChannelSender``).

    Choices become a numbered list in the body (free-form WhatsApp through plain Twilio
    messages has no buttons); ``template`` sends ``ContentSid`` + ``ContentVariables``
    instead of a body, for business-initiated messages outside the 24-hour window.
    Call ``aclose()`` (or use ``async with``) when done.
    """

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_url: str = "https://api.twilio.com",
        timeout_s: float = 10.0,
        status_callback: str | None = None,
    ) -> None:
        self._http = _AiohttpTwilioClient(timeout_s=timeout_s)
        # A non-empty ``environment`` keeps twilio from reading os.environ, whose
        # TWILIO_REGION / TWILIO_EDGE would rewrite the host of our redirected base URL.
        self._client = Client(
            account_sid,
            auth_token,
            account_sid=account_sid,
            http_client=self._http,
            environment={"TWILIO_ACCOUNT_SID": account_sid},
        )
        self._client.region = None
        self._client.edge = None
        self._client.api.base_url = api_url.rstrip("/")
        self._from = _whatsapp(from_number)
        self._status_callback = status_callback

    async def __aenter__(self) -> TwilioSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def find_sent(
        self,
        *,
        address: str,
        message: OutboundMessage,
        template: Template | None,
        since: datetime,
        known: Collection[str],
    ) -> SendResult | None:
        """Twilio's record of a message that may have been sent (``SentLookup``); ``None``
        when it has none. A template's body is Twilio's rendering, which we cannot rebuild:
        any new message to the client since the attempt started is taken as it."""
        try:
            page = await self._client.messages.page_async(
                to=_whatsapp(address), from_=self._from, page_size=LOOKUP_PAGE
            )
        except TwilioException as exc:  # SendFailed (429, 5xx, network) passes through
            raise SendFailed(
                f"Twilio's message list failed: {exc}", transient=True, code="lookup"
            ) from exc
        body = None if template is not None else numbered_text(message.text, message.choices)
        earliest = since - LOOKUP_SKEW
        for record in page:
            if record.sid in known or (record.direction or "").startswith("inbound"):
                continue
            if record.date_created is None or record.date_created < earliest:
                continue
            if body is not None and (record.body or "").strip() != body.strip():
                continue
            return SendResult(provider_message_id=str(record.sid), status=str(record.status))
        return None

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        fields: dict[str, Any] = {"to": _whatsapp(address), "from_": self._from}
        if self._status_callback:
            fields["status_callback"] = self._status_callback
        if template is not None:
            fields["content_sid"] = template.content_sid
            fields["content_variables"] = json.dumps(template.variables, ensure_ascii=False)
        else:
            fields["body"] = numbered_text(message.text, message.choices)
            if message.attachments:
                fields["media_url"] = list(message.attachments)
        try:
            created = await self._client.messages.create_async(**fields)
        except TwilioRestException as exc:
            code = str(exc.code) if exc.code is not None else str(exc.status)
            raise SendFailed(
                f"Twilio refused the message: {exc.msg}", transient=False, code=code
            ) from exc
        except TwilioServiceException as exc:
            raise SendFailed(
                f"Twilio refused the message: {exc}", transient=False, code=str(exc.code)
            ) from exc
        return SendResult(provider_message_id=str(created.sid), status=str(created.status))


# --- media ---------------------------------------------------------------------------------


class TwilioMediaFetcher(HttpMediaFetcher):
    """Downloads ``MediaUrl{i}`` with HTTP Basic auth (implements ``MediaFetcher``).

    Follows Twilio's 307 to the short-lived URL; httpx drops the ``Authorization`` header when
    a redirect leaves the original scheme/host/port, so the credentials never reach the CDN.
    One instance per event loop; call ``aclose()`` (or use ``async with``) when done.
    """

    def __init__(self, *, account_sid: str, auth_token: str, timeout_s: float = 30.0) -> None:
        super().__init__(label="Twilio media", timeout_s=timeout_s)
        self._auth = httpx.BasicAuth(account_sid, auth_token)

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        with self._translated():
            async with self._http().stream("GET", media.url, auth=self._auth) as response:
                status = response.status_code
                if status != 200:
                    raise MediaUnavailable(
                        f"Twilio media answered HTTP {status}",
                        transient=status == 429 or status >= 500,
                    )
                length = response.headers.get("Content-Length")
                return await read_capped(
                    response.aiter_bytes(),
                    declared_length=int(length) if length and length.isdigit() else None,
                    max_bytes=max_bytes,
                )
