"""Pure rules about reviews: how a product name is compared, which band a rating is in."""

from __future__ import annotations

import re
import unicodedata


def product_key(product: str | None) -> str | None:
    """A product name without case, accents or punctuation: "Crème de jour !" -> "creme de jour"."""
    if not product:
        return None
    plain = unicodedata.normalize("NFKD", product.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain).strip() or None


def rating_band(rating: int) -> str:
    return "high" if rating == 5 else "middle" if rating >= 3 else "low"
