"""Responses: every response of domain.yml, edited with a live check and preview."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.studio import response_edits, responses
from bot.studio.response_edits import ResponseEdit, VariantEdit
from bot.studio.web import checked_form, config, login_required, page, record


@login_required(editor=True)
async def response_list(request: Request) -> Response:
    return page(request, "responses.html", topics=responses.by_topic(config(request).root))


def _found(request: Request) -> responses.Response:
    found = responses.read(config(request).root, request.path_params["name"])
    if found is None:
        raise HTTPException(404, "Cette réponse n'existe pas (ou plus) dans domain.yml.")
    return found


def _preview(
    request: Request, variant: dict[str, Any], buttons: list[Any] | None = None, index: int = 0
) -> dict[str, Any]:
    """What each channel shows of ``variant`` (only its own channel, for a per-channel one),
    with the check's messages and what Messenger will cut."""
    name, text = request.path_params["name"], str(variant.get("text") or "")
    buttons = list(variant.get("buttons") or []) if buttons is None else buttons
    channel = variant.get("channel")
    messenger = responses.messenger_preview(text, buttons) if channel != "socketio" else []
    warnings = response_edits.title_warnings(buttons) if channel != "socketio" else []
    if channel != "socketio":
        warnings += response_edits.length_warnings(text, len(messenger), len(buttons))
    return {
        "problems": responses.typing_problems(config(request).root, name, text, index + 1),
        "channel": channel,
        "warnings": warnings,
        "messenger": messenger,
        "widget": responses.widget_preview(text, buttons) if channel != "facebook" else [],
    }


def _previews(request: Request, variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_preview(request, v, index=i) for i, v in enumerate(variants)]


def _form_page(
    request: Request, found: responses.Response, status_code: int = 200, **context: Any
) -> Response:
    variants = context.pop("shown", found.variants)
    return page(
        request,
        "response.html",
        status_code,
        response=found,
        variants=variants,
        previews=_previews(request, variants),
        choices=response_edits.button_choices(config(request).root),
        channels=response_edits.CHANNELS,
        **context,
    )


@login_required(editor=True)
async def edit(request: Request) -> Response:
    found = _found(request)
    # The last publish's messages about this response, shown next to the variant they name.
    checked = found.problems_at(request.app.state.publisher.progress.problems)
    return _form_page(request, found, checked=checked, saved=request.query_params.get("enregistre"))


def _typed_buttons(
    form: FormData, index: int, variant: dict[str, Any], with_new: bool = True
) -> list[dict[str, Any]]:
    """The variant's buttons as the form has them now (a new one included once titled)."""
    buttons = [
        {**b, "title": str(form.get(f"button_{index}_{j}", b.get("title", "")))}
        for j, b in enumerate(variant.get("buttons") or [])
    ]
    title = str(form.get(f"new_title_{index}") or "").strip()
    if title and with_new:
        buttons.append({"title": title, "payload": f"/{form.get(f'new_intent_{index}') or ''}"})
    return buttons


@login_required(editor=True)
async def preview(request: Request) -> Response:
    """As the marketer types: the check's message for a wrong placeholder, the Messenger view."""
    form = await checked_form(request)
    found = _found(request)
    given = str(form.get("index") or "0")
    index = int(given) if given.isdigit() else 0
    variant = found.variants[index] if index < len(found.variants) else {}
    typed = {**variant, "text": str(form.get(f"text_{index}") or "")}
    shown = _preview(request, typed, _typed_buttons(form, index, variant), index)
    return page(request, "_preview.html", preview=shown, index=index)


def _edit_of(form: FormData, found: responses.Response, choices: frozenset[str]) -> ResponseEdit:
    """The marketer's edit as the form sends it (whichever button was pressed)."""
    remove_button = str(form.get("retirer_bouton") or "")
    variants = []
    for i, variant in enumerate(found.variants):
        count = len(variant.get("buttons") or [])
        titles = {
            j: str(form[f"button_{i}_{j}"]) for j in range(count) if f"button_{i}_{j}" in form
        }
        variants.append(
            VariantEdit(
                text=str(form.get(f"text_{i}") or ""),
                titles=titles,
                removed_buttons=frozenset(j for j in range(count) if remove_button == f"{i}_{j}"),
                new_title=str(form.get(f"new_title_{i}") or ""),
                new_intent=str(form.get(f"new_intent_{i}") or ""),
                removed=str(form.get("retirer_variante") or "") == str(i),
            )
        )
    channel = form.get("nouvelle_variante")
    return ResponseEdit(
        tuple(variants),
        new_text=str(form.get(f"text_{len(found.variants)}") or ""),
        new_channel=str(channel) if channel and channel != "tous" else None,
        adding=channel is not None,
        choices=choices,
    )


def _as_typed(form: FormData, found: responses.Response) -> list[dict[str, Any]]:
    """The variants with what the marketer typed, to show again after a refusal."""
    return [
        {
            **v,
            "text": str(form.get(f"text_{i}") or ""),
            "buttons": _typed_buttons(form, i, v, False),
        }
        for i, v in enumerate(found.variants)
    ]


@login_required(editor=True)
async def save(request: Request) -> Response:
    form = await checked_form(request)
    found = _found(request)
    root = config(request).root
    choices = frozenset(c.name for c in response_edits.button_choices(root))
    try:
        edit = _edit_of(form, found, choices)
        responses.save_edit(root, found.name, edit, str(form.get("version") or ""))
    except responses.SaveConflict as conflict:
        return _form_page(request, found, 409, theirs=conflict.theirs)
    except response_edits.EditRefused as refused:
        typed = {
            k: str(v) for k, v in form.items() if k.startswith("new_") or k.startswith("text_")
        }
        return _form_page(
            request, found, 400, refused=refused.message, shown=_as_typed(form, found), typed=typed
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
