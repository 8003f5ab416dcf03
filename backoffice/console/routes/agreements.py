"""``/console/clients/{id}/agreements``: what was agreed with the client, on the client record —
record an agreement (what, who owes it, by which business day, for which stage), mark one done
or cancel it. The use cases are ``backoffice.agreements`` (scope, checks, audit, live event);
the record includes this section (``_agreements_section.html``), which reloads itself on the
``agreement_changed`` live event of the client's onboardings.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from backoffice.access import load_client
from backoffice.agreements import (
    AgreementDraft,
    agreement_in_scope,
    close_agreement,
    current_onboarding,
    list_agreements,
    record_agreement,
)
from backoffice.api.deps import SessionDep
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.errors import Invalid, NotFound
from bot.domain.onboarding import STAGE_LABELS, Stage
from bot.storage.models.agreements import WHAT_MAX

__all__ = ["REFUSALS", "register"]

ID_MAX = 2**31 - 1
ClientPath = Annotated[int, Path(ge=1, le=ID_MAX)]
AgreementPath = Annotated[int, Path(ge=1, le=ID_MAX)]


def _l(message: str) -> str:
    """Marks ``message`` for the catalogue (babel.cfg's ``_l``); translated when shown."""
    return message


# The use case's refusals (``backoffice.agreements.REFUSALS``), here so the catalogue has them.
REFUSALS = (
    _l("Say what was agreed."),
    _l("What was agreed is too long (at most 500 characters)."),
    _l("What was agreed contains a character that cannot be stored."),
    _l("Choose who owes it: the client or the company."),
    _l("The due date is in the past."),
    _l("The due date is not a business day."),
    _l("Choose one of the stages offered."),
    _l("An agreement is either done or cancelled."),
)
BAD_DAY = _l("Give the due date as a day.")


def _section(
    request: Request,
    session: Session,
    *,
    console: ConsoleDep,
    me: SignedIn,
    client_id: int,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    client = load_client(session, me.principal, client_id=client_id)
    onboarding = current_onboarding(session, me.principal, client_id=client_id)
    rows = (
        list_agreements(session, me.principal, onboarding_id=onboarding.id)[1] if onboarding else []
    )
    lang = "en" if me.language == "en" else "pt"
    stages: list[tuple[str, str]] = []
    if onboarding is not None:
        template = console.backoffice.pipelines.find(onboarding.segment)
        order = template.order if template is not None else []
        stages = [(s, STAGE_LABELS[Stage(s)][lang]) for s in order]
    values = {
        **me.context,
        "client": client,
        "onboarding": onboarding,
        "agreements": rows,
        "stages": stages,
        "stage_names": dict(stages),
        "today": console.backoffice.calendar.local(console.backoffice.now()).date(),
        "what_max": WHAT_MAX,
        "form": {},
        "page_title": console.views.gettext(me.language, "Agreed with the client"),
        **(extra or {}),
    }
    block = "agreements" if request.headers.get("HX-Request") == "true" else None
    return console.views.render(
        request,
        "client_agreements.html",
        context=values,
        language=me.language,
        block=block,
        status_code=status_code,
    )


def agreements_section(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    return _section(request, session, console=console, me=me, client_id=client_id)


def _done(
    request: Request,
    client_id: int,
    *,
    session: Session,
    console: ConsoleDep,
    me: SignedIn,
    notice: str,
) -> Response:
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse(f"/console/clients/{client_id}/agreements", status_code=303)
    return _section(
        request, session, console=console, me=me, client_id=client_id, extra={"notice": notice}
    )


def add_agreement(
    request: Request,
    client_id: ClientPath,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    onboarding_id: Annotated[int, Form(ge=1, le=ID_MAX)],
    what: Annotated[str, Form(max_length=4000)] = "",
    owed_by: Annotated[str, Form(max_length=20)] = "",
    due_on: Annotated[str, Form(max_length=40)] = "",
    stage: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    form = {"what": what, "owed_by": owed_by, "due_on": due_on, "stage": stage}
    load_client(session, me.principal, client_id=client_id)
    office = console.backoffice
    try:
        onboarding = list_agreements(session, me.principal, onboarding_id=onboarding_id)[0]
        if onboarding.client_id != client_id:
            raise NotFound("onboarding", onboarding_id)
        try:
            day = date.fromisoformat(due_on.strip())
        except ValueError:
            raise Invalid(BAD_DAY) from None
        record_agreement(
            session,
            me.principal,
            onboarding_id=onboarding_id,
            draft=AgreementDraft(
                what=what, owed_by=owed_by, due_on=day, stage=stage.strip() or None
            ),
            now=office.now(),
            calendar=office.calendar,
            pipelines=office.pipelines,
        )
    except Invalid as refused:
        session.rollback()
        error = console.views.gettext(me.language, refused.detail)
        return _section(
            request,
            session,
            console=console,
            me=me,
            client_id=client_id,
            extra={"error": error, "form": form},
            status_code=422,
        )
    session.commit()
    return _done(
        request,
        client_id,
        session=session,
        console=console,
        me=me,
        notice=_l("Agreement recorded."),
    )


def close(
    request: Request,
    client_id: ClientPath,
    *,
    agreement_id: AgreementPath,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    load_client(session, me.principal, client_id=client_id)
    agreement = agreement_in_scope(session, me.principal, agreement_id=agreement_id)
    if agreement.client_id != client_id:
        raise NotFound("agreement", agreement_id)
    if status not in ("done", "cancelled"):
        error = console.views.gettext(me.language, REFUSALS[-1])
        return _section(
            request,
            session,
            console=console,
            me=me,
            client_id=client_id,
            extra={"error": error},
            status_code=422,
        )
    close_agreement(
        session,
        me.principal,
        agreement_id=agreement_id,
        status="done" if status == "done" else "cancelled",
        now=console.backoffice.now(),
        client_id=client_id,
    )
    session.commit()
    notice = _l("Marked as done.") if status == "done" else _l("Agreement cancelled.")
    return _done(request, client_id, session=session, console=console, me=me, notice=notice)


def register(router: APIRouter) -> None:
    router.add_api_route("/clients/{client_id}/agreements", agreements_section, methods=["GET"])
    router.add_api_route("/clients/{client_id}/agreements", add_agreement, methods=["POST"])
    router.add_api_route("/clients/{client_id}/agreements/{agreement_id}", close, methods=["POST"])
