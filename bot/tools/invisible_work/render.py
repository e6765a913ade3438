"""The report as marketers read it: a self-contained HTML page with charts (PNG embedded
in base64, nothing fetched), a CSV of every figure, and a short terminal summary.

The page is the Jinja2 template ``templates/report.html.j2``, autoescaped. The CSV
follows French spreadsheet habits (``;`` between columns, decimal comma, UTF-8 with a
BOM) so that it opens as a table in a French Excel.
"""

from __future__ import annotations

import csv
import html
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.domain.profile import PROFILE_FIELDS
from bot.domain.typography import NBSP, NNBSP, frenchify
from bot.tools.invisible_work.charts import charts
from bot.tools.invisible_work.figures import Figures
from bot.tools.invisible_work.formatting import (
    BAND_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    channel_label,
    euros,
    long_date,
    number,
    percent,
    period,
    unit,
)

__all__ = ["csv_rows", "html_report", "summary", "typo", "write_csv", "write_report"]

HTML_NAME = "travail-invisible.html"
CSV_NAME = "travail-invisible.csv"
TEMPLATES = Path(__file__).resolve().parent / "templates"

Row = list[str]


# --- HTML -----------------------------------------------------------------------------------


def typo(text: object) -> Markup:
    """French spaces in a text (never HTML), then the text escaped for HTML.

    ``html.escape`` rather than Jinja's own escaping keeps the entities the page has always
    had (``&#x27;`` for an apostrophe).
    """
    return Markup(html.escape(frenchify(str(text))))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The report's Jinja2 environment: its templates, autoescaping, French filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "html.j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        typo=typo,
        number=number,
        percent=percent,
        euros=euros,
        unit=unit,
        long_date=long_date,
        period=period,
    )
    return env


def _kpis(figures: Figures) -> list[tuple[str, str]]:
    return [
        (unit(number(figures.hours_spent), "h"), "de travail offert par vos consommateurs"),
        (euros(figures.equivalent_cost), "si la marque avait payé cette saisie"),
        (number(figures.fields_entered), "informations saisies"),
        (number(figures.fields_confirmed), "informations confirmées"),
        (number(figures.review_count), "avis écrits"),
        (percent(figures.freshness_share), "de la base à jour"),
    ]


def _entered_table(figures: Figures) -> tuple[Row, list[Row]]:
    channels = sorted({c for _, c in figures.entered} | {c for _, c in figures.confirmed})
    entered, confirmed = figures.entered_by_field(), figures.confirmed_by_field()
    headers = ["Information"] + [channel_label(c) for c in channels] + ["Saisies", "Confirmées"]
    rows = [
        [FIELD_LABELS[f]]
        + [number(figures.entered.get((f, c), 0)) for c in channels]
        + [number(entered.get(f, 0)), number(confirmed.get(f, 0))]
        for f in PROFILE_FIELDS
    ]
    return headers, rows


def _band_rows(figures: Figures) -> list[Row]:
    total = figures.review_count
    return [
        [BAND_LABELS[band], number(n), percent(n / total if total else None)]
        for band, n in figures.reviews_by_band().items()
    ]


def _product_rows(figures: Figures) -> list[Row]:
    return [[name, pid, number(count)] for pid, name, count in figures.reviews_by_product()]


def _thanks_rows(figures: Figures) -> list[Row]:
    return [
        [response, KIND_LABELS.get(kind, kind), number(count)]
        for (kind, response), count in sorted(figures.thanks.items(), key=lambda i: -i[1])
    ]


def _fresh_rows(figures: Figures) -> list[Row]:
    return [
        [
            FIELD_LABELS[f],
            number(stored),
            number(fresh),
            percent(fresh / stored if stored else None),
        ]
        for f, (fresh, stored) in figures.fresh.items()
    ]


def html_report(figures: Figures, images: dict[str, str], generated: datetime) -> str:
    """The report's HTML page; ``images`` are the base64 PNG charts of :func:`charts`."""
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            figures=figures,
            images=images,
            generated=generated,
            kpis=_kpis(figures),
            entered=_entered_table(figures),
            bands=_band_rows(figures),
            products=_product_rows(figures),
            thanks=_thanks_rows(figures),
            fresh=_fresh_rows(figures),
        )
    )


# --- CSV and terminal -----------------------------------------------------------------------


def _plain(value: float, decimals: int) -> str:
    """A decimal number for a spreadsheet cell: decimal comma, no thousands separator."""
    return number(value, decimals).replace(NNBSP, "")


def csv_rows(figures: Figures) -> list[tuple[str, str, str]]:
    """Every figure as (indicator, detail, value), values written the French way."""
    rows = [
        ("periode", "debut", figures.since.date().isoformat() if figures.since else ""),
        ("periode", "fin", figures.until.date().isoformat()),
        ("consommateurs", "total", str(figures.consumers)),
        ("consommateurs", "nouveaux", str(figures.new_consumers)),
        ("profils_complets", "total", str(figures.complete_profiles)),
        ("profils_complets", "pendant la periode", str(figures.profiles_completed)),
    ]
    for (field, channel), count in sorted(figures.entered.items()):
        rows.append(("informations_saisies", f"{field} / {channel}", str(count)))
    for (field, channel), count in sorted(figures.confirmed.items()):
        rows.append(("informations_confirmees", f"{field} / {channel}", str(count)))
    for (rating, channel), count in sorted(figures.reviews.items()):
        rows.append(("avis", f"{rating} etoiles / {channel}", str(count)))
    rows += [
        ("avis", "suggestions d'amelioration", str(figures.improvements)),
        ("avis", "demandes de rappel", str(figures.followups)),
    ]
    for pid, _name, count in figures.reviews_by_product():
        rows.append(("avis_par_produit", pid, str(count)))
    for (kind, response), count in sorted(figures.thanks.items()):
        rows.append(("remerciements", f"{kind} / {response}", str(count)))
    for field, (fresh, stored) in figures.fresh.items():
        rows.append(("informations_enregistrees", field, str(stored)))
        rows.append(("informations_a_jour", field, str(fresh)))
    share = figures.freshness_share
    a = figures.assumptions
    rows += [
        ("fraicheur", "part a jour", "" if share is None else _plain(share, 4)),
        ("hypotheses", "secondes par information saisie", number(a.seconds_per_field, 1)),
        ("hypotheses", "secondes par confirmation", number(a.seconds_per_confirmation, 1)),
        ("hypotheses", "secondes par avis", number(a.seconds_per_review, 1)),
        ("hypotheses", "cout horaire (euros)", number(a.hourly_rate, 2)),
        ("valeur", "heures", _plain(figures.hours_spent, 2)),
        ("valeur", "cout equivalent (euros)", _plain(figures.equivalent_cost, 2)),
    ]
    return rows


def write_csv(figures: Figures, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(("indicateur", "detail", "valeur"))
        writer.writerows(csv_rows(figures))


def summary(figures: Figures) -> list[str]:
    """A few lines for the terminal."""
    bands = figures.reviews_by_band()
    total = figures.review_count or 1
    spread = ", ".join(
        f"{BAND_LABELS[b]} {percent(n / total)}" for b, n in bands.items() if figures.review_count
    )
    a = figures.assumptions
    return [
        f"Le travail invisible de vos consommateurs, {period(figures)} "
        f"({number(figures.consumers)} consommateurs) :",
        f"  informations saisies     {number(figures.fields_entered):>12}",
        f"  informations confirmées  {number(figures.fields_confirmed):>12}",
        f"  avis                     {number(figures.review_count):>12}"
        + (f"   ({spread})" if spread else ""),
        f"  profils complets         {number(figures.complete_profiles):>12}"
        f"   (dont {number(figures.profiles_completed)} pendant la période)",
        f"  remerciements envoyés    {number(figures.thanks_sent):>12}",
        f"  base à jour              {percent(figures.freshness_share):>12}",
        f"  temps offert             {number(figures.hours_spent):>10}{NBSP}h"
        f"   ≈ {euros(figures.equivalent_cost)} de saisie à {euros(a.hourly_rate)} de l'heure",
    ]


def write_report(figures: Figures, out: Path, generated: datetime) -> tuple[Path, Path]:
    """Write the HTML page and the CSV into ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    page, table = out / HTML_NAME, out / CSV_NAME
    page.write_text(html_report(figures, charts(figures), generated), encoding="utf-8")
    write_csv(figures, table)
    return page, table
