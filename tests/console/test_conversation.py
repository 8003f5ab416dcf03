"""The conversation page: what it shows, and every action with its refusals (403 outside the
scope, 404 for an unknown id, 409 while someone else holds it, 422 for an empty or too long
text). The CSRF check is the router's (tests/console/test_auth_sign_in.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Document,
    Escalation,
    Message,
    OutboxItem,
    StaffNote,
    StaffUser,
)
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Scene:
    owned: int  # csm_owner's onboarding, WhatsApp, an open escalation, a photo read
    queued: int  # no CSM: every CSM sees it
    document: int
    held_item: int  # an outbox row of ``owned`` held outside the window
    sent_item: int


def _add_message(session: object, conversation_id: int, **values: object) -> Message:
    assert hasattr(session, "add") and hasattr(session, "flush")
    message = Message(conversation_id=conversation_id, payload={}, **values)
    session.add(message)
    session.flush()
    return message


@pytest.fixture
def scene(runtime: Runtime, passwords: Roster, clock: FakeClock, documents: DocumentStore) -> Scene:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        owned = conversation_of(
            session,
            make_onboarding(
                session,
                now=now,
                csm_id=passwords.csm_owner.id,
                channel="twilio_whatsapp",
                company="Padaria Pão Quente",
            ),
        )
        owned.last_inbound_at = now - timedelta(hours=1)
        _add_message(
            session,
            owned.id,
            direction="out",
            author="bot",
            text="Qual é o seu nome completo?",
            status="delivered",
            created_at=now - timedelta(hours=2),
        )
        photo = _add_message(
            session,
            owned.id,
            direction="in",
            author="system",
            text="",
            status="received",
            created_at=now - timedelta(hours=1),
        )
        sha = documents.put(PNG)
        document = Document(
            client_id=owned.client_id,
            conversation_id=owned.id,
            kind="cnh",
            source_channel="twilio_whatsapp",
            status="read",
            mime="image/png",
            size=len(PNG),
            sha256=sha,
            received_at=photo.created_at,
            extraction={
                "kind": "cnh",
                "fields": {"nome": "MARIA DA SILVA", "cpf": "12345678909"},
                "uncertain": ["cpf"],
            },
        )
        session.add(document)
        _add_message(
            session,
            owned.id,
            direction="in",
            author="client",
            text="HUMANO",
            status="received",
            created_at=now - timedelta(minutes=30),
        )
        session.add(
            Escalation(
                conversation_id=owned.id,
                onboarding_id=owned.onboarding_id,
                reason="request_human",
                detail="",
                queue="self_service",
                status="open",
                assigned_to=passwords.csm_owner.id,
                created_at=now - timedelta(minutes=30),
            )
        )
        held = _add_message(
            session,
            owned.id,
            direction="out",
            author="bot",
            text="Lembrete: falta o comprovante.",
            status="held",
            created_at=now - timedelta(minutes=20),
        )
        held_item = OutboxItem(
            message_id=held.id,
            conversation_id=owned.id,
            channel="twilio_whatsapp",
            address=owned.address,
            status="held",
            attempts=1,
            next_attempt_at=now,
            last_error="outside WhatsApp's 24-hour window; no template for 'reminder'",
            created_at=held.created_at,
        )
        sent = _add_message(
            session,
            owned.id,
            direction="out",
            author="bot",
            text="Oi!",
            status="delivered",
            created_at=now - timedelta(minutes=19),
        )
        sent_item = OutboxItem(
            message_id=sent.id,
            conversation_id=owned.id,
            channel="twilio_whatsapp",
            address=owned.address,
            status="sent",
            attempts=1,
            next_attempt_at=now,
            created_at=sent.created_at,
        )
        session.add_all([held_item, sent_item])
        queued = conversation_of(
            session, make_onboarding(session, now=now, channel="twilio_whatsapp")
        )
        queued.last_inbound_at = now
        _add_message(
            session,
            queued.id,
            direction="in",
            author="client",
            text="Alguém?",
            status="received",
            created_at=now,
        )
        session.flush()
        return Scene(
            owned=owned.id,
            queued=queued.id,
            document=document.id,
            held_item=held_item.id,
            sent_item=sent_item.id,
        )


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


# ------------------------------------------------------------------------------- the page
def test_the_page_shows_the_transcript_documents_stage_and_window(
    scene: Scene, sign_in: Callable[[str], httpx.Client]
) -> None:
    page = sign_in("csm_owner").get(f"/console/conversations/{scene.owned}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Padaria Pão Quente" in html
    assert "Qual é o seu nome completo?" in html and "HUMANO" in html
    assert "Entregue" in html  # the delivery status of an outbound message
    assert f'src="/console/conversations/{scene.owned}/documents/{scene.document}"' in html
    assert "MARIA DA SILVA" in html and "a confirmar" in html and "lido" in html
    assert "documentos" in html  # the stage
    assert "Pediu uma pessoa" in html
    assert "O bot está atendendo." in html and "Assumir conversa" in html
    assert "Enviar" not in html  # nobody holds it: no composer
    assert "aberta até" in html  # the WhatsApp window, the client wrote an hour ago
    assert "Mensagens que não foram enviadas" in html and "Lembrete: falta o comprovante." in html
    assert f'id="retry-{scene.held_item}"' in html
    assert "Fora da janela de 24 horas do WhatsApp e sem modelo configurado" in html
    assert f'id="retry-{scene.sent_item}"' not in html
    assert f'hx-trigger="sse:conversation-{scene.owned}"' in html


def test_another_csm_gets_the_refusal_page_and_a_missing_id_a_404(
    scene: Scene, sign_in: Callable[[str], httpx.Client]
) -> None:
    other = sign_in("csm_other")
    refused = other.get(f"/console/conversations/{scene.owned}")
    assert refused.status_code == 403
    assert "Você não tem acesso a isto" in refused.text
    assert "HUMANO" not in refused.text
    for path in ("transcript", "holder", "composer", f"documents/{scene.document}"):
        assert other.get(f"/console/conversations/{scene.owned}/{path}").status_code == 403
    token = csrf_of(other.get("/console/inbox").text)
    actions = ("takeover", "messages", "release", "notes", f"deliveries/{scene.held_item}/retry")
    for action in actions:
        answer = other.post(
            f"/console/conversations/{scene.owned}/{action}",
            data={"csrf_token": token, "text": "oi"},
        )
        assert answer.status_code == 403, action
    assert other.get("/console/conversations/999999").status_code == 404
    assert sign_in("manager_other").get(f"/console/conversations/{scene.owned}").status_code == 403


def test_the_manager_and_the_admin_see_it(
    scene: Scene, sign_in: Callable[[str], httpx.Client]
) -> None:
    for role in ("manager", "admin"):
        assert sign_in(role).get(f"/console/conversations/{scene.owned}").status_code == 200


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


# ---------------------------------------------------------------------------- documents
def test_a_document_is_served_to_whoever_sees_the_conversation(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime
) -> None:
    client = sign_in("csm_owner")
    answer = client.get(f"/console/conversations/{scene.owned}/documents/{scene.document}")
    assert answer.status_code == 200 and answer.content == PNG
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-disposition"] == "inline"
    with runtime.sessions() as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "document_downloaded"))
            is not None
        )
    # Under another conversation's path: not found; an unknown id too.
    other = f"/console/conversations/{scene.queued}/documents/{scene.document}"
    assert client.get(other).status_code == 404
    assert client.get(f"/console/conversations/{scene.owned}/documents/999999").status_code == 404


# ------------------------------------------------------------------------------- live
def test_the_transcript_fragment_announces_a_new_client_message(
    scene: Scene, sign_in: Callable[[str], httpx.Client], runtime: Runtime, clock: FakeClock
) -> None:
    client = sign_in("csm_owner")
    base = f"/console/conversations/{scene.owned}"
    page = client.get(base).text
    last = re.search(r'id="transcript-last" name="last" value="(\d+)"', page)
    assert last is not None
    quiet = client.get(f"{base}/transcript", params={"last": last.group(1)})
    assert "data-announce" not in quiet.text and "<html" not in quiet.text
    with runtime.sessions() as session, session.begin():
        _add_message(
            session,
            scene.owned,
            direction="in",
            author="client",
            text="Ainda estou aqui",
            status="received",
            created_at=clock.now(),
        )
    fresh = client.get(f"{base}/transcript", params={"last": last.group(1)})
    assert "Ainda estou aqui" in fresh.text
    assert 'data-announce="Nova mensagem do cliente"' in fresh.text
