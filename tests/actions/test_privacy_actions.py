"""Privacy requests made in the middle of the profile form."""

from __future__ import annotations

from merci_action_helpers import responses_said, slot_values

from actions.privacy import ActionOfferErasure

FORM = "profile_form"


async def test_supprimez_mes_donnees_during_the_form_stops_it_so_oui_confirms_the_erasure(
    tracker_for, dispatcher, domain
):
    # Merci asked for an e-mail; the consumer answers « Supprimez mes données ».
    tracker = tracker_for(
        "Supprimez mes données", "erase_my_data", slots={"requested_slot": "email"},
        active_loop=FORM,
    )  # fmt: skip

    events = await ActionOfferErasure().run(dispatcher, tracker, domain)

    assert responses_said(dispatcher) == ["utter_confirm_erasure"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"pending_offer": "erase_data", "requested_slot": None}
    assert [e["name"] for e in events if e["event"] == "active_loop"] == [None]


async def test_outside_a_form_the_erasure_offer_touches_no_form(tracker_for, dispatcher, domain):
    events = await ActionOfferErasure().run(
        dispatcher, tracker_for("Supprimez mes données", "erase_my_data"), domain
    )

    assert slot_values(events) == {"pending_offer": "erase_data"}
    assert all(event["event"] != "active_loop" for event in events)
