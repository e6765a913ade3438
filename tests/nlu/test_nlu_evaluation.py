"""NLU quality on the held-out French test files (never used for training nor tuning).

``test_nlu.yml`` is the original held-out file; ``test_nlu_after.yml`` was written after
the training examples of issue 12 were added, with new sentences, to check that tuning
generalizes. Both accuracies appear in the summary of ``make test``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.runtime.runner import server_environment

MODEL = PROJECT_ROOT / "models" / "merci.tar.gz"
TEST_FILE = PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml"
AFTER_FILE = PROJECT_ROOT / "tests" / "nlu" / "test_nlu_after.yml"
# The smallest accuracy each held-out file must reach.
# The second file was measured once, as written (0.745); it is a floor, never a target.
MIN_ACCURACY = {TEST_FILE: 0.90, AFTER_FILE: 0.70}

pytestmark = pytest.mark.slow


def examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for block in data.get("nlu", []):
        if "intent" in block:
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.strip()]
            found.setdefault(block["intent"], []).extend(lines)
    return found


def normalized(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


@pytest.mark.parametrize("test_file", [TEST_FILE, AFTER_FILE], ids=lambda p: p.name)
def test_the_test_file_is_held_out_from_training(test_file):
    training = {
        normalized(example)
        for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")
        for intent_examples in examples(path).values()
        for example in intent_examples
    }
    leaked = [e for exs in examples(test_file).values() for e in exs if normalized(e) in training]
    assert not leaked, f"test examples also used for training: {leaked}"


def test_the_second_held_out_file_shares_no_sentence_with_the_first():
    first = {normalized(e) for exs in examples(TEST_FILE).values() for e in exs}
    copied = [e for exs in examples(AFTER_FILE).values() for e in exs if normalized(e) in first]
    assert not copied


def test_every_intent_has_at_least_15_training_examples():
    counts: dict[str, int] = {}
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for intent, intent_examples in examples(path).items():
            counts[intent] = counts.get(intent, 0) + len(intent_examples)
    domain_intents = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["intents"]
    typed = [i for i in domain_intents if not i.startswith("EXTERNAL_")]  # never typed by people
    assert {i: counts.get(i, 0) for i in typed if counts.get(i, 0) < 15} == {}


@pytest.mark.parametrize("test_file", [TEST_FILE, AFTER_FILE], ids=lambda p: p.name)
def test_intent_accuracy_on_held_out_french_examples(tmp_path: Path, report, test_file: Path):
    if not MODEL.exists():
        pytest.fail("models/merci.tar.gz is missing: run the tests with `make test`")
    command = [
        sys.executable, "-m", "rasa", "test", "nlu", "--model", str(MODEL),
        "--nlu", str(test_file), "--out", str(tmp_path), "--quiet",
    ]  # fmt: skip
    subprocess.run(
        command, cwd=PROJECT_ROOT, env=server_environment(), check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600,
    )  # fmt: skip
    results = json.loads((tmp_path / "intent_report.json").read_text())
    accuracy = results["accuracy"]
    averages = ("macro avg", "weighted avg", "micro avg")
    weakest = sorted(
        (
            (name, scores["f1-score"])
            for name, scores in results.items()
            if isinstance(scores, dict) and "f1-score" in scores and name not in averages
        ),
        key=lambda item: item[1],
    )
    report(f"NLU intent accuracy on held-out tests/nlu/{test_file.name}: {accuracy:.3f} "
          f"(macro F1 {results['macro avg']['f1-score']:.3f}); weakest intents: "
          + ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest[:3]))  # fmt: skip
    assert accuracy >= MIN_ACCURACY[test_file]
