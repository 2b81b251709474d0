"""`make run` (scripts/run.py) as a child process, and a web chat client, for the slow tests
of tests/setup/ that start it: its output is read as it comes, and every process it started is
stopped by the test that started it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from scripts.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SENDER = "run-supervisor-test-0001"
NEAREST_SHELTER = "Redwood City Corps"  # in the shipped directory, near 94063
START_TIMEOUT = 600.0  # Rasa loads its model in a minute or two on a busy 2-core machine


class MakeRun:
    """scripts/run.py as a child process; its output collected as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run.py"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = START_TIMEOUT, after: int = 0) -> str:
        """The first line after line ``after`` that contains ``text`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not in the output of make run:\n{self.output[-6000:]}")

    def pid(self, name: str, after: int = 0) -> int:
        line = self.wait_for(f"{name} started", after=after)
        return int(line.split("(pid ")[1].split(")")[0])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: it only waits for its parent to read its status
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


class WebChat:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=120.0)
        self.seen: list[dict[str, Any]] = []

    def close(self) -> None:
        self.http.close()

    def say(self, text: str, message_id: str) -> dict[str, Any]:
        body = {"sender": SENDER, "text": text, "id": message_id}
        response = self.http.post(f"{self.url}/api/webchat", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_for_unit(self, found: Callable[[dict[str, Any]], bool], timeout: float) -> None:
        """Poll as the page does until a unit for which ``found`` is true has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            after = max([0, *(unit["id"] for unit in self.seen)])
            response = self.http.get(
                f"{self.url}/api/webchat/messages", params={"sender": SENDER, "after": after}
            )
            if response.status_code == 200:
                self.seen.extend(response.json()["messages"])
                if any(found(unit) for unit in self.seen):
                    return
            time.sleep(1.0)
        raise AssertionError(f"no such reply within {timeout:.0f} s; seen: {self.seen}")


def free_ports_in_a_row(count: int) -> int:
    """A port such that it and the ``count - 1`` after it are free (RASA_PORT for replicas)."""
    for _ in range(50):
        first = free_port()
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise AssertionError(f"no {count} free ports in a row")
