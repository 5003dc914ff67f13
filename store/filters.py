"""Which incidents a person wants to see: region, casualty status, free text, dates, type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from store import geo, taxonomy
from store.geo import Gazetteer, Place, fold
from store.groups import group_of
from store.models import CASUALTY_STATUSES
from store.rows import IncidentRow
from store.search_index import WORD_EDGES, SearchIndex
from store.text import search_fold


@dataclass(frozen=True)
class IncidentFilter:
    """A conjunction of conditions; an empty filter matches everything.

    ``text`` is split into words; an incident matches when every word occurs in its search
    text, case-insensitively (Cyrillic included; ё and е are the same letter). A word that names
    a place (once the gazetteer is loaded: ``store.geo.loaded()``) also matches the place's other
    names as whole words: "Odessa", "Одесса" and "Одеса" each find an incident in "Odesa".
    ``region`` matches every spelling of the region (``ListRows.query`` gives them).
    ``date_from``/``date_to`` keep incidents whose date span overlaps the range.
    """

    region: str | None = None
    casualties: frozenset[str] = field(default_factory=frozenset)
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_type: str | None = None
    #: Only incidents where a civilian, child or woman was killed or injured (at least 1).
    civilians: bool = False
    #: Only the incidents of this group (its id).
    group: str | None = None
    #: Only the incidents recorded or last changed by this author (``created_by`` or
    #: ``updated_by``: the whole name, in any case).
    author: str | None = None
    #: Only the incidents a sync conflict waits on: those of ``conflict_ids``.
    conflicts: bool = False
    #: The incidents a sync conflict waits on (``Journal.conflict_ids``), given by whoever asks
    #: for ``conflicts`` (the list, the CLI), as ``place_countries`` is.
    conflict_ids: frozenset[str] = field(default_factory=frozenset)
    #: The countries (codes) whose places a search word may name: the journal's own
    #: (``ListRows.query`` gives them); none, no word names a place.
    place_countries: frozenset[str] = field(default_factory=frozenset)

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
    def place_names(self) -> dict[str, tuple[str, ...]]:
        """Each search word that names a place in ``place_countries`` (``_place_searched``), and
        the place's other names (folded as rows are, whole words of ``PLACE_WORD_MIN`` letters or
        more). Empty until the gazetteer is loaded: a search never waits for it."""
        gazetteer = geo.loaded()
        if gazetteer is None or not self.place_countries:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        for word in self.words:
            if len(word) < PLACE_WORD_MIN or word in found:
                continue
            place = _place_searched(gazetteer, word, self.place_countries)
            if place is None:
                continue
            names = {search_fold(name) for name in gazetteer.names_of(place)}
            kept = sorted(name for name in names if len(name) >= PLACE_WORD_MIN and " " not in name and name != word)
            if kept:
                found[word] = tuple(kept)
        return found

    @cached_property
    def _region_key(self) -> str:
        return search_fold(self.region or "")

    @property
    def is_empty(self) -> bool:
        return replace(self, place_countries=frozenset(), conflict_ids=frozenset()) == IncidentFilter()

    def narrows(self, earlier: IncidentFilter) -> bool:
        """Whether everything this filter matches, ``earlier`` matched too (typing on)."""
        same_rest = replace(self, text="") == replace(earlier, text="")
        if self.place_names or earlier.place_names:  # a place's other names match rows the words did not
            return False
        return same_rest and search_fold(self.text).startswith(search_fold(earlier.text))

    def select_rows(
        self,
        rows: list[IncidentRow],
        *,
        known_words: tuple[str, ...] = (),
        index: SearchIndex | None = None,
        region_spellings: frozenset[str] | None = None,
    ) -> list[IncidentRow]:
        """The rows that match, condition by condition (each a tight loop over what is left).

        ``known_words`` are words every row given is already known to contain. ``index`` (a
        ``SearchIndex`` of every row's ``haystack``, once ``ready``) finds the rows holding the
        other words without reading each row's text; the rows found are the same without it.
        ``region_spellings`` (folded) are the spellings that name ``region``; without them only
        ``region`` itself (in any case) matches.
        """
        words = [word for word in self.words if word not in known_words]
        place_names = self.place_names
        if index is not None and index.ready and words:
            narrowed = index.narrow(rows, words, place_names)
            if narrowed is not None:
                rows, unsure = narrowed
                if not unsure:  # the index found exactly the rows holding every word
                    words = []
        if self.region is not None:
            spellings = region_spellings or frozenset((self._region_key,))
            rows = [row for row in rows if row.region_key in spellings]
        if self.casualties:
            statuses = self.casualties
            rows = [row for row in rows if row.casualty_status in statuses]
        if self.event_type is not None:
            rows = [row for row in rows if row.event_type == self.event_type]
        if self.civilians:
            rows = [row for row in rows if row.civilian_harm]
        if self.conflicts:
            waiting = self.conflict_ids
            rows = [row for row in rows if row.id in waiting]
        if self.group is not None:
            group = self.group
            rows = [row for row in rows if group_of(row.raw) == group]
        if self.author is not None:
            author = self.author.strip().casefold()
            rows = [row for row in rows if _by(row.raw, author)]
        if self.date_from is not None:
            start = self.date_from.isoformat()
            rows = [row for row in rows if row.date_end_iso >= start]
        if self.date_to is not None:
            end = self.date_to.isoformat()
            rows = [row for row in rows if row.date_iso <= end]
        for word in words:
            # The prepared text straight from its slot: this loop runs over every row per key.
            names = place_names.get(word)
            if names:
                whole = _whole_words(names)
                rows = [row for row in rows if word in (text := row._haystack or row.haystack) or whole(text)]  # noqa: SLF001
            else:
                rows = [row for row in rows if word in (row._haystack or row.haystack)]  # noqa: SLF001
        return rows


def _by(raw: Mapping[str, Any], author: str) -> bool:
    """Whether a stored record was recorded or last changed by ``author`` (casefolded)."""
    for name in ("created_by", "updated_by"):
        value = raw.get(name)
        if type(value) is str and value.strip().casefold() == author:
            return True
    return False


#: How many times over the place a search word names must lead every other so named in the
#: journal's countries (``_place_searched``).
SEARCH_LEAD = 4
#: A place known by a search word only as another name (Dnipro as "Dnepropetrovsk") is taken
#: for it only from this many people up, and only when no place bears the word as its own name.
KNOWN_BY_FROM = 300_000
#: A place whose own name the word is, spelt otherwise ("Харків" for Kharkiv), from this many.
SPELT_OTHERWISE_FROM = 10_000


def _place_searched(gazetteer: Gazetteer, word: str, countries: frozenset[str]) -> Place | None:
    """The place a search word stands for, if it clearly stands for one, in ``countries``:

    - among the places called so in any spelling or script (``Gazetteer.is_own_name``), the
      one ``SEARCH_LEAD`` times as populous as the next ("Pokrovsk" in Ukraine and Russia is
      Donetsk region's, not Yakutia's; "Олександрівка", a name of dozens of villages, is none);
      spelt otherwise than its own name only for a town of ``SPELT_OTHERWISE_FROM`` ("Odessa",
      "Одеса" for Odesa; not "червоний" for the village Chervone);
    - when no place is called so, a city of ``KNOWN_BY_FROM`` known so too that leads as far
      ("Днепропетровск" for Dnipro; not "Pokrovsk" for Engels, nor "схід" for Skhidni Kvartaly)."""
    candidates = [place for place in gazetteer.lookup(word, limit=50) if place.country_code in countries]
    called_so = sorted(
        (place for place in candidates if gazetteer.is_own_name(place, word)), key=lambda place: place.row
    )
    if called_so:
        place = called_so[0]
        if len(called_so) > 1 and place.population < SEARCH_LEAD * max(called_so[1].population, 1):
            return None
        return place if fold(word) == fold(place.name) or place.population >= SPELT_OTHERWISE_FROM else None
    known_by = gazetteer.leading(word, countries=countries, lead=SEARCH_LEAD)
    return known_by if known_by is not None and known_by.population >= KNOWN_BY_FROM else None


#: A search word shorter than this is never taken for a place's name, nor a name of a place
#: shorter than this matched ("ODS" of Odesa would match too much).
PLACE_WORD_MIN = 4
_EDGE = f"[{re.escape(WORD_EDGES)}]*"


def _whole_words(names: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """A search for any of ``names`` as a whole word of a row's text (as ``SearchIndex`` finds them)."""
    alternatives = "|".join(map(re.escape, names))
    return re.compile(rf"(?<!\S){_EDGE}(?:{alternatives}){_EDGE}(?!\S)").search
