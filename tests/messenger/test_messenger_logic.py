"""Messenger without Rasa: signatures, events, reply shapes, the 24-hour window, sending."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.integrations.messenger_api import (
    GraphClient,
    Inbound,
    MessengerLog,
    cut_title,
    delivery_mode,
    read_events,
    split_text,
    subscription_challenge,
    to_graph_messages,
)
from bot.integrations.signatures import verify
from bot.storage import repository
from bot.storage.engine import build_engine
from bot.storage.models import MessengerMessage, metadata
from bot.storage.unit_of_work import StorageError

SECRET = "app-secret"
NOW = datetime(2026, 11, 25, 12, 0)
BODY = b'{"object": "page", "entry": []}'


def sha256(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_only_a_right_sha256_signature_is_accepted():
    assert verify(BODY, sha256(BODY), SECRET)
    assert not verify(BODY, sha256(BODY, "forged"), SECRET)
    assert not verify(BODY + b" ", sha256(BODY), SECRET)
    assert not verify(BODY, None, SECRET)
    sha1 = "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    assert not verify(BODY, sha1, SECRET)
    assert not verify(BODY, sha256(BODY, ""), None), "no secret, nothing accepted"
    assert not verify(BODY, "sha256=é", SECRET)


def test_the_verify_challenge_is_echoed_only_for_a_subscribe_with_the_right_token():
    args = {"hub.mode": "subscribe", "hub.verify_token": "jeton", "hub.challenge": "1158201444"}
    assert subscription_challenge(args, "jeton") == "1158201444"
    assert subscription_challenge({**args, "hub.verify_token": "autre"}, "jeton") is None
    assert subscription_challenge({**args, "hub.mode": "unsubscribe"}, "jeton") is None
    assert subscription_challenge(args, None) is None


def event(sender: str, **fields) -> dict:
    return {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "timestamp": 1764072000000,
        **fields,
    }


def test_every_event_of_a_batch_is_read_in_order_and_receipts_and_echoes_are_left_out():
    payload = {
        "object": "page",
        "entry": [
            {"messaging": [
                event("A", message={"mid": "m1", "text": "Bonjour"}),
                event("A", delivery={"mids": ["x"]}),
                event("B", message={"mid": "m2", "text": "Salut"}),
            ]},
            {"messaging": [
                event("A", read={"watermark": 1}),
                event("page", message={"mid": "m3", "text": "écho", "is_echo": True}),
                event("A", message={"mid": "m4", "text": "Oui", "quick_reply": {"payload": "/ok"}}),
                event("B", postback={"mid": "m5", "title": "Avis", "payload": "/leave_review"}),
            ]},
        ],
    }  # fmt: skip
    read = read_events(payload, now=datetime(2030, 1, 1))
    assert [(i.sender_id, i.mid, i.text) for i in read] == [
        ("A", "m1", "Bonjour"),
        ("B", "m2", "Salut"),
        ("A", "m4", "/ok"),
        ("B", "m5", "/leave_review"),
    ]
    assert read[0].received_at == datetime(2025, 11, 25, 12, 0)


def test_attachments_never_become_text_and_a_thumbs_up_is_a_thank_you():
    image = {"type": "image", "payload": {"url": "https://cdn.example/photo.jpg"}}
    thumbs = {
        "type": "image",
        "payload": {"url": "https://cdn.example/s.png", "sticker_id": 369239263222822},
    }
    other_sticker = {"type": "image", "payload": {"url": "https://x/s.png", "sticker_id": 1}}
    payload = {"object": "page", "entry": [{"messaging": [
        event("A", message={"mid": "m1", "attachments": [image]}),
        event("A", message={"mid": "m2", "sticker_id": 369239263222822, "attachments": [thumbs]}),
        event("A", message={"mid": "m3", "attachments": [other_sticker]}),
        event("A", message={"mid": "m4", "attachments": [{"type": "location", "payload": {}}]}),
    ]}]}  # fmt: skip
    read = read_events(payload, now=NOW)
    assert [(i.text, i.attachment) for i in read] == [
        (None, True), ("/thank", False), (None, True), (None, True),
    ]  # fmt: skip
    assert read_events({"object": "instagram", "entry": payload["entry"]}) == []


def test_a_long_text_is_split_at_sentence_ends_within_the_limit():
    sentence = "Merci pour votre avis, il compte beaucoup pour nous\u202f! "
    text = sentence * 60  # about 3 300 characters
    parts = split_text(text)
    assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
    assert all(p.endswith("!") for p in parts), "cut after a sentence, never inside one"
    assert " ".join(parts) == text.strip()
    assert split_text("court") == ["court"]
    assert all(len(p) <= 10 for p in split_text("mot " * 30, limit=10))
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_titles_are_cut_after_a_word_to_twenty_characters():
    assert cut_title("Compléter mon profil") == "Compléter mon profil"
    assert cut_title("Ne pas me contacter du tout") == "Ne pas me contacter…"
    assert cut_title("Anticonstitutionnellement") == "Anticonstitutionnel…"
    assert all(len(cut_title(t)) <= 20 for t in ("a " * 30, "Très très long titre ici"))


def test_three_buttons_make_a_button_template():
    buttons = [{"title": "Compléter mon profil", "payload": "/update_profile"},
               {"title": "Donner mon avis", "payload": "/leave_review"}]  # fmt: skip
    (message,) = to_graph_messages({"text": "Bonjour\u202f!", "buttons": buttons})
    template = message["attachment"]["payload"]
    assert template["template_type"] == "button" and template["text"] == "Bonjour\u202f!"
    assert template["buttons"] == [
        {"type": "postback", "title": "Compléter mon profil", "payload": "/update_profile"},
        {"type": "postback", "title": "Donner mon avis", "payload": "/leave_review"},
    ]


def test_five_stars_become_star_quick_replies_and_never_more_than_thirteen():
    stars = [{"title": "★" * n, "payload": str(n)} for n in range(1, 6)]
    (message,) = to_graph_messages({"text": "Quelle note\u202f?", "buttons": stars})
    assert message["quick_replies"] == [
        {"content_type": "text", "title": "★" * n, "payload": str(n)} for n in range(1, 6)
    ]
    many = [{"title": f"Choix {n}", "payload": f"choix {n}"} for n in range(1, 16)]
    (message,) = to_graph_messages({"text": "Lequel\u202f?", "buttons": many})
    assert len(message["quick_replies"]) == 13
    assert "Choix 14, Choix 15" in message["text"], "the others are listed, not dropped"


def test_a_user_email_quick_reply_from_a_channel_variant_keeps_the_text():
    message = {
        "text": "Quelle est votre adresse e-mail\u202f?",
        "custom": {"quick_replies": [{"content_type": "user_email"}]},
    }
    assert to_graph_messages(message) == [
        {"text": "Quelle est votre adresse e-mail\u202f?",
         "quick_replies": [{"content_type": "user_email"}]}
    ]  # fmt: skip


def test_a_long_text_with_buttons_keeps_the_buttons_on_its_last_part():
    text = "Une phrase assez longue pour remplir. " * 80
    messages = to_graph_messages(
        {"text": text, "buttons": [{"title": "Oui", "payload": "/affirm"}]}
    )
    assert len(messages) == 2 and "text" in messages[0]
    assert messages[1]["quick_replies"][0]["payload"] == "/affirm"


def test_outside_the_24_hour_window_a_message_waits_unless_a_tag_is_configured():
    assert delivery_mode(NOW - timedelta(hours=2), NOW, None) == {"messaging_type": "RESPONSE"}
    assert delivery_mode(NOW - timedelta(hours=25), NOW, None) is None
    assert delivery_mode(None, NOW, None) is None
    assert delivery_mode(NOW - timedelta(hours=25), NOW, "ACCOUNT_UPDATE") == {
        "messaging_type": "MESSAGE_TAG",
        "tag": "ACCOUNT_UPDATE",
    }


def test_a_redelivered_mid_is_recorded_once_and_the_latest_message_opens_the_window():
    engine = build_engine("sqlite://")
    metadata.create_all(engine)
    log = MessengerLog(engine)
    assert log.record(Inbound("A", "m1", NOW - timedelta(hours=3), text="Bonjour"))
    assert not log.record(Inbound("A", "m1", NOW - timedelta(hours=3), text="Bonjour"))
    assert log.record(Inbound("A", None, NOW - timedelta(hours=1), text="/affirm"))
    assert log.record(Inbound("A", None, NOW - timedelta(hours=2), text="/deny"))
    assert log.last_message_at("A") == NOW - timedelta(hours=1)
    assert log.last_message_at("B") is None


def test_sends_are_retried_on_5xx_and_429_then_given_up_with_a_log_line(graph, caplog, run):
    client = GraphClient("page-token", graph.url, "v21.0", attempts=3, backoff=0.01)
    graph.failures = [500, 429]
    assert run(client.send_all("psid-1", [{"text": "Bonjour"}]))
    (sent,) = graph.to("psid-1")
    assert sent.path == "/v21.0/me/messages" and sent.access_token == "page-token"
    assert sent.body == {"recipient": {"id": "psid-1"}, "messaging_type": "RESPONSE",
                         "message": {"text": "Bonjour"}}  # fmt: skip
    assert graph.attempts == 3

    graph.failures = [503, 503, 503]
    assert not run(client.send_all("psid-2", [{"text": "Bonjour Marie"}]))
    assert "failed after 3 attempt(s)" in caplog.text
    assert "psid-2" not in caplog.text and "Marie" not in caplog.text

    graph.failures = [400]
    assert not run(client.send_all("psid-3", [{"text": "x"}])), "a refusal is not retried"
    assert graph.attempts == 7


def test_a_graph_api_that_does_not_answer_is_a_failed_send(run):
    client = GraphClient("t", "http://127.0.0.1:9", attempts=2, backoff=0.01, timeout=1)
    assert not run(client.send_all("psid", [{"text": "x"}]))


def test_make_run_starts_without_messenger_unless_its_three_settings_are_set(tmp_path):
    from bot.runtime.runner import MESSENGER_CHANNEL, credentials_for

    path, enabled = credentials_for({"MESSENGER_VERIFY_TOKEN": "v"}, tmp_path)
    assert not enabled and path.parent == tmp_path
    channels = path.read_text()
    assert MESSENGER_CHANNEL not in channels and "rest" in channels
    configured = {"MESSENGER_VERIFY_TOKEN": "v", "MESSENGER_APP_SECRET": "s",
                  "MESSENGER_PAGE_ACCESS_TOKEN": "t"}  # fmt: skip
    path, enabled = credentials_for(configured, tmp_path)
    assert enabled and MESSENGER_CHANNEL in path.read_text()


def test_a_redelivery_that_races_the_first_delivery_is_still_recorded_once(monkeypatch):
    engine = build_engine("sqlite://")
    metadata.create_all(engine)
    log = MessengerLog(engine)
    assert log.record(Inbound("A", "m1", NOW, text="Bonjour"))
    # The other delivery commits between this one's read and its write: the read misses it.
    reads: list[str] = []

    def find_late(session: Session, mid: str) -> MessengerMessage | None:
        reads.append(mid)
        return None if len(reads) == 1 else repository.find_messenger_message(session, mid)

    monkeypatch.setattr("bot.integrations.messenger_api.find_messenger_message", find_late)
    assert not log.record(Inbound("A", "m1", NOW, text="Bonjour")), "retried, then seen"
    assert reads == ["m1", "m1"]
    with Session(engine) as session:
        assert session.scalar(select(func.count(MessengerMessage.id))) == 1


def test_a_database_without_the_table_gives_a_storage_error_not_a_sqlalchemy_one():
    log = MessengerLog(build_engine("sqlite://"))  # no migration: no messenger_messages
    with pytest.raises(StorageError) as raised:
        log.record(Inbound("A", "m1", NOW, text="Bonjour"))
    assert isinstance(raised.value.__cause__, OperationalError)
    with pytest.raises(StorageError):
        log.last_message_at("A")
