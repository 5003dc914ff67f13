"""``Journal``: the one API the app, the CLI and scripts use to read and change incidents.

A journal is a TinyDB database in one JSON file, written only through
``AtomicJSONStorage``. Tables: ``incidents`` (one document per incident), ``history`` (the
previous version of every changed or deleted incident) and ``meta`` (``schema_version``).

Reads are served from memory; records are validated when first needed. Each change takes the
lock ``<journal>.lock``, re-reads the file if another program changed it, applies only its
own change, and writes the whole journal once, atomically, keeping the previous file as
``<journal>.bak``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import re
import shlex
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from tinydb import TinyDB

from store import collector
from store.duplicates import DuplicateIndex, DuplicateProbe, PossibleDuplicate, place_key, url_key  # noqa: F401 (re-exported)
from store.errors import (
    AmbiguousId,
    FieldProblem,
    IncidentNotFound,
    InvalidIncident,
    JournalUnreadable,
    RevisionConflict,
    field_problems,
)
from store.filters import IncidentFilter
from store.history import HistoryEntry, HistoryStep, describe
from store.locking import FileLock, lock_path
from store.migrations import HISTORY_TABLE, META_TABLE, SCHEMA_VERSION, migrate, stored_version
from store.models import Incident, IncidentFields, new_id, utc_now
from store.rows import IncidentRow
from store.storage import AtomicJSONStorage, backup_path, decode, file_signature, read_file, resolved
from store.suggestions import ValueIndex

INCIDENTS_TABLE = "incidents"
#: From this size on, opening pauses and then spares the garbage collector (see ``_open``).
LARGE_FILE = 8 * 1024 * 1024


@dataclass(frozen=True)
class BadRecord:
    """A stored record that is not a valid incident (for example, edited by hand)."""

    position: int
    id: str | None
    problems: tuple[FieldProblem, ...]
    record: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Its id is held by another record: only a hand edit of the file can tell them apart.
    duplicate: bool = False

    def __str__(self) -> str:
        who = f"incident {self.id}" if self.id else "an incident with no id"
        reasons = "; ".join(str(problem) for problem in self.problems)
        return f"{who} (record {self.position}): {reasons}"


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())
    updated: tuple[str, ...] = ()


def _replace_with(record: Mapping[str, Any]):
    def transform(document: dict[str, Any]) -> None:
        document.clear()
        document.update(record)

    return transform


_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _normal_id(value: Any) -> str | None:
    """The canonical form of a stored id (ids typed by hand may be in capitals)."""
    if not isinstance(value, str):
        return None
    if _CANONICAL_ID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


#: How ``Journal.rows`` orders besides by date (stable sorts keep newest first within ties).
ROW_ORDERS = {
    "region": lambda row: row.region.casefold(),
    "killed": lambda row: (row.killed_min is None, -(row.killed_min or 0)),
}


def _sort_key(incident: Incident) -> tuple:
    return (incident.date, incident.created_at, incident.id)


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
        return cls(incident.id, Incident.__pydantic_serializer__.to_json(incident, exclude={"casualty_status"}), row)


class Journal:
    """The incidents in one journal file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | os.PathLike[str]):
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
        #: Bumped on every (re-)read of the file: whoever keeps derived state can tell.
        self.generation = 0
        #: Bumped whenever what the journal holds changes: a change made here, or another
        #: program's change picked up by ``refresh``. Screens compare it with the version they show.
        self.version = 0
        self._frozen = False
        self._refused: tuple[tuple[int, int, int] | None, JournalUnreadable] | None = None
        self._open()

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
        database = TinyDB(
            self.path, storage=AtomicJSONStorage, create_dirs=True, keep_backup=True, backup_guard=INCIDENTS_TABLE
        )
        storage: AtomicJSONStorage = database.storage  # type: ignore[assignment]
        tables = storage.read()
        if not tables or not (tables.get(INCIDENTS_TABLE) or tables.get(HISTORY_TABLE)):
            self._refuse_if_backup_holds_incidents(state="is empty" if self.path.exists() else "is missing")
        migrated_from = self._migrate(storage)  # raises before anything below is replaced
        self._db, self._storage, self.migrated_from = database, storage, migrated_from
        self.generation += 1
        self.version += 1
        self._table = self._db.table(INCIDENTS_TABLE, cache_size=0)
        self._meta = self._db.table(META_TABLE, cache_size=0)
        self._history = self._db.table(HISTORY_TABLE, cache_size=0)
        self._doc_ids: dict[str, int] = {}
        self._raw: dict[str, dict[str, Any]] = {}
        self._unidentified: list[tuple[int, dict[str, Any]]] = []
        self._valid: dict[str, Incident] = {}
        self._problems: dict[str, tuple[FieldProblem, ...]] = {}
        self._sorted: list[Incident] | None = None
        self._rows: list[IncidentRow] | None = None
        self._ordered: dict[str, list[IncidentRow]] = {}
        self._row_regions: list[tuple[str, int]] | None = None
        self._last_query: tuple[str, IncidentFilter, list[IncidentRow]] | None = None
        self._duplicates: DuplicateIndex | None = None
        self._suggestions: ValueIndex | None = None
        #: Bumped on every change made here, so work done in slices can tell it is out of date.
        self._changes = 0
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
        tables = self._storage.read() or {}
        unused = [
            f"table {name!r} is not one the journal uses: its {len(table)} records are kept in the file "
            "but not shown"
            for name, table in tables.items()
            if name not in (INCIDENTS_TABLE, HISTORY_TABLE, META_TABLE) and table
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

    def _index(self) -> None:
        # Straight from the storage's data: no copies, no validation (that comes when needed).
        tables = self._storage.read() or {}
        for key, document in (tables.get(INCIDENTS_TABLE) or {}).items():
            incident_id = _normal_id(document.get("id"))
            if incident_id is not None and incident_id not in self._doc_ids:
                self._doc_ids[incident_id] = int(key)
                self._raw[incident_id] = document
            else:
                self._unidentified.append((int(key), document))

    def refresh(self) -> bool:
        """Re-read the journal if another program changed it since; True if it did.

        A file found unreadable is not parsed again until it changes once more; until then
        every call (and so every save) is refused with the same error.
        """
        if not self._storage.changed_on_disk():
            return False
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

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._raw) + len(self._unidentified)

    # -- reading ---------------------------------------------------------------------------

    def _validated(self, incident_id: str) -> Incident | None:
        incident = self._valid.get(incident_id)
        if incident is None and incident_id not in self._problems:
            try:
                incident = Incident.model_validate(self._raw[incident_id])
            except ValidationError as exc:
                self._problems[incident_id] = tuple(field_problems(exc))
                return None
            self._valid[incident_id] = incident
        return incident

    def all(self) -> list[Incident]:
        """Every valid incident, newest first (by date, then by when it was recorded)."""
        if self._sorted is None:
            with collector.paused(len(self._raw) > 10_000):  # models of every record: no cycles
                incidents = [self._validated(incident_id) for incident_id in self._raw]
            self._sorted = sorted(
                (incident for incident in incidents if incident is not None), key=_sort_key, reverse=True
            )
        return list(self._sorted)

    @staticmethod
    def _match(id_or_prefix: str, ids: Iterable[str]) -> str:
        wanted = id_or_prefix.strip().lower()
        if not wanted:
            raise IncidentNotFound("no incident id given")
        matches = sorted({incident_id for incident_id in ids if incident_id.startswith(wanted)})
        if wanted in matches:
            return wanted
        if not matches:
            raise IncidentNotFound(f"no incident with id {id_or_prefix.strip()!r}")
        if len(matches) > 1:
            raise AmbiguousId(
                f"id prefix {id_or_prefix.strip()!r} matches {len(matches)} incidents; type more of it"
            )
        return matches[0]

    def rows(self, order: str = "date") -> list[IncidentRow]:
        """Every stored incident as a list row, without validating any.

        ``order``: ``date`` (newest first), ``region`` (by name, newest first within one) or
        ``killed`` (most first by the reported minimum, unknown last). Each order is sorted once
        and kept; a save updates the rows in place.
        """
        if self._rows is None:
            rows = [IncidentRow(incident_id, raw) for incident_id, raw in self._raw.items()]
            rows.sort(key=IncidentRow.sort_key, reverse=True)
            self._rows = rows
        if order == "date":
            return self._rows
        ordered = self._ordered.get(order)
        if ordered is None:
            ordered = self._ordered[order] = sorted(self._rows, key=ROW_ORDERS[order])
        return ordered

    def query_rows(self, incident_filter: IncidentFilter | None = None, order: str = "date") -> list[IncidentRow]:
        """The rows ``incident_filter`` matches, in ``order`` (see ``rows``).

        Typing on in a search only narrows the previous result, so only that is searched.
        """
        if incident_filter is None or incident_filter.is_empty:
            return list(self.rows(order))
        pool = self.rows(order)
        known: tuple[str, ...] = ()
        last = self._last_query
        if last is not None and last[0] == order and incident_filter.narrows(last[1]):
            pool, known = last[2], last[1].words
        found = incident_filter.select_rows(pool, known_words=known)
        self._last_query = (order, incident_filter, found)
        return list(found)

    def background_checks(self) -> Iterator[None]:
        """Validate every record not validated yet, prepare every row for search, then index the
        records for ``possible_duplicates``.

        A generator that does one record per step, for work done in slices between keys.
        A record changed or re-read meanwhile is skipped (its new version is checked when used).
        """
        for incident_id, raw in list(self._raw.items()):
            if incident_id not in self._valid and incident_id not in self._problems:
                try:
                    Incident.model_validate(raw)  # not kept: 100,000 models would cost memory
                except ValidationError as exc:
                    if self._raw.get(incident_id) is raw:
                        self._problems[incident_id] = tuple(field_problems(exc))
            yield
        for row in list(self.rows()):
            row.prepare()
            yield
        if self._duplicates is None or self._suggestions is None:  # built here: no save or key waits
            index, generation, changes = DuplicateIndex({}), self.generation, self._changes
            values = ValueIndex()
            for incident_id, raw in list(self._raw.items()):
                index.add(incident_id, raw)
                values.add(raw)
                yield
            if (self.generation, self._changes) == (generation, changes):
                if self._duplicates is None:
                    self._duplicates = index
                self._suggestions = values

    def validate_all(self) -> int:
        """Run ``background_checks`` to the end; returns how many records are not valid."""
        for _ in self.background_checks():
            pass
        return len(self._problems) + len(self._unidentified)

    def row_regions(self) -> list[tuple[str, int]]:
        """``regions()`` counted from the stored records, without validating them."""
        if self._row_regions is None:
            counts = Counter(row.region for row in self.rows())
            self._row_regions = sorted(counts.items(), key=lambda item: (item[0].casefold(), item[0]))
        return self._row_regions

    def records(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Copies of the stored records of ``ids`` (as they are, valid or not), for work elsewhere,
        e.g. in another thread, that must not see a save change them half-way."""
        return [dict(self._raw[incident_id]) for incident_id in ids if incident_id in self._raw]

    def ids_with(self, field_name: str, values: Iterable[str]) -> dict[str, str]:
        """For each of ``values``, the id of a stored incident whose ``field_name`` holds it
        (one pass over the records, none validated); values no incident holds are left out."""
        wanted, found = set(values), {}
        if wanted:
            for incident_id, raw in self._raw.items():
                value = raw.get(field_name)
                if type(value) is str and value in wanted and value not in found:
                    found[value] = incident_id
        return found

    def resolve_id(self, id_or_prefix: str) -> str:
        """The full id that ``id_or_prefix`` names; a unique prefix is enough."""
        if id_or_prefix.strip().lower() in self._raw:
            return id_or_prefix.strip().lower()
        return self._match(id_or_prefix, self._raw)

    def get(self, id_or_prefix: str) -> Incident:
        """The incident with this id (or unique id prefix)."""
        incident_id = self.resolve_id(id_or_prefix)
        incident = self._validated(incident_id)
        if incident is None:
            raise InvalidIncident(list(self._problems[incident_id]))
        return incident

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._raw

    def query(self, incident_filter: IncidentFilter | None = None) -> list[Incident]:
        """The valid incidents ``incident_filter`` matches, newest first."""
        if incident_filter is None or incident_filter.is_empty:
            return self.all()
        # The rows are filtered (they share the list's search text); only matches are validated.
        matches = (self._validated(row.id) for row in self.query_rows(incident_filter))
        return [incident for incident in matches if incident is not None]

    def regions(self) -> list[tuple[str, int]]:
        """Each region in the journal with its number of incidents, by name."""
        counts = Counter(incident.region for incident in self.all())
        return sorted(counts.items(), key=lambda item: (item[0].casefold(), item[0]))

    def bad_records(self, *, validate: bool = True) -> list[BadRecord]:
        """Every stored record that is not a valid incident, in file order.

        With ``validate=False``, only those found so far (nothing new is validated).
        """
        if not validate and not self._problems and not self._unidentified:
            return []
        bad = []
        positions = {doc_id: n for n, doc_id in enumerate(sorted(self._all_doc_ids()), start=1)}
        for incident_id, doc_id in self._doc_ids.items():
            if not validate and incident_id not in self._problems:
                continue
            if self._validated(incident_id) is None:
                bad.append(
                    BadRecord(positions[doc_id], incident_id, self._problems[incident_id], self._raw[incident_id])
                )
        for doc_id, document in self._unidentified:
            raw_id = document.get("id")
            problem = (
                FieldProblem("id", f"{raw_id!r} is used by another incident")
                if isinstance(raw_id, str)
                else FieldProblem("id", "is missing or not text")
            )
            bad.append(
                BadRecord(
                    positions[doc_id], raw_id if isinstance(raw_id, str) else None, (problem,), document,
                    duplicate=isinstance(raw_id, str),
                )
            )
        return sorted(bad, key=lambda record: record.position)

    def _all_doc_ids(self) -> Iterator[int]:
        yield from self._doc_ids.values()
        yield from (doc_id for doc_id, _ in self._unidentified)

    # -- history ---------------------------------------------------------------------------

    def _entries(self) -> list[HistoryEntry]:
        return [HistoryEntry.from_document(document) for document in self._history.all()]

    def history_ids(self) -> set[str]:
        return {entry.incident_id for entry in self._entries()}

    def history(self, id_or_prefix: str) -> list[HistoryStep]:
        """What happened to an incident (current or deleted), oldest first, field by field."""
        incident_id = self._match(id_or_prefix, set(self._raw) | self.history_ids())
        entries = sorted(
            (entry for entry in self._entries() if entry.incident_id == incident_id),
            key=lambda entry: entry.at,
        )
        return describe(entries, self._raw.get(incident_id))

    def deleted(self) -> list[HistoryEntry]:
        """The last delete of each incident that is not in the journal now, newest first."""
        last: dict[str, HistoryEntry] = {}
        for entry in sorted(self._entries(), key=lambda entry: entry.at):
            if entry.action == "delete":
                last[entry.incident_id] = entry
        gone = [entry for incident_id, entry in last.items() if incident_id not in self._raw]
        return sorted(gone, key=lambda entry: entry.at, reverse=True)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the lock, catch up with other writers, and write everything inside once."""
        with self._lock.held():
            self._sweep_orphans()
            self.refresh()
            try:
                with self._storage.batch():
                    if self.migrated_from is not None or not self._meta.all():
                        self._meta.truncate()
                        self._meta.insert({"schema_version": SCHEMA_VERSION})
                    yield
            except BaseException:
                self._open()  # back to exactly what is on disk
                raise
            self.migrated_from = None

    def _sweep_orphans(self) -> None:
        """Remove temporary files left by a writer that was killed mid-save.

        Called with the lock held, when no save of this journal can be under way.
        """
        for pattern in (f".{self.path.name}.*.tmp", f".{self.path.name}.bak.*.tmp"):
            for orphan in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    orphan.unlink()

    def _keep(self, incident_id: str, action: str, at: Any) -> None:
        raw = self._raw[incident_id]
        revision = raw.get("revision")
        self._history.insert(
            HistoryEntry(
                incident_id, revision if isinstance(revision, int) else None, at, action, dict(raw)
            ).document()
        )

    def _changed(self, incident: Incident, doc_id: int) -> None:
        self._doc_ids[incident.id] = doc_id
        self._raw[incident.id] = incident.record()
        self._changes += 1
        self.version += 1
        if self._duplicates is not None:  # an update took the old keys out first (``_unindex``)
            self._duplicates.add(incident.id, self._raw[incident.id])
        if self._suggestions is not None:
            self._suggestions.add(self._raw[incident.id])
        self._valid[incident.id] = incident
        self._problems.pop(incident.id, None)
        self._sorted = self._last_query = self._row_regions = None
        self._ordered = {}
        if self._rows is not None:  # one row changes; the other 99,999 stay as they are
            row = IncidentRow(incident.id, self._raw[incident.id])
            row.prepare()
            self._rows = [kept for kept in self._rows if kept.id != incident.id]
            self._rows.append(row)
            self._rows.sort(key=IncidentRow.sort_key, reverse=True)  # nearly sorted: one pass

    def _unindex(self, incident_id: str) -> None:
        """Take a record's duplicate keys out of the index before it is replaced: the stored
        record may be the storage's own document, which the update rewrites in place."""
        if self._duplicates is not None and incident_id in self._raw:
            self._duplicates.remove(incident_id, self._raw[incident_id])
        if self._suggestions is not None and incident_id in self._raw:
            self._suggestions.remove(self._raw[incident_id])

    def _forget(self, incident_id: str) -> None:
        self._unindex(incident_id)
        self._changes += 1
        self.version += 1
        del self._doc_ids[incident_id], self._raw[incident_id]
        for cache in (self._valid, self._problems):
            cache.pop(incident_id, None)
        self._sorted = self._last_query = self._row_regions = None
        self._ordered = {}
        if self._rows is not None:
            self._rows = [row for row in self._rows if row.id != incident_id]

    def add(self, fields: IncidentFields) -> Incident:
        """Record a new incident; the store assigns its id, revision and timestamps."""
        now = utc_now()
        incident = Incident.model_validate(
            {**fields.fields_record(), "id": new_id(), "revision": 1, "created_at": now, "updated_at": now}
        )
        with self._writing():
            doc_id = self._table.insert(incident.record())
            self._changed(incident, doc_id)
        return incident

    def update(self, incident: Incident) -> Incident:
        """Save a changed incident. Refused if it was changed since ``incident`` was read."""
        with self._writing():
            if incident.id not in self._raw:
                raise IncidentNotFound(
                    f"incident {incident.id} is no longer in the journal (deleted elsewhere?); nothing was saved"
                )
            stored_revision = self._raw[incident.id].get("revision")
            if isinstance(stored_revision, int) and stored_revision != incident.revision:
                raise RevisionConflict(
                    f"incident {incident.id[:8]} was changed elsewhere since you opened it (now revision "
                    f"{stored_revision}, yours {incident.revision}); your change was not saved"
                )
            base = stored_revision if isinstance(stored_revision, int) else incident.revision
            now = utc_now()
            saved = incident.model_copy(update={"revision": base + 1, "updated_at": now})
            self._keep(incident.id, "update", now)
            doc_id = self._doc_ids[incident.id]
            self._unindex(incident.id)
            self._table.update(_replace_with(saved.record()), doc_ids=[doc_id])
            self._changed(saved, doc_id)
        return saved

    def delete(self, id_or_prefix: str, *, revision: int | None = None) -> Incident | None:
        """Remove an incident (kept in the history); returns it (None if it was invalid).

        With ``revision`` (the one the person saw), refused if it was changed since.
        """
        with self._writing():
            incident_id = self.resolve_id(id_or_prefix)
            stored_revision = self._raw[incident_id].get("revision")
            if revision is not None and isinstance(stored_revision, int) and stored_revision != revision:
                raise RevisionConflict(
                    f"incident {incident_id[:8]} was changed elsewhere since you saw it (now revision "
                    f"{stored_revision}, you saw {revision}); it was not deleted"
                )
            incident = self._validated(incident_id)
            self._keep(incident_id, "delete", utc_now())
            self._table.remove(doc_ids=[self._doc_ids[incident_id]])
            self._forget(incident_id)
        return incident

    def restore(self, id_or_prefix: str) -> Incident | None:
        """Bring back a deleted incident as it was when deleted, as a new revision.

        One that was invalid when deleted comes back unchanged, to be fixed (returns None).
        """
        with self._writing():
            gone = {entry.incident_id: entry for entry in self.deleted()}
            if id_or_prefix.strip().lower() in self._raw:
                raise IncidentNotFound(f"incident {id_or_prefix.strip()} is not deleted")
            incident_id = self._match(id_or_prefix, gone)
            entry = gone[incident_id]
            now = utc_now()
            self._history.insert(HistoryEntry(incident_id, entry.revision, now, "restore", None).document())
            try:
                old = Incident.model_validate(entry.record)
            except ValidationError:
                # It was invalid when deleted: it comes back as it was, to be fixed.
                record = dict(entry.record or {})
                doc_id = self._table.insert(record)
                self._doc_ids[incident_id], self._raw[incident_id] = doc_id, record
                self._changes += 1
                self.version += 1
                if self._duplicates is not None:
                    self._duplicates.add(incident_id, record)
                if self._suggestions is not None:
                    self._suggestions.add(record)
                self._sorted = self._rows = self._last_query = self._row_regions = None
                self._ordered = {}
                return None
            restored = old.model_copy(update={"revision": old.revision + 1, "updated_at": now})
            doc_id = self._table.insert(restored.record())
            self._changed(restored, doc_id)
        return restored

    #: From this many new incidents given as ``RecordText`` on, ``import_incidents`` writes their
    #: JSON text as it is, never holding them as records (see there).
    STREAM_FROM = 10_000

    def import_incidents(
        self,
        incidents: Iterable[Incident] | Iterable[RecordText],
        *,
        updates: Iterable[Incident] = (),
        progress: Callable[[int, int], None] | None = None,
        reread: bool = True,
    ) -> ImportResult:
        """Add whole incidents, keeping their ids; those already here are skipped.

        ``updates`` are new versions of incidents already here, each carrying the revision it was
        made from: if any was changed since, nothing is saved (``RevisionConflict``).
        Everything is written in one atomic write: either all of it is saved or none.

        ``incidents`` may be ``RecordText`` (as an import plans them). From ``STREAM_FROM`` of them
        on, their JSON text goes into the file as it is (one line per record), without a record or
        a model of any being held: then the journal re-reads the file afterwards (a million
        incidents take gigabytes as records), at once, or with ``reread=False`` (for a caller about
        to close the journal) at its next ``refresh()`` or change, as after another program's save.
        ``progress(done, total)`` follows the incidents as they are placed.
        """
        updates = list(updates)
        given: list[Incident | RecordText] = list(incidents)
        texts = [item for item in given if isinstance(item, RecordText)]
        if texts and len(texts) == len(given) and len(texts) >= self.STREAM_FROM:
            try:
                return self._import_texts(texts, updates, progress, reread)
            except TypeError:  # the storage's encoder cannot take JSON text (a record beyond orjson): as records
                pass
        models = [Incident.model_validate_json(item.json) if isinstance(item, RecordText) else item for item in given]
        return self._import_models(models, updates, progress)

    def _import_models(
        self, incidents: list[Incident], updates: list[Incident], progress: Callable[[int, int], None] | None
    ) -> ImportResult:
        with collector.paused(len(incidents) + len(updates) > 1_000), self._writing():
            new: dict[str, Incident] = {}
            skipped: list[str] = []
            for incident in incidents:
                if incident.id in self._raw or incident.id in new:
                    skipped.append(incident.id)
                else:
                    new[incident.id] = incident
            saved = self._import_updates(updates)
            if new:
                doc_ids = self._table.insert_multiple(incident.record() for incident in new.values())
                saved.extend(zip(new.values(), doc_ids, strict=True))
            many = len(saved) > 20
            if many:
                self._rows = None  # sorting once afterwards beats placing each row
            for done, (incident, doc_id) in enumerate(saved, start=1):
                self._changed(incident, doc_id)
                if progress is not None and done % 1_000 == 0:
                    progress(done, len(saved))
            if progress is not None:
                progress(len(saved), len(saved))
        return ImportResult(added=tuple(new), skipped=tuple(skipped), updated=tuple(i.id for i in updates))

    def _import_updates(self, updates: list[Incident]) -> list[tuple[Incident, int]]:
        """Place ``updates`` (inside ``_writing``), each checked against the revision stored."""
        now = utc_now()
        saved: list[tuple[Incident, int]] = []
        for incident in updates:
            if incident.id not in self._raw:
                raise IncidentNotFound(f"incident {incident.id} is no longer in the journal; nothing was imported")
            stored_revision = self._raw[incident.id].get("revision")
            if isinstance(stored_revision, int) and stored_revision != incident.revision:
                raise RevisionConflict(
                    f"incident {incident.id[:8]} was changed elsewhere meanwhile; nothing was imported"
                )
            base = stored_revision if isinstance(stored_revision, int) else incident.revision
            changed = incident.model_copy(update={"revision": base + 1, "updated_at": now})
            self._keep(incident.id, "update", now)
            doc_id = self._doc_ids[incident.id]
            self._unindex(incident.id)
            self._table.update(_replace_with(changed.record()), doc_ids=[doc_id])
            saved.append((changed, doc_id))
        return saved

    def _import_texts(
        self,
        texts: list[RecordText],
        updates: list[Incident],
        progress: Callable[[int, int], None] | None,
        reread: bool,
    ) -> ImportResult:
        """``import_incidents`` of many new incidents as JSON text: each goes into the incidents
        table as an ``orjson.Fragment`` (written as it is), so the one write never needs them as
        records; the journal is then read again from the file (see ``import_incidents``)."""
        import orjson

        with collector.paused(), self._writing():
            saved = self._import_updates(updates)
            for incident, doc_id in saved:
                self._changed(incident, doc_id)
            tables = self._storage.read() or {}
            table = tables.setdefault(INCIDENTS_TABLE, {})
            next_id = max((int(key) for key in table), default=0) + 1
            added: dict[str, None] = {}
            skipped: list[str] = []
            for done, text in enumerate(texts, start=1):
                if text.id in self._raw or text.id in added:
                    skipped.append(text.id)
                else:
                    added[text.id] = None
                    table[str(next_id)] = orjson.Fragment(text.json)
                    next_id += 1
                if progress is not None and done % 10_000 == 0:
                    progress(done, len(texts))
            self._table._next_id = None  # TinyDB's own count of ids, past the records placed here
            self._storage.write(tables)  # written once, as the block ends
        if reread:
            self._open()
        else:  # re-read at the next refresh(), as after another program's save
            self._storage.signature = None
        if progress is not None:
            progress(len(texts), len(texts))
        return ImportResult(added=tuple(added), skipped=tuple(skipped), updated=tuple(i.id for i in updates))

    def possible_duplicates(self, incidents: Iterable[IncidentFields]) -> list[PossibleDuplicate]:
        """Incidents here that may record the same event as one of ``incidents``: the same date
        and place, or a source URL in common (see ``store.duplicates``).

        ``incidents`` may be new (not yet saved) or saved ones (then they are not their own duplicates).
        The index this looks in is built once (``background_checks`` builds it between keys)
        and kept up to date by every save.
        """
        if self._duplicates is None:
            self._duplicates = DuplicateIndex(self._raw)
        return self._duplicates.find(incidents, self._raw)

    def duplicates_so_far(
        self, date: dt.date, place: str | None, urls: Iterable[str] = (), own_id: str | None = None
    ) -> list[PossibleDuplicate]:
        """``possible_duplicates`` of an incident still being typed (its date, place and source
        URLs); empty while the index is not built yet, so a key never waits for it."""
        if self._duplicates is None:
            return []
        probe = DuplicateProbe(own_id or "", date, place, tuple(SimpleNamespace(url=url) for url in urls))
        return self._duplicates.find([probe], self._raw)

    def suggest(self, field: str, typed: str) -> str | None:
        """The most used value of ``field`` (or ``outlet``) starting as ``typed``; None while the
        index is not built yet (``background_checks`` builds it)."""
        return self._suggestions.complete(field, typed) if self._suggestions is not None else None
