"""Sends keep to the providers' limits (bot/pacing.py): a burst, then one a second to one chat.

The gateway tests lift the pacing (the fakes have no limits; tests/conftest.py); these hold it
on a clock of their own, and `test_replies_to_one_chat_are_paced` (test_gateway_telegram.py,
marked ``paced``) end to end.
"""

from __future__ import annotations

import pytest

from bot.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def telegram_like(clock: Clock) -> Pacer:
    return Pacer(
        per_key_rate=1.0, per_key_burst=3, overall_rate=30.0, overall_burst=30, clock=clock
    )


def test_a_burst_goes_at_once_then_one_a_second_to_one_chat():
    clock = Clock()
    pacer = telegram_like(clock)
    assert [pacer.delay("chat-a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert [pacer.delay("chat-a") for _ in range(2)] == pytest.approx([1.0, 2.0])
    assert pacer.delay("chat-b") == 0.0  # another chat has its own allowance


def test_the_allowance_comes_back_with_time():
    clock = Clock()
    pacer = telegram_like(clock)
    for _ in range(3):
        pacer.delay("chat-a")
    clock.now += 2.0
    assert [pacer.delay("chat-a") for _ in range(3)] == pytest.approx([0.0, 0.0, 1.0])


def test_the_overall_rate_holds_across_chats():
    clock = Clock()
    pacer = telegram_like(clock)
    delays = [pacer.delay(f"chat-{i}") for i in range(32)]
    assert delays[:30] == [0.0] * 30
    assert delays[30:] == pytest.approx([1 / 30, 2 / 30])


def test_a_retry_after_holds_every_send_of_the_channel():
    clock = Clock()
    pacer = telegram_like(clock)
    pacer.pause(7.0)
    assert pacer.delay("chat-a") == pytest.approx(7.0)
    assert pacer.delay("chat-b") == pytest.approx(7.0)
    clock.now += 7.0
    assert pacer.delay("chat-c") == 0.0
