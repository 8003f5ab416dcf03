"""A fake of Meta's Graph API for the WhatsApp Cloud API (sending and two-step media).

- ``POST /{version}/{phone_number_id}/messages``: checks the bearer token, records the JSON body
  in ``sent`` and answers ``{"messaging_product", "contacts", "messages": [{"id": "wamid..."}]}``.
- ``GET /{version}/{media_id}``: media metadata ``{url, mime_type, sha256, file_size, id}``;
  the ``url`` points at ``/lookaside/...`` (standing in for Meta's other host), which requires
  the same bearer token and a User-Agent, like the real one.
- ``fail_next`` injects HTTP errors with Graph error bodies, e.g. 400 with code 130429.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

__all__ = ["FakeGraph", "GraphMedia"]

_ERRORS = {
    130429: "(#130429) Rate limit hit",
    131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    131047: "(#131047) Re-engagement message",
    100: "(#100) Invalid parameter",
    190: "Error validating access token: Session has expired",
    131000: "(#131000) Something went wrong",
}


@dataclass
class GraphMedia:
    media_id: str
    content: bytes
    mime_type: str
    size_as_string: bool
    declared_size: int


@dataclass
class _Failure:
    status: int
    error_code: int
    retry_after: float | None


class FakeGraph(FakeServer):
    def __init__(
        self,
        *,
        token: str = "EAAGtestAccessTokenForAcolhe",
        phone_number_id: str = "106540352242922",
        version: str = "v21.0",
    ) -> None:
        super().__init__()
        self.token = token
        self.phone_number_id = phone_number_id
        self.version = version
        self.sent: list[dict[str, Any]] = []
        self.media_requests: list[FakeRequest] = []
        self._media: dict[str, GraphMedia] = {}
        self._failures: deque[_Failure] = deque()
        self._ids = itertools.count(1)

    def __enter__(self) -> FakeGraph:
        super().__enter__()
        return self

    async def __aenter__(self) -> FakeGraph:
        return self.__enter__()

    # test controls

    def fail_next(
        self,
        status: int = 400,
        *,
        error_code: int = 130429,
        count: int = 1,
        retry_after: float | None = None,
    ) -> None:
        for _ in range(count):
            self._failures.append(_Failure(status, error_code, retry_after))

    def add_media(
        self,
        content: bytes,
        mime_type: str = "image/jpeg",
        *,
        size_as_string: bool = False,
        declared_size: int | None = None,
    ) -> GraphMedia:
        media = GraphMedia(
            media_id=str(1_200_000_000_000_000 + next(self._ids)),
            content=content,
            mime_type=mime_type,
            size_as_string=size_as_string,
            declared_size=declared_size if declared_size is not None else len(content),
        )
        self._media[media.media_id] = media
        return media

    # HTTP

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.path.startswith("/lookaside/"):
            return self._download(request)
        if request.bearer() != self.token:
            return _error(401, 190)
        messages_path = f"/{self.version}/{self.phone_number_id}/messages"
        if request.method == "POST" and request.path == messages_path:
            return self._send(request)
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == self.version:
            return self._metadata(parts[1])
        return _error(400, 100)

    def _send(self, request: FakeRequest) -> FakeResponse:
        if self._failures:
            failure = self._failures.popleft()
            # lower case, as HTTP/2 front ends send it: header lookups must ignore case
            headers = {"retry-after": f"{failure.retry_after:g}"} if failure.retry_after else None
            return _error(failure.status, failure.error_code, headers=headers)
        body = request.json()
        if body.get("messaging_product") != "whatsapp" or not body.get("to"):
            return _error(400, 100)
        kind = body.get("type")
        if kind == "interactive" and body["interactive"]["type"] == "button":
            if any(len(b["reply"]["title"]) > 20 for b in body["interactive"]["action"]["buttons"]):
                return _error(400, 100)  # one long title fails the whole message
        self._record_sent(body)
        wamid = "wamid." + base64.b64encode(secrets.token_bytes(30)).decode().rstrip("=")
        message: dict[str, Any] = {"id": wamid}
        if kind == "template":
            message["message_status"] = "accepted"
        return FakeResponse.json(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [message],
            }
        )

    def _metadata(self, media_id: str) -> FakeResponse:
        media = self._media.get(media_id)
        if media is None:
            return _error(404, 100)
        size: int | str = str(media.declared_size) if media.size_as_string else media.declared_size
        return FakeResponse.json(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/lookaside/whatsapp_business/attachments/"
                f"?mid={media.media_id}&ext=1763800000&hash=ATu{secrets.token_hex(6)}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.content).hexdigest(),
                "file_size": size,
                "id": media.media_id,
            }
        )

    def _download(self, request: FakeRequest) -> FakeResponse:
        self.media_requests.append(request)
        if request.bearer() != self.token or not request.header("User-Agent"):
            return FakeResponse(401, b"")
        media = self._media.get((request.query.get("mid") or [""])[0])
        if media is None:
            return FakeResponse(404, b"")
        return FakeResponse(200, media.content, {"Content-Type": media.mime_type})


def _error(status: int, code: int, *, headers: dict[str, str] | None = None) -> FakeResponse:
    return FakeResponse.json(
        {
            "error": {
                "message": _ERRORS.get(code, f"(#{code}) Error"),
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": "fake"},
                "fbtrace_id": "AbCdEfGhIjKlMnOp",
            }
        },
        status=status,
        headers=headers,
    )
