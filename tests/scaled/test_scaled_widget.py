"""The widget on the scaled topology: a brand event handled by one Rasa server reaches a
widget open on the other (socket.io over Redis), and a widget behind nginx keeps talking
to one server even on the polling transport (nginx's hash on the widget's key)."""

from __future__ import annotations

import uuid

import pytest

from bot.integrations.brand_event_payload import sign
from bot.integrations.widget_identity import sign_identity
from tests.e2e.conftest import BRAND_SECRET, WIDGET_SECRET
from tests.e2e.test_brand_events import post, review_event
from tests.e2e.test_socketio import Widget, texts

pytestmark = pytest.mark.e2e


def test_a_brand_event_posted_to_one_server_reaches_a_widget_open_on_the_other(servers):
    first, second = servers
    customer = f"crm-cross-{uuid.uuid4().hex}"
    widget = Widget(second.url).connect()
    try:
        session_id = widget.session(None)
        greeting = widget.say(
            session_id, "/greet", identity_token=sign_identity(customer, WIDGET_SECRET)
        )
        assert texts(greeting), "a logged-in visitor talks to the second server"

        body = review_event(f"evt-{customer}", customer)
        status, answer = post(first, body, sign(body, BRAND_SECRET))

        assert (status, answer) == (200, {"status": "accepted", "congratulation": "delivered"})
        pushed = texts(widget.drain(wait=3))
        assert len(pushed) == 1 and "5 étoiles" in pushed[0], pushed
    finally:
        widget.close()


def test_a_brand_event_for_a_closed_widget_is_queued_for_its_next_visit(servers):
    first, second = servers
    customer = f"crm-gone-{uuid.uuid4().hex}"
    widget = Widget(second.url).connect()
    session_id = widget.session(None)
    widget.say(session_id, "/greet", identity_token=sign_identity(customer, WIDGET_SECRET))
    widget.close()

    body = review_event(f"evt-{customer}", customer)
    status, answer = post(first, body, sign(body, BRAND_SECRET))
    assert (status, answer) == (200, {"status": "accepted", "congratulation": "queued"})

    back = Widget(first.url).connect()
    try:
        back.session(session_id)
        token = sign_identity(customer, WIDGET_SECRET)
        replies = texts(back.say(session_id, "bonjour", identity_token=token))
        assert "5 étoiles" in replies[0], replies
    finally:
        back.close()


def test_widgets_behind_nginx_converse_on_the_polling_transport(topology):
    """Polling is a series of requests: each must reach the server holding the session."""
    for _ in range(4):
        widget = Widget(f"{topology.url}/?merci_client={uuid.uuid4().hex}").connect()
        try:
            session_id = widget.session(None)
            for _ in range(3):
                replies = texts(widget.say(session_id, "bonjour"))
                assert replies and replies[0].startswith("Bonjour"), replies
        finally:
            widget.close()
