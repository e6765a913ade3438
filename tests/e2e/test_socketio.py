"""The widget's socket.io protocol against the real Rasa server, with a python-socketio client:
session_request / session_confirm, reconnection to the same session, messages resent after
a reconnection, signed identities, and proactive messages pushed to an open widget."""

from __future__ import annotations

import json
import queue
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import jwt
import pytest
import socketio
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.integrations.brand_event_payload import sign
from bot.integrations.widget_identity import sign_identity
from bot.storage.models import Consumer
from tests.e2e.conftest import BRAND_SECRET, WIDGET_SECRET

# What the nudge scheduler does: Rasa's trigger_intent API, answering on the latest channel.

pytestmark = pytest.mark.e2e


class Widget:
    """What the browser widget does, over the same protocol (Engine.IO polling here)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.Client(reconnection=False)
        self.confirmed: queue.Queue[str] = queue.Queue()
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("bot_uttered", self.replies.put)

    def connect(self) -> Widget:
        self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"])
        return self

    def session(self, session_id: str | None = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        return self.confirmed.get(timeout=10)

    def say(self, session_id: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
        """Send like the widget does, wait for the server's acknowledgement (sent once the
        bot has answered), return what the bot said."""
        metadata.setdefault("message_id", uuid.uuid4().hex)
        data = {"message": text, "session_id": session_id, "customData": metadata}
        self.client.call("user_uttered", data, timeout=30)
        return self.drain()

    def drain(self, wait: float = 0.3) -> list[dict[str, Any]]:
        messages = []
        try:
            while True:
                messages.append(self.replies.get(timeout=wait))
        except queue.Empty:
            return messages

    def close(self) -> None:
        self.client.disconnect()


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if "text" in m]


@pytest.fixture
def widget(merci):
    opened: list[Widget] = []

    def open_widget() -> Widget:
        opened.append(Widget(merci.url).connect())
        return opened[-1]

    yield open_widget
    for w in opened:
        w.close()


def external_id(merci, session_id: str) -> str | None:
    with Session(merci.engine) as session:
        return session.scalar(
            select(Consumer.external_id).where(
                Consumer.channel == "socketio", Consumer.sender_id == session_id
            )
        )


def test_session_request_gets_a_new_id_and_a_reconnection_continues_the_conversation(widget):
    first = widget()
    session_id = first.session(None)
    assert len(session_id) == 32 and session_id.isalnum()

    assert texts(first.say(session_id, "/greet"))
    asked = texts(first.say(session_id, "je voudrais laisser un avis"))
    assert asked[0].startswith("Avec plaisir\u202f! Quel produit souhaitez-vous évaluer\u202f?")
    first.close()

    again = widget()
    assert again.session(session_id) == session_id
    rating_question = again.say(session_id, "La crème de jour")
    assert rating_question[-1]["text"] == "Quelle note lui donnez-vous, de 1 à 5 étoiles\u202f?"
    assert [r["payload"] for r in rating_question[-1]["quick_replies"]] == list("12345")


def test_a_message_resent_after_a_reconnection_is_answered_once(widget):
    w = widget()
    session_id = w.session(None)
    message_id = uuid.uuid4().hex

    assert texts(w.say(session_id, "/greet", message_id=message_id))
    assert w.say(session_id, "/greet", message_id=message_id) == []
    w.close()

    again = widget()
    again.session(session_id)
    assert again.say(session_id, "/greet", message_id=message_id) == []


def test_a_signed_identity_links_the_chat_and_a_forged_or_unsigned_one_is_ignored(merci, widget):
    w = widget()
    signed, forged, unsigned = (w.session(None) for _ in range(3))

    w.say(signed, "/greet", identity_token=sign_identity("crm-lea", WIDGET_SECRET))
    guessed = "a-forger-guessing-the-secret-32-bytes"
    w.say(forged, "/greet", identity_token=sign_identity("crm-lea", guessed))
    w.say(unsigned, "/greet", identity_token=jwt.encode({"sub": "crm-lea"}, None, "none"))

    assert external_id(merci, signed) == "crm-lea"
    assert external_id(merci, forged) is None
    assert external_id(merci, unsigned) is None


def test_a_brand_event_is_pushed_to_the_open_widget(merci, widget):
    w = widget()
    session_id = w.session(None)
    w.say(session_id, "/greet", identity_token=sign_identity("crm-hugo", WIDGET_SECRET))

    body = json.dumps(
        {
            "event_id": "evt-widget-1",
            "type": "review.published",
            "occurred_at": "2026-11-25T10:00:00Z",
            "consumer": {"external_id": "crm-hugo"},
            "data": {"rating": 5, "text": "Parfait", "product": "Baume à lèvres"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{merci.url}/webhooks/brand/events",
        data=body,
        headers={"Content-Type": "application/json", "X-Merci-Signature": sign(body, BRAND_SECRET)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read()) == {"status": "accepted", "congratulation": "delivered"}

    pushed = texts(w.drain(wait=2))
    assert pushed and "5 étoiles" in pushed[0]


def test_a_nudge_reaches_an_open_widget_and_comes_back_to_be_queued_when_none_is_open(
    merci, widget
):
    w = widget()
    open_session = w.session(None)
    w.say(open_session, "/greet")
    # A conversation held over socket.io whose session no socket has joined any more (as
    # after the consumer closed the tab): Rasa takes the session id from the message.
    gone_session = uuid.uuid4().hex
    w.say(gone_session, "/greet")

    assert merci.trigger_intent(open_session, "EXTERNAL_profile_reminder")["messages"] == []
    assert texts(w.drain(wait=2))

    returned = merci.trigger_intent(gone_session, "EXTERNAL_profile_reminder")["messages"]
    assert [m["recipient_id"] for m in returned] == [gone_session] and returned[0]["text"]
    assert w.drain() == []


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_rasa_server_serves_the_widget_and_its_demo_page_and_nothing_else(merci):
    base = f"{merci.url}/webhooks/widget"
    assert fetch(f"{base}/")[0] == 200 and "text/html" in fetch(f"{base}/")[1]
    assert fetch(f"{base}/merci-widget.js") == (200, "text/javascript")
    assert fetch(f"{base}/merci-widget.css")[0] == 200
    assert fetch(f"{base}/vendor/socket.io.min.js")[0] == 200
    for outside in (
        "../credentials.yml",
        "%2e%2e/credentials.yml",
        "..%2f..%2fcredentials.yml",
        "vendor/README.md",
        "vendor/socket.io.min.js.map",
        ".hidden.js",
    ):
        assert fetch(f"{base}/{outside}")[0] == 404, outside


def test_a_widget_that_does_not_confirm_receipt_gets_its_nudge_queued(merci):
    """A socket still registered but no longer reading (its network vanished) must not
    swallow a proactive message: without a receipt within 2 s, Rasa hands it back."""
    silent = socketio.Client(reconnection=False)
    confirmed: queue.Queue[str] = queue.Queue()
    silent.on("session_confirm", confirmed.put)
    done = threading.Event()

    def never_confirm(message: dict[str, Any]) -> None:
        done.wait(timeout=10)  # the receipt leaves only after the server gave up

    silent.on("bot_uttered", never_confirm)
    silent.connect(merci.url, socketio_path="/socket.io", transports=["polling"])
    try:
        silent.emit("session_request", {"session_id": None})
        session_id = confirmed.get(timeout=10)
        silent.call(
            "user_uttered",
            {"message": "/greet", "session_id": session_id, "customData": {}},
            timeout=30,
        )
        returned = merci.trigger_intent(session_id, "EXTERNAL_profile_reminder")["messages"]
        assert [m["recipient_id"] for m in returned] == [session_id] and returned[0]["text"]
    finally:
        done.set()
        silent.disconnect()
