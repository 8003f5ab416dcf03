"""A Slack-compatible incoming webhook on loopback: records the JSON bodies it accepts.

``fail_next(status)`` answers the next POST with that status (``Retry-After`` optional).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

__all__ = ["FakeChatWebhook"]


class FakeChatWebhook(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self._failures: deque[tuple[int, str | None]] = deque()

    def __enter__(self) -> FakeChatWebhook:
        super().__enter__()
        return self

    @property
    def hook_url(self) -> str:
        return f"{self.url}/services/T000/B000/XXXX"

    def fail_next(self, status: int = 503, *, retry_after: str | None = None) -> None:
        self._failures.append((status, retry_after))

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method != "POST" or not request.path.startswith("/services/"):
            return FakeResponse(404, b"no_service")
        if self._failures:
            status, retry_after = self._failures.popleft()
            headers = {"Retry-After": retry_after} if retry_after else {}
            return FakeResponse(status, b"unavailable", headers)
        if "json" not in (request.header("Content-Type") or ""):
            return FakeResponse(400, b"invalid_payload")
        body: Any = request.json()
        if not isinstance(body, dict) or not body.get("text"):
            return FakeResponse(400, b"no_text")
        self._record_sent(body)
        return FakeResponse(200, b"ok", {"Content-Type": "text/plain"})
