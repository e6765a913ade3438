"""Essayer: talk to the draft (the model being edited, saved but not published), served by
the studio's own Rasa server (:mod:`bot.studio.draft`), never to the one consumers use."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.storage.studio_queries import STUDIO_SENDER_PREFIX
from bot.studio import rasa_client
from bot.studio.draft import Draft
from bot.studio.web import checked_form, login_required, page, record


def draft(request: Request) -> Draft:
    return request.app.state.draft  # type: ignore[no-any-return]


def sender(request: Request) -> str:
    if "try_sender" not in request.session:
        request.session["try_sender"] = STUDIO_SENDER_PREFIX + secrets.token_hex(8)
    return str(request.session["try_sender"])


@login_required(editor=True)
async def chat_page(request: Request) -> Response:
    current = draft(request)
    return page(request, "try.html", draft=current.state(), progress=current.progress)


@login_required(editor=True)
async def prepare(request: Request) -> Response:
    await checked_form(request)
    if draft(request).start():
        record(request, "try", "essai en préparation")
    return page(request, "_draft_progress.html", progress=draft(request).progress)


@login_required(editor=True)
async def progress(request: Request) -> Response:
    current = draft(request).progress
    response = page(request, "_draft_progress.html", progress=current)
    if current.succeeded and not current.running:
        # Ready: the whole page again, with the conversation open.
        response.headers["HX-Refresh"] = "true"
    return response


@login_required(editor=True)
async def say(request: Request) -> Response:
    form = await checked_form(request)
    text = str(form.get("message") or "").strip()[:1000]
    # A button sends its payload; the conversation shows its title, as the widget does.
    said = str(form.get("title") or text)[:200]
    current = draft(request)
    answers: list[dict[str, object]] = []
    if not current.state().ready:
        error = "L'essai n'est pas prêt : cliquez sur « Préparer l'essai »."
    else:
        try:
            answers = await run_in_threadpool(current.say, sender(request), text)
            error = ""
        except rasa_client.RasaUnreachable as unreachable:
            error = f"Le modèle d'essai ne répond pas : {unreachable}."
    return page(request, "_turn.html", said=said, answers=answers, error=error)


@login_required(editor=True)
async def restart(request: Request) -> Response:
    await checked_form(request)
    request.session.pop("try_sender", None)
    return page(request, "_turn.html", said="", answers=[], error="", restarted=True)


def routes() -> list[Route]:
    return [
        Route("/essayer", chat_page, methods=["GET"]),
        Route("/essayer", say, methods=["POST"]),
        Route("/essayer/preparer", prepare, methods=["POST"]),
        Route("/essayer/etat", progress, methods=["GET"]),
        Route("/essayer/recommencer", restart, methods=["POST"]),
    ]
