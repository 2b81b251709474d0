"""The gateway store on SQLite and on a real PostgreSQL server started for these tests: the
functions of a connection the gateway uses, each run as the gateway runs them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg2
import pytest

from bot.db import Database, conversations, events, inbound, meta, outbox, schema
from bot.errors import StoreConflict, StoreError
from bot.hooks import NoWorkers
from bot.inbox import Inbox
from bot.messages import load_messages
from bot.model import Button, Incoming, OutboxItem
from bot.outbox import refused
from bot.pipeline import answered, deferred
from bot.privacy import SenderHasher
from bot.safety import Screen
from region import load_region
from scripts.stack import free_port
from tests.store_helpers import counts, events_of


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'gw.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    db = Database(url)
    await db.open()
    yield db
    await db.close()


def incoming(text: str, provider_id: str | None = None, channel: str = "telegram") -> Incoming:
    return Incoming(channel, "555000111", "text", text, provider_id=provider_id)  # type: ignore[arg-type]


def take_in(c, cid, message, now=1000.0, replies=(), **plan):
    """What the inbox stores of a new message: the conversation, the message (unless it is a
    repeat: None), its replies."""
    if inbound.existing(c, message.channel, message.provider_id) is not None:
        return None
    conversations.touch(c, cid, message.channel, message.address, now, plan.pop("opted_out", None))
    inbound_id = inbound.add(c, cid, message, now, **plan)
    outbox.queue(c, cid, message.channel, inbound_id, replies, now)
    return inbound_id


async def test_a_message_is_stored_once_per_provider_id(db):
    first = await db.run(take_in, "c1", incoming("hello", "u1"))
    again = await db.run(take_in, "c1", incoming("hello", "u1"))
    other = await db.run(take_in, "c1", incoming("hello", None))
    untracked = await db.run(take_in, "c1", incoming("hello", None))
    assert first is not None
    assert again is None
    assert await db.run(inbound.existing, "telegram", "u1") == (first, "pending")
    assert len({other, untracked, first}) == 3
    assert await db.run(inbound.seen, "telegram", "u1")
    assert not await db.run(inbound.seen, "sms", "u1")
    conversation = await db.run(conversations.get, "c1")
    assert conversation.address == "555000111"
    assert conversation.opted_out is False
    with pytest.raises(StoreConflict):  # as when a replica stored it a moment before
        await db.run(inbound.add, "c1", incoming("hello", "u1"), 1001.0)


async def test_two_replicas_given_the_same_webhook_at_once_store_it_once(postgres_database):
    """Each checks the provider id, then inserts: the one that loses the race runs again."""
    replicas = [Database(postgres_database), Database(postgres_database)]
    region = load_region()
    texts = load_messages(region.template_values())
    idle = NoWorkers()
    for db in replicas:
        await db.open()
    try:
        inboxes = [
            Inbox(db, SenderHasher("salt"), texts, Screen(region.emergency_number), idle, idle)
            for db in replicas
        ]
        for n in range(20):  # many rounds, so the two really overlap
            same = incoming("where can i sleep", f"race-{n}", "sms")
            results = await asyncio.gather(*(inbox.accept(same) for inbox in inboxes))
            assert sorted(r.duplicate for r in results) == [False, True]
            assert len({r.inbound_id for r in results}) == 1
        assert (await counts(replicas[0]))["inbound.pending"] == 20
    finally:
        for db in replicas:
            await db.close()


async def test_immediate_replies_go_with_the_message(db):
    reply = OutboxItem("crisis", {"text": "call 911"})
    message = incoming("i want to die", "u1")
    inbound_id = await db.run(take_in, "c1", message, 1000.0, [reply], risk="self_harm")
    [unit] = await db.run(outbox.for_inbound, inbound_id)
    assert (unit.kind, unit.body, unit.status) == ("crisis", {"text": "call 911"}, "pending")
    record = await db.run(inbound.get, inbound_id)
    assert (record.risk, record.text) == ("self_harm", "i want to die")
    webchat = await db.run(take_in, "w1", incoming("hi", channel="webchat"), 1000.0, [reply])
    [delivered] = await db.run(outbox.for_inbound, webchat)
    assert delivered.status == "sent"  # the page fetches it


async def test_pending_messages_come_oldest_first_and_are_answered_at_once(db):
    for n in range(3):
        await db.run(take_in, "c1", incoming(f"m{n}", f"u{n}"))
    await db.run(take_in, "c2", incoming("other", "u9"))
    assert sorted(await db.run(inbound.pending_conversations)) == ["c1", "c2"]
    first, conversation = await db.run(inbound.next_turn, "c1")
    assert (first.text, conversation.id, conversation.buttons) == ("m0", "c1", ())
    buttons = (Button("Food", "/find_food"),)
    units = [OutboxItem("reply", {"text": "a"}), OutboxItem("reply", {"text": "b"})]
    found = [("handoff", {"risk": "high"})]
    await db.run(answered, first, [], units, buttons, found, 1001.0)
    second, conversation = await db.run(inbound.next_turn, "c1")
    assert second.text == "m1"
    assert conversation.buttons == buttons
    assert [u.body["text"] for u in await db.run(outbox.for_inbound, first.id)] == ["a", "b"]
    assert await events_of(db, "c1") == [("handoff", {"risk": "high"})]
    assert (await db.run(inbound.get, first.id)).status == "done"


async def test_deferring_keeps_the_message_and_notes_the_notice(db):
    await db.run(take_in, "c1", incoming("m0", "u0"))
    record, _ = await db.run(inbound.next_turn, "c1")
    notice = [OutboxItem("notice", {"text": "down"})]
    await db.run(deferred, record, "RasaUnavailable: down", 2000.0, notice, False, 1001.0)
    kept, conversation = await db.run(inbound.next_turn, "c1")
    assert (kept.id, kept.attempts, kept.next_attempt_at) == (record.id, 1, 2000.0)
    assert kept.last_error == "RasaUnavailable: down"
    assert conversation.degraded_at == 1001.0
    await db.run(answered, kept, [], [], None, [], 1002.0)
    assert (await db.run(conversations.get, "c1")).degraded_at is None
    await db.run(take_in, "c1", incoming("m1", "u1"))
    record, _ = await db.run(inbound.next_turn, "c1")
    await db.run(deferred, record, "RasaBadReply: empty", 0.0, [], True, 1003.0)
    assert await db.run(inbound.next_turn, "c1") is None
    assert (await counts(db))["inbound.failed"] == 1


async def test_the_outbox_delivers_in_order_and_retries_without_skipping(db):
    items = [OutboxItem("reply", {"text": t}) for t in ("one", "two")]
    await db.run(take_in, "c1", incoming("m", "u"), 1000.0, items, status="handled")
    first, _ = await db.run(outbox.next_delivery, "c1")
    await db.run(outbox.mark_retry, first, "502", 5000.0)
    again, _ = await db.run(outbox.next_delivery, "c1")
    assert (again.id, again.attempts, again.next_attempt_at) == (first.id, 1, 5000.0)
    await db.run(outbox.mark_sent, first.id, "m-1", 1001.0)
    second, _ = await db.run(outbox.next_delivery, "c1")
    assert second.body == {"text": "two"}
    assert await db.run(outbox.pending_conversations) == ["c1"]
    await db.run(outbox.mark_failed, second, "403")
    assert await db.run(outbox.next_delivery, "c1") is None
    assert await counts(db) == {"inbound.handled": 1, "outbox.sent": 1, "outbox.failed": 1}
    assert [u.body["text"] for u in await db.run(outbox.delivered_after, "c1", 0)] == ["one"]


async def test_an_opt_out_suppresses_what_waits_and_is_recorded(db):
    waiting = [OutboxItem("reply", {"text": "x"}), OutboxItem("reply", {"text": "y"})]
    await db.run(take_in, "c1", incoming("m", "u", "sms"), 1000.0, waiting, status="handled")
    unit, _ = await db.run(outbox.next_delivery, "c1")
    await db.run(refused, unit, "Twilio error 21610", True, 1001.0)
    assert (await db.run(conversations.get, "c1")).opted_out is True
    assert await db.run(outbox.next_delivery, "c1") is None
    assert (await counts(db))["outbox.suppressed"] == 1
    assert await events_of(db, "c1") == [("opt_out", {"reason": "Twilio error 21610"})]
    await db.run(take_in, "c1", incoming("START", "u3", "sms"), 1002.0, opted_out=False)
    assert (await db.run(conversations.get, "c1")).opted_out is False


async def test_generated_values_are_kept(db):
    first = await db.run(meta.value, "salt", lambda: "generated-1")
    second = await db.run(meta.value, "salt", lambda: "generated-2")
    assert first == second == "generated-1"
    await db.run(meta.save_payload, "p:abc", "/long")
    await db.run(meta.save_payload, "p:abc", "/long")
    assert await db.run(meta.payload_for, "p:abc") == "/long"
    assert await db.run(meta.payload_for, "p:none") is None


async def test_words_in_any_script_are_kept_exactly(db):
    text = "أحتاج مكانًا 🙏 \x00 end"
    inbound_id = await db.run(take_in, "c1", incoming(text.replace("\x00", ""), "u"))
    assert (await db.run(inbound.get, inbound_id)).text == text.replace("\x00", "")


async def test_a_failure_names_the_driver_error_and_never_the_values(db):
    def duplicate_key(c):
        events.add(c, "c1", None, "opt_out", {"word": "+16505550100"}, 1.0)
        c.execute(schema.meta.insert().values(key="k", value="+16505550100"))
        c.execute(schema.meta.insert().values(key="k", value="+16505550100"))

    with pytest.raises(StoreError, match=r"IntegrityError|UniqueViolation") as raised:
        await db.run(duplicate_key)
    assert "6505550100" not in str(raised.value)
    assert await events_of(db, "c1") == []  # the transaction is rolled back whole


async def test_what_a_webhook_waits_on_goes_before_the_workers_transactions(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'gw.db'}")
    await db.open()
    busy, order = threading.Event(), []
    try:
        held = asyncio.ensure_future(db.run(lambda c: busy.wait(10)))  # the one thread is busy
        await asyncio.sleep(0.05)
        waiting = [
            asyncio.ensure_future(db.run(lambda c: order.append("worker"))),
            asyncio.ensure_future(db.run_first(lambda c: order.append("webhook"))),
        ]
        await asyncio.sleep(0.05)
        busy.set()
        await asyncio.gather(held, *waiting)
        assert order == ["webhook", "worker"]
    finally:
        busy.set()
        await db.close()


async def test_an_unreachable_database_is_a_clear_error():
    db = Database(f"postgresql://gw@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreError, match="cannot open the gateway store"):
        await db.open()
    await db.close()


async def test_a_postgresql_connection_the_server_dropped_is_replaced(postgres_database):
    db = Database(postgres_database)
    await db.open()
    try:
        await db.run(take_in, "c1", incoming("before", "u1"))
        admin = psycopg2.connect(postgres_database)
        admin.autocommit = True
        with admin.cursor() as cursor:  # as a restart of the server, or a proxy's timeout, does
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        admin.close()
        assert await db.run(take_in, "c1", incoming("after", "u2")) is not None
        assert (await counts(db))["inbound.pending"] == 2
    finally:
        await db.close()


async def test_units_that_answer_no_message_can_be_queued(db):
    await db.run(take_in, "c1", incoming("hi", "u1"), status="handled")
    staff = [OutboxItem("staff", {"text": "Hello, I'm Sam"})]
    await db.run(outbox.queue, "c1", "telegram", None, staff, 1001.0)
    unit, _ = await db.run(outbox.next_delivery, "c1")
    assert (unit.kind, unit.inbound_id, unit.body) == ("staff", None, {"text": "Hello, I'm Sam"})


async def test_a_store_made_by_an_earlier_version_gets_the_new_columns_and_keeps_its_rows(
    tmp_path: Path,
):
    """A new nullable column (here inbound.risk_tier) is added in place; nothing is lost."""
    import sqlite3

    path = tmp_path / "old.db"
    old = Database(f"sqlite:///{path}")
    await old.open()
    await old.run(take_in, "c1", incoming("where can i sleep", "u1"), 1000.0, risk="danger")
    await old.close()
    with sqlite3.connect(path) as connection:  # as the store was before the column existed
        connection.execute("ALTER TABLE inbound DROP COLUMN risk_tier")
    reopened = Database(f"sqlite:///{path}")
    await reopened.open()
    try:
        record, _ = await reopened.run(inbound.next_turn, "c1")
        assert record.text == "where can i sleep"
        assert record.risk == "danger"
        assert record.risk_tier is None
        assert record.crisis_sent  # a risk stored before tiers existed was a crisis reply sent
        second = await reopened.run(
            take_in, "c1", incoming("kill me now", "u2"), 1001.0, risk="danger",
            risk_tier="uncertain",
        )  # fmt: skip
        stored = await reopened.run(inbound.get, second)
        assert stored.risk_tier == "uncertain"
        assert not stored.crisis_sent
    finally:
        await reopened.close()
