"""What the webhook bench reads from the machine and the server: the machine's speed, the
server's latency histogram and counters from ``/metrics``, its CPU seconds, percentiles."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = [
    "Counters",
    "bucket_p99",
    "cpu_seconds",
    "difference",
    "machine_speed",
    "percentile",
    "share_within",
    "webhook_histogram",
]


def machine_speed() -> float:
    """CPU milliseconds of a fixed pure-Python workload (dicts, strings, JSON), best of three.

    The shared VM's speed drifts (the same commit measured 2.5 and 5 ms per message an hour
    apart), so each run prints this beside its figures: compare runs only at a similar value,
    or interleaved.
    """
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        table = {str(n): n * 2 for n in range(200_000)}
        json.loads(json.dumps(table))
        best = min(best, time.process_time() - started)
    return best * 1000


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def webhook_histogram(port: int) -> dict[float, float]:
    """The server's own latency histogram of answered Twilio webhooks: upper bound → count.

    Measured inside the server (from the ASGI call to the answer), so unlike the ack columns it
    does not include the load generator's own delays; it does not include time spent in the
    kernel's queues before the server reads the request either.
    """
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if (
            line.startswith("acolhe_http_request_seconds_bucket{")
            and 'route="/webhooks/twilio"' in line
            and 'status="200"' in line
        ):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(bound)] = float(line.rsplit(" ", 1)[1])
    return buckets


@dataclass(frozen=True)
class Counters:
    """The server's own counters that the bench reports per level."""

    gc_seconds: float
    turn_batches: float
    turns: float

    @classmethod
    def scrape(cls, port: int) -> Counters:
        lines = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text.splitlines()

        def total(prefix: str) -> float:
            return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix))

        return cls(
            gc_seconds=total("acolhe_gc_seconds_total{"),
            turn_batches=total("acolhe_turn_batch_size_count"),
            turns=total("acolhe_turn_batch_size_sum"),
        )


def difference(after: dict[float, float], before: dict[float, float]) -> dict[float, float]:
    return {bound: count - before.get(bound, 0.0) for bound, count in after.items()}


def bucket_p99(cumulative: dict[float, float]) -> str:
    """The smallest histogram bound under which 99 % of the answers fell, e.g. '≤0.25s'."""
    total = cumulative.get(float("inf"), 0.0)
    for bound in sorted(cumulative):
        if total and cumulative[bound] >= 0.99 * total:
            return f"≤{bound:g}s"
    return "n/a"


def share_within(cumulative: dict[float, float], bound: float) -> float:
    total = cumulative.get(float("inf"), 0.0)
    return cumulative.get(bound, 0.0) / total if total else float("nan")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks
