"""Behind nginx every request comes from the proxy: the client's address is read from
X-Forwarded-For, but only when the direct peer is a proxy Merci was told to trust."""

from __future__ import annotations

import socket

import httpx
import pytest
from sanic import Sanic

from bot.config import trusted_proxies
from bot.domain.client_address import client_address
from tests.wiring import reset_wiring

PROXY = ("127.0.0.1",)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert client_address("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.7", "198.51.100.1", PROXY) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_counts():
    assert client_address("127.0.0.1", "198.51.100.1", PROXY) == "198.51.100.1"


def test_an_address_the_client_made_up_before_the_proxy_is_not_believed():
    # nginx appends the address it saw: the client's own header comes first.
    assert client_address("127.0.0.1", "10.9.9.9, 198.51.100.1", PROXY) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_client():
    trusted = trusted_proxies("127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", "198.51.100.1, 10.1.2.3", trusted) == "198.51.100.1"


def test_a_malformed_header_leaves_the_peer():
    assert client_address("127.0.0.1", "not-an-address", PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", "", PROXY) == "127.0.0.1"


def test_the_setting_refuses_what_is_not_an_address():
    assert trusted_proxies("") == ()
    assert trusted_proxies("127.0.0.1,::1") == ("127.0.0.1/32", "::1/128")
    with pytest.raises(ValueError, match="MERCI_TRUSTED_PROXIES"):
        trusted_proxies("127.0.0.1, proxy.local")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rest_channel(monkeypatch, trusted: str, name: str, answer):
    """Merci's REST channel with these settings (read when its blueprint is made)."""
    from bot.channels.rest import MerciRestInput

    monkeypatch.setenv("MERCI_TRUSTED_PROXIES", trusted)
    monkeypatch.setenv("MERCI_RATE_LIMIT_PER_ADDRESS", "2")
    reset_wiring()
    return MerciRestInput().blueprint(answer).copy(name)


async def test_the_rest_rate_limit_per_address_counts_forwarded_clients(monkeypatch):
    """Merci's REST channel, served for real: clients forwarded by a trusted proxy each get
    their own per-address allowance; forwarded by a proxy not trusted, they share one."""

    async def answer(message) -> None:
        await message.output_channel.send_text_message(message.sender_id, "ok")

    app = Sanic("merci_rest_behind_proxy")
    app.blueprint(rest_channel(monkeypatch, "127.0.0.1", "trusted", answer), url_prefix="/trusted")
    app.blueprint(rest_channel(monkeypatch, "", "untrusted", answer), url_prefix="/untrusted")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    statuses: dict[str, list[int]] = {"trusted": [], "untrusted": []}
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Connection": "close"}
        ) as client:
            for channel, seen in statuses.items():
                for index in range(6):
                    response = await client.post(
                        f"/{channel}/webhook",
                        json={"sender": f"client-{index}", "message": "bonjour"},
                        headers={"X-Forwarded-For": f"198.51.100.{index % 3}"},
                    )
                    seen.append(response.status_code)
    finally:
        server.close()
        await server.wait_closed()
        reset_wiring()
    assert statuses["trusted"] == [200] * 6, "three clients, two messages each"
    assert statuses["untrusted"] == [200, 200, 429, 429, 429, 429], "one address: the proxy's"
