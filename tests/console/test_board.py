"""The pipeline board over HTTP against a real server: columns and cards per role, the SLA
colours equal to the API's, and the **Mover para…** form (allowed moves, approval, refusals)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import ConsoleEvent, Onboarding, StaffUser
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

SignIn = Callable[[str], httpx.Client]
HTMX = {"HX-Request": "true", "HX-Target": "board"}


def _onboarding(runtime: Runtime, clock: FakeClock, **fields: object) -> int:
    with runtime.sessions() as session, session.begin():
        return make_onboarding(session, now=clock.now(), **fields).id  # type: ignore[arg-type]


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
