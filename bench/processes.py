"""What the load benchmarks (bench/throughput.py, bench/soak.py) share: the processes of one
setup, started as `make run` starts them, and what each costs (CPU time, memory) from /proc.

A setup is an action server, one or more Rasa servers (one: SQLite tracker store, locks in
memory; several: PostgreSQL and Redis started in a temporary folder, as with
`RASA_REPLICAS=2 make run`) and, when asked, a gateway in front of them. Nothing here asserts.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from actions.directory import build, db
from scripts import datastores
from scripts.model import model_path
from scripts.stack import (
    ROOT,
    ServiceSpec,
    Stack,
    actions_spec,
    free_port,
    gateway_spec,
    rasa_spec,
)


@dataclass
class Setup:
    """The running processes of one setup; stop() stops all of them."""

    stack: Stack
    folder: Path
    token: str
    rasa_urls: list[str]
    gateway_url: str | None
    gateway_db: Path | None
    gateway_env: dict[str, str] = field(default_factory=dict)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.stack.processes.items()}

    def stop(self) -> None:
        self.stack.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_setup(
    replicas: int,
    gateway: bool,
    gateway_env: Mapping[str, str] | None = None,
    gateway_port: int | None = None,
    log: bool = False,
    wrap: Callable[[ServiceSpec], ServiceSpec] = lambda spec: spec,
) -> Setup:
    """Start an action server, ``replicas`` Rasa servers and, if asked, a gateway (on
    ``gateway_port`` if given, with ``gateway_env`` added to its environment); wait until all
    answer. The gateway's store is a SQLite file in the setup's temporary folder. ``wrap``
    may change how a process is started (bench/process_profile.py runs some under cProfile)."""
    model = model_path()
    if not model.exists():
        raise SystemExit(f"no model at {model}: run `make train` first")
    path = db.db_path()
    build.ensure(path if path.is_absolute() else ROOT / path)
    folder = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    folder.chmod(0o755)  # PostgreSQL runs as the postgres user when this runs as root
    stack = Stack(
        log=(lambda name, line: print(f"{name:>8} | {line}", flush=True)) if log else None
    )
    token = secrets.token_urlsafe(16)
    try:
        stores: dict[str, str] = {"RASA_TRACKER_DB": str(folder / "tracker.db")}
        if replicas > 1:
            stores.update(datastores.start_shared(stack, folder))
        actions_port = free_port()
        stack.start(wrap(actions_spec(actions_port)))
        action_url = f"http://127.0.0.1:{actions_port}/webhook"
        ports = [free_port() for _ in range(replicas)]
        names = ["rasa"] if replicas == 1 else [f"rasa-{i}" for i in range(1, replicas + 1)]
        for name, port in zip(names, ports, strict=True):
            tracker = stores["RASA_TRACKER_DB"]
            stack.start(wrap(rasa_spec(port, model, token, action_url, tracker, stores, name)))
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        gateway_url = gateway_db = None
        env: dict[str, str] = {}
        if gateway:
            port = gateway_port or free_port()
            gateway_db = folder / "gateway.db"
            env = {
                "GATEWAY_DATABASE_URL": f"sqlite:///{gateway_db}",
                "RASA_TOKEN": token,
                "LOG_LEVEL": "WARNING",
                **(gateway_env or {}),
            }
            stack.start(wrap(gateway_spec(port, ",".join(urls), env)))
            gateway_url = f"http://127.0.0.1:{port}"
        stack.wait_ready(timeout=600)
    except BaseException:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Setup(stack, folder, token, urls, gateway_url, gateway_db, env)


# --- what a process costs, from /proc --------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def family(pid: int) -> list[int]:
    """``pid`` and every process below it (PostgreSQL's server processes, runuser's child)."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time ``pid`` and the processes below it have used so far."""
    total = 0.0
    for each in family(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of ``pid`` and the processes below it, now and at its peak (MB; for a
    family, the peak is the sum of each process's own)."""
    rss = peak = 0.0
    for each in family(pid):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key == "VmRSS":
                rss += int(value.split()[0]) / 1024
            elif key == "VmHWM":
                peak += int(value.split()[0]) / 1024
    return {"rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1)}
