"""What ``make check`` says about the congratulation table and the freshness policy."""

from __future__ import annotations

NBSP = "\u00a0"
TABLE = "data/congratulations.yml"
POLICY = "data/freshness.yml"


def q(text: str) -> str:
    return f"\u00ab{NBSP}{text}{NBSP}\u00bb"


def rule_number(project, line: int) -> int:
    """The number of the table rule written at (or just above) ``line``, as Merci counts."""
    lines = project.text(TABLE).splitlines()[:line]
    return sum(1 for text in lines if text.lstrip().startswith("- when:"))


def test_a_rule_naming_a_response_missing_from_the_domain_is_named_at_its_line(project):
    line = project.edit(
        TABLE,
        "response: utter_thank_review_middle_same_product",
        "response: utter_thank_review_middle_same_prodcut",
    )
    problems = project.problems_at(TABLE, line)
    rule = rule_number(project, line)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{TABLE}:{line}: règle {rule}{NBSP}: la réponse "
        "utter_thank_review_middle_same_prodcut n'existe pas dans domain.yml"
    )


def test_a_rule_pointing_to_a_response_with_one_variant_asks_for_another(project):
    line = project.edit(TABLE, "response: utter_thank_review_middle\n", "response: utter_iamabot\n")
    iamabot = project.line_of("domain.yml", "  utter_iamabot:") + 1
    rule = rule_number(project, line)
    assert project.problems_at(TABLE, line) == [
        f"{TABLE}:{line}: règle {rule}{NBSP}: la réponse utter_iamabot n'a qu'une variante{NBSP}: "
        f"ajoutez-lui au moins une variante dans domain.yml (ligne {iamabot}){NBSP}: personne "
        "ne doit lire deux fois de suite le même remerciement"
    ]


def test_praise_in_the_answer_to_a_low_rating_is_named_at_the_variant_in_the_domain(project):
    line = project.edit(
        "domain.yml",
        '- text: "Nous sommes désolés de vous avoir déçu.',
        '- text: "Bravo pour votre franchise, nous sommes désolés de vous avoir déçu.',
    )
    rule = rule_number(project, project.line_of(TABLE, "response: utter_apologize_review_low\n"))
    problems = project.problems_at("domain.yml", line)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"domain.yml:{line}: la variante 4 de utter_apologize_review_low félicite, alors que la "
        f"règle {rule} de data/congratulations.yml la fait dire après un avis de 1 ou 2 étoiles"
    )


def test_an_unknown_condition_is_named_with_the_known_ones(project):
    line = project.edit(
        TABLE, "{event: review, rating: 5, review_count: 1}", "{event: review, stars: 5}"
    )
    [problem] = project.problems_at(TABLE, line)
    assert f"règle {rule_number(project, line)}{NBSP}: condition {q('stars')} inconnue" in problem
    assert "same_product_before" in problem


def test_a_milestone_missing_from_the_list_is_named(project):
    line = project.edit(
        TABLE, "{event: field_saved, milestone: 80}", "{event: field_saved, milestone: 75}"
    )
    milestones = project.line_of(TABLE, "milestones: [")
    problems = project.problems()
    rule = rule_number(project, line)
    assert any(
        p.startswith(f"{TABLE}:{line}: règle {rule}{NBSP}: le palier 75 n'est") for p in problems
    )
    assert any(
        p.startswith(f"{TABLE}:{milestones}: le palier 80 n'a aucune règle") for p in problems
    )


def test_a_misspelled_top_level_key_would_be_ignored_and_is_named(project):
    line = project.edit(TABLE, "field_labels:", "field_label:")
    problems = project.problems()
    assert (
        f"{TABLE}:{line}: clé {q('field_label')} inconnue, elle serait ignorée{NBSP}: clés "
        f"possibles{NBSP}: milestones, field_labels, thanks"
    ) in problems
    missing = [p for p in problems if "field_labels" in p and "pas de libellé pour" in p]
    assert len(missing) == 7  # one per form step, since the labels are lost


def test_a_table_with_a_yaml_error_gives_the_line_not_a_stack_trace(project):
    line = project.edit(
        TABLE,
        "    response: utter_congratulate_profile_80\n",
        "    response: utter_congratulate_profile_80: oups\n",
    )
    [problem] = project.problems_at(TABLE, line)
    assert problem.startswith(f"{TABLE}:{line}: erreur de syntaxe YAML")
    assert "guillemet droit" in problem


def test_a_negative_duration_in_the_freshness_policy_is_named(project):
    line = project.edit(POLICY, "  city: 12", "  city: -1")
    assert project.problems_at(POLICY, line) == [
        f"{POLICY}:{line}: city vaut -1, ce n'est pas un nombre de mois positif{NBSP}: "
        "écrivez par exemple `city: 12`"
    ]


def test_an_unknown_field_in_the_freshness_policy_is_named(project):
    line = project.edit(POLICY, "  email: 24", "  e-mail: 24")
    [problem] = project.problems_at(POLICY, line)
    assert problem.startswith(f"{POLICY}:{line}: champ {q('e-mail')} inconnu")


def test_a_misspelled_quiet_days_would_be_ignored_and_is_named(project):
    line = project.edit(POLICY, "quiet_days: 7", "quiet_day: 7")
    [problem] = project.problems_at(POLICY, line)
    assert problem.startswith(f"{POLICY}:{line}: clé {q('quiet_day')} inconnue")


def test_a_misspelled_policy_key_is_named_once_at_its_line(project):
    # It used to be named a second time, at line 1, in English.
    line = project.edit(POLICY, "quiet_days: 7", "quiet_day: 7")
    assert [p for p in project.problems() if p.startswith(POLICY)] == [
        f"{POLICY}:{line}: clé {q('quiet_day')} inconnue, elle serait ignorée{NBSP}: clés "
        f"possibles{NBSP}: default_months, fields, quiet_days"
    ]


def test_a_fields_section_that_is_not_a_mapping_is_named_in_french_at_its_line(project):
    # It used to be an English sentence at line 1.
    line = project.edit(POLICY, "fields:\n", "fields: 12\nformer_fields:\n")
    assert project.problems_at(POLICY, line) == [
        f"{POLICY}:{line}: fields vaut `12`, ce n'est pas une suite de champs avec leur nombre "
        f"de mois{NBSP}: écrivez sous fields une ligne par champ, par exemple `email: 24`"
    ]


def test_an_unknown_field_in_a_rule_is_named_with_the_known_ones(project):
    line = project.edit(
        TABLE,
        "{event: data_confirmed, field: [first_name,",
        "{event: data_confirmed, field: [prenom,",
    )
    [problem] = project.problems_at(TABLE, line)
    assert problem == (
        f"{TABLE}:{line}: règle {rule_number(project, line)}{NBSP}: champ prenom inconnu{NBSP}: "
        f"champs possibles{NBSP}: first_name, email, phone, birthday, city, interests, "
        "contact_channel"
    )


def test_a_negative_cost_in_the_report_settings_is_named(project):
    line = project.edit("data/report.yml", "hourly_rate: 25", "hourly_rate: -25")
    assert project.problems_at("data/report.yml", line) == [
        f"data/report.yml:{line}: hourly_rate vaut `-25`, ce n'est pas un nombre positif{NBSP}: "
        "écrivez par exemple `hourly_rate: 25`"
    ]


def test_a_product_without_a_name_is_named_at_its_line(project):
    line = project.append("data/products.yml", "  - category: corps\n    id: sans-nom\n")
    assert project.problems_at("data/products.yml", line) == [
        f"data/products.yml:{line}: ce produit n'a pas de nom ({q('name')}){NBSP}: écrivez son "
        "nom tel que vos clients le connaissent, par exemple `name: Crème de jour`"
    ]


def test_two_products_with_the_same_id_are_refused_at_the_second(project):
    line = project.append("data/products.yml", "  - name: Crème de nuit\n    id: creme-de-jour\n")
    (problem,) = project.problems_at("data/products.yml", line)
    assert f"l'identifiant «{NBSP}creme-de-jour{NBSP}» est déjà celui du produit n° 1" in problem
