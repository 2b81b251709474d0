"""Promotion and rollback through Rasa's PUT /model on every replica, against fake replicas on
loopback; what is live is recorded in models/live.json and survives a restart."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.admin.models import LIVE_FILE, Models, PromotionError, listing, read_choice


class Replica:
    """A Rasa server's PUT /model and GET /status, answering as Rasa 3.6 does."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.deaf = False  # answers 204 to PUT /model and keeps its model (as seen in issue 24)
        self.loaded: list[str] = []
        self.app = web.Application()
        self.app.router.add_put("/model", self.put)
        self.app.router.add_get("/status", self.status)
        self.runner = web.AppRunner(self.app)
        self.url = ""

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def put(self, request: web.Request) -> web.Response:
        if request.query.get("token") != "tok":
            return web.json_response({"message": "unauthorized"}, status=401)
        if self.refuse:
            return web.json_response({"message": "An unexpected error occurred."}, status=500)
        if not self.deaf:
            self.loaded.append((await request.json())["model_file"])
        return web.Response(status=204)

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": self.loaded[-1] if self.loaded else None})


def model_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        data = b'{"version": "3.6.21"}'
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
async def replicas() -> AsyncIterator[list[Replica]]:
    found = [Replica(), Replica()]
    for replica in found:
        await replica.start()
    yield found
    for replica in found:
        await replica.runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


async def model_a_live(
    tmp_path: Path, replicas: list[Replica], session: aiohttp.ClientSession
) -> tuple[Models, Path, Path]:
    """Models on the replicas with model-a promoted (live), and model-b made, not promoted."""
    live = model_file(tmp_path / "models" / "model-a.tar.gz")
    new = model_file(tmp_path / "models" / "model-b.tar.gz")
    models = Models(tmp_path, session, [r.url for r in replicas], "tok")
    await models.promote(live, by="alex")
    return models, live, new


async def test_a_promotion_reaches_every_replica_and_is_recorded(tmp_path, replicas, session):
    first = model_file(tmp_path / "models" / "model-a.tar.gz")
    second = model_file(tmp_path / "models" / "candidates" / "candidate-b.tar.gz")
    models = Models(tmp_path, session, [r.url for r in replicas], "tok")
    await models.promote(first, by="alex")
    choice = await models.promote(second, by="sam")
    assert [r.loaded for r in replicas] == [[str(first), str(second)]] * 2
    assert (choice.live, choice.history, choice.by) == (str(second), (str(first),), "sam")
    assert read_choice(tmp_path) == choice  # what make run reads after a restart
    assert await models.running() == {r.url: str(second) for r in replicas}


async def test_rollback_brings_the_previous_model_back(tmp_path, replicas, session):
    first = model_file(tmp_path / "models" / "model-a.tar.gz")
    second = model_file(tmp_path / "models" / "model-b.tar.gz")
    models = Models(tmp_path, session, [r.url for r in replicas], "tok")
    await models.promote(first, by="alex")
    await models.promote(second, by="alex")
    choice = await models.rollback(by="alex")
    assert choice.live == str(first)
    assert replicas[0].loaded[-1] == str(first)
    with pytest.raises(PromotionError, match="not one of the last"):
        await models.rollback(by="alex", to=tmp_path / "models" / "never-live.tar.gz")


async def test_a_replica_that_refuses_leaves_every_replica_on_the_live_model(
    tmp_path, replicas, session
):
    models, live, new = await model_a_live(tmp_path, replicas, session)
    replicas[1].refuse = True
    with pytest.raises(PromotionError, match=re.escape(f"Rasa at {replicas[1].url} did not load")):
        await models.promote(new, by="alex")
    assert replicas[0].loaded == [str(live), str(new), str(live)]  # put back
    assert read_choice(tmp_path).live == str(live)


async def test_a_replica_that_says_yes_but_keeps_its_model_is_named_and_nothing_changes(
    tmp_path, replicas, session
):
    models, live, new = await model_a_live(tmp_path, replicas, session)
    replicas[1].deaf = True
    with pytest.raises(PromotionError) as refused:
        await models.promote(new, by="alex")
    assert str(refused.value) == (
        f"model-b.tar.gz reached 1 of 2 Rasa replicas ({replicas[1].url} runs {live}); every"
        " replica was put back on the live model"
    )
    assert replicas[0].loaded[-1] == str(live)
    assert read_choice(tmp_path).live == str(live)
    assert await models.running() == {r.url: str(live) for r in replicas}


async def test_rasa_down_during_a_promotion_changes_nothing(tmp_path, session):
    new = model_file(tmp_path / "models" / "model-b.tar.gz")
    models = Models(tmp_path, session, ["http://127.0.0.1:9"], "tok")
    with pytest.raises(PromotionError, match="cannot reach it"):
        await models.promote(new, by="alex")
    assert not (tmp_path / LIVE_FILE).exists()


@pytest.mark.parametrize("content", [None, b"not a tar", b""])
async def test_a_missing_or_corrupt_model_is_refused_before_any_replica(
    tmp_path, replicas, session, content
):
    path = tmp_path / "models" / "broken.tar.gz"
    if content is not None:
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    models = Models(tmp_path, session, [r.url for r in replicas], "tok")
    with pytest.raises(PromotionError, match=r"no model at|not a readable"):
        await models.promote(path, by="alex")
    assert [r.loaded for r in replicas] == [[], []]


def test_the_listing_shows_candidates_live_and_history_with_verdicts(tmp_path):
    candidate = model_file(tmp_path / "models" / "candidates" / "candidate-c.tar.gz")
    (tmp_path / "models" / "candidates" / "candidate-c.gate.json").write_text(
        json.dumps({"verdict": "fail"})
    )
    from bot.admin.models import LiveChoice

    live = str(model_file(tmp_path / "models" / "model-a.tar.gz"))
    rows = listing(tmp_path, LiveChoice(live, (str(tmp_path / "models" / "gone.tar.gz"),)))
    assert [(r["name"], r["live"], r["exists"], r["verdict"]) for r in rows] == [
        (candidate.name, False, True, "fail"),
        ("model-a.tar.gz", True, True, None),
        ("gone.tar.gz", False, False, None),
    ]
