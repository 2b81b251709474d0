"""Signing in: the throttle's bounded table, device cookies, and hashing off the event loop."""

from __future__ import annotations

import asyncio
import threading

import aiohttp
import pytest
from yarl import URL

from bot.web import auth
from bot.web.signin import SignIn
from bot.web.throttle import Throttle
from tests.handoff.conftest import ACCOUNTS, PASSWORDS
from tests.handoff.test_handoff_console import sign_in


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for())


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_blocked_after_its_limit_within_the_window_and_free_after():
    clock = Ticks()
    throttle = Throttle(limit=3, window=60.0, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("alex")
        throttle.failed("alex")
    assert throttle.blocked("alex")
    clock.now += 59.0
    assert throttle.blocked("alex")
    clock.now += 1.0
    assert not throttle.blocked("alex")
    assert len(throttle) == 0  # an expired key leaves the table


def test_the_table_is_bounded_and_never_forgets_an_active_attacker():
    clock = Ticks()
    throttle = Throttle(limit=5, window=300.0, max_keys=100, clock=clock)
    for _ in range(5):
        throttle.failed("alex")  # the name under attack
    for n in range(10_000):  # then a flood of names, one failure each, to push it out
        clock.now += 0.01
        throttle.failed(f"junk-{n}")
        assert len(throttle) <= 100
    assert throttle.blocked("alex")


def test_a_full_table_lets_go_of_expired_keys_first():
    clock = Ticks()
    throttle = Throttle(limit=5, window=300.0, max_keys=10, clock=clock)
    for n in range(10):
        throttle.failed(f"old-{n}")
    clock.now += 301.0
    throttle.failed("new")
    assert len(throttle) == 1


async def test_password_checks_run_off_the_event_loop(monkeypatch):
    threads: list[str] = []
    real = auth.authenticate

    def recording(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(auth, "authenticate", recording)

    async def key() -> str:
        return "00" * 32

    signin = SignIn(ACCOUNTS, key)
    try:
        outcomes = await asyncio.gather(
            *(signin.attempt("alex", PASSWORDS["alex"], "10.0.0.1", "") for _ in range(4))
        )
    finally:
        signin.close()
    assert all(o.account is not None for o in outcomes)
    assert threads
    assert all(name.startswith("scrypt") for name in threads)
    assert threading.main_thread().name not in threads


async def test_a_known_device_gets_in_while_its_name_is_attacked(gateway, http):
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as alex:
        status, _, session = await sign_in(alex, gateway, "alex", PASSWORDS["alex"])
        assert (status, session) == (303, True)  # a good sign-in: this browser is known now
        for name in ["alex"] * 25 + ["sam"] * 5:  # someone hammers names, from the same address
            await sign_in(http, gateway, name, "guess")
        status, text, session = await sign_in(http, gateway, "alex", PASSWORDS["alex"])
        assert status == 429  # a stranger's browser waits, even with the right password
        assert "Too many attempts" in text
        status, _, session = await sign_in(alex, gateway, "alex", PASSWORDS["alex"])
        assert (status, session) == (303, True)  # the worker's own browser still gets in
        status, _, session = await sign_in(alex, gateway, "sam", PASSWORDS["sam"])
        assert status == 429  # a device is known for its name only: sam waits like anyone


async def test_a_device_cookie_that_keeps_failing_is_trusted_no_more(gateway, http):
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as stolen:
        assert (await sign_in(stolen, gateway, "alex", PASSWORDS["alex"]))[0] == 303
        for _ in range(5):
            assert (await sign_in(stolen, gateway, "alex", "guess"))[0] == 401
        for _ in range(5):
            await sign_in(http, gateway, "alex", "guess")
        assert (await sign_in(stolen, gateway, "alex", PASSWORDS["alex"]))[0] == 429


async def test_one_address_guessing_many_names_is_slowed_down(gateway, http):
    for n in range(20):
        assert (await sign_in(http, gateway, f"name-{n}", "guess"))[0] == 401
    status, _, session = await sign_in(http, gateway, "sam", PASSWORDS["sam"])
    assert (status, session) == (429, False)


async def test_a_forged_device_cookie_is_a_stranger(gateway, http):
    for _ in range(5):
        await sign_in(http, gateway, "alex", "guess")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as forger:
        jar.update_cookies({"staff_device": "YWxleA.nonce.0000"}, URL(gateway.url))
        assert (await sign_in(forger, gateway, "alex", PASSWORDS["alex"]))[0] == 429


async def test_a_burst_of_wrong_sign_ins_sent_at_once_is_held_to_the_limit():
    """40 guesses at one name sent together: at most 5 are checked, the rest wait (issue 21).

    The count is taken before the password is checked, with nothing awaited in between, so a
    burst cannot slip past the limit while earlier checks are still running."""

    async def key() -> str:
        return "00" * 32

    signin = SignIn(ACCOUNTS, key)
    try:
        outcomes = await asyncio.gather(
            *(signin.attempt("alex", "guess", f"10.0.0.{n}", "") for n in range(40))
        )
        refused = [o.refused for o in outcomes]
        assert refused.count("wrong") == 5
        assert refused.count("throttled") == 35
        # Even the right password waits now, from a stranger's browser.
        right = await signin.attempt("alex", PASSWORDS["alex"], "10.0.1.1", "")
        assert right.refused == "throttled"
    finally:
        signin.close()


def test_a_successful_attempt_gives_its_count_back():
    ticks = Ticks()
    throttle = Throttle(2, 60.0, clock=ticks)
    assert throttle.take("k")
    throttle.give_back("k")  # it succeeded
    assert throttle.take("k")
    assert throttle.take("k")
    assert not throttle.take("k")  # two attempts counted: the third waits
