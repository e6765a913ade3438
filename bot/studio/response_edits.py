"""A marketer's edit of one response: texts, button titles, buttons added or removed,
variants added (for every channel or for one) or removed. Checked whole before anything
is written: a refused edit changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.domain.typography import frenchify
from bot.integrations.messenger_api import BUTTONS_LIMIT, cut_title
from bot.studio.nlu_files import intents as nlu_intents
from bot.studio.roundtrip import load
from bot.tools.content.responses import MESSENGER_QUICK_REPLIES, MESSENGER_TEXT, MESSENGER_TITLE

# The output channels' names (Rasa's ``channel:`` key), as Merci's channels send them:
# bot/channels/messenger.py and Rasa's socket.io output that the website widget uses.
CHANNELS = {"facebook": "Messenger", "socketio": "le site web"}
# Intents the brand's systems trigger (domain.yml says so): no consumer taps them.
SYSTEM_PREFIX = "EXTERNAL_"


@dataclass(frozen=True)
class IntentChoice:
    """An intent a new button may send, with what it means for a marketer."""

    name: str
    description: str

    @property
    def payload(self) -> str:
        return f"/{self.name}"


def button_choices(root: Path) -> list[IntentChoice]:
    """The domain's intents a consumer can send, described as in the inbox."""
    domain = load(root / "domain.yml").data
    described = nlu_intents(root)
    names = [str(next(iter(i))) if isinstance(i, dict) else str(i) for i in domain["intents"]]
    return [
        IntentChoice(name, described[name].description if name in described else "")
        for name in names
        if not name.startswith(SYSTEM_PREFIX)
    ]


class Refusal(Enum):
    """Why an edit is refused; each worded once, in French, in :data:`WORDING`."""

    EMPTY_TITLE = "empty_title"
    UNTITLED_NEW = "untitled_new"
    LONG_TITLE = "long_title"
    NO_INTENT = "no_intent"
    UNKNOWN_INTENT = "unknown_intent"
    TOO_MANY_BUTTONS = "too_many_buttons"
    UNKNOWN_CHANNEL = "unknown_channel"
    EMPTY_VARIANT = "empty_variant"
    LAST_VARIANT = "last_variant"


WORDING = {
    Refusal.EMPTY_TITLE: "le bouton {button} de la variante {variant} n'a pas de titre : "
    "donnez-lui un titre, ou retirez-le",
    Refusal.UNTITLED_NEW: "donnez un titre au nouveau bouton de la variante {variant} : "
    "c'est ce que le consommateur lira",
    Refusal.LONG_TITLE: "le titre « {title} » (bouton {button} de la variante {variant}) fait "
    "{length} caractères ; Messenger en affiche {limit} au plus : raccourcissez-le",
    Refusal.NO_INTENT: "choisissez ce que le nouveau bouton de la variante {variant} envoie "
    "(une intention de la liste)",
    Refusal.UNKNOWN_INTENT: "l'intention « {intent} » n'existe pas dans domain.yml : "
    "choisissez-en une de la liste",
    Refusal.TOO_MANY_BUTTONS: "la variante {variant} aurait {count} boutons ; Messenger en "
    "affiche {limit} au plus : retirez-en un avant d'en ajouter un autre",
    Refusal.UNKNOWN_CHANNEL: "le canal « {channel} » n'est pas un canal de Merci "
    "(Messenger ou le site web)",
    Refusal.EMPTY_VARIANT: "écrivez le texte de la nouvelle variante avant de l'ajouter",
    Refusal.LAST_VARIANT: "il faut garder au moins une variante pour tous les canaux : "
    "sans elle, Merci ne dirait rien sur les autres canaux",
}


class EditRefused(ValueError):
    """The edit is refused (nothing was written); ``message`` says why, in French."""

    def __init__(self, reason: Refusal, **fields: Any) -> None:
        super().__init__(reason.value)
        self.reason, self.fields = reason, fields

    @property
    def message(self) -> str:
        said = WORDING[self.reason].format(**self.fields)
        return frenchify(said[0].upper() + said[1:] + ". Rien n'a été enregistré.")


@dataclass(frozen=True)
class VariantEdit:
    """What the form says of one existing variant."""

    text: str
    # The titles typed for its buttons, by position; a button not given keeps its title.
    titles: Mapping[int, str] = field(default_factory=dict)
    removed_buttons: frozenset[int] = frozenset()
    new_title: str = ""
    new_intent: str = ""
    removed: bool = False


@dataclass(frozen=True)
class ResponseEdit:
    variants: tuple[VariantEdit, ...]
    new_text: str = ""
    new_channel: str | None = None
    # True when the marketer asked for the new variant (a channel's "Ajouter" button).
    adding: bool = False
    choices: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ButtonPlan:
    """A variant's buttons after the edit: which go, the titles of those that stay, the new one."""

    removed: frozenset[int]
    titles: tuple[str, ...]
    added: CommentedMap | None


def _plan_buttons(
    number: int, current: list[Any], edit: VariantEdit, choices: frozenset[str]
) -> ButtonPlan:
    titles = []
    for index, button in enumerate(current):
        if index in edit.removed_buttons:
            continue
        title = frenchify(edit.titles.get(index, str(button.get("title", ""))).strip())
        if not title:
            raise EditRefused(Refusal.EMPTY_TITLE, button=index + 1, variant=number)
        _check_title(title, index + 1, number)
        titles.append(title)
    added = _new_button(number, len(titles), edit, choices)
    return ButtonPlan(frozenset(edit.removed_buttons), tuple(titles), added)


def _check_title(title: str, button: int, variant: int) -> None:
    if len(title) > MESSENGER_TITLE:
        raise EditRefused(
            Refusal.LONG_TITLE,
            title=title,
            button=button,
            variant=variant,
            length=len(title),
            limit=MESSENGER_TITLE,
        )


def _new_button(
    number: int, count: int, edit: VariantEdit, choices: frozenset[str]
) -> CommentedMap | None:
    # make check's typography rule is mechanical: applied here, not left for a refusal.
    title, intent = frenchify(edit.new_title.strip()), edit.new_intent.strip()
    if not title and not intent:
        return None
    if not title:
        raise EditRefused(Refusal.UNTITLED_NEW, variant=number)
    if not intent:
        raise EditRefused(Refusal.NO_INTENT, variant=number)
    if intent not in choices:
        raise EditRefused(Refusal.UNKNOWN_INTENT, intent=intent)
    _check_title(title, count + 1, number)
    if count + 1 > MESSENGER_QUICK_REPLIES:
        raise EditRefused(
            Refusal.TOO_MANY_BUTTONS, variant=number, count=count + 1, limit=MESSENGER_QUICK_REPLIES
        )
    button = CommentedMap()
    button["title"] = DoubleQuotedScalarString(title)
    button["payload"] = DoubleQuotedScalarString(f"/{intent}")
    return button


def _set_buttons(variant: Any, plan: ButtonPlan) -> None:
    """Write the plan in place: the buttons that stay keep their payload and comments."""
    buttons = variant.get("buttons")
    for index in sorted(plan.removed, reverse=True):
        if buttons is not None and index < len(buttons):
            del buttons[index]
    for button, title in zip(buttons or [], plan.titles, strict=False):
        if str(button.get("title", "")) != title:
            button["title"] = DoubleQuotedScalarString(title)
    if plan.added is not None:
        if buttons is None:
            variant["buttons"] = buttons = CommentedSeq()
        buttons.append(plan.added)
    if buttons is not None and not buttons:
        del variant["buttons"]


def _set_text(variant: Any, typed: str) -> None:
    """A changed text keeps the quotes the file gave the old one. A browser has no key
    for U+202F: the studio puts French spacing in itself."""
    old, text = variant.get("text"), frenchify(typed)
    if old != text:
        quoted = isinstance(old, DoubleQuotedScalarString) or old is None
        variant["text"] = DoubleQuotedScalarString(text) if quoted else text


def _new_variant(edit: ResponseEdit) -> CommentedMap | None:
    text = edit.new_text.strip()
    if edit.new_channel is not None and edit.new_channel not in CHANNELS:
        raise EditRefused(Refusal.UNKNOWN_CHANNEL, channel=edit.new_channel)
    if not text:
        if edit.adding:
            raise EditRefused(Refusal.EMPTY_VARIANT)
        return None
    variant = CommentedMap()
    if edit.new_channel:
        variant["channel"] = edit.new_channel
    variant["text"] = DoubleQuotedScalarString(frenchify(text))
    return variant


def apply(variants: Any, edit: ResponseEdit) -> None:
    """Change ``variants`` (domain.yml's, round-trip) as ``edit`` says, or raise
    :class:`EditRefused` before changing anything."""
    plans: dict[int, tuple[str, ButtonPlan]] = {}
    for index, (variant, wanted) in enumerate(zip(variants, edit.variants, strict=False)):
        if not wanted.removed and wanted.text.strip():
            buttons = list(variant.get("buttons") or [])
            plans[index] = (wanted.text, _plan_buttons(index + 1, buttons, wanted, edit.choices))
    added = _new_variant(edit)
    staying = [v for i, v in enumerate(variants) if i in plans or i >= len(edit.variants)]
    if not any("channel" not in v for v in staying + ([added] if added is not None else [])):
        raise EditRefused(Refusal.LAST_VARIANT)
    for index, (text, plan) in plans.items():
        _set_text(variants[index], text)
        _set_buttons(variants[index], plan)
    for index in reversed(range(min(len(variants), len(edit.variants)))):
        if index not in plans:
            del variants[index]
    if added is not None:
        variants.append(added)


def title_warnings(buttons: list[dict[str, Any]]) -> list[str]:
    """What Messenger will not show of the buttons' titles (its channel's own cut)."""
    return [
        frenchify(
            f"Messenger n'affichera que les {MESSENGER_TITLE} premiers caractères : "
            f"« {cut_title(str(b.get('title', '')))} » au lieu de « {b.get('title')} »"
        )
        for b in buttons
        if len(str(b.get("title", "")).strip()) > MESSENGER_TITLE
    ]


def length_warnings(text: str, messages: int, buttons: int) -> list[str]:
    """What Messenger will do with a long text or many buttons, said before publishing."""
    said = []
    if len(text.strip()) > MESSENGER_TEXT:
        said.append(
            f"Ce texte fait {len(text.strip())} caractères : Messenger l'enverra en "
            f"{messages} messages ({MESSENGER_TEXT} caractères au plus chacun) et la "
            "publication le refusera ; raccourcissez-le ou coupez-le en deux réponses."
        )
    if buttons > BUTTONS_LIMIT:
        said.append(
            f"Au-delà de {BUTTONS_LIMIT} boutons, Messenger les montre en réponses rapides "
            f"sous le message ({MESSENGER_QUICK_REPLIES} au plus)."
        )
    return [frenchify(s) for s in said]
