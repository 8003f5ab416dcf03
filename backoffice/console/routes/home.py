"""``GET /console/``: the home of every staff member is the inbox."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from backoffice.console.deps import SignedInDep

__all__ = ["register"]


def home(me: SignedInDep) -> Response:
    return RedirectResponse("/console/inbox", status_code=303)


def register(router: APIRouter) -> None:
    router.add_api_route("/", home, methods=["GET"], name="console_home")
