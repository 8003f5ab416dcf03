"""The conversation page: what it shows, to whom (403 outside the scope, 404 for an unknown
id), its blocks and documents. Its actions are test_conversation_actions.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import (
    AuditEvent,
    Message,
)
from tests.console.conftest import csrf_of
from tests.console.conversation_scene import PNG, Scene


def _add_message(session: object, conversation_id: int, **values: object) -> Message:
    assert hasattr(session, "add") and hasattr(session, "flush")
    message = Message(conversation_id=conversation_id, payload={}, **values)
    session.add(message)
    session.flush()
    return message


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
    assert "<dd>Documentos</dd>" in html  # the stage, by its name
    # The reading as the client's page says it: field names, the CPF with its punctuation.
    assert '<th scope="row">Nome</th>' in html and "123.456.789-09" in html
    assert '<span class="doc-kind">CNH</span> · <span class="muted">lido</span>' in html
    assert "cnh" not in re.sub(r'"[^"]*"', "", html).split("<main")[1]  # no code outside attributes
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
