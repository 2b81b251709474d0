"""How an erasure leaves no word in a SQLite file, on both sides of the tracker store.

Rasa writes its tracker store and erases a conversation in it (``rasa_addons.tracker_store``);
the gateway reads the same file and redacts old words in it (``bot.tracker_store``), and keeps
its own store the same way (``bot.db``). Deleting a row is not enough on SQLite:

- ``secure_delete`` (:data:`PRAGMA`) overwrites a deleted row's bytes in its page rather than
  leaving them in free space; but when SQLite rebalances a page it copies rows to a neighbour
  and leaves the old copies in the page's unused gap, which no later delete overwrites. Seen in
  a CI run (the erased conversation's id left in Rasa's file) and measured: with
  ``secure_delete`` alone, 2 to 4% of conversations deleted from a store of Rasa's shape stayed
  readable in the file (``tests/rasa_addons/test_tracker_store.py``). ``VACUUM`` writes every
  page anew: none stays.
- the page images from before are in the write-ahead log until it is checkpointed and
  truncated; a checkpoint copies only up to the oldest snapshot another connection reads, and
  stops at once while another connection checkpoints, so it is tried again for a while.

:func:`scrub` does both, after an erasure or a purge. ``VACUUM`` takes the write lock for as
long as it rewrites the file (about 8 ms a megabyte here): a store large enough for that to
matter belongs on PostgreSQL, where none of this applies.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

PRAGMA = "secure_delete=ON"
VACUUM = "VACUUM"
CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"
WITHIN = 20.0  # seconds: longer than any reader's snapshot but a stuck one
# What Rasa's erase route answers with 503 when its rows are deleted but not yet scrubbed.
SCRUB_FAILED = "deleted, but the store's write-ahead log is still in use: erase again"

Execute = Callable[[str], "Sequence[int] | None"]  # runs one statement, returns its first row


def on(connection: Any) -> Execute:
    """:data:`Execute` on a SQLAlchemy connection (not imported here: the action server, which
    imports this package, has no SQLAlchemy)."""

    def execute(sql: str) -> Sequence[int] | None:
        result = connection.exec_driver_sql(sql)
        return result.first() if result.returns_rows else None

    return execute


def scrub(execute: Execute, within: float = WITHIN) -> bool:
    """Rewrite the file, then empty its write-ahead log (:func:`truncate_log`); False if the
    log could not be emptied within ``within`` seconds. Run outside any transaction."""
    execute(VACUUM)
    return truncate_log(lambda: execute(CHECKPOINT), within)


def truncate_log(
    checkpoint: Callable[[], Sequence[int] | None],
    within: float = WITHIN,
    pause: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Run ``checkpoint`` (which executes :data:`CHECKPOINT` and returns its row: busy, log
    frames, frames copied) until it reports the log copied and truncated; False if it still
    was not after ``within`` seconds."""
    deadline = clock() + within
    while True:
        row = checkpoint()
        if row is None or not row[0]:  # not busy: every frame is in the file, the log empty
            return True
        if clock() >= deadline:
            return False
        sleep(pause)
