"""The process's own metrics: time in the garbage collector, by generation."""

from __future__ import annotations

import gc

from prometheus_client import CollectorRegistry

from bot.metrics import GarbageCollectorTime


def _seconds(registry: CollectorRegistry, generation: int) -> float:
    value = registry.get_sample_value("acolhe_gc_seconds_total", {"generation": str(generation)})
    return value or 0.0


def test_collections_are_timed_while_installed_and_not_after() -> None:
    registry = CollectorRegistry()
    timer = GarbageCollectorTime(registry)
    timer.install()
    timer.install()  # once only
    try:
        garbage: list[list[object]] = [[] for _ in range(50_000)]
        for item in garbage:
            item.append(item)  # cycles: the collector has work to do
        del garbage
        gc.collect()
        assert _seconds(registry, 2) > 0
        assert gc.callbacks.count(timer._observe) == 1
    finally:
        timer.uninstall()

    before = _seconds(registry, 2)
    gc.collect()
    assert _seconds(registry, 2) == before
    assert timer._observe not in gc.callbacks
