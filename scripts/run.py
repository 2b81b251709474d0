"""`make run`: start Rasa, the action server and the gateway, wait until all answer, say how to
talk to the assistant, keep them running, and stop all three cleanly on Ctrl-C.

A process that exits (a crash, `kill -9`) is started again with a back-off while the others
keep running (scripts/stack.Supervisor): with Rasa down the gateway still answers every client
with the crisis lines and keeps the message for when Rasa is back.

Settings come from the environment, then `.env`, then the defaults in .env.example. With no
RASA_TOKEN, a token for local use is generated once into var/rasa-token.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.model import model_path
from scripts.stack import (
    ROOT,
    Stack,
    StackError,
    Supervisor,
    actions_spec,
    gateway_spec,
    rasa_spec,
)


def local_token() -> str:
    token = os.environ.get("RASA_TOKEN")
    if token:
        return token
    path = ROOT / "var" / "rasa-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def action_endpoint(environ: Mapping[str, str]) -> str:
    """Where Rasa calls the action server: ACTION_ENDPOINT_URL if set, else the one started on
    ACTIONS_PORT (the Makefile sets no default of its own, so that ACTIONS_PORT alone works)."""
    given = environ.get("ACTION_ENDPOINT_URL", "").strip()
    port = int(environ.get("ACTIONS_PORT") or "5055")
    if not given:
        return f"http://127.0.0.1:{port}/webhook"
    parsed = urlsplit(given)
    if parsed.hostname in ("127.0.0.1", "localhost") and parsed.port not in (None, port):
        print(
            f"warning: ACTION_ENDPOINT_URL ({given}) is not the action server `make run` starts"
            f" on ACTIONS_PORT={port}; Rasa will call {given}. Unset it to use ACTIONS_PORT.",
            file=sys.stderr,
        )
    return given


def main() -> int:
    load_dotenv(ROOT / ".env", override=False)
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    actions_port = int(os.environ.get("ACTIONS_PORT", "5055"))
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8080"))
    action_url = action_endpoint(os.environ)
    tracker_db = os.environ.get("RASA_TRACKER_DB", "var/tracker.db")
    model = model_path()
    if not model.exists():
        print(f"error: no model at {model}; `make run` trains one first.", file=sys.stderr)
        return 1
    (ROOT / "var").mkdir(exist_ok=True)

    width = len("gateway")
    stack = Stack(log=lambda name, line: print(f"{name:>{width}} | {line}", flush=True))

    def say(line: str) -> None:
        print(f"{'run':>{width}} | {line}", flush=True)

    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start(actions_spec(actions_port))
        stack.start(rasa_spec(rasa_port, model, local_token(), action_url, tracker_db))
        stack.start(gateway_spec(gateway_port, f"http://127.0.0.1:{rasa_port}"))
        print(f"Starting Rasa ({model.name}), the action server and the gateway...", flush=True)
        for name in stack.processes:
            say(f"{name} started (pid {stack.pid(name)}).")
        stack.wait_ready()
        print(
            f"""
  The assistant is ready.
    Web chat:     http://localhost:{gateway_port}
    From a shell: curl -s localhost:{gateway_port}/api/webchat -H 'Content-Type: application/json' \\
                    -d '{{"sender": "me", "text": "where can i sleep tonight"}}'
    Rasa direct:  curl -s localhost:{rasa_port}/webhooks/rest/webhook \\
                    -d '{{"sender": "me", "message": "where can i sleep tonight"}}'
  Telegram and SMS start when their settings are in .env (see .env.example).
  Press Ctrl-C to stop.
""",
            flush=True,
        )
        supervisor = Supervisor(stack, say)
        while not stopping:
            fatal = supervisor.check()
            if fatal:
                print(f"error: {fatal}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        print("Stopping...", flush=True)
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    raise SystemExit(main())
