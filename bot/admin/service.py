"""What an admin can do, one method per verb, for the /admin pages and the CLI alike.

:class:`Admin` joins the parts: the review inbox (:mod:`bot.db.review`), labels
(:mod:`bot.admin.labels`), the trainer and its gate (:mod:`bot.admin.training`), promotion
and rollback (:mod:`bot.admin.models`), and writes every change in the audit log
(:mod:`bot.db.audit`) with who did it. Each refusal is an :class:`AdminError` (or the part's own
error) whose message says what happened and what to do; the live model keeps answering
whatever is refused.

Rules it adds to the parts': a candidate is promoted only when its gate report passed against
the model live now (else "evaluate it again"); nothing is promoted or rolled back while a
training or gate runs (the gate compares with the live model); two admins labelling the same
message: the first label wins, the second is told who took it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.admin import labels, masking
from bot.admin.models import LiveChoice, Models, PromotionError, listing
from bot.admin.review import PRIORITY
from bot.admin.training import Progress, Trainer, running_elsewhere
from bot.db import Database, audit
from bot.db import review as inbox
from bot.handoff import cases
from contract import example_key

MODELS = Path("models")
STAFF_MARKED = "marked as misread by staff"


class AdminError(RuntimeError):
    """An admin's action that cannot be done; the message says why and what to do."""


def domain_intents(root: Path) -> tuple[str, ...]:
    """The intents of the domain (domain.yml, or every file of a domain/ folder), in order."""
    files = [root / "domain.yml"] if (root / "domain.yml").is_file() else []
    files += sorted((root / "domain").glob("*.yml")) if (root / "domain").is_dir() else []
    found: list[str] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("intents") or []:
            name = next(iter(entry)) if isinstance(entry, dict) else str(entry)
            if name not in found:
                found.append(name)
    return tuple(found)


@dataclass
class Admin:
    root: Path
    db: Database
    models: Models
    trainer: Trainer
    intents: tuple[str, ...]
    clock: Callable[[], float] = time.time
    _labelling: asyncio.Lock = field(default_factory=asyncio.Lock)
    _live: Path | None = None

    @classmethod
    def build(
        cls,
        root: Path,
        db: Database,
        session: aiohttp.ClientSession,
        rasa_urls: Sequence[str],
        token: str,
        clock: Callable[[], float] = time.time,
        **trainer: Any,
    ) -> Admin:
        models = Models(root, session, rasa_urls, token, clock)
        admin = cls(root, db, models, Trainer(root, lambda: None), domain_intents(root), clock)
        admin.trainer = Trainer(
            root, lambda: admin._live, on_finish=admin._trained, clock=clock, **trainer
        )
        return admin

    async def _audit(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        await self.db.run(audit.write, self.clock(), actor, action, subject, detail)

    # --- the inbox and labels --------------------------------------------------------------

    async def inbox(self, limit: int = 200) -> tuple[list[inbox.Item], int]:
        items = await self.db.run(inbox.listing, limit)
        return items, await self.db.run(inbox.total)

    async def label(
        self, item_id: int, intent: str, spans: Sequence[labels.Span], actor: str
    ) -> str:
        """Label a message of the inbox; what happened, in a sentence."""
        async with self._labelling:
            item = await self.db.run(inbox.get, item_id)
            if item is None:
                raise AdminError(await self._gone(item_id))
            where = await self._write_label(item.text, intent, spans)
            await self.db.run(inbox.remove, item_id)
            await self._audit(actor, "label", f"#{item_id} {item.text!r} as {intent}", where)
            return f"Labelled {item.text!r} as {intent}: {where}."

    async def label_text(
        self, text: str, intent: str, spans: Sequence[labels.Span], actor: str
    ) -> str:
        """Label words given directly (the CLI); masked first, and taken out of the inbox if
        they are there."""
        async with self._labelling:
            masked = masking.mask(text.strip())
            where = await self._write_label(masked, intent, spans)
            item = await self.db.run(inbox.by_text, example_key(masked)[:512])
            if item is not None:
                await self.db.run(inbox.remove, item.id)
            await self._audit(actor, "label", f"{masked!r} as {intent}", where)
            return f"Labelled {masked!r} as {intent}: {where}."

    async def _write_label(self, text: str, intent: str, spans: Sequence[labels.Span]) -> str:
        label = labels.Label(text, intent, tuple(spans))
        written = await asyncio.to_thread(labels.add, label, self.intents, self.root)
        if written is None:
            return "it was labelled so already"
        if written == labels.HELDOUT_REVIEWED:
            return f"added to the held-out set {written} (never trained on)"
        return f"added to {written}"

    async def _gone(self, item_id: int) -> str:
        """Why an item is not there: who labelled or discarded it, if the log says."""
        for entry in await self.db.run(audit.latest, 500):
            if entry.action in ("label", "discard") and entry.subject.startswith(f"#{item_id} "):
                done = "labelled" if entry.action == "label" else "discarded"
                return f"message #{item_id} was {done} by {entry.actor} already"
        return f"there is no message #{item_id} in the inbox"

    async def discard(self, item_id: int, actor: str) -> str:
        async with self._labelling:
            item = await self.db.run(inbox.remove, item_id)
            if item is None:
                raise AdminError(await self._gone(item_id))
            await self._audit(actor, "discard", f"#{item_id} {item.text!r}")
            return f"Discarded {item.text!r} for good."

    async def mark_misread(self, conversation_id: str, texts: Sequence[str], actor: str) -> int:
        """Staff say the assistant misread these words of a conversation: into the inbox with
        priority "staff". How many messages were added."""
        now = self.clock()
        added = 0
        for text in texts:
            masked = masking.mask(text.strip())
            normalised = example_key(masked)[:512]
            if not normalised or masked.startswith("/"):
                continue
            sighting = inbox.Sighting(
                text=masked, normalised=normalised, kind="staff", priority=PRIORITY["staff"],
                detail=f"{STAFF_MARKED} ({actor})",
                conversation_key=inbox.conversation_key(conversation_id), seen_at=now,
            )  # fmt: skip
            item_id = await self.db.run(inbox.add, sighting)
            await self._audit(actor, "mark", f"#{item_id} {masked!r}", STAFF_MARKED)
            added += 1
        return added

    async def mark_case(self, case_id: int, actor: str, last: int = 1) -> int:
        """Staff mark the client's last ``last`` messages of a case as misread (the console's
        button, /misread in the staff topic). How many went to the inbox."""
        case = await self.db.run(cases.get, case_id)
        if case is None:
            raise AdminError(f"there is no case #{case_id}")
        entries = await self.db.run(cases.transcript, case_id)
        words = [e.text for e in entries if e.direction == "client"][-max(1, min(last, 5)) :]
        if not words:
            raise AdminError(f"case #{case_id} has no message from the client yet")
        return await self.mark_misread(case.conversation_id, words, actor)

    # --- training and the gate ---------------------------------------------------------------

    async def live_model(self) -> Path | None:
        """The model live now: the one promoted last, else the one Rasa says it runs."""
        choice = self.models.choice()
        if choice.live and _exists(Path(choice.live)):
            return Path(choice.live)
        for name in (await self.models.running()).values():
            if name:
                for folder in (self.root / MODELS, self.root / MODELS / "candidates"):
                    if _exists(folder / Path(name).name):
                        return folder / Path(name).name
        return None

    async def start_training(self, actor: str) -> Progress:
        self._live = await self._need_live()
        progress = self.trainer.start()
        await self._audit(actor, "train", "a candidate from the current data")
        return progress

    async def evaluate(self, name: str | None, actor: str) -> Progress:
        """Run the gate again on a candidate (the newest by default) against the live model."""
        model = self.resolve(name) if name else self._newest_candidate()
        self._live = await self._need_live()
        progress = self.trainer.start(evaluate=model)
        await self._audit(actor, "evaluate", model.name, f"against {self._live.name}")
        return progress

    async def cancel_training(self, actor: str) -> bool:
        cancelled = await self.trainer.cancel()
        if cancelled:
            await self._audit(actor, "cancel", "the running training")
        return cancelled

    async def _need_live(self) -> Path:
        live = await self.live_model()
        if live is None:
            running = [Path(n).name for n in (await self.models.running()).values() if n]
            if running:
                raise AdminError(
                    f"Rasa runs {running[0]}, which is not in {self.root / MODELS}: the gate"
                    " needs the live model's file"
                )
            raise AdminError(
                "cannot tell which model is live (Rasa does not answer and none was promoted):"
                " start Rasa first"
            )
        return live

    async def _trained(self, progress: Progress) -> None:
        model = Path(progress.model).name if progress.model else "no model"
        detail = progress.verdict or progress.error or ""
        await self._audit("trainer", f"training {progress.state}", model, detail)

    def _newest_candidate(self) -> Path:
        found = sorted(
            (self.root / MODELS / "candidates").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime
        )
        if not found:
            raise AdminError("there is no candidate: train one first")
        return found[-1]

    # --- models: promote and roll back --------------------------------------------------------

    def resolve(self, name: str) -> Path:
        """A model by its file name (or path), among the candidates, the models and the history."""
        given = Path(name)
        if (given.is_absolute() or "/" in name) and given.is_file():
            return given
        wanted = given.name
        places = [self.root / MODELS / "candidates" / wanted, self.root / MODELS / wanted]
        places += [Path(p) for p in self._history() if Path(p).name == wanted]
        for place in places:
            if place.is_file():
                return place
        raise AdminError(f"there is no model {wanted!r}: see the models list")

    def _history(self) -> list[str]:
        choice = self.models.choice()
        return [p for p in (choice.live, *choice.history) if p]

    def model_list(self) -> list[dict[str, Any]]:
        return listing(self.root, self.models.choice())

    def gate_report(self, model: Path) -> dict[str, Any] | None:
        path = model.with_suffix("").with_suffix(".gate.json")
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return report if isinstance(report, dict) else None

    def _not_while_training(self, what: str) -> None:
        if self.trainer.progress.running or running_elsewhere(self.root) is not None:
            raise AdminError(
                f"a training or gate is running: {what} when it has finished (or cancel it),"
                " so that the gate compares with the model that is live"
            )

    async def promote(self, name: str | None, actor: str) -> LiveChoice:
        """Promote a candidate whose gate passed against the live model (the newest such one
        when no name is given)."""
        self._not_while_training("promote")
        live = await self.live_model()
        model = self.resolve(name) if name else self._newest_passed(live)
        report = self.gate_report(model)
        if report is None:
            raise AdminError(f"{model.name} has no gate report: evaluate it first")
        if report.get("verdict") != "pass":
            reasons = "; ".join(report.get("reasons") or []) or "see its report"
            raise AdminError(f"{model.name} failed the gate and cannot be promoted: {reasons}")
        gated_against = Path(str(report.get("live") or "")).name or "no model"
        if live is not None and gated_against != live.name:
            raise AdminError(
                f"{model.name} was gated against {gated_against}, but"
                f" {live.name} is live now: evaluate it again"
            )
        try:
            choice = await self.models.promote(model, actor, previous=live)
        except PromotionError as exc:
            await self._audit(actor, "promote refused", model.name, str(exc))
            raise
        await self._audit(actor, "promote", model.name, f"was {live.name if live else '?'}")
        return choice

    def _newest_passed(self, live: Path | None) -> Path:
        for entry in self.model_list():
            if entry["verdict"] == "pass" and entry["exists"] and not entry["live"]:
                return Path(entry["path"])
        raise AdminError("no candidate has passed the gate: train one, or name a model")

    async def rollback(self, actor: str, to: str | None = None) -> LiveChoice:
        self._not_while_training("roll back")
        before = self.models.choice().live
        target = self.resolve(to) if to else None
        try:
            choice = await self.models.rollback(actor, target)
        except PromotionError as exc:
            await self._audit(actor, "rollback refused", to or "the previous model", str(exc))
            raise
        was = Path(before).name if before else "?"
        await self._audit(actor, "rollback", Path(choice.live or "").name, f"was {was}")
        return choice

    async def audit_log(self, limit: int = 200) -> list[audit.Entry]:
        return await self.db.run(audit.latest, limit)


def _exists(path: Path) -> bool:
    """Whether a model file is there (a stat: too short to hand to a thread)."""
    return path.is_file()
