"""What the three processes share: names, keys and the one way text is normalised.

The gateway (``bot/``), the action server (``actions/``) and the Rasa server's own code
(``rasa_addons/``) each import this package, and it imports none of them (nor Rasa, nor
rasa_sdk, nor aiohttp): it is the contract between them, as ``rasa.shared`` is Rasa's. A name
that crosses a process boundary (a risk, an intent a risk maps to, a metadata or payload key, a
language) is declared here once; the processes never spell it themselves. So is one rule two
of them keep on the same file: how an erasure leaves no word in SQLite (:mod:`contract.erasure`,
imported by name, not re-exported here).
"""

from contract.handoff import (
    CHECKIN_REPLY,
    HIGH,
    HIGH_RISK_REASONS,
    NORMAL,
    NOT_SAFE,
    REASONS,
    REQUEST_HUMAN,
    Urgency,
    urgency,
)
from contract.keys import (
    META_CHANNEL,
    META_CRISIS_SENT,
    META_LANGUAGE,
    META_MESSAGE_ID,
    META_SCREEN,
    PAYLOAD_HANDOFF,
    PAYLOAD_LISTING,
    PAYLOAD_REPORT,
    PAYLOAD_REQUEST_LOCATION,
)
from contract.language import DEFAULT_LANGUAGE, LANGUAGES, Language
from contract.listing import Listing, Service, as_payload, directions_link, listing_from
from contract.needs import INTENT_FOR_NEED, NEED_FOR_INTENT, NEEDS, Need
from contract.population import POPULATIONS
from contract.risk import (
    CLEAR,
    DANGER,
    INTENT_FOR_RISK,
    RISK_FOR_INTENT,
    RISK_INTENTS,
    RISKS,
    SELF_HARM,
    TIERS,
    UNCERTAIN,
    Risk,
    Tier,
)
from contract.text import example_key, normalise, unannotated

__all__ = [
    "CHECKIN_REPLY",
    "CLEAR",
    "DANGER",
    "DEFAULT_LANGUAGE",
    "HIGH",
    "HIGH_RISK_REASONS",
    "INTENT_FOR_NEED",
    "INTENT_FOR_RISK",
    "LANGUAGES",
    "META_CHANNEL",
    "META_CRISIS_SENT",
    "META_LANGUAGE",
    "META_MESSAGE_ID",
    "META_SCREEN",
    "NEEDS",
    "NEED_FOR_INTENT",
    "NORMAL",
    "NOT_SAFE",
    "PAYLOAD_HANDOFF",
    "PAYLOAD_LISTING",
    "PAYLOAD_REPORT",
    "PAYLOAD_REQUEST_LOCATION",
    "POPULATIONS",
    "REASONS",
    "REQUEST_HUMAN",
    "RISKS",
    "RISK_FOR_INTENT",
    "RISK_INTENTS",
    "SELF_HARM",
    "TIERS",
    "UNCERTAIN",
    "Language",
    "Listing",
    "Need",
    "Risk",
    "Service",
    "Tier",
    "Urgency",
    "as_payload",
    "directions_link",
    "example_key",
    "listing_from",
    "normalise",
    "unannotated",
    "urgency",
]
