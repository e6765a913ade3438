"""Realistic demo data, so that the report can be seen right after setup.

``python -m bot demo-data --consumers 5000`` fills the database with French consumers on
the three channels who complete their profile step by step (and stop along the way, as
people do), confirm their data, review products with the J-shaped ratings real reviews
have, and get thanked by the real congratulation table with the real wording.

The same seed and the same ``now`` give the same data. Demo consumers are marked by the
``consumers.is_demo`` column (their sender ids, ``demo-0000001``..., are only there to be
read, and skip any id a real consumer already chose); running the command again replaces
them and nothing else. Rows are written with bulk inserts, in chunks.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.catalogue import slug
from bot.domain.congratulations import CongratulationTable, Occasion
from bot.domain.profile import FORM_STEPS, completeness, crossed_milestone
from bot.domain.reviews import product_key
from bot.domain.wording import Variant, choose_variant, render
from bot.storage import demo_queries
from bot.storage.models import utcnow
from bot.storage.unit_of_work import transaction

PREFIX = "demo-"
CHUNK = 20_000

CHANNELS = {"socketio": 0.45, "facebook": 0.30, "rest": 0.25}
# Share of consumers who answer the next question of the profile form.
CONTINUE = 0.86
STARTS_PROFILE = 0.78
RATINGS = {5: 0.46, 4: 0.26, 3: 0.11, 2: 0.06, 1: 0.11}
REVIEWS_PER_REVIEWER = {1: 0.60, 2: 0.25, 3: 0.10, 4: 0.04, 5: 0.01}

# fmt: off
FIRST_NAMES = [
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura",
    "Clara", "Lucie", "Anaïs", "Pauline", "Élodie", "Mathilde", "Juliette", "Louise", "Alice",
    "Jeanne", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Céline", "Thomas",
    "Nicolas", "Julien", "Maxime", "Alexandre", "Antoine", "Hugo", "Lucas", "Louis", "Théo",
    "Paul", "Arthur", "Gabriel", "Léo", "Mathieu", "Pierre", "Romain", "Kevin", "Sébastien",
    "Olivier", "Philippe", "Christophe", "Éric", "Laurent", "Frédéric", "Karim", "Mehdi",
    "Yasmine", "Nadia", "Fatima", "Samir", "Amine", "Lina", "Noah", "Adam", "Jules", "Zoé",
    "Margaux", "Océane", "Baptiste",
]
LAST_NAMES = [
    "martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy",
    "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david", "bertrand", "roux",
    "vincent", "fournier", "morel", "girard", "andre", "mercier", "dupont", "lambert",
    "bonnet", "francois", "martinez", "legrand", "garnier", "faure", "rousseau", "blanc",
    "guerin", "muller", "henry", "roussel", "nicolas", "perrin", "morin", "mathieu",
    "clement", "gauthier", "dumont", "lopez", "fontaine", "chevalier", "robin",
]
# fmt: on
MAIL_DOMAINS = {
    "gmail.com": 0.38,
    "orange.fr": 0.14,
    "hotmail.fr": 0.12,
    "yahoo.fr": 0.08,
    "free.fr": 0.08,
    "laposte.net": 0.06,
    "sfr.fr": 0.06,
    "outlook.fr": 0.08,
}
CITIES = [
    ("Paris", "75011"), ("Paris", "75015"), ("Paris", "75018"), ("Marseille", "13008"),
    ("Lyon", "69003"), ("Lyon", "69007"), ("Toulouse", "31000"), ("Nice", "06000"),
    ("Nantes", "44000"), ("Montpellier", "34000"), ("Strasbourg", "67000"),
    ("Bordeaux", "33000"), ("Lille", "59000"), ("Rennes", "35000"), ("Reims", "51100"),
    ("Saint-Étienne", "42000"), ("Le Havre", "76600"), ("Toulon", "83000"),
    ("Grenoble", "38000"), ("Dijon", "21000"), ("Angers", "49000"), ("Nîmes", "30000"),
    ("Villeurbanne", "69100"), ("Clermont-Ferrand", "63000"), ("Aix-en-Provence", "13100"),
    ("Brest", "29200"), ("Tours", "37000"), ("Amiens", "80000"), ("Limoges", "87000"),
    ("Annecy", "74000"), ("Perpignan", "66000"), ("Metz", "57000"), ("Besançon", "25000"),
    ("Orléans", "45000"), ("Rouen", "76000"), ("Caen", "14000"), ("Nancy", "54000"),
    ("Villeneuve-d'Ascq", "59650"), ("La Rochelle", "17000"), ("Pau", "64000"),
]  # fmt: skip
# fmt: off
INTERESTS = [
    "cuisine", "voyages", "sport", "lecture", "jardinage", "cinéma", "musique", "mode",
    "beauté", "bien-être", "randonnée", "photographie", "bricolage", "jeux vidéo", "yoga",
    "vin", "pâtisserie", "décoration", "vélo", "écologie",
]
# fmt: on
# Mobile ranges where every number is allocated: 060 to 062, 064 to 068, 073 to 079.
MOBILE_PREFIXES = ["60", "61", "62", "64", "65", "66", "67", "68"] * 2 + [
    f"7{digit}" for digit in range(3, 10)
]
CONTACT_CHANNELS = {
    "email": 0.44, "sms": 0.22, "messenger": 0.10, "phone": 0.06, "post": 0.03, "none": 0.15
}  # fmt: skip
PRODUCTS = [
    "Crème hydratante visage", "Sérum éclat", "Gel douche surgras", "Shampooing doux",
    "Baume à lèvres", "Huile sèche corps", "Masque purifiant", "Eau micellaire",
    "Crème mains réparatrice", "Déodorant bille", "Lait corps nourrissant", "Gommage douceur",
    "Crème solaire SPF 50", "Après-shampooing", "Contour des yeux",
]  # fmt: skip
REVIEW_TEXTS = {
    "high": [
        "Parfait, je rachèterai sans hésiter.", "Texture agréable et l'odeur est top.",
        "Très efficace, ma peau est plus douce.", "Rien à redire, livraison rapide en plus.",
        "Je l'utilise tous les jours, je l'adore.", "Excellent rapport qualité-prix.",
    ],
    "middle": [
        "Bien, mais un peu cher pour la quantité.", "Correct, sans plus.",
        "Efficace mais le parfum est trop fort.", "Bon produit, le flacon fuit un peu.",
        "Je m'attendais à mieux vu le prix.", "Pas mal, il faut attendre pour voir l'effet.",
    ],
    "low": [
        "Déçue, aucun effet après trois semaines.", "Le produit est arrivé abîmé.",
        "Irritations dès la première utilisation.", "Trop cher pour ce que c'est.",
        "La formule a changé, ce n'est plus pareil.", "Odeur désagréable, je ne le finirai pas.",
    ],
}  # fmt: skip
IMPROVEMENTS = [
    "Un flacon plus grand.", "Un prix un peu plus doux.", "Une version sans parfum.",
    "Un effet plus rapide.", "Un emballage recyclable.", "Une pompe qui ne se bloque pas.",
]  # fmt: skip


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isalnum())


@dataclass
class Batch:
    """Rows waiting to be inserted, by table."""

    consumers: list[dict[str, Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    thanks: list[dict[str, Any]] = field(default_factory=list)

    def flush(self, session: Session) -> None:
        demo_queries.insert_demo_rows(
            session, self.consumers, self.fields, self.reviews, self.thanks
        )
        for rows in (self.consumers, self.fields, self.reviews, self.thanks):
            rows.clear()

    def __len__(self) -> int:
        return len(self.consumers) + len(self.fields) + len(self.reviews) + len(self.thanks)


@dataclass(frozen=True)
class DemoCounts:
    consumers: int
    fields: int
    reviews: int
    thanks: int


class DemoWriter:
    """One consumer at a time: what they did, and how Merci thanked them."""

    def __init__(
        self,
        table: CongratulationTable,
        responses: dict[str, tuple[Variant, ...]],
        rng: random.Random,
        now: datetime,
    ) -> None:
        self.table, self.responses, self.rng, self.now = table, responses, rng, now
        self.batch = Batch()
        # Sender ids real consumers chose: a demo consumer never takes one.
        self.taken: set[str] = set()
        self.counts = {"fields": 0, "reviews": 0, "thanks": 0}

    def consumer(self, consumer_id: int, number: int) -> None:
        rng = self.rng
        created = self.now - timedelta(days=rng.uniform(1, 540), minutes=rng.uniform(0, 1440))
        channel = _weighted(rng, CHANNELS)
        self.batch.consumers.append(
            {
                "id": consumer_id,
                "channel": channel,
                "sender_id": self._sender_id(number),
                "external_id": None,
                "created_at": created,
                "is_demo": True,
            }  # fmt: skip
        )
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        thanks = _Thanks(self, consumer_id)
        stored = self._profile(consumer_id, first, last, created, thanks)
        if stored and rng.random() < 0.25:
            confirmed = self._later(max(stored.values()))
            if confirmed is not None:
                for row in self._field_rows(consumer_id):
                    row["confirmed_at"] = confirmed
                values = {"first_name": first if "first_name" in stored else None,
                          "completeness": completeness(stored)}  # fmt: skip
                thanks.add(
                    "data_confirmed", Occasion("data_confirmed"), values, confirmed, "confirm"
                )
        if rng.random() < 0.40:
            self._reviews(consumer_id, channel, first if "first_name" in stored else None,
                          created, thanks)  # fmt: skip

    def _sender_id(self, number: int) -> str:
        sender = f"{PREFIX}{number:07d}"
        while sender in self.taken:
            sender += "-demo"
        return sender

    def _later(self, after: datetime) -> datetime | None:
        moment = after + timedelta(days=self.rng.expovariate(1 / 90))
        return moment if moment < self.now else None

    def _field_rows(self, consumer_id: int) -> Iterator[dict[str, Any]]:
        """This consumer's field rows (still in the batch: it is flushed between consumers)."""
        for row in reversed(self.batch.fields):
            if row["consumer_id"] != consumer_id:
                break
            yield row

    def _values(self, step: str, first: str, last: str) -> dict[str, str]:
        rng = self.rng
        if step == "first_name":
            return {"first_name": first}
        if step == "email":
            domain = _weighted(rng, MAIL_DOMAINS)
            suffix = rng.choice(["", "", str(rng.randint(1, 99)), str(rng.randint(1960, 2005))])
            return {"email": f"{_plain(first)}.{last}{suffix}@{domain}"}
        if step == "phone":
            prefix = rng.choice(MOBILE_PREFIXES)
            return {"phone": f"+33{prefix}{rng.randint(0, 9_999_999):07d}"}
        if step == "birthday":
            born = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 56 * 365))
            return {"birthday": born.date().isoformat()}
        if step == "city":
            city, code = rng.choice(CITIES)
            return {"city": city, "postal_code": code}
        if step == "interests":
            return {"interests": ", ".join(rng.sample(INTERESTS, rng.randint(1, 3)))}
        return {"contact_channel": _weighted(rng, CONTACT_CHANNELS)}

    def _profile(
        self, consumer_id: int, first: str, last: str, created: datetime, thanks: _Thanks
    ) -> dict[str, datetime]:
        """The profile form, step by step, until the consumer stops; field -> entered at."""
        rng = self.rng
        stored: dict[str, datetime] = {}
        if rng.random() > STARTS_PROFILE:
            return stored
        moment = created
        for step in FORM_STEPS:
            if rng.random() > CONTINUE:
                # Some come back weeks later to finish, most never do.
                resumed = self._later(moment) if rng.random() < 0.3 else None
                if resumed is None:
                    break
                moment = resumed
            if rng.random() < 0.05:
                continue  # "passer"
            moment += timedelta(seconds=rng.uniform(8, 60))
            if moment >= self.now:
                break
            values = self._values(step, first, last)
            before = completeness(stored)
            for name, value in values.items():
                stored[name] = moment
                self.batch.fields.append(
                    {
                        "consumer_id": consumer_id,
                        "field": name,
                        "value": value,
                        "source": "chat",
                        "updated_at": moment,
                        "confirmed_at": None,
                    }  # fmt: skip
                )
                self.counts["fields"] += 1
            after = completeness(stored)
            occasion = Occasion(
                "field_saved", field=step,
                milestone=crossed_milestone(before, after, self.table.milestones),
            )  # fmt: skip
            label = self.table.field_labels.get(step, step)
            known_first = first if "first_name" in stored else None
            values_said = {"first_name": known_first, "completeness": after, "field_label": label}
            thanks.add("field_saved", occasion, values_said, moment, f"field:{step}")
        return stored

    def _reviews(
        self, consumer_id: int, channel: str, first: str | None, created: datetime, thanks: _Thanks
    ) -> None:
        rng = self.rng
        moment = created
        reviewed: set[str | None] = set()
        for count in range(1, _weighted(rng, REVIEWS_PER_REVIEWER) + 1):
            later = self._later(moment)
            if later is None:
                return
            moment = later
            rating = _weighted(rng, RATINGS)
            band = "high" if rating == 5 else "middle" if rating >= 3 else "low"
            product = rng.choice(PRODUCTS) if rng.random() < 0.8 else None
            key = product_key(product)
            same_before = key is not None and key in reviewed
            reviewed.add(key)
            self.batch.reviews.append(
                {
                    "consumer_id": consumer_id, "event_key": f"demo:review:{count}",
                    "rating": rating, "text": rng.choice(REVIEW_TEXTS[band]),
                    "product": product, "product_key": key, "channel": channel,
                    # The demo's products stand for a catalogue: the report counts per product.
                    "product_id": slug(product) if product else None,
                    "created_at": moment,
                    "improvement": rng.choice(IMPROVEMENTS)
                    if band == "middle" and rng.random() < 0.55 else None,
                    "followup_requested_at": moment + timedelta(minutes=1)
                    if band == "low" and rng.random() < 0.45 else None,
                }
            )  # fmt: skip
            self.counts["reviews"] += 1
            occasion = Occasion("review", rating=rating, review_count=count,
                                same_product_before=same_before)  # fmt: skip
            values = {"first_name": first, "rating": rating, "review_count": count,
                      "product": product or ""}  # fmt: skip
            thanks.add("review", occasion, values, moment, f"review:{count}")


class _Thanks:
    """Merci's thank-yous to one consumer: the table's choice, never the same twice in a row."""

    def __init__(self, writer: DemoWriter, consumer_id: int) -> None:
        self.writer, self.consumer_id = writer, consumer_id
        self.last: tuple[str, int] | None = None

    def add(self, kind: str, occasion: Occasion, values: dict[str, Any], at: datetime,
            key: str) -> None:  # fmt: skip
        writer = self.writer
        response = writer.table.choose(occasion)
        avoid = self.last[1] if self.last and self.last[0] == response else None
        variant = choose_variant(writer.responses[response], values, avoid)
        writer.batch.thanks.append(
            {
                "consumer_id": self.consumer_id,
                "event_key": f"demo:{key}",
                "kind": kind,
                "response": response,
                "variant": variant.index,
                "text": render(response, variant, values).text,
                "created_at": at,
            }  # fmt: skip
        )
        writer.counts["thanks"] += 1
        self.last = (response, variant.index)


def generate(
    engine: Engine,
    table: CongratulationTable,
    responses: dict[str, tuple[Variant, ...]],
    consumers: int,
    seed: int = 2026,
    now: datetime | None = None,
    progress: Any = None,
) -> DemoCounts:
    """Replace the demo data with ``consumers`` new demo consumers, in one transaction.

    StorageError if the database fails; then nothing has changed.
    """
    now = now or utcnow().replace(hour=0, minute=0, second=0, microsecond=0)

    def work(session: Session) -> DemoCounts:
        # A fresh writer on each attempt: transaction() may run this twice.
        writer = DemoWriter(table, responses, random.Random(seed), now)
        demo_queries.remove_demo_consumers(session)
        writer.taken = demo_queries.real_sender_ids(session, PREFIX)
        first_id = demo_queries.next_consumer_id(session)
        for number in range(consumers):
            writer.consumer(first_id + number, number + 1)
            if len(writer.batch) >= CHUNK:
                writer.batch.flush(session)
                if progress:
                    progress(number + 1, consumers)
        writer.batch.flush(session)
        return DemoCounts(consumers, writer.counts["fields"], writer.counts["reviews"],
                          writer.counts["thanks"])  # fmt: skip

    counts = transaction(work, engine)
    if progress:
        progress(consumers, consumers)
    return counts


def run_demo_data(
    consumers: int, seed: int, now: datetime | None = None, database_url: str | None = None
) -> int:
    """``python -m bot demo-data``: migrate, replace the demo data, say what was made."""
    from bot.config import get_settings
    from bot.domain.congratulations import load_table
    from bot.domain.wording import load_responses
    from bot.storage.engine import build_engine
    from bot.storage.migrate import upgrade
    from bot.tools.invisible_work.formatting import number

    settings = get_settings()
    url = database_url or settings.database_url
    upgrade(url)
    responses = load_responses(settings.domain_path)
    table = load_table(settings.congratulations_path, responses)

    def progress(done: int, total: int) -> None:
        if sys.stdout.isatty():
            print(f"\r  {number(done)} / {number(total)} consommateurs", end="", flush=True)

    print(f"Données de démonstration : {number(consumers)} consommateurs (graine {seed})")
    counts = generate(build_engine(url), table, responses, consumers, seed, now, progress)
    print(
        f"\r{number(counts.fields)} informations, {number(counts.reviews)} avis et "
        f"{number(counts.thanks)} remerciements enregistrés ; les données de démonstration "
        "précédentes ont été remplacées. Voyez le rapport : make report"
    )
    return 0
