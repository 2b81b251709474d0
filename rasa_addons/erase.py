"""``DELETE /conversations/<id>/tracker``: erase one conversation from Rasa's tracker store,
inside Rasa and under the conversation's lock.

Rasa 3.6 has no way to delete a conversation. Deleting its rows from the store behind Rasa's
back is not enough: a turn in flight has the tracker in memory, and when it saves, Rasa's
``SQLTrackerStore`` writes every event beyond the number it finds stored (``_additional_events``
counts the rows since the session started: none after a delete), so the whole conversation
would come back. This route takes the conversation's lock first, as every turn does
(``lock_store.lock``), so no turn of that conversation is in flight while its rows go, and the
next turn starts from an empty tracker. It answers ``{"deleted": N}`` (0 when there was
nothing), needs the API token as every other conversation route, and answers 501 for a
tracker store that is not SQL. The gateway calls it (``bot/privacy/rasa.py``); while no Rasa
answers, the gateway keeps the erasure pending and calls again.
"""

from __future__ import annotations

from typing import Any

ROUTE = "/conversations/<conversation_id:path>/tracker"


def install() -> None:
    """Make ``rasa.server.create_app`` add the route to every app it creates."""
    from rasa import server

    if getattr(server.create_app, "_with_erase", False):
        return
    original = server.create_app

    def create_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        add_route(app, kwargs.get("auth_token"))
        return app

    create_app._with_erase = True  # type: ignore[attr-defined]
    server.create_app = create_app


def sql_store(store: Any) -> Any:
    """The ``SQLTrackerStore`` inside Rasa's wrappers (fail-safe, awaitable), or None."""
    from rasa.core.tracker_store import SQLTrackerStore

    for _ in range(5):
        if isinstance(store, SQLTrackerStore):
            return store
        store = getattr(store, "_tracker_store", None)
    return None


def delete_events(store: Any, conversation_id: str) -> int:
    with store.session_scope() as session:
        deleted = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == conversation_id)
            .delete(synchronize_session=False)
        )
        session.commit()
    return int(deleted or 0)


def add_route(app: Any, auth_token: str | None) -> None:
    from rasa import server
    from sanic import response

    async def erase(request: Any, conversation_id: str) -> Any:
        agent = request.app.ctx.agent
        if agent is None:
            return response.json({"error": "no agent loaded"}, status=409)
        store = sql_store(agent.tracker_store)
        if store is None:
            return response.json({"error": "the tracker store is not an SQL store"}, status=501)
        async with agent.lock_store.lock(conversation_id):
            deleted = delete_events(store, conversation_id)
        return response.json({"deleted": deleted})

    handler = server.requires_auth(app, auth_token)(erase)
    app.add_route(handler, ROUTE, methods=["DELETE"], name="erase_conversation")
