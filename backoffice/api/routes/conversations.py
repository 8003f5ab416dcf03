"""Conversations: takeover by a person, their messages to the client, release, transcript."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from backoffice.access import load_conversation
from backoffice.api.deps import ContextDep, ConversationId, CurrentStaff, SessionDep
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import ID_MAX
from backoffice.schemas.conversations import (
    ConversationPublic,
    MessagePublic,
    ReleasePublic,
    ReleaseRequest,
    StaffMessageCreate,
    StaffMessagePublic,
)
from backoffice.takeover import release, send_staff_message, take_over
from bot.storage.models import Conversation, Message

TAGS: list[str | Enum] = ["conversations"]


def get_conversation(
    conversation_id: ConversationId, session: SessionDep, *, principal: CurrentStaff
) -> Conversation:
    return load_conversation(session, principal, conversation_id=conversation_id)


def takeover(
    conversation_id: ConversationId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    context: ContextDep,
) -> Conversation:
    conversation = load_conversation(session, principal, conversation_id=conversation_id)
    take_over(session, conversation, principal=principal, now=context.now())
    session.commit()
    return conversation


def post_message(
    conversation_id: ConversationId,
    body: StaffMessageCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> StaffMessagePublic:
    conversation = load_conversation(session, principal, conversation_id=conversation_id)
    parts = send_staff_message(
        session, conversation, principal=principal, text=body.text, now=context.now()
    )
    status_ = session.get_one(Message, parts[0].message_id).status
    session.commit()
    context.wake_outbox()
    return StaffMessagePublic(
        message_id=parts[0].message_id,
        status=status_,
        part_ids=[part.message_id for part in parts],
    )


def release_conversation(
    conversation_id: ConversationId,
    body: ReleaseRequest,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> ReleasePublic:
    conversation = load_conversation(session, principal, conversation_id=conversation_id)
    replies = release(
        session,
        conversation,
        principal=principal,
        conversations=context.conversations,
        now=context.now(),
        resolve=body.resolve_escalations,
    )
    session.commit()
    context.wake_outbox()
    return ReleasePublic(
        conversation=ConversationPublic.model_validate(conversation),
        bot_message_ids=[r.message_id for r in replies],
    )


def transcript(
    conversation_id: ConversationId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    after_id: Annotated[int, Query(ge=0, le=ID_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[MessagePublic]:
    load_conversation(session, principal, conversation_id=conversation_id)
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return [
        MessagePublic(
            id=m.id,
            direction=m.direction,
            author=m.author,
            staff_id=m.staff_id,
            text=m.text,
            kind=str(m.payload.get("kind")) if m.payload and m.payload.get("kind") else None,
            status=m.status,
            error_code=m.error_code,
            created_at=m.created_at,
        )
        for m in rows
    ]


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/conversations/{conversation_id}",
        get_conversation,
        methods=["GET"],
        tags=TAGS,
        response_model=ConversationPublic,
        summary="One conversation",
    )
    router.add_api_route(
        "/conversations/{conversation_id}/takeover",
        takeover,
        methods=["POST"],
        tags=TAGS,
        response_model=ConversationPublic,
        responses=CONFLICT_RESPONSE,
        summary="Pause the bot: the caller owns the conversation (409 if someone else does)",
    )
    router.add_api_route(
        "/conversations/{conversation_id}/messages",
        post_message,
        methods=["POST"],
        tags=TAGS,
        response_model=StaffMessagePublic,
        status_code=status.HTTP_202_ACCEPTED,
        responses=CONFLICT_RESPONSE,
        summary="Write to the client (through the outbox; the caller must hold the conversation)",
    )
    router.add_api_route(
        "/conversations/{conversation_id}/release",
        release_conversation,
        methods=["POST"],
        tags=TAGS,
        response_model=ReleasePublic,
        responses=CONFLICT_RESPONSE,
        summary="Hand back to the bot, which repeats the question it was on",
    )
    router.add_api_route(
        "/conversations/{conversation_id}/messages",
        transcript,
        methods=["GET"],
        tags=TAGS,
        response_model=list[MessagePublic],
        summary="Transcript: client, bot and staff messages with authors and delivery status",
    )
