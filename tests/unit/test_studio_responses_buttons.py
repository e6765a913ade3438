"""Merci Studio's response editor: buttons added and removed (payloads are the dialogue's),
per-channel variants added and removed, and every refused edit leaving domain.yml as it was."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.integrations.messenger_api import to_graph_messages
from bot.studio import response_edits, responses
from bot.studio.response_edits import EditRefused, ResponseEdit, VariantEdit
from bot.tools.content import ContentPaths, check_content
from tests.project_copy import copy_project_files

CONTENT = ("domain.yml", "data", "actions", "bot/channels", "tests/nlu")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_project_files(CONTENT, tmp_path)
    return tmp_path


def choices(root: Path) -> frozenset[str]:
    return frozenset(c.name for c in response_edits.button_choices(root))


def edit_of(root: Path, name: str, **changes: VariantEdit) -> tuple[ResponseEdit, str]:
    """The edit that keeps every variant of ``name`` but those given (``v0=...``)."""
    opened = responses.read(root, name)
    assert opened is not None
    variants = tuple(
        changes.get(f"v{i}", VariantEdit(str(v["text"]))) for i, v in enumerate(opened.variants)
    )
    return ResponseEdit(variants, choices=choices(root)), opened.version


def text_of(root: Path, name: str, index: int = 0) -> str:
    opened = responses.read(root, name)
    assert opened is not None
    return str(opened.variants[index]["text"])


def added_and_removed(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"
    ]


def problems(root: Path) -> list[str]:
    return [p.render(root) for p in check_content(ContentPaths.under(root))]


def test_the_intents_a_button_may_send_are_the_consumers_with_their_description(project: Path):
    offered = {c.name: c.description for c in response_edits.button_choices(project)}
    assert offered["affirm"] == "La personne répond oui, accepte."
    assert offered["leave_review"] == "La personne veut donner son avis sur un produit."
    assert "EXTERNAL_profile_completed" not in offered
    assert "EXTERNAL_profile_reminder" not in offered


def test_a_button_added_sends_its_intent_and_only_its_lines_are_added(project: Path):
    domain = project / "domain.yml"
    before, found = domain.read_text(encoding="utf-8"), problems(project)
    text = text_of(project, "utter_ask_product")
    edit, version = edit_of(
        project,
        "utter_ask_product",
        v0=VariantEdit(text, new_title="Finalement non", new_intent="stop"),
    )
    responses.save_edit(project, "utter_ask_product", edit, version)
    after = domain.read_text(encoding="utf-8")
    assert added_and_removed(before, after) == [
        '+         - title: "Finalement non"',
        '+           payload: "/stop"',
    ]
    saved = responses.read(project, "utter_ask_product")
    assert saved is not None
    assert saved.variants[0]["buttons"] == [
        {"title": "Passer", "payload": "/skip_field"},
        {"title": "Finalement non", "payload": "/stop"},
    ]
    assert problems(project) == found


def test_a_button_removed_leaves_the_others_and_their_payloads_untouched(project: Path):
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    edit, version = edit_of(
        project,
        "utter_ask_contact_channel",
        v0=VariantEdit(
            text_of(project, "utter_ask_contact_channel"), removed_buttons=frozenset({1})
        ),
    )
    responses.save_edit(project, "utter_ask_contact_channel", edit, version)
    assert added_and_removed(before, domain.read_text(encoding="utf-8")) == [
        '-         - title: "SMS"',
        '-           payload: "par SMS"',
    ]


def test_the_last_button_removed_takes_the_buttons_key_with_it(project: Path):
    text = "Avec plaisir ! Quel produit souhaitez-vous évaluer ?"
    edit, version = edit_of(
        project, "utter_ask_product", v0=VariantEdit(text, removed_buttons=frozenset({0}))
    )
    responses.save_edit(project, "utter_ask_product", edit, version)
    saved = responses.read(project, "utter_ask_product")
    # Typed with a keyboard's spaces, saved with French ones.
    expected = "Avec plaisir\u202f! Quel produit souhaitez-vous évaluer\u202f?"
    assert saved is not None and saved.variants[0] == {"text": expected}


def test_a_payload_with_entities_is_kept_as_it_was_when_other_buttons_change():
    yaml = YAML()
    variants = yaml.load(
        '- text: "Votre note ?"\n'
        "  buttons:\n"
        '    - title: "5 étoiles"\n'
        '      payload: \'/give_rating{"rating": "5"}\'\n'
        '    - title: "Plus tard"\n'
        '      payload: "/stop"\n'
    )
    edit = ResponseEdit(
        (
            VariantEdit(
                "Votre note ?",
                titles={0: "Cinq étoiles"},
                removed_buttons=frozenset({1}),
                new_title="Aide",
                new_intent="ask_help",
            ),
        ),
        choices=frozenset({"ask_help"}),
    )
    response_edits.apply(variants, edit)
    assert [dict(b) for b in variants[0]["buttons"]] == [
        {"title": "Cinq étoiles", "payload": '/give_rating{"rating": "5"}'},
        {"title": "Aide", "payload": "/ask_help"},
    ]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            VariantEdit("Bonjour !", new_title="   ", new_intent="affirm"),
            "Donnez un titre au nouveau bouton de la variante 1",
        ),
        (
            VariantEdit("Bonjour !", titles={0: ""}),
            "Le bouton 1 de la variante 1 n'a pas de titre",
        ),
        (
            VariantEdit("Bonjour !", new_title="Oui", new_intent="commander_une_pizza"),
            "l'intention «\u00a0commander_une_pizza\u00a0» n'existe pas dans domain.yml",
        ),
        (
            VariantEdit("Bonjour !", new_title="Oui", new_intent="EXTERNAL_review_published"),
            "l'intention «\u00a0EXTERNAL_review_published\u00a0» n'existe pas",
        ),
        (
            VariantEdit("Bonjour !", new_title="Oui"),
            "Choisissez ce que le nouveau bouton de la variante 1 envoie",
        ),
        (
            VariantEdit("Bonjour !", new_title="Recevoir les nouveautés", new_intent="affirm"),
            "fait 23 caractères\u202f; Messenger en affiche 20 au plus",
        ),
    ],
)
def test_a_wrong_button_is_refused_in_french_and_changes_nothing(
    project: Path, change: VariantEdit, said: str
):
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    edit, version = edit_of(project, "utter_greet_new", v0=change)
    with pytest.raises(EditRefused) as refused:
        responses.save_edit(project, "utter_greet_new", edit, version)
    assert said.lower() in refused.value.message.lower()
    assert refused.value.message.endswith("Rien n'a été enregistré.")
    assert domain.read_text(encoding="utf-8") == before


def test_a_fourteenth_button_is_refused_as_messenger_shows_thirteen(project: Path):
    text = text_of(project, "utter_ask_contact_channel")
    for number in range(6, 14):
        edit, version = edit_of(
            project,
            "utter_ask_contact_channel",
            v0=VariantEdit(text, new_title=f"Choix {number}", new_intent="affirm"),
        )
        responses.save_edit(project, "utter_ask_contact_channel", edit, version)
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    edit, version = edit_of(
        project,
        "utter_ask_contact_channel",
        v0=VariantEdit(text, new_title="Choix 14", new_intent="affirm"),
    )
    with pytest.raises(EditRefused) as refused:
        responses.save_edit(project, "utter_ask_contact_channel", edit, version)
    assert "aurait 14 boutons\u202f; Messenger en affiche 13 au plus" in refused.value.message
    assert domain.read_text(encoding="utf-8") == before
    assert problems(project) == []


def test_a_variant_for_messenger_is_added_then_removed(project: Path):
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    edit, version = edit_of(project, "utter_goodbye")
    added = ResponseEdit(
        edit.variants, "À bientôt sur Messenger !", "facebook", adding=True, choices=edit.choices
    )
    responses.save_edit(project, "utter_goodbye", added, version)
    assert added_and_removed(before, domain.read_text(encoding="utf-8")) == [
        "+     - channel: facebook",
        '+       text: "À bientôt sur Messenger\u202f!"',
    ]
    assert problems(project) == []
    opened = responses.read(project, "utter_goodbye")
    assert opened is not None and opened.variants[-1]["channel"] == "facebook"
    kept = tuple(VariantEdit(str(v["text"])) for v in opened.variants[:-1])
    removed = (*kept, VariantEdit(str(opened.variants[-1]["text"]), removed=True))
    responses.save_edit(project, "utter_goodbye", ResponseEdit(removed), opened.version)
    assert domain.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("new_text", "channel", "said"),
    [
        ("Bonjour Telegram", "telegram", "le canal «\u00a0telegram\u00a0» n'est pas un canal"),
        ("   ", "socketio", "Écrivez le texte de la nouvelle variante"),
    ],
)
def test_a_wrong_new_variant_is_refused(project: Path, new_text: str, channel: str, said: str):
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    edit, version = edit_of(project, "utter_goodbye")
    wrong = ResponseEdit(edit.variants, new_text, channel, adding=True)
    with pytest.raises(EditRefused) as refused:
        responses.save_edit(project, "utter_goodbye", wrong, version)
    assert said.lower() in refused.value.message.lower()
    assert domain.read_text(encoding="utf-8") == before


def test_the_last_variant_for_every_channel_cannot_be_removed(project: Path):
    domain = project / "domain.yml"
    before = domain.read_text(encoding="utf-8")
    opened = responses.read(project, "utter_ask_email")
    assert opened is not None and opened.variants[1]["channel"] == "facebook"
    variants = (
        VariantEdit(str(opened.variants[0]["text"]), removed=True),
        VariantEdit(str(opened.variants[1]["text"])),
    )
    with pytest.raises(EditRefused) as refused:
        responses.save_edit(project, "utter_ask_email", ResponseEdit(variants), opened.version)
    assert refused.value.message.startswith(
        "Il faut garder au moins une variante pour tous les canaux"
    )
    assert domain.read_text(encoding="utf-8") == before


def test_messenger_cuts_a_long_title_and_the_studio_says_what_it_will_show():
    title = "Recevoir les nouveautés et"  # 26 characters
    shown = to_graph_messages({"text": "Bonjour", "buttons": [{"title": title, "payload": "/x"}]})
    cut = shown[0]["attachment"]["payload"]["buttons"][0]["title"]
    assert cut == "Recevoir les…" and len(cut) <= 20
    assert response_edits.title_warnings([{"title": title}]) == [
        "Messenger n'affichera que les 20 premiers caractères\u00a0: "
        "«\u00a0Recevoir les…\u00a0» au lieu de «\u00a0Recevoir les nouveautés et\u00a0»"
    ]
    assert response_edits.title_warnings([{"title": "Passer"}]) == []


def test_a_text_longer_than_messenger_allows_is_previewed_as_two_messages_with_a_warning():
    text = ("Merci pour votre avis, il compte beaucoup pour nous. " * 48).strip()
    assert 2500 <= len(text) <= 2600
    previewed = responses.messenger_preview(text, [])
    assert len(previewed) == 2 and all(len(m["text"]) <= 2000 for m in previewed)
    warned = response_edits.length_warnings(text, len(previewed), 0)
    assert len(warned) == 1 and "Messenger l'enverra en 2 messages" in warned[0]
