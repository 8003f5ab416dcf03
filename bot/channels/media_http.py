"""What the HTTP media fetchers share (Twilio's, Meta's): an ``httpx.AsyncClient`` opened on
first use, inside the running loop, and closed by ``aclose()``; and httpx's transport errors
translated once into ``MediaUnavailable``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Self

import httpx

from bot.channels.errors import MediaUnavailable

__all__ = ["HttpMediaFetcher"]


class HttpMediaFetcher:
    """Base of a ``MediaFetcher`` over httpx (redirects followed, at most 5). One instance per
    event loop; call ``aclose()`` (or use ``async with``) when done."""

    def __init__(
        self, *, label: str, timeout_s: float, headers: Mapping[str, str] | None = None
    ) -> None:
        self._label = label
        self._timeout = timeout_s
        self._headers = dict(headers or {})
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout, headers=self._headers, follow_redirects=True, max_redirects=5
            )
        return self._client

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """httpx's failures as ``MediaUnavailable`` (a transport error is worth a retry)."""
        try:
            yield
        except httpx.TooManyRedirects as exc:
            raise MediaUnavailable(f"{self._label}: too many redirects") from exc
        except httpx.TransportError as exc:
            raise MediaUnavailable(
                f"{self._label} unreachable: {exc.__class__.__name__}", transient=True
            ) from exc
