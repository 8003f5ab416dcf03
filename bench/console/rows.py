"""The rows ``fill`` writes, made in memory: the staff (``staff_rows``) and, for each client,
its contacts, onboarding and stage history, conversation and messages, escalation, documents,
notes, audit rows, NPS answer and live events (``onboarding_rows``), drawn from one seeded
``random.Random`` so that every run writes the same back-office.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.storage.models import (
    AuditEvent,
    Client,
    ConsoleEvent,
    Contact,
    Conversation,
    Document,
    Escalation,
    Message,
    NpsResponse,
    Onboarding,
    StaffNote,
    StageChange,
)

__all__ = ["Volume", "onboarding_rows", "staff_rows"]

PIPELINES = Path(__file__).resolve().parents[2] / "backoffice" / "pipelines"
CHANNELS = ("whatsapp", "whatsapp", "whatsapp", "telegram", "web")
REASONS = ("request_human", "complaint", "document_failed", "stuck", "out_of_scope")
COMPANIES = (
    "Padaria",
    "Transportes",
    "Clínica",
    "Comércio",
    "Construtora",
    "Tecnologia",
    "Mercado",
    "Farmácia",
    "Escola",
    "Oficina",
)
SURNAMES = ("Silva", "Souza", "Oliveira", "Santos", "Lima", "Pereira", "Costa", "Almeida")


@dataclass(frozen=True)
class Volume:
    onboardings: int = 5000
    messages: int = 50_000
    escalated_share: float = 0.15
    seed: int = 20261207


def _stages(segment: str) -> list[str]:
    data = yaml.safe_load((PIPELINES / f"{segment}.yml").read_text(encoding="utf-8"))
    return [str(stage["id"]) for stage in data["stages"]]


def _cnpj(n: int) -> str:
    return f"{10_000_000 + n:08d}0001{n % 100:02d}"


def staff_rows(now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "id": 1,
            "name": "Ana Admin",
            "email": "admin@bench.acolhe",
            "role": "admin",
            "team": "alfa",
            "segment": None,
        },
        {
            "id": 2,
            "name": "Marcos Gestor",
            "email": "gestor.alfa@bench.acolhe",
            "role": "manager",
            "team": "alfa",
            "segment": None,
        },
        {
            "id": 3,
            "name": "Beatriz Gestora",
            "email": "gestor.beta@bench.acolhe",
            "role": "manager",
            "team": "beta",
            "segment": None,
        },
    ]
    for n in range(1, 11):
        rows.append(
            {
                "id": 3 + n,
                "name": f"CSM {n} {SURNAMES[n % len(SURNAMES)]}",
                "email": f"csm{n}@bench.acolhe",
                "role": "csm",
                "team": "alfa" if n <= 5 else "beta",
                "segment": "enterprise" if n in (5, 10) else "self_service",
            }
        )
    for row in rows:
        row.update(
            max_open_escalations=12,
            active=True,
            created_at=now - timedelta(days=400),
            failed_logins=0,
        )
    return rows


# long: one row per table of a realistic client, written in dependency order
def onboarding_rows(
    volume: Volume, rng: random.Random, *, now: datetime, csms: list[dict[str, Any]]
) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {
        model: []
        for model in (
            Client,
            Contact,
            Onboarding,
            StageChange,
            Conversation,
            Message,
            Escalation,
            Document,
            StaffNote,
            AuditEvent,
            NpsResponse,
            ConsoleEvent,
        )
    }
    by_segment = {
        segment: [c for c in csms if c["segment"] == segment]
        for segment in ("self_service", "enterprise")
    }
    stages = {segment: _stages(segment) for segment in by_segment}
    per_conversation = max(1, volume.messages // volume.onboardings)
    spare = volume.messages - per_conversation * volume.onboardings
    message_id = contact_id = history_id = escalation_id = 0
    for n in range(1, volume.onboardings + 1):
        segment = "enterprise" if rng.random() < 0.2 else "self_service"
        path = stages[segment]
        live = [s for s in path if s not in ("concluido", "cancelado")]
        roll = rng.random()
        stage = (
            "concluido"
            if roll < 0.15
            else "cancelado"
            if roll < 0.18
            else live[min(int(rng.expovariate(0.45)), len(live) - 1)]
        )
        index = path.index(stage) if stage in live else len(live) - 1
        csm = (
            None
            if (stage == "cadastro" and rng.random() < 0.5) or rng.random() < 0.05
            else rng.choice(by_segment[segment])
        )
        created = now - timedelta(days=rng.uniform(1, 90), minutes=rng.randint(0, 600))
        entered = created + (now - created) * rng.uniform(0.3, 0.95)
        company = f"{rng.choice(COMPANIES)} {SURNAMES[n % len(SURNAMES)]} {n} Ltda"
        rows[Client].append(
            {
                "id": n,
                "cnpj": _cnpj(n),
                "company_name": company,
                "trade_name": company[:-5],
                "employees": rng.choice((8, 25, 40, 120, 600)),
                "cep": "01310100",
                "street": "Avenida Paulista",
                "address_number": str(n % 2000),
                "district": "Bela Vista",
                "city": "São Paulo",
                "uf": "SP",
                "consent_at": created,
                "form_refused": False,
                "created_at": created,
                "updated_at": entered,
            }
        )
        for area in ("admin", "finance"):
            contact_id += 1
            rows[Contact].append(
                {
                    "id": contact_id,
                    "client_id": n,
                    "area": area,
                    "name": f"Pessoa {area} {n}",
                    "email": f"{area}{n}@cliente.test",
                    "phone": f"+55119{n:08d}",
                }
            )
        rows[Onboarding].append(
            {
                "id": n,
                "client_id": n,
                "segment": segment,
                "stage": stage,
                "stage_entered_at": entered,
                "csm_id": csm["id"] if csm else None,
                "red_flag": rng.random() < 0.04,
                "created_at": created,
                "completed_at": entered if stage == "concluido" else None,
            }
        )
        steps = path[: index + 1] if stage in live else [*path[: index + 1], stage]
        for step_index, step in enumerate(steps):
            history_id += 1
            at = created + (entered - created) * (step_index / max(1, len(steps) - 1))
            rows[StageChange].append(
                {
                    "id": history_id,
                    "onboarding_id": n,
                    "from_stage": steps[step_index - 1] if step_index else None,
                    "to_stage": step,
                    "at": at,
                    "actor": "bot" if step_index < 2 else f"staff:{csm['id'] if csm else 1}",
                    "reason": "",
                }
            )
        count = per_conversation + (1 if n <= spare else 0)
        escalated = stage in live and rng.random() < volume.escalated_share
        status = rng.choice(("open", "open", "taken", "resolved")) if escalated else None
        last_in = None
        for k in range(count):
            message_id += 1
            at = created + (now - created) * ((k + 1) / (count + 1))
            inbound = k % 2 == 0 or (k == count - 1 and escalated)
            last_in = at if inbound else last_in
            rows[Message].append(
                {
                    "id": message_id,
                    "conversation_id": n,
                    "direction": "in" if inbound else "out",
                    "author": "client"
                    if inbound
                    else ("staff" if status == "taken" and k > count - 3 else "bot"),
                    "staff_id": csm["id"]
                    if csm and not inbound and status == "taken" and k > count - 3
                    else None,
                    "text": f"mensagem {k} da conversa {n}: tudo certo com o cadastro?",
                    "payload": {},
                    "channel_message_id": f"m{message_id}",
                    "status": "received" if inbound else "delivered",
                    "created_at": at,
                }
            )
        rows[Conversation].append(
            {
                "id": n,
                "channel": CHANNELS[n % len(CHANNELS)],
                "address": f"+55118{n:08d}",
                "profile_name": f"Cliente {n}",
                "language": "pt",
                "state": {},
                "client_id": n,
                "onboarding_id": n,
                "bot_paused": status == "taken",
                "paused_by": csm["id"] if csm and status == "taken" else None,
                "opted_out": False,
                "last_inbound_at": last_in,
                "created_at": created,
                "updated_at": last_in or created,
            }
        )
        if escalated:
            escalation_id += 1
            opened = (last_in or now) - timedelta(minutes=rng.randint(1, 60 * 24))
            rows[Escalation].append(
                {
                    "id": escalation_id,
                    "conversation_id": n,
                    "onboarding_id": n,
                    "reason": rng.choice(REASONS),
                    "detail": "quero falar com uma pessoa",
                    "queue": segment,
                    "status": status,
                    "assigned_to": csm["id"] if csm and status != "open" else None,
                    "created_at": opened,
                    "taken_at": opened + timedelta(minutes=30) if status != "open" else None,
                    "resolved_at": opened + timedelta(hours=3) if status == "resolved" else None,
                }
            )
            rows[ConsoleEvent].append(
                {
                    "id": len(rows[ConsoleEvent]) + 1,
                    "at": opened,
                    "kind": "escalation_opened",
                    "onboarding_id": n,
                    "conversation_id": n,
                    "csm_id": csm["id"] if csm else None,
                    "actor": "client",
                    "data": {"escalation_id": escalation_id},
                }
            )
        if n % 2 == 0:
            rows[Document].append(
                {
                    "id": n // 2,
                    "client_id": n,
                    "conversation_id": n,
                    "kind": "cnpj_card",
                    "source_channel": CHANNELS[n % len(CHANNELS)],
                    "status": "done",
                    "attempts": 1,
                    "mime": "application/pdf",
                    "size": 48_000,
                    "sha256": f"{n:064x}",
                    "extraction": {
                        "kind": "cnpj_card",
                        "fields": {"cnpj": _cnpj(n), "razao_social": company.upper()},
                        "confidence": {"cnpj": 0.97, "razao_social": 0.82},
                        "warnings": [],
                    },
                    "received_at": created + timedelta(hours=2),
                }
            )
        if n % 5 == 0:
            rows[StaffNote].append(
                {
                    "id": n // 5,
                    "client_id": n,
                    "onboarding_id": n,
                    "author_id": csm["id"] if csm else 1,
                    "text": "cliente pediu retorno à tarde",
                    "created_at": entered,
                }
            )
        for field, value in (("trade_name", company[:-5]), ("employees", "40")):
            rows[AuditEvent].append(
                {
                    "id": len(rows[AuditEvent]) + 1,
                    "client_id": n,
                    "conversation_id": n,
                    "actor": f"staff:{csm['id'] if csm else 1}",
                    "action": "field_changed",
                    "field": field,
                    "old_value": None,
                    "new_value": value,
                    "at": entered,
                }
            )
        if stage == "concluido":
            rows[NpsResponse].append(
                {
                    "id": len(rows[NpsResponse]) + 1,
                    "onboarding_id": n,
                    "client_id": n,
                    "score": rng.choice((10, 9, 9, 8, 7, 6, 3)),
                    "comment": rng.choice((None, "atendimento ótimo", "demorou um pouco")),
                    "answered_at": entered + timedelta(days=1),
                }
            )
    for k in range(10_000):  # the last days' live traffic: client messages and stage moves
        n = rng.randint(1, volume.onboardings)
        rows[ConsoleEvent].append(
            {
                "id": len(rows[ConsoleEvent]) + 1,
                "at": now - timedelta(minutes=10_000 - k),
                "kind": "message_in" if k % 3 else "stage_changed",
                "onboarding_id": n,
                "conversation_id": n,
                "csm_id": rows[Onboarding][n - 1]["csm_id"],
                "actor": "client",
                "data": {},
            }
        )
    return rows
