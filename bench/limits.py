"""What the API's limits cost: measuring and validating CountyTree and the worst
fragment shape within the token limit, and the limits' share of a CountyTree request.

    python -m bench.limits [--runs 200] [--database-url URL]

Without --database-url the data goes into a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import strawberry
from graphql import parse, specified_rules, validate
from starlette.requests import Request
from strawberry.schema.config import StrawberryConfig

from bench.county_tree import SECRET, prepare
from bench.stats import pace, percentile, run_on_database, summary, time_calls
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from hub.auth import Keyring
from hub.gate import Gate
from hub.ratelimit import RateLimiter
from hub.settings import DEFAULT_RATE_LIMITS
from resolvers.context import Context
from schema import build_schema
from schema.build import SCHEMA_TYPES
from schema.errors import ErrorCodes
from schema.limits import Limits, measure
from schema.query import Query
from schema.scalars import SCALARS
from tests.documents import COUNTY_TREE


def worst_fragments(max_tokens: int) -> str:
    """Fragments that each spread the next twice, as many as the token limit admits."""
    levels = 1
    while True:
        document = _doubling(levels + 1)
        if _tokens(document) > max_tokens:
            return _doubling(levels)
        levels += 1


def _doubling(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def _tokens(document: str) -> int:
    from graphql.language import Lexer, Source, TokenKind

    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def _timed(call: Callable[[], object], runs: int) -> list[float]:
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _bare_schema() -> strawberry.Schema:
    """The same schema without the guard: strawberry's own parse and validation."""
    return strawberry.Schema(
        query=Query,
        types=SCHEMA_TYPES,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=[ErrorCodes],
    )


async def run(url: str, runs: int) -> None:
    limits = Limits()
    graphql_schema = build_schema()._schema
    worst = worst_fragments(limits.max_tokens)
    # The dearest document the limits let through to graphql-core: same-named fields at
    # the repeat limit, nested, up to the selection limit.
    names = ("code", "nameZh", "isRatio", "description", "unit", "rollsUpAs", "nameEn")
    inner = " ".join(name for name in names for _ in range(limits.max_repeats))
    repeated = "{ " + f"metrics {{ {inner} }} " * limits.max_repeats + "}"
    print(f"machine pace: {pace():.2f} s per 10 M additions")
    for label, text in (
        ("CountyTree", COUNTY_TREE),
        ("worst fragment shape (refused)", worst),
        ("same-named fields at the limits", repeated),
    ):
        document = parse(text, max_tokens=limits.max_tokens)
        found = measure(graphql_schema, document, None, introspection=False)
        measured = _timed(
            lambda document=document: measure(  # type: ignore[misc]
                graphql_schema, document, None, introspection=False
            ),
            runs,
        )
        validated = _timed(
            lambda document=document: validate(  # type: ignore[misc]
                graphql_schema, document, specified_rules, max_errors=limits.max_errors
            ),
            runs,
        )
        refusal = found.refusal(limits)
        print(
            f"{label}: {_tokens(text):,} tokens, {found.visits:,} selections visited, "
            f"cost {found.cost:,}; {'refused: ' + refusal if refusal else 'accepted'}"
        )
        print(f"  measure (uncached)     {summary(measured)}")
        print(f"  graphql-core validate  {summary(validated)}")

    engine = await prepare(url)
    sessionmaker = create_sessionmaker(engine)
    cipher = PersonalDataCipher(SECRET)
    guarded, bare = build_schema(), _bare_schema()

    async def execute(schema: strawberry.Schema) -> None:
        result = await schema.execute(COUNTY_TREE, context_value=Context(sessionmaker, cipher))
        assert result.errors is None, result.errors

    gate = Gate(Keyring.empty(), RateLimiter(DEFAULT_RATE_LIMITS), timeout=10.0)
    request = Request({"type": "http", "headers": [], "client": ("10.0.0.1", 1)})

    async def gate_only() -> None:
        admission = await gate.admit(request)
        await gate.within_deadline(asyncio.sleep(0))
        await gate.settle(admission, 0)

    # Interleaved rounds, so that the machine's drift falls on both alike.
    with_limits: list[float] = []
    without: list[float] = []
    for _ in range(max(runs // 20, 1)):
        with_limits += await time_calls(lambda: execute(guarded), 20)
        without += await time_calls(lambda: execute(bare), 20)
    gated = await time_calls(gate_only, runs)
    await engine.dispose()

    p50_with, p50_without = percentile(with_limits, 0.5), percentile(without, 0.5)
    share = (p50_with - p50_without + percentile(gated, 0.5)) / p50_without
    print(f"CountyTree at Tongren scale, in process, {len(with_limits)} runs, {url.split(':')[0]}")
    print(f"  guarded schema       {summary(with_limits)}")
    print(f"  strawberry's own     {summary(without)}")
    print(f"  gate (keys, budget, deadline) {summary(gated)}")
    print(f"  limits' share of a request (p50): {share * 100:+.1f} % (target under 5 %)")


def main() -> None:
    run_on_database(run, __doc__)


if __name__ == "__main__":
    main()
