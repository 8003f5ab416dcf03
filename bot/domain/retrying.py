"""One way to retry: how long to wait before the next attempt, and what a server's
``Retry-After`` says.

- ``RetryPolicy`` (attempts, exponential backoff with jitter, cap) computes the delay before
  attempt ``n + 1``, never sooner than the server asked. Every outbound client uses it: the
  workers store the result as the row's next attempt time (outbox, ERP push, alert
  deliveries), in-process loops sleep it (BrasilAPI).
- ``retry_after_seconds`` reads ``Retry-After`` in both forms of RFC 9110 §10.2.3:
  delta-seconds (``"120"``) and an HTTP-date (``"Wed, 21 Oct 2015 07:28:00 GMT"``, also the
  obsolete RFC 850 and asctime forms). A number a provider puts in its body (Telegram's
  ``parameters.retry_after``) goes through the same function.

No I/O and nothing from the project: the clock's time is passed in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["MAX_RETRY_AFTER_S", "RetryPolicy", "retry_after_seconds"]

MAX_RETRY_AFTER_S = 86_400.0
"""The longest wait a ``Retry-After`` is believed for: a day (a server's bug or a date far
ahead must not park a message for years)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Attempts and the delays between them.

    The delay before the attempt after ``attempts`` failed ones is
    ``min(cap_s, base_s * 2 ** (attempts - 1))`` times a random factor in
    ``[1 - jitter, 1 + jitter]`` (so workers that failed together do not come back together),
    and never less than the server's ``Retry-After``.
    """

    max_attempts: int = 8
    base_s: float = 2.0
    cap_s: float = 900.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_s < 0 or self.cap_s < 0:
            raise ValueError("max_attempts must be at least 1, base_s and cap_s at least 0")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def exhausted(self, attempts: int) -> bool:
        """True when ``attempts`` made are all this policy allows."""
        return attempts >= self.max_attempts

    def delay(
        self, attempts: int, retry_after: float | None = None, *, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1 for the first)."""
        exponent = max(0, attempts - 1)
        # 2.0 ** 1100 overflows; the cap is reached long before.
        backoff = self.cap_s if exponent > 60 else min(self.cap_s, self.base_s * 2.0**exponent)
        factor = (rng or random).uniform(1.0 - self.jitter, 1.0 + self.jitter)
        return max(backoff * factor, retry_after or 0.0)


def retry_after_seconds(
    value: str | float | None,
    now: datetime | None = None,
    *,
    cap_s: float = MAX_RETRY_AFTER_S,
) -> float | None:
    """Seconds a server asked us to wait, or ``None`` when it did not say (or said nonsense).

    ``value`` is the header's text or a number from a body; ``now`` the current time for the
    HTTP-date form (the system's clock when not given). A date in the past means "now" (0.0);
    waits longer than ``cap_s`` are cut to it; negative numbers, NaN and garbage are ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _capped(float(value), cap_s)
    text = value.strip()
    if not text:
        return None
    if text[0].isdigit() or text[0] in "+-.":
        try:
            return _capped(float(text), cap_s)
        except ValueError:
            return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime carries no zone; HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    if current.tzinfo is None:
        current = current.replace(tzinfo=UTC)
    return _capped(max(0.0, (when - current).total_seconds()), cap_s)


def _capped(seconds: float, cap_s: float) -> float | None:
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, cap_s)
