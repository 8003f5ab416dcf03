"""Reports on a small known history: time in stage, funnel and drop-off, escalations and CSM
first response, duration against the 30–60-day target, NPS, and the date-range filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from backoffice.report_reads import percentile
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import Escalation, Message, NpsResponse, Onboarding, StageChange
from tests.backoffice.factories import Roster, conversation_of, make_onboarding

D0 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # Tuesday 09:00 in São Paulo (the 2nd is Finados)


def _history(session: Session, onboarding: Onboarding, steps: list[tuple[str, datetime]]) -> None:
    previous = onboarding.stage
    for stage, at in steps:
        session.add(
            StageChange(
                onboarding_id=onboarding.id,
                from_stage=previous,
                to_stage=stage,
                at=at,
                actor="bot",
                reason="",
            )
        )
        previous = stage
    onboarding.stage, onboarding.stage_entered_at = steps[-1][0], steps[-1][1]
    if previous in ("concluido", "cancelado"):
        onboarding.completed_at = steps[-1][1]


@pytest.fixture
def history(runtime: Runtime, roster: Roster, clock: FakeClock) -> dict[str, int]:
    clock.set(D0 + timedelta(days=30))
    with runtime.sessions() as session, session.begin():
        done, dropped, waiting = (
            make_onboarding(
                session, now=D0, stage="cadastro", csm_id=roster.csm_owner.id, entered_at=D0
            )
            for _ in range(3)
        )
        _history(
            session,
            done,
            [
                ("documentos", D0 + timedelta(hours=4)),
                ("validacao", D0 + timedelta(days=1)),
                ("aprovacao", D0 + timedelta(days=2)),
                ("configuracao", D0 + timedelta(days=3)),
                ("treinamento", D0 + timedelta(days=8)),
                ("ativacao", D0 + timedelta(days=15)),
                ("concluido", D0 + timedelta(days=20)),
            ],
        )
        _history(
            session,
            dropped,
            [("documentos", D0 + timedelta(hours=2)), ("cancelado", D0 + timedelta(days=2))],
        )
        _history(session, waiting, [("documentos", D0 + timedelta(hours=1))])
        _escalations(session, roster, waiting=waiting, dropped=dropped)
        for score, onboarding in ((10, done), (9, done), (7, dropped), (3, waiting)):
            session.add(
                NpsResponse(
                    onboarding_id=onboarding.id,
                    client_id=onboarding.client_id,
                    score=score,
                    answered_at=D0 + timedelta(days=21),
                )
            )
        return {"done": done.id, "dropped": dropped.id, "waiting": waiting.id}


def _escalations(
    session: Session, roster: Roster, *, waiting: Onboarding, dropped: Onboarding
) -> None:
    """An escalation of ``waiting`` answered after 30 minutes; one of ``dropped`` never."""
    conversation = conversation_of(session, waiting)
    answered = Escalation(
        conversation_id=conversation.id,
        onboarding_id=waiting.id,
        reason="request_human",
        queue="self_service",
        assigned_to=roster.csm_owner.id,
        created_at=D0 + timedelta(days=1),
    )
    ignored = Escalation(
        conversation_id=conversation_of(session, dropped).id,
        onboarding_id=dropped.id,
        reason="complaint",
        queue="self_service",
        created_at=D0 + timedelta(days=1),
    )
    session.add_all([answered, ignored])
    session.add(
        Message(
            conversation_id=conversation.id,
            direction="out",
            author="staff",
            staff_id=roster.csm_owner.id,
            text="Olá!",
            status="sent",
            created_at=D0 + timedelta(days=1, minutes=30),
        )
    )


def _report(api: httpx.Client, roster: Roster, name: str, **params: str) -> dict[str, Any]:
    response = api.get(f"/reports/{name}", params=params, headers=roster.manager.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_time_in_stage_and_funnel(
    api: httpx.Client, roster: Roster, history: dict[str, int]
) -> None:
    times = _report(api, roster, "time-in-stage")
    cadastro = next(
        s for s in times["stages"] if (s["segment"], s["stage"]) == ("self_service", "cadastro")
    )
    assert cadastro["hours"] == {"count": 3, "median": 2.0, "p90": 3.6}  # 1 h, 2 h, 4 h
    assert cadastro["business_hours"]["median"] == 2.0
    documentos = next(s for s in times["stages"] if s["stage"] == "documentos")
    assert documentos["hours"]["count"] == 2  # the open visit is not counted

    funnel = _report(api, roster, "funnel")
    segment = next(s for s in funnel["segments"] if s["segment"] == "self_service")
    assert (segment["started"], segment["completed"], segment["cancelled"]) == (3, 1, 1)
    stages = {s["stage"]: s for s in segment["stages"]}
    assert stages["cadastro"]["reached"] == 3 and stages["cadastro"]["moved_on"] == 3
    assert stages["documentos"] == {
        "stage": "documentos",
        "reached": 3,
        "current": 1,
        "moved_on": 1,
        "dropped": 1,
        "drop_off_rate": 0.3333,
    }
    assert stages["concluido"]["reached"] == 1
    later = _report(api, roster, "funnel", since="2026-11-04")
    assert next(s for s in later["segments"] if s["segment"] == "self_service")["started"] == 0


def test_escalations_duration_and_nps(
    api: httpx.Client, roster: Roster, history: dict[str, int]
) -> None:
    escalations = _report(api, roster, "escalations")
    assert escalations["total"] == 2 and escalations["unanswered"] == 1
    assert escalations["first_response_minutes"] == {"count": 1, "median": 30.0, "p90": 30.0}
    (csm,) = escalations["by_csm"]
    assert csm["staff_id"] == roster.csm_owner.id and csm["answered"] == 1
    assert {r["key"]: r["count"] for r in escalations["by_reason"]} == {
        "complaint": 1,
        "request_human": 1,
    }

    duration = _report(api, roster, "duration")
    assert duration["completed"] == 1 and duration["days"]["median"] == 20.0
    assert (
        duration["within_target_low"],
        duration["within_target_high"],
        duration["over_target"],
    ) == (1, 0, 0)
    assert duration["open_over_target"] == 0

    nps = _report(api, roster, "nps")
    assert (nps["responses"], nps["promoters"], nps["passives"], nps["detractors"]) == (4, 2, 1, 1)
    assert nps["nps"] == 25.0
    assert _report(api, roster, "nps", until="2026-11-22")["responses"] == 0

    # The other team's manager sees none of it.
    other = api.get("/reports/nps", headers=roster.manager_other.headers).json()
    assert other["responses"] == 0


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 0.0, 20.0], 0.9) == pytest.approx(18.0)


def test_shared_reads_give_the_same_reports_with_one_read_of_the_history(
    runtime: Runtime, history: dict[str, int], clock: FakeClock
) -> None:
    """The console's page runs several reports inside ``shared_reads``: the same documents as
    run one by one, with the onboardings and their stage history read once."""
    from sqlalchemy import event, true

    from backoffice import report_reads, reports
    from backoffice.pipeline import load_pipelines
    from backoffice.schemas.reports import Window
    from backoffice.settings import BackofficeSettings

    calendar = BackofficeSettings().calendar()
    pipelines = load_pipelines()
    window = Window(since=None, until=None)

    def run_all(session: Session) -> list[Any]:
        return [
            reports.time_in_stage(session, scope=true(), window=window, calendar=calendar),
            reports.funnel(session, scope=true(), window=window, pipelines=pipelines),
        ]

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with runtime.sessions() as session:
        alone = run_all(session)
    event.listen(runtime.db, "before_cursor_execute", count)
    try:
        with runtime.sessions() as session, report_reads.shared_reads(session):
            shared = run_all(session)
    finally:
        event.remove(runtime.db, "before_cursor_execute", count)
    assert [r.model_dump() for r in shared] == [r.model_dump() for r in alone]
    reads = [s for s in statements if "FROM stage_history" in s]
    assert len(reads) == 1, statements
