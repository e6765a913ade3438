"""A shared computer in headless Chromium: the widget keeps one history per person, so the
next visitor (logged in as someone else, or logged out) never sees the previous one's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.integrations.widget_identity import sign_identity
from tests.e2e.conftest import WIDGET_SECRET

pytestmark = pytest.mark.e2e

OPEN = "Ouvrir la discussion avec Merci"
# A product of the catalogue (data/products.yml), named the way only Léa would.
SECRET_PRODUCT = "le savon au lait d'ânesse de Léa"


# The demo page, as the brand's server would render it for whoever is logged in: the
# token (from the address, for the test) is set on the widget's tag before the tag runs.
# (A page fulfilled by Playwright itself would count as public, and Chromium's local
# network access checks would then refuse its socket to the loopback server.)
WITH_TOKEN = """() => {
    const token = new URLSearchParams(location.search).get("token");
    new MutationObserver((_, observer) => {
        const tag = document.querySelector('script[src*="merci-widget.js"]');
        if (!tag) return;
        if (token) tag.setAttribute("data-identity-token", token);
        observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
}"""


class BrandSite:
    """The demo page on the real Rasa server, visited as a given logged-in person."""

    def __init__(self, page: Page, server: str) -> None:
        self.page, self.server = page, server
        page.add_init_script(f"({WITH_TOKEN})()")

    def visit_as(self, external_id: str | None) -> None:
        token = sign_identity(external_id, WIDGET_SECRET) if external_id else ""
        self.page.goto(f"{self.server}/webhooks/widget/?token={token}")


def open_chat(page: Page) -> None:
    button = page.get_by_role("button", name=OPEN)
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Votre message")
    box.fill(text)
    box.press("Enter")


def leas_message(page: Page):
    return page.locator(".message .bubble", has_text=SECRET_PRODUCT)


def test_the_next_person_on_the_computer_does_not_see_the_previous_conversation(page: Page, merci):
    site = BrandSite(page, merci.url)
    site.visit_as("crm-browser-lea")
    open_chat(page)
    say(page, "je voudrais laisser un avis")
    expect(page.locator(".message.bot .bubble").last).to_contain_text("Quel produit")
    say(page, SECRET_PRODUCT)
    expect(page.locator(".message.bot .bubble").last).to_contain_text("Quelle note")

    # Léa logs out, Hugo logs in on the same browser.
    site.visit_as("crm-browser-hugo")
    open_chat(page)
    expect(leas_message(page)).to_have_count(0)

    # Hugo logs out without reloading (the page removes the token): not Léa's either.
    say(page, "bonjour")
    page.evaluate(
        "document.querySelector('script[src*=\"merci-widget.js\"]')"
        ".removeAttribute('data-identity-token')"
    )
    expect(page.locator(".message.user .bubble", has_text="bonjour")).to_have_count(0)
    expect(leas_message(page)).to_have_count(0)

    site.visit_as(None)
    expect(leas_message(page)).to_have_count(0)

    # Léa comes back: her own conversation is still hers.
    site.visit_as("crm-browser-lea")
    open_chat(page)
    expect(leas_message(page)).to_have_count(1)
