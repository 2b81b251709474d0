"""`make run` makes a local admin and a local staff account on its first run: the tokens are
shown once, only their hashes are kept, and the gateway reads them as its console accounts."""

from __future__ import annotations

import stat

from bot.settings import load_settings
from bot.web.auth import verify
from scripts.run import local_accounts, sign_in_text


def test_first_run_makes_two_accounts_shown_once_and_stored_hashed(tmp_path):
    path = tmp_path / "var" / "local-accounts.env"
    settings, made = local_accounts({}, path)
    assert set(made) == {"admin", "staff"}
    stored = path.read_text()
    for token in made.values():
        assert token not in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    gateway = load_settings(settings, env_file=None).handoff
    accounts = {a.name: a.password_hash for a in gateway.console_accounts}
    assert verify(made["admin"], accounts["admin"])
    assert verify(made["staff"], accounts["staff"])
    assert (gateway.role_of("admin"), gateway.role_of("staff")) == ("admin", "staff")
    text = sign_in_text(8080, settings, made)
    assert made["admin"] in text
    assert "http://localhost:8080/admin" in text
    again, made_again = local_accounts({}, path)  # the next run: the same accounts, no tokens
    assert (again, made_again) == (settings, {})
    assert made["admin"] not in sign_in_text(8080, again, made_again)


def test_accounts_of_ones_own_are_left_alone(tmp_path):
    path = tmp_path / "local-accounts.env"
    assert local_accounts({"STAFF_CONSOLE_USERS": "x:y"}, path) == ({}, {})
    assert not path.exists()
