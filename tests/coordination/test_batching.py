"""MicroBatcher: what is waiting runs together, nothing waits for a batch to fill, a slow batch
lets the next one start, and each caller gets its own result or error."""

from __future__ import annotations

import asyncio

import pytest

from bot.coordination import MicroBatcher


class Recorder:
    """A ``run`` that records its batches and can be held open or made to fail."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail_batch = False

    async def __call__(self, items: list[str]) -> list[str | BaseException]:
        self.batches.append(items)
        await self.release.wait()
        if self.fail_batch:
            raise RuntimeError("database down")
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


async def test_an_item_alone_starts_at_once() -> None:
    run = Recorder()
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=1)

    assert await asyncio.wait_for(batcher.submit("a"), 1) == "A"
    assert run.batches == [["a"]]


async def test_items_waiting_behind_a_running_batch_go_together_in_order() -> None:
    run = Recorder()
    run.release.clear()
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=1)
    first = asyncio.create_task(batcher.submit("a"))
    await asyncio.sleep(0)  # "a" is running
    rest = [asyncio.create_task(batcher.submit(item)) for item in "bcdef"]
    await asyncio.sleep(0.01)
    assert run.batches == [["a"]]  # the others wait for the running batch

    run.release.set()
    assert await first == "A"
    assert [await task for task in rest] == ["B", "C", "D", "E", "F"]
    assert run.batches == [["a"], ["b", "c", "d", "e", "f"]]
    assert (batcher.batches, batcher.items) == (2, 6)


async def test_max_batch_caps_a_batch() -> None:
    run = Recorder()
    run.release.clear()
    batcher = MicroBatcher(run, max_batch=2, max_in_flight=1)
    tasks = [asyncio.create_task(batcher.submit(item)) for item in "abcde"]
    await asyncio.sleep(0)
    run.release.set()
    await asyncio.gather(*tasks)

    assert run.batches == [["a"], ["b", "c"], ["d", "e"]]


async def test_a_slow_batch_lets_the_next_start_after_the_spill_delay() -> None:
    run = Recorder()
    run.release.clear()
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=2, spill_after_s=0.05)
    slow = asyncio.create_task(batcher.submit("slow"))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(batcher.submit("next"))
    await asyncio.sleep(0.01)
    assert run.batches == [["slow"]]  # a young batch: the queue waits behind it

    await asyncio.sleep(0.08)
    assert run.batches == [["slow"], ["next"]]  # past the spill delay: a second batch runs
    run.release.set()
    assert (await slow, await waiting) == ("SLOW", "NEXT")


async def test_without_a_spill_delay_every_free_slot_starts_a_batch() -> None:
    run = Recorder()
    run.release.clear()
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=2)
    tasks = [asyncio.create_task(batcher.submit(item)) for item in "abcd"]
    await asyncio.sleep(0.01)
    assert run.batches == [["a"], ["b"]]  # two slots, two batches at once; c and d wait

    run.release.set()
    assert await asyncio.gather(*tasks) == ["A", "B", "C", "D"]
    assert run.batches == [["a"], ["b"], ["c", "d"]]


async def test_an_item_error_goes_to_its_caller_only() -> None:
    batcher = MicroBatcher(Recorder(), max_batch=8, max_in_flight=1)
    good, bad = await asyncio.gather(
        batcher.submit("good"), batcher.submit("bad one"), return_exceptions=True
    )

    assert good == "GOOD"
    assert isinstance(bad, ValueError) and str(bad) == "bad one"


async def test_a_failing_batch_fails_every_caller_and_the_next_batch_still_runs() -> None:
    run = Recorder()
    run.fail_batch = True
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=1)
    results = await asyncio.gather(batcher.submit("a"), batcher.submit("b"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)

    run.fail_batch = False
    assert await batcher.submit("c") == "C"
    assert batcher.in_flight == 0


async def test_a_cancelled_caller_does_not_stop_its_item() -> None:
    run = Recorder()
    run.release.clear()
    batcher = MicroBatcher(run, max_batch=8, max_in_flight=1)
    caller = asyncio.create_task(batcher.submit("committed"))
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller

    run.release.set()
    assert await batcher.submit("after") == "AFTER"
    assert run.batches == [["committed"], ["after"]]  # the cancelled caller's item ran


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError):
        MicroBatcher(Recorder(), max_batch=0, max_in_flight=1)
    with pytest.raises(ValueError):
        MicroBatcher(Recorder(), max_batch=1, max_in_flight=1, spill_after_s=-1)
