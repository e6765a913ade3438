"""``python -m bot products import FILE.csv``: the brand's export becomes data/products.yml,
or nothing changes and each bad row is named in French."""

from __future__ import annotations

from bot.domain.catalogue import load_catalogue
from bot.tools.cli import main

EXPORT = (
    "Référence;Nom du produit;Catégorie;Autres noms\n"
    "A1;Crème de jour;visage;crème hydratante|crème visage\n"
    "\n"
    "A2;Baume à lèvres;lèvres;\n"
)


def test_a_spreadsheet_export_becomes_the_catalogue(tmp_path, capsys):
    source, target = tmp_path / "export.csv", tmp_path / "products.yml"
    source.write_bytes(EXPORT.encode("cp1252"))  # saved by a French spreadsheet

    assert main(["products", "import", str(source), "--out", str(target)]) == 0

    catalogue = load_catalogue(target)
    assert [(p.id, p.name, p.category) for p in catalogue.products] == [
        ("A1", "Crème de jour", "visage"),
        ("A2", "Baume à lèvres", "lèvres"),
    ]
    assert catalogue.products[0].aliases == ("crème hydratante", "crème visage")
    assert catalogue.match("la creme hydratante").product == catalogue.products[0]
    assert "2 produits écrits" in capsys.readouterr().out


def test_bad_rows_are_named_by_line_and_nothing_is_written(tmp_path, capsys):
    source, target = tmp_path / "export.csv", tmp_path / "products.yml"
    target.write_text("products:\n  - name: Ancien produit\n", encoding="utf-8")
    source.write_text(
        "sku,name,category\nA1,Crème de jour,visage\nA2,,corps\nA1,Baume,lèvres\n",
        encoding="utf-8",
    )

    assert main(["products", "import", str(source), "--out", str(target)]) == 1

    errors = capsys.readouterr().err
    assert f"{source}:3: ce produit n'a pas de nom" in errors
    assert f"{source}:4: l'identifiant «\u00a0A1\u00a0»" in errors
    assert [p.name for p in load_catalogue(target).products] == ["Ancien produit"]


def test_an_export_without_a_name_column_says_which_titles_are_understood(tmp_path, capsys):
    source, target = tmp_path / "export.csv", tmp_path / "products.yml"
    source.write_text("ref;prix\nA1;12\n", encoding="utf-8")

    assert main(["products", "import", str(source), "--out", str(target)]) == 1

    errors = capsys.readouterr().err
    assert f"{source}:1: le fichier n'a pas de colonne pour le nom du produit" in errors
    assert "nom du produit" in errors and not target.exists()
