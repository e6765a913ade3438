"""Rasa checks every action server response against its JSON schema with
``jsonschema.validate``, which first checks the (large) schema itself, on every call: about
25 ms per custom action on this machine, more than the action. The Rasa server Merci starts
(``python -m bot.channels.rasa_server``) checks responses against the same schema with a
validator built once (about 1 ms), and raises the same error Rasa would."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Rasa's own message, appended to the schema error (RemoteAction._validate_action_result).
FORMAT_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


@lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result``, with the validator built once."""
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += FORMAT_HINT
        raise error
    return True


def install() -> None:
    """Replace Rasa's check of action responses in this process (once)."""
    RemoteAction._validate_action_result = validate_action_result
