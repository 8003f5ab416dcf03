"""The back-office API: staff, pipeline, escalations, audit, LGPD rights and reports.

Public names (the rest is private):

- ``create_router(sessions=, clock=, conversations=, settings=, outbox_wake=, documents=)``
  → ``APIRouter`` to mount with ``prefix="/api/v1"``; ``install_problem_handlers(app)``.
- ``BackofficeSettings`` (+ ``parse_hours``), ``load_pipelines``, ``PipelineCatalog``,
  ``PipelineTemplate``, ``PipelineError``.
- ``assign_escalation(session, escalation, now=, dedicated_csm=)`` and ``EscalationAssigner``
  for the bot's escalations; ``finish_erasures(session, now=)`` for a periodic sweep.
- ``ErpRegistration``: the documented ERP payload.

The names are loaded on first use (PEP 562): importing one module of the package (the pipeline
catalogue for the alerts, the password hashing for a CLI command) does not build the whole API,
FastAPI's routing and every schema with it — ``onboard --help`` and the workers start faster.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backoffice.api import create_router
    from backoffice.erasure import finish_erasures
    from backoffice.erp_payload import ErpRegistration
    from backoffice.errors import BackofficeError, PipelineError
    from backoffice.escalations import EscalationAssigner, assign_escalation
    from backoffice.pipeline import PipelineCatalog, PipelineTemplate, load_pipelines
    from backoffice.problems import install_problem_handlers
    from backoffice.settings import BackofficeSettings, parse_hours

_HOMES = {
    "BackofficeError": "backoffice.errors",
    "BackofficeSettings": "backoffice.settings",
    "ErpRegistration": "backoffice.erp_payload",
    "EscalationAssigner": "backoffice.escalations",
    "PipelineCatalog": "backoffice.pipeline",
    "PipelineError": "backoffice.errors",
    "PipelineTemplate": "backoffice.pipeline",
    "assign_escalation": "backoffice.escalations",
    "create_router": "backoffice.api",
    "finish_erasures": "backoffice.erasure",
    "install_problem_handlers": "backoffice.problems",
    "load_pipelines": "backoffice.pipeline",
    "parse_hours": "backoffice.settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'backoffice' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "BackofficeError",
    "BackofficeSettings",
    "ErpRegistration",
    "EscalationAssigner",
    "PipelineCatalog",
    "PipelineError",
    "PipelineTemplate",
    "assign_escalation",
    "create_router",
    "finish_erasures",
    "install_problem_handlers",
    "load_pipelines",
    "parse_hours",
    "access",
    "agreements",
    "api",
    "audit",
    "client_page",
    "client_records",
    "console",
    "deliveries",
    "erasure",
    "erp_payload",
    "errors",
    "escalations",
    "export",
    "metrics",
    "onboardings",
    "pipeline",
    "problems",
    "reports",
    "schemas",
    "settings",
    "sla",
    "staff_auth",
    "stage_notices",
    "status_links",
    "takeover",
    "team",
    "training",
    "html",
    "report_reads",
    "report_sla",
]
