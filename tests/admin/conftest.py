"""Fixtures for the admin loop's route tests: a project of one's own (the repository's domain
and NLU data, copied, so labels and candidates never touch the repository), fake Rasa replicas
that answer PUT /model, and the real gateway with an admin (alex, kim) and a member of staff
who is not one (sam), signed in as a browser would (the session cookie, the CSRF token of the
page)."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.admin.training import Trainer
from bot.handoff.settings import HandoffSettings
from bot.state import ADMIN
from bot.web.auth import StaffAccount, hash_password
from scripts.fakes.gateway import RunningGateway, loopback_settings
from tests.admin.test_models import Replica, model_file
from tests.admin.test_training import FAKE_GATE, FAKE_TRAIN
from tests.gateway_fixtures import http, start_gateway

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"alex": "alex-admin-password-1", "kim": "kim-admin-password-2",
             "sam": "sam-staff-password-3"}  # fmt: skip
ACCOUNTS = tuple(StaffAccount(n, hash_password(p)) for n, p in PASSWORDS.items())
ADMINS = frozenset({"alex", "kim"})

__all__ = ["http", "start_gateway"]


@pytest.fixture
def clock() -> Callable[[], float]:
    import time

    return time.time


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the admin loop reads and writes: the domain and the NLU data."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    shutil.copytree(ROOT / "data" / "nlu", root / "data" / "nlu")
    (root / "tests" / "nlu").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "nlu" / "heldout.yml", root / "tests" / "nlu" / "heldout.yml")
    return root


@pytest.fixture
async def replica() -> AsyncIterator[Replica]:
    found = Replica()
    await found.start()
    yield found
    await found.runner.cleanup()


class Browser:
    """One signed-in person: their own cookie jar, the CSRF token of the last page read."""

    def __init__(self, gateway: RunningGateway, session: aiohttp.ClientSession) -> None:
        self.gateway, self.session, self.csrf = gateway, session, ""

    async def sign_in(self, name: str) -> None:
        form = {"name": name, "password": PASSWORDS[name]}
        url = f"{self.gateway.url}/staff/login"
        async with self.session.post(url, data=form, allow_redirects=False) as response:
            assert response.status == 303, await response.text()

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.gateway.url + path, allow_redirects=False) as response:
            text = await response.text()
            found = re.search(r"name=[\"']csrf[\"'] value=[\"']([^\"']+)", text)
            if found:
                self.csrf = found[1]
            return response.status, text

    async def post(self, path: str, **form: str) -> tuple[int, str]:
        data = {"csrf": self.csrf, **form}
        async with self.session.post(self.gateway.url + path, data=data) as response:
            return response.status, await response.text()


@pytest.fixture
async def browsers() -> AsyncIterator[Callable[[RunningGateway], Any]]:
    sessions: list[aiohttp.ClientSession] = []

    async def make(gateway: RunningGateway, name: str | None = None) -> Browser:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(session)
        browser = Browser(gateway, session)
        if name is not None:
            await browser.sign_in(name)
            await browser.get("/admin" if name in ADMINS else "/staff")
        return browser

    yield make
    for session in sessions:
        await session.close()


@pytest.fixture
def admin_gateway(start_gateway, project: Path, replica: Replica, tmp_path: Path):
    """``await admin_gateway(**settings)``: the gateway on ``project``, Rasa = the fake replica."""

    async def start(**fields: Any) -> RunningGateway:
        def build(url: str):
            values = {
                "handoff": HandoffSettings(console_accounts=ACCOUNTS, admins=ADMINS),
                "project_dir": str(project),
                "rasa_token": __import__("bot.settings").settings.Secret("tok"),
                **fields,
            }
            return loopback_settings(url, tmp_path / "gateway.db", replica.url, **values)

        return await start_gateway(build)

    return start


def fake_trainer(gateway: RunningGateway, pause: float = 0.0, verdict: str = "pass",
                 code: int = 0) -> Trainer:  # fmt: skip
    """Give the gateway's admin a trainer whose commands are stand-ins (test_training.py's)."""
    admin = gateway.app[ADMIN]
    script = admin.root / "fake_train.py"
    archive = (  # a file Rasa's PUT /model would accept: a tar.gz with metadata.json
        "import io, tarfile\n"
        "with tarfile.open(target, 'w:gz') as tar:\n"
        "    info = tarfile.TarInfo('metadata.json'); info.size = 2\n"
        "    tar.addfile(info, io.BytesIO(b'{}'))"
    )
    body = FAKE_TRAIN.replace('target.write_bytes(b"model")', archive)
    assert body != FAKE_TRAIN
    script.write_text(body + (f"\nsys.exit({code})\n" if code else ""))

    def train(root: Path, name: str, base: Path | None) -> list[str]:
        how = f"finetune:{base}" if base else "full"
        folder = str(root / "models" / "candidates")
        return [sys.executable, str(script), folder, name, str(pause), how]

    def gate(root: Path, live: Path, candidate: Path, report: Path) -> list[str]:
        code = (f"import json,sys; open(sys.argv[1],'w').write(json.dumps({{'verdict': "
                f"sys.argv[2], 'live': {str(live)!r}, 'candidate': {str(candidate)!r}, "
                "'reasons': [] if sys.argv[2] == 'pass' else ['reviewed: misses 1 risk example(s)'],"
                " 'sets': {}}))")  # fmt: skip
        return [sys.executable, "-c", code, str(report), verdict]

    admin.trainer = Trainer(admin.root, lambda: admin._live, train=train, gate=gate,
                            on_finish=admin._trained)  # fmt: skip
    return admin.trainer


def live_model(project: Path, replica: Replica) -> Path:
    """A model Rasa runs before any promotion (as `make run` starts it)."""
    path = model_file(project / "models" / "model-start.tar.gz")
    replica.loaded.append(path.name)  # Rasa's /status names the file only
    return path


__all__ += ["FAKE_GATE", "Browser", "fake_trainer", "live_model", "model_file"]
