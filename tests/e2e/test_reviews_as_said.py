"""Reviews as people give them, over REST with the real servers: what the consumer says
first counts, answers out of order are kept, products are found in the brand's catalogue
(data/products.yml) despite typos, and a store without a catalogue takes names as typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Merci, merci_running
from tests.e2e.test_conversations import reviews_of

pytestmark = pytest.mark.e2e
NNBSP = "\u202f"
ASK_TEXT = "Qu'en avez-vous pensé"
ASK_RATING = "Quelle note lui donnez-vous"
ASK_PRODUCT = "Quel produit souhaitez-vous évaluer"
# Once the rating or the review is known, the product is asked without a second welcome.
ASK_PRODUCT_AGAIN = "C'est noté. De quel produit s'agit-il"


def stored(merci, sender: str) -> list[tuple[str | None, str | None, int, str]]:
    return [(r.product, r.product_id, r.rating, r.text) for r in reviews_of(merci, sender)]


def test_product_and_rating_in_the_first_sentence_then_the_text(merci):
    chat = merci.chat("e2e-review-first-sentence")

    (question,) = chat.say("Je voudrais donner 4 étoiles à la crème de jour")
    assert question.startswith(ASK_TEXT), "product and rating are known: the text is next"
    thanks, improvement = chat.say("Texture agréable mais parfum trop fort")
    assert "4 étoiles" in thanks
    assert "5 étoiles" in improvement, "a 4-star review is asked what would make it a 5"

    assert stored(merci, "e2e-review-first-sentence") == [
        ("Crème de jour", "creme-de-jour", 4, "Texture agréable mais parfum trop fort")
    ]


def test_the_only_creme_is_understood_and_a_rating_given_early_is_kept(merci):
    chat = merci.chat("e2e-review-la-creme")

    (question,) = chat.say("je veux laisser un avis sur la crème")
    assert question.startswith(ASK_RATING), "« la crème » is the Crème de jour, the only one"
    (question,) = chat.say("3")
    assert question.startswith(ASK_TEXT)
    chat.say("Bonne crème, un peu grasse")

    assert stored(merci, "e2e-review-la-creme") == [
        ("Crème de jour", "creme-de-jour", 3, "Bonne crème, un peu grasse")
    ]


def test_everything_in_one_sentence_is_saved_and_thanked_at_once(merci):
    chat = merci.chat("e2e-review-one-sentence")

    (thanks,) = chat.say("5 étoiles pour le baume, il est parfait")
    assert "premier avis" in thanks and "5 étoiles" in thanks

    assert stored(merci, "e2e-review-one-sentence") == [
        ("Baume à lèvres", "baume-levres", 5, "il est parfait")
    ]


def test_a_rating_given_when_the_product_was_asked_is_kept_for_its_own_question(merci):
    chat = merci.chat("e2e-review-out-of-order")

    assert ASK_PRODUCT in chat.say("je veux laisser un avis")[0]
    (question,) = chat.say("3")
    assert question.startswith(ASK_PRODUCT_AGAIN), "the product is still unknown"
    (question,) = chat.say("le savon au lait d'ânesse")
    assert question.startswith(ASK_TEXT), "the rating was kept: not asked again"
    chat.say("Doux, mais il fond vite")

    assert stored(merci, "e2e-review-out-of-order") == [
        ("Savon au lait d'ânesse", "savon-lait-anesse", 3, "Doux, mais il fond vite")
    ]


def test_a_product_with_a_typo_is_found(merci):
    chat = merci.chat("e2e-review-typo")

    chat.say("je veux donner mon avis")
    (question,) = chat.say("le bame a levrs")
    assert question.startswith(ASK_RATING)
    chat.say("5")
    chat.say("Mes lèvres ne gercent plus")

    assert stored(merci, "e2e-review-typo")[0][:2] == ("Baume à lèvres", "baume-levres")


def test_two_candidates_are_offered_as_buttons(merci):
    chat = merci.chat("e2e-review-two-savons")

    (question,) = chat.say_full("je veux laisser un avis sur le savon")
    assert question["text"] == (
        f"Lequel de ces produits souhaitez-vous évaluer\u00a0: Savon au lait d'ânesse ou "
        f"Savon à l'huile d'olive{NNBSP}?"
    )
    titles = [b["title"] for b in question["buttons"]]
    assert titles == ["Savon au lait d'ânesse", "Savon à l'huile d'olive"]
    (question,) = chat.say(question["buttons"][1]["payload"])
    assert question.startswith(ASK_RATING)
    chat.say("4")
    chat.say("Sent bon l'olive")

    assert stored(merci, "e2e-review-two-savons")[0][:3] == (
        "Savon à l'huile d'olive",
        "savon-huile-olive",
        4,
    )


def test_an_unknown_product_is_said_and_the_brand_in_general_can_be_reviewed(merci):
    chat = merci.chat("e2e-review-unknown")

    chat.say("je veux laisser un avis")
    (not_found,) = chat.say_full("un parapluie")
    assert not_found["text"].startswith("Je n'ai pas trouvé ce produit")
    (general,) = not_found["buttons"]
    assert general["title"] == "La marque en général"
    (question,) = chat.say(general["payload"])
    assert question.startswith(ASK_RATING)
    chat.say("4")
    chat.say("Service rapide")

    assert stored(merci, "e2e-review-unknown") == [(None, None, 4, "Service rapide")]


def test_a_long_review_given_when_the_product_was_asked_is_the_text(merci):
    chat = merci.chat("e2e-review-long-first")

    chat.say("je veux laisser un avis")
    (question,) = chat.say("Texture agréable mais parfum trop fort")
    assert question.startswith(ASK_PRODUCT_AGAIN), "the review is kept, the product asked after"
    (question,) = chat.say("la crème de jour")
    assert question.startswith(ASK_RATING)
    chat.say("4")

    assert stored(merci, "e2e-review-long-first") == [
        ("Crème de jour", "creme-de-jour", 4, "Texture agréable mais parfum trop fort")
    ]


@pytest.fixture(scope="module")
def without_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Merci]:
    """A brand that has not written data/products.yml."""
    workdir = tmp_path_factory.mktemp("no-catalogue")
    with merci_running(workdir, {"MERCI_CATALOGUE_PATH": str(workdir / "products.yml")}) as merci:
        yield merci


def test_without_a_catalogue_the_product_is_taken_as_typed(without_catalogue):
    chat = without_catalogue.chat("e2e-review-free-text")

    (question,) = chat.say("Je voudrais donner 4 étoiles à mon nouveau parfum")
    assert ASK_PRODUCT in question, "no catalogue to find it in: the product is asked"
    (question,) = chat.say("Eau de parfum Ambre")
    assert question.startswith(ASK_TEXT), "the 4 stars of the first sentence were kept"
    chat.say("Tient toute la journée")

    assert stored(without_catalogue, "e2e-review-free-text") == [
        ("Eau de parfum Ambre", None, 4, "Tient toute la journée")
    ]
