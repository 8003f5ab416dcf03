"""LGPD erasure, what the client is told: a refused request keeps the data and says so; the web
chat's page reads the erasure notice, and an unread one waits for the grace period."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.app import create_app
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.storage.models import (
    Client,
    Conversation,
    Message,
)
from tests.backoffice.factories import Roster
from tests.backoffice.test_erasure import PERSONAL, _leaks, _text_values
from tests.support.conversation import Chat
from tests.support.server import serving

WEB_SESSION = "web-erasure-0001"


def test_refusal_tells_the_client_and_keeps_the_data(
    api: httpx.Client, runtime: Runtime, roster: Roster
) -> None:
    chat = Chat(runtime, address="+5511933332222", channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    chat.say("1")
    chat.say("Maria da Silva")
    chat.say("quero apagar meus dados")
    chat.say("sim")
    (request,) = api.get("/erasure-requests", headers=roster.manager.headers).json()["items"]
    refused = api.post(f"/erasure-requests/{request['id']}/refuse", headers=roster.manager.headers)
    assert refused.status_code == 200 and refused.json()["request"]["status"] == "refused"
    with runtime.sessions() as session:
        notice = session.scalars(select(Message).order_by(Message.id.desc())).first()
        assert notice is not None and notice.author == "system"
        assert "obrigação legal" in notice.text
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.address == "+5511933332222"
        assert any("Maria" in v for _w, v in _text_values(session))


WEB_REGISTRATION = [
    "1",
    "Maria da Silva",
    "1",
    "11.222.333/0001-81",
    "Padaria Pão Quente",
    "45",
    "maria@paoquente.com.br",
    "11987654321",
]


def test_the_web_chat_page_reads_the_erasure_notice(runtime: Runtime, roster: Roster) -> None:
    """The web chat is pulled by the page: the notice is there for its next poll, and only once
    the page has read it (or the grace period ran out) does the session stop answering."""
    with (
        serving(create_app(runtime, run_workers=False)) as base,
        httpx.Client(base_url=base, timeout=20) as client,
    ):
        assert client.post("/chat/api/greeting", json={"session": WEB_SESSION}).status_code == 200
        for text in WEB_REGISTRATION:
            answer = client.post("/chat/api/messages", json={"session": WEB_SESSION, "text": text})
            assert answer.status_code == 200, answer.text
        seen = client.get("/chat/api/messages", params={"session": WEB_SESSION}).json()
        last = max(m["id"] for m in seen)
        with runtime.sessions() as session:
            client_id = session.scalars(select(Client.id)).one()

        erased = client.post(f"/api/v1/clients/{client_id}/erase", headers=roster.admin.headers)
        assert erased.status_code == 200, erased.text
        assert erased.json()["notices_queued"] == 1
        assert erased.json()["request"]["status"] == "notifying"

        # The page's next poll gets the notice, in the page's language.
        poll = client.get("/chat/api/messages", params={"session": WEB_SESSION, "after": last})
        assert poll.status_code == 200, poll.text
        [notice] = poll.json()
        assert notice["author"] == "system" and "dados pessoais foram apagados" in notice["text"]

        finished = client.post("/api/v1/erasure-requests/finish", headers=roster.admin.headers)
        assert finished.json() == {"completed": 1}
        gone = client.get("/chat/api/messages", params={"session": WEB_SESSION, "after": 0})
        assert gone.status_code == 404
    with runtime.sessions() as session:
        leaks = _leaks(session, (*PERSONAL, WEB_SESSION))
    assert not leaks, "\n".join(leaks)


def test_an_unread_web_notice_waits_for_the_grace_period(
    runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with (
        serving(create_app(runtime, run_workers=False)) as base,
        httpx.Client(base_url=base, timeout=20) as client,
    ):
        client.post("/chat/api/greeting", json={"session": WEB_SESSION})
        for text in WEB_REGISTRATION[:3]:
            client.post("/chat/api/messages", json={"session": WEB_SESSION, "text": text})
        with runtime.sessions() as session:
            client_id = session.scalars(select(Client.id)).one()
        client.post(f"/api/v1/clients/{client_id}/erase", headers=roster.admin.headers)
        # The page was closed: nothing read the notice yet.
        admin = roster.admin.headers
        assert client.post("/api/v1/erasure-requests/finish", headers=admin).json() == {
            "completed": 0
        }
        clock.advance(timedelta(days=2, minutes=1))
        assert client.post("/api/v1/erasure-requests/finish", headers=admin).json() == {
            "completed": 1
        }
        gone = client.get("/chat/api/messages", params={"session": WEB_SESSION})
        assert gone.status_code == 404
