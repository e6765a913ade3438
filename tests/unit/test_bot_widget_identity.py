"""Signed identity tokens of logged-in widget visitors: only a valid signature is trusted."""

from __future__ import annotations

import base64
import json

import jwt

from bot.integrations.widget_identity import sign_identity, verify_identity

SECRET = "a-brand-secret-of-at-least-32-bytes!"


def test_a_token_signed_with_the_shared_secret_names_the_consumer():
    assert verify_identity(sign_identity("CLIENT-4242", SECRET), SECRET) == "CLIENT-4242"


def test_a_forged_expired_unsigned_or_tampered_token_is_ignored():
    forged = sign_identity("CLIENT-4242", "someone-else-guessing-a-32-byte-key")
    expired = sign_identity("CLIENT-4242", SECRET, ttl_seconds=-10)
    unsigned = jwt.encode({"sub": "CLIENT-4242", "exp": 4_000_000_000}, None, algorithm="none")
    header, payload, signature = sign_identity("CLIENT-1", SECRET).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "CLIENT-4242"
    swapped = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{swapped}.{signature}"

    for token in (forged, expired, unsigned, tampered, "", "not a token", None, 42):
        assert verify_identity(token, SECRET) is None, token


def test_without_a_secret_every_visitor_is_anonymous():
    assert verify_identity(sign_identity("CLIENT-4242", SECRET), None) is None


def test_a_token_without_expiry_or_subject_is_refused():
    no_exp = jwt.encode({"sub": "CLIENT-4242"}, SECRET, algorithm="HS256")
    no_sub = jwt.encode({"exp": 4_000_000_000}, SECRET, algorithm="HS256")
    assert verify_identity(no_exp, SECRET) is None
    assert verify_identity(no_sub, SECRET) is None
