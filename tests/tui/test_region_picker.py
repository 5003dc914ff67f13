"""The list's region picker (issue 14): one entry per region however its incidents spell it, with
the incidents of every spelling counted, and choosing it shows them all."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from store import IncidentFields
from tui.app import JournalApp
from tui.screens.list import ListScreen, region_entry
from tui.widgets.incident_list import IncidentList

from .conftest import list_shown, screen_text, wait_until
from .test_entry import all_keys_handled, burst, typed

SIZE = (130, 45)
IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
#: Spellings added to the seeds' four regions (Udmurtia, Belgorod, Crimea and Rostov, one each).
ADDED = ["Udmurt Republic", "Udmurt Republic", "Удмуртия", "belgorod", "Narnia [/b]"]


@pytest.fixture
def spelt(journal):
    record = journal.get(IZHEVSK).fields_record()
    for number, region in enumerate(ADDED):
        journal.add(IncidentFields.model_validate({**record, "title": f"Spelt {number}", "region": region}))
    return journal


def entries(app) -> list[tuple[str, str]]:
    """The picker's entries: (what it shows, the region it filters by)."""
    select = app.screen.query_one("#region-filter", Select)
    return [(str(prompt), value) for prompt, value in select._options]  # noqa: SLF001 - test helper


def grouped(app) -> bool:
    return any(shown.startswith("Udmurtia (4") for shown, _ in entries(app))


async def test_one_entry_per_region_with_the_incidents_of_every_spelling(spelt):
    app = JournalApp(spelt)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: grouped(app), what="the region names read and the picker grouped")
        assert entries(app) == [
            ("All regions", ""),
            ("Belgorod (2, 2 spellings)", "Belgorod"),
            ("Crimea (1)", "Crimea"),
            ("Narnia [/b] (1)", "Narnia [/b]"),  # unknown to the gazetteer: its own, as typed
            ("Rostov (1)", "Rostov"),
            ("Udmurtia (4, 3 spellings)", "Udmurtia"),
        ]
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.query_one("#region-filter", Select).expanded)
        shown = screen_text(app)
        assert "Udmurtia (4, 3 spellings)" in shown and "Narnia [/b] (1)" in shown  # literal text


async def test_choosing_a_region_by_its_start_shows_every_spelling_of_it(spelt):
    app = JournalApp(spelt)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: grouped(app), what="the picker grouped")
        burst(app, "r", *typed("udm"), "enter")
        await wait_until(
            pilot,
            lambda: all_keys_handled(app) and app.screen.incident_filter.region == "Udmurtia",
            what="Udmurtia chosen",
        )
        listing = app.screen.query_one(IncidentList)
        await wait_until(pilot, lambda: len(listing.incidents) == 4, what="the four incidents of Udmurtia")
        assert sorted(row.region for row in listing.incidents) == [
            "Udmurt Republic",
            "Udmurt Republic",
            "Udmurtia",
            "Удмуртия",
        ]
        assert isinstance(app.screen, ListScreen) and isinstance(app.focused, IncidentList)
        # Still one entry per region, and the chosen one shown as chosen.
        picker = app.screen.query_one("#region-filter", Select)
        assert picker.value == "Udmurtia"
        assert [value for _, value in entries(app)].count("Udmurtia") == 1
        # The chosen entry, longer than the closed picker, stays on its one line (cut, not wrapped).
        await wait_until(pilot, lambda: picker.outer_size.height == 3, what="the picker three rows high")


def test_an_entry_names_its_spellings_when_they_differ():
    from store.geo import RegionSpellings

    assert region_entry(RegionSpellings("Udmurtia", "RU.80", (("Udmurtia", 6),))) == "Udmurtia (6)"
    assert region_entry(RegionSpellings("Udmurtia", "RU.80", (("Udmurt Republic", 2),))) == (
        "Udmurtia (2, as Udmurt Republic)"
    )
    assert (
        region_entry(RegionSpellings("Udmurtia", "RU.80", (("Udmurtia", 3), ("Удмуртия", 2), ("Udmurt Republic", 1))))
        == "Udmurtia (6, 3 spellings)"
    )
    assert region_entry(RegionSpellings("X\x1b[31m", "", (("X\x1b[31m", 1),))) == "X\\x1b[31m (1)"
