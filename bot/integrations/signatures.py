"""``sha256=<hex>`` request signatures: HMAC-SHA256 of the raw body with a shared secret.

Brand events (``X-Merci-Signature``) and Messenger webhooks (``X-Hub-Signature-256``) are
signed the same way; both are checked here, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, secret: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` with ``secret``.

    No secret accepts nothing. Whitespace around the header is ignored; anything else
    (another prefix such as the legacy ``sha1=``, upper-case hex, a truncated digest) is
    refused.
    """
    if not secret or not header:
        return False
    given = header.strip()
    if not given.startswith(PREFIX):
        return False
    return hmac.compare_digest(given.encode(), sign(body, secret).encode())
