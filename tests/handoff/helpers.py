"""Small helpers for the handoff's tests: wait until everything is delivered, read a case."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import sqlalchemy as sa

from bot.db import outbox
from bot.db.schema import cases, staff_posts
from bot.handoff.model import Case
from bot.model import OutboxItem
from bot.state import HANDOFF
from scripts.fakes.base import wait_for
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.staff_telegram import StaffTelegram, Topic


async def offer(gateway: RunningGateway, channel: str, address: str, *payloads: str) -> None:
    """Buttons as if the bot had offered them to the conversation.

    A client can send an intent only by a button the bot offered (bot/payloads.py); tests that
    drive Rasa by intent, independent of the NLU model, say first that it was offered.
    """
    cid = gateway.conversation_id(channel, address)
    body = {"text": "", "buttons": [{"title": p, "payload": p} for p in payloads]}
    offered = [OutboxItem("reply", body)]
    await gateway.db.run(outbox.queue, cid, channel, None, offered, time.time())


async def settle(gateway: RunningGateway, timeout: float = 15.0) -> None:
    """Wait until the router, the outbox and the staff relay have nothing running."""
    handoff = gateway.app[HANDOFF]

    async def all_idle() -> None:
        for _ in range(3):
            await gateway.idle(timeout)
            if handoff.relay is not None:
                await handoff.relay.idle()
            await asyncio.sleep(0.02)

    await asyncio.wait_for(all_idle(), timeout)


async def only_case(gateway: RunningGateway) -> Case:
    """The one case the test opened (open or closed)."""
    ids = await gateway.db.run(lambda c: c.execute(sa.select(cases.c.id)).scalars().all())
    assert len(ids) == 1, f"expected one case, found {len(ids)}"
    return await gateway.app[HANDOFF].desk.case(int(ids[0]))


async def case_count(gateway: RunningGateway) -> int:
    query = sa.select(sa.func.count()).select_from(cases)
    return int(await gateway.db.run(lambda c: c.execute(query).scalar_one()))


async def transcript(gateway: RunningGateway, case_id: int) -> list[tuple[str, str]]:
    entries = await gateway.app[HANDOFF].desk.transcript(case_id)
    return [(e.direction, e.text) for e in entries]


async def topic_in(fake: StaffTelegram, chat_id: int, timeout: float = 10.0) -> Topic:
    """The one topic the bot opened in ``chat_id`` (waits for it)."""
    await wait_for(lambda: len(fake.topics_in(chat_id)) == 1, timeout)
    return fake.topics_in(chat_id)[0]


async def summary_in(fake: StaffTelegram, chat_id: int, thread: int | None) -> Any:
    """The case summary: the first post with Claim or Close buttons in the topic."""
    await wait_for(lambda: any(p.buttons() for p in fake.posts_in(chat_id, thread)))
    return next(p for p in fake.posts_in(chat_id, thread) if p.buttons())


async def failed_posts(gateway: RunningGateway) -> list[str]:
    """Staff posts that could not be sent (each with its error)."""
    query = sa.select(staff_posts.c.op, staff_posts.c.last_error).where(
        staff_posts.c.status == "failed"
    )
    rows = await gateway.db.run(lambda c: c.execute(query).all())
    return [f"{op}: {error}" for op, error in rows]
