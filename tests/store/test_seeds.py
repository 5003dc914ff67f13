"""The seed incidents: the article the project started from, recorded faithfully."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import Incident, Journal
from store.seeds import seed_folder, seed_incidents


@pytest.fixture(scope="module")
def seeds() -> list[Incident]:
    return seed_incidents()


def by_region(seeds: list[Incident], region: str) -> list[Incident]:
    return [incident for incident in seeds if incident.region == region]


def test_the_seeds_are_the_four_incidents_of_the_article(seeds) -> None:
    assert sorted(incident.region for incident in seeds) == ["Belgorod", "Crimea", "Rostov", "Udmurtia"]
    assert len({incident.id for incident in seeds}) == len(seeds)


def test_izhevsk_factory_strike(seeds) -> None:
    (izhevsk,) = by_region(seeds, "Udmurtia")
    assert izhevsk.place == "Izhevsk"
    assert izhevsk.country == "Russia"
    assert izhevsk.event_type == "Air/drone strike"
    assert izhevsk.acled_event_type == "Explosions/Remote violence"
    # "leaving at least one person dead and several others injured"
    assert str(izhevsk.killed) == "1+"
    assert (izhevsk.killed.min, izhevsk.killed.max) == (1, None)
    assert str(izhevsk.injured) == "? (several)"
    assert izhevsk.injured.is_unknown and izhevsk.injured.note == "several"
    assert izhevsk.casualty_status == "killed"
    # "three 'Lyutiy'-type drones", according to SHOT: a claim, not a confirmation
    assert izhevsk.weapon == "Lyutiy-type drone"
    assert str(izhevsk.weapons_launched) == "3 (SHOT's claim)"
    assert izhevsk.attribution == "claimed" and izhevsk.attribution_by == "SHOT (Telegram)"
    assert "Ukrain" in (izhevsk.actor or "")
    assert izhevsk.target_kind == "industrial"
    assert "factory" in (izhevsk.target or "")


def test_izhevsk_sources_are_the_regional_head_and_shot(seeds) -> None:
    (izhevsk,) = by_region(seeds, "Udmurtia")
    assert len(izhevsk.sources) == 2
    head, shot = izhevsk.sources
    assert "Brechalov" in head.outlet and "Telegram" in head.outlet
    assert head.kind == "official"
    # His words, as the article quotes them.
    assert head.quote is not None and "There are casualties." in head.quote
    # ... and what he claimed as a field: casualties, with no figure
    assert str(head.injured) == "? (there are casualties, no figure)" and head.killed is None
    assert "SHOT" in shot.outlet
    assert shot.kind == "telegram"
    # SHOT's claim: the attribution (SHOT names the Ukrainian armed forces) and the three drones
    assert shot.blames == "Armed Forces of Ukraine" and izhevsk.attribution_by == shot.outlet


def test_the_ministrys_claim_is_one_group_over_crimea_and_rostov(seeds) -> None:
    from store.seeds import seed_groups

    [ministry] = seed_groups()
    assert ministry.title == "Russian defence ministry: over 60 drones shot down, night of 1 July"
    assert str(ministry.weapons_intercepted) == "61+ (over 60)"
    members = sorted(incident.region for incident in seeds if incident.group == ministry.id)
    assert members == ["Crimea", "Rostov"]


def test_belgorod_car_strike(seeds) -> None:
    (belgorod,) = by_region(seeds, "Belgorod")
    assert belgorod.country == "Russia"
    assert belgorod.event_type == "Air/drone strike"
    # "two people were injured in a drone strike on a car"
    assert str(belgorod.injured) == "2" and belgorod.injured.is_exact
    assert belgorod.killed.is_unknown, "the article says nothing of deaths"
    assert belgorod.casualty_status == "injured"
    assert belgorod.target_kind == "vehicle"
    assert belgorod.place is None, "the article names no town"


@pytest.mark.parametrize("region", ["Crimea", "Rostov"])
def test_interceptions_are_one_incident_per_region(seeds, region: str) -> None:
    (incident,) = by_region(seeds, region)
    assert incident.event_type == "Disrupted weapons use"
    assert incident.acled_event_type == "Strategic developments"
    assert incident.attribution == "claimed"
    assert [source.kind for source in incident.sources] == ["official"]
    assert "Ministry of Defence" in incident.sources[0].outlet
    # The article gives no casualties for the interceptions: they are unknown, not zero.
    assert incident.killed.is_unknown and incident.injured.is_unknown
    assert incident.casualty_status == "unknown"


def test_crimea_is_coded_under_ukraine_as_acled_does(seeds) -> None:
    (crimea,) = by_region(seeds, "Crimea")
    (rostov,) = by_region(seeds, "Rostov")
    assert crimea.country == "Ukraine"
    assert rostov.country == "Russia"


# Rough boxes around each place or region: (south, north, west, east).
AREAS = {
    "Udmurtia": (56.6, 57.1, 52.9, 53.5),  # the city of Izhevsk
    "Belgorod": (49.8, 51.5, 35.3, 39.3),
    "Crimea": (44.3, 46.3, 32.4, 36.7),
    "Rostov": (45.9, 50.3, 38.2, 44.4),
}


def test_every_seed_has_plausible_coordinates(seeds) -> None:
    for incident in seeds:
        south, north, west, east = AREAS[incident.region]
        assert incident.latitude is not None and incident.longitude is not None
        assert south <= incident.latitude <= north, incident.region
        assert west <= incident.longitude <= east, incident.region
        assert incident.geo_precision is not None


def test_vague_dates_are_explained_in_the_summary(seeds) -> None:
    vague = [incident for incident in seeds if incident.date_precision != "day"]
    assert {incident.region for incident in vague} == {"Udmurtia", "Belgorod"}
    for incident in vague:
        date_notes = [part for part in incident.summary.split("\n\n") if part.startswith("Date:")]
        assert date_notes, f"{incident.region}: the summary does not say how the date was read"
        assert incident.date_precision in date_notes[0]


def test_seed_ids_are_fixed(seeds) -> None:
    assert [incident.id for incident in seed_incidents()] == [incident.id for incident in seeds]


def test_seeding_twice_adds_nothing(tmp_path: Path, seeds) -> None:
    with Journal(tmp_path / "journal.json") as journal:
        first = journal.import_incidents(seed_incidents())
        assert set(first.added) == {incident.id for incident in seeds}
        second = journal.import_incidents(seed_incidents())
        assert second.added == ()
        assert len(journal) == len(seeds)


def test_seed_files_are_found(seeds) -> None:
    assert sorted(path.name for path in seed_folder().glob("*.json"))
