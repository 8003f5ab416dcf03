"""A scheduled job's key names rows by id and periods by time, never by a client's value: the
drill found ``cnpj_lookup:<client>:<CNPJ>`` still in ``scheduled_jobs.key`` after erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.company import CompanyLookupResult
from bot.service.companies import record_company_check
from bot.service.jobs import schedule_job
from bot.storage.models import Client, ScheduledJob

NOW = datetime(2026, 11, 24, 13, tzinfo=UTC)
UNAVAILABLE = CompanyLookupResult("unavailable")


@pytest.mark.parametrize(
    "key",
    [
        "cnpj_lookup:7:11222333000181",
        "cnpj_lookup:7:11.222.333/0001-81",
        "cpf_check:7:123.456.789-09",
        "nudge:+5511987654321:1",
        "invite:maria@paoquente.com.br",
    ],
)
def test_a_key_carrying_a_personal_value_is_refused(runtime: Runtime, key: str) -> None:
    with runtime.sessions.begin() as session, pytest.raises(ValueError, match="personal"):
        schedule_job(session, kind="nudge", key=key, due_at=NOW, now=NOW)


def test_keys_of_ids_and_times_are_accepted(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        for key in (
            "training_24h:booking:7:seq:1",
            "nudge:1234567890:2026-11-24T13:00:00+00:00:2",
            "cnpj_lookup:client:7:2026-11-24T13:00:00+00:00",
        ):
            assert schedule_job(session, kind="nudge", key=key, due_at=NOW, now=NOW)


def _client(runtime: Runtime) -> int:
    with runtime.sessions.begin() as session:
        client = Client(cnpj="11222333000181", created_at=NOW, updated_at=NOW)
        session.add(client)
        session.flush()
        return client.id


def _check(runtime: Runtime, client_id: int, cnpj: str, *, now: datetime = NOW) -> None:
    with runtime.sessions.begin() as session:
        record_company_check(
            session,
            client_id=client_id,
            onboarding=None,
            cnpj=cnpj,
            result=UNAVAILABLE,
            young_days=90,
            now=now,
        )


def _jobs(runtime: Runtime) -> list[tuple[str, str, object]]:
    with runtime.sessions() as session:
        return [
            (job.key, job.status, job.payload.get("cnpj"))
            for job in session.scalars(select(ScheduledJob).order_by(ScheduledJob.id))
        ]


def test_a_cnpj_look_up_is_keyed_by_the_client_and_kept_once(runtime: Runtime) -> None:
    client_id = _client(runtime)
    _check(runtime, client_id, "11222333000181")
    _check(runtime, client_id, "11222333000181")  # asked again: still one look-up
    [(key, status, cnpj)] = _jobs(runtime)
    assert key.startswith(f"cnpj_lookup:client:{client_id}:") and "11222333" not in key
    assert (status, cnpj) == ("pending", "11222333000181")


def test_a_corrected_cnpj_replaces_the_pending_look_up(runtime: Runtime) -> None:
    client_id = _client(runtime)
    _check(runtime, client_id, "11222333000181")
    later = NOW.replace(minute=5)
    _check(runtime, client_id, "45723174000110", now=later)
    jobs = _jobs(runtime)
    assert [(status, cnpj) for _key, status, cnpj in jobs] == [
        ("cancelled", "11222333000181"),
        ("pending", "45723174000110"),
    ]
    assert not any(digits in key for key, _s, _c in jobs for digits in ("11222333", "45723174"))
