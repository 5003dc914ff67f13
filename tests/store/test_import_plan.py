"""Import plans: what is new, unchanged, skipped or updated; ids; possible duplicates.

Files are made with ``export_bytes`` (JSON and CSV), planned with ``plan_import`` and written
with ``Journal.import_incidents(plan.new, updates=plan.updates)``, as the CLI does.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from store import (
    SCHEMA_VERSION,
    Incident,
    IncidentNotFound,
    Journal,
    JournalWriteError,
    PossibleDuplicate,
    RevisionConflict,
)
from store.exchange import export_bytes, plan_import
from store.history import FieldChange
from store.journal import place_key, url_key
from store.storage import backup_path
from tests.store.conftest import stored_bytes, stored_tables

FORMATS = ("json", "csv")
SAME_PLACE = "same date and place"
SAME_URL = "same source URL"

ID_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
ID_B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


@pytest.fixture
def journal(journal_path: Path, clock) -> Journal:
    with Journal(journal_path) as opened:
        yield opened


@pytest.fixture
def stored(journal: Journal, make_fields):
    """Add one incident to the journal (a normal save) and return it."""

    def add(**overrides: Any) -> Incident:
        return journal.add(make_fields(**overrides))

    return add


def read_json(path: Path) -> dict:
    """What is stored: the journal file with its log's changes (see ``stored_tables``)."""
    return stored_tables(path)


def history_records(path: Path) -> list[dict]:
    """The history table of the journal file, as stored, in insertion order."""
    table = read_json(path).get("history") or {}
    return [table[key] for key in sorted(table, key=int)]


def write_journal(path: Path, records: list[dict]) -> bytes:
    """A journal file written by hand (records as they are, valid or not)."""
    data = {
        "incidents": {str(n): record for n, record in enumerate(records, start=1)},
        "meta": {"1": {"schema_version": SCHEMA_VERSION}},
        "history": {},
    }
    raw = json.dumps(data, ensure_ascii=False, indent=1).encode()
    path.write_bytes(raw)
    return raw


def only_columns(data: bytes, columns: tuple[str, ...]) -> str:
    """An exported CSV cut down to ``columns`` (in that order), as a person would do in a spreadsheet."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    return out.getvalue()


def snapshot(path: Path) -> tuple[tuple[bytes | None, bytes | None], bytes | None]:
    backup = backup_path(path)
    return stored_bytes(path), backup.read_bytes() if backup.exists() else None


# -- re-importing what is already here ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimporting_unchanged_incidents_plans_nothing(fmt: str, journal: Journal, stored, journal_path: Path) -> None:
    first = stored(title="one", place="Ижевск", killed="1+", injured="2-5 (note)", tags=["завод"])
    second = stored(title="two", date="2024-07-03", latitude=56.85, longitude=53.2,
                    sources=[{"outlet": "Example", "url": "https://example.com/a"}])
    before = snapshot(journal_path)

    plan = plan_import(journal, export_bytes(journal.all(), fmt), fmt, update=True)

    assert plan.errors == [] and plan.warnings == []
    assert plan.total == 2
    assert sorted(plan.unchanged) == sorted([first.id, second.id])
    assert plan.new == plan.updates == plan.skipped == []
    assert plan.duplicates == []  # not duplicates of themselves
    assert snapshot(journal_path) == before  # planning writes nothing


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_changed_incident_is_skipped_without_update_and_the_journal_is_untouched(
    fmt: str, journal: Journal, stored, journal_path: Path
) -> None:
    kept = stored(title="as recorded")
    other = stored(title="untouched", date="2024-06-01")
    data = export_bytes([kept.with_changes(title="as the file says"), other], fmt)
    before = snapshot(journal_path)

    plan = plan_import(journal, data, fmt)

    assert plan.errors == []
    assert plan.skipped == [kept.id]
    assert plan.unchanged == [other.id]
    assert plan.new == plan.updates == []
    result = journal.import_incidents(plan.new, updates=plan.updates)
    assert result.added == result.updated == ()
    assert snapshot(journal_path) == before
    assert journal.get(kept.id) == kept
    assert Journal(journal_path).get(kept.id) == kept


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_changed_incident_is_updated_with_update(
    fmt: str, journal: Journal, stored, journal_path: Path, clock
) -> None:
    kept = stored(title="as recorded", place="Ижевск", killed="2")
    data = export_bytes([kept.with_changes(title="as the file says", killed="3+")], fmt)

    plan = plan_import(journal, data, fmt, update=True)

    assert plan.errors == [] and plan.skipped == [] and plan.new == [] and plan.unchanged == []
    expected = kept.with_changes(title="as the file says", killed="3+")
    assert plan.updates == [expected]
    assert plan.updates[0].revision == kept.revision  # made from the revision in the journal

    result = journal.import_incidents(plan.new, updates=plan.updates)

    assert result.updated == (kept.id,) and result.added == ()
    for reader in (journal, Journal(journal_path)):
        saved = reader.get(kept.id)
        assert saved.title == "as the file says" and str(saved.killed) == "3+"
        assert saved.place == "Ижевск"
        assert saved.revision == kept.revision + 1
        assert saved.created_at == kept.created_at
        assert saved.updated_at == clock.now > kept.updated_at
    (step,) = journal.history(kept.id)
    assert (step.action, step.old_revision, step.new_revision) == ("update", kept.revision, kept.revision + 1)
    assert set(step.changes) == {
        FieldChange("title", "as recorded", "as the file says"),
        FieldChange("killed", "2", "3+"),
    }
    (entry,) = history_records(journal_path)
    assert entry["incident_id"] == kept.id and entry["action"] == "update"
    assert entry["record"] == kept.record()  # the old version, whole


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param(("id", "title"), id="id-title"),
        pytest.param(("id", "title", "killed_min", "killed_max", "killed_note"), id="id-title-killed"),
        pytest.param(("id", "title", "date", "country", "region"), id="with-required-columns"),
    ],
)
def test_a_csv_with_some_columns_updates_only_those(columns: tuple[str, ...], journal: Journal, stored) -> None:
    kept = stored(
        title="as recorded", place="Ижевск", killed="2", injured="1+", tags=["завод"], event_type="air",
        sources=[{"outlet": "Example", "url": "https://example.com/a"}], summary="kept as it was",
    )
    changed = kept.with_changes(title="new title", killed="5-7", summary="not in the file")
    data = only_columns(export_bytes([changed], "csv"), columns)

    plan = plan_import(journal, data, "csv", update=True)

    assert plan.errors == []
    assert plan.new == plan.skipped == plan.unchanged == []
    given = {"killed" if column.startswith("killed_") else column for column in columns} - {"id"}
    expected = kept.with_changes(**{name: getattr(changed, name) for name in given})
    assert plan.updates == [expected]
    journal.import_incidents(plan.new, updates=plan.updates)
    saved = journal.get(kept.id)
    assert saved.fields_record() == expected.fields_record()
    assert saved.summary == "kept as it was"  # the file has no summary column


def test_a_csv_update_valid_alone_but_not_with_the_journals_fields_is_named(journal: Journal, stored) -> None:
    kept = stored(date="2024-07-10", date_end="2024-07-12")
    data = f"id,title,date,country,region\r\n{kept.id},T,2024-07-15,Russia,Udmurtia\r\n"  # after the kept end
    plan = plan_import(journal, data, "csv", update=True)
    assert plan.updates == [] and plan.new == []
    assert [(error.row, error.id, error.field) for error in plan.errors] == [(2, kept.id, "date_end")]
    assert "journal" in plan.errors[0].message


def test_every_row_is_checked_before_anything_is_written(journal: Journal, stored, journal_path: Path) -> None:
    kept = stored(title="as recorded")
    rows = json.loads(export_bytes([kept.with_changes(title="changed")], "json"))
    rows.append({"title": "bad", "date": "2024-13-01", "country": "Russia", "region": "Udmurtia"})
    before = snapshot(journal_path)
    plan = plan_import(journal, json.dumps(rows), "json", update=True)
    assert [(error.row, error.field) for error in plan.errors] == [(2, "date")]
    assert "1 of 2 rows are invalid" in str(plan.rejected())
    assert snapshot(journal_path) == before


# -- changed or deleted meanwhile ----------------------------------------------------------------------


def change_meanwhile(journal: Journal, journal_path: Path, incident_id: str, how: str, where: str) -> None:
    """Change or delete ``incident_id`` between the plan and the import: here, or in another program."""
    other = journal if where == "same journal" else Journal(journal_path)
    if how == "changed":
        other.update(other.get(incident_id).with_changes(summary="edited meanwhile"))
    else:
        other.delete(incident_id)
    if other is not journal:
        other.close()


@pytest.mark.parametrize("where", ["same journal", "another program"])
@pytest.mark.parametrize(("how", "refusal"), [("changed", RevisionConflict), ("deleted", IncidentNotFound)])
def test_an_update_of_an_incident_changed_or_deleted_meanwhile_is_refused(
    how: str, refusal: type[Exception], where: str, journal: Journal, stored, make_incident, journal_path: Path
) -> None:
    target = stored(title="target")
    bystander = stored(title="bystander", date="2024-06-01")
    fresh = make_incident(title="new in the file", date="2024-05-01")
    data = export_bytes(
        [fresh, bystander.with_changes(title="bystander changed"), target.with_changes(title="target changed")], "json"
    )
    plan = plan_import(journal, data, "json", update=True)
    assert [incident.id for incident in plan.new] == [fresh.id]
    assert [incident.id for incident in plan.updates] == [bystander.id, target.id]

    change_meanwhile(journal, journal_path, target.id, how, where)
    before = snapshot(journal_path)
    history_before = history_records(journal_path)

    with pytest.raises(refusal):
        journal.import_incidents(plan.new, updates=plan.updates)

    assert snapshot(journal_path) == before
    for reader in (journal, Journal(journal_path)):
        assert fresh.id not in reader
        assert reader.get(bystander.id) == bystander
        if how == "changed":
            assert reader.get(target.id).summary == "edited meanwhile"
        else:
            assert target.id not in reader
    assert history_records(journal_path) == history_before
    assert len(journal.history(bystander.id)) == 0


def test_new_incidents_and_updates_are_written_in_one_write(
    journal: Journal, stored, make_incident, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = stored(title="first"), stored(title="second", date="2024-06-01")
    fresh = [make_incident(title=f"new {n}", date=f"2024-05-0{n}") for n in (1, 2, 3)]
    changed = [first.with_changes(title="first changed"), second.with_changes(title="second changed")]
    data = export_bytes([*fresh, *changed], "csv")
    plan = plan_import(journal, data, "csv", update=True)
    assert len(plan.new) == 3 and len(plan.updates) == 2

    log = journal_path.with_name("journal.json.log")
    lines_before = log.read_bytes().count(b"\n")
    result = journal.import_incidents(plan.new, updates=plan.updates)

    assert log.read_bytes().count(b"\n") == lines_before + 1, "one write: one line of the log"
    assert sorted(result.added) == sorted(incident.id for incident in fresh)
    assert sorted(result.updated) == sorted([first.id, second.id])
    reopened = Journal(journal_path)
    assert len(reopened) == 5
    assert reopened.get(first.id).title == "first changed" and reopened.get(first.id).revision == 2
    assert reopened.get(second.id).title == "second changed" and reopened.get(second.id).revision == 2
    assert {entry["incident_id"] for entry in history_records(journal_path)} == {first.id, second.id}


def test_a_failed_write_of_an_import_leaves_the_file_and_the_journal_as_they_were(
    journal: Journal, stored, make_incident, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = stored(title="kept")
    fresh = make_incident(title="new", date="2024-05-01")
    plan = plan_import(journal, export_bytes([fresh, kept.with_changes(title="changed")], "json"), "json", update=True)
    before = snapshot(journal_path)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patched, pytest.raises(JournalWriteError):
        patched.setattr(os, "fsync", disk_full)
        journal.import_incidents(plan.new, updates=plan.updates)

    assert snapshot(journal_path) == before
    assert fresh.id not in journal and journal.get(kept.id) == kept
    assert journal.history(kept.id) == []
    # and the plan can be written once the disk has room again
    journal.import_incidents(plan.new, updates=plan.updates)
    assert Journal(journal_path).get(kept.id).title == "changed" and fresh.id in Journal(journal_path)


# -- ids ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_without_an_id_get_fresh_ones(fmt: str, journal: Journal, stored) -> None:
    existing = stored()
    data = export_bytes([existing, existing.with_changes(title="other")], fmt)
    if fmt == "json":
        rows = [{k: v for k, v in row.items() if k != "id"} for row in json.loads(data)]
        data = json.dumps(rows).encode()
    else:
        data = only_columns(data, ("title", "date", "country", "region")).encode()

    plan = plan_import(journal, data, fmt)

    assert plan.errors == []
    ids = [incident.id for incident in plan.new]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert existing.id not in ids
    assert all(uuid.UUID(incident_id).version == 4 for incident_id in ids)
    assert sorted(plan.row_of.values()) == ([1, 2] if fmt == "json" else [2, 3])


def rows_named(errors, incident_id: str) -> set[int]:
    """The row numbers the errors about ``incident_id`` name: their own, and those in their messages."""
    named: set[int] = set()
    for error in errors:
        if error.id == incident_id:
            named.add(error.row)
            named.update(int(number) for number in re.findall(r"\brows? (\d+)", error.message))
    return named


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_rows_with_one_id_are_both_named(fmt: str, journal: Journal, make_incident) -> None:
    first = make_incident(id=ID_A, title="first")
    middle = make_incident(id=ID_B, title="middle")
    second = make_incident(id=ID_A, title="second")
    plan = plan_import(journal, export_bytes([first, middle, second], fmt), fmt)
    offset = 0 if fmt == "json" else 1  # CSV rows count the header
    assert rows_named(plan.errors, ID_A) == {1 + offset, 3 + offset}
    assert {error.field for error in plan.errors} == {"id"}
    assert ID_B in [incident.id for incident in plan.new]


def test_an_id_in_capitals_is_the_same_incident(journal: Journal, stored) -> None:
    kept = stored()
    rows = json.loads(export_bytes([kept], "json"))
    rows[0]["id"] = kept.id.upper()
    plan = plan_import(journal, json.dumps(rows), "json")
    assert plan.unchanged == [kept.id] and plan.new == []


@pytest.mark.parametrize("update", [False, True])
def test_an_id_of_an_invalid_record_in_the_journal_is_named(update: bool, journal_path: Path, make_incident) -> None:
    good = make_incident(title="good")
    broken = {**make_incident(id=ID_A, title="broken").record(), "killed": {"min": -1, "max": None, "note": None}}
    raw = write_journal(journal_path, [good.record(), broken])
    repaired = make_incident(id=ID_A, title="repaired in the file")
    with Journal(journal_path) as journal:
        plan = plan_import(journal, export_bytes([good, repaired], "json"), "json", update=update)
    assert [(error.row, error.id, error.field) for error in plan.errors] == [(2, ID_A, "id")]
    assert "invalid" in plan.errors[0].message
    assert ID_A not in [incident.id for incident in plan.new + plan.updates]
    assert ID_A not in plan.skipped + plan.unchanged
    assert plan.unchanged == [good.id]
    assert stored_bytes(journal_path)[0] == raw


# -- possible duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "typed"),
    [
        ("Ижевск", "ИЖЕВСК"),
        ("Ижевск", "  ижевск  "),
        ("Нижний Новгород", "нижний   НОВГОРОД"),
        ("Берёзовка", "БЕРЕЗОВКА"),
        ("New York", "new  york"),
    ],
)
def test_same_date_and_place_is_a_possible_duplicate(
    recorded: str, typed: str, journal: Journal, stored, make_incident
) -> None:
    other = stored(title="recorded first", place=recorded, date="2024-07-01")
    stored(title="another day", place=recorded, date="2024-07-02")
    candidate = make_incident(title="typed later", place=typed, date="2024-07-01")
    assert place_key(recorded) == place_key(typed)
    assert journal.possible_duplicates([candidate]) == [
        PossibleDuplicate(candidate.id, other.id, "recorded first", SAME_PLACE)
    ]


def test_same_date_and_place_is_reported_on_import(journal: Journal, stored, make_incident) -> None:
    other = stored(title="recorded first", place="Ижевск", date="2024-07-01")
    unrelated = make_incident(title="elsewhere", place="Сарапул", date="2024-07-01")
    candidate = make_incident(title="from the file", place="ижевск", date="2024-07-01")
    plan = plan_import(journal, export_bytes([unrelated, candidate], "csv"), "csv")
    assert [incident.id for incident in plan.new] == [unrelated.id, candidate.id]
    assert plan.duplicates == [PossibleDuplicate(candidate.id, other.id, "recorded first", SAME_PLACE)]
    assert plan.row_of[candidate.id] == 3
    assert "recorded first" in str(plan.duplicates[0]) and SAME_PLACE in str(plan.duplicates[0])


def test_a_possible_duplicate_is_reported_when_saving(journal: Journal, stored) -> None:
    first = stored(title="first", place="Ижевск", date="2024-07-01")
    saved = stored(title="second", place="ИЖЕВСК", date="2024-07-01")
    assert journal.possible_duplicates([saved]) == [PossibleDuplicate(saved.id, first.id, "first", SAME_PLACE)]


@pytest.mark.parametrize(
    ("place", "date"),
    [("Сарапул", "2024-07-01"), ("Ижевск", "2024-07-02"), ("Ижевск район", "2024-07-01"), (None, "2024-07-01")],
)
def test_a_different_place_or_date_is_not_a_duplicate(
    place: str | None, date: str, journal: Journal, stored, make_incident
) -> None:
    stored(place="Ижевск", date="2024-07-01")
    assert journal.possible_duplicates([make_incident(place=place, date=date)]) == []


def test_no_place_never_matches_on_place_alone(journal: Journal, stored, make_incident) -> None:
    stored(title="no place either", date="2024-07-01")
    stored(title="has a place", place="Ижевск", date="2024-07-01")
    assert journal.possible_duplicates([make_incident(date="2024-07-01")]) == []
    assert journal.possible_duplicates([make_incident(date="2024-07-01", place="Сарапул")]) == []
    # but a shared URL still counts
    with_url = stored(title="with url", date="2024-07-01", sources=[{"outlet": "x", "url": "https://example.com/a"}])
    candidate = make_incident(date="2024-07-01", sources=[{"outlet": "y", "url": "https://example.com/a"}])
    (found,) = journal.possible_duplicates([candidate])
    assert found.other_id == with_url.id and found.reason.startswith(SAME_URL)


@pytest.mark.parametrize(
    "typed",
    [
        "https://www.example.com/news/1/",
        "http://example.com/news/1",
        "HTTPS://WWW.EXAMPLE.COM/NEWS/1",
        "https://example.com/news/1/",
        "http://www.Example.com/News/1",
    ],
)
def test_same_source_url_in_another_spelling_is_a_possible_duplicate(
    typed: str, journal: Journal, stored, make_incident
) -> None:
    other = stored(title="recorded", date="2024-01-01", sources=[
        {"outlet": "first", "url": "https://example.org/unrelated"},
        {"outlet": "second", "url": "https://www.example.com/news/1/"},
    ])
    candidate = make_incident(date="2024-07-01", sources=[{"outlet": "later", "url": typed}])
    (found,) = journal.possible_duplicates([candidate])
    assert (found.incident_id, found.other_id, found.other_title) == (candidate.id, other.id, "recorded")
    assert found.reason.startswith(SAME_URL) and typed in found.reason


@pytest.mark.parametrize(
    "typed", ["https://example.com/news/12", "https://example.com/news/1/more", "https://example.net/news/1",
              "https://example.com/news"],
)
def test_a_different_url_is_not_a_duplicate(typed: str, journal: Journal, stored, make_incident) -> None:
    stored(sources=[{"outlet": "x", "url": "https://www.example.com/news/1/"}])
    assert journal.possible_duplicates([make_incident(sources=[{"outlet": "y", "url": typed}])]) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("example.com/news/1", "https://www.example.com/news/1/"),
        ("www.example.com/news/1", "http://example.com/news/1"),
        ("  HTTPS://Example.COM/news/1  ", "example.com/news/1/"),
    ],
)
def test_url_key_ignores_scheme_www_trailing_slash_and_case(one: str, other: str) -> None:
    assert url_key(one) == url_key(other)


def test_a_url_without_scheme_in_a_hand_edited_record_still_matches(journal_path: Path, make_incident) -> None:
    hand_typed = make_incident(title="typed by hand").record()
    hand_typed["sources"] = [{"outlet": "x", "url": "www.example.com/news/1", "kind": "other"}]  # invalid: no scheme
    write_journal(journal_path, [hand_typed])
    candidate = make_incident(sources=[{"outlet": "y", "url": "https://example.com/news/1/"}])
    with Journal(journal_path) as journal:
        (found,) = journal.possible_duplicates([candidate])
    assert found.other_id == hand_typed["id"] and found.reason.startswith(SAME_URL)


def test_an_incident_is_not_its_own_duplicate(journal: Journal, stored) -> None:
    saved = stored(place="Ижевск", sources=[{"outlet": "x", "url": "https://example.com/a"}])
    assert journal.possible_duplicates([saved]) == []
    twin = stored(title="twin", place="ижевск", sources=[{"outlet": "y", "url": "http://www.example.com/a/"}])
    found = journal.possible_duplicates([saved])
    assert {(d.incident_id, d.other_id) for d in found} == {(saved.id, twin.id)}
    assert sorted(d.reason.split(" http")[0] for d in found) == [SAME_PLACE, SAME_URL]


def test_one_reason_is_reported_once_per_pair(journal: Journal, stored, make_incident) -> None:
    other = stored(title="two sources", sources=[
        {"outlet": "a", "url": "https://example.com/a"}, {"outlet": "b", "url": "https://example.com/a/"}
    ], place="Ижевск")
    candidate = make_incident(place="Ижевск", sources=[{"outlet": "c", "url": "https://example.com/a"}])
    found = journal.possible_duplicates([candidate])
    assert all(d.other_id == other.id for d in found)
    assert [d.reason for d in found].count(SAME_PLACE) == 1
    assert len(found) == len({(d.incident_id, d.other_id, d.reason) for d in found})


class CountingRecord(dict):
    """A stored record that counts how often its date is read."""

    reads = 0

    def get(self, key, default=None):  # type: ignore[override]
        if key == "date":
            self.reads += 1
        return super().get(key, default)

    def __getitem__(self, key):
        if key == "date":
            self.reads += 1
        return super().__getitem__(key)


def test_several_candidates_are_checked_in_one_pass(journal: Journal, stored, make_incident) -> None:
    izhevsk = stored(title="Izhevsk", place="Ижевск", date="2024-07-01")
    sarapul = stored(title="Sarapul", place="Сарапул", date="2024-07-02",
                     sources=[{"outlet": "x", "url": "https://example.com/s"}])
    quiet = [stored(title=f"quiet {n}", place="Воткинск", date=f"2024-06-{n:02d}") for n in range(1, 6)]
    by_place = make_incident(title="a", place="ижевск", date="2024-07-01")
    by_both = make_incident(title="b", place="Сарапул", date="2024-07-02",
                            sources=[{"outlet": "y", "url": "http://example.com/s/"}])
    by_url_only = make_incident(title="c", date="2024-01-01", sources=[{"outlet": "z", "url": "https://www.example.com/s"}])
    nothing = make_incident(title="d", place="Глазов", date="2024-07-01")

    records = journal._records.by_id
    counting = {incident_id: CountingRecord(records[incident_id]) for incident_id in list(records)}
    records.update(counting)  # white-box: see how often each stored record is looked at
    found = journal.possible_duplicates([by_place, by_both, by_url_only, nothing])

    assert sorted((d.incident_id, d.other_id, d.reason.split(" http")[0]) for d in found) == sorted([
        (by_place.id, izhevsk.id, SAME_PLACE),
        (by_both.id, sarapul.id, SAME_PLACE),
        (by_both.id, sarapul.id, SAME_URL),
        (by_url_only.id, sarapul.id, SAME_URL),
    ])
    assert len(quiet) == 5
    assert max(record.reads for record in counting.values()) <= 1, "the journal was read once per candidate"


def test_several_unsaved_candidates_matching_one_incident_are_each_reported(
    journal: Journal, stored, make_fields
) -> None:
    other = stored(title="recorded", place="Ижевск", date="2024-07-01")
    typed = [make_fields(title="one", place="Ижевск"), make_fields(title="two", place="ИЖЕВСК")]
    found = journal.possible_duplicates(typed)
    assert [(d.other_id, d.reason) for d in found] == [(other.id, SAME_PLACE)] * 2


def test_hand_broken_records_do_not_break_the_duplicate_check(journal_path: Path, make_incident) -> None:
    good = make_incident(title="good", place="Ижевск")
    odd = [
        {**make_incident().record(), "place": 5},
        {**make_incident().record(), "date": None, "place": "Ижевск"},
        {**make_incident().record(), "sources": "https://example.com/a"},
        {**make_incident().record(), "sources": ["https://example.com/a", {"url": 7}, {"outlet": "no url"}]},
    ]
    write_journal(journal_path, [good.record(), *odd])
    candidate = make_incident(place="ижевск", sources=[{"outlet": "x", "url": "https://example.com/a"}])
    with Journal(journal_path) as journal:
        found = journal.possible_duplicates([candidate])
    assert [(d.other_id, d.reason) for d in found] == [(good.id, SAME_PLACE)]


def test_possible_duplicates_follow_every_change_to_the_journal(
    journal: Journal, stored, make_incident, journal_path: Path
) -> None:
    def found_for(place: str, date: str = "2024-07-01") -> set[str]:
        return {d.other_id for d in journal.possible_duplicates([make_incident(place=place, date=date)])}

    moved = stored(title="moves", place="Ижевск")
    assert found_for("Ижевск") == {moved.id}
    journal.update(moved.with_changes(place="Сарапул"))
    assert found_for("Ижевск") == set() and found_for("Сарапул") == {moved.id}
    journal.delete(moved.id)
    assert found_for("Сарапул") == set()
    journal.restore(moved.id)
    assert found_for("Сарапул") == {moved.id}
    fresh = make_incident(title="imported", place="Воткинск")
    journal.import_incidents([fresh])
    assert found_for("Воткинск") == {fresh.id}
    with Journal(journal_path) as elsewhere:  # another program adds one
        added_elsewhere = elsewhere.add(moved.with_changes(place="Глазов"))
    journal.add(moved.with_changes(title="saved here, after the other program"))  # catches up with the file
    assert found_for("Глазов") == {added_elsewhere.id}


def test_a_restored_invalid_record_is_a_possible_duplicate_again(journal_path: Path, make_incident) -> None:
    broken = {
        **make_incident(title="broken", place="Ижевск").record(), "killed": {"min": -1, "max": None, "note": None}
    }
    write_journal(journal_path, [broken])
    candidate = make_incident(place="ижевск")
    with Journal(journal_path) as journal:
        assert [d.other_id for d in journal.possible_duplicates([candidate])] == [broken["id"]]
        assert journal.delete(broken["id"]) is None
        assert journal.possible_duplicates([candidate]) == []
        assert journal.restore(broken["id"]) is None  # back as it was, to be fixed
        assert [d.other_id for d in journal.possible_duplicates([candidate])] == [broken["id"]]


@pytest.mark.parametrize("how", ["update", "import --update"])
def test_the_first_change_after_opening_moves_the_incident_in_the_duplicate_index(
    how: str, journal_path: Path, make_incident
) -> None:
    """Records read from the file are the storage's own documents, which a save rewrites in place:
    the old date-and-place and URL must still leave the index (else false duplicates are named)."""
    old = make_incident(title="A", place="Izhevsk", sources=[{"outlet": "o", "url": "https://old.example/1"}])
    write_journal(journal_path, [old.record()])
    like_before = make_incident(place="Izhevsk", sources=[{"outlet": "p", "url": "https://old.example/1"}])
    like_after = make_incident(place="Sarapul", sources=[{"outlet": "p", "url": "https://new.example/2"}])
    with Journal(journal_path) as journal:
        assert len(journal.possible_duplicates([like_before])) == 2  # the index is built from the file
        moved = old.with_changes(place="Sarapul", sources=[{"outlet": "o", "url": "https://new.example/2"}])
        if how == "update":
            journal.update(moved)
        else:
            journal.import_incidents([], updates=[moved])
        assert journal.possible_duplicates([like_before]) == []
        assert {(d.other_id, d.reason.split(" http")[0]) for d in journal.possible_duplicates([like_after])} == {
            (old.id, SAME_PLACE), (old.id, SAME_URL)
        }


@pytest.mark.parametrize(
    ("columns", "cells", "expected"),
    [
        (("killed_min",), ("3",), "3 (hospital)"),  # the same minimum: nothing changes
        (("killed_min",), ("4",), "4-3 (hospital)"),  # refused below: a maximum below the minimum
        (("killed_note",), ("morgue",), "3 (morgue)"),
        (("killed_min", "killed_max"), ("2", ""), "2+ (hospital)"),  # blank max: no upper bound
    ],
)
def test_an_update_with_some_count_columns_keeps_the_parts_it_leaves_out(
    columns: tuple[str, ...], cells: tuple[str, ...], expected: str, journal: Journal, stored
) -> None:
    kept = stored(killed="3 (hospital)")
    data = f"id,{','.join(columns)}\r\n{kept.id},{','.join(cells)}\r\n"
    plan = plan_import(journal, data, "csv", update=True)
    if expected == "4-3 (hospital)":
        assert [(error.row, error.field) for error in plan.errors] == [(2, "killed")]
        assert "journal" in plan.errors[0].message  # the maximum kept from the journal is named as such
        return
    assert plan.errors == []
    if expected == str(kept.killed):
        assert plan.unchanged == [kept.id] and plan.updates == []
    else:
        (updated,) = plan.updates
        assert str(updated.killed) == expected
