"""Two Rasa servers on one PostgreSQL and one Redis: nothing lost, nothing doubled.

Twenty consumers talk at once, each sending thirty messages alternately to both servers
(some send two messages at the same instant), while the brand's site posts a review event
for each of them to both servers at the same instant. Afterwards every conversation holds
each message once and in order, every review and profile value is stored once, and every
thank-you was said once: exactly as when the same conversation is held alone.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.integrations.brand_event_payload import sign
from bot.storage.models import Acknowledgement, BrandEvent, Consumer, OutboxMessage, Review, utcnow
from tests.e2e.conftest import BRAND_SECRET, Conversation
from tests.e2e.test_brand_events import post, review_event
from tests.e2e.test_conversations import profile_of

pytestmark = pytest.mark.e2e

SENDERS = 20
# Messages at these positions (0-based) go at the same instant, one to each server.
PAIRS = ((9, 10), (27, 28))
# The brand's event for a consumer is posted when their conversation reaches this message.
EVENT_AT = 14
# Products of the catalogue (data/products.yml), each with the start of its review text
# (the sender's name ends it, so that no two consumers' reviews are alike).
REVIEWS = (
    ("Crème de jour", "Très bien,"),
    ("Savon au lait d'ânesse", "Très bien,"),
    ("Gel douche à l'amande", "Parfait,"),
    ("Lait corps à l'aloe vera", "Parfait,"),
)


def script(name: str) -> list[str]:
    """Thirty messages: two reviews, small talk, the whole profile, two more reviews."""
    review = ["je veux laisser un avis", "{product}", "5", "{opinion}"]
    messages = ["bonjour"]
    for product, opinion in REVIEWS[:2]:
        messages += [
            m.format(product=product, opinion=f"{opinion} {product} {name}") for m in review
        ]
    messages += ["merci beaucoup", "bonjour"]
    messages += [
        "je veux compléter mon profil", "Oui", "Marie", f"marie.{name}@exemple.fr",
        "06 12 34 56 78", "12 mars 1990", "Lyon 69003", "cuisine et voyages", "par SMS",
    ]  # fmt: skip
    for product, opinion in REVIEWS[2:]:
        messages += [
            m.format(product=product, opinion=f"{opinion} {product} {name}") for m in review
        ]
    messages += ["merci beaucoup", "bonjour"]
    assert len(messages) == 30
    return messages


EXPECTED_PROFILE = {
    "first_name": "Marie", "phone": "+33612345678", "birthday": "1990-03-12",
    "city": "Lyon", "postal_code": "69003", "interests": "cuisine, voyages",
    "contact_channel": "sms",
}  # fmt: skip


def link(merci, sender: str, external_id: str) -> None:
    with Session(merci.engine) as session, session.begin():
        session.add(
            Consumer(channel="rest", sender_id=sender, external_id=external_id, created_at=utcnow())
        )


def post_twice_at_once(servers, event_id: str, external_id: str) -> list[tuple[int, dict]]:
    """The brand's site retries: the same event reaches both servers at the same instant."""
    body = review_event(event_id, external_id)
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda m: post(m, body, sign(body, BRAND_SECRET)), servers))


def converse(servers, sender: str, simultaneous: bool, events: list[threading.Thread]) -> list[str]:
    """Hold the conversation; return every text the consumer was sent."""
    messages, replies = script(sender), []
    chats = [Conversation(m, sender) for m in servers]
    position = 0
    while position < len(messages):
        if position == EVENT_AT:
            event = threading.Thread(
                target=post_twice_at_once, args=(servers, f"evt-{sender}", f"crm-{sender}")
            )
            event.start()
            events.append(event)
        pair = next((p for p in PAIRS if p[0] == position), None)
        if simultaneous and pair:
            with ThreadPoolExecutor(2) as pool:
                for said in pool.map(lambda c, t: c.say(t), chats, [messages[i] for i in pair]):
                    replies += said
            position += 2
        else:
            replies += chats[position % 2].say(messages[position])
            position += 1
    return replies


def user_messages(merci, sender: str) -> list[str]:
    with merci.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": sender},
        ).scalars()
        return [json.loads(row)["text"] for row in rows]


def in_order(received: list[str], sent: list[str], simultaneous: bool) -> bool:
    """``received`` is ``sent``, except that a pair sent at the same instant may be swapped."""
    if received == sent:
        return True
    if not simultaneous or len(received) != len(sent):
        return False
    swapped = list(sent)
    for first, second in PAIRS:
        if received[first : second + 1] == [sent[second], sent[first]]:
            swapped[first], swapped[second] = sent[second], sent[first]
    return received == swapped


def outcome(merci, sender: str, replies: list[str]) -> dict:
    """What a conversation left: reviews, profile, thank-yous, and how many times the
    consumer was sent each thank-you and the brand event's congratulation."""
    with Session(merci.engine) as session:
        consumer = session.scalars(select(Consumer).where(Consumer.sender_id == sender)).one()
        reviews = session.scalars(
            select(Review).where(Review.consumer_id == consumer.id).order_by(Review.id)
        ).all()
        thanks = session.scalars(
            select(Acknowledgement).where(Acknowledgement.consumer_id == consumer.id)
        ).all()
        outbox = session.scalars(
            select(OutboxMessage).where(OutboxMessage.source_key == f"brand:evt-{sender}")
        ).all()
        brand_events = session.scalars(
            select(BrandEvent).where(BrandEvent.event_id == f"evt-{sender}")
        ).all()

    def said(message: str) -> int:
        """How many replies carried ``message`` (alone or with what follows it)."""
        return sum(message in reply for reply in replies)

    profile = profile_of(merci, sender)
    return {
        "chat_reviews": [(r.product, r.rating, r.text) for r in reviews if r.channel != "brand"],
        "brand_reviews": len([r for r in reviews if r.channel == "brand"]),
        "profile": {k: v for k, v in profile.items() if k != "email"},
        "email_is_theirs": profile.get("email") == f"marie.{sender}@exemple.fr",
        "thanks": sorted(a.kind for a in thanks),
        "thanks_said": sorted(said(a.text) for a in thanks),
        "brand_events": len(brand_events),
        "congratulations_queued": len(outbox),
        "congratulation_delivered": [m.delivered_at is not None for m in outbox],
        # The congratulation itself (what follows it may be a usual question).
        "congratulation_said": [said(json.loads(o.messages)[0]["text"]) for o in outbox],
    }


def test_twenty_consumers_on_two_servers_lose_and_double_nothing(servers):
    first, _ = servers
    reference = "scaled-alone"
    link(first, reference, f"crm-{reference}")
    events: list[threading.Thread] = []
    replies = converse(servers, reference, simultaneous=False, events=events)
    for event in events:
        event.join()
    expected = outcome(first, reference, replies)
    assert expected["brand_events"] == 1 and expected["congratulation_said"] == [1]
    assert expected["profile"] == EXPECTED_PROFILE and len(expected["chat_reviews"]) == 4
    assert expected["thanks"] and set(expected["thanks_said"]) == {1}

    senders = [f"scaled-{index}" for index in range(SENDERS)]
    for sender in senders:
        link(first, sender, f"crm-{sender}")
    events = []
    with ThreadPoolExecutor(SENDERS) as pool:
        replies_of = list(
            pool.map(lambda i: converse(servers, senders[i], i % 3 == 0, events), range(SENDERS))
        )
    for event in events:
        event.join()

    for index, sender in enumerate(senders):
        sent = script(sender)
        received = user_messages(first, sender)
        assert in_order(received, sent, index % 3 == 0), (sender, received)
        got = outcome(first, sender, replies_of[index])
        assert got["chat_reviews"] == [(p, 5, f"{o} {p} {sender}") for p, o in REVIEWS], sender
        assert {**got, "chat_reviews": None} == {**expected, "chat_reviews": None}, sender
