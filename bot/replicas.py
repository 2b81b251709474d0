"""Which Rasa replicas run now: one record, kept by the process that started them.

``make run`` (scripts/run.py) starts RASA_REPLICAS Rasa servers and gives their addresses to the
gateway; it also writes them to ``var/rasa-replicas.json`` (or the file RASA_REPLICAS_RECORD
names) with its own process id, and removes the file when it stops. Anything else that must reach every replica (``python -m bot.admin
promote`` from another shell, whose ``.env`` names at most the first) reads them here, so that
a promotion cannot miss a replica the admin does not know of. A record whose process is gone
is stale and ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

RECORD = Path("var") / "rasa-replicas.json"


def record_path(root: Path) -> Path:
    return Path(os.environ.get("RASA_REPLICAS_RECORD") or root / RECORD)


def record(root: Path, urls: Sequence[str], pid: int | None = None) -> Path:
    """Write the replicas' addresses, as run by process ``pid`` (this one by default)."""
    path = record_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"rasa_urls": list(urls), "pid": os.getpid() if pid is None else pid}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def forget(root: Path) -> None:
    record_path(root).unlink(missing_ok=True)


def recorded(root: Path) -> tuple[str, ...] | None:
    """The replicas a running ``make run`` started, or None (no record, or its process gone)."""
    try:
        body = json.loads(record_path(root).read_text(encoding="utf-8"))
        urls, pid = body["rasa_urls"], int(body["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(urls, list) and urls and all(isinstance(u, str) for u in urls)):
        return None
    if not _alive(pid) or not _is_launcher(pid):
        return None
    return tuple(urls)


def _is_launcher(pid: int) -> bool:
    """Whether ``pid`` is still a Python process (scripts/run.py, or a test standing in for
    it), not one that got the number after a crash or a reboot. Where /proc is not, alive is
    all there is to go by."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"python" in command or b"run.py" in command


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
