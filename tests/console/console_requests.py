"""One request of the console's access walk (``test_deps_access_matrix.py``), sent as a browser
(or htmx) would send it, and what came back (``Answer``); a live stream is read for a moment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.console.console_rows import Rows
from tests.console.console_walk import UNSAFE, ConsoleRoute, form_of, urls_of

__all__ = ["STREAM_READ_S", "Answer", "send"]

STREAM_READ_S = 1.5  # how long a live stream is listened to


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    content_type: str
    text: str
    event_ids: frozenset[int]

    def shows(self, rows: Rows) -> list[str]:
        return [marker for marker in rows.markers if marker in self.text]

    def brief(self) -> str:
        where = f" → {self.location}" if self.location else ""
        return f"{self.status}{where} ({self.content_type or 'no body'})"


def send(
    client: httpx.Client,
    route: ConsoleRoute,
    rows: Rows,
    *,
    url: str | None = None,
    query: dict[str, Any] | None = None,
    csrf: str | None = None,
    htmx: bool = False,
) -> Answer:
    """One request as a browser (or htmx) would send it; a live stream is read for a moment."""
    headers = {"HX-Request": "true"} if htmx else {}
    data: dict[str, Any] | None = None
    if route.method in UNSAFE:
        data = form_of(route, rows)
        if csrf is not None:
            data["csrf_token"] = csrf
    else:
        headers["Last-Event-ID"] = str(rows.event_id - 1)  # a reconnection, for the stream
    timeout = httpx.Timeout(30, read=STREAM_READ_S) if route.path.endswith("/events") else None
    with client.stream(
        route.method,
        url or urls_of(route, rows)[0],
        params=query or {},
        data=data,
        headers=headers,
        timeout=timeout or httpx.USE_CLIENT_DEFAULT,
    ) as response:
        kind = response.headers.get("content-type", "").split(";")[0]
        text = _read_stream(response) if kind == "text/event-stream" else _text(response.read())
    ids = frozenset(
        int(line[3:].strip())
        for line in text.splitlines()
        if line.startswith("id:") and line[3:].strip().isdigit()
    )
    return Answer(response.status_code, response.headers.get("location", ""), kind, text, ids)


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")  # a download may be binary


def _read_stream(response: httpx.Response) -> str:
    chunks: list[str] = []
    deadline = time.monotonic() + STREAM_READ_S
    try:
        for chunk in response.iter_text():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                break
    except httpx.ReadTimeout:
        pass
    return "".join(chunks)
