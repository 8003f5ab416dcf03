"""The inbox: which conversations each tab lists for each role, counts equal to the lists,
tabs a role may not open, what a row says, and the live fragment."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.console.inbox_queries import InboxTab, count_tab, list_tab, tabs_for
from backoffice.console.inbox_rows import MessageMark, shorten, waiting_since
from backoffice.staff_auth import set_password
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Conversation, Escalation, Message, StaffUser
from tests.backoffice.factories import Roster, conversation_of, make_onboarding, make_staff
from tests.console.conftest import PASSWORD, csrf_of

ROLES = ("admin", "manager", "manager_other", "csm_owner", "csm_other", "csm_beta")


@dataclass
class Inbox:
    """Conversation ids of the scenario, by what they are."""

    owner_escalated: int  # csm_owner's onboarding, escalation assigned to csm_owner
    queued: int  # no CSM, escalation nobody took
    other_held: int  # csm_other's onboarding, held by csm_other, no escalation
    beta_taken: int  # team beta's CSM, escalation taken
    quiet: int  # csm_owner's onboarding, nothing open: not in the inbox
    erased: int  # paused by an erasure (no holder): not in the inbox
    staff: dict[str, int]


def _message(
    session: object, conversation_id: int, *, direction: str, author: str, text: str, at: datetime
) -> None:
    assert hasattr(session, "add")
    session.add(
        Message(
            conversation_id=conversation_id,
            direction=direction,
            author=author,
            text=text,
            payload={},
            status="received" if direction == "in" else "delivered",
            created_at=at,
        )
    )


def _escalate(
    session: object,
    conversation: Conversation,
    *,
    at: datetime,
    assigned_to: int | None,
    status: str = "open",
    reason: str = "request_human",
) -> None:
    assert hasattr(session, "add")
    session.add(
        Escalation(
            conversation_id=conversation.id,
            onboarding_id=conversation.onboarding_id,
            reason=reason,
            detail="",
            queue="self_service",
            status=status,
            assigned_to=assigned_to,
            created_at=at,
            taken_at=at if status == "taken" else None,
        )
    )


def _escalated_by_the_client(
    session: Session, passwords: Roster, *, now: datetime, earlier: datetime
) -> Conversation:
    """csm_owner's conversation where the client asked for a person ``earlier`` (escalated)."""
    owner = conversation_of(
        session,
        make_onboarding(
            session,
            now=now,
            csm_id=passwords.csm_owner.id,
            company="Padaria Pão Quente",
            channel="twilio_whatsapp",
        ),
    )
    _message(
        session,
        owner.id,
        direction="out",
        author="bot",
        text="Qual o seu nome?",
        at=earlier - timedelta(minutes=5),
    )
    _message(
        session,
        owner.id,
        direction="in",
        author="client",
        text="Quero falar com uma pessoa de verdade, por favor, é urgente " * 3,
        at=earlier,
    )
    _message(session, owner.id, direction="out", author="bot", text="Chamei a equipe.", at=earlier)
    _escalate(session, owner, at=earlier, assigned_to=passwords.csm_owner.id)
    return owner


@pytest.fixture
def inbox(runtime: Runtime, passwords: Roster, clock: FakeClock) -> Inbox:
    now = clock.now()
    earlier = now - timedelta(hours=3)  # 07:00 in São Paulo: 1 business hour before now
    with runtime.sessions() as session, session.begin():
        beta, _ = make_staff(session, role="csm", team="beta", now=now, name="Bia Beta")
        set_password(session, beta, password=PASSWORD, now=now)
        owner = _escalated_by_the_client(session, passwords, now=now, earlier=earlier)
        queued = conversation_of(session, make_onboarding(session, now=now, company="Fila Ltda"))
        _message(session, queued.id, direction="in", author="client", text="HUMANO", at=now)
        _escalate(session, queued, at=now, assigned_to=None, reason="complaint")
        other = conversation_of(
            session, make_onboarding(session, now=now, csm_id=passwords.csm_other.id)
        )
        other.bot_paused, other.paused_by = True, passwords.csm_other.id
        beta_conversation = conversation_of(
            session, make_onboarding(session, now=now, csm_id=beta.id, company="Beta SA")
        )
        _escalate(session, beta_conversation, at=now, assigned_to=beta.id, status="taken")
        beta_conversation.bot_paused, beta_conversation.paused_by = True, beta.id
        quiet = conversation_of(
            session, make_onboarding(session, now=now, csm_id=passwords.csm_owner.id)
        )
        erased = conversation_of(session, make_onboarding(session, now=now))
        erased.bot_paused = True
        staff = {role: getattr(passwords, role).id for role in ROLES if role != "csm_beta"}
        staff["csm_beta"] = beta.id
        return Inbox(
            owner_escalated=owner.id,
            queued=queued.id,
            other_held=other.id,
            beta_taken=beta_conversation.id,
            quiet=quiet.id,
            erased=erased.id,
            staff=staff,
        )


# What each role's tabs list (a tab missing here is refused with 403).
EXPECTED: dict[str, dict[str, set[str]]] = {
    "csm_owner": {"mine": {"owner_escalated"}, "unassigned": {"queued"}},
    "csm_other": {"mine": {"other_held"}, "unassigned": {"queued"}},
    "csm_beta": {"mine": {"beta_taken"}, "unassigned": {"queued"}},
    "manager": {
        "mine": set(),
        "unassigned": {"queued"},
        "team": {"owner_escalated", "other_held"},
    },
    "manager_other": {"mine": set(), "unassigned": {"queued"}, "team": {"beta_taken"}},
    "admin": {
        "mine": set(),
        "unassigned": {"queued"},
        "team": {"owner_escalated", "other_held"},
        "all": {"owner_escalated", "queued", "other_held", "beta_taken"},
    },
}


def _principal(runtime: Runtime, staff_id: int) -> Principal:
    with runtime.sessions() as session:
        staff = session.get_one(StaffUser, staff_id)
        return Principal(
            id=staff.id, name=staff.name, role=staff.role, team=staff.team, segment=staff.segment
        )


@pytest.mark.parametrize("role", ROLES)
def test_each_tab_lists_what_the_role_should_see_and_counts_equal_lists(
    role: str, inbox: Inbox, runtime: Runtime
) -> None:
    principal = _principal(runtime, inbox.staff[role])
    assert [tab.value for tab in tabs_for(principal)] == list(EXPECTED[role])
    with runtime.sessions() as session:
        for tab in tabs_for(principal):
            page = list_tab(session, principal, tab=tab, limit=500)
            expected = {getattr(inbox, name) for name in EXPECTED[role][tab.value]}
            assert set(page.conversation_ids) == expected, (role, tab)
            assert (
                count_tab(session, principal, tab=tab) == len(page.conversation_ids) == page.total
            )
            assert inbox.quiet not in page.conversation_ids
            assert inbox.erased not in page.conversation_ids


def _rows_of(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'id="row-(\d+)"', html)}


def _counts_of(html: str) -> dict[str, int]:
    return {tab: int(count) for tab, count in re.findall(r'data-tab-count="(\w+)">(\d+)<', html)}


@pytest.mark.parametrize("role", ("csm_owner", "manager", "admin"))
def test_the_page_counts_in_the_tabs_equal_the_lists_shown(
    role: str, inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in(role)
    for tab, names in EXPECTED[role].items():
        page = client.get(f"/console/inbox?tab={tab}")
        assert page.status_code == 200, page.text
        shown = _rows_of(page.text)
        assert shown == {getattr(inbox, name) for name in names}
        counts = _counts_of(page.text)
        assert counts[tab] == len(shown)
        assert set(counts) == set(EXPECTED[role])
        # The fragment the live updates fetch carries the same numbers.
        fragment = client.get(f"/console/inbox/list?tab={tab}", headers={"HX-Request": "true"})
        assert _rows_of(fragment.text) == shown
        assert _counts_of(fragment.text)[tab] == len(shown)
        assert 'hx-swap-oob="true"' in fragment.text
        assert f'data-title-count="{len(shown)}"' in fragment.text


def test_the_tab_labels_are_portuguese_by_default(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    page = sign_in("admin").get("/console/inbox")
    labels = re.findall(r'id="tab-\w+"[^>]*>\s*([^<]+?)\s*<span', page.text)
    assert labels == ["Minhas", "Não atribuídas", "Equipe", "Todas"]


@pytest.mark.parametrize(
    ("role", "tab"),
    [("csm_owner", "team"), ("csm_owner", "all"), ("manager", "all"), ("csm_other", "all")],
)
def test_a_tab_the_role_may_not_open_is_refused(
    role: str, tab: str, inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in(role)
    page = client.get(f"/console/inbox?tab={tab}")
    assert page.status_code == 403
    assert "Você não tem acesso a isto" in page.text
    assert client.get(f"/console/inbox/list?tab={tab}").status_code == 403


def test_an_unknown_tab_is_a_422(inbox: Inbox, sign_in: Callable[[str], httpx.Client]) -> None:
    assert sign_in("csm_owner").get("/console/inbox?tab=everything").status_code == 422


def test_a_row_says_company_channel_last_message_wait_reason_sla_and_holder(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    page = sign_in("csm_owner").get("/console/inbox")
    row = page.text.split(f'id="row-{inbox.owner_escalated}"')[1].split("</tr>")[0]
    assert "Padaria Pão Quente" in row
    assert "WhatsApp" in row
    assert "Quero falar com uma pessoa de verdade" in row and "…" in row  # shortened
    assert "Pediu uma pessoa" in row  # the reason, translated
    # The client wrote at 07:00 in São Paulo; business hours start at 09:00: 1 h waited.
    assert "<strong>1 h</strong>" in row
    assert "Atribuído a" in row
    assert "sla-" in row
    assert page.text.count("<title>(1) Caixa de entrada") == 1


def test_the_holder_is_named_in_the_row(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    page = sign_in("manager").get("/console/inbox?tab=team")
    row = page.text.split(f'id="row-{inbox.other_held}"')[1].split("</tr>")[0]
    with runtime.sessions() as session:
        name = session.get_one(StaffUser, inbox.staff["csm_other"]).name
    assert f"Assumida por {name}" in row


def test_the_fragment_announces_what_is_new(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client], runtime: Runtime, clock: FakeClock
) -> None:
    client = sign_in("csm_owner")
    first = client.get("/console/inbox?tab=unassigned")
    seen = re.search(r'name="seen" value="([^"]*)"', first.text)
    assert seen is not None and seen.group(1) == f"{inbox.queued}:" + seen.group(1).split(":")[1]
    assert "data-announce" not in first.text  # a page load announces nothing
    again = client.get("/console/inbox/list", params={"tab": "unassigned", "seen": seen.group(1)})
    assert "data-announce" not in again.text  # nothing new
    with runtime.sessions() as session, session.begin():
        _message(
            session, inbox.queued, direction="in", author="client", text="Alô?", at=clock.now()
        )
    newer = client.get("/console/inbox/list", params={"tab": "unassigned", "seen": seen.group(1)})
    assert 'data-announce="Nova mensagem de Fila Ltda"' in newer.text
    fresh = client.get("/console/inbox/list", params={"tab": "unassigned", "seen": ""})
    assert 'data-announce="Esperando uma pessoa: Fila Ltda"' in fresh.text


def test_the_list_is_limited_with_a_link_to_more(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in("admin")
    page = client.get("/console/inbox?tab=all&limit=2")
    assert len(_rows_of(page.text)) == 2
    assert _counts_of(page.text)["all"] == 4
    assert 'id="inbox-more" href="/console/inbox?tab=all&amp;limit=52"' in page.text
    assert "inbox-more" not in client.get("/console/inbox?tab=all").text


def test_the_page_listens_to_the_event_stream(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    page = sign_in("csm_owner").get("/console/inbox").text
    assert 'sse-connect="/console/events"' in page
    for kind in (
        "message_in",
        "escalation_opened",
        "escalation_taken",
        "escalation_assigned",
        "escalation_resolved",
        "takeover",
        "released",
        "assigned",
    ):
        assert f"sse:{kind}" in page


def test_waiting_starts_at_the_first_message_nobody_answered() -> None:
    t0 = datetime(2026, 11, 24, 13, 0)
    marks = [
        MessageMark("out", "bot", t0),
        MessageMark("in", "client", t0 + timedelta(minutes=1)),
        MessageMark("out", "bot", t0 + timedelta(minutes=1)),  # "I called the team"
        MessageMark("in", "client", t0 + timedelta(minutes=5)),
    ]
    need = t0 + timedelta(minutes=1)
    assert waiting_since(marks, need_since=need) == t0 + timedelta(minutes=1)
    assert waiting_since(marks, need_since=None) == t0 + timedelta(minutes=5)
    answered = [*marks, MessageMark("out", "staff", t0 + timedelta(minutes=6))]
    assert waiting_since(answered, need_since=need) is None


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("a  b\nc") == "a b c"
    cut = shorten("palavra " * 30, 20)
    assert cut.endswith("…") and len(cut) <= 20 and "  " not in cut


def test_inbox_tab_values_are_the_query_words() -> None:
    assert [t.value for t in InboxTab] == ["mine", "unassigned", "team", "all"]


def test_in_english_the_tabs_say_mine_unassigned_team_all(
    inbox: Inbox, sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in("admin")
    page = client.get("/console/inbox")
    switched = client.post(
        "/console/language",
        data={"csrf_token": csrf_of(page.text), "language": "en", "back": "/console/inbox"},
    )
    assert switched.status_code == 303
    english = client.get("/console/inbox?tab=all").text
    labels = re.findall(r'id="tab-\w+"[^>]*>\s*([^<]+?)\s*<span', english)
    assert labels == ["Mine", "Unassigned", "Team", "All"]
    assert "Asked for a person" in english and "Complaint" in english
