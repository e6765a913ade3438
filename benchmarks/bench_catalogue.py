"""How long one product name takes to match against a catalogue of 10,000 products.

The catalogue is generated (kinds x uses x scents x sizes, like a cosmetics brand's);
the names typed are exact, with a typo, partial, inside a sentence, or unknown. Target:
well under a millisecond per name on a shared 2-core machine.

    make bench            # or: .venv/bin/python -m benchmarks.bench_catalogue
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from bot.domain.catalogue import Catalogue, Product

KINDS = ["Crème", "Savon", "Baume", "Huile", "Lotion", "Sérum", "Masque", "Gommage", "Gel",
         "Lait", "Brume", "Shampoing", "Après-shampoing", "Déodorant", "Dentifrice", "Fluide",
         "Eau", "Poudre", "Beurre", "Exfoliant"]  # fmt: skip
USES = ["de jour", "de nuit", "pour les mains", "pour le corps", "contour des yeux",
        "pour les pieds", "visage", "cheveux secs", "peaux sensibles", "bébé"]  # fmt: skip
SCENTS = ["à la rose", "au miel", "à l'amande", "au lait d'ânesse", "à la lavande", "au citron",
          "à la vanille", "à l'aloe vera", "au karité", "à la fleur d'oranger"]  # fmt: skip
SIZES = ["50 ml", "100 ml", "200 ml", "400 ml", "format voyage"]
TYPED = [
    "Crème de nuit au miel 50 ml",
    "creme de nuit au mile",
    "le baume au karité",
    "je voudrais donner 4 étoiles au sérum visage à la rose, il est parfait",
    "un parapluie rouge",
]


def catalogue(size: int) -> Catalogue:
    names = itertools.islice(itertools.product(KINDS, USES, SCENTS, SIZES), size)
    return Catalogue(tuple(Product(f"p{i}", " ".join(n)) for i, n in enumerate(names)))


def per_match_ms(products: Catalogue, text: str, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        products.match(text)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    products = catalogue(args.products)
    built = time.perf_counter() - start
    print(f"Catalogue of {len(products.products)} products indexed in {built * 1000:.0f} ms")
    print(f"{'typed':<72} {'median ms':>9}  result")
    for text in TYPED:
        ms = per_match_ms(products, text, args.repeats)
        match = products.match(text)
        names = ", ".join(p.name for p in match.products) or "-"
        print(f"{text:<72} {ms:>9.3f}  {match.kind}: {names[:60]}")


if __name__ == "__main__":
    main()
