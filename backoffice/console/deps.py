"""Dependencies of the console's routes: who is signed in, the CSRF check, the language.

Every unsafe request (POST, PUT, PATCH, DELETE) passes ``csrf_guard``, a dependency of the whole
router, so a new route cannot forget it: a signed-in request must carry its session's token (the
``csrf_token`` form field, or the ``X-CSRF-Token`` header htmx sends from ``<body hx-headers>``);
the sign-in form, before any session, carries the token of its ``acolhe_login_csrf`` cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.api.deps import ContextRoute, SessionDep
from backoffice.console.context import ConsoleContext
from backoffice.console.i18n import pick_language
from backoffice.errors import BackofficeError
from backoffice.staff_auth import check_csrf, find_session, principal_of

__all__ = [
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "ConsoleDep",
    "CsrfRefused",
    "SignedIn",
    "SignedInDep",
    "SessionEnded",
    "SignInRequired",
    "console_route_class",
    "csrf_guard",
    "get_console",
]

SESSION_COOKIE = "acolhe_session"
LOGIN_CSRF_COOKIE = "acolhe_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """No live session: a page redirects to the sign-in, an htmx request gets ``HX-Redirect``."""


class CsrfRefused(BackofficeError):
    status = 403
    title = "CSRF check failed"


class SessionEnded(BackofficeError):
    """A form sent after the session expired (or was signed out elsewhere): the page says so
    and offers the sign-in back to the page the form came from (``detail``), instead of a
    refusal that reads like a lack of access. The text typed is kept by the browser
    (``console.js`` keeps drafts)."""

    status = 401
    slug = "unauthorized"
    title = "Session ended"


def _page_of(request: Request) -> str:
    """The console page a form was sent from (its ``Referer``, when it is ours)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/console/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/console/"


class ConsoleRoute(ContextRoute):
    console: ClassVar[ConsoleContext | None] = None


def console_route_class(console: ConsoleContext) -> type[ConsoleRoute]:
    return type(
        "ConsoleRouteBound", (ConsoleRoute,), {"context": console.backoffice, "console": console}
    )


def get_console(request: Request) -> ConsoleContext:
    console = getattr(request.scope.get("route"), "console", None)
    if not isinstance(console, ConsoleContext):
        raise RuntimeError("console route without its context (built by create_console_router?)")
    return console


ConsoleDep = Annotated[ConsoleContext, Depends(get_console)]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The staff member of one console request, with their session's CSRF token and language."""

    principal: Principal
    email: str
    session_id: int
    csrf_token: str
    language: str

    @property
    def context(self) -> dict[str, object]:
        """What every page's template needs (the layout reads these)."""
        return {"staff": self.principal, "csrf_token": self.csrf_token, "me": self}


def _signed_in(request: Request, session: Session, *, console: ConsoleContext) -> SignedIn:
    found = find_session(
        session,
        request.cookies.get(SESSION_COOKIE),
        now=console.backoffice.now(),
        policy=console.policy,
    )
    if found is None:
        session.rollback()
        raise SignInRequired()
    staff_session, staff = found
    signed_in = SignedIn(
        principal=principal_of(staff),
        email=staff.email,
        session_id=staff_session.id,
        csrf_token=staff_session.csrf_token,
        language=pick_language(staff_session.language),
    )
    session.commit()  # last_seen_at; ends the read transaction, the route starts its own
    request.state.language = signed_in.language
    return signed_in


def get_signed_in(request: Request, session: SessionDep, *, console: ConsoleDep) -> SignedIn:
    cached = getattr(request.state, "signed_in", None)
    if isinstance(cached, SignedIn):
        return cached
    signed_in = _signed_in(request, session, console=console)
    request.state.signed_in = signed_in
    return signed_in


SignedInDep = Annotated[SignedIn, Depends(get_signed_in)]


async def csrf_guard(request: Request) -> None:
    """Refuses an unsafe request without the right CSRF token (see the module's text)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette caches it: the route reads the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if request.cookies.get(SESSION_COOKIE):
        console = get_console(request)
        with console.backoffice.sessions() as session:
            found = find_session(
                session,
                request.cookies.get(SESSION_COOKIE),
                now=console.backoffice.now(),
                policy=console.policy,
            )
            expected = found[0].csrf_token if found else None
        signing_in = request.url.path.endswith("/login") or "/reset/" in request.url.path
        if expected is None and not signing_in:
            raise SessionEnded(_page_of(request))
        if expected is not None:
            if not check_csrf(expected, sent):
                raise CsrfRefused("the form is out of date: reload the page and try again")
            return
    expected_login = request.cookies.get(LOGIN_CSRF_COOKIE)
    if expected_login is None or not check_csrf(expected_login, sent):
        raise CsrfRefused("the form is out of date: reload the page and try again")
