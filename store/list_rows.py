"""``ListRows``: the list's rows of a journal, in each order, with the region counts and the last
search's result.

Built once from the records (no validation), then kept up to date row by row by
``Journal._apply``: a save costs the log of the journal's size (a binary search), not a sort.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from store.filters import IncidentFilter
from store.geo.regions import region_names
from store.rows import IncidentRow
from store.search_index import SearchIndex
from store.text import search_fold

#: How rows are ordered besides by date (stable sorts keep newest first within ties).
ROW_ORDERS: dict[str, Callable[[IncidentRow], Any]] = {
    "region": lambda row: row.region.casefold(),
    "killed": lambda row: (row.killed_min is None, -(row.killed_min or 0)),
}


class ListRows:
    """Every identified record as an ``IncidentRow``: newest first, and in each other order of
    ``ROW_ORDERS`` (sorted when first asked for, dropped by any change); how many rows each
    region has; and the last query's result, so that typing on in a search narrows only it."""

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self._records = records
        self._newest_first: list[IncidentRow] | None = None
        self._ordered: dict[str, list[IncidentRow]] = {}
        self._region_counts: Counter[str] | None = None
        self._country_counts: Counter[Any] | None = None
        self._country_codes: frozenset[str] | None = None
        self._regions_by_name: list[tuple[str, int]] | None = None
        self._last_query: tuple[str, IncidentFilter, list[IncidentRow]] | None = None
        self._spellings: dict[str, frozenset[str]] = {}  # region asked -> its spellings; cleared by changes

    def rows(self, order: str = "date") -> list[IncidentRow]:
        """The rows in ``order``: ``date`` (newest first), ``region`` (by name, newest first within
        one) or ``killed`` (most first by the reported minimum, unknown last). The list kept: do not change it."""
        if self._newest_first is None:
            rows = [IncidentRow(incident_id, raw) for incident_id, raw in self._records.items()]
            rows.sort(key=IncidentRow.sort_key, reverse=True)
            self._newest_first = rows
        if order == "date":
            return self._newest_first
        ordered = self._ordered.get(order)
        if ordered is None:
            ordered = self._ordered[order] = sorted(self._newest_first, key=ROW_ORDERS[order])
        return ordered

    def query(self, incident_filter: IncidentFilter | None, order: str, index: SearchIndex | None) -> list[IncidentRow]:
        """The rows ``incident_filter`` matches, in ``order``: a new list. Typing on in a search
        only narrows the previous result, so only that is searched."""
        if incident_filter is None or incident_filter.is_empty:
            return list(self.rows(order))
        pool = self.rows(order)
        known: tuple[str, ...] = ()
        if incident_filter.text and not incident_filter.place_countries:
            # A search word names a place in the journal's own countries only ("shot" is no town
            # of Iran here): the countries given to the filter, the same for every key.
            incident_filter = replace(incident_filter, place_countries=self.country_codes())
        last = self._last_query
        if last is not None and last[0] == order and incident_filter.narrows(last[1]):
            pool, known = last[2], last[1].words
        spellings = self.spellings_of(incident_filter.region) if incident_filter.region is not None else None
        found = incident_filter.select_rows(pool, known_words=known, index=index, region_spellings=spellings)
        self._last_query = (order, incident_filter, found)
        return list(found)

    def spellings_of(self, region: str) -> frozenset[str]:
        """The spellings (folded) of the rows' regions that name the same region as ``region``:
        by the gazetteer's region table ("Udmurt Republic" and "Удмуртия" are Udmurtia), and in
        any case."""
        asked = search_fold(region)
        known = self._spellings.get(asked)
        if known is not None:
            return known
        names = region_names()
        key = names.key_of(region)
        spellings = {asked}
        if key is not None:
            spellings.update(
                search_fold(spelling) for spelling, _ in self.region_counts() if names.key_of(spelling) == key
            )
        if len(self._spellings) > 64:
            self._spellings.clear()
        self._spellings[asked] = found = frozenset(spellings)
        return found

    def country_codes(self) -> frozenset[str]:
        """The codes of the countries the rows name ("Russia", "Россия" and "RU" are RU), those the
        gazetteer does not know left out."""
        if self._country_counts is None:  # counted once; every change then counts its own rows
            self._country_counts = Counter(row.raw.get("country") for row in self.rows())
        if self._country_codes is None:
            names = region_names()
            codes = (
                names.country_code_of(country)
                for country, count in self._country_counts.items()
                if count > 0 and isinstance(country, str)
            )
            self._country_codes = frozenset(code for code in codes if code)
        return self._country_codes

    def region_counts(self) -> list[tuple[str, int]]:
        """Each region some row has and how many rows have it, by name."""
        if self._region_counts is None:  # counted once; every change then counts its own rows
            self._region_counts = Counter(row.region for row in self.rows())
        if self._regions_by_name is None:  # sorted again only after a change
            counts = [(region, count) for region, count in self._region_counts.items() if count > 0]
            self._regions_by_name = sorted(counts, key=lambda item: (item[0].casefold(), item[0]))
        return list(self._regions_by_name)

    # -- kept up to date by Journal._apply ---------------------------------------------------

    def changing(self, documents: int) -> None:
        """A change of ``documents`` begins: placing more than a hundredth of the rows one by one
        (each a binary search and a move of the list) costs more than building and sorting them
        all once, so then the rows are built again when next asked for."""
        if documents > max(50, len(self._records) // 100):
            self._newest_first = None

    def added(self, row: IncidentRow) -> None:
        self._regions_by_name = None
        self._spellings = {}
        if self._region_counts is not None:
            self._region_counts[row.region] += 1
        if self._country_counts is not None:
            country = row.raw.get("country")
            self._country_counts[country] += 1
            if self._country_counts[country] == 1:
                self._country_codes = None
        if self._newest_first is not None:
            row.prepare()
            self._newest_first.insert(self._position(row), row)

    def removed(self, row: IncidentRow) -> None:
        self._regions_by_name = None
        self._spellings = {}
        if self._region_counts is not None:
            self._region_counts[row.region] -= 1
        if self._country_counts is not None:
            country = row.raw.get("country")
            self._country_counts[country] -= 1
            if self._country_counts[country] == 0:
                self._country_codes = None
        if self._newest_first is not None:
            self._newest_first.pop(self._position(row, existing=True))

    def changed(self) -> None:
        """A change is applied: the other orders and the last result are out of date."""
        self._ordered = {}
        self._last_query = None

    def _position(self, row: IncidentRow, *, existing: bool = False) -> int:
        """Where ``row`` goes in (or, if ``existing``, is in) the rows newest first: a binary search."""
        rows = self._newest_first
        assert rows is not None
        key = row.sort_key()
        low, high = 0, len(rows)
        while low < high:  # the first position whose row sorts at or below ``key``
            middle = (low + high) // 2
            if rows[middle].sort_key() > key:
                low = middle + 1
            else:
                high = middle
        if existing:
            for position in range(low, len(rows)):
                if rows[position].id == row.id:
                    return position
                if rows[position].sort_key() != key:
                    break
            return next(position for position, kept in enumerate(rows) if kept.id == row.id)
        return low
