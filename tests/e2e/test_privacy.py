"""Consent, access and erasure, over REST against the running Rasa and action servers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.storage.models import Consent, Consumer, Erasure

pytestmark = pytest.mark.e2e
NNBSP, NBSP = "\u202f", "\u00a0"

# What the consumer gives, each unique in the shared test database.
FIRST_NAME = "Hortense"
EMAIL = "hortense.zephyr@exemple.fr"
PHONE_TYPED, PHONE_STORED = "06 98 76 54 31", "+33698765431"
# A product of the catalogue (data/products.yml): the brand's, not personal data.
PRODUCT = "le savon au lait d'ânesse"
REVIEW = "Parfum envoutant, meche qui tient longtemps"
SECRETS = (FIRST_NAME, EMAIL, PHONE_TYPED, PHONE_STORED, REVIEW)


def rows_holding(merci, needle: str) -> dict[str, int]:
    """Every table and text column of the database (SQLite), searched for ``needle``, also
    as JSON writes it: {table.column: number of rows}."""
    found: dict[str, int] = {}
    with merci.engine.connect() as connection:
        tables = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table'")
        ).scalars()
        for table in list(tables):
            columns = connection.execute(text(f'PRAGMA table_info("{table}")')).all()
            for column in columns:
                for form in {needle, json.dumps(needle)[1:-1]}:
                    count = connection.execute(
                        text(
                            f'SELECT COUNT(*) FROM "{table}" '
                            f'WHERE CAST("{column[1]}" AS TEXT) LIKE :pattern'
                        ),
                        {"pattern": f"%{form}%"},
                    ).scalar_one()
                    if count:
                        found[f"{table}.{column[1]}"] = found.get(f"{table}.{column[1]}", 0) + count
    return found


def test_consent_then_access_then_erasure_leaves_nothing_in_the_whole_database(merci):
    chat = merci.chat("e2e-erasure")
    chat.say("bonjour")

    (consent,) = chat.say_full("je veux compléter mon profil")
    assert consent["text"].startswith("Acceptez-vous que nous conservions")
    assert "https://" in consent["text"] and consent["text"].endswith(f"){NNBSP}?")
    assert [b["title"] for b in consent["buttons"]] == ["Oui", "Non"]

    assert "Comment souhaitez-vous que je vous appelle" in chat.say("Oui")[0]
    assert chat.say(FIRST_NAME)[0].startswith(f"Merci {FIRST_NAME}")
    chat.say(EMAIL)
    chat.say(PHONE_TYPED)
    chat.say("plus tard")
    chat.say("je veux laisser un avis")
    chat.say(PRODUCT)
    chat.say("5")
    chat.say(REVIEW)

    (mine,) = chat.say("Quelles données avez-vous sur moi ?")
    assert "dans cette conversation" in mine, "REST is unproven: this conversation only"
    assert f"votre adresse e-mail{NBSP}: {EMAIL}" in mine and PHONE_STORED in mine
    assert "1 avis" in mine and f"conserver vos informations{NBSP}: accepté" in mine

    before = {needle: rows_holding(merci, needle) for needle in SECRETS}
    assert all(before.values()), f"the search must find what was given first: {before}"

    (confirm,) = chat.say_full("Supprimez mes données")
    assert "effacions toutes vos données" in confirm["text"]
    assert [b["title"] for b in confirm["buttons"]] == ["Oui, tout effacer", "Non, ne rien effacer"]
    assert chat.say("/affirm") == [f"C'est fait{NBSP}: toutes vos données ont été effacées. "
                                   "Merci de nous avoir fait confiance."]  # fmt: skip

    left = {needle: rows_holding(merci, needle) for needle in SECRETS}
    assert left == {needle: {} for needle in SECRETS}, f"rows left after erasure: {left}"
    with Session(merci.engine) as session:
        assert (
            session.scalars(select(Consumer).where(Consumer.sender_id == "e2e-erasure")).all() == []
        )
        assert session.scalars(select(Erasure.requested_via)).all().count("chat") >= 1

    chat.say("Supprimez mes données")
    assert chat.say("/affirm") == [f"Je ne trouve aucune donnée vous concernant{NBSP}: il n'y a "
                                   "rien à effacer."]  # fmt: skip
    assert "aucune donnée personnelle" in chat.say("Quelles données avez-vous sur moi ?")[0]


def test_changing_ones_mind_erases_nothing(merci):
    chat = merci.chat("e2e-erasure-no")
    chat.say("je veux compléter mon profil")
    chat.say("Oui")
    chat.say("Gaspard")
    chat.say("plus tard")
    chat.say("effacez tout ce que vous savez sur moi")
    assert chat.say("/deny") == ["Entendu, je n'efface rien."]
    with Session(merci.engine) as session:
        assert (
            session.scalars(
                select(Consumer).where(Consumer.sender_id == "e2e-erasure-no")
            ).one_or_none()
            is not None
        )


def test_a_refusal_stores_nothing_personal_and_reviews_are_thanked_without_a_name(merci):
    chat = merci.chat("e2e-refusal")
    chat.say("je veux compléter mon profil")
    (refused,) = chat.say("Non")
    assert refused.startswith(f"C'est entendu{NBSP}: je n'enregistre aucune donnée personnelle")
    (consent,) = chat.say("mon prénom est Barnabé")
    assert consent.startswith("Acceptez-vous"), "asked again before a value outside the form"
    chat.say("Non")
    chat.say("je veux laisser un avis")
    chat.say("le baume à lèvres")
    chat.say("5")
    (thanks,) = chat.say("Très bien")
    assert "Barnabé" not in thanks
    with merci.engine.connect() as connection:
        fields = connection.execute(
            text(
                "SELECT COUNT(*) FROM profile_fields JOIN consumers "
                "ON consumers.id = profile_fields.consumer_id WHERE sender_id = 'e2e-refusal'"
            )
        ).scalar_one()
    assert fields == 0


def test_a_value_given_outside_the_form_waits_for_consent(merci):
    chat = merci.chat("e2e-consent-outside")
    (question,) = chat.say("mon e-mail est paulin.outside@exemple.fr")
    assert question.startswith("Acceptez-vous")
    assert rows_holding(merci, "paulin.outside@exemple.fr").get("profile_fields.value") is None
    (thanks,) = chat.say("Oui")
    assert "enregistré" in thanks or "noté" in thanks
    assert rows_holding(merci, "paulin.outside@exemple.fr")["profile_fields.value"] == 1


def test_withdrawing_contact_is_confirmed_at_once(merci):
    chat = merci.chat("e2e-withdraw")
    (confirmed,) = chat.say("ne me contactez plus")
    assert confirmed.startswith(f"C'est noté{NBSP}: nous ne vous contacterons plus")
    with Session(merci.engine) as session:
        consent = session.scalars(
            select(Consent).join(Consumer).where(Consumer.sender_id == "e2e-withdraw")
        ).one()
    assert (consent.purpose, consent.granted, consent.channel) == (
        "marketing_contact",
        False,
        "rest",
    )


@pytest.mark.parametrize(
    "request_text",
    [
        "Je veux que vous supprimiez toutes mes données personnelles",
        "je veux supprimer mon compte",
        "effacez tout ce que vous savez sur moi",
    ],
)
def test_each_way_of_asking_for_erasure_gets_the_confirmation(merci, request_text):
    chat = merci.chat(f"e2e-ask-erasure-{len(request_text)}")
    (confirm,) = chat.say(request_text)
    assert confirm.startswith("Voulez-vous vraiment que nous effacions toutes vos données")
    assert chat.say("non") == ["Entendu, je n'efface rien."]
