"""An Acolhe server on loopback with the Twilio channel pointed at a local fake Twilio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import SystemClock
from tests.fakes.signing import twilio_signed_form
from tests.fakes.twilio import FakeTwilio
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.support.server import serving

PUBLIC_URL = "https://acolhe.example.com.br"
BOT_NUMBER = "+5511900000000"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def twilio_settings(database_url: str, tmp_path: Path, fake: FakeTwilio, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        public_url=PUBLIC_URL,
        twilio_account_sid=fake.account_sid,
        twilio_auth_token=fake.auth_token,  # type: ignore[arg-type]
        twilio_whatsapp_number=BOT_NUMBER,
        twilio_api_url=fake.url,
        documents_dir=tmp_path / "documents",
        nlu_cache_dir=tmp_path / "nlu",
        brasilapi_url="",
        outbox_retry_base_s=0.05,
        **extra,
    )


@dataclass
class TwilioClient:
    """Posts signed WhatsApp webhooks to the server as Twilio would."""

    http: httpx.Client
    fake: FakeTwilio
    runtime: Runtime
    sids: int = 0

    def post(
        self,
        sender: str,
        body: str,
        *,
        sid: str | None = None,
        signature: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        self.sids += 1
        params = {
            "SmsMessageSid": sid or f"SM{self.sids:032x}",
            "NumMedia": "0",
            "ProfileName": "Maria",
            "MessageType": "text",
            "WaId": sender.lstrip("+"),
            "Body": body,
            "To": f"whatsapp:{BOT_NUMBER}",
            "MessageSid": sid or f"SM{self.sids:032x}",
            "AccountSid": self.fake.account_sid,
            "From": f"whatsapp:{sender}",
            "ApiVersion": "2010-04-01",
            **(extra or {}),
        }
        form, good = twilio_signed_form(
            f"{PUBLIC_URL}/webhooks/twilio", params, self.fake.auth_token
        )
        headers = {} if signature == "" else {"X-Twilio-Signature": signature or good}
        return self.http.post("/webhooks/twilio", data=form, headers=headers)


@pytest.fixture(params=["in_process", "redis"])
def coordination_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    """Every server test runs with in-process coordination and again with Redis."""
    if request.param == "in_process":
        return {}
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return {"redis_url": url, "redis_key_prefix": prefix}


@pytest.fixture
def twilio_server(
    database_url: str,
    tmp_path: Path,
    fake_twilio: FakeTwilio,
    coordination_settings: dict[str, object],
) -> Iterator[TwilioClient]:
    settings = twilio_settings(database_url, tmp_path, fake_twilio, **coordination_settings)
    runtime = build_runtime(settings, clock=SystemClock(), interpreter=ScriptedInterpreter())
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=15) as http:
        yield TwilioClient(http=http, fake=fake_twilio, runtime=runtime)


# The console's browser tests: a real `onboard serve` and Chromium (tests/e2e/console_server.py).
from tests.e2e.console_server import browser, console_server  # noqa: E402, F401
