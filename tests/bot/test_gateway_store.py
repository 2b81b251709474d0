"""The gateway store on SQLite and on a real PostgreSQL server started for these tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.model import Button, Incoming, OutboxItem
from bot.store import Store
from scripts.fakes.postgres import free_port


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'gw.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    clock = iter(float(t) for t in range(1000, 100000))
    store = Store(url, clock=lambda: next(clock))
    await store.open()
    yield store
    await store.close()


def incoming(text: str, provider_id: str | None = None, channel: str = "telegram") -> Incoming:
    return Incoming(channel, "555000111", "text", text, provider_id=provider_id)  # type: ignore[arg-type]


async def test_a_message_is_stored_once_per_provider_id(store):
    first = await store.accept("c1", incoming("hello", "u1"), status="pending")
    again = await store.accept("c1", incoming("hello", "u1"), status="pending")
    other = await store.accept("c1", incoming("hello", None), status="pending")
    untracked = await store.accept("c1", incoming("hello", None), status="pending")
    assert first.duplicate is False
    assert again.duplicate is True
    assert again.inbound_id == first.inbound_id
    assert len({other.inbound_id, untracked.inbound_id, first.inbound_id}) == 3
    assert await store.seen("telegram", "u1")
    assert not await store.seen("sms", "u1")
    conversation = await store.conversation_for("c1")
    assert conversation.address == "555000111"
    assert conversation.opted_out is False


async def test_immediate_replies_go_with_the_message(store):
    reply = OutboxItem("crisis", {"text": "call 911"})
    accepted = await store.accept(
        "c1", incoming("i want to die", "u1"), status="pending", risk="self_harm", replies=[reply]
    )
    [unit] = await store.outbox_for_inbound(accepted.inbound_id)
    assert (unit.kind, unit.body, unit.status) == ("crisis", {"text": "call 911"}, "pending")
    record = await store.inbound_record(accepted.inbound_id)
    assert (record.risk, record.text) == ("self_harm", "i want to die")
    webchat = await store.accept(
        "w1", incoming("hi", channel="webchat"), status="handled", replies=[reply]
    )
    [delivered] = await store.outbox_for_inbound(webchat.inbound_id)
    assert delivered.status == "sent"  # the page fetches it


async def test_pending_messages_come_oldest_first_and_finish_atomically(store):
    for n in range(3):
        await store.accept("c1", incoming(f"m{n}", f"u{n}"), status="pending")
    await store.accept("c2", incoming("other", "u9"), status="pending")
    assert sorted(await store.pending_inbound_conversations()) == ["c1", "c2"]
    first = await store.next_inbound("c1")
    assert first.text == "m0"
    buttons = (Button("Food", "/find_food"),)
    units = [OutboxItem("reply", {"text": "a"}), OutboxItem("reply", {"text": "b"})]
    await store.finish(first, units, buttons=buttons, events_=[("handoff", {"risk": "high"})])
    assert (await store.next_inbound("c1")).text == "m1"
    assert [u.body["text"] for u in await store.outbox_for_inbound(first.id)] == ["a", "b"]
    assert (await store.conversation_for("c1")).buttons == buttons
    assert await store.events_of("c1") == [("handoff", {"risk": "high"})]
    assert (await store.inbound_record(first.id)).status == "done"


async def test_deferring_keeps_the_message_and_notes_the_notice(store):
    await store.accept("c1", incoming("m0", "u0"), status="pending")
    record = await store.next_inbound("c1")
    await store.defer(
        record, "RasaUnavailable: down", 2000.0, [OutboxItem("notice", {"text": "down"})]
    )
    kept = await store.next_inbound("c1")
    assert (kept.id, kept.attempts, kept.next_attempt_at) == (record.id, 1, 2000.0)
    assert kept.last_error == "RasaUnavailable: down"
    assert (await store.conversation_for("c1")).degraded_at is not None
    await store.finish(kept, [])
    assert (await store.conversation_for("c1")).degraded_at is None
    await store.accept("c1", incoming("m1", "u1"), status="pending")
    await store.defer(await store.next_inbound("c1"), "RasaBadReply: empty", 0.0, give_up=True)
    assert await store.next_inbound("c1") is None
    assert (await store.counts())["inbound.failed"] == 1


async def test_the_outbox_delivers_in_order_and_retries_without_skipping(store):
    items = [OutboxItem("reply", {"text": t}) for t in ("one", "two")]
    await store.accept("c1", incoming("m", "u"), status="handled", replies=items)
    first = await store.next_outbox("c1")
    await store.mark_retry(first, "502", next_attempt_at=5000.0)
    again = await store.next_outbox("c1")
    assert (again.id, again.attempts, again.next_attempt_at) == (first.id, 1, 5000.0)
    await store.mark_sent(first.id, "m-1")
    assert (await store.next_outbox("c1")).body == {"text": "two"}
    assert await store.pending_outbox_conversations() == ["c1"]
    await store.mark_failed(await store.next_outbox("c1"), "403")
    assert await store.next_outbox("c1") is None
    assert await store.counts() == {"inbound.handled": 1, "outbox.sent": 1, "outbox.failed": 1}
    assert [u.body["text"] for u in await store.outbox_after("c1", 0)] == ["one"]


async def test_an_opt_out_suppresses_what_waits_and_is_recorded(store):
    await store.accept("c1", incoming("m", "u", "sms"), status="handled",
                       replies=[OutboxItem("reply", {"text": "x"})])  # fmt: skip
    await store.accept("c1", incoming("STOP", "u2", "sms"), status="handled", opted_out=True,
                       event=("opt_out", {"word": "STOP"}))  # fmt: skip
    assert (await store.conversation_for("c1")).opted_out is True
    assert await store.next_outbox("c1") is None
    assert (await store.counts())["outbox.suppressed"] == 1
    await store.accept("c1", incoming("START", "u3", "sms"), status="handled", opted_out=False)
    assert (await store.conversation_for("c1")).opted_out is False
    await store.set_opted_out("c1", "Twilio error 21610")
    assert [kind for kind, _ in await store.events_of("c1")] == ["opt_out", "opt_out"]


async def test_generated_values_are_kept(store):
    first = await store.meta_value("salt", lambda: "generated-1")
    second = await store.meta_value("salt", lambda: "generated-2")
    assert first == second == "generated-1"
    await store.save_payload("p:abc", "/long")
    await store.save_payload("p:abc", "/long")
    assert await store.payload_for("p:abc") == "/long"
    assert await store.payload_for("p:none") is None


async def test_words_in_any_script_are_kept_exactly(store):
    text = "أحتاج مكانًا 🙏 \x00 end"
    accepted = await store.accept("c1", incoming(text.replace("\x00", ""), "u"), status="pending")
    assert (await store.inbound_record(accepted.inbound_id)).text == text.replace("\x00", "")


async def test_an_unreachable_database_is_a_clear_error():
    store = Store(f"postgresql://gw@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreError, match="cannot open the gateway store"):
        await store.open()
    await store.close()


async def test_units_that_answer_no_message_can_be_queued(store):
    await store.accept("c1", incoming("hi", "u1"), status="handled")
    await store.add_outbox("c1", "telegram", [OutboxItem("staff", {"text": "Hello, I'm Sam"})])
    unit = await store.next_outbox("c1")
    assert (unit.kind, unit.inbound_id, unit.body) == ("staff", None, {"text": "Hello, I'm Sam"})


async def test_a_store_made_by_an_earlier_version_gets_the_new_columns_and_keeps_its_rows(
    tmp_path: Path,
):
    """A new nullable column (here inbound.risk_tier) is added in place; nothing is lost."""
    import sqlite3

    path = tmp_path / "old.db"
    old = Store(f"sqlite:///{path}")
    await old.open()
    await old.accept("c1", incoming("where can i sleep", "u1"), status="pending", risk="danger")
    await old.close()
    with sqlite3.connect(path) as db:  # as the store was before the column existed
        db.execute("ALTER TABLE inbound DROP COLUMN risk_tier")
    reopened = Store(f"sqlite:///{path}")
    await reopened.open()
    try:
        record = await reopened.next_inbound("c1")
        assert record is not None
        assert record.text == "where can i sleep"
        assert record.risk == "danger"
        assert record.risk_tier is None
        assert record.crisis_sent  # a risk stored before tiers existed was a crisis reply sent
        second = await reopened.accept(
            "c1", incoming("kill me now", "u2"), status="pending", risk="danger",
            risk_tier="uncertain",
        )  # fmt: skip
        stored = await reopened.inbound_record(second.inbound_id)
        assert stored is not None
        assert stored.risk_tier == "uncertain"
        assert not stored.crisis_sent
    finally:
        await reopened.close()
