"""Report events in the store: hours, not moments; what the action server reports is checked;
a conversation is counted once per session; nothing of a client is in a row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.db import Database, report
from bot.db.schema import report_events

GOOD = {"kind": "search", "need": "shelter", "place": "Redwood City", "postcode": "94063",
        "latitude": 37.4759, "longitude": -122.246, "found": 7, "nearest": 1.34}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path):
    """The store on SQLite, and on PostgreSQL (a server on loopback) where it can start."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
    database = Database(url)
    await database.open()
    yield database
    await database.close()


def test_a_good_search_payload_becomes_its_columns() -> None:
    expected = {k: v for k, v in GOOD.items() if k != "kind"} | {"nearest": 1.3}
    assert report.search_fields(GOOD) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "risk"},
        {"need": "Shelter; DROP TABLE"},
        {"need": None},
        {"need": "x" * 40},
        {"place": ""},
        {"place": "Redwood\x00City"},
        {"place": 12},
        {"found": -1},
        {"found": "7"},
        {"found": True},
        {"found": 10**9},
    ],
)
def test_a_bad_search_payload_counts_nothing(change: dict[str, Any]) -> None:
    assert report.search_fields({**GOOD, **change}) is None


@pytest.mark.parametrize(
    ("change", "column", "kept"),
    [
        ({"postcode": "9406"}, "postcode", None),
        ({"postcode": "94063-1234"}, "postcode", None),
        ({"latitude": 200.0}, "latitude", None),
        ({"longitude": float("nan")}, "longitude", None),
        ({"latitude": "37"}, "latitude", None),
        ({"nearest": -3}, "nearest", None),
        ({"nearest": float("inf")}, "nearest", None),
        ({"place": "P" * 300}, "place", "P" * 64),
    ],
)
def test_a_bad_field_of_a_search_is_left_out(
    change: dict[str, Any], column: str, kept: Any
) -> None:
    fields = report.search_fields({**GOOD, **change})
    assert fields is not None
    assert fields[column] == kept
    if column in ("latitude", "longitude"):
        assert fields["latitude"] is None
        assert fields["longitude"] is None


async def test_times_are_kept_to_the_hour_and_read_back_by_period(db: Database) -> None:
    base = 1_764_000_000.0  # 2025-11-24 16:00 UTC, the start of an hour
    await db.run(report.add, "conversation", "sms", base + 59 * 60 + 59)
    await db.run(report.add, "conversation", "telegram", base + 3600 + 1)
    hours = await db.run(lambda c: c.execute(sa.select(report_events.c.hour)).scalars().all())
    assert hours == [base, base + 3600]
    assert [e.channel for e in await db.run(report.rows, base, base + 3600)] == ["sms"]
    assert len(await db.run(report.rows, base + 1800, base + 7200)) == 2


async def test_a_conversation_is_counted_once_per_session(db: Database) -> None:
    from bot.db import conversations

    def message(c, now: float) -> None:
        report.conversation_begun(c, "cid-1", "sms", now)
        conversations.touch(c, "cid-1", "sms", "+16505550100", now, None)

    t = 1_764_000_000.0
    for offset in (0, 60, 3 * 3600, 3 * 3600 + report.SESSION_GAP + 1):
        await db.run(message, t + offset)
    assert len(await db.run(report.rows, t, t + 86400)) == 2


async def test_the_nlu_counts_risk_only_where_the_screen_found_none(db: Database) -> None:
    crisis = [{"reason": "risk_self_harm", "risk": "high"}, {"reason": "risk_self_harm"}]
    check = [{"kind": "risk", "tier": "uncertain"}]
    t = 1_764_000_000.0
    await db.run(report.from_answer, "sms", None, [GOOD], crisis, t)  # NLU, clear, once
    await db.run(report.from_answer, "sms", "self_harm", [], crisis, t)  # the screen's already
    await db.run(report.from_answer, "telegram", None, check, [], t)  # NLU, uncertain
    await db.run(report.from_answer, "telegram", "danger", check, [], t)  # the screen's already
    await db.run(report.from_answer, "sms", None, [], [{"reason": "request_human"}], t)  # none
    events = await db.run(report.rows, t, t + 3600)
    risks = [(e.channel, e.risk, e.tier, e.source) for e in events if e.kind == "risk"]
    assert risks == [("sms", "self_harm", "clear", "nlu"), ("telegram", None, "uncertain", "nlu")]
    assert [e.need for e in events if e.kind == "search"] == ["shelter"]


def test_no_column_of_a_report_row_can_hold_words_or_a_client() -> None:
    names = set(report_events.c.keys())
    assert not names & {"conversation_id", "text", "address", "sender", "inbound_id", "case_id"}
    for column in report_events.c:
        if isinstance(column.type, sa.String):
            assert (column.type.length or 999) <= 64, column.name
