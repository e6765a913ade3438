"""The NLU report reads Rasa's evaluation files and says what to fix, in French."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.tools.nlu_quality import Evaluation, markdown

NBSP = "\u00a0"

RASA_REPORT = {
    "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 8, "confused_with": {}},
    "out_of_scope": {"precision": 1.0, "recall": 0.625, "f1-score": 0.769, "support": 8,
                     "confused_with": {"ask_help": 2, "confirm_data": 1}},
    "ask_help": {"precision": 0.778, "recall": 0.875, "f1-score": 0.824, "support": 8,
                 "confused_with": {"bot_challenge": 1}},
    "accuracy": 0.9,
    "macro avg": {"precision": 0.93, "recall": 0.83, "f1-score": 0.864, "support": 24},
    "weighted avg": {"precision": 0.93, "recall": 0.83, "f1-score": 0.871, "support": 24},
}  # fmt: skip
RASA_ERRORS = [
    {"text": "comment cuire des pâtes ?", "intent": "out_of_scope",
     "intent_prediction": {"name": "ask_help", "confidence": 0.43}},
    {"text": "vous pensez quoi des élections ?", "intent": "out_of_scope",
     "intent_prediction": {"name": "ask_help", "confidence": 0.67}},
    {"text": "mon colis | est perdu", "intent": "out_of_scope",
     "intent_prediction": {"name": "confirm_data", "confidence": 0.94}},
]  # fmt: skip


@pytest.fixture
def evaluation() -> Evaluation:
    return Evaluation.from_rasa(RASA_REPORT, RASA_ERRORS)


def test_intents_come_weakest_first(evaluation):
    assert [s.intent for s in evaluation.intents] == ["out_of_scope", "ask_help", "greet"]
    assert (evaluation.accuracy, evaluation.macro_f1) == (0.9, 0.864)


def test_confusions_are_grouped_most_frequent_first_with_the_misread_sentences(evaluation):
    first, second = evaluation.confusions
    assert (first.expected, first.predicted) == ("out_of_scope", "ask_help")
    assert [text for text, _ in first.sentences] == [
        "vous pensez quoi des élections ?",  # the most confident mistake first
        "comment cuire des pâtes ?",
    ]
    assert (second.expected, second.predicted, len(second.sentences)) == (
        "out_of_scope", "confirm_data", 1,
    )  # fmt: skip


def test_the_markdown_report_gives_scores_confusions_and_the_matrix(evaluation):
    page = markdown(evaluation, "tests/nlu/test_nlu.yml", "models/merci.tar.gz",
                    datetime(2026, 11, 25, 9, 5), "nlu-confusion-matrix.png")  # fmt: skip
    assert "Rapport du 25/11/2026 à 09:05." in page
    assert f"Exactitude sur le fichier de test{NBSP}: 90,0{NBSP}%" in page
    assert "| out_of_scope | 1,00 | 0,62 | 0,77 | 8 |" in page
    assert page.index("| out_of_scope |") < page.index("| greet |")
    assert "| out_of_scope | ask_help | 2 |" in page
    assert "mon colis \\| est perdu" in page  # a "|" in a sentence does not break the table
    assert "![Matrice de confusion](nlu-confusion-matrix.png)" in page
    assert "Validation croisée" not in page


def test_cross_validation_gets_its_own_section(evaluation):
    page = markdown(evaluation, "t.yml", "m.tar.gz", datetime(2026, 11, 25), None,
                    cross_validation=(5, evaluation))  # fmt: skip
    assert "## Validation croisée (5 plis)" in page
    assert "Matrice de confusion" not in page


def test_a_perfect_test_has_nothing_to_fix():
    perfect = {"greet": RASA_REPORT["greet"], "accuracy": 1.0,
               "macro avg": {"f1-score": 1.0}, "weighted avg": {"f1-score": 1.0}}  # fmt: skip
    page = markdown(Evaluation.from_rasa(perfect, []), "t.yml", "m", datetime(2026, 1, 1), None)
    assert "Aucune : chaque phrase du test a été reconnue." in page.replace(NBSP, " ")


@pytest.mark.slow
def test_the_real_report_on_the_held_out_file(tmp_path, capsys, report):
    from bot.__main__ import main
    from bot.config import PROJECT_ROOT

    model = PROJECT_ROOT / "models" / "merci.tar.gz"
    if not model.exists():
        pytest.fail("models/merci.tar.gz is missing: run the tests with `make test`")
    assert main(["nlu-report", "--model", str(model), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[1/1] Évaluation de merci.tar.gz sur test_nlu.yml" in out
    page = (tmp_path / "nlu-report.md").read_text(encoding="utf-8")
    for intent in ("greet", "leave_review", "give_email", "confirm_data"):
        assert f"| {intent} | " in page
    assert (tmp_path / "nlu-confusion-matrix.png").read_bytes().startswith(b"\x89PNG")
    report(next(line for line in out.splitlines() if line.startswith("Exactitude")))
