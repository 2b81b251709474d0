"""pytest fixtures that start the real Rasa server and action server on free loopback ports.

The model is the one `make test` trains from the repository (trained here too if pytest runs
alone). The processes are started once per test session and stopped at its end; each test
talks to them through Rasa's REST channel and HTTP API, as the gateway does.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from actions.directory import build
from scripts.model import train
from scripts.stack import Stack, actions_spec, free_port, rasa_spec


@dataclass
class RasaServers:
    """The running Rasa and action servers, and helpers to talk to them."""

    stack: Stack
    rasa_url: str
    actions_url: str
    token: str
    tracker_db: Path

    def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """One client message through the REST channel; the bot's replies."""
        body = json.dumps({"sender": sender, "message": text, "metadata": metadata or {}})
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            body.encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return list(json.loads(response.read()))

    def gateway_settings(self, timeout: float = 30.0) -> dict[str, Any]:
        """The gateway's settings (fields of bot.settings.Settings) for Rasa here."""
        from bot.settings import Secret

        return {
            "rasa_urls": (self.rasa_url,),
            "rasa_token": Secret(self.token),
            "rasa_timeout": timeout,
        }

    def tracker(self, sender: str) -> dict[str, Any]:
        url = f"{self.rasa_url}/conversations/{sender}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return dict(json.loads(response.read()))

    def parse(self, text: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.rasa_url}/model/parse?token={self.token}",
            json.dumps({"text": text}).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read()))


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in replies if "text" in r]


def customs(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["custom"] for r in replies if "custom" in r]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def rasa_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServers]:
    model = train()
    workdir: Path = tmp_path_factory.mktemp("rasa")
    actions_port, rasa_port = free_port(), free_port()
    # A token that begins with "-", every run: argparse once took one for an option (1 in 64).
    token = "-" + secrets.token_urlsafe(16)
    directory = workdir / "directory.db"  # the shipped directory, so searches find services
    build.build(directory)
    stack = Stack()
    try:
        stack.start(actions_spec(actions_port, env={"DIRECTORY_DB": str(directory)}))
        stack.start(
            rasa_spec(
                rasa_port,
                model,
                token,
                f"http://127.0.0.1:{actions_port}/webhook",
                str(workdir / "tracker.db"),
            )
        )
        stack.wait_ready()
        yield RasaServers(
            stack=stack,
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            actions_url=f"http://127.0.0.1:{actions_port}",
            token=token,
            tracker_db=workdir / "tracker.db",
        )
    finally:
        stack.stop()
