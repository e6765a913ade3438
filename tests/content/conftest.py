"""A copy of the project's content in ``tmp_path``, for a test to break on purpose.

Each test edits its copy the way a marketer would (a typo, a missing space, a response
renamed) and reads what ``make check`` would print about it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tools.content import ContentPaths, check_content
from tests.project_copy import copy_project_files

# What make check reads: the content, and the code that names responses.
CONTENT = ("domain.yml", "data", "actions", "bot/channels", "tests/nlu/test_nlu.yml")


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def line_of(self, name: str, fragment: str, after: str = "") -> int:
        """The line (1-based) where ``fragment`` first appears in ``name`` (after ``after``)."""
        text = self.text(name)
        start = text.index(after) if after else 0
        assert fragment in text[start:], f"{fragment!r} is not in {name}"
        return text[: text.index(fragment, start)].count("\n") + 1

    def edit(self, name: str, old: str, new: str) -> int:
        """Replace the first ``old`` with ``new`` in ``name``; the line of the edit."""
        line = self.line_of(name, old)
        path = self.root / name
        path.write_text(self.text(name).replace(old, new, 1), encoding="utf-8")
        return line

    def append(self, name: str, text: str) -> int:
        """Add ``text`` at the end of ``name``; the line where it starts."""
        path = self.root / name
        before = self.text(name)
        path.write_text(before.rstrip("\n") + "\n" + text, encoding="utf-8")
        return before.rstrip("\n").count("\n") + 2

    def problems(self) -> list[str]:
        """What ``make check`` prints, one line per problem, paths relative to the copy."""
        return [p.render(self.root) for p in check_content(ContentPaths.under(self.root))]

    def problems_at(self, name: str, line: int) -> list[str]:
        return [p for p in self.problems() if p.startswith(f"{name}:{line}: ")]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    copy_project_files(CONTENT, tmp_path)
    return Project(tmp_path)
