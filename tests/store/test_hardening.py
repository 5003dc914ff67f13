"""Journal files that are not what they seem (issue 11): each test is one way a journal was lost,
written to the wrong place or made unreadable, tried as an adversarial user would."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import store.limits
from store import Journal, JournalUnreadable
from store.errors import JournalWriteError
from store.locking import lock_path
from store.recovery import backup_report
from store.storage import AtomicJSONStorage, backup_path


def incidents_in(path: Path) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("incidents", {})


def titles_in(path: Path) -> list[str]:
    return sorted(record["title"] for record in incidents_in(path).values())


@pytest.fixture
def two_saved(journal_path: Path, make_fields) -> Path:
    """A journal saved twice: the file holds two incidents, its .bak one (each program that
    closes a journal last writes the file whole, keeping the previous one as the .bak)."""
    with Journal(journal_path) as journal:
        journal.add(make_fields(title="first"))
    with Journal(journal_path) as journal:
        journal.add(make_fields(title="second"))
    return journal_path


# -- 1. an empty journal file must not wipe out the backup ----------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", b" " * 5000], ids=["empty", "blank", "long-blank"])
def test_an_emptied_journal_whose_backup_holds_incidents_is_refused_with_how_to_restore(
    two_saved: Path, make_fields, content: bytes
) -> None:
    backup = backup_path(two_saved)
    kept = backup.read_bytes()
    two_saved.write_bytes(content)
    with pytest.raises(JournalUnreadable) as refused:
        Journal(two_saved)
    message = str(refused.value)
    assert "is empty" in message and "holds 1 incident" in message
    assert f"cp -p {backup} {two_saved}" in message
    assert backup.read_bytes() == kept, "the backup is untouched"


def test_a_missing_journal_whose_backup_holds_incidents_is_refused(two_saved: Path) -> None:
    two_saved.unlink()
    with pytest.raises(JournalUnreadable, match="is missing but its backup"):
        Journal(two_saved)
    assert not two_saved.exists(), "nothing was created in its place"


def test_a_journal_emptied_while_open_refuses_the_next_save_and_keeps_the_backup(
    two_saved: Path, make_fields
) -> None:
    backup = backup_path(two_saved)
    kept = backup.read_bytes()
    with Journal(two_saved) as journal:
        two_saved.write_bytes(b"")
        with pytest.raises(JournalUnreadable, match="is empty but its backup"):
            journal.add(make_fields(title="third"))
    assert backup.read_bytes() == kept
    assert two_saved.read_bytes() == b""


def test_a_save_never_replaces_a_backup_holding_incidents_with_one_holding_none(
    journal_path: Path, make_fields
) -> None:
    # Each program that closes the journal last writes the file whole, the previous one as the .bak.
    with Journal(journal_path) as journal:
        only = journal.add(make_fields(title="the only one"))
    with Journal(journal_path) as journal:
        journal.delete(only.id)  # the file holds no incident now, its .bak the one
    with Journal(journal_path) as journal:
        journal.add(make_fields(title="next"))  # would make the empty version the .bak
    assert titles_in(backup_path(journal_path)) == ["the only one"]
    assert titles_in(journal_path) == ["next"]
    with Journal(journal_path) as journal:
        journal.add(make_fields(title="after"))  # a version holding incidents becomes the .bak
    assert titles_in(backup_path(journal_path)) == ["next"]


def test_a_new_journal_with_no_backup_still_opens_empty(journal_path: Path, make_fields) -> None:
    with Journal(journal_path) as journal:
        assert len(journal) == 0
        journal.add(make_fields(title="first"))
    assert titles_in(journal_path) == ["first"]


# -- 2. a journal given as a symlink --------------------------------------------------------


def test_a_symlinked_journal_writes_its_target_and_locks_it(tmp_path: Path, make_fields) -> None:
    real = tmp_path / "real" / "journal.json"
    real.parent.mkdir()
    with Journal(real) as journal:
        journal.add(make_fields(title="through the real path"))
    link = tmp_path / "link" / "journal.json"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "real" / "journal.json")

    with Journal(link) as through_link:
        assert through_link.path == real.resolve()
        through_link.add(make_fields(title="through the link"))
    assert link.is_symlink(), "the link is still a link"
    assert titles_in(real) == ["through the link", "through the real path"]
    assert lock_path(real).exists() and not lock_path(link).exists(), "one lock, on the target"


def test_the_storage_alone_writes_through_a_symlink_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "data.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    storage = AtomicJSONStorage(link)
    storage.write({"_default": {"1": {"a": 1}}})
    assert link.is_symlink()
    assert json.loads(real.read_text()) == {"_default": {"1": {"a": 1}}}


def test_a_dangling_symlink_is_not_followed_to_create_a_journal(tmp_path: Path) -> None:
    link = tmp_path / "journal.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(JournalUnreadable, match="does not exist; it was not followed"):
        Journal(link)
    assert not (tmp_path / "elsewhere.json").exists()


# -- 3. devices, FIFOs and folders ----------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_refused_as_a_journal_and_never_replaced(tmp_path: Path, make_fields) -> None:
    # A node of /dev/null's kind in the test's folder: a regression cannot replace the real one.
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = device.stat()
    with pytest.raises(JournalUnreadable, match="is a character device, not a regular file"):
        Journal(device)
    after = device.stat()
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_fifo_is_refused_as_a_journal_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "journal.json"
    os.mkfifo(fifo)
    with pytest.raises(JournalUnreadable, match="is a FIFO"):
        Journal(fifo)  # opening a FIFO for reading would wait for a writer forever
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_journal_replaced_by_a_fifo_while_open_is_refused_at_the_next_save(
    two_saved: Path, make_fields
) -> None:
    with Journal(two_saved) as journal:
        two_saved.unlink()
        os.mkfifo(two_saved)
        with pytest.raises(JournalUnreadable, match="is a FIFO"):
            journal.add(make_fields(title="third"))
    assert stat.S_ISFIFO(two_saved.stat().st_mode)


# -- 4. a record key found twice ------------------------------------------------------------


def _with_key_twice(path: Path) -> None:
    """Rename record "2" to "1" in the file: two records under one key, as a bad merge leaves."""
    text = path.read_text(encoding="utf-8")
    assert text.count('"2": {') == 1
    path.write_text(text.replace('"2": {', '"1": {'), encoding="utf-8")


def test_a_record_key_found_twice_keeps_both_records_and_names_them(two_saved: Path, make_fields) -> None:
    _with_key_twice(two_saved)
    with Journal(two_saved) as journal:
        assert len(journal) == 2
        assert sorted(incident.title for incident in journal.all()) == ["first", "second"]
        assert journal.file_problems == [
            "table 'incidents': record '1' is in the file more than once; each is kept, this one as record '2'"
        ]
        journal.add(make_fields(title="third"))
    with Journal(two_saved) as journal:
        journal.add(make_fields(title="fourth"))
    assert titles_in(two_saved) == ["first", "fourth", "second", "third"]
    assert titles_in(backup_path(two_saved)) == ["first", "second", "third"]
    with Journal(two_saved) as again:
        assert again.file_problems == []


def test_a_field_found_twice_in_a_record_keeps_both_values_and_makes_it_invalid(two_saved: Path) -> None:
    text = two_saved.read_text(encoding="utf-8")
    two_saved.write_text(text.replace('"title": "first",', '"title": "first",\n      "title": "again",', 1))
    with Journal(two_saved) as journal:
        assert any("key 'title' is in it more than once" in problem for problem in journal.file_problems)
        (bad,) = journal.bad_records()
        assert bad.record["title"] == "first" and bad.record["title (2)"] == "again"


# -- 5. big integers ------------------------------------------------------------------------

BIG = 123456789012345678901234567890


def test_an_unrelated_save_keeps_another_records_big_integer_exact(two_saved: Path, make_fields) -> None:
    data = json.loads(two_saved.read_text())
    data["incidents"]["1"]["extra_count"] = BIG
    data["incidents"]["1"]["tiny"] = -BIG
    two_saved.write_text(json.dumps(data, indent=2))
    with Journal(two_saved) as journal:
        journal.add(make_fields(title="unrelated"))
    saved = json.loads(two_saved.read_text())["incidents"]["1"]
    assert saved["extra_count"] == BIG and saved["tiny"] == -BIG
    assert str(BIG) in two_saved.read_text()


def test_long_digit_runs_inside_text_do_not_change_what_is_read(journal_path: Path, make_fields) -> None:
    status = "https://x.com/someone/status/1808123456789012345678"
    with Journal(journal_path) as journal:
        journal.add(make_fields(title="a post", sources=[{"outlet": "X", "url": status}]))
    with Journal(journal_path) as journal:
        assert journal.all()[0].sources[0].url == status


# -- 7. too big, too deep -------------------------------------------------------------------


def test_a_journal_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "journal.json"
    with open(huge, "wb") as handle:
        handle.truncate(store.limits.MAX_INPUT_BYTES + 1)  # sparse: no disk, no time
    with pytest.raises(JournalUnreadable, match=r"is 2\.0 GB, over the 2\.0 GB a journal may hold"):
        Journal(huge)


def test_the_size_limit_is_read_from_store_limits(two_saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", 100)
    with pytest.raises(JournalUnreadable, match="over the 100 bytes"):
        Journal(two_saved)


def _nest(path: Path, depth: int) -> None:
    data = json.loads(path.read_text())
    data["incidents"]["1"]["deep"] = "["  # replaced below: json cannot write it that deep
    text = json.dumps(data).replace('"deep": "["', '"deep": ' + "[" * depth + "]" * depth)
    path.write_text(text)


def test_a_record_nested_too_deeply_is_refused_in_one_line(two_saved: Path) -> None:
    _nest(two_saved, 1020)
    with pytest.raises(JournalUnreadable) as refused:
        Journal(two_saved)
    assert str(refused.value) == (
        f"{two_saved}: table 'incidents', record '1' is nested too deeply to be written (more than 250 levels); "
        "fix or remove it by hand"
    )


def test_a_backup_nested_too_deeply_is_reported_not_raised(two_saved: Path) -> None:
    backup = backup_path(two_saved)
    _nest(backup, 1020)
    assert backup_report(two_saved).startswith("the backup is not usable either:")


def test_nesting_an_incident_really_uses_is_read(two_saved: Path) -> None:
    _nest(two_saved, 50)
    with Journal(two_saved) as journal:
        assert len(journal) == 2


# -- 10. the lock file ----------------------------------------------------------------------


def test_a_dangling_lock_symlink_is_refused_and_its_target_never_created(
    two_saved: Path, tmp_path: Path, make_fields
) -> None:
    target = tmp_path / "nologin"
    lock = lock_path(two_saved)
    lock.unlink()
    lock.symlink_to(target)
    with Journal(two_saved) as journal, pytest.raises(JournalWriteError, match="is a symbolic link"):
        journal.add(make_fields(title="third"))
    assert not target.exists()
    assert titles_in(two_saved) == ["first", "second"]


def test_a_lock_symlink_to_an_existing_file_is_refused_too(two_saved: Path, tmp_path: Path, make_fields) -> None:
    target = tmp_path / "precious"
    target.write_text("keep")
    lock = lock_path(two_saved)
    lock.unlink()
    lock.symlink_to(target)
    with Journal(two_saved) as journal, pytest.raises(JournalWriteError, match="is a symbolic link"):
        journal.add(make_fields(title="third"))
    assert target.read_text() == "keep"


# -- 11. files the user may not write -------------------------------------------------------


def test_a_read_only_journal_is_not_replaced(two_saved: Path, make_fields) -> None:
    two_saved.chmod(0o444)
    before = two_saved.read_bytes()
    with Journal(two_saved) as journal, pytest.raises(JournalWriteError) as refused:
        journal.add(make_fields(title="third"))
    assert str(refused.value).startswith(f"{two_saved} is read-only (mode 0444)")
    assert two_saved.read_bytes() == before
    assert stat.S_IMODE(two_saved.stat().st_mode) == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_journal_keeps_its_owner_when_root_saves_it(two_saved: Path, make_fields) -> None:
    os.chown(two_saved, 1000, 1000)
    two_saved.chmod(0o640)
    with Journal(two_saved) as journal:
        journal.add(make_fields(title="third"))
    info = two_saved.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1000, 1000, 0o640)
    assert titles_in(two_saved) == ["first", "second", "third"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file of another user's and to drop to it")
def test_a_user_cannot_replace_another_users_journal_in_a_shared_folder() -> None:
    """Run as uid 1000 in a child process: a journal of root's, writable by all, in a folder all
    may write, is refused (replacing it would make it the user's), and stays root's."""
    with tempfile.TemporaryDirectory(prefix="shared-journal-", dir="/tmp") as shared:
        folder = Path(shared)
        folder.chmod(0o777)
        _another_user_saves(folder)


def _another_user_saves(folder: Path) -> None:
    journal_file = folder / "journal.json"
    with Journal(journal_file) as journal:
        from store import IncidentFields

        journal.add(IncidentFields.model_validate(
            {"title": "root's", "date": "2024-07-01", "country": "Russia", "region": "Udmurtia"}))
    journal_file.chmod(0o666)
    for extra in folder.iterdir():
        extra.chmod(0o666)
    script = textwrap.dedent(f"""
        import os, sys
        from store import IncidentFields, Journal
        from store.errors import JournalWriteError
        os.setgid(1000); os.setuid(1000)
        journal = Journal({str(journal_file)!r})
        try:
            journal.add(IncidentFields.model_validate(
                {{"title": "theirs", "date": "2024-07-01", "country": "Russia", "region": "Udmurtia"}}))
        except JournalWriteError as exc:
            print(exc)
            sys.exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 3, done.stderr
    assert "belongs to another user (uid 0)" in done.stdout
    assert journal_file.stat().st_uid == 0
    assert titles_in(journal_file) == ["root's"]


# -- what an adversarial tester found after the first fixes ---------------------------------


@pytest.mark.parametrize(
    "backup_content",
    [
        b'{"incidents": {"1": {"latitude": 1e400}}}',
        b'{"incidents": {"1": {"title": "cut off',
        b'{"incidents": {"a1": {}}}',
    ],
    ids=["a float JSON allows", "truncated", "a key that is no number"],
)
def test_an_emptied_journal_whose_backup_cannot_be_read_is_refused_and_the_backup_kept(
    journal_path: Path, make_fields, backup_content: bytes
) -> None:
    backup = backup_path(journal_path)
    backup.write_bytes(backup_content)
    journal_path.write_bytes(b"")
    with pytest.raises(JournalUnreadable, match="is empty and its backup journal.json.bak cannot be read"):
        Journal(journal_path)
    assert backup.read_bytes() == backup_content


def test_a_journal_holding_no_incident_and_no_history_while_its_backup_does_is_refused(two_saved: Path) -> None:
    two_saved.write_text('{"incidents": {}, "meta": {"1": {"schema_version": 2}}}')
    with pytest.raises(JournalUnreadable, match="is empty but its backup journal.json.bak holds 1 incident"):
        Journal(two_saved)


def test_a_record_key_found_twice_is_found_even_when_escaped_colons_balance_the_count(two_saved: Path) -> None:
    data = json.loads(two_saved.read_text())
    record = data["incidents"]["2"]
    hidden = json.dumps({**record, "title": "HIDDEN FIRST"}, ensure_ascii=False)
    colons = hidden.count(":")
    text = json.dumps(data, ensure_ascii=False).replace(
        '"incidents": {', '"incidents": {"2": ' + hidden + ", ", 1
    ).replace('"title": "first"', '"title": "first' + "\\u003a" * colons + '"', 1)
    two_saved.write_text(text)
    with Journal(two_saved) as journal:
        assert "HIDDEN FIRST" in {incident.title for incident in journal.all()}
        assert any("record '2' is in the file more than once" in problem for problem in journal.file_problems)


def test_a_big_integer_stays_exact_beside_a_float_written_with_an_exponent(two_saved: Path, make_fields) -> None:
    data = json.loads(two_saved.read_text())
    data["incidents"]["1"]["extra_count"] = BIG
    text = json.dumps(data, indent=1).replace('"latitude": null', '"latitude": 5.075e+1', 1)
    two_saved.write_text(text)
    with Journal(two_saved) as journal:
        journal.add(make_fields(title="unrelated"))
    assert json.loads(two_saved.read_text())["incidents"]["1"]["extra_count"] == BIG


@pytest.mark.parametrize("odd_key", ["02", "\uff12"], ids=["leading zero", "full-width digit"])
def test_record_keys_that_are_not_plain_numbers_keep_both_records(two_saved: Path, odd_key: str) -> None:
    text = two_saved.read_text()
    second = json.loads(text)["incidents"]["2"]
    other = {**second, "id": "9ccb6b32-0000-4000-8000-000000000000", "title": "under an odd key"}
    odd_record = '"' + odd_key + '": ' + json.dumps(other) + ", "
    two_saved.write_text(text.replace('"incidents": {', '"incidents": {' + odd_record, 1))
    with Journal(two_saved) as journal:
        assert {incident.title for incident in journal.all()} == {"first", "second", "under an odd key"}
        assert any("is not a plain number" in problem for problem in journal.file_problems)
        journal.update(journal.get("9ccb6b32").with_changes(title="edited odd"))
        assert journal.get("9ccb6b32").title == "edited odd"
    with Journal(two_saved) as journal:
        assert {incident.title for incident in journal.all()} == {"first", "second", "edited odd"}


def test_a_table_found_twice_is_named_and_its_records_kept(two_saved: Path, make_fields) -> None:
    data = json.loads(two_saved.read_text())
    other = {**data["incidents"]["1"], "title": "in the second table"}
    two_saved.write_text(json.dumps(data)[:-1] + ', "incidents": {"1": ' + json.dumps(other) + "}}")
    with Journal(two_saved) as journal:
        assert {incident.title for incident in journal.all()} == {"first", "second"}
        assert any("holds table 'incidents' more than once" in problem for problem in journal.file_problems)
        journal.add(make_fields(title="third"))
    with Journal(two_saved) as journal:
        assert journal.file_problems == [
            "table 'incidents (2)' is not one the journal uses: its 1 records are kept in the file but not shown"
        ]


def test_a_backup_that_is_not_a_regular_file_is_never_replaced(two_saved: Path, make_fields) -> None:
    backup = backup_path(two_saved)
    backup.unlink()
    os.mkfifo(backup)
    with Journal(two_saved) as journal:
        third = journal.add(make_fields(title="third"))  # into the log
        with pytest.raises(JournalWriteError, match="is a FIFO"):
            journal.fold()
    assert stat.S_ISFIFO(backup.lstat().st_mode)
    assert third.id.encode() in two_saved.with_name("journal.json.log").read_bytes(), "kept in the log"
