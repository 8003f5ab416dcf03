"""Takeover → CSM message → release: the bot stays silent while a person owns the conversation,
even when the client writes, and picks up the question it was on when released."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.channels.twilio_whatsapp import TwilioSender
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.storage.models import AuditEvent, Conversation, Escalation, Message, OutboxItem
from bot.workers.outbox import OutboxWorker
from tests.backoffice.factories import Member, Roster, conversation_of, make_onboarding
from tests.fakes import FakeTwilio
from tests.support.conversation import Chat

CLIENT = "+5511987654321"


def _messages(runtime: Runtime, conversation_id: int) -> list[Message]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
        )


def _outbox(runtime: Runtime, conversation_id: int) -> list[OutboxItem]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(OutboxItem)
                .where(OutboxItem.conversation_id == conversation_id)
                .order_by(OutboxItem.id)
            )
        )


# long: take over, write, release: one conversation's sequence, each step depending on the last
async def test_takeover_message_release_keeps_the_bot_silent(
    api: httpx.Client, runtime: Runtime, roster: Roster
) -> None:
    chat = Chat(runtime, address=CLIENT, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    chat.say("1")
    asked = chat.say("Maria da Silva")  # the bot now waits for the next answer
    chat.say("quero falar com um atendente")
    conversation_id = _conversation_id(runtime)
    before = _messages(runtime, conversation_id)

    taken = api.post(f"/conversations/{conversation_id}/takeover", headers=roster.csm_owner.headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["bot_paused"] is True and taken.json()["paused_by"] == roster.csm_owner.id
    rival = api.post(f"/conversations/{conversation_id}/takeover", headers=roster.csm_other.headers)
    assert rival.status_code == 409
    assert rival.headers["content-type"] == "application/problem+json"
    again = api.post(f"/conversations/{conversation_id}/takeover", headers=roster.csm_owner.headers)
    assert again.status_code == 200  # idempotent for the holder

    handled = chat.send("alô? tem alguém aí?")
    assert handled.bot_paused and handled.replies == []

    sent = api.post(
        f"/conversations/{conversation_id}/messages",
        json={"text": "Oi Maria, aqui é a Carla. Como posso ajudar?"},
        headers=roster.csm_owner.headers,
    )
    assert sent.status_code == 202, sent.text
    not_holder = api.post(
        f"/conversations/{conversation_id}/messages",
        json={"text": "oi"},
        headers=roster.csm_other.headers,
    )
    assert not_holder.status_code == 409
    assert chat.send("preciso mudar o CNPJ").replies == []

    during = _messages(runtime, conversation_id)[len(before) :]
    assert [(m.direction, m.author) for m in during] == [
        ("in", "client"),
        ("out", "staff"),
        ("in", "client"),
    ]
    staff_message = during[1]
    assert staff_message.staff_id == roster.csm_owner.id and staff_message.status == "queued"
    queued = [o for o in _outbox(runtime, conversation_id) if o.message_id == staff_message.id]
    assert len(queued) == 1 and queued[0].address == CLIENT and queued[0].status == "pending"

    # Delivery while the CSM holds the conversation: bot replies still queued from before the
    # takeover are dropped, the CSM's message goes out.
    with FakeTwilio() as twilio:
        async with TwilioSender(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            from_number="+14155238886",
            api_url=twilio.url,
            timeout_s=5,
        ) as sender:
            worker = OutboxWorker(
                sessions=runtime.sessions, senders={"twilio_whatsapp": sender}, clock=runtime.clock
            )
            while await worker.run_once():
                pass
        bodies = [m.body for m in twilio.sent]
    assert bodies == ["Oi Maria, aqui é a Carla. Como posso ajudar?"]
    statuses = {o.message_id: o.status for o in _outbox(runtime, conversation_id)}
    bot_ids = [m.id for m in before if m.author == "bot"]
    assert {statuses[i] for i in bot_ids} == {"suppressed"}
    assert statuses[staff_message.id] == "sent"

    with runtime.sessions.begin() as session:  # as if the idle sweep had looked at it
        marked = session.get_one(Conversation, conversation_id)
        marked.nudged_since = marked.last_inbound_at
    released = api.post(
        f"/conversations/{conversation_id}/release", json={}, headers=roster.csm_owner.headers
    )
    assert released.status_code == 200, released.text
    with runtime.sessions() as session:  # asked again: the idle sweep looks at it anew
        assert session.get_one(Conversation, conversation_id).nudged_since is None
    body = released.json()
    assert body["conversation"]["bot_paused"] is False and body["bot_message_ids"]
    repeated = [m for m in _messages(runtime, conversation_id) if m.id in body["bot_message_ids"]]
    assert repeated[-1].text and repeated[-1].text in asked

    assert chat.say("1")  # the bot answers again
    transcript = api.get(
        f"/conversations/{conversation_id}/messages", headers=roster.csm_owner.headers
    ).json()
    authors = [(m["direction"], m["author"]) for m in transcript]
    assert ("out", "staff") in authors and authors[-1] == ("out", "bot")
    staff_row = next(m for m in transcript if m["author"] == "staff")
    # Twilio accepted it ("queued" is its first delivery status; callbacks move it on).
    assert staff_row["status"] == "queued" and staff_row["staff_id"] == roster.csm_owner.id

    with runtime.sessions() as session:
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.status == "resolved" and escalation.assigned_to == roster.csm_owner.id
        assert escalation.taken_at is not None
        actions = [
            a.action
            for a in session.scalars(
                select(AuditEvent).where(AuditEvent.actor == f"staff:{roster.csm_owner.id}")
            )
        ]
        assert actions.count("conversation_taken_over") == 2
        assert "staff_message" in actions and "conversation_released" in actions


def test_release_rules(api: httpx.Client, runtime: Runtime, roster: Roster) -> None:
    chat = Chat(runtime, address="+5511911112222", channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    conversation_id = _conversation_id(runtime)
    url = f"/conversations/{conversation_id}"
    assert api.post(f"{url}/release", json={}, headers=roster.csm_owner.headers).status_code == 409
    assert (
        api.post(
            f"{url}/messages", json={"text": "oi"}, headers=roster.csm_owner.headers
        ).status_code
        == 409
    )
    assert api.post(f"{url}/takeover", headers=roster.csm_owner.headers).status_code == 200
    # Another CSM may not release someone else's hold; their manager may.
    assert api.post(f"{url}/release", json={}, headers=roster.csm_other.headers).status_code == 403
    assert api.post(f"{url}/release", json={}, headers=roster.manager.headers).status_code == 200
    with runtime.sessions() as session:
        conversation = session.get_one(Conversation, conversation_id)
        assert conversation.bot_paused is False and conversation.paused_by is None


def _conversation_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return (
            session.scalars(select(Conversation.id).order_by(Conversation.id.desc())).first() or 0
        )


def test_two_staff_racing_for_a_conversation_one_wins(
    base_url: str, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    contenders = (roster.csm_owner, roster.csm_other, roster.manager)
    for _round in range(4):
        with runtime.sessions() as session, session.begin():
            conversation_id = conversation_of(session, make_onboarding(session, now=clock.now())).id
        statuses = _race(base_url, conversation_id, contenders)
        assert statuses == [200, 409, 409]
        with runtime.sessions() as session:
            holder = session.get_one(Conversation, conversation_id).paused_by
        assert holder in {m.id for m in contenders}


def _race(base_url: str, conversation_id: int, contenders: tuple[Member, ...]) -> list[int]:
    """Every contender asks for the conversation at the same moment; their status codes."""
    barrier = threading.Barrier(len(contenders))

    def grab(member: Member) -> int:
        with httpx.Client(base_url=f"{base_url}/api/v1", timeout=20) as client:
            barrier.wait()
            response = client.post(
                f"/conversations/{conversation_id}/takeover", headers=member.headers
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=len(contenders)) as pool:
        return sorted(pool.map(grab, contenders))
