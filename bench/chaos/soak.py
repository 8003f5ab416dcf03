"""The soak: steady load for many minutes, sampled every minute, to tell a leak from a warm-up.

Every minute: the memory of each process — a ``serve`` or ``worker`` on its own and its children
(the OCR pool's processes) apart; redis-server's RSS; PostgreSQL's PSS summed over the postmaster
and its backends (RSS would count the shared buffers once per backend that touched them, so a sum
of RSS grows as backends touch more of the same shared memory) and the number of backends —, the
machine's load average, and the end-to-end p99 of the messages started in that minute. A leak is
memory that keeps growing minute after minute; a warm-up grows and then stays flat.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.chaos.load import percentile
from bench.chaos.services import children, rss_kb

if TYPE_CHECKING:
    from bench.chaos.run import Drill

__all__ = ["Sample", "sample_every", "summary"]


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


@dataclass
class Sample:
    minute: float
    memory_kb: dict[str, int] = field(default_factory=dict)
    postgres_backends: int = 0
    load_average: float = 0.0
    p99_s: float | None = None
    messages: int = 0


def take(drill: Drill, minute: float, *, window: list[float], count: int) -> Sample:
    sample = Sample(minute=round(minute, 1), load_average=os.getloadavg()[0], messages=count)
    for name, app in drill.cluster.processes.items():
        if app.process is None or app.process.poll() is not None:
            continue
        kids = children(app.pid)
        sample.memory_kb[name] = rss_kb(app.pid)
        if kids:
            sample.memory_kb[f"{name} children ({len(kids)})"] = sum(rss_kb(k) for k in kids)
    sample.memory_kb["redis"] = drill.redis.rss_kb()
    pid_file = drill.postgres.data / "postmaster.pid"
    if pid_file.exists():
        master = int(pid_file.read_text().split()[0])
        backends = children(master)
        sample.postgres_backends = len(backends)
        sample.memory_kb["postgres PSS"] = pss_kb(master) + sum(pss_kb(b) for b in backends)
    sample.p99_s = round(percentile(window, 0.99), 3) if window else None
    return sample


async def sample_every(
    drill: Drill, run: asyncio.Task[None], *, every_s: float = 60.0
) -> list[Sample]:
    """Samples while ``run`` (the load) is going, and once more when it ends."""
    started = time.monotonic()
    seen = len(drill.load.messages)
    samples = [take(drill, 0.0, window=[], count=0)]
    while not run.done():
        await asyncio.wait({run}, timeout=every_s)
        now = time.monotonic()
        recent = [
            m.e2e
            for m in drill.load.messages[seen:]
            if m.e2e is not None and m.started >= now - every_s
        ]
        count = len(drill.load.messages) - seen
        seen = len(drill.load.messages)
        sample = take(drill, (now - started) / 60, window=recent, count=count)
        samples.append(sample)
        print(
            f"  {sample.minute:5.1f} min  load {sample.load_average:4.1f}  "
            f"p99 {sample.p99_s}s  "
            + "  ".join(f"{k} {v // 1024} MB" for k, v in sample.memory_kb.items()),
            flush=True,
        )
    return samples


def summary(samples: list[Sample]) -> dict[str, object]:
    """Growth of each process's memory over the first half and over the second half: a leak
    grows in both, a warm-up only in the first."""
    if len(samples) < 3:
        return {}
    half = len(samples) // 2
    first, middle, last = samples[0], samples[half], samples[-1]
    growth: dict[str, dict[str, int]] = {}
    for name in last.memory_kb:
        if name in first.memory_kb and name in middle.memory_kb:
            growth[name] = {
                "start_kb": first.memory_kb[name],
                "first_half_kb": middle.memory_kb[name] - first.memory_kb[name],
                "second_half_kb": last.memory_kb[name] - middle.memory_kb[name],
            }
    return {"memory_growth": growth}
