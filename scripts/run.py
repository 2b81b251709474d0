"""`make run`: start Rasa, the action server and the gateway, wait until all answer, say how to
talk to the assistant, keep them running, and stop all of them cleanly on Ctrl-C.

A process that exits (a crash, `kill -9`) is started again with a back-off while the others
keep running (scripts/stack.Supervisor): with Rasa down the gateway still answers every client
with the crisis lines and keeps the message for when Rasa is back.

`RASA_REPLICAS=N` (default 1) starts N Rasa servers on RASA_PORT, RASA_PORT+1, ...; the gateway
sends each conversation to one of them, and to the next one that is up while its own is down
(bot/rasa.py). N > 1 needs a shared tracker store and lock store: PostgreSQL and Redis, started
here on free loopback ports (scripts/datastores.py) unless RASA_TRACKER_URL and RASA_LOCK_HOST
name servers of your own. One replica keeps the SQLite file and locks in memory.

Rasa loads the live model: the one an admin promoted (models/live.json) if it exists, else the
one trained from the current data; a replica started again after a promotion loads the
promoted one too.

Settings come from the environment, then `.env`, then the defaults in .env.example. With no
RASA_TOKEN, a token for local use is generated once into var/rasa-token. With no
STAFF_CONSOLE_USERS nor ADMIN_USERS, a local admin account and a local staff account are made
on the first run (var/local-accounts.env keeps only their scrypt hashes; the tokens are
printed once), so that the staff console and /admin can be tried from two browser tabs.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import replicas as replica_record
from scripts import datastores
from scripts.model import live_model
from scripts.stack import (
    ROOT,
    ServiceSpec,
    Stack,
    StackError,
    Supervisor,
    WarningFilter,
    actions_spec,
    debugging,
    gateway_spec,
    rasa_spec,
    store_settings,
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


LOCAL_ACCOUNTS = ROOT / "var" / "local-accounts.env"
ACCOUNT_KEYS = ("STAFF_CONSOLE_USERS", "ADMIN_USERS")


def local_accounts(
    environ: Mapping[str, str], path: Path = LOCAL_ACCOUNTS
) -> tuple[dict[str, str], dict[str, str]]:
    """The console accounts for a local run: (settings for the gateway, tokens made now).

    Nothing when the environment (or .env) names accounts of its own. Else the accounts of
    ``path``, made on the first run: ``admin`` (ADMIN_USERS) and ``staff``, each with a random
    token returned once, and only its scrypt hash written.
    """
    if any((environ.get(key) or "").strip() for key in ACCOUNT_KEYS):
        return {}, {}
    from dotenv import dotenv_values

    from bot.web.auth import hash_password

    made: dict[str, str] = {}
    if not path.exists():
        made = {name: secrets.token_urlsafe(18) for name in ("admin", "staff")}
        users = " ".join(f"{name}:{hash_password(token)}" for name, token in made.items())
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(
                "# Local console accounts made by `make run` (scripts/run.py): scrypt hashes only.\n"
                "# Delete this file for new tokens; set STAFF_CONSOLE_USERS in .env for real ones.\n"
                f"STAFF_CONSOLE_USERS={users}\nADMIN_USERS=admin\n"
            )
    values = dotenv_values(path)
    return {key: values.get(key) or "" for key in ACCOUNT_KEYS}, made


def sign_in_text(port: int, accounts: Mapping[str, str], made: Mapping[str, str]) -> str:
    """How to sign in to the staff console and /admin, with the tokens if made just now."""
    if not accounts:
        return (f"    Staff console: http://localhost:{port}/staff · admin: http://localhost:{port}"
                "/admin (the accounts of STAFF_CONSOLE_USERS; ADMIN_USERS for /admin)\n")  # fmt: skip
    lines = (
        f"    Staff console: http://localhost:{port}/staff   Admin: http://localhost:{port}/admin\n"
    )
    if made:
        lines += "    Sign in with these tokens (shown once; only their hashes are kept):\n"
        lines += (
            f"      name: admin  token: {made['admin']}   (the admins' pages and the console)\n"
        )
        lines += f"      name: staff  token: {made['staff']}   (the staff console only)\n"
    else:
        lines += (
            "    Sign in as admin or staff with the tokens shown on the first run (lost them?\n"
            f"    delete {LOCAL_ACCOUNTS.relative_to(ROOT)} and start again for new ones).\n"
        )
    return lines


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


def replica_count(environ: Mapping[str, str]) -> int:
    """RASA_REPLICAS: how many Rasa servers to start (1 when unset)."""
    raw = (environ.get("RASA_REPLICAS") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 16:
        raise StackError(f"RASA_REPLICAS must be a whole number from 1 to 16, not {raw!r}")
    return int(raw)


def replica_names(count: int) -> list[str]:
    """``rasa`` for one process; ``rasa-1``, ``rasa-2``... for several."""
    return ["rasa"] if count == 1 else [f"rasa-{i}" for i in range(1, count + 1)]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def with_model(spec: ServiceSpec, model: Path) -> ServiceSpec:
    """``spec`` with Rasa's ``--model`` argument changed to ``model`` (other specs unchanged)."""
    if "--model" not in spec.command:
        return spec
    command = list(spec.command)
    command[command.index("--model") + 1] = str(model)
    return ServiceSpec(spec.name, command, spec.health_url, spec.env, spec.stop_signal)


def shared_stores(
    stack: Stack, stores: dict[str, str], say: Callable[[str], None]
) -> dict[str, str]:
    """The stores several replicas share: the servers the settings name, else a PostgreSQL and
    a Redis started here (installed first if they are missing and we may)."""
    tracker_url, lock_host = stores["RASA_TRACKER_URL"], stores["RASA_LOCK_HOST"]
    if tracker_url and lock_host:
        if not tracker_url.startswith(("postgresql://", "postgresql+")):
            raise StackError("RASA_TRACKER_URL must be a postgresql:// URL for several replicas")
        return {**stores, "RASA_TRACKER_DIALECT": "postgresql", "RASA_LOCK_STORE": "redis"}
    if tracker_url or lock_host:
        raise StackError(
            "several replicas: set both RASA_TRACKER_URL and RASA_LOCK_HOST (your own servers),"
            " or neither (make run starts PostgreSQL and Redis)"
        )
    if datastores.missing_packages():
        subprocess.run([str(ROOT / "scripts" / "ensure-system-packages"), "postgresql", "redis-server"],
                       check=False)  # fmt: skip
    missing = datastores.missing_packages()
    if missing:
        raise StackError(
            f"several Rasa replicas need {' and '.join(missing)}: install "
            f"{' '.join(missing)} (Debian: apt-get install {' '.join(missing)}), or set "
            "RASA_REPLICAS=1"
        )
    try:
        folder = Path(os.environ.get("RASA_STORES_DIR") or ROOT / "var")
        shared = datastores.start_shared(
            stack, folder if folder.is_absolute() else ROOT / folder, say
        )
    except datastores.DatastoreUnavailable as exc:
        raise StackError(str(exc)) from None
    return {**stores, **shared}


PROCESSES = ("rasa", "actions", "gateway")


def processes_to_run(environ: Mapping[str, str]) -> tuple[str, ...]:
    """RUN_PROCESSES: which of rasa, actions and gateway this machine runs (all when unset)."""
    raw = environ.get("RUN_PROCESSES") or ",".join(PROCESSES)
    chosen = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in PROCESSES]
    if unknown or not chosen:
        raise StackError(f"RUN_PROCESSES lists {', '.join(PROCESSES)}, not {raw!r}")
    return chosen


def main() -> int:
    load_dotenv(ROOT / ".env", override=False)
    try:
        replicas = replica_count(os.environ)
        running = processes_to_run(os.environ)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    actions_port = int(os.environ.get("ACTIONS_PORT", "5055"))
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8080"))
    rasa_interface = os.environ.get("RASA_INTERFACE") or "127.0.0.1"
    action_url = action_endpoint(os.environ)
    stores = store_settings(os.environ)
    model = live_model()
    if "rasa" in running and not model.exists():
        print(f"error: no model at {model}; `make run` trains one first.", file=sys.stderr)
        return 1
    rasa_ports = [rasa_port + i for i in range(replicas)] if "rasa" in running else []
    busy = [port for port in rasa_ports if port_in_use(port)]
    if busy:
        print(
            f"error: port {', '.join(map(str, busy))} is in use: {replicas} Rasa replica(s) need"
            f" RASA_PORT={rasa_port} and the {replicas - 1} port(s) after it. Set RASA_PORT.",
            file=sys.stderr,
        )
        return 1
    (ROOT / "var").mkdir(exist_ok=True)

    names = replica_names(replicas) if "rasa" in running else []
    width = max(len("gateway"), len("postgres"), *(len(n) for n in names))
    filters: dict[str, WarningFilter] = {}

    def show(name: str, line: str) -> None:
        """A process's line, its dependencies' warnings left out unless LOG_LEVEL=debug."""
        if debugging() or filters.setdefault(name, WarningFilter()).keep(line):
            print(f"{name:>{width}} | {line}", flush=True)

    stack = Stack(log=show)

    def say(line: str) -> None:
        print(f"{'run':>{width}} | {line}", flush=True)

    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    accounts: dict[str, str] = {}
    made: dict[str, str] = {}
    try:
        # Several replicas, or servers of one's own: PostgreSQL and Redis. The gateway alone
        # needs neither (it reads the tracker store only through RASA_TRACKER_URL, if given).
        shared = replicas > 1 or bool(stores["RASA_TRACKER_URL"] or stores["RASA_LOCK_HOST"])
        if "rasa" in running and shared:
            stores = shared_stores(stack, stores, say)
        if "actions" in running:
            interface = os.environ.get("ACTIONS_INTERFACE") or "127.0.0.1"
            stack.start(actions_spec(actions_port, env={"SANIC_HOST": interface}))
        token = local_token()
        for name, port in zip(names, rasa_ports, strict=True):
            tracker_db = stores["RASA_TRACKER_DB"]
            stack.start(
                rasa_spec(port, model, token, action_url, tracker_db, stores, name, rasa_interface)
            )
        if rasa_ports:  # one record of the replicas, for the admin CLI (bot/replicas.py)
            replica_record.record(ROOT, [f"http://127.0.0.1:{port}" for port in rasa_ports])
        if "gateway" in running:
            rasa_urls = ",".join(f"http://127.0.0.1:{port}" for port in rasa_ports)
            if "rasa" not in running:  # the replicas are on other machines: RASA_URL names them
                rasa_urls = os.environ.get("RASA_URL") or "http://127.0.0.1:5005"
            # The gateway reads the tracker store (bot/tracker_store.py), never the lock store.
            tracker = {k: v for k, v in stores.items() if k.startswith("RASA_TRACKER_")}
            accounts, made = local_accounts(os.environ)
            stack.start(gateway_spec(gateway_port, rasa_urls, {**tracker, **accounts}))
        print(f"Starting {describe(running, replicas, model)}...", flush=True)
        for name in stack.processes:
            if name not in ("postgres", "redis"):
                say(f"{name} started (pid {stack.pid(name)}).")
        stack.wait_ready()
        text = ready_text(running, gateway_port, rasa_ports, stores)
        if "gateway" in running:
            signin = sign_in_text(gateway_port, accounts, made)
            text = text.replace("  Telegram and SMS", signin + "  Telegram and SMS", 1)
        print(text, flush=True)
        supervisor = Supervisor(stack, say, respec=lambda spec: with_model(spec, live_model()))
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
        if rasa_ports:
            replica_record.forget(ROOT)


def describe(running: tuple[str, ...], replicas: int, model: Path) -> str:
    """``Rasa (model-....tar.gz), the action server and the gateway``, or what this machine runs."""
    parts = []
    if "rasa" in running:
        rasa = "Rasa" if replicas == 1 else f"{replicas} Rasa replicas"
        parts.append(f"{rasa} ({model.name})")
    if "actions" in running:
        parts.append("the action server")
    if "gateway" in running:
        parts.append("the gateway")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def ready_text(
    running: tuple[str, ...], gateway_port: int, rasa_ports: list[int], stores: Mapping[str, str]
) -> str:
    lines = "\n  The assistant is ready.\n" if "gateway" in running else "\n  Ready.\n"
    if "gateway" in running:
        lines += f"""    Web chat:     http://localhost:{gateway_port}
    From a shell: curl -s localhost:{gateway_port}/api/webchat -H 'Content-Type: application/json' \\
                    -d '{{"sender": "me", "text": "where can i sleep tonight"}}'
"""
    if rasa_ports:
        lines += f"""    Rasa direct:  curl -s localhost:{rasa_ports[0]}/webhooks/rest/webhook \\
                    -d '{{"sender": "me", "message": "where can i sleep tonight"}}'
"""
    if stores.get("RASA_TRACKER_URL") and rasa_ports:
        tracker = urlsplit(stores["RASA_TRACKER_URL"])
        lines += (
            f"    Replicas:     Rasa on ports {', '.join(map(str, rasa_ports))}; conversations in "
            f"PostgreSQL at {tracker.hostname}:{tracker.port}, locks in Redis at "
            f"{stores['RASA_LOCK_HOST']}:{stores['RASA_LOCK_PORT']}\n"
        )
    if "gateway" in running:
        lines += "  Telegram and SMS start when their settings are in .env (see .env.example).\n"
    return lines + "  Press Ctrl-C to stop.\n"


if __name__ == "__main__":
    raise SystemExit(main())
