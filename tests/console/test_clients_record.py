"""The client record in the console, over HTTP against a real server: what each role sees, the
list's search, the sections (Receita snapshot and flags, contacts, readings with confidence,
cross-check warnings, history, audit trail with filters, notes), and the refusals: another
CSM's client is a 403 page, a missing one a 404, a bad filter a 422 with its message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
import pytest

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import (
    AuditEvent,
    CompanyRegistry,
    Conversation,
    Document,
    Escalation,
    Onboarding,
)
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

SignIn = Callable[[str], httpx.Client]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Seeded:
    client_id: int  # csm_owner's (team alpha)
    onboarding_id: int
    other_client_id: int  # manager_other's team (beta)
    image_id: int
    pdf_id: int


def _documents(
    onboarding: Onboarding,
    *,
    conversation: Conversation,
    now: datetime,
    image_sha: str,
    pdf_sha: str,
) -> tuple[Document, Document]:
    """A CNH photo read with an uncertain CPF and a name mismatch; a CNPJ card PDF."""
    image = Document(
        client_id=onboarding.client_id,
        conversation_id=conversation.id,
        kind="cnh",
        source_channel="twilio_whatsapp",
        status="read",
        mime="image/png",
        size=len(PNG),
        sha256=image_sha,
        received_at=now,
        extraction={
            "kind": "cnh",
            "fields": {"nome": "MARIA DA SILVA", "cpf": "123.456.789-09"},
            "uncertain": ["cpf"],
            "mismatches": [
                ["nome", "O nome no documento não confere.", "The name does not match."]
            ],
        },
    )
    pdf = Document(
        client_id=onboarding.client_id,
        conversation_id=conversation.id,
        kind="cnpj_card",
        source_channel="twilio_whatsapp",
        status="read",
        mime="application/pdf",
        size=15,
        sha256=pdf_sha,
        received_at=now,
        extraction={
            "kind": "cnpj_card",
            "fields": {"cnpj": "11.222.333/0001-81"},
            "confidence": {"cnpj": 0.97},
        },
    )
    return image, pdf


@pytest.fixture
def seeded(runtime: Runtime, roster: Roster, clock: FakeClock, documents: DocumentStore) -> Seeded:
    now = clock.now()
    image_sha = documents.put(PNG)
    pdf_sha = documents.put(b"%PDF-1.4\n%test\n")
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session, now=now, csm_id=roster.csm_owner.id, company="Padaria Pão Quente Ltda"
        )
        other = make_onboarding(
            session,
            now=now,
            csm_id=roster.manager_other.id,
            company="Oficina Beta",
            cnpj="11444777000161",
        )
        conversation = conversation_of(session, onboarding)
        onboarding.red_flag = True
        onboarding.red_flag_reason = "situação cadastral BAIXADA na Receita Federal"
        session.add(
            CompanyRegistry(
                client_id=onboarding.client_id,
                cnpj="11222333000181",
                razao_social="PADARIA PAO QUENTE LTDA",
                nome_fantasia="PAO QUENTE",
                situacao="BAIXADA",
                opened_on=date(2026, 10, 1),
                porte="MICRO EMPRESA",
                simples=True,
                raw={"municipio": "SAO PAULO", "uf": "SP"},
                checked_at=now,
            )
        )
        image, pdf = _documents(
            onboarding, conversation=conversation, now=now, image_sha=image_sha, pdf_sha=pdf_sha
        )
        session.add_all([image, pdf])
        session.add(
            Escalation(
                conversation_id=conversation.id,
                onboarding_id=onboarding.id,
                reason="document_mismatch",
                detail="CNH: o nome não confere com o do contato",
                queue="default",
                status="open",
                created_at=now,
            )
        )
        session.add(
            AuditEvent(
                client_id=onboarding.client_id,
                actor="bot",
                action="field_changed",
                field="employees",
                old_value="30",
                new_value="40",
                at=now - timedelta(days=3),
            )
        )
        session.flush()
        return Seeded(onboarding.client_id, onboarding.id, other.client_id, image.id, pdf.id)


def test_the_owner_sees_every_section_of_the_record(sign_in: SignIn, seeded: Seeded) -> None:
    csm = sign_in("csm_owner")
    page = csm.get(f"/console/clients/{seeded.client_id}")
    assert page.status_code == 200, page.text
    html = page.text
    for heading in (
        "Empresa",
        "Contatos por área",
        "Documentos e leituras",
        "Alertas de conferência",
        "Histórico de etapas",
        "Trilha de auditoria",
        "Notas",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "Padaria Pão Quente Ltda" in html and "11.222.333/0001-81" in html
    # Values as people write them: the CEP with its hyphen, the phone as dialled in Brazil,
    # the stage and the fields read by their names.
    assert "<dd>01310-100</dd>" in html and "<dd>(11) 90000-0000</dd>" in html
    assert "<strong>Documentos</strong>" in html and '<th scope="row">Nome</th>' in html
    # The Receita snapshot and its flags (the bot's own wording).
    assert "situação cadastral BAIXADA na Receita Federal" in html
    assert "empresa aberta há 54 dias (01/10/2026)" in html
    assert "MICRO EMPRESA" in html
    # Readings per field with confidence; the image behind a disclosure, the PDF as a link.
    assert "MARIA DA SILVA" in html and "baixa: a confirmar" in html and "97%" in html
    assert f"/console/clients/{seeded.client_id}/documents/{seeded.image_id}/content" in html
    assert "Abrir o PDF" in html
    # Cross-check warnings: the reading's mismatch and the escalation opened for it.
    assert "O nome no documento não confere." in html
    assert "CNH: o nome não confere com o do contato" in html
    # Live: the sections listen to the onboarding's events.
    assert f"sse:onboarding-{seeded.onboarding_id}" in html
    assert 'sse-connect="/console/events?last_event_id=' in html
    # A CSM gets no LGPD buttons.
    assert "Exportar dados" not in html and "Apagar dados" not in html


def test_refusals_another_csms_client_missing_and_other_team(
    sign_in: SignIn, seeded: Seeded
) -> None:
    other_csm = sign_in("csm_other")
    refused = other_csm.get(f"/console/clients/{seeded.other_client_id}")
    assert refused.status_code == 403
    assert "Você não tem acesso a isto" in refused.text
    missing = other_csm.get("/console/clients/999999")
    assert missing.status_code == 404
    manager_beta = sign_in("manager_other")
    assert manager_beta.get(f"/console/clients/{seeded.client_id}").status_code == 403
    assert manager_beta.get(f"/console/clients/{seeded.other_client_id}").status_code == 200
    for path in ("sections/audit", f"documents/{seeded.image_id}/content", "edit/company"):
        answer = manager_beta.get(f"/console/clients/{seeded.client_id}/{path}")
        assert answer.status_code == 403, path


def test_the_list_searches_by_name_and_cnpj_within_scope(sign_in: SignIn, seeded: Seeded) -> None:
    csm = sign_in("csm_owner")
    everything = csm.get("/console/clients")
    assert everything.status_code == 200
    assert "Padaria Pão Quente Ltda" in everything.text
    assert "Oficina Beta" not in everything.text  # another team's client
    by_cnpj = csm.get("/console/clients", params={"q": "11.222.333"})
    assert f'href="/console/clients/{seeded.client_id}"' in by_cnpj.text
    by_name = csm.get("/console/clients", params={"q": "padaria"})
    assert "Padaria Pão Quente Ltda" in by_name.text
    nothing = csm.get("/console/clients", params={"q": "oficina"})
    assert "Oficina Beta" not in nothing.text and "Nenhum cliente" in nothing.text
    admin = sign_in("admin")
    assert "Oficina Beta" in admin.get("/console/clients", params={"q": "oficina"}).text
    partial = csm.get(
        "/console/clients",
        params={"q": "padaria"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert "<html" not in partial.text and "Padaria Pão Quente Ltda" in partial.text


def test_audit_filters_follow_the_api(sign_in: SignIn, seeded: Seeded, roster: Roster) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}"
    by_bot = csm.get(url, params={"actor": "bot"})
    assert "30" in by_bot.text and "Registros: 1" in by_bot.text
    by_staff = csm.get(url, params={"actor": "staff"})
    assert "Registros: 0" in by_staff.text
    by_field = csm.get(url, params={"field": "employees"})
    assert "Registros: 1" in by_field.text
    recent = csm.get(url, params={"since": "2026-11-23"})
    assert "Registros: 0" in recent.text
    older = csm.get(url, params={"since": "2026-11-21", "until": "2026-11-21"})
    assert "Registros: 1" in older.text
    api = httpx.get(
        f"{csm.base_url}/api/v1/clients/{seeded.client_id}/audit",
        params={"since": "2026-11-21", "until": "2026-11-21"},
        headers=roster.csm_owner.headers,
    )
    assert api.json()["total"] == 1
    bad = csm.get(
        url, params={"since": "31/02/2026"}, headers={"HX-Request": "true", "HX-Target": "audit"}
    )
    assert bad.status_code == 422
    assert 'aria-describedby="audit-since-error"' in bad.text
    assert "Escreva o dia como DD/MM/AAAA." in bad.text
    assert "<html" not in bad.text  # only the audit block


def test_document_content_is_served_inline_and_audited(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    csm = sign_in("csm_owner")
    image = csm.get(f"/console/clients/{seeded.client_id}/documents/{seeded.image_id}/content")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline")
    pdf = csm.get(f"/console/clients/{seeded.client_id}/documents/{seeded.pdf_id}/content")
    assert pdf.headers["content-type"] == "application/pdf"
    with runtime.sessions() as session:
        opened = session.query(AuditEvent).filter_by(action="document_downloaded").count()
    assert opened == 2
    missing = csm.get(f"/console/clients/{seeded.client_id}/documents/999999/content")
    assert missing.status_code == 404


def test_a_section_alone_for_live_refreshes_and_english(sign_in: SignIn, seeded: Seeded) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}"
    audit = csm.get(f"{url}/sections/audit", params={"live": "true", "actor": "bot"})
    assert audit.status_code == 200
    assert "<html" not in audit.text and "<h2" in audit.text
    assert 'data-announce="O cadastro foi atualizado."' in audit.text  # said by the live region
    assert "Registros: 1" in audit.text  # the filters sent along are kept
    assert csm.get(f"{url}/sections/secrets").status_code == 404
    page = csm.get(url).text
    switched = csm.post(
        "/console/language", data={"language": "en", "back": url, "csrf_token": csrf_of(page)}
    )
    assert switched.status_code == 303
    english = csm.get(url).text
    assert ">Audit trail</h2>" in english and ">Cross-check warnings</h2>" in english
    assert "low: to confirm" in english
    assert "on_track" not in english and "<strong>Documents</strong>" in english
