"""Staff and the client's status page, over HTTP against a real server (API, console and page
on one app): open the page "as the client" from the API and from the console's record (a fresh
link of the staff member's own, audited, not counted as the client's visit), revoke every live
link, see when the client last opened it; scope and erased clients refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select

from backoffice import install_problem_handlers
from backoffice.api import router_for
from backoffice.client_page import STATIC_DIR as PAGE_STATIC
from backoffice.client_page import (
    STATIC_PATH,
    ClientPageContext,
    create_client_page_router,
    install_client_page_handlers,
)
from backoffice.console import (
    STATIC_DIR,
    ConsoleContext,
    create_console_router,
    install_console_handlers,
)
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Client, StatusLink
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.client_page.conftest import BROWSER, IssuedToken
from tests.console.conftest import (  # noqa: F401
    console_context,
    console_url,
    csrf_of,
    passwords,
    sign_in,
)

SignIn = Callable[[str], httpx.Client]


@pytest.fixture
def console_app(console_context: ConsoleContext, client_page: ClientPageContext) -> FastAPI:  # noqa: F811
    """The console's app with the status page beside it, as ``onboard serve`` mounts them."""
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router_for(console_context.backoffice), prefix="/api/v1")
    app.include_router(create_console_router(console_context), prefix="/console")
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    install_console_handlers(app)
    app.include_router(create_client_page_router(client_page))
    app.mount(STATIC_PATH, StaticFiles(directory=PAGE_STATIC), name="client-page-static")
    install_client_page_handlers(app, client_page)
    return app


@pytest.fixture
def owned(runtime: Runtime, roster: Roster, clock: FakeClock) -> tuple[int, int, int]:
    """csm_owner's client: (client id, onboarding id, conversation id)."""
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        return onboarding.client_id, onboarding.id, conversation_of(session, onboarding).id


@pytest.fixture
def api(console_url: str) -> Iterator[Callable[[str], httpx.Client]]:  # noqa: F811
    clients: list[httpx.Client] = []

    def as_(token: str) -> httpx.Client:
        client = httpx.Client(
            base_url=f"{console_url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )
        clients.append(client)
        return client

    yield as_
    for client in clients:
        client.close()


def _browser(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=20, headers={"User-Agent": BROWSER})


def test_the_api_opens_the_page_as_the_client_audited_and_not_counted(
    runtime: Runtime,
    roster: Roster,
    owned: tuple[int, int, int],
    api: Callable[[str], httpx.Client],
    console_url: str,  # noqa: F811
    issue_link: Callable[..., IssuedToken],
) -> None:
    client_id, onboarding_id, conversation_id = owned
    answer = api(roster.csm_owner.token).post(f"/clients/{client_id}/status-link")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["onboarding_id"] == onboarding_id
    assert body["url"].startswith("http://127.0.0.1:8000/s/")  # ONBOARD_PUBLIC_URL's default
    path = "/s/" + body["url"].rsplit("/s/", 1)[1]
    with _browser(console_url) as browser:
        page = browser.get(path)
        assert page.status_code == 200 and "Empresa Teste Ltda" in page.text
    with runtime.sessions() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "status_page_opened")
        ).one()
        assert (audit.actor, audit.client_id, audit.new_value) == (
            f"staff:{roster.csm_owner.id}",
            client_id,
            str(body["link_id"]),
        )
        link = session.get_one(StatusLink, body["link_id"])
        assert link.issued_by == f"staff:{roster.csm_owner.id}" and link.opened_count == 1
    seen = api(roster.csm_owner.token).get(f"/clients/{client_id}/status-page").json()
    assert seen["last_opened_at"] is None and seen["opened_count"] == 0  # staff's look
    client_link = issue_link(onboarding_id, conversation_id=conversation_id)
    with _browser(console_url) as browser:
        assert browser.get(client_link.path).status_code == 200
    seen = api(roster.csm_owner.token).get(f"/clients/{client_id}/status-page").json()
    assert seen["opened_count"] == 1 and seen["last_opened_at"] is not None
    assert seen["live_links"] == 2


def test_the_api_refuses_other_scopes_and_erased_clients(
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    owned: tuple[int, int, int],
    api: Callable[[str], httpx.Client],
) -> None:
    client_id = owned[0]
    for outsider in (roster.csm_other, roster.manager_other):
        answer = api(outsider.token).post(f"/clients/{client_id}/status-link")
        assert answer.status_code in (403, 404), answer.text
        assert api(outsider.token).delete(f"/clients/{client_id}/status-links").status_code in (
            403,
            404,
        )
    assert api(roster.admin.token).post("/clients/999999/status-link").status_code == 404
    with runtime.sessions() as session, session.begin():
        session.get_one(Client, client_id).erased_at = clock.now()
    refused = api(roster.admin.token).post(f"/clients/{client_id}/status-link")
    assert refused.status_code == 409 and "erased" in refused.json()["detail"]
    with runtime.sessions() as session:
        assert session.scalars(select(StatusLink)).all() == []


def test_revoking_from_the_api_closes_every_live_link(
    roster: Roster,
    owned: tuple[int, int, int],
    api: Callable[[str], httpx.Client],
    console_url: str,  # noqa: F811
    issue_link: Callable[..., IssuedToken],
) -> None:
    client_id, onboarding_id, conversation_id = owned
    links = [issue_link(onboarding_id, conversation_id=conversation_id) for _ in range(2)]
    with _browser(console_url) as browser:
        assert all(browser.get(link.path).status_code == 200 for link in links)
        answer = api(roster.csm_owner.token).delete(f"/clients/{client_id}/status-links")
        assert answer.status_code == 200 and answer.json() == {"revoked": 2}
        gone = [browser.get(link.path) for link in links]
        assert {page.status_code for page in gone} == {404}
    seen = api(roster.csm_owner.token).get(f"/clients/{client_id}/status-page").json()
    assert seen["live_links"] == 0 and seen["opened_count"] == 2


def test_the_console_record_opens_and_revokes_the_page(
    runtime: Runtime,
    owned: tuple[int, int, int],
    sign_in: SignIn,  # noqa: F811
    console_url: str,  # noqa: F811
    issue_link: Callable[..., IssuedToken],
) -> None:
    client_id, onboarding_id, conversation_id = owned
    console = sign_in("csm_owner")
    record = console.get(f"/console/clients/{client_id}")
    assert record.status_code == 200
    assert f'hx-get="/console/clients/{client_id}/status-page"' in record.text
    section = console.get(
        f"/console/clients/{client_id}/status-page", headers={"HX-Request": "true"}
    )
    assert "Página de acompanhamento do cliente" in section.text
    assert "Abrir como o cliente" in section.text and "nunca" in section.text
    assert "<html" not in section.text  # the block alone for the record
    csrf = csrf_of(section.text)
    opened = console.post(
        f"/console/clients/{client_id}/status-page/open", data={"csrf_token": csrf}
    )
    assert opened.status_code == 303 and opened.headers["location"].startswith("/s/")
    with _browser(console_url) as browser:
        page = browser.get(opened.headers["location"])
        assert page.status_code == 200 and "Sua implantação" in page.text
    forged = console.post(
        f"/console/clients/{client_id}/status-page/open", data={"csrf_token": "forged"}
    )
    assert forged.status_code == 403
    client_link = issue_link(onboarding_id, conversation_id=conversation_id)
    revoked = console.post(
        f"/console/clients/{client_id}/status-page/revoke", data={"csrf_token": csrf}
    )
    assert revoked.status_code == 303
    after = console.get(revoked.headers["location"])
    assert "Links revogados: 2" in after.text
    with _browser(console_url) as browser:
        assert browser.get(client_link.path).status_code == 404
        assert browser.get(opened.headers["location"]).status_code == 404
    with runtime.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.client_id == client_id)
        ).all()
        assert actions.count("status_page_opened") == 1
        assert actions.count("status_links_revoked") == 1
    other = sign_in("csm_other")
    assert other.get(f"/console/clients/{client_id}/status-page").status_code in (403, 404)
    refused = other.post(
        f"/console/clients/{client_id}/status-page/open",
        data={"csrf_token": csrf_of(other.get("/console/clients").text)},
    )
    assert refused.status_code in (403, 404)
