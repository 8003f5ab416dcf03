"""The SLA gauge on /metrics follows the business clock: on track, then breached."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest

from backoffice import load_pipelines
from backoffice.metrics import SlaCollector
from bot.bootstrap import Runtime, backoffice_settings
from bot.domain.clock import FakeClock
from tests.support.conversation import Chat


def _scrape(runtime: Runtime, clock: FakeClock) -> str:
    registry = CollectorRegistry()
    registry.register(
        SlaCollector(
            sessions=runtime.sessions, clock=clock, pipelines=load_pipelines(),
            settings=backoffice_settings(runtime.settings),
        )
    )
    return generate_latest(registry).decode()


def test_an_unanswered_escalation_goes_from_on_track_to_breached(
    runtime: Runtime, clock: FakeClock
) -> None:
    chat = Chat(runtime)
    chat.say("oi")
    # While the client is the one to act, the registration stage's clock is paused; an open
    # escalation puts the company on the clock.
    chat.say("quero falar com um atendente")
    assert 'acolhe_onboardings_sla{status="on_track"} 1.0' in _scrape(runtime, clock)
    clock.advance(timedelta(days=30))
    scraped = _scrape(runtime, clock)
    assert 'acolhe_onboardings_sla{status="on_track"} 0.0' in scraped
    assert 'acolhe_onboardings_sla{status="breached"} 1.0' in scraped
