"""WhatsApp's 24-hour window as the conversation page states it: open (until when), closed with
a template for staff messages configured (the reply goes as the template), closed without one
(the reply is held) — what ``bot.workers.outbox`` does with the reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backoffice.console import ConsoleContext
from backoffice.console.inbox_transcript import window_of
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Conversation
from bot.workers.outbox import SERVICE_WINDOW
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def _conversation(channel: str, last_inbound_at: datetime | None) -> Conversation:
    return Conversation(channel=channel, address="x", last_inbound_at=last_inbound_at)


def test_the_window_is_the_workers_24_hours() -> None:
    assert SERVICE_WINDOW == timedelta(hours=24)
    inside = window_of(
        _conversation("twilio_whatsapp", NOW - timedelta(hours=23)), now=NOW, templates=frozenset()
    )
    assert inside.applies and inside.open and inside.left == timedelta(hours=1)
    edge = window_of(
        _conversation("whatsapp_cloud", NOW - timedelta(hours=24)), now=NOW, templates=frozenset()
    )
    assert edge.open  # the worker holds only past 24 h (now - last > 24 h)
    outside = window_of(
        _conversation("twilio_whatsapp", NOW - timedelta(hours=25)),
        now=NOW,
        templates=frozenset({"staff"}),
    )
    assert outside.applies and not outside.open and outside.template
    never = window_of(_conversation("twilio_whatsapp", None), now=NOW, templates=frozenset())
    assert not never.open and not never.template
    telegram = window_of(_conversation("telegram", None), now=NOW, templates=frozenset())
    assert not telegram.applies


@pytest.fixture
def conversation_ids(runtime: Runtime, passwords: Roster, clock: FakeClock) -> dict[str, int]:
    now = clock.now()
    ids = {}
    with runtime.sessions() as session, session.begin():
        for name, hours in (("open", 2), ("closed", 30)):
            conversation = conversation_of(
                session,
                make_onboarding(
                    session, now=now, csm_id=passwords.csm_owner.id, channel="twilio_whatsapp"
                ),
            )
            conversation.last_inbound_at = now - timedelta(hours=hours)
            conversation.bot_paused, conversation.paused_by = True, passwords.csm_owner.id
            ids[name] = conversation.id
    return ids


def _composer_says(client: httpx.Client, conversation_id: int) -> str:
    page = client.get(f"/console/conversations/{conversation_id}")
    assert page.status_code == 200
    assert csrf_of(page.text)
    start = page.text.index('id="composer-window"')
    return page.text[start : page.text.index("</p>", start)]


def test_without_a_template_the_composer_says_the_reply_will_be_held(
    conversation_ids: dict[str, int], sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in("csm_owner")
    opened = _composer_says(client, conversation_ids["open"])
    assert "está aberta até 25/11 08:00" in opened and "faltam 22 h" in opened
    closed = _composer_says(client, conversation_ids["closed"])
    assert "está fechada" in closed and "ficará retida" in closed
    assert "modelo aprovado" not in closed


class TestWithATemplateForStaffMessages:
    @pytest.fixture
    def console_context(self, console_context: ConsoleContext) -> ConsoleContext:
        return replace(console_context, whatsapp_templates=frozenset({"staff", "reminder"}))

    def test_the_composer_says_the_reply_goes_as_the_template(
        self, conversation_ids: dict[str, int], sign_in: Callable[[str], httpx.Client]
    ) -> None:
        closed = _composer_says(sign_in("csm_owner"), conversation_ids["closed"])
        assert "está fechada" in closed and "modelo aprovado" in closed
        assert "ficará retida" not in closed
