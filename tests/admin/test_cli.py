"""``python -m bot.admin``: the same verbs as /admin, run as an admin runs them (a process, the
settings from its environment), writing the same audit log."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import replicas
from bot.admin.models import read_choice
from bot.admin.training import LOCK
from bot.db import Database
from bot.db import review as inbox
from tests.admin.test_models import Replica, model_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path: Path, project: Path, replica):
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "PROJECT_DIR": str(project),
        "RASA_URL": replica.url,
        "RASA_TOKEN": "tok",
        "STAFF_CONSOLE_USERS": "",
        "ADMIN_USERS": "",
        "PYTHONPATH": str(ROOT),
    }

    async def run(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.admin", "--as", "robin", *args, cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    return run


async def seed(tmp_path: Path, text: str) -> int:
    db = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    await db.open()
    try:
        item = inbox.Sighting(text=text, normalised=text, kind="unsure", priority=2,
                              detail="fell to nlu_fallback", conversation_key="k", seen_at=1.0)  # fmt: skip
        return await db.run(inbox.add, item)
    finally:
        await db.close()


async def test_inbox_label_discard_and_the_audit_log(cli, tmp_path, project):
    first = await seed(tmp_path, "a warm spot for the night maybe qq")
    second = await seed(tmp_path, "blah blah")
    code, out, _ = await cli("inbox")
    assert code == 0, _
    assert "2 message(s)" in out
    assert "'a warm spot for the night maybe qq'" in out
    code, out, _ = await cli("label", "--id", str(first), "find_shelter")
    assert code == 0
    assert "data/nlu/reviewed.yml" in out
    code, _, err = await cli("label", "--id", str(first), "find_food")
    assert code == 1
    assert f"message #{first} was labelled by robin already" in err
    code, out, _ = await cli("discard", str(second))
    assert code == 0
    code, out, _ = await cli("inbox")
    assert "0 message(s)" in out
    code, out, _ = await cli("label", "my number is 650 555 0199 i need food", "find_food")
    assert code == 0
    assert "[phone]" in out
    assert "650" not in (project / "data" / "nlu" / "reviewed.yml").read_text()
    code, _, err = await cli("label", "i want a taco", "find_tacos")
    assert code == 1
    assert "unknown intent 'find_tacos'" in err
    code, out, _ = await cli("audit")
    lines = out.splitlines()
    assert [line.split()[3] for line in lines] == ["label", "discard", "label"]
    assert all(" robin " in line for line in lines)


async def test_promote_only_what_passed_the_gate_and_roll_back(cli, project, replica):
    start = model_file(project / "models" / "model-start.tar.gz")
    replica.loaded.append(start.name)
    code, _, err = await cli("promote")
    assert code == 1
    assert "no candidate has passed the gate" in err
    good = model_file(project / "models" / "candidates" / "candidate-good.tar.gz")
    report = {"verdict": "pass", "live": str(start), "reasons": []}
    good.with_suffix("").with_suffix(".gate.json").write_text(json.dumps(report))
    code, out, err = await cli("promote")
    assert code == 0, err
    assert "candidate-good.tar.gz is live" in out
    assert replica.loaded[-1] == str(good)
    code, out, _ = await cli("models")
    assert "LIVE" in out.splitlines()[0]
    assert "candidate-good" in out.splitlines()[0]
    code, out, _ = await cli("rollback")
    assert code == 0
    assert "model-start.tar.gz is live" in out
    assert read_choice(project).live == str(start)
    code, _, err = await cli("rollback", "never-was.tar.gz")
    assert code == 1
    assert "there is no model 'never-was.tar.gz'" in err


async def test_train_while_another_process_trains_is_refused(cli, project, replica):
    replica.loaded.append(model_file(project / "models" / "model-start.tar.gz").name)
    (project / LOCK).parent.mkdir(parents=True, exist_ok=True)
    (project / LOCK).write_text(str(os.getpid()))  # this test's process: alive
    code, _, err = await cli("train")
    assert code == 1
    assert f"a training is running already in process {os.getpid()}" in err
    code, _, err = await cli("rollback")
    assert code == 1
    assert "a training or gate is running" in err
    (project / LOCK).write_text("999999")  # a process that is gone: a stale lock
    code, _, err = await cli("evaluate", "nothing-here.tar.gz")
    assert code == 1
    assert "there is no model 'nothing-here.tar.gz'" in err


async def test_promote_reaches_the_replicas_make_run_started_not_only_rasa_url(
    cli, project, replica
):
    """RASA_URL (the CLI's settings) names one replica; `make run` started two and recorded
    them: the promotion reaches both, and reads each one's GET /status."""
    second = Replica()
    await second.start()
    try:
        replicas.record(project, [replica.url, second.url])
        good = model_file(project / "models" / "candidates" / "candidate-good.tar.gz")
        report = {"verdict": "pass", "live": None, "reasons": []}
        good.with_suffix("").with_suffix(".gate.json").write_text(json.dumps(report))
        code, out, err = await cli("promote")
        assert code == 0, err
        assert f"2 of 2 ({replica.url}, {second.url}), each checked by GET /status" in out
        assert replica.loaded == second.loaded == [str(good)]
        # A record whose make run has stopped is stale: RASA_URL's one replica again.
        replicas.record(project, [replica.url, second.url], pid=dead_pid())
        newer = model_file(project / "models" / "candidates" / "candidate-newer.tar.gz")
        report = {"verdict": "pass", "live": str(good), "reasons": []}
        newer.with_suffix("").with_suffix(".gate.json").write_text(json.dumps(report))
        code, out, err = await cli("promote", str(newer))
        assert code == 0, err
        assert f"1 of 1 ({replica.url})" in out
    finally:
        await second.runner.cleanup()


def dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)  # fmt: skip
    return int(process.stdout)
