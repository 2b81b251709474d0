"""Talking to Rasa: the REST channel for each message; the HTTP API for what a lost answer was,
and to pause and resume a conversation while a person talks with the client.

Every call has a time limit. ``RASA_URL`` may list several Rasa replicas sharing one tracker
store (PostgreSQL) and one lock store (Redis). Each conversation has a **home** replica, chosen
by a stable hash of its sender id, and goes only there while it is up: Rasa 3.6's Redis lock
store can race across replicas, and the router sends a conversation's messages one at a time,
so one conversation is never in two replicas at once.

**Failover.** A replica that cannot be reached (connection refused, connect timeout, or the
connection broken mid-turn, as when it is killed) is marked down, and its conversations go to
the next replica that is up, in ``RASA_URL``'s order, which continues them from the shared
tracker store. A probe asks the down replica ``GET /`` every second; once it answers, its
conversations go home again. A replica that answers slowly or with an error is not failed over
(the router keeps the message and tries again): a message that makes one replica fail would
make the next fail too.

**Nothing answered twice.** A turn whose connection broke after the request went may have been
finished and recorded by the replica that died. Before such a message is sent again, the
conversation's tracker is read (from whichever replica has it now: the store is shared), and
the answer recorded there is used instead. After a timeout the router does the same
(:meth:`RasaClient.answer_in_tracker`). When no replica can be reached, the caller gets a
:class:`~bot.errors.RasaUnavailable` and keeps the message until one answers its probe.

:class:`RasaHealth` is the router's view of which replicas are up; the client keeps that state
itself, since it routes by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from bot.errors import (
    RasaBadReply,
    RasaError,
    RasaInterrupted,
    RasaRefused,
    RasaTimeout,
    RasaUnavailable,
    RasaUnreachable,
)
from bot.model import BotMessage, parse_rasa_reply
from contract import META_MESSAGE_ID

log = logging.getLogger(__name__)

MESSAGE_ID_KEY = META_MESSAGE_ID
CONNECT_TIMEOUT = 3.0  # a replica on a machine that is gone: fail over after this, not RASA_TIMEOUT
STATUS_TIMEOUT = 1.0  # /health asks each replica which model it runs, this long at most
UNCERTAIN_KEPT = 10_000  # interrupted messages remembered (each is checked once, then forgotten)
T = TypeVar("T")


class RasaClient:
    """Sends client messages to the Rasa replica that has the conversation; knows which
    replicas are up, and probes those that are down until they answer."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        urls: tuple[str, ...],
        token: str,
        timeout: float,
        probe_interval: float = 1.0,
    ) -> None:
        if not urls:
            raise ValueError("Rasa needs at least one URL")
        self.session = session
        self.urls = urls
        self.token = token
        self.timeout = timeout
        self.probe_interval = probe_interval
        self._up = {base: asyncio.Event() for base in urls}
        for event in self._up.values():
            event.set()
        self._changed = asyncio.Event()  # set whenever a replica comes up
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._closed = False
        self._uncertain: dict[int, None] = {}  # message ids whose turn was interrupted

    # --- which replica --------------------------------------------------------------------

    def home(self, sender: str) -> str:
        """The replica that owns this conversation (the same one every time)."""
        return self.urls[zlib.crc32(sender.encode()) % len(self.urls)]

    def base_for(self, sender: str) -> str:
        """The replica that answers this conversation now: its home while it is up, else the
        next one up in ``RASA_URL``'s order; its home when none is up."""
        first = self.urls.index(self.home(sender))
        for step in range(len(self.urls)):
            base = self.urls[(first + step) % len(self.urls)]
            if self._up[base].is_set():
                return base
        return self.urls[first]

    def is_up(self, base: str) -> bool:
        return self._up[base].is_set()

    def any_down(self) -> bool:
        return not all(event.is_set() for event in self._up.values())

    def any_up(self) -> bool:
        return any(event.is_set() for event in self._up.values())

    def mark_up(self, base: str) -> None:
        if not self._up[base].is_set():
            log.info("Rasa at %s answers again; its conversations go back to it", base)
            self._up[base].set()
            self._changed.set()

    def mark_down(self, base: str) -> None:
        """Route around ``base`` and probe it until it answers."""
        if self._up[base].is_set():
            self._up[base].clear()
            meanwhile = (
                "the next replica up takes its conversations"
                if self.any_up()
                else "kept messages wait for it"
            )
            log.warning("Rasa at %s is down or slow; %s", base, meanwhile)
        if self._closed:
            return
        if base not in self._probes or self._probes[base].done():
            self._probes[base] = asyncio.create_task(self._probe(base), name=f"rasa-probe {base}")

    async def wait_until_answerable(self, sender_base: str, timeout: float) -> bool:
        """Wait until a replica can take the conversations of ``sender_base`` (it, or any
        other, since they fail over), at most ``timeout`` seconds; whether one can."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.any_up():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.is_up(sender_base) or self.any_up()

    async def _probe(self, base: str) -> None:
        while not self._up[base].is_set():
            await asyncio.sleep(self.probe_interval)
            if await self.ping(base):
                self.mark_up(base)

    async def close(self) -> None:
        self._closed = True
        for task in self._probes.values():
            task.cancel()
        for task in self._probes.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- the calls ------------------------------------------------------------------------

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
        """Rasa's answer to ``text``; raises a :class:`RasaError` when there is no usable one."""
        message_id = metadata.get(MESSAGE_ID_KEY)
        body = {"sender": sender, "message": text, "metadata": metadata}

        async def turn(base: str) -> Any:
            if message_id in self._uncertain:  # the last try broke mid-turn: was it done?
                found = await self._recorded(base, sender, message_id)
                if found is not None:
                    log.info("message %s: a replica finished it before it went down", message_id)
                    return found
            try:
                return await self._call("POST", f"{base}/webhooks/rest/webhook", json=body)
            except RasaInterrupted:
                if isinstance(message_id, int):
                    self._remember_uncertain(message_id)
                raise

        raw = await self._on_replicas(sender, turn)
        if isinstance(message_id, int):
            self._uncertain.pop(message_id, None)
        if isinstance(raw, _Recorded):
            if not raw.messages:
                raise RasaBadReply("Rasa recorded the message but answered nothing")
            return raw.messages
        try:
            messages, dropped = parse_rasa_reply(raw)
        except ValueError as exc:
            raise RasaBadReply(f"Rasa's reply is not a list of messages: {exc}") from None
        for note in dropped:
            log.warning("dropped a malformed message from Rasa: %s", note)
        if not messages:
            raise RasaBadReply("Rasa answered with no message (is the action server down?)")
        return messages

    async def answer_in_tracker(self, sender: str, message_id: int) -> list[BotMessage] | None:
        """What Rasa answered to ``message_id``, read from the conversation's tracker.

        After a timeout Rasa may have finished the turn anyway; sending the message again would
        record it twice. ``None`` when the tracker cannot be read or does not hold the message;
        an empty list when Rasa recorded the message but said nothing.
        """
        try:
            found = await self._on_replicas(
                sender, lambda base: self._recorded(base, sender, message_id)
            )
        except RasaError as exc:
            log.info("cannot read the tracker to find a lost answer: %s", exc)
            return None
        return found.messages if found is not None else None

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events to the conversation's tracker (Rasa's HTTP API: pause, resume...)."""
        params = {**self._token_param(), "include_events": "NONE"}

        async def append(base: str) -> Any:
            url = f"{base}/conversations/{sender}/tracker/events"
            return await self._call("POST", url, json=events, params=params)

        raw = await self._on_replicas(sender, append)
        if not isinstance(raw, dict):
            raise RasaBadReply("Rasa's answer to appending events is not a tracker")

    async def ping(self, base: str) -> bool:
        """Whether the Rasa server at ``base`` answers at all."""
        timeout = aiohttp.ClientTimeout(total=min(self.timeout, 3.0))
        try:
            async with self.session.get(f"{base}/", timeout=timeout) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def replicas(self) -> list[dict[str, Any]]:
        """Each replica in ``RASA_URL``'s order: whether it is up, and the file name of the model
        it runs (Rasa's ``GET /status``; None when it does not say within a second)."""

        async def model_of(base: str) -> str | None:
            if not self.is_up(base):
                return None
            try:
                async with self.session.get(
                    f"{base}/status",
                    params=self._token_param(),
                    timeout=aiohttp.ClientTimeout(total=STATUS_TIMEOUT),
                ) as response:
                    if response.status != 200:
                        return None
                    body = await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                return None
            model = body.get("model_file") if isinstance(body, dict) else None
            return os.path.basename(str(model)) if model else None

        models = await asyncio.gather(*(model_of(base) for base in self.urls))
        return [
            {"replica": index, "up": self.is_up(base), "model": model}
            for index, (base, model) in enumerate(zip(self.urls, models, strict=True), start=1)
        ]

    # --- the plumbing ---------------------------------------------------------------------

    async def _on_replicas(self, sender: str, call: Callable[[str], Awaitable[T]]) -> T:
        """``call(base)`` on the replica that has the conversation now. A replica that cannot
        be reached is marked down and the next one up is tried, each replica once at most."""
        tried: list[str] = []
        last = ""
        while True:
            base = self.base_for(sender)
            if base in tried or (tried and not self.is_up(base)):
                # No replica left to try: the caller keeps the message until one answers again
                # (RasaUnavailable, which the router waits on the probes for).
                raise RasaUnavailable(last)
            tried.append(base)
            try:
                return await call(base)
            except (RasaUnreachable, RasaInterrupted) as exc:
                self.mark_down(base)
                last = str(exc) if len(self.urls) == 1 else f"{exc} (replica {base})"

    async def _recorded(self, base: str, sender: str, message_id: int) -> _Recorded | None:
        """The answer to ``message_id`` in the conversation's tracker, read through ``base``."""
        url = f"{base}/conversations/{sender}/tracker"
        raw = await self._call("GET", url, params=self._token_param())
        events = raw.get("events") if isinstance(raw, dict) else None
        found = _answer_after(events or [], message_id)
        return _Recorded(found) if found is not None else None

    def _remember_uncertain(self, message_id: int) -> None:
        self._uncertain[message_id] = None
        while len(self._uncertain) > UNCERTAIN_KEPT:
            del self._uncertain[next(iter(self._uncertain))]

    async def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        timeout = aiohttp.ClientTimeout(
            total=self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)
        )
        try:
            async with self.session.request(method, url, timeout=timeout, **kwargs) as response:
                if 400 <= response.status < 500:
                    raise RasaRefused(f"Rasa answered HTTP {response.status}")
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                return await response.json(content_type=None)
        except aiohttp.ServerTimeoutError:  # raised while connecting (no read timeout is set)
            raise RasaUnreachable(f"cannot connect to Rasa within {CONNECT_TIMEOUT:g} s") from None
        except asyncio.TimeoutError:
            raise RasaTimeout(f"no answer from Rasa within {self.timeout:g} s") from None
        except aiohttp.ContentTypeError as exc:
            raise RasaBadReply(f"Rasa's reply is not JSON: {exc.message}") from None
        except ValueError as exc:
            raise RasaBadReply(f"Rasa's reply is not JSON: {exc}") from None
        except aiohttp.ClientConnectorError as exc:
            raise RasaUnreachable(f"cannot reach Rasa: {type(exc).__name__}") from None
        except aiohttp.ClientError as exc:
            raise RasaInterrupted(f"lost the connection to Rasa: {type(exc).__name__}") from None

    def _token_param(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}


class _Recorded:
    """An answer read from a tracker rather than from the REST channel."""

    def __init__(self, messages: list[BotMessage]) -> None:
        self.messages = messages


def _answer_after(events: list[Any], message_id: int) -> list[BotMessage] | None:
    """The bot messages that follow the user message ``message_id`` in a tracker's events."""
    start = None
    for index, event in enumerate(events):
        if (
            isinstance(event, dict)
            and event.get("event") == "user"
            and (event.get("metadata") or {}).get(MESSAGE_ID_KEY) == message_id
        ):
            start = index
    if start is None:
        return None
    answer: list[BotMessage] = []
    for event in events[start + 1 :]:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            data = event.get("data") or {}
            element = {
                "text": event.get("text"),
                "buttons": data.get("buttons"),
                "image": data.get("image"),
                "custom": data.get("custom"),
            }
            messages, _ = parse_rasa_reply([{k: v for k, v in element.items() if v}])
            answer.extend(messages)
    return answer


class RasaHealth:
    """The router's view of which Rasa replicas are up (kept by :class:`RasaClient`)."""

    def __init__(self, client: RasaClient) -> None:
        self.client = client

    def is_up(self, base: str) -> bool:
        return self.client.is_up(base)

    def any_down(self) -> bool:
        return self.client.any_down()

    def report_up(self, base: str) -> None:
        self.client.mark_up(base)

    def report_down(self, base: str) -> None:
        self.client.mark_down(base)

    async def wait_up(self, base: str, timeout: float) -> bool:
        """Wait until a replica can answer the conversations of ``base`` (it, or another one
        they fail over to), at most ``timeout`` seconds; whether one can."""
        return await self.client.wait_until_answerable(base, timeout)

    async def close(self) -> None:
        await self.client.close()
