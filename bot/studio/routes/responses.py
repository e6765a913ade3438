"""Responses: every response of domain.yml, edited with a live check and preview."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.studio import responses
from bot.studio.web import checked_form, config, login_required, page, record


@login_required(editor=True)
async def response_list(request: Request) -> Response:
    return page(request, "responses.html", topics=responses.by_topic(config(request).root))


def _found(request: Request) -> responses.Response:
    found = responses.read(config(request).root, request.path_params["name"])
    if found is None:
        raise HTTPException(404, "Cette réponse n'existe pas (ou plus) dans domain.yml.")
    return found


def _preview(request: Request, text: str, buttons: list[Any], index: int = 0) -> dict[str, Any]:
    name = request.path_params["name"]
    return {
        "problems": responses.typing_problems(config(request).root, name, text, index + 1),
        "messenger": responses.messenger_preview(text, buttons),
        "widget": responses.widget_preview(text, buttons),
    }


@login_required(editor=True)
async def edit(request: Request) -> Response:
    found = _found(request)
    previews = [
        _preview(request, str(v.get("text", "")), v.get("buttons") or []) for v in found.variants
    ]
    # The last publish's messages about this response, shown next to the variant they name.
    checked = found.problems_at(request.app.state.publisher.progress.problems)
    return page(
        request,
        "response.html",
        response=found,
        previews=previews,
        checked=checked,
        saved=request.query_params.get("enregistre"),
    )


@login_required(editor=True)
async def preview(request: Request) -> Response:
    """As the marketer types: the check's message for a wrong placeholder, the Messenger view."""
    form = await checked_form(request)
    found = _found(request)
    index = int(str(form.get("index") or 0))
    buttons = found.variants[index].get("buttons") or [] if index < len(found.variants) else []
    text = str(form.get(f"text_{index}") or "")
    shown = _preview(request, text, buttons, index)
    return page(request, "_preview.html", preview=shown, index=index)


@login_required(editor=True)
async def save(request: Request) -> Response:
    form = await checked_form(request)
    found = _found(request)
    count = len(found.variants) + 1  # the existing variants and one new
    texts = [str(form.get(f"text_{i}") or "") for i in range(count)]
    titles = {
        (i, j): str(form.get(f"button_{i}_{j}") or "")
        for i, variant in enumerate(found.variants)
        for j in range(len(variant.get("buttons") or []))
    }
    try:
        responses.save(
            config(request).root, found.name, texts, str(form.get("version") or ""), titles
        )
    except responses.SaveConflict as conflict:
        previews = [
            _preview(request, str(v.get("text", "")), v.get("buttons") or [])
            for v in found.variants
        ]
        return page(
            request, "response.html", 409, response=found, previews=previews, theirs=conflict.theirs
        )
    record(request, "response_edit", f"réponse {found.name} modifiée (domain.yml)")
    return RedirectResponse(f"/reponses/{found.name}?enregistre=1", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/reponses", response_list, methods=["GET"]),
        Route("/reponses/{name:str}", edit, methods=["GET"]),
        Route("/reponses/{name:str}", save, methods=["POST"]),
        Route("/reponses/{name:str}/apercu", preview, methods=["POST"]),
    ]
