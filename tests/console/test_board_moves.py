"""The pipeline board over HTTP against a real server: columns and cards per role, the SLA
colours equal to the API's, and the **Mover para…** form (allowed moves, approval, refusals)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from backoffice.console import board_view
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import ConsoleEvent, ErpPush, Onboarding, StageChange
from tests.backoffice.factories import Roster
from tests.console.test_board import SignIn, _column, _count, _move, _onboarding


def _stage(runtime: Runtime, onboarding_id: int) -> str:
    with runtime.sessions() as session:
        return session.get_one(Onboarding, onboarding_id).stage


# ---------------------------------------------------------------------------- moving
def test_the_owner_moves_a_card_and_it_lands_in_the_new_column_with_history(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    answer = _move(
        sign_in("csm_owner"), onboarding_id, to_stage="validacao", from_stage="documentos"
    )
    assert answer.status_code == 200, answer.text
    assert "<html" not in answer.text  # the board fragment
    assert f'id="card-{onboarding_id}"' in _column(answer.text, "validacao")
    assert f'id="card-{onboarding_id}"' not in _column(answer.text, "documentos")
    assert 'data-announce="Movido para Validação"' in answer.text
    assert re.search(rf'id="card-{onboarding_id}"[^>]*data-focus-card', answer.text, re.S)
    with runtime.sessions() as session:
        last = session.scalars(
            select(StageChange)
            .where(StageChange.onboarding_id == onboarding_id)
            .order_by(StageChange.id.desc())
        ).first()
        assert last is not None
        assert (last.from_stage, last.to_stage, last.reason, last.actor) == (
            "documentos",
            "validacao",
            "documentos conferidos",
            f"staff:{passwords.csm_owner.id}",
        )
        # The live signal other boards refresh on (sse:stage_changed), in the same transaction.
        event = session.scalars(
            select(ConsoleEvent).where(
                ConsoleEvent.kind == "stage_changed", ConsoleEvent.onboarding_id == onboarding_id
            )
        ).one()
        assert event.data == {"from": "documentos", "to": "validacao"}


def test_a_plain_form_post_redirects_to_the_card(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="cadastro")
    answer = _move(
        sign_in("csm_owner"),
        onboarding_id,
        to_stage="documentos",
        from_stage="cadastro",
        htmx=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/board?segment=self_service#card-{onboarding_id}"
    assert _stage(runtime, onboarding_id) == "documentos"


def test_another_csms_onboarding_is_a_403_page_and_a_missing_one_a_404(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    other = sign_in("csm_other")
    refused = _move(other, onboarding_id, to_stage="validacao", from_stage="documentos")
    assert refused.status_code == 403
    assert "Você não tem acesso a isto" in refused.text
    assert _stage(runtime, onboarding_id) == "documentos"
    beta = _move(
        sign_in("manager_other"), onboarding_id, to_stage="validacao", from_stage="documentos"
    )
    assert beta.status_code == 403
    missing = _move(other, 999_999, to_stage="validacao", from_stage="documentos")
    assert missing.status_code == 404 and "Não encontrado" in missing.text


@pytest.mark.parametrize("role", ["csm_owner", "manager", "admin"])
def test_a_move_the_template_forbids_is_a_422_next_to_the_control(
    role: str, sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    answer = _move(sign_in(role), onboarding_id, to_stage="concluido", from_stage="documentos")
    assert answer.status_code == 422
    error = re.search(
        rf'<p class="error" id="move-error-{onboarding_id}">(.*?)</p>', answer.text, re.S
    )
    assert error and "O funil não permite mover de Documentos para Concluído." in error.group(1)
    assert f'aria-describedby="move-error-{onboarding_id}"' in answer.text
    assert _stage(runtime, onboarding_id) == "documentos"
    unknown = _move(sign_in(role), onboarding_id, to_stage="nowhere", from_stage="documentos")
    assert unknown.status_code == 422 and "Escolha uma das etapas oferecidas." in unknown.text


def test_a_move_without_a_reason_is_a_422(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    answer = _move(
        sign_in("csm_owner"),
        onboarding_id,
        to_stage="validacao",
        from_stage="documentos",
        reason=" ",
    )
    assert answer.status_code == 422 and "Diga por que o card muda de etapa." in answer.text
    assert _stage(runtime, onboarding_id) == "documentos"


def test_a_card_moved_meanwhile_is_a_409_with_a_reload_hint(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="validacao", csm_id=passwords.csm_owner.id)
    # The form was rendered while the card was in documentos; someone moved it since.
    answer = _move(
        sign_in("csm_owner"), onboarding_id, to_stage="validacao", from_stage="documentos"
    )
    assert answer.status_code == 409
    assert "Este card foi movido enquanto isso." in answer.text
    assert "Recarregar o quadro" in answer.text
    assert f'id="card-{onboarding_id}"' in _column(answer.text, "validacao")  # where it is now
    with runtime.sessions() as session:
        changes = session.scalars(
            select(StageChange).where(StageChange.onboarding_id == onboarding_id)
        ).all()
        assert len(changes) == 1  # only the factory's


def test_a_csm_cannot_approve_a_manager_can(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="aprovacao", csm_id=passwords.csm_owner.id)
    csm = sign_in("csm_owner")
    board = csm.get("/console/board").text
    assert re.search(
        r'<option value="configuracao"\s*>Configuração \(precisa de aprovação\)', board
    )
    refused = _move(csm, onboarding_id, to_stage="configuracao", from_stage="aprovacao")
    assert refused.status_code == 403
    assert "Mover para Configuração precisa da aprovação de um(a) gestor(a)." in refused.text
    assert "data-board=" in refused.text  # the board, with the message next to the control
    assert _stage(runtime, onboarding_id) == "aprovacao"
    # Back to validation is no approval: the CSM may.
    manager = sign_in("manager")
    assert "Configuração (aprovar)" in manager.get("/console/board").text
    approved = _move(manager, onboarding_id, to_stage="configuracao", from_stage="aprovacao")
    assert approved.status_code == 200, approved.text
    assert 'data-announce="Aprovado: movido para Configuração"' in approved.text
    assert _stage(runtime, onboarding_id) == "configuracao"
    with runtime.sessions() as session:
        assert session.scalars(select(ErpPush).where(ErpPush.onboarding_id == onboarding_id)).one()


def test_approving_an_incomplete_registration_is_a_422_that_says_what_to_do(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="aprovacao", cnpj="")
    answer = _move(
        sign_in("manager"), onboarding_id, to_stage="configuracao", from_stage="aprovacao"
    )
    assert answer.status_code == 422
    assert "O cadastro está incompleto (precisa do CNPJ e da razão social)" in answer.text
    assert _stage(runtime, onboarding_id) == "aprovacao"


def test_a_full_column_shows_its_oldest_cards_and_the_one_just_moved(
    sign_in: SignIn,
    passwords: Roster,
    runtime: Runtime,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(board_view, "CARDS_PER_COLUMN", 2)
    now = clock.now()
    waiting = [
        _onboarding(runtime, clock, stage="validacao", entered_at=now - timedelta(hours=h))
        for h in (3, 2, 1)
    ]
    moving = _onboarding(runtime, clock, stage="documentos")
    client = sign_in("csm_owner")
    column = _column(client.get("/console/board").text, "validacao")
    assert _count(column, "validacao") == 3
    assert [f'id="card-{i}"' in column for i in waiting] == [True, True, False]
    assert "Mostrar mais (1)" in column
    assert "/console/board?segment=self_service&amp;expand=validacao#col-validacao" in column
    expanded = _column(client.get("/console/board?expand=validacao").text, "validacao")
    assert all(f'id="card-{i}"' in expanded for i in waiting)
    assert 'name="expand" value="validacao"' in expanded  # the forms keep the column open
    moved = _move(client, moving, to_stage="validacao", from_stage="documentos")
    column = _column(moved.text, "validacao")
    assert _count(column, "validacao") == 4
    assert re.search(rf'id="card-{moving}"[^>]*data-focus-card', column, re.S)
    assert f'id="card-{waiting[2]}"' not in column  # the limit again: no expand was sent


def test_a_stage_needing_a_csm_refuses_an_unassigned_card(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="aprovacao", segment="enterprise")
    answer = _move(sign_in("admin"), onboarding_id, to_stage="kickoff", from_stage="aprovacao")
    assert (
        answer.status_code == 422
        and "Kickoff precisa de um(a) CSM atribuído(a) antes." in answer.text
    )
    assert _stage(runtime, onboarding_id) == "aprovacao"


def test_a_move_without_the_csrf_token_is_refused(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="cadastro")
    answer = sign_in("csm_owner").post(
        f"/console/onboardings/{onboarding_id}/move",
        data={"to_stage": "documentos", "from_stage": "cadastro", "reason": "x"},
    )
    assert answer.status_code == 403
    assert _stage(runtime, onboarding_id) == "cadastro"


def test_show_more_brings_a_column_s_next_cards_most_late_first(
    sign_in: SignIn,
    passwords: Roster,
    runtime: Runtime,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A column shows CARDS_PER_COLUMN cards, the longest waiting first, and a "Show more (N)"
    control (a link, so the keyboard reaches it) whose htmx request returns the next ones as
    list items, the first focused, and the control again while more remain; the count in the
    column's heading is always every card."""
    monkeypatch.setattr(board_view, "CARDS_PER_COLUMN", 2)
    now = clock.now()
    waiting = [
        _onboarding(runtime, clock, stage="validacao", entered_at=now - timedelta(days=d))
        for d in (5, 4, 3, 2, 1)
    ]
    client = sign_in("csm_owner")
    column = _column(client.get("/console/board").text, "validacao")
    assert _count(column, "validacao") == 5
    shown = re.findall(r'id="card-(\d+)"', column)
    assert sorted(map(int, shown)) == waiting[:2]
    more = re.search(r'<a class="button"[^>]*hx-get="([^"]+)"[^>]*>Mostrar mais \(3\)</a>', column)
    assert more, column
    assert more.group(1).endswith("stage=validacao&amp;offset=2")
    answer = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<li>")  # items for the list, no page around them
    assert [int(i) for i in re.findall(r'id="card-(\d+)"', answer.text)] == waiting[2:4]
    assert re.search(rf'id="card-{waiting[2]}"[^>]*autofocus', answer.text, re.S)
    assert "offset=4" in answer.text and "Mostrar mais (1)" in answer.text
    last = client.get(
        "/console/board/cards",
        params={"segment": "self_service", "stage": "validacao", "offset": 4},
        headers={"HX-Request": "true"},
    )
    assert re.findall(r'id="card-(\d+)"', last.text) == [str(waiting[4])]
    assert "Mostrar mais" not in last.text
    assert 'action="/console/onboardings/' in last.text  # each card keeps its "Move to…" form
    unknown = client.get(
        "/console/board/cards", params={"segment": "self_service", "stage": "nenhum"}
    )
    assert unknown.status_code == 404
