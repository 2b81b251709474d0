"""Rasa keeps answering while it loads a model.

Rasa 3.6's ``PUT /model`` (a promotion or a rollback, bot/admin/models.py) loads the new model
inside its event loop: ``rasa.server._load_agent`` awaits ``rasa.core.agent.load_agent``,
whose work (reading the archive, building the components, the policies) is synchronous.
For the whole load, 20 to 60 s on a 2-core machine, the server answered nothing: every client
message of those seconds waited, and most got the "taking longer" notice first
(``python bench/admin_loop.py``; docs/admin.md, "The admin loop").

:func:`install` runs the same loading in a worker thread, on an event loop of its own, so the
server's loop goes on answering with the model live until then. The new model replaces it
between two messages, exactly as before (the route's own code does that, unchanged), and a
model that cannot be loaded gets Rasa's own error. ``tests/rasa_addons/test_loading.py`` fails
if Rasa's function changes under it, and checks on the real server that a message sent while a
model loads is answered before the load ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

_installed = False
_original: Any = None


def install() -> None:
    """Make ``PUT /model`` load the new model off the event loop (idempotent)."""
    global _installed, _original
    if _installed:
        return
    import rasa.server

    original = rasa.server._load_agent

    async def _load_agent(*args: Any, **kwargs: Any) -> Any:
        # The loop of the worker thread is only for load_agent's own awaits (creating the
        # tracker store and event broker); the model is built there, off the server's loop.
        return await asyncio.to_thread(asyncio.run, original(*args, **kwargs))

    _original = original
    rasa.server._load_agent = _load_agent
    _installed = True


def uninstall() -> None:
    """Undo :func:`install` (for tests)."""
    global _installed, _original
    if not _installed:
        return
    import rasa.server

    rasa.server._load_agent = _original
    _original = None
    _installed = False
