"""The chat widget in headless Chromium, on the demo page served by the real Rasa server."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.integrations.widget_identity import sign_identity
from bot.storage.models import Consumer
from tests.e2e.browser.conftest import screenshot
from tests.e2e.conftest import WIDGET_SECRET

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"
OPEN = "Ouvrir la discussion avec Merci"


def open_demo(page: Page, server: str) -> None:
    page.goto(f"{server}/webhooks/widget/")
    page.get_by_role("button", name=OPEN).click()


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Votre message")
    box.fill(text)
    box.press("Enter")


def last_bot(page: Page):
    return page.locator(".message.bot .bubble").last


def focused(page: Page) -> str:
    """The accessible name (or text) of the focused control inside the widget."""
    return page.evaluate(
        """() => {
            const el = document.querySelector('#merci-widget').shadowRoot.activeElement;
            return el ? (el.getAttribute('aria-label') || el.textContent.trim()) : '';
        }"""
    )


def test_a_consumer_completes_a_field_reviews_with_stars_and_finds_the_history_after_reload(
    page: Page, merci
):
    open_demo(page, merci.url)
    expect(page.locator(".header p")).to_have_text(
        "Merci, l'assistant de la Savonnerie des Tilleuls"
    )
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")

    page.get_by_role("button", name="Compléter mon profil").click()
    expect(last_bot(page)).to_contain_text("Acceptez-vous que nous conservions")
    expect(last_bot(page).locator("a[href^='https://']")).to_have_count(1)
    page.get_by_role("button", name="Oui", exact=True).click()
    expect(last_bot(page)).to_contain_text("Votre prénom suffit")
    say(page, "Camille")
    expect(page.locator(".message.bot .bubble", has_text="noté pour votre prénom")).to_be_visible()
    say(page, "plus tard")
    expect(last_bot(page)).to_contain_text(re.compile("on s'arrête là|une autre fois"))

    # A product name that is also an HTML injection attempt: it stays text, and is not in
    # the brand's catalogue (data/products.yml).
    say(page, "je voudrais donner mon avis")
    expect(last_bot(page)).to_contain_text("Quel produit souhaitez-vous évaluer")
    say(page, XSS)
    expect(page.locator(".message.user .bubble").last).to_have_text(XSS)
    expect(last_bot(page)).to_contain_text("Je n'ai pas trouvé ce produit")
    say(page, "le baume à lèvres")
    page.get_by_role("button", name="5 étoiles sur 5").click()
    expect(page.locator(".message.user .bubble").last).to_have_text("★★★★★")
    expect(last_bot(page)).to_contain_text("Qu'en avez-vous pensé")
    screenshot(page, "widget-mid-conversation")
    say(page, "Très douce, je l'adore")
    first_five_stars = re.compile("premier avis.*5 étoiles|5 étoiles.*premier avis")
    expect(last_bot(page)).to_contain_text(first_five_stars)

    # A second review of the same product, named differently: the congratulation names it.
    say(page, "je voudrais laisser un avis")
    expect(last_bot(page)).to_contain_text("Quel produit souhaitez-vous évaluer")
    say(page, "baume a levres")
    five_stars = page.get_by_role("button", name="5 étoiles sur 5")
    expect(five_stars).to_have_count(2)
    five_stars.last.click()
    expect(last_bot(page)).to_contain_text("Qu'en avez-vous pensé")
    say(page, "Toujours aussi bien")
    expect(last_bot(page)).to_contain_text("Baume à lèvres")
    assert page.locator("img").count() == 0
    screenshot(page, "widget-after-two-reviews")

    messages = page.locator(".message").all_inner_texts()
    page.reload()
    expect(last_bot(page)).to_contain_text("Baume à lèvres")
    page.wait_for_timeout(1500)  # a greeting sent again on reload would have arrived by now
    assert page.locator(".message").all_inner_texts() == messages
    assert page.locator(".message.bot", has_text="Je suis Merci").count() == 1
    assert page.locator(".message time").count() == len(messages)
    expect(page.locator(".message.user .bubble", has_text=XSS)).to_have_count(1)
    assert page.locator("img").count() == 0


def test_every_control_is_reachable_with_the_keyboard_and_enter_sends(page: Page, merci):
    page.goto(f"{merci.url}/webhooks/widget/")
    page.keyboard.press("Tab")
    assert focused(page) == OPEN
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Discussion avec Merci")).to_be_visible()
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
    assert focused(page) == "Votre message"

    page.keyboard.type("bonjour")
    page.keyboard.press("Enter")
    expect(page.locator(".message.user .bubble")).to_have_text(["bonjour"])
    expect(page.locator(".message.bot")).to_have_count(2)  # greeted again, with new chips

    reached = set()
    for _ in range(14):  # more than the controls: focus leaves the page and comes back
        page.keyboard.press("Tab")
        reached.add(focused(page))
        outline = page.evaluate(
            """() => {
                const el = document.querySelector('#merci-widget').shadowRoot.activeElement;
                return el ? getComputedStyle(el).outlineStyle : 'outside the widget';
            }"""
        )
        assert outline != "none", f"no visible focus on {focused(page)!r}"
    assert {
        "Commencer une nouvelle conversation",
        "Fermer la discussion",
        "Messages de la conversation",
        "Compléter mon profil",
        "Donner mon avis",
        "Votre message",
        "Envoyer",
    } <= reached

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Discussion avec Merci")).to_be_hidden()
    assert focused(page) == OPEN


def test_nouvelle_conversation_starts_a_fresh_session_with_a_new_greeting(page: Page, merci):
    open_demo(page, merci.url)
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
    first_session = page.evaluate("() => JSON.parse(Object.values(localStorage)[0]).sessionId")
    say(page, "merci")
    expect(page.locator(".message.user")).to_have_count(1)

    page.get_by_role("button", name="Commencer une nouvelle conversation").click()
    expect(page.locator(".message.user")).to_have_count(0)
    expect(page.locator(".message.bot")).to_have_count(1)
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
    new_session = page.evaluate("() => JSON.parse(Object.values(localStorage)[0]).sessionId")
    assert new_session and new_session != first_session


def test_the_panel_fits_a_360_px_phone_screen(browser, merci):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    try:
        open_demo(page, merci.url)
        expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
        screenshot(page, "widget-360px")
        for name in (".panel", ".input", ".send", ".close", ".restart", ".message.bot"):
            box = page.locator(name).first.bounding_box()
            assert box is not None, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (name, box)
            assert box["y"] >= 0 and box["y"] + box["height"] <= 740, (name, box)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_a_message_typed_offline_is_sent_once_when_the_connection_is_back(page: Page, merci):
    network = {"offline": False, "open": []}

    def through_the_network(ws) -> None:
        if network["offline"]:
            ws.close()
            return
        network["open"].append((ws, ws.connect_to_server()))

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), through_the_network)
    open_demo(page, merci.url)
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")

    network["offline"] = True
    for ws, server in network["open"]:
        server.close()
        ws.close()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Connexion perdue")
    say(page, "je voudrais donner mon avis")
    expect(page.locator(".message.user .waiting")).to_have_text(["Envoi en attente"])
    page.wait_for_timeout(2500)  # the widget retries in vain meanwhile

    network["offline"] = False
    expect(status).to_contain_text("Connexion rétablie", timeout=15000)
    expect(last_bot(page)).to_contain_text("Quel produit souhaitez-vous évaluer")
    page.wait_for_timeout(1500)  # a message sent twice would have a second answer by now
    expect(page.locator(".message.bot", has_text="Quel produit")).to_have_count(1)
    expect(page.locator(".message.user .waiting")).to_have_count(0)


def test_links_open_safely_images_show_and_markup_stays_text(page: Page, merci):
    """Frames as Rasa's socket.io output sends them, slipped into the real connection."""
    sockets = []

    def relay(ws) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    open_demo(page, merci.url)
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")

    def bot_says(message: dict) -> None:
        sockets[-1].send("42" + json.dumps(["bot_uttered", message]))

    bot_says({"text": "Votre avis est en ligne : https://exemple.fr/avis?id=1. Merci !"})
    bot_says({"text": "<b>gras</b> javascript:alert(1) <a href='javascript:alert(1)'>x</a>"})
    bot_says({"attachment": {"type": "image", "payload": {"src": f"{merci.url}/logo.png"}}})
    bot_says({"attachment": {"type": "image", "payload": {"src": "javascript:alert(1)"}}})

    link = page.get_by_role("link", name=re.compile(r"exemple\.fr"))
    expect(link).to_have_attribute("href", "https://exemple.fr/avis?id=1")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(".message.bot .bubble", has_text="<b>gras</b>")).to_be_visible()
    assert page.locator(".bubble a").count() == 1
    assert page.locator(".bubble b").count() == 0
    expect(page.locator("img")).to_have_count(1)
    expect(page.get_by_role("img", name="Image envoyée par Merci")).to_have_attribute(
        "src", f"{merci.url}/logo.png"
    )


def test_on_another_page_a_logged_in_visitor_is_linked_by_the_signed_token(page: Page, merci):
    """The embedding snippet of the README, on a page the Rasa server did not serve."""
    token = sign_identity("crm-browser-1", WIDGET_SECRET)
    page.set_content(
        f'<p>Espace client</p><script src="{merci.url}/webhooks/widget/merci-widget.js" '
        f'data-server="{merci.url}" data-identity-token="{token}"></script>'
    )
    page.get_by_role("button", name=OPEN).click()
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")

    with Session(merci.engine) as session:
        linked = session.scalars(
            select(Consumer.channel).where(Consumer.external_id == "crm-browser-1")
        ).all()
    assert linked == ["socketio"]
