"""A validator of the action server's answers, built once instead of once per answer.

Rasa 3.6 checks every answer of the action server with ``jsonschema.validate(result, spec)``
(``RemoteAction._validate_action_result``). That call checks the schema itself and builds a
new validator each time: with the pinned jsonschema 4.17.3 that costs about 20 ms of CPU per
answer of ``action_find_services``, against under 1 ms for a validator built once
(``python bench/rasa_validation.py`` prints both). Every turn that runs a custom action pays
it, and it was most of a turn's time in Rasa (issue 14 profiled it under load).

:func:`install` swaps the method for one that uses a validator built once from the same
schema, with the same errors. ``tests/rasa_addons/test_validation.py`` fails if Rasa's method
or its schema changes, so that an upgrade cannot silently keep a stale copy.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

_installed = False


def cached_validator() -> Any:
    """A validator for the schema Rasa checks action server answers against, built once."""
    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def install() -> None:
    """Make ``RemoteAction`` validate answers with a validator built once (idempotent)."""
    global _installed
    if _installed:
        return
    validator = cached_validator()

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # jsonschema.validate() raises the best match of all errors: so does this.
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        if isinstance(error, ValidationError):  # the same message Rasa's own method gives
            error.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
        raise error

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
