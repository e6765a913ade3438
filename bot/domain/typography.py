"""French typography: non-breaking spaces where French puts them."""

from __future__ import annotations

import re

NBSP = "\u00a0"  # before : » % and after «
NNBSP = "\u202f"  # narrow, before ! ? ;

_BEFORE_NARROW = re.compile(r"[ \u00a0\u202f]*([!?;]+)")
_BEFORE_WIDE = re.compile(r"(?<=\S)[ \u00a0\u202f]*(:|»|%)(?=\s|$|[.,!?)])")
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]*")
_URL = re.compile(r"https?://\S+")


def frenchify(text: str) -> str:
    """Put the right non-breaking space before ! ? ; : » % and after « (URLs untouched)."""
    parts = _URL.split(text)
    urls = _URL.findall(text)
    fixed = []
    for part in parts:
        part = _BEFORE_NARROW.sub(lambda m: NNBSP + m.group(1), part)
        part = _BEFORE_WIDE.sub(lambda m: NBSP + m.group(1), part)
        part = _AFTER_OPENING.sub("«" + NBSP, part)
        fixed.append(part)
    out = fixed[0]
    for url, part in zip(urls, fixed[1:], strict=True):
        out += url + part
    return out


def typography_problems(text: str) -> list[str]:
    """What is wrong with the French typography of ``text`` (empty when it is right)."""
    problems = []
    if frenchify(text) != text:
        problems.append("espace insécable manquante ou mal placée avant ! ? ; : » % ou après «")
    if re.search(r"\"[^\"]+\"", _URL.sub("", text)):
        problems.append('guillemets droits "…" : utilisez « … »')
    return problems
