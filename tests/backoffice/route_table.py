"""``CASES``: every back-office route with the roles that may call it, its ``Access`` and the
rows it needs (the declarations are explained in route_cases.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.backoffice.agreement_rows import agreement_body, with_agreement
from tests.backoffice.route_cases import (
    ADMIN,
    ANY_ROLE,
    LEADS,
    SELF_OR_ADMIN,
    Access,
    Case,
    json_body,
)
from tests.backoffice.route_rows import (
    held_by_caller,
    owned,
    target_staff,
    target_token,
    window_body,
    with_availability,
    with_document,
    with_erasure_request,
    with_escalation,
    with_exception,
    with_failed_push,
    with_past_booking,
    with_pause,
    with_slot,
)

__all__ = ["CASES"]


def _count(name: str) -> Callable[[Any], int]:
    return lambda report: int(report[name])


def _sum_over(items: str, name: str) -> Callable[[Any], int]:
    return lambda report: sum(int(item[name]) for item in report[items])


_emails = itertools.count()

REPORTS_WHY = "counts over the caller's onboardings (figures: test_reports.py)"

CASES: list[Case] = [
    # staff
    Case("GET", "/me", ANY_ROLE, Access.NONE, why="the caller's own record"),
    Case("GET", "/staff", LEADS, Access.LIST, target_staff, listed="staff_id"),
    Case(
        "POST",
        "/staff",
        ADMIN,
        Access.NONE,
        body=lambda w: {
            "name": "Nova Pessoa",
            "email": f"nova{next(_emails)}@acolhe.com.br",
            "role": "csm",
        },
        ok=201,
        why="a new member belongs to nobody yet; configuration is the admins'",
    ),
    Case("GET", "/staff/{staff_id}", ANY_ROLE, Access.OBJECT, target_staff),
    Case(
        "PATCH",
        "/staff/{staff_id}",
        ADMIN,
        Access.OBJECT,
        target_staff,
        json_body({"max_open_escalations": 5}),
    ),
    Case("GET", "/staff/{staff_id}/tokens", SELF_OR_ADMIN, Access.OBJECT, target_staff),
    Case(
        "POST",
        "/staff/{staff_id}/tokens",
        SELF_OR_ADMIN,
        Access.OBJECT,
        target_staff,
        json_body({"label": "laptop"}),
        ok=201,
    ),
    Case(
        "DELETE",
        "/staff/{staff_id}/tokens/{token_id}",
        SELF_OR_ADMIN,
        Access.OBJECT,
        target_token,
    ),
    # pipeline
    Case("GET", "/pipelines", ANY_ROLE, Access.NONE, why="the templates, shared configuration"),
    Case("GET", "/onboardings", ANY_ROLE, Access.LIST, owned, listed="onboarding_id"),
    Case("GET", "/onboardings/{onboarding_id}", ANY_ROLE, Access.OBJECT, owned),
    Case("GET", "/onboardings/{onboarding_id}/history", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/transitions",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        json_body({"to_stage": "validacao", "reason": "documentos conferidos"}),
    ),
    Case(
        "PUT",
        "/onboardings/{onboarding_id}/red-flag",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        json_body({"reason": "cliente sumiu"}),
    ),
    Case("DELETE", "/onboardings/{onboarding_id}/red-flag", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "PUT",
        "/onboardings/{onboarding_id}/csm",
        LEADS,
        Access.OBJECT,
        with_escalation,  # its escalation, held by the pool, goes to the CSM
        lambda w: {"csm_id": w.target.owner.id},
    ),
    Case("GET", "/onboardings/{onboarding_id}/pauses", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/pauses",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        json_body({"reason": "aguardando contrato social"}),
        ok=201,
    ),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/pauses/{pause_id}/end",
        ANY_ROLE,
        Access.OBJECT,
        with_pause,
    ),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/approve",
        LEADS,
        Access.OBJECT,
        lambda w: owned(w, stage="aprovacao"),
        json_body({"reason": "ok"}),
    ),
    # conversations
    Case("GET", "/conversations/{conversation_id}", ANY_ROLE, Access.OBJECT, owned),
    Case("POST", "/conversations/{conversation_id}/takeover", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "POST",
        "/conversations/{conversation_id}/messages",
        ANY_ROLE,
        Access.OBJECT,
        held_by_caller,
        json_body({"text": "Olá, aqui é da equipe"}),
        ok=202,
    ),
    Case(
        "POST",
        "/conversations/{conversation_id}/release",
        ANY_ROLE,
        Access.OBJECT,
        held_by_caller,
        json_body({}),
    ),
    Case("GET", "/conversations/{conversation_id}/messages", ANY_ROLE, Access.OBJECT, owned),
    # escalations
    Case("GET", "/escalations", ANY_ROLE, Access.LIST, with_escalation, listed="escalation_id"),
    Case("GET", "/escalations/{escalation_id}", ANY_ROLE, Access.OBJECT, with_escalation),
    Case(
        "POST",
        "/escalations/{escalation_id}/assign",
        LEADS,
        Access.OBJECT,
        with_escalation,
        lambda w: {"staff_id": w.target.owner.id},
    ),
    Case("POST", "/escalations/{escalation_id}/resolve", ANY_ROLE, Access.OBJECT, with_escalation),
    # clients
    Case("GET", "/clients", ANY_ROLE, Access.LIST, owned, listed="client_id"),
    Case("GET", "/clients/{client_id}", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "PATCH",
        "/clients/{client_id}",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        json_body({"trade_name": "Nova Marca"}),
    ),
    Case(
        "PUT",
        "/clients/{client_id}/contacts/{area}",
        ANY_ROLE,
        Access.OBJECT,
        lambda w: {**owned(w), "area": "finance"},
        json_body({"name": "Fulana Financeiro"}),
    ),
    Case(
        "GET",
        "/clients/{client_id}/documents/{document_id}/content",
        ANY_ROLE,
        Access.OBJECT,
        with_document,
    ),
    Case("GET", "/clients/{client_id}/notes", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "POST",
        "/clients/{client_id}/notes",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        json_body({"text": "ligar amanhã"}),
        ok=201,
    ),
    Case("GET", "/clients/{client_id}/audit", ANY_ROLE, Access.OBJECT, owned),
    # the client's status page (issue #17)
    Case("POST", "/clients/{client_id}/status-link", ANY_ROLE, Access.OBJECT, owned, ok=201),
    Case("DELETE", "/clients/{client_id}/status-links", ANY_ROLE, Access.OBJECT, owned),
    Case("GET", "/clients/{client_id}/status-page", ANY_ROLE, Access.OBJECT, owned),
    # what was agreed with the client (issue #17)
    Case("GET", "/onboardings/{onboarding_id}/agreements", ANY_ROLE, Access.OBJECT, owned),
    Case(
        "POST",
        "/onboardings/{onboarding_id}/agreements",
        ANY_ROLE,
        Access.OBJECT,
        owned,
        agreement_body,
        ok=201,
    ),
    Case(
        "PATCH",
        "/agreements/{agreement_id}",
        ANY_ROLE,
        Access.OBJECT,
        with_agreement,
        json_body({"status": "done"}),
    ),
    # LGPD
    Case("GET", "/clients/{client_id}/export", LEADS, Access.OBJECT, owned),
    Case("POST", "/clients/{client_id}/erase", ADMIN, Access.OBJECT, owned),
    Case("GET", "/erasure-requests", LEADS, Access.LIST, with_erasure_request, listed="request_id"),
    Case(
        "POST",
        "/erasure-requests/{request_id}/confirm",
        LEADS,
        Access.OBJECT,
        with_erasure_request,
    ),
    Case(
        "POST", "/erasure-requests/{request_id}/refuse", LEADS, Access.OBJECT, with_erasure_request
    ),
    Case(
        "POST",
        "/erasure-requests/finish",
        ADMIN,
        Access.NONE,
        why="a sweep over every confirmed request, also run by the workers",
    ),
    # ERP
    Case("GET", "/erp-pushes", LEADS, Access.LIST, with_failed_push, listed="push_id"),
    Case("GET", "/erp-pushes/{push_id}", LEADS, Access.OBJECT, with_failed_push),
    Case("POST", "/erp-pushes/{push_id}/retry", LEADS, Access.OBJECT, with_failed_push),
    # training
    Case(
        "GET",
        "/training/availability",
        ANY_ROLE,
        Access.LIST,
        with_availability,
        listed="availability_id",
    ),
    Case(
        "POST",
        "/training/availability",
        ANY_ROLE,
        Access.OBJECT,  # the CSM named in the body
        body=lambda w: {"csm_id": w.target.owner.id, **window_body()},
        ok=201,
    ),
    Case(
        "PATCH",
        "/training/availability/{availability_id}",
        ANY_ROLE,
        Access.OBJECT,
        with_availability,
        json_body({"capacity": 3}),
    ),
    Case(
        "DELETE",
        "/training/availability/{availability_id}",
        ANY_ROLE,
        Access.OBJECT,
        with_availability,
    ),
    Case(
        "GET", "/training/exceptions", ANY_ROLE, Access.LIST, with_exception, listed="exception_id"
    ),
    Case(
        "POST",
        "/training/exceptions",
        ANY_ROLE,
        Access.OBJECT,  # the CSM named in the body
        body=lambda w: {"csm_id": w.target.owner.id, "day": "2026-12-01"},
        ok=201,
    ),
    Case("DELETE", "/training/exceptions/{exception_id}", ANY_ROLE, Access.OBJECT, with_exception),
    Case("GET", "/training/slots", ANY_ROLE, Access.LIST, with_slot, listed="slot_id"),
    Case(
        "GET", "/training/bookings", ANY_ROLE, Access.LIST, with_past_booking, listed="booking_id"
    ),
    Case("GET", "/training/bookings/{booking_id}", ANY_ROLE, Access.OBJECT, with_past_booking),
    Case(
        "POST",
        "/training/bookings/{booking_id}/no-show",
        ANY_ROLE,
        Access.OBJECT,
        with_past_booking,
    ),
    Case(
        "POST",
        "/training/bookings/{booking_id}/attended",
        ANY_ROLE,
        Access.OBJECT,
        with_past_booking,
    ),
    # reports
    Case("GET", "/reports/time-in-stage", LEADS, Access.AGGREGATE, why=REPORTS_WHY),
    Case(
        "GET",
        "/reports/funnel",
        LEADS,
        Access.AGGREGATE,
        figure=lambda r: sum(int(s["started"]) for s in r["segments"]),
    ),
    Case("GET", "/reports/sla", LEADS, Access.AGGREGATE, figure=_sum_over("stages", "visits")),
    Case("GET", "/reports/escalations", LEADS, Access.AGGREGATE, figure=_count("total")),
    Case("GET", "/reports/duration", LEADS, Access.AGGREGATE, why=REPORTS_WHY),
    Case("GET", "/reports/nps", LEADS, Access.AGGREGATE, why=REPORTS_WHY),
]
