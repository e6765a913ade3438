"""The congratulation table: which thank-you each occasion gets, and the checks a marketer's
edit must pass before Merci starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.domain.congratulations import CONDITIONS, EVENTS, Occasion, TableError, load_table
from bot.domain.mistakes import Code, Mistake, Place
from bot.domain.wording import load_responses

DOMAIN = PROJECT_ROOT / "domain.yml"
CONGRATULATIONS = PROJECT_ROOT / "data" / "congratulations.yml"

PRAISE = re.compile(r"bravo|f[ée]licit", re.IGNORECASE)


# --- the real table -----------------------------------------------------------------------


def test_the_real_table_matches_the_real_domain(table):
    assert table.milestones == (50, 80, 100)
    assert table.field_labels["email"] == "votre adresse e-mail"


@pytest.mark.parametrize(
    ("occasion", "response"),
    [
        (Occasion("field_saved", field="email"), "utter_thank_field_saved"),
        (Occasion("field_saved", field="city", milestone=50), "utter_congratulate_profile_50"),
        (Occasion("field_saved", field="interests", milestone=80), "utter_congratulate_profile_80"),
        (
            Occasion("field_saved", field="phone", milestone=100),
            "utter_congratulate_profile_complete",
        ),
        (Occasion("data_confirmed"), "utter_thank_data_confirmed"),
        (Occasion("review", rating=5, review_count=1), "utter_thank_first_review_5"),
        (Occasion("review", rating=5, review_count=4), "utter_thank_review_5"),
        (
            Occasion("review", rating=5, review_count=2, same_product_before=True),
            "utter_thank_review_5_same_product",
        ),
        (Occasion("review", rating=3, review_count=1), "utter_thank_first_review_middle"),
        (Occasion("review", rating=4, review_count=1), "utter_thank_first_review_middle"),
        (Occasion("review", rating=4, review_count=6), "utter_thank_review_middle"),
        (
            Occasion("review", rating=3, review_count=2, same_product_before=True),
            "utter_thank_review_middle_same_product",
        ),
        (Occasion("review", rating=1, review_count=1), "utter_apologize_review_low"),
        (Occasion("review", rating=2, review_count=3), "utter_apologize_review_low"),
        (
            Occasion("review", rating=2, review_count=2, same_product_before=True),
            "utter_apologize_review_low_same_product",
        ),
    ],
)
def test_each_occasion_gets_its_thank_you(table, occasion, response):
    assert table.choose(occasion) == response


@pytest.mark.parametrize("rating", [1, 2])
@pytest.mark.parametrize("review_count", [1, 2, 10])
@pytest.mark.parametrize("same_product_before", [False, True])
def test_a_disappointed_consumer_is_never_congratulated(
    table, responses, rating, review_count, same_product_before
):
    occasion = Occasion(
        "review", rating=rating, review_count=review_count, same_product_before=same_product_before
    )
    response = table.choose(occasion)
    praising = [v.text for v in responses[response] if PRAISE.search(v.text)]
    assert praising == [], f"{response} congratulates a {rating}-star review: {praising}"
    assert any("désolé" in v.text for v in responses[response])


# --- broken copies of the table -----------------------------------------------------------


@pytest.fixture
def edited() -> dict:
    """The real table as data, for a test to break."""
    return yaml.safe_load(CONGRATULATIONS.read_text(encoding="utf-8"))


@pytest.fixture
def problems_of(tmp_path: Path, responses):
    """Write the edited table to a file, load it, and return the problems it is refused for."""

    def check(data: dict, domain_responses=None) -> list[Mistake]:
        path = tmp_path / "congratulations.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with pytest.raises(TableError) as caught:
            load_table(path, domain_responses or responses)
        assert str(path) in str(caught.value)
        return caught.value.problems

    return check


def rule(when: dict, response: str) -> dict:
    return {"when": when, "response": response}


def has(problems: list[Mistake], code: Code, **values) -> bool:
    """Whether one of ``problems`` is of kind ``code`` with (at least) these values."""
    return any(
        p.code is code and all(p.values.get(k) == v for k, v in values.items()) for p in problems
    )


def rules_of(data: dict) -> list[dict]:
    """The list of rules in the table, whatever its top-level key."""
    return next(
        value
        for value in data.values()
        if isinstance(value, list)
        and value
        and all(isinstance(i, dict) and "when" in i for i in value)
    )


def test_an_unknown_condition_is_named(edited, problems_of):
    rules_of(edited).insert(0, rule({"event": "review", "stars": 5}, "utter_thank_review_5"))
    problems = problems_of(edited)
    assert has(problems, Code.UNKNOWN_CONDITION, rule=1, key="stars", known=CONDITIONS), problems


def test_an_unknown_event_is_named(edited, problems_of):
    rules_of(edited).insert(0, rule({"event": "anniversaire"}, "utter_thank_field_saved"))
    problems = problems_of(edited)
    assert has(problems, Code.UNKNOWN_EVENT, rule=1, events=EVENTS), problems


def test_a_rating_of_6_is_refused(edited, problems_of):
    rules_of(edited).insert(0, rule({"event": "review", "rating": [5, 6]}, "utter_thank_review_5"))
    problems = problems_of(edited)
    assert has(problems, Code.RATING_OUT_OF_RANGE, rule=1, rating=6), problems


def test_a_milestone_rule_must_use_a_listed_milestone(edited, problems_of):
    rules_of(edited).insert(
        0, rule({"event": "field_saved", "milestone": 75}, "utter_congratulate_profile_80")
    )
    problems = problems_of(edited)
    assert has(problems, Code.UNLISTED_MILESTONE, rule=1, milestone=75), problems


def test_a_listed_milestone_without_a_rule_is_named(edited, problems_of):
    edited["milestones"] = [50, 80, 90, 100]
    assert problems_of(edited) == [
        Mistake(Code.MILESTONE_WITHOUT_RULE, Place(("milestones",)), {"milestone": 90})
    ]


def test_a_response_missing_from_the_domain_is_named(edited, problems_of):
    rules_of(edited)[3]["response"] = "utter_merci_beaucoup"
    problems = problems_of(edited)
    assert has(problems, Code.UNKNOWN_RESPONSE, rule=4, response="utter_merci_beaucoup"), problems


def test_a_congratulation_with_a_single_variant_is_refused(edited, problems_of, responses):
    assert len(responses["utter_iamabot"]) == 1
    rules = rules_of(edited)
    number, rule = next(
        (n, r) for n, r in enumerate(rules, start=1) if r["when"] == {"event": "data_confirmed"}
    )
    rule["response"] = "utter_iamabot"
    problems = problems_of(edited)
    assert has(problems, Code.SINGLE_VARIANT, rule=number, response="utter_iamabot"), problems


def test_a_low_rating_rule_pointing_to_a_response_that_says_bravo_is_refused(edited, problems_of):
    # Only variant 4 of utter_thank_first_review_5 praises: "Bravo et merci pour ce premier avis".
    low = next(r for r in rules_of(edited) if r["when"] == {"event": "review", "rating": [1, 2]})
    low["response"] = "utter_thank_first_review_5"
    problems = problems_of(edited)
    praise = [p for p in problems if p.code is Code.PRAISE_FOR_LOW_RATING]
    assert len(praise) == 1, problems
    assert praise[0].values["response"] == "utter_thank_first_review_5"
    assert praise[0].values["variant"] == 4


def test_an_apology_edited_in_domain_yml_to_say_felicitations_is_refused(
    tmp_path, edited, problems_of
):
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    domain["responses"]["utter_apologize_review_low"].append(
        {"text": "Félicitations pour votre franchise\u202f! Voulez-vous être recontacté\u202f?"}
    )
    edited_domain = tmp_path / "domain.yml"
    edited_domain.write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    problems = problems_of(edited, load_responses(edited_domain))
    assert has(
        problems, Code.PRAISE_FOR_LOW_RATING, response="utter_apologize_review_low", variant=5
    ), problems


def test_a_rule_covering_low_and_middle_ratings_must_not_congratulate_either(edited, problems_of):
    rules_of(edited).insert(
        0, rule({"event": "review", "rating": [2, 3]}, "utter_congratulate_profile_50")
    )
    problems = problems_of(edited)
    assert has(problems, Code.PRAISE_FOR_LOW_RATING, response="utter_congratulate_profile_50")


def test_a_missing_catch_all_for_an_event_is_named(edited, problems_of):
    rules = rules_of(edited)
    rules[:] = [r for r in rules if r["when"] != {"event": "data_confirmed"}]
    problems = problems_of(edited)
    assert problems == [Mistake(Code.NO_CATCH_ALL, Place(("thanks",)), {"event": "data_confirmed"})]


def test_a_missing_field_label_is_named(edited, problems_of):
    del edited["field_labels"]["phone"]
    problems = problems_of(edited)
    assert problems == [Mistake(Code.MISSING_LABEL, Place(("field_labels",)), {"field": "phone"})]


def test_every_mistake_is_listed_at_once(edited, problems_of):
    del edited["field_labels"]["birthday"]
    rules_of(edited)[0]["response"] = "utter_inconnue"
    rules_of(edited).insert(0, rule({"event": "review", "rating": 0}, "utter_thank_review_5"))
    problems = problems_of(edited)
    assert has(problems, Code.MISSING_LABEL, field="birthday")
    assert has(problems, Code.UNKNOWN_RESPONSE, response="utter_inconnue")
    assert has(problems, Code.RATING_OUT_OF_RANGE, rating=0)


def test_invalid_yaml_names_the_line_to_fix(tmp_path, responses):
    text = CONGRATULATIONS.read_text(encoding="utf-8")
    good = "    response: utter_congratulate_profile_80\n"
    line = text[: text.index(good)].count("\n") + 1
    path = tmp_path / "congratulations.yml"
    path.write_text(
        text.replace(good, "    response: utter_congratulate_profile_80: oups\n"), encoding="utf-8"
    )
    with pytest.raises(TableError) as caught:
        load_table(path, responses)
    assert len(caught.value.problems) == 1
    [problem] = caught.value.problems
    assert problem.code is Code.INVALID_YAML and problem.place.line == line


def test_a_table_that_is_a_list_is_reported_as_a_table_error(tmp_path, responses):
    path = tmp_path / "congratulations.yml"
    path.write_text(
        "- when: {event: review}\n  response: utter_thank_review_middle\n", encoding="utf-8"
    )
    with pytest.raises(TableError) as caught:
        load_table(path, responses)
    assert [p.code for p in caught.value.problems] == [Code.TABLE_NOT_A_MAPPING]


def test_a_refused_table_says_what_to_fix_in_french_for_the_startup_message(
    tmp_path, edited, responses
):
    del edited["field_labels"]["phone"]
    path = tmp_path / "congratulations.yml"
    path.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_table(path, responses)
    assert str(caught.value) == (
        f"{path}\u00a0: 1 problème(s) dans la table des remerciements\u00a0:\n"
        "- field_labels\u00a0: pas de libellé pour phone\u00a0: ajoutez une ligne "
        "`phone: votre ...` sous field_labels"
    )


def test_invalid_yaml_at_startup_says_the_line_in_french(tmp_path, responses):
    path = tmp_path / "congratulations.yml"
    path.write_text("milestones: [50, 80\nthanks: []\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_table(path, responses)
    assert "\n- ligne 2\u00a0: erreur de syntaxe YAML (" in str(caught.value)
    assert "guillemet droit" in str(caught.value)
