"""The inbox: consumer messages Merci did not understand, to assign, set aside or dismiss."""

from __future__ import annotations

from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.inbox import Filters, Group, build_inbox
from bot.storage import studio_queries
from bot.storage.unit_of_work import transaction
from bot.studio.nlu_files import ExampleRefused, add_example, intents
from bot.studio.web import checked_form, config, login_required, page, record

OUT_OF_SCOPE = "out_of_scope"


def _date(value: str | None, end_of_day: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(hour=23, minute=59, second=59) if end_of_day else day


def _confidence(value: str | None) -> float | None:
    try:
        return max(0.0, min(1.0, float(value or "") / 100))
    except ValueError:
        return None


def filters_of(request: Request) -> Filters:
    query = request.query_params
    return Filters(
        intent=query.get("intention") or None,
        max_confidence=_confidence(query.get("confiance_max")),
        channel=query.get("canal") or None,
        since=_date(query.get("depuis")),
        until=_date(query.get("jusqu_au"), end_of_day=True),
    )


def current_inbox(request: Request, filters: Filters | None = None) -> list[Group]:
    def read(session):  # type: ignore[no-untyped-def]
        return studio_queries.consumer_messages(session), studio_queries.decided_keys(session)

    messages, decided = transaction(read, config(request).engine)
    return build_inbox(messages, decided, filters or Filters())


@login_required()
async def inbox(request: Request) -> Response:
    filters = filters_of(request)
    groups = current_inbox(request, filters)
    known = intents(config(request).root)
    return page(
        request,
        "inbox.html",
        groups=groups,
        intents=sorted(known.values(), key=lambda i: i.name),
        channels=sorted({c for g in current_inbox(request) for c in g.channels}),
        filters=request.query_params,
        done=request.query_params.get("fait"),
    )


@login_required()
async def intent_card(request: Request) -> Response:
    """The chosen intent's description and three examples (shown beside the choice)."""
    known = intents(config(request).root).get(request.query_params.get("intention", ""))
    return page(request, "_intent.html", intent=known)


def _group(request: Request) -> Group:
    key = request.path_params["key"]
    found = next((g for g in current_inbox(request) if g.key == key), None)
    if found is None:
        raise HTTPException(404, "Ce message a déjà été traité (rechargez la boîte).")
    return found


def _decide(request: Request, key: str, decision: str, intent: str | None) -> None:
    name = request.session["user"]
    transaction(
        lambda s: studio_queries.decide(s, key, decision, intent, name), config(request).engine
    )


@login_required(editor=True)
async def assign(request: Request) -> Response:
    form = await checked_form(request)
    group = _group(request)
    intent = str(form.get("intention") or "")
    if form.get("action") == "hors_sujet":
        intent = OUT_OF_SCOPE
    try:
        path = add_example(config(request).root, intent, group.text)
    except ExampleRefused as refused:
        return page(request, "inbox_refused.html", 400, message=str(refused))
    decision = "out_of_scope" if intent == OUT_OF_SCOPE else "assigned"
    _decide(request, group.key, decision, intent)
    relative = path.relative_to(config(request).root)
    record(request, "inbox_assign", f"un message ajouté à l'intention {intent} ({relative})")
    return RedirectResponse(f"/boite?fait={decision}", status_code=303)


@login_required(editor=True)
async def dismiss(request: Request) -> Response:
    await checked_form(request)
    group = _group(request)
    _decide(request, group.key, "dismissed", None)
    record(request, "inbox_dismiss", "un message écarté")
    return RedirectResponse("/boite?fait=dismissed", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/boite", inbox, methods=["GET"]),
        Route("/boite/intention", intent_card, methods=["GET"]),
        Route("/boite/{key:str}/attribuer", assign, methods=["POST"]),
        Route("/boite/{key:str}/ignorer", dismiss, methods=["POST"]),
    ]
