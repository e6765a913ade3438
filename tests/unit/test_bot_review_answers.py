"""What one message says about a review, wherever it says it (bot.domain.review_answers)."""

from __future__ import annotations

import pytest

from bot.domain.catalogue import EMPTY_CATALOGUE, Catalogue, Product
from bot.domain.review_answers import ReviewDraft, read_review_message

CATALOGUE = Catalogue(
    (
        Product("creme-de-jour", "Crème de jour", ("crème hydratante",)),
        Product("savon-lait-anesse", "Savon au lait d'ânesse"),
        Product("savon-huile-olive", "Savon à l'huile d'olive"),
        Product("baume-levres", "Baume à lèvres"),
    )
)
NOTHING = ReviewDraft()
CREME = {"product": "Crème de jour", "product_id": "creme-de-jour"}


def opening(text: str, catalogue: Catalogue = CATALOGUE) -> ReviewDraft:
    reading = read_review_message(text, NOTHING, catalogue, None)
    assert reading.problem is None
    return reading.draft


def test_the_opening_sentence_gives_product_and_rating():
    draft = opening("Je voudrais donner 4 étoiles à la crème de jour")
    assert draft == ReviewDraft(**CREME, rating=4)
    assert draft.next_step() == "review_text"


def test_the_opening_sentence_can_say_everything():
    draft = opening("5 étoiles pour le baume, il est parfait")
    assert draft == ReviewDraft("Baume à lèvres", "baume-levres", 5, "il est parfait")
    assert draft.next_step() is None


@pytest.mark.parametrize(
    "text", ["je veux noter la crème", "je voudrais laisser un avis sur la creme"]
)
def test_a_review_asked_with_a_product_names_the_product_only(text):
    assert opening(text) == ReviewDraft(**CREME)


@pytest.mark.parametrize(
    "text",
    [
        "j'aimerais raconter mon ressenti",
        "je voudrais partager mon expérience",
        "je veux vous dire mon opinion sur la crème",
    ],
)
def test_asking_to_tell_what_one_thinks_is_not_the_review_itself(text):
    assert opening(text).text is None


@pytest.mark.parametrize(("text", "rating"), [("5/5", 5), ("je mets 3", 3), ("deux étoiles", 2)])
def test_ratings_said_in_a_sentence(text, rating):
    assert opening(f"{text} pour le baume à lèvres").rating == rating


def test_a_rating_given_when_the_product_is_asked_is_kept_and_the_product_asked_again():
    reading = read_review_message("3", NOTHING, CATALOGUE, "product")
    assert reading.problem is None
    assert reading.draft == ReviewDraft(rating=3)
    assert reading.draft.next_step() == "product"


def test_a_long_sentence_that_names_no_product_is_the_text():
    reading = read_review_message(
        "Texture agréable mais parfum trop fort", NOTHING, CATALOGUE, "product"
    )
    assert reading.draft == ReviewDraft(text="Texture agréable mais parfum trop fort")
    assert reading.draft.next_step() == "product"


def test_two_candidates_are_offered_and_none_is_said():
    ambiguous = read_review_message("le savon", NOTHING, CATALOGUE, "product")
    assert ambiguous.problem == "product_ambiguous"
    assert [p.id for p in ambiguous.choices] == ["savon-lait-anesse", "savon-huile-olive"]
    unknown = read_review_message("un parapluie", NOTHING, CATALOGUE, "product")
    assert (unknown.problem, unknown.draft) == ("product_not_found", NOTHING)
    odd = read_review_message("<img src=x onerror=alert(1)>", NOTHING, CATALOGUE, "product")
    assert (odd.problem, odd.draft) == ("product_not_found", NOTHING), "not taken as the text"


def test_passer_is_the_brand_in_general():
    reading = read_review_message(
        "passer", ReviewDraft(rating=4), CATALOGUE, "product", skipped=True
    )
    assert reading.draft == ReviewDraft(product="", rating=4)
    assert reading.draft.next_step() == "review_text"


def test_what_was_known_is_kept_and_only_the_asked_value_changes():
    known = ReviewDraft(**CREME, rating=4)
    reading = read_review_message("Très doux", known, CATALOGUE, "review_text")
    assert reading.draft == ReviewDraft(**CREME, rating=4, text="Très doux")
    assert reading.draft.next_step() is None


def test_an_answer_that_fits_no_question_is_invalid_for_the_one_asked():
    reading = read_review_message("bof", ReviewDraft(**CREME), CATALOGUE, "rating")
    assert (reading.problem, reading.draft) == ("invalid", ReviewDraft(**CREME))


def test_without_a_catalogue_the_product_is_the_name_typed():
    reading = read_review_message(
        "Eau de parfum Ambre", ReviewDraft(rating=4), EMPTY_CATALOGUE, "product"
    )
    assert reading.draft == ReviewDraft(product="Eau de parfum Ambre", rating=4)
    assert opening(
        "Je voudrais donner 4 étoiles à mon nouveau parfum", EMPTY_CATALOGUE
    ) == ReviewDraft(rating=4)


def test_a_button_payload_says_nothing_about_the_review():
    assert opening("/leave_review") == NOTHING
