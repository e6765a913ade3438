"""The client's address behind a load balancer.

Behind nginx every request comes from the proxy's address: per-address rate limits would
then count every consumer as one. The ``X-Forwarded-For`` header names the client, but
anyone can send it: it is believed only when the direct peer is a trusted proxy
(``MERCI_TRUSTED_PROXIES``), and only as far as the chain of trusted proxies goes.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network


def is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ip_network(network) for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The address rate limits count: ``peer`` unless it is a trusted proxy, in which case
    the right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (the
    left-most when all are). A malformed header leaves the peer's address."""
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            return peer
        if not is_trusted(hop, trusted):
            return hop
    return hops[0]
