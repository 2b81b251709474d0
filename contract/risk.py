"""Risks to life, how certain a signal of one is, and the Rasa intent each risk is.

The gateway's safety screen finds a risk and a tier; Rasa's risk triage reads them from the
message's metadata and decides the tier it acts on; the report and the handoff count and
rank cases by them. Intents are part of the interface (docs/design.md, "Intents").
"""

from __future__ import annotations

from typing import Literal

Risk = Literal["self_harm", "danger"]
Tier = Literal["clear", "uncertain"]

SELF_HARM: Risk = "self_harm"
DANGER: Risk = "danger"
RISKS: tuple[Risk, ...] = (SELF_HARM, DANGER)

# clear: the crisis reply and a high-risk case at once; uncertain: what was asked for, then
# "Are you safe right now?" (docs/design.md, "Risk tiers").
CLEAR: Tier = "clear"
UNCERTAIN: Tier = "uncertain"
TIERS: tuple[Tier, ...] = (CLEAR, UNCERTAIN)

INTENT_FOR_RISK: dict[str, str] = {
    SELF_HARM: "risk_self_harm",
    DANGER: "risk_immediate_danger",
}
RISK_FOR_INTENT: dict[str, str] = {intent: risk for risk, intent in INTENT_FOR_RISK.items()}
RISK_INTENTS: frozenset[str] = frozenset(RISK_FOR_INTENT)
