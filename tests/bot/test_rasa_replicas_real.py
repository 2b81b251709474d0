"""Two real Rasa replicas on one PostgreSQL tracker store and one Redis lock store, as
`RASA_REPLICAS=2 make run` starts them: the replica that has a conversation is killed between
two turns, and the conversation continues on the other one with what the first had understood
(its slots), each client message recorded once."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from actions.directory import build
from bot.rasa import MESSAGE_ID_KEY, RasaClient
from bot.replicas import record
from scripts import datastores
from scripts.model import train
from scripts.stack import Stack, actions_spec, free_port, rasa_spec

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NEAREST_SHELTER = "Redwood City Corps"  # in the shipped directory, near Redwood City


@dataclass
class Replicas:
    stack: Stack
    urls: tuple[str, ...]
    token: str
    model: Path


@pytest.fixture(scope="module")
def replicas() -> Iterator[Replicas]:
    missing = datastores.missing_packages()
    if missing:
        reason = f"{' and '.join(missing)} not installed (scripts/ensure-system-packages)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    model = train()
    # Not under pytest's tmp_path: its parents are private to root, and PostgreSQL runs as the
    # postgres user when the tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="rasa-replicas-"))
    folder.chmod(0o755)
    directory = folder / "directory.db"
    build.build(directory)
    token = "-" + secrets.token_urlsafe(16)
    stack = Stack()
    try:
        stores = datastores.start_shared(stack, folder)
        actions_port = free_port()
        stack.start(actions_spec(actions_port, env={"DIRECTORY_DB": str(directory)}))
        action_url = f"http://127.0.0.1:{actions_port}/webhook"
        ports = [free_port(), free_port()]
        for name, port in zip(("rasa-1", "rasa-2"), ports, strict=True):
            stack.start(rasa_spec(port, model, token, action_url, "unused.db", stores, name))
        stack.wait_ready()
        yield Replicas(stack, tuple(f"http://127.0.0.1:{p}" for p in ports), token, model)
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def test_a_promotion_from_the_cli_reaches_both_replicas(replicas, tmp_path):
    """The admin's shell names one replica (RASA_URL), `make run` recorded both: after
    `python -m bot.admin promote`, each replica's own GET /status says it runs the candidate.
    (Before this test the second replica kept the old model, issue 24.)"""
    project = tmp_path / "project"
    candidate = project / "models" / "candidates" / "candidate-replicas.tar.gz"
    candidate.parent.mkdir(parents=True)
    shutil.copy(replicas.model, candidate)
    report = {"verdict": "pass", "live": str(replicas.model), "reasons": []}
    candidate.with_suffix("").with_suffix(".gate.json").write_text(json.dumps(report))
    record(project, replicas.urls)  # as scripts/run.py does for RASA_REPLICAS=2
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "PROJECT_DIR": str(project),
        "RASA_URL": replicas.urls[0],
        "RASA_TOKEN": replicas.token,
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.admin", "--as", "robin", "promote", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()
    assert "is live on every Rasa replica: 2 of 2" in out.decode()
    async with aiohttp.ClientSession() as session:
        for url in replicas.urls:
            async with session.get(f"{url}/status", params={"token": replicas.token}) as response:
                assert (await response.json())["model_file"] == candidate.name


async def test_a_conversation_continues_on_the_other_replica_with_its_slots(replicas):
    async with aiohttp.ClientSession() as session:
        client = RasaClient(session, replicas.urls, replicas.token, 60.0, probe_interval=0.5)
        try:
            sender = next(
                s for s in (f"replica-test-{i}" for i in range(100))
                if client.home(s) == replicas.urls[0]
            )  # fmt: skip
            first = await client.send(sender, "where can i sleep tonight", {MESSAGE_ID_KEY: 1})
            assert (first[0].text or "").startswith("Where are you now?")

            process = replicas.stack.processes["rasa-1"]
            os.killpg(process.pid, signal.SIGKILL)  # a crash between two turns
            process.wait(timeout=30)

            second = await client.send(sender, "redwood city", {MESSAGE_ID_KEY: 2})
            assert any(NEAREST_SHELTER in (m.text or "") for m in second)  # the need carried over
            assert not client.is_up(replicas.urls[0])
            assert client.base_for(sender) == replicas.urls[1]

            async with session.get(
                f"{replicas.urls[1]}/conversations/{sender}/tracker",
                params={"token": replicas.token},
            ) as response:
                tracker = await response.json()
            assert tracker["slots"]["need"] == "shelter"
            assert tracker["slots"]["location"] == "Redwood City, CA"
            said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
            assert said == ["where can i sleep tonight", "redwood city"]  # each once
        finally:
            await client.close()
