"""What one process runs on top of the runtime, built once: coordination (locks,
de-duplication, rate limits), the channel adapters, the metrics, the inbox with its wake-ups,
the live events' hub, the OCR pool, the webhook handler; and, for ``onboard serve``, the web
faces' contexts. ``bot.app``, ``bot.cli`` and ``bot.background`` only ask for these."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from backoffice.api.deps import BackofficeContext
from backoffice.client_page import ClientPageContext
from backoffice.console import ConsoleContext
from backoffice.console.live import EventHub
from backoffice.metrics import SlaCollector
from bot.bootstrap.channels import build_channels
from bot.bootstrap.faces import build_backoffice, build_client_page, build_console
from bot.bootstrap.policies import build_ocr_pool, intake_limits
from bot.bootstrap.runtime import Runtime
from bot.channels.adapters import ChannelAdapters
from bot.channels.webhooks import WebhookHandler
from bot.coordination import Coordination, build_coordination
from bot.documents import OcrPool
from bot.metrics import Metrics
from bot.service.deliveries import DeliveryReports
from bot.service.inbox import Inbox
from bot.service.web_chat import WebChat
from bot.storage.console_events import on_events_committed

__all__ = ["Process", "WebFaces", "build_process", "build_web_faces"]


@dataclass
class Process:
    """The process's long-lived parts; ``start()`` and ``stop()`` run inside the event loop."""

    runtime: Runtime
    coordination: Coordination
    channels: ChannelAdapters
    metrics: Metrics
    inbox: Inbox
    outbox_wake: asyncio.Event
    documents_wake: asyncio.Event
    hub: EventHub
    pool: OcrPool
    webhooks: WebhookHandler
    _unhook: Callable[[], None] | None = field(default=None, repr=False)

    async def start(self) -> None:
        """Starts the adapters (the Telegram bot) and the live events' hub."""
        await self.channels.start()
        await self.hub.start()
        self._unhook = on_events_committed(self.runtime.sessions, self.hub.notify)

    async def stop(self) -> None:
        """Stops what ``start`` started and closes the pool, clients and coordination."""
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        await self.hub.stop()
        await asyncio.to_thread(self.pool.shutdown)
        await self.channels.close()
        await self.coordination.aclose()


def build_process(runtime: Runtime, *, serving: bool = True) -> Process:
    """``serving``: the process answers HTTP (``onboard serve``), so its hub reads the event
    log for the consoles it serves; an ``onboard worker`` only writes events and wakes them."""
    settings = runtime.settings
    coordination = build_coordination(settings.redis_url, key_prefix=settings.redis_key_prefix)
    channels = build_channels(settings, documents=runtime.documents)
    outbox_wake, documents_wake = asyncio.Event(), asyncio.Event()
    metrics = Metrics(runtime.sessions, registry=runtime.registry)
    metrics.registry.register(
        SlaCollector(
            sessions=runtime.sessions,
            clock=runtime.clock,
            pipelines=runtime.pipelines,
            settings=runtime.office,
        )
    )
    inbox = Inbox(
        conversations=runtime.conversations,
        gate=coordination.gate,
        outbox_wake=outbox_wake,
        documents_wake=documents_wake,
        metrics=metrics,
    )
    # The console's live updates: one reader of the event log per process; writers wake it.
    hub = EventHub(
        sessions=runtime.sessions,
        clock=runtime.clock,
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
        read=serving,
    )
    webhooks = WebhookHandler(
        adapters=channels.adapters,
        inbox=inbox,
        deliveries=DeliveryReports(sessions=runtime.sessions, clock=runtime.clock),
        clock=runtime.clock,
        public_url=settings.public_url,
    )
    return Process(
        runtime=runtime,
        coordination=coordination,
        channels=channels,
        metrics=metrics,
        inbox=inbox,
        outbox_wake=outbox_wake,
        documents_wake=documents_wake,
        hub=hub,
        pool=build_ocr_pool(settings),
        webhooks=webhooks,
    )


@dataclass(frozen=True)
class WebFaces:
    """The contexts of what ``onboard serve`` shows besides the webhooks."""

    backoffice: BackofficeContext
    console: ConsoleContext
    client_page: ClientPageContext
    web_chat: WebChat


def build_web_faces(process: Process) -> WebFaces:
    runtime = process.runtime
    settings = runtime.settings
    backoffice = build_backoffice(runtime, outbox_wake=process.outbox_wake)
    web_chat = WebChat(
        inbox=process.inbox,
        sessions=runtime.sessions,
        clock=runtime.clock,
        store=runtime.documents,
        limits=intake_limits(settings),
    )
    client_page = build_client_page(
        settings,
        backoffice,
        rate_limiter=process.coordination.rate_limiter,
        inbox=process.inbox,
        web_chat=web_chat,
        flows=runtime.flows,
    )
    return WebFaces(
        backoffice=backoffice,
        console=build_console(settings, backoffice, feed=process.hub),
        client_page=client_page,
        web_chat=web_chat,
    )
