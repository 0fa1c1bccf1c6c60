"""The GraphQL route, following the GraphQL-over-HTTP specification.

Requests that cannot be read (not JSON, parameters of the wrong kind) answer 400.
Documents that do not parse or validate, and variables that do not coerce, answer 400
under `application/graphql-response+json` and 200 with `errors` under the legacy
`application/json`. Execution errors keep 200 with whatever data could be resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from db.pii import PersonalDataCipher
from hub.auth import Keyring, UnknownKeyError, presented_key
from resolvers.context import Context

__all__ = ["GraphQLEndpoint"]

logger = logging.getLogger("wenming.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class _RequestError(Exception):
    """The request cannot be executed; the message tells the caller why."""

    def __init__(
        self, message: str, status: int = 400, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class _Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


class GraphQLEndpoint:
    """Starlette endpoint for GET and POST /graphql."""

    def __init__(
        self,
        schema: strawberry.Schema,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: PersonalDataCipher,
        keyring: Keyring,
        *,
        graphiql: bool,
        small_group: int,
    ) -> None:
        self._schema = schema
        self._sessionmaker = sessionmaker
        self._cipher = cipher
        self._keyring = keyring
        self._graphiql = graphiql
        self._small_group = small_group

    async def handle(self, request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if (
            request.method == "GET"
            and self._graphiql
            and _wants_html(accept)
            and "query" not in request.query_params
        ):
            return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
        media_type = _negotiate(accept)
        if media_type is None:
            return Response(
                f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}",
                status_code=406,
                media_type="text/plain",
            )
        try:
            viewer = self._keyring.viewer_for(presented_key(request))
        except UnknownKeyError as error:
            return _errors(
                str(error), "UNAUTHENTICATED", 401, media_type, {"WWW-Authenticate": "Bearer"}
            )
        try:
            params = await _params(request)
            result = await self._execute(
                request,
                params,
                Context(self._sessionmaker, self._cipher, viewer, self._small_group),
            )
        except _RequestError as error:
            return _errors(str(error), "BAD_USER_INPUT", error.status, media_type, error.headers)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        # Errors raised before execution (parse, validation, variables) carry no path.
        request_error = (
            result.data is None
            and bool(result.errors)
            and all(error.path is None for error in result.errors)
        )
        if not request_error:
            body["data"] = result.data
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        return _json(body, status, media_type)

    async def _execute(self, request: Request, params: _Params, context: Context) -> Any:
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            return await self._schema.execute(
                params.query,
                variable_values=params.variables,
                operation_name=params.operation_name,
                context_value=context,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            raise _RequestError(
                "only queries can be sent with GET; use POST", 405, {"Allow": "POST"}
            ) from None


def _negotiate(accept: str) -> str | None:
    """The response media type for an Accept header (JSON when none is given)."""
    if not accept.strip():
        return JSON
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in types:
        return GRAPHQL_RESPONSE
    if JSON in types or "*/*" in types or "application/*" in types:
        return JSON
    return None


def _wants_html(accept: str) -> bool:
    return "text/html" in accept.lower()


async def _params(request: Request) -> _Params:
    if request.method == "GET":
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if raw.get(name):
                raw[name] = _parse_json(raw[name], f"`{name}`")
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise _RequestError(f"send the request as {JSON}", 415)
        body = await request.body()
        if not body:
            raise _RequestError("the request has no body; send a JSON object with `query`")
        raw = _parse_json(body, "the request body")
        if not isinstance(raw, dict):
            raise _RequestError("the request body must be a JSON object")
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _RequestError("`query` must be a non-empty string holding a GraphQL document")
    variables, operation_name, extensions = (
        raw.get("variables"),
        raw.get("operationName"),
        raw.get("extensions"),
    )
    if variables is not None and not isinstance(variables, dict):
        raise _RequestError("`variables` must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _RequestError("`operationName` must be a string")
    if extensions is not None and not isinstance(extensions, dict):
        raise _RequestError("`extensions` must be a JSON object")
    return _Params(query, variables, operation_name or None, extensions)


def _parse_json(raw: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _RequestError(f"{what} is not valid JSON") from None


def _json(
    body: Mapping[str, Any], status: int, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers=headers,
    )


def _errors(
    message: str, code: str, status: int, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    error = GraphQLError(message, extensions={"code": code})
    return _json({"errors": [error.formatted]}, status, media_type, headers)
