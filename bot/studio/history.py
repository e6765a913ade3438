"""Each publish as one git commit (when the project is a git repository): the history page,
a publish's diff, and going back to a version."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# What a marketer edits; nothing else is ever committed by the studio.
CONTENT = ("domain.yml", "data")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class Version:
    sha: str
    author: str
    date: str
    subject: str


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60, env=env
    )
    if completed.returncode != 0:
        raise RuntimeError(f"git {args[0]} a échoué : {completed.stderr.strip()[:200]}")
    return completed.stdout


def is_repository(root: Path) -> bool:
    try:
        return Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve() == root.resolve()
    except (RuntimeError, OSError):
        return False


def commit(root: Path, user: str, summary: str = "") -> str:
    """Commit the content files in the marketer's name, with ``summary`` as the message's
    first line when given; the commit's short id ("" when the project is not a git
    repository or nothing changed)."""
    if not is_repository(root):
        return ""
    _git(root, "add", "--all", "--", *CONTENT)
    changed = _git(root, "diff", "--cached", "--name-only", "--", *CONTENT).split()
    if not changed:
        return ""
    email = re.sub(r"[^a-z0-9.-]+", "-", user.lower()).strip("-") or "studio"
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME=user,
        GIT_AUTHOR_EMAIL=f"{email}@studio.merci",
        GIT_COMMITTER_NAME=user,
        GIT_COMMITTER_EMAIL=f"{email}@studio.merci",
    )
    message = summary or f"Studio: {user} publishes {', '.join(changed)}"
    _git(root, "commit", "--quiet", "-m", message, "--", *CONTENT, env=env)
    return _git(root, "rev-parse", "--short", "HEAD").strip()


def versions(root: Path, limit: int = 50) -> list[Version]:
    if not is_repository(root):
        return []
    out = _git(
        root,
        "log",
        f"-{limit}",
        "--format=%h%x1f%an%x1f%ad%x1f%s",
        "--date=format:%d/%m/%Y %H:%M",
        "--",
        *CONTENT,
    )
    return [Version(*line.split("\x1f", 3)) for line in out.splitlines() if line.count("\x1f") == 3]


def diff(root: Path, sha: str) -> str:
    if not _SHA.match(sha):
        raise ValueError("version inconnue")
    return _git(root, "show", "--format=", "--no-color", sha, "--", *CONTENT)


def restore(root: Path, sha: str) -> str:
    """Put the content files back as they were at ``sha`` (a file added since is removed);
    the version's full id."""
    if not _SHA.match(sha):
        raise ValueError("version inconnue")
    full = _git(root, "rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}").strip()
    _git(root, "restore", f"--source={full}", "--staged", "--worktree", "--", *CONTENT)
    return full
