"""``Journal``: the one API the app, the CLI and scripts use to read and change incidents.

A journal is a TinyDB database in one JSON file, written only through
``AtomicJSONStorage``. Tables: ``incidents`` (one document per incident) and ``meta``
(``schema_version``). The file is read once; records are validated when first needed.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tinydb import TinyDB

from store.errors import (
    AmbiguousId,
    FieldProblem,
    IncidentNotFound,
    InvalidIncident,
    JournalUnreadable,
    RevisionConflict,
    field_problems,
)
from store.filters import IncidentFilter, search_text
from store.models import Incident, IncidentFields, new_id, utc_now
from store.storage import AtomicJSONStorage

SCHEMA_VERSION = 1
INCIDENTS_TABLE = "incidents"
META_TABLE = "meta"


@dataclass(frozen=True)
class BadRecord:
    """A stored record that is not a valid incident (for example, edited by hand)."""

    position: int
    id: str | None
    problems: tuple[FieldProblem, ...]

    def __str__(self) -> str:
        who = f"incident {self.id}" if self.id else "an incident with no id"
        reasons = "; ".join(str(problem) for problem in self.problems)
        return f"{who} (record {self.position}): {reasons}"


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())


def _replace_with(record: Mapping[str, Any]):
    def transform(document: dict[str, Any]) -> None:
        document.clear()
        document.update(record)

    return transform


def _normal_id(value: Any) -> str | None:
    """The canonical form of a stored id (ids typed by hand may be in capitals)."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _sort_key(incident: Incident) -> tuple:
    return (incident.date, incident.created_at, incident.id)


class Journal:
    """The incidents in one journal file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._db = TinyDB(self.path, storage=AtomicJSONStorage, create_dirs=True)
        self._table = self._db.table(INCIDENTS_TABLE, cache_size=0)
        self._meta = self._db.table(META_TABLE, cache_size=0)
        self.schema_version = self._read_schema_version()
        self._doc_ids: dict[str, int] = {}
        self._raw: dict[str, dict[str, Any]] = {}
        self._unidentified: list[tuple[int, dict[str, Any]]] = []
        self._valid: dict[str, Incident] = {}
        self._problems: dict[str, tuple[FieldProblem, ...]] = {}
        self._haystacks: dict[str, str] = {}
        self._sorted: list[Incident] | None = None
        self._index()

    # -- opening ---------------------------------------------------------------------------

    def _read_schema_version(self) -> int:
        meta = self._meta.all()
        if not meta:
            return SCHEMA_VERSION
        version = meta[0].get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise JournalUnreadable(f"{self.path} has an invalid schema_version: {version!r}")
        if version > SCHEMA_VERSION:
            raise JournalUnreadable(
                f"{self.path} was written by a newer incident-journal (schema version {version}; "
                f"this one reads up to {SCHEMA_VERSION}); it was left unchanged"
            )
        return version

    def _index(self) -> None:
        for document in self._table.all():
            incident_id = _normal_id(document.get("id"))
            if incident_id is not None and incident_id not in self._doc_ids:
                self._doc_ids[incident_id] = document.doc_id
                self._raw[incident_id] = document
            else:
                self._unidentified.append((document.doc_id, document))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Journal":
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
            incidents = [self._validated(incident_id) for incident_id in self._raw]
            self._sorted = sorted(
                (incident for incident in incidents if incident is not None), key=_sort_key, reverse=True
            )
        return list(self._sorted)

    def resolve_id(self, id_or_prefix: str) -> str:
        """The full id that ``id_or_prefix`` names; a unique prefix is enough."""
        wanted = id_or_prefix.strip().lower()
        if wanted in self._raw:
            return wanted
        if not wanted:
            raise IncidentNotFound("no incident id given")
        matches = [incident_id for incident_id in self._raw if incident_id.startswith(wanted)]
        if not matches:
            raise IncidentNotFound(f"no incident with id {id_or_prefix.strip()!r}")
        if len(matches) > 1:
            raise AmbiguousId(
                f"id prefix {id_or_prefix.strip()!r} matches {len(matches)} incidents; type more of it"
            )
        return matches[0]

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
        incidents = self.all()
        if incident_filter is None or incident_filter.is_empty:
            return incidents
        return [
            incident
            for incident in incidents
            if incident_filter.matches(incident, self._haystack(incident))
        ]

    def _haystack(self, incident: Incident) -> str:
        text = self._haystacks.get(incident.id)
        if text is None:
            text = self._haystacks[incident.id] = search_text(incident)
        return text

    def regions(self) -> list[tuple[str, int]]:
        """Each region in the journal with its number of incidents, by name."""
        counts = Counter(incident.region for incident in self.all())
        return sorted(counts.items(), key=lambda item: (item[0].casefold(), item[0]))

    def bad_records(self) -> list[BadRecord]:
        """Every stored record that is not a valid incident, in file order."""
        bad = []
        positions = {doc_id: n for n, doc_id in enumerate(sorted(self._all_doc_ids()), start=1)}
        for incident_id, doc_id in self._doc_ids.items():
            if self._validated(incident_id) is None:
                bad.append(BadRecord(positions[doc_id], incident_id, self._problems[incident_id]))
        for doc_id, document in self._unidentified:
            incident_id = document.get("id")
            problem = (
                FieldProblem("id", f"{incident_id!r} is used by another incident")
                if isinstance(incident_id, str)
                else FieldProblem("id", "is missing or not text")
            )
            bad.append(BadRecord(positions[doc_id], None if not isinstance(incident_id, str) else incident_id, (problem,)))
        return sorted(bad, key=lambda record: record.position)

    def _all_doc_ids(self) -> Iterable[int]:
        yield from self._doc_ids.values()
        yield from (doc_id for doc_id, _ in self._unidentified)

    # -- writing ---------------------------------------------------------------------------

    def _ensure_meta(self) -> None:
        if not self._meta.all():
            self._meta.insert({"schema_version": SCHEMA_VERSION})

    def _changed(self, incident: Incident, doc_id: int) -> None:
        self._doc_ids[incident.id] = doc_id
        self._raw[incident.id] = incident.record()
        self._valid[incident.id] = incident
        self._problems.pop(incident.id, None)
        self._haystacks.pop(incident.id, None)
        self._sorted = None

    def add(self, fields: IncidentFields) -> Incident:
        """Record a new incident; the store assigns its id, revision and timestamps."""
        now = utc_now()
        incident = Incident.model_validate(
            {**fields.fields_record(), "id": new_id(), "revision": 1, "created_at": now, "updated_at": now}
        )
        self._ensure_meta()
        doc_id = self._table.insert(incident.record())
        self._changed(incident, doc_id)
        return incident

    def update(self, incident: Incident) -> Incident:
        """Save a changed incident. Refused if it was changed since ``incident`` was read."""
        incident_id = self.resolve_id(incident.id)
        stored_revision = self._raw[incident_id].get("revision")
        if isinstance(stored_revision, int) and stored_revision != incident.revision:
            raise RevisionConflict(
                f"incident {incident_id} was changed elsewhere (now revision {stored_revision}, "
                f"yours is {incident.revision}); reload it and make your change again"
            )
        base = stored_revision if isinstance(stored_revision, int) else incident.revision
        saved = incident.model_copy(update={"revision": base + 1, "updated_at": utc_now()})
        self._ensure_meta()
        doc_id = self._doc_ids[incident_id]
        self._table.update(_replace_with(saved.record()), doc_ids=[doc_id])
        self._changed(saved, doc_id)
        return saved

    def delete(self, id_or_prefix: str) -> Incident | None:
        """Remove an incident; returns it as it was (``None`` if the record was invalid)."""
        incident_id = self.resolve_id(id_or_prefix)
        incident = self._validated(incident_id)
        self._table.remove(doc_ids=[self._doc_ids[incident_id]])
        del self._doc_ids[incident_id], self._raw[incident_id]
        for cache in (self._valid, self._problems, self._haystacks):
            cache.pop(incident_id, None)
        self._sorted = None
        return incident

    def import_incidents(self, incidents: Iterable[Incident]) -> ImportResult:
        """Add whole incidents, keeping their ids; those already here are skipped.

        All are written in one atomic write: either every new one is saved or none is.
        """
        new: dict[str, Incident] = {}
        skipped: list[str] = []
        for incident in incidents:
            if incident.id in self._raw or incident.id in new:
                skipped.append(incident.id)
            else:
                new[incident.id] = incident
        if new:
            self._ensure_meta()
            doc_ids = self._table.insert_multiple(incident.record() for incident in new.values())
            for incident, doc_id in zip(new.values(), doc_ids):
                self._changed(incident, doc_id)
        return ImportResult(added=tuple(new), skipped=tuple(skipped))
