"""Sending through Meta's WhatsApp Cloud API (Graph API), and the two-step media download.

Sending (aiohttp): text; reply buttons when there are at most 3 choices with titles of at
most 20 characters; otherwise a list (at most 10 rows, titles of at most 24 characters);
otherwise a numbered text. Throttling arrives as HTTP 400 with an error code, so errors are
classified on the code, not the status. Media download (httpx): metadata, then the file from
the URL it gives, with the same bearer token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx

from bot.channels.errors import MediaTooLarge, MediaUnavailable, SendFailed
from bot.channels.media_http import HttpMediaFetcher
from bot.channels.outbound_formats import cloud_api_bodies
from bot.channels.ports import SendResult, Template, read_capped
from bot.domain.messages import MediaRef, OutboundMessage
from bot.domain.retrying import retry_after_seconds

__all__ = ["TRANSIENT_ERROR_CODES", "CloudMediaFetcher", "CloudSender"]

TRANSIENT_ERROR_CODES = frozenset(
    {
        1,  # API Unknown
        2,  # API Service (temporarily unavailable)
        4,  # API Too Many Calls (app-level rate limit)
        80007,  # WhatsApp Business Account rate limit
        130429,  # throughput rate limit hit
        131000,  # something went wrong (Meta: retry)
        131016,  # service unavailable
        131056,  # (business, consumer) pair rate limit
    }
)
"""Graph error codes worth retrying, whatever the HTTP status (throttling comes as HTTP 400)."""

_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


# --- sending -------------------------------------------------------------------------------


def _graph_error(status: int, text: str, *, headers: Mapping[str, str]) -> SendFailed:
    try:
        error = json.loads(text).get("error", {})
        code = error.get("code")
        detail = error.get("message", "")
    except (ValueError, AttributeError):
        code, detail = None, text[:200]
    transient = status == 429 or status >= 500 or code in TRANSIENT_ERROR_CODES
    return SendFailed(
        f"Graph API answered HTTP {status}: {detail}",
        transient=transient,
        retry_after=retry_after_seconds(headers.get("Retry-After")),
        code=str(code) if code is not None else str(status),
        maybe_sent=status >= 500,
    )


class CloudSender:
    """Sends via ``POST {api_url}/{api_version}/{phone_number_id}/messages`` (``ChannelSender``).

    ``address`` is E.164 (a leading ``+`` is dropped for Meta). Uses aiohttp (about a fifth of
    httpx's CPU per request); the session opens on first use, inside the running loop. One
    instance per event loop; call ``aclose()`` (or use ``async with``) when done.
    """

    def __init__(
        self,
        *,
        token: str,
        phone_number_id: str,
        api_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        timeout_s: float = 10.0,
        template_language: str = "pt_BR",
    ) -> None:
        self._url = f"{api_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=timeout_s)
        self._language = template_language
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> CloudSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        bodies = cloud_api_bodies(
            address=address, message=message, template=template, language=self._language
        )
        if not bodies:
            raise SendFailed("nothing to send", transient=False, code="empty")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        results = [await self._post(self._session, body) for body in bodies]
        return results[0]

    async def _post(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> SendResult:
        try:
            async with session.post(self._url, json=body) as response:
                status, text = response.status, await response.text()
                headers = response.headers.copy()  # stays case-insensitive
        except (aiohttp.ClientError, TimeoutError) as exc:
            not_sent = isinstance(
                exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
            )
            raise SendFailed(
                f"Graph API unreachable: {exc.__class__.__name__}",
                transient=True,
                code="timeout" if isinstance(exc, TimeoutError) else "network",
                maybe_sent=not not_sent,
            ) from exc
        if status != 200:
            raise _graph_error(status, text, headers=headers)
        try:
            sent = json.loads(text)["messages"][0]
            return SendResult(
                provider_message_id=str(sent["id"]),
                status=str(sent.get("message_status", "accepted")),
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SendFailed(
                "Graph API answered 200 without a message id", transient=False, code="response"
            ) from exc


# --- media ---------------------------------------------------------------------------------


class CloudMediaFetcher(HttpMediaFetcher):
    """Two-step download (``MediaFetcher``): ``GET /{version}/{media_id}`` for a short-lived URL
    on another host, then that URL with the same bearer token and a User-Agent.

    ``file_size`` (a number or a string) is checked before downloading and ``sha256`` after.
    One instance per event loop; call ``aclose()`` (or use ``async with``) when done.
    """

    def __init__(
        self,
        *,
        token: str,
        api_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        timeout_s: float = 30.0,
        user_agent: str = "Acolhe/0.1",
    ) -> None:
        super().__init__(
            label="Graph media",
            timeout_s=timeout_s,
            headers={"Authorization": f"Bearer {token}", "User-Agent": user_agent},
        )
        self._base = f"{api_url.rstrip('/')}/{api_version}"

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        client = self._http()
        with self._translated():
            url, size, digest = await self._metadata(client, media.provider_id)
            if size is not None and size > max_bytes:
                raise MediaTooLarge(
                    f"media of {size} bytes exceeds {max_bytes}", limit=max_bytes, size=size
                )
            async with client.stream("GET", url) as response:
                _raise_for_media(response, "download")
                length = response.headers.get("Content-Length")
                data = await read_capped(
                    response.aiter_bytes(),
                    declared_length=int(length) if length and length.isdigit() else None,
                    max_bytes=max_bytes,
                )
        if digest and not _sha256_matches(data, digest):
            raise MediaUnavailable("Graph media: sha256 does not match", transient=True)
        return data

    async def _metadata(
        self, client: httpx.AsyncClient, media_id: str
    ) -> tuple[str, int | None, str]:
        if not media_id:
            raise MediaUnavailable("media reference without a Graph media id")
        response = await client.get(f"{self._base}/{media_id}")
        _raise_for_media(response, "metadata")
        try:
            meta = response.json()
            url = str(meta["url"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MediaUnavailable("Graph media metadata without url") from exc
        raw_size = meta.get("file_size")
        try:
            size = int(raw_size) if raw_size is not None else None
        except (TypeError, ValueError):
            size = None
        return url, size, str(meta.get("sha256") or "")


def _sha256_matches(data: bytes, claimed: str) -> bool:
    """Compare with Meta's ``sha256``, hex or base64; an unrecognized format is not held against
    the file (the check guards against truncated downloads, not against Meta)."""
    digest = hashlib.sha256(data).digest()
    claimed = claimed.strip()
    if _HEX_SHA256.fullmatch(claimed):
        return claimed.lower() == digest.hex()
    try:
        decoded = base64.b64decode(claimed, validate=True)
    except (binascii.Error, ValueError):
        return True
    return decoded == digest if len(decoded) == len(digest) else True


def _raise_for_media(response: httpx.Response, step: str) -> None:
    status = response.status_code
    if status != 200:
        raise MediaUnavailable(
            f"Graph media {step} answered HTTP {status}",
            transient=status == 429 or status >= 500,
        )
