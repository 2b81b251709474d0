"""The retention purge through the running gateway, with the fakes: after RETENTION_DAYS the
words of every conversation are gone from every table, the counts stay, a conversation with an
open case stays whole, case transcripts wait for CASE_RETENTION_DAYS, and a purge that fails
halfway leaves no conversation half done and finishes on the next run."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
import sqlalchemy as sa

from bot.db import meta
from bot.db.schema import case_messages, inbound
from bot.errors import StoreError
from bot.privacy.service import LAST_PURGE
from bot.state import PRIVACY
from tests.handoff.helpers import settle
from tests.privacy.helpers import (
    PHONE,
    PHONE_WRITTEN,
    SENTENCE,
    counts,
    found_in_store,
    plant_sms_with_staff,
    plant_telegram,
    web,
)

CASE_RECORDS = ("case_messages.", "staff_posts.", "cases.")  # kept for CASE_RETENTION_DAYS


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_telegram, fake_twilio):
    return await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))


async def test_after_the_retention_no_words_remain_and_the_counts_do(
    gateway, fake_telegram, http, clock
):
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, SENTENCE)
    await plant_telegram(fake_telegram, gateway)
    before = await counts(gateway)
    privacy = gateway.app[PRIVACY]

    clock.advance(minutes=29 * 24 * 60)  # not yet: nothing is old enough
    assert await privacy.purge("cli:test") == {}
    assert found_in_store(gateway.db.url, [SENTENCE])

    clock.advance(minutes=2 * 24 * 60)  # 31 days: the bot's words go, the case's stay
    purged = await privacy.purge("cli:test")
    assert purged["inbound"] >= 4
    assert purged["outbox"] >= 4
    left = found_in_store(gateway.db.url, [SENTENCE, PHONE, PHONE_WRITTEN])
    assert left
    assert all(hit.startswith(CASE_RECORDS) for hit in left), left

    clock.advance(minutes=335 * 24 * 60)  # past a year: the case's transcript goes too
    assert (await privacy.purge("cli:test"))["cases"] >= 1
    assert found_in_store(gateway.db.url, [SENTENCE, PHONE, PHONE_WRITTEN]) == []
    assert await counts(gateway) == before  # every row is still there to count
    assert await privacy.purge("cli:test") == {}  # nothing twice


async def test_a_conversation_with_an_open_case_is_never_purged(gateway, http, clock):
    from tests.privacy.helpers import open_case_of, sms

    await sms(http, gateway, SENTENCE)
    await sms(http, gateway, "can i talk to a person")
    await open_case_of(gateway)
    await web(http, gateway, f"web: {SENTENCE}")
    await settle(gateway)
    clock.advance(minutes=400 * 24 * 60)
    await gateway.app[PRIVACY].purge("cli:test")
    left = found_in_store(gateway.db.url, [SENTENCE])
    assert any(hit.startswith("inbound.text") for hit in left)  # the SMS client's, kept whole
    assert not found_in_store(gateway.db.url, ["web: " + SENTENCE])


async def test_a_purge_that_fails_halfway_leaves_no_half_conversation_and_resumes(
    gateway, fake_telegram, http, clock
):
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, SENTENCE)
    await settle(gateway)
    sms_cid = gateway.conversation_id("sms", PHONE)
    # The store refuses to change one conversation's replies: its transaction fails midway,
    # after its messages were already emptied in it.
    await gateway.db.run(
        lambda c: c.execute(
            sa.text(
                "CREATE TRIGGER refuse BEFORE UPDATE OF body ON outbox "
                f"WHEN old.conversation_id = '{sms_cid}' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    )
    clock.advance(minutes=31 * 24 * 60)
    privacy = gateway.app[PRIVACY]
    with pytest.raises(StoreError):
        await privacy.purge("cli:test")
    sms_texts = await gateway.db.run(_texts_of, sms_cid)
    assert all(sms_texts)
    assert any(SENTENCE in t for t in sms_texts)

    await gateway.db.run(lambda c: c.execute(sa.text("DROP TRIGGER refuse")))
    assert (await privacy.purge("cli:test"))["inbound"] >= 1
    left = found_in_store(gateway.db.url, [SENTENCE])
    assert all(hit.startswith(CASE_RECORDS) for hit in left), left


async def test_the_gateway_purges_on_its_own_once_a_day(
    start_gateway, settings_for, fake_twilio, http, clock
):
    make = settings_for(sms=fake_twilio)
    gateway = await start_gateway(make)
    last = await purged_since(gateway, None)  # it runs on start: none had run before
    await gateway.stop()

    restarted = await start_gateway(make)
    await asyncio.sleep(0.5)  # its background task has run
    assert await restarted.db.run(meta.get, LAST_PURGE) == last  # not again within the day

    await restarted.stop()
    clock.advance(minutes=25 * 60)
    again = await start_gateway(make)
    assert float(await purged_since(again, last)) > float(last)


async def purged_since(gateway, last: str | None) -> str:
    """When the gateway last purged, once that is no longer ``last`` (waits for it)."""
    for _ in range(300):
        now = await gateway.db.run(meta.get, LAST_PURGE)
        if now is not None and now != last:
            return str(now)
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not purge")


def _texts_of(c, cid):
    return list(
        c.execute(sa.select(inbound.c.text).where(inbound.c.conversation_id == cid)).scalars()
    )


def test_settings_refuse_a_case_retention_shorter_than_the_messages():
    from bot.errors import SettingsError
    from bot.settings import load_settings

    with pytest.raises(SettingsError, match="CASE_RETENTION_DAYS"):
        load_settings({"RETENTION_DAYS": "90", "CASE_RETENTION_DAYS": "30"}, env_file=None)
    with pytest.raises(SettingsError, match="RETENTION_DAYS"):
        load_settings({"RETENTION_DAYS": "0"}, env_file=None)
    settings = load_settings({}, env_file=None)
    assert (settings.retention_days, settings.case_retention_days) == (30, 365)
    assert settings.tracker_store_url.reveal() == "sqlite:///var/tracker.db"
    assert dataclasses.replace(settings).retention_days == 30
    _ = case_messages
