"""A steady Twilio load: clients that write like people (a message, wait for the bot's reply,
think, the next), posted as signed Twilio webhooks (bench/webhooks' form) through the proxy,
with Twilio's side of a failed webhook played too: an error answer, a broken connection or no
answer in time is Twilio's error 11200, and the same message (same ``MessageSid``) is posted
again after ``retry_delay_s``, up to ``retries`` times, all within ``total_s`` — what Twilio's
connection overrides allow at most (``rc`` up to 5 retries, ``tt`` up to 15 s for every attempt
together; by default one retry). ``total_s=None`` gives each attempt its own 15 s instead (a
more patient Twilio than the real one, for checking our side only)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from tests.fakes.signing import twilio_signed_form
from tests.fakes.twilio import FakeTwilio

BOT_NUMBER = "+5511900000000"
WEBHOOK_TIMEOUT_S = 15.0  # Twilio's
SCRIPT = ("oi", "1", "Maria da Silva")
PHOTO = "<photo>"
REPLY_TIMEOUT_S = 150.0  # a client gives up waiting after this (the message is then "stuck")


@dataclass
class Attempt:
    started: float
    ended: float
    outcome: str  # "200", "HTTP 500", "timeout", "connection"


@dataclass
class ClientMessage:
    scenario: str
    phone: str
    sid: str
    body: str
    started: float
    attempts: list[Attempt] = field(default_factory=list)
    acked: float | None = None
    replied: float | None = None

    @property
    def e2e(self) -> float | None:
        return None if self.replied is None else self.replied - self.started


class Replies:
    """Arrival times of the fake Twilio's accepted messages per recipient, polled from
    ``fake.sent``; a client waits for its next one."""

    def __init__(self, fake: FakeTwilio) -> None:
        self.fake = fake
        self.seen = 0
        self.arrivals: dict[str, list[float]] = {}
        self._waiting: dict[tuple[str, int], asyncio.Future[float]] = {}

    def count(self, to: str) -> int:
        return len(self.arrivals.get(to, []))

    def poll(self) -> None:
        sent = self.fake.sent[self.seen :]
        now = time.monotonic()
        for message in sent:
            arrivals = self.arrivals.setdefault(message.to, [])
            arrivals.append(now)
            waiter = self._waiting.pop((message.to, len(arrivals)), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)
        self.seen += len(sent)

    async def next_after(self, to: str, count: int, *, timeout_s: float) -> float:
        """When the ``count + 1``-th message to ``to`` arrived."""
        arrivals = self.arrivals.get(to, [])
        if len(arrivals) > count:
            return arrivals[count]
        waiter = self._waiting.setdefault(
            (to, count + 1), asyncio.get_running_loop().create_future()
        )
        return await asyncio.wait_for(asyncio.shield(waiter), timeout_s)


class Load:
    """Starts clients at ``rate / len(SCRIPT)`` per second while running; ``burst`` adds
    one-message clients at once. Every message is kept in ``messages``."""

    def __init__(
        self,
        *,
        fake: FakeTwilio,
        url: str,
        public_url: str,
        rate: float,
        retries: int = 5,
        retry_delay_s: float = 2.5,
        total_s: float | None = WEBHOOK_TIMEOUT_S,
        think_s: tuple[float, float] = (0.5, 1.5),
        first_phone: int = 0,
    ) -> None:
        self.fake = fake
        self.url = url
        self.public_url = public_url
        self.rate = rate
        self.retries = retries
        self.retry_delay_s = retry_delay_s
        self.total_s = total_s
        self.think_s = think_s
        self.replies = Replies(fake)
        self.messages: list[ClientMessage] = []
        self.scenario = "warm-up"
        self.photos = False
        self._phones = itertools.count(first_phone)
        self._clients: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Load:
        # A new connection per webhook, as a load balancer's clients mostly are: a killed
        # backend fails only the requests it was serving.
        connector = aiohttp.TCPConnector(limit=512, force_close=True)
        self._http = aiohttp.ClientSession(connector=connector)
        self._pump = asyncio.create_task(self._poll_replies())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._pump.cancel()
        for task in list(self._clients):
            task.cancel()
        await asyncio.gather(*self._clients, return_exceptions=True)
        assert self._http is not None
        await self._http.close()

    async def _poll_replies(self) -> None:
        while True:
            self.replies.poll()
            await asyncio.sleep(0.005)

    async def run(self, seconds: float) -> None:
        """Starts clients at the steady rate for ``seconds``."""
        every = len(SCRIPT) / self.rate
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._spawn(SCRIPT_WITH_PHOTO if self.photos else SCRIPT)
            await asyncio.sleep(every)

    def burst(self, clients: int) -> None:
        """``clients`` one-message clients at once (sends in flight at the moment of a fault)."""
        for _ in range(clients):
            self._spawn(SCRIPT[:1])

    def active(self) -> int:
        return len(self._clients)

    async def drained(self, timeout_s: float) -> bool:
        """Waits until every client finished (got its replies or gave up)."""
        deadline = time.monotonic() + timeout_s
        while self._clients and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        return not self._clients

    def _spawn(self, script: tuple[str, ...]) -> None:
        task = asyncio.create_task(self._client(script))
        self._clients.add(task)
        task.add_done_callback(self._clients.discard)

    async def _client(self, script: tuple[str, ...]) -> None:
        phone = f"+55119{next(self._phones):08d}"
        to = f"whatsapp:{phone}"
        for body in script:
            before = self.replies.count(to)
            message = ClientMessage(
                self.scenario, phone, "SM" + uuid.uuid4().hex, body, time.monotonic()
            )
            self.messages.append(message)
            posted = await self._post(message)
            try:  # Twilio may have given up on a webhook that was handled all the same
                message.replied = await self.replies.next_after(
                    to, before, timeout_s=REPLY_TIMEOUT_S if posted else 30.0
                )
            except TimeoutError:
                return
            if not posted:
                return  # the client thinks its message was lost
            await asyncio.sleep(random.uniform(*self.think_s))

    async def _post(self, message: ClientMessage) -> bool:
        assert self._http is not None
        params = {
            "SmsMessageSid": message.sid,
            "NumMedia": "0",
            "ProfileName": "Chaos",
            "MessageType": "text",
            "WaId": message.phone.lstrip("+"),
            "Body": message.body,
            "To": f"whatsapp:{BOT_NUMBER}",
            "MessageSid": message.sid,
            "AccountSid": self.fake.account_sid,
            "From": f"whatsapp:{message.phone}",
            "ApiVersion": "2010-04-01",
        }
        if message.body == PHOTO:
            params.update(
                NumMedia="1",
                MessageType="image",
                Body="",
                MediaContentType0="image/png",
                MediaUrl0=self.fake.add_media(_photo(message.phone), "image/png"),
            )
        form, signature = twilio_signed_form(
            f"{self.public_url}/webhooks/twilio", params, self.fake.auth_token
        )
        headers = {"X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": message.sid}
        first = time.monotonic()
        for attempt in range(1 + self.retries):
            if attempt:
                await asyncio.sleep(self.retry_delay_s)
            started = time.monotonic()
            budget = WEBHOOK_TIMEOUT_S
            if self.total_s is not None:
                budget = min(budget, self.total_s - (started - first))
                if budget <= 0.1:
                    break  # Twilio's total time is spent: it gives up
            timeout = aiohttp.ClientTimeout(total=budget)
            try:
                async with self._http.post(
                    f"{self.url}/webhooks/twilio", data=form, headers=headers, timeout=timeout
                ) as response:
                    await response.read()
                    outcome = "200" if response.status == 200 else f"HTTP {response.status}"
            except TimeoutError:
                outcome = "timeout"
            except aiohttp.ClientError:
                outcome = "connection"
            message.attempts.append(Attempt(started, time.monotonic(), outcome))
            if outcome == "200":
                message.acked = time.monotonic()
                return True
        return False


SCRIPT_WITH_PHOTO = ("oi", "1", PHOTO)  # files are kept only after the consent


def _photo(phone: str) -> bytes:
    """A small real PNG, different for each client (the store is content-addressed: the same
    bytes twice would be written once)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 80), f"CARTAO CNPJ 12.345.678/0001-95 {phone}", fill="black")
    draw.text((20, 120), uuid.uuid4().hex, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
