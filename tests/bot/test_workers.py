"""Keyed workers: a kick that comes while a key's worker is finishing is not lost.

The outbox, the router and the staff relay each run one worker per conversation or case. A
worker reads its key's next item in a transaction; if another transaction stores an item and
kicks the key while that read is in flight, the read may say "nothing left". The worker must
look once more, or the item (a staff member's closing words, a client's message) waits unsent
until the next restart."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.workers import KeyedWorkers


@dataclass(eq=False)
class Queue(KeyedWorkers[str]):
    """A worker that handles a key's items; its read of "what is left" can be held open."""

    items: dict[str, list[str]] = field(default_factory=dict)
    handled: list[str] = field(default_factory=list)
    reading: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    passes: int = 0

    def _task_name(self, key: str) -> str:
        return f"queue {key}"

    async def _work(self, key: str) -> None:
        self.passes += 1
        while True:
            snapshot = list(self.items.get(key, []))  # the read, as a transaction sees it
            self.reading.set()
            await self.release.wait()  # the read's round trip to the database
            if not snapshot:
                return
            self.items[key].remove(snapshot[0])
            self.handled.append(snapshot[0])


async def test_an_item_stored_while_the_worker_reads_nothing_left_is_still_handled():
    queue = Queue()
    queue.kick("conv")
    await queue.reading.wait()  # the worker has read: nothing
    queue.items["conv"] = ["closing words"]  # another transaction commits, then kicks
    queue.kick("conv")
    queue.release.set()
    await asyncio.wait_for(queue.idle(), 5)
    assert queue.handled == ["closing words"]
    assert queue.passes == 2


async def test_a_worker_without_a_late_kick_stops_after_one_pass():
    queue = Queue(items={"conv": ["a", "b"]})
    queue.release.set()
    queue.kick("conv")
    await asyncio.wait_for(queue.idle(), 5)
    assert queue.handled == ["a", "b"]
    assert queue.passes == 1
    queue.kick("conv")  # a kick after it stopped starts a new worker, which finds nothing
    await asyncio.wait_for(queue.idle(), 5)
    assert queue.passes == 2


async def test_a_kick_while_stopping_starts_nothing_more():
    queue = Queue()
    queue.kick("conv")
    await queue.reading.wait()
    queue.items["conv"] = ["left for the next start"]
    stopping = asyncio.create_task(queue.stop(grace=5))
    await asyncio.sleep(0)
    queue.kick("conv")
    queue.release.set()
    await asyncio.wait_for(stopping, 5)
    assert queue.handled == []
    assert queue.passes == 1
