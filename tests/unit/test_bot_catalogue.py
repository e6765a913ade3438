"""The product matcher, as consumers name products: accents, case, plurals, typos,
partial names and ambiguity, in a catalogue of a few hundred products."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.catalogue import Catalogue, CatalogueError, Product, load_catalogue

KINDS = ["Crème", "Savon", "Baume", "Huile", "Lotion", "Sérum", "Masque", "Gommage"]
USES = ["de jour", "de nuit", "pour les mains", "pour le corps", "contour des yeux"]
SCENTS = ["à la rose", "au miel", "à l'amande", "au lait d'ânesse", "à la lavande",
          "au citron", "à la vanille"]  # fmt: skip


def generated() -> Catalogue:
    """280 products named like a cosmetics brand's, plus the demo page's three."""
    products = [
        Product(f"p{i}", f"{kind} {use} {scent}")
        for i, (kind, use, scent) in enumerate(itertools.product(KINDS, USES, SCENTS))
    ]
    products += [
        Product("shampoing-ortie", "Shampoing à l'ortie", ("shampooing ortie",)),
        Product("dentifrice", "Dentifrice au charbon"),
        Product("brume", "Brume d'oreiller"),
    ]
    return Catalogue(tuple(products))


CATALOGUE = generated()


def named(text: str) -> str | None:
    match = CATALOGUE.match(text)
    return match.product.name if match.product else None


def test_the_catalogue_is_a_few_hundred_products():
    assert len(CATALOGUE.products) > 250


@pytest.mark.parametrize(
    "typed",
    [
        "Crème de nuit au miel",
        "creme de nuit au miel",  # no accents
        "CRÈME DE NUIT AU MIEL",  # shouting
        "crèmes de nuit au miel",  # plural
        "la crème de nuit au miel",  # with an article
        "la creme de nuit au mile",  # a typo
        "crme de nuit au miel",  # a letter missing
        "je voudrais noter la crème de nuit au miel svp",  # inside a sentence
    ],
)
def test_a_product_is_found_however_it_is_typed(typed):
    assert named(typed) == "Crème de nuit au miel"


def test_an_alias_and_a_unique_word_are_enough():
    assert named("le shampooing ortie") == "Shampoing à l'ortie"
    assert named("le dentifrice") == "Dentifrice au charbon"
    assert named("brume doreiller") == "Brume d'oreiller"


def test_a_partial_name_shared_by_several_products_asks_which_with_a_few_choices():
    match = CATALOGUE.match("le sérum de jour")
    assert match.kind == "ambiguous"
    assert 2 <= len(match.products) <= 3
    assert all(p.name.startswith("Sérum de jour") for p in match.products)


def test_two_products_differing_by_one_word_are_offered_together():
    small = Catalogue(
        (
            Product("a", "Savon au lait d'ânesse"),
            Product("b", "Savon à l'huile d'olive"),
            Product("c", "Crème de jour"),
        )
    )
    match = small.match("le savon")
    assert match.kind == "ambiguous"
    assert [p.id for p in match.products] == ["a", "b"]
    assert small.match("la crème").product == small.products[2], "the only crème"
    assert small.match("savon anesse").product == small.products[0]


@pytest.mark.parametrize(
    "typed", ["un parapluie", "Texture agréable mais parfum trop fort", "ok", "4 étoiles"]
)
def test_nothing_close_is_no_product(typed):
    assert CATALOGUE.match(typed).kind == "none"


def test_an_empty_catalogue_matches_nothing_and_is_false():
    empty = Catalogue(())
    assert not empty
    assert empty.match("crème de jour").kind == "none"


def test_the_project_catalogue_knows_the_demo_page_products():
    from bot.config import PROJECT_ROOT

    catalogue = load_catalogue(PROJECT_ROOT / "data" / "products.yml")
    names = {p.name for p in catalogue.products}
    assert {"Crème de jour", "Savon au lait d'ânesse", "Baume à lèvres"} <= names


def test_a_missing_or_empty_file_is_no_catalogue(tmp_path):
    assert not load_catalogue(tmp_path / "products.yml")
    (tmp_path / "products.yml").write_text("products: []\n", encoding="utf-8")
    assert not load_catalogue(tmp_path / "products.yml")


def test_a_wrong_catalogue_says_what_to_fix_in_french(tmp_path):
    path = tmp_path / "products.yml"
    path.write_text(
        "products:\n  - name: Crème de jour\n    id: c1\n  - name: Baume\n    id: c1\n"
        "  - category: corps\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    message = str(error.value)
    assert "2 problème(s) dans le catalogue" in message
    assert "«\u00a0c1\u00a0» est déjà celui" in message and "n'a pas de nom" in message
