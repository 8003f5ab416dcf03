"""The one retry policy and the one ``Retry-After`` parser (RFC 9110 §10.2.3)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.retrying import MAX_RETRY_AFTER_S, RetryPolicy, retry_after_seconds

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)


# ---------------------------------------------------------------- delta-seconds
@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        ("120", 120.0),
        (" 1.5 ", 1.5),  # not RFC, but some servers send it: believed
        ("0", 0.0),
        ("+5", 5.0),
        (7, 7.0),  # a number from a body (Telegram's parameters.retry_after)
        (2.5, 2.5),
        (0, 0.0),
    ],
)
def test_delta_seconds(value: str | float, seconds: float) -> None:
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "-3",
        "-0.5",
        -1,
        -0.1,
        "abc",
        "3 seconds",
        "1,5",
        "nan",
        float("nan"),
        "NaN",
        "inf",
        True,
        False,
        "12abc",
        "..",
        "Wed, 99 Foo 2015",
    ],
)
def test_garbage_and_negative_values_are_none(value: str | float | None) -> None:
    assert retry_after_seconds(value, NOW) is None


@pytest.mark.parametrize("value", ["999999999999", "1e400", 10**20, float("inf")])
def test_huge_waits_are_capped_to_a_day(value: str | float) -> None:
    assert retry_after_seconds(value, NOW) == MAX_RETRY_AFTER_S


def test_the_cap_can_be_chosen() -> None:
    assert retry_after_seconds("600", NOW, cap_s=60.0) == 60.0
    assert retry_after_seconds("30", NOW, cap_s=60.0) == 30.0


# ---------------------------------------------------------------- HTTP-date
@pytest.mark.parametrize(
    "value",
    [
        "Wed, 21 Oct 2015 07:30:00 GMT",  # IMF-fixdate, the preferred form
        "Wednesday, 21-Oct-15 07:30:00 GMT",  # obsolete RFC 850
        "Wed Oct 21 07:30:00 2015",  # obsolete asctime (no zone: GMT)
        "Wed, 21 Oct 2015 07:30:00 +0000",
        "  Wed, 21 Oct 2015 07:30:00 GMT  ",
    ],
)
def test_http_date_in_the_future_is_the_time_until_it(value: str) -> None:
    assert retry_after_seconds(value, NOW) == 120.0


def test_http_date_with_an_offset_is_compared_as_an_instant() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 09:30:00 +0200", NOW) == 120.0


def test_http_date_in_the_past_means_now() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", NOW) == 0.0
    assert retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", NOW) == 0.0


def test_http_date_far_ahead_is_capped() -> None:
    assert retry_after_seconds("Fri, 31 Dec 2100 23:59:59 GMT", NOW) == MAX_RETRY_AFTER_S


def test_a_naive_now_is_read_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:29:00 GMT", naive) == 60.0


def test_now_in_another_zone_is_the_same_instant() -> None:
    brasilia = NOW.astimezone(timezone(timedelta(hours=-3)))
    assert retry_after_seconds("Wed, 21 Oct 2015 07:29:00 GMT", brasilia) == 60.0


def test_without_now_the_system_clock_is_used() -> None:
    ahead = datetime.now(UTC) + timedelta(hours=1)
    seconds = retry_after_seconds(ahead.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert seconds is not None
    assert 3500.0 < seconds <= 3600.0


# ---------------------------------------------------------------- the policy
def test_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(max_attempts=10, base_s=2.0, cap_s=30.0, jitter=0.0)
    assert [policy.delay(n) for n in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_attempt_zero_waits_the_base() -> None:
    assert RetryPolicy(base_s=3.0, jitter=0.0).delay(0) == 3.0


def test_very_many_attempts_stay_at_the_cap() -> None:
    assert RetryPolicy(cap_s=900.0, jitter=0.0).delay(5000) == 900.0


def test_jitter_stays_within_its_band() -> None:
    policy = RetryPolicy(base_s=10.0, cap_s=1000.0, jitter=0.2)
    rng = random.Random(18)
    delays = [policy.delay(1, rng=rng) for _ in range(500)]
    assert min(delays) >= 8.0
    assert max(delays) <= 12.0
    assert len(set(delays)) > 400  # workers that failed together come back apart


def test_never_sooner_than_retry_after() -> None:
    policy = RetryPolicy(base_s=2.0, cap_s=900.0, jitter=0.2)
    assert policy.delay(1, 60.0) == 60.0
    assert policy.delay(1, 3600.0) == 3600.0  # beyond the cap: the server's word wins
    assert 1.6 <= policy.delay(1, 0.5) <= 2.4  # a shorter Retry-After does not shorten it
    assert 1.6 <= policy.delay(1, None) <= 2.4


def test_exhausted_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.exhausted(n) for n in range(5)] == [False, False, False, True, True]


@pytest.mark.parametrize(
    "options",
    [{"max_attempts": 0}, {"base_s": -1.0}, {"cap_s": -1.0}, {"jitter": 1.0}, {"jitter": -0.1}],
)
def test_nonsense_policies_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        RetryPolicy(8, 2.0)  # type: ignore[call-arg]
