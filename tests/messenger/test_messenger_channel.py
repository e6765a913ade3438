"""The Messenger output channel against the fake Graph API, without a Rasa server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.messenger import MessengerInput, MessengerOutput
from bot.config import get_settings
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


def test_a_batch_survives_a_database_failure_and_logs_no_personal_data(monkeypatch, caplog, run):
    broken = build_engine("sqlite://")  # no migration: every read and write fails
    monkeypatch.setattr("bot.channels.messenger.get_engine", lambda: broken)
    channel = MessengerInput(get_settings())
    passed_to_rasa: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        passed_to_rasa.append(message)

    events = [
        Inbound("psid-marie", "m1", utcnow(), text="mon e-mail est marie@example.fr"),
        Inbound("psid-paul", "m2", utcnow(), text="Bonjour"),
    ]
    run(channel.handle(events, on_new_message))  # no exception: the background task lives on
    assert passed_to_rasa == [], "unrecorded, so not answered (a redelivery would repeat it)"
    assert caplog.text.count("could not be recorded, skipped (OperationalError)") == 2
    assert "psid" not in caplog.text and "marie" not in caplog.text
