"""WhatsApp through Twilio, end to end: signed webhooks in, the real twilio library out to a
local fake of Twilio's API, through the database and the outbox worker."""

from __future__ import annotations

import concurrent.futures

import pytest
from sqlalchemy import func, select

from bot.storage.models import Client, Contact, Message, Onboarding, OutboxItem
from bot.workers.outbox import SETTLE_AFTER_S
from tests.e2e.conftest import TwilioClient
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

CLIENT = "+5511987654321"


def _outbox_item(status: str, client: TwilioClient) -> OutboxItem | None:
    with client.runtime.sessions() as session:
        return session.scalars(select(OutboxItem).where(OutboxItem.status == status)).first()


def _all_delivered(client: TwilioClient) -> bool:
    """Every reply stored so far has reached the fake (an answer may have two replies)."""
    with client.runtime.sessions() as session:
        pending = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.status == "pending")
        )
    return pending == 0


def _converse(client: TwilioClient, answers: list[str]) -> None:
    for answer in answers:
        expected = len(client.fake.sent) + 1
        response = client.post(CLIENT, answer)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        client.fake.wait_for(expected)
        eventually(lambda: _all_delivered(client), what="the replies to be delivered")


def test_full_registration_over_twilio(twilio_server: TwilioClient) -> None:
    _converse(
        twilio_server,
        [
            "oi",
            "1",
            "Maria da Silva",
            "1",
            "11.222.333/0001-81",
            "Padaria Pão Quente",
            "45",
            "maria@paoquente.com.br",
            "11987654321",
            "1",
            "1",
            "1",
            "01310-100",
            "Av. Paulista, Bela Vista, São Paulo/SP",
            "1000",
            "não",
        ],
    )
    before = len(twilio_server.fake.sent)
    twilio_server.post(CLIENT, "1")
    # Two replies: the confirmation, then the documents step's first question (in that order).
    sent = twilio_server.fake.wait_for(before + 2)
    confirmed, last = sent[-2], sent[-1]
    assert last.to == f"whatsapp:{CLIENT}" and last.from_ == "whatsapp:+5511900000000"
    assert "Cadastro confirmado" in (confirmed.body or "")
    assert "cartão CNPJ" in (last.body or "")
    assert last.status_callback == "https://acolhe.example.com.br/webhooks/twilio/status"
    consent = sent[0].body or ""
    assert "1) Concordo" in consent and "2) Não concordo" in consent
    with twilio_server.runtime.sessions() as session:
        assert session.scalars(select(Client)).one().cnpj == "11222333000181"
        assert session.scalar(select(func.count(Contact.id))) == 4
        assert session.scalars(select(Onboarding)).one().stage == "documentos"
        statuses = {
            m.status for m in session.scalars(select(Message).where(Message.direction == "out"))
        }
        assert statuses == {"queued"}


def test_forged_and_missing_signatures_are_refused_and_store_nothing(
    twilio_server: TwilioClient,
) -> None:
    forged = twilio_server.post(CLIENT, "oi", signature="bm90IGEgc2lnbmF0dXJl")
    missing = twilio_server.post(CLIENT, "oi", signature="")
    assert forged.status_code == 403 and missing.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    with twilio_server.runtime.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == 0


def test_malformed_webhook_gets_400(twilio_server: TwilioClient) -> None:
    from tests.e2e.conftest import PUBLIC_URL
    from tests.fakes.signing import twilio_signed_form

    form, signature = twilio_signed_form(
        f"{PUBLIC_URL}/webhooks/twilio", {"Body": "oi"}, twilio_server.fake.auth_token
    )
    response = twilio_server.http.post(
        "/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 400


def test_the_same_message_sid_twice_and_concurrently_gets_one_reply(
    twilio_server: TwilioClient,
) -> None:
    first = twilio_server.post(CLIENT, "oi", sid="SM" + "a" * 32)
    again = twilio_server.post(CLIENT, "oi", sid="SM" + "a" * 32)
    assert first.status_code == again.status_code == 200
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(
                lambda _: twilio_server.post(CLIENT, "1", sid="SM" + "b" * 32).status_code, range(4)
            )
        )
    assert codes == [200] * 4
    twilio_server.fake.wait_for(2)
    import time

    time.sleep(0.5)  # would-be duplicates have had time to be sent
    assert len(twilio_server.fake.sent) == 2
    with twilio_server.runtime.sessions() as session:
        inbound = session.scalar(select(func.count(Message.id)).where(Message.direction == "in"))
        assert inbound == 2


def test_two_messages_of_one_client_at_once_are_handled_in_order(
    twilio_server: TwilioClient,
) -> None:
    twilio_server.post(CLIENT, "oi")
    twilio_server.post(CLIENT, "1")
    twilio_server.fake.wait_for(2)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a = pool.submit(twilio_server.post, CLIENT, "Maria da Silva", sid="SM" + "1" * 32)
        b = pool.submit(twilio_server.post, CLIENT, "2", sid="SM" + "2" * 32)
        assert a.result().status_code == b.result().status_code == 200
    sent = twilio_server.fake.wait_for(4)
    bodies = [m.body or "" for m in sent]
    inbound_order: list[str] = []
    with twilio_server.runtime.sessions() as session:
        inbound_order = [
            m.text
            for m in session.scalars(
                select(Message).where(Message.direction == "in").order_by(Message.id)
            )
        ]
    # Whatever order they arrived in, each was handled against the state the previous left.
    if inbound_order[2:] == ["Maria da Silva", "2"]:
        assert "Prazer, Maria da Silva" in bodies[2] and "CNPJ" in bodies[3]
    else:
        assert inbound_order[2:] == ["2", "Maria da Silva"]
        assert "nome" in bodies[2].lower()


def test_provider_500_and_429_are_retried_and_delivered_once(
    twilio_server: TwilioClient,
) -> None:
    twilio_server.fake.fail_next(500)
    twilio_server.fake.fail_next(429, retry_after=0.2)
    twilio_server.post(CLIENT, "oi")
    # A 500 may hide a send that happened: the row is looked up in Twilio's message list
    # (no sooner than the outbox's SETTLE_AFTER_S) before it is sent again, so never twice.
    sent = twilio_server.fake.wait_for(1, timeout=SETTLE_AFTER_S + 20)
    assert len(sent) == 1 and "Você concorda" in (sent[0].body or "")
    assert twilio_server.fake.attempts == 3
    assert twilio_server.fake.list_requests >= 1  # settled with the provider first
    item = eventually(lambda: _outbox_item("sent", twilio_server), what="outbox row sent")
    assert item.attempts == 3


def test_permanent_failure_goes_to_dead_letter(twilio_server: TwilioClient) -> None:
    twilio_server.fake.fail_next(400)
    twilio_server.post(CLIENT, "oi")
    eventually(lambda: _outbox_item("dead", twilio_server), what="dead-lettered row")
    with twilio_server.runtime.sessions() as session:
        item = session.scalars(select(OutboxItem)).one()
        message = session.get(Message, item.message_id)
        assert item.status == "dead" and message is not None
        assert message.status == "failed" and message.error_code == "21211"
    assert twilio_server.fake.sent == []


def test_metrics_and_readiness(twilio_server: TwilioClient) -> None:
    twilio_server.post(CLIENT, "oi")
    twilio_server.post(CLIENT, "quero falar com um atendente")
    twilio_server.fake.wait_for(2)
    ready = twilio_server.http.get("/readyz").json()
    assert ready["ready"] is True and ready["checks"]["database"] == "ok"
    text = twilio_server.http.get("/metrics").text
    assert 'acolhe_messages_in_total{channel="twilio_whatsapp",outcome="handled"} 2.0' in text
    assert 'acolhe_escalations_total{reason="request_human"} 1.0' in text
    assert 'acolhe_open_escalations{status="open"} 1.0' in text
    assert 'acolhe_onboardings_sla{status="on_track"} 1.0' in text
    assert 'acolhe_onboardings_sla{status="breached"} 0.0' in text
    assert (
        'acolhe_http_request_seconds_count{method="POST",route="/webhooks/twilio",status="200"} 2.0'
        in text
    )


def test_many_clients_at_once_share_transactions_and_each_gets_one_reply(
    twilio_server: TwilioClient,
) -> None:
    clients = [f"+551197{n:07d}" for n in range(48)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda c: twilio_server.post(c, "oi").status_code, clients))
    assert codes == [200] * len(clients)
    twilio_server.fake.wait_for(len(clients))
    import time

    time.sleep(0.3)  # would-be duplicates have had time to be sent
    assert sorted(m.to for m in twilio_server.fake.sent) == sorted(f"whatsapp:{c}" for c in clients)
    metrics = twilio_server.http.get("/metrics").text
    turns = _metric(metrics, "acolhe_turn_batch_size_sum")
    batches = _metric(metrics, "acolhe_turn_batch_size_count")
    assert turns == len(clients)
    assert batches < len(clients)  # turns that were ready together ran in one transaction


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_a_repeated_field_is_signed_with_all_its_values(twilio_server: TwilioClient) -> None:
    from twilio.request_validator import RequestValidator

    from bot.channels.webhooks import FormFields
    from tests.e2e.conftest import BOT_NUMBER, PUBLIC_URL

    fields = [
        ("MessageSid", "SM" + "c" * 32),
        ("From", f"whatsapp:{CLIENT}"),
        ("To", f"whatsapp:{BOT_NUMBER}"),
        ("Body", "oi"),
        ("NumMedia", "0"),
        ("Tag", "first"),
        ("Tag", "second"),  # a field Twilio might repeat: every value is signed
    ]
    validator = RequestValidator(twilio_server.fake.auth_token)
    signature = validator.compute_signature(f"{PUBLIC_URL}/webhooks/twilio", FormFields(fields))
    body = {"Tag": ["first", "second"], **{k: v for k, v in fields if k != "Tag"}}
    tampered = {**body, "Tag": ["first", "third"]}

    refused = twilio_server.http.post(
        "/webhooks/twilio", data=tampered, headers={"X-Twilio-Signature": signature}
    )
    accepted = twilio_server.http.post(
        "/webhooks/twilio", data=body, headers={"X-Twilio-Signature": signature}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert "Você concorda" in (twilio_server.fake.wait_for(1)[0].body or "")
