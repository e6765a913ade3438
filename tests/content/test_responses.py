"""What ``make check`` says about the wording in ``domain.yml``, on broken copies."""

from __future__ import annotations

NNBSP = "\u202f"
NBSP = "\u00a0"


def q(text: str) -> str:
    """French quotes, as the messages print them."""
    return f"\u00ab{NBSP}{text}{NBSP}\u00bb"


GOODBYE = 'utter_goodbye:\n    - text: "Au revoir, et merci pour votre temps\u202f!"'


def test_a_response_nobody_says_is_named_with_its_line(project):
    line = project.edit(
        "domain.yml",
        "  utter_goodbye:",
        '  utter_au_revoir:\n    - text: "Au revoir."\n  utter_goodbye:',
    )
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: la réponse utter_au_revoir n'est jamais dite (ni par une règle, "
        f"ni par la table des remerciements, ni par une action){NBSP}: supprimez-la, ou "
        "faites-la dire par une règle de data/rules/ ou par data/congratulations.yml"
    ]


def test_responses_said_by_the_table_by_a_form_or_by_an_action_count_as_used(project):
    unused = [p for p in project.problems() if "n'est jamais dite" in p]
    # utter_thank_review_5 (the table), utter_ask_email (a form question),
    # utter_save_failed (an action), utter_invalid_phone (f"utter_invalid_{field}").
    assert unused == []


def test_a_rule_that_says_a_renamed_response_is_named(project):
    line = project.edit("data/rules/basics.yml", "action: utter_goodbye", "action: utter_aurevoir")
    problems = project.problems_at("data/rules/basics.yml", line)
    assert problems == [
        f"data/rules/basics.yml:{line}: une règle fait dire utter_aurevoir, qui n'existe pas "
        f"dans domain.yml{NBSP}: ajoutez la réponse utter_aurevoir dans domain.yml, ou "
        "corrigez son nom ici s'il a été renommé"
    ]


def test_an_action_that_says_a_response_missing_from_the_domain_is_named(project):
    project.edit("domain.yml", "  utter_save_failed:", "  utter_saving_failed:")
    problems = [p for p in project.problems() if "utter_save_failed" in p]
    assert problems, "actions say utter_save_failed: its removal must be reported"
    assert all(p.startswith("actions/") and "une action fait dire" in p for p in problems)


def test_rasas_own_utter_action_key_read_by_an_action_is_not_taken_for_a_response(project):
    project.append(
        "actions/reviews.py",
        'SAID = ({"metadata": {"utter_action": "utter_ask_product"}}, "utter_never_written")\n',
    )
    problems = [p for p in project.problems() if p.startswith("actions/reviews.py")]
    assert [p for p in problems if "utter_never_written" in p], "a real missing response counts"
    assert not [p for p in problems if "utter_action " in p or "utter_action," in p]


def test_a_misspelled_placeholder_in_a_thank_you_gets_a_suggestion(project):
    line = project.edit(
        "domain.yml",
        "Merci {first_name}\u202f! C'est noté pour {field_label}",
        "Merci {frist_name}\u202f! C'est noté pour {field_label}",
    )
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: valeur `{{frist_name}}` inconnue dans la variante 1 de "
        "utter_thank_field_saved (Merci ne la remplit pas), le consommateur la verrait telle "
        f"quelle{NBSP}: vouliez-vous écrire `{{first_name}}`{NNBSP}?"
    ]


def test_a_placeholder_that_the_event_never_fills_is_refused(project):
    # A review thank-you is given the rating and the count of reviews, not the completeness.
    line = project.edit(
        "domain.yml",
        "Merci pour ce premier avis\u202f! {rating} étoiles",
        "Merci pour ce premier avis\u202f! {completeness} étoiles",
    )
    [problem] = project.problems_at("domain.yml", line)
    assert (
        "valeur `{completeness}` inconnue dans la variante 3 de utter_thank_first_review_middle"
        in problem
    )
    assert "`{rating}`" in problem and "`{review_count}`" in problem


def test_a_placeholder_in_a_response_said_by_rasa_must_be_a_slot(project):
    line = project.edit(
        "domain.yml", GOODBYE, GOODBYE.replace("votre temps", "votre temps, {prenom}")
    )
    [problem] = project.problems_at("domain.yml", line + 1)
    assert "valeur `{prenom}` inconnue dans la variante 1 de utter_goodbye" in problem
    assert "aucun slot de domain.yml ne porte ce nom" in problem


def test_an_unclosed_brace_is_named(project):
    line = project.edit(
        "domain.yml", "{completeness}\u00a0%. Vous pourrez", "{completeness\u00a0%. Vous pourrez"
    )
    [problem] = project.problems_at("domain.yml", line)
    assert "accolade mal fermée dans la variante 2 de utter_profile_form_done" in problem


def test_a_thank_you_that_always_needs_the_first_name_is_refused(project):
    # Variants 3 and 4 of utter_thank_data_confirmed do without the first name: drop them.
    text = project.text("domain.yml")
    start = text.index("  utter_thank_data_confirmed:")
    block = text[start : text.index("\n\n", start)]
    kept = "\n".join(block.splitlines()[:3])
    (project.root / "domain.yml").write_text(text.replace(block, kept), encoding="utf-8")
    line = project.line_of("domain.yml", "  utter_thank_data_confirmed:")
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: chaque variante de utter_thank_data_confirmed utilise "
        "`{field_label}`, `{first_name}` ou une valeur inconnue, alors que Merci ne connaît "
        f"pas toujours ces valeurs{NBSP}: ajoutez au moins une variante qui s'en passe (Merci "
        "la choisira quand la valeur manque)"
    ]


def test_a_text_too_long_for_messenger_is_refused(project):
    long_text = "Merci " * 400 + "et à bientôt."
    line = project.edit("domain.yml", GOODBYE, f'utter_goodbye:\n    - text: "{long_text}"')
    [problem] = project.problems_at("domain.yml", line + 1)
    assert len(long_text) == 2413
    assert (
        "la variante 1 de utter_goodbye fait 2413 caractères, Messenger en accepte 2000" in problem
    )


def test_a_button_title_over_20_characters_is_refused(project):
    line = project.edit("domain.yml", 'title: "Non merci"', 'title: "Non merci, pas maintenant"')
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: le bouton `Non merci, pas maintenant` de la variante 1 de "
        f"utter_apologize_review_low fait 25 caractères, Messenger en affiche 20 au plus{NBSP}: "
        "raccourcissez son titre"
    ]


def test_more_than_13_quick_replies_are_refused(project):
    buttons = "".join(
        f'\n        - title: "Choix {n}"\n          payload: "/affirm"' for n in range(14)
    )
    line = project.edit("domain.yml", GOODBYE, GOODBYE + "\n      buttons:" + buttons)
    [problem] = project.problems_at("domain.yml", line + 2)
    assert "la variante 1 de utter_goodbye propose 14 boutons, Messenger en affiche 13" in problem


def test_an_apology_that_says_bravo_is_refused(project):
    line = project.edit(
        "domain.yml",
        '"Entendu. Merci encore',
        '"Bravo pour votre franchise. Merci encore',
    )
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: la variante 1 de utter_followup_declined félicite un consommateur "
        f"déçu ({q('Bravo')}){NBSP}: remerciez-le de sa franchise et excusez-vous, sans "
        f"{q('Bravo')} ni {q('félicitations')}"
    ]


def test_a_missing_narrow_space_before_an_exclamation_mark_is_shown_with_its_fix(project):
    line = project.edit("domain.yml", "Bonjour\u202f! Je suis Merci", "Bonjour ! Je suis Merci")
    assert project.problems_at("domain.yml", line) == [
        f"domain.yml:{line}: typographie{NBSP}: il faut une espace fine insécable avant "
        f"{q('!')} dans la variante 1 de utter_greet_new "
        f"(`…Bonjour ! Je suis Merci…`){NBSP}: écrivez `…Bonjour\\u202f! Je suis Merci…` "
        "(entre guillemets droits, `\\u202f` est l'espace fine insécable et `\\u00a0` "
        "l'espace insécable)"
    ]


def test_straight_quotes_are_refused(project):
    line = project.edit(
        "domain.yml",
        "Dites par exemple «\u00a0compléter mon profil\u00a0»",
        'Dites par exemple \\"compléter mon profil\\"',
    )
    [problem] = project.problems_at("domain.yml", line)
    assert f"typographie{NBSP}: guillemets droits dans la variante 1 de utter_help" in problem
