"""Background work: one worker task per key (:class:`KeyedWorkers`), or one loop of rounds
(:class:`Rounds`).

One worker task per key (a conversation, a case), started on demand and stopped with grace.

The pipeline (Rasa turns), the outbox (sends) and the staff relay (posts to staff) each work
through one key's items in order while different keys run in parallel. ``kick(key)`` makes
sure a worker runs for the key; a worker stops when its key has nothing left. A kick that
comes while the key's worker runs makes it look once more before it stops: the worker may
have read "nothing left" just before the kicker's transaction committed (a staff member's
closing words stored while the reply before them was being sent), and without that second look
the unit would wait, unsent, until the next restart. On
``stop(grace)`` work in flight (a call to Rasa, a send) has ``grace`` seconds to finish, but a
worker only waiting (a retry's delay) stops at once: what it waited for stays pending in the
store, and the next start resumes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
log = logging.getLogger(__name__)


@dataclass(eq=False)
class KeyedWorkers(Generic[K]):
    """Subclasses are dataclasses too: their fields are what they work with."""

    _workers: dict[K, asyncio.Task[None]] = field(default_factory=dict, init=False)
    _kicked: set[K] = field(default_factory=set, init=False)  # kicked while its worker ran
    _stopping: bool = field(default=False, init=False)
    _stop_requested: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def _task_name(self, key: K) -> str:
        raise NotImplementedError

    async def _work(self, key: K) -> None:
        raise NotImplementedError

    def kick(self, key: K) -> None:
        """Make sure a worker handles what ``key`` has waiting (nothing once stopping)."""
        if self._stopping:
            return
        task = self._workers.get(key)
        if task is None or task.done():
            self._workers[key] = asyncio.create_task(self._run(key), name=self._task_name(key))
        else:
            self._kicked.add(key)

    async def _run(self, key: K) -> None:
        """``_work(key)`` until no kick came while it ran."""
        while True:
            self._kicked.discard(key)
            await self._work(key)
            if key not in self._kicked or self._stopping:
                self._kicked.discard(key)
                return

    async def idle(self) -> None:
        """Wait until no worker is running (tests and benchmarks)."""
        while any(not task.done() for task in self._workers.values()):
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _unless_stopped(self, waiting: Awaitable[object]) -> bool:
        """Wait for ``waiting`` (a retry's delay), or until a stop begins; whether to go on."""
        task = asyncio.ensure_future(waiting)
        if not self._stopping:
            stop = asyncio.ensure_future(self._stop_requested.wait())
            await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return not self._stopping

    async def stop(self, grace: float) -> None:
        """Let work in flight finish for up to ``grace`` seconds; the rest stays pending."""
        self._stopping = True
        self._stop_requested.set()
        tasks = [t for t in self._workers.values() if not t.done()]
        if tasks:
            _, still = await asyncio.wait(tasks, timeout=grace)
            for task in still:
                task.cancel()
            for task in still:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


@dataclass(eq=False)
class Rounds:
    """One task that runs ``round`` now and again: after ``interval`` seconds, or the wait the
    round returns, or at once when :meth:`kick` is called (``wake`` set). A round that raises is
    logged and tried again at the next. The handoff's watcher, the follow-ups' worker and the
    review inbox's reader each run one."""

    name: str
    round: Callable[[], Awaitable[float | None]]
    interval: float
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    def kick(self) -> None:
        self.wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            wait = self.interval
            try:
                asked = await self.round()
                if asked is not None:
                    wait = asked
            except Exception:
                log.exception("%s: a round failed; it is tried again", self.name)
            self.wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), wait)
