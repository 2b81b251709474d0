"""The gateway's reading and redacting of Rasa's tracker store, against a store Rasa itself
wrote (Rasa 3.6's SQLTrackerStore, in this process, on SQLite)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import tracker_store as ts
from scripts.datastores import shared_store_settings
from scripts.stack import store_settings

with warnings.catch_warnings():
    # rasa.core imports TensorFlow, which touches deprecated jax and numpy names on import.
    warnings.simplefilter("ignore")
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

# Rasa 3.6's tracker store uses SQLAlchemy 1.4 APIs that 2.0 removes: Rasa's, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.MovedIn20Warning")
ENDPOINTS = Path(__file__).resolve().parents[2] / "endpoints.yml"
WORDS = "my husband has my phone, call me on 650 555 0199"


def user(text: str, at: float, intent: str = "find_shelter") -> UserUttered:
    parse = {
        "intent": {"name": intent, "confidence": 0.42},
        "intent_ranking": [
            {"name": intent, "confidence": 0.42},
            {"name": "risk_self_harm", "confidence": 0.31},
        ],
        "entities": [{"entity": "location", "value": "redwood city", "start": 0, "end": 5}],
        "text": text,
    }
    return UserUttered(
        text, parse["intent"], parse["entities"], parse, timestamp=at,
        metadata={"channel": "sms", "screen": {"risk": "danger", "tier": "uncertain"}},
    )  # fmt: skip


async def write(store: SQLTrackerStore, sender: str, events: list) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await store.save(DialogueStateTracker.from_events(sender, events))


def test_the_events_table_is_rasas_own() -> None:
    theirs = SQLTrackerStore.SQLEvent.__table__
    assert [c.name for c in ts.events.columns] == [c.name for c in theirs.columns]
    for ours, rasa in zip(ts.events.columns, theirs.columns, strict=True):
        assert type(ours.type) is type(rasa.type), ours.name
        assert ours.nullable == rasa.nullable, ours.name


def test_the_store_is_the_one_endpoints_yml_names(tmp_path: Path) -> None:
    env = {**store_settings({}), "ACTION_ENDPOINT_URL": "x"}  # one process: make run's defaults
    assert ts.url_from_endpoints(ENDPOINTS, env, root=tmp_path) == (
        f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    )
    url = "postgresql://rasa:pw@127.0.0.1:5433/rasa"  # replicas: what make run gives them
    env.update(shared_store_settings(url, "127.0.0.1", 6380, "secret"))
    assert ts.url_from_endpoints(ENDPOINTS, env, root=tmp_path) == url


@pytest.mark.parametrize(
    ("store", "env", "expected"),
    [
        ({"type": "SQL", "dialect": "postgresql", "url": "${PG}"}, {"PG": "postgresql://u:p@h/db"},
         "postgresql://u:p@h/db"),
        ({"type": "SQL", "dialect": "postgresql", "url": "db.example", "port": "5433",
          "db": "rasa", "username": "r", "password": "${PW}"}, {"PW": "s3cret"},
         "postgresql://r:s3cret@db.example:5433/rasa"),
    ],
)  # fmt: skip
def test_a_postgresql_store_is_found_too(tmp_path: Path, store, env, expected) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(json.dumps({"tracker_store": store}))
    assert ts.url_from_endpoints(path, env) == expected


@pytest.mark.parametrize(
    ("store", "env", "message"),
    [
        ({"type": "SQL", "dialect": "sqlite", "db": "${MISSING}"}, {}, "MISSING"),
        ({"type": "redis"}, {}, "not an SQL store"),
    ],
)
def test_settings_that_cannot_work_say_why(tmp_path: Path, store, env, message) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(json.dumps({"tracker_store": store}))
    with pytest.raises(ts.TrackerStoreError, match=message):
        ts.url_from_endpoints(path, env)


async def test_user_events_are_read_with_what_the_nlu_made_of_them(rasa_store) -> None:
    await write(rasa_store, "c1", [ActionExecuted("action_listen"), user(WORDS, 1000.0)])
    await write(rasa_store, "c2", [ActionExecuted("action_listen"), user("hi", 1001.0, "greet")])
    engine = rasa_store.engine
    with engine.connect() as connection:
        first, second = ts.user_events_after(connection, 0)
        assert (first.sender_id, first.text, first.intent) == ("c1", WORDS, "find_shelter")
        assert first.confidence == pytest.approx(0.42)
        assert first.ranking[1] == ("risk_self_harm", pytest.approx(0.31))
        assert first.metadata["screen"] == {"risk": "danger", "tier": "uncertain"}
        assert [e["value"] for e in first.entities] == ["redwood city"]
        assert ts.user_events_after(connection, first.id) == [second]


async def test_the_purge_takes_the_words_out_and_rasa_still_reads_the_tracker(rasa_store) -> None:
    old = [ActionExecuted("action_listen"), user(WORDS, 1000.0), BotUttered(
        "Places near you", {"buttons": [{"title": "more", "payload": "/more_results"}]},
        timestamp=1000.5), SlotSet("need", "shelter", timestamp=1000.6)]  # fmt: skip
    await write(rasa_store, "old", old)
    await write(rasa_store, "new", [ActionExecuted("action_listen"), user("new words", 5000.0)])
    with rasa_store.engine.begin() as connection:
        assert ts.redact_before(connection, cutoff=2000.0, batch=1) == 2
        assert ts.redact_before(connection, cutoff=2000.0) == 0  # done: it resumes, never twice
    with rasa_store.engine.connect() as connection:
        query = sa.select(ts.events.c.sender_id, ts.events.c.data)
        stored = {
            sender: " ".join(row.data for row in rows)
            for sender in ("old", "new")
            for rows in [[r for r in connection.execute(query) if r.sender_id == sender]]
        }
    assert "husband" not in stored["old"]
    assert "650 555 0199" not in stored["old"]
    assert "Places near you" not in stored["old"]
    assert "redwood city" not in stored["old"]
    assert '"find_shelter"' in stored["old"]  # what the bot decided stays, for the counts
    assert "new words" in stored["new"]  # newer than the cutoff: kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracker = await rasa_store.retrieve("old")
    assert tracker is not None
    assert [(e.key, e.value) for e in tracker.events if isinstance(e, SlotSet)] == [
        ("need", "shelter")
    ]
    assert tracker.latest_message.text == ts.REDACTED


async def test_erasure_deletes_one_conversation_and_nothing_else(rasa_store) -> None:
    await write(rasa_store, "gone", [ActionExecuted("action_listen"), user(WORDS, 1.0)])
    await write(rasa_store, "kept", [ActionExecuted("action_listen"), user("hello", 2.0)])
    with rasa_store.engine.begin() as connection:
        assert ts.erase(connection, "gone") == 2
        assert ts.erase(connection, "gone") == 0
    with rasa_store.engine.connect() as connection:
        assert list(ts.events_of(connection, "gone")) == []
        assert [e.get("text") for e in ts.events_of(connection, "kept")] == [None, "hello"]
