"""The status page's action routes over real HTTP (uvicorn on loopback): each POST needs the
link's CSRF token and this site's origin, answers 303 back to the page with a notice, and
refusals (forged, cross-site, another client's token, bad files, bad values) change
nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select, update

from bench.ocr.synthetic import make_sample
from bot.bootstrap import Runtime
from bot.domain.messages import Channel
from bot.storage.models import (
    Conversation,
    Document,
    Message,
    StatusLink,
)
from tests.client_page.conftest import ACTIONS_LIMIT as LIMIT
from tests.client_page.conftest import BROWSER, IssuedToken
from tests.support.conversation import Chat, register


def _csrf(http: httpx.Client, path: str) -> str:
    page = http.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found is not None, "the page has no form"
    return found.group(1)


def _client(runtime: Runtime, address: str) -> tuple[Chat, Conversation]:
    chat = Chat(runtime, address=address, channel=Channel.TWILIO_WHATSAPP)
    register(chat)
    assert "cartão CNPJ" in chat.say("1")
    with runtime.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == address)
        ).one()
        session.expunge(conversation)
    return chat, conversation


def _link(issue_link: Callable[..., IssuedToken], conversation: Conversation) -> IssuedToken:
    assert conversation.onboarding_id is not None
    return issue_link(conversation.onboarding_id, conversation_id=conversation.id)


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count(Document.id))) or 0,
            session.scalar(select(func.count(Message.id))) or 0,
            len([p for p in runtime.settings.documents_dir.rglob("*") if p.is_file()]),
        )


def _notice(response: httpx.Response, link: IssuedToken) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{link.path}?notice=")
    return location.split("?notice=", 1)[1].split("#", 1)[0].split("&", 1)[0]


# ---------------------------------------------------------------------------- files
def test_a_file_sent_from_the_page_is_queued_and_the_chat_told(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112001")
    link = _link(issue_link, conversation)
    page = http.get(link.path)
    assert 'accept="image/*" capture="environment"' in page.text
    assert 'accept="image/*,application/pdf"' in page.text
    csrf = _csrf(http, link.path)
    card = make_sample("cnpj_card", "pdf", seed=1)
    response = http.post(
        f"{link.path}/documents",
        data={"csrf": csrf},
        files=[
            ("file", ("", b"", "application/octet-stream")),
            ("file", ("cartao.pdf", card.data, "application/pdf")),
        ],
    )
    assert _notice(response, link) == "uploaded"
    with runtime.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.conversation_id, document.status, document.filename) == (
            conversation.id,
            "pending",
            "cartao.pdf",
        )
        assert document.media_url == f"stored:{document.provider_id}"
    # The page after the redirect says so, in the client's language.
    shown = http.get(response.headers["location"])
    assert "Recebemos o seu arquivo" in shown.text
    assert "recebido" in shown.text.lower()


@pytest.mark.parametrize(
    ("name", "data", "kind", "notice"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\0" * 100, "application/pdf", "file:unsupported_type"),
        ("quebrado.pdf", b"%PDF-1.4 not really", "application/pdf", "file:pdf_unreadable"),
        ("", b"", "application/octet-stream", "file:none"),
    ],
)
def test_a_bad_file_gets_a_notice_and_nothing_is_kept(
    runtime: Runtime,
    http: httpx.Client,
    issue_link: Callable[..., IssuedToken],
    name: str,
    data: bytes,
    kind: str,
    notice: str,
) -> None:
    _chat, conversation = _client(runtime, "+5511911112002")
    link = _link(issue_link, conversation)
    csrf = _csrf(http, link.path)
    before = _counts(runtime)
    response = http.post(
        f"{link.path}/documents", data={"csrf": csrf}, files={"file": (name, data, kind)}
    )
    assert _notice(response, link) == notice
    assert _counts(runtime) == before
    assert "Escolha" in http.get(response.headers["location"]).text or notice != "file:none"


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112003")
    link = _link(issue_link, conversation)
    csrf = _csrf(http, link.path)
    before = _counts(runtime)
    big = b"%PDF-1.4\n" + b"0" * (LIMIT + 200 * 1024)
    response = http.post(
        f"{link.path}/documents",
        data={"csrf": csrf},
        files={"file": ("grande.pdf", big, "application/pdf")},
    )
    assert _notice(response, link) == "file:too_large"
    assert _counts(runtime) == before
    shown = http.get(response.headers["location"])
    assert "grande demais" in shown.text


def test_forged_or_cross_site_forms_change_nothing(
    runtime: Runtime,
    http: httpx.Client,
    actions_url: str,
    issue_link: Callable[..., IssuedToken],
) -> None:
    _chat, conversation = _client(runtime, "+5511911112004")
    link = _link(issue_link, conversation)
    csrf = _csrf(http, link.path)
    card = make_sample("cnpj_card", "pdf", seed=1)
    before = _counts(runtime)
    attempts = [
        ({"csrf": "0" * 64}, {"Origin": actions_url}),  # a forged token
        ({}, {"Origin": actions_url}),  # none
        ({"csrf": csrf}, {"Origin": "https://evil.example"}),  # the right one, from elsewhere
    ]
    for form, headers in attempts:
        response = http.post(
            f"{link.path}/documents",
            data=form,
            files={"file": ("c.pdf", card.data, "application/pdf")},
            headers=headers,
        )
        assert response.status_code == 403, response.text
        assert "Nada foi alterado" in response.text
    no_origin = httpx.post(
        f"{actions_url}{link.path}/training/cancel",
        data={"csrf": csrf},
        headers={"User-Agent": BROWSER},
    )
    assert no_origin.status_code == 403
    assert _counts(runtime) == before


def test_dead_tokens_act_on_nothing(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112005")
    link = _link(issue_link, conversation)
    csrf = _csrf(http, link.path)
    with runtime.sessions.begin() as session:
        session.execute(
            update(StatusLink)
            .where(StatusLink.id == link.link_id)
            .values(revoked_at=runtime.clock.now())
        )
    before = _counts(runtime)
    bodies = set()
    for path in (link.path, "/s/not-a-token", "/s/" + "A" * 43):
        response = http.post(f"{path}/training/cancel", data={"csrf": csrf})
        assert response.status_code == 404
        bodies.add(response.text)
    assert len(bodies) == 1
    assert _counts(runtime) == before


# ---------------------------------------------------------------------------- readings
def test_confirming_a_reading_and_another_clients_token(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    chat, conversation = _client(runtime, "+5511911112006")
    _other_chat, other = _client(runtime, "+5511911112007")
    mine, theirs = _link(issue_link, conversation), _link(issue_link, other)
    document_id = _show_reading(runtime, chat, conversation)
    page = http.get(mine.path)
    assert f'action="{mine.path}/documents/{document_id}/confirm"' in page.text
    assert 'name="field:razao_social" value="PADARIA"' in page.text
    # Another client's link cannot touch it, even with its own valid form.
    their_csrf = _csrf(http, theirs.path)
    refused = http.post(f"{theirs.path}/documents/{document_id}/confirm", data={"csrf": their_csrf})
    assert _notice(refused, theirs) == "not_found"
    # A bad value: a notice, nothing confirmed.
    csrf = _csrf(http, mine.path)
    bad = http.post(
        f"{mine.path}/documents/{document_id}/confirm",
        data={"csrf": csrf, "field:cnpj": "11.111.111/1111-11"},
    )
    assert _notice(bad, mine) == "invalid_field"
    with runtime.sessions() as session:
        assert session.get_one(Document, document_id).confirmed_at is None
    done = http.post(
        f"{mine.path}/documents/{document_id}/confirm",
        data={"csrf": csrf, "field:razao_social": "Padaria Pão Quente Ltda"},
    )
    assert _notice(done, mine) == "confirmed"
    with runtime.sessions() as session:
        assert session.get_one(Document, document_id).confirmed_at is not None
    after = http.get(done.headers["location"]).text
    assert "Os dados foram confirmados" in after and "confirmado" in after


def _show_reading(runtime: Runtime, chat: Chat, conversation: Conversation) -> int:
    from bot.domain.documents import DocumentReading
    from bot.domain.messages import InboundMessage

    now = runtime.clock.now()
    fields = {"cnpj": "11222333000181", "razao_social": "PADARIA"}
    with runtime.sessions.begin() as session:
        document = Document(
            client_id=conversation.client_id,
            conversation_id=conversation.id,
            source_channel=conversation.channel,
            status="read",
            kind="cnpj_card",
            received_at=now,
            extraction={"kind": "cnpj_card", "fields": fields},
        )
        session.add(document)
        session.flush()
        document_id = document.id
    runtime.conversations.handle(
        InboundMessage(
            channel=chat.channel,
            address=chat.address,
            text="",
            received_at=now,
            external_id=f"doc:{document_id}",
            document=DocumentReading(document_id=document_id, kind="cnpj_card", fields=fields),
        )
    )
    return document_id


def test_notices_in_english_for_an_english_conversation(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112009")
    with runtime.sessions.begin() as session:
        session.execute(
            update(Conversation).where(Conversation.id == conversation.id).values(language="en")
        )
    link = _link(issue_link, conversation)
    page = http.get(f"{link.path}?notice=seat_taken").text
    assert "That session has just been taken" in page
    assert "Send a document" in page and "Take a photo" in page
    unknown = http.get(f"{link.path}?notice=<script>").text
    assert "<script>" not in unknown and "That did not work" in unknown


def test_the_notice_is_said_where_the_client_acted(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    """A phone shows the page from the part the redirect's anchor names: the notice is there,
    not at the top of the page, off the screen."""
    _chat, conversation = _client(runtime, "+5511911112009")
    link = _link(issue_link, conversation)
    response = http.post(
        f"{link.path}/documents",
        data={"csrf": _csrf(http, link.path)},
        files={"file": ("notas.txt", b"not an image", "text/plain")},
    )
    assert response.headers["location"].endswith("&at=pending-title#pending-title")
    page = http.get(response.headers["location"]).text
    heading = page.index('<h2 id="pending-title">')
    assert page.index('class="problem"') > heading  # under the heading the anchor scrolls to
    assert page.count('<div class="notice"') == 1  # said once
    # A place the page does not have: the notice goes to the top.
    elsewhere = http.get(f"{link.path}?notice=rated&at=nowhere").text
    top = elsewhere.index('<div class="notice"')
    assert "Obrigado" in elsewhere[top : elsewhere.index("</div>", top)]
