"""A fake Telegram Bot API server for the real python-telegram-bot library.

Methods under ``/bot{token}/{method}``: ``getMe``, ``sendMessage``, ``sendDocument``,
``answerCallbackQuery``, ``getFile``, ``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``
and ``getUpdates`` (fed by ``push_update``); file downloads at ``/file/bot{token}/{path}``.
Every call is recorded in ``calls``; accepted ``sendMessage`` calls also in ``sent``, as
posted (``parse_mode`` included). With ``parse_mode=HTML`` the text is parsed as strictly as
the Bot API does (``tests.fakes.telegram_html``): HTML Telegram cannot parse gets its 400
"can't parse entities", and the returned message carries the shown text and its entities.
``fail_next`` injects 429 (with ``parameters.retry_after``), 500, 400 or 403 answers.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer
from tests.fakes.telegram_html import TelegramHtmlError, parse_html

__all__ = ["FakeTelegram", "TelegramCall", "TelegramFile"]

_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_JSON_PARAMS = frozenset({"reply_markup", "allowed_updates", "entities", "link_preview_options"})
_INT_PARAMS = frozenset({"chat_id", "offset", "limit", "timeout", "message_id", "cache_time"})
GET_FILE_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class TelegramCall:
    method: str
    params: dict[str, Any]


@dataclass
class TelegramFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    declared_size: int


@dataclass
class _Failure:
    method: str
    status: int
    retry_after: int | None
    description: str


@dataclass
class _Updates:
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 861_000_001


def _decode(params: dict[str, str]) -> dict[str, Any]:
    """PTB posts form fields whose non-string values are JSON-encoded: decode the known ones."""
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_PARAMS:
            decoded[key] = json.loads(value)
        elif key in _INT_PARAMS and value.lstrip("-").isdigit():
            decoded[key] = int(value)
        else:
            decoded[key] = value
    return decoded


class FakeTelegram(FakeServer):
    def __init__(
        self,
        *,
        token: str = "7000000001:AAHfakeTokenForAcolheTests_0123456789",
        bot_id: int = 7000000001,
        username: str = "acolhe_test_bot",
        max_long_poll_s: float = 2.0,
    ) -> None:
        super().__init__()
        self.token = token
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Acolhe",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[TelegramCall] = []
        self.sent: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.file_downloads: list[str] = []
        self.max_long_poll_s = max_long_poll_s
        self._files: dict[str, TelegramFile] = {}
        self._failures: deque[_Failure] = deque()
        self._updates = _Updates()
        self._message_ids = itertools.count(1001)
        self._file_ids = itertools.count(1)
        self._poll = threading.Condition()

    def __enter__(self) -> FakeTelegram:
        super().__enter__()
        return self

    async def __aenter__(self) -> FakeTelegram:
        return self.__enter__()

    # test controls

    def fail_next(
        self,
        method: str = "sendMessage",
        status: int = 500,
        *,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        text = description or _DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        for _ in range(count):
            self._failures.append(_Failure(method, status, retry_after, text))

    def add_file(
        self,
        content: bytes,
        *,
        file_path: str | None = None,
        file_id: str | None = None,
        declared_size: int | None = None,
    ) -> TelegramFile:
        """Make a file known to ``getFile``; ``declared_size`` can claim a bigger size."""
        number = next(self._file_ids)
        file = TelegramFile(
            file_id=file_id or f"BQACAgEAAxkBAAIB{number:06d}fakeFileId",
            file_unique_id=f"AgAD{number:06d}",
            file_path=file_path or f"documents/file_{number}.bin",
            content=content,
            declared_size=declared_size if declared_size is not None else len(content),
        )
        self._files[file.file_id] = file
        return file

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates`` (an ``update_id`` is assigned when missing)."""
        with self._poll:
            if "update_id" not in update:
                update = {"update_id": self._updates.next_id, **update}
            self._updates.next_id = max(self._updates.next_id, update["update_id"]) + 1
            self._updates.pending.append(update)
            self._poll.notify_all()
        return update

    def calls_to(self, method: str) -> list[TelegramCall]:
        return [call for call in self.calls if call.method == method]

    # HTTP

    def handle(self, request: FakeRequest) -> FakeResponse:
        file_prefix = f"/file/bot{self.token}/"
        if request.method == "GET" and request.path.startswith(file_prefix):
            return self._download(request.path[len(file_prefix) :])
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            if request.path.startswith("/bot"):
                return _error(401, "Unauthorized")
            return _error(404, "Not Found")
        method = request.path[len(prefix) :]
        params = self._params(request)
        self.calls.append(TelegramCall(method, params))
        if self._failures and self._failures[0].method == method:
            failure = self._failures.popleft()
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, failure.description, parameters=extra)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result: FakeResponse = handler(params)
        return result

    def _params(self, request: FakeRequest) -> dict[str, Any]:
        content_type = request.header("Content-Type") or ""
        if "json" in content_type:
            return dict(request.json() or {})
        if request.body:
            return _decode(request.form_first())
        return _decode({key: values[0] for key, values in request.query.items()})

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "date": int(time.time()),
            **content,
        }

    def _m_getMe(self, params: dict[str, Any]) -> FakeResponse:
        return _ok(self.bot_user)

    def _m_sendMessage(self, params: dict[str, Any]) -> FakeResponse:
        if not params.get("text"):
            return _error(400, "Bad Request: message text is empty")
        if not isinstance(params.get("chat_id"), int):
            return _error(400, "Bad Request: chat not found")
        content: dict[str, Any] = {"text": params["text"]}
        parse_mode = params.get("parse_mode")
        if parse_mode is not None:
            if parse_mode != "HTML":
                return _error(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
            try:
                shown, entities = parse_html(params["text"])
            except TelegramHtmlError as exc:
                return _error(400, str(exc))
            if not shown.strip():
                return _error(400, "Bad Request: message text is empty")
            content = {"text": shown, **({"entities": entities} if entities else {})}
        self._record_sent(params)
        if "reply_markup" in params:
            content["reply_markup"] = params["reply_markup"]
        return _ok(self._message(params["chat_id"], **content))

    def _m_sendDocument(self, params: dict[str, Any]) -> FakeResponse:
        document = {
            "file_id": f"BQACAgEAAxkDAAIC{next(self._file_ids):06d}",
            "file_unique_id": "AgADsent",
            "file_name": str(params.get("document", "")).rsplit("/", 1)[-1],
            "mime_type": "application/pdf",
        }
        return _ok(self._message(int(params["chat_id"]), document=document))

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> FakeResponse:
        return _ok(True) if params.get("callback_query_id") else _error(400, "Bad Request")

    def _m_getFile(self, params: dict[str, Any]) -> FakeResponse:
        file = self._files.get(str(params.get("file_id")))
        if file is None:
            return _error(400, "Bad Request: invalid file_id")
        if file.declared_size > GET_FILE_LIMIT:
            return _error(400, "Bad Request: file is too big")
        return _ok(
            {
                "file_id": file.file_id,
                "file_unique_id": file.file_unique_id,
                "file_size": file.declared_size,
                "file_path": file.file_path,
            }
        )

    def _m_setWebhook(self, params: dict[str, Any]) -> FakeResponse:
        self.webhook = params
        return _ok(True, description="Webhook was set")

    def _m_deleteWebhook(self, params: dict[str, Any]) -> FakeResponse:
        self.webhook = None
        return _ok(True, description="Webhook was deleted")

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> FakeResponse:
        hook = self.webhook or {}
        return _ok(
            {
                "url": hook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates.pending),
            }
        )

    def _m_getUpdates(self, params: dict[str, Any]) -> FakeResponse:
        if self.webhook is not None:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset")
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_long_poll_s)
        deadline = time.monotonic() + wait
        with self._poll:
            if offset is not None:  # confirms every update before offset
                self._updates.pending = [
                    u for u in self._updates.pending if u["update_id"] >= offset
                ]
            while not self._updates.pending and time.monotonic() < deadline:
                self._poll.wait(deadline - time.monotonic())
            return _ok(list(self._updates.pending[:limit]))

    def _download(self, file_path: str) -> FakeResponse:
        self.file_downloads.append(file_path)
        for file in self._files.values():
            if file.file_path == file_path:
                return FakeResponse(200, file.content, {"Content-Type": "application/octet-stream"})
        return FakeResponse(404, b"Not Found")


def _ok(result: Any, *, description: str | None = None) -> FakeResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return FakeResponse.json(body)


def _error(
    status: int, description: str, *, parameters: dict[str, Any] | None = None
) -> FakeResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return FakeResponse.json(body, status=status)
