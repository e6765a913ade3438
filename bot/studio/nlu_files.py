"""The training examples of data/nlu/: what an intent means, its examples, and adding one
to the file that holds the intent (round-trip, never twice)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.scalarstring import LiteralScalarString

from bot.domain.inbox import normalised
from bot.studio.roundtrip import load

# A comment right above ``- intent: name`` says what the intent means, for marketers.
_DESCRIBED = re.compile(r"((?:^#[^\n]*\n)+)^- intent: (\w+)", re.MULTILINE)


@dataclass(frozen=True)
class Intent:
    name: str
    description: str
    examples: tuple[str, ...]
    path: Path


class ExampleRefused(ValueError):
    """The example cannot be added; the message says why, in French."""


def nlu_files(root: Path) -> list[Path]:
    folder = root / "data" / "nlu"
    return sorted(folder.rglob("*.yml")) if folder.is_dir() else []


def _examples(block: str) -> list[str]:
    return [
        line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")
    ]


def intents(root: Path) -> dict[str, Intent]:
    """Every intent with training examples, by name."""
    found: dict[str, Intent] = {}
    for path in nlu_files(root):
        text = path.read_text(encoding="utf-8")
        descriptions = {
            name: " ".join(line.lstrip("# ").strip() for line in comment.splitlines())
            for comment, name in _DESCRIBED.findall(text)
        }
        for item in load(path).data.get("nlu") or []:
            name = item.get("intent") if hasattr(item, "get") else None
            if name:
                examples = tuple(_examples(str(item.get("examples") or "")))
                found[name] = Intent(name, descriptions.get(name, ""), examples, path)
    return found


def add_example(root: Path, intent: str, text: str) -> Path:
    """Add ``text`` to ``intent``'s examples in its own file; the file changed."""
    known = intents(root)
    if intent not in known:
        raise ExampleRefused(f"l'intention « {intent} » n'a pas d'exemples dans data/nlu/")
    wanted = normalised(text)
    for other in known.values():
        if any(normalised(example) == wanted for example in other.examples):
            raise ExampleRefused(
                f"cette phrase est déjà un exemple de l'intention « {other.name} »"
            )
    document = load(known[intent].path)
    for item in document.data["nlu"]:
        if hasattr(item, "get") and item.get("intent") == intent:
            block = str(item["examples"])
            if not block.endswith("\n"):
                block += "\n"
            item["examples"] = LiteralScalarString(f"{block}- {text.strip()}\n")
            break
    document.save()
    return known[intent].path
