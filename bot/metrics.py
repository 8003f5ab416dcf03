"""Prometheus metrics of one process, on a registry of its own (so tests and several apps in
one process never collide on the global registry)."""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import Escalation, OutboxItem


class _DatabaseGauges(Collector):
    """Queue depths read from the database at scrape time (shared by every process)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterable[Metric]:
        outbox = GaugeMetricFamily(
            "acolhe_outbox_messages", "Outbound messages by delivery state", labels=["status"]
        )
        escalations = GaugeMetricFamily(
            "acolhe_open_escalations", "Escalations not resolved yet", labels=["status"]
        )
        with self.sessions() as session:
            for status, count in session.execute(
                select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
            ):
                outbox.add_metric([status], count)
            for status, count in session.execute(
                select(Escalation.status, func.count())
                .where(Escalation.status != "resolved")
                .group_by(Escalation.status)
            ):
                escalations.add_metric([status], count)
        yield outbox
        yield escalations


class GarbageCollectorTime:
    """Seconds spent in the garbage collector, by generation (``gc.callbacks``): the share of
    a message's CPU that allocation-heavy code pays for, which prometheus_client's own GC
    metrics (collections and objects) do not show."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Counter(
            "acolhe_gc_seconds",
            "Time spent in garbage collections",
            ["generation"],
            registry=registry,
        )
        self._by_generation = [self.seconds.labels(generation=str(g)) for g in range(3)]
        self._started = 0.0

    def install(self) -> None:
        if self._observe not in gc.callbacks:
            gc.callbacks.append(self._observe)

    def uninstall(self) -> None:
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._by_generation[info["generation"]].inc(time.perf_counter() - self._started)


class Metrics:
    def __init__(
        self, sessions: sessionmaker[Session], *, registry: CollectorRegistry | None = None
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.messages_in = Counter(
            "acolhe_messages_in",
            "Inbound client messages handled",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "acolhe_messages_out",
            "Outbound messages stored for delivery",
            ["channel"],
            registry=self.registry,
        )
        self.escalations = Counter(
            "acolhe_escalations",
            "Escalations opened by the bot",
            ["reason"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "acolhe_http_request_seconds",
            "HTTP request latency",
            ["route", "method", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.turn_batch = Histogram(
            "acolhe_turn_batch_size",
            "Turns handled together in one transaction",
            registry=self.registry,
            buckets=(1, 2, 4, 8, 16, 32),
        )
        self.registry.register(_DatabaseGauges(sessions))
        self.gc_time = GarbageCollectorTime(self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def observe_request(self, route: str, method: str, *, status: int) -> Callable[[float], None]:
        return self.request_seconds.labels(route=route, method=method, status=str(status)).observe


_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]


class RequestMetrics:
    """ASGI middleware: the latency of every HTTP request, by route template, method and status.

    A plain ASGI wrapper rather than ``@app.middleware("http")``: Starlette's
    ``BaseHTTPMiddleware`` starts a task group and memory streams per request, which cost
    more than a webhook's own work.
    """

    def __init__(
        self, app: Callable[[_Scope, _Receive, _Send], Awaitable[None]], *, metrics: Metrics
    ) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:  # noqa: PLR0917 (ASGI)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: _Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # The router records the matched route in the scope (shared with this wrapper).
            path = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.observe_request(path, scope["method"], status=status)(
                time.perf_counter() - started
            )
