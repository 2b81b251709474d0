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
    health_url: str
    env: Mapping[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        PYTHONUNBUFFERED="1",
    )
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
) -> ServiceSpec:
    """``rasa run`` through the project's launcher (rasa_addons/serve.py).

    The token goes in the environment, never on the command line: a token that begins with
    ``-`` would be read as an option there, and ``ps`` would show it to everyone.
    """
    command = [
        str(BIN / "python"),
        "-m",
        "rasa_addons.serve",
        "--enable-api",
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]
    return ServiceSpec(
        name="rasa",
        command=command,
        health_url=f"http://127.0.0.1:{port}/",
        env={
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
        self._threads: list[threading.Thread] = []

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
        self._threads.append(thread)

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
                os.killpg(process.pid, signal.SIGTERM)
        for each in names:
            process = self.processes.get(each)
            if process is None:
                continue
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        for thread in self._threads:
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
    ) -> None:
        self.stack = stack
        self.say = say
        self.backoff = backoff
        self.clock = clock
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
                self.stack.start(self.stack.specs[name])
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
