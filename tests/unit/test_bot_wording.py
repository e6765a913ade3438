"""Which variant of a response Merci says, and how it is filled in."""

from __future__ import annotations

import re

import pytest

from bot.domain.wording import Variant, choose_variant, render

NNBSP, NBSP = "\u202f", "\u00a0"


def needs(variant: Variant) -> set[str]:
    return set(re.findall(r"{(\w+)}", variant.text))


def usable(variants, values) -> list[Variant]:
    known = {name for name, value in values.items() if value not in (None, "")}
    return [v for v in variants if needs(v) <= known]


def test_without_a_first_name_only_variants_that_do_not_need_it_are_said(responses):
    chosen = choose_variant(responses["utter_greet_known"], {"first_name": None})
    assert "{first_name}" not in chosen.text
    assert chosen.text.startswith("Bonjour")


def test_when_the_first_name_is_known_a_personal_variant_is_preferred(responses):
    for avoid in (None, 0, 1, 2):
        chosen = choose_variant(responses["utter_greet_known"], {"first_name": "Marie"}, avoid)
        assert "{first_name}" in chosen.text, f"avoid={avoid}"


def test_a_variant_is_only_said_when_every_placeholder_can_be_filled(responses):
    values = {"first_name": "", "completeness": 37}  # no field_label known
    chosen = choose_variant(responses["utter_thank_field_saved"], values)
    assert needs(chosen) <= {"completeness"}
    assert "Parfait, merci" in chosen.text


def test_no_fillable_variant_is_an_error_rather_than_a_half_filled_sentence(responses):
    with pytest.raises(LookupError):
        choose_variant(responses["utter_thank_review_5_same_product"], {"first_name": "Marie"})


PLACEHOLDER_VALUES = {
    "completeness": 62,
    "field_label": "votre ville",
    "rating": 4,
    "review_count": 3,
    "product": "Crème hydratante",
}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"first_name": "Marie"},
        PLACEHOLDER_VALUES,
        {**PLACEHOLDER_VALUES, "first_name": "Marie"},
    ],
    ids=["nothing known", "first name only", "all but the first name", "everything"],
)
def test_the_variant_said_last_time_is_never_said_again_when_another_one_fits(responses, values):
    checked = 0
    for name, variants in responses.items():
        fitting = usable(variants, values)
        if len(fitting) < 2:
            continue
        for previous in fitting:
            chosen = choose_variant(variants, values, avoid=previous.index)
            assert chosen.index != previous.index, f"{name}: variant {previous.index} said twice"
            assert chosen in fitting, f"{name}: variant {chosen.index} cannot be filled"
            checked += 1
    assert checked > 0


def test_consecutive_thanks_go_round_every_personal_variant(responses):
    variants = responses["utter_thank_field_saved"]
    values = {**PLACEHOLDER_VALUES, "first_name": "Marie"}
    said = []
    previous = None
    for _ in range(4):
        previous = choose_variant(variants, values, avoid=previous).index
        said.append(previous)
    assert said == [0, 1, 0, 1]


def test_consecutive_thanks_go_round_every_variant_that_fits(responses):
    variants = responses["utter_thank_review_middle"]
    values = {"rating": 4, "review_count": 2}  # no first name: variants 3 and 4 fit
    said = []
    previous = None
    for _ in range(4):
        previous = choose_variant(variants, values, avoid=previous).index
        said.append(previous)
    assert said == [2, 3, 2, 3]


def test_a_lone_variant_is_said_even_if_it_was_said_last_time():
    only = Variant(0, "Merci d'avoir vérifié !")
    assert choose_variant([only], {}, avoid=0) is only


def test_render_fills_every_placeholder(responses):
    variant = responses["utter_thank_field_saved"][0]
    reply = render(
        "utter_thank_field_saved",
        variant,
        {"first_name": "Marie", "field_label": "votre ville", "completeness": 62},
    )
    assert reply.response == "utter_thank_field_saved"
    assert reply.variant == 0
    assert (
        reply.text
        == f"Merci Marie{NNBSP}! C'est noté pour votre ville. Votre profil est complet à 62{NBSP}%."
    )
    assert "{" not in reply.text


def test_render_keeps_the_buttons_of_the_variant(responses):
    variant = responses["utter_apologize_review_low"][2]
    reply = render("utter_apologize_review_low", variant, {"first_name": None, "rating": 2})
    assert [b["title"] for b in reply.buttons] == ["Oui, recontactez-moi", "Non merci"]
    assert [b["payload"] for b in reply.buttons] == ["/affirm", "/deny"]
