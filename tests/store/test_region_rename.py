"""``Journal.rename_region``: one spelling of a region renamed across the journal, in one save,
with history; invalid records renamed too, never blocking it or broken by it."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from store import Journal
from store.errors import JournalWriteError

from .conftest import stored_bytes, stored_tables


@pytest.fixture
def spelt(journal_path: Path, make_fields, clock) -> dict[str, str]:
    """Udmurtia spelt three ways (and once in another case), and another region; their ids by title."""
    with Journal(journal_path) as journal:
        ids = {
            title: journal.add(make_fields(title=title, region=region)).id
            for title, region in (
                ("one", "Udmurt Republic"),
                ("two", "Udmurt Republic"),
                ("three", "Udmurtia"),
                ("four", "udmurt republic"),
                ("five", "Belgorod"),
            )
        }
    return ids


def regions(journal: Journal) -> dict[str, str]:
    return {incident.title: incident.region for incident in journal.all()}


def test_the_exact_spelling_is_renamed_each_a_new_revision_with_history(journal_path: Path, spelt) -> None:
    with Journal(journal_path) as journal:
        before = {incident.id: incident for incident in journal.all()}
        changed = journal.rename_region("Udmurt Republic", "Udmurtia")
        assert sorted(changed) == sorted([spelt["one"], spelt["two"]])
        assert regions(journal) == {
            "one": "Udmurtia", "two": "Udmurtia", "three": "Udmurtia", "four": "udmurt republic", "five": "Belgorod"
        }
        for incident_id in changed:
            renamed = journal.get(incident_id)
            assert renamed.revision == before[incident_id].revision + 1
            assert renamed.updated_at > before[incident_id].updated_at
            [step] = journal.history(incident_id)
            assert [(change.field, change.old, change.new) for change in step.changes] == [
                ("region", "Udmurt Republic", "Udmurtia")
            ]
        for title in ("three", "four", "five"):  # untouched: same revision, no history
            assert journal.get(spelt[title]) == before[spelt[title]]
            assert journal.history(spelt[title]) == []
    with Journal(journal_path) as journal:  # and so it is on disk
        assert regions(journal)["two"] == "Udmurtia"


def test_the_rename_is_one_save(journal_path: Path, spelt) -> None:
    log = journal_path.with_name(journal_path.name + ".log")
    with Journal(journal_path) as journal:
        lines_before = log.read_bytes().count(b"\n")
        journal.rename_region("Udmurt Republic", "Udmurtia")
        entries = log.read_bytes().splitlines()[lines_before:]
    assert len(entries) == 1
    ops = json.loads(entries[0])["ops"]
    assert sorted(doc["id"] for table, _, doc in ops if table == "incidents") == sorted([spelt["one"], spelt["two"]])


def test_a_failed_save_renames_nothing(journal_path: Path, spelt, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(journal_path)
    before = stored_bytes(journal_path)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", lambda *args: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
        with pytest.raises(JournalWriteError):
            journal.rename_region("Udmurt Republic", "Udmurtia")
    assert stored_bytes(journal_path) == before
    assert regions(journal)["one"] == "Udmurt Republic" and journal.row_regions().count(("Udmurt Republic", 2)) == 1
    journal.close()


@pytest.mark.parametrize("new", ["", "   ", "two\nlines", "x" * 10_000])
def test_a_name_that_is_no_region_is_refused_and_nothing_written(journal_path: Path, spelt, new: str) -> None:
    with Journal(journal_path) as journal:
        before = stored_bytes(journal_path)
        with pytest.raises(ValueError):
            journal.rename_region("Udmurt Republic", new)
        assert stored_bytes(journal_path) == before
        assert regions(journal)["one"] == "Udmurt Republic"


def test_no_match_and_the_same_name_change_nothing(journal_path: Path, spelt) -> None:
    with Journal(journal_path) as journal:
        before = stored_bytes(journal_path)
        assert journal.rename_region("Udmurt", "Udmurtia") == []
        assert journal.rename_region("Udmurtia", "Udmurtia") == []
        assert stored_bytes(journal_path) == before


def test_the_new_name_is_stored_stripped(journal_path: Path, spelt) -> None:
    with Journal(journal_path) as journal:
        journal.rename_region("Belgorod", "  Belgorod Oblast ")
        assert regions(journal)["five"] == "Belgorod Oblast"


def test_an_invalid_record_is_renamed_too_and_stays_as_it_was_otherwise(journal_path: Path, spelt) -> None:
    tables = stored_tables(journal_path)
    [record] = [r for r in tables["incidents"].values() if r["id"] == spelt["two"]]
    record["killed"] = "lots"  # broken by hand
    journal_path.with_name(journal_path.name + ".log").unlink(missing_ok=True)
    journal_path.write_text(json.dumps(tables, ensure_ascii=False))
    with Journal(journal_path) as journal:
        changed = journal.rename_region("Udmurt Republic", "Udmurtia")
        assert sorted(changed) == sorted([spelt["one"], spelt["two"]])
        [bad] = journal.bad_records()
        assert bad.id == spelt["two"]
        assert bad.record == {**record, "region": "Udmurtia"}  # only the region changed
        assert journal.get(spelt["one"]).region == "Udmurtia"
        history = stored_tables(journal_path)["history"].values()
        assert any(entry["incident_id"] == spelt["two"] and entry["record"] == record for entry in history)
