"""Issue 11, item 9: an import is read, checked and written as a stream.

A CSV file is read row by row from a ``Source`` (never held whole), each new incident is kept as
its record's JSON text rather than a model, problems and possible duplicates are kept up to a
count and handed on one by one, and ``Journal.import_incidents`` writes many new incidents as
their text, in one atomic write, all or nothing. The memory figure at 1,000,000 rows is in
``bench/RESULTS.md`` (``python -m bench --only import``); here 1,000 rows and a count.
"""

from __future__ import annotations

import gc
import io
from pathlib import Path

import orjson
import pytest

import store.limits
from store import Incident, IncidentFields, Journal, RevisionConflict
from store.exchange import KEPT, PlannedIncidents, plan_import
from store.exchange.batch import ImportRejected
from store.exchange.source import Source, open_source
from store.journal import RecordText
from tests.store.conftest import stored_bytes

HEADER = "title,date,country,region,place\r\n"


def csv_rows(count: int, *, bad_every: int = 0, place: str = "", summary: str = "") -> bytes:
    lines = [HEADER.replace("\r\n", ",summary\r\n")]
    for n in range(count):
        date = "not a date" if bad_every and n % bad_every == 0 else "2024-07-03"
        lines.append(f"Row {n},{date},Russia,Kursk,{place},{summary}\r\n")
    return "".join(lines).encode("utf-8")


def source_of(data: bytes, name: str = "rows.csv", *, size: bool = True) -> Source:
    return Source(io.BytesIO(data), name, len(data) if size else None)


def live_incidents() -> int:
    gc.collect()
    return sum(1 for item in gc.get_objects() if type(item) is Incident)


def test_planning_keeps_no_model_per_row(tmp_path: Path) -> None:
    """1,000 rows planned: each new incident is held as JSON text, not as a model or a record."""
    with Journal(tmp_path / "journal.json") as journal:
        before = live_incidents()
        plan = plan_import(journal, source_of(csv_rows(1_000)), "csv", name="rows.csv")
        assert live_incidents() - before < 10
        assert isinstance(plan.new, PlannedIncidents) and len(plan.new) == 1_000
        assert all(isinstance(text, RecordText) and isinstance(text.json, bytes) for text in plan.new.texts)
        assert [text.row for text in plan.new.texts] == list(range(2, 1_002))
        first = plan.new[0]  # read back through the model, as it will be stored
        assert isinstance(first, Incident) and first.title == "Row 0"
        assert orjson.loads(plan.new.texts[0].json) == first.record()


def test_a_csv_source_is_read_as_the_rows_are_checked(tmp_path: Path) -> None:
    """The reading follows the checking: when the 1,000th row is checked, not all is read yet."""
    data = csv_rows(20_000, summary="a long summary " * 20)  # 6 MB
    source = source_of(data)
    seen: list[tuple[int, int, int | None]] = []
    with Journal(tmp_path / "journal.json") as journal:
        plan = plan_import(journal, source, "csv", name="rows.csv",
                           progress=lambda rows, done, total: seen.append((rows, done, total)))
    assert plan.total == 20_000
    assert seen[0][0] == 1_000 and seen[0][1] < len(data) // 2 and seen[0][2] == len(data)
    assert seen[-1] == (20_000, len(data), len(data))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_a_stream_is_refused_as_soon_as_it_passes_the_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", 50_000)
    source = source_of(csv_rows(20_000), "standard input", size=False)
    with Journal(tmp_path / "journal.json") as journal, pytest.raises(ImportRejected, match="larger than"):
        plan_import(journal, source, "csv", name="standard input")
    assert source.read_so_far <= 50_000 + (1 << 20)
    assert not (tmp_path / "journal.json").exists()


def test_a_device_is_refused_before_it_is_opened() -> None:
    with pytest.raises(ImportRejected, match="is a device"):
        open_source("/dev/zero")


def test_bytes_that_are_not_utf8_are_named_by_their_place_in_a_long_file(tmp_path: Path) -> None:
    data = csv_rows(80_000)
    assert len(data) > 2_000_000
    broken = data[:2_000_000] + b"\xff" + data[2_000_000:]
    with Journal(tmp_path / "journal.json") as journal, pytest.raises(ImportRejected) as caught:
        plan_import(journal, source_of(broken), "csv", name="rows.csv")
    assert "byte 2,000,001 cannot be read" in str(caught.value)


def test_problems_and_duplicates_are_counted_kept_up_to_a_count_and_reported_one_by_one(tmp_path: Path) -> None:
    reported: list[tuple[str, int]] = []
    with Journal(tmp_path / "journal.json") as journal:
        journal.add(IncidentFields.model_validate(
            {"title": "Earlier", "date": "2024-07-03", "country": "Russia", "region": "Kursk", "place": "Sudzha"}
        ))
        plan = plan_import(journal, source_of(csv_rows(3_000, bad_every=2, place="Sudzha")), "csv",
                           name="rows.csv", report=lambda kind, row, item: reported.append((kind, row)))
    assert plan.error_count == plan.bad_rows == 1_500 and len(plan.errors) == KEPT
    assert plan.duplicate_count == 1_500 and len(plan.duplicates) == KEPT
    assert len(plan.new) == 1_500
    assert sum(kind == "error" for kind, _ in reported) == 1_500
    assert sum(kind == "duplicate" for kind, _ in reported) == 1_500
    assert "1,500 of 3,000 rows are invalid" in str(plan.rejected())


def texts(count: int, start: int = 0) -> list[RecordText]:
    result = []
    for n in range(start, start + count):
        incident = Incident.model_validate({
            "id": f"00000000-0000-4000-8000-{n:012d}", "revision": 1, "created_at": "2024-07-03T00:00:00Z",
            "updated_at": "2024-07-03T00:00:00Z", "title": f"Row {n}", "date": "2024-07-03", "country": "Russia",
            "region": "Kursk",
        })
        result.append(RecordText.of(incident, n + 2))
    return result


@pytest.fixture
def small_stream(monkeypatch):
    monkeypatch.setattr(Journal, "STREAM_FROM", 100)


def test_many_new_incidents_are_written_as_their_text_in_one_write(tmp_path: Path, small_stream) -> None:
    path = tmp_path / "journal.json"
    with Journal(path) as journal:
        journal.import_incidents(texts(10))
        placed: list[tuple[int, int]] = []
        result = journal.import_incidents([*texts(1_000, 5), *texts(1, 3)], progress=lambda d, t: placed.append((d, t)))
        assert len(result.added) == 995 and len(result.skipped) == 6  # 5 already here, one given twice
        assert len(journal) == 1_005  # read again from the file
        assert journal.get(texts(1, 900)[0].id).title == "Row 900"
        assert placed[-1] == (1_001, 1_001)
    tables = orjson.loads(path.read_bytes())
    assert len(tables["incidents"]) == 1_005
    with Journal(path) as again:
        assert len(again) == 1_005 and again.bad_records() == []
        assert sorted(int(key) for key in tables["incidents"]) == list(range(1, 1_006))


def test_without_reread_the_journal_catches_up_at_its_next_refresh(tmp_path: Path, small_stream) -> None:
    path = tmp_path / "journal.json"
    with Journal(path) as journal:
        journal.import_incidents(texts(500), reread=False)
        assert journal.refresh() is True
        assert len(journal) == 500
        journal.add(IncidentFields.model_validate(
            {"title": "After", "date": "2024-07-04", "country": "Russia", "region": "Kursk"}
        ))
    with Journal(path) as again:
        assert len(again) == 501


def test_a_streamed_import_is_all_or_nothing(tmp_path: Path, small_stream) -> None:
    path = tmp_path / "journal.json"
    with Journal(path) as journal:
        journal.import_incidents(texts(1))
        stale = journal.get(texts(1)[0].id)
        journal.update(stale.with_changes(title="Changed meanwhile"))
        before = stored_bytes(path)
        with pytest.raises(RevisionConflict):
            journal.import_incidents(texts(500, 10), updates=[stale.with_changes(title="From the file")])
        assert stored_bytes(path) == before
        assert len(journal) == 1
