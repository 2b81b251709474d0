"""The purge and the erasure on PostgreSQL: the gateway store there (as with several gateway
replicas), and Rasa's tracker store there (as with several Rasa replicas), redacted one
conversation per transaction with open cases left whole."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot import tracker_store
from bot.privacy import tracker
from bot.settings import Secret
from bot.state import PRIVACY
from tests.handoff.helpers import settle
from tests.privacy.helpers import (
    PHONE,
    PHONE_WRITTEN,
    SENTENCE,
    counts,
    found_in_store,
    plant_sms_with_staff,
    web,
)


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_twilio, postgres_database):
    return await start_gateway(
        settings_for(sms=fake_twilio, database_url=Secret(postgres_database))
    )


async def test_purge_then_erase_on_a_postgresql_gateway_store(
    gateway, fake_rasa, http, clock, postgres_database
):
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, SENTENCE)
    await settle(gateway)  # the reply's row is written before the clock moves, not after the purge
    before = await counts(gateway)
    assert found_in_store(postgres_database, [SENTENCE, PHONE])

    clock.advance(minutes=366 * 24 * 60)
    await gateway.app[PRIVACY].purge("cli:test")
    assert found_in_store(postgres_database, [SENTENCE, PHONE_WRITTEN]) == []
    assert await counts(gateway) == before

    cid = gateway.conversation_id("sms", PHONE)
    assert (await gateway.app[PRIVACY].erase(cid, "cli:test")).status == "done"
    assert found_in_store(postgres_database, [PHONE, cid]) == []
    assert await counts(gateway) == before


def event(sender: str, kind: str, at: float, **data) -> dict:
    body = {"event": kind, "timestamp": at, **data}
    return {"sender_id": sender, "type_name": kind, "timestamp": at, "data": json.dumps(body)}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_tracker_store_purge_redacts_old_words_per_conversation(dialect, request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'tracker.db'}"
        if dialect == "sqlite"
        else request.getfixturevalue("postgres_database")
    )
    engine = sa.create_engine(url)
    tracker_store.metadata.create_all(engine)
    user = {"text": SENTENCE, "parse_data": {"intent": {"name": "find_shelter"},
            "entities": [{"entity": "location", "value": "pier nineteen"}]}}  # fmt: skip
    rows = [
        event("old", "user", 100.0, **user),
        event("old", "bot", 101.0, text=f"you said {SENTENCE}"),
        event("old", "slot", 102.0, name="need", value="shelter"),
        event("open", "user", 100.0, **user),
        event("new", "user", 5000.0, **user),
    ]
    with engine.begin() as c:
        c.execute(tracker_store.events.insert(), rows)

    assert tracker.purge(engine, cutoff=1000.0, keep={"open"}) == 2
    assert tracker.purge(engine, cutoff=1000.0, keep={"open"}) == 0  # never twice

    with engine.connect() as c:
        stored = {
            (r.sender_id, r.type_name): r.data for r in c.execute(sa.select(tracker_store.events))
        }
    assert SENTENCE not in stored[("old", "user")]
    assert "pier nineteen" not in stored[("old", "user")]
    assert "find_shelter" in stored[("old", "user")]  # what reports count stays
    assert SENTENCE not in stored[("old", "bot")]
    assert "shelter" in stored[("old", "slot")]
    assert SENTENCE in stored[("open", "user")]  # an open case: left whole
    assert SENTENCE in stored[("new", "user")]  # younger than the cutoff
    engine.dispose()
