"""One module per screen; each has ``register(router)``. Add a screen: write its module and
name it here (ARCHITECTURE.md, "How to add a console page")."""

from __future__ import annotations

from types import ModuleType

from backoffice.console.routes import (
    agreements,
    auth,
    board,
    client_data,
    clients,
    conversation,
    conversation_actions,
    events,
    home,
    inbox,
    reports,
    status_page,
    team,
)

__all__ = [
    "ROUTE_MODULES",
    "agreements",
    "auth",
    "board",
    "client_data",
    "clients",
    "conversation",
    "conversation_actions",
    "events",
    "home",
    "inbox",
    "reports",
    "status_page",
    "team",
]

ROUTE_MODULES: tuple[ModuleType, ...] = (
    auth,
    home,
    board,
    inbox,
    events,
    reports,
    clients,
    client_data,
    conversation,
    conversation_actions,
    team,
    status_page,
    agreements,
)
