"""While an admin's promotion loads a model into Rasa, clients are still answered.

If an upgrade of Rasa changes the function rasa_addons/loading.py wraps, or the route that
calls it, the first tests fail: read the new code, then update the module and the fingerprint.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import threading
import time
import urllib.error
import urllib.request
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # TensorFlow's imports
    import rasa.server

from rasa_addons import loading
from scripts.model import train
from tests.servers import RasaServers, new_sender, texts

# sha256 of rasa.server._load_agent's source in rasa 3.6.21.
LOAD_AGENT_SHA256 = "a9f77df6bc59de8efbee5635d5988efa19ebca875826ecdcfcce39f5f78c220c"


def test_rasas_function_is_the_one_this_wraps() -> None:
    source = inspect.getsource(rasa.server._load_agent)
    assert hashlib.sha256(source.encode()).hexdigest() == LOAD_AGENT_SHA256
    # The route looks the function up by its module name at each call, so replacing it works.
    assert "new_agent = await _load_agent(" in inspect.getsource(rasa.server.create_app)


def test_install_wraps_and_uninstall_restores() -> None:
    original = rasa.server._load_agent
    loading.install()
    try:
        assert rasa.server._load_agent is not original
        wrapped = rasa.server._load_agent
        loading.install()  # idempotent
        assert rasa.server._load_agent is wrapped
    finally:
        loading.uninstall()
    assert rasa.server._load_agent is original


def _put_model(servers: RasaServers, path: str) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{servers.rasa_url}/model?token={servers.token}",
        json.dumps({"model_file": path}).encode(),
        {"Content-Type": "application/json"},
        method="PUT",
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, refused.read().decode()


@pytest.mark.slow
def test_a_client_is_answered_while_a_model_loads(rasa_servers: RasaServers) -> None:
    model = str(train())  # the model the servers run: loaded again
    put: dict[str, float | int] = {}

    def promote() -> None:
        put["start"] = time.monotonic()
        put["status"], _ = _put_model(rasa_servers, model)
        put["end"] = time.monotonic()

    loader = threading.Thread(target=promote)
    loader.start()
    answered: list[tuple[float, float, list[str]]] = []  # (sent, answered, texts)
    deadline = time.monotonic() + 240
    time.sleep(0.5)  # the load has begun
    while loader.is_alive() and time.monotonic() < deadline:
        sent = time.monotonic()
        replies = rasa_servers.send(new_sender(), "where can i sleep tonight", timeout=300)
        answered.append((sent, time.monotonic(), texts(replies)))
        time.sleep(0.2)
    loader.join(timeout=300)

    assert put["status"] == 204
    during = [a for a in answered if a[0] > put["start"] and a[1] < put["end"]]
    assert during, f"no message was answered during the {put['end'] - put['start']:.1f} s load"
    assert all(any("where are you" in t.lower() for t in a[2]) for a in during)
    # and the model just loaded answers
    assert any("where are you" in t.lower() for t in texts(
        rasa_servers.send(new_sender(), "where can i sleep tonight")
    ))  # fmt: skip


@pytest.mark.slow
def test_a_model_that_cannot_load_gets_rasas_error_and_the_live_one_stays(
    rasa_servers: RasaServers, tmp_path
) -> None:
    status, body = _put_model(rasa_servers, str(tmp_path / "no-such-model.tar.gz"))
    assert status == 400
    assert "could not be loaded" in body
    replies = rasa_servers.send(new_sender(), "where can i sleep tonight")
    assert any("where are you" in t.lower() for t in texts(replies))
