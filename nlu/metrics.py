"""Prometheus metrics of the NLU, created lazily and once per registry.

Registering the same metric name twice in one registry raises, so every caller asks
:func:`fallback_counter` for the counter of its registry instead of creating one.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter

FALLBACK_METRIC = "acolhe_nlu_fallback"

_lock = threading.Lock()
_counters: weakref.WeakKeyDictionary[CollectorRegistry, Counter] = weakref.WeakKeyDictionary()


def fallback_counter(registry: CollectorRegistry | None = None) -> Counter:
    """``acolhe_nlu_fallback_total{reason}``: parses answered by the built-in backend instead."""
    from prometheus_client import REGISTRY, Counter

    target = registry if registry is not None else REGISTRY
    with _lock:
        counter = _counters.get(target)
        if counter is None:
            counter = Counter(
                FALLBACK_METRIC,
                "NLU parses that fell back from Rasa to the built-in backend",
                labelnames=("reason",),
                registry=target,
            )
            _counters[target] = counter
        return counter
