"""The report as marketers read it: a self-contained HTML page with charts (PNG embedded
in base64, nothing fetched), a CSV of every figure, and a short terminal summary.

The CSV follows French spreadsheet habits (``;`` between columns, decimal comma, UTF-8
with a BOM) so that it opens as a table in a French Excel.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.domain.profile import PROFILE_FIELDS
from bot.domain.typography import NBSP, NNBSP, frenchify
from bot.tools.invisible_work.figures import Figures

FIELD_LABELS = {
    "first_name": "Prénom",
    "email": "E-mail",
    "phone": "Téléphone",
    "birthday": "Date de naissance",
    "city": "Ville",
    "postal_code": "Code postal",
    "interests": "Centres d'intérêt",
    "contact_channel": "Moyen de contact",
}
CHANNEL_LABELS = {
    "rest": "Site (API REST)",
    "socketio": "Chat web",
    "facebook": "Messenger",
    "brand": "Systèmes de la marque",
}
KIND_LABELS = {
    "field_saved": "information saisie",
    "review": "avis",
    "data_confirmed": "vérification",
}
BAND_LABELS = {"high": "5 étoiles", "middle": "3 ou 4 étoiles", "low": "1 ou 2 étoiles"}
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
COLOURS = ("#2f6f8f", "#e0a030", "#6a9f4b", "#b0506a", "#7d6bb0", "#8c8c8c")

HTML_NAME = "travail-invisible.html"
CSV_NAME = "travail-invisible.csv"


# --- French numbers and dates -------------------------------------------------------------


def number(value: float, decimals: int = 0) -> str:
    """12345.6 -> "12 345,6" (narrow no-break space between thousands)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{number(100 * share)}{NBSP}%"


def euros(amount: float) -> str:
    return f"{number(amount)}{NBSP}€"


def long_date(moment: datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {MONTHS[moment.month - 1]} {moment.year}"


def period(figures: Figures) -> str:
    if figures.since is None:
        return f"jusqu'au {long_date(figures.until)}"
    return f"du {long_date(figures.since)} au {long_date(figures.until)}"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


# --- charts ---------------------------------------------------------------------------------


def _png(figure: object) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # type: ignore[attr-defined]
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(figures: Figures) -> dict[str, str]:
    """The report's charts, as base64 PNG. Matplotlib's object API, no global pyplot state."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    french = FuncFormatter(lambda value, _: number(value))

    made: dict[str, str] = {}

    fig = Figure(figsize=(8, 3.6))
    ax = fig.subplots()
    fields = list(reversed(PROFILE_FIELDS))
    channels = sorted({channel for _, channel in figures.entered})
    left = [0] * len(fields)
    for colour, channel in zip(COLOURS * 3, channels, strict=False):
        counts = [figures.entered.get((field, channel), 0) for field in fields]
        ax.barh([FIELD_LABELS[f] for f in fields], counts, left=left, color=colour,
                label=channel_label(channel))  # fmt: skip
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_xlabel("Informations saisies")
    ax.xaxis.set_major_formatter(french)
    if channels:
        ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    made["entered"] = _png(fig)

    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    by_rating = figures.reviews_by_rating()
    colours = ["#b0506a", "#b0506a", "#e0a030", "#e0a030", "#6a9f4b"]
    bars = ax.bar([f"{r} ★" for r in by_rating], list(by_rating.values()), color=colours)
    ax.bar_label(bars, labels=[number(v) for v in by_rating.values()], padding=2)
    ax.set_ylabel("Avis")
    ax.yaxis.set_major_formatter(french)
    ax.spines[["top", "right"]].set_visible(False)
    made["reviews"] = _png(fig)

    thanks = list(figures.thanks_by_response().items())[:12]
    fig = Figure(figsize=(8, 0.8 + 0.32 * max(len(thanks), 1)))
    ax = fig.subplots()
    ax.barh([name for name, _ in reversed(thanks)], [n for _, n in reversed(thanks)],
            color=COLOURS[0])  # fmt: skip
    ax.set_xlabel("Remerciements envoyés")
    ax.xaxis.set_major_formatter(french)
    ax.spines[["top", "right"]].set_visible(False)
    made["thanks"] = _png(fig)

    fig = Figure(figsize=(8, 3.4))
    ax = fig.subplots()
    shares = [
        100 * fresh / stored if stored else 0
        for fresh, stored in (figures.fresh[f] for f in fields)
    ]
    ax.barh([FIELD_LABELS[f] for f in fields], shares, color=COLOURS[2])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Part des informations à jour selon la politique de fraîcheur (%)")
    ax.spines[["top", "right"]].set_visible(False)
    made["freshness"] = _png(fig)
    return made


# --- HTML -----------------------------------------------------------------------------------


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(png: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">'


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2.4rem;border-bottom:2px solid #2f6f8f}
.period{color:#555;margin-top:0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.8rem;
margin:1.5rem 0}
.kpi{background:#f2f6f8;border-radius:.5rem;padding:.8rem}
.kpi b{display:block;font-size:1.5rem;color:#2f6f8f}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:left}
td:not(:first-child){text-align:right}img{max-width:100%}
.note{color:#555;font-size:.9rem}
"""


def html_report(figures: Figures, images: dict[str, str], generated: datetime) -> str:
    s = figures.assumptions
    fields = list(PROFILE_FIELDS)
    channels = sorted({c for _, c in figures.entered} | {c for _, c in figures.confirmed})
    kpis = [
        (f"{number(figures.hours_spent)}{NBSP}h", "de travail offert par vos consommateurs"),
        (euros(figures.equivalent_cost), "si la marque avait payé cette saisie"),
        (number(figures.fields_entered), "informations saisies"),
        (number(figures.fields_confirmed), "informations confirmées"),
        (number(figures.review_count), "avis écrits"),
        (percent(figures.freshness_share), "de la base à jour"),
    ]
    entered_rows = [
        [FIELD_LABELS[f]]
        + [number(figures.entered.get((f, c), 0)) for c in channels]
        + [
            number(figures.entered_by_field().get(f, 0)),
            number(figures.confirmed_by_field().get(f, 0)),
        ]  # fmt: skip
        for f in fields
    ]
    bands = figures.reviews_by_band()
    total_reviews = figures.review_count
    band_rows = [
        [BAND_LABELS[b], number(n), percent(n / total_reviews if total_reviews else None)]
        for b, n in bands.items()
    ]
    thanks_rows = [
        [response, KIND_LABELS.get(kind, kind), number(count)]
        for (kind, response), count in sorted(figures.thanks.items(), key=lambda i: -i[1])
    ]
    fresh_rows = [
        [
            FIELD_LABELS[f],
            number(stored),
            number(fresh),
            percent(fresh / stored if stored else None),
        ]
        for f, (fresh, stored) in figures.fresh.items()
    ]
    parts = [
        "<!doctype html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Le travail invisible de vos consommateurs</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Le travail invisible de vos consommateurs</h1>",
        f'<p class="period">{html.escape(period(figures).capitalize())} · '
        f"{number(figures.consumers)} consommateurs, dont {number(figures.new_consumers)} "
        f"nouveaux · rapport généré le {long_date(generated)}</p>",
        '<section class="kpis">'
        + "".join(
            f'<div class="kpi"><b>{html.escape(v)}</b>{html.escape(t)}</div>' for v, t in kpis
        )
        + "</section>",
        "<h2>Les informations de profil</h2>",
        f"<p>{number(figures.complete_profiles)} profils sont complets, dont "
        f"{number(figures.profiles_completed)} complétés pendant la période.</p>",
        _image(images["entered"], "Informations saisies par champ et par canal"),
        _table(
            ["Information"] + [channel_label(c) for c in channels] + ["Saisies", "Confirmées"],
            entered_rows,
        ),
        "<h2>Les avis</h2>",
        _image(images["reviews"], "Avis par note"),
        _table(["Note", "Avis", "Part"], band_rows),
        f"<p>{number(figures.improvements)} suggestions pour mériter 5 étoiles, et "
        f"{number(figures.followups)} demandes de rappel après une déception.</p>",
        "<h2>Les remerciements envoyés</h2>",
        _image(images["thanks"], "Remerciements envoyés par réponse"),
        _table(["Réponse (domain.yml)", "Pour", "Envoyés"], thanks_rows),
        "<h2>La fraîcheur de la base</h2>",
        f"<p>Au {long_date(figures.until)}, {percent(figures.freshness_share)} des informations "
        "ont été saisies ou confirmées dans le délai fixé par data/freshness.yml.</p>",
        _image(images["freshness"], "Part des informations à jour, par champ"),
        _table(["Information", "Enregistrées", "À jour", "Part"], fresh_rows),
        "<h2>Ce que ce travail vaut</h2>",
        f"<p>Saisir une information prend environ {number(s.seconds_per_field)}{NBSP}s, la "
        f"confirmer {number(s.seconds_per_confirmation)}{NBSP}s, écrire un avis "
        f"{number(s.seconds_per_review)}{NBSP}s : vos consommateurs ont donné "
        f"<b>{number(figures.hours_spent, 1)}{NBSP}heures</b> à la marque. Payées "
        f"{euros(s.hourly_rate)} de l'heure, elles auraient coûté "
        f"<b>{euros(figures.equivalent_cost)}</b>.</p>",
        '<p class="note">Ces hypothèses se règlent dans data/report.yml (ou avec les options '
        "--seconds-per-field, --seconds-per-confirmation, --seconds-per-review et "
        "--hourly-rate de python -m bot report). Une information corrigée plusieurs fois "
        "compte une fois, à sa dernière saisie.</p>",
        "</body></html>",
    ]
    return _typeset_text("\n".join(parts)) + "\n"


def _typeset_text(page: str) -> str:
    """French spaces in the text of the page (not in its style sheet or its attributes)."""
    head, _, body = page.partition("</style>")
    body = re.sub(r">([^<]+)<", lambda m: ">" + _french_text(m.group(1)) + "<", body)
    return f"{head}</style>{body}"


def _french_text(text: str) -> str:
    # An entity such as &#x27; ends with ";", which French spacing must leave alone.
    parts = re.split(r"(&#?\w+;)", text)
    return "".join(part if i % 2 else frenchify(part) for i, part in enumerate(parts))


# --- CSV and terminal -----------------------------------------------------------------------


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
    for (kind, response), count in sorted(figures.thanks.items()):
        rows.append(("remerciements", f"{kind} / {response}", str(count)))
    for field, (fresh, stored) in figures.fresh.items():
        rows.append(("informations_enregistrees", field, str(stored)))
        rows.append(("informations_a_jour", field, str(fresh)))
    share = figures.freshness_share
    s = figures.assumptions
    rows += [
        ("fraicheur", "part a jour", "" if share is None else number(share, 4).replace(NNBSP, "")),
        ("hypotheses", "secondes par information saisie", number(s.seconds_per_field, 1)),
        ("hypotheses", "secondes par confirmation", number(s.seconds_per_confirmation, 1)),
        ("hypotheses", "secondes par avis", number(s.seconds_per_review, 1)),
        ("hypotheses", "cout horaire (euros)", number(s.hourly_rate, 2)),
        ("valeur", "heures", number(figures.hours_spent, 2).replace(NNBSP, "")),
        (
            "valeur",
            "cout equivalent (euros)",
            number(figures.equivalent_cost, 2).replace(NNBSP, ""),
        ),
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
    s = figures.assumptions
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
        f"   ≈ {euros(figures.equivalent_cost)} de saisie à {euros(s.hourly_rate)} de l'heure",
    ]


def write_report(figures: Figures, out: Path, generated: datetime) -> tuple[Path, Path]:
    """Write the HTML page and the CSV into ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    page, table = out / HTML_NAME, out / CSV_NAME
    page.write_text(html_report(figures, charts(figures), generated), encoding="utf-8")
    write_csv(figures, table)
    return page, table
