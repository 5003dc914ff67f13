"""Merging two journals' changes against the version both last shared (issue 15).

A journal here is a ``Snapshot``: its incidents and groups by id, its history entries, and the
conflicts it holds. ``merge(base, ours, theirs)`` merges ``ours`` and ``theirs`` against
``base``, the version both last shared:

- by incident id, then field by field: a field changed on one side takes that change;
- ``sources`` and ``tags`` as sets: what either side added is kept (both, when both added one),
  what either side removed is removed;
- a field changed on both sides to different values is a **conflict**, never a silent winner:
  the incident keeps ours, and a ``FieldConflict`` keeps both values with who set them and
  when; an edit on one side and a delete on the other is a conflict too (the edited incident
  stays, marked, under the field ``DELETED``);
- history is the union of both sides' entries; conflicts merge as the incidents do.

The result is the same whichever side merges, up to which value a conflict shows first: after
one side has merged and shared it, the other side finds its own version unchanged since and
takes the merge as it is, so every journal ends identical. Nothing here reads or writes a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

#: Bookkeeping fields: not merged field by field (a merged record gets its own).
BOOKKEEPING = frozenset({"revision", "updated_at", "updated_by"})
#: Fields merged as sets of their items.
SET_FIELDS = frozenset({"sources", "tags"})
#: The "field" of an edit on one side against a delete on the other.
DELETED = "(deleted)"


def canonical(value: Any) -> bytes:
    """``value`` as one canonical line of JSON (keys sorted): equal values, equal bytes."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def entry_key(entry: Mapping[str, Any]) -> str:
    """A history entry's key: the hash of its canonical JSON (the same entry on both sides is one)."""
    return hashlib.sha1(canonical(entry), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class FieldConflict:
    """One field both sides changed to different values: the incident (or group) keeps ``ours``."""

    record_id: str
    field: str
    ours: Any
    theirs: Any
    ours_by: str | None = None
    theirs_by: str | None = None
    ours_at: str | None = None
    theirs_at: str | None = None
    #: "incident" or "group".
    kind: str = "incident"
    #: Further values of the field from earlier conflicts over it (a third member's): each a
    #: dict of value, by and at.
    others: tuple[dict[str, Any], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.record_id}:{self.field}"

    def document(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "record_id": self.record_id,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
            "ours_by": self.ours_by,
            "theirs_by": self.theirs_by,
            "ours_at": self.ours_at,
            "theirs_at": self.theirs_at,
            **({"others": list(self.others)} if self.others else {}),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FieldConflict:
        def text(name: str) -> str | None:
            value = document.get(name)
            return value if isinstance(value, str) else None

        return cls(
            record_id=str(document.get("record_id")),
            field=str(document.get("field")),
            ours=document.get("ours"),
            theirs=document.get("theirs"),
            ours_by=text("ours_by"),
            theirs_by=text("theirs_by"),
            ours_at=text("ours_at"),
            theirs_at=text("theirs_at"),
            kind=str(document.get("kind") or "incident"),
            others=tuple(other for other in document.get("others") or () if isinstance(other, dict)),
        )


@dataclass
class Snapshot:
    """What a journal holds that is shared: records by id, history entries by key, conflicts by key."""

    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @staticmethod
    def history_of(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        return {entry_key(entry): dict(entry) for entry in entries}


@dataclass
class MergeResult:
    merged: Snapshot
    #: The conflicts this merge found (also in ``merged.conflicts``).
    conflicts: list[FieldConflict]
    #: Ids of the incidents whose record the merge changed from ours (what was received).
    received: set[str]


def _same(one: Any, other: Any) -> bool:
    return one == other or (one is not None and other is not None and canonical(one) == canonical(other))


def _set_merge(base: Any, ours: Any, theirs: Any) -> list[Any]:
    """Items of ours, then those theirs added; less what either removed (compared as JSON)."""

    def items(value: Any) -> list[Any]:
        return list(value) if isinstance(value, list) else []

    base_keys = {canonical(item) for item in items(base)}
    ours_keys = {canonical(item) for item in items(ours)}
    theirs_keys = {canonical(item) for item in items(theirs)}
    removed = (base_keys - ours_keys) | (base_keys - theirs_keys)
    merged, seen = [], set()
    for item in (*items(ours), *items(theirs)):
        key = canonical(item)
        if key not in removed and key not in seen:
            seen.add(key)
            merged.append(item)
    return merged


def merge_record(
    base: Mapping[str, Any] | None, ours: Mapping[str, Any] | None, theirs: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, list[tuple[str, Any, Any]]]:
    """One record merged: the result (None: deleted) and the fields in conflict, each with ours
    and theirs (``DELETED`` with whether each side deleted it)."""
    if ours is None and theirs is None:
        return None, []
    if ours is None or theirs is None:
        kept, other_side_deleted = (theirs, "ours") if ours is None else (ours, "theirs")
        assert kept is not None
        if base is None:
            return dict(kept), []  # added on one side
        if _same(kept, base):
            return None, []  # deleted on one side, unchanged on the other
        # Edited on one side, deleted on the other: the edit stays, marked.
        deleted = (True, False) if other_side_deleted == "ours" else (False, True)
        return dict(kept), [(DELETED, *deleted)]
    if _same(ours, theirs):
        return dict(ours), []
    base = base or {}
    if _same(ours, base):
        return dict(theirs), []
    if _same(theirs, base):
        return dict(ours), []
    merged: dict[str, Any] = {}
    conflicts: list[tuple[str, Any, Any]] = []
    for name in sorted({*ours, *theirs, *base} - BOOKKEEPING):
        mine, other, was = ours.get(name), theirs.get(name), base.get(name)
        if _same(mine, other) or _same(other, was):
            value = mine
        elif _same(mine, was):
            value = other
        elif name in SET_FIELDS:
            value = _set_merge(was, mine, other)
        else:
            value = mine
            conflicts.append((name, mine, other))
        if value is not None:
            merged[name] = value
    for name in BOOKKEEPING:
        if name in ours:
            merged[name] = ours[name]
    return merged, conflicts


def _merge_table(
    base: Mapping[str, dict[str, Any]],
    ours: Mapping[str, dict[str, Any]],
    theirs: Mapping[str, dict[str, Any]],
    kind: str,
    now: str,
    merged_by: str,
) -> tuple[dict[str, dict[str, Any]], list[FieldConflict]]:
    merged: dict[str, dict[str, Any]] = {}
    found: list[FieldConflict] = []
    for record_id in sorted({*base, *ours, *theirs}):
        mine, other = ours.get(record_id), theirs.get(record_id)
        record, conflicts = merge_record(base.get(record_id), mine, other)
        if record is None:
            continue
        if not _same(record, mine) and not _same(record, other):
            # A record of both sides' changes: a new revision, after either side's.
            revisions = [side.get("revision") for side in (mine, other) if side]
            record["revision"] = max((r for r in revisions if isinstance(r, int)), default=0) + 1
            record["updated_at"] = now
            record["updated_by"] = merged_by
        merged[record_id] = record
        for name, mine_value, other_value in conflicts:
            found.append(
                FieldConflict(
                    record_id=record_id,
                    field=name,
                    ours=mine_value,
                    theirs=other_value,
                    ours_by=_text((mine or {}).get("updated_by")),
                    theirs_by=_text((other or {}).get("updated_by")),
                    ours_at=_text((mine or {}).get("updated_at")),
                    theirs_at=_text((other or {}).get("updated_at")),
                    kind=kind,
                )
            )
    return merged, found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _merge_documents(
    base: Mapping[str, dict[str, Any]], ours: Mapping[str, dict[str, Any]], theirs: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Documents by key, three ways: a change on one side is taken, ours where both changed."""
    merged = {}
    for key in sorted({*base, *ours, *theirs}):
        mine, other, was = ours.get(key), theirs.get(key), base.get(key)
        value = other if _same(mine, was) else mine
        if value is not None:
            merged[key] = value
    return merged


def merge(base: Snapshot, ours: Snapshot, theirs: Snapshot, *, now: str, merged_by: str) -> MergeResult:
    """``ours`` and ``theirs`` merged against ``base`` (see the module's docstring); ``now`` (ISO
    time) and ``merged_by`` stamp the records that hold changes of both sides."""
    incidents, incident_conflicts = _merge_table(
        base.incidents, ours.incidents, theirs.incidents, "incident", now, merged_by
    )
    groups, group_conflicts = _merge_table(base.groups, ours.groups, theirs.groups, "group", now, merged_by)
    conflicts = _merge_documents(base.conflicts, ours.conflicts, theirs.conflicts)
    found = [*incident_conflicts, *group_conflicts]
    for conflict in found:
        document = conflict.document()
        earlier = conflicts.get(conflict.key)
        if earlier is not None:
            # The field was in conflict already (a third member's value): the values it held that
            # this conflict does not are kept beside it, never dropped.
            shown = [canonical(document["ours"]), canonical(document["theirs"])]
            others = []
            for value, by, at in (
                (earlier.get("ours"), earlier.get("ours_by"), earlier.get("ours_at")),
                (earlier.get("theirs"), earlier.get("theirs_by"), earlier.get("theirs_at")),
                *((other.get("value"), other.get("by"), other.get("at")) for other in earlier.get("others") or []),
            ):
                if canonical(value) not in shown:
                    shown.append(canonical(value))
                    others.append({"value": value, "by": by, "at": at})
            if others:
                document["others"] = others
        conflicts[conflict.key] = document
    # A conflict whose record this merge removed goes with it (records not given are untouched).
    gone = {*base.incidents, *ours.incidents, *theirs.incidents} - incidents.keys()
    gone_groups = {*base.groups, *ours.groups, *theirs.groups} - groups.keys()
    conflicts = {
        key: document
        for key, document in conflicts.items()
        if str(document.get("record_id"))
        not in (gone if document.get("kind", "incident") == "incident" else gone_groups)
    }
    history = {**ours.history, **theirs.history}
    received = {
        record_id
        for record_id in {*ours.incidents, *incidents}
        if not _same(ours.incidents.get(record_id), incidents.get(record_id))
    }
    # An incident whose conflicts changed (one settled elsewhere, one found) was received too.
    for key in {*ours.conflicts, *conflicts}:
        if not _same(ours.conflicts.get(key), conflicts.get(key)):
            document = conflicts.get(key) or ours.conflicts[key]
            if document.get("kind", "incident") == "incident":
                received.add(str(document.get("record_id")))
    return MergeResult(Snapshot(incidents, groups, history, conflicts), found, received)


def _versions(snapshot: Snapshot) -> dict[str, dict[bytes, dict[str, Any]]]:
    """Every version of each record a journal holds: its current one and those its history kept."""
    versions: dict[str, dict[bytes, dict[str, Any]]] = {}
    for record_id, record in snapshot.incidents.items():
        versions.setdefault(record_id, {})[canonical(record)] = record
    for entry in snapshot.history.values():
        kept = entry.get("record")
        if isinstance(kept, dict):
            versions.setdefault(str(entry.get("incident_id")), {})[canonical(kept)] = kept
    return versions


def base_from_histories(ours: Snapshot, theirs: Snapshot) -> Snapshot:
    """The version of each incident both journals last shared, found in what they hold (their
    current records and the versions their histories kept): the latest revision both hold. For
    two journals that never synced through a common commit (``merge OTHER.json``)."""
    mine, other = _versions(ours), _versions(theirs)
    base = Snapshot()
    for record_id in mine.keys() & other.keys():
        shared = [mine[record_id][key] for key in mine[record_id].keys() & other[record_id].keys()]
        if shared:
            base.incidents[record_id] = max(
                shared,
                key=lambda record: (
                    record.get("revision") if isinstance(record.get("revision"), int) else 0,
                    str(record.get("updated_at")),
                ),
            )
    for group_id in ours.groups.keys() & theirs.groups.keys():
        if _same(ours.groups[group_id], theirs.groups[group_id]):
            base.groups[group_id] = ours.groups[group_id]
    base.conflicts = {key: document for key, document in ours.conflicts.items() if key in theirs.conflicts}
    return base


def changes(
    ours: Snapshot, merged: Snapshot
) -> tuple[dict[str, dict[str, Any] | None], dict[str, dict[str, Any] | None], list[dict[str, Any]]]:
    """What a merge changes in ``ours``: the incidents and groups that differ (None: removed),
    and the history entries ours lacks (``Journal.apply_merge`` takes them)."""

    def differing(mine: dict[str, dict[str, Any]], result: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {key: result.get(key) for key in {*mine, *result} if mine.get(key) != result.get(key)}

    history = [entry for key, entry in merged.history.items() if key not in ours.history]
    return differing(ours.incidents, merged.incidents), differing(ours.groups, merged.groups), history
