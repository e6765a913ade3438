"""What a consumer typed, as a marketer sees it in the studio's inbox: names, order numbers
and postal codes masked, ordinary French left as it was."""

from __future__ import annotations

import pytest

from bot.domain.masking import mask_personal_data


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("je m'appelle Julie Martin", "je m'appelle <prénom> <nom>"),
        ("je m’appelle julie martin", "je m’appelle <prénom> <nom>"),
        ("c'est Paul Durand à l'appareil", "c'est <prénom> <nom> à l'appareil"),
        ("paul durand à l'appareil, ma commande ?", "<prénom> <nom> à l'appareil, ma commande ?"),
        ("mon nom est Durand", "mon nom est <nom>"),
        ("mon nom est Paul Durand", "mon nom est <prénom> <nom>"),
        ("Ici Sophie, je voulais dire merci", "Ici <prénom>, je voulais dire merci"),
        ("Je suis Julie", "Je suis <prénom>"),
        ("Bonjour, je suis Mme Martin", "Bonjour, je suis Mme <nom>"),
        ("prénom : Élodie", "prénom : <prénom>"),
        ("moi c'est Marc-Antoine", "moi c'est <prénom>"),
        ("je m'appelle Paul de La Tour", "je m'appelle <prénom> <nom>"),
        ("Je suis Jeanne d'Arc, cliente", "Je suis <prénom> <nom>, cliente"),
        ("je suis Julie de la boutique", "je suis <prénom> de la boutique"),
        (
            "je m'appelle julie et je voudrais laisser un avis",
            "je m'appelle <prénom> et je voudrais laisser un avis",
        ),
    ],
)
def test_a_consumers_names_are_masked(typed: str, shown: str):
    assert mask_personal_data(typed) == shown


@pytest.mark.parametrize(
    "typed",
    [
        "je suis ravie",
        "je suis très déçue par la livraison",
        "je suis en colère",
        "moi c'est pareil",
        "c'est nul",
        "c'est moi à l'appareil",
        "ici la livraison est lente",
        "appelez-moi demain",
        "je veux laisser un avis",
    ],
)
def test_ordinary_french_is_not_taken_for_a_name(typed: str):
    assert mask_personal_data(typed) == typed


def test_a_name_is_masked_alongside_the_other_personal_data():
    typed = "je suis Marie-Hélène Dupont, commande 45678, écrivez à mh.dupont@exemple.fr"
    assert (
        mask_personal_data(typed) == "je suis <prénom> <nom>, commande <numéro>, écrivez à <email>"
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("commande 12345 pas reçue", "commande <numéro> pas reçue"),
        ("ma commande n° 123456 est en retard", "ma commande n° <numéro> est en retard"),
        ("référence : 98765", "référence : <numéro>"),
        ("livraison au 75011 Paris", "livraison au <code postal> Paris"),
    ],
)
def test_an_order_number_is_masked_as_a_number_and_a_postal_code_stays_masked(
    typed: str, shown: str
):
    assert mask_personal_data(typed) == shown


def test_a_sum_or_a_count_of_points_is_not_a_postal_code():
    assert mask_personal_data("j'ai 15000 points et payé 12000 euros") == (
        "j'ai 15000 points et payé 12000 euros"
    )


def test_masking_twice_changes_nothing_more():
    once = mask_personal_data("je m'appelle Julie Martin, commande 12345")
    assert mask_personal_data(once) == once
