"""An address the console does not have answers with the console's own page, not the router's
JSON (``backoffice.console.install_console_handlers``); the API and the static files keep
their own answers."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.backoffice.factories import Roster


def test_a_mistyped_console_address_gets_the_consoles_not_found_page(
    sign_in: Callable[[str], httpx.Client], passwords: Roster
) -> None:
    client = sign_in("csm_owner")

    answer = client.get("/console/clientes-antigos")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Não encontrado" in answer.text
    assert 'href="/console/"' in answer.text


def test_a_method_a_console_page_does_not_take_is_a_page_with_its_allow_header(
    console_url: str,
) -> None:
    answer = httpx.delete(f"{console_url}/console/login")

    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("text/html")
    assert set(answer.headers["allow"].split(", ")) == {"GET", "POST"}


def test_the_api_and_static_files_keep_their_own_not_found_answers(console_url: str) -> None:
    api = httpx.get(f"{console_url}/api/v1/no-such-thing")
    static = httpx.get(f"{console_url}/console/static/no-such-file.css")

    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert static.status_code == 404
    assert not static.headers["content-type"].startswith("text/html")
