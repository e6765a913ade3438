"""A chat identity tied to one person's external id is never moved to someone else."""

from __future__ import annotations

from bot.services import Identity
from bot.services.conversation import Link
from bot.storage.models import Consumer

SESSION = Identity(channel="socketio", sender_id="shared-computer-session")


def external_ids(db) -> list[tuple]:
    return db.select(Consumer.sender_id, Consumer.external_id)


def test_a_first_signed_token_links_the_session(service, db):
    assert service.conversation.link_external_id(SESSION, "crm-lea") is Link.LINKED
    assert external_ids(db) == [("shared-computer-session", "crm-lea")]


def test_the_same_person_again_is_still_linked(service, db):
    service.conversation.link_external_id(SESSION, "crm-lea")
    assert service.conversation.link_external_id(SESSION, "crm-lea") is Link.LINKED
    assert external_ids(db) == [("shared-computer-session", "crm-lea")]


def test_a_token_for_someone_else_is_refused_and_the_link_stays(service, db):
    service.conversation.link_external_id(SESSION, "crm-lea")
    assert service.conversation.link_external_id(SESSION, "crm-hugo") is Link.REFUSED
    assert external_ids(db) == [("shared-computer-session", "crm-lea")]
