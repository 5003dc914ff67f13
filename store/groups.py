"""``GroupMembers``: which incidents each group of claims holds, kept up to date by ``Journal._apply``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from store.rows import IncidentRow

GROUPS_TABLE = "groups"


def group_of(record: Mapping[str, Any]) -> str | None:
    """The group a stored record names, as the model reads it (an id typed in capitals too)."""
    from store.records import normal_id

    value = record.get("group")
    return normal_id(value) if isinstance(value, str) and value else None


class GroupMembers:
    """Group id -> the rows of the incidents whose records name it; each group's rows sorted
    newest first once, then again only after a change to that group (the detail asks for them
    at every incident it shows: a wave of 50,000 sorted per key was a tenth of a second)."""

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self._members: dict[str, dict[str, IncidentRow]] = {}
        self._sorted: dict[str, list[IncidentRow]] = {}
        for incident_id, record in records.items():
            group = group_of(record)
            if group is not None:
                self._members.setdefault(group, {})[incident_id] = IncidentRow(incident_id, record)

    def of(self, group_id: str) -> list[str]:
        return list(self._members.get(group_id, ()))

    def group_ids(self) -> list[str]:
        """Every group some incident names."""
        return list(self._members)

    def rows_of(self, group_id: str) -> list[IncidentRow]:
        """The group's rows, newest first (a new list)."""
        rows = self._sorted.get(group_id)
        if rows is None:
            rows = sorted(self._members.get(group_id, {}).values(), key=IncidentRow.sort_key, reverse=True)
            self._sorted[group_id] = rows
        return list(rows)

    def added(self, row: IncidentRow) -> None:
        group = group_of(row.raw)
        if group is not None:
            self._members.setdefault(group, {})[row.id] = row
            self._sorted.pop(group, None)

    def removed(self, row: IncidentRow) -> None:
        group = group_of(row.raw)
        if group is not None:
            members = self._members.get(group, {})
            members.pop(row.id, None)
            self._sorted.pop(group, None)
            if not members:
                self._members.pop(group, None)
