"""Our news path on the corpus of real public pages (tests/corpus): floors under each
measure, just below what it meets today, so that a change that loses headlines, dates,
bylines, sentences or lets furniture in fails here before it reaches a county. The
peer's figures beside ours are in docs/performance.md (bench/news_quality.py)."""

from __future__ import annotations

from tests.news_corpus import MEASURES, Score, load_pages, ours, score

# Share of the corpus's expectations met, per measure (today: 88.7, 80.3, 22.2, 86.0,
# 96.8 per cent).
FLOORS = {"title": 0.87, "date": 0.79, "author": 0.21, "body": 0.85, "furniture": 0.95}


def test_the_corpus_holds_real_pages_in_both_scripts_and_their_encodings() -> None:
    pages = list(load_pages())
    assert len(pages) >= 30
    assert sum(page.script == "traditional" for page in pages) >= 5
    assert sum(page.expect["encoding"] in {"gbk", "gb18030", "big5"} for page in pages) >= 5
    assert all(page.expect["origin"]["repo"] and page.expect["origin"]["commit"] for page in pages)


def test_our_path_holds_its_floors_on_the_corpus() -> None:
    total = Score()
    for page in load_pages():
        total += score(page, ours(page))
    shares = {measure: round(total.share(measure), 3) for measure in MEASURES}
    assert all(shares[measure] >= FLOORS[measure] for measure in MEASURES), shares
