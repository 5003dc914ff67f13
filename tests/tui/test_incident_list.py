"""The incident list as a view over many rows: it scrolls to the end, draws only what is on
screen, keeps the chosen incident across filters and opens the row under the cursor."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from textual.widgets import Select

from store import Incident, Journal
from tui.app import JournalApp
from tui.screens.detail import DetailScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

from .conftest import list_shown, showing, wait_until

SIZE = (120, 30)
COUNT = 3000
REGIONS = ("Belgorod", "Kursk", "Rostov", "Crimea")


def make(number: int) -> Incident:
    day = dt.date(2022, 1, 1) + dt.timedelta(days=number)
    return Incident.model_validate({
        "id": str(uuid.UUID(int=number + 1, version=4)),
        "title": f"Incident number {number:04d}",
        "date": day.isoformat(),
        "country": "Russia",
        "region": REGIONS[number % len(REGIONS)],
        "killed": str(number % 3),
        "created_at": "2024-07-02T09:30:00Z",
        "updated_at": "2024-07-02T09:30:00Z",
    })


@pytest.fixture
def big_journal(tmp_path):
    journal = Journal(tmp_path / "big.json")
    journal.import_incidents(make(number) for number in range(COUNT))
    yield journal
    journal.close()


def listing(app) -> IncidentList:
    return app.screen.query_one(IncidentList)


def visible_titles(app) -> list[str]:
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - test helper
    text = ["".join(segment.text for segment in strip) for strip in strips]
    return [line[line.index("Incident number"):][:20] for line in text if "Incident number" in line]


def at_row(app, cursor: int) -> bool:
    return listing(app).cursor == cursor


def searched_for(app, text: str) -> bool:
    """The list shows the rows of the search ``text`` (typed so far)."""
    return app.screen.incident_filter.text == text


def region_picked(app, region: str) -> bool:
    picker = app.screen.query_one("#region-filter", Select)
    return picker.value == region and not picker.expanded and isinstance(app.focused, IncidentList)


async def test_g_and_G_reach_both_ends_and_the_end_is_drawn(big_journal):
    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: visible_titles(app), what="the rows drawn")
        assert visible_titles(app)[0] == "Incident number 2999"  # newest first
        await pilot.press("G")
        await wait_until(pilot, lambda: at_row(app, COUNT - 1) and "Incident number 0000" in visible_titles(app),
                         what="G to reach the last row and draw it")
        assert visible_titles(app)[-1] == "Incident number 0000"
        await pilot.press("pageup")
        await wait_until(pilot, lambda: at_row(app, COUNT - 1 - listing(app)._rows_visible),  # noqa: SLF001
                         what="pageup to move the cursor a screenful up")
        await pilot.press("g")
        await wait_until(pilot, lambda: at_row(app, 0) and "Incident number 2999" in visible_titles(app),
                         what="g to reach the first row and draw it")
        assert visible_titles(app)[0] == "Incident number 2999"


async def test_only_the_rows_on_screen_are_drawn(big_journal, monkeypatch):
    drawn: set[int] = set()
    original = IncidentList.render_line

    def counting(self, y):
        drawn.add(round(self.scroll_y) + y)
        return original(self, y)

    monkeypatch.setattr(IncidentList, "render_line", counting)
    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("G")
        # Not by reading the screen, which would draw rows itself: by what the app drew.
        await wait_until(pilot, lambda: at_row(app, COUNT - 1) and COUNT - 1 in drawn,
                         what="G to reach the last row and draw it")
        height = listing(app).size.height
    assert len(drawn) <= 3 * height  # the top screenful and the bottom one, not 3,000 rows


async def test_the_chosen_incident_is_kept_across_filters(big_journal):
    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press(*["j"] * 41)
        await wait_until(pilot, lambda: at_row(app, 41), what="41 j to move the cursor down")
        chosen = listing(app).highlighted
        assert chosen.title == "Incident number 2958"
        # a filter that keeps it: the cursor stays on it
        await pilot.press("slash", *"2958", "enter")
        await wait_until(pilot, lambda: searched_for(app, "2958") and isinstance(app.focused, IncidentList),
                         what="the search for 2958, and the cursor back in the list")
        assert listing(app).highlighted.id == chosen.id
        # one that hides it, then clearing: back on it
        app.screen.query_one("#search").value = "0001"
        await wait_until(pilot, lambda: searched_for(app, "0001"), what="the search for 0001")
        assert listing(app).highlighted.title == "Incident number 0001"
        await pilot.press("x")
        await wait_until(pilot, lambda: len(listing(app).incidents) == COUNT, what="x to clear the search")
        assert listing(app).highlighted.id == chosen.id
        # a region filter, the same
        await pilot.press("r", "down", "enter")  # Belgorod: numbers divisible by 4; 2958 is not
        await wait_until(pilot, lambda: region_picked(app, "Belgorod"), what="the region Belgorod picked")
        assert all(row.region == "Belgorod" for row in listing(app).incidents)
        await pilot.press("x")
        await wait_until(pilot, lambda: len(listing(app).incidents) == COUNT, what="x to clear the region")
        assert listing(app).highlighted.id == chosen.id


async def test_enter_opens_the_row_under_the_cursor_after_filtering_and_scrolling(big_journal):
    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("r", "down", "down", "enter")  # Crimea: numbers that leave 3 when divided by 4
        await wait_until(pilot, lambda: region_picked(app, "Crimea"), what="the region Crimea picked")
        await pilot.press("pagedown", "pagedown", "j", "j")
        await wait_until(pilot, lambda: at_row(app, 2 * listing(app)._rows_visible + 2),  # noqa: SLF001
                         what="two pages and two rows down")
        expected = listing(app).highlighted
        assert expected.region == "Crimea"
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail of the row")
        assert app.screen.current == expected.id
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list again")
        assert listing(app).highlighted.id == expected.id


async def test_typing_on_narrows_and_deleting_widens_the_search_again(big_journal):
    def expected(text: str) -> int:
        return sum(1 for number in range(COUNT) if text in f"{number:04d}")

    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("slash", *"29")
        await wait_until(pilot, lambda: searched_for(app, "29"), what="the search for 29")
        assert len(listing(app).incidents) == expected("29")
        await pilot.press("9")
        await wait_until(pilot, lambda: searched_for(app, "299"), what="the search for 299")
        assert len(listing(app).incidents) == expected("299") < expected("29")
        await pilot.press("backspace", "backspace")
        await wait_until(pilot, lambda: searched_for(app, "2"), what="the search for 2")
        assert len(listing(app).incidents) == expected("2")


def checking(app) -> bool:
    """The list's records are still being checked (its worker is under way)."""
    return any(worker.group == "checks" and not worker.is_finished for worker in app.workers)


async def test_records_are_checked_in_slices_between_keys(big_journal, monkeypatch):
    import tui.screens.list as list_screen

    monkeypatch.setattr(list_screen, "CHECK_SLICE", 0.0)  # each slice stops after one record
    monkeypatch.setattr(list_screen, "CHECK_PAUSE", 0.05)  # 3,000 records: minutes, unless finished
    app = JournalApp(big_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: checking(app), what="the checks to start (after the first paint)")
        await pilot.press("j", "j")  # keys are handled between slices
        await wait_until(pilot, lambda: at_row(app, 2), what="j j to move the cursor down")
        assert checking(app)  # ... while the records are still being checked
        app.screen.finish_checks()
        await wait_until(pilot, lambda: not checking(app), what="the checks to end")
        assert at_row(app, 2)
