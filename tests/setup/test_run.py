"""`make run` as a client sees it (scripts/run.py with the real Rasa, action server and gateway):
Rasa killed with SIGKILL, web chat answers with the outage notice, then with real answers when
Rasa is back on its own; the gateway killed, it is back too; nothing is lost; Ctrl-C stops all.
With RASA_REPLICAS=2, two Rasa servers on the PostgreSQL and Redis make run starts answer web
chat, and Ctrl-C stops those too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from actions.directory import build, db
from scripts import datastores
from scripts.model import train
from scripts.stack import free_port
from tests.setup.make_run import (
    NEAREST_SHELTER,
    ROOT,
    SENDER,
    MakeRun,
    WebChat,
    alive,
    free_ports_in_a_row,
)

pytestmark = pytest.mark.slow

NOTICE = "Sorry, I can't look things up right now"


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
            RASA_REPLICAS_RECORD=str(tmp_path / "rasa-replicas.json"),
        )
        env.update(extra)
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


def test_make_run_with_two_replicas_answers_web_chat_on_postgresql_and_redis(make_run):
    if datastores.missing_packages():
        pytest.fail("scripts/ensure-system-packages should have installed PostgreSQL and Redis")
    stores = Path(tempfile.mkdtemp(prefix="make-run-stores-"))
    stores.chmod(0o755)  # PostgreSQL runs as the postgres user when the tests run as root
    try:
        run = make_run(
            RASA_REPLICAS="2", RASA_PORT=str(free_ports_in_a_row(2)), RASA_STORES_DIR=str(stores)
        )
        processes = {name: run.pid(name) for name in ("postgres", "redis", "rasa-1", "rasa-2")}
        run.wait_for("The assistant is ready.")
        assert "conversations in PostgreSQL at 127.0.0.1:" in run.output
        url = f"http://127.0.0.1:{run.env['GATEWAY_PORT']}"
        health = httpx.get(f"{url}/health", timeout=30).json()
        assert health["rasa"] == "up"
        [one, two] = health["replicas"]
        assert one["model"].startswith("model-")
        assert one["model"] == two["model"]  # both run the same model
        # The record the admin CLI reads to reach every replica (bot/replicas.py).
        record = json.loads(Path(run.env["RASA_REPLICAS_RECORD"]).read_text())
        ports = int(run.env["RASA_PORT"]), int(run.env["RASA_PORT"]) + 1
        assert record["rasa_urls"] == [f"http://127.0.0.1:{port}" for port in ports]

        chat = WebChat(url)
        try:
            first = chat.say("i need a bed tonight", "m1")
            chat.seen.extend(first["replies"])
            chat.wait_for_unit(lambda u: u["text"].startswith("Where are you now?"), 120)
            chat.say("94063", "m2")
            chat.wait_for_unit(lambda u: NEAREST_SHELTER in u["text"], timeout=120)
        finally:
            chat.close()
        assert (stores / "postgres" / "data" / "PG_VERSION").exists()
        assert run.stop() == 0  # Ctrl-C stops everything, PostgreSQL and Redis last
        for name, pid in processes.items():
            assert not alive(pid), name
        assert not Path(run.env["RASA_REPLICAS_RECORD"]).exists()  # no stale record
    finally:
        shutil.rmtree(stores, ignore_errors=True)
