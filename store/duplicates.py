"""Possible duplicates: incidents that may record the same event as another one.

Two incidents may be one event when they have the same date and place (compared without
regard to case, accents or spacing), or share a source URL (compared without regard to case,
scheme, ``www.`` or a final ``/``). ``DuplicateIndex`` keeps both keys of every stored record,
so a save at 100,000 incidents looks them up instead of reading every record.

An import asks for the first few of each row's possible duplicates and how many there are
(``DuplicateIndex.first``): 20,000 incidents on one date and place are counted, not listed,
for every row of a file that has that date and place.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from store.rows import IncidentRow

from store.models import IncidentFields
from store.text import search_fold

SAME_PLACE = "same date and place"


@dataclass(frozen=True)
class PossibleDuplicate:
    """``incident_id`` may record the same event as ``other_id``, already in the journal."""

    incident_id: str
    other_id: str
    other_title: str
    reason: str

    def __str__(self) -> str:
        return f"possible duplicate of {self.other_id[:8]} \u201c{self.other_title}\u201d ({self.reason})"


@dataclass(frozen=True)
class FirstDuplicates:
    """The first few possible duplicates of one incident, and how many it has in all."""

    incident_id: str
    first: tuple[PossibleDuplicate, ...]
    count: int

    @property
    def more(self) -> int:
        """How many are not in ``first``."""
        return self.count - len(self.first)

    def __str__(self) -> str:
        text = "; ".join(str(duplicate) for duplicate in self.first)
        if self.more:
            text += f"; and {self.more:,} more possible duplicate{'' if self.more == 1 else 's'}"
        return text


@dataclass(frozen=True)
class DuplicateProbe:
    """What ``DuplicateIndex.find`` reads of an incident: enough for one still being typed."""

    id: str
    date: dt.date
    place: str | None
    sources: tuple[Any, ...] = ()


def url_key(url: str) -> str:
    """A URL compared loosely: any case, with or without scheme, ``www.`` or a final ``/``."""
    key = url.strip().lower().rstrip("/")
    for prefix in ("https://", "http://"):
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return key.removeprefix("www.")


def place_key(place: str) -> str:
    return search_fold(" ".join(place.split()))


def record_keys(raw: Mapping[str, Any]) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
    """A stored record's date-and-place key (None without a place) and its (URL key, URL)s."""
    date, place = raw.get("date"), raw.get("place")
    at = (date, place_key(place)) if type(date) is str and type(place) is str and place.strip() else None
    urls = []
    sources = raw.get("sources")
    if type(sources) is list:
        for source in sources:
            url = source.get("url") if isinstance(source, Mapping) else None
            if type(url) is str and url.strip():
                urls.append((url_key(url), url))
    return at, urls


_Key = TypeVar("_Key")


def _discard(index: dict[_Key, dict[str, None]], key: _Key, incident_id: str) -> None:
    """Take ``incident_id`` out of ``index[key]``, and the key out when no incident is left."""
    ids = index.get(key)
    if ids is not None:
        ids.pop(incident_id, None)
        if not ids:
            del index[key]


class DuplicateIndex:
    """Which stored incidents have each date-and-place and each source URL."""

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self._by_place: dict[tuple[str, str], dict[str, None]] = {}
        self._by_url: dict[str, dict[str, None]] = {}
        for incident_id, raw in records.items():
            self.add(incident_id, raw)

    def add(self, incident_id: str, raw: Mapping[str, Any]) -> None:
        at, urls = record_keys(raw)
        if at is not None:
            self._by_place.setdefault(at, {})[incident_id] = None
        for key, _ in urls:
            self._by_url.setdefault(key, {})[incident_id] = None

    def remove(self, incident_id: str, raw: Mapping[str, Any]) -> None:
        at, urls = record_keys(raw)
        if at is not None:
            _discard(self._by_place, at, incident_id)
        for key, _ in urls:
            _discard(self._by_url, key, incident_id)

    def added(self, row: IncidentRow) -> None:
        """A record put in the journal (``Journal._apply`` keeps every derived structure so)."""
        self.add(row.id, row.raw)

    def removed(self, row: IncidentRow) -> None:
        """A record taken out of the journal (or replaced)."""
        self.remove(row.id, row.raw)

    def find(
        self, incidents: Iterable[IncidentFields | DuplicateProbe], records: Mapping[str, Mapping[str, Any]]
    ) -> list[PossibleDuplicate]:
        """Stored incidents that may record the same event as one of ``incidents`` (new or stored:
        a stored one is not its own duplicate). ``records`` gives the titles."""
        found: list[PossibleDuplicate] = []
        for incident in incidents:
            own_id = getattr(incident, "id", None) or ""
            matches: dict[str, list[str]] = {}
            if incident.place and incident.place.strip():
                at = (incident.date.isoformat(), place_key(incident.place))
                for other_id in self._by_place.get(at, ()):
                    matches.setdefault(other_id, []).append(SAME_PLACE)
            for source in incident.sources:
                if source.url:
                    for other_id in self._by_url.get(url_key(source.url), ()):
                        reason = f"same source URL {source.url}"
                        if reason not in matches.setdefault(other_id, []):
                            matches[other_id].append(reason)
            for other_id, reasons in matches.items():
                if other_id == own_id:
                    continue
                title = records.get(other_id, {}).get("title")
                for reason in reasons:
                    found.append(PossibleDuplicate(own_id, other_id, title if isinstance(title, str) else "", reason))
        return found

    def first(
        self, incident: IncidentFields | DuplicateProbe, records: Mapping[str, Mapping[str, Any]], limit: int
    ) -> FirstDuplicates:
        """The first ``limit`` of what ``find([incident], records)`` gives, in its order, and how
        many it gives: the count is the sizes of the groups the incident falls in, so the cost is
        ``limit`` duplicates however many incidents share its date and place or a URL."""
        own_id = getattr(incident, "id", None) or ""
        place: dict[str, None] = {}
        if incident.place and incident.place.strip():
            place = self._by_place.get((incident.date.isoformat(), place_key(incident.place)), {})
        by_reason = {
            f"same source URL {url}": self._by_url.get(url_key(url), {})
            for url in dict.fromkeys(source.url for source in incident.sources if source.url)
        }
        count = sum(len(ids) - (own_id in ids) for ids in (place, *by_reason.values()))
        first = tuple(itertools.islice(self._in_order(own_id, place, by_reason, records), limit)) if count else ()
        return FirstDuplicates(own_id, first, count)

    @staticmethod
    def _in_order(
        own_id: str,
        place: Mapping[str, None],
        by_reason: Mapping[str, Mapping[str, None]],
        records: Mapping[str, Mapping[str, Any]],
    ) -> Iterator[PossibleDuplicate]:
        """``find``'s duplicates of one incident, one at a time: those of the same date and place
        with their reasons, then those that share a URL only."""

        def of(other_id: str, reasons: Iterable[str]) -> Iterator[PossibleDuplicate]:
            title = records.get(other_id, {}).get("title")
            for reason in reasons:
                yield PossibleDuplicate(own_id, other_id, title if isinstance(title, str) else "", reason)

        for other_id in place:
            if other_id != own_id:
                yield from of(other_id, [SAME_PLACE, *(r for r, ids in by_reason.items() if other_id in ids)])
        seen: set[str] = set()  # as many as have been yielded: the caller stops after a few
        for ids in by_reason.values():
            for other_id in ids:
                if other_id != own_id and other_id not in place and other_id not in seen:
                    seen.add(other_id)
                    yield from of(other_id, [r for r, more in by_reason.items() if other_id in more])
