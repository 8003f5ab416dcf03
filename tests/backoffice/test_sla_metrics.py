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
            sessions=runtime.sessions,
            clock=clock,
            pipelines=load_pipelines(),
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


def test_the_gauge_is_worked_out_at_most_once_per_max_age(
    runtime: Runtime, clock: FakeClock
) -> None:
    collector = SlaCollector(
        sessions=runtime.sessions,
        clock=clock,
        pipelines=load_pipelines(),
        settings=backoffice_settings(runtime.settings),
        max_age=timedelta(seconds=30),
    )
    registry = CollectorRegistry()
    registry.register(collector)

    def on_track() -> str:
        return next(
            line
            for line in generate_latest(registry).decode().splitlines()
            if line.startswith('acolhe_onboardings_sla{status="on_track"}')
        )

    assert on_track().endswith(" 0.0")
    Chat(runtime).say("oi")
    Chat(runtime, address="+5511955550002").say("quero falar com um atendente")
    clock.advance(timedelta(seconds=20))
    assert on_track().endswith(" 0.0")  # a scrape 20 s later gets the same figures
    clock.advance(timedelta(seconds=11))
    assert on_track().endswith(" 2.0")
