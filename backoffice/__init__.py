"""The back-office API: staff, pipeline, escalations, audit, LGPD rights and reports.

Public names (the rest is private):

- ``create_router(sessions=, clock=, conversations=, settings=, outbox_wake=, documents=)``
  → ``APIRouter`` to mount with ``prefix="/api/v1"``; ``install_problem_handlers(app)``.
- ``BackofficeSettings`` (+ ``parse_hours``), ``load_pipelines``, ``PipelineCatalog``,
  ``PipelineTemplate``, ``PipelineError``.
- ``assign_escalation(session, escalation, now=, dedicated_csm=)`` and ``EscalationAssigner``
  for the bot's escalations; ``finish_erasures(session, now=)`` for a periodic sweep.
- ``ErpRegistration``: the documented ERP payload.
"""

from backoffice.api import create_router
from backoffice.erasure import finish_erasures
from backoffice.erp_payload import ErpRegistration
from backoffice.errors import BackofficeError, PipelineError
from backoffice.escalations import EscalationAssigner, assign_escalation
from backoffice.pipeline import PipelineCatalog, PipelineTemplate, load_pipelines
from backoffice.problems import install_problem_handlers
from backoffice.settings import BackofficeSettings, parse_hours

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
