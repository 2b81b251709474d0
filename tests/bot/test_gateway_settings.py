"""Settings: environment, then .env, then defaults; secrets masked; bad values named."""

from __future__ import annotations

import pytest

from bot.errors import MessagesError, SettingsError
from bot.messages import load_messages
from bot.settings import Secret, load_settings
from region import load_region


def test_defaults_run_web_chat_alone(tmp_path):
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert settings.port == 8080
    assert settings.rasa_urls == ("http://127.0.0.1:5005",)
    assert settings.channels() == ("webchat",)
    assert settings.database_url.reveal() == "sqlite:///var/gateway.db"


def test_environment_wins_over_dotenv_which_wins_over_defaults(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "GATEWAY_PORT=9000\nRASA_TIMEOUT=3.5\nPUBLIC_URL=https://from-file.example.org/\n"
    )
    settings = load_settings({"GATEWAY_PORT": "9100", "PUBLIC_URL": ""}, env_file=env_file)
    assert settings.port == 9100
    assert settings.rasa_timeout == 3.5
    assert settings.public_url == "https://from-file.example.org"  # empty in the env: unset


def test_secrets_never_show_in_repr_or_str(tmp_path):
    env = {
        "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
        "TWILIO_ACCOUNT_SID": "AC123",
        "TWILIO_AUTH_TOKEN": "very-secret-token",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "SENDER_HASH_SALT": "pepper",
        "GATEWAY_DATABASE_URL": "postgresql://gw:hunter2@db/gw",
        "PUBLIC_URL": "https://help.example.org",
    }
    settings = load_settings(env, env_file=None)
    shown = repr(settings) + str(settings)
    for secret in ("ABCDEFGHIJ", "very-secret-token", "pepper", "hunter2"):
        assert secret not in shown
    assert settings.telegram_bot_token.reveal() == env["TELEGRAM_BOT_TOKEN"]
    assert settings.channels() == ("telegram", "sms", "webchat")
    assert str(Secret("x")) == "Secret('********')"
    assert not Secret()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT='eighty'"),
        ({"GATEWAY_PORT": "70000"}, "0 to 65535"),
        ({"RASA_URL": "localhost:5005"}, "http:// or https://"),
        ({"RASA_URL": " , "}, "at least one URL"),
        ({"RASA_TIMEOUT": "0"}, "above 0"),
        ({"PUBLIC_URL": "ftp://x"}, "PUBLIC_URL"),
        ({"GATEWAY_DATABASE_URL": "mysql://u:secretpw@h/db"}, "<hidden>"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces"}, "A-Z, a-z, 0-9"),
        ({"LOG_LEVEL": "LOUD"}, "DEBUG, INFO"),
        ({"TWILIO_AUTH_TOKEN": "x"}, "missing: TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")) as caught:
        load_settings(env, env_file=None)
    assert "secretpw" not in str(caught.value)


def test_twilio_without_public_url_pages_staff_but_is_no_sms_channel():
    twilio = {
        "TWILIO_ACCOUNT_SID": "AC123",
        "TWILIO_AUTH_TOKEN": "very-secret-token",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "ON_CALL_PHONE": "+16505550911",
    }
    settings = load_settings(twilio, env_file=None)
    assert settings.twilio_enabled
    assert settings.channels() == ("webchat",)
    assert "PUBLIC_URL is missing" in settings.not_started()["sms"]
    with_url = load_settings({**twilio, "PUBLIC_URL": "https://help.example.org"}, env_file=None)
    assert with_url.channels() == ("sms", "webchat")
    assert with_url.not_started() == {}


def test_several_rasa_replicas(tmp_path):
    settings = load_settings({"RASA_URL": "http://r1:5005, http://r2:5005/"}, env_file=None)
    assert settings.rasa_urls == ("http://r1:5005", "http://r2:5005")


def test_the_gateways_texts_fill_from_the_region():
    values = load_region().template_values()
    texts = load_messages(values).of("en")
    assert "call 911" in texts.crisis("self_harm")
    assert "988" in texts.crisis("self_harm")
    assert "1-800-799-7233" in texts.crisis("danger")
    assert "call 211 or text 898211" in texts.assistant_down
    assert "{" not in texts.help


def test_a_text_the_region_cannot_fill_stops_start_up(tmp_path):
    values = load_region().template_values()
    del values["general_line_contact"]
    with pytest.raises(MessagesError, match="assistant_down"):
        load_messages(values)
