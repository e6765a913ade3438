"""Copies of the project's own files, for tests that edit them (never the checkout)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from bot.config import PROJECT_ROOT


def copy_project_files(names: Iterable[str], root: Path) -> None:
    """Copy each file or folder ``names`` gives (relative to the project) into ``root``."""
    for name in names:
        source, target = PROJECT_ROOT / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
