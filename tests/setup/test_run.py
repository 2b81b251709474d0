"""`make run` as a client sees it (scripts/run.py with the real Rasa, action server and gateway):
Rasa killed with SIGKILL, web chat answers with the outage notice, then with real answers when
Rasa is back on its own; the gateway killed, it is back too; nothing is lost; Ctrl-C stops all.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.directory import build, db
from scripts.model import train
from scripts.stack import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SENDER = "run-supervisor-test-0001"
NOTICE = "Sorry, I can't look things up right now"
NEAREST_SHELTER = "Redwood City Corps"  # in the shipped directory, near 94063
START_TIMEOUT = 600.0  # Rasa loads its model in a minute or two on a busy 2-core machine


class MakeRun:
    """scripts/run.py as a child process; its output collected as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run.py"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = START_TIMEOUT, after: int = 0) -> str:
        """The first line after line ``after`` that contains ``text`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not in the output of make run:\n{self.output[-6000:]}")

    def pid(self, name: str, after: int = 0) -> int:
        line = self.wait_for(f"{name} started", after=after)
        return int(line.split("(pid ")[1].split(")")[0])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: it only waits for its parent to read its status
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[Callable[..., MakeRun]]:
    started: list[MakeRun] = []

    def start(**extra: str) -> MakeRun:
        train()  # a no-op when the model for the current data exists
        path = db.db_path()
        build.ensure(path if path.is_absolute() else ROOT / path)
        env = {k: v for k, v in os.environ.items() if k != "ACTION_ENDPOINT_URL"}
        env.update(
            RASA_PORT=str(free_port()),
            ACTIONS_PORT=str(free_port()),
            GATEWAY_PORT=str(free_port()),
            RASA_TOKEN="-" + secrets.token_urlsafe(16),
            RASA_TRACKER_DB=str(tmp_path / "tracker.db"),
            GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.db'}",
            RASA_TIMEOUT="60",
            **extra,
        )
        run = MakeRun(env)
        started.append(run)
        return run

    yield start
    for run in started:
        pids = [int(p.split(")")[0]) for p in run.output.split("(pid ")[1:]]
        run.stop()
        for pid in pids:  # any server a test starts, it stops
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


class WebChat:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=120.0)
        self.seen: list[dict[str, Any]] = []

    def close(self) -> None:
        self.http.close()

    def say(self, text: str, message_id: str) -> dict[str, Any]:
        body = {"sender": SENDER, "text": text, "id": message_id}
        response = self.http.post(f"{self.url}/api/webchat", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_for_unit(self, found: Callable[[dict[str, Any]], bool], timeout: float) -> None:
        """Poll as the page does until a unit for which ``found`` is true has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            after = max([0, *(unit["id"] for unit in self.seen)])
            response = self.http.get(
                f"{self.url}/api/webchat/messages", params={"sender": SENDER, "after": after}
            )
            if response.status_code == 200:
                self.seen.extend(response.json()["messages"])
                if any(found(unit) for unit in self.seen):
                    return
            time.sleep(1.0)
        raise AssertionError(f"no such reply within {timeout:.0f} s; seen: {self.seen}")


def test_rasa_killed_under_make_run_is_restarted_and_web_chat_keeps_answering(make_run):
    run = make_run()
    rasa, actions, gateway = run.pid("rasa"), run.pid("actions"), run.pid("gateway")
    run.wait_for("The assistant is ready.")
    chat = WebChat(f"http://127.0.0.1:{run.env['GATEWAY_PORT']}")
    try:
        crash_rasa_then_the_gateway(run, chat, rasa, actions, gateway)
    finally:
        chat.close()


def crash_rasa_then_the_gateway(
    run: MakeRun, chat: WebChat, rasa: int, actions: int, gateway: int
) -> None:
    first = chat.say("i need a bed tonight", "m1")
    chat.seen.extend(first["replies"])
    chat.wait_for_unit(lambda u: u["text"].startswith("Where are you now?"), timeout=120)

    os.kill(rasa, signal.SIGKILL)  # a crash, not a clean stop
    mark = len(run.lines)
    run.wait_for(f"rasa (pid {rasa}) was killed by SIGKILL; the others keep running", 30)
    during = chat.say("94063", "m2")  # the gateway answers at once: notice, message kept
    assert during["pending"] is True
    assert [u["kind"] for u in during["replies"]] == ["notice"]
    assert during["replies"][0]["text"].startswith(NOTICE)
    assert "call 911" in during["replies"][0]["text"]
    chat.seen.extend(during["replies"])

    restarted = run.pid("rasa", after=mark)  # on its own, a second later
    assert restarted != rasa
    run.wait_for("rasa answers again", after=mark)
    chat.wait_for_unit(lambda u: NEAREST_SHELTER in u["text"], timeout=180)  # the kept message
    assert alive(actions)
    assert alive(gateway)  # neither was stopped or restarted
    assert f"actions (pid {actions}) " not in run.output
    assert f"gateway (pid {gateway}) " not in run.output

    os.kill(gateway, signal.SIGKILL)  # the gateway too comes back, with everything it kept
    mark = len(run.lines)
    run.wait_for(f"gateway (pid {gateway}) was killed by SIGKILL", 30)
    assert run.pid("gateway", after=mark) != gateway
    run.wait_for("gateway answers again", after=mark, timeout=120)
    history = chat.http.get(
        f"{chat.url}/api/webchat/messages", params={"sender": SENDER, "after": 0}
    ).json()["messages"]
    assert any(NEAREST_SHELTER in unit["text"] for unit in history)  # nothing lost
    again = chat.say("94063", "m2")  # the page sending it again: the same message, kept once
    assert again["duplicate"] is True

    pids = [restarted, actions, run.pid("gateway", after=mark)]
    assert run.stop() == 0  # Ctrl-C stops all three
    assert "Stopping..." in run.output
    for pid in pids:
        assert not alive(pid)
