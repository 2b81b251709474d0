"""What `make run` hands scripts/run.py, and what run.py makes of it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scripts.run import action_endpoint

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
