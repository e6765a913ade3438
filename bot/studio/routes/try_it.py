"""Try it: talk to the running model from the studio (its conversations never reach the
inbox: their sender ids carry the studio's prefix)."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.storage.studio_queries import STUDIO_SENDER_PREFIX
from bot.studio import rasa_client
from bot.studio.web import checked_form, config, login_required, page


def sender(request: Request) -> str:
    if "try_sender" not in request.session:
        request.session["try_sender"] = STUDIO_SENDER_PREFIX + secrets.token_hex(8)
    return str(request.session["try_sender"])


@login_required(editor=True)
async def chat_page(request: Request) -> Response:
    return page(request, "try.html")


@login_required(editor=True)
async def say(request: Request) -> Response:
    form = await checked_form(request)
    text = str(form.get("message") or "").strip()[:1000]
    studio = config(request)
    try:
        answers = await run_in_threadpool(
            rasa_client.say, studio.rasa_url, sender(request), text, studio.rest_token
        )
        error = ""
    except rasa_client.RasaUnreachable as unreachable:
        answers, error = [], f"Merci ne répond pas : {unreachable}."
    return page(request, "_turn.html", said=text, answers=answers, error=error)


def routes() -> list[Route]:
    return [
        Route("/essayer", chat_page, methods=["GET"]),
        Route("/essayer", say, methods=["POST"]),
    ]
