"""The gateway store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

- ``conversations``: one per client and channel, named by the salted hash; holds where replies
  go (never logged), the SMS opt-out, the numbered options of the last SMS reply, and when the
  "assistant is down" notice was last sent.
- ``inbound``: every client message as it arrived, its risk, and where it is (pending, done,
  handled by the gateway, ignored, failed); a provider id is stored once only.
- ``outbox``: every unit to send, one provider call each, in order per conversation.
- ``events``: what staff need later: handoff requests, opt-outs and opt-ins.
- ``button_payloads``: Telegram button payloads too long for callback data, by hash.
- ``gateway_meta``: values the gateway generates once (the sender hash salt, the webhook secret).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

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
    sa.Column("buttons", sa.Text, nullable=False, default="[]"),  # last numbered options (SMS)
    sa.Column("degraded_at", sa.Float),  # when the "Rasa is down" notice was last sent
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
    sa.Column("body", sa.Text, nullable=False),  # the rendered unit, JSON
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
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("events_by_conversation", "conversation_id", "id"),
)

# Telegram callback data holds at most 64 bytes; longer button payloads are kept here by hash.
button_payloads = sa.Table(
    "button_payloads",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
)
