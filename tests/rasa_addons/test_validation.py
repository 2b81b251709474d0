"""The cached validator of action server answers gives Rasa's own verdicts and messages.

If an upgrade of Rasa changes the method it replaces or the schema it checks, these fail: look
at the new method, then update rasa_addons/validation.py and the fingerprints below together.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError

with warnings.catch_warnings():
    # rasa.core imports TensorFlow, which touches deprecated jax and numpy names on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    from rasa.core.actions.action import RemoteAction

    from rasa_addons import validation

ORIGINAL = RemoteAction._validate_action_result
# sha256 of the method's source and of the schema (json, sorted keys) in rasa 3.6.21.
METHOD_SHA256 = "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"
SCHEMA_SHA256 = "fb650e99afd82f1c650004526571ec7bc95a81aa36aaf6a899a6e9e212b166be"

VALID: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "need", "value": "shelter"}], "responses": [{}]},
    {"events": [{"event": "followup", "name": "service_search_form"}]},
    {"responses": [{"text": "hi", "buttons": [{"title": "a", "payload": "/b"}]}]},
]
INVALID: list[Any] = [
    [],
    {"events": {}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},
    {"responses": ["text"]},
]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def patched() -> Iterator[None]:
    validation.install()
    yield
    RemoteAction._validate_action_result = ORIGINAL  # type: ignore[method-assign]
    validation._installed = False


def test_rasas_method_is_the_one_this_replaces() -> None:
    assert _sha256(inspect.getsource(ORIGINAL)) == METHOD_SHA256


def test_rasas_schema_is_the_one_this_checks() -> None:
    spec = RemoteAction.action_response_format_spec()
    assert _sha256(json.dumps(spec, sort_keys=True)) == SCHEMA_SHA256


def _outcome(method: Any, result: Any) -> tuple[bool, str]:
    try:
        return method(RemoteAction("action_test", None), result), ""
    except ValidationError as error:
        return False, error.message


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_rasas_own(result: Any, patched: None) -> None:
    expected = _outcome(ORIGINAL, json.loads(json.dumps(result)))
    assert _outcome(RemoteAction._validate_action_result, result) == expected
    assert expected[0] is (result in VALID)


def test_install_replaces_the_method_once(patched: None) -> None:
    replaced = RemoteAction._validate_action_result
    assert replaced is not ORIGINAL
    validation.install()
    assert RemoteAction._validate_action_result is replaced
