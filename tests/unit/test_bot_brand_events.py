"""Brand events: what the brand reports a consumer did on its site (checked, signed, stored
once, congratulated), and the proactive messages queued for a consumer's next visit.

Real schema and parsers, real domain and congratulation table, real SQLite.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from typing import Any

import pytest

from bot.domain.validation import Parsed, parse_email
from bot.integrations.brand_event_payload import (
    SIGNATURE_HEADER,
    RejectedEvent,
    parse_event,
    sign,
    verify_signature,
)
from bot.services import Identity
from bot.services.brand_events import ReceivedEvent
from bot.storage.models import BrandEvent, Consumer, OutboxMessage, ProfileField, Review

SECRET = "secret-partage-avec-la-marque"
REST = Identity(channel="rest", sender_id="marie-web")
FACEBOOK = Identity(channel="facebook", sender_id="psid-778899")

REVIEW = {
    "event_id": "evt-0001",
    "type": "review.published",
    "occurred_at": "2026-11-25T09:15:00Z",
    "consumer": {"external_id": "CLIENT-1001"},
    "data": {"rating": 5, "text": "Très bonne crème, je recommande !", "product": "Crème de jour"},
}
FIELD_UPDATED = {
    "event_id": "evt-0002",
    "type": "profile.field_updated",
    "occurred_at": "2026-11-25T09:15:00Z",
    "consumer": {"external_id": "CLIENT-1001"},
    "data": {"field": "email", "value": "Marie.Dupont@Exemple.fr"},
}
COMPLETED = {
    "event_id": "evt-0003",
    "type": "profile.completed",
    "occurred_at": "2026-11-25T09:15:00Z",
    "consumer": {"external_id": "CLIENT-1001"},
    "data": {
        "fields": {
            "first_name": "Marie",
            "email": "marie@exemple.fr",
            "phone": "06 12 34 56 78",
            "birthday": "12/03/1990",
            "city": "Lyon 69003",
            "interests": "cuisine, jardinage",
            "contact_channel": "sms",
        }
    },
}


def body(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def edited(event: dict[str, Any], change) -> bytes:
    copied = copy.deepcopy(event)
    change(copied)
    return body(copied)


def received(service, event: dict[str, Any]) -> ReceivedEvent:
    """What the HTTP endpoint does once the signature is checked."""
    return service.brand_events.receive_brand_event(parse_event(body(event)))


def with_id(event: dict[str, Any], event_id: str, **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(event)
    copied["event_id"] = event_id
    copied.update(changes)
    return copied


# --- parse_event: valid events ------------------------------------------------------------


def test_a_review_event_is_read_with_its_product():
    event = parse_event(body(REVIEW))
    assert event.event_id == "evt-0001"
    assert event.type == "review.published"
    assert event.intent == "EXTERNAL_review_published"
    assert event.external_id == "CLIENT-1001"
    assert event.occurred_at == datetime(2026, 11, 25, 9, 15)
    assert event.review == {
        "rating": 5,
        "text": "Très bonne crème, je recommande !",
        "product": "Crème de jour",
    }
    assert event.profile_steps == {}
    assert json.loads(event.payload) == REVIEW


def test_a_review_event_without_product_is_accepted():
    event = parse_event(edited(REVIEW, lambda e: e["data"].pop("product")))
    assert event.review == {"rating": 5, "text": "Très bonne crème, je recommande !"}


def test_a_field_update_is_parsed_like_a_chat_answer():
    event = parse_event(body(FIELD_UPDATED))
    assert event.intent == "EXTERNAL_profile_field_updated"
    assert event.profile_steps == {"email": Parsed({"email": "marie.dupont@exemple.fr"})}
    assert event.review is None


def test_a_completed_profile_gives_every_step_and_splits_city_and_postal_code():
    event = parse_event(body(COMPLETED))
    assert event.intent == "EXTERNAL_profile_completed"
    assert {step: parsed.values for step, parsed in event.profile_steps.items()} == {
        "first_name": {"first_name": "Marie"},
        "email": {"email": "marie@exemple.fr"},
        "phone": {"phone": "+33612345678"},
        "birthday": {"birthday": "1990-03-12"},
        "city": {"city": "Lyon", "postal_code": "69003"},
        "interests": {"interests": "cuisine, jardinage"},
        "contact_channel": {"contact_channel": "sms"},
    }
    assert event.review is None


@pytest.mark.parametrize(
    ("occurred_at", "utc"),
    [
        ("2026-11-25T10:30:00+01:00", datetime(2026, 11, 25, 9, 30)),
        ("2026-07-14T23:45:00+02:00", datetime(2026, 7, 14, 21, 45)),
        ("2026-11-25T09:30:00Z", datetime(2026, 11, 25, 9, 30)),
        ("2026-11-25T04:30:00-05:00", datetime(2026, 11, 25, 9, 30)),
    ],
)
def test_the_time_of_the_event_is_kept_in_naive_utc(occurred_at, utc):
    event = parse_event(edited(REVIEW, lambda e: e.update(occurred_at=occurred_at)))
    assert event.occurred_at == utc
    assert event.occurred_at.tzinfo is None


# --- parse_event: refused events ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"{pas du json", b"", b'{"event_id": "evt-1",}', "é".encode("latin-1")]
)
def test_a_body_that_is_not_json_is_refused_with_400(raw):
    with pytest.raises(RejectedEvent) as refused:
        parse_event(raw)
    assert refused.value.status == 400
    assert str(refused.value).startswith("invalid JSON")


def _set(path: list[str], value: Any):
    def change(event: dict[str, Any]) -> None:
        target = event
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list[str]):
    def change(event: dict[str, Any]) -> None:
        target = event
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


@pytest.mark.parametrize(
    ("event", "change", "where"),
    [
        (REVIEW, _drop(["event_id"]), "event_id"),
        (REVIEW, _set(["event_id"], ""), "event_id"),
        (REVIEW, _set(["type"], "avis.publie"), "type"),
        (REVIEW, _set(["data", "rating"], 0), "data.rating"),
        (REVIEW, _set(["data", "rating"], 6), "data.rating"),
        (REVIEW, _set(["data", "rating"], "5"), "data.rating"),
        (REVIEW, _drop(["data", "text"]), "data.text"),
        (REVIEW, _set(["source"], "site-web"), "source"),
        (REVIEW, _drop(["consumer", "external_id"]), "consumer.external_id"),
        (REVIEW, _set(["consumer", "email"], "marie@exemple.fr"), "consumer.email"),
        (REVIEW, _set(["occurred_at"], "hier soir vers 20h"), "occurred_at"),
        (FIELD_UPDATED, _set(["data", "field"], "pointure"), "data.field"),
        (FIELD_UPDATED, _set(["data", "value"], "marie-chez-exemple"), "data.value"),
        (FIELD_UPDATED, _set(["data", "field"], "phone"), "data.value"),
        (COMPLETED, _set(["data", "fields", "phone"], "123"), "data.fields.phone"),
        (COMPLETED, _set(["data", "fields", "city"], "Lyon"), "data.fields.city"),
        (COMPLETED, _set(["data", "fields"], {}), "data.fields"),
    ],
    ids=[
        "missing-event_id",
        "empty-event_id",
        "unknown-type",
        "rating-0",
        "rating-6",
        "rating-as-text",
        "review-without-text",
        "extra-top-level-property",
        "missing-external_id",
        "extra-consumer-property",
        "occurred_at-not-a-date",
        "unknown-field",
        "invalid-email",
        "email-given-as-phone",
        "invalid-phone",
        "city-without-postal-code",
        "no-fields",
    ],
)
def test_an_invalid_event_is_refused_with_400_naming_the_offending_field(event, change, where):
    with pytest.raises(RejectedEvent) as refused:
        parse_event(edited(event, change))
    assert refused.value.status == 400
    assert str(refused.value).startswith(f"{where}: "), str(refused.value)


def test_an_invalid_value_says_which_kind_of_value_was_expected():
    with pytest.raises(RejectedEvent) as refused:
        parse_event(edited(FIELD_UPDATED, _set(["data", "value"], "marie-chez-exemple")))
    assert str(refused.value) == "data.value: not a valid email (not_an_email)"


def test_a_rating_written_4_point_0_is_read_as_4_stars(service):
    event = parse_event(edited(REVIEW, _set(["data", "rating"], 4.0)))
    assert type(event.review["rating"]) is int
    outcome = service.brand_events.receive_brand_event(event)
    assert "4.0" not in service.brand_events.brand_event_thanks(outcome.consumer, "evt-0001").text


# --- signature ----------------------------------------------------------------------------


def test_the_signature_is_sha256_and_the_hex_hmac_of_the_body():
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", sign(body(REVIEW), SECRET))
    assert SIGNATURE_HEADER == "X-Merci-Signature"


def test_a_correctly_signed_body_is_accepted():
    signed = body(REVIEW)
    verify_signature(signed, sign(signed, SECRET), SECRET)  # no RejectedEvent
    verify_signature(signed, sign(signed, SECRET) + "\r\n", SECRET)


@pytest.mark.parametrize(
    ("header", "secret", "why"),
    [
        (sign(body(REVIEW), "un-autre-secret"), SECRET, "invalid X-Merci-Signature"),
        (sign(body(FIELD_UPDATED), SECRET), SECRET, "invalid X-Merci-Signature"),
        ("sha256=" + "0" * 64, SECRET, "invalid X-Merci-Signature"),
        (None, SECRET, "missing X-Merci-Signature"),
        ("", SECRET, "missing X-Merci-Signature"),
        (sign(body(REVIEW), SECRET), "", "BRAND_EVENTS_SECRET is not set"),
        (sign(body(REVIEW), SECRET), None, "BRAND_EVENTS_SECRET is not set"),
    ],
    ids=[
        "wrong-secret",
        "signature-of-another-body",
        "made-up-signature",
        "no-header",
        "empty-header",
        "endpoint-disabled-empty-secret",
        "endpoint-disabled-no-secret",
    ],
)
def test_a_request_not_signed_with_the_secret_is_refused_with_401(header, secret, why):
    with pytest.raises(RejectedEvent) as refused:
        verify_signature(body(REVIEW), header, secret)
    assert refused.value.status == 401
    assert why in str(refused.value)


# --- receive_brand_event ------------------------------------------------------------------


def test_a_review_for_an_unknown_consumer_creates_them_and_stores_the_review(service, db, clock):
    outcome = received(service, REVIEW)

    assert outcome == ReceivedEvent(
        duplicate=False,
        consumer=Identity("brand", "CLIENT-1001"),
        intent="EXTERNAL_review_published",
        event_id="evt-0001",
    )
    assert db.select(Consumer.channel, Consumer.sender_id, Consumer.external_id) == [
        ("brand", "CLIENT-1001", "CLIENT-1001")
    ]
    assert db.select(
        Review.rating, Review.text, Review.product, Review.channel, Review.event_key
    ) == [(5, "Très bonne crème, je recommande !", "Crème de jour", "brand", "brand:evt-0001")]
    stored = db.select(
        BrandEvent.event_id, BrandEvent.type, BrandEvent.occurred_at, BrandEvent.received_at
    )
    assert stored == [("evt-0001", "review.published", datetime(2026, 11, 25, 9, 15), clock.now)]
    assert db.count("acknowledgements") == 1


def test_the_congratulation_of_a_brand_review_is_the_one_a_chat_review_would_get(service):
    outcome = received(service, REVIEW)
    reply = service.brand_events.brand_event_thanks(outcome.consumer, "evt-0001")
    assert reply.response == "utter_thank_first_review_5"


def test_the_same_event_delivered_twice_is_stored_once(service, db, clock):
    first = received(service, REVIEW)
    thanks = service.brand_events.brand_event_thanks(first.consumer, "evt-0001")
    clock.advance(minutes=3)  # the brand retries
    second = received(service, REVIEW)

    assert first.duplicate is False
    assert second.duplicate is True
    assert second.consumer == first.consumer
    for table_name in ("consumers", "brand_events", "reviews", "acknowledgements"):
        assert db.count(table_name) == 1, table_name
    assert service.brand_events.brand_event_thanks(first.consumer, "evt-0001") == thanks


@pytest.mark.parametrize(("seen_last", "other"), [(REST, FACEBOOK), (FACEBOOK, REST)])
def test_an_event_for_a_known_consumer_goes_to_their_most_recently_seen_identity(
    service, db, clock, seen_last, other
):
    for who in (REST, FACEBOOK):
        service.conversation.link_external_id(who, "CLIENT-1001")
    service.conversation.start_conversation(other)
    clock.advance(hours=2)
    service.conversation.start_conversation(seen_last)
    clock.advance(minutes=10)

    outcome = received(service, REVIEW)

    assert outcome.consumer == seen_last
    assert db.rows(
        "SELECT c.channel, c.sender_id FROM reviews r JOIN consumers c ON c.id = r.consumer_id"
    ) == [(seen_last.channel, seen_last.sender_id)]
    assert db.count("consumers") == 2  # no "brand" identity created


def test_a_field_update_from_the_brand_replaces_the_value_given_in_the_chat(service, db):
    service.profile.save_profile_step(
        REST, "email", parse_email("marie@ancien.fr"), "field:email:m1"
    )
    service.conversation.link_external_id(REST, "CLIENT-1001")

    received(service, FIELD_UPDATED)

    assert db.select(ProfileField.field, ProfileField.value, ProfileField.source) == [
        ("email", "marie.dupont@exemple.fr", "brand")
    ]
    thanks = service.brand_events.brand_event_thanks(REST, "evt-0002")
    assert thanks.response == "utter_thank_field_saved"


def test_a_profile_completed_on_the_site_earns_the_100_percent_congratulation(service, db):
    outcome = received(service, COMPLETED)

    state = service.profile.profile_state(outcome.consumer)
    assert state.completeness == 100
    assert state.values["city"] == "Lyon"
    assert state.values["postal_code"] == "69003"
    assert {source for (source,) in db.select(ProfileField.source)} == {"brand"}
    reply = service.brand_events.brand_event_thanks(outcome.consumer, "evt-0003")
    assert reply.response == "utter_congratulate_profile_complete"
    assert "Marie" in reply.text


def test_no_congratulation_for_an_event_merci_never_received(service):
    outcome = received(service, REVIEW)
    assert service.brand_events.brand_event_thanks(outcome.consumer, "evt-inconnu") is None


def test_no_congratulation_of_another_consumer_s_event(service):
    received(service, REVIEW)  # applied to the consumer CLIENT-1001
    service.conversation.start_conversation(FACEBOOK)
    assert service.brand_events.brand_event_thanks(FACEBOOK, "evt-0001") is None


def test_two_events_for_the_same_unknown_consumer_create_one_consumer(service, db):
    received(service, REVIEW)
    received(service, with_id(REVIEW, "evt-0009"))
    assert db.count("consumers") == 1
    assert db.count("reviews") == 2


# --- record_delivery and start_conversation: messages queued for the next visit -------------

BRAVO = [{"text": "Bravo Marie, votre profil est complet à 100 % !"}]
MERCI_AVIS = [{"text": "Merci pour votre avis sur la Crème de jour !"}]


def outbox(db) -> list[tuple]:
    return db.select(
        OutboxMessage.source_key, OutboxMessage.delivered_at, order_by=OutboxMessage.id
    )


def test_a_message_that_could_not_be_sent_is_queued_once(service, marie, db):
    assert service.delivery.record_delivery(marie, "brand:evt-0003", BRAVO, delivered=False) is True
    assert outbox(db) == [("brand:evt-0003", None)]
    assert service.delivery.was_delivered("brand:evt-0003") is True
    assert service.delivery.was_delivered("brand:evt-0004") is False


def test_recording_the_same_message_again_stores_nothing(service, marie, db):
    service.delivery.record_delivery(marie, "brand:evt-0003", BRAVO, delivered=False)
    assert (
        service.delivery.record_delivery(marie, "brand:evt-0003", MERCI_AVIS, delivered=False)
        is False
    )
    assert db.count("outbox") == 1
    assert service.conversation.start_conversation(marie) == BRAVO


def test_queued_messages_are_said_once_at_the_start_of_the_next_conversation(
    service, marie, db, clock
):
    service.delivery.record_delivery(marie, "brand:evt-0003", BRAVO, delivered=False)
    service.delivery.record_delivery(marie, "brand:evt-0001", MERCI_AVIS, delivered=False)
    clock.advance(days=2)

    assert service.conversation.start_conversation(marie) == BRAVO + MERCI_AVIS
    assert db.select(Consumer.last_seen_at) == [(clock.now,)]
    assert outbox(db) == [("brand:evt-0003", clock.now), ("brand:evt-0001", clock.now)]
    clock.advance(hours=2)
    assert service.conversation.start_conversation(marie) == []


def test_a_message_already_sent_is_not_said_again(service, marie):
    service.delivery.record_delivery(marie, "brand:evt-0003", BRAVO, delivered=True)
    assert service.conversation.start_conversation(marie) == []


def test_a_stranger_starting_a_conversation_has_nothing_queued_and_is_not_stored(
    service, marie, db
):
    assert service.conversation.start_conversation(marie) == []
    assert db.count("consumers") == 0


def test_greeting_says_the_queued_messages_first_and_only_once(service, marie):
    service.delivery.record_delivery(marie, "brand:evt-0003", BRAVO, delivered=False)

    greeting = service.conversation.greet(marie, service.freshness.policy)

    assert greeting.queued == BRAVO
    assert service.conversation.start_conversation(marie) == []
    assert service.conversation.greet(marie, service.freshness.policy).queued == []
