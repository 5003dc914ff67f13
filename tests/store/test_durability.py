"""The journal never loses data: real kills, failing writes, two writers, .bak, migrations, history.

Failures are caused for real where the operating system allows it: writer processes are killed
with SIGKILL at random points, a write runs out of room under ``RLIMIT_FSIZE``, a second process
(a script, or the ``incident-journal`` command) writes to the same journal and holds its lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

import store.storage
from store import (
    SCHEMA_VERSION,
    IncidentNotFound,
    Journal,
    JournalUnreadable,
    JournalWriteError,
    RevisionConflict,
)
from store.changelog import log_path
from store.errors import JournalBusy
from store.history import FieldChange
from store.locking import FileLock, lock_path
from store.migrations import HISTORY_TABLE, META_TABLE, MIGRATIONS, migrate, stored_version
from store.storage import backup_path
from tests.store.conftest import stored_bytes, stored_tables

#: The project's root, so that subprocesses import this checkout's ``store`` and ``tui``.
PROJECT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 30.0

needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and flock")


def read_json(path: Path) -> dict:
    """What is stored: the journal file with its log's changes (see ``stored_tables``)."""
    return stored_tables(path)


def listing(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def child_env() -> dict[str, str]:
    paths = [str(PROJECT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONIOENCODING": "utf-8"}


class Child:
    """A Python subprocess whose stdout is read line by line, never waiting forever."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            bufsize=0, cwd=cwd, env=child_env(),
        )
        self._buffer = b""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _fail(self, why: str) -> None:
        self.proc.kill()
        self.proc.wait()
        raise AssertionError(f"{why}; stderr: {self.proc.stderr.read().decode(errors='replace')}")

    def line(self, timeout: float = LINE_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"no line from the subprocess within {timeout:g} s")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    self._fail(f"the subprocess ended (status {self.proc.wait()}) without a line")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def rest_after_exit(self) -> list[str]:
        """The complete lines it printed that were not read yet (call once it has ended)."""
        self._buffer += self.proc.stdout.read()
        lines = self._buffer.split(b"\n")
        self._buffer = b""
        return [line.decode() for line in lines[:-1]]  # the last piece is unfinished or empty

    def send(self, text: str) -> None:
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()


@pytest.fixture
def spawn():
    """Start Python subprocesses; any still running at the end of the test are killed."""
    started: list[Child] = []

    def start(script: str, *args: object, cwd: Path) -> Child:
        child = Child([sys.executable, "-c", textwrap.dedent(script), *map(str, args)], cwd)
        started.append(child)
        return child

    yield start
    for child in started:
        if child.proc.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.proc.wait()
        for stream in (child.proc.stdin, child.proc.stdout, child.proc.stderr):
            stream.close()


def run_cli(journal_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--journal", str(journal_path), *args],
        capture_output=True, text=True, timeout=60, cwd=journal_path.parent, env=child_env(),
    )


def cli_add(journal_path: Path, title: str) -> str:
    result = run_cli(
        journal_path, "add", "--title", title, "--date", "2024-07-03",
        "--region", "Belgorod", "--country", "Russia", "--killed", "2",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def titles(journal: Journal) -> set[str]:
    return {incident.title for incident in journal.all()}


def titles_on_disk(path: Path) -> set[str]:
    with Journal(path) as journal:
        return titles(journal)


# -- a. killed at a random moment --------------------------------------------------------------

WRITER = """
    import sys, time
    from store import IncidentFields, Journal

    path, summary_size = sys.argv[1], int(sys.argv[2])
    journal = Journal(path)
    print("open", flush=True)
    number = 0
    while True:
        number += 1
        started = time.perf_counter()
        incident = journal.add(IncidentFields.model_validate({
            "title": f"written by the killed process, number {number}",
            "date": "2024-07-01", "country": "Russia", "region": "Udmurtia",
            "killed": "1+", "summary": "ж" * summary_size,
        }))
        print(incident.id, time.perf_counter() - started, flush=True)
"""

# A killed write can leave its temporary file behind (the journal itself is never touched
# before the final os.replace). While the .bak is being made there are two: the journal's
# ``.journal.json.XXXXXXXX.tmp`` and the backup's ``.journal.json.bak.XXXXXXXX.tmp``.
JOURNAL_TEMP = re.compile(r"\.journal\.json\.[A-Za-z0-9_]{8}\.tmp")
BACKUP_TEMP = re.compile(r"\.journal\.json\.bak\.[A-Za-z0-9_]{8}\.tmp")


@needs_posix
@pytest.mark.parametrize("seed", range(25))
def test_a_writer_killed_at_a_random_moment_loses_nothing_it_reported(
    tmp_path: Path, make_fields, spawn, seed: int
) -> None:
    rng = random.Random(seed)
    path = tmp_path / "journal.json"
    before: set[str] = set()
    if seed % 5:  # most runs start from a journal that already has incidents
        with Journal(path) as journal:
            before = {journal.add(make_fields(title=f"before {n}")).id for n in range(rng.randint(1, 3))}
    # Bigger records make longer writes, so the kill lands at different steps of a write.
    summary_size = rng.choice([0, 300, 5000, 20000])
    wanted = rng.randint(0, 10)

    writer = spawn(WRITER, path, summary_size, cwd=tmp_path)
    assert writer.line() == "open"
    lines = [writer.line() for _ in range(wanted)]
    # The kill lands at a random point of the next add: after a random part of the time the
    # last add took (not a wait for anything, so nothing here depends on timing to pass).
    last_add = float(lines[-1].split()[1]) if lines else 0.005
    time.sleep(rng.uniform(0, 1.5 * last_add))
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.proc.wait() == -signal.SIGKILL
    lines += writer.rest_after_exit()  # printed before the kill: those adds returned too
    acknowledged = [line.split()[0] for line in lines]

    if not path.exists() and not log_path(path).exists():
        assert not before and not acknowledged, "a reported write is missing"
        ids: set[str] = set()
    else:
        # The next open reads the file and the log's whole lines, and (alone) folds them in.
        with Journal(path) as journal:
            assert journal.bad_records() == []
            ids = {incident.id for incident in journal.all()}
        assert before | set(acknowledged) <= ids, "a reported write is missing"
        assert len(ids - before - set(acknowledged)) <= 1, "more than the one unreported write"
        data = json.loads(path.read_bytes())  # folded: the file alone holds everything
        assert data[META_TABLE]["1"]["schema_version"] == SCHEMA_VERSION
        assert {record["id"] for record in data["incidents"].values()} == ids
        assert log_path(path).read_bytes() == b""

    backup = backup_path(path)
    if backup.exists():  # the .bak, when there is one, is a whole journal of what was folded before
        copy = tmp_path / "copy" / "journal.json"
        copy.parent.mkdir()
        shutil.copyfile(backup, copy)
        with Journal(copy) as journal:
            assert journal.bad_records() == []
            backed_up = {incident.id for incident in journal.all()}
        assert backed_up <= ids

    expected = {"journal.json", "journal.json.bak", "journal.json.lock", "journal.json.log", "copy"}
    leftovers = [name for name in listing(tmp_path) if name not in expected]
    assert all(JOURNAL_TEMP.fullmatch(name) or BACKUP_TEMP.fullmatch(name) for name in leftovers), leftovers

    # The lock died with the process and the leftovers are ignored: the journal takes new writes.
    with Journal(path) as journal:
        added = journal.add(make_fields(title="after the kill"))
    with Journal(path) as journal:
        assert added.id in journal and set(acknowledged) <= {incident.id for incident in journal.all()}


FOLDING_WRITER = """
    import sys, time
    from store import IncidentFields, Journal

    path, summary_size = sys.argv[1], int(sys.argv[2])
    print("open", flush=True)
    number = 0
    while True:
        number += 1
        started = time.perf_counter()
        with Journal(path) as journal:  # each close is the last: it folds the log into the file
            incident = journal.add(IncidentFields.model_validate({
                "title": f"written by the killed process, number {number}",
                "date": "2024-07-01", "country": "Russia", "region": "Udmurtia", "summary": "ж" * summary_size,
            }))
            print(incident.id, flush=True)
        print("folded", time.perf_counter() - started, flush=True)
"""


@needs_posix
@pytest.mark.parametrize("seed", range(12))
def test_a_writer_killed_while_folding_loses_nothing_it_reported(tmp_path: Path, make_fields, spawn, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "journal.json"
    with Journal(path) as journal:
        before = {journal.add(make_fields(title=f"before {n}")).id for n in range(rng.randint(1, 40))}
    writer = spawn(FOLDING_WRITER, path, rng.choice([0, 2000, 20000]), cwd=tmp_path)
    assert writer.line() == "open"
    lines = [writer.line() for _ in range(2 * rng.randint(1, 6))]
    last = float(lines[-1].split()[1])
    lines.append(writer.line())  # the next add is acknowledged: the kill lands in its fold (or just after)
    time.sleep(rng.uniform(0, 1.2 * last))
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.proc.wait() == -signal.SIGKILL
    lines += writer.rest_after_exit()
    acknowledged = {line for line in lines if not line.startswith("folded")}
    with Journal(path) as journal:
        assert journal.bad_records() == []
        ids = {incident.id for incident in journal.all()}
    assert before | acknowledged <= ids, "a reported write is missing"
    assert {record["id"] for record in json.loads(path.read_bytes())["incidents"].values()} == ids


# -- b. a write that fails --------------------------------------------------------------------------


def failing(error: OSError):
    def fail(*args, **kwargs):
        raise error

    return fail


FAULTS = {
    "ENOSPC (fsync)": (os, "fsync", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
    "EACCES (mkstemp)": (tempfile, "mkstemp", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
    "EROFS (replace)": (os, "replace", OSError(errno.EROFS, os.strerror(errno.EROFS))),
}


@pytest.fixture
def saved_twice(journal_path: Path, make_fields):
    """A journal with two incidents, written whole twice (so there is a .bak): each program that
    closes a journal last folds its log into the file."""
    with Journal(journal_path) as journal:
        first = journal.add(make_fields(title="first"))
    with Journal(journal_path) as journal:
        second = journal.add(make_fields(title="second", region="Belgorod", killed="1+"))
    return first, second


def test_a_failed_save_leaves_the_journal_its_log_and_bak_byte_for_byte(
    journal_path: Path, saved_twice, make_fields, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = saved_twice
    journal = Journal(journal_path)
    before = stored_bytes(journal_path)
    backup_before = backup_path(journal_path).read_bytes()

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", failing(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
        with pytest.raises(JournalWriteError) as caught:
            journal.add(make_fields(title="third"))
    assert str(log_path(journal_path)) in str(caught.value) and "No space left" in str(caught.value)
    assert stored_bytes(journal_path) == before
    assert backup_path(journal_path).read_bytes() == backup_before
    # The same Journal still reads everything, and nothing of the failed add.
    assert journal.get(first.id) == first and journal.get(second.id) == second
    assert titles(journal) == {"first", "second"} and len(journal) == 2

    # With the fault gone, the next write goes through and keeps the old incidents.
    third = journal.add(make_fields(title="third"))
    assert titles(journal) == {"first", "second", "third"}
    assert titles_on_disk(journal_path) == {"first", "second", "third"}
    assert Journal(journal_path).get(third.id) == third


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fold_that_fails_loses_nothing_and_leaves_the_file_and_bak_byte_for_byte(
    journal_path: Path, saved_twice, make_fields, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    module, name, error = FAULTS[fault]
    journal = Journal(journal_path)
    third = journal.add(make_fields(title="third"))  # in the log
    before = journal_path.read_bytes()
    backup_before = backup_path(journal_path).read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(module, name, failing(error))
        with pytest.raises(JournalWriteError) as caught:
            journal.fold()
        journal.close()  # folds too, and says nothing: the log keeps every change
    assert str(journal_path) in str(caught.value) and error.strerror in str(caught.value)
    assert journal_path.read_bytes() == before
    assert backup_path(journal_path).read_bytes() == backup_before
    assert third.id.encode() in log_path(journal_path).read_bytes()
    assert [name for name in listing(journal_path.parent) if name.endswith(".tmp")] == []
    assert titles_on_disk(journal_path) == {"first", "second", "third"}  # and that open folded it
    assert {record["title"] for record in read_json(journal_path)["incidents"].values()} == {"first", "second", "third"}


OUT_OF_ROOM = """
    import os, resource, signal, sys
    from store import IncidentFields, Journal, JournalWriteError

    path = sys.argv[1]
    journal = Journal(path)
    before = journal.all()
    big = IncidentFields.model_validate({
        "title": "too big for the room left", "date": "2024-07-05",
        "country": "Russia", "region": "Kursk", "summary": "x" * 20000,
    })
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = os.path.getsize(path) + 2048
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        journal.add(big)
    except JournalWriteError as exc:
        print("refused:", exc, flush=True)
    else:
        print("written", flush=True)
    print("still reads:", journal.all() == before, flush=True)
    sys.stdin.readline()  # the test checks the files meanwhile
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    added = journal.add(big)
    print(added.id, flush=True)
"""


@needs_posix
def test_a_real_write_that_runs_out_of_room_leaves_journal_and_bak_intact(
    journal_path: Path, saved_twice, spawn
) -> None:
    before = journal_path.read_bytes()
    backup_before = backup_path(journal_path).read_bytes()
    child = spawn(OUT_OF_ROOM, journal_path, cwd=journal_path.parent)

    refused = child.line()
    assert refused.startswith("refused: ") and str(journal_path) in refused, refused
    assert child.line() == "still reads: True"
    assert journal_path.read_bytes() == before
    assert backup_path(journal_path).read_bytes() == backup_before
    assert log_path(journal_path).read_bytes() == b"", "the log as it was: no torn line kept"
    assert listing(journal_path.parent) == ["journal.json", "journal.json.bak", "journal.json.lock", "journal.json.log"]

    child.send("go on\n")
    added = child.line()
    assert child.proc.wait(timeout=LINE_TIMEOUT) == 0
    with Journal(journal_path) as journal:
        assert titles(journal) == {"first", "second", "too big for the room left"}
        assert journal.get(added).summary == "x" * 20000
    assert backup_path(journal_path).read_bytes() == before


# -- c. two writers -----------------------------------------------------------------------------------


def test_two_journals_on_one_file_keep_each_others_adds(journal_path: Path, saved_twice, make_fields) -> None:
    a = Journal(journal_path)
    b = Journal(journal_path)  # opened before a's add
    from_a = a.add(make_fields(title="from a"))
    from_b = b.add(make_fields(title="from b"))
    assert titles_on_disk(journal_path) == {"first", "second", "from a", "from b"}
    assert from_a.id in b, "b re-read the journal before writing"
    assert a.refresh() is True and a.get(from_b.id) == from_b


def test_changes_to_different_incidents_from_the_same_start_are_both_kept(
    journal_path: Path, saved_twice
) -> None:
    first, second = saved_twice
    a = Journal(journal_path)
    b = Journal(journal_path)
    a.update(a.get(first.id).with_changes(title="first, edited by a"))
    b.update(b.get(second.id).with_changes(title="second, edited by b"))
    assert titles_on_disk(journal_path) == {"first, edited by a", "second, edited by b"}


def test_the_later_save_of_the_same_incident_is_refused(journal_path: Path, saved_twice) -> None:
    first, _second = saved_twice
    a = Journal(journal_path)
    b = Journal(journal_path)
    seen_by_a = a.get(first.id)
    seen_by_b = b.get(first.id)
    assert seen_by_a.revision == seen_by_b.revision == 1

    saved_by_a = a.update(seen_by_a.with_changes(title="a's title", killed="3"))
    after_a = journal_path.read_bytes()
    with pytest.raises(RevisionConflict) as caught:
        b.update(seen_by_b.with_changes(title="b's title"))
    assert first.id[:8] in str(caught.value) and "not saved" in str(caught.value)

    assert journal_path.read_bytes() == after_a, "the file keeps a's change"
    assert b.get(first.id) == saved_by_a, "b now shows a's version"
    # b can then make its change on top of a's.
    saved_by_b = b.update(b.get(first.id).with_changes(title="b's title"))
    assert saved_by_b.revision == 3 and str(saved_by_b.killed) == "3"
    assert Journal(journal_path).get(first.id) == saved_by_b


def test_updating_an_incident_another_writer_deleted_is_refused(journal_path: Path, saved_twice) -> None:
    first, second = saved_twice
    a = Journal(journal_path)
    b = Journal(journal_path)
    seen_by_b = b.get(first.id)
    a.delete(first.id)
    after_a = journal_path.read_bytes()
    with pytest.raises(IncidentNotFound):
        b.update(seen_by_b.with_changes(title="edited after it was deleted"))
    assert journal_path.read_bytes() == after_a
    assert first.id not in b and b.get(second.id) == second


def test_refresh_tells_whether_another_writer_changed_the_journal(
    journal_path: Path, saved_twice, make_fields
) -> None:
    journal = Journal(journal_path)
    assert journal.refresh() is False
    journal.add(make_fields(title="own add"))
    assert journal.refresh() is False, "its own writes are not someone else's"

    from_cli = cli_add(journal_path, "added by the command line")
    assert journal.refresh() is True
    assert journal.get(from_cli).title == "added by the command line"
    assert journal.refresh() is False


def test_an_add_keeps_what_the_command_line_added_meanwhile(journal_path: Path, saved_twice, make_fields) -> None:
    journal = Journal(journal_path)
    assert len(journal) == 2
    from_cli = cli_add(journal_path, "added by the command line")
    mine = journal.add(make_fields(title="added by the app"))  # no refresh in between
    assert titles_on_disk(journal_path) == {"first", "second", "added by the command line", "added by the app"}
    assert from_cli in journal and mine.id in journal


def test_a_journal_opened_while_another_writer_saves_does_not_lose_that_save(
    journal_path: Path, saved_twice, make_fields, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening reads the file without the lock. If another program saves just after the bytes
    were read, the journal must still notice that the file changed, so that its next add
    re-reads it and keeps the other program's incident."""
    other = Journal(journal_path)
    saved_meanwhile: list = []

    def another_save() -> None:
        if not saved_meanwhile:
            saved_meanwhile.append("saving")  # once: the other program's own reads go through
            saved_meanwhile[0] = other.add(make_fields(title="saved by the other program"))

    real_read_file = store.storage.read_file

    def reading(path: Path):
        read = real_read_file(path)
        if Path(path) == journal_path:
            another_save()
        return read

    with monkeypatch.context() as patch:
        patch.setattr(store.storage, "read_file", reading)
        journal = Journal(journal_path)
    assert saved_meanwhile, "the journal file was not read through read_file()"
    assert len(journal) == 3, "the other save, in the log, is read after the file"

    journal.add(make_fields(title="mine"))
    assert titles_on_disk(journal_path) == {"first", "second", "saved by the other program", "mine"}


WAITING_WRITER = """
    import sys, time, types
    import store.locking
    from store import IncidentFields, Journal

    told = []
    def sleep(seconds):
        if not told:  # the lock was taken: say so once, then keep waiting for it
            told.append(True)
            print("waiting", flush=True)
        time.sleep(seconds)

    store.locking.time = types.SimpleNamespace(monotonic=time.monotonic, sleep=sleep)
    journal = Journal(sys.argv[1])
    print("open", flush=True)
    incident = journal.add(IncidentFields.model_validate({
        "title": "added after waiting", "date": "2024-07-04", "country": "Russia", "region": "Kursk",
    }))
    print(incident.id, flush=True)
"""


@needs_posix
def test_a_writer_waits_while_another_holds_the_lock(journal_path: Path, saved_twice, spawn) -> None:
    before = journal_path.read_bytes()
    with FileLock(lock_path(journal_path)).held():
        child = spawn(WAITING_WRITER, journal_path, cwd=journal_path.parent)
        assert child.line() == "open"
        assert child.line() == "waiting"
        assert journal_path.read_bytes() == before, "it wrote while the lock was held"
    added = child.line()
    assert child.proc.wait(timeout=LINE_TIMEOUT) == 0
    with Journal(journal_path) as journal:
        assert journal.get(added).title == "added after waiting"
        assert titles(journal) == {"first", "second", "added after waiting"}


LOCK_HOLDER = """
    import sys
    from pathlib import Path
    from store.locking import FileLock

    with FileLock(Path(sys.argv[1])).held():
        print("locked", flush=True)
        sys.stdin.readline()
    print("released", flush=True)
"""


@needs_posix
def test_a_lock_held_too_long_by_another_process_is_reported_and_nothing_is_saved(
    journal_path: Path, saved_twice, make_fields, spawn
) -> None:
    journal = Journal(journal_path)
    journal._lock.timeout = 0.2
    before = journal_path.read_bytes()
    holder = spawn(LOCK_HOLDER, lock_path(journal_path), cwd=journal_path.parent)
    assert holder.line() == "locked"

    with pytest.raises(JournalBusy) as caught:
        journal.add(make_fields(title="while locked"))
    assert journal_path.name in str(caught.value) and "nothing was saved" in str(caught.value)
    assert journal_path.read_bytes() == before
    assert titles(journal) == {"first", "second"}

    holder.send("\n")
    assert holder.line() == "released"
    journal.add(make_fields(title="after the lock was released"))
    assert titles_on_disk(journal_path) == {"first", "second", "after the lock was released"}


# -- d. .bak ---------------------------------------------------------------------------------------


def test_saves_touch_only_the_log_and_each_fold_keeps_the_previous_file_as_bak(
    journal_path: Path, make_fields, make_incident
) -> None:
    backup = backup_path(journal_path)
    with Journal(journal_path) as journal:
        first = journal.add(make_fields(title="first"))
    assert not backup.exists(), "a new journal has nothing to back up after its first fold"

    saves = [
        lambda journal: journal.add(make_fields(title="second")),
        lambda journal: journal.update(journal.get(first.id).with_changes(killed="3")),
        lambda journal: journal.delete(first.id),
        lambda journal: journal.restore(first.id),
        lambda journal: journal.import_incidents([make_incident(title="imported")]),
    ]
    for save in saves:
        previous = journal_path.read_bytes()
        with Journal(journal_path) as journal:
            save(journal)
            assert journal_path.read_bytes() == previous, "a save appends to the log only"
            assert log_path(journal_path).stat().st_size > 0
        assert backup.read_bytes() == previous
        assert journal_path.read_bytes() != previous
        assert log_path(journal_path).read_bytes() == b""
    assert listing(journal_path.parent) == ["journal.json", "journal.json.bak", "journal.json.lock", "journal.json.log"]


# -- e. migrations -----------------------------------------------------------------------------------


def schema_1_file(path: Path, records: list[dict], with_meta: bool = True) -> bytes:
    data: dict = {"incidents": {str(n): record for n, record in enumerate(records, start=1)}}
    if with_meta:
        data["meta"] = {"1": {"schema_version": 1}}
    raw = json.dumps(data, ensure_ascii=False, indent=2).encode()
    path.write_bytes(raw)
    return raw


@pytest.mark.parametrize("with_meta", [True, False], ids=["schema 1", "no meta table"])
@pytest.mark.parametrize("save", ["add", "update", "delete"])
def test_a_schema_1_journal_opens_without_writing_and_is_upgraded_by_the_next_save(
    journal_path: Path, make_incident, make_fields, with_meta: bool, save: str
) -> None:
    kept = make_incident(title="kept", killed="1+")
    other = make_incident(title="other")
    raw = schema_1_file(journal_path, [kept.record(), other.record()], with_meta)

    journal = Journal(journal_path)
    assert journal.migrated_from == 1
    assert journal.get(kept.id) == kept and journal.get(other.id) == other
    assert journal.bad_records() == [] and journal.deleted() == [] and journal.history(kept.id) == []
    assert journal.refresh() is False
    assert journal_path.read_bytes() == raw, "opening must not write"
    assert listing(journal_path.parent) == ["journal.json"]

    if save == "add":
        journal.add(make_fields(title="new"))
    elif save == "update":
        journal.update(kept.with_changes(title="kept, edited"))
    else:
        journal.delete(other.id)

    assert journal_path.read_bytes() == raw, "a save appends to the log"
    journal.close()  # the last to close it writes the file whole: upgraded
    data = json.loads(journal_path.read_bytes())
    assert data[META_TABLE]["1"]["schema_version"] == SCHEMA_VERSION
    assert HISTORY_TABLE in data
    assert len(data[HISTORY_TABLE]) == (0 if save == "add" else 1)
    assert backup_path(journal_path).read_bytes() == raw, "the .bak keeps the schema 1 file"
    with Journal(journal_path) as reopened:
        assert reopened.migrated_from is None
        assert kept.id in reopened


def test_a_newer_journal_is_refused_and_never_written(journal_path: Path, make_incident, make_fields) -> None:
    raw = json.dumps(
        {"incidents": {"1": make_incident().record()}, "history": {},
         "meta": {"1": {"schema_version": SCHEMA_VERSION + 1}}}
    ).encode()
    journal_path.write_bytes(raw)
    for _attempt in range(2):
        with pytest.raises(JournalUnreadable) as caught:
            Journal(journal_path).add(make_fields())
        assert str(journal_path) in str(caught.value) and f"schema version {SCHEMA_VERSION + 1}" in str(caught.value)
    assert journal_path.read_bytes() == raw
    assert listing(journal_path.parent) == ["journal.json"]


@pytest.mark.parametrize("rewritten_as", ["a newer schema", "not JSON"])
def test_a_journal_rewritten_unreadable_while_open_is_never_overwritten(
    journal_path: Path, saved_twice, make_fields, rewritten_as: str
) -> None:
    """Another program (a newer version, or a person with an editor) rewrites the journal while it
    is open here. Every later save here must be refused, however many times it is tried."""
    journal = Journal(journal_path)
    if rewritten_as == "a newer schema":
        data = read_json(journal_path)
        data[META_TABLE]["1"]["schema_version"] = SCHEMA_VERSION + 1
        raw = json.dumps(data).encode()
    else:
        raw = journal_path.read_bytes()[:-20]
    journal_path.write_bytes(raw)

    for attempt in range(1, 4):
        try:
            journal.add(make_fields(title=f"attempt {attempt}"))
        except JournalUnreadable as exc:
            assert str(journal_path) in str(exc)
        else:
            pytest.fail(f"save attempt {attempt} was not refused: it replaced the unreadable file")
        assert journal_path.read_bytes() == raw


def test_the_migrations_form_a_chain_from_1_to_the_current_version(make_incident) -> None:
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))
    incidents = {"1": make_incident().record(), "2": make_incident().record()}
    tables = {"incidents": json.loads(json.dumps(incidents)), "meta": {"1": {"schema_version": 1}}}
    for version in range(1, SCHEMA_VERSION):
        assert stored_version(tables) == version
        assert MIGRATIONS[version](tables) is None, "a migration changes the tables in place"
        assert tables["incidents"] == incidents, f"migration {version} -> {version + 1} changed incidents"
        tables[META_TABLE] = {"1": {"schema_version": version + 1}}
    assert stored_version(tables) == SCHEMA_VERSION


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_migrate_brings_any_older_version_to_the_current_one(journal_path: Path, make_incident, version: int) -> None:
    record = make_incident().record()
    tables = {"incidents": {"1": record}, "meta": {"1": {"schema_version": version}}}
    for step in range(1, version):  # what a journal of that version holds
        MIGRATIONS[step](tables)
    tables["meta"] = {"1": {"schema_version": version}}

    if version < SCHEMA_VERSION:
        assert migrate(tables, version) == version
    assert stored_version(tables) == SCHEMA_VERSION
    journal_path.write_text(json.dumps(tables))
    with Journal(journal_path) as journal:
        assert journal.migrated_from is None
        assert journal.get(record["id"]).record() == record


def test_migration_1_to_2_adds_an_empty_history_table_and_keeps_the_rest(make_incident) -> None:
    record = make_incident().record()
    tables = {"incidents": {"1": record}, "meta": {"1": {"schema_version": 1}}, "notes": {"1": {"a": 1}}}
    MIGRATIONS[1](tables)
    assert tables == {
        "incidents": {"1": record}, "meta": {"1": {"schema_version": 1}}, "notes": {"1": {"a": 1}},
        HISTORY_TABLE: {},
    }
    partly = {"incidents": {}, HISTORY_TABLE: {"1": {"incident_id": "x"}}}
    MIGRATIONS[1](partly)
    assert partly[HISTORY_TABLE] == {"1": {"incident_id": "x"}}, "an existing history is kept"


# -- f. history -------------------------------------------------------------------------------------


@pytest.fixture
def journal(journal_path: Path, clock) -> Journal:
    with Journal(journal_path) as opened:
        yield opened


def history_documents(path: Path) -> list[dict]:
    return list(read_json(path)[HISTORY_TABLE].values())


def test_update_and_delete_keep_the_previous_record(journal: Journal, journal_path: Path, make_fields, clock) -> None:
    original = journal.add(make_fields(title="Strike on a depot", killed="1+"))
    updated = journal.update(original.with_changes(killed="3", place="Kursk"))
    assert history_documents(journal_path) == [
        {
            "incident_id": original.id, "revision": 1, "at": updated.updated_at.isoformat(),
            "action": "update", "record": original.record(), "by": "tester",
        }
    ]
    deleted_at = clock.now + dt.timedelta(seconds=1)
    journal.delete(original.id)
    assert history_documents(journal_path)[1] == {
        "incident_id": original.id, "revision": 2, "at": deleted_at.isoformat(),
        "action": "delete", "record": updated.record(), "by": "tester",
    }
    with Journal(journal_path) as reopened:  # another program sees the same history
        assert original.id in reopened.history_ids()


def test_history_describes_each_revision_with_the_fields_it_changed(journal: Journal, make_fields) -> None:
    original = journal.add(make_fields(title="Strike on a depot", killed="1+"))
    second = journal.update(original.with_changes(killed="3"))
    journal.update(second.with_changes(title="Strike on a fuel depot", place="Kursk"))
    journal.delete(original.id)
    restored = journal.restore(original.id[:8])

    steps = journal.history(original.id[:8])
    assert [(step.action, step.old_revision, step.new_revision) for step in steps] == [
        ("update", 1, 2), ("update", 2, 3), ("delete", 3, None), ("restore", 3, 4),
    ]
    assert steps[0].changes == (FieldChange("killed", "1+", "3"),)
    assert steps[1].changes == (
        FieldChange("title", "Strike on a depot", "Strike on a fuel depot"),
        FieldChange("place", "—", "Kursk"),
    )
    assert steps[2].changes == () and steps[3].changes == ()
    assert "revision 1 → 2" in steps[0].headline()
    assert "restored as revision 4" in steps[3].headline()
    assert restored.revision == 4


def test_restore_brings_back_the_deleted_incident_as_a_new_revision(
    journal: Journal, journal_path: Path, make_fields
) -> None:
    incident = journal.add(make_fields(title="Strike on a depot", killed="1+", tags=["drone"]))
    incident = journal.update(incident.with_changes(injured="2-5"))
    journal.delete(incident.id)
    assert incident.id not in journal

    restored = journal.restore(incident.id)
    assert restored.id == incident.id
    assert restored.revision == incident.revision + 1 == 3
    assert restored.fields_record() == incident.fields_record()
    assert restored.created_at == incident.created_at
    with Journal(journal_path) as reopened:
        assert reopened.get(incident.id) == restored
        assert reopened.deleted() == []

    # It can be changed, deleted and restored again: the last delete is what comes back.
    again = journal.update(restored.with_changes(title="Strike on a depot, corrected"))
    journal.delete(incident.id)
    assert journal.restore(incident.id).title == "Strike on a depot, corrected"
    assert journal.get(incident.id).revision == again.revision + 1


def test_restore_of_an_incident_that_is_not_deleted_is_refused(
    journal: Journal, journal_path: Path, make_fields
) -> None:
    present = journal.add(make_fields(title="still here"))
    journal.update(present.with_changes(killed="3"))  # it has a history, but no delete
    before = stored_bytes(journal_path)
    with pytest.raises(IncidentNotFound, match="not deleted"):
        journal.restore(present.id)
    with pytest.raises(IncidentNotFound):
        journal.restore(present.id[:8])
    with pytest.raises(IncidentNotFound):
        journal.restore("00000000-0000-4000-8000-000000000000")
    assert stored_bytes(journal_path) == before
    assert journal.get(present.id).revision == 2


def test_deleted_lists_only_incidents_that_are_gone_newest_first(journal: Journal, make_fields) -> None:
    one = journal.add(make_fields(title="one"))
    two = journal.add(make_fields(title="two"))
    three = journal.add(make_fields(title="three"))
    journal.update(three.with_changes(killed="1"))
    journal.delete(one.id)
    journal.delete(two.id)
    assert [entry.incident_id for entry in journal.deleted()] == [two.id, one.id]
    assert journal.deleted()[0].record["title"] == "two"

    journal.restore(one.id)
    assert [entry.incident_id for entry in journal.deleted()] == [two.id]
    journal.delete(one.id)
    assert [entry.incident_id for entry in journal.deleted()] == [one.id, two.id]


def test_temporary_files_left_by_a_killed_save_are_removed_by_the_next_save(journal_path, make_fields):
    with Journal(journal_path) as journal:
        journal.add(make_fields())
        orphans = [journal_path.with_name(".journal.json.k1ll3d.tmp"),
                   journal_path.with_name(".journal.json.bak.k1ll3d.tmp")]
        for orphan in orphans:
            orphan.write_bytes(b"{half a jour")
        other = journal_path.with_name(".other.json.x.tmp")
        other.write_bytes(b"not ours")
        journal.add(make_fields(title="second"))
    assert not any(orphan.exists() for orphan in orphans)
    assert other.exists()  # only this journal's own leftovers are touched


def test_an_incident_invalid_when_deleted_comes_back_as_it_was(journal_path, make_fields):
    with Journal(journal_path) as journal:
        incident = journal.add(make_fields())
    data = json.loads(journal_path.read_text())
    for record in data["incidents"].values():
        record["date"] = "2024-13-45"
    journal_path.write_text(json.dumps(data))
    with Journal(journal_path) as journal:
        journal.delete(incident.id)
        assert journal.restore(incident.id[:8]) is None
        [bad] = journal.bad_records()
        assert bad.id == incident.id and bad.record["date"] == "2024-13-45"


def test_a_file_found_unreadable_is_not_parsed_again_and_refuses_saves(journal_path, make_fields, monkeypatch):
    with Journal(journal_path) as journal:
        journal.add(make_fields())
        journal_path.write_bytes(b"{broken")
        with pytest.raises(JournalUnreadable):
            journal.refresh()
        parsed = []
        real_open = Journal._open_unpaused
        monkeypatch.setattr(Journal, "_open_unpaused", lambda self: parsed.append(1) or real_open(self))
        with pytest.raises(JournalUnreadable):
            journal.refresh()
        with pytest.raises(JournalUnreadable):
            journal.add(make_fields(title="not over a broken file"))
        assert parsed == []
    assert journal_path.read_bytes() == b"{broken"


def test_a_save_updates_the_rows_in_place(journal_path, make_fields):
    with Journal(journal_path) as journal:
        first = journal.add(make_fields(title="first", date="2024-07-01"))
        second = journal.add(make_fields(title="second", date="2024-07-02"))
        rows = journal.rows()
        untouched = next(row for row in rows if row.id == first.id)
        untouched.prepare()
        journal.update(journal.get(second.id).with_changes(date="2024-06-01", title="second, moved"))
        after = journal.rows()
        assert [row.title for row in after] == ["first", "second, moved"]
        assert next(row for row in after if row.id == first.id) is untouched  # not rebuilt
        assert [row.title for row in journal.rows("region")] == ["first", "second, moved"]
