"""Edits of the client record in the console: a valid group is saved through the use cases (each
change audited with old and new value, a live event for the onboarding), an invalid one is a 422
with the message next to its field and the typed value kept; notes; the LGPD export and erasure
for managers and admins only, with the confirmation step; an erased record offers no edit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Client, ConsoleEvent, Contact, ErasureRequest
from tests.backoffice.factories import Roster, conversation_of, make_onboarding
from tests.console.conftest import csrf_of

SignIn = Callable[[str], httpx.Client]
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Seeded:
    client_id: int
    onboarding_id: int
    conversation_id: int


@pytest.fixture
def seeded(runtime: Runtime, roster: Roster, clock: FakeClock) -> Seeded:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session, now=clock.now(), csm_id=roster.csm_owner.id, company="Padaria Pão Quente"
        )
        return Seeded(onboarding.client_id, onboarding.id, conversation_of(session, onboarding).id)


def _csrf(client: httpx.Client, client_id: int) -> str:
    return csrf_of(client.get(f"/console/clients/{client_id}").text)


def _company_form(**overrides: str) -> dict[str, str]:
    form = {
        "cnpj": "11.222.333/0001-81",
        "company_name": "Padaria Pão Quente",
        "trade_name": "",
        "employees": "40",
    }
    form.update(overrides)
    return form


def test_a_valid_edit_is_saved_audited_and_signalled(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime, roster: Roster
) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}"
    form = _company_form(company_name="Padaria Pão Quentíssimo", employees="uns 55")
    answer = csm.post(
        f"{url}/edit/company",
        data={**form, "csrf_token": _csrf(csm, seeded.client_id)},
        headers={**HTMX, "HX-Target": "group-company"},
    )
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "<html" not in html  # the group, the audit trail and the header as fragments
    assert 'id="audit" hx-swap-oob="innerHTML"' in html
    assert "Padaria Pão Quentíssimo" in html
    assert "Salvo. A alteração está na trilha de auditoria." in html
    assert 'id="edit-company"' in html and "autofocus" in html  # the focus goes back to Edit
    # The audit trail (also in the fragment): old → new, who.
    assert re.search(
        r"Padaria Pão Quente</span> → <span class=\"new\">Padaria Pão Quentíssimo", html
    )
    assert "Csm " in html  # the staff member's name, not staff:<id>
    with runtime.sessions() as session:
        client = session.get_one(Client, seeded.client_id)
        assert (client.company_name, client.employees) == ("Padaria Pão Quentíssimo", 55)
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.client_id == seeded.client_id, AuditEvent.action == "field_changed"
            )
        ).all()
        assert {(r.field, r.old_value, r.new_value, r.actor) for r in rows} == {
            (
                "company_name",
                "Padaria Pão Quente",
                "Padaria Pão Quentíssimo",
                f"staff:{roster.csm_owner.id}",
            ),
            ("employees", "40", "55", f"staff:{roster.csm_owner.id}"),
        }
        events = session.scalars(
            select(ConsoleEvent).where(ConsoleEvent.kind == "client_updated")
        ).all()
        assert [(e.onboarding_id, e.csm_id) for e in events] == [
            (seeded.onboarding_id, roster.csm_owner.id)
        ]
        assert sorted(events[0].data["fields"]) == ["company_name", "employees"]


def test_an_invalid_edit_is_a_422_with_the_message_by_the_field(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}"
    answer = csm.post(
        f"{url}/edit/company",
        data={
            **_company_form(cnpj="11.222.333/0001-82", company_name="X Nova"),
            "csrf_token": _csrf(csm, seeded.client_id),
        },
        headers=HTMX,
    )
    assert answer.status_code == 422
    html = answer.text
    assert 'aria-describedby="company-cnpj-error"' in html and 'aria-invalid="true"' in html
    assert 'id="company-cnpj-error"' in html
    assert "Os dígitos verificadores deste CNPJ não conferem: confira." in html
    assert 'value="11.222.333/0001-82"' in html  # the typed value is kept
    assert 'value="X Nova"' in html
    with runtime.sessions() as session:  # nothing was saved, not even the valid field
        assert session.get_one(Client, seeded.client_id).company_name == "Padaria Pão Quente"
        assert (
            session.scalar(select(AuditEvent.id).where(AuditEvent.action == "field_changed"))
            is None
        )
    empty = csm.post(
        f"{url}/edit/company",
        data={**_company_form(company_name=" "), "csrf_token": _csrf(csm, seeded.client_id)},
    )
    assert empty.status_code == 422 and "Este campo é obrigatório." in empty.text
    assert "<html" in empty.text  # without htmx: the whole page, the form open


def test_contacts_are_created_and_corrected_by_area(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}/edit/contact-finance"
    bad = csm.post(
        url,
        data={
            "name": "Ana 2",
            "email": "ana",
            "phone": "1133334444",
            "csrf_token": _csrf(csm, seeded.client_id),
        },
        headers=HTMX,
    )
    assert bad.status_code == 422
    assert 'id="contact-finance-email-error"' in bad.text
    assert 'id="contact-finance-phone-error"' in bad.text
    assert 'id="contact-finance-name-error"' in bad.text
    good = csm.post(
        url,
        data={
            "name": "Ana Souza",
            "email": "Ana@Padaria.com.br",
            "phone": "(11) 98888-7777",
            "csrf_token": _csrf(csm, seeded.client_id),
        },
        headers=HTMX,
    )
    assert good.status_code == 200, good.text
    with runtime.sessions() as session:
        contact = session.scalar(
            select(Contact).where(Contact.client_id == seeded.client_id, Contact.area == "finance")
        )
        assert contact is not None
        assert (contact.name, contact.email, contact.phone) == (
            "Ana Souza",
            "ana@padaria.com.br",
            "+5511988887777",
        )
        fields = set(
            session.scalars(select(AuditEvent.field).where(AuditEvent.action == "field_changed"))
        )
    assert fields == {"contact.finance.name", "contact.finance.email", "contact.finance.phone"}
    assert "E-mail (Financeiro)" in good.text  # the audit trail names the field and area


def test_edit_refusals_another_csm_missing_group_and_csrf(sign_in: SignIn, seeded: Seeded) -> None:
    other = sign_in("csm_other")
    token = csrf_of(other.get("/console/clients").text)
    refused = other.post(
        f"/console/clients/{seeded.client_id}/edit/company",
        data={**_company_form(company_name="Invasor"), "csrf_token": token},
    )
    assert refused.status_code == 403
    owner = sign_in("csm_owner")
    token = _csrf(owner, seeded.client_id)
    unknown = owner.post(
        f"/console/clients/{seeded.client_id}/edit/salary", data={"csrf_token": token}
    )
    assert unknown.status_code == 404
    missing = owner.post(
        "/console/clients/999999/edit/company", data={**_company_form(), "csrf_token": token}
    )
    assert missing.status_code == 404
    no_token = owner.post(f"/console/clients/{seeded.client_id}/edit/company", data=_company_form())
    assert no_token.status_code == 403


def test_notes_are_added_and_an_empty_one_is_refused(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}/notes"
    empty = csm.post(
        url, data={"text": "  ", "csrf_token": _csrf(csm, seeded.client_id)}, headers=HTMX
    )
    assert empty.status_code == 422 and "Escreva a nota primeiro." in empty.text
    added = csm.post(
        url,
        data={
            "text": "Cliente prefere contato à tarde.",
            "csrf_token": _csrf(csm, seeded.client_id),
        },
        headers=HTMX,
    )
    assert added.status_code == 200
    assert "Cliente prefere contato à tarde." in added.text and "Nota adicionada." in added.text
    with runtime.sessions() as session:
        kinds = session.scalars(select(ConsoleEvent.kind)).all()
    assert "note_added" in kinds


def test_export_is_for_managers_and_admins_only(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    url = f"/console/clients/{seeded.client_id}"
    csm = sign_in("csm_owner")
    assert csm.get(f"{url}/export").status_code == 403
    manager = sign_in("manager")
    page = manager.get(url).text
    assert "Exportar dados (LGPD)" in page and "Apagar dados…" in page
    exported = manager.get(f"{url}/export")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    document = json.loads(exported.text)
    assert document["format"] == "acolhe.client-export.v2"
    assert document["client"]["company_name"] == "Padaria Pão Quente"
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "data_exported"))
    assert sign_in("manager_other").get(f"{url}/export").status_code == 403


def test_erasure_needs_the_confirmation_and_the_right_role(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime, clock: FakeClock
) -> None:
    url = f"/console/clients/{seeded.client_id}"
    csm = sign_in("csm_owner")
    assert csm.get(f"{url}/erase").status_code == 403
    csm_post = csm.post(
        f"{url}/erase", data={"confirmation": "APAGAR", "csrf_token": _csrf(csm, seeded.client_id)}
    )
    assert csm_post.status_code == 403
    # A manager, without the client's request: the page says an admin is needed; POST refused.
    manager = sign_in("manager")
    page = manager.get(f"{url}/erase")
    assert page.status_code == 200 and "exige um administrador" in page.text
    assert 'name="confirmation"' not in page.text
    refused = manager.post(
        f"{url}/erase",
        data={"confirmation": "APAGAR", "csrf_token": _csrf(manager, seeded.client_id)},
    )
    assert refused.status_code == 403
    # The client asks (through the bot): now the manager may confirm, after typing.
    with runtime.sessions() as session, session.begin():
        session.add(
            ErasureRequest(
                conversation_id=seeded.conversation_id,
                client_id=seeded.client_id,
                status="requested",
                requested_at=clock.now(),
            )
        )
    form = manager.get(f"{url}/erase")
    assert 'name="confirmation"' in form.text and "Apagar definitivamente" in form.text
    wrong = manager.post(
        f"{url}/erase", data={"confirmation": "apagar tudo", "csrf_token": csrf_of(form.text)}
    )
    assert wrong.status_code == 422
    assert 'aria-describedby="confirmation-error"' in wrong.text
    assert "Digite o CNPJ da empresa ou a palavra APAGAR para confirmar." in wrong.text
    with runtime.sessions() as session:
        assert session.get_one(Client, seeded.client_id).erased_at is None
    done = manager.post(
        f"{url}/erase",
        data={"confirmation": "11.222.333/0001-81", "csrf_token": csrf_of(form.text)},
    )
    assert done.status_code == 303 and done.headers["location"].startswith(url)
    with runtime.sessions() as session:
        client = session.get_one(Client, seeded.client_id)
        assert client.erased_at is not None and client.company_name is None
        request = session.scalar(select(ErasureRequest))
        assert request is not None and request.status in ("notifying", "done")
    record = manager.get(url).text
    assert "foram apagados (LGPD)" in record
    assert 'id="edit-company"' not in record and "Apagar dados…" not in record
    assert 'name="text"' not in record  # no note form either
    again = manager.post(
        f"{url}/edit/company",
        data={**_company_form(), "csrf_token": _csrf(manager, seeded.client_id)},
    )
    assert again.status_code == 409


def test_an_admin_erases_directly_with_the_word(
    sign_in: SignIn, seeded: Seeded, runtime: Runtime
) -> None:
    admin = sign_in("admin")
    url = f"/console/clients/{seeded.client_id}"
    form = admin.get(f"{url}/erase")
    assert 'name="confirmation"' in form.text
    done = admin.post(
        f"{url}/erase", data={"confirmation": " apagar ", "csrf_token": csrf_of(form.text)}
    )
    assert done.status_code == 303
    with runtime.sessions() as session:
        assert session.get_one(Client, seeded.client_id).erased_at is not None
        actions = set(session.scalars(select(AuditEvent.action)))
    assert "client_erased" in actions


def test_the_edit_form_opens_and_cancels_as_a_fragment(sign_in: SignIn, seeded: Seeded) -> None:
    csm = sign_in("csm_owner")
    url = f"/console/clients/{seeded.client_id}/edit/address"
    form = csm.get(url, headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert "data-editing" in form.text and 'id="address-cep"' in form.text
    assert re.search(r'id="address-cep"[^>]*autofocus', form.text)  # the focus goes in
    assert 'value="01310100"' in form.text  # the current values
    cancelled = csm.get(url, params={"cancel": "1"}, headers=HTMX)
    assert "data-editing" not in cancelled.text
    assert re.search(r'id="edit-address"[^>]*autofocus', cancelled.text)  # back on Edit
    without_js = csm.get(url)
    assert without_js.status_code == 303
    assert without_js.headers["location"].endswith("?edit=address#group-address")
    page = csm.get(f"/console/clients/{seeded.client_id}", params={"edit": "address"})
    assert 'id="address-cep"' in page.text and "<html" in page.text
