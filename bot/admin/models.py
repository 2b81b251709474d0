"""Which model is live, promoting a candidate and rolling back, through Rasa's own HTTP API.

The live model is chosen in ``models/live.json`` (``{"live": path, "history": [older...],
"changed_at": ..., "by": ...}``): `make run` starts that model when the file names one that
exists (else the one trained from the current data), so a promotion survives a restart.

Promoting loads the model into every Rasa replica with ``PUT /model`` (no restart: Rasa loads
it while the live model goes on answering, rasa_addons/loading.py, and swaps them between two
messages), then records it. If a replica refuses or cannot be reached, the replicas already
changed go back to the previous model and nothing is recorded: the live model keeps
answering, and the error says which replica and why. A model file that is missing or is not a Rasa model is refused before
any replica is touched. Rolling back promotes the previous model of the history the same way.
"""

from __future__ import annotations

import asyncio
import json
import tarfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

LIVE_FILE = Path("models") / "live.json"
HISTORY = 5  # the models one can roll back to
PUT_TIMEOUT = 120.0  # loading a model takes seconds; a slow disk longer


class PromotionError(RuntimeError):
    """A promotion or rollback that did not happen; the message says why."""


@dataclass(frozen=True)
class LiveChoice:
    live: str | None = None
    history: tuple[str, ...] = field(default_factory=tuple)
    changed_at: float | None = None
    by: str | None = None


def read_choice(root: Path) -> LiveChoice:
    path = root / LIVE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return LiveChoice()
    return LiveChoice(
        live=data.get("live"),
        history=tuple(str(h) for h in data.get("history") or ())[:HISTORY],
        changed_at=data.get("changed_at"),
        by=data.get("by"),
    )


def write_choice(root: Path, choice: LiveChoice) -> None:
    path = root / LIVE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    body = {
        "live": choice.live,
        "history": list(choice.history),
        "changed_at": choice.changed_at,
        "by": choice.by,
    }
    tmp.write_text(json.dumps(body, indent=2), encoding="utf-8")
    tmp.replace(path)


def check_model_file(path: Path) -> None:
    """Refuse a file that is missing or is not a Rasa model archive (before Rasa sees it)."""
    if not path.is_file():
        raise PromotionError(f"there is no model at {path}")
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = archive.getnames()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise PromotionError(f"{path.name} is not a readable model archive: {exc}") from exc
    if "metadata.json" not in {name.lstrip("./") for name in names}:
        raise PromotionError(f"{path.name} is not a Rasa model (no metadata.json in it)")


class Models:
    """Promotes and rolls back on every Rasa replica, and records the choice."""

    def __init__(
        self,
        root: Path,
        session: aiohttp.ClientSession,
        rasa_urls: Sequence[str],
        token: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.session = session
        self.rasa_urls = tuple(rasa_urls)
        self.token = token
        self.clock = clock
        self._lock = asyncio.Lock()

    def choice(self) -> LiveChoice:
        return read_choice(self.root)

    async def running(self) -> dict[str, str | None]:
        """The model each replica runs now, as it says (``GET /status``); None if down."""

        async def one(base: str) -> str | None:
            try:
                async with self.session.get(
                    f"{base}/status", params={"token": self.token},
                    timeout=aiohttp.ClientTimeout(total=5),
                ) as response:  # fmt: skip
                    if response.status != 200:
                        return None
                    body = await response.json(content_type=None)
                    found = body.get("model_file") if isinstance(body, dict) else None
                    return str(found) if found else None  # none loaded: null
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                return None

        found = await asyncio.gather(*(one(base) for base in self.rasa_urls))
        return dict(zip(self.rasa_urls, found, strict=True))

    async def promote(self, model: Path, by: str, previous: Path | None = None) -> LiveChoice:
        """Make ``model`` live on every replica and record it; :class:`PromotionError` if not.
        ``previous``: the model live before, when none was promoted yet (what Rasa runs), so
        that the first promotion can be rolled back too."""
        async with self._lock:
            model = model if model.is_absolute() else self.root / model
            check_model_file(model)
            current = self.choice()
            live = current.live or (str(previous) if previous else None)
            await self._load_everywhere(model, live)
            await self._check_everywhere(model, live)
            history = [h for h in (live, *current.history) if h and h != str(model)]
            choice = LiveChoice(str(model), tuple(history[:HISTORY]), self.clock(), by)
            write_choice(self.root, choice)
            return choice

    async def rollback(self, by: str, to: Path | None = None) -> LiveChoice:
        """Make the previous model (or ``to``, one of the history) live again."""
        current = self.choice()
        if to is None:
            if not current.history:
                raise PromotionError("there is no earlier model to roll back to")
            to = Path(current.history[0])
        elif str(to) not in current.history and str(self.root / to) not in current.history:
            raise PromotionError(f"{to} is not one of the last {HISTORY} live models")
        return await self.promote(to, by)

    async def _load_everywhere(self, model: Path, previous: str | None) -> None:
        changed: list[str] = []
        for base in self.rasa_urls:
            error = await self._put(base, model)
            if error is None:
                changed.append(base)
                continue
            for done in changed:  # put them back as they were
                if previous:
                    await self._put(done, Path(previous))
            raise PromotionError(f"Rasa at {base} did not load {model.name}: {error}")

    async def _check_everywhere(self, model: Path, previous: str | None) -> None:
        """Each replica's own word (``GET /status``) that it runs ``model``; if one does not,
        every replica is put back on ``previous`` and the error names the ones that missed."""
        running = await self.running()
        missed = {
            base: name for base, name in running.items()
            if name is None or Path(name).name != model.name
        }  # fmt: skip
        if not missed:
            return
        back = "there was no earlier model to put back"
        if previous:
            refused = [base for base in self.rasa_urls if await self._put(base, Path(previous))]
            back = "every replica was put back on the live model"
            if refused:
                back = f"putting {Path(previous).name} back failed on {', '.join(refused)}"
        said = "; ".join(
            f"{base} runs {name or 'nothing it will say'}" for base, name in missed.items()
        )
        raise PromotionError(
            f"{model.name} reached {len(running) - len(missed)} of {len(running)} Rasa replicas"
            f" ({said}); {back}"
        )

    async def _put(self, base: str, model: Path) -> str | None:
        try:
            async with self.session.put(
                f"{base}/model", params={"token": self.token},
                json={"model_file": str(model)}, timeout=aiohttp.ClientTimeout(total=PUT_TIMEOUT),
            ) as response:  # fmt: skip
                if response.status == 204:
                    return None
                return f"HTTP {response.status}: {(await response.text())[:300]}"
        except asyncio.TimeoutError:
            return f"no answer within {PUT_TIMEOUT:g} s"
        except aiohttp.ClientError as exc:
            return f"cannot reach it ({type(exc).__name__})"


def listing(root: Path, choice: LiveChoice) -> list[dict[str, Any]]:
    """Every model an admin can act on: the candidates (newest first), the live one, the
    history; each with its gate report's verdict when it has one."""
    seen: dict[str, dict[str, Any]] = {}
    candidates = sorted(
        (root / "models" / "candidates").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime,
        reverse=True,
    )  # fmt: skip
    for path in [*candidates, *(Path(p) for p in (choice.live, *choice.history) if p)]:
        key = str(path if path.is_absolute() else root / path)
        if key in seen:
            continue
        report = Path(key).with_suffix("").with_suffix(".gate.json")
        verdict = None
        if report.is_file():
            try:
                verdict = json.loads(report.read_text(encoding="utf-8")).get("verdict")
            except ValueError:
                verdict = None
        seen[key] = {
            "path": key,
            "name": Path(key).name,
            "exists": Path(key).is_file(),
            "live": key == choice.live,
            "in_history": key in choice.history,
            "verdict": verdict,
            "report": str(report) if report.is_file() else None,
        }
    return list(seen.values())
