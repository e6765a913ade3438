"""Merci Studio in headless Chromium, as a marketer uses it, against the real servers.

The studio edits a copy of the project (a git repository of its own), never this one.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from playwright.sync_api import Browser, Cookie, Page, expect

from bot.config import PROJECT_ROOT
from bot.studio import rasa_client
from tests.e2e.browser.conftest import ARTIFACTS, screenshot
from tests.e2e.browser.studio import (
    EDITOR,
    EDITOR_PASSWORD,
    READER,
    READER_PASSWORD,
    Studio,
    log_in,
    open_signed_in,
    serious_violations,
    sign_in_once,
)

pytestmark = pytest.mark.e2e

# Below the fallback threshold: Merci's best guess is a profile update (about 33 %), so it
# does not understand; a marketer teaches it that this consumer wants to leave a review.
NOT_UNDERSTOOD = "j'aimerais raconter mon ressenti"
ASKS_FOR_PRODUCT = "Quel produit souhaitez-vous évaluer"
GUIDE_IMAGES = PROJECT_ROOT / "docs" / "img"
NEW_THANKS = "Un immense merci pour ce tout premier avis 5 étoiles ! Toute l'équipe le lira."
NEW_THANKS_START = "Un immense merci pour ce tout premier avis"


@pytest.fixture(scope="module")
def reader(browser: Browser, studio: Studio) -> list[Cookie]:
    return sign_in_once(browser, studio, READER, READER_PASSWORD)


def changed_files(studio: Studio) -> set[str]:
    """The project copy's files saved but not published (committed)."""
    return set(subprocess_git(studio, "diff", "HEAD", "--name-only").splitlines())


def replies(studio: Studio, sender: str, text: str) -> str:
    return " ".join(m.get("text", "") for m in rasa_client.say(studio.rasa_url, sender, text))


def guide_screenshot(page: Page, name: str) -> None:
    """Every run keeps the page in test-artifacts/; the guide's images in docs/img/ are
    refreshed only on request (MERCI_GUIDE_SCREENSHOTS=1), so a test run leaves the
    checkout clean."""
    screenshot(page, f"studio-{name}")
    if os.environ.get("MERCI_GUIDE_SCREENSHOTS") == "1":
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GUIDE_IMAGES / f"studio-{name}.png"))


def assert_accessible(page: Page) -> None:
    assert serious_violations(page) == []


def test_a_wrong_password_is_refused_and_the_inbox_stays_closed(page: Page, studio: Studio):
    page.goto(f"{studio.url}/boite")
    expect(page).to_have_url(re.compile("/connexion$"))
    assert_accessible(page)
    guide_screenshot(page, "connexion")
    log_in(page, studio, EDITOR, "pas-le-bon-mot-de-passe")
    expect(page.get_by_role("alert")).to_contain_text("Nom ou mot de passe incorrect")
    page.goto(f"{studio.url}/boite")
    expect(page).to_have_url(re.compile("/connexion$"))


def test_a_marketer_logs_in_with_the_keyboard_alone_and_edits_the_freshness_policy(
    page: Page, studio: Studio
):
    page.goto(f"{studio.url}/connexion")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Tab")
    page.keyboard.type(EDITOR)
    page.keyboard.press("Tab")
    page.keyboard.type(EDITOR_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Boîte de réception")).to_be_visible()

    page.get_by_role("link", name="Remerciements et fraîcheur").click()
    assert_accessible(page)
    guide_screenshot(page, "tables")
    page.get_by_label("Champ email", exact=True).fill("-3")
    page.get_by_role("button", name="Enregistrer la fraîcheur").click()
    expect(page.get_by_role("alert")).to_contain_text("data/freshness.yml:")
    page.get_by_label("Champ email", exact=True).fill("18")
    page.get_by_label("Champ email", exact=True).press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Enregistré")
    policy = (studio.root / "data" / "freshness.yml").read_text(encoding="utf-8")
    assert "  email: 18\n" in policy and "# Durée de validité" in policy


def test_a_reader_sees_the_inbox_but_cannot_publish(
    page: Page, studio: Studio, reader: list[Cookie]
):
    open_signed_in(page, studio, reader)
    expect(page.get_by_role("heading", name="Boîte de réception")).to_be_visible()
    expect(page.get_by_role("link", name="Publier")).to_have_count(0)
    page.goto(f"{studio.url}/publier")
    expect(page.get_by_role("button", name="Publier")).to_have_count(0)
    # Even a hand-made request is refused: the role is checked by the server.
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    answer = page.request.post(f"{studio.url}/publier", form={"csrf_token": token})
    assert answer.status == 403
    assert "lecteur" in answer.text()


def test_a_marketer_teaches_a_sentence_and_changes_a_thank_you_tries_both_then_publishes_them(
    page: Page, studio: Studio, editor: list[Cookie]
):
    """The issue's "done when": from the inbox to both changes live, through "Essayer"."""
    before = replies(studio, "consommatrice-1", NOT_UNDERSTOOD)
    assert ASKS_FOR_PRODUCT not in before
    # Personal data in another message: the inbox must never show it.
    replies(studio, "consommatrice-2", "ma livraison pour le 75011 est en retard")

    started = time.monotonic()
    open_signed_in(page, studio, editor)
    expect(page.get_by_role("heading", name="Boîte de réception")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ma livraison pour le <code postal> est en retard")
    expect(page.locator("main")).not_to_contain_text("75011")
    message = page.locator(".message-group", has_text=NOT_UNDERSTOOD)
    expect(message).to_contain_text("compris comme nlu_fallback")
    expect(message).to_contain_text("update_profile")
    intent = message.get_by_label("Attribuer à l'intention")
    intent.select_option("leave_review")
    expect(message.locator(".intent-card")).to_contain_text("donner son avis")
    assert_accessible(page)
    guide_screenshot(page, "boite")
    message.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Message ajouté aux exemples")
    expect(page.locator(".message-group", has_text=NOT_UNDERSTOOD)).to_have_count(0)
    reviews = (studio.root / "data" / "nlu" / "reviews.yml").read_text(encoding="utf-8")
    assert reviews.count(f"    - {NOT_UNDERSTOOD}\n") == 1

    page.get_by_role("link", name="Réponses").click()
    page.get_by_role("link", name="utter_thank_first_review_5").click()
    page.get_by_label("Variante 3").fill(NEW_THANKS)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse enregistrée")

    # Saved is not published: consumers still get the published version of both.
    assert ASKS_FOR_PRODUCT not in replies(studio, "consommatrice-3", NOT_UNDERSTOOD)
    assert NEW_THANKS_START not in leave_a_first_five_star_review(studio, "consommatrice-4")

    preparing = time.monotonic()
    try_the_draft(page)
    draft_ready = time.monotonic()
    talk(page, NOT_UNDERSTOOD, ASKS_FOR_PRODUCT)
    talk(page, "Crème hydratante", "Quelle note")
    # The rating's buttons are there, as in the widget: a click sends the payload.
    said = page.locator("#turns .me").count()
    page.locator("#turns .bot").last.get_by_role("button", name="★★★★★", exact=True).click()
    expect(page.locator("#turns .me")).to_have_count(said + 1)
    expect(page.locator("#turns .bot").last).to_contain_text("Qu'en avez-vous pensé")
    talk(page, "Excellente crème, très douce", NEW_THANKS_START)
    assert_accessible(page)
    guide_screenshot(page, "essayer")

    page.get_by_role("link", name="Publier").click()
    assert_accessible(page)
    publishing = time.monotonic()
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("progress")).to_be_visible()
    guide_screenshot(page, "publication")
    expect(page.locator(".progress")).to_contain_text("Publié en", timeout=300_000)
    assert ASKS_FOR_PRODUCT in replies(studio, "consommatrice-5", NOT_UNDERSTOOD)
    answering = time.monotonic()
    assert NEW_THANKS_START in leave_a_first_five_star_review(studio, "consommatrice-6")
    record_timing(
        "teach_a_sentence_and_change_a_thank_you",
        marketer_seconds=answering - started,
        draft_ready_seconds=draft_ready - preparing,
        publish_to_answer_seconds=answering - publishing,
    )
    assert_accessible(page)
    log = subprocess_git(studio, "log", "-1", "--format=%an %s")
    assert log.startswith(f"{EDITOR} Studio: {EDITOR} publishes ")
    assert "data/nlu/reviews.yml" in log and "domain.yml" in log

    page.get_by_role("link", name="Historique").click()
    assert_accessible(page)
    row = page.get_by_role("row", name=re.compile(f"{EDITOR}.*publishes"))
    row.get_by_role("link", name="Voir les changements").click()
    expect(page.locator("pre.diff")).to_contain_text(f"+    - {NOT_UNDERSTOOD}")
    assert_accessible(page)


def try_the_draft(page: Page) -> None:
    """Open "Essayer" and prepare the draft from the files as saved."""
    page.get_by_role("link", name="Essayer").click()
    page.get_by_role("button", name="Préparer l'essai").click()
    expect(page.locator("#draft-progress progress")).to_be_visible()
    expect(page.get_by_text("Le modèle d'essai est à jour")).to_be_visible(timeout=300_000)


def talk(page: Page, text: str, expected: str) -> None:
    """Say ``text`` in the "Essayer" conversation; Merci's last answer contains ``expected``."""
    said = page.locator("#turns .me").count()
    page.get_by_label("Votre message").fill(text)
    page.get_by_label("Votre message").press("Enter")
    expect(page.locator("#turns .me")).to_have_count(said + 1)
    expect(page.locator("#turns .bot").last).to_contain_text(expected)


def record_timing(name: str, **seconds: float) -> None:
    """Keep the run's durations in test-artifacts/ (figures for the notes, not a target)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "studio-timings.json"
    timings = json.loads(path.read_text()) if path.exists() else {}
    timings[name] = {key: round(value, 1) for key, value in seconds.items()}
    path.write_text(json.dumps(timings, indent=2))
    print(f"\n{name}: {timings[name]}")


def subprocess_git(studio: Studio, *args: str) -> str:
    import subprocess

    return subprocess.run(
        ["git", "-C", str(studio.root), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_widget_demo_page_has_no_serious_accessibility_violation(page: Page, studio: Studio):
    page.goto(f"{studio.rasa_url}/webhooks/widget/")
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir la discussion avec Merci").click()
    expect(page.locator(".message.bot").first).to_contain_text("Je suis Merci")
    assert_accessible(page)


def leave_a_first_five_star_review(studio: Studio, sender: str) -> str:
    assert "Quel produit" in replies(studio, sender, "je veux laisser un avis")
    replies(studio, sender, "Crème hydratante")
    assert "Qu'en avez-vous pensé" in replies(studio, sender, "5")
    return replies(studio, sender, "Excellente crème, très douce")


def test_a_broken_placeholder_is_flagged_as_typed_and_can_be_neither_tried_nor_published(
    page: Page, studio: Studio, editor: list[Cookie]
):
    published = subprocess_git(studio, "rev-parse", "HEAD")
    published_thanks = leave_a_first_five_star_review(studio, "consommatrice-7")
    saved_before = changed_files(studio)
    open_signed_in(page, studio, editor)
    page.get_by_role("link", name="Réponses").click()
    assert_accessible(page)
    page.get_by_role("link", name="utter_thank_first_review_5").click()
    expect(page.locator("main")).to_contain_text("{first_name}")
    variant = page.get_by_label("Variante 3")
    in_service = variant.input_value()
    preview = page.locator("#preview-2")

    variant.fill("Merci {prenom} pour ce premier avis !")
    expect(preview.get_by_role("alert")).to_contain_text("{prenom}")
    expect(preview.locator(".messenger")).to_contain_text(
        "Merci {prenom} pour ce premier avis\u202f!"
    )
    assert_accessible(page)
    guide_screenshot(page, "reponse")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse enregistrée")

    page.get_by_role("link", name="Essayer").click()
    page.get_by_role("button", name="Préparer l'essai").click()
    draft = page.locator("#draft-progress")
    expect(draft.locator(".problems")).to_contain_text(re.compile(r"domain\.yml:\d+: .*prenom"))
    expect(draft.get_by_role("alert")).to_contain_text("corrigez-les avant d'essayer")
    assert_accessible(page)

    page.get_by_role("link", name="Publier").click()
    page.get_by_role("button", name="Publier").click()
    problems = page.locator(".problems")
    expect(problems).to_contain_text(re.compile(r"domain\.yml:\d+: .*prenom"), timeout=60_000)
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été publié")
    # Nothing published: the broken response stays saved, beside what was saved before,
    # and consumers keep the thank-you in service.
    assert subprocess_git(studio, "rev-parse", "HEAD") == published
    assert changed_files(studio) == saved_before | {"domain.yml"}
    assert leave_a_first_five_star_review(studio, "consommatrice-8") == published_thanks

    # The check's message is also shown next to the variant it is about.
    page.goto(f"{studio.url}/reponses/utter_thank_first_review_5")
    refused = page.locator(".variant", has=page.get_by_label("Variante 3")).locator(".error")
    expect(refused).to_contain_text("La dernière publication a été refusée")
    expect(refused).to_contain_text("{prenom}")
    page.get_by_label("Variante 3").fill(in_service)
    expect(page.locator("#preview-2").get_by_role("alert")).to_have_count(0)
    # The website widget's own script renders the variant being edited.
    widget = page.locator("#merci-widget .message.bot .bubble")
    expect(widget).to_have_text(re.compile(re.escape(in_service.split(" !")[0])))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse enregistrée")
    assert changed_files(studio) == saved_before


def test_a_second_save_of_the_same_response_is_refused_and_shows_the_other_version(
    browser: Browser, studio: Studio, editor: list[Cookie]
):
    pages = []
    for _ in range(2):
        context = browser.new_context(locale="fr-FR")
        pages.append(context.new_page())
        open_signed_in(pages[-1], studio, editor, "/reponses/utter_thank_review_5")
    first, second = pages
    first.get_by_label("Variante 4").fill("5 étoiles de plus : merci, vraiment !")
    first.get_by_role("button", name="Enregistrer").click()
    expect(first.get_by_role("status")).to_contain_text("Réponse enregistrée")
    second.get_by_label("Variante 4").fill("Une autre idée de remerciement.")
    second.get_by_role("button", name="Enregistrer").click()
    expect(second.locator(".error[role=alert]")).to_contain_text(
        "Quelqu'un a enregistré cette réponse"
    )
    expect(second.locator(".error[role=alert]")).to_contain_text(
        "5 étoiles de plus : merci, vraiment !"
    )
    domain = (studio.root / "domain.yml").read_text(encoding="utf-8")
    assert "Une autre idée de remerciement." not in domain
    for each in pages:
        each.context.close()


def test_a_reader_opens_both_reports_from_the_dashboard(
    page: Page, studio: Studio, reader: list[Cookie]
):
    open_signed_in(page, studio, reader)
    page.get_by_role("link", name="Tableau de bord").click()
    assert_accessible(page)
    # The report is computed while the page loads (half a minute, more on a busy machine).
    page.get_by_role("button", name="Calculer le rapport NLU").click(timeout=180_000)
    expect(page.get_by_label("Rapport NLU")).to_contain_text("Exactitude", timeout=180_000)
    assert_accessible(page)
    page.get_by_role("link", name="Ouvrir le rapport du travail invisible").click()
    expect(page.locator("body")).to_contain_text("travail invisible", ignore_case=True)


def test_going_back_to_the_first_version_restores_its_files_and_publishes_them(
    page: Page, studio: Studio, editor: list[Cookie]
):
    open_signed_in(page, studio, editor)
    page.goto(f"{studio.url}/historique")
    assert_accessible(page)
    page.get_by_role("row", name=re.compile("Initial")).get_by_role(
        "button", name=re.compile("Revenir à la version")
    ).click()
    expect(page.get_by_role("status").first).to_contain_text("Le contenu est revenu à la version")
    expect(page.locator(".progress")).to_contain_text("Publié en", timeout=300_000)
    first = subprocess_git(studio, "rev-list", "--max-parents=0", "HEAD")
    for name in ("domain.yml", "data/nlu/reviews.yml"):
        as_first = subprocess_git(studio, "show", f"{first}:{name}")
        assert (studio.root / name).read_text(encoding="utf-8").strip() == as_first
    assert subprocess_git(studio, "diff", "HEAD", "--name-only") == ""
    log = subprocess_git(studio, "log", "-1", "--format=%an %s")
    assert log == f"{EDITOR} Studio: {EDITOR} goes back to version {first[:7]}"
    # Consumers are answered by the first version again: the sentence taught since and
    # the new thank-you are gone.
    assert ASKS_FOR_PRODUCT not in replies(studio, "consommatrice-9", NOT_UNDERSTOOD)
    assert NEW_THANKS_START not in leave_a_first_five_star_review(studio, "consommatrice-10")


def test_a_button_title_is_renamed_in_the_form_and_its_payload_is_kept(
    page: Page, studio: Studio, editor: list[Cookie]
):
    open_signed_in(page, studio, editor, "/reponses/utter_ask_product")
    assert_accessible(page)
    button = page.get_by_label("Bouton 1", exact=True)
    expect(button).to_have_value("Passer")
    button.fill("Toute la marque")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse enregistrée")
    expect(page.get_by_label("Bouton 1", exact=True)).to_have_value("Toute la marque")
    domain = (studio.root / "domain.yml").read_text(encoding="utf-8")
    asked = domain[domain.index("  utter_ask_product:") :]
    asked = asked[: asked.index("\n  utter_", 1)]
    assert "Toute la marque" in asked and "/skip_field" in asked and "Passer" not in asked
    # Put it back, so that the other tests' publish finds the file as the project has it.
    page.get_by_label("Bouton 1", exact=True).fill("Passer")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse enregistrée")
