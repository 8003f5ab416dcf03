"""A fake of Twilio's REST API (Messages and media) for the real twilio library and httpx.

- ``POST /2010-04-01/Accounts/{sid}/Messages.json``: checks Basic auth, records the fields in
  ``sent`` (``SentTwilioMessage``) and answers 201 JSON with ``sid`` ``SM...`` and
  ``status: queued`` like the real API. ``fail_next`` injects 500/429/400 answers.
- ``GET /media/{id}``: serves a file added with ``add_media`` behind Basic auth, optionally via
  a 307 to another path of this host (auth required again) or to a second "CDN" server on
  another port (no auth, like Twilio's short-lived URLs); ``media_requests`` records who
  sent which ``Authorization`` header where.
- ``deliver_status`` posts a signed status callback to a message's ``StatusCallback`` URL.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
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
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[SentTwilioMessage] = []
        self.attempts = 0
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
    ) -> None:
        """Answer the next ``count`` message creates with ``status`` (Twilio error JSON)."""
        default_code, default_message = _DEFAULT_MESSAGES.get(status, (status, "Error"))
        for _ in range(count):
            self._failures.append(
                _Failure(status, retry_after, code or default_code, message or default_message)
            )

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
        if self._failures:
            failure = self._failures.popleft()
            headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else {}
            return _error(failure.status, failure.code, failure.message, headers=headers)
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
        sid = "SM" + secrets.token_hex(16)
        self._record_sent(
            SentTwilioMessage(
                sid=sid,
                to=to,
                from_=sender,
                body=first.get("Body"),
                media_urls=form.get("MediaUrl", []),
                content_sid=first.get("ContentSid"),
                content_variables=first.get("ContentVariables"),
                status_callback=first.get("StatusCallback"),
                form=form,
            )
        )
        now = formatdate(usegmt=False)
        return FakeResponse.json(
            {
                "account_sid": self.account_sid,
                "api_version": "2010-04-01",
                "body": first.get("Body", ""),
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": sender,
                "messaging_service_sid": None,
                "num_media": str(len(form.get("MediaUrl", []))),
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
                },
                "to": to,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )

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
