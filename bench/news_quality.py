"""Our news path beside trafilatura + htmldate on the real pages of tests/corpus.

    make bench-news          # or, in an environment with the peer installed:
    python -m bench.news_quality [--peer] [--repeat 3] [--pages]

Prints, per measure (title, date, author, body sentences found, furniture left out),
the share of the corpus's expectations each system meets, per page with --pages, and
pages per second. The peer is installed only in the bench's own environment
(`bench/requirements-peer.txt`), never as a dependency of the hub.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tests.news_corpus import MEASURES, Extraction, Page, Score, load_pages, ours, score


def peer(page: Page) -> Extraction:
    """trafilatura's extraction, with htmldate's date (what trafilatura uses itself)."""
    import trafilatura
    from htmldate import find_date

    extracted = trafilatura.bare_extraction(page.content, url=page.url, with_metadata=True)
    if not extracted:
        return Extraction()
    document = extracted.as_dict() if hasattr(extracted, "as_dict") else extracted
    day = find_date(page.content, url=page.url, original_date=True)
    published = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None
    return Extraction(
        document.get("title"), published, document.get("author"), document.get("text") or "", 1
    )


def _run(
    name: str, extract: Callable[[Page], Extraction], pages: list[Page], repeat: int, show: bool
) -> tuple[Score, float]:
    total = Score()
    started = time.perf_counter()
    for _ in range(repeat):
        results = [(page, extract(page)) for page in pages]
    seconds = (time.perf_counter() - started) / repeat
    for page, found in results:
        each = score(page, found)
        total += each
        if show:
            shares = " ".join(
                f"{measure}={each.share(measure):.2f}"
                for measure in MEASURES
                if each.counts[measure][1]
            )
            print(f"  {name:<12} {page.file:<36} {shares}")
    return total, len(pages) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer", action="store_true", help="run trafilatura + htmldate too")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", action="store_true", help="print each page's scores")
    arguments = parser.parse_args()
    pages = list(load_pages())
    systems: list[tuple[str, Callable[[Page], Extraction]]] = [("wenming", ours)]
    if arguments.peer:
        systems.append(("trafilatura", peer))
    rows = [
        (name, *_run(name, extract, pages, arguments.repeat, arguments.pages))
        for name, extract in systems
    ]
    print(f"{len(pages)} pages")
    print(
        f"{'system':<12}" + "".join(f"{measure:>11}" for measure in MEASURES) + f"{'pages/s':>10}"
    )
    for name, total, rate in rows:
        shares = "".join(f"{total.share(measure):>11.1%}" for measure in MEASURES)
        print(f"{name:<12}{shares}{rate:>10.1f}")
    held = rows[0][1].counts
    print("expectations held: " + ", ".join(f"{m} {int(held[m][1])}" for m in MEASURES))


if __name__ == "__main__":
    main()
