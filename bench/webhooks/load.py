"""The webhook bench's load: clients that write like people (a message, then wait for the bot's
reply before the next one) over signed Twilio webhooks, and the watcher that sees the replies
reach the fake Twilio."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from tests.fakes.signing import twilio_signed_form
from tests.fakes.twilio import FakeTwilio

__all__ = ["BOT_NUMBER", "MESSAGES", "PUBLIC_URL", "Level", "ReplyWatcher", "run_level"]

PUBLIC_URL = "https://bench.acolhe.example"
BOT_NUMBER = "+5511900000000"
MESSAGES = ("oi", "1", "Maria da Silva")


@dataclass
class Level:
    concurrency: int
    acks: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def failed(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class ReplyWatcher:
    """Counts the fake's accepted messages per recipient, stamps when each arrived, and wakes
    the client waiting for it (one poll of the fake per millisecond for all clients, instead
    of every client polling: the load generator shares the machine with the server)."""

    def __init__(self, fake: FakeTwilio) -> None:
        self.fake = fake
        self.seen = 0
        self.counts: dict[str, int] = {}
        self.times: dict[tuple[str, int], float] = {}
        self._waiting: dict[tuple[str, int], asyncio.Future[float]] = {}
        self._lock = threading.Lock()

    def poll(self) -> None:
        with self._lock:
            sent = self.fake.sent[self.seen :]
            now = time.perf_counter()
            for message in sent:
                count = self.counts.get(message.to, 0) + 1
                self.counts[message.to] = count
                self.times[(message.to, count)] = now
                waiter = self._waiting.pop((message.to, count), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
            self.seen += len(sent)

    async def arrival(self, to: str, index: int, *, timeout_s: float) -> float:
        """When the ``index``-th reply to ``to`` reached the fake (TimeoutError after
        ``timeout_s``)."""
        if (to, index) in self.times:
            return self.times[(to, index)]
        waiter = self._waiting.setdefault((to, index), asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(waiter, timeout_s)


async def _client(
    http: aiohttp.ClientSession,
    base: str,
    *,
    fake: FakeTwilio,
    watcher: ReplyWatcher,
    phone: str,
    level: Level,
) -> None:
    to = f"whatsapp:{phone}"
    for index, body in enumerate(MESSAGES, start=1):
        sid = "SM" + uuid.uuid4().hex
        params = {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ProfileName": "Bench",
            "MessageType": "text",
            "WaId": phone.lstrip("+"),
            "Body": body,
            "To": f"whatsapp:{BOT_NUMBER}",
            "MessageSid": sid,
            "AccountSid": fake.account_sid,
            "From": to,
            "ApiVersion": "2010-04-01",
        }
        form, signature = twilio_signed_form(
            f"{PUBLIC_URL}/webhooks/twilio", params, fake.auth_token
        )
        started = time.perf_counter()
        try:
            async with http.post(
                f"{base}/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature}
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            level.failed(f"{type(exc).__name__}: {exc}"[:120])
            return
        level.acks.append(time.perf_counter() - started)
        if status != 200:
            level.failed(f"HTTP {status}")
            return
        try:
            arrived = await watcher.arrival(to, index, timeout_s=30)
        except TimeoutError:
            level.failed("no reply within 30 s")
            return
        level.e2e.append(arrived - started)


async def run_level(
    base: str,
    *,
    fake: FakeTwilio,
    watcher: ReplyWatcher,
    concurrency: int,
    clients: int,
    first_phone: int,
) -> Level:
    level = Level(concurrency)
    phones = [f"+55119{first_phone + n:08d}" for n in range(clients)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for phone in phones:
        queue.put_nowait(phone)
    # aiohttp rather than httpx: about a fifth of the CPU per request, and the load generator
    # shares the two cores with the server, PostgreSQL and Redis.
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def worker() -> None:
            while not queue.empty():
                phone = queue.get_nowait()
                await _client(http, base, fake=fake, watcher=watcher, phone=phone, level=level)

        async def pump() -> None:
            while True:
                watcher.poll()
                await asyncio.sleep(0.001)

        pumping = asyncio.create_task(pump())
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        pumping.cancel()
    return level
