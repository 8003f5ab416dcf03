"""The back-office HTTP API: ``create_router(...)`` for the application to mount at ``/api/v1``."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from backoffice.api.deps import BackofficeContext, route_class_for
from backoffice.api.routes import (
    clients,
    conversations,
    erp,
    escalations,
    onboardings,
    privacy,
    reports,
    staff,
    training,
    training_bookings,
)
from backoffice.client_records import DocumentFiles
from backoffice.pipeline import load_pipelines
from backoffice.problems import PROBLEM_RESPONSES
from backoffice.settings import BackofficeSettings
from bot.domain.clock import Clock
from bot.service.conversations import ConversationService

__all__ = ["create_router"]

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
    """The back-office routes, without prefix: ``app.include_router(router, prefix="/api/v1")``.

    Loads and validates the pipeline templates (``PipelineError`` on a bad one) and builds the
    business calendar; call ``backoffice.install_problem_handlers(app)`` on the app as well.
    ``documents`` is the document store (``bot.documents.DocumentStore``) for downloads and
    erasure; without it downloads answer 404 and erasure deletes no files.
    """
    context = BackofficeContext(
        sessions=sessions,
        clock=clock,
        conversations=conversations,
        settings=settings,
        pipelines=load_pipelines(settings.pipelines_dir),
        calendar=settings.calendar(),
        outbox_wake=outbox_wake,
        documents=documents,
    )
    route_class = route_class_for(context)
    router = APIRouter(route_class=route_class, responses=PROBLEM_RESPONSES)
    for module in _RESOURCES:
        module.register(router)
    return router
