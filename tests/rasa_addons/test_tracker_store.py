"""The project's tracker store (named in endpoints.yml): WAL, a kept connection, and erasure that
leaves no word in the file or its log; and tripwires on what it takes from Rasa's SQL store."""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # TensorFlow's and SQLAlchemy 2.0's, on Rasa's side
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_addons.erase import erasing_store
    from rasa_addons.tracker_store import ProjectTrackerStore

PLANTED = "my-planted-words-4321"


def store(tmp_path: Path, name: str = "tracker.db") -> ProjectTrackerStore:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Rasa builds its URL the way SQLAlchemy 2.0 drops
        return ProjectTrackerStore(dialect="sqlite", db=str(tmp_path / name))


def test_a_sqlite_file_is_in_wal_mode_with_secure_delete_and_a_kept_connection(tmp_path):
    """Rasa's store opens a session to load a tracker and one to save it; SQLAlchemy 1.4 would
    open and close a SQLite connection for each (and, in WAL mode, checkpoint at every close)."""
    kept = store(tmp_path)
    try:
        with kept.session_scope() as session:
            first = session.connection().connection.dbapi_connection
        with kept.session_scope() as session:
            connection = session.connection()
            assert connection.connection.dbapi_connection is first
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        kept.engine.dispose()


async def test_erasing_leaves_no_word_in_the_file_or_its_log(tmp_path):
    kept = store(tmp_path)
    try:
        tracker = DialogueStateTracker.from_events("someone", [UserUttered(PLANTED)])
        await kept.save(tracker)
        other = DialogueStateTracker.from_events("other", [UserUttered("other words stay")])
        await kept.save(other)
        files = sorted(tmp_path.iterdir())
        assert any(PLANTED.encode() in f.read_bytes() for f in files)
        assert kept.erase("someone") == 1
        assert [f.name for f in tmp_path.iterdir() if PLANTED.encode() in f.read_bytes()] == []
        assert (await kept.retrieve("other")) is not None
    finally:
        kept.engine.dispose()


def test_the_erase_route_finds_the_store_inside_rasas_wrappers(tmp_path):
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    kept = store(tmp_path)
    try:
        wrapped = AwaitableTrackerStore(FailSafeTrackerStore(kept))
        assert erasing_store(wrapped) is kept
        assert erasing_store(object()) is None
    finally:
        kept.engine.dispose()


@pytest.mark.parametrize("name", ["engine", "sessionmaker", "session_scope", "SQLEvent"])
def test_tripwire_rasas_sql_store_still_has_what_the_project_store_uses(name):
    """The store replaces Rasa's engine and sessionmaker after Rasa's own __init__; if Rasa
    renames them, this fails before a turn would."""
    probe = SQLTrackerStore.__init__
    source = inspect.getsource(probe) + inspect.getsource(SQLTrackerStore)
    assert name in source


def test_tripwire_rasa_wraps_stores_with_their_inner_store_as_tracker_store():
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    for wrapper in (AwaitableTrackerStore, FailSafeTrackerStore):
        assert "self._tracker_store" in inspect.getsource(wrapper.__init__), wrapper
