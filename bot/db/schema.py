"""The gateway store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

JSON columns are TEXT in the database and Python values in rows (:class:`JSONText`,
:class:`ButtonsText`), so a row maps to its dataclass column for column.

- ``conversations``: one per client and channel, named by the salted hash; holds where replies
  go (never logged), the SMS opt-out, the numbered options of the last SMS reply, and when the
  "assistant is down" notice was last sent.
- ``inbound``: every client message as it arrived, its risk, and where it is (pending, done,
  handled by the gateway, ignored, failed); a provider id is stored once only.
- ``outbox``: every unit to send, one provider call each, in order per conversation.
- ``events``: what staff need later: handoff requests, opt-outs and opt-ins.
- ``button_payloads``: Telegram button payloads too long for callback data, by hash.
- ``gateway_meta``: values the gateway generates once (the sender hash salt, the webhook secret),
  and when the retention purge last ran.
- ``privacy_audit``: that a purge, an erasure or an export happened, by whom, when, and how many
  rows of each store it touched; never whose (:mod:`bot.privacy`).
- ``erasures``: erasures not yet finished everywhere: the conversation, until Rasa has erased
  it too (Rasa was down); then, under a random id, the staff group's messages about it still to
  delete in Telegram; then the row goes.

- ``report_events``: what the report counts (:mod:`bot.db.report`): a need searched and what
  was found, a risk signal, a request for a person and how long it waited, a conversation
  begun; by hour, channel and town or ZIP code. No words, no conversation: the retention purge
  keeps these rows.

Human handoff (:mod:`bot.handoff`) adds:

- ``cases``: one per request for a person: the conversation, risk, what the bot understood,
  where staff were told (Telegram group, forum topic), who claimed it, when it closed. At most
  one case of a conversation is open at a time (a partial unique index says so to the database).
- ``case_messages``: a case's transcript: the client's words, staff replies, internal notes and
  what the gateway did; a staff message's provider id is stored once only.
- ``staff_posts``: what to post in the staff group for each case (the topic and its summary,
  the client's words, reminders), in order per case, with retries; the Telegram message each
  became, so that a reply to it finds its case.
- ``staff_sessions``: staff signed in to the console (the hash of each session token).

Follow-ups (:mod:`bot.followups`) add:

- ``consents``: each time a client was asked whether the assistant may message them later: for
  which kind of follow-up, the need and town of the search, the wording's version, the answer
  and when; ``sensitive`` when the client had mentioned abuse (the check-in is then neutral).
- ``followups``: what is to be sent proactively and when (the outcome question, its one
  reminder; a check-in staff scheduled from a case, with its words and who scheduled it), with
  a lease (a worker claims a row before it sends it), what became of it, and the client's
  answer as a label ("full", "got_help", "replied"): never their words.

The admins' loop (:mod:`bot.admin`, :mod:`bot.db.review`, :mod:`bot.db.audit`) adds:

- ``review_items``: the review inbox, one row per distinct masked message, with a count;
- ``review_sightings``: when each was seen, and a one-way key of its conversation (erasure);
- ``admin_audit``: who labelled, discarded, trained, promoted or rolled back what, and when.

Messages for Rasa that are not the client's words are ``inbound`` rows of kind ``control``
("pause", "resume"): the router sends them to Rasa's tracker in order with the messages.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.model import Button

metadata = sa.MetaData()


class JSONText(sa.types.TypeDecorator):
    """A value kept as JSON text (TEXT in the database): dicts and lists in Python."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


class ButtonsText(sa.types.TypeDecorator):
    """Numbered options as JSON text, ``[[title, payload], ...]``; a tuple of Buttons in Python."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps([[b.title, b.payload] for b in value])

    def process_result_value(self, value: str | None, dialect: Any) -> tuple[Button, ...]:
        return tuple(Button(title, payload) for title, payload in json.loads(value or "[]"))


meta = sa.Table(
    "gateway_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # salted hash of channel and user id
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("address", sa.Text, nullable=False),  # chat id / phone number: never logged
    sa.Column("opted_out", sa.Boolean, nullable=False, default=False),
    sa.Column("buttons", ButtonsText, nullable=False, default=()),  # last numbered options (SMS)
    sa.Column("degraded_at", sa.Float),  # when the "Rasa is down" notice was last sent
    sa.Column("language", sa.String(8)),  # the conversation's language (bot/language.py)
    sa.Column("language_source", sa.String(16)),  # explicit, detected, hint, default
    sa.Column("language_strength", sa.Float),  # how strongly it was said (a choice: the most)
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

inbound = sa.Table(
    "inbound",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("provider_id", sa.String(128)),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # the client's own words
    sa.Column("risk", sa.String(16)),  # what the safety screen found, if anything
    sa.Column("risk_tier", sa.String(16)),  # clear (crisis reply sent) or uncertain
    sa.Column("language", sa.String(8)),  # the conversation's language when it arrived
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False, default=0.0),
    sa.Column("last_error", sa.Text),
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float),
    sa.UniqueConstraint("channel", "provider_id", name="inbound_provider_once"),
    sa.Index("inbound_by_conversation", "conversation_id", "status", "id"),
    sa.Index("inbound_by_status", "status"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("inbound_id", sa.Integer),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # reply, crisis, notice, help, media...
    sa.Column("body", JSONText, nullable=False),  # the rendered unit
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False, default=0.0),
    sa.Column("provider_ref", sa.String(128)),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float),
    sa.Index("outbox_by_conversation", "conversation_id", "status", "id"),
    sa.Index("outbox_by_status", "status"),
    sa.Index("outbox_by_inbound", "inbound_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("inbound_id", sa.Integer),
    sa.Column("kind", sa.String(32), nullable=False),  # handoff, opt_out, opt_in
    sa.Column("data", JSONText, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("events_by_conversation", "conversation_id", "id"),
)

# Counts for the report: no client's words and no conversation id, so no row leads to a person;
# the time is the hour (UTC, at its start), enough for the charts and no finer.
report_events = sa.Table(
    "report_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hour", sa.Float, nullable=False),  # the hour it happened (Unix time, UTC)
    sa.Column("kind", sa.String(16), nullable=False),  # conversation, search, risk, handoff, ...
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("need", sa.String(32)),  # search: shelter, food, ...
    sa.Column("place", sa.String(64)),  # search: the town (a ZIP code's own town)
    sa.Column("postcode", sa.String(10)),  # search: the ZIP code, when the client gave one
    sa.Column("latitude", sa.Float),  # the town's point (never the client's), for the map
    sa.Column("longitude", sa.Float),
    sa.Column("found", sa.Integer),  # search: services found
    sa.Column("nearest", sa.Float),  # search: miles to the nearest (None: none with a distance)
    sa.Column("risk", sa.String(16)),  # risk: self_harm, danger (None: not said); handoff: level
    sa.Column("tier", sa.String(16)),  # risk: clear, uncertain
    sa.Column("source", sa.String(16)),  # risk: screen, nlu
    sa.Column("reason", sa.String(32)),  # handoff: request_human, risk_self_harm, not_safe, ...
    sa.Column("after_hours", sa.Boolean),  # handoff: routed to the on-call worker
    sa.Column("outcome", sa.String(16)),  # handoff: case, nobody; closed: unclaimed
    sa.Column("wait", sa.Float),  # claimed: seconds from the request to a person
    sa.Column("service", sa.String(64)),  # followup: the service named first in the listing
    sa.Index("report_events_by_hour", "hour", "kind"),
)

# Telegram callback data holds at most 64 bytes; longer button payloads are kept here by hash.
button_payloads = sa.Table(
    "button_payloads",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
)


# --- human handoff (bot.handoff) ---------------------------------------------------------------

_OPEN = sa.text("status != 'closed'")

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # waiting, claimed, closed
    sa.Column("risk", sa.String(16), nullable=False),  # high, normal
    sa.Column("reason", sa.String(64), nullable=False),  # request_human, risk_self_harm, ...
    sa.Column("details", JSONText, nullable=False),  # need, location, population, recent
    sa.Column("route", sa.String(16), nullable=False),  # office, on_call
    sa.Column("staff_chat_id", sa.BigInteger),  # the Telegram group told (None: console only)
    sa.Column("topic_id", sa.BigInteger),  # the forum topic (None: replies in the group)
    sa.Column("summary_message_id", sa.BigInteger),
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float),
    sa.Column("claimed_by", sa.String(64)),  # a staff key: never a Telegram id in clear
    sa.Column("claimed_by_name", sa.String(64)),  # shown to staff only
    sa.Column("closed_at", sa.Float),
    sa.Column("closed_by_name", sa.String(64)),
    sa.Column("close_reason", sa.String(16)),  # staff, timeout
    sa.Column("reminders", sa.Integer, nullable=False, default=0),
    sa.Column("on_call_paged_at", sa.Float),
    sa.Column("backup_paged_at", sa.Float),
    sa.Column("client_told_unavailable_at", sa.Float),
    sa.Index(
        "cases_one_open_per_conversation",
        "conversation_id",
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    ),
    sa.Index("cases_by_status", "status", "risk", "opened_at"),
    sa.Index("cases_by_topic", "staff_chat_id", "topic_id"),
)

case_messages = sa.Table(
    "case_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),  # client, staff, note, system
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author_name", sa.String(64)),  # staff only; never sent to the client
    sa.Column("inbound_id", sa.Integer),  # the client's message
    sa.Column("opening", sa.Boolean, nullable=False, default=False),  # the message that opened it
    sa.Column("provider_id", sa.String(128), unique=True),  # a staff message, stored once
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("case_messages_by_case", "case_id", "id"),
    sa.Index("case_messages_by_inbound", "inbound_id"),
)

staff_posts = sa.Table(
    "staff_posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("op", sa.String(16), nullable=False),  # open, client, notice, remind, summary, close
    sa.Column("body", JSONText, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, sent, failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False, default=0.0),
    sa.Column("chat_id", sa.BigInteger),
    sa.Column("message_id", sa.BigInteger),  # the Telegram message it became
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float),
    sa.Index("staff_posts_by_case", "case_id", "status", "id"),
    sa.Index("staff_posts_by_status", "status"),
    sa.Index("staff_posts_by_message", "chat_id", "message_id"),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)


# --- follow-ups (bot.followups) ----------------------------------------------------------------

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # outcome
    sa.Column("need", sa.String(32), nullable=False),  # shelter, food, ...
    sa.Column("place", sa.String(64)),  # the town searched (the report's label)
    sa.Column("postcode", sa.String(10)),
    sa.Column("service", sa.String(64)),  # the service listed first
    sa.Column("sensitive", sa.Boolean, nullable=False, default=False),  # abuse was mentioned
    sa.Column("wording", sa.String(32), nullable=False),  # the offer's text and its version
    sa.Column("answer", sa.String(8), nullable=False),  # asked, yes, no, stopped
    sa.Column("asked_at", sa.Float, nullable=False),
    sa.Column("answered_at", sa.Float),
    sa.Index("consents_by_conversation", "conversation_id", "id"),
)

followups = sa.Table(
    "followups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("consent_id", sa.Integer),  # the consent it was scheduled on
    sa.Column("kind", sa.String(16), nullable=False),  # question, reminder; checkin, appointment
    sa.Column("need", sa.String(32), nullable=False),  # (staff's check-ins: "checkin")
    sa.Column("place", sa.String(64)),
    sa.Column("postcode", sa.String(10)),
    sa.Column("service", sa.String(64)),
    sa.Column("sensitive", sa.Boolean, nullable=False, default=False),  # sent neutral
    sa.Column("state", sa.String(16), nullable=False),  # scheduled, sent, asked, answered,
    # cancelled, dropped (too late, or the client cannot be reached)
    sa.Column("first_due_at", sa.Float, nullable=False),  # when it was first due (the late rule)
    sa.Column("due_at", sa.Float, nullable=False),  # when it may go (moved by quiet hours)
    sa.Column("lease_owner", sa.String(32)),  # the worker that claimed it
    sa.Column("lease_until", sa.Float),
    sa.Column("sent_at", sa.Float),
    sa.Column("answered_at", sa.Float),
    sa.Column("outcome", sa.String(16)),  # got_help, full, no_way, did_not_go, help_now
    # A check-in staff scheduled (bot.handoff.checkins): its case, who scheduled it, and the
    # words to send (staff's, or a template's in the client's language).
    sa.Column("case_id", sa.Integer),
    sa.Column("author", sa.String(64)),
    sa.Column("text", sa.Text),
    sa.Column("note", sa.String(64)),  # why it was dropped or cancelled
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("followups_due", "state", "due_at"),
    sa.Index("followups_by_conversation", "conversation_id", "state"),
)


# --- privacy (bot.privacy) ----------------------------------------------------------------------

privacy_audit = sa.Table(
    "privacy_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action", sa.String(16), nullable=False),  # purge, erase, export
    sa.Column("actor", sa.String(64), nullable=False),  # console:alex, cli:root, client, schedule
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("completed_at", sa.Float),  # an erasure waiting for Rasa: not yet
    sa.Column("detail", JSONText, nullable=False),  # counts per store; never whose
    sa.Index("privacy_audit_by_time", "at"),
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("audit_id", sa.Integer, nullable=False),
    sa.Column("requested_at", sa.Float, nullable=False),
    sa.Column("in_store", sa.Boolean, nullable=False, default=True),  # False: a client's, not yet
    sa.Column("rasa_done", sa.Boolean),  # Rasa has erased it (the row then has a random id)
    sa.Column("staff_messages", JSONText),  # in the staff Telegram group, still to delete
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
)


# --- the admins' review inbox and audit log (bot.admin) ----------------------------------------

# One row per distinct message (by its normalised masked text): the masked words, why it is
# there, what the NLU guessed last, and how many times it was seen. Never the client's id.
review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("normalised", sa.String(512), nullable=False, unique=True),
    sa.Column("text", sa.Text, nullable=False),  # masked (bot.admin.masking)
    sa.Column("kind", sa.String(16), nullable=False),  # disagreement, staff, unsure, audit
    sa.Column("priority", sa.Integer, nullable=False),  # 0 first (bot.admin.review.PRIORITY)
    sa.Column("detail", sa.Text, nullable=False),  # why, as an admin reads it
    sa.Column("intent", sa.String(64)),  # the NLU's last guess
    sa.Column("confidence", sa.Float),
    sa.Column("ranking", JSONText),  # [[intent, confidence], ...] the top few
    sa.Column("entities", JSONText),  # [[entity, value], ...] found in the masked text
    sa.Column("count", sa.Integer, nullable=False, default=1),
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.Index("review_items_by_order", "priority", "last_seen"),
)

# Each time a message of an item was seen: when, and a one-way key of its conversation (so a
# conversation can be erased from the inbox, and old sightings purged). Not the client's id.
review_sightings = sa.Table(
    "review_sightings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("conversation_key", sa.String(64), nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.Index("review_sightings_by_item", "item_id"),
    sa.Index("review_sightings_by_key", "conversation_key"),
    sa.Index("review_sightings_by_time", "seen_at"),
)

# Who did what in the admin loop, and when: labels, discards, trainings, promotions, rollbacks.
admin_audit = sa.Table(
    "admin_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Index("admin_audit_by_time", "at"),
)
