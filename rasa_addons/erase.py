"""``DELETE /webhooks/erase/conversations/<id>``: erase one conversation from Rasa's tracker
store, inside Rasa and under the conversation's lock.

Rasa 3.6 has no way to delete a conversation. Deleting its rows from the store behind Rasa's
back is not enough: a turn in flight has the tracker in memory, and when it saves, Rasa's
``SQLTrackerStore`` writes every event beyond the number it finds stored (none after a delete),
so the whole conversation would come back. This route takes the conversation's lock first, as
every turn does (``lock_store.lock``), so no turn of that conversation is in flight while its
rows go, and the next turn starts from an empty tracker.

It is served by a custom input channel (named in ``credentials.yml``, Rasa's supported way to
add routes to its server), so nothing of Rasa is patched. It answers ``{"deleted": N}`` (0 when
there was nothing), needs the API token (``?token=``) as Rasa's own conversation routes do,
and answers 501 for a tracker store that cannot erase. On SQLite it answers only once no old
page image holds the erased words (``ProjectTrackerStore.scrub``), and 503 if another connection
kept the write-ahead log from being truncated for 20 seconds. The gateway calls it
(``bot/privacy/tracker.py``); while no Rasa answers, the gateway keeps the erasure pending and
calls again.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage

from contract.erasure import SCRUB_FAILED

PATH = "/conversations/<conversation_id:path>"
TOKEN_VARIABLE = "RASA_TOKEN"  # noqa: S105 (the name of the variable, not a token)


def erasing_store(store: Any) -> Any:
    """The store inside Rasa's wrappers (fail-safe, awaitable) that can erase, or None."""
    for _ in range(5):
        if callable(getattr(store, "erase", None)):
            return store
        store = getattr(store, "_tracker_store", None)
    return None


class EraseInput(InputChannel):
    """Not a channel clients use: the erase route, mounted at ``/webhooks/erase``."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token if token is not None else os.environ.get(TOKEN_VARIABLE, "")

    @classmethod
    def name(cls) -> str:
        return "erase"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> EraseInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        from sanic import Blueprint, response

        routes = Blueprint("erase_conversations", __name__)

        @routes.route(PATH, methods=["DELETE"])
        async def erase(request: Any, conversation_id: str) -> Any:
            given = str(request.args.get("token") or "")
            if self.token and not hmac.compare_digest(given.encode(), self.token.encode()):
                return response.json({"error": "a valid token is required"}, status=401)
            agent = request.app.ctx.agent
            if agent is None:
                return response.json({"error": "no agent loaded"}, status=409)
            store = erasing_store(agent.tracker_store)
            if store is None:
                return response.json({"error": "the tracker store cannot erase"}, status=501)
            async with agent.lock_store.lock(conversation_id):
                deleted = store.erase(conversation_id)
            scrub = getattr(store, "scrub", None)
            if scrub is not None and not await asyncio.to_thread(scrub):
                # The rows are gone but their old page images are not yet: not done.
                return response.json({"deleted": deleted, "error": SCRUB_FAILED}, status=503)
            return response.json({"deleted": deleted})

        return routes
