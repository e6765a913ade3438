"""French numbers, dates and labels for the report (HTML page and terminal summary)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.typography import NBSP, NNBSP
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


def number(value: float, decimals: int = 0) -> str:
    """12345.6 -> "12 345,6" (narrow no-break space between thousands)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{number(100 * share)}{NBSP}%"


def euros(amount: float) -> str:
    return f"{number(amount)}{NBSP}€"


def unit(amount: str, name: str) -> str:
    """A formatted amount and its unit, held together: "90 s", "0,1 heures"."""
    return f"{amount}{NBSP}{name}"


def long_date(moment: datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {MONTHS[moment.month - 1]} {moment.year}"


def period(figures: Figures) -> str:
    if figures.since is None:
        return f"jusqu'au {long_date(figures.until)}"
    return f"du {long_date(figures.since)} au {long_date(figures.until)}"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)
