"""When a proactive message may go: the pure time rules of follow-ups, in the region's zone.

- Quiet hours: nothing proactive outside :data:`DAY_START` to :data:`DAY_END` (9:00 to 20:00)
  in the client's time zone (the region's); a message due at 3:00 waits for 9:00.
- One proactive message a day per client, by the client's calendar.
- Late: a message that cannot go within :data:`LATE` of when it was first due is dropped, not
  sent stale ("did you get a bed last night?" two days later is wrong).
- "Tomorrow morning" is the first 9:00 at least :data:`NIGHT` after the client said yes: a yes at
  23:00 is asked at 9:00 the next day, a yes at 2:00 at 9:00 the same day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_START = time(9, 0)
DAY_END = time(20, 0)
LATE = 24 * 3600.0  # a follow-up this late is dropped
NIGHT = 6 * 3600.0  # "tomorrow morning" is at least this far away
REMINDER_AFTER = 24 * 3600.0  # the one reminder, if the question has no answer
WAIT_FOR_STAFF = 30 * 60.0  # while the client talks with staff, look again this much later


def local(moment: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(moment, zone)


def at(day: date, clock: time, zone: ZoneInfo) -> float:
    """``clock`` on ``day``'s date in ``zone`` (a wall time; DST gaps resolve forwards)."""
    wall = datetime.combine(day, clock)
    return wall.replace(tzinfo=zone).timestamp()


def in_day(moment: float, zone: ZoneInfo) -> bool:
    """Whether ``moment`` is inside the hours a proactive message may go."""
    wall = local(moment, zone).time()
    return DAY_START <= wall < DAY_END


def next_day_start(moment: float, zone: ZoneInfo) -> float:
    """The first 9:00 at or after ``moment`` (``moment`` itself if it is inside the day)."""
    if in_day(moment, zone):
        return moment
    here = local(moment, zone)
    start = at(here, DAY_START, zone)
    return start if start > moment else at(here + timedelta(days=1), DAY_START, zone)


def tomorrow_morning(moment: float, zone: ZoneInfo) -> float:
    """When the outcome question is due for a yes given at ``moment``."""
    here = local(moment, zone)
    start = at(here, DAY_START, zone)
    while start < moment + NIGHT:
        here += timedelta(days=1)
        start = at(here, DAY_START, zone)
    return start


def same_day(a: float, b: float, zone: ZoneInfo) -> bool:
    return local(a, zone).date() == local(b, zone).date()


def next_day(moment: float, zone: ZoneInfo) -> float:
    """9:00 of the day after ``moment``'s (the one-a-day rule)."""
    return at(local(moment, zone) + timedelta(days=1), DAY_START, zone)


def day_start(moment: float, zone: ZoneInfo) -> float:
    """Midnight of ``moment``'s day in ``zone`` (one proactive message a day, by the client's
    calendar)."""
    return at(local(moment, zone), time(0, 0), zone)
