"""A local SMTP server (aiosmtpd) on 127.0.0.1 that records what it accepts.

``fail_next(code, text)`` makes the next DATA command answer with that reply (e.g. ``451`` for
a transient refusal, ``554`` for a permanent one). ``received`` holds parsed messages.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.server import free_port

__all__ = ["FakeSmtp", "ReceivedMail"]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        return "" if body is None else str(body.get_content())


class _Handler:
    def __init__(self, owner: FakeSmtp) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.owner._accept(envelope)


class FakeSmtp:
    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.attempts = 0
        self._failures: deque[str] = deque()
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    def __enter__(self) -> FakeSmtp:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=free_port())
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        assert self._controller is not None, "server not started"
        return int(self._controller.port)

    def fail_next(
        self, code: int = 451, text: str = "4.3.0 Try again later", *, count: int = 1
    ) -> None:
        for _ in range(count):
            self._failures.append(f"{code} {text}")

    def _accept(self, envelope: Any) -> str:
        with self._changed:
            self.attempts += 1
            if self._failures:
                return self._failures.popleft()
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} mails, got {len(self.received)}")
                self._changed.wait(remaining)
            return list(self.received)
