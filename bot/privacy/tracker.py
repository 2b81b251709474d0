"""Rasa's share of a purge and an erasure.

The purge redacts the tracker store itself (:mod:`bot.tracker_store`), one conversation per
transaction: redacting changes no event's count, so a turn Rasa has in flight saves nothing
back (Rasa appends only events beyond those stored). An erasure goes through Rasa instead
(``DELETE /webhooks/erase/conversations/<id>``, :mod:`rasa_addons.erase`), which deletes the events
under the conversation's lock: deleting them behind Rasa's back would let a turn in flight
write the whole conversation back. While no replica answers, :class:`RasaEraser` raises
:class:`RasaCannotErase` and the erasure stays pending.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection, Sequence
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from bot import tracker_store
from bot.errors import RasaCannotErase

log = logging.getLogger(__name__)


class RasaEraser:
    """Erases a conversation in Rasa's tracker store through the first replica that answers."""

    def __init__(
        self, session: aiohttp.ClientSession, urls: Sequence[str], token: str, timeout: float = 30.0
    ) -> None:
        self._session, self._urls, self._token, self._timeout = session, urls, token, timeout

    async def __call__(self, conversation_id: str) -> int:
        """How many events Rasa deleted; raises :class:`RasaCannotErase` if no replica could
        finish (with the events those that answered 503 did delete)."""
        problems, deleted = [], 0
        for url in self._urls:
            target = f"{url}/webhooks/erase/conversations/{conversation_id}"
            try:
                async with self._session.delete(
                    target,
                    params={"token": self._token} if self._token else None,
                    timeout=aiohttp.ClientTimeout(total=self._timeout),
                ) as response:
                    if response.status == 200:  # with what a replica before it deleted
                        body = await response.json()
                        return int(body.get("deleted") or 0) + deleted
                    if response.status == 404:
                        problems.append(
                            f"{url} has no erase route (start Rasa with python -m rasa_addons.serve)"
                        )
                    else:  # 503: deleted, but not yet gone from the file (rasa_addons.erase)
                        said = await response.text()
                        problems.append(f"{url} answered {response.status} {said[:200]}".rstrip())
                        deleted += _deleted_in(said)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                problems.append(f"{url}: {type(exc).__name__}")
        raise RasaCannotErase("; ".join(problems) or "no Rasa URL is configured", deleted)


def _deleted_in(body: str) -> int:
    """The ``deleted`` count of an erase route's JSON answer; 0 when there is none."""
    try:
        found = json.loads(body)
    except ValueError:
        return 0
    value = found.get("deleted") if isinstance(found, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


PER_TRANSACTION = 50


def missing(engine: sa.engine.Engine) -> bool:
    """A SQLite tracker store whose file does not exist (Rasa has not run here yet): nothing
    to read, and no file to create by looking."""
    url = engine.url
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file()


def purge(engine: sa.engine.Engine, cutoff: float, keep: Collection[str]) -> int:
    """Redact every conversation's words older than ``cutoff`` but those in ``keep`` (open
    cases), each conversation whole inside one transaction; how many events were redacted."""
    if missing(engine):
        return 0
    done, seen = 0, set(keep)
    while True:
        with engine.connect() as connection:
            senders = tracker_store.senders_with_words_before(connection, cutoff)
        senders = [s for s in senders if s not in seen]
        if not senders:
            if not tracker_store.scrub(engine):  # no old page image keeps the words
                log.warning("Rasa's tracker store: the write-ahead log is still in use")
            return done
        seen.update(senders)
        for start in range(0, len(senders), PER_TRANSACTION):
            with engine.begin() as connection:  # whole conversations, a few per commit
                for sender in senders[start : start + PER_TRANSACTION]:
                    done += tracker_store.redact_conversation(connection, sender, cutoff)


def held(engine: sa.engine.Engine, conversation_id: str) -> int:
    """How many events Rasa's store holds of a conversation."""
    if missing(engine):
        return 0
    with engine.connect() as connection:
        return tracker_store.count_of(connection, conversation_id)
