"""Whether Merci may listen where it is told to: beyond loopback, only with a REST token."""

from __future__ import annotations

import ipaddress


def exposure_problem(host: str, rest_channel_token: str | None) -> str | None:
    """Why Merci must not start (listening beyond loopback with an open REST channel)."""
    if rest_channel_token or is_loopback(host):
        return None
    return (
        f"MERCI_HOST={host} listens beyond this machine: set REST_CHANNEL_TOKEN so that "
        "the REST channel only answers requests that carry it."
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
