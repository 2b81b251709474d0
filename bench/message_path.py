"""The path one inbound message takes through the gateway's modules, counted.

    .venv/bin/python bench/message_path.py

The gateway runs in this process (the app factory, a SQLite store) with an instant fake Rasa and
the fake Twilio API, human handoff reachable through the console. One SMS at a time enters
:meth:`bot.inbox.Inbox.accept` (what every channel calls) and is followed until it is answered
and every unit is delivered (router and outbox idle): a profiler in every thread records each
call from a function of one module of ``bot/`` into a function of another. The callee's module
is a *stop*; the path is the stops in the order they happen, one task at a time (the request,
then each worker the message starts, in the order they start), a run of stops in one module
counted once. A *return* is a stop in a module the path had already left.

Not counted as stops, because a message lives no step in them: the store's tables and
plumbing (``bot/db/``, ``bot/store.py``, ``bot/db.py``, and the handoff's ``cases``, ``posts``
and ``auth``), plain data and glue (``model``, ``hooks``, ``errors``, ``workers``, the handoff's
``model``), and helpers (``privacy``, ``pacing``, ``gsm``, ``messages``, ``settings``,
``state``, ``logs``). Calls made from them count as made by the module that called them; the
store's worker thread counts as the task that handed it the work. Written for this codebase
before and after issue 10, so that both can be counted the same way.
"""

from __future__ import annotations

import asyncio
import collections
import json
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.model import Incoming
from bot.state import INBOX

try:
    from scripts.fakes.gateway import RunningGateway, loopback_settings
    from scripts.fakes.rasa import FakeRasa
    from scripts.fakes.twilio import FakeTwilio
except ImportError:  # the code before issue 10 kept the fakes under tests/
    from tests.bot.gateway_fakes.gateway import (  # type: ignore[no-redef]
        RunningGateway,
        loopback_settings,
    )
    from tests.bot.gateway_fakes.rasa import FakeRasa  # type: ignore[no-redef]
    from tests.bot.gateway_fakes.twilio import FakeTwilio  # type: ignore[no-redef]

BOT = str(Path(__file__).resolve().parent.parent / "bot") + "/"
PLUMBING = {"db", "store", "handoff/cases", "handoff/posts", "handoff/group/posts", "web/auth"}
PLUMBING |= {f"db/{name}" for name in ("conversations", "events", "inbound", "meta", "outbox")}
DATA = {"model", "hooks", "errors", "workers", "handoff/model", "db/schema", "schema"}
HELPERS = {"privacy", "pacing", "gsm", "messages", "settings", "state", "logs"}
TRANSPARENT = PLUMBING | DATA | HELPERS
# Where work crosses to the store's thread: the caller's task is remembered here, in order.
# (Before issue 10 a thread pool took work in order; since, the store's threads take a
# webhook's work first, so each piece of work is known by its call, as it is submitted.)
HANDOVER = {("store", "_run")}
SUBMIT, TAKEOVER = ("db", "submit"), ("db", "_transaction")
# Starting a worker, or the handoff's work, once a transaction has committed: a hand-over to
# another task (counted there), not a stop on this one.
STARTING = {"kick", "_task_name", "after", "apply", "wake"}
MESSAGES = {
    "plain": "where can i sleep tonight",
    "risk": "i want to kill myself, i need a bed",
}


def module_of(frame: FrameType) -> str | None:
    path = frame.f_code.co_filename
    return path[len(BOT) : -3].removesuffix("/__init__") if path.startswith(BOT) else None


class Tracer:
    def __init__(self) -> None:
        self.recording = False
        self.stops: dict[str, list[str]] = collections.defaultdict(list)
        self.order: list[str] = []
        self.handed: collections.deque[tuple[str, str | None]] = collections.deque()
        self.submitted: dict[int, tuple[str, str | None]] = {}
        self.local = threading.local()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call" or frame.f_lasti >= 0:
            return  # not a call: a return, or a coroutine resumed
        module = module_of(frame)
        if module is None:
            return
        caller, root = self._caller(frame)
        where = (module, frame.f_code.co_name)
        if where == TAKEOVER:  # the store's thread takes work: whose is it?
            handed = self.submitted.pop(id(frame.f_back.f_locals.get("call")), None)
            self.local.task, self.local.caller = handed or ("store", None)
        task = self._task(root)  # (kept up to date whether recording or not)
        if caller is None and threading.current_thread() is not threading.main_thread():
            caller = getattr(self.local, "caller", None)  # who handed the store this work
        if where in HANDOVER:
            self.handed.append((task, caller))
        if where == SUBMIT:
            self.submitted[id(frame.f_locals["call"])] = (task, caller)
        if not self.recording or module in TRANSPARENT or caller == module:
            return
        if frame.f_code.co_name in STARTING:
            return
        if task not in self.stops:
            self.order.append(task)
        sequence = self.stops[task]
        if not sequence or sequence[-1] != module:
            sequence.append(module)

    def _caller(self, frame: FrameType) -> tuple[str | None, bool]:
        """The module that made this call (the nearest counted one), and whether the call is the
        root of this thread's work (no caller of ``bot/`` above it)."""
        back, root = frame.f_back, True
        while back is not None:
            module = module_of(back)
            if module is not None and module not in TRANSPARENT:
                return module, False
            root = root and module is None
            back = back.f_back
        return None, root

    def _task(self, root: bool) -> str:
        if threading.current_thread() is threading.main_thread():
            try:
                task = asyncio.current_task()
            except RuntimeError:
                task = None
            return task.get_name().split(" ")[0] if task is not None else "main"
        if root and self.handed:  # the store's thread starts work a task handed it
            self.local.task, self.local.caller = self.handed.popleft()
        return str(getattr(self.local, "task", "store"))


def path(tracer: Tracer) -> list[str]:
    return [stop for task in tracer.order for stop in tracer.stops[task]]


def summary(stops: list[str]) -> dict[str, Any]:
    seen: set[str] = set()
    returns = 0
    for stop in stops:
        returns += stop in seen
        seen.add(stop)
    return {"stops": len(stops), "modules": len(seen), "returns": returns, "path": stops}


async def follow(words: str, number: int, tracer: Tracer) -> dict[str, Any]:
    async with FakeRasa() as rasa, FakeTwilio() as twilio:
        with tempfile.TemporaryDirectory() as tmp:

            def settings(url: str) -> Any:
                from bot.handoff.settings import HandoffSettings
                from bot.web.auth import StaffAccount

                staff = HandoffSettings(console_accounts=(StaffAccount("alex", "x"),))
                return loopback_settings(
                    url, Path(tmp) / "gw.db", rasa.url, twilio_url=twilio.url, handoff=staff
                )

            async with RunningGateway(settings) as gateway:
                await asyncio.sleep(0.5)  # the start's own work (the watcher's first look) done
                message = Incoming("sms", f"+1650555{number:04d}", "text", words, f"SM{number}")
                tracer.stops.clear()
                tracer.order.clear()
                tracer.recording = True
                await gateway.app[INBOX].accept(message)
                await gateway.idle(timeout=20)
                await asyncio.sleep(0.3)  # the watcher's look, when a case opened
                await gateway.idle(timeout=20)
                tracer.recording = False
                return summary(path(tracer))


async def main() -> None:
    tracer = Tracer()
    threading.setprofile(tracer)
    sys.setprofile(tracer)
    figures = {}
    for number, (name, words) in enumerate(MESSAGES.items()):
        figures[name] = await follow(words, number, tracer)
    sys.setprofile(None)
    threading.setprofile(None)  # type: ignore[arg-type]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
