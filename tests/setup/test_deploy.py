"""The settings of a deployment on several machines (deploy/*.env.example), started here on
loopback: a Rasa machine (two replicas and the action server) and a gateway machine, sharing
one PostgreSQL (Rasa's tracker store, the gateway store) and one Redis, each started with
`make run` (scripts/run.py) and its own settings file. Only the hosts, ports and secrets change
from the files; the gateway's standby, started on the same store, sees the same history."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest
from dotenv import dotenv_values

from actions.directory import build, db
from scripts import datastores
from scripts.model import train
from scripts.stack import Stack, free_port
from tests.setup.test_run import (
    NEAREST_SHELTER,
    ROOT,
    SENDER,
    MakeRun,
    WebChat,
    alive,
    free_ports_in_a_row,
)

pytestmark = pytest.mark.slow

DEPLOY = ROOT / "deploy"
# What differs on loopback from a real deployment: where the servers are, and the secrets.
LOOPBACK = {
    "rasa": {"RASA_PORT", "RASA_INTERFACE", "RASA_TOKEN", "RASA_TRACKER_URL", "RASA_LOCK_HOST",
             "RASA_LOCK_PORT", "RASA_LOCK_PASSWORD", "ACTIONS_PORT"},
    "gateway": {"GATEWAY_HOST", "GATEWAY_PORT", "PUBLIC_URL", "RASA_URL", "RASA_TOKEN",
                "GATEWAY_DATABASE_URL", "RASA_TRACKER_URL"},
}  # fmt: skip


def example(name: str) -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(DEPLOY / f"{name}.env.example").items()}


def documented() -> set[str]:
    return {k for k in dotenv_values(ROOT / ".env.example")}


def test_every_deployment_setting_is_one_env_example_documents():
    for name in LOOPBACK:
        settings = example(name)
        assert set(settings) <= documented(), name
        assert LOOPBACK[name] <= set(settings), name


@pytest.fixture
def shared_servers() -> Iterator[tuple[dict[str, str], str]]:
    """PostgreSQL and Redis on loopback, as the deployment's one database machine: the
    replicas' store settings, and the URL of a database for the gateway store."""
    if datastores.missing_packages():
        pytest.fail("scripts/ensure-system-packages should have installed PostgreSQL and Redis")
    folder = Path(tempfile.mkdtemp(prefix="deploy-test-"))
    folder.chmod(0o755)  # PostgreSQL runs as the postgres user when the tests run as root
    stack = Stack()
    try:
        stores = datastores.start_shared(stack, folder)
        gateway_store = stores["RASA_TRACKER_URL"].rsplit("/", 1)[0] + "/gateway"
        datastores.ensure_database(gateway_store)
        yield stores, gateway_store
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


def machine(settings: dict[str, str], loopback: dict[str, str], name: str) -> MakeRun:
    assert set(loopback) == LOOPBACK[name]  # nothing else of the example is changed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RASA_", "GATEWAY_"))}
    env.pop("ACTION_ENDPOINT_URL", None)
    return MakeRun({**env, **settings, **loopback})


def test_the_deployment_examples_run_a_rasa_machine_and_a_gateway_with_its_standby(
    shared_servers,
):
    stores, gateway_store = shared_servers
    train()
    path = db.db_path()
    build.ensure(path if path.is_absolute() else ROOT / path)
    token = secrets.token_urlsafe(24)
    rasa_port = free_ports_in_a_row(2)
    rasa = machine(
        example("rasa"),
        {
            "RASA_PORT": str(rasa_port),
            "RASA_INTERFACE": "127.0.0.1",
            "RASA_TOKEN": token,
            "RASA_TRACKER_URL": stores["RASA_TRACKER_URL"],
            "RASA_LOCK_HOST": "127.0.0.1",
            "RASA_LOCK_PORT": stores["RASA_LOCK_PORT"],
            "RASA_LOCK_PASSWORD": stores["RASA_LOCK_PASSWORD"],
            "ACTIONS_PORT": str(free_port()),
        },
        "rasa",
    )
    gateway_port = free_port()
    gateway_settings = {
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(gateway_port),
        "PUBLIC_URL": f"http://127.0.0.1:{gateway_port}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port},http://127.0.0.1:{rasa_port + 1}",
        "RASA_TOKEN": token,
        "GATEWAY_DATABASE_URL": gateway_store,
        "RASA_TRACKER_URL": stores["RASA_TRACKER_URL"],
    }
    runs = [rasa]
    try:
        pids = [rasa.pid(name) for name in ("actions", "rasa-1", "rasa-2")]
        assert "postgres started" not in rasa.output  # the shared servers, not its own
        rasa.wait_for("Ready.")
        gateway = machine(example("gateway"), gateway_settings, "gateway")
        runs.append(gateway)
        pids.append(gateway.pid("gateway"))
        gateway.wait_for("The assistant is ready.")
        assert [name for name in ("rasa", "actions") if f"{name} started" in gateway.output] == []

        url = f"http://127.0.0.1:{gateway_port}"
        health = httpx.get(f"{url}/health", timeout=30).json()
        assert [r["up"] for r in health["replicas"]] == [True, True]
        chat = WebChat(url)
        try:
            chat.seen.extend(chat.say("i need a bed tonight", "m1")["replies"])
            chat.wait_for_unit(lambda u: u["text"].startswith("Where are you now?"), 120)
            chat.say("94063", "m2")
            chat.wait_for_unit(lambda u: NEAREST_SHELTER in u["text"], timeout=120)
        finally:
            chat.close()
        assert count(gateway_store, "SELECT COUNT(*) FROM inbound") == 2  # the shared store
        tracker = stores["RASA_TRACKER_URL"]  # and Rasa's too
        assert count(tracker, "SELECT COUNT(*) FROM events WHERE type_name = 'user'") >= 2

        assert gateway.stop() == 0
        standby = machine(example("gateway"), gateway_settings, "gateway")
        runs.append(standby)
        pids.append(standby.pid("gateway"))
        standby.wait_for("The assistant is ready.")
        history = httpx.get(
            f"{url}/api/webchat/messages", params={"sender": SENDER, "after": 0}, timeout=30
        ).json()["messages"]
        assert any(NEAREST_SHELTER in unit["text"] for unit in history)  # the same store
    finally:
        for run in reversed(runs):
            run.stop()
    for pid in pids:
        assert not alive(pid)


def count(url: str, sql: str) -> int:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return int(cursor.fetchone()[0])
    finally:
        connection.close()
