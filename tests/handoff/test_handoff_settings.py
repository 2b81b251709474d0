"""The handoff's deployment settings, the staff account tool, and password checks."""

from __future__ import annotations

import pytest

from bot.errors import SettingsError
from bot.handoff.__main__ import main as staff_tool
from bot.handoff.settings import accounts
from bot.settings import load_settings
from bot.web.auth import authenticate, hash_password, verify
from tests.handoff.conftest import ACCOUNTS, PASSWORDS

TELEGRAM = {"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "t",
    "TWILIO_FROM_NUMBER": "+15005550006",
}
ENTRY = f"alex:{ACCOUNTS[0].password_hash}"


def test_a_deployment_with_staff_on_telegram_and_paging():
    settings = load_settings(
        {
            **TELEGRAM,
            **TWILIO,
            "STAFF_CHAT_ID": "-1001000000001",
            "ON_CALL_PHONE": "+1 (650) 555-0911",
            "BACKUP_PHONE": "+16505550922",
            "HANDOFF_UNCLAIMED_MINUTES": "3",
            "HANDOFF_GIVE_UP_MINUTES": "20",
            "STAFF_CONSOLE_USERS": f"{ENTRY}, sam:{ACCOUNTS[1].password_hash}",
        },
        env_file=None,
    )
    handoff = settings.handoff
    assert handoff.staff_chat_id == handoff.on_call_chat_id == -1001000000001  # one group for all
    assert handoff.on_call_phone == "+16505550911"
    assert (handoff.unclaimed_minutes, handoff.give_up_minutes) == (3.0, 20.0)
    assert [a.name for a in handoff.console_accounts] == ["alex", "sam"]
    shown = repr(settings)
    for secret in ("6505550911", "6505550922", ACCOUNTS[0].password_hash):
        assert secret not in shown  # numbers and hashes stay out of logs


def test_without_any_handoff_setting_the_gateway_still_starts():
    handoff = load_settings({}, env_file=None).handoff
    assert (handoff.staff_chat_id, handoff.console_accounts, handoff.telegram_staff) == (
        None,
        (),
        False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STAFF_CHAT_ID": "-100"}, "need TELEGRAM_BOT_TOKEN"),
        ({**TELEGRAM, "STAFF_CHAT_ID": "staff"}, "STAFF_CHAT_ID="),
        ({**TELEGRAM, "ON_CALL_CHAT_ID": "0"}, "a non-zero whole number"),
        ({"ON_CALL_PHONE": "+16505550911"}, "paged by SMS: set the Twilio settings"),
        (
            {**TWILIO, "BACKUP_PHONE": "650 555 0922"},
            "BACKUP_PHONE=<hidden>: give the number in international form",
        ),
        ({"HANDOFF_UNCLAIMED_MINUTES": "0"}, "minutes above 0"),
        (
            {"HANDOFF_UNCLAIMED_MINUTES": "20"},
            "the default give-up time (30) must be more than twice",
        ),
        ({"HANDOFF_GIVE_UP_MINUTES": "10"}, "HANDOFF_GIVE_UP_MINUTES (10) must be more than twice"),
        ({"STAFF_CONSOLE_USERS": "alex:hunter2"}, "a password hash looks like scrypt"),
        ({"STAFF_CONSOLE_USERS": "alex"}, "a password hash looks like scrypt"),
        ({"STAFF_CONSOLE_USERS": f"{ENTRY} {ENTRY}"}, "'alex' is listed twice"),
        ({"STAFF_CONSOLE_USERS": "al/ex:" + ACCOUNTS[0].password_hash}, "a name is 1 to 32"),
        ({"STAFF_CONSOLE_USERS": "alex:scrypt:2:8:1:00:" + "00" * 32}, "weak or impossible"),
        ({"STAFF_CONSOLE_USERS": ENTRY, "ADMIN_USERS": "sam"}, "ADMIN_USERS names sam, not in"),
        ({"STAFF_LEADS": "jo"}, "STAFF_LEADS names jo, not in STAFF_CONSOLE_USERS"),
        ({"STAFF_CONSOLE_USERS": ENTRY, "ADMIN_USERS": "al/ex"}, "a name is 1 to 32"),
    ],
)
def test_settings_that_cannot_work_stop_start_up(env, message):
    with pytest.raises(SettingsError) as error:
        load_settings(env, env_file=None)
    assert message in str(error.value)
    assert "hunter2" not in str(error.value)


def test_admins_and_staff_leads_are_console_accounts_with_more_rights():
    handoff = load_settings(
        {
            "STAFF_CONSOLE_USERS": f"{ENTRY}, sam:{ACCOUNTS[1].password_hash}",
            "ADMIN_USERS": "alex",
            "STAFF_LEADS": "sam, alex",
        },
        env_file=None,
    ).handoff
    assert handoff.role_of("alex") == "admin"  # an admin listed as a lead too is an admin
    assert handoff.role_of("sam") == "lead"
    assert handoff.role_of("kim") == "staff"


def test_the_staff_tool_makes_an_entry_that_signs_in_with_its_token(capsys):
    assert staff_tool(["add-staff", "jo"]) == 0
    out = capsys.readouterr().out.splitlines()
    token = out[0].rsplit(": ", 1)[1]
    entry = out[-1]
    [account] = accounts(entry)
    assert account.name == "jo"
    assert token not in entry  # only the hash is configured
    assert authenticate((account,), "jo", token) == account
    assert authenticate((account,), "jo", token + "x") is None


def test_passwords_are_checked_against_their_hash_only():
    encoded = hash_password("a long password here")
    assert verify("a long password here", encoded)
    assert not verify("a long password herE", encoded)
    assert hash_password("a long password here") != encoded  # salted
    assert authenticate(ACCOUNTS, "alex", PASSWORDS["alex"]) == ACCOUNTS[0]
    assert authenticate(ACCOUNTS, "nobody", PASSWORDS["alex"]) is None
