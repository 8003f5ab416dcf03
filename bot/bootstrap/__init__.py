"""The composition root: builds every concrete object from ``Settings`` exactly once.

``build_runtime`` (``runtime.py``): settings → database, clock, flows, pipelines, NLU, dialogue
engine, conversation service. ``build_process`` (``process.py``): on top of it, coordination,
the channel adapters (``channels.py``), metrics, the inbox, the live events' hub, the OCR pool
and the webhook handler; ``build_web_faces`` the back-office's, console's, status page's and
web chat's contexts (``faces.py``). The workers' objects come from ``workers.py``, the policy
objects from settings from ``policies.py``. ``bot.app``, ``bot.cli`` and ``bot.background``
only ask for these; nothing is constructed at import time.
"""

from bot.bootstrap.channels import build_channels
from bot.bootstrap.faces import build_backoffice, build_client_page, build_console
from bot.bootstrap.policies import (
    backoffice_settings,
    build_ocr_pool,
    document_store,
    intake_limits,
    send_policy,
    status_page_secret,
    training_policy,
)
from bot.bootstrap.process import Process, WebFaces, build_process, build_web_faces
from bot.bootstrap.runtime import (
    Runtime,
    build_interpreter,
    build_runtime,
    flow_registry,
    load_all_flows,
)
from bot.bootstrap.workers import (
    build_alert_destinations,
    build_alert_rules,
    build_alert_worker,
    build_document_worker,
    build_erp_worker,
    build_outbox_worker,
    build_reminder_worker,
)

__all__ = [
    "Process",
    "Runtime",
    "WebFaces",
    "backoffice_settings",
    "build_alert_destinations",
    "build_alert_rules",
    "build_alert_worker",
    "build_backoffice",
    "build_channels",
    "build_client_page",
    "build_console",
    "build_document_worker",
    "build_erp_worker",
    "build_interpreter",
    "build_ocr_pool",
    "build_outbox_worker",
    "build_process",
    "build_reminder_worker",
    "build_runtime",
    "build_web_faces",
    "channels",
    "document_store",
    "faces",
    "flow_registry",
    "intake_limits",
    "load_all_flows",
    "policies",
    "process",
    "runtime",
    "send_policy",
    "status_page_secret",
    "training_policy",
    "workers",
]
