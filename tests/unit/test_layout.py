"""The domain package stays plain Python: only its channel adapters import Rasa."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_bot_channels_imports_rasa():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in BOT.rglob("*.py")
        if "channels" not in path.relative_to(BOT).parts
        and imported_roots(path) & {"rasa", "rasa_sdk"}
    ]
    assert offenders == []


def test_the_boundary_check_sees_a_rasa_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from rasa.core.agent import Agent\n")
    assert "rasa" in imported_roots(module)


def test_bot_domain_imports_neither_sqlalchemy_nor_rasa():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (BOT / "domain").rglob("*.py")
        if imported_roots(path) & {"rasa", "rasa_sdk", "sqlalchemy", "alembic"}
    ]
    assert offenders == []


def test_the_domain_check_sees_a_sqlalchemy_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import sqlalchemy.orm\n")
    assert "sqlalchemy" in imported_roots(module)


MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 200


def oversized(path: Path) -> list[str]:
    """Functions over 60 lines and classes over 200 lines in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        limit = (
            MAX_FUNCTION_LINES
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            else MAX_CLASS_LINES
            if isinstance(node, ast.ClassDef)
            else None
        )
        if limit is not None and node.end_lineno - node.lineno + 1 > limit:
            found.append(f"{path.name}:{node.lineno} {node.name}")
    return found


def test_no_function_or_class_in_bot_outgrows_a_screen_or_two():
    offenders = [
        item
        for path in BOT.rglob("*.py")
        if "migrations" not in path.relative_to(BOT).parts
        for item in oversized(path)
    ]
    assert offenders == []


def test_the_size_check_sees_a_long_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def long():\n" + "    x = 1\n" * 60)
    assert oversized(module) == ["m.py:1 long"]
