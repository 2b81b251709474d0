"""The Rasa launcher: the token from the environment, whatever its first character."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rasa_addons.serve import rasa_argv
from tests.servers import RasaServers


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--two", "plain_token", "-t"])
def test_the_token_is_one_argument_whatever_it_begins_with(token: str) -> None:
    argv = rasa_argv(["--enable-api", "--port", "5005"], {"RASA_TOKEN": token})
    assert argv[:2] == ["rasa", "run"]
    assert argv[-1] == f"--auth-token={token}"


def test_no_token_no_option() -> None:
    assert rasa_argv(["--enable-api"], {}) == ["rasa", "run", "--enable-api"]


@pytest.mark.parametrize("argv", [["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"]])
def test_a_token_on_the_command_line_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit, match="RASA_TOKEN"):
        rasa_argv(argv, {})


@pytest.mark.slow
def test_rasa_starts_with_a_token_that_begins_with_a_dash(rasa_servers: RasaServers) -> None:
    assert rasa_servers.token.startswith("-")
    assert rasa_servers.tracker("token-check")["sender_id"] == "token-check"
    url = f"{rasa_servers.rasa_url}/conversations/token-check/tracker?token=wrong"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    refused.value.close()
    assert refused.value.code == 401


@pytest.mark.slow
def test_the_token_is_not_on_any_command_line(rasa_servers: RasaServers) -> None:
    pid = rasa_servers.stack.processes["rasa"].pid
    command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    assert "rasa_addons.serve" in command_line
    assert rasa_servers.token not in command_line
