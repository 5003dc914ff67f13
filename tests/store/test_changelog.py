"""The journal's log (issue 12): saves that cost the change, folds by the last program to close,
other programs' changes read from the log alone, torn lines, and a backup that needs no log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import store.storage
from store import Journal
from store.changelog import log_path


def test_another_programs_save_is_read_from_the_log_without_reading_the_file_again(
    journal_path: Path, make_fields, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Journal(journal_path) as first:
        first.add(make_fields(title="first"))
    reader, writer = Journal(journal_path), Journal(journal_path)
    reads: list[Path] = []
    real_read_file = store.storage.read_file

    def counting(path: Path):
        reads.append(Path(path))
        return real_read_file(path)

    monkeypatch.setattr(store.storage, "read_file", counting)
    added = writer.add(make_fields(title="from another program"))
    assert reader.refresh() is True
    assert reader.get(added.id).title == "from another program"
    assert reads == [], "the file was not read again: only the log's new line"
    assert reader.refresh() is False
    writer.close()
    reader.close()


def test_only_the_last_program_to_close_the_journal_folds_it(journal_path: Path, make_fields) -> None:
    with Journal(journal_path) as first:
        first.add(make_fields(title="first"))
    before = journal_path.read_bytes()
    a, b = Journal(journal_path), Journal(journal_path)
    a.add(make_fields(title="from a"))
    a.close()
    assert journal_path.read_bytes() == before, "b still has it open: nothing is folded"
    assert log_path(journal_path).stat().st_size > 0
    b.add(make_fields(title="from b"))
    b.close()
    titles = {record["title"] for record in json.loads(journal_path.read_bytes())["incidents"].values()}
    assert titles == {"first", "from a", "from b"}
    assert log_path(journal_path).read_bytes() == b""


def test_a_torn_last_line_is_not_read_and_is_cut_off_by_the_next_save(journal_path: Path, make_fields) -> None:
    journal = Journal(journal_path)
    kept = journal.add(make_fields(title="kept"))
    with open(log_path(journal_path), "ab") as log:
        log.write(b'{"seq": 2, "at": "2024-07-01T00:00:00+00:00", "ops": [["incidents", "9", {"id": "torn')
    with Journal(journal_path) as other:  # reads the whole lines only
        assert [incident.title for incident in other.all()] == ["kept"]
        after = other.add(make_fields(title="after the torn line"))
    journal.close()
    with Journal(journal_path) as again:
        assert {incident.id for incident in again.all()} == {kept.id, after.id}
        assert again.bad_records() == []


def test_write_copy_is_one_complete_file_while_others_have_the_journal_open(
    journal_path: Path, tmp_path: Path, make_fields
) -> None:
    journal = Journal(journal_path)
    first = journal.add(make_fields(title="first"))
    journal.update(first.with_changes(killed="2"))
    copy = tmp_path / "copy" / "journal.json"
    copy.parent.mkdir()
    journal.write_copy(copy)
    assert not log_path(copy).exists()
    data = json.loads(copy.read_bytes())
    assert [record["title"] for record in data["incidents"].values()] == ["first"]
    assert len(data["history"]) == 1
    with Journal(copy) as opened:
        assert opened.get(first.id).killed.min == 2
    journal.close()


def test_a_log_that_cannot_be_emptied_after_a_fold_loses_nothing_and_raises_no_traceback(
    journal_path: Path, make_fields, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from store.errors import JournalWriteError

    journal = Journal(journal_path)
    first = journal.add(make_fields(title="first"))
    with monkeypatch.context() as patch:
        patch.setattr(os, "ftruncate", lambda *_: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
        with pytest.raises(JournalWriteError, match="cannot empty"):
            journal.fold()
        journal.close()  # folds again, and says nothing
    second_open = Journal(journal_path)  # the lines left are already in the file: skipped, not doubled
    assert [incident.id for incident in second_open.all()] == [first.id]
    second_open.add(make_fields(title="second"))
    second_open.close()
    with Journal(journal_path) as again:
        assert sorted(incident.title for incident in again.all()) == ["first", "second"]
