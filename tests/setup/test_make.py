"""What `make run` hands scripts/run.py, and what run.py makes of it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scripts.run import (
    action_endpoint,
    processes_to_run,
    replica_count,
    replica_names,
    shared_stores,
    with_model,
)
from scripts.stack import STORE_DEFAULTS, Stack, StackError, rasa_spec, store_settings

ROOT = Path(__file__).resolve().parents[2]
# A stand-in for the venv's python: records its arguments and environment, does nothing else.
RECORDER = """#!/bin/sh
printf '%s\\n' "$*" >> "$RECORD.args"
if [ "$1" = scripts/run.py ]; then
    python3 -c 'import json, os; print(json.dumps(dict(os.environ)))' > "$RECORD.env"
fi
"""


def make_run_environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment `make run` starts scripts/run.py with (nothing else is started)."""
    fake = tmp_path / "python"
    fake.write_text(RECORDER)
    fake.chmod(0o755)
    stamp = tmp_path / "installed"  # newer than the requirements: make installs nothing
    stamp.touch()
    record = tmp_path / "record"
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RECORD": str(record), **env}
    subprocess.run(
        ["make", "--no-print-directory", "-s", "run", f"PY={fake}", f"STAMP={stamp}"],
        cwd=ROOT,
        env=clean,
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "record.args").read_text().splitlines()[-1] == "scripts/run.py"
    return dict(json.loads((tmp_path / "record.env").read_text()))


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:5055/webhook"),
        ({"ACTIONS_PORT": "6055"}, "http://127.0.0.1:6055/webhook"),
        ({"ACTION_ENDPOINT_URL": "http://actions.internal:7000/webhook"},
         "http://actions.internal:7000/webhook"),
    ],
    ids=["defaults", "actions-port", "explicit-url"],
)  # fmt: skip
def test_make_run_points_rasa_at_the_action_server_it_starts(tmp_path, env, url):
    assert action_endpoint(make_run_environment(tmp_path, **env)) == url


def test_a_url_that_contradicts_actions_port_is_used_but_named(capsys):
    environ = {"ACTIONS_PORT": "6055", "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook"}
    assert action_endpoint(environ) == "http://127.0.0.1:5055/webhook"
    assert "not the action server `make run` starts on ACTIONS_PORT=6055" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "count"), [(None, 1), ("", 1), ("1", 1), ("2", 2), (" 3 ", 3), ("16", 16)]
)
def test_rasa_replicas_says_how_many_rasa_servers_make_run_starts(value, count):
    assert replica_count({} if value is None else {"RASA_REPLICAS": value}) == count
    names = replica_names(count)
    assert names == (["rasa"] if count == 1 else [f"rasa-{i}" for i in range(1, count + 1)])


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "17"])
def test_a_replica_count_that_cannot_work_is_refused(value):
    with pytest.raises(StackError, match="RASA_REPLICAS must be a whole number from 1 to 16"):
        replica_count({"RASA_REPLICAS": value})


def test_make_run_sets_no_store_of_its_own_so_that_env_file_values_reach_run_py(tmp_path):
    environment = make_run_environment(tmp_path)
    assert not {name for name in STORE_DEFAULTS if name in environment}
    assert store_settings(environment)["RASA_TRACKER_DIALECT"] == "sqlite"  # run.py's defaults


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"RASA_TRACKER_URL": "postgresql://r:p@db/rasa"}, "set both RASA_TRACKER_URL and"),
        ({"RASA_LOCK_HOST": "redis.internal"}, "set both RASA_TRACKER_URL and"),
        ({"RASA_TRACKER_URL": "sqlite:///x.db", "RASA_LOCK_HOST": "r"}, "must be a postgresql://"),
    ],
)
def test_replicas_on_servers_of_ones_own_need_both_and_postgresql(settings, message):
    with pytest.raises(StackError, match=message):
        shared_stores(Stack(), store_settings(settings), print)


def test_replicas_on_servers_of_ones_own_start_none_here():
    stack = Stack()
    given = {"RASA_TRACKER_URL": "postgresql://r:p@db.internal/rasa", "RASA_LOCK_HOST": "redis"}
    stores = shared_stores(stack, store_settings(given), print)
    assert stack.processes == {}
    assert stores["RASA_TRACKER_DIALECT"] == "postgresql"
    assert stores["RASA_LOCK_STORE"] == "redis"


def test_a_replica_started_again_gets_the_model_asked_for():
    spec = rasa_spec(5005, Path("models/old.tar.gz"), "t", "http://a/webhook", "var/tracker.db")
    again = with_model(spec, Path("models/new.tar.gz"))
    assert again.command[again.command.index("--model") + 1] == "models/new.tar.gz"
    assert (again.name, again.env, again.health_url) == (spec.name, spec.env, spec.health_url)


@pytest.mark.parametrize(
    ("value", "running"),
    [
        (None, ("rasa", "actions", "gateway")),
        ("gateway", ("gateway",)),
        ("rasa, actions", ("rasa", "actions")),
        ("actions,actions", ("actions",)),
    ],
)
def test_run_processes_says_what_this_machine_runs(value, running):
    assert processes_to_run({} if value is None else {"RUN_PROCESSES": value}) == running


@pytest.mark.parametrize("value", ["rasa,postgres", ",", "everything"])
def test_a_process_make_run_does_not_know_is_refused(value):
    with pytest.raises(StackError, match="RUN_PROCESSES lists rasa, actions, gateway"):
        processes_to_run({"RUN_PROCESSES": value})
