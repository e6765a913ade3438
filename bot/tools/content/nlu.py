"""Checks of the training examples in ``data/nlu/``: enough of them per intent, none
written twice, none filed under two intents, none copied from the held-out test file."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.tools.content.source import LineDict, Problem, load_located, shown

MIN_EXAMPLES = 15
# Intents sent by the brand's systems through Rasa's API, never typed: no examples needed.
EXTERNAL = "EXTERNAL_"
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    path: Path
    line: int

    @property
    def key(self) -> str:
        return normalized(self.text)

    def place(self, root: Path | None) -> str:
        return f"{shown(self.path, root)}, ligne {self.line}"


def normalized(text: str) -> str:
    """What NLU sees: no entity markup, case, accents, spacing or final punctuation."""
    plain = unicodedata.normalize("NFKD", ANNOTATION.sub(r"\1", text).lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.split()).strip(" .!?…,;:")


def read_examples(
    paths: list[Path],
) -> tuple[list[Example], dict[str, tuple[Path, int]], list[Problem]]:
    """Every example, the first place each intent is written, and the problems met."""
    examples: list[Example] = []
    intent_places: dict[str, tuple[Path, int]] = {}
    problems: list[Problem] = []
    for path in paths:
        data, found = load_located(path)
        problems += found
        blocks = data.get("nlu") if isinstance(data, dict) else None
        for block in blocks if isinstance(blocks, list) else []:
            if not isinstance(block, LineDict) or "intent" not in block:
                continue
            intent = str(block["intent"])
            intent_places.setdefault(intent, (path, block.line_of("intent")))
            text = block.get("examples")
            if not isinstance(text, str):
                problems.append(
                    Problem(
                        path,
                        block.line_of("intent"),
                        f"l'intention {intent} n'a pas de bloc « examples: | »",
                        "ajoutez `examples: |` puis une phrase par ligne, précédée de `- `",
                    )
                )
                continue
            first = block.line_of("examples") + 1
            for offset, raw in enumerate(text.splitlines()):
                line = raw.strip()
                if not line:
                    continue
                if not line.startswith("- "):
                    problems.append(
                        Problem(
                            path,
                            first + offset,
                            f"exemple sans tiret dans l'intention {intent} : `{line}`",
                            "commencez chaque exemple par un tiret et une espace : `- `",
                        )
                    )
                    continue
                examples.append(Example(intent, line[2:].strip(), path, first + offset))
    return examples, intent_places, problems


def check_examples(
    training: list[Path],
    held_out: Path | None,
    domain_intents: dict[str, int] | None,
    domain_path: Path,
    root: Path | None = None,
) -> list[Problem]:
    """``domain_intents`` maps each intent of domain.yml to its line there (None when
    domain.yml cannot be read: the intents are then not compared)."""
    examples, intent_places, problems = read_examples(training)
    first_seen: dict[str, Example] = {}
    for example in examples:
        earlier = first_seen.setdefault(example.key, example)
        if earlier is not example:
            problems.append(_repeated(example, earlier, root))
    if held_out is not None:
        problems += _leaks(first_seen, held_out, root)
    if domain_intents is None:
        return problems
    problems += _too_few(examples, intent_places, domain_intents, domain_path)
    for intent, (path, line) in intent_places.items():
        if intent not in domain_intents:
            problems.append(
                Problem(
                    path,
                    line,
                    f"l'intention {intent} n'est pas déclarée dans domain.yml",
                    "ajoutez-la sous « intents: » dans domain.yml, ou corrigez son nom ici",
                )
            )
    return problems


def _repeated(example: Example, earlier: Example, root: Path | None) -> Problem:
    """An example written twice: in the same intent, or (worse) under two intents."""
    if earlier.intent == example.intent:
        return Problem(
            example.path,
            example.line,
            f"exemple en double dans l'intention {example.intent} : `{example.text}` "
            f"(déjà écrit {earlier.place(root)})",
            "supprimez cette ligne, un doublon n'apprend rien à Merci",
        )
    return Problem(
        example.path,
        example.line,
        f"le même exemple est rangé sous deux intentions : `{example.text}` sous "
        f"{example.intent}, et sous {earlier.intent} ({earlier.place(root)})",
        "gardez-le sous une seule intention, celle que le consommateur veut dire",
    )


def _too_few(
    examples: list[Example],
    intent_places: dict[str, tuple[Path, int]],
    domain_intents: dict[str, int],
    domain_path: Path,
) -> list[Problem]:
    """Intents with fewer than ``MIN_EXAMPLES`` examples (triggered EXTERNAL_ ones aside)."""
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    problems = []
    for intent, line in domain_intents.items():
        count = counts.get(intent, 0)
        if count >= MIN_EXAMPLES or intent.startswith(EXTERNAL):
            continue
        path, at = intent_places.get(intent, (domain_path, line))
        problems.append(
            Problem(
                path,
                at,
                f"l'intention {intent} n'a que {count} exemple(s), il en faut au moins "
                f"{MIN_EXAMPLES}",
                f"ajoutez-en {MIN_EXAMPLES - count} dans data/nlu/, variés : familiers, avec "
                "des fautes de frappe, courts et longs",
            )
        )
    return problems


def _leaks(training: dict[str, Example], held_out: Path, root: Path | None) -> list[Problem]:
    """Training examples copied from the held-out test file, which would flatter the score."""
    test_examples, _, problems = read_examples([held_out])
    for test in test_examples:
        example = training.get(test.key)
        if example is not None:
            problems.append(
                Problem(
                    example.path,
                    example.line,
                    f"cet exemple figure aussi dans le fichier de test ({test.place(root)}) : "
                    f"`{example.text}`",
                    "retirez-le d'ici, ou remplacez-le dans le fichier de test par une autre "
                    "phrase : le test doit porter sur des phrases que Merci n'a jamais vues",
                )
            )
    return problems
