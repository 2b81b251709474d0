"""What a client receives first for each message of a held-out set, end to end.

For every example this runs what the gateway, Rasa and the action server run on a new
conversation's first message, and reads what the client would be sent:

1. the gateway's safety screen (bot/safety/, with the region's emergency number), with the
   second opinion of the model's own risk regression as the gateway asks it
   (bot/safety/opinion.py; ``--screen-alone``: without it); a clear signal is the gateway's
   crisis reply and a high-risk case, at once;
2. Rasa (the trained model, its NLU pipeline with the risk triage, its rules) with the screen's
   signal as metadata, calling a real action server (started here on a free loopback port);
3. the gateway's handling of Rasa's answer: its crisis text left out when the gateway already
   sent one (bot.pipeline.without_repeated_crisis), a ``handoff`` payload with risk ``high``
   opening a high-risk case.

From the messages themselves, not from which intent won, it reads:

- **escalated**: the crisis reply and a high-risk case (the screen's clear tier, or a
  ``handoff`` payload with ``risk: high``);
- **checked**: "Are you safe right now?" (the ``utter_safety_check`` response, which carries a
  ``report`` payload of kind ``risk``) without the escalation;
- **served**: the need whose search ran or whose place was asked for in this turn (the
  tracker's ``need`` slot when ``action_find_services`` ran or the form asks for the place);
- **lines named twice**: a 24/7 line of the region whose number appears twice in the turn;
- **line given** (risk messages): the escalation, the check, or a reply naming the emergency
  number (the place question after an uncertain signal says it, as the check will).

The figures are counts per ``kind`` of example (risk, hard_negative, ordinary) and, for risk
examples, per ``level`` (escalate or check) when the set says it. Only figures are printed:
reading a held-out set's examples would be tuning on it.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from contract import INTENT_FOR_NEED, RISK_INTENTS, example_key  # noqa: E402

# The blind held-out sets, by name (scripts/evaluate_nlu.py): figures only, never examples.
NLU_SETS = ROOT / "tests" / "nlu"
BLIND_SETS = {
    "blind": NLU_SETS / "heldout_blind.yml",
    "contrast": NLU_SETS / "heldout_contrast.yml",
    "spanish": NLU_SETS / "heldout_es.yml",
    "risk2": NLU_SETS / "heldout_risk2.yml",
    "spanish2": NLU_SETS / "heldout_es2.yml",
}
# Written for a change to the risk model, measured before it and then once after it. Rounds 3 to
# 17 judged theirs and were then folded into the training data (scripts/fold_spent.py:
# data/nlu/spent_rounds*.yml, data/nlu/es/spent_rounds*.yml; docs/figures.md has each round's
# figures); rounds 18 and 19 judged the fold of rounds 6 to 17 and are spent ("Round 18"), to
# be folded in turn. Not in `make nlu-eval`; as blind as the others.
FRESH_SETS = {
    "risk18": NLU_SETS / "heldout_risk18.yml",
    "spanish18": NLU_SETS / "heldout_es18.yml",
    "risk19": NLU_SETS / "heldout_risk19.yml",
    "spanish19": NLU_SETS / "heldout_es19.yml",
}


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    kind: str  # risk, hard_negative, ordinary, answer
    needs: tuple[str, ...]
    level: str | None = None  # for risk examples: escalate or check, when the set says
    message: Any = field(default=None, compare=False)  # Rasa's Message, entities and all


@dataclass(frozen=True)
class Received:
    """What the client received first for one example."""

    example: Example
    screen: str | None  # "self_harm/clear", "danger/uncertain"... or None
    intent: str  # the intent the dialogue saw
    escalated: bool
    checked: bool
    served: str | None  # the need intent whose search ran or whose place was asked for
    line_repeated: bool  # a 24/7 line named twice in the turn
    emergency_named: bool = False  # a reply names the emergency number ("call 911")
    texts: tuple[str, ...] = ()

    @property
    def line_given(self) -> bool:
        """The emergency number reaches the client: the crisis reply, the check, or a reply
        that names it (the question of where they are, after an uncertain signal)."""
        return self.escalated or self.checked or self.emergency_named


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)


def load_set(path: Path) -> list[Example]:
    """The examples of a held-out set whose examples carry ``kind`` and ``needs`` metadata."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    found = []
    for message in data.intent_examples:
        metadata = message.get("metadata") or {}
        meta = metadata.get("example", metadata) if isinstance(metadata, dict) else {}
        meta = meta if isinstance(meta, dict) else {}
        intent = str(message.get("intent"))
        level = meta.get("level")
        # A set without kinds (the development set): its risk intents are risk, the rest ordinary.
        kind = meta.get("kind") or ("risk" if intent in RISK_INTENTS else "ordinary")
        needs = meta.get("needs")
        if needs is None:
            needs = [intent] if intent.startswith("find_") else []
        # A need by its intent (find_shelter) or by its name (shelter, as data/nlu writes it).
        needs = [INTENT_FOR_NEED.get(str(n), str(n)) for n in needs]
        found.append(
            Example(
                text=str(message.get("text")),
                intent=intent,
                kind=str(kind),
                needs=tuple(str(n) for n in needs),
                level=str(level) if level in ("escalate", "check") else None,
                message=message,
            )
        )
    return found


def line_numbers() -> dict[str, list[str]]:
    """Each 24/7 line of the region, with the numbers a reply would name it by."""
    from region import load_region

    found: dict[str, list[str]] = {}
    for line in load_region().crisis_lines:
        numbers = [n for n in (line.phone, line.sms) if n]
        found[line.id] = numbers
    return found


def repeated_line(texts: Sequence[str], lines: dict[str, list[str]]) -> bool:
    """Whether one 24/7 line is named in two of the turn's messages."""
    for numbers in lines.values():
        named_in = 0
        for text in texts:
            if any(re.search(rf"(?<![\d-]){re.escape(n)}(?![\d-])", text) for n in numbers):
                named_in += 1
        if named_in > 1:
            return True
    return False


async def _received(
    agent: Any,
    screen: Any,
    texts: Any,
    lines: dict[str, list[str]],
    example: Example,
    emergency: str = "911",
    detector: Any = None,
) -> Received:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.model import BotMessage, Button
    from bot.pipeline import without_repeated_crisis
    from rasa_addons.needs import INTENT_FOR_NEED

    signal = screen(example.text)
    metadata: dict[str, Any] = {"channel": "webchat"}
    if signal is not None:
        metadata["screen"] = signal.metadata()
    # The conversation's language, as the gateway decides it on a first message (bot/inbox.py).
    language = detector.decide(example.text, None).language if detector else "en"
    if signal is not None and signal.clear and signal.language != language:
        language = signal.language
    metadata["language"] = language
    sender = uuid.uuid4().hex
    output = CollectingOutputChannel()
    await agent.handle_message(UserMessage(example.text, output, sender, metadata=metadata))
    messages = [
        BotMessage(
            text=m.get("text"),
            buttons=tuple(Button(b["title"], b["payload"]) for b in m.get("buttons") or ()),
            custom=m.get("custom"),
        )
        for m in output.messages
    ]
    gateway_crisis = signal is not None and signal.clear
    sent: list[str] = []
    if gateway_crisis:
        messages = without_repeated_crisis(messages, signal.risk)
        sent.append(texts.of(language).crisis(signal.risk, signal.medical))
    sent += [m.text for m in messages if m.text]
    escalated = gateway_crisis or any(
        ((m.custom or {}).get("handoff") or {}).get("risk") == "high" for m in messages
    )
    checked = any(((m.custom or {}).get("report") or {}).get("kind") == "risk" for m in messages)
    tracker = await agent.tracker_store.retrieve(sender)
    turn_actions = [
        e.action_name for e in tracker.events if getattr(e, "action_name", None) is not None
    ]
    need = tracker.get_slot("need")
    asked_place = tracker.get_slot("requested_slot") == "location" or any(
        (m.custom or {}).get("request_location") for m in messages
    )
    served = None
    if need and ("action_find_services" in turn_actions or asked_place):
        served = INTENT_FOR_NEED.get(str(need))
    intent = str((tracker.latest_message.intent or {}).get("name") or "nlu_fallback")
    label = f"{signal.risk}/{signal.tier}" if signal is not None else None
    named = any(re.search(rf"(?<!\d){re.escape(emergency)}(?!\d)", text) for text in sent)
    return Received(
        example, label, intent, escalated, checked and not escalated, served,
        repeated_line(sent, lines), named, tuple(sent),
    )  # fmt: skip


def receive_all(
    model: Path, examples: Sequence[Example], second_opinion: bool = True
) -> list[Received]:
    """Run every example as a new conversation's first message, end to end."""
    return receive_sets(model, {"set": list(examples)}, second_opinion)["set"]


def receive_sets(
    model: Path, sets: dict[str, list[Example]], second_opinion: bool = True
) -> dict[str, list[Received]]:
    """:func:`receive_all` for several sets, with one action server and one model load; the
    screen asks ``model``'s risk regression, as the gateway does, unless ``second_opinion`` is
    False."""
    if str(ROOT) not in sys.path:  # bot, region, and the pipeline's rasa_addons
        sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.language import LanguageDetector, places_of
    from bot.messages import load_messages, region_values
    from bot.safety import Screen
    from bot.safety.opinion import Opinion
    from region import load_region
    from scripts.stack import Stack, actions_spec, free_port

    region = load_region()
    opinion = Opinion()
    if second_opinion and not opinion.read(Path(model)):
        # As the gateway does with such a model (a pipeline compared without the risk model).
        print(f"{Path(model).name} has no risk model: the screen alone, as the gateway would be",
              file=sys.stderr)  # fmt: skip
    screen = Screen(region.emergency_number, opinion=opinion if second_opinion else None)
    texts = load_messages(region_values(region))
    lines = line_numbers()
    detector = LanguageDetector(region.languages, places_of(ROOT))
    stack = Stack()
    port = free_port()
    stack.start(actions_spec(port))
    try:
        stack.wait_ready()
        agent = Agent.load(
            str(model), action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        )

        async def run() -> dict[str, list[Received]]:
            found: dict[str, list[Received]] = {}
            for name, examples in sets.items():
                found[name] = []
                for example in examples:
                    found[name].append(
                        await _received(
                            agent,
                            screen,
                            texts,
                            lines,
                            example,
                            region.emergency_number,
                            detector,
                        )
                    )
            return found

        return asyncio.run(run())
    finally:
        stack.stop()


def figures(received: Sequence[Received]) -> Figures:
    """Escalations, checks and needs served, per kind of example."""

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    by_kind: dict[str, list[Received]] = {}
    for one in received:
        by_kind.setdefault(one.example.kind, []).append(one)
    risk = by_kind.get("risk", [])
    to_escalate = [r for r in risk if r.example.level != "check"]
    hard = by_kind.get("hard_negative", [])
    ordinary = by_kind.get("ordinary", [])
    named = [r for r in received if r.example.needs]
    served = [r for r in named if r.served in r.example.needs]
    risk_named = [r for r in risk if r.example.needs]
    c = {
        "examples": len(received),
        "risk": len(risk),
        "risk_escalated": sum(r.escalated for r in risk),
        "risk_line_given": sum(r.line_given for r in risk),
        "risk_to_escalate": len(to_escalate),
        "risk_to_escalate_escalated": sum(r.escalated for r in to_escalate),
        "hard_negative": len(hard),
        "hard_negative_escalated": sum(r.escalated for r in hard),
        "hard_negative_checked": sum(r.checked for r in hard),
        "ordinary": len(ordinary),
        "ordinary_escalated": sum(r.escalated for r in ordinary),
        "ordinary_checked": sum(r.checked for r in ordinary),
        "need_named": len(named),
        "need_served": len(served),
        "risk_need_named": len(risk_named),
        "risk_need_served": sum(r.served in r.example.needs for r in risk_named),
        "line_repeated": sum(r.line_repeated for r in received),
    }
    rates = {
        "risk_escalated": share(c["risk_escalated"], c["risk"]),
        "risk_line_given": share(c["risk_line_given"], c["risk"]),
        "risk_to_escalate_escalated": share(c["risk_to_escalate_escalated"], c["risk_to_escalate"]),
        "hard_negative_escalated": share(c["hard_negative_escalated"], c["hard_negative"]),
        "hard_negative_checked": share(c["hard_negative_checked"], c["hard_negative"]),
        "ordinary_escalated": share(c["ordinary_escalated"], c["ordinary"]),
        "ordinary_checked": share(c["ordinary_checked"], c["ordinary"]),
        "need_served": share(c["need_served"], c["need_named"]),
        "risk_need_served": share(c["risk_need_served"], c["risk_need_named"]),
        "line_repeated": share(c["line_repeated"], c["examples"]),
    }
    return Figures(c, rates)


def format_figures(result: Figures) -> list[str]:
    c = defaultdict(int, result.counts)
    r = defaultdict(lambda: None, result.rates)

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f}%"

    return [
        f"Risk messages given the crisis line (escalation or safety check): "
        f"{c['risk_line_given']}/{c['risk']} ({pct(r['risk_line_given'])})",
        f"Risk messages given the full escalation: {c['risk_escalated']}/{c['risk']}"
        f" ({pct(r['risk_escalated'])}); of those a worker would escalate at once:"
        f" {c['risk_to_escalate_escalated']}/{c['risk_to_escalate']}"
        f" ({pct(r['risk_to_escalate_escalated'])})",
        f"Full escalation on hard negatives: {c['hard_negative_escalated']}/"
        f"{c['hard_negative']} ({pct(r['hard_negative_escalated'])}); safety checks"
        f" {c['hard_negative_checked']} ({pct(r['hard_negative_checked'])})",
        f"Full escalation on ordinary messages: {c['ordinary_escalated']}/{c['ordinary']}"
        f" ({pct(r['ordinary_escalated'])}); safety checks {c['ordinary_checked']}"
        f" ({pct(r['ordinary_checked'])})",
        f"Messages that name a need and get that need's answer (a listing or where are you?):"
        f" {c['need_served']}/{c['need_named']} ({pct(r['need_served'])}); of them risk"
        f" messages: {c['risk_need_served']}/{c['risk_need_named']}"
        f" ({pct(r['risk_need_served'])})",
        f"Turns that name one 24/7 line twice: {c['line_repeated']}/{c['examples']}",
    ]


def write_unseen(path: Path, training: Path, out: Path) -> tuple[Path, int]:
    """The examples of the set at ``path`` that the training data lacks, written to ``out`` as
    Rasa NLU data; and how many were left out."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    kept, left = unseen(load_set(path), training)
    out.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(out, TrainingData(training_examples=[e.message for e in kept]))
    return out, left


def unseen(examples: Sequence[Example], training: Path) -> tuple[list[Example], int]:
    """The examples the training data does not have (short words such as "hi", "si" or "ok"
    that both have are left out, so every figure is on messages the model never saw); and how
    many were left out."""
    from rasa.shared.nlu.training_data.loading import load_data

    trained = {example_key(str(m.get("text"))) for m in load_data(str(training)).intent_examples}
    kept = [e for e in examples if example_key(e.text) not in trained]
    return kept, len(examples) - len(kept)


def main(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="held-out sets with kind metadata")
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: the current one)")
    parser.add_argument(
        "--show",
        action="store_true",
        help="print what each example received (for the development set or messages of your own;"
        " never for a blind set: reading its examples would be tuning on it)",
    )
    parser.add_argument(
        "--screen-alone",
        action="store_true",
        help="the safety screen without the risk model's second opinion (as before it was built)",
    )
    args = parser.parse_args(argv[1:])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(ROOT / "scripts"))
    from model import model_path

    blind = {p.resolve() for p in (*BLIND_SETS.values(), *FRESH_SETS.values())}
    if args.show and any(path.resolve() in blind for path in args.sets):
        print("--show is for the development set or messages of your own: a blind set's examples"
              " are never read (its figures are all it gives)", file=sys.stderr)  # fmt: skip
        return 2
    model = args.model or model_path()
    for path in args.sets:
        examples, seen = unseen(load_set(path), ROOT / "data" / "nlu")
        received = receive_all(model, examples, second_opinion=not args.screen_alone)
        print(
            f"{path.name}: {len(received)} examples ({seen} left out: the training data has them)"
        )
        for line in format_figures(figures(received)):
            print(f"  {line}")
        if args.show:
            for one in received:
                print(f"  {outcome(one)}")
    return 0


def outcome(one: Received) -> str:
    """One example's outcome on a line: what it was, what the client received, its words."""
    e = one.example
    got = (
        "ESCALATED" if one.escalated
        else "checked" if one.checked
        else "911" if one.emergency_named  # the line, in the reply that asks where they are
        else "-"
    )  # fmt: skip
    want = f"{e.kind}/{e.level}" if e.level else e.kind
    need = f" need {','.join(e.needs)}->{one.served or 'none'}" if e.needs else ""
    twice = " LINE TWICE" if one.line_repeated else ""
    return f"{want:>16} {got:>9} intent={one.intent}{need}{twice} | {e.text}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
