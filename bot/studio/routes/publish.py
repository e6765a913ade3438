"""Publish: check, train with a progress bar, load into the running Merci, record."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.studio.publish import Publisher
from bot.studio.web import checked_form, login_required, page, record


def publisher(request: Request) -> Publisher:
    return request.app.state.publisher  # type: ignore[no-any-return]


@login_required()
async def publish_page(request: Request) -> Response:
    return page(
        request,
        "publish.html",
        progress=publisher(request).progress,
        restored=request.query_params.get("restaure"),
    )


@login_required(editor=True)
async def publish(request: Request) -> Response:
    await checked_form(request)
    if publisher(request).start(request.session["user"]):
        record(request, "publish", "publication lancée")
    return page(request, "_progress.html", progress=publisher(request).progress)


@login_required()
async def progress(request: Request) -> Response:
    return page(request, "_progress.html", progress=publisher(request).progress)


def routes() -> list[Route]:
    return [
        Route("/publier", publish_page, methods=["GET"]),
        Route("/publier", publish, methods=["POST"]),
        Route("/publier/etat", progress, methods=["GET"]),
    ]
