"""The review inbox: filled from a tracker store Rasa 3.6 itself wrote (its SQLTrackerStore, in
this process, on SQLite), each event read once, masked, grouped, in priority order; discard,
retention and erasure remove what they say; nothing of the client's id is kept."""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.admin.ingest import Ingestion
from bot.db import Database, schema
from bot.db import review as inbox

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # rasa.core imports TensorFlow, which warns on import
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.MovedIn20Warning")
SENDER_A = "5f1c0e2a9b8d7c6e5f4a3b2c1d0e9f8a"  # conversation ids: the gateway's salted hashes
SENDER_B = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    await database.open()
    yield database
    await database.close()


def said(text: str, at: float, intent: str, confidence: float, screen: str | None = None,
         runner_up: tuple[str, float] = ("out_of_scope", 0.05)) -> UserUttered:  # fmt: skip
    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence},
                           {"name": runner_up[0], "confidence": runner_up[1]}],
        "entities": [], "text": text,
    }  # fmt: skip
    metadata = {"channel": "webchat"}
    if screen:
        metadata["screen"] = {"risk": screen, "tier": "clear"}
    return UserUttered(text, parse["intent"], [], parse, timestamp=at, metadata=metadata)


async def write(store: SQLTrackerStore, sender: str, events: list) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = await store.retrieve(sender)
        tracker = DialogueStateTracker.from_events(sender, [*(old.events if old else []), *events])
        await store.save(tracker)


def ingestion(db: Database, tmp_path: Path) -> Ingestion:
    return Ingestion(db, f"sqlite:///{tmp_path / 'tracker.db'}", audit_every=0)


async def test_what_rasa_recorded_fills_the_inbox_masked_grouped_and_in_order(
    rasa_store, db, tmp_path
):
    listen = ActionExecuted("action_listen")
    await write(rasa_store, SENDER_A, [
        listen, said("where can i sleep tonight", 100.0, "find_shelter", 0.97),  # confident
        listen, said("im cold and my mum kicked me out call 650 555 0199", 101.0, "nlu_fallback",
                     0.3),
        listen, said("i want to end it", 102.0, "find_food", 0.8, screen="self_harm"),
        listen, said("/find_food", 103.0, "find_food", 1.0),  # a button: not the client's words
    ])  # fmt: skip
    await write(rasa_store, SENDER_B, [
        listen, said("Im cold and my mum kicked me out, call 650-555-0123!", 104.0,
                     "nlu_fallback", 0.2),
        listen, said("need a bed or food", 105.0, "find_shelter", 0.55, runner_up=("find_food", 0.5)),
    ])  # fmt: skip
    assert await ingestion(db, tmp_path).once() == 6
    items, total = await db.run(inbox.listing), await db.run(inbox.total)
    assert total == 3
    assert [(i.kind, i.text, i.count) for i in items] == [
        ("disagreement", "i want to end it", 1),
        ("unsure", "need a bed or food", 1),  # newest first within a priority
        ("unsure", "im cold and my mum kicked me out call [phone]", 2),  # as first seen
    ]
    assert "self_harm" in items[0].detail
    assert "find_food" in items[0].detail
    assert items[2].first_seen == 101.0
    assert items[2].last_seen == 104.0
    # Nothing of who wrote it: no sender id, no number, anywhere in the gateway store.
    tables = (schema.review_items, schema.review_sightings)
    dump = await db.run(
        lambda c: [list(map(str, r)) for t in tables for r in c.execute(sa.select(t))]
    )
    text = json.dumps(dump)
    for secret in (SENDER_A, SENDER_B, "555", "0199"):
        assert secret not in text


async def test_each_event_is_read_once_and_new_ones_later(rasa_store, db, tmp_path):
    reader = ingestion(db, tmp_path)
    await write(rasa_store, SENDER_A, [said("help me please", 1.0, "nlu_fallback", 0.2)])
    assert await reader.once() == 1
    assert await reader.once() == 0
    await write(rasa_store, SENDER_A, [said("help me please", 2.0, "nlu_fallback", 0.2)])
    assert await reader.once() == 1
    (item,) = await db.run(inbox.listing)
    assert item.count == 2


async def test_two_gateways_reading_one_tracker_store_add_nothing_twice(rasa_store, db, tmp_path):
    for n in range(30):
        await write(rasa_store, f"sender-{n}", [said(f"message number {n} hm", n, "nlu_fallback",
                                                     0.1)])  # fmt: skip
    first, second = ingestion(db, tmp_path), ingestion(db, tmp_path)
    await asyncio.gather(first.once(), second.once(), first.once(), second.once())
    assert await db.run(inbox.total) == 30
    assert {i.count for i in await db.run(inbox.listing)} == {1}


async def test_no_tracker_store_yet_is_no_error_and_creates_no_file(db, tmp_path):
    reader = Ingestion(db, f"sqlite:///{tmp_path / 'not-yet.db'}")
    assert await reader.once() == 0
    assert not (tmp_path / "not-yet.db").exists()


async def test_a_random_sample_of_confident_messages_is_audited(rasa_store, db, tmp_path):
    await write(
        rasa_store, SENDER_A, [said("where can i sleep tonight", 1.0, "find_shelter", 0.97)]
    )
    reader = Ingestion(db, f"sqlite:///{tmp_path / 'tracker.db'}", audit_every=50,
                       draw=lambda: 0.001)  # fmt: skip
    await reader.once()
    (item,) = await db.run(inbox.listing)
    assert item.kind == "audit"
    assert "random check" in item.detail


def sighting(text: str, key: str, at: float, kind: str = "unsure") -> inbox.Sighting:
    return inbox.Sighting(text=text, normalised=text.lower(), kind=kind,
                          priority={"disagreement": 0, "staff": 1, "unsure": 2, "audit": 3}[kind],
                          detail="why", conversation_key=inbox.conversation_key(key),
                          seen_at=at)  # fmt: skip


async def test_a_more_urgent_reason_moves_an_item_up(db):
    await db.run(inbox.add, sighting("need help", "a", 1.0))
    await db.run(inbox.add, sighting("other words", "a", 5.0))
    await db.run(inbox.add, sighting("need help", "b", 2.0, kind="staff"))
    items = await db.run(inbox.listing)
    assert [(i.text, i.kind, i.count) for i in items] == [
        ("need help", "staff", 2),
        ("other words", "unsure", 1),
    ]


async def test_erasing_a_conversation_removes_what_only_it_wrote(db):
    await db.run(inbox.add, sighting("only a wrote this", "conv-a", 1.0))
    await db.run(inbox.add, sighting("both wrote this", "conv-a", 2.0))
    await db.run(inbox.add, sighting("both wrote this", "conv-b", 3.0))
    assert await db.run(inbox.erase_conversation, "conv-a") == 1
    items = await db.run(inbox.listing)
    assert [(i.text, i.count) for i in items] == [("both wrote this", 1)]
    assert await db.run(inbox.erase_conversation, "conv-a") == 0


async def test_purging_removes_old_sightings_and_items_left_with_none(db):
    await db.run(inbox.add, sighting("old words", "a", 10.0))
    await db.run(inbox.add, sighting("seen again", "a", 10.0))
    await db.run(inbox.add, sighting("seen again", "b", 50.0))
    assert await db.run(inbox.purge_before, 20.0) == 1
    items = await db.run(inbox.listing)
    assert [(i.text, i.count) for i in items] == [("seen again", 1)]


async def test_the_gateway_fills_its_inbox_in_the_background(
    admin_gateway, browsers, rasa_store, tmp_path
):
    gateway = await admin_gateway(
        review_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}", review_interval=0.1
    )
    await write(rasa_store, SENDER_A, [said("my e-mail is a@b.org where is food", 1.0,
                                            "nlu_fallback", 0.2)])  # fmt: skip
    alex = await browsers(gateway, "alex")
    for _ in range(100):
        _, page = await alex.get("/admin")
        if "where is food" in page:
            break
        await asyncio.sleep(0.1)
    assert "my e-mail is [email] where is food" in page
    assert "a@b.org" not in page
