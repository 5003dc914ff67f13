"""Searching the journal for a place finds it under any of its names; a region filter finds every
spelling of the region."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import IncidentFields, IncidentFilter, Journal
from store.geo import gazetteer

GAZETTEER_MODULE = sys.modules["store.geo.gazetteer"]


@pytest.fixture
def journal(journal_path: Path, make_fields) -> Iterator[Journal]:
    with Journal(journal_path) as opened:
        for title, place, region, country in (
            ("Strike on the port", "Odesa", "Odesa", "Ukraine"),
            ("Удар по порту", "Одесса", "Одесская область", "Украина"),
            ("Удар по місту", "Одеса, центр", "Одеська область", "Україна"),
            ("Grenades and barricades", "Kherson", "Kherson", "Ukraine"),  # "ades" is a name of Odesa too
            ("Drone strike on a factory", "Izhevsk", "Udmurtia", "Russia"),
            ("Factory hit", "Ижевск", "Udmurt Republic", "Russia"),
            ("Другой завод", "Сарапул", "Удмуртия", "Россия"),
            ("Shelling", "Belgorod", "Belgorod", "Russia"),
            ("Windows shut near Pölitz", "Shebekino", "Belgorod", "Russia"),
        ):
            opened.add(make_fields(title=title, place=place, region=region, country=country))
        yield opened


def journal_fields(**values: str) -> IncidentFields:
    return IncidentFields.model_validate({"date": "2024-07-01", **values})


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


@pytest.mark.parametrize("indexed", [False, True], ids=["row by row", "by the index"])
def test_a_word_names_a_place_only_in_the_journals_own_countries(journal: Journal, indexed: bool) -> None:
    gazetteer()
    if indexed:
        with_index(journal)
    # "Police" is a town in Poland (Pölitz in German): not in this journal's countries, a word.
    assert titles(journal, IncidentFilter(text="police")) == set()
    assert titles(journal, IncidentFilter(text="Pölitz")) == {"Windows shut near Pölitz"}
    # Once an incident in Poland is recorded, the word is taken for the town there.
    journal.add(journal_fields(title="Police port", place="Police", region="West Pomerania", country="Poland"))
    assert titles(journal, IncidentFilter(text="police")) == {"Windows shut near Pölitz", "Police port"}


@pytest.mark.parametrize(
    ("word", "found"),
    [
        ("Слов'янськ", {"Shelling of the station"}),  # Sloviansk's own name, not Nikopol's old one
        ("Ставрополь", {"Airfield hit"}),  # Stavropol, not Tolyatti (once Stavropol-on-Volga)
        ("Олександрівка", {"Village shelled"}),  # dozens of villages: none taken, the word alone
        ("Pokrovsk", {"Strike on Pokrovsk"}),  # Donetsk region's, not Yakutia's nor Engels
        ("Покровськ", {"Strike on Pokrovsk"}),
    ],
)
def test_a_word_stands_for_the_place_called_so_not_one_once_called_so(
    journal: Journal, word: str, found: set[str]
) -> None:
    gazetteer()
    for title, place, region, country in (
        ("Shelling of the station", "Sloviansk", "Donetsk", "Ukraine"),
        ("Port hit", "Nikopol", "Dnipropetrovsk", "Ukraine"),
        ("Airfield hit", "Stavropol", "Stavropol", "Russia"),
        ("Plant fire", "Tolyatti", "Samara", "Russia"),
        ("Village shelled", "Олександрівка", "Donetsk", "Ukraine"),
        ("City centre hit", "Donetsk", "Donetsk", "Ukraine"),
        ("Strike on Pokrovsk", "Pokrovsk", "Donetsk", "Ukraine"),
        ("Engels airbase", "Engels", "Saratov", "Russia"),
    ):
        journal.add(journal_fields(title=title, place=place, region=region, country=country))
    assert titles(journal, IncidentFilter(text=word)) == found


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


def test_typing_on_searches_only_the_last_result(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    gazetteer()
    searched: list[int] = []
    select_rows = IncidentFilter.select_rows

    def counting(self: IncidentFilter, rows: list, **options: object) -> list:
        searched.append(len(rows))
        return select_rows(self, rows, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(IncidentFilter, "select_rows", counting)
    found = [len(journal.query_rows(IncidentFilter(text=typed))) for typed in ("f", "fa", "fac", "fact")]
    # The first key searches every row; each next one only what the key before it found.
    assert searched == [len(journal), *found[:-1]]
    assert found[0] < len(journal)
