"""The gateway's side of an erasure in Rasa (bot/privacy/tracker.py), against fake replicas:
what it counts when a replica deleted the events but could not yet scrub its file (503)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.errors import RasaCannotErase
from bot.privacy.tracker import RasaEraser
from contract.erasure import SCRUB_FAILED
from scripts.fakes.rasa import FakeRasa

EVENTS = [{"event": "user", "text": "words"}, {"event": "bot", "text": "reply"}]


@pytest.fixture
async def replicas():
    async with FakeRasa() as first, FakeRasa() as second:
        yield first, second


async def test_a_503_then_an_answer_from_the_next_replica_counts_what_the_first_deleted(replicas):
    first, second = replicas
    first.trackers["conv:a"] = list(EVENTS)
    first.log_in_use = True  # deletes, then says its file still holds them

    async with aiohttp.ClientSession() as session:
        deleted = await RasaEraser(session, [first.url, second.url], "")("conv:a")

    assert deleted == len(EVENTS)
    assert "conv:a" not in first.trackers


async def test_when_no_replica_can_finish_the_error_says_why_and_counts_the_deleted(replicas):
    first, _ = replicas
    first.trackers["conv:b"] = list(EVENTS)
    first.log_in_use = True

    async with aiohttp.ClientSession() as session:
        with pytest.raises(RasaCannotErase) as caught:
            await RasaEraser(session, [first.url], "")("conv:b")

    assert caught.value.deleted == len(EVENTS)
    assert "503" in str(caught.value)
    assert SCRUB_FAILED in str(caught.value)
