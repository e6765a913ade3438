"""Merci's Rasa server checks action server responses as Rasa does (with a validator\nbuilt once: `make bench` measures the difference)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.channels.action_results import validate_action_result

GOOD = {
    "events": [
        {"event": "slot", "name": "first_name", "value": "Marie", "timestamp": None},
        {"event": "action", "name": "action_listen"},
    ],
    "responses": [{"text": "Merci Marie\u202f!"}],
}
BAD = [
    {"events": [{"event": "slot"}], "responses": []},  # a slot event without its name
    {"events": "not a list"},
    {"events": [], "responses": ["a bare string"]},
]


def rasa_accepts(result: dict) -> bool:
    try:
        RemoteAction._validate_action_result(RemoteAction("x", None), result)
    except ValidationError:
        return False
    return True


def test_a_valid_response_is_accepted():
    assert rasa_accepts(GOOD)
    assert validate_action_result(RemoteAction("action_save_profile_value", None), GOOD) is True


@pytest.mark.parametrize("result", BAD)
def test_an_invalid_response_is_refused_with_rasas_message(result):
    assert not rasa_accepts(result)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(RemoteAction("action_save_profile_value", None), result)
