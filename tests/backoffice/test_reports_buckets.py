"""``reports.first_response_buckets``: the escalations of the escalation report counted by how
long their first response took, the lower bound of each bucket inside it, and the window and
scope of the escalation report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backoffice.access import Principal, escalation_scope
from backoffice.reports import escalations, first_response_buckets
from backoffice.schemas.reports import Window
from bot.bootstrap import Runtime
from bot.storage.models import Escalation, Message
from tests.backoffice.factories import Roster, conversation_of, make_onboarding

T0 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
# minutes to the first staff message → bucket; None: never answered.
CASES = [
    (0, "under_1h"),
    (59.9, "under_1h"),
    (60, "1h_to_4h"),
    (239, "1h_to_4h"),
    (240, "4h_to_8h"),
    (480, "8h_to_24h"),
    (1439, "8h_to_24h"),
    (1440, "over_24h"),
    (10_000, "over_24h"),
    (None, None),
]


# long: one escalation per bucket boundary, seeded and read together
def test_each_first_response_falls_in_its_bucket(runtime: Runtime, roster: Roster) -> None:
    admin = Principal(roster.admin.id, "Admin", "admin", "alpha", None)
    with runtime.sessions() as session, session.begin():
        for index, (minutes, _bucket) in enumerate(CASES):
            onboarding = make_onboarding(session, now=T0, csm_id=roster.csm_owner.id)
            conversation = conversation_of(session, onboarding)
            opened = T0 + timedelta(hours=index)
            session.add(
                Escalation(
                    conversation_id=conversation.id,
                    onboarding_id=onboarding.id,
                    reason="request_human",
                    queue="self_service",
                    created_at=opened,
                )
            )
            # A staff message before the escalation is not its answer.
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="out",
                    author="staff",
                    staff_id=roster.csm_owner.id,
                    text="antes",
                    status="sent",
                    created_at=opened - timedelta(minutes=5),
                )
            )
            if minutes is not None:
                session.add(
                    Message(
                        conversation_id=conversation.id,
                        direction="out",
                        author="staff",
                        staff_id=roster.csm_owner.id,
                        text="oi",
                        status="sent",
                        created_at=opened + timedelta(minutes=minutes),
                    )
                )
        session.flush()
        everything = Window(since=None, until=None)
        report = first_response_buckets(session, scope=escalation_scope(admin), window=everything)
        expected: dict[str, int] = {}
        for _minutes, bucket in CASES:
            if bucket:
                expected[bucket] = expected.get(bucket, 0) + 1
        assert (
            {b.key: b.count for b in report.buckets}
            == {"under_1h": 2, "1h_to_4h": 2, "4h_to_8h": 1, "8h_to_24h": 2, "over_24h": 2}
            == expected
        )
        assert [b.upper_minutes for b in report.buckets] == [60, 240, 480, 1440, None]
        assert (report.total, report.answered, report.unanswered) == (10, 9, 1)
        api = escalations(session, scope=escalation_scope(admin), window=everything)
        assert (api.total, api.unanswered, api.first_response_minutes.count) == (10, 1, 9)

        # The window is the escalation report's: escalations created in it.
        later = Window(since=T0 + timedelta(hours=8), until=None)
        late = first_response_buckets(session, scope=escalation_scope(admin), window=later)
        assert (late.total, late.unanswered) == (2, 1)
        # And the scope too: the other team's manager sees none of these.
        other = Principal(roster.manager_other.id, "M", "manager", "beta", None)
        assert (
            first_response_buckets(session, scope=escalation_scope(other), window=everything).total
            == 0
        )
