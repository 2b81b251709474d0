"""Does a message that only says where the client is read as risk?

A client asked "Where are you?" answers with a place. For each place this parses four messages
("{place}", "im in {place}", "at {place}", "near {place}") with a trained model and counts
those that come out with a risk reading (a risk intent, or the ``risk_check`` entity that asks
"Are you safe right now?") and those read as ``inform_location``. Two groups of places:

- **seen**: the region's towns, as the NLU lookup table lists them (named in training data);
- **unseen**: the region file's neighbourhoods that no training example names.

A probe, not a held-out set: the message forms are fixed and the places are the region's own.

    python scripts/place_probe.py [--model models/model-X.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from contract import RISK_INTENTS, normalise  # noqa: E402

FORMS = ("{}", "im in {}", "at {}", "near {}")


def place_groups() -> dict[str, list[str]]:
    from bot.language import places_of
    from region import load_region

    towns = sorted({p for p in places_of(ROOT) if not re.fullmatch(r"\d{5}", p)})
    training = " ".join(
        normalise(path.read_text(encoding="utf-8")) for path in (ROOT / "data").rglob("*.yml")
    )
    neighbourhoods = [name for name, _ in load_region().gazetteer.neighbourhoods]
    unseen = sorted(n for n in neighbourhoods if normalise(n) not in training)
    return {"seen": towns, "unseen": unseen}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    args = parser.parse_args(argv)
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent

    from scripts.model import model_path

    model = args.model or model_path()
    agent = Agent.load(str(model))
    print(f"model: {model.name}")
    for group, places in place_groups().items():
        texts = [form.format(place) for place in places for form in FORMS]
        risk = located = 0
        examples: list[str] = []
        for text in texts:
            parsed = asyncio.run(agent.parse_message(text))
            intent = (parsed.get("intent") or {}).get("name")
            checked = any(e.get("entity") == "risk_check" for e in parsed.get("entities") or [])
            if intent in RISK_INTENTS or checked:
                risk += 1
                examples.append(text)
            located += intent == "inform_location"
        print(
            f"{group}: {len(places)} places, {len(texts)} messages; read as risk {risk}, "
            f"as inform_location {located}"
            + (f" (e.g. {', '.join(examples[:4])})" if examples else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
