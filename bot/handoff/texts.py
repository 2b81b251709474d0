"""What staff read: topic titles, the case summary, relayed words, notices, the queue.

Pure functions of a case. Staff see the client's words and what the bot understood, but never
the client's phone number or Telegram account: a client is "SMS client 3f9c1a", a short alias
from the conversation's hash. Everything here is plain text (Telegram messages are sent without
a parse mode, so nothing a client types can format or link anything).

Every post fits Telegram's limits (4,096 UTF-16 units a message, 128 a topic name): a long
message of the client's is quoted up to what fits, and the post says how much was left out (the
case's transcript, in the console, keeps it whole). A post refused as too long would leave staff
with a topic and no summary, no Claim and no Close.
"""

from __future__ import annotations

from bot.channels.telegram.render import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from bot.channels.telegram.render import cut_utf16, utf16_len
from bot.channels.traits import TRAITS
from bot.handoff.model import Case, Entry
from contract import (
    CHECKIN_REPLY,
    DANGER,
    DEFAULT_LANGUAGE,
    INTENT_FOR_RISK,
    NOT_SAFE,
    REQUEST_HUMAN,
    SELF_HARM,
)
from contract import REASONS as CONTRACT_REASONS

CHANNELS = {name: t.label for name, t in TRAITS.items()}
REASONS = {
    REQUEST_HUMAN: "asked for a person",
    INTENT_FOR_RISK[SELF_HARM]: "self-harm risk",
    INTENT_FOR_RISK[DANGER]: "in danger now",
    NOT_SAFE: "said they are not safe",
    CHECKIN_REPLY: "answered a check-in",
}
assert set(REASONS) == set(CONTRACT_REASONS), "every reason a case opens for has its words"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}  # as staff read them
TITLE_LIMIT = 128  # Telegram's limit for a forum topic's name
POST_LIMIT = TELEGRAM_TEXT_LIMIT
TURN_LIMIT = 300  # each message of "What the assistant understood" in a summary
MIN_QUOTE = 200  # the client's first words always get at least this much of a summary
MIN_TURN = 60
HOW_TO = (
    "Write in this topic to answer the client (your first message claims the case). "
    "/note TEXT keeps a note for staff only. /close [TEXT] ends the case, with TEXT as a last "
    "message to the client. /misread sends the client's last message to the admins' review. "
    "/followup WHEN [TEXT] schedules a check-in, if the client agreed to one (/followup alone "
    "lists them)."
)
FOLLOWUP_HOW_TO = (
    "/followup WHEN [TEXT]: a check-in to the client, if they agreed to one. WHEN: tomorrow "
    "10:00, today 15:30, mon 9am, in 3h, 2026-12-07 10:00 (the client's time, 9:00 to 20:00). "
    "TEXT: your words, or nothing for the usual check-in, or appointment DAY TIME at PLACE for a "
    "reminder. /followup alone lists this case's check-ins; /followup cancel N cancels one. The "
    "client's answer comes back here."
)
PROPOSE_CHECKIN = (
    "High-risk case closed. A check-in within a day helps (988's practice): if the client agreed "
    "to one, /followup tomorrow 10:00 schedules it from here, or use the case's page in the "
    "console."
)
HOW_TO_REPLIES = (
    "Reply to this message (or to any message of case #{id}) to answer the client: your first "
    "reply claims the case. Reply with /note TEXT for a note for staff only, /close [TEXT] to end "
    "the case."
)
ICON_HIGH = 16478047  # Telegram's red topic icon
ICON_NORMAL = 7322096  # blue


def alias(case: Case) -> str:
    """A name for the client that says nothing about who they are."""
    return f"{CHANNELS.get(case.channel, case.channel)} client {case.conversation_id[:6]}"


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason.replace("_", " "))


def title(case: Case) -> str:
    """The forum topic's name: risk, channel and need (or why the case opened)."""
    topic = case.details.get("need") or reason_label(case.reason)
    channel = CHANNELS.get(case.channel, case.channel)
    if case.status == "closed":
        text = f"✅ #{case.id} closed · {channel} · {topic}"
    elif case.risk == "high":
        text = f"🔴 #{case.id} HIGH RISK · {channel} · {topic}"
    else:
        text = f"🔵 #{case.id} {channel} · {topic}"
    return cut_utf16(text, TITLE_LIMIT)


def icon_color(case: Case) -> int:
    return ICON_HIGH if case.risk == "high" else ICON_NORMAL


def fit(text: str, limit: int = POST_LIMIT) -> str:
    """``text`` within ``limit`` UTF-16 units; if it had to be cut, it says how much went."""
    if utf16_len(text) <= limit:
        return text
    kept = cut_utf16(text, limit - utf16_len(_cut_note(len(text))))
    return kept + _cut_note(len(text) - len(kept))


def _cut_note(left_out: int) -> str:
    return f"… [{left_out:,} more characters not shown]"


def summary(
    case: Case,
    opening: str | None,
    when: str,
    topics: bool = True,
    status: bool = True,
    limit: int | None = POST_LIMIT,
) -> str:
    """The first post of a case: who, why, what the bot understood, its state, what to do.

    ``status``: end with the case's state and how to answer (the console shows these apart).
    ``limit``: the post's size in UTF-16 units; each recent message is quoted up to
    :data:`TURN_LIMIT` (less if the post needs it) and the client's first words up to what is
    left (at least :data:`MIN_QUOTE`); None for the console, which shows everything.
    """
    if limit is None:
        return _summary(case, opening, when, topics, status, turn_limit=None)
    turns = TURN_LIMIT
    while True:  # what the assistant understood gives way first, then the client's words
        # The post around a one-character quote: what is left is the room for the quote.
        frame = utf16_len(_summary(case, "x" if opening else None, when, topics, status, turns))
        if frame - 1 + MIN_QUOTE <= limit or turns <= MIN_TURN:
            break
        turns //= 2
    if opening:
        opening = fit(opening, max(MIN_QUOTE, limit - (frame - 1)))
    return fit(_summary(case, opening, when, topics, status, turns), limit)


def _summary(
    case: Case,
    opening: str | None,
    when: str,
    topics: bool,
    status: bool,
    turn_limit: int | None,
) -> str:
    risk = "HIGH RISK" if case.risk == "high" else "normal risk"
    route = "after hours (on call)" if case.route == "on_call" else "office hours"
    lines = [
        f"{'🔴' if case.risk == 'high' else '🔵'} Case #{case.id} · {risk} · "
        f"{reason_label(case.reason)}",
        f"{alias(case)} · {route} · opened {when}",
    ]
    if case.language and case.language != DEFAULT_LANGUAGE:
        lines[1] += f" · writes in {LANGUAGE_NAMES.get(case.language, case.language)}"
    facts = []
    for label, key in (("Need", "need"), ("Place", "location")):
        if case.details.get(key):
            facts.append(f"{label}: {case.details[key]}")
    if case.details.get("population"):
        facts.append("For: " + ", ".join(case.details["population"]))
    if facts:
        lines.append(" · ".join(facts))
    if case.opted_out:
        lines.append(
            "⚠ The client has opted out of SMS (texted STOP): nothing can reach them until they "
            "text START. A distressed person may type END: treat it as a safeguarding signal."
        )
    if opening:
        lines += ["", "The client wrote:", f"“{opening}”"]
    recent = case.details.get("recent") or []
    if recent:
        lines += ["", "What the assistant understood:"]
        for turn in recent:
            confidence = turn.get("confidence")
            score = f" ({confidence:.2f})" if isinstance(confidence, float) else ""
            said = turn["text"] if turn_limit is None else fit(turn["text"], turn_limit)
            lines.append(f"• “{said}” → {turn.get('intent') or '?'}{score}")
    if status:
        lines += ["", status_line(case)]
        if case.is_open:
            lines.append(HOW_TO if topics else HOW_TO_REPLIES.format(id=case.id))
    return "\n".join(lines)


def status_line(case: Case) -> str:
    if case.status == "waiting":
        return "Status: WAITING for someone to claim it."
    if case.status == "claimed":
        return f"Status: claimed by {case.claimed_by_name}."
    who = "nobody claimed it in time" if case.close_reason == "timeout" else case.closed_by_name
    return f"Status: closed ({who}). The client is back with the assistant."


def client_words(case: Case, texts: list[str], topics: bool = True) -> str:
    """The client's messages as one post (several when the client writes fast).

    The staff relay batches at most about 3,800 characters; a single message longer than a
    post can hold (web chat and Telegram take 4,096) is cut, and the post says so.
    """
    prefix = "" if topics else f"#{case.id} "
    room = POST_LIMIT - utf16_len(prefix) - 2
    return fit("\n".join(f"{prefix}› {fit(text, room)}" for text in texts))


def reminder(case: Case, minutes: float) -> str:
    risk = "HIGH RISK " if case.risk == "high" else ""
    return (
        f"⏰ {risk}case #{case.id} ({alias(case)}, {reason_label(case.reason)}) has waited "
        f"{minutes:.0f} min and nobody has claimed it."
    )


def queue_lines(cases: list[Case], now: float) -> str:
    """The open cases in queue order, for /queue in a staff group (as many as fit a post)."""
    if not cases:
        return "No open cases."
    lines = ["Open cases, most urgent first:"]
    for shown, case in enumerate(cases):
        if utf16_len("\n".join(lines)) > POST_LIMIT - 300:
            lines.append(f"… and {len(cases) - shown} more.")
            break
        waited = max(0.0, now - case.opened_at) / 60
        state = case.claimed_by_name if case.status == "claimed" else "WAITING"
        risk = "🔴 HIGH" if case.risk == "high" else "🔵"
        lines.append(
            f"{risk} #{case.id} · {alias(case)} · {reason_label(case.reason)} · "
            f"{waited:.0f} min · {state}"
        )
    return "\n".join(lines)


def entry_line(entry: Entry) -> str:
    """A transcript line as the console shows it (its author for staff and notes)."""
    if entry.direction == "client":
        return f"Client: {entry.text}"
    if entry.direction == "staff":
        return f"{entry.author_name or 'Staff'}: {entry.text}"
    if entry.direction == "note":
        return f"Note by {entry.author_name or 'staff'}: {entry.text}"
    return entry.text
