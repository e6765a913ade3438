"""The contact settings as response values, and the hand-off tag (bot.domain.handoff)."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.domain.handoff import contact_values, handoff_tag
from bot.domain.wording import choose_variant, load_responses, render

RESPONSES = load_responses(PROJECT_ROOT / "domain.yml")


def contact_reply(**settings: str | None) -> str:
    values = contact_values(settings.get("url"), settings.get("phone"), settings.get("hours"))
    variant = choose_variant(RESPONSES["utter_human_contact"], values)
    return render("utter_human_contact", variant, values).text


def test_the_reply_uses_every_contact_setting_given():
    reply = contact_reply(
        url="https://ex.fr/contact", phone="01 23 45 67 89", hours="de 9 h à 18 h"
    )
    assert "https://ex.fr/contact" in reply and "01 23 45 67 89" in reply and "9 h" in reply


def test_a_missing_setting_is_left_out_of_the_reply():
    assert "{" not in contact_reply(phone="01 23 45 67 89")
    assert "01 23 45 67 89" in contact_reply(phone="01 23 45 67 89")
    assert "page Contact" in contact_reply(url="  ")


def test_the_tag_names_the_conversation_for_the_inbox():
    assert handoff_tag("abc") == {
        "requested": True,
        "reason": "consumer_asked_for_a_person",
        "conversation": "abc",
    }
