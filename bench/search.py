"""Search as you type (issue 12): ``IncidentFilter.select_rows`` per key, with the ``SearchIndex``
and reading every row's text, at every size; the index's build time and memory.

``python -m bench --only search`` prints the table (``--search-sizes`` chooses the sizes).
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable

from bench.generate import journal_tables
from store.filters import IncidentFilter
from store.rows import IncidentRow
from store.search_index import SearchIndex

SIZES = (100, 1_000, 10_000, 100_000, 1_000_000)
QUERY = "drone strik"  # 11 characters, typed a key at a time; words of the generated journals
TARGET = 1.5  # issue 12: the match at 100,000 at most 1.5x as late as at 100


def typing(rows: list[IncidentRow], index: SearchIndex | None) -> list[float]:
    """Seconds per key of ``QUERY`` typed on, each key narrowing the last result as the journal's
    ``query_rows`` does (the words known from the last key are not looked for again)."""
    seconds: list[float] = []
    pool, known = rows, tuple[str, ...]()
    for end in range(1, len(QUERY) + 1):
        incident_filter = IncidentFilter(text=QUERY[:end])
        begin = time.perf_counter()
        pool = incident_filter.select_rows(pool, known_words=known, index=index)
        seconds.append(time.perf_counter() - begin)
        known = incident_filter.words
    return seconds


def measure(size: int) -> dict:
    rows = [IncidentRow(incident_id, raw) for incident_id, raw in journal_tables(size)["incidents"].items()]
    rows.sort(key=IncidentRow.sort_key, reverse=True)  # the journal's list, newest first
    for row in rows:
        row.prepare()
    pairs = [(row.id, row.haystack) for row in rows]
    begin = time.perf_counter()
    index = SearchIndex.of(pairs)
    build = time.perf_counter() - begin
    del index
    gc.collect()
    tracemalloc.start()
    index = SearchIndex.of(pairs)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # The first search after the index changed numbers the list's rows once; later ones reuse it
    # (or ``prepare_steps`` did it in the background).
    first = typing(rows, index)
    again = [typing(rows, index) for _ in range(3)]
    scans = [typing(rows, None) for _ in range(3)]
    found = len(IncidentFilter(text=QUERY).select_rows(rows))
    per_key = [min(keys) for keys in zip(*again, strict=True)]
    scan_keys = [min(keys) for keys in zip(*scans, strict=True)]
    return {
        "build": build, "memory": memory, "found": found, "first": first, "keys": per_key, "scan": scan_keys,
        "figures": index.figures(),
    }


def fine(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def rows(fmt: Callable[[float], str], sizes: tuple[int, ...] = SIZES) -> list[tuple[str, ...]]:
    """The table rows: per key with the index beside reading every row, the ratio to 100 rows."""
    del fmt  # these figures are fractions of a millisecond: ``fine`` shows them
    fmt = fine
    table: list[tuple[str, ...]] = []
    figures = {size: measure(size) for size in sorted({100, *sizes})}
    base = figures[100]
    for size in sizes:
        got = figures[size]
        whole, scan_whole = sum(got["keys"]), sum(got["scan"])
        table.append((
            f"search {QUERY!r} typed, select_rows per key, median / worst, {size:,} ({got['found']:,} found)",
            f"{fmt(statistics.median(got['keys']))} / {fmt(max(got['keys']))}",
            f"{fmt(statistics.median(base['keys']))} / {fmt(max(base['keys']))} at 100",
            "",
            f"reading every row: {fmt(statistics.median(got['scan']))} / {fmt(max(got['scan']))}",
        ))
        table.append((
            f"search {QUERY!r} typed, all 11 keys, {size:,}", fmt(whole),
            f"{fmt(sum(base['keys']))} at 100",
            f"{whole / sum(base['keys']):.1f}x of 100" + (f" (≤ {TARGET}x in the app)" if size == 100_000 else ""),
            f"reading every row: {fmt(scan_whole)} ({scan_whole / whole:.0f}x ours)",
        ))
        table.append((
            f"search, first typing after a change (numbers the list once), {size:,}",
            f"{fmt(sum(got['first']))}, first key {fmt(got['first'][0])}", "", "", "",
        ))
        table.append((
            f"search index: build, memory, {size:,}",
            f"{fmt(got['build'])}, {got['memory'] / 1e6:,.1f} MB", "", "(< 300 MB at 100,000)",
            f"{got['figures']['words']:,} words, {got['figures']['chunks']:,} bitmaps",
        ))
    return table


NOTES = """- *search* (issue 12): `IncidentFilter.select_rows` alone (no screen), for "drone strik" typed
  a key at a time, each key narrowing the last result as `Journal.query_rows` does; best of 3
  typings per key. Ours uses the `SearchIndex`; the naive alternative reads every row's text (as
  before the index). "First typing" is the first after the index changed: its first key numbers
  the list's rows once. Memory is what `tracemalloc` counts for the built index; the build is
  `SearchIndex.of` over every row at once (the app builds it one row per step).
"""
