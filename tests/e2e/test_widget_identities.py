"""Two people on one computer: a widget session linked to Léa is never handed to Hugo.

The socket.io protocol against the real servers (python-socketio client, as in
test_socketio.py): Hugo's signed token on Léa's session moves his socket to a new session,
so he neither reads Léa's data nor receives what is later pushed to her.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.integrations.brand_event_payload import sign
from bot.integrations.widget_identity import sign_identity
from bot.storage.models import Consumer, ProfileField, utcnow
from tests.e2e.conftest import BRAND_SECRET, WIDGET_SECRET
from tests.e2e.test_socketio import Widget, external_id, texts

pytestmark = pytest.mark.e2e
LEA = sign_identity("crm-lea-shared", WIDGET_SECRET)
HUGO = sign_identity("crm-hugo-shared", WIDGET_SECRET)


@pytest.fixture
def shared_computer(merci):
    """One widget, as on a computer that Léa then Hugo use."""
    opened = Widget(merci.url).connect()
    yield opened
    opened.close()


def give_lea_a_profile(merci, session_id: str) -> None:
    """Léa's first name, and an e-mail old enough to be checked with her."""
    now = utcnow()
    with Session(merci.engine) as session, session.begin():
        consumer = session.scalars(
            select(Consumer).where(Consumer.channel == "socketio", Consumer.sender_id == session_id)
        ).one()
        for field, value, age in (("first_name", "Léa", 1), ("email", "lea@exemple.fr", 800)):
            updated = now - timedelta(days=age)
            session.add(
                ProfileField(
                    consumer_id=consumer.id, field=field, value=value, source="chat",
                    updated_at=updated,
                )
            )  # fmt: skip


def push_review_to_lea(merci) -> None:
    body = json.dumps(
        {
            "event_id": "evt-shared-computer-1",
            "type": "review.published",
            "occurred_at": "2026-11-25T10:00:00Z",
            "consumer": {"external_id": "crm-lea-shared"},
            "data": {"rating": 5, "text": "Parfait", "product": "Baume à lèvres"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{merci.url}/webhooks/brand/events",
        data=body,
        headers={"Content-Type": "application/json", "X-Merci-Signature": sign(body, BRAND_SECRET)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["status"] == "accepted"


def test_a_second_person_on_the_same_session_gets_a_new_one_and_none_of_the_first(
    merci, shared_computer
):
    w = shared_computer
    leas_session = w.session(None)
    w.say(leas_session, "/greet", identity_token=LEA)
    give_lea_a_profile(merci, leas_session)
    # Léa's own session is proven by her token: her e-mail is shown to her as it is.
    to_lea = texts(w.say(leas_session, "/greet", identity_token=LEA))
    assert any("lea@exemple.fr" in t for t in to_lea)

    # Léa leaves; Hugo logs in on the same computer, the widget still on Léa's session.
    hugo_sees = texts(w.say(leas_session, "/greet", identity_token=HUGO))
    assert hugo_sees and not any("Léa" in t or "lea@" in t for t in hugo_sees)

    hugos_session = w.confirmed.get(timeout=5)
    assert hugos_session != leas_session
    assert external_id(merci, leas_session) == "crm-lea-shared"
    assert external_id(merci, hugos_session) == "crm-hugo-shared"

    push_review_to_lea(merci)
    assert texts(w.drain(wait=2)) == [], "Hugo's socket received a message pushed to Léa"

    # Hugo goes on in his own conversation.
    assert texts(w.say(hugos_session, "/greet", identity_token=HUGO))
    assert w.confirmed.empty()


def test_knowing_a_linked_session_id_without_its_owners_token_opens_a_new_session(
    merci, shared_computer
):
    w = shared_computer
    leas_session = w.session(None)
    w.say(leas_session, "/greet", identity_token=LEA)
    give_lea_a_profile(merci, leas_session)

    # Someone copied Léa's session id out of the browser and talks without a token.
    intruder = Widget(merci.url).connect()
    try:
        intruder.session(leas_session)
        seen = texts(intruder.say(leas_session, "/greet"))
        assert seen and not any("Léa" in t or "lea@" in t for t in seen)
        moved_to = intruder.confirmed.get(timeout=5)
        assert moved_to != leas_session
        assert external_id(merci, moved_to) is None
    finally:
        intruder.close()
    assert external_id(merci, leas_session) == "crm-lea-shared"
