"""``AtomicJSONStorage``: the journal file is replaced whole, or not at all."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tinydb import TinyDB

from store.errors import JournalUnreadable, JournalWriteError
from store.storage import NEW_FILE_MODE, AtomicJSONStorage, atomic_write_bytes


def open_db(path: Path, **kwargs) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, **kwargs)


def folder_listing(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.parent.iterdir())


@pytest.fixture
def written(journal_path: Path) -> Path:
    """A journal file holding two documents, written through the storage."""
    db = open_db(journal_path)
    db.insert({"place": "Ижевск", "killed": 1})
    db.insert({"place": "Belgorod", "killed": 0})
    db.close()
    return journal_path


def fail_with(error: OSError):
    def fail(*args, **kwargs):
        raise error

    return fail


# -- round trips ------------------------------------------------------------------------------


def test_insert_update_remove_and_tables_survive_reopening(journal_path: Path) -> None:
    db = open_db(journal_path)
    first = db.insert({"title": "one", "n": 1})
    second = db.insert({"title": "two", "n": 2})
    third = db.insert({"title": "three", "n": 3})
    db.update({"n": 20}, doc_ids=[second])
    db.remove(doc_ids=[third])
    db.table("meta").insert({"schema_version": 1})
    db.close()

    again = open_db(journal_path)
    assert {doc.doc_id: dict(doc) for doc in again.all()} == {
        first: {"title": "one", "n": 1},
        second: {"title": "two", "n": 20},
    }
    assert again.table("meta").all() == [{"schema_version": 1}]
    assert again.tables() == {"_default", "meta"}


def test_file_is_readable_utf8_json(written: Path) -> None:
    raw = written.read_bytes()
    assert "Ижевск".encode() in raw
    assert b"\\u" not in raw
    data = json.loads(raw.decode("utf-8"))
    assert data["_default"]["1"] == {"place": "Ижевск", "killed": 1}


def test_new_file_is_private_to_its_owner(journal_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        open_db(journal_path).insert({"a": 1})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(journal_path.stat().st_mode) == NEW_FILE_MODE == 0o600


def test_existing_file_keeps_its_mode(written: Path) -> None:
    written.chmod(0o640)
    open_db(written).insert({"a": 1})
    assert stat.S_IMODE(written.stat().st_mode) == 0o640


def test_folders_are_created_only_when_asked(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "journal.json"
    with pytest.raises(JournalWriteError):
        open_db(nested).insert({"a": 1})
    assert not (tmp_path / "a").exists()

    open_db(nested, create_dirs=True).insert({"a": 1})
    assert open_db(nested).all() == [{"a": 1}]


def test_opening_and_reading_do_not_create_the_file(journal_path: Path) -> None:
    db = open_db(journal_path)
    assert db.all() == []
    db.close()
    assert not journal_path.exists()


# -- reads come from memory --------------------------------------------------------------------


def test_reads_are_served_from_memory_after_the_first(written: Path) -> None:
    storage = AtomicJSONStorage(written)
    first = storage.read()
    snapshot = json.loads(json.dumps(first))

    written.write_text('{"_default": {"1": {"changed": true}}}', encoding="utf-8")
    assert storage.read() == snapshot

    written.unlink()
    assert storage.read() == snapshot


# -- writes replace the file --------------------------------------------------------------------


def test_writes_go_through_a_temporary_file_and_replace(written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_bytes = written.read_bytes()
    old_inode = written.stat().st_ino
    # A second name for the old file: an in-place write would change what it shows.
    witness = written.with_name("witness.json")
    os.link(written, witness)

    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording_replace(src, dst, *args, **kwargs):
        replaced.append((os.fspath(src), os.fspath(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", recording_replace)
    open_db(written).insert({"place": "Rostov"})

    assert len(replaced) == 1
    src, dst = replaced[0]
    assert Path(dst) == written
    assert Path(src).parent == written.parent and Path(src) != written
    assert written.stat().st_ino != old_inode
    assert witness.read_bytes() == old_bytes
    assert b"Rostov" in written.read_bytes()
    assert folder_listing(written) == ["journal.json", "witness.json"]


FAILURES = {
    "fsync: disk full": ("fsync", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
    "replace: read-only": ("replace", OSError(errno.EROFS, os.strerror(errno.EROFS))),
    "replace: permission": ("replace", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
}


@pytest.fixture(params=list(FAILURES), ids=list(FAILURES))
def failing_writes(request, monkeypatch: pytest.MonkeyPatch):
    """Make every write fail at one step (the file system is otherwise real)."""
    name, error = FAILURES[request.param]
    request.getfixturevalue("written")  # the file exists before the failure is armed

    def arm() -> None:
        monkeypatch.setattr(os, name, fail_with(error))

    return arm, error


@pytest.mark.parametrize("change", ["insert", "update", "remove", "new table"])
def test_a_failed_write_leaves_the_file_and_the_data_as_they_were(
    written: Path, failing_writes, change: str
) -> None:
    arm, error = failing_writes
    db = open_db(written)
    before = [dict(doc) for doc in db.all()]
    old_bytes = written.read_bytes()
    arm()

    with pytest.raises(JournalWriteError) as caught:
        if change == "insert":
            db.insert({"place": "Crimea"})
        elif change == "update":
            db.update({"killed": 99}, doc_ids=[1])
        elif change == "remove":
            db.remove(doc_ids=[1])
        else:
            db.table("meta").insert({"schema_version": 1})

    assert str(written) in str(caught.value)
    assert error.strerror in str(caught.value)
    assert written.read_bytes() == old_bytes
    assert folder_listing(written) == ["journal.json"]
    # The storage does not keep the half-applied change in memory either.
    assert [dict(doc) for doc in db.all()] == before
    assert db.tables() == {"_default"}


def test_writing_works_again_after_a_failure(written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(written)
    monkeypatch.setattr(os, "fsync", fail_with(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(JournalWriteError):
        db.update({"killed": 5}, doc_ids=[2])
    monkeypatch.undo()

    db.update({"killed": 3}, doc_ids=[2])
    assert [dict(doc) for doc in open_db(written).all()] == [
        {"place": "Ижевск", "killed": 1},
        {"place": "Belgorod", "killed": 3},
    ]


def test_atomic_write_bytes_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.json"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "replace", fail_with(OSError(errno.EXDEV, "Invalid cross-device link")))
    with pytest.raises(JournalWriteError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["export.json"]


REAL_FAILURE = textwrap.dedent(
    """
    import resource, signal, sys
    from tinydb import TinyDB
    from store.errors import JournalWriteError
    from store.storage import AtomicJSONStorage

    path, limit = sys.argv[1], int(sys.argv[2])
    db = TinyDB(path, storage=AtomicJSONStorage)
    before = db.all()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        db.insert({"text": "x" * (8 * limit)})
    except JournalWriteError as exc:
        print("refused:", exc)
    else:
        print("written")
    print("same after failure:", db.all() == before)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_real_write_that_runs_out_of_room_leaves_the_old_file(written: Path) -> None:
    old_bytes = written.read_bytes()
    limit = 4096
    assert len(old_bytes) < limit
    result = subprocess.run(
        [sys.executable, "-c", REAL_FAILURE, str(written), str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=written.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused:"), result.stdout + result.stderr
    assert "same after failure: True" in result.stdout
    assert written.read_bytes() == old_bytes
    assert folder_listing(written) == ["journal.json"]


# -- unreadable files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"_default": {"1": {"a": 1}}', "not valid JSON"),
        (b"\xff\xfe not utf-8", "not valid JSON"),
        (b"[1, 2, 3]", "not a journal"),
        (b'{"_default": [1, 2]}', "not a journal"),
        (b'"text"', "not a journal"),
    ],
)
def test_a_file_that_is_not_a_journal_is_refused_and_left_alone(
    journal_path: Path, content: bytes, says: str
) -> None:
    journal_path.write_bytes(content)
    db = open_db(journal_path)
    with pytest.raises(JournalUnreadable) as caught:
        db.all()
    assert says in str(caught.value)
    assert str(journal_path) in str(caught.value)
    # Not even a write may replace it.
    with pytest.raises(JournalUnreadable):
        db.insert({"a": 1})
    assert journal_path.read_bytes() == content


def test_a_folder_in_place_of_the_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "journal.json").mkdir()
    with pytest.raises(JournalUnreadable):
        open_db(tmp_path / "journal.json").all()


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_file_reads_as_an_empty_journal(journal_path: Path, content: bytes) -> None:
    journal_path.write_bytes(content)
    db = open_db(journal_path)
    assert db.all() == []
    db.insert({"a": 1})
    assert open_db(journal_path).all() == [{"a": 1}]
