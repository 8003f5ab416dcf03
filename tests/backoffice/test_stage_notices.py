"""A stage moved by staff is told to the client (issue #17): a move forward through the API
(a transition or an approval) queues one notice with the stage in plain words and a live link
to the status page, delivered over the Twilio fake; a move back or a cancellation sends none;
an opted-out, erased or erasing client gets none; English conversations get English; outside
WhatsApp's 24-hour window the notice goes as the configured template, else it is held."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from backoffice.stage_notices import is_forward, stage_notice_text
from bot.bootstrap import Runtime
from bot.channels.ports import Template
from bot.channels.twilio_whatsapp import TwilioSender
from bot.domain.clock import FakeClock
from bot.service.status_links import resolve
from bot.storage.models import Client, Conversation, ErasureRequest, Message, OutboxItem, StatusLink
from bot.workers.outbox import OutboxWorker
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.fakes import FakeTwilio

CLIENT = "+5511987654321"
LINK = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]{43})")


def _seed(
    runtime: Runtime,
    clock: FakeClock,
    roster: Roster,
    *,
    stage: str = "documentos",
    language: str = "pt",
    last_inbound: timedelta = timedelta(hours=1),
    address: str = CLIENT,
) -> tuple[int, int]:
    """A WhatsApp client in ``stage`` who last wrote ``last_inbound`` ago."""
    with runtime.sessions.begin() as session:
        onboarding = make_onboarding(
            session,
            now=clock.now(),
            stage=stage,
            csm_id=roster.csm_owner.id,
            channel="twilio_whatsapp",
        )
        conversation = conversation_of(session, onboarding)
        conversation.address = address
        conversation.language = language
        conversation.last_inbound_at = clock.now() - last_inbound
        return onboarding.id, conversation.id


def _move(api: httpx.Client, roster: Roster, onboarding_id: int, to_stage: str) -> None:
    moved = api.post(
        f"/onboardings/{onboarding_id}/transitions",
        json={"to_stage": to_stage, "reason": "conferido"},
        headers=roster.csm_owner.headers,
    )
    assert moved.status_code == 200, moved.text


def _notices(runtime: Runtime, conversation_id: int) -> list[Message]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.direction == "out")
                .order_by(Message.id)
            )
        )


async def _deliver(
    runtime: Runtime, twilio: FakeTwilio, templates: dict[str, Template] | None = None
) -> None:
    async with TwilioSender(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        from_number="+14155238886",
        api_url=twilio.url,
        timeout_s=5,
    ) as sender:
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders={"twilio_whatsapp": sender},
            clock=runtime.clock,
            templates=templates,
        )
        while await worker.run_once():
            pass


async def test_a_forward_move_sends_one_message_with_a_live_link(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster)
    _move(api, roster, onboarding_id, "validacao")
    with FakeTwilio() as twilio:
        await _deliver(runtime, twilio)
        sent = list(twilio.sent)
    assert len(sent) == 1 and sent[0].to == f"whatsapp:{CLIENT}"
    body = sent[0].body or ""
    assert body.startswith(
        "Sua implantação avançou para a etapa *Validação*: nossa equipe está conferindo os dados"
    )
    token = LINK.search(body)
    assert token, body
    with runtime.sessions() as session:
        opened = resolve(session, token.group(1), now=clock.now())
        assert opened is not None and opened.onboarding.id == onboarding_id
        assert opened.conversation is not None and opened.conversation.id == conversation_id
        assert opened.link.issued_by == "bot"  # the client's own link: their openings count
        (notice,) = _notices(runtime, conversation_id)
        assert notice.author == "system" and notice.text == body
        item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == notice.id)).one()
        assert item.status == "sent"


async def test_backward_moves_and_cancellations_send_nothing(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, stage="validacao")
    _move(api, roster, onboarding_id, "documentos")  # back: nothing
    assert _notices(runtime, conversation_id) == []
    _move(api, roster, onboarding_id, "validacao")  # forward again: one
    _move(api, roster, onboarding_id, "cancelado")  # a cancellation is not progress
    with FakeTwilio() as twilio:
        await _deliver(runtime, twilio)
        bodies = [m.body or "" for m in twilio.sent]
    assert len(bodies) == 1 and "*Validação*" in bodies[0]
    with runtime.sessions() as session:
        links = session.scalars(select(StatusLink).where(StatusLink.onboarding_id == onboarding_id))
        assert len(list(links)) == 1  # no link issued for the moves that told nothing


def test_an_approval_is_told_too(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, stage="aprovacao")
    approved = api.post(
        f"/onboardings/{onboarding_id}/approve",
        json={"reason": "ok"},
        headers=roster.manager.headers,
    )
    assert approved.status_code == 200, approved.text
    (notice,) = _notices(runtime, conversation_id)
    assert notice.text.startswith("Sua implantação avançou para a etapa *Configuração*")


@pytest.mark.parametrize("who", ["opted_out", "erased", "erasing"])
def test_clients_who_must_not_be_written_to_get_nothing(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster, who: str
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster)
    with runtime.sessions.begin() as session:
        conversation = session.get_one(Conversation, conversation_id)
        if who == "opted_out":
            conversation.opted_out = True
        elif who == "erased":
            session.get_one(Client, conversation.client_id).erased_at = clock.now()
        else:
            session.add(
                ErasureRequest(
                    conversation_id=conversation_id,
                    client_id=conversation.client_id,
                    requested_at=clock.now(),
                )
            )
    _move(api, roster, onboarding_id, "validacao")
    assert _notices(runtime, conversation_id) == []
    with runtime.sessions() as session:
        assert session.scalar(select(StatusLink.id)) is None


def test_english_conversations_are_told_in_english(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    onboarding_id, conversation_id = _seed(runtime, clock, roster, language="en")
    _move(api, roster, onboarding_id, "validacao")
    (notice,) = _notices(runtime, conversation_id)
    assert notice.text.startswith(
        "Your onboarding moved on to the *Validation* stage: our team is checking"
    )
    assert "\n\nFollow your onboarding: http" in notice.text


async def test_outside_the_24_hour_window_a_template_or_held(
    api: httpx.Client, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    held_id, held_conversation = _seed(runtime, clock, roster, last_inbound=timedelta(hours=30))
    _move(api, roster, held_id, "validacao")
    with FakeTwilio() as twilio:
        await _deliver(runtime, twilio)
        assert twilio.sent == []
    (held,) = _notices(runtime, held_conversation)
    with runtime.sessions() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.message_id == held.id)).one()
        assert item.status == "held"

    templated_id, _conversation = _seed(
        runtime, clock, roster, last_inbound=timedelta(days=3), address="+5511987650000"
    )
    _move(api, roster, templated_id, "validacao")
    sid = "HX" + "a" * 32
    with FakeTwilio() as twilio:
        await _deliver(runtime, twilio, templates={"notice": Template(content_sid=sid)})
        (sent,) = twilio.sent
    assert sent.content_sid == sid and "Validação" in (sent.content_variables or "")


def test_forward_is_along_the_pipeline() -> None:
    order = ["cadastro", "documentos", "validacao", "concluido", "cancelado"]
    assert is_forward(order, "documentos", to_stage="validacao")
    assert is_forward(order, "cadastro", to_stage="concluido")
    assert not is_forward(order, "validacao", to_stage="documentos")
    assert not is_forward(order, "documentos", to_stage="cancelado")
    assert not is_forward(order, None, to_stage="documentos")
    assert not is_forward(order, "documentos", to_stage="desconhecida")
    done = stage_notice_text("concluido", language="pt", url="https://x/s/t")
    assert done == (
        "Sua implantação foi concluída! Boas-vindas.\n\nAcompanhe sua implantação: https://x/s/t"
    )
