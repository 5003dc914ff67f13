"""``Journal``: the one API the app, the CLI and scripts use to read and change incidents.

A journal is a TinyDB database in one JSON file, written only through
``AtomicJSONStorage``. Tables: ``incidents`` (one document per incident), ``history`` (the
previous version of every changed or deleted incident) and ``meta`` (``schema_version`` and
``folded_seq``).

Reads are served from memory; records are validated when first needed. Every change goes
through ``_commit``: it takes the lock ``<journal>.lock``, catches up with other programs'
changes, checks the revision, appends the change to the log ``<journal>.log`` as one fsynced
line (``store.changelog``), and applies it through ``_apply`` to the tables and to every derived
structure (``Records``, ``ListRows``, the search, duplicate and completion indexes). The last
program to close the journal folds the log into the file, written whole and atomically, keeping
the previous file as ``<journal>.bak``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from store import collector
from store.author import check_author, resolve_author, usable_author
from store.changelog import ChangeLog, decode_line, encode_entry
from store.duplicates import (  # noqa: F401 (re-exported)
    DuplicateIndex,
    DuplicateProbe,
    FirstDuplicates,
    PossibleDuplicate,
    place_key,
    url_key,
)
from store.errors import (
    AmbiguousId,
    IncidentNotFound,
    InvalidIncident,
    JournalError,
    JournalUnreadable,
    JournalWriteError,
    RevisionConflict,
    field_problems,
)
from store.filters import IncidentFilter
from store.groups import GROUPS_TABLE, GroupMembers
from store.history import HistoryEntry, HistoryStep, describe
from store.list_rows import ListRows
from store.locking import FileLock, lock_path
from store.migrations import (
    HISTORY_TABLE,
    INCIDENTS_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    entry_ops,
    migrate,
    stored_version,
)
from store.models import Group, GroupFields, Incident, IncidentFields, RequiredLine, new_id, utc_now
from store.records import BadRecord, Records, normal_id  # noqa: F401 (BadRecord re-exported)
from store.rows import IncidentRow
from store.search_index import SearchIndex
from store.sharing import CONFLICTS_TABLE, Sharing
from store.storage import (
    AtomicJSONStorage,
    atomic_write_bytes,
    backup_path,
    decode,
    encode,
    file_signature,
    read_file,
    replace_problem,
    resolved,
)
from store.suggestions import ValueIndex

#: What a region's name may be (``IncidentFields.region``'s rules), for ``rename_region``.
_REGION_NAME: TypeAdapter[str] = TypeAdapter(RequiredLine)

#: From this size on, opening pauses and then spares the garbage collector (see ``_open``).
LARGE_FILE = 8 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())
    updated: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordText:
    """A valid incident's record as JSON text (``incident.record()``, serialised), for
    ``Journal.import_incidents``: a million of them take a fifth of the memory of the records."""

    id: str
    json: bytes
    #: The row of the imported file it came from (0 if none).
    row: int = 0

    @classmethod
    def of(cls, incident: Incident, row: int = 0) -> RecordText:
        return cls(incident.id, incident.record_json(), row)


@dataclass(frozen=True)
class RewriteChanges:
    """What another program changed by rewriting the journal file (``Journal.rewrite_changes``)."""

    #: The log's last change and the read the journal was at: it must still be there to apply them.
    seq: int
    generation: int
    ops: list[list[Any]]
    #: The new file's inode, size and modification time.
    signature: tuple[int, ...]
    problems: list[str]


class _Ops:
    """The documents one change puts and removes, in order: ``[table, doc id, document or None]``.
    New documents get the next free ids of their table."""

    def __init__(self, journal: Journal) -> None:
        self.ops: list[list[Any]] = []
        self._journal = journal
        self._next: dict[str, int] = {}

    def put(self, table: str, document: Any, *, doc_id: int | None = None) -> None:
        if doc_id is None:
            doc_id = self._next.get(table, self._journal._last_doc_ids.get(table, 0)) + 1  # noqa: SLF001
            self._next[table] = doc_id
        self.ops.append([table, str(doc_id), document])

    def remove(self, table: str, doc_id: int) -> None:
        self.ops.append([table, str(doc_id), None])


class Journal(Sharing):
    """The incidents in one journal file. Use as a context manager, or call ``close``.

    ``author``: who makes the changes made through it (``store.author.resolve_author``: when not
    given, the environment, git or the login name say, when the first change is saved).
    """

    def __init__(self, path: str | os.PathLike[str], *, author: str | None = None):
        #: The author given, checked (``BadAuthor`` before anything is opened); None: found when needed.
        self._author_given = check_author(author, "--author") if author is not None else None
        self._author: str | None = None
        given = Path(path)
        if not given.name or given.is_dir():
            raise JournalUnreadable(f"{str(path)!r} is not a journal file name", backup_may_help=False)
        if given.is_symlink() and not given.exists():
            raise JournalUnreadable(
                f"{given} is a symbolic link to {os.readlink(given)}, which does not exist; "
                "it was not followed",
                backup_may_help=False,
            )
        #: The journal file: a symlink given is resolved here, once; its target is what is read,
        #: written and locked, so every path to one journal shares one lock.
        self.path = resolved(given)
        self._lock = FileLock(lock_path(self.path))
        self._log = ChangeLog(self.path)
        self._closed = False
        self._held_fd: int | None = None
        #: Bumped on every (re-)read of the file: whoever keeps derived state can tell.
        self.generation = 0
        #: Bumped whenever what the journal holds changes: a change made here, or another
        #: program's change picked up by ``refresh``. Screens compare it with the version they show.
        self.version = 0
        self._frozen = False
        self._refused: tuple[tuple[int, int, int] | None, JournalUnreadable] | None = None
        self._log.open()
        try:
            self._open()
        except BaseException:
            self._log.close()
            self._let_go_of_file()
            raise
        if self._log.size() > 0:  # left by a program that did not close it (a crash): fold it in now
            with contextlib.suppress(JournalError):
                self.fold()

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> None:
        """Read the file (again) and index it; nothing is written.

        For a large journal the garbage collector is paused meanwhile: the millions of objects
        it parses into would otherwise be traversed again and again, for nothing (JSON has no
        cycles). They are then frozen, so later collections skip them too; they are still
        freed by reference counting when the journal lets go of them.
        """
        try:
            large = self.path.stat().st_size > LARGE_FILE
        except OSError:
            large = False
        if not large:
            self._open_unpaused()
            return
        if not self._frozen:
            gc.collect()  # what is garbage now must not be frozen with the journal
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._open_unpaused()
        finally:
            if not self._frozen:  # once, at the first read: a re-read must not freeze the app
                gc.freeze()
                self._frozen = True
            if enabled:
                gc.enable()

    def _open_unpaused(self) -> None:
        storage = AtomicJSONStorage(self.path, create_dirs=True, keep_backup=True, backup_guard=INCIDENTS_TABLE)
        tables = storage.read()
        if not tables or not (tables.get(INCIDENTS_TABLE) or tables.get(HISTORY_TABLE)):
            self._refuse_if_backup_holds_incidents(state="is empty" if self.path.exists() else "is missing")
        migrated_from = self._migrate(storage)  # raises before anything below is replaced
        self._storage, self.migrated_from = storage, migrated_from
        self._hold_file()
        #: Set when documents were saved as text, never held: read everything again at the next refresh.
        self._stale = False
        self.generation += 1
        self.version += 1
        #: The journal's tables as TinyDB keeps them ({table: {doc id: document}}): the file's
        #: content with the log's changes applied. Changed only by ``_apply`` after opening.
        self._tables: dict[str, dict[str, Any]] = storage.read() or {}
        self._last_doc_ids: dict[str, int] = {
            name: max((int(key) for key in table), default=0) for name, table in self._tables.items()
        }
        #: The derived state, each piece kept up to date by ``_apply``, the one place it changes:
        #: the incident records and what checking them found,
        self._records = Records()
        #: the list's rows in each order, the region counts and the last search's result,
        self._list = ListRows(self._records.by_id)
        #: and, built between keys by ``background_checks`` (None until then): the words of every
        #: row's search text, so a search reads only the rows holding the words typed; the
        #: incidents by date-and-place and by source URL; the values completion offers.
        self._search: SearchIndex | None = None
        self._duplicates: DuplicateIndex | None = None
        self._suggestions: ValueIndex | None = None
        #: which incidents each group holds (built when first asked for).
        self._members: GroupMembers | None = None
        #: Bumped on every change made here, so work done in slices can tell it is out of date.
        self._changes = 0
        # The log's changes since the file was last written whole, applied before indexing.
        meta: Any = next(iter((self._tables.get(META_TABLE) or {}).values()), {})
        folded = meta.get("folded_seq") if isinstance(meta, dict) else None
        self._seq = folded if isinstance(folded, int) else 0
        self._log.offset = 0
        for entry in self._log.read_new():
            if entry["seq"] > self._seq:
                self._place_documents(entry_ops(entry))
                self._seq = entry["seq"]
        self._index()

    def _refuse_if_backup_holds_incidents(self, state: str) -> None:
        """A journal file that is missing, empty, blank or holds no incident and no history (one
        that was ever used holds history) while its ``.bak`` holds incidents, or cannot be read,
        was emptied by mistake (``: > journal.json``) or lost: opening it as a new, empty journal
        would make a later save's backup empty too, and both copies would be gone."""
        backup = backup_path(self.path)
        try:
            raw, _ = read_file(backup)
        except FileNotFoundError:
            return
        except (OSError, JournalUnreadable) as exc:
            raise JournalUnreadable(
                f"{self.path} {state} and its backup {backup.name} cannot be read ({exc}); nothing was changed",
                backup_may_help=False,
            ) from None
        if not raw or raw.isspace():
            return
        try:
            tables = decode(raw, backup, exact_integers=False) or {}
        except JournalUnreadable as exc:
            raise JournalUnreadable(
                f"{self.path} {state} and its backup {backup.name} cannot be read ({exc}); nothing was "
                "changed: mend the backup by hand, or remove it to start an empty journal",
                backup_may_help=False,
            ) from None
        held = tables.get(INCIDENTS_TABLE)
        if not isinstance(held, dict) or not held:
            return
        count = f"{len(held)} incident{'' if len(held) == 1 else 's'}"
        raise JournalUnreadable(
            f"{self.path} {state} but its backup {backup.name} holds {count}; nothing was changed. "
            f"To go back to the backup: cp -p {shlex.quote(str(backup))} {shlex.quote(str(self.path))} "
            f"(to start an empty journal instead, remove {backup.name})",
            backup_may_help=False,
        )

    @property
    def file_problems(self) -> list[str]:
        """What was wrong in the file as read and is mended in memory (a record key found twice:
        both records kept); a save writes the mended journal."""
        tables = self._tables
        unused = [
            f"table {name!r} is not one the journal uses: its {len(table)} records are kept in the file "
            "but not shown"
            for name, table in tables.items()
            if name not in (INCIDENTS_TABLE, HISTORY_TABLE, META_TABLE, GROUPS_TABLE, CONFLICTS_TABLE) and table
        ]
        return [*self._storage.problems, *unused]

    def _migrate(self, storage: AtomicJSONStorage) -> int | None:
        """Bring an older journal forward in memory; refuse a newer one. Returns the old version."""
        tables = storage.read()
        if not tables:
            return None
        version = stored_version(tables)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise JournalUnreadable(f"{self.path} has an invalid schema_version: {version!r}")
        if version > SCHEMA_VERSION:
            raise JournalUnreadable(
                f"{self.path} was written by a newer incident-journal (schema version {version}; "
                f"this one reads up to {SCHEMA_VERSION}); it was left unchanged"
            )
        if version < SCHEMA_VERSION:
            return migrate(tables, version)
        return None

    @property
    def schema_version(self) -> int:
        return SCHEMA_VERSION

    @property
    def author(self) -> str:
        """Who the changes made here are recorded as made by (found once, on first use;
        ``BadAuthor`` if the name in ``INCIDENT_JOURNAL_AUTHOR`` cannot be recorded)."""
        if self._author is None:
            self._author = resolve_author(self._author_given)
        return self._author

    def _index(self) -> None:
        # Straight from the storage's data: no copies, no validation (that comes when needed).
        for key, document in (self._tables.get(INCIDENTS_TABLE) or {}).items():
            self._records.place(int(key), document)

    def refresh(self) -> bool:
        """Catch up with other programs' changes; True if there were any.

        Their saves are lines added to the log: only those are read and applied (the cost of
        the change). A journal file rewritten by something else is read again whole. A file
        found unreadable is not parsed again until it changes once more; until then every call
        (and so every save) is refused with the same error.
        """
        if not self._stale and not self._storage.changed_on_disk() and self._log.size() >= self._log.offset:
            return self._replay(self._log.read_new()) if self._log.has_news() else False
        signature = file_signature(self.path)
        if self._refused is not None and self._refused[0] == signature:
            raise self._refused[1]
        try:
            self._open()
        except JournalUnreadable as exc:
            self._refused = (signature, exc)
            raise
        self._refused = None
        return True

    def _replay(self, entries: list[dict[str, Any]]) -> bool:
        changed = False
        for entry in entries:
            if entry["seq"] > self._seq:
                self._apply(entry_ops(entry))
                self._seq = entry["seq"]
                changed = True
        return changed

    # -- a file rewritten by another program -------------------------------------------------

    def _hold_file(self) -> None:
        """Keep the file as last read or written open: should a program other than incident-journal
        replace it, what changed is worked out from this version (``rewrite_changes``)."""
        self._let_go_of_file()
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_ino, info.st_size, info.st_mtime_ns) != self._storage.signature:
            os.close(fd)  # replaced meanwhile: the next change is read whole
            return
        self._held_fd = fd

    def _let_go_of_file(self) -> None:
        if self._held_fd is not None:
            os.close(self._held_fd)
            self._held_fd = None

    def rewritten_elsewhere(self) -> bool:
        """Whether another program rewrote the journal file (not through its log) since it was
        read here, and ``rewrite_changes`` can tell what changed without a parse here."""
        if self._held_fd is None or self._stale or not self._storage.changed_on_disk():
            return False
        # A new file found unreadable is not compared again until it changes once more (``refresh``).
        return self._refused is None or self._refused[0] != file_signature(self.path)

    def rewrite_changes(self) -> RewriteChanges | None:
        """What another program changed by rewriting the file, worked out in a child process (two
        parses of the whole file, none here): for a thread, while the event loop goes on. None if
        the file is to be read whole after all (``refresh``). Nothing here is changed."""
        fd, seq, generation = self._held_fd, self._seq, self.generation
        if fd is None:
            return None
        command = [sys.executable, "-m", "store.rewrite", str(fd), str(self.path), str(seq)]
        try:
            done = subprocess.run(command, pass_fds=(fd,), capture_output=True, timeout=600, check=False,
                                  cwd=Path(__file__).resolve().parent.parent)
        except (OSError, subprocess.SubprocessError, ValueError):  # ValueError: the fd was closed meanwhile
            return None
        found = decode_line(done.stdout.rstrip(b"\n")) if done.returncode == 0 else None
        if found is None or not isinstance(found.get("signature"), list):
            return None
        return RewriteChanges(seq, generation, found["ops"], tuple(found["signature"]), found.get("problems") or [])

    def take_rewrite(self, changes: RewriteChanges) -> bool:
        """Apply what ``rewrite_changes`` found, if the journal and the file are still as it saw
        them (the cost of the change); False if not (then look again, or ``refresh``)."""
        if (changes.seq, changes.generation) != (self._seq, self.generation) or self._stale:
            return False
        if file_signature(self.path) != changes.signature:
            return False
        if changes.ops:
            self._apply(changes.ops)
        self._storage.adopt(changes.signature, changes.problems)
        self._refused = None
        self._hold_file()
        return True

    def fold(self) -> bool:
        """Write the journal file whole, with every change in the log, and empty the log; only
        if no other program has the journal open (the last one to close it folds). True if done."""
        with self._lock.held():
            self.refresh()
            if not self._log.alone():
                return False
            try:
                self._fold_locked()
            finally:
                self._log.shared()
        return True

    def _fold_locked(self) -> None:
        """With the lock and the log held exclusively: the tables into the file, the log emptied."""
        self._sweep_orphans()
        meta = next(iter((self._tables.get(META_TABLE) or {}).values()), None)
        kept = {key: value for key, value in meta.items() if key not in ("schema_version", "folded_seq")} if isinstance(
            meta, dict) else {}
        self._tables[META_TABLE] = {"1": {"schema_version": SCHEMA_VERSION, "folded_seq": self._seq, **kept}}
        self._storage.write(self._tables)
        self._hold_file()
        self._log.clear()
        self.migrated_from = None

    def write_copy(self, target: Path) -> None:
        """Write the whole journal, every acknowledged change included, to ``target``: one
        complete TinyDB file (through the atomic write), a backup that needs no log beside it."""
        with self._lock.held():
            self.refresh()
            meta = {"schema_version": SCHEMA_VERSION, "folded_seq": 0}
            tables = {**self._tables, META_TABLE: {"1": meta}}
            atomic_write_bytes(target, encode(tables))

    def close(self) -> None:
        """Fold the log in if this is the last program with the journal open, and let go of it.

        A fold that fails (a full disk) loses nothing: the log keeps every change, and the next
        open folds it."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._log.size() > 0:
                with contextlib.suppress(JournalError):
                    self.fold()
        finally:
            self._log.close()
            self._let_go_of_file()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._records)

    # -- reading ---------------------------------------------------------------------------

    def all(self) -> list[Incident]:
        """Every valid incident, newest first (by date, then by when it was recorded)."""
        return self._records.all_valid()

    @staticmethod
    def _match(id_or_prefix: str, ids: Iterable[str], what: str = "incident") -> str:
        wanted = id_or_prefix.strip().lower()
        if not wanted:
            raise IncidentNotFound(f"no {what} id given")
        matches = sorted({incident_id for incident_id in ids if incident_id.startswith(wanted)})
        if wanted in matches:
            return wanted
        if not matches:
            raise IncidentNotFound(f"no {what} with id {id_or_prefix.strip()!r}")
        if len(matches) > 1:
            raise AmbiguousId(
                f"id prefix {id_or_prefix.strip()!r} matches {len(matches)} {what}s; type more of it"
            )
        return matches[0]

    def rows(self, order: str = "date") -> list[IncidentRow]:
        """Every stored incident as a list row, without validating any (see ``ListRows.rows``
        for the orders). Each order is sorted once and kept; a save updates the rows in place."""
        return self._list.rows(order)

    def query_rows(self, incident_filter: IncidentFilter | None = None, order: str = "date") -> list[IncidentRow]:
        """The rows ``incident_filter`` matches, in ``order`` (see ``rows``)."""
        return self._list.query(incident_filter, order, self._search)

    def background_checks(self) -> Iterator[None]:
        """Prepare every row for search and index their words (what a search needs first), then
        validate every record not validated yet, then index the records for
        ``possible_duplicates`` and completion.

        A generator that does one record per step, for work done in slices between keys.
        A record changed or re-read meanwhile is skipped (its new version is checked when used).
        """
        for row in list(self.rows()):
            row.prepare()
            yield
        if self._search is None:  # kept up to date by every change from now on, used once built
            self._search = search = SearchIndex()
            generation = self.generation
            for _ in search.build_steps([(row.id, row.haystack) for row in self.rows()]):
                if self.generation != generation:
                    break
                yield
        yield from self.prepare_search()
        yield from self._records.check_steps()
        if self._duplicates is None or self._suggestions is None:  # built here: no save or key waits
            index, generation, changes = DuplicateIndex({}), self.generation, self._changes
            values = ValueIndex()
            for incident_id, raw in list(self._records.by_id.items()):
                index.add(incident_id, raw)
                values.add(raw)
                yield
            if (self.generation, self._changes) == (generation, changes):
                if self._duplicates is None:
                    self._duplicates = index
                self._suggestions = values

    def prepare_search(self, order: str = "date") -> Iterator[None]:
        """Number the rows of ``order`` for the search index, a slice per step, so that the next
        search's first key does not wait for it (at 100,000 rows, tens of milliseconds). For
        work between keys after the index is built and after a change; nothing to do before."""
        if self._search is not None:
            yield from self._search.prepare_steps(self._list.rows(order))

    def row_regions(self) -> list[tuple[str, int]]:
        """Each region of a stored record and how many have it, by name (none validated)."""
        return self._list.region_counts()

    def records(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Copies of the stored records of ``ids`` (as they are, valid or not), for work elsewhere,
        e.g. in another thread, that must not see a save change them half-way."""
        return [dict(self._records.by_id[incident_id]) for incident_id in ids if incident_id in self._records.by_id]

    def ids_with(self, field_name: str, values: Iterable[str]) -> dict[str, str]:
        """For each of ``values``, the id of a stored incident whose ``field_name`` holds it
        (one pass over the records, none validated); values no incident holds are left out."""
        wanted, found = set(values), {}
        if wanted:
            for incident_id, raw in self._records.by_id.items():
                value = raw.get(field_name)
                if type(value) is str and value in wanted and value not in found:
                    found[value] = incident_id
        return found

    def resolve_id(self, id_or_prefix: str) -> str:
        """The full id that ``id_or_prefix`` names; a unique prefix is enough."""
        if id_or_prefix.strip().lower() in self._records.by_id:
            return id_or_prefix.strip().lower()
        return self._match(id_or_prefix, self._records.by_id)

    def get(self, id_or_prefix: str) -> Incident:
        """The incident with this id (or unique id prefix)."""
        incident_id = self.resolve_id(id_or_prefix)
        incident = self._records.validated(incident_id)
        if incident is None:
            raise InvalidIncident(list(self._records.problems(incident_id)), f"incident {incident_id}")
        return incident

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._records.by_id

    def query(self, incident_filter: IncidentFilter | None = None) -> list[Incident]:
        """The valid incidents ``incident_filter`` matches, newest first."""
        if incident_filter is None or incident_filter.is_empty:
            return self.all()
        # The rows are filtered (they share the list's search text); only matches are validated.
        matches = (self._records.validated(row.id) for row in self.query_rows(incident_filter))
        return [incident for incident in matches if incident is not None]

    def bad_records(self, *, validate: bool = True) -> list[BadRecord]:
        """Every stored record that is not a valid incident, in file order.

        With ``validate=False``, only those found so far (nothing new is validated).
        """
        return self._records.bad(validate=validate)

    # -- history ---------------------------------------------------------------------------

    def _entries(self) -> list[HistoryEntry]:
        return [HistoryEntry.from_document(document) for document in (self._tables.get(HISTORY_TABLE) or {}).values()]

    def history_ids(self) -> set[str]:
        return {entry.incident_id for entry in self._entries()}

    def history(self, id_or_prefix: str) -> list[HistoryStep]:
        """What happened to an incident (current or deleted), oldest first, field by field."""
        incident_id = self._match(id_or_prefix, set(self._records.by_id) | self.history_ids())
        entries = sorted(
            (entry for entry in self._entries() if entry.incident_id == incident_id),
            key=lambda entry: entry.at,
        )
        return describe(entries, self._records.by_id.get(incident_id))

    def deleted(self) -> list[HistoryEntry]:
        """The last delete of each incident that is not in the journal now, newest first."""
        last: dict[str, HistoryEntry] = {}
        for entry in sorted(self._entries(), key=lambda entry: entry.at):
            if entry.action == "delete":
                last[entry.incident_id] = entry
        gone = [entry for incident_id, entry in last.items() if incident_id not in self._records.by_id]
        return sorted(gone, key=lambda entry: entry.at, reverse=True)

    # -- writing: one path ------------------------------------------------------------------

    #: From this many documents in one change on, a program alone with the journal writes the
    #: file whole instead of appending them to the log (an import of thousands).
    WRITE_WHOLE_FROM = 2_000

    def _commit(self, build: Callable[[_Ops], None], *, documents_as_text: bool = False) -> None:
        """The one write path: every change (add, update, delete, restore, import) comes here.

        With the lock held, catch up with other programs, let ``build`` check what it must (the
        revision) and list the documents it puts and removes, then make them durable (one line
        appended to the log and fsynced, or, for a large change when no other program has the
        journal open, the file written whole) and apply them to the tables and everything
        derived from them (``_apply``). If anything fails, nothing is saved or changed.

        ``documents_as_text``: the documents are JSON text (``orjson.Fragment``), written as they
        are and never held as records; the journal is read again afterwards.
        """
        _ = self.author  # found (and checked) before the lock is taken: a bad name writes nothing
        with self._lock.held():
            self.refresh()
            self._check_writable()
            ops = _Ops(self)
            build(ops)
            if not ops.ops:
                return
            seq = self._seq + 1
            if len(ops.ops) >= self.WRITE_WHOLE_FROM and self._log.alone():
                try:
                    if documents_as_text:
                        self._place_documents(ops.ops)
                    else:
                        self._apply(ops.ops)
                    self._seq = seq
                    self._fold_locked()
                except BaseException:
                    self._open()  # back to exactly what is on disk
                    raise
                finally:
                    self._log.shared()
            else:
                at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                self._log.append(encode_entry({"seq": seq, "at": at, "schema": SCHEMA_VERSION, "ops": ops.ops}))
                if documents_as_text:
                    self._seq = seq
                else:
                    self._apply(ops.ops)
                    self._seq = seq
            if documents_as_text:
                self._stale = True  # read again (file and log) at the next refresh

    def _check_writable(self) -> None:
        """Refuse a change the journal file could not take when the log is folded into it: a
        file made read-only, or another user's (see ``replace_problem``)."""
        try:
            info = self.path.lstat()
        except FileNotFoundError:
            return
        problem = replace_problem(self.path, info)
        if problem is not None:
            raise JournalWriteError(problem)

    def _place_documents(self, ops: Iterable[list[Any]]) -> None:
        """Put and remove documents in the tables only (at open, before indexing)."""
        for table_name, doc_id, document in ops:
            table = self._tables.setdefault(table_name, {})
            if document is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = document
                if doc_id.isdecimal() and int(doc_id) > self._last_doc_ids.get(table_name, 0):
                    self._last_doc_ids[table_name] = int(doc_id)

    def _apply(self, ops: list[list[Any]]) -> None:
        """Apply a change, ours or another program's, to the tables and to everything derived
        from them (the records and their checks, the list's rows, the search, duplicate and
        completion indexes): the one place any of them changes after opening."""
        self._list.changing(len(ops))
        indexes = (self._search, self._duplicates, self._suggestions, self._members)
        derived = [self._list, *(index for index in indexes if index is not None)]  # (an empty one is falsy)
        for table_name, doc_id, document in ops:
            old = self._tables.get(table_name, {}).get(doc_id)
            self._place_documents([[table_name, doc_id, document]])
            if table_name != INCIDENTS_TABLE:
                continue
            if old is not None and (incident_id := self._records.unplace(int(doc_id), old)) is not None:
                row = IncidentRow(incident_id, old)
                for kept in derived:
                    kept.removed(row)
            if document is not None and (incident_id := self._records.place(int(doc_id), document)) is not None:
                row = IncidentRow(incident_id, document)
                for kept in derived:
                    kept.added(row)
        self._list.changed()
        self._changes += 1
        self.version += 1

    def _sweep_orphans(self) -> None:
        """Remove temporary files left by a writer that was killed mid-save.

        Called with the lock held, when no save of this journal can be under way.
        """
        for pattern in (f".{self.path.name}.*.tmp", f".{self.path.name}.bak.*.tmp"):
            for orphan in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    orphan.unlink()

    def _kept(self, incident_id: str, action: str, at: dt.datetime) -> dict[str, Any]:
        """The history document keeping the stored record of ``incident_id`` before ``action``."""
        raw = self._records.by_id[incident_id]
        revision = raw.get("revision")
        entry = HistoryEntry(
            incident_id, revision if isinstance(revision, int) else None, at, action, dict(raw), self.author
        )
        return entry.document()

    def _checked_revision(self, incident: Incident, refusal: str) -> int:
        """The revision to save ``incident`` on: refused if it was changed since it was read."""
        if incident.id not in self._records.by_id:
            raise IncidentNotFound(
                f"incident {incident.id} is no longer in the journal (deleted elsewhere?); {refusal}"
            )
        stored_revision = self._records.by_id[incident.id].get("revision")
        if isinstance(stored_revision, int) and stored_revision != incident.revision:
            raise RevisionConflict(
                f"incident {incident.id[:8]} was changed elsewhere since you opened it (now revision "
                f"{stored_revision}, yours {incident.revision}); {refusal}"
            )
        return stored_revision if isinstance(stored_revision, int) else incident.revision

    def _updated(self, ops: _Ops, incident: Incident, now: dt.datetime, refusal: str) -> Incident:
        """Put a new version of a stored incident (checked, its old version kept in the history):
        who recorded it stays as stored, who changed it is this journal's author."""
        revision = self._checked_revision(incident, refusal)
        created_by = usable_author(self._records.by_id[incident.id].get("created_by"))
        saved = incident.model_copy(
            update={"revision": revision + 1, "updated_at": now, "created_by": created_by, "updated_by": self.author}
        )
        ops.put(HISTORY_TABLE, self._kept(incident.id, "update", now))
        ops.put(INCIDENTS_TABLE, saved.record(), doc_id=self._records.doc_ids[incident.id])
        return saved

    def add(self, fields: IncidentFields) -> Incident:
        """Record a new incident; the store assigns its id, revision, timestamps and author."""
        now, author = utc_now(), self.author
        incident = Incident.model_validate(
            {**fields.fields_record(), "id": new_id(), "revision": 1, "created_at": now, "updated_at": now,
             "created_by": author, "updated_by": author}
        )
        self._commit(lambda ops: ops.put(INCIDENTS_TABLE, incident.record()))
        self._records.keep_valid([incident])
        return incident

    def update(self, incident: Incident) -> Incident:
        """Save a changed incident. Refused if it was changed since ``incident`` was read."""
        saved: list[Incident] = []
        self._commit(lambda ops: saved.append(self._updated(ops, incident, utc_now(), "your change was not saved")))
        self._records.keep_valid(saved)
        return saved[0]

    def delete(self, id_or_prefix: str, *, revision: int | None = None) -> Incident | None:
        """Remove an incident (kept in the history); returns it (None if it was invalid).

        With ``revision`` (the one the person saw), refused if it was changed since.
        """
        deleted: list[Incident | None] = []

        def build(ops: _Ops) -> None:
            incident_id = self.resolve_id(id_or_prefix)
            stored_revision = self._records.by_id[incident_id].get("revision")
            if revision is not None and isinstance(stored_revision, int) and stored_revision != revision:
                raise RevisionConflict(
                    f"incident {incident_id[:8]} was changed elsewhere since you saw it (now revision "
                    f"{stored_revision}, you saw {revision}); it was not deleted"
                )
            deleted.append(self._records.validated(incident_id))
            ops.put(HISTORY_TABLE, self._kept(incident_id, "delete", utc_now()))
            ops.remove(INCIDENTS_TABLE, self._records.doc_ids[incident_id])

        self._commit(build)
        return deleted[0]

    def restore(self, id_or_prefix: str) -> Incident | None:
        """Bring back a deleted incident as it was when deleted, as a new revision.

        One that was invalid when deleted comes back unchanged, to be fixed (returns None).
        """
        restored: list[Incident | None] = []

        def build(ops: _Ops) -> None:
            gone = {entry.incident_id: entry for entry in self.deleted()}
            if id_or_prefix.strip().lower() in self._records.by_id:
                raise IncidentNotFound(f"incident {id_or_prefix.strip()} is not deleted")
            incident_id = self._match(id_or_prefix, gone)
            entry = gone[incident_id]
            now = utc_now()
            restore = HistoryEntry(incident_id, entry.revision, now, "restore", None, self.author)
            ops.put(HISTORY_TABLE, restore.document())
            try:
                old = Incident.model_validate(entry.record)
            except ValidationError:  # it was invalid when deleted: it comes back as it was, to be fixed
                ops.put(INCIDENTS_TABLE, dict(entry.record or {}))
                restored.append(None)
                return
            back = old.model_copy(update={"revision": old.revision + 1, "updated_at": now, "updated_by": self.author})
            ops.put(INCIDENTS_TABLE, back.record())
            restored.append(back)

        self._commit(build)
        self._records.keep_valid(incident for incident in restored if incident is not None)
        return restored[0]

    #: From this many new incidents given as ``RecordText`` on, ``import_incidents`` writes their
    #: JSON text as it is, never holding them as records or models.
    STREAM_FROM = 10_000

    def import_incidents(
        self,
        incidents: Iterable[Incident] | Iterable[RecordText],
        *,
        updates: Iterable[Incident] = (),
        progress: Callable[[int, int], None] | None = None,
        reread: bool = True,
    ) -> ImportResult:
        """Add whole incidents, keeping their ids (and who recorded and last changed them, where
        they say; where not, this journal's author); those already here are skipped.

        ``updates`` are new versions of incidents already here, each carrying the revision it was
        made from: if any was changed since, nothing is saved (``RevisionConflict``).
        Everything is saved at once: either all of it or none.

        ``incidents`` may be ``RecordText`` (as an import plans them). From ``STREAM_FROM`` of them
        on, their JSON text is written as it is, without a record or a model of any being held:
        then the journal reads itself again afterwards (a million incidents take gigabytes as
        records), at once, or with ``reread=False`` (for a caller about to close the journal) at
        its next ``refresh()`` or change, as after another program's save.
        ``progress(done, total)`` follows the incidents as they are placed.
        """
        updates = list(updates)
        # An import plan's incidents (``PlannedIncidents``) are taken as the texts they hold.
        given: list[Incident | RecordText] = list(getattr(incidents, "texts", incidents))
        as_text = len(given) >= self.STREAM_FROM and all(isinstance(item, RecordText) for item in given)
        new: dict[str, Incident | RecordText] = {}
        skipped: list[str] = []
        saved: list[Incident] = []

        def build(ops: _Ops) -> None:
            new.clear()
            skipped.clear()
            saved.clear()
            now = utc_now()
            for incident in updates:
                saved.append(self._updated(ops, incident, now, "nothing was imported"))
            total = len(given)
            for done, item in enumerate(given, start=1):
                if item.id in self._records.by_id or item.id in new:
                    skipped.append(item.id)
                    continue
                if isinstance(item, RecordText):  # a valid record's text: checked when it was made
                    text = self._authored_text(item.json)
                    ops.put(INCIDENTS_TABLE, orjson.Fragment(text) if as_text else orjson.loads(text))
                    new[item.id] = item
                    continue
                if item.created_by is None or item.updated_by is None:
                    item = item.model_copy(update={"created_by": item.created_by or self.author,
                                                   "updated_by": item.updated_by or self.author})
                new[item.id] = item
                ops.put(INCIDENTS_TABLE, item.record())
                if progress is not None and done % 10_000 == 0:
                    progress(done, total)

        with collector.paused(len(given) + len(updates) > 1_000):
            self._commit(build, documents_as_text=as_text)
        if as_text and reread:
            self.refresh()
        elif not as_text:
            self._records.keep_valid([*saved, *(item for item in new.values() if isinstance(item, Incident))])
        if progress is not None:
            progress(len(given), len(given))
        return ImportResult(added=tuple(new), skipped=tuple(skipped), updated=tuple(i.id for i in updates))

    def _authored_text(self, text: bytes) -> bytes:
        """A record's JSON text (``Incident.record_json``: compact, keys unescaped) with this
        journal's author as ``created_by`` and ``updated_by`` where it names none. A key is
        told by its quote and colon: inside a string value a quote is escaped."""
        author = orjson.dumps(self.author)
        added = b"".join(
            b',"' + name + b'":' + author for name in (b"created_by", b"updated_by") if b'"' + name + b'":' not in text
        )
        if not added:
            return text
        stripped = text.rstrip()
        return stripped[:-1] + added + b"}"

    def possible_duplicates(self, incidents: Iterable[IncidentFields]) -> list[PossibleDuplicate]:
        """Incidents here that may record the same event as one of ``incidents``: the same date
        and place, or a source URL in common (see ``store.duplicates``).

        ``incidents`` may be new (not yet saved) or saved ones (then they are not their own duplicates).
        The index this looks in is built once (``background_checks`` builds it between keys)
        and kept up to date by every save.
        """
        if self._duplicates is None:
            self._duplicates = DuplicateIndex(self._records.by_id)
        return self._duplicates.find(incidents, self._records.by_id)

    def first_duplicates(self, incident: IncidentFields, limit: int) -> FirstDuplicates:
        """The first ``limit`` of ``possible_duplicates([incident])`` and how many it would list,
        counted from the index's groups without listing them (an import asks this per row)."""
        if self._duplicates is None:
            self._duplicates = DuplicateIndex(self._records.by_id)
        return self._duplicates.first(incident, self._records.by_id, limit)

    def duplicates_so_far(
        self, date: dt.date, place: str | None, urls: Iterable[str] = (), own_id: str | None = None
    ) -> list[PossibleDuplicate]:
        """``possible_duplicates`` of an incident still being typed (its date, place and source
        URLs); empty while the index is not built yet, so a key never waits for it."""
        if self._duplicates is None:
            return []
        probe = DuplicateProbe(own_id or "", date, place, tuple(SimpleNamespace(url=url) for url in urls))
        return self._duplicates.find([probe], self._records.by_id)

    def suggest(self, field: str, typed: str) -> str | None:
        """The most used value of ``field`` (or ``outlet``) starting as ``typed``; None while the
        index is not built yet (``background_checks`` builds it)."""
        return self._suggestions.complete(field, typed) if self._suggestions is not None else None

    # -- groups of claims ------------------------------------------------------------------------

    def _group_documents(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Group id -> (document id, stored record), of the records holding an id."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for doc_id, record in (self._tables.get(GROUPS_TABLE) or {}).items():
            group_id = normal_id(record.get("id")) if isinstance(record, dict) else None
            if group_id is not None and group_id not in found:
                found[group_id] = (doc_id, record)
        return found

    def groups(self) -> list[Group]:
        """Every valid group, by date (undated last), then title."""
        valid = []
        for _, record in self._group_documents().values():
            with contextlib.suppress(ValidationError):
                valid.append(Group.model_validate(record))
        return sorted(valid, key=lambda group: (group.date is None, group.date or dt.date.min, group.title.casefold()))

    def group(self, id_or_prefix: str) -> Group:
        """The group with this id (or unique id prefix)."""
        documents = self._group_documents()
        group_id = self._match(id_or_prefix, documents, "group")
        try:
            return Group.model_validate(documents[group_id][1])
        except ValidationError as exc:
            raise InvalidIncident(field_problems(exc), f"group {group_id}") from None

    def group_problems(self) -> list[str]:
        """What is wrong with the groups, one line each, for ``check``: a record that is not a
        valid group, an id two records hold (only the first is used), and incidents naming a
        group the journal does not hold, or holds only as an invalid record."""
        problems: list[str] = []
        first_with: dict[str, int] = {}
        valid: set[str] = set()
        for position, record in enumerate((self._tables.get(GROUPS_TABLE) or {}).values(), 1):
            group_id = normal_id(record.get("id")) if isinstance(record, dict) else None
            who = f"group {group_id} (record {position})" if group_id else f"a group with no id (record {position})"
            if group_id is not None and group_id in first_with:
                problems.append(f"{who}: its id is held by record {first_with[group_id]} too; only that one is used")
                continue
            if group_id is not None:
                first_with[group_id] = position
            try:
                Group.model_validate(record)
            except ValidationError as exc:
                problems.append(f"{who}: " + "; ".join(str(problem) for problem in field_problems(exc)))
            else:
                valid.add(group_id or "")
        if self._members is None:
            self._members = GroupMembers(self._records.by_id)
        for group_id in sorted(set(self._members.group_ids()) - valid):
            members = sorted(self._members.of(group_id))
            named = ", ".join(member[:8] for member in members[:3]) + (", …" if len(members) > 3 else "")
            what = "is invalid (above)" if group_id in first_with else "is not in this journal"
            count = f"{len(members)} incident{'s' if len(members) != 1 else ''}"
            problems.append(f"{count} ({named}) name group {group_id}, which {what}")
        return problems

    def group_members(self, group_id: str) -> list[IncidentRow]:
        """The incidents of a group, as list rows, newest first."""
        if self._members is None:  # built once; every change keeps it up to date
            self._members = GroupMembers(self._records.by_id)
        return self._members.rows_of(group_id)

    def group_of(self, incident: Incident) -> tuple[Group | None, list[IncidentRow]]:
        """The group an incident names and the group's incidents; (None, []) if it names none, or
        one not in this journal (or not valid)."""
        if incident.group is None:
            return None, []
        try:
            group = self.group(incident.group)
        except JournalError:
            return None, []
        return group, self.group_members(group.id)

    def create_group(self, fields: GroupFields) -> Group:
        """Record a new group of claims; the store assigns its id, revision, timestamps and author."""
        now, author = utc_now(), self.author
        group = Group.model_validate(
            {**fields.model_dump(mode="json"), "id": new_id(), "revision": 1, "created_at": now, "updated_at": now,
             "created_by": author, "updated_by": author}
        )
        self._commit(lambda ops: ops.put(GROUPS_TABLE, group.record()))
        return group

    def import_groups(self, groups: Iterable[Group]) -> int:
        """Add whole groups, keeping their ids (and authors; where none, this journal's); those
        already here are skipped. How many were added."""
        added: list[str] = []

        def build(ops: _Ops) -> None:
            added.clear()
            present = self._group_documents()
            for group in groups:
                if group.id not in present and group.id not in added:
                    authors = {"created_by": group.created_by or self.author,
                               "updated_by": group.updated_by or self.author}
                    ops.put(GROUPS_TABLE, group.model_copy(update=authors).record())
                    added.append(group.id)

        self._commit(build)
        return len(added)

    def update_group(self, group: Group) -> Group:
        """Save a changed group (its title, date, sources or totals)."""
        saved: list[Group] = []

        def build(ops: _Ops) -> None:
            doc_id, record = self._group_documents().get(group.id, (None, None))
            if doc_id is None:
                raise IncidentNotFound(f"group {group.id[:8]} is no longer in the journal; your change was not saved")
            revision = record.get("revision") if isinstance(record, dict) else None
            if isinstance(revision, int) and revision != group.revision:
                raise RevisionConflict(f"group {group.id[:8]} was changed elsewhere since you opened it; "
                                       "your change was not saved")
            created_by = usable_author(record.get("created_by")) if isinstance(record, dict) else None
            saved.append(group.model_copy(update={"revision": group.revision + 1, "updated_at": utc_now(),
                                                  "created_by": created_by, "updated_by": self.author}))
            ops.put(GROUPS_TABLE, saved[0].record(), doc_id=int(doc_id))

        self._commit(build)
        return saved[0]

    def set_group(self, ids_or_prefixes: Iterable[str], group_id: str | None) -> list[Incident]:
        """Put incidents in a group (``group_id``), or take them out of theirs (None): each a new
        revision, its old one kept in the history; all saved at once, or none."""
        wanted = list(ids_or_prefixes)
        saved: list[Incident] = []

        def build(ops: _Ops) -> None:
            saved.clear()
            if group_id is not None and group_id not in self._group_documents():
                raise IncidentNotFound(f"no group with id {group_id!r}; see `incident-journal group list`")
            now = utc_now()
            for id_or_prefix in dict.fromkeys(self.resolve_id(given) for given in wanted):
                incident = self.get(id_or_prefix)
                if incident.group != group_id:
                    changed = incident.model_copy(update={"group": group_id})
                    saved.append(self._updated(ops, changed, now, "nothing was changed"))

        self._commit(build)
        self._records.keep_valid(saved)
        return saved

    # -- regions ---------------------------------------------------------------------------------

    def rename_region(self, old: str, new: str) -> list[str]:
        """Give every incident whose region is spelt exactly ``old`` (case and all) the region
        ``new``: each a new revision, its old one kept in the history, all saved at once. Returns
        the ids changed (none when no incident has ``old``, or ``new`` is the same).

        A record that is not a valid incident is renamed too, only its region changed and its old
        version kept in the history (as ``delete_group`` takes a group out of one): it neither
        blocks the rename nor keeps the old spelling. ``ValueError`` if ``new`` is no region name.
        """
        try:
            name = _REGION_NAME.validate_python(new)
        except ValidationError as exc:
            raise ValueError("; ".join(problem.message for problem in field_problems(exc))) from None
        changed: list[str] = []
        saved: list[Incident] = []

        def build(ops: _Ops) -> None:
            changed.clear()
            saved.clear()
            if name == old:
                return
            now = utc_now()
            for incident_id, raw in list(self._records.by_id.items()):
                if raw.get("region") != old:
                    continue
                incident = self._records.validated(incident_id)
                if incident is None:  # a record to be fixed: only its region changes
                    ops.put(HISTORY_TABLE, self._kept(incident_id, "update", now))
                    ops.put(INCIDENTS_TABLE, {**raw, "region": name}, doc_id=self._records.doc_ids[incident_id])
                else:
                    changed_incident = incident.model_copy(update={"region": name})
                    saved.append(self._updated(ops, changed_incident, now, "nothing was renamed"))
                changed.append(incident_id)

        self._commit(build)
        self._records.keep_valid(saved)
        return list(changed)

    def delete_group(self, id_or_prefix: str) -> Group:
        """Remove a group; its incidents stay, out of any group (each a new revision, in the history)."""
        group = self.group(id_or_prefix)

        def build(ops: _Ops) -> None:
            doc_id, _ = self._group_documents()[group.id]
            now = utc_now()
            for row in self.group_members(group.id):
                try:
                    incident = self.get(row.id)
                except InvalidIncident:  # a record to be fixed: only its group is taken out
                    record = {key: value for key, value in self._records.by_id[row.id].items() if key != "group"}
                    ops.put(HISTORY_TABLE, self._kept(row.id, "update", now))
                    ops.put(INCIDENTS_TABLE, record, doc_id=self._records.doc_ids[row.id])
                    continue
                self._updated(ops, incident.model_copy(update={"group": None}), now, "the group was not deleted")
            ops.remove(GROUPS_TABLE, int(doc_id))

        self._commit(build)
        return group
