"""Start, watch and stop the assistant's processes: Rasa, the action server, the gateway.

Used by `make run` (scripts/run.py), the test fixtures (tests/servers.py) and the benchmarks,
so that all three start the processes the same way. Imports nothing of Rasa.

:class:`Stack` starts and stops them; :class:`Supervisor` keeps them running under `make run`:
a process that exits is started again after a back-off (1 s, doubling to 30 s; back to 1 s once
it has stayed up two minutes) while the others go on, so a crashed Rasa costs the clients an
honest "answered when I'm back" from the gateway, not the gateway itself. Only the one who
started the stack stops it (Ctrl-C, SIGTERM), or a gateway that cannot start with its settings
(exit code 2), which no restart would mend.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class StackError(RuntimeError):
    """A process did not start, did not answer in time, or exited early."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: list[str]
    health_url: (
        str  # http://... (any answer below 500), postgresql://... or redis://... (see answers)
    )
    env: Mapping[str, str] = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM


# The variables endpoints.yml reads for the tracker store and the lock store, with the defaults
# of one process (the Makefile and .env.example give the same): a SQLite file and locks in
# memory. Rasa refuses to start when one is unset, and so does bot/tracker_store.py, which reads
# the same file. Several replicas share PostgreSQL and Redis instead (scripts/datastores.py).
STORE_DEFAULTS: Mapping[str, str] = {
    "RASA_TRACKER_DIALECT": "sqlite",
    "RASA_TRACKER_URL": "",
    "RASA_TRACKER_DB": "var/tracker.db",
    "RASA_LOCK_STORE": "in_memory",
    "RASA_LOCK_HOST": "",
    "RASA_LOCK_PORT": "6379",
    "RASA_LOCK_PASSWORD": "",
    # Read by Rasa itself: how long a replica's lock on a conversation outlives the replica
    # (killed mid-turn, its ticket stays in Redis and the next replica waits for it to expire;
    # Rasa's own default is 60 s). The gateway never sends one conversation two turns at once,
    # and a turn it gives up on is cancelled in Rasa when the connection closes, so a lock only
    # ever waits on a replica that died.
    "TICKET_LOCK_LIFETIME": "5",
}


def store_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The store variables of ``environ``, an unset or empty one given its default."""
    return {name: environ.get(name) or default for name, default in STORE_DEFAULTS.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def debugging(environ: Mapping[str, str] | None = None) -> bool:
    """``LOG_LEVEL=debug``: every process says everything, its dependencies' warnings too."""
    return (os.environ if environ is None else environ).get("LOG_LEVEL", "").lower() == "debug"


# A Python warning as it is printed: "path.py:12: SomeWarning: message", then the source line
# (indented) and, for some, more lines of the message.
_WARNING = re.compile(r"^\S+\.py:\d+: \w*Warning: ")
_LOG_LINE = re.compile(r"^(?:\d{4}-\d\d-\d\d|Traceback|\S+Error\b)")
WARNING_LINES = 4  # a warning's lines after its first, at most


class WarningFilter:
    """Leaves out the Python warnings in one process's output (unless debugging): Rasa, its
    dependencies and rasa_sdk reset the warning filters, so PYTHONWARNINGS alone cannot."""

    def __init__(self) -> None:
        self.skipping = 0

    def keep(self, line: str) -> bool:
        text = line.replace("\x1b[93m", "").replace("\x1b[0m", "")
        if _WARNING.match(text):
            self.skipping = WARNING_LINES
            return False
        if self.skipping and not _LOG_LINE.match(text):
            self.skipping -= 1
            return False
        self.skipping = 0
        return True


def quiet_flags() -> list[str]:
    """Rasa's and the action server's own INFO lines (a line per registered action, per
    loaded component) left out unless debugging: what they do is said once by the gateway."""
    return [] if debugging() else ["--quiet"]


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        PYTHONUNBUFFERED="1",
    )
    if not debugging(env):
        # The deprecation warnings of Rasa's dependencies (TensorFlow, SQLAlchemy 1.4, sanic,
        # pkg_resources...) are nothing an operator can act on.
        env.setdefault("PYTHONWARNINGS", "ignore")
    env.update(extra or {})
    return env


def actions_spec(port: int, env: Mapping[str, str] | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="actions",
        command=[
            str(BIN / "python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(port),
            *quiet_flags(),
        ],
        health_url=f"http://127.0.0.1:{port}/health",
        env=dict(env or {}),
    )


def rasa_spec(
    port: int,
    model: Path,
    token: str,
    action_url: str,
    tracker_db: str,
    env: Mapping[str, str] | None = None,
    name: str = "rasa",
    interface: str = "127.0.0.1",
) -> ServiceSpec:
    """``rasa run`` through the project's launcher (rasa_addons/serve.py).

    The token goes in the environment, never on the command line: a token that begins with
    ``-`` would be read as an option there, and ``ps`` would show it to everyone. The stores
    are those of ``env``, else of this process's environment, else a SQLite file and locks in
    memory (:data:`STORE_DEFAULTS`). It listens on ``interface`` (loopback unless Rasa runs on
    another machine than the gateway: docs/operating.md, "Beyond one machine").
    """
    command = [
        str(BIN / "python"),
        "-m",
        "rasa_addons.serve",
        "--enable-api",
        "--port",
        str(port),
        "--interface",
        interface,
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        *quiet_flags(),
    ]
    local = "127.0.0.1" if interface in ("0.0.0.0", "::", "") else interface  # noqa: S104
    return ServiceSpec(
        name=name,
        command=command,
        health_url=f"http://{local}:{port}/",
        env={
            **store_settings({**os.environ, **(env or {})}),
            **(env or {}),
            "ACTION_ENDPOINT_URL": action_url,
            "RASA_TRACKER_DB": tracker_db,
            "RASA_TOKEN": token,
        },
    )


def gateway_spec(port: int, rasa_url: str, env: Mapping[str, str] | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="gateway",
        command=[str(BIN / "python"), "-m", "bot"],
        health_url=f"http://127.0.0.1:{port}/health",
        env={**(env or {}), "GATEWAY_PORT": str(port), "RASA_URL": rasa_url},
    )


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether the server at ``url`` answers: an HTTP server below 500, a PostgreSQL server
    that takes a connection, a Redis server that answers PING."""
    if url.startswith("postgresql://"):
        from scripts.datastores import postgres_answers

        return postgres_answers(url, timeout)
    if url.startswith("redis://"):
        from scripts.datastores import redis_answers

        return redis_answers(url, timeout)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(200 <= response.status < 500)
    except (urllib.error.URLError, OSError):
        return False


class Stack:
    """A set of child processes that start together and stop together."""

    def __init__(self, log: Callable[[str, str], None] | None = None) -> None:
        self._log = log
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.specs: dict[str, ServiceSpec] = {}
        self.output: dict[str, list[str]] = {}
        self._threads: dict[str, threading.Thread] = {}  # each process's log reader

    def start(self, spec: ServiceSpec) -> None:
        process = subprocess.Popen(
            spec.command,
            cwd=ROOT,
            env=base_env(spec.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl-C reaches us, and we stop the children in order
        )
        self.processes[spec.name] = process
        self.specs[spec.name] = spec
        self.output[spec.name] = []
        thread = threading.Thread(target=self._pump, args=(spec.name, process.stdout), daemon=True)
        thread.start()
        self._threads[spec.name] = thread

    def _pump(self, name: str, stream: IO[str] | None) -> None:
        if stream is None:
            return
        with stream:
            for line in stream:
                lines = self.output[name]
                lines.append(line.rstrip("\n"))
                del lines[:-2000]  # keep the tail only
                if self._log:
                    self._log(name, line.rstrip("\n"))

    def wait_ready(self, names: Iterable[str] | None = None, timeout: float = 240.0) -> None:
        pending = set(names or self.specs)
        deadline = time.monotonic() + timeout
        while pending:
            for name in sorted(pending):
                process = self.processes[name]
                if process.poll() is not None:
                    raise StackError(
                        f"{name} exited with code {process.returncode}:\n{self.tail(name)}"
                    )
                if answers(self.specs[name].health_url):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise StackError(
                    f"{', '.join(sorted(pending))} did not answer within {timeout:.0f} s"
                )
            if pending:
                time.sleep(0.5)

    def tail(self, name: str, lines: int = 40) -> str:
        return "\n".join(self.output.get(name, [])[-lines:])

    def first_exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def pid(self, name: str) -> int:
        return int(self.processes[name].pid)

    def stop(self, name: str | None = None, timeout: float = 20.0) -> None:
        """Stop one process, or all in the reverse order of starting: SIGTERM, then SIGKILL."""
        names = [name] if name else list(reversed(self.processes))
        for each in names:
            process = self.processes.get(each)
            if process and process.poll() is None:
                os.killpg(process.pid, self.specs[each].stop_signal)
        for each in names:
            process = self.processes.get(each)
            if process is None:
                continue
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        for each in names:
            thread = self._threads.get(each)
            if thread is not None:
                thread.join(timeout=5)


# Exit codes that no restart mends: `python -m bot` exits 2 when its settings are wrong.
FATAL_EXITS: Mapping[str, frozenset[int]] = {"gateway": frozenset({2})}


@dataclass(frozen=True)
class Backoff:
    """How long to wait before starting an exited process again."""

    first: float = 1.0
    longest: float = 30.0
    stable_after: float = 120.0  # up this long: the next exit starts from `first` again

    def delay(self, restarts: int) -> float:
        """The wait before restart number ``restarts`` (1, 2, ...) of a run of exits."""
        return float(min(self.longest, self.first * 2 ** (restarts - 1)))


@dataclass
class _Watched:
    started_at: float
    restarts: int = 0  # of the current run of exits
    restart_at: float | None = None  # exited: when it starts again
    answering: bool = True  # restarted: whether it has answered its health check since


class Supervisor:
    """Starts again whatever process of ``stack`` exits; the others keep running.

    Call :meth:`check` every half second or so. It says what happened through ``say`` (exits,
    waits, restarts, and when a restarted process answers again) and returns a reason to stop
    everything when a restart cannot help (a gateway whose settings are wrong), else None.
    """

    def __init__(
        self,
        stack: Stack,
        say: Callable[[str], None],
        backoff: Backoff = Backoff(),
        clock: Callable[[], float] = time.monotonic,
        respec: Callable[[ServiceSpec], ServiceSpec] = lambda spec: spec,
    ) -> None:
        self.stack = stack
        self.say = say
        self.backoff = backoff
        self.clock = clock
        self.respec = respec  # what a process is started again as (make run: the live model)
        now = clock()
        self.watched = {name: _Watched(started_at=now) for name in stack.processes}

    def check(self) -> str | None:
        now = self.clock()
        for name, process in self.stack.processes.items():
            watched = self.watched.setdefault(name, _Watched(started_at=now))
            code = process.poll()
            if code is None:
                self._running(name, watched, now)
            elif watched.restart_at is None:
                if code in FATAL_EXITS.get(name, ()):
                    return f"{name} cannot start ({describe_exit(code)}):\n{self.stack.tail(name)}"
                watched.restarts += 1
                delay = self.backoff.delay(watched.restarts)
                watched.restart_at = now + delay
                self.say(
                    f"{name} (pid {process.pid}) {describe_exit(code)}; the others keep running. "
                    f"Starting it again in {delay:g} s (restart {watched.restarts} in a row)."
                )
            elif now >= watched.restart_at:
                self.stack.start(self.respec(self.stack.specs[name]))
                watched.started_at, watched.restart_at, watched.answering = now, None, False
                self.say(f"{name} started again (pid {self.stack.pid(name)}).")
        return None

    def _running(self, name: str, watched: _Watched, now: float) -> None:
        if not watched.answering and answers(self.stack.specs[name].health_url, timeout=0.5):
            watched.answering = True
            self.say(f"{name} answers again, {now - watched.started_at:.0f} s after its restart.")
        if watched.restarts and now - watched.started_at >= self.backoff.stable_after:
            watched.restarts = 0  # it stayed up: a later exit waits the shortest time again


def describe_exit(code: int) -> str:
    """``exited with code 1``, ``was killed by SIGKILL``."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"
