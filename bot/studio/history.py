"""Each publish as git commits (when the project is a git repository) that keep authorship
true: the files changed outside the studio apart from the studio's own edits; the history
page, a publish's diff, and going back to a version."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.storage import studio_queries
from bot.storage.studio_queries import FileChange
from bot.storage.unit_of_work import transaction

# What a marketer edits; nothing else is ever committed by the studio.
CONTENT = ("domain.yml", "data")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")
# Who changed a file since the last publish (see :func:`authorship`).
STUDIO, OUTSIDE, BOTH = "studio", "outside", "both"
STUDIO_NAME, STUDIO_EMAIL = "Merci Studio", "studio@studio.merci"


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


def blob_id(data: bytes) -> str:
    """The id git gives a file's content (``git hash-object``), computed without git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def content_state(root: Path) -> dict[str, str]:
    """Every content file (relative path) and the blob id of what it holds now."""
    files = [root / "domain.yml", *sorted((root / "data").rglob("*"))]
    return {
        path.relative_to(root).as_posix(): blob_id(path.read_bytes())
        for path in files
        if path.is_file() and not path.name.startswith(".studio-")
    }


def changes_between(before: dict[str, str], after: dict[str, str]) -> list[FileChange]:
    """The files whose content differs between two states, with their blob ids."""
    paths = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    return [(path, before.get(path), after.get(path)) for path in paths]


def _last_publish(root: Path) -> datetime | None:
    """When the content was last committed (UTC), None when it never was."""
    try:
        seconds = _git(root, "log", "-1", "--format=%ct", "--", *CONTENT).strip()
    except RuntimeError:
        return None
    if not seconds:
        return None
    return datetime.fromtimestamp(int(seconds), timezone.utc).replace(tzinfo=None)


def studio_changes(root: Path, engine: Engine | None) -> list[FileChange]:
    """The content changes the studio's edits made since the last publish (audit log)."""
    since = _last_publish(root) if is_repository(root) else None
    return transaction(lambda s: studio_queries.file_changes(s, since), engine)


def _committed_ids(root: Path) -> dict[str, str]:
    try:
        listing = _git(root, "ls-tree", "-r", "-z", "HEAD", "--", *CONTENT)
    except RuntimeError:  # no commit yet
        return {}
    entries = (entry.split("\t", 1) for entry in listing.split("\0") if "\t" in entry)
    return {path: meta.split()[2] for meta, path in entries}


def authorship(root: Path, changed: list[str], changes: Sequence[FileChange]) -> dict[str, str]:
    """Who changed each file since the last publish: STUDIO when every change is one of the
    studio's edits, OUTSIDE when none is, BOTH when the studio's edits do not account for
    all of it (a hand edit before, between or after them)."""
    committed, now = _committed_ids(root), content_state(root)
    found: dict[str, str] = {}
    for path in changed:
        own = [(before, after) for p, before, after in changes if p == path]
        # Edits whose result the last commit already holds were published (git dates
        # have one-second steps, so the log since then may still show them).
        published = [i for i, (_, after) in enumerate(own) if after == committed.get(path)]
        own = own[published[-1] + 1 :] if published else own
        if not own:
            found[path] = OUTSIDE
            continue
        expected, whole = committed.get(path), True
        for before, after in own:
            whole, expected = whole and before == expected, after
        found[path] = STUDIO if whole and expected == now.get(path) else BOTH
    return found


def _studio_email(user: str) -> str:
    return (re.sub(r"[^a-z0-9.-]+", "-", user.lower()).strip("-") or "studio") + "@studio.merci"


def _repository_author(root: Path) -> tuple[str, str]:
    """The git user configured for the repository, else Merci Studio."""
    try:
        name = _git(root, "config", "--get", "user.name").strip()
        email = _git(root, "config", "--get", "user.email").strip()
    except RuntimeError:
        return STUDIO_NAME, STUDIO_EMAIL
    return (name, email) if name and email else (STUDIO_NAME, STUDIO_EMAIL)


def _commit_files(
    root: Path, files: list[str], message: str, author: tuple[str, str], user: str
) -> None:
    """Commit ``files`` only; the marketer who published is the committer."""
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME=author[0],
        GIT_AUTHOR_EMAIL=author[1],
        GIT_COMMITTER_NAME=user,
        GIT_COMMITTER_EMAIL=_studio_email(user),
    )
    _git(root, "commit", "--quiet", "-m", message, "--", *files, env=env)


def commit(
    root: Path, user: str, changes: Sequence[FileChange] | None = None, summary: str = ""
) -> str:
    """Commit the content files; the last commit's short id ("" when the project is not a
    git repository or nothing changed). ``summary``, when given, is the first line of the
    message of the studio's commit.

    With ``changes`` (the studio's edits since the last publish, :func:`studio_changes`),
    files changed outside the studio are committed first, in their own commit authored by
    the repository's git user, then the studio's edits in the marketer's name; a file edited
    both ways goes with the studio's edits and the message says so. Without it, every
    change is committed in the marketer's name."""
    if not is_repository(root):
        return ""
    _git(root, "add", "--all", "--", *CONTENT)
    staged = _git(root, "diff", "--cached", "--name-only", "-z", "--", *CONTENT)
    changed = [path for path in staged.split("\0") if path]
    if not changed:
        return ""
    who = authorship(root, changed, changes) if changes is not None else {}
    outside = [path for path in changed if who.get(path) == OUTSIDE]
    mixed = [path for path in changed if who.get(path) == BOTH]
    theirs = [path for path in changed if path not in outside]
    if outside:
        message = (
            f"Changes made outside the studio, published with Merci Studio by {user}: "
            f"{', '.join(outside)}"
        )
        _commit_files(root, outside, message, _repository_author(root), user)
    if theirs:
        message = summary or f"Studio: {user} publishes {', '.join(theirs)}"
        if mixed:
            message += (
                f"\n\nAlso edited outside the studio since the last publish: {', '.join(mixed)}"
                " (this commit holds both)."
            )
        _commit_files(root, theirs, message, (user, _studio_email(user)), user)
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
