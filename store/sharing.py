"""What a journal shares with its team (issue 15), as part of ``Journal``: its shared snapshot,
a merge applied in one save, the conflicts it holds and their resolution, and a merge of a
teammate's journal file.

Conflicts are kept in the journal's ``conflicts`` table, one document per record and field
(``store.merge.FieldConflict``); the incident keeps this journal's value meanwhile and works as
usual. Every change here goes through the journal's one write path (``Journal._commit``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson

from store.counts import Count
from store.errors import JournalError
from store.groups import GROUPS_TABLE
from store.history import HistoryEntry, display_value
from store.merge import DELETED, FieldConflict, Snapshot, base_from_histories, canonical, changes, merge
from store.migrations import HISTORY_TABLE, INCIDENTS_TABLE
from store.models import utc_now
from store.records import normal_id

if TYPE_CHECKING:
    from store.journal import Journal

CONFLICTS_TABLE = "conflicts"
#: What ``resolve`` takes: this journal's value, or the other side's.
TAKES = ("mine", "theirs")
#: The fields of a record a conflict cannot be over.
_NOT_FIELDS = frozenset({"id", "revision", "created_at", "updated_at", "created_by", "updated_by"})


class ChangedMeanwhile(JournalError):
    """The journal changed while a merge was worked out; nothing of the merge was saved."""


def conflict_key(document: Mapping[str, Any]) -> str:
    return f"{document.get('kind', 'incident')}:{document.get('record_id')}:{document.get('field')}"


@dataclass(frozen=True)
class MergeReport:
    received: int
    conflicts: int
    waiting: int

    def line(self) -> str:
        waiting = f"{self.waiting} conflict{'s' if self.waiting != 1 else ''} to resolve"
        return f"received {self.received}, {self.conflicts} new conflict{'s' if self.conflicts != 1 else ''}, {waiting}"


def shown_value(field: str, value: Any) -> str:
    """A side of a conflict as a person reads it: counts in the count notation, lists joined,
    nothing as "(empty)" (the CLI's ``conflicts`` and the app's detail)."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if field in ("killed", "injured", "tags", "sources"):
        return display_value(field, value)
    if isinstance(value, dict) and value and set(value) <= {"min", "max", "note"}:
        try:
            return str(Count.model_validate(value))
        except ValueError:
            pass
    if isinstance(value, list):
        return "; ".join(shown_value("", item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {shown_value('', item)}" for key, item in value.items() if item is not None)
    return str(value)


def _as_journal(sharing: Sharing) -> Journal:
    """The journal this is the team side of (``Sharing`` is only ever mixed into ``Journal``)."""
    return cast("Journal", sharing)


class Sharing:
    """The team side of ``Journal`` (mixed into it)."""

    # -- the shared snapshot ---------------------------------------------------------------------

    def shared_snapshot(self) -> Snapshot:
        """What this journal shares: its records by id, its history entries and its conflicts
        (the stored documents themselves: read them, do not change them)."""
        journal = _as_journal(self)
        tables = journal._tables
        incidents = {}
        for record in (tables.get(INCIDENTS_TABLE) or {}).values():
            record_id = normal_id(record.get("id")) if isinstance(record, dict) else None
            if record_id is not None:
                incidents[record_id] = record
        groups = {}
        for record in (tables.get(GROUPS_TABLE) or {}).values():
            group_id = normal_id(record.get("id")) if isinstance(record, dict) else None
            if group_id is not None and group_id not in groups:
                groups[group_id] = record
        history = Snapshot.history_of(
            entry for entry in (tables.get(HISTORY_TABLE) or {}).values() if isinstance(entry, dict)
        )
        conflicts = {
            conflict_key(document): document
            for document in (tables.get(CONFLICTS_TABLE) or {}).values()
            if isinstance(document, dict)
        }
        return Snapshot(incidents, groups, history, conflicts)

    def apply_merge(
        self,
        incidents: Mapping[str, dict[str, Any] | None],
        groups: Mapping[str, dict[str, Any] | None],
        history: Iterable[dict[str, Any]],
        conflicts: Mapping[str, dict[str, Any]],
        *,
        expected: Mapping[str, dict[str, Any] | None] | None = None,
        expected_conflicts: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        """Put a merge into the journal in one save: each record given (None: removed), the
        history entries received, and the conflicts table as ``conflicts``. A record replaced or
        removed keeps its version here in the history, unless the history holds it already.

        ``expected`` (and ``expected_conflicts``): what the merge was worked out from; if the
        journal holds anything else for those records (or conflicts) when the save begins, a
        change was saved meanwhile (here, or by another program) and ``ChangedMeanwhile`` is
        raised with nothing written: the merge is worked out again, never over that change."""
        journal = _as_journal(self)
        received = [dict(entry) for entry in history]

        def build(ops: Any) -> None:
            tables = journal._tables
            records, doc_ids = journal._records.by_id, journal._records.doc_ids
            if expected is not None:
                for incident_id in incidents:
                    current, was = records.get(incident_id), expected.get(incident_id)
                    if (current is None) != (was is None) or (
                        current is not None and canonical(current) != canonical(was)
                    ):
                        raise ChangedMeanwhile(
                            f"incident {incident_id[:8]} changed during the sync; nothing was merged"
                        )
            if expected_conflicts is not None:
                stored_conflicts = {
                    conflict_key(document): canonical(document)
                    for document in (tables.get(CONFLICTS_TABLE) or {}).values()
                    if isinstance(document, dict)
                }
                if stored_conflicts != {key: canonical(document) for key, document in expected_conflicts.items()}:
                    raise ChangedMeanwhile("a conflict was settled during the sync; nothing was merged")
            held: dict[str, set[bytes]] = {}
            for entry in (*(tables.get(HISTORY_TABLE) or {}).values(), *received):
                if isinstance(entry, dict) and isinstance(entry.get("record"), dict):
                    held.setdefault(str(entry.get("incident_id")), set()).add(canonical(entry["record"]))
            now = utc_now()
            for entry in received:
                ops.put(HISTORY_TABLE, entry)
            for incident_id, record in incidents.items():
                old = records.get(incident_id)
                if old is not None and canonical(old) not in held.get(incident_id, set()):
                    revision = old.get("revision")
                    kept = HistoryEntry(
                        incident_id,
                        revision if isinstance(revision, int) else None,
                        now,
                        "merge",
                        dict(old),
                        journal.author,
                    )
                    ops.put(HISTORY_TABLE, kept.document())
                doc_id = doc_ids.get(incident_id)
                if record is None:
                    if doc_id is not None:
                        ops.remove(INCIDENTS_TABLE, doc_id)
                else:
                    ops.put(INCIDENTS_TABLE, record, doc_id=doc_id)
            group_documents = journal._group_documents()
            for group_id, record in groups.items():
                found = group_documents.get(group_id)
                if record is None:
                    if found is not None:
                        ops.remove(GROUPS_TABLE, int(found[0]))
                else:
                    ops.put(GROUPS_TABLE, record, doc_id=int(found[0]) if found is not None else None)
            stored = {
                conflict_key(document): (int(doc_id), document)
                for doc_id, document in (tables.get(CONFLICTS_TABLE) or {}).items()
                if isinstance(document, dict)
            }
            for key, (doc_id, document) in stored.items():
                if key not in conflicts:
                    ops.remove(CONFLICTS_TABLE, doc_id)
                elif canonical(conflicts[key]) != canonical(document):
                    ops.put(CONFLICTS_TABLE, conflicts[key], doc_id=doc_id)
            for key, document in conflicts.items():
                if key not in stored:
                    ops.put(CONFLICTS_TABLE, document)

        journal._commit(build)

    # -- conflicts ------------------------------------------------------------------------------------

    def conflicts(self) -> list[FieldConflict]:
        """Every conflict waiting, by record and field."""
        journal = _as_journal(self)
        documents = (journal._tables.get(CONFLICTS_TABLE) or {}).values()
        found = [FieldConflict.from_document(document) for document in documents if isinstance(document, dict)]
        return sorted(found, key=lambda conflict: (conflict.kind, conflict.record_id, conflict.field))

    def conflicts_of(self, incident_id: str) -> list[FieldConflict]:
        journal = _as_journal(self)
        return [
            conflict
            for conflict in journal.conflicts()
            if conflict.kind == "incident" and conflict.record_id == incident_id
        ]

    def sides_of(self, conflict: FieldConflict) -> tuple[tuple[Any, str | None, str | None], ...]:
        """(mine, theirs) of a conflict, each (value, by, at): mine is the side this journal's
        author set when one side is theirs, else the value the incident keeps meanwhile."""
        journal = _as_journal(self)
        kept = (conflict.ours, conflict.ours_by, conflict.ours_at)
        other = (conflict.theirs, conflict.theirs_by, conflict.theirs_at)
        return (other, kept) if journal._mine_is_other(conflict) else (kept, other)

    def _mine_is_other(self, conflict: FieldConflict) -> bool:
        journal = _as_journal(self)
        return conflict.theirs_by == journal.author and conflict.ours_by != journal.author

    def conflict_ids(self) -> frozenset[str]:
        """The incidents a conflict waits on (for the list's marker and filter)."""
        journal = _as_journal(self)
        documents = (journal._tables.get(CONFLICTS_TABLE) or {}).values()
        return frozenset(
            str(document.get("record_id"))
            for document in documents
            if isinstance(document, dict) and document.get("kind", "incident") == "incident"
        )

    def resolve_conflict(self, id_or_prefix: str, field: str, take: str) -> str:
        """Settle the conflict over ``field`` of an incident: keep ``mine`` (the value it has) or
        take ``theirs``; for an edit against a delete (``field`` "(deleted)" or "deleted"), the
        side that deleted it deletes it. A new revision (or the delete), in the history, and the
        conflict gone, in one save. Returns the incident's id. ``KeyError``/``ValueError`` say
        what is wrong."""
        journal = _as_journal(self)
        if take not in TAKES:
            raise ValueError(f"--take: {take!r} is neither mine nor theirs")
        incident_id = journal.resolve_id(id_or_prefix)
        name = DELETED if field.strip("() ") == "deleted" else field
        waiting = {conflict.field: conflict for conflict in journal.conflicts_of(incident_id)}
        if name not in waiting:
            fields = ", ".join(sorted(waiting)) or "none"
            raise KeyError(
                f"FIELD: no conflict over {field!r} waits on incident {incident_id[:8]} (conflicts: {fields})"
            )
        conflict = waiting[name]
        mine, theirs = journal.sides_of(conflict)
        chosen = mine[0] if take == "mine" else theirs[0]
        keeps_current = (take == "mine") != journal._mine_is_other(conflict)

        def build(ops: Any) -> None:
            documents = journal._tables.get(CONFLICTS_TABLE) or {}
            for doc_id, document in documents.items():
                if isinstance(document, dict) and conflict_key(document) == conflict.key:
                    ops.remove(CONFLICTS_TABLE, int(doc_id))
            raw = journal._records.by_id[incident_id]
            now = utc_now()
            if name == DELETED:
                if chosen:  # the side chosen deleted it
                    ops.put(HISTORY_TABLE, journal._kept(incident_id, "delete", now))
                    ops.remove(INCIDENTS_TABLE, journal._records.doc_ids[incident_id])
                return
            if keeps_current or name in _NOT_FIELDS:
                return  # the incident has that value already
            record = {**raw}
            if chosen is None:
                record.pop(name, None)
            else:
                record[name] = chosen
            revision = raw.get("revision")
            record["revision"] = (revision if isinstance(revision, int) else 0) + 1
            record["updated_at"] = now.isoformat()
            record["updated_by"] = journal.author
            ops.put(HISTORY_TABLE, journal._kept(incident_id, "update", now))
            ops.put(INCIDENTS_TABLE, record, doc_id=journal._records.doc_ids[incident_id])

        journal._commit(build)
        return incident_id

    # -- a teammate's file -------------------------------------------------------------------------

    def merge_file(self, other: Path) -> MergeReport:
        """Merge a teammate's journal file into this one by the rules of sync, the base of each
        incident found in both histories (``store.merge.base_from_histories``)."""
        journal = _as_journal(self)
        theirs = _snapshot_of_file(other)
        ours = journal.shared_snapshot()
        base = base_from_histories(ours, theirs)
        result = merge(base, ours, theirs, now=utc_now().isoformat(), merged_by=journal.author)
        merged = result.merged
        incidents, groups, history = changes(ours, merged)
        if incidents or groups or history or merged.conflicts != ours.conflicts:
            journal.apply_merge(incidents, groups, history, merged.conflicts)
        return MergeReport(len(result.received), len(result.conflicts), len(merged.conflicts))


def _snapshot_of_file(path: Path) -> Snapshot:
    """The shared part of a journal file (a journal, or a backup of one), read without opening
    it as a journal (nothing of it is locked or written)."""
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path} is not a journal file: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get(INCIDENTS_TABLE, {}), dict):
        raise ValueError(f"{path} is not a journal file (no table of incidents)")

    def table(name: str) -> list[dict[str, Any]]:
        found = data.get(name) or {}
        return (
            [document for document in found.values() if isinstance(document, dict)] if isinstance(found, dict) else []
        )

    snapshot = Snapshot()
    for record in table(INCIDENTS_TABLE):
        record_id = normal_id(record.get("id"))
        if record_id is not None:
            snapshot.incidents[record_id] = record
    for record in table(GROUPS_TABLE):
        group_id = normal_id(record.get("id"))
        if group_id is not None:
            snapshot.groups.setdefault(group_id, record)
    snapshot.history = Snapshot.history_of(table(HISTORY_TABLE))
    snapshot.conflicts = {conflict_key(document): document for document in table(CONFLICTS_TABLE)}
    return snapshot


__all__ = ["CONFLICTS_TABLE", "MergeReport", "Sharing", "conflict_key"]
