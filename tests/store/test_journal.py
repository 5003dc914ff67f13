"""``Journal``: recording, reading, changing and deleting incidents in one file."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import uuid
from pathlib import Path

import pytest

from store import (
    SCHEMA_VERSION,
    AmbiguousId,
    IncidentFilter,
    IncidentNotFound,
    InvalidIncident,
    Journal,
    JournalUnreadable,
    JournalWriteError,
    RevisionConflict,
)
from tests.store.conftest import stored_bytes, stored_tables

UTC = dt.UTC


def read_json(path: Path) -> dict:
    """What is stored: the journal file with its log's changes (see ``stored_tables``)."""
    return stored_tables(path)


def unique_prefix(one: str, others: list[str]) -> str:
    """The shortest start of ``one`` that starts none of ``others``."""
    for length in range(1, len(one) + 1):
        if not any(other.startswith(one[:length]) for other in others):
            return one[:length]
    raise AssertionError("no unique prefix")


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fail)


@pytest.fixture
def journal(journal_path: Path, clock) -> Journal:
    with Journal(journal_path) as opened:
        yield opened


# -- adding -------------------------------------------------------------------------------------


def test_add_assigns_id_revision_and_timestamps(journal: Journal, make_fields, clock) -> None:
    fields = make_fields(killed="1+", place="Izhevsk")
    incident = journal.add(fields)

    assert uuid.UUID(incident.id).version == 4
    assert str(uuid.UUID(incident.id)) == incident.id
    assert incident.revision == 1
    assert incident.created_at == incident.updated_at == clock.now
    assert incident.created_at.utcoffset() == dt.timedelta(0)
    assert incident.fields_record() == fields.fields_record()


def test_added_incidents_get_different_ids(journal: Journal, make_fields) -> None:
    ids = {journal.add(make_fields()).id for _ in range(5)}
    assert len(ids) == 5
    assert len(journal) == 5


def test_add_is_saved_at_once(journal: Journal, journal_path: Path, make_fields) -> None:
    incident = journal.add(make_fields(place="Ижевск"))
    stored = list(read_json(journal_path)["incidents"].values())
    assert [record["id"] for record in stored] == [incident.id]
    assert any("Ижевск".encode() in stored for stored in stored_bytes(journal_path) if stored)


def test_schema_version_is_written_with_the_first_incident(journal_path: Path, make_fields) -> None:
    journal = Journal(journal_path)
    assert journal.schema_version == SCHEMA_VERSION == 4
    assert not journal_path.exists(), "opening a journal must not create the file"
    journal.add(make_fields())
    journal.add(make_fields())
    journal.close()  # the last to close the journal writes the file whole, with its meta
    assert list(read_json(journal_path)["meta"].values()) == [{"schema_version": SCHEMA_VERSION, "folded_seq": 2}]


# -- reading -------------------------------------------------------------------------------------


def test_get_by_full_id_and_unique_prefix(journal: Journal, make_fields) -> None:
    first = journal.add(make_fields(title="first"))
    second = journal.add(make_fields(title="second"))
    prefix = unique_prefix(first.id, [second.id])

    assert journal.get(first.id) == first
    assert journal.get(prefix) == first
    assert journal.get(f"  {first.id[:max(len(prefix), 8)].upper()} ") == first
    assert journal.get(second.id).title == "second"
    assert first.id in journal


def test_ambiguous_prefix_is_refused(journal: Journal, make_incident) -> None:
    journal.import_incidents(
        [
            make_incident(id="aaaa1111-0000-4000-8000-000000000001"),
            make_incident(id="aaaa2222-0000-4000-8000-000000000002"),
        ]
    )
    with pytest.raises(AmbiguousId) as caught:
        journal.get("aaaa")
    assert "2 incidents" in str(caught.value)
    assert journal.get("aaaa2").id == "aaaa2222-0000-4000-8000-000000000002"


@pytest.mark.parametrize("wanted", ["", "  ", "zzz", "not an id"])
def test_missing_id_is_reported(journal: Journal, make_fields, wanted: str) -> None:
    journal.add(make_fields())
    with pytest.raises(IncidentNotFound):
        journal.get(wanted)


def test_missing_full_id_is_reported(journal: Journal) -> None:
    with pytest.raises(IncidentNotFound) as caught:
        journal.get(str(uuid.uuid4()))
    assert isinstance(caught.value, LookupError)


def test_all_lists_newest_first(journal: Journal, make_fields) -> None:
    early = journal.add(make_fields(title="early", date="2024-06-01"))
    late = journal.add(make_fields(title="late", date="2024-07-03"))
    middle_first = journal.add(make_fields(title="middle, recorded first", date="2024-07-02"))
    middle_second = journal.add(make_fields(title="middle, recorded second", date="2024-07-02"))
    assert [incident.id for incident in journal.all()] == [
        late.id,
        middle_second.id,
        middle_first.id,
        early.id,
    ]


def test_query_applies_the_filter(journal: Journal, make_fields) -> None:
    izhevsk = journal.add(make_fields(region="Udmurtia", place="Izhevsk", killed="1+"))
    journal.add(make_fields(region="Belgorod", injured="2"))
    journal.add(make_fields(region="Rostov"))
    assert journal.query(IncidentFilter(region="udmurtia")) == [izhevsk]
    assert journal.query(IncidentFilter(casualties=frozenset({"killed"}))) == [izhevsk]
    assert len(journal.query(IncidentFilter())) == 3
    assert len(journal.query()) == 3


def test_query_sees_changes(journal: Journal, make_fields) -> None:
    incident = journal.add(make_fields(title="Strike on a depot"))
    assert journal.query(IncidentFilter(text="depot")) == [incident]
    changed = journal.update(incident.with_changes(title="Strike on a refinery"))
    assert journal.query(IncidentFilter(text="depot")) == []
    assert journal.query(IncidentFilter(text="refinery")) == [changed]
    journal.delete(incident.id)
    assert journal.query(IncidentFilter(text="refinery")) == []


def test_regions_are_counted_and_sorted_by_name(journal: Journal, make_fields) -> None:
    for region in ["Udmurtia", "belgorod", "Udmurtia", "Crimea", "Rostov", "Udmurtia"]:
        journal.add(make_fields(region=region))
    assert journal.row_regions() == [("belgorod", 1), ("Crimea", 1), ("Rostov", 1), ("Udmurtia", 3)]


# -- changing -------------------------------------------------------------------------------------


def test_update_bumps_revision_and_keeps_the_rest(journal: Journal, make_fields, journal_path: Path) -> None:
    original = journal.add(make_fields(place="Izhevsk", killed="1+", tags=["fire"]))
    saved = journal.update(original.with_changes(injured="? (several)"))

    assert saved.revision == 2
    assert str(saved.injured) == "? (several)"
    assert saved.created_at == original.created_at
    assert saved.updated_at > original.updated_at
    unchanged = {"id", "title", "place", "killed", "tags", "date", "region", "country"}
    assert saved.model_dump(include=unchanged) == original.model_dump(include=unchanged)
    assert journal.get(original.id) == saved

    with Journal(journal_path) as reopened:
        assert reopened.get(original.id) == saved


def test_update_with_a_stale_revision_is_refused(journal: Journal, make_fields, journal_path: Path) -> None:
    original = journal.add(make_fields(title="first"))
    journal.update(original.with_changes(title="changed once"))
    before = stored_bytes(journal_path)

    with pytest.raises(RevisionConflict) as caught:
        journal.update(original.with_changes(title="changed from a stale copy"))
    assert "revision 2" in str(caught.value)
    assert stored_bytes(journal_path) == before
    assert journal.get(original.id).title == "changed once"


def test_update_of_a_deleted_incident_is_refused(journal: Journal, make_fields) -> None:
    incident = journal.add(make_fields())
    journal.delete(incident.id)
    with pytest.raises(IncidentNotFound):
        journal.update(incident.with_changes(title="too late"))


def test_delete_returns_the_incident_and_removes_it(journal: Journal, make_fields, journal_path: Path) -> None:
    keep = journal.add(make_fields(title="keep"))
    gone = journal.add(make_fields(title="gone"))

    assert journal.delete(unique_prefix(gone.id, [keep.id])) == gone
    assert journal.all() == [keep]
    with pytest.raises(IncidentNotFound):
        journal.get(gone.id)
    stored = read_json(journal_path)
    assert [record["id"] for record in stored["incidents"].values()] == [keep.id]
    # the deleted version is kept in the history, whole
    [kept] = [entry for entry in stored["history"].values() if entry["incident_id"] == gone.id]
    assert kept["action"] == "delete" and kept["record"] == gone.record()
    with Journal(journal_path) as reopened:
        assert reopened.all() == [keep]


def test_ids_are_not_reused_after_delete(journal: Journal, make_fields, journal_path: Path) -> None:
    deleted = {journal.delete(journal.add(make_fields()).id).id for _ in range(3)}
    with Journal(journal_path) as reopened:
        fresh = reopened.add(make_fields())
    assert fresh.id not in deleted


# -- opening and closing ---------------------------------------------------------------------------


def test_reopening_gives_equal_incidents(journal_path: Path, make_fields) -> None:
    with Journal(journal_path) as journal:
        journal.add(
            make_fields(
                title="Удар дрона по заводу",
                summary='Line "one"\n\tline two 🚀',
                killed="1+",
                injured="? (several)",
                latitude=56.8498,
                longitude=53.2045,
                event_type="air",
                sources=[{"outlet": "SHOT (Telegram)", "kind": "telegram", "quote": "[/] [bold]"}],
            )
        )
        journal.add(make_fields(date="2023-01-01", killed="0", injured="0"))
        written = journal.all()
    with Journal(journal_path) as reopened:
        assert reopened.all() == written


def test_context_manager_closes_the_journal(journal_path: Path, make_fields, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Journal] = []
    real_close = Journal.close

    def recording_close(self: Journal) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(Journal, "close", recording_close)
    with pytest.raises(RuntimeError, match="boom"):
        with Journal(journal_path) as journal:
            journal.add(make_fields())
            raise RuntimeError("boom")
    assert closed == [journal]
    assert len(Journal(journal_path)) == 1


def write_journal(path: Path, incidents: dict, schema_version: object = 1) -> bytes:
    data = {"incidents": incidents, "meta": {"1": {"schema_version": schema_version}}}
    raw = json.dumps(data, ensure_ascii=False, indent=1).encode()
    path.write_bytes(raw)
    return raw


def test_a_journal_from_a_newer_version_is_refused_and_left_alone(journal_path: Path, make_incident) -> None:
    raw = write_journal(journal_path, {"1": make_incident().record()}, schema_version=SCHEMA_VERSION + 1)
    with pytest.raises(JournalUnreadable) as caught:
        Journal(journal_path)
    assert "newer" in str(caught.value)
    assert stored_bytes(journal_path)[0] == raw


@pytest.mark.parametrize("version", ["1", 0, None, True, 1.5])
def test_an_invalid_schema_version_is_refused(journal_path: Path, version: object) -> None:
    raw = write_journal(journal_path, {}, schema_version=version)
    with pytest.raises(JournalUnreadable):
        Journal(journal_path)
    assert stored_bytes(journal_path)[0] == raw


def test_a_file_that_is_not_json_is_refused_and_left_alone(journal_path: Path) -> None:
    journal_path.write_bytes(b"{ not json")
    with pytest.raises(JournalUnreadable):
        Journal(journal_path)
    assert stored_bytes(journal_path)[0] == b"{ not json"


# -- hand-edited files -------------------------------------------------------------------------------


@pytest.fixture
def hand_edited(journal_path: Path, make_incident):
    good = make_incident(title="good")
    bad_count = {**make_incident(title="bad count").record(), "killed": {"min": -1, "max": None, "note": None}}
    no_id = {key: value for key, value in make_incident(title="no id").record().items() if key != "id"}
    bad_url = make_incident(title="bad url").record()
    bad_url["sources"] = [{"outlet": "x", "url": "javascript:alert(1)", "kind": "other"}]
    duplicate = {**make_incident(title="duplicate").record(), "id": good.id}
    raw = write_journal(
        journal_path,
        {"1": good.record(), "2": bad_count, "3": no_id, "4": bad_url, "5": duplicate},
    )
    return good, bad_count, bad_url, raw


def test_invalid_records_are_skipped_and_named(journal_path: Path, hand_edited) -> None:
    good, bad_count, bad_url, raw = hand_edited
    journal = Journal(journal_path)

    assert journal.all() == [good]
    bad = journal.bad_records()
    assert [(record.position, record.id) for record in bad] == [
        (2, bad_count["id"]),
        (3, None),
        (4, bad_url["id"]),
        (5, good.id),
    ]
    assert [problem.field for problem in bad[0].problems] == ["killed.min"]
    assert [problem.field for problem in bad[1].problems] == ["id"]
    assert [problem.field for problem in bad[2].problems] == ["sources.0.url"]
    assert [problem.field for problem in bad[3].problems] == ["id"]
    assert "record 2" in str(bad[0]) and bad_count["id"] in str(bad[0])
    assert stored_bytes(journal_path)[0] == raw


def test_an_invalid_record_is_reported_when_asked_for_and_can_be_deleted(journal_path: Path, hand_edited) -> None:
    good, bad_count, _bad_url, _raw = hand_edited
    journal = Journal(journal_path)
    with pytest.raises(InvalidIncident) as caught:
        journal.get(bad_count["id"])
    assert [problem.field for problem in caught.value.problems] == ["killed.min"]

    assert journal.delete(bad_count["id"]) is None
    assert bad_count["id"] not in [record.id for record in Journal(journal_path).bad_records()]
    assert Journal(journal_path).all() == [good]


def test_a_good_incident_can_be_changed_beside_bad_records(journal_path: Path, hand_edited) -> None:
    good, *_ = hand_edited
    journal = Journal(journal_path)
    journal.update(good.with_changes(title="still good"))
    reopened = Journal(journal_path)
    assert reopened.get(good.id).title == "still good"
    assert len(reopened.bad_records()) == 4


@pytest.mark.parametrize(
    "record",
    [
        pytest.param('"just text"', id="text"),
        pytest.param("[1, 2]", id="array"),
        pytest.param("null", id="null"),
    ],
)
def test_a_record_that_is_not_an_object_is_reported_not_crashed_on(
    journal_path: Path, make_incident, record: str
) -> None:
    good = make_incident()
    raw = (
        '{"meta": {"1": {"schema_version": 1}}, "incidents": {"1": '
        + json.dumps(good.record())
        + ', "2": '
        + record
        + "}}"
    ).encode()
    journal_path.write_bytes(raw)
    try:
        journal = Journal(journal_path)
    except JournalUnreadable:
        pass  # refusing the whole file, with a message, is acceptable
    else:
        assert journal.all() == [good]
        assert [record.position for record in journal.bad_records()] == [2]
    assert stored_bytes(journal_path)[0] == raw


def test_a_record_key_that_is_not_a_number_is_reported_not_crashed_on(journal_path: Path, make_incident) -> None:
    good = make_incident()
    raw = write_journal(journal_path, {"first": good.record()})
    try:
        journal = Journal(journal_path)
    except JournalUnreadable:
        pass  # refusing the whole file, with a message, is acceptable
    else:
        assert journal.all() == [good]
    assert stored_bytes(journal_path)[0] == raw


def test_an_id_typed_in_capitals_can_still_be_fetched_changed_and_deleted(journal_path: Path, make_incident) -> None:
    incident = make_incident()
    record = {**incident.record(), "id": incident.id.upper()}
    write_journal(journal_path, {"1": record})
    journal = Journal(journal_path)
    (listed,) = journal.all()
    assert journal.get(listed.id) == listed
    saved = journal.update(listed.with_changes(title="edited"))
    assert Journal(journal_path).get(listed.id) == saved
    assert journal.delete(listed.id) == saved
    assert Journal(journal_path).all() == []


# -- failed writes --------------------------------------------------------------------------------


@pytest.fixture
def populated(journal_path: Path, make_fields, clock):
    journal = Journal(journal_path)
    first = journal.add(make_fields(title="first", region="Udmurtia"))
    second = journal.add(make_fields(title="second", region="Belgorod", date="2024-07-02"))
    return journal, first, second


@pytest.mark.parametrize("operation", ["add", "update", "delete", "import"])
def test_a_failed_write_changes_nothing(
    populated, journal_path: Path, make_fields, make_incident, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    journal, first, second = populated
    before_bytes = stored_bytes(journal_path)
    before_all = journal.all()
    before_regions = journal.row_regions()

    disk_full(monkeypatch)
    with pytest.raises(JournalWriteError) as caught:
        if operation == "add":
            journal.add(make_fields(title="third"))
        elif operation == "update":
            journal.update(first.with_changes(title="renamed"))
        elif operation == "delete":
            journal.delete(second.id)
        else:
            journal.import_incidents([make_incident(), make_incident()])
    assert "No space left on device" in str(caught.value)

    assert stored_bytes(journal_path) == before_bytes
    assert sorted(entry.name for entry in journal_path.parent.iterdir()) == ["journal.json.lock", "journal.json.log"]
    assert journal.all() == before_all
    assert journal.row_regions() == before_regions
    assert journal.get(first.id) == first
    assert journal.get(second.id) == second
    assert len(journal) == 2
    monkeypatch.undo()

    # Once there is room again, the same change goes through.
    if operation == "add":
        journal.add(make_fields(title="third"))
        expected = {"first", "second", "third"}
    elif operation == "update":
        assert journal.update(first.with_changes(title="renamed")).revision == 2
        expected = {"renamed", "second"}
    elif operation == "delete":
        journal.delete(second.id)
        expected = {"first"}
    else:
        assert len(journal.import_incidents([make_incident(title="imported")]).added) == 1
        expected = {"first", "second", "imported"}
    assert {incident.title for incident in journal.all()} == expected
    assert {incident.title for incident in Journal(journal_path).all()} == expected


def test_a_failed_first_write_leaves_no_journal(
    journal_path: Path, make_fields, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(journal_path)
    disk_full(monkeypatch)
    with pytest.raises(JournalWriteError):
        journal.add(make_fields())
    assert sorted(entry.name for entry in journal_path.parent.iterdir()) == ["journal.json.lock", "journal.json.log"]
    assert stored_bytes(journal_path) == (None, b""), "nothing is stored"
    assert journal.all() == []


# -- import ---------------------------------------------------------------------------------------


def test_import_keeps_ids_and_skips_those_present(
    populated, journal_path: Path, make_incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, first, _second = populated
    new_one = make_incident(title="new one", revision=3)
    new_two = make_incident(title="new two")
    already = make_incident(id=first.id, title="already here, different title")

    log = journal_path.with_name("journal.json.log")
    lines_before = log.read_bytes().count(b"\n")
    result = journal.import_incidents([new_one, already, new_two, new_one])

    assert result.added == (new_one.id, new_two.id)
    assert result.skipped == (first.id, new_one.id)
    assert log.read_bytes().count(b"\n") == lines_before + 1, "an import is one write"
    assert journal.get(first.id) == first
    # (the importer is who recorded those that name no one: store.author)
    new_one, new_two = (incident.model_copy(update={"created_by": "tester", "updated_by": "tester"})
                        for incident in (new_one, new_two))
    assert journal.get(new_one.id) == new_one
    assert journal.get(new_two.id) == new_two
    with Journal(journal_path) as reopened:
        assert reopened.get(new_one.id) == new_one
        assert len(reopened) == 4


def test_importing_nothing_new_writes_nothing(populated, journal_path: Path) -> None:
    journal, first, second = populated
    before = stored_bytes(journal_path)
    result = journal.import_incidents([first, second])
    assert result.added == () and result.skipped == (first.id, second.id)
    assert stored_bytes(journal_path) == before
