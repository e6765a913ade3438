"""Releases: the content files a model in service goes with, kept beside the model.

The servers that answer consumers (Rasa, the action server, the scheduler) read the wording
and the tables from the model's release (``models/merci.content/``, ``MERCI_CONTENT_RELEASE``),
never from the files marketers and developers are editing. A release is written when Merci
starts (``python -m bot run``, from the checked files) and when the studio publishes; until
then an edit saved in the studio is a draft, tried in the studio's own "Essayer" server.

A release is a directory of copies; the ``merci.content`` link points at the newest one and
is swapped atomically, so a reader sees the old release or the new one, never half of each.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

# What a release holds: its file name for each content file the servers read.
RELEASED = ("domain", "congratulations", "freshness", "privacy", "report", "catalogue")
FILE_NAMES = {
    "domain": "domain.yml",
    "congratulations": "congratulations.yml",
    "freshness": "freshness.yml",
    "privacy": "privacy.yml",
    "report": "report.yml",
    "catalogue": "products.yml",
}
# Older releases kept beside the one in service (a server still reading one finishes).
KEEP = 3


def release_link(model: Path) -> Path:
    """``models/merci.tar.gz`` → ``models/merci.content``."""
    name = model.name.removesuffix(".tar.gz").removesuffix(".tgz")
    return model.with_name(f"{name}.content")


def released_file(release: Path, key: str) -> Path:
    return release / FILE_NAMES[key]


def write_release(link: Path, sources: Mapping[str, Path]) -> Path:
    """Copy ``sources`` (key of :data:`RELEASED` → file; a missing file stays missing) into
    a new directory and point ``link`` at it; the link."""
    store = link.parent / f".{link.name}s"
    store.mkdir(parents=True, exist_ok=True)
    directory = store / f"{time.time_ns()}"
    directory.mkdir()
    for key, source in sources.items():
        if source.exists():
            # copyfile, not copy2: a new release has new times, so readers see it changed.
            shutil.copyfile(source, released_file(directory, key))
    pending = link.with_name(f".{link.name}.{os.getpid()}.new")
    pending.unlink(missing_ok=True)
    pending.symlink_to(directory.relative_to(link.parent))
    os.replace(pending, link)
    _prune(store, keep=directory)
    return link


def _prune(store: Path, keep: Path) -> None:
    older = sorted((d for d in store.iterdir() if d != keep), key=lambda d: d.name)
    for directory in older[: max(0, len(older) - (KEEP - 1))]:
        shutil.rmtree(directory, ignore_errors=True)


def project_sources(root: Path) -> dict[str, Path]:
    """The content files of the project below ``root``, by release key."""
    data = root / "data"
    return {
        "domain": root / "domain.yml",
        "congratulations": data / "congratulations.yml",
        "freshness": data / "freshness.yml",
        "privacy": data / "privacy.yml",
        "report": data / "report.yml",
        "catalogue": data / "products.yml",
    }
