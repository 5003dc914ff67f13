"""The offline gazetteer: places by any of their names, in the forms a sentence puts them in,
ranked by population; the nearest place to coordinates; regions by any spelling."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from store.geo import (
    AmbiguousPlace,
    Gazetteer,
    PlaceNotFound,
    fill_from_place,
    fold,
    gazetteer,
    group_spellings,
    region_names,
)
from store.geo.names import base_forms

DATA = Path(sys.modules["store.geo.gazetteer"].__file__ or "").parent / "data"


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    return gazetteer()


def first(places: Gazetteer, query: str) -> str:
    found = places.lookup(query, limit=1)
    return found[0].label() if found else ""


def test_a_place_is_shown_with_its_region_country_and_population(places: Gazetteer) -> None:
    assert first(places, "Izhevsk") == "Izhevsk — Udmurtia, Russia · 648,213"


@pytest.mark.parametrize(
    ("query", "name", "region"),
    [
        # Latin spellings, old and new, any case
        ("Izhevsk", "Izhevsk", "Udmurtia"),
        ("IZHEVSK", "Izhevsk", "Udmurtia"),
        ("Kharkov", "Kharkiv", "Kharkiv"),
        ("Kiev", "Kyiv", "Kyiv City"),
        ("Odessa", "Odesa", "Odesa"),
        ("zaporizhzhia", "Zaporizhzhya", "Zaporizhia"),
        # Russian and Ukrainian Cyrillic
        ("Ижевск", "Izhevsk", "Udmurtia"),
        ("Одесса", "Odesa", "Odesa"),
        ("Одеса", "Odesa", "Odesa"),
        ("Харків", "Kharkiv", "Kharkiv"),
        ("Белгород", "Belgorod", "Belgorod"),
        # diacritics and apostrophes do not matter
        ("Lodz", "Łódź", "Łódź Voivodeship"),
        ("Sao Paulo", "São Paulo", "São Paulo"),
        ("Kup'yansk", "Kupyansk", "Kharkiv"),
        ("Kupyansk", "Kupyansk", "Kharkiv"),
    ],
)
def test_any_name_of_a_place_finds_it(places: Gazetteer, query: str, name: str, region: str) -> None:
    place = places.lookup(query, limit=1)[0]
    assert (place.name, place.region) == (name, region)


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("в Ижевске", "Izhevsk"),
        ("по Ижевску", "Izhevsk"),
        ("под Ижевском", "Izhevsk"),
        ("из Ижевска", "Izhevsk"),
        ("у Харкові", "Kharkiv"),
        ("в Києві", "Kyiv"),
        ("у Львові", "Lviv"),
        ("в Одесі", "Odesa"),
        ("в Одессе", "Odesa"),
        ("у Дніпрі", "Dnipro"),
        ("в Сумах", "Sumy"),
        ("в Миколаєві", "Mykolayiv"),
        ("в Авдеевке", "Avdiyivka"),
        ("у Куп'янську", "Kupyansk"),
        ("в Нижнем Новгороде", "Nizhniy Novgorod"),
        ("в Белгороде", "Belgorod"),
        ("в Шебекино", "Shebekino"),
        ("у Білій Церкві", "Bila Tserkva"),
        ("в Ростове-на-Дону", "Rostov-on-Don"),
        ("у Краматорську", "Kramatorsk"),
        ("в Горловке", "Horlivka"),
        ("в Енергодарі", "Enerhodar"),
        ("Кривом Роге", "Kryvyy Rih"),
    ],
)
def test_the_forms_a_russian_or_ukrainian_sentence_uses_find_the_place(
    places: Gazetteer, phrase: str, name: str
) -> None:
    assert places.lookup(phrase, limit=1)[0].name == name


def test_a_name_as_written_is_taken_before_forms_it_may_be_declined_from(places: Gazetteer) -> None:
    # "Суми" is a town as written: it is not also read as a case of "Сума".
    assert [place.name for place in places.lookup("Суми", limit=3)][:1] == ["Sumy"]
    assert base_forms("в Ижевске")[:2] == [fold("в Ижевске"), fold("Ижевске")]


def test_places_sharing_a_name_are_ranked_by_population_their_own_name_first(places: Gazetteer) -> None:
    odessa = places.lookup("Odessa", limit=3)
    assert [place.country for place in odessa[:2]] == ["Ukraine", "United States"]
    assert odessa[0].population > odessa[1].population > odessa[2].population
    pokrovsk = [place.label() for place in places.lookup("Pokrovsk", limit=5)]
    # The town called Pokrovsk comes before Engels (Pokrovsk until 1931), though Engels is larger.
    assert pokrovsk[0].startswith("Pokrovsk — Donetsk, Ukraine")
    assert any(label.startswith("Engels — Saratov, Russia") for label in pokrovsk)
    assert any(label.startswith("Pokrovsk — Sakha, Russia") for label in pokrovsk)


def test_a_name_several_places_share_is_refused_with_the_candidates(places: Gazetteer) -> None:
    with pytest.raises(AmbiguousPlace) as refused:
        places.resolve("Pokrovsk")
    assert len(refused.value.candidates) >= 2
    assert refused.value.candidates[0].name == "Pokrovsk"
    # A region or country narrows the candidates to one; so do coordinates near one of them.
    assert places.resolve("Pokrovsk", region="Donetsk").region == "Donetsk"
    assert places.resolve("Pokrovsk", region="Sakha").country == "Russia"
    assert places.resolve("Pokrovsk", near=(62.0, 129.0)).region == "Sakha"


def test_a_name_one_place_far_outnumbers_the_others_in_is_taken(places: Gazetteer) -> None:
    assert places.resolve("Donetsk").region == "Donetsk"
    assert places.resolve("в Ижевске").name == "Izhevsk"
    assert places.resolve("Kharkov").name == "Kharkiv"


def test_a_place_known_by_a_name_does_not_win_it_from_one_called_so_without_a_clear_lead(places: Gazetteer) -> None:
    # Odessa is Odesa's own name in another spelling (as "Харків" and "Kharkov" are Kharkiv's):
    # it leads Odessa in Texas, a ninth its size, and is taken.
    assert places.resolve("Odessa").country == "Ukraine"
    assert places.is_own_name(places.resolve("Kharkiv"), "Харків") and places.is_own_name(
        places.resolve("Kharkiv"), "Kharkov"
    )
    # "Слов'янськ" is Sloviansk, called so, before Nikopol, once called so too (the same size).
    assert [place.name for place in places.lookup("Слов'янськ", limit=2)] == ["Slovyansk", "Nikopol"]
    assert [place.name for place in places.lookup("Ставрополь", limit=2)] == ["Stavropol", "Tolyatti"]
    # Engels (196,011) was Pokrovsk until 1931; Pokrovsk in Yakutia (9,763) is called so.
    with pytest.raises(AmbiguousPlace) as refused:
        places.resolve("Pokrovsk", country="Russia")
    assert {place.name for place in refused.value.candidates} == {"Pokrovsk", "Engels"}


def test_a_lone_surrogate_is_no_name(places: Gazetteer) -> None:
    assert places.lookup("\ud800") == [] and places.complete("Iz\ud800") == []


def test_an_unknown_name_is_not_found(places: Gazetteer) -> None:
    assert places.lookup("Qwxzzy") == []
    with pytest.raises(PlaceNotFound):
        places.resolve("Qwxzzy")
    with pytest.raises(PlaceNotFound, match="in Texas"):
        places.resolve("Izhevsk", region="Texas")


def test_completion_offers_places_starting_with_what_is_typed(places: Gazetteer) -> None:
    assert places.complete("Izhev")[0].name == "Izhevsk"
    assert "Pokrovsk" in [place.name for place in places.complete("Pokr")]
    assert places.complete("Ижевс")[0].name == "Izhevsk"


def test_the_nearest_place_within_20_km(places: Gazetteer) -> None:
    found = places.nearest(56.85, 53.2)
    assert found is not None
    place, km = found
    assert place.name == "Izhevsk" and km < 1
    kharkiv = places.nearest(49.99, 36.23)
    assert kharkiv is not None and kharkiv[0].name == "Kharkiv"
    assert places.nearest(0.0, -150.0) is None  # the middle of the Pacific
    assert places.nearest(56.85, 53.2, within_km=0.1) is None
    # Across the antimeridian: Savusavu (Fiji, 179.34° E) from 179.99° W, 72 km away.
    across = places.nearest(-16.8, -179.99, within_km=100)
    assert across is not None and across[0].name == "Savusavu" and 70 < across[1] < 74


def test_every_name_of_a_place_as_written(places: Gazetteer) -> None:
    odesa = places.lookup("Odesa", limit=1)[0]
    names = places.names_of(odesa)
    assert names[0] == "Odesa"
    assert {"Odessa", "Одеса", "Одесса"} <= set(names)


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Udmurtia", "Udmurtia"),
        ("Udmurt Republic", "Udmurtia"),
        ("Удмуртия", "Udmurtia"),
        ("udmurtiya republic", "Udmurtia"),
        ("Kharkiv Oblast", "Kharkiv"),
        ("Харківська область", "Kharkiv"),
        ("Zaporizhzhia", "Zaporizhia"),
        ("Belgorod region", "Belgorod"),
        ("Белгородская область", "Belgorod"),
        ("Rostov Oblast", "Rostov"),
        ("Crimea", "Crimea"),
        ("Kiev Oblast", "Kyiv"),
        ("Texas", "Texas"),
    ],
)
def test_a_region_is_known_by_any_spelling_and_named_as_acled_names_it(spelling: str, name: str) -> None:
    assert region_names().name_of(spelling) == name


def test_an_unknown_region_names_nothing() -> None:
    assert region_names().name_of("Narnia") is None


def test_spellings_of_one_region_are_one_entry() -> None:
    counts = [("Udmurtia", 3), ("Udmurt Republic", 1), ("Удмуртия", 2), ("Belgorod", 5), ("Narnia", 2), ("narnia", 1)]
    groups = {group.name: group for group in group_spellings(counts, region_names())}
    assert sorted(groups) == ["Belgorod", "Narnia", "Udmurtia"]
    udmurtia = groups["Udmurtia"]
    assert (udmurtia.count, udmurtia.split) == (6, True)
    assert [spelling for spelling, _ in udmurtia.spellings] == ["Udmurtia", "Удмуртия", "Udmurt Republic"]
    assert groups["Narnia"].count == 3 and groups["Narnia"].split  # by case only
    assert not groups["Belgorod"].split


def test_a_place_fills_only_what_is_empty(places: Gazetteer) -> None:
    izhevsk = places.resolve("Izhevsk")
    filled = fill_from_place(izhevsk, {"region": "", "country": None}, region_names())
    assert filled.values == {
        "region": "Udmurtia",
        "country": "Russia",
        "latitude": izhevsk.latitude,
        "longitude": izhevsk.longitude,
        "geo_precision": "near",
    }
    assert filled.describe().startswith("filled region Udmurtia, country Russia, coordinates 56.85")
    # Another spelling of the same region is no conflict and is kept; coordinates given are kept.
    kept = fill_from_place(
        izhevsk, {"region": "Udmurt Republic", "country": "Russia", "latitude": 1.0, "longitude": 2.0}, region_names()
    )
    assert kept.values == {} and kept.conflicts == {} and kept.describe() == ""
    # Another region or country is a conflict, never overwritten.
    other = fill_from_place(izhevsk, {"region": "Tatarstan", "country": "Ukraine"}, region_names())
    assert other.conflicts == {"country": ("Ukraine", "Russia"), "region": ("Tatarstan", "Udmurtia")}
    assert "region" not in other.values and "country" not in other.values


def test_the_shipped_data_is_within_its_budget() -> None:
    size = sum(path.stat().st_size for path in DATA.iterdir())
    assert size <= 15_000_000
    assert len(gazetteer()) > 150_000


def test_the_readme_shows_the_region_table_as_it_is() -> None:
    readme = (DATA.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    table = (DATA.parent / "regions.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in table if line.strip() and not line.startswith("#")]
    assert len(rows) == 27 + 83
    for country, code, name, others in rows:
        assert f"| {country}.{code} | {name} | {others.replace('|', ', ')} |" in readme
