"""Over REST with the real servers: two profile values in one message, the brand's name in
the greeting, and a person reached on request (the brand's contact, or a hand-off)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import BRAND_NAME, CONTACT, Merci, merci_running
from tests.e2e.test_conversations import profile_of

pytestmark = pytest.mark.e2e
NNBSP = "\u202f"


def test_a_first_name_and_an_email_in_one_message_are_both_saved_and_thanked_once(merci):
    chat = merci.chat("e2e-two-values")
    chat.say("je veux compléter mon profil")
    chat.say("Oui")

    thanks, question = chat.say("je m'appelle Marie et mon mail c'est marie@exemple.fr")

    assert "Marie" in thanks and "25\u00a0%" in thanks, "one thank-you, for both values"
    assert "téléphone" in question, "the next missing field: the e-mail is not asked"
    assert profile_of(merci, "e2e-two-values") == {
        "first_name": "Marie",
        "email": "marie@exemple.fr",
    }


def test_the_greeting_names_the_brand(merci):
    (greeting,) = merci.chat("e2e-brand-name").say("bonjour")
    assert f"Je suis Merci, l'assistant de {BRAND_NAME}." in greeting


@pytest.mark.parametrize(
    "request_for_a_person",
    ["je veux parler à un conseiller", "un humain svp", "passez-moi quelqu'un"],
)
def test_a_person_can_be_reached_through_the_brands_contact(merci, request_for_a_person):
    (reply,) = merci.chat(f"e2e-person-{request_for_a_person}").say(request_for_a_person)

    assert "recueillir votre avis" in reply, "Merci says what it can do"
    assert CONTACT["MERCI_CONTACT_URL"] in reply
    assert CONTACT["MERCI_CONTACT_PHONE"] in reply
    assert "du lundi au vendredi" in reply


def test_a_request_for_a_person_during_a_review_is_answered_then_the_review_goes_on(merci):
    chat = merci.chat("e2e-person-mid-review")
    chat.say("je veux laisser un avis sur la crème")

    contact, question = chat.say("je veux parler à un conseiller")

    assert CONTACT["MERCI_CONTACT_URL"] in contact
    assert question.startswith("Quelle note lui donnez-vous")


@pytest.fixture(scope="module")
def with_handoff(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Merci]:
    """A brand whose live-agent inbox takes conversations over (MERCI_HANDOFF=1)."""
    with merci_running(tmp_path_factory.mktemp("handoff"), {"MERCI_HANDOFF": "1"}) as merci:
        yield merci


def test_with_a_handoff_the_conversation_is_tagged_for_the_brands_inbox(with_handoff):
    chat = with_handoff.chat("e2e-handoff")

    (reply,) = chat.say("un humain svp")

    assert reply.startswith("Je transmets votre demande à notre équipe")
    tracker = with_handoff.tracker("e2e-handoff")
    assert tracker["slots"]["handoff_requested"] is True
    tagged = [e for e in tracker["events"] if (e.get("metadata") or {}).get("handoff")]
    assert [e["event"] for e in tagged] == ["bot"]
    assert tagged[0]["metadata"]["handoff"] == {
        "requested": True,
        "reason": "consumer_asked_for_a_person",
        "conversation": "e2e-handoff",
    }
