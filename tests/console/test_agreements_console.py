"""The client record's "agreed with the client" section over HTTP against a real server: record
an agreement, mark it done, cancel one; what a bad form, another CSM, an unknown client, another
client's agreement and a missing CSRF token get; the board's **Mover para…** forward tells the
client once, a move back does not."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Message
from bot.storage.models.agreements import Agreement
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

SignIn = Callable[[str], httpx.Client]
HTMX = {"HX-Request": "true"}
THURSDAY = "2026-11-26"  # the suite's clock: Tuesday 2026-11-24


def _client(runtime: Runtime, clock: FakeClock, roster: Roster) -> tuple[int, int]:
    with runtime.sessions.begin() as session:
        onboarding = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        return onboarding.client_id, onboarding.id


def _add(
    browser: httpx.Client, client_id: int, onboarding_id: int, *, htmx: bool = False, **form: str
) -> httpx.Response:
    page = browser.get(f"/console/clients/{client_id}/agreements")
    fields = {"what": "Enviar o contrato social", "owed_by": "client", "due_on": THURSDAY}
    fields.update(form)
    return browser.post(
        f"/console/clients/{client_id}/agreements",
        data={**fields, "onboarding_id": str(onboarding_id), "csrf_token": csrf_of(page.text)},
        headers=HTMX if htmx else {},
    )


def _agreements(runtime: Runtime) -> list[Agreement]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Agreement).order_by(Agreement.id)))


def test_record_mark_done_and_cancel_from_the_record(
    sign_in: SignIn, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    client_id, onboarding_id = _client(runtime, clock, roster)
    owner = sign_in("csm_owner")
    record = owner.get(f"/console/clients/{client_id}")
    assert record.status_code == 200
    assert f'hx-get="/console/clients/{client_id}/agreements"' in record.text
    assert "agreement_changed" in record.text  # the section reloads on the live event
    empty = owner.get(f"/console/clients/{client_id}/agreements")
    assert "Combinado com o cliente" in empty.text and "Nada combinado ainda." in empty.text

    added = _add(owner, client_id, onboarding_id, stage="documentos")
    assert added.status_code == 303
    swapped = _add(
        owner, client_id, onboarding_id, htmx=True, what="Liberar o acesso", owed_by="company"
    )
    assert swapped.status_code == 200 and "Combinado registrado." in swapped.text
    assert "<html" not in swapped.text  # only the section's block
    first, second = _agreements(runtime)
    assert (first.what, first.owed_by, first.stage, first.status) == (
        "Enviar o contrato social",
        "client",
        "documentos",
        "open",
    )
    assert second.owed_by == "company" and "Liberar o acesso" in swapped.text

    page = owner.get(f"/console/clients/{client_id}/agreements")
    assert "26/11/2026" in page.text and "o cliente" in page.text and "a empresa" in page.text
    done = owner.post(
        f"/console/clients/{client_id}/agreements/{first.id}",
        data={"status": "done", "csrf_token": csrf_of(page.text)},
        headers=HTMX,
    )
    assert done.status_code == 200 and "Marcado como feito." in done.text
    assert "feito em 24/11/2026" in done.text
    cancelled = owner.post(
        f"/console/clients/{client_id}/agreements/{second.id}",
        data={"status": "cancelled", "csrf_token": csrf_of(page.text)},
    )
    assert cancelled.status_code == 303
    assert [a.status for a in _agreements(runtime)] == ["done", "cancelled"]
    again = owner.post(
        f"/console/clients/{client_id}/agreements/{first.id}",
        data={"status": "cancelled", "csrf_token": csrf_of(page.text)},
    )
    assert again.status_code == 409
    with runtime.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.field.like("agreement:%"))
        ).all()
    assert sorted(actions) == sorted(
        ["agreement_recorded", "agreement_recorded", "agreement_done", "agreement_cancelled"]
    )


def test_bad_forms_are_422_in_the_section_and_keep_nothing(
    sign_in: SignIn, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    client_id, onboarding_id = _client(runtime, clock, roster)
    owner = sign_in("csm_owner")
    cases = {
        "O prazo não é um dia útil.": {"due_on": "2026-11-28"},
        "O prazo já passou.": {"due_on": "2026-11-23"},
        "Informe o prazo como uma data.": {"due_on": "amanhã"},
        "Diga o que foi combinado.": {"what": "  "},
        "O texto do combinado é longo demais (no máximo 500 caracteres).": {"what": "x" * 501},
        "Escolha quem deve cumprir: o cliente ou a empresa.": {"owed_by": "ninguem"},
        "Escolha uma das etapas oferecidas.": {"stage": "lunar"},
    }
    for message, form in cases.items():
        answer = _add(owner, client_id, onboarding_id, htmx=True, **form)
        assert answer.status_code == 422, (form, answer.text[:300])
        assert message in answer.text, form
        if "what" in form and form["what"].strip():
            assert form["what"] in answer.text  # what was typed is kept in the form
    assert _agreements(runtime) == []


def test_other_callers_unknown_rows_and_forged_requests(
    sign_in: SignIn, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    client_id, onboarding_id = _client(runtime, clock, roster)
    other_client, other_onboarding = _client(runtime, clock, roster)
    owner = sign_in("csm_owner")
    assert _add(owner, client_id, onboarding_id).status_code == 303
    (agreement,) = _agreements(runtime)
    for role in ("csm_other", "manager_other"):
        outsider = sign_in(role)
        page = outsider.get("/console/board")
        token = csrf_of(page.text)
        assert outsider.get(f"/console/clients/{client_id}/agreements").status_code == 403
        posted = outsider.post(
            f"/console/clients/{client_id}/agreements",
            data={
                "onboarding_id": str(onboarding_id),
                "what": "x",
                "owed_by": "client",
                "due_on": THURSDAY,
                "csrf_token": token,
            },
        )
        assert posted.status_code == 403
        closed = outsider.post(
            f"/console/clients/{client_id}/agreements/{agreement.id}",
            data={"status": "done", "csrf_token": token},
        )
        assert closed.status_code == 403
    assert owner.get("/console/clients/999999/agreements").status_code == 404
    token = csrf_of(owner.get(f"/console/clients/{other_client}/agreements").text)
    # Another client's agreement or onboarding under this client's path: not found there.
    crossed = owner.post(
        f"/console/clients/{other_client}/agreements/{agreement.id}",
        data={"status": "done", "csrf_token": token},
    )
    assert crossed.status_code == 404
    mixed = owner.post(
        f"/console/clients/{other_client}/agreements",
        data={
            "onboarding_id": str(onboarding_id),
            "what": "x",
            "owed_by": "client",
            "due_on": THURSDAY,
            "csrf_token": token,
        },
    )
    assert mixed.status_code == 404
    forged = owner.post(
        f"/console/clients/{client_id}/agreements/{agreement.id}",
        data={"status": "done", "csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert [a.status for a in _agreements(runtime)] == ["open"]
    assert other_onboarding != onboarding_id


def test_the_boards_forward_move_tells_the_client_once(
    sign_in: SignIn, runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding = make_onboarding(
            session, now=clock.now(), csm_id=roster.csm_owner.id, channel="twilio_whatsapp"
        )
        onboarding_id = onboarding.id
        conversation_id = conversation_of(session, onboarding).id
    owner = sign_in("csm_owner")

    def move(to_stage: str, from_stage: str) -> None:
        board = owner.get("/console/board")
        answer = owner.post(
            f"/console/onboardings/{onboarding_id}/move",
            data={
                "to_stage": to_stage,
                "from_stage": from_stage,
                "reason": "conferido",
                "csrf_token": csrf_of(board.text),
            },
        )
        assert answer.status_code in (200, 303), answer.text[:300]

    move("validacao", "documentos")
    move("documentos", "validacao")  # back: nothing more
    with runtime.sessions() as session:
        sent = session.scalars(
            select(Message.text).where(
                Message.conversation_id == conversation_id, Message.direction == "out"
            )
        ).all()
    assert len(sent) == 1 and sent[0].startswith("Sua implantação avançou para a etapa *Validação*")
    assert "Acompanhe sua implantação: http" in sent[0]
