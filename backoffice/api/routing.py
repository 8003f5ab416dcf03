"""A resource's routes as data: each module of ``routes/`` lists its ``Route``s (path, endpoint,
FastAPI's options) and its ``register(router)`` adds them with ``add_routes``, so a module reads
as a table of what it serves."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter

__all__ = ["Route", "add_routes", "route"]


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    endpoint: Callable[..., Any]
    options: Mapping[str, Any]


def route(path: str, endpoint: Callable[..., Any], **options: Any) -> Route:
    """One route: ``options`` are ``APIRouter.add_api_route``'s (methods, response_model...)."""
    return Route(path, endpoint, options)


def add_routes(router: APIRouter, routes: Iterable[Route], **common: Any) -> None:
    """Adds ``routes`` to ``router``, each with the ``common`` options (its tags, say)."""
    for each in routes:
        router.add_api_route(each.path, each.endpoint, **{**common, **each.options})
