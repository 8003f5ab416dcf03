"""A person takes a WhatsApp conversation over, writes through the back-office, and hands it
back: the bot stays silent in between, even when the client writes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.storage.models import Conversation, Escalation
from bot.storage.seed import seed_demo_staff
from tests.e2e.conftest import TwilioClient

pytestmark = pytest.mark.e2e

CLIENT = "+5511987654321"


def test_takeover_staff_message_and_release(twilio_server: TwilioClient) -> None:
    fake, http, runtime = twilio_server.fake, twilio_server.http, twilio_server.runtime
    tokens = seed_demo_staff(runtime.sessions)
    csm = {"Authorization": f"Bearer {tokens['csm@acolhe.demo'][1]}"}

    twilio_server.post(CLIENT, "oi")
    twilio_server.post(CLIENT, "1")
    twilio_server.post(CLIENT, "quero falar com um atendente")
    fake.wait_for(4)  # consent, name question, "avisei a equipe", the name question again
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        escalation = session.scalars(select(Escalation)).one()
    assert escalation.reason == "request_human" and escalation.assigned_to is not None

    taken = http.post(f"/api/v1/conversations/{conversation.id}/takeover", headers=csm)
    assert taken.status_code == 200, taken.text
    assert twilio_server.post(CLIENT, "Maria da Silva").status_code == 200
    time.sleep(0.5)  # a bot reply, if there were one, would have been sent by now
    assert len(fake.sent) == 4

    sent = http.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"text": "Oi Maria, aqui é a Carla. Já vou te ajudar."},
        headers=csm,
    )
    assert sent.status_code == 202 and sent.json()["status"] == "queued", sent.text
    assert sent.json()["part_ids"] == [sent.json()["message_id"]]
    staff_message = fake.wait_for(5)[4]
    assert staff_message.body == "Oi Maria, aqui é a Carla. Já vou te ajudar."
    assert staff_message.to == f"whatsapp:{CLIENT}"

    released = http.post(f"/api/v1/conversations/{conversation.id}/release", json={}, headers=csm)
    assert released.status_code == 200, released.text
    resumed = fake.wait_for(6)[5]
    assert "nome completo" in (resumed.body or "")  # the question the bot was on

    transcript = http.get(f"/api/v1/conversations/{conversation.id}/messages", headers=csm)
    assert transcript.status_code == 200
    items = transcript.json()["items"] if isinstance(transcript.json(), dict) else transcript.json()
    authors = [item["author"] for item in items]
    assert authors.count("staff") == 1 and "client" in authors and "bot" in authors
    assert any(item.get("text") == "Maria da Silva" for item in items)


def test_a_long_staff_message_goes_as_several_in_order(twilio_server: TwilioClient) -> None:
    """Twilio refuses bodies over 1,600 characters (error 21617): the reply is split, at
    paragraphs where possible, and every part arrives once, in order."""
    fake, http, runtime = twilio_server.fake, twilio_server.http, twilio_server.runtime
    tokens = seed_demo_staff(runtime.sessions)
    csm = {"Authorization": f"Bearer {tokens['csm@acolhe.demo'][1]}"}
    twilio_server.post(CLIENT, "oi")
    fake.wait_for(1)
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert http.post(f"/api/v1/conversations/{conversation.id}/takeover", headers=csm).is_success
    detail = "explicação detalhada do processo. " * 28
    text = "\n\n".join(f"Parágrafo {n}: {detail}".strip() for n in range(4))
    assert 3800 < len(text) <= 4000  # the API's limit; Twilio's is 1,600
    sent = http.post(
        f"/api/v1/conversations/{conversation.id}/messages", json={"text": text}, headers=csm
    )
    assert sent.status_code == 202, sent.text
    answer = sent.json()
    assert len(answer["part_ids"]) == 4 and answer["part_ids"][0] == answer["message_id"]
    assert answer["part_ids"] == sorted(answer["part_ids"])
    parts = [m.body or "" for m in fake.wait_for(1 + 4)[1:]]
    assert all(len(part) <= 1600 for part in parts)
    assert [part.split(":")[0] for part in parts] == [f"Parágrafo {n}" for n in range(4)]
    assert "\n\n".join(parts) == text
    time.sleep(0.3)
    assert len(fake.sent) == 5
