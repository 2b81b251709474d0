"""What a client's first reply would be: the safety screen and the NLU together (issue 8's figures).

For every example of a held-out set this runs what the gateway and Rasa run on a new message:
the gateway's safety screen (bot/safety.py, with the region's emergency number), then Rasa's NLU
pipeline with what the screen found as metadata, risk triage included (rasa_addons/triage.py).
From the screen's signal and the final parse it reads what the client gets first:

- **crisis**: the crisis reply and a high-risk case (a clear screen signal, or a risk intent
  without the ``risk_check`` entity);
- **check**: what was asked for, then "Are you safe right now?" with the emergency number
  (the ``risk_check`` entity);
- the **need served**: the need whose services the reply lists or asks the place for (a
  ``find_*`` intent, or the ``need`` entity beside a clear risk).

Examples of the blind set that also appear in the training data (short words such as "hi",
"yes" or "ok", which the training data had before the set was written) are left out, so that
every figure is on messages the model has never seen; the report says how many.

The blind set's examples carry metadata (``kind``: risk, hard_negative, ordinary, answer;
``needs``: the needs the message names), from which the figures are counted. Only the figures
are printed: reading the blind set's examples would be tuning on it.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RISK_INTENTS = ("risk_self_harm", "risk_immediate_danger")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    kind: str  # risk, hard_negative, ordinary, answer
    needs: tuple[str, ...]


@dataclass(frozen=True)
class FirstLine:
    """What the client would get first for one example."""

    example: Example
    screen: str | None  # "self_harm/clear", "danger/uncertain"... or None
    intent: str  # the intent the dialogue sees
    crisis: bool
    check: bool
    served: str | None  # the need intent whose search runs

    @property
    def line_given(self) -> bool:
        """The emergency number reaches the client: the crisis reply, or the check."""
        return self.crisis or self.check


@dataclass
class Figures:
    """The issue's figures, from the first lines of one set."""

    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)


def normalise(text: str) -> str:
    """What makes two examples "the same": case, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def write_unseen(path: Path, training: Path, out: Path) -> tuple[Path, int]:
    """The examples of ``path`` that are not in the training data, written to ``out``; and how
    many were left out."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    trained = {normalise(str(m.get("text"))) for m in load_data(str(training)).intent_examples}
    held = load_data(str(path))
    kept = [m for m in held.intent_examples if normalise(str(m.get("text"))) not in trained]
    out.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(out, TrainingData(training_examples=kept))
    return out, len(held.intent_examples) - len(kept)


def load_blind(path: Path) -> list[Example]:
    """The examples of a held-out set whose examples carry ``kind`` and ``needs`` metadata."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    found = []
    for message in data.intent_examples:
        metadata = message.get("metadata") or {}
        meta = metadata.get("example", metadata) if isinstance(metadata, dict) else {}
        meta = meta if isinstance(meta, dict) else {}
        found.append(
            Example(
                text=str(message.get("text")),
                intent=str(message.get("intent")),
                kind=str(meta.get("kind") or "ordinary"),
                needs=tuple(str(n) for n in meta.get("needs") or ()),
            )
        )
    return found


def first_lines(model: Path, examples: Sequence[Example]) -> list[FirstLine]:
    """Screen and parse every example as the gateway and Rasa would."""
    if str(ROOT) not in sys.path:  # bot.safety, region, and the pipeline's rasa_addons
        sys.path.insert(0, str(ROOT))
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    from bot.safety import Screen
    from region import load_region

    screen = Screen(load_region().emergency_number)
    agent = Agent.load(str(model))

    async def run() -> list[FirstLine]:
        found = []
        for example in examples:
            signal = screen(example.text)
            metadata: dict[str, Any] = {}
            if signal is not None:
                metadata["screen"] = {"risk": signal.risk, "tier": signal.tier}
            parsed = await agent.processor.parse_message(
                UserMessage(example.text, metadata=metadata)
            )
            found.append(outcome(example, signal, parsed))
        return found

    return asyncio.run(run())


def outcome(example: Example, signal: Any, parsed: dict[str, Any]) -> FirstLine:
    """What the client gets first, from the screen's signal and Rasa's final parse."""
    intent = str((parsed.get("intent") or {}).get("name") or "nlu_fallback")
    entities = {e.get("entity"): e.get("value") for e in parsed.get("entities") or []}
    check = "risk_check" in entities
    crisis = bool(signal is not None and signal.clear) or (intent in RISK_INTENTS and not check)
    from rasa_addons.needs import INTENT_FOR_NEED, NEED_FOR_INTENT

    served = intent if intent in NEED_FOR_INTENT else None
    if served is None and isinstance(entities.get("need"), str):
        served = INTENT_FOR_NEED.get(entities["need"])
    label = f"{signal.risk}/{signal.tier}" if signal is not None else None
    return FirstLine(example, label, intent, crisis, check and not crisis, served)


def figures(lines: Sequence[FirstLine]) -> Figures:
    """Recall, false escalations, needs served, per kind of example."""

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    by_kind: dict[str, list[FirstLine]] = {}
    for line in lines:
        by_kind.setdefault(line.example.kind, []).append(line)
    risk = by_kind.get("risk", [])
    hard = by_kind.get("hard_negative", [])
    ordinary = by_kind.get("ordinary", [])
    named = [line for line in lines if line.example.needs]
    served = [line for line in named if line.served in line.example.needs]
    risk_named = [line for line in risk if line.example.needs]
    result = Figures()
    result.counts = {
        "examples": len(lines),
        "risk": len(risk),
        "risk_crisis": sum(line.crisis for line in risk),
        "risk_line_given": sum(line.line_given for line in risk),
        "hard_negative": len(hard),
        "hard_negative_crisis": sum(line.crisis for line in hard),
        "hard_negative_check": sum(line.check for line in hard),
        "ordinary": len(ordinary),
        "ordinary_crisis": sum(line.crisis for line in ordinary),
        "ordinary_check": sum(line.check for line in ordinary),
        "need_named": len(named),
        "need_served": len(served),
        "risk_need_named": len(risk_named),
        "risk_need_served": sum(line.served in line.example.needs for line in risk_named),
    }
    c = result.counts
    result.rates = {
        "risk_recall_crisis_reply": share(c["risk_crisis"], c["risk"]),
        "risk_recall_line_given": share(c["risk_line_given"], c["risk"]),
        "hard_negative_full_escalation": share(c["hard_negative_crisis"], c["hard_negative"]),
        "hard_negative_check": share(c["hard_negative_check"], c["hard_negative"]),
        "ordinary_full_escalation": share(c["ordinary_crisis"], c["ordinary"]),
        "ordinary_check": share(c["ordinary_check"], c["ordinary"]),
        "need_served": share(c["need_served"], c["need_named"]),
        "risk_need_served": share(c["risk_need_served"], c["risk_need_named"]),
    }
    return result


def format_figures(result: Figures) -> list[str]:
    c, r = result.counts, result.rates

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f}%"

    return [
        f"First-line risk recall, crisis reply: {c['risk_crisis']}/{c['risk']}"
        f" ({pct(r['risk_recall_crisis_reply'])})",
        f"First-line risk recall, crisis reply or safety check with the emergency number:"
        f" {c['risk_line_given']}/{c['risk']} ({pct(r['risk_recall_line_given'])})",
        f"Full crisis escalation on hard negatives: {c['hard_negative_crisis']}/"
        f"{c['hard_negative']} ({pct(r['hard_negative_full_escalation'])}); safety checks"
        f" {c['hard_negative_check']} ({pct(r['hard_negative_check'])})",
        f"Full crisis escalation on ordinary messages: {c['ordinary_crisis']}/{c['ordinary']}"
        f" ({pct(r['ordinary_full_escalation'])}); safety checks {c['ordinary_check']}"
        f" ({pct(r['ordinary_check'])})",
        f"Messages that name a need and get that need's services: {c['need_served']}/"
        f"{c['need_named']} ({pct(r['need_served'])}); of them risk messages:"
        f" {c['risk_need_served']}/{c['risk_need_named']} ({pct(r['risk_need_served'])})",
    ]
