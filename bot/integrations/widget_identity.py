"""Signed identity tokens for logged-in visitors of the brand's site.

The brand's server signs a short-lived JWT (HS256, key ``WIDGET_IDENTITY_SECRET``) whose
``sub`` is the consumer's external id, and puts it in the page; the widget sends it with
each message. Only a token with a valid signature and expiry is trusted: anything else
(no token, an unsigned ``alg: none`` token, a forged or expired one) leaves the visitor
anonymous.
"""

from __future__ import annotations

import time

import jwt

ALGORITHM = "HS256"
# A token is meant for one page view; a brand that wants longer can say so with ``exp``.
DEFAULT_TTL_SECONDS = 3600
MAX_EXTERNAL_ID_LENGTH = 200


def sign_identity(
    external_id: str, secret: str, ttl_seconds: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    """The token a brand's server puts in the page (also used by tests and the docs)."""
    issued = int(now if now is not None else time.time())
    claims = {"sub": external_id, "iat": issued, "exp": issued + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_identity(token: object, secret: str | None) -> str | None:
    """The external id a valid token vouches for, or None (never an exception)."""
    if not secret or not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError:
        return None
    external_id = claims.get("sub")
    if not isinstance(external_id, str) or not 0 < len(external_id) <= MAX_EXTERNAL_ID_LENGTH:
        return None
    return external_id
