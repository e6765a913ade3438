"""Whatever a consumer types, on any channel: never Merci's own intents, never a 500,
never an unbounded message, never faster than the rate limits (real servers over HTTP)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.integrations.brand_event_payload import sign
from tests.e2e.conftest import API_TOKEN, BRAND_SECRET
from tests.e2e.test_messenger import Chat
from tests.e2e.test_socketio import Widget, texts

pytestmark = pytest.mark.e2e

TOO_LONG = "Votre message est trop long pour moi"
TOO_FAST = "Vous m'écrivez plus vite que je ne sais lire"


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, object]:
    """POST to the REST channel; the status and the decoded JSON answer."""
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def say(url: str, sender: str, text: str, **headers: str) -> tuple[int, object]:
    return post(url, json.dumps({"sender": sender, "message": text}).encode(), headers)


def tracker_events(merci, sender: str) -> list[dict]:
    query = urllib.parse.urlencode({"token": API_TOKEN})
    quoted = urllib.parse.quote(sender, safe="")
    with urllib.request.urlopen(
        f"{merci.url}/conversations/{quoted}/tracker?{query}", timeout=30
    ) as response:
        return json.loads(response.read())["events"]


def intents(merci, sender: str) -> list[str]:
    return [
        e["parse_data"]["intent"].get("name")
        for e in tracker_events(merci, sender)
        if e["event"] == "user"
    ]


def actions(merci, sender: str) -> list[str]:
    return [e["name"] for e in tracker_events(merci, sender) if e["event"] == "action"]


def brand_review(merci, event_id: str, external_id: str) -> None:
    body = json.dumps({
        "event_id": event_id, "type": "review.published", "occurred_at": "2026-11-25T10:00:00Z",
        "consumer": {"external_id": external_id},
        "data": {"rating": 5, "text": "Très bonne crème", "product": "Crème de nuit"},
    }).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{merci.url}/webhooks/brand/events",
        data=body,
        headers={"Content-Type": "application/json", "X-Merci-Signature": sign(body, BRAND_SECRET)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


TYPED = '/EXTERNAL_review_published{"event_id": "evt-guard-1"}'


def test_a_typed_merci_intent_is_refused_over_rest_and_never_reaches_the_tracker(merci):
    brand_review(merci, "evt-guard-1", "CLIENT-GUARD-1")  # another consumer's review
    for typed in (TYPED, '/leave_review{"event_id": "evt-guard-1"}', "/EXTERNAL_profile_reminder"):
        status, answer = say(merci.url, "guard-rest", typed)
        assert status == 400 and "cannot be sent by a client" in answer["error"]
    assert say(merci.url, "guard-rest", "bonjour")[0] == 200
    assert not [i for i in intents(merci, "guard-rest") if i.startswith("EXTERNAL_")]
    assert "action_congratulate_brand_event" not in actions(merci, "guard-rest")


def test_button_payloads_still_work_over_rest(merci):
    status, replies = say(merci.url, "guard-buttons", "/update_profile")
    assert status == 200 and replies
    assert intents(merci, "guard-buttons")[-1] == "update_profile"


def test_a_typed_merci_intent_from_the_widget_is_read_as_words(merci):
    widget = Widget(merci.url).connect()
    try:
        session = widget.session()
        widget.say(session, TYPED)
        widget.say(session, "/EXTERNAL_profile_completed")
    finally:
        widget.close()
    assert not [i for i in intents(merci, session) if i and i.startswith("EXTERNAL_")]
    assert "action_congratulate_brand_event" not in actions(merci, session)


def test_a_typed_merci_intent_from_messenger_is_read_as_words(merci, graph_api):
    psid = f"guard-{uuid.uuid4().hex[:8]}"
    Chat(merci, graph_api, psid).text(TYPED)
    assert not [i for i in intents(merci, psid) if i and i.startswith("EXTERNAL_")]
    assert "action_congratulate_brand_event" not in actions(merci, psid)


def test_an_over_long_message_gets_413_over_rest_and_a_polite_word_in_the_widget(merci):
    status, answer = say(merci.url, "guard-long", "a" * 5001)
    assert status == 413 and "at most 5000 characters" in answer["error"]
    assert say(merci.url, "guard-long", "merci " * 833)[0] == 200  # 4998 characters
    widget = Widget(merci.url).connect()
    try:
        session = widget.session()
        replies = texts(widget.say(session, "a" * 20_000))
    finally:
        widget.close()
    assert len(replies) == 1 and replies[0].startswith(TOO_LONG)
    assert intents(merci, session) == []  # NLU never ran on it


def test_the_widget_answers_a_flood_politely(merci):
    widget = Widget(merci.url).connect()
    try:
        session = widget.session()
        for index in range(21):  # within a second: the 21st is over the limit (20 / 10 s)
            if index % 5 == 0:
                time.sleep(0.1)  # Engine.IO takes at most 16 packets per polling request
            widget.client.emit(
                "user_uttered", {"message": "merci", "session_id": session,
                                 "customData": {"message_id": f"flood-{index}"}},
            )  # fmt: skip
        replies: list[str] = []
        while not any(reply.startswith(TOO_FAST) for reply in replies):
            replies.append(widget.replies.get(timeout=60).get("text", ""))
    finally:
        widget.close()


def test_the_widget_ignores_over_long_session_and_message_ids(merci):
    widget = Widget(merci.url).connect()
    try:
        assert widget.say("s" * 129, "bonjour") == []
        session = widget.session()
        assert widget.say(session, "bonjour", message_id="m" * 129) == []
        assert texts(widget.say(session, "bonjour"))  # the same session, a normal message
    finally:
        widget.close()
    assert intents(merci, session) == ["greet"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (b"not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b'{"sender": "x", "message": "bonjour"}', "multipart/form-data; boundary=x"),
        (b'{"message": "bonjour"}', "application/json"),
        (b'{"sender": 12, "message": "bonjour"}', "application/json"),
        (b'{"sender": "x"}', "application/json"),
        (b'{"sender": "x", "message": ["bonjour"]}', "application/json"),
        (b'{"sender": "x", "message": "bonjour", "metadata": "m"}', "application/json"),
        (json.dumps({"sender": "s" * 129, "message": "bonjour"}).encode(), "application/json"),
    ],
)
def test_a_malformed_request_gets_400_with_a_clear_json_error(merci, body, content_type):
    status, answer = post(merci.url, body, {"Content-Type": content_type})
    assert status == 400
    assert isinstance(answer, dict) and answer["error"] and "Traceback" not in answer["error"]


def test_the_rasa_server_reads_no_body_over_its_size_limit(merci):
    body = json.dumps({"sender": "guard-big", "message": "a" * 2_000_000}).encode()
    request = urllib.request.Request(f"{merci.url}/webhooks/rest/webhook", data=body)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413


def test_the_rest_rate_limit_per_sender_answers_429(merci):
    answers = [say(merci.url, "guard-flood", "/affirm") for _ in range(21)]
    assert answers[-1][0] == 429 and "Too many messages" in answers[-1][1]["error"]
