"""What ``make check`` says about the training examples in ``data/nlu/``."""

from __future__ import annotations

NBSP = "\u00a0"
BASICS = "data/nlu/basics.yml"


def test_an_example_written_twice_is_named_with_both_lines(project):
    first = project.line_of(BASICS, "    - bonsoir\n")
    line = project.edit(BASICS, "    - bonsoir\n", "    - bonsoir\n    - Bonsoir !\n") + 1
    assert project.problems_at(BASICS, line) == [
        f"{BASICS}:{line}: exemple en double dans l'intention greet{NBSP}: `Bonsoir !` (déjà "
        f"écrit {BASICS}, ligne {first}){NBSP}: supprimez cette ligne, un doublon n'apprend "
        "rien à Merci"
    ]


def test_the_same_example_under_two_intents_is_named(project):
    line = project.edit(BASICS, "    - bonsoir\n", "    - bonsoir\n    - merci beaucoup\n") + 1
    thank = project.line_of(BASICS, "    - merci beaucoup\n", after="intent: thank")
    [problem] = project.problems_at(BASICS, thank)
    assert problem == (
        f"{BASICS}:{thank}: le même exemple est rangé sous deux intentions{NBSP}: `merci "
        f"beaucoup` sous thank, et sous greet ({BASICS}, ligne {line}){NBSP}: gardez-le sous "
        "une seule intention, celle que le consommateur veut dire"
    )


def test_an_intent_with_fewer_than_15_examples_is_named(project):
    text = project.text("data/nlu/reviews.yml")
    start = text.index("- intent: leave_review")
    block_end = text.index("\n\n", start)
    lines = text[start:block_end].splitlines()
    kept = "\n".join(lines[: 2 + 10])  # the intent, "examples: |" and 10 examples
    (project.root / "data/nlu/reviews.yml").write_text(text.replace(text[start:block_end], kept))
    line = project.line_of("data/nlu/reviews.yml", "- intent: leave_review")
    assert project.problems_at("data/nlu/reviews.yml", line) == [
        f"data/nlu/reviews.yml:{line}: l'intention leave_review n'a que 10 exemple(s), il en "
        f"faut au moins 15{NBSP}: ajoutez-en 5 dans data/nlu/, variés{NBSP}: familiers, avec "
        "des fautes de frappe, courts et longs"
    ]


def test_an_intent_of_the_domain_without_examples_is_named_in_the_domain(project):
    line = (
        project.edit("domain.yml", "  - bot_challenge\n", "  - bot_challenge\n  - ask_price\n") + 1
    )
    [problem] = project.problems_at("domain.yml", line)
    assert problem.startswith(f"domain.yml:{line}: l'intention ask_price n'a que 0 exemple(s)")


def test_an_intent_missing_from_the_domain_is_named(project):
    line = (
        project.append(BASICS, "\n- intent: ask_price\n  examples: |\n    - combien ça coûte\n") + 1
    )
    [problem] = project.problems_at(BASICS, line)
    assert problem.startswith(
        f"{BASICS}:{line}: l'intention ask_price n'est pas déclarée dans domain.yml"
    )


def test_an_example_copied_from_the_held_out_test_file_is_named(project):
    line = project.edit(BASICS, "    - bonsoir\n", "    - bonsoir\n    - Salut à toi\n") + 1
    test_line = project.line_of("tests/nlu/test_nlu.yml", "- Salut à toi")
    [problem] = project.problems_at(BASICS, line)
    assert problem.startswith(
        f"{BASICS}:{line}: cet exemple figure aussi dans le fichier de test "
        f"(tests/nlu/test_nlu.yml, ligne {test_line}){NBSP}: `Salut à toi`"
    )


def test_an_example_without_its_dash_is_named(project):
    line = project.edit(BASICS, "    - bonsoir\n", "    bonsoir\n")
    [problem] = project.problems_at(BASICS, line)
    assert problem.startswith(f"{BASICS}:{line}: exemple sans tiret dans l'intention greet")


def test_an_example_file_with_a_yaml_error_gives_the_line(project):
    line = project.edit(BASICS, "- intent: goodbye\n", "- intent: goodbye\n   examples: oups\n") + 1
    problems = project.problems_at(BASICS, line)
    assert len(problems) == 1 and "erreur de syntaxe YAML" in problems[0]


def test_a_key_written_twice_is_named(project):
    line = project.edit(
        "domain.yml",
        "  utter_help:",
        '  utter_iamabot:\n    - text: "Je suis un robot."\n  utter_help:',
    )
    problems = project.problems_at("domain.yml", line)
    assert problems == [
        f"domain.yml:{line}: la clé {chr(171)}{NBSP}utter_iamabot{NBSP}{chr(187)} est écrite "
        f"deux fois dans le même bloc{NBSP}: la seconde remplace la première sans rien "
        f"dire{NBSP}: renommez-la ou fusionnez les deux"
    ]
