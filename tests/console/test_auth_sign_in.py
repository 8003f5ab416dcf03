"""Sign-in, sign-out, lock-out, password links and CSRF, over HTTP against a real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from backoffice.staff_auth import AuthPolicy, create_reset_link
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import StaffSession, StaffUser
from tests.backoffice.factories import Roster
from tests.console.conftest import PASSWORD, csrf_of, email_of


def _login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )


def test_a_page_without_a_session_redirects_to_the_sign_in(console_url: str) -> None:
    answer = httpx.get(f"{console_url}/console/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/"


def test_an_htmx_request_without_a_session_gets_hx_redirect(console_url: str) -> None:
    answer = httpx.get(f"{console_url}/console/", headers={"HX-Request": "true"})
    assert answer.status_code == 401
    assert answer.headers["HX-Redirect"].startswith("/console/login")


def test_sign_in_sets_a_strict_cookie_and_sign_out_ends_the_session(
    console_url: str, runtime: Runtime, passwords: Roster
) -> None:
    with httpx.Client(base_url=console_url, timeout=20) as client:
        answer = _login(client, email_of(runtime, passwords.csm_owner.id), PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/"
        cookie = answer.headers["set-cookie"]
        assert "acolhe_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
        home = client.get("/console/")
        assert home.status_code == 303 and home.headers["location"] == "/console/inbox"
        token = client.cookies["acolhe_session"]
        out = client.post("/console/logout", data={"csrf_token": _csrf_of_session(runtime)})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
        # The old cookie is worth nothing any more, even if a copy of it survived.
        again = httpx.get(f"{console_url}/console/", cookies={"acolhe_session": token})
        assert again.status_code == 303 and again.headers["location"].startswith("/console/login")


def _csrf_of_session(runtime: Runtime) -> str:
    with runtime.sessions() as session:
        row = session.query(StaffSession).order_by(StaffSession.id.desc()).first()
        assert row is not None
        return row.csrf_token


def test_a_wrong_password_is_refused_with_a_message_and_nothing_else(
    console_url: str, runtime: Runtime, passwords: Roster
) -> None:
    with httpx.Client(base_url=console_url, timeout=20) as client:
        answer = _login(client, email_of(runtime, passwords.csm_owner.id), "not-the-password")
        assert answer.status_code == 401
        assert "E-mail ou senha incorretos." in answer.text
        assert "acolhe_session" not in client.cookies
        unknown = _login(client, "nobody@example.com", PASSWORD)
        assert unknown.status_code == 401
        assert "E-mail ou senha incorretos." in unknown.text  # no hint that the e-mail exists


def test_five_failures_lock_the_account_even_for_the_right_password(
    console_url: str, runtime: Runtime, passwords: Roster, clock: FakeClock
) -> None:
    email = email_of(runtime, passwords.csm_other.id)
    with httpx.Client(base_url=console_url, timeout=20) as client:
        for _ in range(AuthPolicy().max_failures):
            assert _login(client, email, "wrong-password-0").status_code == 401
        locked = _login(client, email, PASSWORD)
        assert locked.status_code == 401
        assert "bloqueada" in locked.text
        clock.advance(AuthPolicy().lock_for + timedelta(seconds=1))
        assert _login(client, email, PASSWORD).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(
    sign_in: Callable[[str], httpx.Client],
) -> None:
    client = sign_in("csm_owner")
    refused = client.post("/console/logout", data={})
    assert refused.status_code == 403
    forged = client.post("/console/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    # The sign-in form too: a cross-site POST carries no login cookie.
    with httpx.Client(base_url=str(client.base_url)) as other:
        assert (
            other.post(
                "/console/login", data={"email": "a@b.c", "password": "x", "csrf_token": "x"}
            ).status_code
            == 403
        )


def test_the_next_page_never_leaves_the_console(
    console_url: str, runtime: Runtime, passwords: Roster
) -> None:
    with httpx.Client(base_url=console_url, timeout=20) as client:
        page = client.get("/console/login?next=https://evil.example/")
        assert 'value="/console/"' in page.text
        answer = client.post(
            "/console/login",
            data={
                "email": email_of(runtime, passwords.manager.id),
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "//evil.example/x",
            },
        )
        assert answer.headers["location"] == "/console/"


def test_idle_sessions_expire(sign_in: Callable[[str], httpx.Client], clock: FakeClock) -> None:
    client = sign_in("manager")
    assert client.get("/console/").status_code == 303
    clock.advance(AuthPolicy().idle + timedelta(minutes=1))
    answer = client.get("/console/")
    assert answer.headers["location"].startswith("/console/login")


def test_a_reset_link_sets_the_password_once(
    console_url: str, runtime: Runtime, passwords: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        staff = session.get_one(StaffUser, passwords.csm_owner.id)
        token = create_reset_link(session, staff, now=clock.now(), policy=AuthPolicy())
    with httpx.Client(base_url=console_url, timeout=20) as client:
        page = client.get(f"/console/reset/{token}")
        assert page.status_code == 200
        short = client.post(
            f"/console/reset/{token}",
            data={"password": "curta", "confirm": "curta", "csrf_token": csrf_of(page.text)},
        )
        assert short.status_code == 422 and "pelo menos 10" in short.text
        new = "uma-senha-nova-e-longa"
        done = client.post(
            f"/console/reset/{token}",
            data={"password": new, "confirm": new, "csrf_token": csrf_of(short.text)},
        )
        assert done.status_code == 303
        assert client.get(f"/console/reset/{token}").status_code == 404
        email = email_of(runtime, passwords.csm_owner.id)
        assert _login(client, email, PASSWORD).status_code == 401
        assert _login(client, email, new).status_code == 303
