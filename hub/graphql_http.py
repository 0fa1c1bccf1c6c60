"""The GraphQL route, following the GraphQL-over-HTTP specification.

Requests that cannot be read (not JSON, parameters of the wrong kind) answer 400.
Documents that do not parse or validate, and variables that do not coerce, answer 400
under `application/graphql-response+json` and 200 with `errors` under the legacy
`application/json`. Execution errors keep 200 with whatever data could be resolved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from db.pii import PersonalDataCipher
from hub.auth import UnknownKeyError
from hub.documents import DocumentError, DocumentStore, document_hash, requested_hash
from hub.gate import Gate, RequestTimeout, TooManyRequests
from hub.ide import ide_page
from hub.ratelimit import points_for
from hub.telemetry import RequestFacts
from resolvers.context import Context, RequestPolicy
from resolvers.viewer import Role, Viewer
from schema.compiled import CompiledReads
from schema.limits import string_problem

__all__ = ["GraphQLEndpoint"]

logger = logging.getLogger("wenming.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class _RequestError(Exception):
    """The request cannot be executed; the message tells the caller why."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
        *,
        code: str = "BAD_USER_INPUT",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.code = code


@dataclass(frozen=True, slots=True)
class _Params:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    document_id: object = None


@dataclass(frozen=True, slots=True)
class EndpointPolicy:
    """Per-role rules of the endpoint, from the settings."""

    max_body_bytes: int = 1_000_000
    introspection_roles: frozenset[str] = frozenset(role.value for role in Role)
    registered_only_roles: frozenset[str] = frozenset()

    def request_policy(self, viewer: Viewer) -> RequestPolicy:
        allowed = viewer.role.value in self.introspection_roles
        return RequestPolicy(introspection=allowed, suggestions=allowed)


class GraphQLEndpoint:
    """Starlette endpoint for GET and POST /graphql."""

    def __init__(
        self,
        schema: strawberry.Schema,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: PersonalDataCipher,
        gate: Gate,
        documents: DocumentStore,
        *,
        graphiql: bool,
        small_group: int,
        policy: EndpointPolicy,
        sources_file: Path | None = None,
        compiled: CompiledReads | None = None,
    ) -> None:
        self._schema = schema
        self._sessionmaker = sessionmaker
        self._cipher = cipher
        self._gate = gate
        self._documents = documents
        self._graphiql = graphiql
        self._small_group = small_group
        self._sources_file = sources_file
        self._policy = policy
        self._compiled = compiled

    async def handle(self, request: Request, facts: RequestFacts) -> Response:
        """Answer one request, telling `facts` what it was (for the log and metrics)."""
        accept = request.headers.get("accept", "")
        if (
            request.method == "GET"
            and self._graphiql
            and _wants_html(accept)
            and "query" not in request.query_params
        ):
            return ide_page(request.url.path)
        media_type = _negotiate(accept)
        if media_type is None:
            facts.code = "NOT_ACCEPTABLE"
            return Response(
                f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}",
                status_code=406,
                media_type="text/plain",
            )
        try:
            admission = await self._gate.admit(request)
        except UnknownKeyError as error:
            facts.code = "UNAUTHENTICATED"
            return _errors(str(error), facts.code, 401, media_type, {"WWW-Authenticate": "Bearer"})
        except TooManyRequests as error:
            facts.code = "RATE_LIMITED"
            return _errors(str(error), facts.code, 429, media_type, error.quota.headers())
        viewer = admission.viewer
        facts.role = viewer.role.value
        context = Context(
            self._sessionmaker,
            self._cipher,
            viewer,
            self._small_group,
            policy=self._policy.request_policy(viewer),
            sources_file=self._sources_file,
        )
        try:
            params = await self._resolve_document(
                await _params(request, self._policy.max_body_bytes), viewer
            )
            facts.operation = params.operation_name or _operation_name(params.query)
            result = await self._gate.within_deadline(self._execute(request, params, context))
        except _RequestError as error:
            facts.code = error.code
            quota = await self._gate.settle(admission, 1)
            headers = {**quota.headers(), **error.headers}
            return _errors(str(error), error.code, error.status, media_type, headers)
        except RequestTimeout as error:
            facts.code, facts.cost = "TIMEOUT", context.cost
            quota = await self._gate.settle(admission, points_for(context.cost))
            status = 504 if media_type == GRAPHQL_RESPONSE else 200
            return _errors(str(error), "TIMEOUT", status, media_type, quota.headers())
        facts.cost = context.cost
        quota = await self._gate.settle(admission, points_for(context.cost))
        if isinstance(result, bytes):
            return Response(
                result, media_type=f"{media_type}; charset=utf-8", headers=quota.headers()
            )
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
            facts.code = str((result.errors[0].extensions or {}).get("code", "INTERNAL"))
        # Errors raised before execution (parse, validation, variables) carry no path.
        request_error = (
            result.data is None
            and bool(result.errors)
            and all(error.path is None for error in result.errors)
        )
        if not request_error:
            body["data"] = result.data
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        return _json(body, status, media_type, quota.headers())

    async def _resolve_document(self, params: _Params, viewer: Viewer) -> _Params:
        """The document to run: the text sent, or the registered one a hash names; and
        for roles held to registered documents, only a registered one."""
        try:
            digest = requested_hash(params.document_id, params.extensions)
        except DocumentError as error:
            raise _RequestError(str(error)) from None
        if digest is None and params.query is None:
            raise _RequestError("`query` must be a non-empty string holding a GraphQL document")
        if digest is not None:
            registered = await self._documents.get(digest)
            if params.query is not None and document_hash(params.query) != digest:
                raise _RequestError("the document's SHA-256 is not the hash sent with it")
            if registered is None and params.query is None:
                raise _RequestError(
                    "no document is registered under this hash; register it with "
                    "`wenming documents add FILE`",
                    code="PERSISTED_QUERY_NOT_FOUND",
                )
            if registered is not None:
                return replace(params, query=registered)
        assert params.query is not None
        if (
            viewer.role.value in self._policy.registered_only_roles
            and await self._documents.get(document_hash(params.query)) is None
        ):
            raise _RequestError(
                f"{viewer.role.value} callers may run registered documents only; send the "
                "hash of one (`documentId` or `extensions.persistedQuery`), or ask the "
                "hub's operator to register yours",
                403,
                code="PERSISTED_QUERY_NOT_FOUND",
            )
        return params

    async def _execute(self, request: Request, params: _Params, context: Context) -> Any:
        """The answer: the compiled path's body when it can give it, else the resolvers'
        execution result."""
        assert params.query is not None
        if self._compiled is not None:
            body = await self._compiled.answer(
                params.query, params.operation_name, params.variables, context
            )
            if body is not None:
                return body
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


_OPERATION = re.compile(r"\A\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def _operation_name(query: str | None) -> str | None:
    """The name of a document's first operation, when it opens with one (for the log)."""
    found = _OPERATION.match(query or "")
    return found.group(1) if found else None


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


async def _bounded_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused with 413 as soon as it passes `max_bytes` (whatever
    Content-Length claims), so a 50 MB upload is never held in memory."""
    too_large = _RequestError(
        f"the request body is larger than {max_bytes:,} bytes; send a smaller document "
        "(or register it as a trusted document and send its id)",
        413,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _check_values(value: Any, where: str) -> None:
    """Strings in variables obey the same bounds as strings written in the document."""
    if isinstance(value, str):
        problem = string_problem(value)
        if problem:
            raise _RequestError(f"variable {where} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, f"{where}[{index}]")


async def _params(request: Request, max_bytes: int) -> _Params:
    if request.method == "GET":
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if raw.get(name):
                raw[name] = _parse_json(raw[name], f"`{name}`")
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise _RequestError(f"send the request as {JSON}", 415)
        body = await _bounded_body(request, max_bytes)
        if not body:
            raise _RequestError("the request has no body; send a JSON object with `query`")
        raw = _parse_json(body, "the request body")
        if not isinstance(raw, dict):
            raise _RequestError("the request body must be a JSON object")
    query = raw.get("query")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise _RequestError("`query` must be a non-empty string holding a GraphQL document")
    variables, operation_name, extensions = (
        raw.get("variables"),
        raw.get("operationName"),
        raw.get("extensions"),
    )
    if variables is not None and not isinstance(variables, dict):
        raise _RequestError("`variables` must be a JSON object")
    for name, value in (variables or {}).items():
        _check_values(value, f"${name}")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _RequestError("`operationName` must be a string")
    if extensions is not None and not isinstance(extensions, dict):
        raise _RequestError("`extensions` must be a JSON object")
    return _Params(query, variables, operation_name or None, extensions, raw.get("documentId"))


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
