"""French typography: the non-breaking spaces a French reader expects."""

from __future__ import annotations

import pytest

from bot.domain.typography import frenchify, typography_problems

NNBSP = "\u202f"  # narrow no-break space: before ! ? ;
NBSP = "\u00a0"  # no-break space: before : » % and after «


@pytest.mark.parametrize(
    ("written", "typeset"),
    [
        ("Bonjour !", f"Bonjour{NNBSP}!"),
        ("Bonjour!", f"Bonjour{NNBSP}!"),
        ("On continue ?", f"On continue{NNBSP}?"),
        ("Merci ; à bientôt", f"Merci{NNBSP}; à bientôt"),
        (f"Bonjour{NBSP}!", f"Bonjour{NNBSP}!"),  # wide space replaced by the narrow one
        ("Note : 5", f"Note{NBSP}: 5"),
        ("Note: 5", f"Note{NBSP}: 5"),
        ("Profil complet à 50 %.", f"Profil complet à 50{NBSP}%."),
        ("Profil complet à 50%.", f"Profil complet à 50{NBSP}%."),
        ("dites « passer »", f"dites «{NBSP}passer{NBSP}»"),
        ("dites «passer»", f"dites «{NBSP}passer{NBSP}»"),
        ("complet à 100 % !", f"complet à 100{NBSP}%{NNBSP}!"),
    ],
)
def test_frenchify_puts_the_right_non_breaking_space(written, typeset):
    assert frenchify(written) == typeset


@pytest.mark.parametrize(
    "url",
    [
        "https://exemple.fr/avis?produit=creme;note=5",
        "http://localhost:5005/webhooks/rest/webhook",
        "https://exemple.fr/a:b?c=50%25!",
    ],
)
def test_frenchify_leaves_urls_untouched(url):
    assert frenchify(f"Donnez votre avis ici : {url} merci !") == (
        f"Donnez votre avis ici{NBSP}: {url} merci{NNBSP}!"
    )


def test_frenchify_leaves_times_and_plain_text_alone():
    assert frenchify("Rendez-vous à 12:30, merci.") == "Rendez-vous à 12:30, merci."


@pytest.mark.parametrize(
    "typeset", [f"Note{NBSP}: 5", f"complet à 62{NBSP}%.", f"dites «{NBSP}passer{NBSP}»."]
)
def test_correct_wide_spaces_are_left_as_they_are(typeset):
    assert frenchify(typeset) == typeset


def test_straight_quotes_are_flagged():
    problems = typography_problems('Dites "passer" pour continuer.')
    assert any("guillemets droits" in p for p in problems), problems


def test_a_missing_space_is_flagged():
    assert typography_problems("Merci !") != []


@pytest.mark.parametrize(
    "typeset",
    [f"Bonjour{NNBSP}!", f"On continue{NNBSP}?", f"Merci{NNBSP}; à bientôt"],
)
def test_correct_french_typography_is_left_as_it_is(typeset):
    assert frenchify(typeset) == typeset
    assert typography_problems(typeset) == []


def test_doubled_punctuation_gets_one_space_before_the_group():
    assert frenchify("Vraiment ?!") == f"Vraiment{NNBSP}?!"


def test_every_response_in_domain_yml_is_typeset_the_french_way(responses):
    offending = {
        f"{name} (variant {variant.index + 1})": problems
        for name, variants in responses.items()
        for variant in variants
        if (problems := typography_problems(variant.text))
    }
    assert offending == {}, "responses with typography problems:\n" + "\n".join(
        f"- {where}: {'; '.join(problems)}" for where, problems in offending.items()
    )
