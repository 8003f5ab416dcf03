"""Links to the client's status page on the database: issued with only the token's hash stored,
resolved only while live, revoked, counted; and offered by the bot inside the turn's
transaction (a new link each time), never to an opted-out contact or an erased client."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from backoffice.access import Principal
from backoffice.erasure import erase_client
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.service.status_links import (
    SessionStatusLinks,
    StatusLinkPolicy,
    issue,
    last_openings,
    link_url,
    record_open,
    resolve,
    revoke,
    well_formed,
)
from bot.storage.models import Client, Conversation, Onboarding, StatusLink
from tests.backoffice.factories import conversation_of, make_onboarding, make_staff
from tests.support.conversation import Chat, register

URL = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]{43})")


def _onboarding(runtime: Runtime, clock: FakeClock) -> tuple[int, int]:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now())
        return onboarding.id, conversation_of(session, onboarding).id


def test_only_the_hash_is_stored_and_the_token_resolves(runtime: Runtime, clock: FakeClock) -> None:
    onboarding_id, conversation_id = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        issued = issue(session, onboarding_id, conversation_id=conversation_id, now=clock.now())
        token = issued.token
    assert well_formed(token) and len(token) == 43
    with runtime.sessions() as session:
        row = session.scalars(select(StatusLink)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {row.token_hash, str(row.id)}
        assert row.expires_at == clock.now() + timedelta(days=30)
        found = resolve(session, token, now=clock.now())
        assert found is not None
        assert (found.onboarding.id, found.conversation and found.conversation.id) == (
            onboarding_id,
            conversation_id,
        )
    assert link_url("https://acolhe.example.com/", token) == f"https://acolhe.example.com/s/{token}"


def test_malformed_unknown_expired_and_revoked_tokens_resolve_to_nothing(
    runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id, conversation_id = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        short = issue(
            session, onboarding_id, conversation_id=conversation_id, now=clock.now(), days=1
        )
        revoked = issue(session, onboarding_id, conversation_id=conversation_id, now=clock.now())
        live = issue(session, onboarding_id, conversation_id=conversation_id, now=clock.now())
        assert (
            revoke(
                session,
                onboarding_id=onboarding_id,
                actor="staff:1",
                now=clock.now(),
                link_id=revoked.link.id,
            )
            == 1
        )
    later = clock.now() + timedelta(days=1)
    with runtime.sessions() as session:
        for token in ("", "abc", "x" * 43 + "/", "é" * 43, "A" * 43, short.token[:-1] + "?"):
            assert resolve(session, token, now=clock.now()) is None, token
        assert resolve(session, short.token, now=clock.now()) is not None
        assert resolve(session, short.token, now=later) is None  # expired at exactly 1 day
        assert resolve(session, revoked.token, now=clock.now()) is None
        assert resolve(session, live.token, now=later) is not None
        row = session.get_one(StatusLink, revoked.link.id)
        assert row.revoked_by == "staff:1"


def test_revoking_all_links_of_an_onboarding_leaves_other_onboardings_alone(
    runtime: Runtime, clock: FakeClock
) -> None:
    mine, my_conversation = _onboarding(runtime, clock)
    theirs, their_conversation = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        a = issue(session, mine, conversation_id=my_conversation, now=clock.now())
        b = issue(session, mine, conversation_id=my_conversation, now=clock.now())
        c = issue(session, theirs, conversation_id=their_conversation, now=clock.now())
        assert revoke(session, onboarding_id=mine, actor="staff:1", now=clock.now()) == 2
        assert revoke(session, onboarding_id=mine, actor="staff:1", now=clock.now()) == 0
    with runtime.sessions() as session:
        assert resolve(session, a.token, now=clock.now()) is None
        assert resolve(session, b.token, now=clock.now()) is None
        assert resolve(session, c.token, now=clock.now()) is not None


def test_openings_are_counted_and_staff_links_do_not_count(
    runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id, conversation_id = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        bot = issue(session, onboarding_id, conversation_id=conversation_id, now=clock.now())
        staff = issue(
            session, onboarding_id, conversation_id=None, now=clock.now(), issued_by="staff:3"
        )
        record_open(session, bot.link.id, now=clock.now())
        record_open(session, bot.link.id, now=clock.now() + timedelta(hours=1))
        record_open(session, staff.link.id, now=clock.now() + timedelta(hours=2))
    with runtime.sessions() as session:
        seen = last_openings(session, onboarding_id, now=clock.now())
    assert seen.opened_count == 2
    assert seen.last_opened_at == clock.now() + timedelta(hours=1)
    assert seen.live_links == 2


def test_an_erased_clients_links_are_deleted_and_resolve_to_nothing(
    runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id, conversation_id = _onboarding(runtime, clock)
    other_id, other_conversation = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        token = issue(
            session, onboarding_id, conversation_id=conversation_id, now=clock.now()
        ).token
        kept = issue(session, other_id, conversation_id=other_conversation, now=clock.now()).token
    with runtime.sessions() as session, session.begin():
        staff, _token = make_staff(session, role="admin", now=clock.now())
        admin = Principal(id=staff.id, name=staff.name, role="admin", team="alpha", segment=None)
        client = session.get_one(Client, session.get_one(Onboarding, onboarding_id).client_id)
        erase_client(session, client, principal=admin, now=clock.now())
    with runtime.sessions() as session:
        assert resolve(session, token, now=clock.now()) is None
        assert (
            session.scalars(
                select(StatusLink).where(StatusLink.onboarding_id == onboarding_id)
            ).all()
            == []
        )
        assert resolve(session, kept, now=clock.now()) is not None


def test_the_port_refuses_opted_out_contacts_erased_clients_and_no_onboarding(
    runtime: Runtime, clock: FakeClock
) -> None:
    policy = StatusLinkPolicy(public_url="https://acolhe.example.com", days=7)
    onboarding_id, conversation_id = _onboarding(runtime, clock)
    with runtime.sessions() as session, session.begin():
        conversation = session.get_one(Conversation, conversation_id)
        port = SessionStatusLinks(
            session, conversation=conversation, now=clock.now(), policy=policy
        )
        first, second = port.offer(), port.offer()
        assert first and second and first != second  # a new token each time
        assert first.startswith("https://acolhe.example.com/s/")
        conversation.opted_out = True
        assert port.offer() is None
        conversation.opted_out = False
        session.get_one(Client, conversation.client_id).erased_at = clock.now()
        assert port.offer() is None
        orphan = Conversation(
            channel="terminal",
            address="nobody",
            state={},
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(orphan)
        session.flush()
        assert (
            SessionStatusLinks(session, conversation=orphan, now=clock.now(), policy=policy).offer()
            is None
        )
    with runtime.sessions() as session:
        rows = session.scalars(select(StatusLink)).all()
        assert len(rows) == 2
        assert {r.expires_at for r in rows} == {clock.now() + timedelta(days=7)}


def test_asking_the_bot_sends_a_new_link_that_opens_the_clients_onboarding(
    runtime: Runtime, clock: FakeClock
) -> None:
    chat = Chat(runtime)
    register(chat)
    done = chat.say("1")  # the review confirmed: the registration moves to documents
    first = URL.findall(done)
    assert "Acompanhe sua implantação" in done and len(first) == 1
    status = chat.say("em que etapa estou?")
    second = URL.findall(status)
    assert len(second) == 1 and second != first
    with runtime.sessions() as session:
        onboarding = session.scalars(select(Onboarding)).one()
        for token in first + second:
            found = resolve(session, token, now=clock.now())
            assert found is not None and found.onboarding.id == onboarding.id
            assert found.conversation is not None and found.conversation.address == chat.address
        assert len(session.scalars(select(StatusLink)).all()) == 2
    plain = chat.say("Rua Augusta")  # an answer, no status: no link
    assert "/s/" not in plain
