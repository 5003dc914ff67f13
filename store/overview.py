"""The figures of the overview: what a person would otherwise count by hand in the list.

Computed from the list's own rows (``IncidentRow``), so they are the figures of exactly the
incidents the list shows, filters included, without validating anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.models import CASUALTY_STATUSES
from store.rows import IncidentRow, as_precise

#: A timeline longer than this many months lists only the months that have incidents.
MONTHS_FILLED_UP_TO = 600
NO_EVENT_TYPE = "(no event type)"
NO_DATE = "(no valid date)"


@dataclass
class Total:
    """A sum of uncertain counts: at least ``low``; at most ``high`` (None: no upper bound)."""

    low: int = 0
    high: int | None = 0
    #: How many of the counts added were unknown (``?``).
    unknown: int = 0
    counted: int = 0

    def __str__(self) -> str:
        """In the app's count notation: ``12`` exactly, ``12+`` at least, ``12-20`` a range, ``?``."""
        if self.counted and self.unknown == self.counted:
            return "?"
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.high == self.low else f"{self.low}-{self.high}"


@dataclass
class Group:
    """Incidents that share a region, with their casualties."""

    name: str
    incidents: int = 0
    killed: Total = field(default_factory=Total)
    injured: Total = field(default_factory=Total)


@dataclass
class Overview:
    incidents: int
    totals: Group
    by_region: list[Group]
    by_status: list[tuple[str, int]]
    by_event_type: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    first_date: str | None
    last_date: str | None
    #: The first and last dates as precisely as their incidents know them (``2024-07``).
    first_label: str | None = None
    last_label: str | None = None


def _valid_month(date: str) -> bool:
    return (
        len(date) >= 7 and date[:4].isdigit() and date[4] == "-" and date[5:7].isdigit() and "01" <= date[5:7] <= "12"
    )


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _bounds(count: Any) -> tuple[int | None, int | None]:
    """A stored count's (minimum, maximum); (None, None) for an unknown or impossible one (a
    hand-edited record may hold ``{"min": -4}`` or ``{"min": 5, "max": 2}``; the model refuses
    both), maximum None for an open one (``1+``)."""
    if type(count) is not dict:
        return None, None
    low, high = count.get("min"), count.get("max")
    if type(low) is not int or low < 0:
        return None, None
    if type(high) is not int:
        return low, None
    return (low, high) if high >= low else (None, None)


#: Where a count's four sums start in a region's sums: low, high, open-ended, unknown.
KILLED, INJURED = 2, 6


def _add(sums: list[Any], start: int, count: Any) -> None:
    """Add one stored count to the four sums at ``sums[start:start + 4]``."""
    low, high = _bounds(count)
    if low is None:
        sums[start + 3] += 1
    elif high is None:
        sums[start] += low
        sums[start + 2] += 1
    else:
        sums[start] += low
        sums[start + 1] += high


def _total(sums: Sequence[int], counted: int) -> Total:
    """A ``Total`` from a count's four sums: at least, at most, open-ended, unknown."""
    low, high, open_ended, unknown = sums
    return Total(low, None if open_ended or unknown else high, unknown, counted)


def overview(rows: Iterable[IncidentRow]) -> Overview:
    """Count ``rows`` by region, casualty status, event type and month.

    One pass over the stored records, reading them as the list does (no validation), adding up
    plain numbers per region; the totals are the regions' sums.
    """
    # region key -> [spellings, incidents, killed low, high, open, unknown, injured low, high, open, unknown]
    regions: dict[str, list[Any]] = {}
    statuses: Counter[str] = Counter()
    event_types: Counter[str] = Counter()
    months: Counter[str] = Counter()
    valid_months: dict[str, bool] = {}
    first: str | None = None
    last: str | None = None
    first_label: str | None = None
    last_label: str | None = None
    for row in rows:
        raw = row.raw
        key = row.region_key  # "Удмуртия" and "удмуртия" are one region, as for the region filter
        sums = regions.get(key)
        if sums is None:
            sums = regions[key] = [Counter(), 0, 0, 0, 0, 0, 0, 0, 0, 0]
        sums[0][row.region] += 1
        sums[1] += 1
        _add(sums, KILLED, raw.get("killed"))
        _add(sums, INJURED, raw.get("injured"))
        statuses[row.casualty_status] += 1
        event_type = raw.get("event_type")
        event_types[event_type if type(event_type) is str else NO_EVENT_TYPE] += 1
        date = raw.get("date")
        text = date if type(date) is str else ""
        month = text[:7] if text else NO_DATE
        valid = valid_months.get(month)
        if valid is None:
            valid = valid_months[month] = _valid_month(month)
        if valid:
            months[month] += 1
            day = text[:10]
            if first is None or day <= first:
                label = as_precise(day, raw.get("date_precision"))
                if first is None or day < first or len(label) > len(first_label or ""):  # the most precise
                    first, first_label = day, label
            if last is None or day >= last:
                label = as_precise(day, raw.get("date_precision"))
                if last is None or day > last or len(label) > len(last_label or ""):
                    last, last_label = day, label
        else:
            months[NO_DATE] += 1
    groups = []
    for spellings, count, *killed_injured in regions.values():
        name = min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]  # as most spell it
        groups.append(Group(name, count, _total(killed_injured[:4], count), _total(killed_injured[4:], count)))
    columns = [sum(sums[index] for sums in regions.values()) for index in range(1, 10)]
    incidents = columns[0]
    totals = Group("all", incidents, _total(columns[1:5], incidents), _total(columns[5:9], incidents))
    by_region = sorted(groups, key=lambda group: (-group.incidents, group.name.casefold(), group.name))
    dated = sorted(month for month in months if month != NO_DATE)
    if dated and len(_months_between(dated[0], dated[-1])) <= MONTHS_FILLED_UP_TO:
        timeline = [(month, months[month]) for month in _months_between(dated[0], dated[-1])]
    else:
        timeline = [(month, months[month]) for month in dated]
    if months[NO_DATE]:
        timeline.append((NO_DATE, months[NO_DATE]))
    return Overview(
        incidents=incidents,
        totals=totals,
        by_region=by_region,
        by_status=[(status, statuses[status]) for status in CASUALTY_STATUSES],
        by_event_type=sorted(event_types.items(), key=lambda item: (-item[1], item[0])),
        by_month=timeline,
        first_date=first,
        last_date=last,
        first_label=first_label,
        last_label=last_label,
    )
