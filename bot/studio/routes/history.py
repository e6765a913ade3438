"""History: each publish (a git commit), its diff, and going back to a version."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.studio import history
from bot.studio.publish import Publisher
from bot.studio.web import checked_form, config, login_required, page, record


@login_required(editor=True)
async def versions(request: Request) -> Response:
    root = config(request).root
    return page(
        request,
        "history.html",
        repository=history.is_repository(root),
        versions=history.versions(root),
    )


@login_required(editor=True)
async def version(request: Request) -> Response:
    sha = request.path_params["sha"]
    try:
        diff = history.diff(config(request).root, sha)
    except (ValueError, RuntimeError) as error:
        raise HTTPException(404, "Cette version n'existe pas.") from error
    lines = [
        ("add" if line.startswith("+") else "del" if line.startswith("-") else "", line)
        for line in diff.splitlines()
    ]
    return page(request, "version.html", sha=sha, lines=lines)


@login_required(editor=True)
async def restore(request: Request) -> Response:
    """Put a version's files back and publish them (checked, trained, loaded, committed)."""
    await checked_form(request)
    sha, user = request.path_params["sha"], request.session["user"]
    publisher: Publisher = request.app.state.publisher
    if publisher.progress.running:
        raise HTTPException(409, "Une publication est en cours : réessayez quand elle sera finie.")
    try:
        history.restore(config(request).root, sha)
    except (ValueError, RuntimeError) as error:
        raise HTTPException(404, "Cette version n'existe pas.") from error
    record(request, "restore", f"contenu remis à la version {sha}, publication lancée")
    publisher.start(user, f"Studio: {user} goes back to version {sha}")
    return RedirectResponse(f"/publier?restaure={sha}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/historique", versions, methods=["GET"]),
        Route("/historique/{sha:str}", version, methods=["GET"]),
        Route("/historique/{sha:str}/restaurer", restore, methods=["POST"]),
    ]
