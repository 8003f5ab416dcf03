"""A form the console cannot take says why and what to do (``backoffice.console.deps``): sent
after the session ended, it offers the sign-in back to the page it came from; sent with an
out-of-date token, it says the form is out of date, not that the person lacks access."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from backoffice.staff_auth import AuthPolicy
from bot.domain.clock import FakeClock
from tests.console.conftest import csrf_of
from tests.console.conversation_scene import Scene


def test_a_note_sent_after_the_session_ended_offers_the_sign_in_back_to_its_page(
    scene: Scene, sign_in: Callable[[str], httpx.Client], clock: FakeClock
) -> None:
    client = sign_in("csm_owner")
    page_path = f"/console/conversations/{scene.owned}"
    token = csrf_of(client.get(page_path).text)
    clock.advance(AuthPolicy().idle + timedelta(minutes=1))

    answer = client.post(
        f"{page_path}/notes",
        data={"text": "Ligar amanhã às 9h", "csrf_token": token},
        headers={"Referer": f"{client.base_url}{page_path}"},
    )

    assert answer.status_code == 401
    assert "Sua sessão terminou" in answer.text
    assert f'href="/console/login?next={page_path}"' in answer.text
    assert "Você não tem acesso" not in answer.text
    # From another site's page, the way back is the console's home, never that site.
    elsewhere = client.post(
        f"{page_path}/notes",
        data={"text": "x", "csrf_token": token},
        headers={"Referer": "https://evil.example/console/inbox"},
    )
    assert 'href="/console/login?next=/console/"' in elsewhere.text


def test_a_form_with_an_out_of_date_token_says_so(
    scene: Scene, sign_in: Callable[[str], httpx.Client]
) -> None:
    client = sign_in("csm_owner")

    answer = client.post(
        f"/console/conversations/{scene.owned}/notes",
        data={"text": "Ligar amanhã às 9h", "csrf_token": "a-token-of-an-older-session"},
    )

    assert answer.status_code == 403
    assert "Este formulário está desatualizado" in answer.text
    assert "Você não tem acesso" not in answer.text
