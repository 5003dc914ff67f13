"""Issue 11, item 8: an import's possible duplicates cost a few per row, however many there are.

A journal with thousands of incidents on one date and place, and a file of rows on that date and
place, made every (row, incident) pair before: 20,000 x 4,000 rows took minutes and would have
written 80 million lines to ``--errors-to``. Now each row names its first
``DUPLICATES_PER_ROW`` (``DuplicateIndex.first``, in the order ``possible_duplicates`` gives) and
counts the rest from the size of the index's groups; the plan keeps ``KEPT`` at most, and a
report is one per row.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import store.duplicates
from store import Incident, Journal
from store.duplicates import SAME_PLACE, FirstDuplicates, PossibleDuplicate
from store.exchange import DUPLICATES_PER_ROW, KEPT, plan_import
from store.exchange.source import Source
from store.journal import RecordText

STORED = 5_000
ROWS = 2_000


def stored_texts(count: int, *, place: str = "Sudzha", url: str | None = None) -> list[RecordText]:
    result = []
    for n in range(count):
        incident = Incident.model_validate({
            "id": f"00000000-0000-4000-8000-{n:012d}", "revision": 1, "created_at": "2024-07-03T00:00:00Z",
            "updated_at": "2024-07-03T00:00:00Z", "title": f"Stored {n}", "date": "2024-07-03", "country": "Russia",
            "region": "Kursk", "place": place, "sources": [{"outlet": "x", "url": url}] if url else [],
        })
        result.append(RecordText.of(incident, n + 2))
    return result


def csv_source(count: int, *, place: str = "SUDZHA", url: str = "") -> Source:
    sources = f"z|{url}" if url else ""
    lines = ["title,date,country,region,place,sources\r\n"]
    lines += [f"New {n},2024-07-03,Russia,Kursk,{place},{sources}\r\n" for n in range(count)]
    data = "".join(lines).encode("utf-8")
    return Source(io.BytesIO(data), "rows.csv", len(data))


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many ``PossibleDuplicate``s the duplicate index makes (one per pair, before)."""
    count = [0]
    real = store.duplicates.PossibleDuplicate

    def counting(*args: Any) -> PossibleDuplicate:
        count[0] += 1
        return real(*args)

    monkeypatch.setattr(store.duplicates, "PossibleDuplicate", counting)
    return count


def test_rows_on_a_crowded_date_and_place_name_a_few_duplicates_each_and_count_the_rest(
    tmp_path: Path, made: list[int]
) -> None:
    reported: list[tuple[str, int, object]] = []
    with Journal(tmp_path / "journal.json") as journal:
        journal.import_incidents(stored_texts(STORED))
        plan = plan_import(journal, csv_source(ROWS), "csv", name="rows.csv",
                           report=lambda kind, row, item: reported.append((kind, row, item)))
    assert len(plan.new) == ROWS
    assert made[0] <= ROWS * DUPLICATES_PER_ROW  # was ROWS * STORED = 10,000,000
    assert plan.duplicate_count == ROWS * STORED and plan.duplicate_rows == ROWS
    assert len(plan.duplicates) == KEPT
    first_row = plan.new.ids()[0]
    assert [(d.incident_id, d.other_id, d.other_title, d.reason) for d in plan.duplicates[:DUPLICATES_PER_ROW]] == [
        (first_row, f"00000000-0000-4000-8000-{n:012d}", f"Stored {n}", SAME_PLACE) for n in range(DUPLICATES_PER_ROW)
    ]
    assert set(plan.duplicates_of.values()) == {STORED} and len(plan.duplicates_of) <= KEPT
    assert [kind for kind, _, _ in reported] == ["duplicate"] * ROWS  # one line each in --errors-to
    kind, row, item = reported[-1]
    assert row == ROWS + 1 and isinstance(item, FirstDuplicates)
    assert item.count == STORED and len(item.first) == DUPLICATES_PER_ROW
    assert str(item).endswith(f"; and {STORED - DUPLICATES_PER_ROW:,} more possible duplicates")


def test_a_row_sharing_both_date_and_place_and_a_url_counts_each_reason(tmp_path: Path, made: list[int]) -> None:
    with Journal(tmp_path / "journal.json") as journal:
        journal.import_incidents(stored_texts(200, url="https://example.com/a"))
        plan = plan_import(journal, csv_source(10, url="http://www.example.com/a/"), "csv", name="rows.csv")
    assert plan.error_count == 0 and not plan.warnings
    assert made[0] <= 10 * DUPLICATES_PER_ROW
    assert plan.duplicate_count == 10 * 200 * 2 and plan.duplicate_rows == 10  # as possible_duplicates counts
    assert [d.reason for d in plan.duplicates[:2]] == [SAME_PLACE, "same source URL http://www.example.com/a/"]


def test_the_first_few_are_what_possible_duplicates_lists_first(journal_path: Path, make_incident) -> None:
    url, other_url = "https://example.com/a", "https://example.com/b"
    records = [
        make_incident(title="place", place="Ижевск"),
        make_incident(title="place and url", place="ижевск", sources=[{"outlet": "x", "url": url}]),
        make_incident(title="url", place="Сарапул", sources=[{"outlet": "x", "url": "http://www.example.com/a/"}]),
        make_incident(title="both urls", sources=[{"outlet": "x", "url": url}, {"outlet": "y", "url": other_url}]),
        make_incident(title="other url", sources=[{"outlet": "y", "url": other_url}]),
        make_incident(title="elsewhere", place="Глазов"),
    ]
    with Journal(journal_path) as journal:
        journal.import_incidents([RecordText.of(incident, 0) for incident in records])
        candidates = [
            make_incident(place="Ижевск", sources=[{"outlet": "z", "url": url}, {"outlet": "z", "url": other_url},
                                                   {"outlet": "z", "url": "HTTPS://EXAMPLE.COM/A"}]),
            make_incident(place="Ижевск"),
            make_incident(place="Глазов", sources=[{"outlet": "z", "url": other_url}]),
            make_incident(place="Воткинск"),
            journal.get(records[1].id),  # stored: not its own duplicate
        ]
        for candidate in candidates:
            every = journal.possible_duplicates([candidate])
            for limit in range(len(every) + 2):
                found = journal.first_duplicates(candidate, limit)
                assert list(found.first) == every[:limit]
                assert found.count == len(every)
                assert found.more == len(every) - min(limit, len(every))
