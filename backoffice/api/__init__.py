"""The back-office HTTP API: ``create_router(...)`` for the application to mount at ``/api/v1``."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from backoffice.api.deps import BackofficeContext, route_class_for
from backoffice.api.routes import (
    agreements,
    clients,
    conversations,
    erp,
    escalations,
    onboardings,
    privacy,
    reports,
    staff,
    status_links,
    training,
    training_bookings,
)
from backoffice.client_records import DocumentFiles
from backoffice.pipeline import load_pipelines
from backoffice.problems import PROBLEM_RESPONSES
from backoffice.settings import BackofficeSettings
from bot.domain.clock import Clock
from bot.service.conversations import ConversationService

__all__ = [
    "build_context",
    "create_router",
    "router_for",
    "BackofficeContext",
    "deps",
    "presenters",
    "route_class_for",
    "routes",
    "routing",
]

_RESOURCES = (
    staff,
    onboardings,
    conversations,
    escalations,
    clients,
    privacy,
    erp,
    training,
    training_bookings,
    reports,
    status_links,
    agreements,
)


def build_context(
    *,
    sessions: sessionmaker[Session],
    clock: Clock,
    conversations: ConversationService,
    settings: BackofficeSettings,
    outbox_wake: asyncio.Event | None,
    documents: DocumentFiles | None = None,
) -> BackofficeContext:
    """What the back-office's routes (API and console) share.

    Loads and validates the pipeline templates (``PipelineError`` on a bad one) and builds the
    business calendar; call ``backoffice.install_problem_handlers(app)`` on the app as well.
    ``documents`` is the document store (``bot.documents.DocumentStore``) for downloads and
    erasure; without it downloads answer 404 and erasure deletes no files.
    """
    return BackofficeContext(
        sessions=sessions,
        clock=clock,
        conversations=conversations,
        settings=settings,
        pipelines=load_pipelines(settings.pipelines_dir),
        calendar=settings.calendar(),
        outbox_wake=outbox_wake,
        documents=documents,
    )


def create_router(
    *,
    sessions: sessionmaker[Session],
    clock: Clock,
    conversations: ConversationService,
    settings: BackofficeSettings,
    outbox_wake: asyncio.Event | None,
    documents: DocumentFiles | None = None,
) -> APIRouter:
    """The back-office routes, without prefix: ``app.include_router(router, prefix="/api/v1")``."""
    return router_for(
        build_context(
            sessions=sessions,
            clock=clock,
            conversations=conversations,
            settings=settings,
            outbox_wake=outbox_wake,
            documents=documents,
        )
    )


def router_for(context: BackofficeContext) -> APIRouter:
    """The back-office routes on an existing context (the console shares it)."""
    route_class = route_class_for(context)
    router = APIRouter(route_class=route_class, responses=PROBLEM_RESPONSES)
    for module in _RESOURCES:
        module.register(router)
    return router
