"""Follow-ups and the rest of the gateway: a blocked bot, privacy (erase, export, purge),
two workers on one store, the operators' command, and answers that are not answers."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
import sqlalchemy as sa

from bot.app import FOLLOWUPS
from bot.db.schema import admin_audit, consents, followups
from bot.followups.__main__ import main as followups_main
from bot.followups.worker import FollowupWorker
from bot.state import PRIVACY
from scripts.fakes import telegram as tg
from scripts.fakes.gateway import RunningGateway
from tests.followups.test_followups_flow import (
    CHAT,
    MORNING,
    QUESTION,
    rows,
    told,
)
from tests.handoff.conftest import LA
from tests.handoff.helpers import settle


async def asked_in_the_morning(yes_at_night, fake_telegram, clock) -> RunningGateway:
    """A gateway whose client said yes at night and was asked the question this morning."""
    gateway = await yes_at_night()
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    await told(fake_telegram, QUESTION)
    return gateway


async def test_a_client_who_blocked_the_bot_gets_nothing_more(yes_at_night, fake_telegram, clock):
    gateway = await yes_at_night()
    fake_telegram.fail_next(1, 403, "Forbidden: bot was blocked by the user")
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    # The question could not be sent: it and the reminder a day later are cancelled.
    states = sorted((r.kind, r.state, r.note) for r in await rows(gateway, followups))
    assert states == [("question", "cancelled", "blocked"), ("reminder", "cancelled", "blocked")]
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=LA))
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    assert not any(QUESTION in (s.text or "") for s in fake_telegram.sent)


async def test_erasure_takes_the_follow_ups_and_export_shows_them(
    yes_at_night, fake_telegram, clock
):
    gateway = await yes_at_night()
    cid = gateway.conversation_id("telegram", str(CHAT))
    exported = await gateway.app[PRIVACY].export(cid, "console:alex")
    assert [(c["need"], c["answer"]) for c in exported["consents"]] == [("shelter", "yes")]
    assert [(f["kind"], f["state"]) for f in exported["followups"]] == [("question", "scheduled")]
    await gateway.app[PRIVACY].erase(cid, "console:alex")
    assert await rows(gateway, followups) == []
    assert await rows(gateway, consents) == []
    clock.set(MORNING)
    await gateway.app[FOLLOWUPS].tick()
    await settle(gateway)
    assert not any(QUESTION in (s.text or "") for s in fake_telegram.sent)


async def test_the_purge_keeps_what_is_still_to_come(yes_at_night, clock):
    gateway = await yes_at_night(retention_days=1)
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=LA))  # more than a day on, still scheduled
    await gateway.db.run(
        lambda c: c.execute(followups.update().values(due_at=clock() + 3600, first_due_at=clock()))
    )
    await gateway.app[PRIVACY].purge("schedule")
    [kept] = await rows(gateway, followups)
    assert kept.state == "scheduled"
    assert len(await rows(gateway, consents)) == 1  # the consent it was given on stays too
    # Sent and never answered: not kept for ever either (a staff check-in keeps its words).
    sent = clock() - 2 * 86400
    await gateway.db.run(
        lambda c: c.execute(followups.update().values(state="asked", sent_at=sent))
    )
    await gateway.app[PRIVACY].purge("schedule")
    assert await rows(gateway, followups) == []
    assert await rows(gateway, consents) == []


async def test_two_workers_on_one_store_send_each_follow_up_once(
    yes_at_night, fake_telegram, clock
):
    gateway = await yes_at_night()
    first = gateway.app[FOLLOWUPS]
    # A second gateway's worker on the same store (its own lease owner).
    second = FollowupWorker(
        first.db, first.outbox, first.texts, first.rules, clock, rates=first.rates
    )
    clock.set(MORNING)
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    await settle(gateway)
    asked = [s for s in fake_telegram.sent if (s.text or "").startswith(QUESTION)]
    assert len(asked) == 1


@pytest.mark.parametrize(
    ("words", "reply"),
    [
        ("7", "Please reply with a number from 1 to 5."),
        ("I didn't go", "Thanks for telling me."),
        ("yeah got one", "I'm glad."),
        ("yes", "I'm glad."),  # yes to "did you get a bed?"
        ("no", "Please reply with a number from 1 to 5."),  # which no: full, too far...
    ],
)
async def test_answers_that_are_and_are_not_answers(
    yes_at_night, fake_telegram, clock, words, reply
):
    await asked_in_the_morning(yes_at_night, fake_telegram, clock)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, words))
    await told(fake_telegram, reply)


@pytest.mark.parametrize("words", ["😀", "where is the food bank", "x" * 4000])
async def test_other_words_go_to_rasa_and_the_question_stays_open(
    yes_at_night, fake_telegram, fake_rasa, clock, words
):
    gateway = await asked_in_the_morning(yes_at_night, fake_telegram, clock)
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, words))
    await settle(gateway)
    await asyncio.sleep(0.2)
    await settle(gateway)
    assert fake_rasa.received[-1].message == words
    [question] = [r for r in await rows(gateway, followups) if r.kind == "question"]
    assert question.state == "asked"  # a later "2" still answers it


async def test_an_answer_a_week_late_is_a_new_message(
    yes_at_night, fake_telegram, fake_rasa, clock
):
    gateway = await asked_in_the_morning(yes_at_night, fake_telegram, clock)
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=LA))
    fake_telegram.push(tg.text_update(fake_telegram.next_update_id(), CHAT, "2"))
    await settle(gateway)
    await asyncio.sleep(0.2)
    await settle(gateway)
    assert fake_rasa.received[-1].message == "2"  # Rasa's, as any message


async def test_operators_list_and_cancel_from_the_command_line(
    yes_at_night, clock, tmp_path, monkeypatch, capsys
):
    gateway = await yes_at_night()
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway.settings.database_url.reveal())
    monkeypatch.chdir(tmp_path)  # no .env of the project's
    [scheduled] = await rows(gateway, followups)
    assert await asyncio.to_thread(followups_main, ["list"]) == 0
    out = capsys.readouterr().out
    assert f"{scheduled.id:>6}  scheduled" in out
    assert "shelter" in out
    assert "Redwood City" in out
    assert str(CHAT) not in out  # never the client's id
    # Due: its morning (the test's November) is past by the real clock the command reads.
    assert await asyncio.to_thread(followups_main, ["due"]) == 0
    assert capsys.readouterr().out.strip().endswith("1 follow-up")
    code = await asyncio.to_thread(followups_main, ["cancel", str(scheduled.id), "--by", "cli:ops"])
    assert code == 0
    assert "cancelled" in capsys.readouterr().out
    assert await asyncio.to_thread(followups_main, ["cancel", str(scheduled.id)]) == 1
    [entry] = await gateway.db.run(lambda c: c.execute(sa.select(admin_audit)).all())
    assert (entry.actor, entry.action, entry.subject) == (
        "cli:ops", "followup_cancel", f"follow-up {scheduled.id}"
    )  # fmt: skip


async def test_a_follow_up_no_worker_can_send_is_dropped_a_day_late_not_kept_for_ever(
    yes_at_night, clock
):
    gateway = await yes_at_night()
    worker = gateway.app[FOLLOWUPS]
    await worker.stop()  # only the worker of a gateway without Telegram runs here
    telegram_off = FollowupWorker(worker.db, worker.outbox, worker.texts, worker.rules, clock,
                                  rates={"sms": 15.0})  # fmt: skip
    clock.set(MORNING)
    await telegram_off.tick()
    [row] = await rows(gateway, followups)
    assert row.state == "scheduled"  # waits while its channel is off
    clock.set(datetime(2026, 11, 26, 9, 30, tzinfo=LA))
    await telegram_off.tick()
    [row] = await rows(gateway, followups)
    assert (row.state, row.note) == ("dropped", "late")
