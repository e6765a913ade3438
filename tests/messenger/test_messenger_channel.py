"""The Messenger output channel against the fake Graph API, without a Rasa server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.channels.messenger import MessengerOutput
from bot.integrations.messenger_api import GraphClient, Inbound, MessengerLog
from bot.storage.engine import build_engine
from bot.storage.models import metadata, utcnow


@pytest.fixture
def log(monkeypatch, tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'merci.db'}")  # shared across threads
    metadata.create_all(engine)
    monkeypatch.setattr("bot.channels.messenger.get_engine", lambda: engine)
    return MessengerLog(engine)


def test_a_long_answer_is_sent_in_parts_with_its_buttons_on_the_last(graph, run):
    output = MessengerOutput(GraphClient("token", graph.url, backoff=0.01))
    text = "Merci pour ce retour détaillé, il nous aide vraiment. " * 50
    buttons = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]
    run(output.send_response("psid", {"text": text, "buttons": buttons}))
    first, last = graph.to("psid")
    assert len(first.text) <= 2000 and first.text.endswith("vraiment.")
    assert first.text + " " + last.text == text.strip()
    assert last.message["quick_replies"][0]["payload"] == "/affirm", "too long for a template"
    assert output.messages == [], "an answer is sent, never collected"


def test_a_proactive_message_outside_the_window_is_collected_not_sent(graph, log, run):
    output = MessengerOutput(GraphClient("token", graph.url, backoff=0.01), proactive=True)
    log.record(Inbound("old", "m-old", utcnow() - timedelta(hours=25), text="Bonjour"))
    log.record(Inbound("recent", "m-recent", utcnow() - timedelta(hours=1), text="Bonjour"))
    run(output.send_response("old", {"text": "Pensez à votre profil\u202f!"}))
    run(output.send_response("recent", {"text": "Pensez à votre profil\u202f!"}))
    assert graph.to("old") == [] and [s.text for s in graph.to("recent")] == [
        "Pensez à votre profil\u202f!"
    ]
    assert [m["text"] for m in output.messages] == ["Pensez à votre profil\u202f!"]

    tagged = MessengerOutput(GraphClient("token", graph.url), proactive=True, tag="ACCOUNT_UPDATE")
    run(tagged.send_response("old", {"text": "Votre profil a été mis à jour."}))
    (sent,) = graph.to("old")
    assert (sent.body["messaging_type"], sent.body["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")
