"""What a drill's clients lived through, checked against the database and the fake Twilio.

- lost: client messages that are not stored (whether Twilio gave up on them or we dropped
  them after answering 200);
- duplicated: replies the fake Twilio accepted beyond the outbox rows recorded as sent, per
  client (a reply sent twice is one accepted message more than its row);
- stuck: after the drain, outbox rows still pending (or held because they may have been
  sent), documents still pending, and stored client messages whose reply never came;
- recovery: from the end of the fault (the kill, the restart done, the window closed) until the
  last reply that the fault delayed (a message whose reply took longer than ``slow_s``), or
  for the documents, until no document was pending any more (``work_done``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from bench.chaos.load import ClientMessage, percentile
from tests.fakes.twilio import FakeTwilio


@dataclass
class Verdict:
    scenario: str
    messages: int
    lost: int
    duplicated: int
    stuck: int
    recovery_s: float
    failed_attempts: int  # webhook attempts Twilio would log as 11200 (error answer/timeout)
    timeouts: int  # of which no answer within Twilio's 15 s
    retried: int  # messages that needed a second attempt
    beyond_one_retry: int  # messages that needed more than one retry: Twilio's default drops them
    in_doubt_settled: int
    e2e_p50: float
    e2e_p99: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.stuck == 0


def pending_work(database_url: str) -> int:
    """Outbox rows and documents still to do."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')"
                        " + (SELECT count(*) FROM documents WHERE status = 'pending')"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


# long: the verdict's checks read in the order the report prints them
def judge(
    *,
    scenario: str,
    messages: list[ClientMessage],
    database_url: str,
    fake: FakeTwilio,
    fault_end: float,
    slow_s: float,
    in_doubt_settled: int = 0,
    work_done: float | None = None,
) -> Verdict:
    mine = [m for m in messages if m.scenario == scenario]
    phones = {m.phone for m in mine}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = Counter(
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT m.channel_message_id FROM messages m"
                        " JOIN conversations c ON c.id = m.conversation_id"
                        " WHERE m.direction = 'in' AND c.address = ANY(:phones)"
                    ),
                    {"phones": sorted(phones)},
                )
            )
            rows = connection.execute(
                text(
                    "SELECT o.address, o.status, o.last_error FROM outbox o"
                    " WHERE o.address = ANY(:phones)"
                ),
                {"phones": sorted(phones)},
            ).all()
            by_status: dict[str, int] = dict(
                connection.execute(
                    text(
                        "SELECT d.status, count(*) FROM documents d JOIN conversations c"
                        " ON c.id = d.conversation_id WHERE c.address = ANY(:phones)"
                        " GROUP BY d.status"
                    ),
                    {"phones": sorted(phones)},
                ).all()
            )
            documents = by_status.get("pending", 0)
            retried_documents = connection.execute(
                text(
                    "SELECT count(*) FROM documents d JOIN conversations c"
                    " ON c.id = d.conversation_id WHERE c.address = ANY(:phones)"
                    " AND d.attempts > 0"
                ),
                {"phones": sorted(phones)},
            ).scalar_one()
    finally:
        engine.dispose()
    lost = [m for m in mine if m.sid not in stored]
    sent_rows = Counter(address for address, status, _ in rows if status == "sent")
    accepted = Counter(
        message.to.removeprefix("whatsapp:")
        for message in list(fake.sent)
        if message.to.removeprefix("whatsapp:") in phones
    )
    duplicated = sum(max(0, accepted[phone] - sent_rows[phone]) for phone in phones)
    pending = sum(1 for _, status, _ in rows if status == "pending")
    held_in_doubt = sum(
        1 for _, status, error in rows if status == "held" and "may have been sent" in (error or "")
    )
    unanswered = [m for m in mine if m.sid in stored and m.replied is None]
    stuck = pending + held_in_doubt + int(documents) + len(unanswered)
    delayed = [m.replied for m in mine if m.replied is not None and (m.e2e or 0) > slow_s]
    recovery = max(0.0, max(delayed) - fault_end) if delayed else 0.0
    if work_done is not None:
        recovery = max(recovery, work_done - fault_end)
    failed = sum(1 for m in mine for a in m.attempts if a.outcome != "200")
    e2e = [m.e2e for m in mine if m.e2e is not None]
    detail = []
    if lost:
        detail.append(
            f"lost e.g. {[(m.phone, m.body, [a.outcome for a in m.attempts]) for m in lost[:3]]}"
        )
    if pending or held_in_doubt or documents:
        detail.append(f"pending {pending}, held in doubt {held_in_doubt}, documents {documents}")
    if by_status:
        detail.append(
            f"documents {dict(sorted(by_status.items()))}, {retried_documents} tried again"
        )
    if unanswered:
        detail.append(f"no reply e.g. {[(m.phone, m.body) for m in unanswered[:3]]}")
    return Verdict(
        scenario=scenario,
        messages=len(mine),
        lost=len(lost),
        duplicated=duplicated,
        stuck=stuck,
        recovery_s=recovery,
        failed_attempts=failed,
        timeouts=sum(1 for m in mine for a in m.attempts if a.outcome == "timeout"),
        retried=sum(1 for m in mine if len(m.attempts) > 1),
        beyond_one_retry=sum(1 for m in mine if len(m.attempts) > 2),
        in_doubt_settled=in_doubt_settled,
        e2e_p50=percentile(e2e, 0.5),
        e2e_p99=percentile(e2e, 0.99),
        detail="; ".join(detail),
    )
