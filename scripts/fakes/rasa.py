"""A fake Rasa server: the REST channel, the root health answer, the tracker endpoint,
erasing a tracker (the project's route, rasa_addons/erase.py), and appending events to a
tracker (a paused conversation gets no answer, as in Rasa).

By default it answers like the assistant's rules would for payload turns, and echoes text.
``mode`` makes it misbehave: "slow" (sleeps ``delay`` seconds), "error" (HTTP 500),
"not_json", "not_list", "empty" (``[]``, as when the action server is down), "malformed"
(a list whose elements are half broken). ``stop()`` makes it refuse connections.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from contract import INTENT_FOR_RISK, META_SCREEN
from contract.erasure import SCRUB_FAILED

from .base import LoopbackServer

HELLO = "Hello from Rasa: 3.6.21"
CRISIS = {
    "/risk_self_harm": "Rasa: I'm really glad you told me. Call 911.",
    "/risk_immediate_danger": "Rasa: If you are in danger now, call 911.",
}


@dataclass
class Received:
    sender: str
    message: str
    metadata: dict[str, Any] = field(default_factory=dict)
    language: str | None = None  # the `language` entity a payload carried (as Rasa reads it)


def without_language(message: str) -> tuple[str, str | None]:
    """A payload as Rasa reads it, with the gateway's ``language`` entity taken out:
    ``/greet{"language":"es"}`` is the intent greet (and the language es)."""
    if not message.startswith("/") or "{" not in message:
        return message, None
    name, _, rest = message.partition("{")
    try:
        entities = json.loads("{" + rest)
    except ValueError:
        return message, None
    if not isinstance(entities, dict) or "language" not in entities:
        return message, None
    language = entities.pop("language")
    return (name + json.dumps(entities, separators=(",", ":")) if entities else name), language


def default_answer(message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """What the real assistant says to the payloads the gateway tests use.

    A message the gateway's screen found clear risk in is answered as the real NLU would
    classify it (the tests' risk messages are plain ones): the crisis response of that risk.
    """
    screen = (metadata or {}).get(META_SCREEN) or {}
    if screen.get("tier") == "clear" and screen.get("risk") in INTENT_FOR_RISK:
        message = "/" + INTENT_FOR_RISK[screen["risk"]]
    if message == "/greet":
        return [
            {
                "text": "Hi, what do you need?",
                "buttons": [
                    {"title": "A place to sleep", "payload": "/find_shelter"},
                    {"title": "Food", "payload": "/find_food"},
                    {"title": "Talk to a person", "payload": "/request_human"},
                ],
            }
        ]
    if message == "/find_shelter":
        return [
            {"text": "Where are you now? A town or ZIP code is enough."},
            {"custom": {"request_location": True}},
        ]
    if message.startswith("/inform_location"):
        place = json.loads(message.removeprefix("/inform_location") or "{}").get("location")
        return [{"text": f"Places to sleep near {place}: Safe Harbor Shelter, open now."}]
    if message in CRISIS or message == "/request_human":  # as domain.yml says them
        reason = message[1:]
        risk = "high" if message in CRISIS else "normal"
        return [
            {"text": CRISIS.get(message, "I'm finding a person to talk with you. Stay here.")},
            {"custom": {"handoff": {"reason": reason, "risk": risk}}},
            {"custom": {"handoff": {"reason": reason, "risk": risk, "need": None}}},
        ]
    return [{"text": f"You said: {message}"}]


class FakeRasa(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"
        self.delay = 0.0
        self.jitter: tuple[float, float] | None = None  # a random wait before every answer
        self.in_flight = 0
        self.most_in_flight = 0  # how many turns were at "Rasa" at the same time, at most
        self.received: list[Received] = []
        self.answered: list[Received] = []
        self.trackers: dict[str, list[dict[str, Any]]] = {}
        self.script: dict[str, list[Any]] = {}  # message -> answer, instead of the default
        self.tracker_token: str | None = None
        self.paused: set[str] = set()
        self.log_in_use = False  # the erase route deletes, then answers 503 (rasa_addons.erase)
        self.appended: list[tuple[str, list[dict[str, Any]]]] = []  # (sender, events) in order
        self.app.router.add_get("/", self._hello)
        self.app.router.add_post("/webhooks/rest/webhook", self._webhook)
        self.app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        self.app.router.add_post("/conversations/{sender}/tracker/events", self._append)
        # The project's own route (rasa_addons/erase.py): erase a conversation.
        self.app.router.add_delete("/webhooks/erase/conversations/{sender}", self._erase)

    def messages_from(self, sender: str) -> list[str]:
        return [r.message for r in self.received if r.sender == sender]

    async def _hello(self, request: web.Request) -> web.Response:
        return web.Response(text=HELLO)

    async def _webhook(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.jitter:
                await asyncio.sleep(random.uniform(*self.jitter))
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        body = await request.json()
        message, language = without_language(body["message"])
        metadata = body.get("metadata") or {}
        received = Received(body["sender"], message, metadata, language or metadata.get("language"))
        self.received.append(received)
        events = self.trackers.setdefault(received.sender, [])
        events.append({"event": "user", "text": received.message, "metadata": received.metadata})
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        if received.sender in self.paused:  # Rasa records the message and predicts nothing
            return web.json_response([])
        answer = self.script.get(received.message) or default_answer(
            received.message, received.metadata
        )
        for message in answer:  # Rasa keeps the turn even if the caller has gone
            if not isinstance(message, dict):
                continue
            data = {k: v for k, v in message.items() if k in ("buttons", "custom", "image")}
            events.append({"event": "bot", "text": message.get("text"), "data": data})
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "not_json":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        if self.mode == "not_list":
            return web.json_response({"error": "unexpected"})
        if self.mode == "empty":
            return web.json_response([])
        if self.mode == "malformed":
            return web.json_response([{"text": 42}, "nonsense", {"buttons": [{"title": "x"}]}])
        self.answered.append(received)
        return web.json_response(answer)

    def controls_of(self, sender: str) -> list[str]:
        """The pause and resume events appended to a conversation, in order."""
        return [
            event["event"]
            for who, events in self.appended
            if who == sender
            for event in events
            if event.get("event") in ("pause", "resume")
        ]

    async def _append(self, request: web.Request) -> web.Response:
        if self.tracker_token is not None and request.query.get("token") != self.tracker_token:
            return web.json_response({"message": "unauthorized"}, status=401)
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        sender = request.match_info["sender"]
        events = await request.json()
        events = events if isinstance(events, list) else [events]
        self.appended.append((sender, events))
        self.trackers.setdefault(sender, []).extend(events)
        for event in events:
            if event.get("event") == "pause":
                self.paused.add(sender)
            elif event.get("event") == "resume":
                self.paused.discard(sender)
        return web.json_response({"sender_id": sender, "paused": sender in self.paused})

    async def _erase(self, request: web.Request) -> web.Response:
        if self.tracker_token is not None and request.query.get("token") != self.tracker_token:
            return web.json_response({"message": "unauthorized"}, status=401)
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        sender = request.match_info["sender"]
        self.paused.discard(sender)
        deleted = len(self.trackers.pop(sender, []))
        if self.log_in_use:
            return web.json_response({"deleted": deleted, "error": SCRUB_FAILED}, status=503)
        return web.json_response({"deleted": deleted})

    async def _tracker(self, request: web.Request) -> web.Response:
        if self.tracker_token is not None and request.query.get("token") != self.tracker_token:
            return web.json_response({"message": "unauthorized"}, status=401)
        sender = request.match_info["sender"]
        return web.json_response({"sender_id": sender, "events": self.trackers.get(sender, [])})
