"""Every channel the gateway has is described once, and the core asks that description."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.channels import NAMES as CHANNELS
from bot.channels import units
from bot.channels.traits import TRAITS, traits
from bot.render import renderer

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


def test_the_core_names_a_channel_only_in_its_configuration():
    """Outside bot/channels/, a channel's name appears only in the settings (which channels a
    configuration runs), as the transport of staff's pages, or as a library's logger."""
    found = subprocess.run(
        ["git", "grep", "-n", "-E", '"(sms|telegram|webchat)"', "--", "bot/*.py", "bot/**/*.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.splitlines()  # fmt: skip
    allowed = ("bot/channels/", "bot/settings.py", "bot/logs.py", "bot/handoff/oncall/paging.py")
    assert [line for line in found if not line.startswith(allowed)] == []


@pytest.mark.parametrize("name", CHANNELS)
def test_each_channel_package_has_the_interface_the_gateway_calls(name):
    """What mypy checks statically (bot/channels/__init__.py), held at run time too: a channel
    added to NAMES without its package's functions fails here, not at the first message."""
    unit = dict(zip(CHANNELS, units(), strict=True))[name]
    for function in ("contexts", "add_routes", "stop_intake", "reachable_at"):
        assert callable(getattr(unit, function)), f"bot.channels.{name} lacks {function}()"
    assert callable(renderer(name)), f"bot/channels/{name}/render.py lacks render()"


def test_a_channel_the_gateway_does_not_have_has_no_renderer():
    with pytest.raises(ModuleNotFoundError):
        renderer("fax")
