"""A real ``onboard serve`` for the console's browser tests: a subprocess on loopback, on its own
SQLite file, with the Twilio channel pointed at the fake Twilio, staff with passwords, and
Chromium pages signed in through the sign-in form as a person would.

Fixtures (imported by ``tests/e2e/conftest.py``):

* ``browser``: Debian's Chromium driven by Playwright (never a downloaded browser); skipped on a
  laptop without it, required in CI;
* ``console_server``: the server, its fake Twilio, a session factory on its database and the
  staff (``console_server.staff["csm_a"]``: id, e-mail, password, API token).

``console_server.page(browser, "csm_a", width=360)`` opens a signed-in page;
``console_server.client_writes("+5511988887777", "HUMANO")`` posts a signed Twilio webhook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from backoffice.staff_auth import set_password
from tests.backoffice.factories import make_staff
from tests.conftest import require_service
from tests.fakes.signing import twilio_signed_form
from tests.fakes.twilio import FakeTwilio
from tests.support.server import free_port

REPO = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://acolhe.example.com.br"  # what Twilio signs; the browser uses loopback
BOT_NUMBER = "+5511900000000"
PASSWORD = "senha-do-console-123"
CHROMIUM = Path(os.environ.get("ONBOARD_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Who works in the console of these tests: team alpha (a manager, two CSMs), team beta.
STAFF = {
    "admin": {"role": "admin", "team": "alpha"},
    "manager": {"role": "manager", "team": "alpha"},
    "csm_a": {"role": "csm", "team": "alpha", "segment": "self_service"},
    "csm_b": {"role": "csm", "team": "alpha", "segment": "self_service"},
    "manager_beta": {"role": "manager", "team": "beta"},
}


@dataclass(frozen=True)
class StaffLogin:
    id: int
    email: str
    password: str
    token: str  # a bearer token for the API (to compare what the console shows)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class ConsoleServer:
    url: str
    fake: FakeTwilio
    db: sessionmaker[Session]
    staff: dict[str, StaffLogin]
    log: Path
    http: httpx.Client = field(repr=False)
    _sids: int = 0
    _contexts: list[Any] = field(default_factory=list, repr=False)

    def client_writes(self, sender: str, body: str) -> httpx.Response:
        """A client's WhatsApp message, posted and signed as Twilio would."""
        self._sids += 1
        sid = f"SM{int(time.time() * 1000):020x}{self._sids:012x}"
        params = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": self.fake.account_sid,
            "From": f"whatsapp:{sender}",
            "To": f"whatsapp:{BOT_NUMBER}",
            "Body": body,
            "NumMedia": "0",
            "ProfileName": "Cliente",
            "WaId": sender.lstrip("+"),
            "MessageType": "text",
            "ApiVersion": "2010-04-01",
        }
        form, signature = twilio_signed_form(
            f"{PUBLIC_URL}/webhooks/twilio", params, self.fake.auth_token
        )
        answer = self.http.post(
            "/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature}
        )
        answer.raise_for_status()
        return answer

    def close_pages(self) -> None:
        """Closes the pages this server opened (their live streams end with them)."""
        for context in self._contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass
        self._contexts.clear()

    def api(self, role: str) -> httpx.Client:
        """An API client with ``role``'s bearer token (close it, or use it in ``with``)."""
        return httpx.Client(
            base_url=f"{self.url}/api/v1", headers=self.staff[role].headers, timeout=20
        )

    def page(self, browser: Any, role: str, *, width: int = 1280, height: int = 900) -> Any:
        """A new Chromium page signed in as ``role`` through the sign-in form."""
        context = browser.new_context(viewport={"width": width, "height": height}, locale="pt-BR")
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{self.url}/console/login")
        page.fill("#email", self.staff[role].email)
        page.fill("#password", self.staff[role].password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.url}/console/**")
        if "/console/login" in page.url:
            raise AssertionError(f"sign-in as {role} failed: {self.log.read_text()[-2000:]}")
        return page


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium from the system (never a downloaded one), headless."""
    if not CHROMIUM.exists():
        require_service("Chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require_service("Playwright", f"pip install playwright ({exc})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _environment(database_url: str, fake: FakeTwilio, nlu_cache: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
        ONBOARD_ENVIRONMENT="test",
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_PUBLIC_URL=PUBLIC_URL,
        ONBOARD_TWILIO_ACCOUNT_SID=fake.account_sid,
        ONBOARD_TWILIO_AUTH_TOKEN=fake.auth_token,
        ONBOARD_TWILIO_WHATSAPP_NUMBER=BOT_NUMBER,
        ONBOARD_TWILIO_API_URL=fake.url,
        ONBOARD_NLU_CACHE_DIR=str(nlu_cache),
        ONBOARD_DOCUMENTS_DIR=str(tmp / "documents"),
        ONBOARD_BRASILAPI_URL="",
        ONBOARD_OUTBOX_RETRY_BASE_S="0.2",
    )
    return env


def _seed_staff(db: sessionmaker[Session]) -> dict[str, StaffLogin]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    logins: dict[str, StaffLogin] = {}
    with db() as session, session.begin():
        for key, spec in STAFF.items():
            staff, token = make_staff(
                session,
                role=spec["role"],
                team=spec["team"],
                segment=spec.get("segment"),
                now=now,
                name=key.replace("_", " ").title(),
            )
            set_password(session, staff, password=PASSWORD, now=now)
            logins[key] = StaffLogin(staff.id, staff.email, PASSWORD, token)
    return logins


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"onboard serve exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"onboard serve did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def console_server(
    tmp_path: Path, _sqlite_template: Path, nlu_cache_dir: Path
) -> Iterator[ConsoleServer]:
    """``onboard serve`` (workers in-process) on a SQLite file of its own, with the fake Twilio."""
    path = tmp_path / "console.db"
    shutil.copy(_sqlite_template, path)
    database_url = f"sqlite:///{path}"
    engine = create_engine(database_url)
    db = sessionmaker(engine, expire_on_commit=False)
    staff = _seed_staff(db)
    port = free_port()
    log = tmp_path / "serve.log"
    with FakeTwilio() as fake, log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=REPO,
            env=_environment(database_url, fake, nlu_cache_dir, tmp_path),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log)
            with httpx.Client(base_url=url, timeout=20) as http:
                server = ConsoleServer(url=url, fake=fake, db=db, staff=staff, log=log, http=http)
                try:
                    yield server
                finally:
                    server.close_pages()
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            engine.dispose()
    tracebacks = log.read_text(errors="replace").count("Traceback")
    assert tracebacks == 0, f"the server logged {tracebacks} traceback(s): see {log}"


__all__ = [
    "ConsoleServer",
    "PASSWORD",
    "StaffLogin",
    "browser",
    "console_server",
]
