"""The overview: incidents and casualties by region, status, event type and month, as counted by hand.

Every expected figure is worked out here from the incidents each test records (``Spec``), by
the rules people count with, not by the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from store import Count, IncidentFilter, Journal
from store.models import CASUALTY_STATUSES
from store.overview import NO_DATE, NO_EVENT_TYPE, Overview, overview

AIR = "Air/drone strike"
SHELLING = "Shelling/artillery/missile attack"
CLASH = "Armed clash"


@dataclass(frozen=True)
class Spec:
    """One incident as a test records it (counts in the app's notation)."""

    region: str
    date: str | None
    killed: str
    injured: str
    event_type: str | None = None
    date_end: str | None = None


#: Three regions with two or three incidents, two with one (a tie); months with gaps, over a new year.
SPECS: tuple[Spec, ...] = (
    Spec("Удмуртия", "2024-01-05", "3", "0", AIR),
    Spec("Удмуртия", "2024-01-20", "1+", "2-5", AIR),
    Spec("Удмуртия", "2024-04-02", "?", "? (several)", SHELLING),
    Spec("Белгородская область", "2024-04-30", "2-5", "1+", SHELLING, date_end="2024-05-02"),
    Spec("Белгородская область", "2024-07-14", "0", "0"),
    Spec("Kursk", "2024-07-15", "? (several)", "3", AIR),
    Spec("Kursk", "2024-12-31", "0", "?", CLASH),
    Spec("Ростовская область", "2025-02-01", "3", "3", AIR),
    Spec("Bryansk", "2024-07-01", "0", "0", CLASH),
)


# -- counting by hand ------------------------------------------------------------------------------

_NOTATION = re.compile(r"^\s*(?:(\?)|(\d+)(\+|-(\d+))?)\s*(?:\(.*\))?\s*$")


def bounds(notation: str) -> tuple[int | None, int | None]:
    """(at least, at most) of a count in notation; (None, None) if unknown, at most None if open."""
    match = _NOTATION.match(notation)
    assert match, notation
    unknown, low, suffix, high = match.groups()
    if unknown:
        return None, None
    if suffix == "+":
        return int(low), None
    return int(low), int(high) if high else int(low)


def total(notations: list[str]) -> str:
    """The sum of counts in notation: exact, ``N+`` if any is open or unknown, ``a-b``, ``?`` if all unknown."""
    pairs = [bounds(notation) for notation in notations]
    if pairs and all(low is None for low, _ in pairs):
        return "?"
    low = sum(low for low, _ in pairs if low is not None)
    if any(high is None for _, high in pairs):
        return f"{low}+"
    high = sum(high for _, high in pairs)
    return str(low) if low == high else f"{low}-{high}"


def status(spec: Spec) -> str:
    killed, injured = bounds(spec.killed), bounds(spec.injured)
    if (killed[0] or 0) >= 1:
        return "killed"
    if (injured[0] or 0) >= 1:
        return "injured"
    if killed[1] == 0 and injured[1] == 0:
        return "none"
    return "unknown"


def months_from_to(first: str, last: str) -> list[str]:
    months, (year, month) = [], (int(first[:4]), int(first[5:7]))
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def expected(specs: list[Spec]) -> dict[str, Any]:
    """The overview of ``specs`` counted by hand."""
    regions: dict[str, list[Spec]] = {}
    for spec in specs:
        regions.setdefault(spec.region, []).append(spec)
    dated = sorted(spec.date for spec in specs if spec.date)
    per_month = Counter(date[:7] for date in dated)
    timeline = [(month, per_month[month]) for month in months_from_to(dated[0], dated[-1])] if dated else []
    undated = sum(1 for spec in specs if not spec.date)
    if undated:
        timeline.append((NO_DATE, undated))
    statuses = Counter(status(spec) for spec in specs)
    event_types = Counter(spec.event_type or NO_EVENT_TYPE for spec in specs)
    return {
        "incidents": len(specs),
        "killed": total([spec.killed for spec in specs]),
        "injured": total([spec.injured for spec in specs]),
        "killed unknown": sum(1 for spec in specs if bounds(spec.killed)[0] is None),
        "injured unknown": sum(1 for spec in specs if bounds(spec.injured)[0] is None),
        "by_region": sorted(
            (
                (name, len(group), total([s.killed for s in group]), total([s.injured for s in group]))
                for name, group in regions.items()
            ),
            key=lambda item: (-item[1], item[0].casefold(), item[0]),
        ),
        "by_status": [(name, statuses[name]) for name in CASUALTY_STATUSES],
        "by_event_type": sorted(event_types.items(), key=lambda item: (-item[1], item[0])),
        "by_month": timeline,
        "first_date": dated[0] if dated else None,
        "last_date": dated[-1] if dated else None,
    }


def figures(result: Overview) -> dict[str, Any]:
    """The overview in the shape of ``expected``."""
    return {
        "incidents": result.incidents,
        "killed": str(result.totals.killed),
        "injured": str(result.totals.injured),
        "killed unknown": result.totals.killed.unknown,
        "injured unknown": result.totals.injured.unknown,
        "by_region": [(g.name, g.incidents, str(g.killed), str(g.injured)) for g in result.by_region],
        "by_status": list(result.by_status),
        "by_event_type": list(result.by_event_type),
        "by_month": list(result.by_month),
        "first_date": result.first_date,
        "last_date": result.last_date,
    }


# -- journals ----------------------------------------------------------------------------------------


def record_all(journal: Journal, make_incident, specs: list[Spec] | tuple[Spec, ...]) -> list[str]:
    """Record ``specs`` in one import; returns their ids in order."""
    incidents = [
        make_incident(
            title=f"incident {n}", region=spec.region, date=spec.date, date_end=spec.date_end,
            killed=spec.killed, injured=spec.injured, event_type=spec.event_type,
        )
        for n, spec in enumerate(specs, start=1)
    ]
    journal.import_incidents(incidents)
    return [incident.id for incident in incidents]


@pytest.fixture
def journal(journal_path: Path, clock) -> Journal:
    with Journal(journal_path) as opened:
        yield opened


@pytest.fixture
def recorded(journal: Journal, make_incident) -> Journal:
    record_all(journal, make_incident, SPECS)
    return journal


# -- the whole journal ---------------------------------------------------------------------------


def test_the_overview_of_the_whole_journal_is_what_one_counts_by_hand(recorded: Journal, journal_path: Path) -> None:
    assert figures(overview(recorded.rows())) == expected(list(SPECS))
    with Journal(journal_path) as reopened:  # the same from the file, before anything is validated
        assert figures(overview(reopened.rows())) == expected(list(SPECS))


def test_a_few_figures_of_the_whole_journal_by_hand(recorded: Journal) -> None:
    # Spelled out once for SPECS, so the counting helpers above are checked too.
    result = overview(recorded.rows())
    assert result.incidents == 9
    assert str(result.totals.killed) == "9+"  # 3 + 1+ + ? + 2-5 + 0 + ? + 0 + 3 + 0
    assert str(result.totals.injured) == "9+"  # 0 + 2-5 + ? + 1+ + 0 + 3 + ? + 3 + 0
    assert (result.totals.killed.unknown, result.totals.injured.unknown) == (2, 2)
    assert [(g.name, g.incidents) for g in result.by_region] == [
        ("Удмуртия", 3), ("Kursk", 2), ("Белгородская область", 2), ("Bryansk", 1), ("Ростовская область", 1),
    ]
    udmurtia = result.by_region[0]
    assert (str(udmurtia.killed), str(udmurtia.injured)) == ("4+", "2+")
    assert dict(result.by_status) == {"killed": 4, "injured": 1, "none": 2, "unknown": 2}
    assert result.by_event_type[0] == (AIR, 4)
    assert len(result.by_month) == 14  # 2024-01 .. 2025-02
    assert result.by_month[1:3] == [("2024-02", 0), ("2024-03", 0)]
    assert (result.first_date, result.last_date) == ("2024-01-05", "2025-02-01")


def test_every_casualty_status_is_listed_even_when_none_has_it(journal: Journal, make_incident) -> None:
    record_all(journal, make_incident, [Spec("Удмуртия", "2024-07-01", "2", "?")])
    result = overview(journal.rows())
    assert [name for name, _ in result.by_status] == list(CASUALTY_STATUSES)
    assert dict(result.by_status) == {name: (1 if name == "killed" else 0) for name in CASUALTY_STATUSES}


def test_an_empty_journal(journal: Journal) -> None:
    result = overview(journal.rows())
    assert result.incidents == 0 and result.by_region == [] and result.by_event_type == [] and result.by_month == []
    assert dict(result.by_status) == dict.fromkeys(CASUALTY_STATUSES, 0)
    assert (result.first_date, result.last_date) == (None, None)
    assert (str(result.totals.killed), str(result.totals.injured)) == ("0", "0")


@pytest.mark.parametrize(
    ("killed", "shown"),
    [
        (["3", "2"], "5"),
        (["1 (one)", "2-2"], "3"),
        (["3", "1+"], "4+"),
        (["2-5", "3"], "5-8"),
        (["2-5", "0-1"], "2-6"),
        (["2-5", "1+"], "3+"),
        (["3", "?"], "3+"),
        (["0", "?"], "0+"),
        (["?", "? (several)"], "?"),
        (["? (several)"], "?"),
        (["0", "0"], "0"),
    ],
)
def test_casualty_totals_keep_their_uncertainty(killed: list[str], shown: str, journal: Journal, make_incident) -> None:
    record_all(journal, make_incident, [Spec("Удмуртия", "2024-07-01", count, "0") for count in killed])
    result = overview(journal.rows())
    assert str(result.totals.killed) == shown == total(killed)
    assert result.totals.killed.unknown == sum(1 for count in killed if count.startswith("?"))
    assert str(result.by_region[0].killed) == shown
    assert str(result.totals.injured) == "0"
    Count.parse(shown)  # a total is in the app's own notation


def test_the_timeline_fills_empty_months_between_the_first_and_the_last(journal: Journal, make_incident) -> None:
    dates = ["2023-11-30", "2024-03-01", "2024-03-31", "2023-11-01"]
    record_all(journal, make_incident, [Spec("Удмуртия", date, "0", "0") for date in dates])
    result = overview(journal.rows())
    assert result.by_month == [
        ("2023-11", 2), ("2023-12", 0), ("2024-01", 0), ("2024-02", 0), ("2024-03", 2),
    ]
    assert (result.first_date, result.last_date) == ("2023-11-01", "2024-03-31")


def test_the_overview_follows_every_save(journal: Journal, make_fields) -> None:
    first = journal.add(make_fields(region="Удмуртия", killed="2", date="2024-07-01"))
    journal.add(make_fields(region="Kursk", killed="1+", date="2024-09-01"))
    before = overview(journal.rows())
    assert (before.incidents, str(before.totals.killed)) == (2, "3+")
    journal.update(first.with_changes(killed="4-6", region="Kursk"))
    after = overview(journal.rows())
    assert (after.incidents, str(after.totals.killed)) == (2, "5+")
    assert [(g.name, g.incidents) for g in after.by_region] == [("Kursk", 2)]
    journal.delete(first.id)
    last = overview(journal.rows())
    assert (last.incidents, str(last.totals.killed), last.first_date) == (1, "1+", "2024-09-01")
    assert last.by_month == [("2024-09", 1)]


# -- filtered ------------------------------------------------------------------------------------


def overlaps(spec: Spec, start: str, end: str) -> bool:
    return (spec.date_end or spec.date or "") >= start and (spec.date or "") <= end


@pytest.mark.parametrize(
    ("incident_filter", "keeps"),
    [
        pytest.param(IncidentFilter(region="удмуртия"), lambda s: s.region == "Удмуртия", id="region-any-case"),
        pytest.param(IncidentFilter(region="Kursk"), lambda s: s.region == "Kursk", id="region"),
        pytest.param(IncidentFilter(casualties=frozenset({"killed"})), lambda s: status(s) == "killed", id="killed"),
        pytest.param(
            IncidentFilter(casualties=frozenset({"none", "unknown"})),
            lambda s: status(s) in ("none", "unknown"), id="none-or-unknown",
        ),
        pytest.param(IncidentFilter(event_type="air"), lambda s: s.event_type == AIR, id="event-type"),
        pytest.param(
            IncidentFilter(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 7, 14)),
            lambda s: overlaps(s, "2024-05-01", "2024-07-14"), id="dates",
        ),
        pytest.param(
            IncidentFilter(region="KURSK", casualties=frozenset({"injured"})),
            lambda s: s.region == "Kursk" and status(s) == "injured", id="region-and-status",
        ),
        pytest.param(IncidentFilter(text="nowhere-at-all"), lambda s: False, id="nothing"),
    ],
)
def test_the_overview_of_the_filtered_list(incident_filter: IncidentFilter, keeps, recorded: Journal) -> None:
    kept = [spec for spec in SPECS if keeps(spec)]
    rows = recorded.query_rows(incident_filter)
    assert len(rows) == len(kept)
    assert figures(overview(rows)) == expected(kept)


def test_the_date_filter_keeps_an_incident_that_began_before_it(recorded: Journal) -> None:
    rows = recorded.query_rows(IncidentFilter(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 31)))
    result = overview(rows)
    assert result.incidents == 1  # 2024-04-30 .. 2024-05-02
    assert result.by_month == [("2024-04", 1)]
    assert (result.first_date, result.last_date) == ("2024-04-30", "2024-04-30")


# -- hand-edited records ---------------------------------------------------------------------------


def edit_records(path: Path, ids: list[str], edits: dict[int, dict[str, Any]]) -> None:
    """Edit the journal file by hand: ``edits`` maps a position in ``ids`` to keys to set (None: remove)."""
    data = json.loads(path.read_bytes())
    by_id = {record["id"]: record for record in data["incidents"].values()}
    for position, changes in edits.items():
        record = by_id[ids[position]]
        for key, value in changes.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def test_invalid_records_are_counted_without_crashing(journal: Journal, make_incident, journal_path: Path) -> None:
    ids = record_all(journal, make_incident, SPECS)
    edits: dict[int, dict[str, Any]] = {
        0: {"killed": "lots"},  # a count that is not one: unknown
        1: {"date": "2024-13-01"},  # no such month
        2: {"region": None},  # no region at all
        4: {"event_type": 42, "injured": {"min": "two", "max": None, "note": None}},
        7: {"date": 20250201},  # a number, not a date
    }
    journal.close()  # the last to close it writes the file whole: then it can be edited by hand
    edit_records(journal_path, ids, edits)
    as_counted = list(SPECS)
    as_counted[0] = replace(SPECS[0], killed="?")
    as_counted[1] = replace(SPECS[1], date=None)
    as_counted[2] = replace(SPECS[2], region="")
    as_counted[4] = replace(SPECS[4], event_type=None, injured="?")
    as_counted[7] = replace(SPECS[7], date=None)

    with Journal(journal_path) as reopened:
        assert len(reopened.bad_records()) == len(edits)
        assert figures(overview(reopened.rows())) == expected(as_counted)
        filtered = reopened.query_rows(IncidentFilter(region="удмуртия"))
        assert figures(overview(filtered)) == expected([spec for spec in as_counted if spec.region == "Удмуртия"])


def as_count(shown: str) -> Count | str:
    """``shown`` read as a count, or why it is not one."""
    try:
        return Count.parse(shown)
    except ValueError as exc:
        return str(exc)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"min": 5, "max": 2, "note": None}, id="max-below-min"),
        pytest.param({"min": -4, "max": -4, "note": None}, id="negative"),
        pytest.param({"min": None, "max": 4, "note": None}, id="max-without-min"),
        pytest.param({"min": 2.5, "max": 3, "note": None}, id="fraction"),
    ],
)
def test_an_impossible_count_in_a_hand_edited_record_never_makes_the_totals_impossible(
    broken: dict[str, Any], journal: Journal, make_incident, journal_path: Path
) -> None:
    specs = [Spec("Удмуртия", "2024-07-01", "3", "0"), Spec("Удмуртия", "2024-07-02", "1", "0")]
    ids = record_all(journal, make_incident, specs)
    journal.close()  # the last to close it writes the file whole: then it can be edited by hand
    edit_records(journal_path, ids, {1: {"killed": broken}})
    with Journal(journal_path) as reopened:
        assert len(reopened.bad_records()) == 1
        result = overview(reopened.rows())
    assert result.incidents == 2
    for shown in (str(result.totals.killed), str(result.by_region[0].killed)):
        count = as_count(shown)
        assert isinstance(count, Count), f"total {shown!r} is not a count in the app's notation: {count}"
        assert count.min is not None and count.min >= 3, f"{shown}: less than the 3 the valid record holds"


# -- who was harmed, and the weapons (schema 3) -------------------------------------------------------
#
# The parts are left out of a stored record while unknown. A part is summed as the totals are
# (at least; ``+`` when any is open or unknown; ``?`` when all are unknown), read with what its
# whole says: a part left unknown is none where its whole is none (nobody killed: no civilian
# killed, none launched: none intercepted), and at least its own known parts (children and women
# of the civilians; intercepted and hit of the launched).


def harm(region: str, date: str, killed: str = "?", injured: str = "?", **parts: str) -> dict[str, Any]:
    return {"region": region, "date": date, "killed": killed, "injured": injured, **parts}


def record_harm(journal: Journal, make_incident, incidents: list[dict[str, Any]]) -> list[str]:
    made = [make_incident(title=f"incident {n}", **values) for n, values in enumerate(incidents, start=1)]
    journal.import_incidents(made)
    return [incident.id for incident in made]


def civilian_figures(group) -> tuple[str, str, str, str]:
    return (str(group.civilians_killed), str(group.children_killed),
            str(group.civilians_injured), str(group.children_injured))


#: Six incidents in three regions and three months, counted by hand below.
HARMED = [
    # Удмуртия, 2024-07: 3 killed, 2 of them civilians, 1 a child; 5+ injured, 4+ civilians.
    harm("Удмуртия", "2024-07-01", "3", "5+", killed_civilians="2", killed_children="1", injured_civilians="4+",
         weapons_launched="3", weapons_intercepted="2"),
    # Nobody killed or injured: no civilian either, though the record leaves them out.
    harm("Удмуртия", "2024-07-10", "0", "0"),
    # Kursk, 2024-08: a range of civilians injured, children said to be unknown ("several").
    harm("Kursk", "2024-08-02", "1+", "2-5", injured_civilians="0-2", injured_children="? (several)",
         weapons_intercepted="61+ (over 60)"),
    # Nothing known at all.
    harm("Kursk", "2024-08-20"),
    # Belgorod, 2024-10: two children killed, civilians not given: at least two civilians.
    harm("Belgorod", "2024-10-01", "2", "0", killed_children="2", weapons_launched="0"),
    # A woman killed, civilians not given: at least one civilian.
    harm("Belgorod", "2024-10-05", "1", "0", killed_women="1", weapons_launched="2-4", weapons_hit="1"),
]


@pytest.fixture
def harmed(journal: Journal, make_incident) -> Journal:
    record_harm(journal, make_incident, HARMED)
    return journal


def test_civilians_and_children_harmed_in_all_counted_by_hand(harmed: Journal, journal_path: Path) -> None:
    with Journal(journal_path) as reopened:  # the same from the file, before anything is validated
        results = [overview(harmed.rows()), overview(reopened.rows())]
    for result in results:
        totals = result.totals
        # killed civilians: 2 + 0 + ? + ? + 2+ + 1+ ; children: 1 + 0 + ? + ? + 2 + ?
        # injured civilians: 4+ + 0 + 0-2 + ? + 0 + 0 ; children: ? + 0 + ? + ? + 0 + 0
        assert civilian_figures(totals) == ("5+", "3+", "4+", "0+")
        assert (totals.civilians_killed.unknown, totals.children_killed.unknown) == (2, 3)
        assert (totals.civilians_injured.unknown, totals.children_injured.unknown) == (1, 3)
        assert totals.harming_civilians == 3  # the first, the fifth and the sixth
        assert totals.civilian_figures == 4  # and the third (0-2 civilians injured)


def test_weapons_launched_and_intercepted_in_all_counted_by_hand(harmed: Journal) -> None:
    totals = overview(harmed.rows()).totals
    # launched: 3 + ? + 61+ (its interceptions) + ? + 0 + 2-4 ; intercepted: 2 + ? + 61+ + ? + 0 (none launched) + ?
    assert (str(totals.weapons_launched), str(totals.weapons_intercepted)) == ("66+", "63+")
    assert (totals.weapons_launched.unknown, totals.weapons_intercepted.unknown) == (2, 3)
    assert totals.weapon_figures == 4


def test_civilians_and_weapons_by_region_and_month_counted_by_hand(harmed: Journal) -> None:
    result = overview(harmed.rows())
    regions = {group.name: group for group in result.by_region}
    assert civilian_figures(regions["Удмуртия"]) == ("2", "1", "4+", "0+")  # 2 + 0, 1 + 0; 4+ + 0, ? + 0
    assert civilian_figures(regions["Kursk"]) == ("?", "?", "0+", "?")  # ? + ?, ? + ?; 0-2 + ?, ? + ?
    assert civilian_figures(regions["Belgorod"]) == ("3+", "2+", "0", "0")  # 2+ + 1+, 2 + ?
    assert [(name, regions[name].harming_civilians, regions[name].civilian_figures)
            for name in ("Удмуртия", "Kursk", "Belgorod")] == [("Удмуртия", 1, 1), ("Kursk", 0, 1), ("Belgorod", 2, 2)]

    months = {month.name: month for month in result.months}
    assert [month.name for month in result.months] == [name for name, _ in result.by_month] == [
        "2024-07", "2024-08", "2024-09", "2024-10",
    ]
    assert [month.incidents for month in result.months] == [2, 2, 0, 2]
    assert civilian_figures(months["2024-07"]) == civilian_figures(regions["Удмуртия"])
    assert civilian_figures(months["2024-09"]) == ("0", "0", "0", "0")  # no incident: nobody
    assert (months["2024-09"].civilian_figures, months["2024-09"].weapon_figures) == (0, 0)
    weapons = {name: (str(m.weapons_launched), str(m.weapons_intercepted), m.weapon_figures)
               for name, m in months.items()}
    assert weapons == {
        "2024-07": ("3+", "2+", 1),  # 3 + ?, 2 + ?
        "2024-08": ("61+", "61+", 1),  # 61+ + ?: launched at least what was intercepted
        "2024-09": ("0", "0", 0),
        "2024-10": ("2-4", "0+", 2),  # 0 + 2-4; 0 (none launched) + ?
    }


def test_the_harm_figures_follow_the_list_filters(harmed: Journal) -> None:
    result = overview(harmed.query_rows(IncidentFilter(region="belgorod")))
    assert result.incidents == 2
    assert civilian_figures(result.totals) == ("3+", "2+", "0", "0")
    assert (str(result.totals.weapons_launched), str(result.totals.weapons_intercepted)) == ("2-4", "0+")
    assert [month.name for month in result.months] == ["2024-10"]


def test_a_journal_without_any_harm_figure(recorded: Journal) -> None:
    # SPECS give killed and injured only: civilians are unknown unless nobody was killed (injured)
    result = overview(recorded.rows())
    none_killed = sum(1 for spec in SPECS if spec.killed == "0")
    none_injured = sum(1 for spec in SPECS if spec.injured == "0")
    totals = result.totals
    assert civilian_figures(totals) == ("0+", "0+", "0+", "0+")
    assert totals.civilians_killed.unknown == totals.children_killed.unknown == len(SPECS) - none_killed
    assert totals.civilians_injured.unknown == totals.children_injured.unknown == len(SPECS) - none_injured
    assert (str(totals.weapons_launched), str(totals.weapons_intercepted)) == ("?", "?")
    assert totals.harming_civilians == totals.civilian_figures == totals.weapon_figures == 0
    bryansk = next(group for group in result.by_region if group.name == "Bryansk")  # killed 0, injured 0
    assert civilian_figures(bryansk) == ("0", "0", "0", "0")
    kursk = next(group for group in result.by_region if group.name == "Kursk")  # killed ? and 0
    assert civilian_figures(kursk)[:2] == ("0+", "0+") and kursk.civilians_killed.unknown == 1


def test_an_empty_journal_has_no_harm_figures(journal: Journal) -> None:
    result = overview(journal.rows())
    assert civilian_figures(result.totals) == ("0", "0", "0", "0")
    assert (str(result.totals.weapons_launched), str(result.totals.weapons_intercepted)) == ("0", "0")
    assert result.months == []


@pytest.mark.parametrize(
    ("incidents", "shown"),
    [
        # (killed, the parts given) of each incident -> civilians killed, children killed
        pytest.param([("0", {})], ("0", "0"), id="nobody-killed-no-civilian"),
        pytest.param([("3", {})], ("?", "?"), id="not-given"),
        pytest.param([("?", {})], ("?", "?"), id="nothing-known"),
        pytest.param([("3", {"killed_civilians": "2"})], ("2", "?"), id="civilians-children-not-given"),
        pytest.param([("3", {"killed_civilians": "0"})], ("0", "0"), id="no-civilian-no-child"),
        pytest.param([("3", {"killed_civilians": "1+"})], ("1+", "?"), id="open"),
        pytest.param([("5", {"killed_civilians": "2-3 (reports differ)"})], ("2-3", "?"), id="range"),
        pytest.param([("3", {"killed_children": "2"})], ("2+", "2"), id="at-least-the-children"),
        pytest.param([("2-5", {"killed_children": "1", "killed_women": "1"})], ("2+", "1"), id="children-and-women"),
        pytest.param([("3", {"killed_civilians": "? (several)"})], ("?", "?"), id="said-unknown"),
        pytest.param([("3", {"killed_civilians": "2"}), ("0", {})], ("2", "0+"), id="plus-nobody-killed"),
        pytest.param([("3", {"killed_civilians": "2"}), ("1", {})], ("2+", "?"), id="plus-not-given"),
        pytest.param(
            [("3", {"killed_civilians": "2-3", "killed_children": "1"}), ("4", {"killed_civilians": "1-2"})],
            ("3-5", "1+"), id="ranges-add-up",
        ),
        pytest.param([("1+", {"killed_combatants": "1"})], ("?", "?"), id="only-combatants"),
    ],
)
def test_civilian_totals_keep_their_uncertainty(
    incidents: list[tuple[str, dict[str, str]]], shown: tuple[str, str], journal: Journal, make_incident
) -> None:
    record_harm(journal, make_incident, [harm("Kursk", "2024-07-01", killed, "0", **parts)
                                         for killed, parts in incidents])
    result = overview(journal.rows())
    for group in (result.totals, result.by_region[0], result.months[0]):
        assert (str(group.civilians_killed), str(group.children_killed)) == shown
        Count.parse(str(group.civilians_killed))  # in the app's own notation
    assert (str(result.totals.civilians_injured), str(result.totals.children_injured)) == ("0", "0")


@pytest.mark.parametrize(
    ("parts", "shown"),
    [
        # the weapons given of one incident -> launched, intercepted
        pytest.param({}, ("?", "?"), id="not-given"),
        pytest.param({"weapons_launched": "3"}, ("3", "?"), id="launched"),
        pytest.param({"weapons_launched": "3", "weapons_intercepted": "2"}, ("3", "2"), id="both"),
        pytest.param({"weapons_launched": "0"}, ("0", "0"), id="none-launched-none-intercepted"),
        pytest.param({"weapons_intercepted": "61+ (over 60)"}, ("61+", "61+"), id="launched-at-least-intercepted"),
        pytest.param({"weapons_intercepted": "2", "weapons_hit": "1"}, ("3+", "2"), id="intercepted-and-hit"),
        pytest.param({"weapons_launched": "2-4", "weapons_intercepted": "1-2"}, ("2-4", "1-2"), id="ranges"),
        pytest.param({"weapons_launched": "10+", "weapons_intercepted": "? (most)"}, ("10+", "?"), id="said-unknown"),
    ],
)
def test_weapon_totals_keep_their_uncertainty(
    parts: dict[str, str], shown: tuple[str, str], journal: Journal, make_incident
) -> None:
    record_harm(journal, make_incident, [harm("Kursk", "2024-07-01", "0", "0", **parts)])
    result = overview(journal.rows())
    for group in (result.totals, result.by_region[0], result.months[0]):
        assert (str(group.weapons_launched), str(group.weapons_intercepted)) == shown
    assert result.totals.weapon_figures == (1 if shown != ("?", "?") else 0)


def test_the_harm_figures_follow_every_save(journal: Journal, make_fields) -> None:
    first = journal.add(make_fields(region="Kursk", date="2024-07-01", killed="3", killed_civilians="2"))
    assert str(overview(journal.rows()).totals.civilians_killed) == "2"
    journal.update(first.with_changes(killed_civilians=None, weapons_launched="5"))  # left out again
    totals = overview(journal.rows()).totals
    assert (str(totals.civilians_killed), totals.harming_civilians, str(totals.weapons_launched)) == ("?", 0, "5")


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param("lots", id="not-a-count"),
        pytest.param({"min": "two", "max": None, "note": None}, id="text"),
        pytest.param({"min": 5, "max": 2, "note": None}, id="max-below-min"),
        pytest.param({"min": -4, "max": -4, "note": None}, id="negative"),
        pytest.param({"min": True, "max": True, "note": None}, id="boolean"),
        pytest.param([1, 2], id="a-list"),
    ],
)
def test_a_hand_edited_part_is_unknown_and_never_makes_a_total_impossible(
    broken: Any, journal: Journal, make_incident, journal_path: Path
) -> None:
    ids = record_harm(journal, make_incident, [
        harm("Kursk", "2024-07-01", "3", "0", killed_civilians="2", weapons_launched="4"),
        harm("Kursk", "2024-07-02", "3", "0", killed_civilians="1", weapons_launched="1"),
    ])
    journal.close()  # the last to close it writes the file whole: then it can be edited by hand
    edit_records(journal_path, ids, {1: {"killed_civilians": broken, "killed_children": broken,
                                         "weapons_launched": broken, "weapons_intercepted": broken}})
    with Journal(journal_path) as reopened:
        assert len(reopened.bad_records()) == 1
        totals = overview(reopened.rows()).totals
    assert (str(totals.civilians_killed), str(totals.children_killed)) == ("2+", "?")
    assert (totals.civilians_killed.unknown, totals.harming_civilians, totals.civilian_figures) == (1, 1, 1)
    assert (str(totals.weapons_launched), str(totals.weapons_intercepted)) == ("4+", "?")
    assert totals.weapon_figures == 1
