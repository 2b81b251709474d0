"""Talking to Rasa: the REST channel for each message; the HTTP API for what a lost answer was,
and to pause and resume a conversation while a person talks with the client.

Every call has a time limit. Each conversation goes to one Rasa replica, chosen by its sender
id (``RASA_URL`` may list several), because Rasa 3.6's lock store does not serialise a
conversation across replicas. :class:`RasaHealth` notices when a replica goes down and probes it
until it answers again, so that kept messages are answered as soon as it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from typing import Any

import aiohttp

from bot.errors import RasaBadReply, RasaError, RasaRefused, RasaTimeout, RasaUnavailable
from bot.model import BotMessage, parse_rasa_reply

log = logging.getLogger(__name__)

MESSAGE_ID_KEY = "gateway_message_id"


class RasaClient:
    """Sends one client message to Rasa and returns its answer as :class:`BotMessage` objects."""

    def __init__(
        self, session: aiohttp.ClientSession, urls: tuple[str, ...], token: str, timeout: float
    ) -> None:
        if not urls:
            raise ValueError("Rasa needs at least one URL")
        self.session = session
        self.urls = urls
        self.token = token
        self.timeout = timeout

    def base_for(self, sender: str) -> str:
        """The replica that owns this conversation (the same one every time)."""
        return self.urls[zlib.crc32(sender.encode()) % len(self.urls)]

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
        """Rasa's answer to ``text``; raises a :class:`RasaError` when there is no usable one."""
        url = f"{self.base_for(sender)}/webhooks/rest/webhook"
        body = {"sender": sender, "message": text, "metadata": metadata}
        raw = await self._call("POST", url, json=body)
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
        url = f"{self.base_for(sender)}/conversations/{sender}/tracker"
        try:
            raw = await self._call("GET", url, params=self._token_param())
        except RasaError as exc:
            log.info("cannot read the tracker to find a lost answer: %s", exc)
            return None
        events = raw.get("events") if isinstance(raw, dict) else None
        return _answer_after(events or [], message_id)

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events to the conversation's tracker (Rasa's HTTP API: pause, resume...)."""
        url = f"{self.base_for(sender)}/conversations/{sender}/tracker/events"
        params = {**self._token_param(), "include_events": "NONE"}
        raw = await self._call("POST", url, json=events, params=params)
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

    async def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self.session.request(method, url, timeout=timeout, **kwargs) as response:
                if 400 <= response.status < 500:
                    raise RasaRefused(f"Rasa answered HTTP {response.status}")
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                return await response.json(content_type=None)
        except asyncio.TimeoutError:
            raise RasaTimeout(f"no answer from Rasa within {self.timeout:g} s") from None
        except aiohttp.ContentTypeError as exc:
            raise RasaBadReply(f"Rasa's reply is not JSON: {exc.message}") from None
        except ValueError as exc:
            raise RasaBadReply(f"Rasa's reply is not JSON: {exc}") from None
        except aiohttp.ClientError as exc:
            raise RasaUnavailable(f"cannot reach Rasa: {type(exc).__name__}") from None

    def _token_param(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}


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
    """Which Rasa replicas are up; a probe runs for each one that is down until it answers."""

    def __init__(self, client: RasaClient, probe_interval: float = 1.0) -> None:
        self.client = client
        self.probe_interval = probe_interval
        self._up = {base: asyncio.Event() for base in client.urls}
        for event in self._up.values():
            event.set()
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def is_up(self, base: str) -> bool:
        return self._up[base].is_set()

    def any_down(self) -> bool:
        return not all(event.is_set() for event in self._up.values())

    def report_up(self, base: str) -> None:
        if not self._up[base].is_set():
            log.info("Rasa at %s answers again", base)
        self._up[base].set()

    def report_down(self, base: str) -> None:
        if self._up[base].is_set():
            log.warning("Rasa at %s is down or slow; kept messages wait for it", base)
        self._up[base].clear()
        if self._closed:
            return
        if base not in self._probes or self._probes[base].done():
            self._probes[base] = asyncio.create_task(self._probe(base), name=f"rasa-probe {base}")

    async def wait_up(self, base: str, timeout: float) -> bool:
        """Wait until ``base`` is up, at most ``timeout`` seconds; whether it is."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._up[base].wait(), timeout)
        return self._up[base].is_set()

    async def _probe(self, base: str) -> None:
        while not self._up[base].is_set():
            await asyncio.sleep(self.probe_interval)
            if await self.client.ping(base):
                self.report_up(base)

    async def close(self) -> None:
        self._closed = True
        for task in self._probes.values():
            task.cancel()
        for task in self._probes.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
