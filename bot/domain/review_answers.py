"""What a consumer's message says about the review being given, wherever it says it.

"Je voudrais donner 4 étoiles à la crème de jour" names the product and the rating; "5
étoiles pour le baume, il est parfait" gives all three; "3" answers the rating even when
the product was asked. :func:`read_review_message` reads one message into a
:class:`ReviewDraft`, keeping every value for its own question, and says what went wrong
for the question asked (a product not found, two products possible, an invalid answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from bot.domain.catalogue import Catalogue, Product, words
from bot.domain.validation import InvalidValue, parse_rating, strip_accents

STEPS = ("product", "rating", "review_text")
MAX_TEXT = 2000
MAX_PRODUCT = 255
# Without a catalogue, an answer to "which product?" this long is a review, not a name.
FREE_TEXT_PRODUCT_WORDS = 6
# With a catalogue, an unknown answer this long is a review, not a misspelt name.
UNKNOWN_PRODUCT_WORDS = 4
# A clause with at least this many words besides the rating, the product and the request
# ("je voudrais donner... à la") is the consumer's opinion: the review's text.
OPINION_WORDS = 3

Problem = Literal["product_not_found", "product_ambiguous", "invalid"]

# Ratings said inside a sentence: "4 étoiles", "5/5", "4 sur 5", "une étoile", "je mets 3".
_NUMBER = r"([1-5]|une?|deux|trois|quatre|cinq)"
RATING_IN_SENTENCE = re.compile(
    rf"(?<![\d,.])(?:{_NUMBER}\s*(?:etoiles?|\*|/\s*5|sur\s*(?:5|cinq))"
    r"|(?:mets|met|donne|donnerais|attribue|note\s+de|la\s+note\s+de)\s+([1-5])(?![\d,.]))"
)
BARE_RATING = re.compile(r"^\W*(?:[1-5](?:\s*/\s*5)?|un|une|deux|trois|quatre|cinq|[★⭐]{1,5})\W*$")
NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5}
CLAUSE_END = re.compile(r"[,;.!?:\n]+")
# Words of the request itself, never of an opinion (without accents, as ``words`` gives).
REQUEST_WORDS = frozenset({
    "je", "j", "voudrai", "voudrais", "veux", "veut", "aimerai", "aimerais", "souhaite",
    "souhaiterai", "souhaiterais", "vais", "peux", "donner", "donne", "laisser", "laisse",
    "mettre", "met", "mets", "attribue", "avi", "avis", "note", "noter", "evaluer", "etoile",
    "lui", "y", "produit", "svp", "stp", "merci", "bonjour", "alor", "alors", "ok", "1",
    "2", "3", "4", "5", "un", "deux", "trois", "quatre", "cinq", "s", "plait", "vous", "te",
    "nouveau", "nouvelle", "dernier", "derniere", "achat", "commande", "raconter",
    "partager", "dire", "ressenti", "experience", "opinion", "impression", "mon", "ma", "mes",
})  # fmt: skip


@dataclass(frozen=True)
class ReviewDraft:
    """The review as known so far: None is unknown; a product "" is the brand in general."""

    product: str | None = None
    product_id: str | None = None
    rating: int | None = None
    text: str | None = None

    def value(self, step: str) -> str | int | None:
        return {"product": self.product, "rating": self.rating, "review_text": self.text}[step]

    def next_step(self) -> str | None:
        """The first question still to ask, or None when the review can be saved."""
        return next((step for step in STEPS if self.value(step) is None), None)


@dataclass(frozen=True)
class Reading:
    draft: ReviewDraft
    problem: Problem | None = None
    # When the product is ambiguous: the products to offer.
    choices: tuple[Product, ...] = ()


def _plain(text: str) -> str:
    return " ".join(strip_accents(text.lower()).replace("\u2019", "'").split())


def rating_in(text: str, asked: bool = False) -> int | None:
    """The rating a message gives: said in a sentence ("4 étoiles"), alone ("3"), or, when
    the rating was asked, in any form ``parse_rating`` accepts."""
    plain = _plain(text)
    if asked or BARE_RATING.match(plain):
        # "4, texture agréable" answers "which rating?" with its first clause.
        for candidate in (text, CLAUSE_END.split(text, maxsplit=1)[0]):
            try:
                return parse_rating(candidate)
            except InvalidValue:
                continue
    found = {int(n) if n.isdigit() else NUMBER_WORDS[n] for n in _rating_numbers(plain)}
    return found.pop() if len(found) == 1 else None


def _rating_numbers(plain: str) -> list[str]:
    return [a or b for a, b in RATING_IN_SENTENCE.findall(plain)]


def opinion_in(text: str, product: Product | None) -> str | None:
    """The clauses of ``text`` that say what the consumer thinks, without the request,
    the rating and the product's name ("il est parfait" in "5 étoiles pour le baume, il
    est parfait"); None when there is none."""
    named = {w for label in product.labels for w in words(label)} if product else set()
    opinions = []
    for clause in CLAUSE_END.split(text):
        rest = RATING_IN_SENTENCE.sub(" ", _plain(clause))
        own = [w for w in words(rest) if w not in REQUEST_WORDS and w not in named]
        if len(own) >= OPINION_WORDS:
            opinions.append(clause.strip())
    body = ", ".join(opinions)
    return body if 2 <= len(body) <= MAX_TEXT else None


def _with_product(draft: ReviewDraft, product: Product) -> ReviewDraft:
    return replace(draft, product=product.name, product_id=product.id)


def _product_answer(
    text: str, draft: ReviewDraft, catalogue: Catalogue, asked: bool
) -> tuple[ReviewDraft, Problem | None, tuple[Product, ...]]:
    """Fill the product from ``text`` if it names one; the problem when it was asked."""
    word_count = len(text.split())
    if not words(text):
        return draft, "invalid" if asked else None, ()
    if catalogue:
        match = catalogue.match(text)
        if match.product is not None:
            return _with_product(draft, match.product), None, ()
        if match.kind == "ambiguous":
            return draft, "product_ambiguous", match.products
        if not asked or word_count >= UNKNOWN_PRODUCT_WORDS:
            return draft, None, ()
        return draft, "product_not_found", ()
    if not asked or word_count >= FREE_TEXT_PRODUCT_WORDS:
        return draft, None, ()
    name = " ".join(text.split())
    if 2 <= len(name) <= MAX_PRODUCT:
        return replace(draft, product=name, product_id=None), None, ()
    return draft, "invalid", ()


def _named_as_typed(before: ReviewDraft, after: ReviewDraft) -> bool:
    """The whole message was taken as a product name (no catalogue): it says nothing else."""
    return after.product != before.product and after.product_id is None


def read_review_message(
    text: str,
    draft: ReviewDraft,
    catalogue: Catalogue,
    asked: str | None,
    skipped: bool = False,
) -> Reading:
    """Read one message into ``draft``: the answer to ``asked`` (None: the opening
    sentence) and anything it says about the other questions still open.

    A value already known is kept, except the one asked. ``skipped``: the consumer said
    "passer" (for the product: the brand in general).
    """
    text = "" if text.lstrip().startswith("/") else text.strip()
    if asked == "product" and skipped:
        return Reading(replace(draft, product="", product_id=None))
    before = draft
    found_product: Product | None = None
    problem: Problem | None = None
    choices: tuple[Product, ...] = ()
    rating = rating_in(text, asked == "rating")
    if rating is not None and (asked == "rating" or draft.rating is None):
        draft = replace(draft, rating=rating)
    bare_rating = rating is not None and BARE_RATING.match(_plain(text)) is not None
    if (asked == "product" or draft.product is None) and text and not bare_rating:
        draft, problem, choices = _product_answer(text, draft, catalogue, asked == "product")
        if draft.product_id and draft.product_id != before.product_id:
            found_product = catalogue.by_id(draft.product_id)
    if asked == "review_text":
        body = text if 2 <= len(text) <= MAX_TEXT else None
        draft = replace(draft, text=body) if body else draft
    elif draft.text is None and not bare_rating and not _named_as_typed(before, draft):
        if asked == "product" and problem is not None:
            # A short name not found (or one of several): an answer about the product only.
            body = None
        elif asked == "product" and draft.product is None:
            # A sentence that names no product, given when the product was asked: the review.
            body = text if 2 <= len(text) <= MAX_TEXT else None
        else:
            body = opinion_in(text, found_product)
        draft = replace(draft, text=body) if body else draft
    if asked is not None and problem is None and draft == before:
        problem = "invalid"
    return Reading(draft, problem, choices)
