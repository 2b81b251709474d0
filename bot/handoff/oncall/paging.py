"""Paging staff by SMS: the on-call worker for a high-risk case after hours, the backup when
nobody claims a case.

A page is an SMS unit in the gateway's outbox, to a conversation of its own (named by the salted
hash of the number, like a client's), so it is durable, retried and paced like any SMS. It says
which case is waiting and how urgent it is, and nothing that identifies the client: no number,
no words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import gsm
from bot.db import Connection, conversations, outbox
from bot.handoff import texts
from bot.handoff.model import Case
from bot.model import OutboxItem
from bot.privacy import SenderHasher

if TYPE_CHECKING:
    from bot.hooks import Effects

PAGE_CHANNEL = "sms"


def page_conversation(hasher: SenderHasher, phone: str) -> str:
    return "page-" + hasher("page", phone)[:24]


def page_text(case: Case, backup: bool = False) -> str:
    risk = "HIGH-RISK" if case.risk == "high" else "A"
    why = "Nobody has claimed it." if backup else "After hours."
    need = case.details.get("need")
    about = f"{texts.CHANNELS.get(case.channel, case.channel)}, {texts.reason_label(case.reason)}"
    if need:
        about += f", need: {need}"
    return (
        f"Crisis assistant: {risk} case #{case.id} is waiting ({about}). {why} Please open the "
        "staff Telegram group or the staff console."
    )


def queue_page(
    c: Connection, hasher: SenderHasher, phone: str, text: str, now: float, eff: Effects
) -> None:
    """Queue an SMS page to ``phone`` (inside the caller's transaction)."""
    cid = page_conversation(hasher, phone)
    conversations.ensure(c, cid, PAGE_CHANNEL, phone, now)
    parts = gsm.split(gsm.to_gsm(text))
    outbox.queue(c, cid, PAGE_CHANNEL, None, [OutboxItem("page", {"text": p}) for p in parts], now)
    eff.outbox.add(cid)
