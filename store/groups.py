"""``GroupMembers``: which incidents each group of claims holds, kept up to date by ``Journal._apply``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.rows import IncidentRow

GROUPS_TABLE = "groups"


def group_of(record: Mapping[str, Any]) -> str | None:
    """The group a stored record names, as the model reads it (an id typed in capitals too)."""
    from store.records import normal_id

    value = record.get("group")
    return normal_id(value) if isinstance(value, str) and value else None


class GroupMembers:
    """Group id -> the ids of the incidents whose records name it (in no particular order)."""

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self._members: dict[str, dict[str, None]] = {}
        for incident_id, record in records.items():
            group = group_of(record)
            if group is not None:
                self._members.setdefault(group, {})[incident_id] = None

    def of(self, group_id: str) -> list[str]:
        return list(self._members.get(group_id, ()))

    def added(self, row: IncidentRow) -> None:
        group = group_of(row.raw)
        if group is not None:
            self._members.setdefault(group, {})[row.id] = None

    def removed(self, row: IncidentRow) -> None:
        group = group_of(row.raw)
        if group is not None:
            members = self._members.get(group, {})
            members.pop(row.id, None)
            if not members:
                self._members.pop(group, None)
