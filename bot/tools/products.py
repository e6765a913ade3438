"""``python -m bot products import FILE.csv``: the brand's product export as data/products.yml.

The export may come from a spreadsheet (``;`` or ``,``, UTF-8 or Windows-1252); its first
line names the columns, in French or English. Every row is checked by the loader Merci
uses (``bot.domain.catalogue``): on any mistake, each is printed as ``FILE:LINE: ...`` in
French and data/products.yml is left as it was.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.domain.catalogue import Catalogue, catalogue_from, words
from bot.domain.mistakes import Code, Mistake
from bot.domain.mistakes_fr import describe, typeset

# Accepted column titles (compared without accents or case), by catalogue key.
COLUMNS = {
    "name": ("name", "nom", "produit", "product", "libelle", "designation", "nom du produit"),
    "id": ("id", "sku", "ref", "reference", "code", "ean"),
    "category": ("category", "categorie", "rayon", "gamme", "famille"),
    "aliases": ("aliases", "alias", "autres noms", "synonymes"),
}
ALIAS_SEPARATORS = ("|", ";", ",")
HEADER = (
    "# The brand's products, imported from {source} by `python -m bot products import`.\n"
    "# Marketers: one product per dash (name required; aliases, category, id optional).\n"
    '# Run "make check" after every edit.\n'
)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _column_key(title: str) -> str | None:
    plain = " ".join(words(title)) if title else ""
    for key, titles in COLUMNS.items():
        if plain in {" ".join(words(t)) for t in titles}:
            return key
    return None


def _aliases(cell: str) -> list[str]:
    for separator in ALIAS_SEPARATORS:
        if separator in cell:
            return [part.strip() for part in cell.split(separator) if part.strip()]
    return [cell.strip()] if cell.strip() else []


Export = tuple[list[dict[str, Any]], list[int], list[tuple[int, Mistake]]]


def read_export(text: str) -> Export:
    """The export's rows as catalogue entries, the line of each, and (line, mistake) for a
    bad header. Blank lines are left out."""
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else "excel"
    rows = list(csv.reader(io.StringIO(text), dialect))
    keys = [_column_key(title) for title in (rows[0] if rows else [])]
    if "name" not in keys:
        known = ", ".join(COLUMNS["name"])
        return [], [], [(1, Mistake(Code.CSV_WITHOUT_NAME_COLUMN, values={"known": known}))]
    entries, lines = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        entry: dict[str, Any] = {}
        for key, cell in zip(keys, row, strict=False):
            if key is None or not cell.strip():
                continue
            entry[key] = _aliases(cell) if key == "aliases" else cell.strip()
        entries.append(entry)
        lines.append(line)
    return entries, lines, []


def as_yaml(catalogue: Catalogue, source: str) -> str:
    products = []
    for product in catalogue.products:
        entry: dict[str, Any] = {"name": product.name, "id": product.id}
        if product.category:
            entry["category"] = product.category
        if product.aliases:
            entry["aliases"] = list(product.aliases)
        products.append(entry)
    body = yaml.safe_dump({"products": products}, allow_unicode=True, sort_keys=False)
    return HEADER.format(source=source) + str(body)


def import_products(source: Path, target: Path) -> int:
    """Write ``target`` from the export ``source``; 1 and nothing written on any mistake."""
    if not source.is_file():
        print(typeset(f"{source} : fichier introuvable"), file=sys.stderr)
        return 1
    entries, lines, problems = read_export(_read_text(source))
    catalogue = Catalogue(())
    if not problems:
        catalogue, found = catalogue_from(entries)
        problems = [(lines[int(m.place.keys[1])], m) for m in found]
    if not problems and not catalogue.products:
        print(typeset(f"{source} : aucun produit dans ce fichier"), file=sys.stderr)
        return 1
    for line, mistake in sorted(problems, key=lambda item: item[0]):
        what, fix = describe(mistake)
        print(f"{source}:{line}: " + typeset(f"{what} : {fix}"), file=sys.stderr)
    if problems:
        print(typeset(f"{target} n'a pas été modifié."), file=sys.stderr)
        return 1
    target.write_text(as_yaml(catalogue, source.name), encoding="utf-8")
    print(f"{len(catalogue.products)} produits écrits dans {target}.")
    return 0
