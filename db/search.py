"""Full-text search over stories, the same on SQLite and PostgreSQL.

Chinese has no spaces, so text is indexed as overlapping character pairs (bigrams) of
its simplified form, Latin words and numbers as lower-case words. A query becomes a
phrase of the same tokens, so "文明实践" matches exactly where those four characters
stand together, in simplified or traditional text alike. SQLite keeps the tokens in
an FTS5 table (ranked by bm25), PostgreSQL in a GIN-indexed tsvector of the 'simple'
configuration (ranked by ts_rank_cd); in both the title weighs more than the body.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, Integer, Subquery, column, func, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "SEARCH_INDEX",
    "SEARCH_TABLE",
    "outside_models",
    "search_scores",
    "simplified",
    "tokens",
]

SEARCH_TABLE = "story_search"  # SQLite's FTS5 table
SEARCH_INDEX = "ix_news_stories_search"  # PostgreSQL's GIN index
# PostgreSQL's stored, generated column: phrase matches are rechecked against it.
VECTOR_COLUMN = "search_vector"
VECTOR = (
    "setweight(to_tsvector('simple', search_title), 'A') || "
    "setweight(to_tsvector('simple', search_body), 'B')"
)
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


def outside_models(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name`: the search table, column and index are made by the
    migrations for one database each, not by the models, so comparisons leave them out."""
    return not (name and (name.startswith(SEARCH_TABLE) or name in {SEARCH_INDEX, VECTOR_COLUMN}))


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text_: str) -> str:
    """Traditional characters made simplified (OpenCC); other text as it is."""
    if text_.isascii():
        return text_
    converter = _converter()
    return str(converter.convert(text_))  # type: ignore[attr-defined]


def tokens(text_: str) -> list[str]:
    """The searchable tokens of a text, in order: for each run of Chinese characters its
    overlapping pairs and its last character alone, for each Latin word or number itself."""
    found: list[str] = []
    for run in _RUN.findall(simplified(text_).lower()):
        if run.isascii():
            found.append(run)
            continue
        found.extend(run[index : index + 2] for index in range(len(run) - 1))
        found.append(run[-1])
    return found


def _phrases(query: str) -> list[list[str]]:
    """Each word of a query as a phrase of tokens (without the lone last characters,
    which only stand for themselves at the end of a run)."""
    phrases: dict[tuple[str, ...], None] = {}
    for run in _RUN.findall(simplified(query).lower()):
        if run.isascii() or len(run) == 1:
            phrases[(run,)] = None
        else:
            phrases[tuple(run[index : index + 2] for index in range(len(run) - 1))] = None
    # A word repeated asks nothing more: the query's plan does not grow with repeats.
    return [list(phrase) for phrase in phrases]


def search_scores(query: str, dialect: str) -> Subquery | None:
    """Story ids matching every word of `query`, with a relevance score (higher is
    better), or None when the query has nothing searchable."""
    phrases = _phrases(query)
    if not phrases:
        return None
    if dialect == "postgresql":
        # Tokens are Chinese characters, a-z and 0-9 only, so quoting them is safe.
        words = [
            f"'{phrase[0]}':*" if len(phrase[0]) == 1 else " <-> ".join(phrase)
            for phrase in phrases
        ]
        tsquery = func.to_tsquery("simple", " & ".join(f"({word})" for word in words))
        vector: ColumnElement[Any] = literal_column(f"news_stories.{VECTOR_COLUMN}")
        scores = (
            select(
                literal_column("news_stories.id", Integer).label("story_id"),
                func.ts_rank_cd(vector, tsquery, type_=Float).label("score"),
            )
            .select_from(table("news_stories"))
            .where(vector.op("@@")(tsquery))
            .subquery("search_scores")
        )
        return scores
    match = " AND ".join(
        f"{phrase[0]}*" if len(phrase[0]) == 1 else '"' + " ".join(phrase) + '"'
        for phrase in phrases
    )
    fts = table(SEARCH_TABLE, column("rowid"))
    scores = (
        select(
            fts.c.rowid.label("story_id"),
            # bm25 is lower for better matches.
            literal_column(f"-bm25({SEARCH_TABLE}, 10.0, 1.0)", Float).label("score"),
        )
        .select_from(fts)
        .where(text(f"{SEARCH_TABLE} MATCH :match").bindparams(match=match))
        .subquery("search_scores")
    )
    return scores
