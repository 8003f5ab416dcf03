"""A fake of Twilio's REST API (Messages and media) for the real twilio library and httpx.

- ``POST /2010-04-01/Accounts/{sid}/Messages.json``: checks Basic auth, records the fields in
  ``sent`` (``SentTwilioMessage``) and answers 201 JSON with ``sid`` ``SM...`` and
  ``status: queued`` like the real API. ``fail_next`` injects 500/429/400 answers.
- ``GET /media/{id}``: serves a file added with ``add_media`` behind Basic auth, optionally via
  a 307 to another path of this host (auth required again) or to a second "CDN" server on
  another port (no auth, like Twilio's short-lived URLs); ``media_requests`` records who
  sent which ``Authorization`` header where.
- ``deliver_status`` posts a signed status callback to a message's ``StatusCallback`` URL.
- ``GET /2010-04-01/Accounts/{sid}/Messages.json``: the accepted messages, newest first,
  filtered by ``To`` and ``From`` (one page of ``PageSize``), as twilio's ``messages.list``
  reads them; ``fail_next_lists`` makes the next ones answer 500.
- Faults for the delivery drills: ``fail_next(..., created=True)`` creates the message and
  still answers the error (Twilio can: the request reached it), ``answer_delay_s`` holds every
  answer after the message is created (a sender killed meanwhile never learns it was sent),
  ``fail_for`` answers 500s and 429s for a while.
- ``clock`` stamps ``date_created`` (a test's ``FakeClock.now``; real time by default).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from itertools import cycle
from typing import Literal

import httpx

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer, LoopbackServer
from tests.fakes.signing import twilio_signed_form

__all__ = ["FakeTwilio", "MediaRequest", "SentTwilioMessage"]

Redirect = Literal["same_host", "other_host"] | None


@dataclass(frozen=True)
class SentTwilioMessage:
    """One accepted ``Messages.create`` call, field by field as posted."""

    sid: str
    to: str
    from_: str
    body: str | None
    media_urls: list[str]
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    form: dict[str, list[str]] = field(repr=False)
    created_at: datetime | None = None


@dataclass(frozen=True)
class MediaRequest:
    """One media download request: where it went and the Authorization header it carried."""

    server: Literal["api", "cdn"]
    path: str
    authorization: str | None


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    code: int
    message: str
    created: bool = False


@dataclass
class _Media:
    content: bytes
    content_type: str
    redirect: Redirect


_DEFAULT_MESSAGES = {
    400: (21211, "The 'To' number is not a valid phone number."),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


class FakeTwilio(FakeServer):
    def __init__(
        self,
        *,
        account_sid: str = "AC" + "0f" * 16,
        auth_token: str = "twilio-test-auth-token",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[SentTwilioMessage] = []
        self.attempts = 0
        self.list_requests = 0
        self.answer_delay_s = 0.0
        self._clock = clock or (lambda: datetime.now(UTC))
        self._failing_until = 0.0
        self._window: cycle[_Failure] | None = None
        self._list_failures = 0
        self.media_requests: list[MediaRequest] = []
        self._failures: deque[_Failure] = deque()
        self._media: dict[str, _Media] = {}
        self._lock = threading.Lock()
        self._cdn = LoopbackServer(self._serve_cdn)

    def __enter__(self) -> FakeTwilio:
        super().__enter__()
        self._cdn.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._cdn.stop()
        super().__exit__()

    async def __aenter__(self) -> FakeTwilio:
        return self.__enter__()

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    # test controls

    def fail_next(
        self,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: float | None = None,
        code: int | None = None,
        message: str | None = None,
        created: bool = False,
    ) -> None:
        """Answer the next ``count`` message creates with ``status`` (Twilio error JSON);
        ``created``: the message is created (and listed) all the same."""
        for _ in range(count):
            self._failures.append(_failure(status, retry_after, code, message, created))

    def fail_for(
        self,
        seconds: float,
        *,
        statuses: Sequence[int] = (500, 429),
        retry_after: float | None = 1.0,
        created_every: int = 0,
    ) -> None:
        """For ``seconds``, answer every create with the next of ``statuses`` in turn (429s
        with ``Retry-After``); every ``created_every``-th 5xx creates the message all the same
        (0: none does)."""
        window: list[_Failure] = []
        for n, status in enumerate(list(statuses) * max(1, created_every), start=1):
            created = status >= 500 and created_every > 0 and n % created_every == 0
            wait = retry_after if status == 429 else None
            window.append(_failure(status, wait, None, None, created))
        with self._lock:
            self._window = cycle(window)
            self._failing_until = time.monotonic() + seconds

    def fail_next_lists(self, count: int = 1) -> None:
        """Answer the next ``count`` message list requests with a 500."""
        with self._lock:
            self._list_failures += count

    def add_media(
        self, content: bytes, content_type: str = "image/jpeg", *, redirect: Redirect = None
    ) -> str:
        """Register a file; returns its ``MediaUrl`` (on this server, Basic auth required)."""
        media_id = "ME" + secrets.token_hex(16)
        self._media[media_id] = _Media(content, content_type, redirect)
        return f"{self.url}/media/{media_id}"

    def deliver_status(
        self, sid: str, status: str, *, error_code: str | None = None
    ) -> httpx.Response:
        """POST a signed status callback for message ``sid`` to its ``StatusCallback`` URL."""
        message = next(m for m in self.sent if m.sid == sid)
        assert message.status_callback, "message was sent without StatusCallback"
        params = {
            "SmsSid": sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "ChannelToAddress": message.to.removeprefix("whatsapp:"),
            "To": message.to,
            "ChannelPrefix": "whatsapp",
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": message.from_,
            "ApiVersion": "2010-04-01",
            "ChannelInstallSid": "XE" + "0" * 32,
        }
        if error_code:
            params["ErrorCode"] = error_code
        form, signature = twilio_signed_form(message.status_callback, params, self.auth_token)
        return httpx.post(
            message.status_callback, data=form, headers={"X-Twilio-Signature": signature}
        )

    # HTTP

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method == "POST" and request.path.endswith("/Messages.json"):
            return self._create_message(request)
        if request.method == "GET" and request.path.endswith("/Messages.json"):
            return self._list_messages(request)
        if request.method == "GET" and request.path.startswith("/media/"):
            return self._serve_media(request)
        return _error(404, 20404, f"The requested resource {request.path} was not found")

    def _authorized(self, request: FakeRequest) -> bool:
        return request.basic_auth() == (self.account_sid, self.auth_token)

    def _create_message(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.attempts += 1
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        if request.path != self.messages_path:
            return _error(404, 20404, "The requested resource was not found")
        failure = self._next_failure()
        if failure is not None and not failure.created:
            return _failed(failure)
        form = request.form()
        first = {key: values[0] for key, values in form.items()}
        to, sender = first.get("To", ""), first.get("From", "")
        if not to.startswith("whatsapp:") or not sender.startswith("whatsapp:"):
            return _error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not (first.get("Body") or first.get("ContentSid") or form.get("MediaUrl")):
            return _error(400, 21602, "Message body is required.")
        if len(first.get("Body") or "") > 1600:  # as Twilio: error 21617, nothing sent
            return _error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit"
            )
        message = SentTwilioMessage(
            sid="SM" + secrets.token_hex(16),
            to=to,
            from_=sender,
            body=first.get("Body"),
            media_urls=form.get("MediaUrl", []),
            content_sid=first.get("ContentSid"),
            content_variables=first.get("ContentVariables"),
            status_callback=first.get("StatusCallback"),
            form=form,
            created_at=self._clock(),
        )
        self._record_sent(message)
        if self.answer_delay_s:
            time.sleep(self.answer_delay_s)
        if failure is not None:
            return _failed(failure)
        return FakeResponse.json(self._resource(message), status=201)

    def _next_failure(self) -> _Failure | None:
        with self._lock:
            if self._failures:
                return self._failures.popleft()
            if self._window is not None and time.monotonic() < self._failing_until:
                return next(self._window)
            return None

    def _list_messages(self, request: FakeRequest) -> FakeResponse:
        """One page of accepted messages, newest first, filtered by To and From."""
        with self._lock:
            self.list_requests += 1
            failing = self._list_failures > 0
            self._list_failures -= int(failing)
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        if failing:
            return _error(500, 20500, "Internal Server Error")
        to = next(iter(request.query.get("To", [])), None)
        sender = next(iter(request.query.get("From", [])), None)
        size = int((request.query.get("PageSize") or ["50"])[0])
        with self._changed:
            matching = [
                m
                for m in reversed(self.sent)
                if (to is None or m.to == to) and (sender is None or m.from_ == sender)
            ][:size]
        path = self.messages_path
        return FakeResponse.json(
            {
                "messages": [self._resource(m) for m in matching],
                "end": max(0, len(matching) - 1),
                "first_page_uri": f"{path}?PageSize={size}&Page=0",
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": f"{path}?PageSize={size}&Page=0",
            }
        )

    def _resource(self, message: SentTwilioMessage) -> dict[str, object]:
        """A message as the REST API represents it (no ``StatusCallback`` in it, as in Twilio)."""
        created = format_datetime((message.created_at or self._clock()).astimezone(UTC))
        sid = message.sid
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": message.body or "",
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": None,
            "num_media": str(len(message.media_urls)),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": message.to,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }

    def _serve_media(self, request: FakeRequest) -> FakeResponse:
        self.media_requests.append(
            MediaRequest("api", request.path, request.header("Authorization"))
        )
        if not self._authorized(request):
            return _error(401, 20003, "Authenticate")
        parts = request.path.strip("/").split("/")  # media/{id}[/redirected]
        media = self._media.get(parts[1]) if len(parts) >= 2 else None
        if media is None:
            return _error(404, 20404, "The requested resource was not found")
        redirected = len(parts) == 3 and parts[2] == "redirected"
        if media.redirect == "same_host" and not redirected:
            return FakeResponse.redirect(f"{self.url}/media/{parts[1]}/redirected")
        if media.redirect == "other_host":
            token = secrets.token_hex(8)
            return FakeResponse.redirect(
                f"{self._cdn.url}/cdn/{parts[1]}?Expires=1900000000&Signature={token}"
            )
        return FakeResponse(200, media.content, {"Content-Type": media.content_type})

    def _serve_cdn(self, request: FakeRequest) -> FakeResponse:
        self.media_requests.append(
            MediaRequest("cdn", request.path, request.header("Authorization"))
        )
        media_id = request.path.rsplit("/", 1)[-1]
        media = self._media.get(media_id)
        if media is None or "Signature" not in request.query:
            return FakeResponse(403, b"<Error><Code>AccessDenied</Code></Error>")
        return FakeResponse(200, media.content, {"Content-Type": media.content_type})


def _failure(
    status: int, retry_after: float | None, code: int | None, message: str | None, created: bool
) -> _Failure:
    default_code, default_message = _DEFAULT_MESSAGES.get(status, (status, "Error"))
    return _Failure(status, retry_after, code or default_code, message or default_message, created)


def _failed(failure: _Failure) -> FakeResponse:
    headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else {}
    return _error(failure.status, failure.code, failure.message, headers=headers)


def _error(
    status: int, code: int, message: str, *, headers: dict[str, str] | None = None
) -> FakeResponse:
    return FakeResponse.json(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
        headers=headers,
    )


def content_variables(message: SentTwilioMessage) -> dict[str, str]:
    """The decoded ``ContentVariables`` of a template send."""
    return dict(json.loads(message.content_variables or "{}"))
