"""Erasure and export through the running gateway, with the fakes: a client talks on SMS to
the bot and to staff (a case with replies, a note, staff posts in a Telegram topic), others on
web chat and Telegram; one is erased, and no table of the gateway store holds their words or
their number, while the others' words and every count remain."""

from __future__ import annotations

import pytest

from bot.errors import ErasureRefused
from bot.privacy.service import Erasure
from bot.state import PRIVACY
from contract.erasure import SCRUB_FAILED
from scripts.fakes.base import wait_for
from tests.handoff.helpers import settle
from tests.privacy.helpers import (
    PHONE,
    PHONE_WRITTEN,
    SENTENCE,
    WEB,
    counts,
    found_in_store,
    open_case_of,
    plant_sms_with_staff,
    plant_telegram,
    sms,
    web,
)


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_telegram, fake_twilio, tmp_path):
    return await start_gateway(settings_for(telegram=fake_telegram, sms=fake_twilio))


def store_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'gateway.db'}"


async def test_an_sms_client_erased_leaves_no_word_or_number_and_every_count(
    gateway, fake_rasa, fake_telegram, http, tmp_path
):
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, SENTENCE)
    await plant_telegram(fake_telegram, gateway)
    await settle(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    assert fake_rasa.trackers.get(cid)
    before = await counts(gateway)
    assert found_in_store(store_url(tmp_path), [PHONE_WRITTEN])  # planted indeed
    assert any(SENTENCE in p.text for p in fake_telegram.posts)  # and in the staff group
    assert len(fake_telegram.topics) == 1

    result = await gateway.app[PRIVACY].erase(cid, "console:alex")

    assert result.status == "done"
    assert "staff group's 1 topic(s)" in result.describe()
    assert fake_telegram.topics == {}  # the case's topic, with every post in it
    assert not any(SENTENCE in p.text for p in fake_telegram.posts)
    assert cid not in fake_rasa.trackers  # Rasa was asked, and erased it
    assert found_in_store(store_url(tmp_path), [PHONE, PHONE_WRITTEN, cid]) == []
    left = found_in_store(store_url(tmp_path), [SENTENCE])
    # The web chat and Telegram clients' words are theirs, and stay.
    assert left
    assert all(not hit.startswith(("cases.", "case_messages.", "staff_posts.")) for hit in left)
    assert await counts(gateway) == before
    [entry] = [e for e in await gateway.db.run(_audit) if e.action == "erase"]
    assert entry.actor == "console:alex"
    assert entry.completed_at is not None
    assert cid not in str(entry.detail)
    assert PHONE not in str(entry.detail)


async def test_the_erased_client_can_write_again_and_starts_afresh(gateway, fake_rasa, http):
    await sms(http, gateway, SENTENCE)
    await settle(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    await gateway.app[PRIVACY].erase(cid, "cli:test")
    await sms(http, gateway, "hello again")
    await settle(gateway)
    assert fake_rasa.messages_from(cid)[-1] == "hello again"
    assert [e.get("text") for e in fake_rasa.trackers[cid] if e["event"] == "user"] == [
        "hello again"
    ]


async def test_unknown_twice_and_during_a_handoff(gateway, fake_rasa, http):
    privacy = gateway.app[PRIVACY]
    assert (await privacy.erase("no-such-conversation", "cli:test")).status == "nothing"

    await sms(http, gateway, "can i talk to a person")
    case_id = await open_case_of(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    with pytest.raises(ErasureRefused, match=f"case {case_id} is open"):
        await privacy.erase(cid, "cli:test")
    with pytest.raises(ErasureRefused):
        await privacy.erase_case(case_id, "cli:test")
    assert found_in_store(gateway.db.url, [PHONE])  # refused: nothing was touched

    await gateway.app[PRIVACY].db.run(_close_all)
    assert (await privacy.erase_case(case_id, "cli:test")).status == "done"
    assert (await privacy.erase_case(case_id, "cli:test")).status == "nothing"
    assert (await privacy.erase(cid, "cli:test")).status == "nothing"


async def test_while_rasa_is_down_the_erasure_waits_and_completes_when_it_is_back(
    gateway, fake_rasa, http
):
    await sms(http, gateway, SENTENCE)
    await settle(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    await fake_rasa.stop()
    privacy = gateway.app[PRIVACY]

    result = await privacy.erase(cid, "cli:test")

    assert result.status == "pending"
    assert "will finish the erasure as soon as Rasa answers" in result.describe()
    assert found_in_store(gateway.db.url, [SENTENCE, PHONE]) == []  # the gateway's part is done
    [entry] = [e for e in await gateway.db.run(_audit) if e.action == "erase"]
    assert entry.completed_at is None
    await fake_rasa.start()
    # The gateway's own background task finishes it (every few seconds).
    await wait_for(lambda: cid not in fake_rasa.trackers, timeout=20)
    await wait_for_audit_complete(gateway)


async def test_an_erasure_rasa_could_not_yet_scrub_from_its_file_stays_pending_until_it_has(
    gateway, fake_rasa, http
):
    """Rasa deleted the rows but another connection kept its store's old pages (503): the words
    may still be in the file, so the erasure is not done; the gateway asks again. The audit
    counts the events that first attempt deleted (the next one finds none)."""
    await sms(http, gateway, SENTENCE)
    await settle(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    held = len(fake_rasa.trackers[cid])
    assert held > 0
    fake_rasa.log_in_use = True

    result = await gateway.app[PRIVACY].erase(cid, "cli:test")

    assert result.status == "pending"
    said = result.describe()
    assert "503" in said
    assert SCRUB_FAILED in said
    fake_rasa.log_in_use = False
    await wait_for_audit_complete(gateway)
    (entry,) = [e for e in await gateway.db.run(_audit) if e.action == "erase"]
    assert entry.detail["rasa_events"] == held


async def wait_for_audit_complete(gateway) -> None:
    for _ in range(200):
        entries = [e for e in await gateway.db.run(_audit) if e.action == "erase"]
        if entries and all(e.completed_at is not None for e in entries):
            return
        await settle(gateway)
    raise AssertionError("the erasure never completed")


async def test_export_gives_messages_replies_and_case_entries_without_staff_names(
    gateway, fake_rasa, http
):
    await plant_sms_with_staff(http, gateway)
    cid = gateway.conversation_id("sms", PHONE)
    data = await gateway.app[PRIVACY].export(cid, "cli:test")
    texts = [m["text"] for m in data["messages"]]
    assert f"{SENTENCE}, call me on {PHONE_WRITTEN}" in texts
    assert any(SENTENCE in r["text"] for r in data["replies"])  # the fake Rasa echoes
    [case] = data["cases"]
    assert ("staff", f"I read you: {SENTENCE}. Still on {PHONE_WRITTEN}?") in [
        (e["from"], e["text"]) for e in case["entries"]
    ]
    assert "note" not in [e["from"] for e in case["entries"]]
    assert "alex" not in str(data)
    assert data["rasa"] == []  # no tracker store configured with the fake Rasa
    assert WEB not in str(data)


def _audit(c):
    from bot.privacy.audit import recent

    return recent(c)


def _close_all(c):
    import sqlalchemy as sa

    from bot.db.schema import cases

    c.execute(sa.update(cases).values(status="closed", closed_at=1.0))


def test_describe_says_what_happened():
    assert "Nothing is held" in Erasure("nothing").describe()
    assert (
        "Erased everywhere: 3 rows" in Erasure("done", {"inbound": 3, "rasa_events": 4}).describe()
    )


async def test_in_a_staff_group_without_topics_each_post_about_the_case_is_deleted(
    gateway, fake_telegram, http
):
    fake_telegram.forums.clear()  # a plain group: the case is a summary and replies to it
    await plant_sms_with_staff(http, gateway)
    await web(http, gateway, "my neighbour keeps three grey ferrets")
    about_case = [p for p in fake_telegram.posts if p.chat_id < 0]
    assert any(SENTENCE in p.text for p in about_case)
    cid = gateway.conversation_id("sms", PHONE)

    assert (await gateway.app[PRIVACY].erase(cid, "cli:test")).status == "done"

    assert not any(SENTENCE in p.text for p in fake_telegram.posts)
    assert [p for p in fake_telegram.posts if p.chat_id < 0] == []
    assert await gateway.db.run(_erasures) == 0  # nothing left to do


def _erasures(c):
    import sqlalchemy as sa

    from bot.db.schema import erasures

    return c.execute(sa.select(sa.func.count()).select_from(erasures)).scalar()


async def test_the_review_inbox_loses_what_only_the_erased_client_wrote(gateway, http, tmp_path):
    from bot.db import review

    await plant_sms_with_staff(http, gateway)
    await settle(gateway)
    cid = gateway.conversation_id("sms", PHONE)
    other = gateway.conversation_id("webchat", WEB)

    def sighting(text: str, conversation: str) -> review.Sighting:
        return review.Sighting(text=text, normalised=text, kind="unsure", priority=2,
                               detail="why", conversation_key=review.conversation_key(conversation),
                               seen_at=1.0)  # fmt: skip

    await gateway.db.run(review.add, sighting("only the erased client wrote this", cid))
    await gateway.db.run(review.add, sighting("both wrote this", cid))
    await gateway.db.run(review.add, sighting("both wrote this", other))

    assert (await gateway.app[PRIVACY].erase(cid, "cli:root")).status == "done"

    items = await gateway.db.run(review.listing)
    assert [(i.text, i.count) for i in items] == [("both wrote this", 1)]
    assert found_in_store(store_url(tmp_path), ["only the erased client wrote this"]) == []
