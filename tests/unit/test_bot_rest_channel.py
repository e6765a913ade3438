"""The REST channel's request checks: bearer token, JSON shape, length, typed intents."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.channels.rest import Refused, authorized, read_message

JSON = "application/json"


def request_with(**headers: str) -> SimpleNamespace:
    return SimpleNamespace(headers={name.lower(): value for name, value in headers.items()})


def test_without_a_configured_token_every_request_is_authorized():
    assert authorized(request_with(), None)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer wrong", "bearer s3cret-token", "s3cret-token"]
)
def test_with_a_token_only_the_exact_bearer_header_is_authorized(header):
    headers = {} if header is None else {"Authorization": header}
    assert not authorized(request_with(**headers), "s3cret-token")
    assert authorized(request_with(Authorization="Bearer s3cret-token"), "s3cret-token")


def test_a_well_formed_message_is_read_and_the_client_s_input_channel_is_ignored():
    body = b'{"sender": "marie", "message": "Bonjour", "input_channel": "facebook"}'
    message = read_message(JSON, body, 5000)
    assert (message.sender, message.text, message.metadata) == ("marie", "Bonjour", None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"[]", 400),
        (b'{"sender": "marie", "message": "' + b"a" * 5001 + b'"}', 413),
        (b'{"sender": "marie", "message": "/EXTERNAL_profile_reminder"}', 400),
    ],
)
def test_refusals_carry_their_status(body, status):
    with pytest.raises(Refused) as refused:
        read_message(JSON, body, 5000)
    assert refused.value.status == status and refused.value.error
