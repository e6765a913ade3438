"""Round-trip YAML: read a file marketers edit, change it, write it back with its comments,
order, quoting and indentation as they were (ruamel.yaml)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

# The indentations Merci's files use: domain.yml indents lists under their key, data/nlu/
# does not. The one that writes a file back unchanged is the file's own.
LAYOUTS = ((2, 4, 2), (2, 2, 0))


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]  # never fold a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def version_of(text: str) -> str:
    """A file's version token: two saves from the same version cannot both succeed."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Document:
    """A YAML file loaded for editing, with the layout it is written back in."""

    path: Path
    data: Any
    text: str
    layout: tuple[int, int, int]

    @property
    def version(self) -> str:
        return version_of(self.text)

    def dumps(self) -> str:
        out = io.StringIO()
        _yaml(self.layout).dump(self.data, out)
        return out.getvalue()

    def save(self) -> str:
        """Write the document (atomically: a reader never sees half a file); its new text."""
        text = self.dumps()
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".studio-", suffix=".yml")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)
        self.text = text
        return text


def load(path: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    for layout in LAYOUTS:
        document = Document(path, _yaml(layout).load(text), text, layout)
        if document.dumps() == text:
            return document
    return Document(path, _yaml(LAYOUTS[0]).load(text), text, LAYOUTS[0])
