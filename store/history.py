"""An incident's history: earlier versions kept on every update and delete, and what changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from store.counts import Count
from store.models import IncidentFields

#: Fields whose change is bookkeeping, not an edit.
BOOKKEEPING = frozenset({"revision", "updated_at", "created_at", "id", "created_by", "updated_by"})
FIELD_ORDER = tuple(IncidentFields.model_fields)


@dataclass(frozen=True)
class HistoryEntry:
    """One event in an incident's life: ``action`` is update, delete or restore.

    ``record`` is the version as it was before the event (None for a restore). ``by`` is who
    did it (``store.author``; None in entries written before schema 4, and left out of the
    document then).
    """

    incident_id: str
    revision: int | None
    at: dt.datetime
    action: str
    record: dict[str, Any] | None
    by: str | None = None

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> HistoryEntry:
        at = document.get("at")
        try:
            when = dt.datetime.fromisoformat(at) if isinstance(at, str) else dt.datetime.min
        except ValueError:
            when = dt.datetime.min
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        revision = document.get("revision")
        by = document.get("by")
        return cls(
            incident_id=str(document.get("incident_id")),
            revision=revision if isinstance(revision, int) else None,
            at=when,
            action=str(document.get("action")),
            record=document.get("record") if isinstance(document.get("record"), dict) else None,
            by=by if isinstance(by, str) and by else None,
        )

    def document(self) -> dict[str, Any]:
        document = {
            "incident_id": self.incident_id,
            "revision": self.revision,
            "at": self.at.isoformat(),
            "action": self.action,
            "record": self.record,
        }
        if self.by is not None:
            document["by"] = self.by
        return document


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryStep:
    """What one event did: the revision it left behind, when, the fields it changed, and who did
    it (None if not known: before schema 4)."""

    action: str
    at: dt.datetime
    old_revision: int | None
    new_revision: int | None
    changes: tuple[FieldChange, ...]
    by: str | None = None

    def headline(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M} UTC"
        by = f" by {self.by}" if self.by else ""
        if self.action == "delete":
            return f"{when}  deleted (was revision {self.old_revision}){by}"
        if self.action == "restore":
            return f"{when}  restored as revision {self.new_revision}{by}"
        return f"{when}  revision {self.old_revision} → {self.new_revision}{by}"


def display_value(field: str, value: Any) -> str:
    """A stored value as a person reads it (counts in the notation, lists joined)."""
    if value is None or value == "" or value == []:
        return "—"
    if field in ("killed", "injured"):
        try:
            return str(Count.model_validate(value))
        except ValidationError:
            return repr(value)
    if field == "tags" and isinstance(value, list):
        return ", ".join(map(str, value))
    if field == "sources" and isinstance(value, list):
        parts = []
        for source in value:
            if isinstance(source, dict):
                url = f" <{source['url']}>" if source.get("url") else ""
                parts.append(f"{source.get('outlet')}{url} [{source.get('kind')}]")
            else:
                parts.append(repr(source))
        return "; ".join(parts)
    return str(value)


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    names = [name for name in FIELD_ORDER if name in old or name in new]
    names += sorted((set(old) | set(new)) - set(names) - BOOKKEEPING)
    return tuple(
        FieldChange(name, display_value(name, old.get(name)), display_value(name, new.get(name)))
        for name in names
        if name not in BOOKKEEPING and old.get(name) != new.get(name)
    )


def describe(entries: list[HistoryEntry], current: dict[str, Any] | None) -> list[HistoryStep]:
    """Each event of ``entries`` (oldest first) with the fields it changed, old and new.

    ``current`` is the incident's stored record now (None if it is deleted).
    """
    steps = []
    for position, entry in enumerate(entries):
        following = next(
            (later.record for later in entries[position + 1 :] if later.record is not None), current
        )
        if entry.action == "delete" or entry.record is None:
            new_revision = following.get("revision") if entry.action == "restore" and following else None
            steps.append(HistoryStep(entry.action, entry.at, entry.revision, new_revision, (), entry.by))
            continue
        after = following or {}
        steps.append(
            HistoryStep(
                entry.action, entry.at, entry.revision, after.get("revision"),
                changes_between(entry.record, after), entry.by,
            )
        )
    return steps
