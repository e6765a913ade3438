"""Real French conversations over REST with the running Rasa and action servers."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.storage.models import Acknowledgement, Consumer, ProfileField, Review

pytestmark = pytest.mark.e2e
NNBSP, NBSP = "\u202f", "\u00a0"


def profile_of(merci, sender: str) -> dict[str, str]:
    with Session(merci.engine) as session:
        rows = session.execute(
            select(ProfileField.field, ProfileField.value)
            .join(Consumer, Consumer.id == ProfileField.consumer_id)
            .where(Consumer.sender_id == sender)
        )
        return dict(rows.all())


def reviews_of(merci, sender: str) -> list[Review]:
    with Session(merci.engine) as session:
        return list(
            session.scalars(
                select(Review)
                .join(Consumer, Consumer.id == Review.consumer_id)
                .where(Consumer.sender_id == sender)
                .order_by(Review.id)
            )
        )


def test_a_consumer_completes_the_profile_with_one_invalid_value_on_the_way(merci):
    chat = merci.chat("e2e-marie")

    greeting = chat.say("bonjour")
    assert greeting[0].startswith(f"Bonjour{NNBSP}! Je suis Merci")

    assert chat.say("je veux compléter mon profil")[0].startswith("Acceptez-vous que nous")
    assert "Comment souhaitez-vous que je vous appelle" in chat.say("Oui")[0]

    thanks, question = chat.say("Marie")
    assert thanks.startswith("Merci Marie") and f"12{NBSP}%" in thanks
    assert question == f"Quelle est votre adresse e-mail{NNBSP}?"

    error, question = chat.say("marie@")
    assert "ne semble pas valide" in error and "nom@exemple.fr" in error
    assert question == f"Quelle est votre adresse e-mail{NNBSP}?"
    assert "email" not in profile_of(merci, "e2e-marie")

    thanks, question = chat.say("marie.dupont@exemple.fr")
    assert "Marie" in thanks and f"25{NBSP}%" in thanks
    assert "téléphone" in question

    thanks, question = chat.say("06 12 34 56 78")
    assert f"37{NBSP}%" in thanks
    assert "date de naissance" in question

    thanks, question = chat.say("12 mars 1990")
    assert f"50{NBSP}%" in thanks and "Bravo" in thanks, "crossing 50 % deserves a Bravo"
    assert "ville" in question

    thanks, question = chat.say("Lyon 69003")
    assert f"75{NBSP}%" in thanks
    assert "intéresse" in question

    thanks, question = chat.say("cuisine et voyages")
    assert f"87{NBSP}%" in thanks and "Bravo" in thanks, "crossing 80 % deserves a Bravo"
    assert "contactions" in question

    replies = chat.say("par SMS")
    assert "100" in replies[0] or "complet" in replies[0]
    assert any(word in replies[0] for word in ("Bravo", "Félicitations")), replies[0]
    assert replies[1].startswith("Votre profil est complet")

    assert profile_of(merci, "e2e-marie") == {
        "first_name": "Marie",
        "email": "marie.dupont@exemple.fr",
        "phone": "+33612345678",
        "birthday": "1990-03-12",
        "city": "Lyon",
        "postal_code": "69003",
        "interests": "cuisine, voyages",
        "contact_channel": "sms",
    }
    with Session(merci.engine) as session:
        acks = session.scalars(
            select(Acknowledgement.response)
            .join(Consumer, Consumer.id == Acknowledgement.consumer_id)
            .where(Consumer.sender_id == "e2e-marie")
        ).all()
    assert len(acks) == 7, "one thank-you per saved answer, no more"


def test_a_five_star_and_a_one_star_review_get_the_replies_they_deserve(merci):
    chat = merci.chat("e2e-paul")

    assert "Quel produit" in chat.say("je veux laisser un avis")[0]
    rating_question = chat.say_full("Crème hydratante")[0]
    assert [b["title"] for b in rating_question["buttons"]] == [
        "★", "★★", "★★★", "★★★★", "★★★★★",
    ]  # fmt: skip
    assert "Qu'en avez-vous pensé" in chat.say("5")[0]
    (thanks,) = chat.say("Excellente crème, très douce")
    assert "premier avis" in thanks and "5 étoiles" in thanks
    assert any(word in thanks for word in ("partage", "autour de vous", "recommand"))

    chat.say("je veux donner mon avis")
    chat.say("Shampoing doux")
    chat.say("1")
    replies = chat.say_full("Arrivé cassé, très déçu")
    apology = replies[0]["text"]
    assert "désolé" in apology.lower()
    assert "bravo" not in apology.lower() and "félicit" not in apology.lower()
    assert [b["title"] for b in replies[0]["buttons"]] == ["Oui, recontactez-moi", "Non merci"]

    (followup,) = chat.say("oui")
    assert "service client reviendra vers vous" in followup

    five, one = reviews_of(merci, "e2e-paul")
    # "Crème hydratante" is another name of the Crème de jour in data/products.yml.
    assert (five.rating, five.product, five.product_id, five.text) == (
        5,
        "Crème de jour",
        "creme-de-jour",
        "Excellente crème, très douce",
    )
    assert (one.rating, one.product, one.text) == (1, "Shampoing doux", "Arrivé cassé, très déçu")
    assert five.followup_requested_at is None and one.followup_requested_at is not None


def test_a_second_review_of_the_same_product_is_recognised(merci):
    chat = merci.chat("e2e-lea")
    for product in ("Savon au lait d'ânesse", "savon au lait d'anesse"):
        chat.say("laisser un avis")
        chat.say(product)
        chat.say("5")
        (thanks,) = chat.say("Parfait")
    assert "Savon au lait d'ânesse" in thanks, "the second thank-you names the product again"
    with Session(merci.engine) as session:
        responses = session.scalars(
            select(Acknowledgement.response)
            .join(Consumer, Consumer.id == Acknowledgement.consumer_id)
            .where(Consumer.sender_id == "e2e-lea")
            .order_by(Acknowledgement.id)
        ).all()
    assert responses == ["utter_thank_first_review_5", "utter_thank_review_5_same_product"]
    assert len(reviews_of(merci, "e2e-lea")) == 2


def test_conversations_are_stored_in_the_same_database(merci):
    merci.chat("e2e-tracker").say("bonjour")
    with merci.engine.connect() as connection:
        count = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = 'e2e-tracker'")
        ).scalar_one()
    assert count > 0
