"""The brand's product catalogue (``data/products.yml``) and the tolerant product matcher.

A consumer names a product the way people do ("la crème", "le baume a levre", "savon
anesse"): :meth:`Catalogue.match` finds it despite accents, case, plurals, typos and
partial names. Each label (a name or an alias) is cut into content words; an inverted
index from word to products, and rapidfuzz over the vocabulary for typos, keep one match
against 10,000 products well under a millisecond (``benchmarks/bench_catalogue.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.domain.mistakes import Code, Mistake, Place, unknown_keys
from bot.domain.mistakes_fr import CATALOGUE_HEADING, report
from bot.domain.validation import plain_apostrophes, strip_accents
from bot.domain.yamlfile import YamlFileError, read_mapping

CATALOGUE_KEYS = ("products",)
PRODUCT_KEYS = ("id", "name", "aliases", "category")
# Words that never tell products apart: articles, prepositions, possessives.
STOPWORDS = frozenset({
    "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux", "a", "en", "et",
    "ou", "pour", "sur", "avec", "sans", "mon", "ma", "mes", "ton", "ta", "tes", "votre", "vos",
    "son", "sa", "ses", "ce", "cet", "cette", "ces",
})  # fmt: skip
# A typed word this close to a catalogue word (Damerau-Levenshtein similarity, 0-1: one
# letter wrong, missing, extra or swapped in a 4-letter word) is taken for it.
TYPO_SCORE = 0.75
# Words shorter than this must be typed exactly (a typo in "jour" is another word).
TYPO_MIN_LENGTH = 4
# Candidates scoring this close to the best one are offered together.
TIE_MARGIN = 0.12
# At most this many candidates are offered as buttons.
MAX_CHOICES = 3


def words(text: str) -> list[str]:
    """Content words of ``text``: no accents, case, punctuation, articles; singular."""
    plain = strip_accents(plain_apostrophes(text).lower())
    tokens = re.findall(r"[a-z0-9]+", plain)
    return [_singular(t) for t in tokens if t not in STOPWORDS]


def _singular(word: str) -> str:
    """A light French singular: "crèmes" -> "creme", "baumes" -> "baume", "eaux" -> "eau"."""
    if len(word) > 3 and word.endswith("x") and word[-2] in "ua":
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    category: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Match:
    """``found``: one product; ``ambiguous``: a few, to ask which; ``none``: nothing close."""

    kind: Literal["found", "ambiguous", "none"]
    products: tuple[Product, ...] = ()

    @property
    def product(self) -> Product | None:
        return self.products[0] if self.kind == "found" else None


NO_MATCH = Match("none")


@dataclass
class Catalogue:
    products: tuple[Product, ...]
    # The index, built once: each label's product and word count, and for each word the
    # labels that hold it (numpy arrays, so that scoring is one bincount).
    _label_product: Any = field(default=None, repr=False)
    _label_size: Any = field(default=None, repr=False)
    _by_word: dict[str, Any] = field(default_factory=dict, repr=False)
    _long_words: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        owners: list[int] = []
        sizes: list[int] = []
        postings: dict[str, list[int]] = {}
        for index, product in enumerate(self.products):
            for label in product.labels:
                label_words = set(words(label))
                if not label_words:
                    continue
                for word in label_words:
                    postings.setdefault(word, []).append(len(owners))
                owners.append(index)
                sizes.append(len(label_words))
        self._label_product = np.array(owners, dtype=np.int64)
        self._label_size = np.array(sizes, dtype=np.float64)
        self._by_word = {w: np.array(p, dtype=np.int64) for w, p in postings.items()}
        self._long_words = [w for w in postings if len(w) >= TYPO_MIN_LENGTH]

    def __bool__(self) -> bool:
        return bool(self.products)

    def _known_word(self, word: str) -> tuple[str, float] | None:
        """The catalogue word ``word`` stands for, with how sure (1.0: typed exactly)."""
        if word in self._by_word:
            return word, 1.0
        if len(word) < TYPO_MIN_LENGTH:
            return None
        found = process.extractOne(
            word,
            self._long_words,
            scorer=DamerauLevenshtein.normalized_similarity,
            score_cutoff=TYPO_SCORE,
        )
        return (found[0], float(found[1])) if found else None

    def match(self, text: str) -> Match:
        """The product(s) ``text`` names: a bare name or a whole sentence that mentions one."""
        typed: dict[str, float] = {}
        for word in words(text):
            known = self._known_word(word)
            if known is not None:
                typed[known[0]] = max(typed.get(known[0], 0.0), known[1])
        if not typed:
            return NO_MATCH
        # Each label's score: the share of its words the consumer typed (a typo counts less).
        labels = np.concatenate([self._by_word[w] for w in typed])
        weights = np.concatenate([np.full(len(self._by_word[w]), s) for w, s in typed.items()])
        covered = np.bincount(labels, weights=weights, minlength=len(self._label_size))
        scores = covered / self._label_size
        best = float(scores.max())
        close = np.flatnonzero(scores >= best - TIE_MARGIN)
        # Best first; a product named by several labels counts once, at its best label.
        order = close[np.lexsort((self._label_product[close], -scores[close]))]
        products = list(dict.fromkeys(int(self._label_product[i]) for i in order))
        if len(products) == 1:
            return Match("found", (self.products[products[0]],))
        return Match("ambiguous", tuple(self.products[i] for i in products[:MAX_CHOICES]))

    def by_id(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)


EMPTY_CATALOGUE = Catalogue(())


class CatalogueError(ValueError):
    """``data/products.yml`` is wrong; ``problems`` lists each mistake (worded in French)."""

    def __init__(self, path: Path, problems: list[Mistake]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(report(path, CATALOGUE_HEADING, problems))


def slug(name: str) -> str:
    """A stable id from a name: "Crème de jour" -> "creme-de-jour"."""
    return "-".join(re.findall(r"[a-z0-9]+", strip_accents(name.lower())))


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def read_product(raw: Any, index: int) -> tuple[Product | None, list[Mistake]]:
    """One entry of ``products``; None with the mistakes when it cannot be used."""
    place = ("products", index)
    if not isinstance(raw, dict):
        return None, [Mistake(Code.PRODUCT_NOT_A_MAPPING, Place(place))]
    problems = [
        Mistake(m.code, Place(place + m.place.keys), m.values)
        for m in unknown_keys(raw, PRODUCT_KEYS)
    ]
    name = _text(raw.get("name"))
    if name is None or not words(name):
        return None, [*problems, Mistake(Code.PRODUCT_WITHOUT_NAME, Place(place))]
    aliases_raw = raw.get("aliases") or []
    if isinstance(aliases_raw, str):
        aliases_raw = [aliases_raw]
    aliases = tuple(a for a in (_text(item) for item in aliases_raw) if a)
    if not isinstance(aliases_raw, list) or len(aliases) != len(aliases_raw):
        problems.append(Mistake(Code.BAD_ALIASES, Place((*place, "aliases")), {"name": name}))
    product_id = _text(raw.get("id")) or slug(name)
    category = _text(raw.get("category"))
    return Product(product_id, name, aliases, category), problems


def catalogue_from(entries: Iterable[Any]) -> tuple[Catalogue, list[Mistake]]:
    """The catalogue of ``entries`` (raw YAML items) and every mistake found in them."""
    products: list[Product] = []
    problems: list[Mistake] = []
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(entries):
        product, found = read_product(raw, index)
        problems += found
        if product is None:
            continue
        if product.id in seen_ids:
            values = {"id": product.id, "first": seen_ids[product.id] + 1}
            problems.append(Mistake(Code.DUPLICATE_PRODUCT_ID, Place(("products", index)), values))
            continue
        seen_ids[product.id] = index
        products.append(product)
    return Catalogue(tuple(products)), problems


def load_catalogue(path: Path) -> Catalogue:
    """Read and check ``data/products.yml``; no file (or no product): an empty catalogue,
    and Merci takes product names as typed."""
    if not path.exists():
        return EMPTY_CATALOGUE
    not_a_mapping = Mistake(Code.CATALOGUE_NOT_A_MAPPING, values={"keys": CATALOGUE_KEYS})
    try:
        raw = read_mapping(path, not_a_mapping)
    except YamlFileError as exc:
        raise CatalogueError(path, [exc.mistake]) from exc
    problems = unknown_keys(raw, CATALOGUE_KEYS)
    entries = raw.get("products") or []
    if not isinstance(entries, list):
        raise CatalogueError(
            path, [*problems, Mistake(Code.PRODUCTS_NOT_A_LIST, Place(("products",)))]
        )
    catalogue, found = catalogue_from(entries)
    problems += found
    if problems:
        raise CatalogueError(path, problems)
    return catalogue
