"""Every channel the gateway has is described once, and the core asks that description."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.channels.traits import TRAITS, traits
from bot.model import CHANNELS

ROOT = Path(__file__).resolve().parents[2]


def test_every_channel_has_its_traits():
    assert set(TRAITS) == set(CHANNELS)


@pytest.mark.parametrize(
    ("channel", "raw", "clean"),
    [("sms", "+1 (650) 555-0142", "+16505550142"), ("telegram", " 5550001 ", "5550001"),
     ("webchat", "tab-0123", "tab-0123")],
)  # fmt: skip
def test_an_address_is_read_as_the_channel_writes_it(channel, raw, clean):
    assert traits(channel).clean_address(raw) == clean


@pytest.mark.parametrize(("channel", "raw"), [("sms", "6505550142"), ("telegram", "abc"),
                                              ("webchat", "<script>")])  # fmt: skip
def test_an_address_that_cannot_be_one_is_refused_with_what_one_looks_like(channel, raw):
    with pytest.raises(ValueError, match=f"not a {channel} client id: give"):
        traits(channel).clean_address(raw)


def test_the_core_names_a_channel_only_in_its_wiring():
    """Outside bot/channels/, a channel's name appears only where the gateway is put together
    (settings, the app, its state, the dispatch to a renderer) or names a library's logger."""
    found = subprocess.run(
        ["git", "grep", "-n", "-E", '"(sms|telegram|webchat)"', "--", "bot/*.py", "bot/**/*.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.splitlines()  # fmt: skip
    wiring = ("bot/channels/", "bot/model.py", "bot/settings.py", "bot/app.py", "bot/state.py",
              "bot/render.py", "bot/logs.py", "bot/handoff/paging.py")  # fmt: skip
    assert [line for line in found if not line.startswith(wiring)] == []
