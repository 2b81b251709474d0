"""A small risk model (contract/risk_model.py) fitted in a second, and a model archive holding it
where Rasa keeps it, for the tests of the screen's second opinion."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from contract import NEED_FOR_INTENT
from contract.risk_model import ESCALATE, NONE, RiskModel, dumps

NEEDS = sorted(NEED_FOR_INTENT)

RISK = [
    "i want to kill myself tonight", "im going to end it all", "i took all my pills",
    "i have a rope and im ready", "he is hitting me right now", "my ex is outside with a knife",
    "he is choking me help", "someone is breaking in my door", "i cut myself and cant stop",
    "going to jump off the bridge",
]  # fmt: skip
# Words the screen's clear patterns match, about a landlord, a toy, a job: no risk.
SAFE = [
    "landlord just slapped me with a 3 day notice, what do i do",
    "the landlord slapped us with a late fee again", "got slapped with a fine at work",
    "my nephew keeps hitting me with his foam sword lol",
    "i want to join the fire department, how", "need a bed tonight in daly city",
    "where can i get food", "need a lawyer for my eviction", "shelter for me and my kids",
    "where is the nearest clinic", "help paying my rent", "my dog died last year",
]  # fmt: skip
# The screen reads "slapped me" as violence now: clear, unless the model overrules it.
OVERRULED = SAFE[0]
# Where Rasa writes the component's file in a model archive.
MEMBER = "components/train_rasa_addons.risk.RiskClassifier3/risk.skops"


def tiny_model() -> RiskModel:
    texts = RISK + SAFE
    levels = [ESCALATE] * len(RISK) + [NONE] * len(SAFE)
    risks = ["self_harm" if i % 2 else "danger" for i in range(len(RISK))] + [None] * len(SAFE)
    # Each need asked once among the safe examples (a need without one cannot be fitted).
    needs = [[]] * len(RISK) + [[NEEDS[i % len(NEEDS)]] for i in range(len(SAFE))]
    return RiskModel().fit(texts, levels, risks, needs)


def archive(path: Path, model: RiskModel | None = None, member: str = MEMBER) -> Path:
    """A Rasa-like model archive at ``path`` holding ``model``'s file (or the tiny model's)."""
    data = dumps(model or tiny_model())
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, body in ((member, data), ("metadata.json", b"{}")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path
