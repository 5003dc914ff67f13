"""Searching the journal for a place finds it under any of its names; a region filter finds every
spelling of the region."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import IncidentFilter, Journal
from store.geo import gazetteer

GAZETTEER_MODULE = sys.modules["store.geo.gazetteer"]


@pytest.fixture
def journal(journal_path: Path, make_fields) -> Iterator[Journal]:
    with Journal(journal_path) as opened:
        for title, place, region in (
            ("Strike on the port", "Odesa", "Odesa"),
            ("Удар по порту", "Одесса", "Одесская область"),
            ("Удар по місту", "Одеса, центр", "Одеська область"),
            ("Grenades and barricades", "Kherson", "Kherson"),  # "ades" is a name of Odesa too
            ("Drone strike on a factory", "Izhevsk", "Udmurtia"),
            ("Factory hit", "Ижевск", "Udmurt Republic"),
            ("Другой завод", "Сарапул", "Удмуртия"),
            ("Shelling", "Belgorod", "Belgorod"),
        ):
            opened.add(make_fields(title=title, place=place, region=region, country="Ukraine"))
        yield opened


def titles(journal: Journal, incident_filter: IncidentFilter) -> set[str]:
    return {row.title for row in journal.query_rows(incident_filter)}


def with_index(journal: Journal) -> Journal:
    for _ in journal.background_checks():
        pass
    return journal


PORT = {"Strike on the port", "Удар по порту", "Удар по місту"}


@pytest.mark.parametrize("indexed", [False, True], ids=["row by row", "by the index"])
@pytest.mark.parametrize("query", ["Odessa", "Одесса", "Одеса", "odesa", "ODESSA"])
def test_a_place_is_found_under_any_of_its_names(journal: Journal, query: str, indexed: bool) -> None:
    gazetteer()
    if indexed:
        with_index(journal)
    assert titles(journal, IncidentFilter(text=query)) == PORT


@pytest.mark.parametrize("indexed", [False, True], ids=["row by row", "by the index"])
def test_a_place_name_with_other_words_needs_them_all(journal: Journal, indexed: bool) -> None:
    gazetteer()
    if indexed:
        with_index(journal)
    assert titles(journal, IncidentFilter(text="Одесса удар")) == {"Удар по порту", "Удар по місту"}
    assert titles(journal, IncidentFilter(text="Ижевск factory")) == {"Drone strike on a factory", "Factory hit"}


def test_before_the_gazetteer_is_loaded_a_search_matches_the_words_alone(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(GAZETTEER_MODULE, "_loaded", None)
    assert titles(journal, IncidentFilter(text="Odessa")) == set()
    assert titles(journal, IncidentFilter(text="Одесса")) == {"Удар по порту"}


def test_typing_on_after_the_gazetteer_loads_finds_the_other_names(journal: Journal) -> None:
    gazetteer()
    with_index(journal)
    # "Odes" names no place: the rows holding it; then "Odessa" finds the other names too.
    assert titles(journal, IncidentFilter(text="Odes")) == {"Strike on the port"}
    assert titles(journal, IncidentFilter(text="Odessa")) == PORT
    assert titles(journal, IncidentFilter(text="Odessa s")) == {"Strike on the port"}
    assert titles(journal, IncidentFilter(text="Odessas")) == set()


@pytest.mark.parametrize("region", ["Udmurtia", "Udmurt Republic", "Удмуртия", "udmurtia"])
def test_a_region_filter_finds_every_spelling_of_the_region(journal: Journal, region: str) -> None:
    assert titles(journal, IncidentFilter(region=region)) == {
        "Drone strike on a factory",
        "Factory hit",
        "Другой завод",
    }


def test_a_region_the_gazetteer_does_not_know_matches_its_spelling_in_any_case(
    journal: Journal, make_fields
) -> None:
    journal.add(make_fields(title="Somewhere", region="Narnia"))
    journal.add(make_fields(title="Somewhere else", region="NARNIA"))
    assert titles(journal, IncidentFilter(region="narnia")) == {"Somewhere", "Somewhere else"}
    assert titles(journal, IncidentFilter(region="Odesa")) == PORT
