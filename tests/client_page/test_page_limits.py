"""The page's rate limits (the project's token buckets, in process here; Redis in production):
a token asked too often, and a client IP guessing tokens, get 429 with ``Retry-After`` and the
same headers, before the database is asked."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from backoffice.client_page import RateLimits
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from tests.backoffice.factories import conversation_of, make_onboarding
from tests.client_page.conftest import IssuedToken


@pytest.fixture
def page_limits() -> RateLimits:
    # Refills take ~17 minutes: nothing comes back during the test.
    return RateLimits(per_ip_per_s=0.001, per_ip_burst=6, per_token_per_s=0.001, per_token_burst=3)


def test_one_token_asked_too_often_waits(
    runtime: Runtime,
    clock: FakeClock,
    issue_link: Callable[..., IssuedToken],
    browser_http: httpx.Client,
) -> None:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now())
        ids = onboarding.id, conversation_of(session, onboarding).id
    link = issue_link(ids[0], conversation_id=ids[1])
    codes = [browser_http.get(link.path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = browser_http.get(link.path)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Muitos acessos" in refused.text
    # refusals cost the address too: five requests so far, the sixth is its last
    assert browser_http.get("/s/" + "C" * 43).status_code == 404
    assert browser_http.get("/s/" + "E" * 43).status_code == 429


def test_guessing_tokens_from_one_address_is_stopped(browser_http: httpx.Client) -> None:
    codes = [browser_http.get(f"/s/{'D' * 42}{c}").status_code for c in "abcdefgh"]
    assert codes == [404] * 6 + [429] * 2
