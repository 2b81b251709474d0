"""Every error the gateway raises on purpose, in one hierarchy.

    GatewayError                 anything the gateway raises deliberately
    ├── SettingsError            a setting is missing, malformed or contradicts another (start-up)
    ├── MessagesError            the gateway's message file is unreadable or a text cannot be filled
    ├── StoreError               the gateway store cannot be opened or written
    │   └── StoreConflict        a row another writer stored at the same moment (try again)
    ├── RasaError                a call to Rasa did not give a usable answer (the message is kept)
    │   ├── RasaUnavailable      connection refused, reset, or an HTTP error status
    │   │   ├── RasaUnreachable  no connection (refused, timed out): Rasa never saw the request
    │   │   ├── RasaInterrupted  the connection broke after the request went: Rasa may have done it
    │   │   └── RasaRefused      Rasa answered 4xx: the request itself is refused (token, path)
    │   ├── RasaTimeout          no answer within RASA_TIMEOUT
    │   └── RasaBadReply         an answer that is not the REST channel's JSON list, or empty
    ├── SendError                a reply could not be handed to a channel's provider
    │   ├── TransientSendError   try again later (network, 5xx, 429 with retry_after)
    │   └── PermanentSendError   never try again (blocked bot, invalid number, opted out)
    ├── BadInput                 a request from outside is malformed; its text is safe to show
    └── CaseError                a staff action on a case cannot be done; its text is for staff
        ├── CaseNotFound         no such case
        ├── CaseClosed           the case is closed: the client is back with the assistant
        ├── ClaimedByOther       another member of staff has claimed the case
        └── ClientOptedOut       the client opted out of SMS: nothing can be sent to them
    └── PrivacyError             a purge, erasure or export cannot be done as asked
        ├── ErasureRefused       not now: the conversation has an open case (close it first)
        └── RasaCannotErase      no Rasa replica erased it now: the erasure stays pending

Handlers turn ``BadInput`` into a 400 with its message, and ``CaseError`` into a message to the
member of staff who tried; every other error is logged without phone numbers, Telegram ids or
message text.
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


class StoreConflict(StoreError):
    """A unique row (a provider's message id, a new conversation) was stored by another writer
    (a replica) during the transaction, which was rolled back: run it again."""


class RasaError(GatewayError):
    """A call to Rasa did not give a usable answer; the message stays pending."""


class RasaUnavailable(RasaError):
    """Rasa refused the connection, reset it, or answered with an HTTP error status."""


class RasaRefused(RasaUnavailable):
    """Rasa answered with a 4xx status: trying the same request again will not help."""


class RasaUnreachable(RasaUnavailable):
    """No connection to Rasa could be made (refused, no route, connect timeout): Rasa never saw
    the request, and another replica may take it."""


class RasaInterrupted(RasaUnavailable):
    """The connection broke after the request was sent (Rasa killed mid-turn, say): Rasa may
    have finished the turn and recorded it, so its tracker is read before the message is sent
    again."""


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
    """The send will never work; ``opted_out`` says the recipient has opted out of messages
    (SMS STOP), ``blocked`` that they blocked the bot (Telegram's 403)."""

    def __init__(self, message: str, opted_out: bool = False, blocked: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out
        self.blocked = blocked


class BadInput(GatewayError):
    """A request from outside is malformed; the message is safe to show to the caller."""


class CaseError(GatewayError):
    """A staff action on a case cannot be done; the message says why, to staff."""


class CaseNotFound(CaseError):
    """There is no case with this number (or it is not in this staff group)."""


class CaseClosed(CaseError):
    """The case is closed: the client is back with the assistant, and nothing more is relayed."""


class ClaimedByOther(CaseError):
    """Another member of staff has claimed the case; only they talk with the client."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class CheckinRefused(CaseError):
    """A check-in cannot be scheduled or cancelled as asked; the message says why, to staff."""


class ClientOptedOut(CaseError):
    """The client opted out of SMS (STOP): no message can reach them until they send START."""


class PrivacyError(GatewayError):
    """A purge, an erasure or an export cannot be done as asked; the message says why."""


class ErasureRefused(PrivacyError):
    """The conversation has an open case: staff close it first, then erase."""

    def __init__(self, message: str, case_id: int) -> None:
        super().__init__(message)
        self.case_id = case_id


class RasaCannotErase(PrivacyError):
    """No Rasa replica could erase the conversation now; the erasure stays pending.

    ``deleted`` is how many events a replica did delete before it could not finish (its store's
    file still held their old pages): the next attempt finds none, so the audit keeps these.
    """

    def __init__(self, message: str, deleted: int = 0) -> None:
        super().__init__(message)
        self.deleted = deleted
