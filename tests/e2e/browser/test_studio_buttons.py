"""Merci Studio's response editor in headless Chromium: a marketer adds and removes buttons
and per-channel variants, and sees in the preview what Messenger will cut.

The studio edits its own copy of the project; every test leaves domain.yml as it found it.
"""

from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import Cookie, Page, expect

from bot.tools.content import ContentPaths, check_content
from tests.e2e.browser.conftest import screenshot
from tests.e2e.browser.studio import (
    Studio,
    open_signed_in,
    serious_violations,
)

pytestmark = pytest.mark.e2e


def domain_of(studio: Studio) -> str:
    return (studio.root / "domain.yml").read_text(encoding="utf-8")


def response_in(studio: Studio, name: str) -> str:
    """The lines of ``name`` in the studio's domain.yml."""
    domain = domain_of(studio)
    start = domain.index(f"\n  {name}:")
    return domain[start : domain.index("\n  utter_", start + 1)]


def content_problems(studio: Studio) -> list[str]:
    """What make check's content checks say of the studio's copy."""
    return [p.render(studio.root) for p in check_content(ContentPaths.under(studio.root))]


def saved(page: Page) -> None:
    expect(page.get_by_role("status").first).to_contain_text("Réponse enregistrée")


def test_a_marketer_adds_a_button_with_the_keyboard_alone_then_removes_it(
    page: Page, studio: Studio, editor: list[Cookie]
):
    before = domain_of(studio)
    open_signed_in(page, studio, editor, "/reponses/utter_ask_product")
    assert serious_violations(page) == []
    # From the text of the variant, Tab leads through its buttons to the new one's fields.
    page.get_by_label("Variante 1").focus()
    for field in (
        page.get_by_label("Bouton 1", exact=True),
        page.get_by_role("button", name="Retirer le bouton 1", exact=True),
        page.get_by_label("Titre du nouveau bouton"),
    ):
        page.keyboard.press("Tab")
        expect(field).to_be_focused()
    page.keyboard.type("Finalement non")
    page.keyboard.press("Tab")
    intent = page.get_by_label("Ce qu'il envoie")
    expect(intent).to_be_focused()
    described = intent.locator("option", has_text="La personne veut arrêter la conversation")
    expect(described).to_have_count(1)
    page.keyboard.type("stop")
    expect(intent).to_have_value("stop")
    # The preview shows the button being added before it is saved.
    expect(page.locator("#preview-0 .quick-replies li")).to_have_text(["Passer", "Finalement non"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ajouter le bouton")).to_be_focused()
    page.keyboard.press("Enter")
    saved(page)
    expect(page.get_by_label("Bouton 2", exact=True)).to_have_value("Finalement non")
    expect(page.locator(".variant").first).to_contain_text("envoie /stop")
    assert serious_violations(page) == []
    screenshot(page, "studio-bouton-ajoute")
    asked = response_in(studio, "utter_ask_product")
    assert '- title: "Finalement non"\n          payload: "/stop"' in asked
    assert '- title: "Passer"\n          payload: "/skip_field"' in asked
    assert content_problems(studio) == []

    page.get_by_role("button", name="Retirer le bouton 2").focus()
    page.keyboard.press("Enter")
    saved(page)
    expect(page.get_by_label("Bouton 2", exact=True)).to_have_count(0)
    assert domain_of(studio) == before


def test_a_button_without_a_title_or_with_an_unknown_intent_is_refused_and_nothing_changes(
    page: Page, studio: Studio, editor: list[Cookie]
):
    before = domain_of(studio)
    open_signed_in(page, studio, editor, "/reponses/utter_greet_new")
    variant = page.locator(".variant").first
    variant.get_by_label("Variante 1").fill("Bonjour et bienvenue chez nous !")
    variant.get_by_label("Ce qu'il envoie").select_option("leave_review")
    variant.get_by_role("button", name="Ajouter le bouton").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Donnez un titre au nouveau bouton de la variante 1")
    expect(alert).to_contain_text("Rien n'a été enregistré.")
    # What the marketer typed is still there, to correct rather than retype.
    expect(variant.get_by_label("Variante 1")).to_have_value("Bonjour et bienvenue chez nous !")
    expect(variant.get_by_label("Ce qu'il envoie")).to_have_value("leave_review")
    assert serious_violations(page) == []
    assert domain_of(studio) == before

    # A hand-made request cannot slip in a payload the form does not offer.
    page.goto(f"{studio.url}/reponses/utter_greet_new")
    form = {
        "csrf_token": page.locator("main input[name=csrf_token]").input_value(),
        "version": page.locator("main input[name=version]").input_value(),
        "text_0": page.get_by_label("Variante 1").input_value(),
        "new_title_0": "Une pizza",
        "new_intent_0": "commander_une_pizza",
    }
    answer = page.request.post(f"{studio.url}/reponses/utter_greet_new", form=form)
    assert answer.status == 400
    said = html.unescape(answer.text())
    assert "L'intention «\u00a0commander_une_pizza\u00a0» n'existe pas dans domain.yml" in said
    assert domain_of(studio) == before


def test_a_variant_for_messenger_and_one_for_the_website_are_added_previewed_then_removed(
    page: Page, studio: Studio, editor: list[Cookie]
):
    before = domain_of(studio)
    open_signed_in(page, studio, editor, "/reponses/utter_goodbye")
    widget = page.locator("#merci-widget .message.bot .bubble")
    page.get_by_label("Nouvelle variante").fill("À bientôt sur Messenger !")
    page.get_by_role("button", name="Ajouter une variante pour Messenger").click()
    saved(page)
    messenger_only = page.locator(".variant", has=page.get_by_label("Variante 3"))
    expect(page.get_by_label("Variante 3")).to_have_value("À bientôt sur Messenger\u202f!")
    expect(messenger_only.locator("label").first).to_contain_text("Messenger seulement")
    expect(messenger_only.locator(".messenger")).to_have_text("À bientôt sur Messenger\u202f!")
    expect(messenger_only).to_contain_text("le site web ne la montre pas")
    # Focused, the Messenger-only variant empties the website widget: it is never sent there.
    page.get_by_label("Variante 1").focus()
    expect(widget).to_have_count(1)
    page.get_by_label("Variante 3").focus()
    expect(widget).to_have_count(0)
    assert "    - channel: facebook\n" in response_in(studio, "utter_goodbye")

    page.get_by_label("Nouvelle variante").fill("À bientôt sur notre site !")
    page.get_by_role("button", name="Ajouter une variante pour le site web").click()
    saved(page)
    website_only = page.locator(".variant", has=page.get_by_label("Variante 4"))
    expect(page.locator("label[for=text_3]")).to_contain_text("le site web seulement")
    expect(website_only.get_by_role("heading", name="Sur Messenger")).to_have_count(0)
    expect(website_only).to_contain_text("Messenger ne l'envoie pas")
    page.get_by_label("Variante 4").focus()
    expect(widget).to_have_text("À bientôt sur notre site\u202f!")
    assert serious_violations(page) == []
    screenshot(page, "studio-variante-par-canal")
    assert content_problems(studio) == []

    page.get_by_role("button", name="Retirer la variante 4").click()
    saved(page)
    page.get_by_role("button", name="Retirer la variante 3").click()
    saved(page)
    expect(page.get_by_label("Variante 3")).to_have_count(0)
    assert domain_of(studio) == before


def test_the_messenger_preview_splits_a_long_text_and_cuts_a_long_button_title(
    page: Page, studio: Studio, editor: list[Cookie]
):
    before = domain_of(studio)
    open_signed_in(page, studio, editor, "/reponses/utter_ask_product")
    preview = page.locator("#preview-0")
    long_text = " ".join(["Merci pour votre avis, il compte beaucoup pour nous."] * 48)
    assert len(long_text) > 2500
    page.get_by_label("Variante 1").fill(long_text)
    expect(preview.locator(".messenger")).to_have_count(2)
    expect(preview.get_by_role("status")).to_contain_text(
        f"Ce texte fait {len(long_text)} caractères\u00a0: Messenger l'enverra en 2 messages"
    )

    title = "Recevoir les nouveautés et"
    assert len(title) == 26
    page.get_by_label("Variante 1").fill("Quel produit souhaitez-vous évaluer ?")
    page.get_by_label("Bouton 1", exact=True).fill(title)
    # Messenger's channel cuts after a word, with an ellipsis, within its 20 characters.
    shown = preview.get_by_role("list", name="Boutons").get_by_role("listitem")
    expect(shown).to_have_text("Recevoir les…")
    assert len(shown.inner_text()) <= 20
    expect(preview.get_by_role("status")).to_contain_text(
        "Messenger n'affichera que les 20 premiers caractères\u00a0: «\u00a0Recevoir les…\u00a0»"
    )
    assert serious_violations(page) == []
    screenshot(page, "studio-apercu-limites")
    # Saving that title is refused: make check would refuse to publish it.
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile("fait 26 caractères.*Messenger en affiche 20 au plus")
    )
    assert domain_of(studio) == before
