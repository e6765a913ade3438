"""``python -m bot check`` (``make check``): one line per problem, exit status 1; one OK
line and exit status 0 when the content is right."""

from __future__ import annotations

import shutil

import pytest

from bot.__main__ import main
from bot.config import PROJECT_ROOT
from bot.tools.content.rasa_validate import findings_of, rasa_validate


def test_the_project_content_passes_every_check(capsys):
    assert main(["check", "--no-rasa"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("make check : OK (contenu Merci).\n", "")


def test_each_problem_is_printed_with_its_file_and_line_and_the_status_is_1(project, capsys):
    line = project.edit("data/rules/basics.yml", "action: utter_goodbye", "action: utter_aurevoir")
    assert main(["check", "--no-rasa", "--root", str(project.root)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert (
        f"data/rules/basics.yml:{line}: une règle fait dire utter_aurevoir, qui n'existe pas "
        "dans domain.yml\u00a0: ajoutez la réponse utter_aurevoir dans domain.yml, ou corrigez "
        "son nom ici s'il a été renommé" in lines
    )
    assert lines[-1].startswith("make check : ") and "problème(s) à corriger" in lines[-1]


RASA_OUTPUT = (
    "/x/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected!\n"
    "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_ask_email' is "
    "not used in any story or rule.\n\x1b[0m\x1b[93m/x/rasa/shared/utils/io.py:100: "
    "UserWarning: The action 'utter_aurevoir' is used in the stories, but is not a valid "
    "utterance action.\n\x1b[0m\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The "
    "intent 'EXTERNAL_review_published' is listed in the domain file, but is not found in the "
    "NLU training data.\n\x1b[0m\x1b[91mProject validation completed with errors.\x1b[0m\n"
)


def test_rasa_findings_are_kept_without_colours_or_library_noise():
    assert findings_of(RASA_OUTPUT) == [
        "The utterance 'utter_ask_email' is not used in any story or rule.",
        "The action 'utter_aurevoir' is used in the stories, but is not a valid utterance action.",
        "The intent 'EXTERNAL_review_published' is listed in the domain file, but is not found "
        "in the NLU training data.",
    ]


@pytest.mark.slow
def test_rasa_data_validate_refuses_a_rule_that_says_a_missing_response(project):
    shutil.copy(PROJECT_ROOT / "config.yml", project.root / "config.yml")
    project.edit("data/rules/basics.yml", "action: utter_goodbye", "action: utter_aurevoir")
    verdict = rasa_validate(project.root)
    assert not verdict.passed
    assert any("utter_aurevoir" in finding for finding in verdict.findings), verdict.findings
    assert not any("is not used in any story or rule" in f for f in verdict.findings)
