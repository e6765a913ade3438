"""Merci Studio speaks French as Merci does: the words of its pages follow the same
typography rule as the consumers' messages (``make check``'s ``frenchify``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.domain.typography import frenchify

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "studio" / "templates"
# A printed value stands for a word; a tag or a comment prints nothing.
PRINTED = re.compile(r"\{\{.*?\}\}", re.S)
SILENT = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)


class PageWords(HTMLParser):
    """The text a reader sees: not the markup, the scripts nor the styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_every_sentence_of_the_studio_has_its_non_breaking_spaces(template: Path):
    words = PageWords()
    words.feed(PRINTED.sub("X", SILENT.sub("", template.read_text(encoding="utf-8"))))
    assert [text for text in words.texts if frenchify(text) != text] == []
