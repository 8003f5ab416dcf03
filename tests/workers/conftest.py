"""Fixtures of the worker tests: the Twilio fake the outbox tests deliver to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.domain.clock import FakeClock
from tests.fakes.twilio import FakeTwilio


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeTwilio]:
    """Twilio on loopback, stamping ``date_created`` on the test's clock (look-ups compare it
    with the attempt's start)."""
    with FakeTwilio(clock=clock.now) as server:
        yield server
