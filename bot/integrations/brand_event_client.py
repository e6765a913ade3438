"""Send a brand event the way a brand's site does: signed, over HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from bot.config import get_settings
from bot.integrations.brand_event_payload import SIGNATURE_HEADER
from bot.integrations.signatures import sign


def send_event(path: Path, url: str, secret: str | None = None) -> tuple[int, str]:
    """Post the JSON file at ``path`` to ``url``, signed; return the status and the body."""
    secret = secret or get_settings().brand_events_secret
    if not secret:
        raise SystemExit("BRAND_EVENTS_SECRET is not set (in the environment or .env).")
    body = path.read_bytes()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
