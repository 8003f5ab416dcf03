"""The client's actions on the status page: POSTs under ``/s/{token}/`` (and the read-only
``GET /s/{token}/training`` that lists the free sessions).

Every POST carries the link's CSRF token and comes from this site (``require_csrf``), and
answers 303 back to the page with ``?notice=<code>`` (post/redirect/get: a reload never sends a
form again, and it all works without JavaScript). The use cases are the chat's
(``bot.service.client_page_actions``), on the conversation the link was sent to; this module
only reads forms and words outcomes.

| route | form | notice |
| --- | --- | --- |
| ``POST /s/{t}/documents`` | ``file`` (camera or files) | ``uploaded``, ``file:<code>`` |
| ``POST /s/{t}/documents/{id}/confirm`` | ``field:<name>`` = typed value | ``confirmed`` |
| ``GET /s/{t}/training`` | | (a page: free sessions) |
| ``POST /s/{t}/training/book`` | ``slot_id`` | ``booked``, ``rebooked`` |
| ``POST /s/{t}/training/cancel`` | | ``cancelled`` |
| ``POST /s/{t}/ratings`` | ``target``, ``score``, ``comment`` | ``rated`` |

A refusal (``ActionRefused``) is a notice too; a file over the size limit is refused from its
``Content-Length`` before a byte of it is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from backoffice.client_page.context import ClientPageContext
from backoffice.client_page.deps import (
    CSRF_FIELD,
    AccessDep,
    CheckedAccessDep,
    ClientPageDep,
    FormRefused,
    LinkAccess,
    client_page_route_class,
    csrf_token,
    require_csrf,
)
from bot.documents import DocumentRejected
from bot.service.client_page_actions import ActionDone, ActionRefused, ClientPageActions, UploadDone

__all__ = ["FIELD_PREFIX", "router_for"]

FIELD_PREFIX = "field:"
MAX_COMMENT = 2000
# A multipart body carries the file plus its boundaries and the small fields.
_FORM_OVERHEAD = 64 * 1024


def router_for(page: ClientPageContext) -> APIRouter:
    """The actions' routes, registered on a router that inherits the page's route class."""
    actions = _actions_of(page)
    # The page's route class: its context for ``ClientPageDep`` and its security headers.
    router = APIRouter(route_class=client_page_route_class(page), include_in_schema=False)
    _document_routes(router, actions)
    _training_routes(router, actions)
    _rating_routes(router, actions)
    return router


def _document_routes(router: APIRouter, actions: ClientPageActions | None) -> None:
    """A file sent from the page; a reading's confirmation with the typed fixes."""

    @router.post("/s/{token}/documents")
    async def upload(request: Request, access: AccessDep, *, page: ClientPageDep) -> Response:
        if actions is None or access.conversation is None:
            return _back(access, "unavailable", anchor="upload")
        # Refused from its length before a byte is read (the CSRF check reads the form).
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > actions.limits.max_bytes + _FORM_OVERHEAD:
            return _back(access, "file:too_large", anchor="upload")
        try:
            await require_csrf(request, access, page=page)
        except FormRefused:
            async with _form_of(request):
                pass  # the refused form's file is removed at once
            raise
        async with _form_of(request) as form:
            files = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
            if not files:
                return _back(access, "file:none", anchor="upload")
            chosen = files[0]
            data = await chosen.read(actions.limits.max_bytes + 1)
            name, declared = chosen.filename or "", chosen.content_type or ""
        if len(data) > actions.limits.max_bytes:
            return _back(access, "file:too_large", anchor="upload")
        outcome = await _outcome(
            actions.upload(
                conversation_id=access.conversation.id,
                data=data,
                filename=name,
                declared_type=declared,
            )
        )
        return _back(access, outcome, anchor="pending-title")

    @router.post("/s/{token}/documents/{document_id}/confirm")
    async def confirm(request: Request, document_id: int, *, access: CheckedAccessDep) -> Response:
        async with _form_of(request) as form:
            fixes = {
                key.removeprefix(FIELD_PREFIX): value[:200]
                for key, value in form.multi_items()
                if key.startswith(FIELD_PREFIX) and isinstance(value, str)
            }
        if actions is None or access.conversation is None:
            return _back(access, "unavailable", anchor="pending-title")
        outcome = await _outcome(
            actions.confirm_reading(
                conversation_id=access.conversation.id, document_id=document_id, fixes=fixes
            )
        )
        return _back(access, outcome, anchor="pending-title")


def _training_routes(router: APIRouter, actions: ClientPageActions | None) -> None:
    """The free sessions (a page), booking or moving to one, cancelling."""

    def training_page(request: Request, access: AccessDep, *, page: ClientPageDep) -> Response:
        """The free sessions to book or move to (reads only; a preview changes nothing)."""
        choices = (
            actions.training_choices(onboarding_id=access.onboarding.id)
            if actions is not None
            else None
        )
        return page.views.render(
            request,
            "actions/training_page.html",
            context={
                "access": access,
                "base_path": access.base_path,
                "csrf_field": CSRF_FIELD,
                "csrf_token": csrf_token(access),
                "choices": choices,
            },
            language=access.language,
        )

    router.add_api_route(
        "/s/{token}/training", training_page, methods=["GET"], response_class=HTMLResponse
    )

    @router.post("/s/{token}/training/book")
    async def book(request: Request, access: CheckedAccessDep) -> Response:
        async with _form_of(request) as form:
            slot = form.get("slot_id")
        if actions is None or access.conversation is None:
            return _back(access, "unavailable", anchor="training")
        if not isinstance(slot, str) or not slot.isdigit() or len(slot) > 12:
            return _back(access, "pick_a_session", anchor="training")
        outcome = await _outcome(
            actions.book_training(
                conversation_id=access.conversation.id,
                onboarding_id=access.onboarding.id,
                slot_id=int(slot),
            )
        )
        return _back(access, outcome, anchor="training")

    @router.post("/s/{token}/training/cancel")
    async def cancel(access: CheckedAccessDep) -> Response:
        if actions is None or access.conversation is None:
            return _back(access, "unavailable", anchor="training")
        outcome = await _outcome(
            actions.cancel_training(
                conversation_id=access.conversation.id, onboarding_id=access.onboarding.id
            )
        )
        return _back(access, outcome, anchor="training")


def _rating_routes(router: APIRouter, actions: ClientPageActions | None) -> None:
    """A rating of a held training or a finished stage."""

    @router.post("/s/{token}/ratings")
    async def rate(request: Request, access: CheckedAccessDep) -> Response:
        async with _form_of(request) as form:
            target, score, comment = form.get("target"), form.get("score"), form.get("comment")
        if actions is None or access.conversation is None:
            return _back(access, "unavailable", anchor="steps-title")
        if not isinstance(target, str) or not isinstance(score, str) or not score.isdigit():
            return _back(access, "bad_score", anchor="steps-title")
        outcome = await _outcome(
            actions.rate(
                conversation_id=access.conversation.id,
                onboarding_id=access.onboarding.id,
                target=target[:60],
                score=int(score[:3]),
                comment=comment[:MAX_COMMENT] if isinstance(comment, str) else "",
            )
        )
        anchor = "training" if target.startswith("training") else "steps-title"
        return _back(access, outcome, anchor=anchor)


@asynccontextmanager
async def _form_of(request: Request) -> AsyncIterator[FormData]:
    """The request's form (parsed once: the CSRF check read it), closed after use so a file's
    spooled copy is removed at once."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


def _actions_of(page: ClientPageContext) -> ClientPageActions | None:
    """The use cases on the web chat's store, limits and inbox (the app's own)."""
    chat = page.web_chat
    if chat is None:
        return None
    return ClientPageActions(
        inbox=chat.inbox, sessions=chat.sessions, clock=chat.clock, store=chat.store,
        limits=chat.limits,
    )  # fmt: skip


async def _outcome(action: Awaitable[ActionDone | UploadDone]) -> str:
    """The notice of an action's outcome: its code, or why it was refused."""
    try:
        done = await action
    except ActionRefused as refused:
        return refused.code.split(":", 1)[0]  # invalid_field:<name> → invalid_field
    except DocumentRejected as rejected:
        return f"file:{rejected.code}"
    return done.code


def _back(access: LinkAccess, notice: str, *, anchor: str) -> RedirectResponse:
    return _redirect(access.base_path, notice, anchor=anchor)


def _redirect(path: str, notice: str, *, anchor: str) -> RedirectResponse:
    """Back to the page, at the part the client acted in (``anchor``), where the notice is
    shown (``at``): on a phone, a notice at the top of the page would be off the screen."""
    return RedirectResponse(f"{path}?notice={notice}&at={anchor}#{anchor}", status_code=303)
