"""The supervisor of `make run` (scripts/stack.py), with small stand-in processes and a clock
the test moves: what exits is started again after a back-off, the rest keeps running."""

from __future__ import annotations

import signal
import sys
import time

import pytest

from scripts.stack import Backoff, ServiceSpec, Stack, Supervisor, describe_exit

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def spec(name: str, command: list[str]) -> ServiceSpec:
    return ServiceSpec(name, command, health_url="http://127.0.0.1:9/")  # nothing answers there


@pytest.fixture
def stack():
    running = Stack()
    yield running
    running.stop(timeout=5)


def wait_exit(stack: Stack, name: str) -> None:
    stack.processes[name].wait(timeout=30)


def test_the_back_off_doubles_to_thirty_seconds():
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_an_exited_process_is_started_again_after_its_back_off_and_the_others_keep_running(
    stack,
):
    clock, said = Clock(), []
    stack.start(spec("rasa", [sys.executable, "-c", "raise SystemExit(1)"]))
    stack.start(spec("gateway", SLEEPER))
    gateway_pid = stack.pid("gateway")
    supervisor = Supervisor(stack, said.append, Backoff(), clock)
    waits = []
    for _ in range(4):  # it exits at once, every time: 1, 2, 4, 8 s
        wait_exit(stack, "rasa")
        assert supervisor.check() is None
        restart_at = supervisor.watched["rasa"].restart_at
        waits.append(restart_at - clock.now)
        clock.now = restart_at - 0.1
        supervisor.check()
        assert stack.processes["rasa"].poll() is not None  # not before its time
        clock.now = restart_at
        supervisor.check()
    assert waits == [1, 2, 4, 8]
    assert stack.pid("gateway") == gateway_pid
    assert stack.processes["gateway"].poll() is None
    assert said[0].startswith("rasa (pid ")
    assert "exited with code 1; the others keep running. Starting it again in 1 s" in said[0]
    assert said[1].startswith("rasa started again (pid ")


def test_a_process_that_stayed_up_starts_from_the_shortest_wait_again(stack):
    clock, said = Clock(), []
    stack.start(spec("rasa", SLEEPER))
    supervisor = Supervisor(stack, said.append, Backoff(stable_after=120.0), clock)
    supervisor.watched["rasa"].restarts = 5  # after a bad run of exits
    clock.now = 119.0
    supervisor.check()
    assert supervisor.watched["rasa"].restarts == 5
    clock.now = 120.0
    supervisor.check()
    assert supervisor.watched["rasa"].restarts == 0
    stack.processes["rasa"].kill()
    wait_exit(stack, "rasa")
    supervisor.check()
    assert "was killed by SIGKILL" in said[-1]
    assert "again in 1 s" in said[-1]


def test_a_gateway_whose_settings_are_wrong_stops_everything(stack):
    stack.start(spec("gateway", [sys.executable, "-c", "raise SystemExit(2)"]))
    supervisor = Supervisor(stack, print, Backoff(), Clock())
    wait_exit(stack, "gateway")
    assert supervisor.check().startswith("gateway cannot start (exited with code 2)")


def test_exits_are_described_plainly():
    assert describe_exit(1) == "exited with code 1"
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(-15) == "was killed by SIGTERM"


def test_stopping_the_stack_stops_what_runs_and_skips_what_waits(stack):
    stack.start(spec("rasa", SLEEPER))
    stack.start(spec("actions", [sys.executable, "-c", "raise SystemExit(1)"]))
    wait_exit(stack, "actions")
    started = time.monotonic()
    stack.stop(timeout=10)
    assert stack.processes["rasa"].poll() is not None
    assert time.monotonic() - started < 10


def test_a_process_is_started_again_as_respec_says(stack):
    """make run starts a Rasa replica again with the live model, which a promotion may change."""
    clock, seen = Clock(), []
    stack.start(spec("rasa", [sys.executable, "-c", "raise SystemExit(1)", "first"]))

    def respec(old: ServiceSpec) -> ServiceSpec:
        seen.append(old.command[-1])
        return ServiceSpec(old.name, [*SLEEPER, "second"], old.health_url)

    supervisor = Supervisor(stack, print, Backoff(), clock, respec=respec)
    wait_exit(stack, "rasa")
    supervisor.check()
    clock.now = supervisor.watched["rasa"].restart_at
    supervisor.check()
    assert seen == ["first"]
    assert stack.processes["rasa"].args[-1] == "second"
    assert stack.processes["rasa"].poll() is None


def test_a_process_is_stopped_with_its_own_signal(stack, tmp_path):
    """PostgreSQL stops with SIGINT (its fast shutdown; SIGTERM waits for every client)."""
    # Like PostgreSQL, the stand-in handles SIGINT itself, whatever it inherited, and says (a
    # file) when its handlers are in place, so the signal never comes before them.
    ready = tmp_path / "ready"
    trap = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "signal.signal(signal.SIGINT, signal.default_int_handler); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    )
    stack.start(
        ServiceSpec("postgres", [sys.executable, "-c", trap], "", stop_signal=signal.SIGINT)
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:  # its handlers are installed
        time.sleep(0.05)
    assert ready.exists()
    started = time.monotonic()
    stack.stop(timeout=10)
    assert stack.processes["postgres"].returncode != 0
    assert time.monotonic() - started < 10
