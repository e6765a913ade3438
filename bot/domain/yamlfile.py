"""Reading the YAML files marketers edit, with errors that name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.domain.mistakes import Code, Mistake, Place
from bot.domain.mistakes_fr import NO_DETAIL, explain
from bot.domain.typography import NBSP


class YamlFileError(ValueError):
    """The file is not YAML, or not a mapping; ``mistake`` says which (worded in French)."""

    def __init__(self, path: Path, mistake: Mistake) -> None:
        self.path = path
        self.mistake = mistake
        super().__init__(f"{path}{NBSP}: {explain(mistake)}")


def read_mapping(path: Path, not_a_mapping: Mistake) -> dict[str, Any]:
    """The file's top-level mapping; :class:`YamlFileError` with ``not_a_mapping`` when it
    is not one, or with an ``invalid_yaml`` mistake at the parser's line."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = Place(line=mark.line + 1 if mark else None)
        detail = getattr(exc, "problem", None) or str(exc) or NO_DETAIL
        raise YamlFileError(path, Mistake(Code.INVALID_YAML, place, {"detail": detail})) from exc
    if not isinstance(raw, dict):
        raise YamlFileError(path, not_a_mapping)
    return raw
