"""Reading the YAML files marketers edit, with errors that name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_mapping(path: Path) -> dict[str, Any]:
    """The file's top-level mapping; ValueError in plain words when it is not one."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ValueError(f"invalid YAML{line}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(raw, dict):
        raise ValueError("the file must be a mapping of keys to values")
    return raw
