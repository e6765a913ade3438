"""How well Merci understands French: the NLU report (``make nlu-report``).

Rasa does the measuring: ``rasa test nlu`` on the held-out test file (sentences never
used for training) writes ``intent_report.json``, ``intent_errors.json`` and a confusion
matrix; with ``--cross-validation`` it also trains and tests on folds of the training
data. This module runs it (in a subprocess: no Rasa import in ``bot/``), shows progress,
and turns its output into a Markdown page a marketer can act on: the intents to work on,
and the confusions worth fixing, with the sentences that were misread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.typography import NBSP
from bot.tools.content.source import typeset

AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")
MARKDOWN_NAME = "nlu-report.md"
MATRIX_NAME = "nlu-confusion-matrix.png"


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    """Test sentences of ``expected`` that NLU took for ``predicted``."""

    expected: str
    predicted: str
    sentences: tuple[tuple[str, float], ...]  # (text, confidence of the wrong guess)


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    macro_f1: float
    weighted_f1: float
    intents: tuple[IntentScore, ...]  # weakest first
    confusions: tuple[Confusion, ...]  # most frequent first

    @classmethod
    def from_rasa(cls, report: dict[str, Any], errors: list[dict[str, Any]]) -> Evaluation:
        """Read Rasa's ``intent_report.json`` and ``intent_errors.json``."""
        intents = sorted(
            (
                IntentScore(name, s["precision"], s["recall"], s["f1-score"], int(s["support"]))
                for name, s in report.items()
                if name not in AVERAGES and isinstance(s, dict)
            ),
            key=lambda score: (score.f1, score.intent),
        )
        grouped: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for error in errors:
            prediction = error.get("intent_prediction") or {}
            key = (str(error.get("intent")), str(prediction.get("name")))
            grouped[key].append((str(error.get("text")), float(prediction.get("confidence") or 0)))
        confusions = sorted(
            (
                Confusion(e, p, tuple(sorted(s, key=lambda x: -x[1])))
                for (e, p), s in grouped.items()
            ),
            key=lambda c: (-len(c.sentences), c.expected, c.predicted),
        )
        return cls(
            accuracy=float(report["accuracy"]),
            macro_f1=float(report["macro avg"]["f1-score"]),
            weighted_f1=float(report["weighted avg"]["f1-score"]),
            intents=tuple(intents),
            confusions=tuple(confusions),
        )

    @classmethod
    def read(cls, folder: Path) -> Evaluation:
        report = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
        errors_file = folder / "intent_errors.json"
        errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
        return cls.from_rasa(report, errors)


def _decimal(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _percent(value: float) -> str:
    return f"{_decimal(100 * value, 1)}{NBSP}%"


def summary_lines(evaluation: Evaluation, tested: str) -> list[str]:
    weakest = ", ".join(f"{s.intent} ({_decimal(s.f1)})" for s in evaluation.intents[:3])
    lines = [
        f"Exactitude sur {tested} : {_percent(evaluation.accuracy)} "
        f"(F1 moyen {_decimal(evaluation.macro_f1)}, pondéré {_decimal(evaluation.weighted_f1)})",
        f"Intentions les plus faibles : {weakest}",
    ]
    if evaluation.confusions:
        top = evaluation.confusions[0]
        lines.append(
            f"Confusion la plus fréquente : {top.expected} pris pour {top.predicted} "
            f"({len(top.sentences)} phrase(s))"
        )
    return lines


def _scores_table(evaluation: Evaluation) -> list[str]:
    lines = [
        "| Intention | Précision | Rappel | F1 | Phrases testées |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in evaluation.intents:
        lines.append(
            f"| {s.intent} | {_decimal(s.precision)} | {_decimal(s.recall)} | "
            f"{_decimal(s.f1)} | {s.support} |"
        )
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _confusion_lines(held_out: Evaluation) -> list[str]:
    if not held_out.confusions:
        return ["Aucune : chaque phrase du test a été reconnue."]
    lines = [
        "Pour chaque confusion, ajoutez dans `data/nlu/` des exemples de l'intention "
        "attendue qui ressemblent aux phrases mal comprises (sans les copier : le fichier de "
        "test doit rester inédit), puis relancez `make nlu-report`.",
        "",
        "| Attendu | Compris | Phrases | Exemples (confiance de l'erreur) |",
        "|---|---|---:|---|",
    ]
    for c in held_out.confusions:
        examples = " ; ".join(
            f"« {_escape(text)} » ({_decimal(confidence)})" for text, confidence in c.sentences[:3]
        )
        lines.append(f"| {c.expected} | {c.predicted} | {len(c.sentences)} | {examples} |")
    return lines


def _cross_validation_lines(folds: int, evaluation: Evaluation) -> list[str]:
    return [
        "",
        f"## Validation croisée ({folds} plis)",
        "",
        f"Les exemples de `data/nlu/` sont répartis en {folds} parts ; Merci est entraîné sur "
        f"{folds - 1} et testé sur la dernière, à tour de rôle. Un écart important avec le "
        "fichier de test signale des exemples trop semblables entre eux.",
        "",
        *[f"- {line}" for line in summary_lines(evaluation, "les plis")],
        "",
        *_scores_table(evaluation),
    ]


def markdown(
    held_out: Evaluation,
    test_file: str,
    model: str,
    generated: datetime,
    matrix: str | None,
    cross_validation: tuple[int, Evaluation] | None = None,
) -> str:
    lines = [
        "# Qualité de la compréhension de Merci (NLU)",
        "",
        f"Modèle `{model}`, entraîné sur `data/nlu/`, évalué sur `{test_file}` : des phrases "
        f"que Merci n'a jamais vues à l'entraînement. Rapport du {generated:%d/%m/%Y à %H:%M}.",
        "",
        "## En bref",
        "",
        *[f"- {line}" for line in summary_lines(held_out, "le fichier de test")],
        "",
        "## Par intention (les plus faibles d'abord)",
        "",
        "La **précision** dit combien de phrases classées dans l'intention lui appartiennent "
        "vraiment ; le **rappel**, combien des phrases de l'intention ont été reconnues ; le "
        "**F1** résume les deux (1 est parfait).",
        "",
        *_scores_table(held_out),
        "",
        "## Confusions à corriger",
        "",
    ]
    lines += _confusion_lines(held_out)
    if matrix:
        lines += ["", "## Matrice de confusion", "", f"![Matrice de confusion]({matrix})"]
    if cross_validation:
        lines += _cross_validation_lines(*cross_validation)
    return typeset("\n".join(lines)) + "\n"


class Progress:
    """Tell the marketer what runs and for how long, without Rasa's own noise."""

    def __init__(self, steps: int) -> None:
        self.steps, self.step = steps, 0
        self.tty = sys.stdout.isatty()

    def run(self, label: str, command: list[str], cwd: Path) -> None:
        self.step += 1
        prefix = f"[{self.step}/{self.steps}] {label}"
        if not self.tty:
            print(f"{prefix}...", flush=True)
        done = threading.Event()
        start = time.monotonic()

        def tick() -> None:
            while not done.wait(1):
                print(f"\r{prefix}... {time.monotonic() - start:.0f} s", end="", flush=True)

        ticker = threading.Thread(target=tick, daemon=True)
        if self.tty:
            ticker.start()
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
        try:
            completed = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, check=False
            )
        finally:
            done.set()
            if self.tty:
                ticker.join()
        elapsed = time.monotonic() - start
        if completed.returncode != 0:
            tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"{label} a échoué (code {completed.returncode}) :\n{tail}")
        print(f"{chr(13) if self.tty else ''}{prefix} : fait en {elapsed:.0f} s", flush=True)


def _evaluate(root: Path, model: Path, test_file: Path, work: Path, folds: int | None) -> None:
    """Run Rasa's evaluation on the test file, and cross-validation when ``folds`` is given."""
    rasa = [sys.executable, "-m", "rasa", "test", "nlu", "--quiet"]
    progress = Progress(1 if folds is None else 2)
    progress.run(
        f"Évaluation de {model.name} sur {test_file.name}",
        [*rasa, "--model", str(model), "--nlu", str(test_file), "--out", str(work / "test")],
        root,
    )
    if folds is None:
        return
    progress.run(
        f"Validation croisée sur data/nlu ({folds} plis, un entraînement par pli)",
        [
            *rasa,
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(work / "cross-validation"),
        ],  # fmt: skip
        root,
    )


def run_nlu_report(
    root: Path,
    model: Path,
    test_file: Path,
    out: Path,
    cross_validation: bool = False,
    folds: int = 5,
) -> int:
    """Evaluate ``model`` on ``test_file`` (and optionally cross-validate), write the report."""
    work = out / "nlu"
    shutil.rmtree(work, ignore_errors=True)
    try:
        _evaluate(root, model, test_file, work, folds if cross_validation else None)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    held_out = Evaluation.read(work / "test")
    matrix = None
    if (work / "test" / "intent_confusion_matrix.png").exists():
        shutil.copy(work / "test" / "intent_confusion_matrix.png", out / MATRIX_NAME)
        matrix = MATRIX_NAME
    folds_result = (folds, Evaluation.read(work / "cross-validation")) if cross_validation else None
    page = out / MARKDOWN_NAME
    page.write_text(
        markdown(
            held_out,
            _shown(test_file, root),
            _shown(model, root),
            datetime.now(),
            matrix,
            folds_result,
        ),  # fmt: skip
        encoding="utf-8",
    )
    print("\n".join(summary_lines(held_out, _shown(test_file, root))))
    if folds_result:
        print("\n".join(summary_lines(folds_result[1], f"{folds} plis de validation croisée")))
    print(f"Rapport : {page}" + (f", matrice de confusion : {out / matrix}" if matrix else ""))
    return 0


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
