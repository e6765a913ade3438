"""Before a visitor opens the chat, the widget stores nothing and connects nowhere; it says
in one line what opening it means."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.test_widget import OPEN

pytestmark = pytest.mark.e2e

NOTICE = "En ouvrant la discussion, vous acceptez que vos messages soient conservés"


def stored_keys(page: Page) -> list[str]:
    return page.evaluate("() => Object.keys(window.localStorage)")


def test_nothing_is_stored_or_connected_until_the_visitor_opens_the_chat(page: Page, merci):
    socket_requests: list[str] = []
    page.on("request", lambda r: socket_requests.append(r.url) if "/socket.io" in r.url else None)
    page.goto(f"{merci.url}/webhooks/widget/")

    notice = page.locator("#merci-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(NOTICE)
    page.wait_for_timeout(1500)  # time enough for a widget that would connect on load
    assert stored_keys(page) == []
    assert socket_requests == []

    page.get_by_role("button", name=OPEN).click()
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
    expect(notice).to_be_hidden()
    assert socket_requests, "opening the chat connects"
    assert stored_keys(page), "and keeps the conversation in this browser"


def test_the_line_links_to_the_brands_privacy_notice_when_given(page: Page, merci):
    page.set_content(
        f'<p>Boutique</p><script src="{merci.url}/webhooks/widget/merci-widget.js" '
        f'data-server="{merci.url}" '
        'data-privacy-url="https://marque.example/confidentialite"></script>'
    )
    link = page.locator("#merci-notice a")
    expect(link).to_have_text("Confidentialité")
    expect(link).to_have_attribute("href", "https://marque.example/confidentialite")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
