"""The one ``sha256=<hex>`` check shared by brand events and Messenger webhooks."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.integrations.signatures import sign, verify

SECRET = "secret-partagé"
BODY = '{"event_id": "évt-1"}'.encode()


def test_sign_is_the_prefixed_hex_hmac_sha256_of_the_raw_body():
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET) == f"sha256={digest}"


def test_the_right_signature_is_accepted_even_with_surrounding_whitespace():
    assert verify(BODY, sign(BODY, SECRET), SECRET)
    assert verify(BODY, f" {sign(BODY, SECRET)}\r\n", SECRET)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(sign(BODY, SECRET).replace("sha256=", "sha512="), id="wrong prefix"),
        pytest.param(sign(BODY, SECRET).replace("sha256=", "SHA256="), id="upper-case prefix"),
        pytest.param(sign(BODY, SECRET).removeprefix("sha256="), id="no prefix"),
        pytest.param(sign(BODY, SECRET)[:-1], id="one hex digit short"),
        pytest.param(sign(BODY, SECRET) + "0", id="one hex digit too many"),
        pytest.param(sign(BODY, SECRET).upper().replace("SHA256=", "sha256="), id="upper hex"),
        pytest.param(
            "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest(), id="SHA-1 only"
        ),
        pytest.param(
            "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest(),
            id="SHA-1 digest under the sha256 prefix",
        ),
        pytest.param(sign(BODY, "un-autre-secret"), id="another secret"),
        pytest.param(sign(BODY + b" ", SECRET), id="another body"),
        pytest.param("sha256=é", id="not hex"),
        pytest.param("", id="empty"),
        pytest.param(None, id="missing"),
    ],
)
def test_anything_else_is_refused(header: str | None):
    assert not verify(BODY, header, SECRET)


@pytest.mark.parametrize("secret", ["", None])
def test_without_a_secret_nothing_is_accepted(secret: str | None):
    assert not verify(BODY, sign(BODY, ""), secret)
    assert not verify(BODY, sign(BODY, SECRET), secret)
