"""The web chat over real HTTP: page, greeting, messages, history and the stored registration
(files: ``test_web_chat_files.py``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime, document_store
from bot.config import Settings
from bot.coordination import build_coordination
from bot.documents import IntakeLimits
from bot.domain.clock import FakeClock
from bot.domain.messages import OutboundMessage
from bot.service.inbox import Inbox
from bot.service.message_store import store_outbound
from bot.service.web_chat import WebChat
from bot.storage.models import Client, Contact, Conversation, Onboarding
from tests.service.web_chat_client import (
    REGISTRATION,
    SESSION,
    greet,
    read_history,
    send,
    web_chat,
)
from tests.support.server import serving


# ---------------------------------------------------------------------------- the page
def test_the_page_runs_only_its_own_code(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        page = client.get("/")
        assert page.status_code == 200 and "Acolhe" in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
        assert "/chat/api/greeting" in page.text and "/chat/api/uploads" in page.text
        assert "innerHTML" not in page.text  # server text is only ever put in as text
        assert 'aria-live="polite"' in page.text
        assert 'capture="environment"' in page.text
        assert 'accept="image/*,application/pdf"' in page.text
        assert f'data-max-upload-bytes="{16 * 1024 * 1024}"' in page.text
        assert 'src="http' not in page.text and 'href="http' not in page.text  # no CDN


# ---------------------------------------------------------------------------- the greeting
def test_the_bot_greets_first_and_a_reload_adds_nothing(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        greeting = greet(client)
        assert greeting[-1]["choices"] == [["yes", "Concordo"], ["no", "Não concordo"]]
        assert "Olá! Eu sou a Acolhe" in str(greeting[0]["text"])
        history = read_history(client)
        assert [m["author"] for m in history] == ["bot"] * len(greeting)  # no fake "oi"

        assert greet(client) == []  # the page reloaded
        assert read_history(client) == history

        send(client, "Concordo", choice_id="yes")
        assert greet(client) == []  # the current question is already the last thing said
        name_question = read_history(client)[-1]
        assert name_question["author"] == "bot" and "nome completo" in str(name_question["text"])
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalar(select(func.count()).select_from(Client)) == 1


def test_a_returning_client_is_asked_the_current_question_again(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        greet(client)
        send(client, "Concordo", choice_id="yes")
        with runtime.sessions() as session, session.begin():
            conversation = session.scalars(select(Conversation)).one()
            store_outbound(
                session,
                conversation,
                reply=OutboundMessage(text="Oi Maria, aqui é a Carla da equipe.", kind="staff"),
                author="staff",
                now=runtime.clock.now(),
            )
        again = greet(client)
        assert len(again) == 1 and "nome completo" in str(again[0]["text"])
        assert greet(client) == []


@pytest.fixture(params=["in_process", "redis"])
def coordination(request: pytest.FixtureRequest) -> tuple[str | None, str]:
    """(Redis URL or None, key prefix): the gate in memory, and again in Redis."""
    if request.param == "in_process":
        return None, "acolhe"
    return request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")


def test_a_greeting_waits_for_the_conversation_turn(
    runtime: Runtime, coordination: tuple[str | None, str]
) -> None:
    """The greeting takes the same per-conversation turn as a message: it never races one."""

    async def scenario() -> None:
        shared = build_coordination(coordination[0], key_prefix=coordination[1])
        inbox = Inbox(conversations=runtime.conversations, gate=shared.gate)
        chat = WebChat(
            inbox=inbox,
            sessions=runtime.sessions,
            clock=runtime.clock,
            store=document_store(runtime.settings),
            limits=IntakeLimits(),
        )
        try:
            # What ``Inbox.receive`` holds while a message of this session is handled.
            async with shared.gate.admit(
                f"conv:web:{SESSION}", "in:web:held", timeout_s=5, remember_s=60
            ):
                greeting = asyncio.create_task(chat.greet(SESSION))
                await asyncio.sleep(0.3)
                assert not greeting.done()
            assert len(await asyncio.wait_for(greeting, timeout=10)) >= 1
            assert await chat.greet(SESSION) == []
        finally:
            await shared.aclose()

    asyncio.run(scenario())


# ---------------------------------------------------------------------------- messages
def test_registration_in_the_web_chat_is_stored(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True

        greet(client)
        send(client, "Concordo", choice_id="yes")
        for answer in REGISTRATION:
            send(client, answer)
        done = send(client, "Está tudo certo", choice_id="__ok__")
        assert "Cadastro confirmado" in str(done[0]["text"])

        history = read_history(client)
        assert {m["author"] for m in history} == {"client", "bot"}
        assert history[0]["author"] == "bot"
        tapped = [m for m in history if m["author"] == "client"][0]
        assert tapped["text"] == "Concordo"  # a tapped choice reads as its title
        later = client.get(
            "/chat/api/messages", params={"session": SESSION, "after": str(history[-1]["id"])}
        ).json()
        assert later == []

    with runtime.sessions() as session:
        client_row = session.scalars(select(Client)).one()
        assert client_row.cnpj == "11222333000181"
        assert {c.area for c in session.scalars(select(Contact))} == {
            "admin",
            "finance",
            "tech",
            "cs",
        }
        assert session.scalars(select(Onboarding)).one().stage == "documentos"


def test_web_chat_rejects_bad_input_clearly(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        bad_session = client.post("/chat/api/messages", json={"session": "x", "text": "oi"})
        assert bad_session.status_code == 422
        assert client.post("/chat/api/greeting", json={"session": "x"}).status_code == 422
        too_long = client.post(
            "/chat/api/messages", json={"session": SESSION, "text": "a" * 10_001}
        )
        assert too_long.status_code == 422
        not_json = client.post(
            "/chat/api/messages", content=b"{oops", headers={"Content-Type": "application/json"}
        )
        assert not_json.status_code == 422
        unknown = client.get("/chat/api/messages", params={"session": "never-seen-1", "after": 0})
        assert unknown.status_code == 404
        long_ok = client.post("/chat/api/messages", json={"session": SESSION, "text": "a" * 10_000})
        assert long_ok.status_code == 200


def test_same_message_id_twice_is_answered_once(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        body = {"session": SESSION, "text": "oi", "message_id": "retry-1"}
        first = client.post("/chat/api/messages", json=body).json()
        second = client.post("/chat/api/messages", json=body).json()
        assert first["duplicate"] is False and len(first["messages"]) == 1
        assert second == {"duplicate": True, "messages": []}


def test_rasa_down_falls_back_and_is_counted_on_metrics(
    settings: Settings, clock: FakeClock, nlu_cache_dir: Path
) -> None:
    from tests.support.server import free_port

    rasa_down = settings.model_copy(
        update={
            "nlu_backend": "rasa",
            "rasa_url": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "nlu_cache_dir": nlu_cache_dir,
        }
    )
    runtime = build_runtime(rasa_down, clock=clock, migrate=False)
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        reply = send(client, "oi")
        assert "Você concorda" in str(reply[0]["text"])  # the built-in model answered
        metrics = client.get("/metrics").text
        assert "acolhe_nlu_fallback_total" in metrics
        counted = [
            line
            for line in metrics.splitlines()
            if line.startswith("acolhe_nlu_fallback_total{") and not line.endswith(" 0.0")
        ]
        assert counted, metrics
