"""Every error the gateway raises on purpose, in one hierarchy.

    GatewayError                 anything the gateway raises deliberately
    ├── SettingsError            a setting is missing, malformed or contradicts another (start-up)
    ├── MessagesError            the gateway's message file is unreadable or a text cannot be filled
    ├── StoreError               the gateway store cannot be opened or written
    ├── RasaError                a call to Rasa did not give a usable answer (the message is kept)
    │   ├── RasaUnavailable      connection refused, reset, or an HTTP error status
    │   ├── RasaTimeout          no answer within RASA_TIMEOUT
    │   └── RasaBadReply         an answer that is not the REST channel's JSON list, or empty
    ├── SendError                a reply could not be handed to a channel's provider
    │   ├── TransientSendError   try again later (network, 5xx, 429 with retry_after)
    │   └── PermanentSendError   never try again (blocked bot, invalid number, opted out)
    └── BadInput                 a request from outside is malformed; its text is safe to show

Handlers turn ``BadInput`` into a 400 with its message; every other error is logged without
phone numbers, Telegram ids or message text.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Anything the gateway raises deliberately."""


class SettingsError(GatewayError):
    """A setting is missing, malformed, or contradicts another one."""


class MessagesError(GatewayError):
    """The gateway's message file is unreadable or one of its texts cannot be filled."""


class StoreError(GatewayError):
    """The gateway store cannot be opened or written."""


class RasaError(GatewayError):
    """A call to Rasa did not give a usable answer; the message stays pending."""


class RasaUnavailable(RasaError):
    """Rasa refused the connection, reset it, or answered with an HTTP error status."""


class RasaTimeout(RasaError):
    """Rasa gave no answer within the time limit (it may still have processed the message)."""


class RasaBadReply(RasaError):
    """Rasa answered, but not with the REST channel's JSON list of messages, or with nothing."""


class SendError(GatewayError):
    """A reply could not be handed to the channel's provider."""


class TransientSendError(SendError):
    """The send may work later; ``retry_after`` is the provider's own wait, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """The send will never work; ``opted_out`` says the recipient has opted out of messages."""

    def __init__(self, message: str, opted_out: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out


class BadInput(GatewayError):
    """A request from outside is malformed; the message is safe to show to the caller."""
