"""The keys of what crosses a process boundary: message metadata and custom payloads.

Metadata goes with a client's message from the gateway to Rasa (and on to the action server in
the tracker's latest message); custom payloads come back in Rasa's replies and are read by the
gateway, never shown to the client as they are.
"""

from __future__ import annotations

# Message metadata, gateway -> Rasa.
META_CHANNEL = "channel"  # "telegram", "sms", "webchat": how the action server renders
META_MESSAGE_ID = "gateway_message_id"  # the gateway's inbound id, to find a turn after a timeout
META_SCREEN = "screen"  # what the safety screen found: {"risk": ..., "tier": ..., "language": ...}
META_CRISIS_SENT = "crisis_reply_sent"  # the gateway already sent the crisis reply
META_LANGUAGE = "language"  # the conversation's language ("en", "es")

# Custom payloads, Rasa -> gateway.
PAYLOAD_HANDOFF = "handoff"  # open a case: {"reason", "risk", ...}
PAYLOAD_REPORT = "report"  # counted for the report, never shown: {"kind", ...}
PAYLOAD_REQUEST_LOCATION = "request_location"  # the text before it asks where the client is
PAYLOAD_LISTING = "listing"  # the services of a directory reply, as data (issue 20)
