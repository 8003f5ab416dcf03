"""Sign-in, sign-out, the password link, and the language switch."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from backoffice.api.deps import SessionDep
from backoffice.console.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ConsoleDep,
    SignedInDep,
)
from backoffice.console.i18n import DEFAULT_LANGUAGE, pick_language
from backoffice.errors import Invalid
from backoffice.staff_auth import (
    SignInRefused,
    close_session,
    find_reset_link,
    find_session,
    open_session,
    sign_in,
    use_reset_link,
)
from bot.storage.models import StaffSession

COOKIE_PATH = "/console"


def _safe_next(target: str | None) -> str:
    """Only a path inside the console (no other host, no scheme): an open redirect otherwise."""
    if not target:
        return "/console/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return "/console/"
    return target


def login_page(
    request: Request, session: SessionDep, *, console: ConsoleDep, next: str | None = None
) -> Response:
    if find_session(
        session,
        request.cookies.get(SESSION_COOKIE),
        now=console.backoffice.now(),
        policy=console.policy,
    ):
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, console, next=next)


def _login_form(
    request: Request,
    console: ConsoleDep,
    *,
    next: str | None,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    token = secrets.token_urlsafe(32)
    language = pick_language(request.query_params.get("lang"))
    response = console.views.render(
        request,
        "login.html",
        context={"csrf_token": token, "next": _safe_next(next), "error": error, "email": email},
        language=language,
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=console.secure_cookies,
        path=COOKIE_PATH,
    )
    return response


def login(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    now = console.backoffice.now()
    language = pick_language(request.query_params.get("lang"))
    try:
        staff = sign_in(session, email, password=password, now=now, policy=console.policy)
    except SignInRefused as refused:
        session.commit()  # the failure counter and the lock-out
        message = (
            "Too many failed attempts: this account is locked for a few minutes."
            if refused.locked
            else "Wrong e-mail or password."
        )
        return _login_form(
            request,
            console,
            next=next,
            error=console.views.gettext(language, message),
            email=email,
            status_code=401,
        )
    token = open_session(session, staff, now=now, policy=console.policy, language=language)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=console.secure_cookies,
        path=COOKIE_PATH,
        max_age=int(console.policy.absolute.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return response


def logout(session: SessionDep, console: ConsoleDep, *, me: SignedInDep) -> Response:
    staff_session = session.get(StaffSession, me.session_id)
    if staff_session is not None:
        close_session(session, staff_session, now=console.backoffice.now())
        session.commit()
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


def reset_page(
    request: Request, token: str, *, session: SessionDep, console: ConsoleDep
) -> Response:
    valid = find_reset_link(session, token, now=console.backoffice.now()) is not None
    return _reset_form(request, console, token=token, valid=valid)


def _reset_form(
    request: Request,
    console: ConsoleDep,
    *,
    token: str,
    valid: bool,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    csrf = secrets.token_urlsafe(32)
    response = console.views.render(
        request,
        "reset.html",
        context={"csrf_token": csrf, "token": token, "valid": valid, "error": error},
        language=DEFAULT_LANGUAGE,
        status_code=status_code if valid else 404,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="lax",
        secure=console.secure_cookies,
        path=COOKIE_PATH,
    )
    return response


def reset(
    request: Request,
    token: str,
    *,
    session: SessionDep,
    console: ConsoleDep,
    password: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
) -> Response:
    if password != confirm:
        return _reset_form(
            request,
            console,
            token=token,
            valid=True,
            status_code=422,
            error=console.views.gettext(DEFAULT_LANGUAGE, "The two passwords differ."),
        )
    try:
        use_reset_link(session, token, password=password, now=console.backoffice.now())
    except Invalid as invalid:
        session.rollback()
        valid = find_reset_link(session, token, now=console.backoffice.now()) is not None
        return _reset_form(
            request,
            console,
            token=token,
            valid=valid,
            status_code=422,
            error=console.views.gettext(DEFAULT_LANGUAGE, _reset_error(invalid.detail)),
        )
    session.commit()
    return RedirectResponse("/console/login?reset=1", status_code=303)


def _reset_error(detail: str) -> str:
    if "characters" in detail:
        return "The password needs at least 10 characters."
    return "This link is unknown, was used already or has expired."


def set_language(
    session: SessionDep,
    me: SignedInDep,
    *,
    language: Annotated[str, Form(max_length=8)],
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    staff_session = session.get_one(StaffSession, me.session_id)
    staff_session.language = pick_language(language)
    session.commit()
    return RedirectResponse(_safe_next(back), status_code=303)


def register(router: APIRouter) -> None:
    router.add_api_route("/login", login_page, methods=["GET"], name="console_login_page")
    router.add_api_route("/login", login, methods=["POST"], name="console_login")
    router.add_api_route("/logout", logout, methods=["POST"], name="console_logout")
    router.add_api_route("/reset/{token}", reset_page, methods=["GET"], name="console_reset_page")
    router.add_api_route("/reset/{token}", reset, methods=["POST"], name="console_reset")
    router.add_api_route("/language", set_language, methods=["POST"], name="console_language")


__all__ = ["register"]
