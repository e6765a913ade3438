"""Problems worth a marketer's time, and YAML read with the line of every key and item.

A problem reads ``file:line: what is wrong : how to fix it``, in French, so that an
editor can jump to the line and a marketer knows what to type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.domain.mistakes import Code, Mistake, Place
from bot.domain.mistakes_fr import NO_DETAIL, describe, typeset

__all__ = ["LineDict", "LineList", "Problem", "load_located", "shown", "typeset"]


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    what: str
    fix: str
    # The kind of mistake, when it has one; not part of what a marketer reads.
    code: Code | None = field(default=None, compare=False)

    def render(self, root: Path | None = None) -> str:
        return f"{shown(self.path, root)}:{self.line}: " + typeset(f"{self.what} : {self.fix}")


def shown(path: Path, root: Path | None) -> Path:
    """``path`` relative to the project when it is inside, as a marketer would type it."""
    return path.relative_to(root) if root is not None and path.is_relative_to(root) else path


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _LocatedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int]] = []


def _construct_mapping(loader: _LocatedLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    data = LineDict()
    data.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in data:
            loader.duplicates.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line
    return data


def _construct_sequence(loader: _LocatedLoader, node: yaml.SequenceNode) -> LineList:
    data = LineList()
    data.line = node.start_mark.line + 1
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)
    return data


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_located(path: Path) -> tuple[Any, list[Problem]]:
    """The document at ``path`` (mappings as :class:`LineDict`, lists as :class:`LineList`).

    A missing file, a syntax error or a key written twice is returned as a problem,
    never raised: the marketer gets the line, not a stack trace.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(path, 1, "fichier introuvable", "remettez ce fichier à sa place")]
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "le fichier n'est pas en UTF-8", "enregistrez-le en UTF-8")]
    loader = _LocatedLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        detail = error.problem or NO_DETAIL
        mistake = Mistake(Code.INVALID_YAML, Place(line=line), {"detail": detail})
        return None, [Problem(path, line, *describe(mistake), code=mistake.code)]
    except yaml.YAMLError as error:
        return None, [Problem(path, 1, f"YAML illisible ({error})", "vérifiez la syntaxe")]
    finally:
        loader.dispose()
    problems = [
        Problem(
            path,
            line,
            f"la clé « {key} » est écrite deux fois dans le même bloc",
            "la seconde remplace la première sans rien dire : renommez-la ou fusionnez les deux",
        )
        for key, line in loader.duplicates
    ]
    return data, problems
