"""How often the reply language is right, on the held-out conversations (never tuned on).

    python scripts/evaluate_language.py [tests/nlu/heldout_language.yml]

Each conversation of the set is a client's messages, with the language the client would want
the reply in after each, and sometimes the channel's hint (a phone or browser language). This
runs the gateway's own choice (bot/language.py) message by message, as the inbox does, and
prints: the share of conversations whose reply language is right on every message from the
second on (target: at least 98%), the share of messages right, and the messages answered in
the wrong language after an explicit choice (target: none). Only figures are printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language import LanguageDetector, hint_of, places_of  # noqa: E402
from region import load_region  # noqa: E402

SET = ROOT / "tests" / "nlu" / "heldout_language.yml"


def evaluate(path: Path) -> dict[str, float | int]:
    region = load_region()
    detector = LanguageDetector(region.languages, places_of(ROOT))
    conversations = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    right_from_second = 0
    messages = right = after_choice = wrong_after_choice = 0
    for conversation in conversations:
        hint = hint_of(conversation.get("hint"), region.languages)
        current = None
        ok_from_second = True
        chose = False
        for index, turn in enumerate(conversation["turns"]):
            current = detector.decide(str(turn["text"]), current, hint)
            chose = chose or detector.choice(str(turn["text"])) is not None
            good = current.language == turn["expect"]
            messages += 1
            right += good
            if index >= 1 and not good:
                ok_from_second = False
            if chose:
                after_choice += 1
                wrong_after_choice += not good
        right_from_second += ok_from_second
    return {
        "conversations": len(conversations),
        "right_from_second": right_from_second,
        "messages": messages,
        "messages_right": right,
        "after_choice": after_choice,
        "wrong_after_choice": wrong_after_choice,
    }


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else SET
    f = evaluate(path)
    share = f["right_from_second"] / f["conversations"]
    print(
        f"Language: {f['right_from_second']}/{f['conversations']} conversations"
        f" ({share:.1%}) answered in the right language from the second message on"
        f" (target >= 98%); messages right {f['messages_right']}/{f['messages']}"
        f" ({f['messages_right'] / f['messages']:.1%}); wrong after an explicit choice"
        f" {f['wrong_after_choice']}/{f['after_choice']} (target 0)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
