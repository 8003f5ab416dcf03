"""Per-conversation FIFO locks shared by every process through Redis: a ticket queue per key.

Each caller takes a ticket (``INCR``) and joins a sorted set ordered by ticket; the caller at the
head owns the lock. Every participant, waiting or holding, keeps a lease (a deadline in a hash,
read on Redis's clock) that it renews while alive; a head whose lease ran out (its process died
or stalled) is removed by the next caller that looks, so a crash blocks a conversation for one
lease at most. Leaving removes only the caller's own ticket (compare-and-delete in Lua), so a
holder whose lease was taken over can never release the new owner's lock.

The lease (``LEASE_S``, 6 s, renewed every 2 s) is shorter than the providers' webhook timeouts
(Twilio waits 15 s in all): a conversation whose holder was killed is free again before the
provider gives up on the next message's webhook, instead of that webhook timing out (Twilio
error 11200) and only a retry getting through. A live holder renews every third of the lease,
so a long turn keeps its lock; only a process stalled for a whole lease loses it.

Keys: ``<prefix>:lock:{<key>}:q`` (queue), ``:l`` (leases), ``:n`` (ticket counter), all in one
cluster slot, all expiring once nobody renews them. As the inbox's gate (``admit``), a handled
message is remembered in ``<prefix>:seen:{<key>}:<message>`` (same slot) by the release script,
and the acquire script answers "duplicate" when the caller's turn comes and it is there.

Waiters poll with exponential backoff (``poll_min_s``..``poll_max_s``); a release in the same
process wakes that process's waiters at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.coordination.conversation_locks import ConversationLocks, HeldLock
from bot.coordination.errors import LockTimeout
from bot.coordination.inbound_gate import Admission, InboundGate, message_key
from bot.coordination.redis_backend import BatchedScript, redis_errors_translated

__all__ = ["LEASE_S", "RedisConversationLocks"]

logger = logging.getLogger(__name__)

LEASE_S = 6.0
"""How long a conversation stays locked after its holder died: under Twilio's 15 s webhook
timeout (and Meta's and Telegram's), with room for the next message's turn."""

_NOW_MS = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local lease = tonumber(ARGV[2])
"""
_TOUCH = """
redis.call('HSET', KEYS[2], ARGV[1], now + lease)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], lease * 2) end
"""

# KEYS: queue, leases, counter[, remembered message]. ARGV: token, lease_ms, enqueue (1|0).
# Returns 1 = the caller owns the lock, 0 = wait, -1 = the caller's ticket was dropped (stalled),
# 2 = the caller's turn came but the message is remembered (a duplicate): it left the queue.
_ACQUIRE = (
    _NOW_MS
    + """
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
elseif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return -1
end
"""
    + _TOUCH
    + """
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == ARGV[1] then
    if KEYS[4] and redis.call('EXISTS', KEYS[4]) == 1 then
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('HDEL', KEYS[2], ARGV[1])
      return 2
    end
    return 1
  end
  local deadline = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if deadline > now then return 0 end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
"""
)

# KEYS: queue, leases, counter. ARGV: token, lease_ms. Returns 1 if still queued, else 0.
_RENEW = (
    _NOW_MS
    + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
"""
    + _TOUCH
    + "return 1\n"
)

# KEYS: queue, leases[, message to remember]. ARGV: token[, seconds to remember it].
# Removes only the caller's own ticket; 1 if it was the owner.
_RELEASE = """
if KEYS[3] then redis.call('SET', KEYS[3], '1', 'NX', 'EX', tonumber(ARGV[2])) end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if head == ARGV[1] then return 1 end
return 0
"""


@dataclass(slots=True)
class _Wakeup:
    event: asyncio.Event = field(default_factory=asyncio.Event)
    waiters: int = 0


class RedisConversationLocks(ConversationLocks, InboundGate):
    """Shared mode: FIFO per-key locks across processes (see the module docstring), and the
    inbox's gate on them (the lock and the duplicate check in one script, the release and the
    remembering in another)."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str,
        lease_s: float = LEASE_S,
        renew_every_s: float | None = None,
        poll_min_s: float = 0.002,
        poll_max_s: float = 0.05,
    ) -> None:
        if lease_s <= 0:
            raise ValueError(f"lease_s must be positive, got {lease_s}")
        self._client = client
        self._prefix = f"{prefix}:lock:"
        self._seen_prefix = f"{prefix}:seen:"
        self._lease_ms = max(1, round(lease_s * 1000))
        self._renew_every_s = lease_s / 3 if renew_every_s is None else renew_every_s
        self._poll_min_s = poll_min_s
        self._poll_max_s = min(poll_max_s, lease_s / 4)
        # Taking and leaving a turn happen for every message: calls that are waiting go to
        # Redis together (one pipeline); renewals are rare (held locks, every lease / 3).
        self._acquire = BatchedScript(client, client.register_script(_ACQUIRE))
        self._renew: AsyncScript = client.register_script(_RENEW)
        self._release = BatchedScript(client, client.register_script(_RELEASE))
        self._wakeups: dict[str, _Wakeup] = {}

    def _keys(self, key: str) -> list[str]:
        base = f"{self._prefix}{{{key}}}:"
        return [base + "q", base + "l", base + "n"]

    @asynccontextmanager
    async def hold(self, key: str, *, timeout_s: float) -> AsyncIterator[HeldLock]:
        held = HeldLock(key)
        keys = self._keys(key)
        await self._enter(held, keys, timeout_s=timeout_s)
        stop_renewing = self._renew_while_held(held, keys)
        try:
            yield held
        finally:
            stop_renewing()
            await self._leave(held, keys)

    @asynccontextmanager
    async def admit(
        self, conversation: str, message: str, *, timeout_s: float, remember_s: int
    ) -> AsyncIterator[Admission]:
        held = HeldLock(conversation)
        keys = self._keys(conversation)
        seen = self._seen_prefix + message_key(conversation, message)
        if not await self._enter(held, keys, timeout_s=timeout_s, seen=seen):
            self._wake(conversation)  # the script already took our ticket out of the queue
            yield Admission(lock=held, duplicate=True)
            return
        admission = Admission(lock=held)
        stop_renewing = self._renew_while_held(held, keys)
        try:
            yield admission
        finally:
            stop_renewing()
            remembered = (seen, remember_s) if admission.remember else None
            await self._leave(held, keys, remember=remembered)

    async def queue_length(self, key: str) -> int:
        with redis_errors_translated("ZCARD"):
            return int(await self._client.zcard(self._keys(key)[0]))

    async def _enter(
        self, held: HeldLock, keys: list[str], *, timeout_s: float, seen: str | None = None
    ) -> bool:
        """Waits for the turn; False when ``seen`` was remembered (the caller left the queue)."""
        try:
            return await self._wait_for_turn(held, keys, timeout_s=timeout_s, seen=seen)
        except BaseException:
            await self._leave(held, keys)
            raise

    async def _wait_for_turn(
        self, held: HeldLock, keys: list[str], *, timeout_s: float, seen: str | None
    ) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        script_keys = keys if seen is None else [*keys, seen]
        # Registered for local wake-ups only once the first try found the lock busy (most
        # messages find their conversation free: nothing to set up for them).
        wakeup: _Wakeup | None = None
        event: asyncio.Event | None = None
        try:
            enqueue, delay = True, self._poll_min_s
            while True:
                if wakeup is not None:
                    event = wakeup.event  # taken before trying, so a release in between is seen
                with redis_errors_translated("lock acquire"):
                    result = await self._acquire(
                        keys=script_keys, args=[held.token, self._lease_ms, int(enqueue)]
                    )
                if result in (1, 2):
                    return bool(result == 1)
                enqueue = result == -1  # we stalled beyond our lease: queue up again
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise LockTimeout(f"lock {held.key!r} not obtained within {timeout_s} s")
                if wakeup is None:
                    wakeup = self._wakeups.setdefault(held.key, _Wakeup())
                    wakeup.waiters += 1
                    event = wakeup.event
                assert event is not None
                try:
                    await asyncio.wait_for(event.wait(), min(delay, remaining))
                    delay = self._poll_min_s
                except TimeoutError:
                    delay = min(delay * 2, self._poll_max_s)
        finally:
            if wakeup is not None:
                wakeup.waiters -= 1
                if wakeup.waiters == 0:
                    del self._wakeups[held.key]

    def _renew_while_held(self, held: HeldLock, keys: list[str]) -> Callable[[], None]:
        """Renews the lease every ``renew_every_s`` while the lock is held; returns the function
        that stops it. Until the first renewal it is only a timer: most turns end long before,
        and a task per message cost more than the message's own lock calls."""
        loop = asyncio.get_running_loop()
        renewer: asyncio.Task[None] | None = None

        def start() -> None:
            nonlocal renewer
            renewer = loop.create_task(self._keep_alive(held, keys), name=f"lock-lease:{held.key}")

        timer = loop.call_later(self._renew_every_s, start)

        def stop() -> None:
            timer.cancel()
            if renewer is not None:
                renewer.cancel()

        return stop

    async def _keep_alive(self, held: HeldLock, keys: list[str]) -> None:
        while True:
            try:
                still_queued = await self._renew(keys=keys, args=[held.token, self._lease_ms])
            except RedisError as exc:  # transient: try again before the lease runs out
                logger.warning("renewing lock %r failed: %s", held.key, exc)
            else:
                if not still_queued:
                    held.lost = True
                    logger.error("lock %r was lost: its lease ran out while held", held.key)
                    return
            await asyncio.sleep(self._renew_every_s)

    async def _leave(
        self, held: HeldLock, keys: list[str], *, remember: tuple[str, int] | None = None
    ) -> None:
        """Remove our ticket (shielded from cancellation), remembering a handled message in
        the same script, and wake local waiters."""
        script_keys, args = keys[:2], [held.token]
        if remember is not None:
            script_keys.append(remember[0])
            args.append(str(remember[1]))
        try:
            owned = await asyncio.shield(self._release(keys=script_keys, args=args))
            held.lost = held.lost or not owned
        except RedisError as exc:  # the lease will expire on its own
            # A handled message not remembered is still stopped by the database's unique
            # index if the provider delivers it again.
            logger.warning("releasing lock %r failed: %s", held.key, exc)
        finally:
            self._wake(held.key)

    def _wake(self, key: str) -> None:
        wakeup = self._wakeups.get(key)
        if wakeup is not None:
            wakeup.event.set()
            wakeup.event = asyncio.Event()
