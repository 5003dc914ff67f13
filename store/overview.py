"""The figures of the overview: what a person would otherwise count by hand in the list.

Computed from the list's own rows (``IncidentRow``), so they are the figures of exactly the
incidents the list shows, filters included, without validating anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.counts import stored_bounds
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
    """Incidents that share a region (or a month), with their casualties; who of them were
    civilians (and children), and the weapons launched and intercepted.

    The parts (civilians, children, interceptions) are read as the totals are, with what their
    wholes say: a part left unknown is none where its whole is none (nobody killed: no civilian
    killed), and at least its own parts where they are known (2 children killed, civilians
    unknown: at least 2 civilians; 61+ intercepted, launched unknown: at least 61 launched)."""

    name: str
    incidents: int = 0
    killed: Total = field(default_factory=Total)
    injured: Total = field(default_factory=Total)
    civilians_killed: Total = field(default_factory=Total)
    civilians_injured: Total = field(default_factory=Total)
    children_killed: Total = field(default_factory=Total)
    children_injured: Total = field(default_factory=Total)
    #: Incidents with at least one civilian, child or woman killed or injured (the filter's
    #: "civilian harm"), and incidents that give any of those figures (``0`` and ranges too).
    harming_civilians: int = 0
    civilian_figures: int = 0
    weapons_launched: Total = field(default_factory=Total)
    weapons_intercepted: Total = field(default_factory=Total)
    #: Incidents that give a number of weapons launched, intercepted or hit.
    weapon_figures: int = 0


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
    #: The months of ``by_month``, each with all its figures (``Group.name`` is the month).
    months: list[Group] = field(default_factory=list)


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
        count = stored_bounds(count)  # "2" or "1+" written by hand, as the model reads it
        if type(count) is not dict:
            return None, None
    low, high = count.get("min"), count.get("max")
    if type(low) is not int or low < 0:
        return None, None
    if type(high) is not int:
        return low, None
    return (low, high) if high >= low else (None, None)


# The sums of one cell (the incidents of one region in one month), by position. A count's sums
# are four: at least, at most, open-ended, unknown.
SPELLINGS, INCIDENTS, VALID = 0, 1, 2
KILLED, INJURED = 3, 7
#: Incidents that give none of the civilian figures ("plain"), of them with nobody killed, nobody
#: injured: their civilians are unknown, or none where the whole is none; counted at the end.
PLAIN_NONE_KILLED, PLAIN_NONE_INJURED, WITH_PARTS = 11, 12, 13
CIVILIANS_KILLED, CIVILIANS_INJURED, CHILDREN_KILLED, CHILDREN_INJURED = 14, 18, 22, 26
HARMING, CIVILIAN_FIGURES = 30, 31
#: Weapons: launched and intercepted (their unknown sums count only the incidents that give any
#: weapon field; the others are unknown too, counted at the end).
LAUNCHED, INTERCEPTED, WITH_WEAPONS, WEAPON_FIGURES = 32, 36, 40, 41
CELL_SIZE = 42


def _put(sums: list[Any], start: int, low: int | None, high: int | None) -> None:
    """Add a count's bounds to the four sums at ``sums[start:start + 4]``."""
    if low is None:
        sums[start + 3] += 1
    elif high is None:
        sums[start] += low
        sums[start + 2] += 1
    else:
        sums[start] += low
        sums[start + 1] += high


def _civilians(cell: list[Any], whole_none: bool, civilians_at: int, children_at: int,
               civilians: Any, children: Any, women: Any) -> tuple[bool, bool]:
    """Add the civilians and children of the killed (or the injured) of one incident; whether
    any civilian, child or woman was harmed, and whether any of the three is given."""
    civilians_low, civilians_high = _bounds(civilians)
    children_low, children_high = _bounds(children)
    women_low = _bounds(women)[0]
    harmed = (civilians_low or 0) >= 1 or (children_low or 0) >= 1 or (women_low or 0) >= 1
    given = civilians_low is not None or children_low is not None or women_low is not None
    if civilians_low is None:
        if whole_none:
            civilians_low = civilians_high = 0
        elif children_low is not None or women_low is not None:  # at least its parts
            civilians_low, civilians_high = (children_low or 0) + (women_low or 0), None
        if whole_none and children_low is None:
            children_low = children_high = 0
    elif civilians_high == 0 and children_low is None:
        children_low = children_high = 0
    _put(cell, civilians_at, civilians_low, civilians_high)
    _put(cell, children_at, children_low, children_high)
    return harmed, given


def _weapons(cell: list[Any], launched: Any, intercepted: Any, hit: Any) -> None:
    """Add the weapons launched and intercepted of one incident (intercepted and hit are parts of launched)."""
    launched_low, launched_high = _bounds(launched)
    intercepted_low, intercepted_high = _bounds(intercepted)
    hit_low = _bounds(hit)[0]
    cell[WITH_WEAPONS] += 1
    if launched_low is not None or intercepted_low is not None or hit_low is not None:
        cell[WEAPON_FIGURES] += 1
    if launched_low is None:
        if intercepted_low is not None or hit_low is not None:
            launched_low, launched_high = (intercepted_low or 0) + (hit_low or 0), None
    elif launched_high == 0 and intercepted_low is None:
        intercepted_low = intercepted_high = 0
    _put(cell, LAUNCHED, launched_low, launched_high)
    _put(cell, INTERCEPTED, intercepted_low, intercepted_high)


def _total(sums: Sequence[int], counted: int, unknown: int | None = None) -> Total:
    """A ``Total`` from a count's four sums: at least, at most, open-ended, unknown (or ``unknown``)."""
    low, high, open_ended, given_unknown = sums
    unknown = given_unknown if unknown is None else unknown
    return Total(low, None if open_ended or unknown else high, unknown, counted)


def _group(name: str, sums: Sequence[Any]) -> Group:
    """A ``Group`` from the sums of its cells (added up, position by position)."""
    incidents = sums[INCIDENTS]
    plain = incidents - sums[WITH_PARTS]
    no_weapons = incidents - sums[WITH_WEAPONS]

    def part(start: int, plain_none: int) -> Total:
        return _total(sums[start:start + 4], incidents, sums[start + 3] + plain - plain_none)

    return Group(
        name, incidents,
        killed=_total(sums[KILLED:KILLED + 4], incidents),
        injured=_total(sums[INJURED:INJURED + 4], incidents),
        civilians_killed=part(CIVILIANS_KILLED, sums[PLAIN_NONE_KILLED]),
        civilians_injured=part(CIVILIANS_INJURED, sums[PLAIN_NONE_INJURED]),
        children_killed=part(CHILDREN_KILLED, sums[PLAIN_NONE_KILLED]),
        children_injured=part(CHILDREN_INJURED, sums[PLAIN_NONE_INJURED]),
        harming_civilians=sums[HARMING],
        civilian_figures=sums[CIVILIAN_FIGURES],
        weapons_launched=_total(sums[LAUNCHED:LAUNCHED + 4], incidents, sums[LAUNCHED + 3] + no_weapons),
        weapons_intercepted=_total(sums[INTERCEPTED:INTERCEPTED + 4], incidents, sums[INTERCEPTED + 3] + no_weapons),
        weapon_figures=sums[WEAPON_FIGURES],
    )


def _added(cells: Iterable[list[Any]]) -> list[Any]:
    """The cells' sums added up position by position (``SPELLINGS`` left as None)."""
    numbers = [cell[INCIDENTS:] for cell in cells]
    if not numbers:
        return [None, *[0] * (CELL_SIZE - 1)]
    return [None, *map(sum, zip(*numbers, strict=True))]


def _most_precise(day: str, raws: list[Any]) -> str:
    return max((as_precise(day, raw.get("date_precision")) for raw in raws), key=len)


def overview(rows: Iterable[IncidentRow]) -> Overview:
    """Count ``rows`` by region, casualty status, event type and month.

    One pass over the stored records, reading them as the list does (no validation), adding up
    plain numbers per region and month ("cells"); the regions, the months and the totals are the
    sums of their cells.
    """
    cells: dict[tuple[str, str], list[Any]] = {}
    statuses: Counter[str] = Counter()
    event_types: Counter[str] = Counter()
    first = "\uffff"
    last = ""
    firsts: list[Any] = []  # the records of the first day (the most precise of them names it)
    lasts: list[Any] = []
    for row in rows:
        raw = row.raw
        get = raw.get
        date = get("date")
        text = date if type(date) is str else ""
        # "Удмуртия" and "удмуртия" are one region, as for the region filter
        cell = cells.get((row.region_key, text[:7]))
        if cell is None:
            cell = cells[row.region_key, text[:7]] = [Counter(), *[0] * (CELL_SIZE - 1)]
            cell[VALID] = _valid_month(text[:7])
        cell[SPELLINGS][row.region] += 1
        cell[INCIDENTS] += 1
        if cell[VALID]:
            day = text[:10]
            if day < first:
                first, firsts = day, [raw]
            elif day == first:
                firsts.append(raw)
            if day > last:
                last, lasts = day, [raw]
            elif day == last:
                lasts.append(raw)
        # killed and injured, as _bounds and _put would (spelled out: this runs for every row)
        killed_none = injured_none = False
        count: Any = get("killed")
        low = count.get("min") if type(count) is dict else None
        if low is None and count is not None and type(count) is not dict:
            count = stored_bounds(count)
            low = count.get("min") if type(count) is dict else None
        if type(low) is int and low >= 0:
            high = count.get("max")
            if type(high) is not int:
                cell[KILLED] += low
                cell[KILLED + 2] += 1
            elif high >= low:
                cell[KILLED] += low
                cell[KILLED + 1] += high
                killed_none = high == 0
            else:
                cell[KILLED + 3] += 1
        else:
            cell[KILLED + 3] += 1
        count = get("injured")
        low = count.get("min") if type(count) is dict else None
        if low is None and count is not None and type(count) is not dict:
            count = stored_bounds(count)
            low = count.get("min") if type(count) is dict else None
        if type(low) is int and low >= 0:
            high = count.get("max")
            if type(high) is not int:
                cell[INJURED] += low
                cell[INJURED + 2] += 1
            elif high >= low:
                cell[INJURED] += low
                cell[INJURED + 1] += high
                injured_none = high == 0
            else:
                cell[INJURED + 3] += 1
        else:
            cell[INJURED + 3] += 1
        # who was harmed: most records give none of it (left out while unknown)
        killed_civilians, killed_children, killed_women = (
            get("killed_civilians"), get("killed_children"), get("killed_women"))
        injured_civilians, injured_children, injured_women = (
            get("injured_civilians"), get("injured_children"), get("injured_women"))
        if (killed_civilians is None and killed_children is None and killed_women is None
                and injured_civilians is None and injured_children is None and injured_women is None):
            if killed_none:
                cell[PLAIN_NONE_KILLED] += 1
            if injured_none:
                cell[PLAIN_NONE_INJURED] += 1
        else:
            cell[WITH_PARTS] += 1
            harmed, given = _civilians(cell, killed_none, CIVILIANS_KILLED, CHILDREN_KILLED,
                                       killed_civilians, killed_children, killed_women)
            harmed_too, given_too = _civilians(cell, injured_none, CIVILIANS_INJURED, CHILDREN_INJURED,
                                               injured_civilians, injured_children, injured_women)
            if harmed or harmed_too:
                cell[HARMING] += 1
            if given or given_too:
                cell[CIVILIAN_FIGURES] += 1
        launched, intercepted, hit = get("weapons_launched"), get("weapons_intercepted"), get("weapons_hit")
        if intercepted is not None or hit is not None:
            _weapons(cell, launched, intercepted, hit)
        elif launched is not None:  # launched alone (as _weapons would add it)
            cell[WITH_WEAPONS] += 1
            if type(launched) is not dict:
                launched = stored_bounds(launched)
            low = launched.get("min") if type(launched) is dict else None
            if type(low) is int and low >= 0:
                cell[WEAPON_FIGURES] += 1
                high = launched.get("max")
                if type(high) is not int:
                    cell[LAUNCHED] += low
                    cell[LAUNCHED + 2] += 1
                    cell[INTERCEPTED + 3] += 1
                elif high >= low:
                    cell[LAUNCHED] += low
                    cell[LAUNCHED + 1] += high
                    if high:  # none launched: none intercepted
                        cell[INTERCEPTED + 3] += 1
                else:
                    cell[LAUNCHED + 3] += 1
                    cell[INTERCEPTED + 3] += 1
            else:
                cell[LAUNCHED + 3] += 1
                cell[INTERCEPTED + 3] += 1
        statuses[row.casualty_status] += 1
        event_type = get("event_type")
        event_types[event_type if type(event_type) is str else NO_EVENT_TYPE] += 1

    by_key: dict[str, list[list[Any]]] = {}
    by_month: dict[str, list[list[Any]]] = {}
    for (key, month), cell in cells.items():
        by_key.setdefault(key, []).append(cell)
        by_month.setdefault(month if cell[VALID] else NO_DATE, []).append(cell)
    groups = []
    for region_cells in by_key.values():
        spellings: Counter[str] = Counter()
        for cell in region_cells:
            spellings.update(cell[SPELLINGS])
        name = min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]  # as most spell it
        groups.append(_group(name, _added(region_cells)))
    by_region = sorted(groups, key=lambda group: (-group.incidents, group.name.casefold(), group.name))
    totals = _group("all", _added(cells.values()))
    dated = sorted(month for month in by_month if month != NO_DATE)
    if dated and len(_months_between(dated[0], dated[-1])) <= MONTHS_FILLED_UP_TO:
        names = _months_between(dated[0], dated[-1])
    else:
        names = dated
    if NO_DATE in by_month:
        names.append(NO_DATE)
    months = [_group(name, _added(by_month[name])) if name in by_month else Group(name) for name in names]
    return Overview(
        incidents=totals.incidents,
        totals=totals,
        by_region=by_region,
        by_status=[(status, statuses[status]) for status in CASUALTY_STATUSES],
        by_event_type=sorted(event_types.items(), key=lambda item: (-item[1], item[0])),
        by_month=[(month.name, month.incidents) for month in months],
        first_date=first if firsts else None,
        last_date=last if lasts else None,
        first_label=_most_precise(first, firsts) if firsts else None,
        last_label=_most_precise(last, lasts) if lasts else None,
        months=months,
    )
