"""The congratulation table and the freshness policy, as forms."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.studio import responses as response_files
from bot.studio import tables
from bot.studio.web import checked_form, config, login_required, page, record


def _page(request: Request, status_code: int = 200, problems: list[str] | None = None) -> Response:
    root = config(request).root
    table = tables.congratulations(root).data
    rules = [(tables.describe(rule["when"]), str(rule["response"])) for rule in table["thanks"]]
    names = [n for names in response_files.by_topic(root).values() for n in names]
    return page(
        request,
        "tables.html",
        status_code,
        rules=rules,
        responses=sorted(names),
        policy=tables.freshness(root).data,
        problems=problems or [],
        saved=request.query_params.get("enregistre"),
    )


@login_required(editor=True)
async def show(request: Request) -> Response:
    return _page(request)


@login_required(editor=True)
async def save_congratulations(request: Request) -> Response:
    form = await checked_form(request)
    chosen = {
        int(key.removeprefix("rule_")): str(value)
        for key, value in form.items()
        if key.startswith("rule_") and key.removeprefix("rule_").isdigit()
    }
    try:
        tables.save_congratulations(config(request).root, chosen)
    except tables.TableRefused as refused:
        return _page(request, 400, refused.problems)
    record(request, "congratulations_edit", "table des remerciements modifiée")
    return RedirectResponse("/tables?enregistre=remerciements", status_code=303)


@login_required(editor=True)
async def save_freshness(request: Request) -> Response:
    form = await checked_form(request)
    fields = {
        key.removeprefix("field_"): str(value)
        for key, value in form.items()
        if key.startswith("field_")
    }
    try:
        tables.save_freshness(
            config(request).root,
            str(form.get("default_months") or ""),
            fields,
            str(form.get("quiet_days") or ""),
        )
    except tables.TableRefused as refused:
        return _page(request, 400, refused.problems)
    record(request, "freshness_edit", "politique de fraîcheur modifiée")
    return RedirectResponse("/tables?enregistre=fraicheur", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/tables", show, methods=["GET"]),
        Route("/tables/remerciements", save_congratulations, methods=["POST"]),
        Route("/tables/fraicheur", save_freshness, methods=["POST"]),
    ]
