"""A conversation's actions in the console (take over, send, hand back, note, retry) and their
refusals: 409 while someone else holds it, 422 for an empty or too long text. The CSRF check
is the router's (tests/console/test_auth_sign_in.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Escalation,
    Message,
    OutboxItem,
    StaffNote,
    StaffUser,
)
from tests.backoffice.factories import Roster
from tests.console.conftest import csrf_of
from tests.console.conversation_scene import Scene


def _post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    page = client.get(
        path.rsplit("/", 1)[0] if not path.endswith("/retry") else path.split("/deliveries")[0]
    )
    return client.post(path, data={"csrf_token": csrf_of(page.text), **data})


def _conversation(runtime: Runtime, conversation_id: int) -> Conversation:
    with runtime.sessions() as session:
        return session.get_one(Conversation, conversation_id)


def _name(runtime: Runtime, staff_id: int) -> str:
    with runtime.sessions() as session:
        return session.get_one(StaffUser, staff_id).name


# ------------------------------------------------------------------------- take over, send
def test_take_over_send_and_hand_back(
    scene: Scene,
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
) -> None:
    client = sign_in("csm_owner")
    base = f"/console/conversations/{scene.owned}"
    taken = _post(client, f"{base}/takeover")
    assert taken.status_code == 303 and taken.headers["location"] == f"{base}#composer"
    held = _conversation(runtime, scene.owned)
    assert held.bot_paused and held.paused_by == passwords.csm_owner.id
    page = client.get(base).text
    assert "Você assumiu esta conversa" in page and 'id="send"' in page
    assert "Enviar" in page and "Devolver ao bot" in page and 'id="takeover"' not in page

    sent = _post(client, f"{base}/messages", text="  Oi Maria, aqui é a Carla.  ")
    assert sent.status_code == 303
    with runtime.sessions() as session:
        message = session.scalars(
            select(Message).where(Message.author == "staff").order_by(Message.id.desc())
        ).first()
        assert message is not None and message.text == "Oi Maria, aqui é a Carla."
        assert message.staff_id == passwords.csm_owner.id
        assert (
            session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
            is not None
        )
    assert "Oi Maria, aqui é a Carla." in client.get(base).text

    released = _post(client, f"{base}/release")
    assert released.status_code == 303
    assert released.headers["location"] == f"{base}#holder"  # back where "Assumir" is again
    after = _conversation(runtime, scene.owned)
    assert not after.bot_paused and after.paused_by is None
    with runtime.sessions() as session:
        statuses = set(
            session.scalars(
                select(Escalation.status).where(Escalation.conversation_id == scene.owned)
            )
        )
    assert statuses == {"resolved"}
    assert "O bot está atendendo." in client.get(base).text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Escreva uma mensagem antes de enviar."),
        ("   \n ", "Escreva uma mensagem antes de enviar."),
        ("x" * 4001, "no máximo 4000 caracteres"),
    ],
)
def test_an_empty_or_too_long_message_is_a_422(
    text: str,
    says: str,
    scene: Scene,
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
) -> None:
    client = sign_in("csm_owner")
    base = f"/console/conversations/{scene.owned}"
    assert _post(client, f"{base}/takeover").status_code == 303
    answer = _post(client, f"{base}/messages", text=text)
    assert answer.status_code == 422
    assert says in answer.text
    with runtime.sessions() as session:
        assert session.scalar(select(Message).where(Message.author == "staff")) is None


def test_writing_without_holding_it_is_a_409(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    client = sign_in("csm_owner")
    answer = _post(client, f"/console/conversations/{scene.owned}/messages", text="oi")
    assert answer.status_code == 409
    assert "Assuma a conversa antes de escrever." in answer.text
    with runtime.sessions() as session:
        assert session.scalar(select(Message).where(Message.author == "staff")) is None


def test_a_second_csm_sees_the_holder_and_cannot_type_over_them(
    scene: Scene,
    sign_in: Callable[[str], httpx.Client],
    runtime: Runtime,
    passwords: Roster,
) -> None:
    first, second = sign_in("csm_owner"), sign_in("csm_other")
    base = f"/console/conversations/{scene.queued}"
    watching = second.get(base)
    assert watching.status_code == 200 and 'id="takeover"' in watching.text
    assert _post(first, f"{base}/takeover").status_code == 303
    holder = _name(runtime, passwords.csm_owner.id)

    page = second.get(base).text
    assert f"{holder} assumiu esta conversa." in page
    assert 'id="send"' not in page and 'id="takeover"' not in page
    fragment = second.get(f"{base}/holder", headers={"HX-Request": "true"}).text
    assert f"{holder} assumiu esta conversa." in fragment and "<html" not in fragment
    composer = second.get(f"{base}/composer").text
    assert "só essa pessoa pode escrever ao cliente" in composer and "<textarea" not in composer
    mine = first.get(f"{base}/composer").text
    assert 'id="composer-text"' in mine and "hx-preserve" in mine and "<html" not in mine

    token = csrf_of(watching.text)
    again = second.post(f"{base}/takeover", data={"csrf_token": token})
    assert again.status_code == 409 and f"{holder} assumiu esta conversa." in again.text
    over = second.post(f"{base}/messages", data={"csrf_token": token, "text": "eu respondo"})
    assert over.status_code == 409 and f"{holder} assumiu esta conversa." in over.text
    release = second.post(f"{base}/release", data={"csrf_token": token})
    assert release.status_code == 403 and f"{holder} assumiu esta conversa." in release.text
    assert _conversation(runtime, scene.queued).paused_by == passwords.csm_owner.id
    with runtime.sessions() as session:
        assert session.scalar(select(Message).where(Message.author == "staff")) is None


def test_a_manager_may_hand_back_a_csm_s_conversation(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    base = f"/console/conversations/{scene.owned}"
    assert _post(sign_in("csm_owner"), f"{base}/takeover").status_code == 303
    manager = sign_in("manager")
    assert "Devolver ao bot" in manager.get(base).text
    assert _post(manager, f"{base}/release").status_code == 303
    assert not _conversation(runtime, scene.owned).bot_paused
    # Nothing to hand back any more: said, not failed.
    again = _post(manager, f"{base}/release")
    assert again.status_code == 409 and "O bot já está atendendo esta conversa." in again.text


# ------------------------------------------------------------------------------- notes
def test_a_private_note_is_saved_and_listed(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    client = sign_in("csm_owner")
    base = f"/console/conversations/{scene.owned}"
    saved = _post(client, f"{base}/notes", text="Cliente prefere ligação à tarde.")
    assert saved.status_code == 303 and saved.headers["location"].endswith("#notes")
    assert "Cliente prefere ligação à tarde." in client.get(base).text
    with runtime.sessions() as session:
        note = session.scalars(select(StaffNote)).one()
        assert note.onboarding_id is not None
    empty = _post(client, f"{base}/notes", text=" ")
    assert empty.status_code == 422 and "Escreva a nota antes de salvar." in empty.text
    long = _post(client, f"{base}/notes", text="n" * 5001)
    assert long.status_code == 422 and "no máximo 5000 caracteres" in long.text


# ------------------------------------------------------------------------------- retry
def test_a_held_message_is_queued_again(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    client = sign_in("csm_owner")
    base = f"/console/conversations/{scene.owned}"
    answer = _post(client, f"{base}/deliveries/{scene.held_item}/retry")
    assert answer.status_code == 303 and answer.headers["location"].endswith("#undelivered")
    with runtime.sessions() as session:
        item = session.get_one(OutboxItem, scene.held_item)
        assert item.status == "pending" and item.attempts == 0 and item.last_error is None
        assert session.get_one(Message, item.message_id).status == "queued"
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "delivery_retried"))
            is not None
        )
    assert f'id="retry-{scene.held_item}"' not in client.get(base).text
    # Sent already, or no longer held: nothing to retry.
    assert _post(client, f"{base}/deliveries/{scene.sent_item}/retry").status_code == 409
    assert _post(client, f"{base}/deliveries/{scene.held_item}/retry").status_code == 409
    # A row of another conversation, under this one's path, or one that does not exist.
    other = f"/console/conversations/{scene.queued}"
    assert _post(client, f"{other}/deliveries/{scene.held_item}/retry").status_code == 404
    assert _post(client, f"{base}/deliveries/999999/retry").status_code == 404


def test_while_another_person_holds_it_only_they_retry(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    base = f"/console/conversations/{scene.owned}"
    assert _post(sign_in("manager"), f"{base}/takeover").status_code == 303
    refused = _post(sign_in("csm_owner"), f"{base}/deliveries/{scene.held_item}/retry")
    assert refused.status_code == 409
    with runtime.sessions() as session:
        assert session.get_one(OutboxItem, scene.held_item).status == "held"
