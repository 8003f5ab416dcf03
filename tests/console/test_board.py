"""The pipeline board over HTTP against a real server: columns and cards per role, the SLA
colours equal to the API's, and the **Mover para…** form (allowed moves, approval, refusals)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from backoffice.console import board_view
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import ConsoleEvent, ErpPush, Onboarding, StaffUser, StageChange
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

SignIn = Callable[[str], httpx.Client]
HTMX = {"HX-Request": "true", "HX-Target": "board"}


def _onboarding(runtime: Runtime, clock: FakeClock, **fields: object) -> int:
    with runtime.sessions() as session, session.begin():
        return make_onboarding(session, now=clock.now(), **fields).id  # type: ignore[arg-type]


def _stage(runtime: Runtime, onboarding_id: int) -> str:
    with runtime.sessions() as session:
        return session.get_one(Onboarding, onboarding_id).stage


def _column(html: str, stage: str) -> str:
    """The HTML of one column (up to the next one)."""
    found = re.search(rf'<section class="column[^"]*" id="col-{stage}".*?</section>', html, re.S)
    assert found, f"no column {stage}"
    return found.group(0)


def _count(html: str, stage: str) -> int:
    found = re.search(r'data-count="(\d+)"', _column(html, stage))
    assert found
    return int(found.group(1))


def _move(
    client: httpx.Client,
    onboarding_id: int,
    *,
    to_stage: str,
    from_stage: str,
    reason: str = "documentos conferidos",
    htmx: bool = True,
) -> httpx.Response:
    page = client.get("/console/board")
    return client.post(
        f"/console/onboardings/{onboarding_id}/move",
        data={
            "to_stage": to_stage,
            "from_stage": from_stage,
            "reason": reason,
            "csrf_token": csrf_of(page.text),
        },
        headers=HTMX if htmx else {},
    )


# ---------------------------------------------------------------------------- reading
def test_the_board_has_a_column_per_stage_and_the_cards_in_scope_with_counts(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    mine = _onboarding(
        runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id, company="Padaria Sol"
    )
    queue = _onboarding(runtime, clock, stage="cadastro", company="Oficina Lua")
    other = _onboarding(
        runtime, clock, stage="validacao", csm_id=passwords.csm_other.id, company="Bar Estrela"
    )
    with runtime.sessions() as session, session.begin():
        flagged = session.get_one(Onboarding, mine)
        flagged.red_flag, flagged.red_flag_reason = True, "cliente sem contador"
        client_id, conversation_id = flagged.client_id, conversation_of(session, flagged).id

    page = sign_in("csm_owner").get("/console/board")

    assert page.status_code == 200
    html = page.text
    stages = re.findall(r'<section class="column[^"]*" id="col-(\w+)"', html)
    assert stages == [
        "cadastro",
        "documentos",
        "validacao",
        "aprovacao",
        "configuracao",
        "treinamento",
        "ativacao",
        "concluido",
        "cancelado",
    ]  # self_service, the CSM's segment, first
    assert "Padaria Sol" in _column(html, "documentos") and _count(html, "documentos") == 1
    assert "Oficina Lua" in _column(html, "cadastro") and _count(html, "cadastro") == 1
    assert "Bar Estrela" not in html and _count(html, "validacao") == 0  # another CSM's
    assert f'id="card-{other}"' not in html
    card = _column(html, "documentos")
    assert f'href="/console/clients/{client_id}"' in card
    assert f'href="/console/conversations/{conversation_id}"' in card
    assert "Sinal vermelho" in card and "cliente sem contador" in card
    assert f'id="card-{queue}"' in html and "Sem CSM ainda" in _column(html, "cadastro")


def test_a_manager_sees_the_team_and_the_queue_but_not_another_team(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    ours = _onboarding(runtime, clock, stage="validacao", csm_id=passwords.csm_other.id)
    queue = _onboarding(runtime, clock, stage="cadastro")
    html = sign_in("manager").get("/console/board").text
    assert f'id="card-{ours}"' in html and f'id="card-{queue}"' in html
    beta = sign_in("manager_other").get("/console/board").text
    assert f'id="card-{ours}"' not in beta and f'id="card-{queue}"' in beta
    assert _count(beta, "validacao") == 0


def test_sla_colours_are_the_apis(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock, console_url: str
) -> None:
    # validacao: the company's stage, 8 business hours; at risk from 6.4 h. Now: Tue 10:00.
    entered = {
        "on_track": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),  # Tue 09:00 → 1 h
        "at_risk": datetime(2026, 11, 23, 15, 30, tzinfo=UTC),  # Mon 12:30 → 6.5 h
        "breached": datetime(2026, 11, 23, 13, 0, tzinfo=UTC),  # Mon 10:00 → 9 h
    }
    ids = {
        state: _onboarding(
            runtime, clock, stage="validacao", csm_id=passwords.csm_owner.id, entered_at=at
        )
        for state, at in entered.items()
    }
    html = sign_in("csm_owner").get("/console/board").text
    classes = {"on_track": "sla-ok", "at_risk": "sla-risk", "breached": "sla-late"}
    texts = {"on_track": "No prazo", "at_risk": "Em risco", "breached": "Atrasado"}
    for state, onboarding_id in ids.items():
        api = httpx.get(
            f"{console_url}/api/v1/onboardings/{onboarding_id}",
            headers=passwords.csm_owner.headers,
        ).json()
        assert api["sla"]["status"] == state
        card = re.search(
            rf'<article class="bcard [^"]*"\s+id="card-{onboarding_id}".*?</article>', html, re.S
        )
        assert card, onboarding_id
        assert f"bcard {classes[state]}-edge" in card.group(0)
        assert texts[state] in card.group(0)
    # Time in stage is business time: Mon 10:00 → Tue 10:00 is 8 h + 1 h, not 24 h.
    breached = re.search(rf'id="card-{ids["breached"]}".*?</article>', html, re.S)
    assert breached and "<dd>9 h</dd>" in breached.group(0)


def test_the_segment_switcher_and_an_unknown_segment(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    big = _onboarding(runtime, clock, stage="kickoff", segment="enterprise", csm_id=None)
    client = sign_in("admin")
    html = client.get("/console/board?segment=enterprise").text
    assert 'href="/console/board?segment=enterprise" aria-current="page"' in html
    assert f'id="card-{big}"' in _column(html, "kickoff")
    # The admin has no segment of their own: the first segment with onboardings in scope.
    default = client.get("/console/board").text
    assert f'id="card-{big}"' in _column(default, "kickoff")
    assert 'id="col-kickoff"' not in client.get("/console/board?segment=self_service").text
    missing = client.get("/console/board?segment=nope")
    assert missing.status_code == 404 and "Não encontrado" in missing.text


def test_the_move_control_lists_only_the_stages_the_template_allows(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    html = sign_in("csm_owner").get("/console/board").text
    select_ = re.search(rf'<select id="to-{onboarding_id}".*?</select>', html, re.S)
    assert select_
    assert re.findall(r'<option value="(\w+)"', select_.group(0)) == [
        "validacao",
        "cadastro",
        "cancelado",
    ]
    assert "Mover para…" in html


def test_an_htmx_board_request_gets_the_fragment_only(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    _onboarding(runtime, clock, stage="cadastro")
    fragment = sign_in("csm_owner").get("/console/board", headers=HTMX).text
    assert "data-board=" in fragment and "<html" not in fragment and 'id="board"' not in fragment


def test_the_board_in_english(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="documentos", csm_id=passwords.csm_owner.id)
    client = sign_in("csm_owner")
    page = client.get("/console/board")
    client.post(
        "/console/language",
        data={"language": "en", "back": "/console/board", "csrf_token": csrf_of(page.text)},
    )
    html = client.get("/console/board").text
    assert "Move to…" in html and "Documents" in _column(html, "documentos")
    assert "Mover para…" not in html
    moved = _move(client, onboarding_id, to_stage="validacao", from_stage="documentos")
    assert 'data-announce="Moved to Validation"' in moved.text
    refused = _move(client, onboarding_id, to_stage="concluido", from_stage="validacao")
    assert "The pipeline does not allow moving from Validation to Completed." in refused.text


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
    assert "Mais 1 não mostrados." in column
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


# ---------------------------------------------------------------------------- assigning
def _assign(client: httpx.Client, onboarding_id: int, csm_id: object) -> httpx.Response:
    page = client.get("/console/board")
    return client.post(
        f"/console/onboardings/{onboarding_id}/assign",
        data={"csm_id": str(csm_id), "csrf_token": csrf_of(page.text)},
        headers=HTMX,
    )


def test_a_manager_assigns_a_csm_of_the_team_with_the_load_shown(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="cadastro")
    manager = sign_in("manager")
    board = manager.get("/console/board").text
    options = re.search(rf'<select id="csm-{onboarding_id}".*?</select>', board, re.S)
    assert options
    assert f'value="{passwords.csm_owner.id}"' in options.group(0)
    assert "0/10" in options.group(0)  # open escalations / cap
    answer = _assign(manager, onboarding_id, passwords.csm_owner.id)
    assert answer.status_code == 200, answer.text
    assert 'data-announce="Atribuído a' in answer.text
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, onboarding_id).csm_id == passwords.csm_owner.id
        assert session.scalars(
            select(ConsoleEvent.kind).where(ConsoleEvent.onboarding_id == onboarding_id)
        ).all() == ["assigned"]
    back = _assign(manager, onboarding_id, "")
    assert back.status_code == 200 and 'data-announce="De volta à fila"' in back.text
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, onboarding_id).csm_id is None


def test_assignment_refusals_per_role(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="cadastro")
    csm = sign_in("csm_owner")
    assert 'id="csm-' not in csm.get("/console/board").text  # no control for a CSM
    assert _assign(csm, onboarding_id, passwords.csm_owner.id).status_code == 403
    # A manager of team beta cannot hand the queue's card to a CSM of team alpha.
    assert (
        _assign(sign_in("manager_other"), onboarding_id, passwords.csm_owner.id).status_code == 403
    )
    manager = sign_in("manager")
    not_a_csm = _assign(manager, onboarding_id, passwords.admin.id)
    assert (
        not_a_csm.status_code == 422
        and "Escolha um(a) dos(as) CSMs oferecidos(as)." in not_a_csm.text
    )
    assert _assign(manager, 999_999, passwords.csm_owner.id).status_code == 404
    with runtime.sessions() as session:
        assert session.get_one(Onboarding, onboarding_id).csm_id is None
    admin = _assign(sign_in("admin"), onboarding_id, passwords.csm_other.id)
    assert admin.status_code == 200


def test_a_csm_who_cannot_be_assigned_any_more_stays_selected(
    sign_in: SignIn, passwords: Roster, runtime: Runtime, clock: FakeClock
) -> None:
    onboarding_id = _onboarding(runtime, clock, stage="validacao", csm_id=passwords.csm_other.id)
    with runtime.sessions() as session, session.begin():
        session.get_one(StaffUser, passwords.csm_other.id).active = False
    html = sign_in("manager").get("/console/board").text
    options = re.search(rf'<select id="csm-{onboarding_id}".*?</select>', html, re.S)
    assert options
    # Submitting the form unchanged must not hand the card back to the queue.
    assert re.search(
        rf'<option value="{passwords.csm_other.id}" selected>[^<]*\(atual\)', options.group(0)
    )
    assert re.search(r'<option value=""\s*>', options.group(0))
