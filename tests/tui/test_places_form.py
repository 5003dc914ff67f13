"""The form's places (issue 14): typing in Place shows the places it may name, choosing one fills
region, country, coordinates and geo precision where they are empty and says so, a region or
country typed that names another region is replaced only when asked; coordinates typed offer the
nearest place. Keys go as bursts, the save key right behind them."""

from __future__ import annotations

import sys
import threading

import pytest

from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.list import ListScreen
from tui.widgets.place_suggestions import NearestPlace, PlaceSuggestions, places, read_places

from .conftest import form_ready, list_shown, screen_text, showing, wait_until
from .test_entry import all_keys_handled, burst, field, saved_titled, typed

SIZE = (130, 45)
IZHEVSK_LABEL = "Izhevsk — Udmurtia, Russia · 648,213"


@pytest.fixture
def gazetteer_read():
    """The gazetteer read (once per process), its reverse lookup with it."""
    return read_places()


def suggestions(app) -> PlaceSuggestions:
    return app.screen.query_one(PlaceSuggestions)


def offered(app) -> list[str]:
    box = suggestions(app)
    return [place.label() for place in box.places] if box.showing else []


def note_beside(app, name: str) -> str:
    found = app.screen.query(f"#e-{name}")
    return str(found.first().render()) if found else ""


async def new_form(pilot) -> None:
    await list_shown(pilot)
    await pilot.press("n")
    await wait_until(pilot, lambda: form_ready(pilot.app), what="the new incident's form")


def to_place(title: str, date: str = "2025-03-01") -> list[str]:
    """Keys from the form's title to its Place field: title, the date (When), then Place (Where)."""
    return [*typed(title), "ctrl+down", *typed(date), "ctrl+down"]


# -- choosing a place ---------------------------------------------------------------------------


async def test_a_place_typed_at_once_is_chosen_and_saved_with_what_it_filled(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        # n, a title, a date, "Izhevsk", ↓ Enter to choose it, ctrl+s: one burst, nothing waited for.
        burst(app, "n", *to_place("Factory fire PLACES-1"), *typed("Izhevsk"), "down", "enter", "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Factory fire PLACES-1")
    assert saved is not None
    assert (saved.place, saved.region, saved.country) == ("Izhevsk", "Udmurtia", "Russia")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (56.85225, 53.19862, "near")


async def test_the_matches_show_under_place_and_the_choice_says_what_it_filled(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(app, *to_place("Factory fire PLACES-2"), *typed("Izh"))
        await wait_until(pilot, lambda: all_keys_handled(app) and offered(app), what="places offered")
        assert offered(app)[0] == IZHEVSK_LABEL
        assert len(offered(app)) <= 8
        assert IZHEVSK_LABEL in screen_text(app)  # shown as it is, under the field
        assert "Enter fills its region" in str(app.screen.query_one("#form-hint").render())
        burst(app, "down", "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and not suggestions(app).showing)
        assert showing(app, EditScreen)  # Enter chose; it neither saved nor left the form
        values = app.screen.current_values()
        # "Izh" named no place: the place's name replaces it
        assert (values["place"], values["region"], values["country"]) == ("Izhevsk", "Udmurtia", "Russia")
        assert (values["latitude"], values["longitude"], values["geo_precision"]) == ("56.85225", "53.19862", "near")
        assert note_beside(app, "place") == (
            "filled place Izhevsk, region Udmurtia, country Russia, coordinates 56.85225, 53.19862"
            f" from {IZHEVSK_LABEL}"
        )
        assert saved_titled(journal, "Factory fire PLACES-2") is None
        burst(app, *typed(" town"))  # typing on in Place: the note goes, the matches come back
        await wait_until(pilot, lambda: all_keys_handled(app) and note_beside(app, "place") == "")


@pytest.mark.parametrize(
    ("typed_place", "kept"),
    [
        ("Ижевск", "Ижевск"),  # a name of the place as written: kept
        ("в Ижевске", "Izhevsk"),  # a form a sentence put it in: the place's name
    ],
)
async def test_a_name_of_the_place_is_kept_as_typed_a_declined_form_becomes_its_name(
    journal, gazetteer_read, typed_place, kept
):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(app, *to_place("Удар по заводу PLACES-3"), paste=typed_place)
        await wait_until(pilot, lambda: all_keys_handled(app) and offered(app), what="places offered")
        assert offered(app)[0] == IZHEVSK_LABEL
        burst(app, "down", "enter", "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Удар по заводу PLACES-3")
    assert (saved.place, saved.region, saved.country) == (kept, "Udmurtia", "Russia")


async def test_up_down_move_through_the_matches_and_escape_hides_them_before_it_cancels(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(app, *to_place("PLACES-4"), *typed("Pokrovsk"))
        await wait_until(pilot, lambda: all_keys_handled(app) and len(offered(app)) >= 3, what="places offered")
        box = suggestions(app)
        burst(app, "down", "down", "down", "up")
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert box.marked == 1
        assert box.chosen is not None and box.chosen.label() == offered(app)[1]
        burst(app, "escape")
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert not box.showing and showing(app, EditScreen)  # hidden; the form stays
        assert field(app, "place").value == "Pokrovsk" and field(app, "region").value == ""
        burst(app, "escape")  # now Esc leaves the form, asking first: something was typed
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen))


async def test_the_matches_go_when_the_cursor_leaves_place_and_tab_still_moves_on(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(app, *to_place("PLACES-5"), *typed("Izhevsk"))
        await wait_until(pilot, lambda: all_keys_handled(app) and offered(app))
        burst(app, "tab", *typed("Udmurt Republic"))
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert not suggestions(app).showing
        assert field(app, "region").value == "Udmurt Republic"
        assert field(app, "place").value == "Izhevsk"  # nothing filled without a choice
        assert field(app, "latitude").value == ""


# -- a region or country typed is replaced only when asked ------------------------------------------


async def test_a_region_typed_that_names_the_same_region_is_kept_without_asking(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        # Past Place to the region, "Udmurt Republic", shift+Tab back to Place, choose Izhevsk, save.
        burst(
            app,
            *to_place("Factory fire PLACES-6"),
            "tab",
            *typed("Udmurt Republic"),
            "shift+tab",
            *typed("Izhevsk"),
            "down",
            "enter",
            "ctrl+s",
        )
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Factory fire PLACES-6")
    assert (saved.region, saved.country, saved.latitude) == ("Udmurt Republic", "Russia", 56.85225)


@pytest.mark.parametrize("answer", ["n", "y"])
async def test_a_region_and_country_typed_that_name_another_are_replaced_only_on_yes(journal, gazetteer_read, answer):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(
            app,
            *to_place(f"Factory fire PLACES-7{answer}"),
            "tab",
            *typed("Kharkiv Oblast"),
            "tab",
            *typed("Ukraine"),
            "shift+tab",
            "shift+tab",
            *typed("Izhevsk"),
            "down",
            "enter",
        )
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen), what="asked")
        dialog = app.screen
        assert dialog.question == "Izhevsk is in Udmurtia, Russia. Replace the region and country you typed?"
        assert dialog.detail == "region: Kharkiv Oblast → Udmurtia\ncountry: Ukraine → Russia"
        burst(app, answer, "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, f"Factory fire PLACES-7{answer}")
    if answer == "y":
        assert (saved.region, saved.country) == ("Udmurtia", "Russia")
    else:
        assert (saved.region, saved.country) == ("Kharkiv Oblast", "Ukraine")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (56.85225, 53.19862, "near")  # were empty


async def test_coordinates_given_are_kept_with_their_precision(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")  # the Izhevsk incident: region, country and coordinates given
        await wait_until(pilot, lambda: form_ready(app))
        given = {name: field(app, name).value for name in ("region", "country", "latitude", "longitude")}
        app.screen.set_focus(field(app, "place"))
        burst(app, "ctrl+u", *typed("Izhevsk"), "down", "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and note_beside(app, "place"))
        assert {name: field(app, name).value for name in given} == given
        assert "nothing filled" in note_beside(app, "place")


# -- coordinates offer the nearest place -----------------------------------------------------------


async def test_coordinates_typed_offer_the_nearest_place_and_enter_takes_it(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        # Place left empty: Tab past it, region and country, to the coordinates.
        burst(app, *to_place("Factory fire PLACES-8"), "tab", "tab", "tab", *typed("56.85"), "tab", *typed("53.2"))
        nearest = app.screen.query_one(NearestPlace)
        await wait_until(pilot, lambda: all_keys_handled(app) and nearest.offered is not None, what="nearest offered")
        assert f"Nearest: {IZHEVSK_LABEL} (0.3 km) · Enter takes its place, region and country" in screen_text(app)
        burst(app, "enter", "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Factory fire PLACES-8")
    assert (saved.place, saved.region, saved.country) == ("Izhevsk", "Udmurtia", "Russia")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (56.85, 53.2, None)  # as typed


async def test_coordinates_far_from_any_place_say_so(journal, gazetteer_read):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        burst(app, *to_place("PLACES-9"), "tab", "tab", "tab", *typed("0"), "tab", *typed("-30"), "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and "No known place within 20 km" in screen_text(app))
        assert field(app, "place").value == "" and showing(app, EditScreen)


# -- the gazetteer is read in a thread: no key waits for it -----------------------------------------


async def test_keys_typed_while_the_gazetteer_is_read_are_all_kept_and_the_matches_come_after(journal, monkeypatch):
    module = sys.modules["store.geo.gazetteer"]
    gate = threading.Event()
    real = module.Gazetteer

    class Slow(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            gate.wait(30)  # held until the test has typed everything
            super().__init__()

    monkeypatch.setattr(module, "_loaded", None)  # a fresh read, here; the real one is put back after
    monkeypatch.setattr(module, "Gazetteer", Slow)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        burst(
            app,
            "n",
            *to_place("Factory fire PLACES-10"),
            *typed("Izhevsk"),
            "down",
            "enter",
            "tab",
            *typed("Udmurtia"),
            "tab",
            *typed("Russia"),
        )
        await wait_until(pilot, lambda: all_keys_handled(app), what="every key handled while the read waits")
        assert places() is None  # still being read: not one key waited for it
        values = app.screen.current_values()
        assert (values["title"], values["date"]) == ("Factory fire PLACES-10", "2025-03-01")
        assert (values["place"], values["region"], values["country"]) == ("Izhevsk", "Udmurtia", "Russia")
        assert values["latitude"] == ""
        burst(app, "shift+tab", "shift+tab")  # back to Place
        await wait_until(pilot, lambda: all_keys_handled(app))
        gate.set()
        # The read done, the matches for what Place holds show without another key.
        await wait_until(
            pilot, lambda: offered(app) and offered(app)[0] == IZHEVSK_LABEL, what="matches after the read"
        )
        burst(app, "down", "enter", "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Factory fire PLACES-10")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (56.85225, 53.19862, "near")


async def test_the_list_searches_again_once_the_gazetteer_is_read(journal, monkeypatch):
    module = sys.modules["store.geo.gazetteer"]
    gate = threading.Event()
    real = module.Gazetteer

    class Slow(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            gate.wait(30)
            super().__init__()

    monkeypatch.setattr(module, "_loaded", None)
    monkeypatch.setattr(module, "Gazetteer", Slow)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        listing = app.screen
        searches = []
        original = listing.set_filter

        def counted(**changes):
            searches.append(changes)
            original(**changes)

        monkeypatch.setattr(listing, "set_filter", counted)
        burst(app, "slash", *typed("Odessa"))
        await wait_until(pilot, lambda: all_keys_handled(app) and listing.incident_filter.text == "Odessa")
        assert places() is None and len(searches) == 1  # a burst searches once, for its last key
        gate.set()
        await wait_until(pilot, lambda: len(searches) == 2, what="the search run again after the read")
        assert searches[-1] == {"text": "Odessa"}
        assert isinstance(app.screen, ListScreen)


async def test_enter_in_the_coordinates_before_the_gazetteer_is_read_takes_the_place_once_read(journal, monkeypatch):
    module = sys.modules["store.geo.gazetteer"]
    gate = threading.Event()
    real = module.Gazetteer

    class Slow(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            gate.wait(30)  # held until the test has typed everything
            super().__init__()

    monkeypatch.setattr(module, "_loaded", None)
    monkeypatch.setattr(module, "Gazetteer", Slow)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(pilot)
        # Coordinates, Enter to take the nearest place and the save key, all at once, before the read.
        burst(
            app,
            *to_place("Factory fire PLACES-11"),
            "tab",
            "tab",
            "tab",
            *typed("48.28"),
            "tab",
            *typed("37.18"),
            "enter",
            "ctrl+s",
        )
        await wait_until(pilot, lambda: app.screen.current_values()["longitude"] == "37.18", what="coordinates typed")
        # The save waits behind the Enter: the form holds the keys until the gazetteer is read.
        assert places() is None and isinstance(app.screen, EditScreen) and not app.screen.accepts_keys
        gate.set()
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Factory fire PLACES-11")
    assert (saved.place, saved.region, saved.country) == ("Pokrovsk", "Donetsk", "Ukraine")
    assert (saved.latitude, saved.longitude) == (48.28, 37.18)
