"""``IncidentFilter``: which incidents a person wants to see."""

from __future__ import annotations

import datetime as dt

import pytest

from store import IncidentFields, IncidentFilter
from store.rows import IncidentRow
from store.search_index import SearchIndex


@pytest.fixture
def incidents(make_fields) -> dict[str, IncidentFields]:
    return {
        "izhevsk": make_fields(
            title="Удар дрона по заводу в Ижевске",
            summary="A factory was set on fire.",
            region="Udmurtia",
            place="Ижевск",
            date="2024-07-01",
            event_type="Air/drone strike",
            killed="1+",
            injured="? (several)",
            tags=["factory", "fire"],
            sources=[{"outlet": "SHOT (Telegram)", "kind": "telegram"}],
        ),
        "belgorod": make_fields(
            title="Drone hits a car",
            summary="Two people were injured.\nThe town is not named.",
            region="Belgorod",
            date="2024-07-03",
            date_end="2024-07-05",
            event_type="Air/drone strike",
            killed="?",
            injured="2",
            tags=["car"],
        ),
        "crimea": make_fields(
            title="Drones shot down",
            summary="Air defences intercepted drones over the peninsula.",
            country="Ukraine",
            region="Crimea",
            date="2024-06-20",
            event_type="Disrupted weapons use",
            killed="0",
            injured="0",
            sources=[{"outlet": "Russian Ministry of Defence", "kind": "official"}],
        ),
        "yolkino": make_fields(
            title="Shelling near the village",
            summary="Shells fell near Ёлкино; no damage was reported.",
            region="Kursk",
            place="Ёлкино",
            date="2024-05-10",
            event_type="Shelling/artillery/missile attack",
            tags=["shelling"],
        ),
    }


def matching(incident_filter: IncidentFilter, incidents: dict[str, IncidentFields]) -> set[str]:
    """The names of the incidents the filter selects, as the list's rows; the same with the index."""
    rows = [IncidentRow(name, incident.fields_record()) for name, incident in incidents.items()]
    found = {row.id for row in incident_filter.select_rows(rows)}
    index = SearchIndex.of((row.id, row.haystack) for row in rows)
    assert {row.id for row in incident_filter.select_rows(rows, index=index)} == found
    return found


def passes(incident_filter: IncidentFilter, incident: IncidentFields) -> bool:
    return matching(incident_filter, {"one": incident}) == {"one"}


def test_empty_filter_matches_everything(incidents) -> None:
    assert IncidentFilter().is_empty
    assert matching(IncidentFilter(), incidents) == set(incidents)


# -- region ------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["Udmurtia", "udmurtia", "UDMURTIA"])
def test_region_ignores_case(incidents, region: str) -> None:
    assert matching(IncidentFilter(region=region), incidents) == {"izhevsk"}


def test_region_is_the_whole_name_not_a_part(incidents) -> None:
    assert matching(IncidentFilter(region="Udm"), incidents) == set()


def test_region_ignores_case_in_cyrillic(make_fields) -> None:
    incident = make_fields(region="Удмуртия")
    assert passes(IncidentFilter(region="удмуртия"), incident)
    assert not passes(IncidentFilter(region="Белгород"), incident)


# -- casualties ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"killed"}, {"izhevsk"}),
        ({"injured"}, {"belgorod"}),
        ({"none"}, {"crimea"}),
        ({"unknown"}, {"yolkino"}),
        ({"killed", "injured"}, {"izhevsk", "belgorod"}),
        ({"none", "unknown"}, {"crimea", "yolkino"}),
    ],
)
def test_casualty_statuses(incidents, statuses: set[str], expected: set[str]) -> None:
    assert matching(IncidentFilter(casualties=frozenset(statuses)), incidents) == expected


def test_casualties_may_be_given_as_any_collection(incidents) -> None:
    assert matching(IncidentFilter(casualties={"killed", "none"}), incidents) == {"izhevsk", "crimea"}


def test_unknown_casualty_status_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        IncidentFilter(casualties=frozenset({"killed", "dead"}))
    assert "'dead'" in str(caught.value)
    assert "killed, injured, none, unknown" in str(caught.value)


# -- free text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("factory", {"izhevsk"}),  # summary
        ("hits", {"belgorod"}),  # title
        ("ижевск", {"izhevsk"}),  # place and title, lowercase Cyrillic
        ("ИЖЕВСК", {"izhevsk"}),
        ("удар", {"izhevsk"}),  # finds "Удар"
        ("ЗАВОДУ", {"izhevsk"}),
        ("crimea", {"crimea"}),  # region
        ("shot", {"izhevsk", "crimea"}),  # outlet "SHOT (Telegram)" and title "shot down"
        ("telegram", {"izhevsk"}),  # outlet
        ("ministry", {"crimea"}),  # outlet
        ("car", {"belgorod"}),  # tag
        ("not named", {"belgorod"}),  # second line of the summary
        ("drone", {"belgorod", "crimea"}),
        ("drone car", {"belgorod"}),  # every word is required
        ("car factory", set()),
        ("  Drone   INJURED  ", {"belgorod"}),
        ("mariupol", set()),
    ],
)
def test_text_search(incidents, text: str, expected: set[str]) -> None:
    assert matching(IncidentFilter(text=text), incidents) == expected


@pytest.mark.parametrize("text", ["ёлкино", "елкино", "ЕЛКИНО", "Ёлкино"])
def test_yo_and_ye_are_the_same_letter(incidents, text: str) -> None:
    assert matching(IncidentFilter(text=text), incidents) == {"yolkino"}


def test_ye_in_the_text_is_found_by_yo_in_the_search(make_fields) -> None:
    assert passes(IncidentFilter(text="березе"), make_fields(title="Удар по Берёзе"))
    assert passes(IncidentFilter(text="берёзе"), make_fields(title="Удар по Березе"))
    assert not passes(IncidentFilter(text="берёза"), make_fields(title="Удар по Березе"))


def test_text_does_not_search_other_fields(make_fields) -> None:
    incident = make_fields(country="Russia", weapon="Lyutiy-type drone", actor="Armed Forces of Ukraine")
    assert not passes(IncidentFilter(text="lyutiy"), incident)
    assert not passes(IncidentFilter(text="armed"), incident)


def test_blank_text_matches_everything(incidents) -> None:
    assert matching(IncidentFilter(text="   "), incidents) == set(incidents)


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (dt.date(2024, 7, 1), dt.date(2024, 7, 1), {"izhevsk"}),
        (dt.date(2024, 7, 4), None, {"belgorod"}),  # inside Belgorod's 3rd-5th
        (dt.date(2024, 7, 5), dt.date(2024, 7, 9), {"belgorod"}),  # its last day
        (dt.date(2024, 7, 6), None, set()),
        (None, dt.date(2024, 7, 3), {"izhevsk", "belgorod", "crimea", "yolkino"}),  # its first day
        (None, dt.date(2024, 6, 30), {"crimea", "yolkino"}),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 30), {"crimea"}),
        (dt.date(2024, 7, 2), dt.date(2024, 7, 2), set()),
    ],
)
def test_date_range_keeps_overlapping_incidents(incidents, date_from, date_to, expected: set[str]) -> None:
    assert matching(IncidentFilter(date_from=date_from, date_to=date_to), incidents) == expected


def test_date_range_backwards_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        IncidentFilter(date_from=dt.date(2024, 7, 5), date_to=dt.date(2024, 7, 1))
    assert "before the start date" in str(caught.value)


# -- event type -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("air", {"izhevsk", "belgorod"}),
        ("Air/drone strike", {"izhevsk", "belgorod"}),
        ("DISRUPTED", {"crimea"}),
        ("shell", {"yolkino"}),
        ("grenade", set()),
    ],
)
def test_event_type_by_name_or_prefix(incidents, typed: str, expected: set[str]) -> None:
    assert matching(IncidentFilter(event_type=typed), incidents) == expected


@pytest.mark.parametrize("typed", ["a", "bombing"])
def test_ambiguous_or_unknown_event_type_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        IncidentFilter(event_type=typed)


# -- together ------------------------------------------------------------------------------------


def test_conditions_combine(incidents) -> None:
    assert matching(IncidentFilter(event_type="air", casualties={"injured"}), incidents) == {"belgorod"}
    assert matching(IncidentFilter(text="drone", date_to=dt.date(2024, 6, 30)), incidents) == {"crimea"}
    assert (
        matching(
            IncidentFilter(
                region="udmurtia",
                casualties={"killed"},
                text="завод",
                date_from=dt.date(2024, 7, 1),
                date_to=dt.date(2024, 7, 31),
                event_type="air",
            ),
            incidents,
        )
        == {"izhevsk"}
    )
    assert matching(IncidentFilter(region="Udmurtia", casualties={"injured"}), incidents) == set()
    assert not IncidentFilter(region="Udmurtia").is_empty


def test_civilian_harm_means_a_civilian_child_or_woman_killed_or_injured(make_incident) -> None:
    harmed = {
        "civilians killed": {"killed_civilians": "1"},
        "a child injured, at least": {"injured_children": "1+"},
        "women injured, a range": {"injured_women": "1-3"},
    }
    not_harmed = {
        "nothing said": {},
        "combatants only": {"killed_combatants": "4"},
        "none": {"killed_civilians": "0"},
        "unknown": {"injured_civilians": "? (several)"},
        "perhaps none": {"killed_children": "0-2"},
    }
    incidents = {title: make_incident(title=title, **given) for title, given in {**harmed, **not_harmed}.items()}
    rows = [IncidentRow(incident.id, incident.record()) for incident in incidents.values()]
    found = IncidentFilter(civilians=True).select_rows(rows)
    assert sorted(row.title for row in found) == sorted(harmed)
    assert IncidentFilter(civilians=True, text="women").select_rows(rows)[0].title == "women injured, a range"
