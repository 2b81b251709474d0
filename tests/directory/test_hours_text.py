"""Free-text hours (Link-SF) are read only when certain; anything else stays unknown."""

from __future__ import annotations

import pytest

from actions.directory.hours_text import parse_hours

MO, TU, WE, TH, FR, SA, SU = range(7)
WEEK = [MO, TU, WE, TH, FR]

READ = [
    ("M-F 9am-5pm", [(WEEK, "09:00", "17:00")]),
    ("Saturday 10:30-11:30am", [([SA], "10:30", "11:30")]),
    ("MTuThF 7am-10:45am, 12pm-3pm; W 7am-1pm", [([MO, TU, TH, FR], "07:00", "10:45"), ([MO, TU, TH, FR], "12:00", "15:00"), ([WE], "07:00", "13:00")]),
    ("Daily 7-9am, 7pm-10pm", [(list(range(7)), "07:00", "09:00"), (list(range(7)), "19:00", "22:00")]),
    ("M-W 7am-noon, 2-7pm; Th-F 7am-noon, 2-8pm; Sa 7am-noon.", [([MO, TU, WE], "07:00", "12:00"), ([MO, TU, WE], "14:00", "19:00"), ([TH, FR], "07:00", "12:00"), ([TH, FR], "14:00", "20:00"), ([SA], "07:00", "12:00")]),
    ("Mon Tues Thurs Fri 8:30am-5pm, W 9:30am-8:30pm", [([MO, TU, TH, FR], "08:30", "17:00"), ([WE], "09:30", "20:30")]),
    ("Tues 11:00am to 3:00pm", [([TU], "11:00", "15:00")]),
    ("M-F 9-5", [(WEEK, "09:00", "17:00")]),
    ("Mon 12-3pm", [([MO], "12:00", "15:00")]),
    ("Sa-Su 6:30pm-7:30am", [([SA, SU], "18:30", "07:30")]),
    ("Fri-Mon 8pm-8am", [([MO, FR, SA, SU], "20:00", "08:00")]),
    ("Open 24 hrs.", [(list(range(7)), "00:00", "00:00")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), READ, ids=[r[0] for r in READ])
def test_clear_hours_are_read(text: str, expected: list[tuple[list[int], str, str]]) -> None:
    parsed = parse_hours(text)
    assert parsed is not None
    got = [
        (sorted(days), o.strftime("%H:%M"), c.strftime("%H:%M")) for days, o, c in parsed.periods
    ]
    assert got == expected


UNCERTAIN = [
    None, "", "Call or check their website for hours and class schedule",
    "Drop In:Tu 10am-1pm & 3-6pm, Th 1:30-5pm. Appointment: M-F 8am-4pm.",  # which hours?
    "Thurs 9am",  # a start with no end
    "8-9am, 11am-12pm",  # no days
    "Tues 5:30pm until food runs out",
    "Sun Brunch 9-10:30am, Mon Breakfast 6:30am-7:30am",
    "M-F *8:30am-12pm, MTRF 1:30pm-4:30pm",
    "Mon and Tues 130pm-4:15pm",  # 130pm
    "M-F 13-14",  # no am/pm, not business hours
    "Youths 12-17 call; or show up M-F 6:30pm- 7:30am",
    "Tu",  # a day with no hours
]  # fmt: skip


@pytest.mark.parametrize("text", UNCERTAIN)
def test_uncertain_hours_are_not_read(text: str | None) -> None:
    assert parse_hours(text) is None


def test_closed_on_holidays_is_noted() -> None:
    parsed = parse_hours("M-F 8:30-5pm. closed holidays.")
    assert parsed is not None
    assert parsed.closed_on_holidays
    assert not parse_hours("M-F 8:30-5pm").closed_on_holidays  # type: ignore[union-attr]
