"""What a consumer may type as ``/intent{...}``: Merci's buttons, never Merci's own triggers."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.domain.typed_intents import screen_typed


def button_payloads() -> set[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        button["payload"]
        for variants in domain["responses"].values()
        for variant in variants
        for button in variant.get("buttons", [])
    }


@pytest.mark.parametrize("payload", sorted(button_payloads()))
def test_every_button_payload_of_the_domain_is_handed_to_rasa_unchanged(payload):
    assert screen_typed(payload).refused is None
    assert screen_typed(payload).text == payload


@pytest.mark.parametrize(
    "typed",
    [
        '/EXTERNAL_review_published{"event_id":"evt-0001"}',
        "/EXTERNAL_profile_reminder",
        "  /EXTERNAL_profile_completed  ",
        "/EXTERNAL_review_published@1.0",
        "\u00a0/ EXTERNAL_review_published",
        '/leave_review{"event_id":"evt-0001"}',
        '/greet@0.9{"event_id": "x"}',
        '/greet{"event_id": "x", "rating": 4}',
        "/greet{not json but braces}",
    ],
)
def test_merci_s_own_intents_and_trusted_entities_are_refused(typed):
    screened = screen_typed(typed)
    assert screened.refused is not None
    # What Rasa gets instead is plain text: no leading "/" left to unpack.
    assert not screened.text.strip().startswith("/")


@pytest.mark.parametrize(
    "typed",
    ["//EXTERNAL_review_published", "/ /EXTERNAL_review_published", "/\t//EXTERNAL_x"],
)
def test_stacked_prefixes_are_all_removed(typed):
    assert not re.match(r"^[\s/]*/", screen_typed(typed).text)


@pytest.mark.parametrize(
    "typed",
    ["Bonjour", "4", '/give_rating{"rating": 4}', "1/5", "50/50 pour moi", "/"],
)
def test_ordinary_messages_and_consumer_entities_pass(typed):
    assert screen_typed(typed).refused is None
    assert screen_typed(typed).text == typed


def test_a_long_slash_message_is_screened_in_linear_time():
    import time

    start = time.perf_counter()
    screen_typed("/" + " /" * 200_000 + "EXTERNAL_x")
    screen_typed("/a" + "{" * 200_000)
    assert time.perf_counter() - start < 1.0
