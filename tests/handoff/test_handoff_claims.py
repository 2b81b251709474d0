"""Claim races between two members of staff: through Telegram buttons, replies, the console, and
two gateway replicas on one PostgreSQL store. Exactly one wins; the client hears one voice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from bot.db import Database, conversations, schema
from bot.errors import ClaimedByOther
from bot.handoff import cases
from bot.handoff.model import Request, Staff
from bot.state import HANDOFF
from scripts.fakes import telegram as tg
from scripts.fakes.base import wait_for
from scripts.fakes.postgres import new_database
from scripts.fakes.staff_telegram import ALEX, SAM, STAFF_CHAT, staff_button
from tests.handoff.helpers import only_case, settle, summary_in, topic_in, transcript

CLIENT = 555000333
JOINED = "A person from our team is here now and will reply in this chat."


async def open_case(fake_telegram, start_gateway, settings_for):
    gateway = await start_gateway(settings_for(telegram=fake_telegram))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CLIENT, "talk to a person"))
    topic = await topic_in(fake_telegram, STAFF_CHAT)
    summary = await summary_in(fake_telegram, STAFF_CHAT, topic.thread)
    await settle(gateway)
    return gateway, topic, summary


async def test_two_staff_press_claim_at_once_and_one_has_the_case(
    start_gateway, settings_for, fake_telegram
):
    gateway, topic, summary = await open_case(fake_telegram, start_gateway, settings_for)
    for who in (ALEX, SAM):  # both deliveries run at the same time
        fake_telegram.push(
            staff_button(
                fake_telegram.next_update_id(),
                STAFF_CHAT,
                who,
                "h:claim:1",
                summary.message_id,
                topic.thread,
            )
        )
    await wait_for(lambda: len(fake_telegram.callback_answers) == 2)
    await settle(gateway)
    answers = sorted(fake_telegram.callback_answers)
    won = "Case #1 is yours: write in its topic to answer."
    assert won in answers
    [lost] = [a for a in answers if a != won]
    case = await only_case(gateway)
    assert lost == f"Case #1 is already claimed by {case.claimed_by_name}."
    assert fake_telegram.texts_to(CLIENT).count(JOINED) == 1


async def test_two_staff_answer_at_once_and_only_the_first_reaches_the_client(
    start_gateway, settings_for, fake_telegram, staff_say
):
    gateway, topic, _ = await open_case(fake_telegram, start_gateway, settings_for)
    staff_say("Hello, Alex here", topic.thread)
    staff_say("Hello, Sam here", topic.thread, user_id=SAM)
    await wait_for(
        lambda: any(
            "already claimed" in p.text for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread)
        )
    )
    await settle(gateway)
    case = await only_case(gateway)
    winner = "Alex" if case.claimed_by_name.startswith("Alex") else "Sam"
    assert fake_telegram.texts_to(CLIENT)[-2:] == [JOINED, f"Hello, {winner} here"]
    assert len(fake_telegram.texts_to(CLIENT)) == 3  # finding, joined, the winner's words
    [refusal] = [
        p for p in fake_telegram.posts_in(STAFF_CHAT, topic.thread) if "already claimed" in p.text
    ]
    assert refusal.text == f"Case #1 is already claimed by {case.claimed_by_name}."


async def test_the_console_and_telegram_race_for_a_case(start_gateway, settings_for, fake_telegram):
    gateway, _, _ = await open_case(fake_telegram, start_gateway, settings_for)
    desk = gateway.app[HANDOFF].desk
    results = await asyncio.gather(
        desk.claim(1, Staff("console:sam", "sam")),
        desk.claim(1, Staff("tg:alex", "Alex R."), STAFF_CHAT),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ClaimedByOther) for r in results) == 1
    lines = await transcript(gateway, 1)
    assert sum(line[1].endswith("claimed the case.") for line in lines) == 1


@pytest.fixture
async def two_replicas(postgres_url: str) -> AsyncIterator[list[Database]]:
    """Two gateway stores on one new PostgreSQL database, as two replicas would have."""
    url = new_database(postgres_url)
    stores = [Database(url), Database(url)]
    for store in stores:
        await store.open()
    yield stores
    for store in stores:
        await store.close()


async def test_two_gateway_replicas_on_postgresql_cannot_both_claim(two_replicas):
    first, second = two_replicas

    def open_one(c):
        conversations.ensure(c, "c1", "sms", "+16505550100", 0.0)
        case, new = cases.open_case(
            c, "c1", "sms", Request("request_human", "normal"), "office", None, 0.0
        )
        again, new_again = cases.open_case(
            c, "c1", "sms", Request("request_human", "normal"), "office", None, 0.0
        )
        return case.id, new, again.id, new_again

    case_id, new, again, new_again = await first.run(open_one)
    assert (new, new_again, again) == (True, False, case_id)  # one open case per conversation

    waiting = sa.update(schema.cases).values(status="waiting")
    for _ in range(20):  # many rounds, so the two really overlap
        await first.run(lambda c: c.execute(waiting))
        won = await asyncio.gather(
            first.run(cases.claim, case_id, Staff("a", "A"), 1.0),
            second.run(cases.claim, case_id, Staff("b", "B"), 1.0),
        )
        assert sum(result is not None for result in won) == 1
