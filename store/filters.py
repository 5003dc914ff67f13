"""Which incidents a person wants to see: region, casualty status, free text, dates, type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from store import taxonomy
from store.models import CASUALTY_STATUSES, IncidentFields
from store.rows import IncidentRow
from store.text import search_fold


def search_text(incident: IncidentFields) -> str:
    """The folded text a search looks in: title, place, region, summary, outlets, tags.

    The same text the list's rows search (``IncidentRow.haystack``), made from the fields.
    """
    return IncidentRow("", incident.fields_record()).haystack


@dataclass(frozen=True)
class IncidentFilter:
    """A conjunction of conditions; an empty filter matches everything.

    ``text`` is split into words; an incident matches when every word occurs in its search
    text, case-insensitively (Cyrillic included; ё and е are the same letter).
    ``date_from``/``date_to`` keep incidents whose date span overlaps the range.
    """

    region: str | None = None
    casualties: frozenset[str] = field(default_factory=frozenset)
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_type: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.casualties) - set(CASUALTY_STATUSES)
        if unknown:
            raise ValueError(
                f"unknown casualty status {sorted(unknown)[0]!r}; choose from {', '.join(CASUALTY_STATUSES)}"
            )
        object.__setattr__(self, "casualties", frozenset(self.casualties))
        if self.event_type is not None:
            object.__setattr__(self, "event_type", taxonomy.resolve(self.event_type))
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError(f"the end date {self.date_to} is before the start date {self.date_from}")

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(search_fold(self.text).split())

    @cached_property
    def _region_key(self) -> str:
        return search_fold(self.region or "")

    @property
    def is_empty(self) -> bool:
        return self == IncidentFilter()

    def narrows(self, earlier: IncidentFilter) -> bool:
        """Whether everything this filter matches, ``earlier`` matched too (typing on)."""
        same_rest = replace(self, text="") == replace(earlier, text="")
        return same_rest and search_fold(self.text).startswith(search_fold(earlier.text))

    def select_rows(self, rows: list[IncidentRow], *, known_words: tuple[str, ...] = ()) -> list[IncidentRow]:
        """The rows that match, condition by condition (each a tight loop over what is left).

        ``known_words`` are words every row given is already known to contain.
        """
        if self.region is not None:
            key = self._region_key
            rows = [row for row in rows if row.region_key == key]
        if self.casualties:
            statuses = self.casualties
            rows = [row for row in rows if row.casualty_status in statuses]
        if self.event_type is not None:
            rows = [row for row in rows if row.event_type == self.event_type]
        if self.date_from is not None:
            start = self.date_from.isoformat()
            rows = [row for row in rows if row.date_end_iso >= start]
        if self.date_to is not None:
            end = self.date_to.isoformat()
            rows = [row for row in rows if row.date_iso <= end]
        for word in self.words:
            if word in known_words:
                continue
            # The prepared text straight from its slot: this loop runs over every row per key.
            rows = [row for row in rows if word in (row._haystack or row.haystack)]  # noqa: SLF001
        return rows

    def matches(self, incident: IncidentFields, haystack: str | None = None) -> bool:
        """Whether ``incident`` passes; ``haystack`` is its precomputed ``search_text``."""
        if self.region is not None and search_fold(incident.region) != self._region_key:
            return False
        if self.casualties and incident.casualty_status not in self.casualties:
            return False
        if self.event_type is not None and incident.event_type != self.event_type:
            return False
        if self.date_from is not None and (incident.date_end or incident.date) < self.date_from:
            return False
        if self.date_to is not None and incident.date > self.date_to:
            return False
        words = self.words
        if words:
            text = haystack if haystack is not None else search_text(incident)
            return all(word in text for word in words)
        return True
