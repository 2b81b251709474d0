"""No phone number, Telegram id or token in the logs; the sender id Rasa sees is a salted hash."""

from __future__ import annotations

import logging

import pytest

from bot.logs import shown_target
from bot.privacy import RedactingFormatter, SenderHasher, redact, short


def test_the_hash_depends_on_the_salt_and_the_channel():
    one, other = SenderHasher("salt-a"), SenderHasher("salt-b")
    assert one("sms", "+16505550123") == one("sms", "+16505550123")
    assert one("sms", "+16505550123") != other("sms", "+16505550123")
    assert one("sms", "123") != one("telegram", "123")
    assert "6505550123" not in one("sms", "+16505550123")
    assert len(one("sms", "+16505550123")) == 32


def test_a_salt_is_required():
    with pytest.raises(ValueError, match="salt"):
        SenderHasher("")


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("from +16505550123 to", "from [number] to"),
        ("call (650) 555-0123 now", "call [number] now"),
        ("call 650.555.0123", "call [number]"),
        ("chat 555000111 said", "chat [number] said"),
        ("group -1001234567890 here", "group [number] here"),
        ("POST /bot7000000001:AAH-test-token-for-the-fake-bot-api-xyz/sendMessage",
         "POST /bot[bot-token]/sendMessage"),
        ("2024-05-01 12:34:56,789 INFO ok", "2024-05-01 12:34:56,789 INFO ok"),
        ("conversation 3f9a12345678 message 12 took 0.1234567 s",
         "conversation 3f9a12345678 message 12 took 0.1234567 s"),
        ("call 911 or 988, 1-800-799-7233", "call 911 or 988, [number]"),
        # A conversation's name is shown, even when its hash begins with 12 digits; a number
        # of 12 digits (a phone number without +) is still masked.
        ("conv:123456789012 message 4 stored", "conv:123456789012 message 4 stored"),
        ("outbox conv:000000000000 failed", "outbox conv:000000000000 failed"),
        ("chat 123456789012 said", "chat [number] said"),
        ("conv:1234567890123456 x", "conv:[number] x"),
        ("conv:123456789012 to +16505550123", "conv:123456789012 to [number]"),
    ],
)  # fmt: skip
def test_redact(line, shown):
    assert redact(line) == shown


def test_a_conversation_is_named_so_that_it_can_be_followed():
    cid = "123456789012" + "a" * 20  # all digits where the logs show it: one in 280
    assert short(cid) == "conv:123456789012"
    assert redact(f"{short(cid)} message 3 answered") == "conv:123456789012 message 3 answered"


@pytest.mark.parametrize(
    ("path", "query", "shown"),
    [
        ("/api/webchat/messages", "sender=tab-abcdef0123456789&after=12",
         "/api/webchat/messages?sender=[hidden]&after=12"),
        ("/staff/cases/3/entries", "after=7", "/staff/cases/3/entries?after=7"),
        ("/", "", "/"),
        ("/x", "token=s3cret&sender=a%20b&after", "/x?token=[hidden]&sender=[hidden]&after="),
    ],
)  # fmt: skip
def test_the_access_log_hides_query_values_but_harmless_ones(path, query, shown):
    assert shown_target(path, query) == shown


def test_the_formatter_redacts_the_whole_line():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "reply to %s", ("+16505550123",), None
    )
    assert RedactingFormatter("%(message)s").format(record) == "reply to [number]"
