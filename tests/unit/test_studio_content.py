"""Merci Studio's own logic: masking what consumers typed, grouping the inbox, and writing
YAML back with its comments and layout."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.domain.inbox import Filters, Said, build_inbox, group_key
from bot.domain.masking import mask_personal_data
from bot.studio import responses
from bot.studio.nlu_files import ExampleRefused, add_example
from bot.studio.roundtrip import load


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("écrivez à marie.durand@exemple.fr svp", "écrivez à <email> svp"),
        ("mon numéro : 06 12 34 56 78", "mon numéro : <téléphone>"),
        ("appelez le +33 6 12 34 56 78 demain", "appelez le <téléphone> demain"),
        ("je suis née le 12/03/1990", "je suis née le <date>"),
        ("livré le 1er mars 2026 ?", "livré le <date> ?"),
        (
            "ma livraison pour le 75011 est en retard",
            "ma livraison pour le <code postal> est en retard",
        ),
        ("je veux laisser un avis", "je veux laisser un avis"),
    ],
)
def test_personal_data_is_masked_before_a_marketer_sees_it(typed: str, shown: str):
    assert mask_personal_data(typed) == shown


def said(
    text: str,
    intent: str = "nlu_fallback",
    confidence: float = 0.3,
    hour: int = 10,
    channel: str = "rest",
) -> Said:
    return Said(text, intent, "leave_review", confidence, channel, datetime(2026, 11, 30, hour))


def test_the_same_text_typed_twice_is_one_group_newest_first_and_sure_messages_stay_out():
    inbox = build_inbox(
        [
            said("Où est ma commande ?", hour=9),
            said("où est ma  commande", hour=12, channel="socketio"),
            said("je veux laisser un avis", intent="leave_review", confidence=0.95, hour=13),
            said("je veux râler", intent="leave_review", confidence=0.4, hour=11),
        ],
        decided=set(),
    )
    assert [(g.text, g.count) for g in inbox] == [("où est ma  commande", 2), ("je veux râler", 1)]
    assert inbox[0].channels == {"rest", "socketio"}


def test_decided_groups_and_filtered_out_messages_do_not_show():
    messages = [
        said("bonjour la météo", hour=9),
        said("où est ma commande", hour=12, channel="socketio"),
    ]
    assert [g.text for g in build_inbox(messages, {group_key("où est ma commande")})] == [
        "bonjour la météo"
    ]
    assert [g.text for g in build_inbox(messages, set(), Filters(channel="socketio"))] == [
        "où est ma commande"
    ]
    late = Filters(since=datetime(2026, 11, 30, 11))
    assert [g.text for g in build_inbox(messages, set(), late)] == ["où est ma commande"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    shutil.copy2(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def test_every_file_the_studio_edits_is_written_back_byte_for_byte_when_nothing_changed(
    project: Path,
):
    edited = [project / "domain.yml", *sorted((project / "data" / "nlu").glob("*.yml"))]
    for path in edited:
        document = load(path)
        assert document.dumps() == path.read_text(encoding="utf-8"), path.name


def test_an_assigned_message_joins_its_intent_once_and_the_rest_of_the_file_is_untouched(
    project: Path,
):
    path = project / "data" / "nlu" / "reviews.yml"
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    add_example(project, "leave_review", "je veux râler sur ma crème")
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    added = [line for line in after if line not in before]
    assert added == ["    - je veux râler sur ma crème\n"]
    assert [line for line in after if line != added[0]] == before  # comments and order kept
    with pytest.raises(ExampleRefused, match="déjà un exemple"):
        add_example(project, "give_rating", "Je veux râler sur ma crème !")
    assert path.read_text(encoding="utf-8").count("râler sur ma crème") == 1


def test_a_response_saved_keeps_the_comments_of_domain_yml_and_refuses_a_stale_version(
    project: Path,
):
    domain = project / "domain.yml"
    comments = [
        line
        for line in domain.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    ]
    opened = responses.read(project, "utter_thank_review_5")
    assert opened is not None
    texts = [v["text"] for v in opened.variants]
    texts[3] = "5 étoiles de plus, merci !"
    responses.save(project, "utter_thank_review_5", [*texts, ""], opened.version)
    text = domain.read_text(encoding="utf-8")
    # Typed with a plain space, as a keyboard does; saved with French spacing.
    assert '    - text: "5 étoiles de plus, merci\u202f!"' in text
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    with pytest.raises(responses.SaveConflict) as conflict:
        responses.save(project, "utter_thank_review_5", [*texts, ""], opened.version)
    assert "5 étoiles de plus, merci\u202f!" in conflict.value.theirs


def test_a_button_title_is_renamed_and_its_payload_stays_the_dialogues(project: Path):
    opened = responses.read(project, "utter_ask_product")
    assert opened is not None and opened.variants[0]["buttons"][0]["title"] == "Passer"
    texts = [v["text"] for v in opened.variants]
    responses.save(
        project, "utter_ask_product", [*texts, ""], opened.version, {(0, 0): "Toute la marque"}
    )
    saved = responses.read(project, "utter_ask_product")
    assert saved is not None
    assert saved.variants[0]["buttons"] == [{"title": "Toute la marque", "payload": "/skip_field"}]
    assert saved.variants[0]["text"] == texts[0]


def test_freshness_months_are_saved_with_the_comments_and_a_wrong_value_changes_nothing(
    project: Path,
):
    from bot.studio import tables

    path = project / "data" / "freshness.yml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(tables.TableRefused) as refused:
        tables.save_freshness(project, "24", {"email": "-3"}, "7")
    assert any("freshness.yml" in problem for problem in refused.value.problems)
    assert path.read_text(encoding="utf-8") == before
    tables.save_freshness(project, "24", {"email": "18"}, "7")
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("  email: 24", "  email: 18")


def test_a_congratulation_rule_gets_another_response_and_an_unknown_one_is_refused(project: Path):
    from bot.studio import tables

    path = project / "data" / "congratulations.yml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(tables.TableRefused):
        tables.save_congratulations(project, {0: "utter_does_not_exist"})
    assert path.read_text(encoding="utf-8") == before
    tables.save_congratulations(project, {0: "utter_congratulate_profile_80"})
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(
        "    response: utter_congratulate_profile_complete",
        "    response: utter_congratulate_profile_80",
        1,
    )
