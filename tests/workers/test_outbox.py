"""The outbox worker: crash recovery, several workers, the 24-hour window, opt-out, statuses."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.bootstrap import Runtime, build_gateway, build_outbox_worker, build_runtime
from bot.coordination import InProcessRateLimiter
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, OutboundMessage
from bot.service.deliveries import record_delivery_status
from bot.service.message_store import store_outbound
from bot.storage.models import Conversation, Message, OutboxItem
from tests.e2e.conftest import twilio_settings
from tests.fakes.twilio import FakeTwilio, content_variables
from tests.support.conversation import Chat
from tests.support.scripted_nlu import ScriptedInterpreter

CLIENT = "+5511987654321"


def _runtime(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock, **extra: object
) -> Runtime:
    """The database fixture is migrated already; migrating from threads is not supported."""
    settings = twilio_settings(database_url, tmp_path, fake, **extra)
    return build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)


async def _deliver_all(runtime: Runtime, rounds: int = 20) -> None:
    gateway = build_gateway(runtime.settings)
    await gateway.start()
    try:
        worker = build_outbox_worker(runtime, gateway)
        for _ in range(rounds):
            if await worker.run_once() == 0:
                break
    finally:
        await gateway.close()


def _queue(
    runtime: Runtime, texts: list[str], *, kind: str = "reply", address: str = CLIENT
) -> int:
    """Stores outbound messages for one WhatsApp conversation, as a committed turn would."""
    now = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        conversation = session.scalar(select(Conversation).where(Conversation.address == address))
        if conversation is None:
            conversation = Conversation(
                channel=Channel.TWILIO_WHATSAPP.value,
                address=address,
                state={},
                last_inbound_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
        for text in texts:
            store_outbound(
                session,
                conversation,
                reply=OutboundMessage(text=text, kind=kind),
                author="bot",
                now=now,
            )
        return conversation.id


class VirtualTimeRateLimiter(InProcessRateLimiter):
    """The in-process limiter on a clock of its own that only its waits move: what the
    worker had to wait is counted, not timed."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        super().__init__(clock=lambda: self.now)

    async def wait(
        self,
        key: str,
        *,
        rate_per_s: float,
        burst: int,
        tokens: int = 1,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        async def advance(seconds: float) -> None:
            self.slept.append(seconds)
            self.now += max(seconds, 1e-9)  # a float-rounding 1e-17 s wait must move it
            await asyncio.sleep(0)

        await super().wait(key, rate_per_s=rate_per_s, burst=burst, tokens=tokens, sleep=advance)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


def test_committed_but_unsent_replies_are_delivered_after_a_restart(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    first = _runtime(database_url, tmp_path, fake, clock)
    chat = Chat(first, address=CLIENT, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")  # committed with its outbox row; the process "dies" before the worker runs
    first.close()

    restarted = _runtime(database_url, tmp_path, fake, clock)
    asyncio.run(_deliver_all(restarted))
    asyncio.run(_deliver_all(restarted))  # a second pass sends nothing again
    restarted.close()
    assert len(fake.sent) == 1 and "Você concorda" in (fake.sent[0].body or "")


def test_an_expired_claim_is_taken_over_by_another_worker(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = _runtime(database_url, tmp_path, fake, clock)
    _queue(runtime, ["olá"])
    with runtime.sessions() as session, session.begin():
        item = session.scalars(select(OutboxItem)).one()
        item.claimed_until = clock.now() + timedelta(seconds=60)  # a worker that died mid-send
    asyncio.run(_deliver_all(runtime))
    assert fake.sent == []
    clock.advance(timedelta(seconds=61))
    asyncio.run(_deliver_all(runtime))
    runtime.close()
    assert [m.body for m in fake.sent] == ["olá"]


def test_two_workers_never_send_the_same_message_twice(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = _runtime(database_url, tmp_path, fake, clock)
    expected: list[str] = []
    for n in range(30):
        texts = [f"c{n}-m{i}" for i in range(3)]
        _queue(runtime, texts, address=f"+55119{n:08d}")
        expected += texts
    runtime.close()

    def worker_thread() -> None:
        own = _runtime(database_url, tmp_path, fake, clock)
        try:
            asyncio.run(_deliver_all(own, rounds=50))
        finally:
            own.close()

    threads = [threading.Thread(target=worker_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    bodies = [m.body or "" for m in fake.sent]
    assert sorted(bodies) == sorted(expected)  # each exactly once
    for n in range(30):  # and each conversation's messages in order
        mine = [b for b in bodies if b.startswith(f"c{n}-")]
        assert mine == [f"c{n}-m0", f"c{n}-m1", f"c{n}-m2"]


def test_outside_the_24_hour_window_a_template_is_used_or_the_message_is_held(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    sid = "HX" + "a" * 32
    runtime = _runtime(
        database_url, tmp_path, fake, clock, whatsapp_templates_json=f'{{"reminder": "{sid}"}}'
    )
    _queue(runtime, ["oi"])
    clock.advance(timedelta(hours=25))
    _queue(runtime, ["Lembrete: falta pouco para concluir o cadastro."], kind="reminder")
    _queue(runtime, ["Resposta tardia da equipe."], kind="staff")
    asyncio.run(_deliver_all(runtime))
    # "oi" was queued inside the window but is only sent now, 25 h later: held too.
    with runtime.sessions() as session:
        statuses = [i.status for i in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    runtime.close()
    assert statuses == ["held", "sent", "held"]
    assert len(fake.sent) == 1
    assert fake.sent[0].content_sid == sid and fake.sent[0].body is None
    assert content_variables(fake.sent[0])["1"].startswith("Lembrete")


def test_opted_out_clients_get_no_reminder_but_replies_still_go(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = _runtime(database_url, tmp_path, fake, clock)
    chat = Chat(runtime, address=CLIENT, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    chat.say("SAIR")
    _queue(runtime, ["Lembrete!"], kind="reminder")
    asyncio.run(_deliver_all(runtime))
    with runtime.sessions() as session:
        statuses = [i.status for i in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    runtime.close()
    assert statuses == ["sent", "sent", "suppressed"]
    assert "não vai mais receber" in (fake.sent[1].body or "")


def test_delivery_statuses_only_move_forward(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = _runtime(database_url, tmp_path, fake, clock)
    _queue(runtime, ["oi"])
    asyncio.run(_deliver_all(runtime))
    sid = fake.sent[0].sid
    for status in ("delivered", "sent", "read", "queued"):
        assert record_delivery_status(
            runtime.sessions, provider_message_id=sid, status=status, error_code=None
        )
    assert not record_delivery_status(
        runtime.sessions, provider_message_id="SMunknown", status="read", error_code=None
    )
    with runtime.sessions() as session:
        message = session.scalars(select(Message)).one()
    runtime.close()
    assert message.status == "read"


def test_bot_messages_are_not_sent_while_a_person_owns_the_conversation(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = _runtime(database_url, tmp_path, fake, clock)
    conversation_id = _queue(runtime, ["pergunta do bot"])
    with runtime.sessions() as session, session.begin():
        conversation = session.get_one(Conversation, conversation_id)
        conversation.bot_paused = True
        store_outbound(
            session,
            conversation,
            reply=OutboundMessage(text="Oi, aqui é a Carla", kind="staff"),
            author="staff",
            now=clock.now(),
        )
    asyncio.run(_deliver_all(runtime))
    runtime.close()
    assert [m.body for m in fake.sent] == ["Oi, aqui é a Carla"]


# long: one end-to-end story, step after step as a person (or process) lives it
def test_telegram_chat_limit_spaces_messages_to_one_chat(database_url: str, tmp_path: Path) -> None:
    """Telegram allows about 1 message/s per chat: a burst beyond the bucket waits."""
    from bot.workers.outbox import ChannelLimits, OutboxWorker, RateLimit
    from tests.fakes.telegram import FakeTelegram

    with FakeTelegram() as telegram:
        from bot.config import Settings

        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url,
            telegram_bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_secret_token="secret_1",  # type: ignore[arg-type]
            telegram_api_url=telegram.url,
            nlu_cache_dir=tmp_path / "nlu",
        )
        runtime = build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
        now = runtime.clock.now()
        with runtime.sessions() as session, session.begin():
            conversation = Conversation(
                channel="telegram",
                address="7234567890",
                state={},
                last_inbound_at=now,
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
            for n in range(4):
                store_outbound(
                    session,
                    conversation,
                    reply=OutboundMessage(text=f"m{n}"),
                    author="bot",
                    now=now,
                )

        limiter = VirtualTimeRateLimiter()

        async def deliver() -> None:
            gateway = build_gateway(settings)
            await gateway.start()
            worker = OutboxWorker(
                sessions=runtime.sessions,
                senders=gateway.senders,
                clock=runtime.clock,
                rate_limiter=limiter,
                limits=ChannelLimits(per_sender={}, per_chat={"telegram": RateLimit(5.0, 2)}),
            )
            while await worker.run_once():
                pass
            await gateway.close()

        asyncio.run(deliver())
        runtime.close()
        assert [m["text"] for m in telegram.sent] == ["m0", "m1", "m2", "m3"]
        # 2 at once, then 5/s: the last two waited 0.2 s each (the limiter's own clock).
        assert limiter.now == pytest.approx(0.4)
        assert limiter.slept == pytest.approx([0.2, 0.2])


def _worker_with_limits(
    runtime: Runtime, gateway: object, limiter: object, limits: object
) -> object:
    from bot.workers.outbox import OutboxWorker

    return OutboxWorker(
        sessions=runtime.sessions,
        senders=gateway.senders,  # type: ignore[attr-defined]
        clock=runtime.clock,
        rate_limiter=limiter,  # type: ignore[arg-type]
        limits=limits,  # type: ignore[arg-type]
    )


def test_the_sender_limit_spaces_a_batch_to_many_clients(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    """A claimed batch takes the sender's tokens chunk by chunk: 4 at once, then 20/s."""
    from bot.workers.outbox import ChannelLimits, RateLimit

    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = _runtime(database_url, tmp_path, fake, clock)
    clients = [f"+55119876500{n:02d}" for n in range(12)]
    for client in clients:
        _queue(runtime, [f"olá {client}"], address=client)

    limiter = VirtualTimeRateLimiter()

    async def deliver() -> None:
        gateway = build_gateway(runtime.settings)
        await gateway.start()
        limits = ChannelLimits(per_sender={"twilio_whatsapp": RateLimit(20.0, 4)}, per_chat={})
        worker = _worker_with_limits(runtime, gateway, limiter, limits)
        while await worker.run_once():  # type: ignore[attr-defined]
            pass
        await gateway.close()

    asyncio.run(deliver())
    runtime.close()
    assert sorted(m.to for m in fake.sent) == sorted(f"whatsapp:{c}" for c in clients)
    # 4 at once, then chunks of 4 that wait for their 4 tokens at 20/s (0.2 s each).
    assert limiter.slept == pytest.approx([0.2, 0.2])
    assert limiter.now == pytest.approx(0.4)


def test_an_unavailable_rate_limiter_sends_nothing_and_retries_later(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    from bot.coordination import CoordinationUnavailable, InProcessRateLimiter
    from bot.workers.outbox import ChannelLimits

    class Down(InProcessRateLimiter):
        async def acquire(
            self, key: str, *, rate_per_s: float, burst: int, tokens: int = 1
        ) -> float:
            raise CoordinationUnavailable("redis rate limit failed: connection refused")

    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = _runtime(database_url, tmp_path, fake, clock)
    _queue(runtime, ["um"], address="+5511987650001")
    _queue(runtime, ["dois"], address="+5511987650002")

    async def deliver(limiter: object) -> int:
        gateway = build_gateway(runtime.settings)
        await gateway.start()
        worker = _worker_with_limits(runtime, gateway, limiter, ChannelLimits.defaults())
        handled: int = await worker.run_once()  # type: ignore[attr-defined]
        await gateway.close()
        return handled

    assert asyncio.run(deliver(Down())) == 2
    with runtime.sessions() as session:
        items = session.scalars(select(OutboxItem)).all()
        assert [(i.status, i.attempts) for i in items] == [("pending", 1), ("pending", 1)]
        assert all("rate limiter unavailable" in (i.last_error or "") for i in items)
    assert fake.sent == []
    clock.advance(timedelta(minutes=1))
    assert asyncio.run(deliver(InProcessRateLimiter())) == 2
    runtime.close()
    assert sorted(m.body or "" for m in fake.sent) == ["dois", "um"]


def test_a_row_that_cannot_be_prepared_does_not_hold_the_batch_back(
    database_url: str, tmp_path: Path, fake: FakeTwilio
) -> None:
    """A broken template setting for one kind fails that row (retried later, dead-lettered in
    the end), and the rest of the batch is delivered."""
    from bot.workers.outbox import OutboxWorker

    clock = FakeClock(datetime.fromisoformat("2026-03-02T10:00:00-03:00"))
    runtime = _runtime(database_url, tmp_path, fake, clock)
    _queue(runtime, ["lembrete"], kind="reminder", address="+5511987650001")
    _queue(runtime, ["resposta"], address="+5511987650002")
    with runtime.sessions.begin() as session:  # the first client wrote two days ago
        session.execute(
            update(Conversation)
            .where(Conversation.address == "+5511987650001")
            .values(last_inbound_at=clock.now() - timedelta(days=2))
        )

    async def deliver() -> int:
        gateway = build_gateway(runtime.settings)
        await gateway.start()
        worker = OutboxWorker(
            sessions=runtime.sessions,
            senders=gateway.senders,
            clock=runtime.clock,
            templates={"reminder": object()},  # type: ignore[dict-item]
        )
        handled = await worker.run_once()
        await gateway.close()
        return handled

    assert asyncio.run(deliver()) == 2
    assert [m.body for m in fake.sent] == ["resposta"]
    with runtime.sessions() as session:
        broken = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).first()
        assert broken is not None
        assert (broken.status, broken.attempts) == ("pending", 1)
        assert "unexpected error" in (broken.last_error or "")
    runtime.close()
