"""GraphiQL served from the hub's own files (图形化查询界面).

County and provincial networks are often closed to the internet, where a page that
loads React and GraphiQL from a CDN stays at "Loading...". The files come from the npm
registry at set-up (`hub/graphiql/package-lock.json`, installed by `make`), never
copied into the repository, and the page opens with the README's examples as tabs.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from demo.documents import README_DOCUMENTS, README_VARIABLES

__all__ = ["ASSET_PATH", "GRAPHIQL_FOLDER", "asset", "ide_page", "installed"]

GRAPHIQL_FOLDER = Path(__file__).parent / "graphiql"
ASSET_PATH = "/graphiql/"
_MODULES = GRAPHIQL_FOLDER / "node_modules"
# The only files served: a name the page asks for, and where npm put it.
_ASSETS = {
    "react.js": _MODULES / "react/umd/react.production.min.js",
    "react-dom.js": _MODULES / "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": _MODULES / "graphiql/graphiql.min.js",
    "graphiql.css": _MODULES / "graphiql/graphiql.min.css",
    "boot.js": GRAPHIQL_FOLDER / "boot.js",
}
# GraphiQL styles itself inline; everything else comes from the hub.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_NOT_INSTALLED = (
    "GraphiQL's files are not installed on this server: run `make` in the hub's folder "
    "(it runs `npm ci` in hub/graphiql), or query {endpoint} with any GraphQL client"
)


def installed() -> bool:
    return all(path.is_file() for path in _ASSETS.values())


def ide_page(endpoint: str) -> Response:
    if not installed():
        return PlainTextResponse(_NOT_INSTALLED.format(endpoint=endpoint), status_code=503)
    tabs = [
        {"query": text, "variables": _variables(name)} for name, text in README_DOCUMENTS.items()
    ]
    # `</` inside the JSON would end the script element early.
    examples = orjson.dumps(tabs).decode().replace("</", "<\\/")
    page = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>Wenming Hub · GraphiQL</title>
<link rel="stylesheet" href="{ASSET_PATH}graphiql.css">
<link rel="icon" href="data:,">
</head>
<body style="margin:0">
<div id="graphiql" style="height:100vh" data-endpoint="{escape(endpoint)}">Loading…</div>
<script type="application/json" id="examples">{examples}</script>
<script src="{ASSET_PATH}react.js"></script>
<script src="{ASSET_PATH}react-dom.js"></script>
<script src="{ASSET_PATH}graphiql.js"></script>
<script src="{ASSET_PATH}boot.js"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={"content-security-policy": _POLICY})


def _variables(name: str) -> str | None:
    variables = README_VARIABLES.get(name)
    return None if variables is None else orjson.dumps(variables).decode()


async def asset(request: Request) -> Response:
    path = _ASSETS.get(request.path_params["name"])
    if path is None or not path.is_file():
        return PlainTextResponse("no such GraphiQL file", status_code=404)
    return FileResponse(path, headers={"cache-control": "public, max-age=86400"})
