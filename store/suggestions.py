"""Values already in the journal, for completing what a person types (region, place, outlet…).

``ValueIndex`` counts each value of the suggested fields (and each source's outlet) and keeps
them sorted by their folded text, so completing a prefix is a binary search plus a walk over
the values that start so, not a pass over the journal. Every save keeps it current.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.rows import IncidentRow

from store.fields import FIELDS

#: The fields whose values are suggested, and ``outlet`` for the sources' outlets.
SUGGESTED: tuple[str, ...] = (*(spec.name for spec in FIELDS if spec.suggest), "outlet")


def _values(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    for field in SUGGESTED[:-1]:
        value = raw.get(field)
        if type(value) is str and value.strip():
            found.append((field, value))
    sources = raw.get("sources")
    if type(sources) is list:
        for source in sources:
            outlet = source.get("outlet") if isinstance(source, Mapping) else None
            if type(outlet) is str and outlet.strip():
                found.append(("outlet", outlet))
    return found


class ValueIndex:
    """How often each value of each suggested field occurs, sorted for prefix search."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {field: Counter() for field in SUGGESTED}
        self._sorted: dict[str, list[tuple[str, str]]] = {field: [] for field in SUGGESTED}

    def add(self, raw: Mapping[str, Any]) -> None:
        for field, value in _values(raw):
            counts = self._counts[field]
            if not counts[value]:
                insort(self._sorted[field], (value.casefold(), value))
            counts[value] += 1

    def remove(self, raw: Mapping[str, Any]) -> None:
        for field, value in _values(raw):
            counts = self._counts[field]
            if counts[value] <= 1:
                counts.pop(value, None)
                keys = self._sorted[field]
                at = bisect_left(keys, (value.casefold(), value))
                if at < len(keys) and keys[at] == (value.casefold(), value):
                    del keys[at]
            else:
                counts[value] -= 1

    def added(self, row: IncidentRow) -> None:
        """A record put in the journal (``Journal._apply`` keeps every derived structure so)."""
        self.add(row.raw)

    def removed(self, row: IncidentRow) -> None:
        """A record taken out of the journal (or replaced)."""
        self.remove(row.raw)

    def complete(self, field: str, typed: str) -> str | None:
        """The most used value of ``field`` that starts as ``typed`` does (any case), or None."""
        prefix = typed.casefold()
        if not prefix or field not in self._sorted:
            return None
        keys, counts = self._sorted[field], self._counts[field]
        best, best_count = None, 0
        for folded, value in keys[bisect_left(keys, (prefix, "")):]:
            if not folded.startswith(prefix):
                break
            if counts[value] > best_count:
                best, best_count = value, counts[value]
        return best

    def values(self, field: str) -> list[tuple[str, int]]:
        """Every value of ``field`` with how often it occurs, by name."""
        return [(value, self._counts[field][value]) for _, value in self._sorted[field]]
