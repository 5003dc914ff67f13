"""One way the screens learn of a change (issue 12): the app's ``journal_version``.

Every change (a save, a delete, an undo here; another program's, once re-read) moves it; a screen
in sight shows the change at once, and a screen underneath shows it as soon as it is back on top,
with no call of its own. Nothing is shown again when nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input

from store import IncidentFields, Journal
from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.list import ListScreen
from tui.screens.overview import OverviewScreen
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, header, list_shown, move_to, notifications, screen_text, showing, wait_until
from .test_entry import all_keys_handled, burst, typed

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
BELGOROD = "9ccb6b32-da98-47df-8bc1-fcd75b62a9da"
SIZE = (130, 40)


@pytest.fixture(autouse=True)
def no_polling(monkeypatch) -> None:
    """The app looks for other programs' changes only when a test says so (``check_for_changes``),
    so that what a screen shows can only have come the way the test names."""
    monkeypatch.setattr(JournalApp, "WATCH_INTERVAL", 3600.0)


def listing(app) -> IncidentList:
    """The list's rows (the list need not be on top)."""
    screen = next(screen for screen in app.screen_stack if isinstance(screen, ListScreen))
    return screen.query_one(IncidentList)


def titles(app) -> list[str]:
    return [getattr(row, "title", "") for row in listing(app).incidents]


def highlighted_id(app) -> str | None:
    row = listing(app).highlighted
    return row.id if row is not None else None


def killed_shown(app) -> str:
    """The killed count the detail on top shows."""
    lines = [line.strip() for line in screen_text(app).splitlines() if line.strip().startswith("Killed:")]
    return lines[0].removeprefix("Killed:").strip() if showing(app, DetailScreen) and lines else ""


def list_says(app, words: str) -> bool:
    return showing(app, ListScreen) and words in screen_text(app)


def detail_says(app, words: str) -> bool:
    return showing(app, DetailScreen) and words in screen_text(app)


async def open_detail(pilot, incident_id: str) -> DetailScreen:
    await move_to(pilot, incident_id)
    await pilot.press("enter")
    await wait_until(pilot, lambda: showing(pilot.app, DetailScreen), what="the detail")
    return pilot.app.screen


def another_program(journal: Journal) -> Journal:
    """A second ``Journal`` on the same file, as another incident-journal process has it."""
    return Journal(journal.path)


# -- another program's change ------------------------------------------------------------------------


async def test_another_programs_change_shows_in_the_detail_and_in_the_list_beneath(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_detail(pilot, IZHEVSK)
        with another_program(journal) as other:
            other.update(other.get(IZHEVSK).with_changes(title="Izhevsk factory fire, retitled elsewhere"))
            other.add(IncidentFields(title="Added by a script", date="2024-07-05", country="Russia", region="Kursk"))
        assert app.check_for_changes() is True
        await wait_until(pilot, lambda: detail_says(app, "Izhevsk factory fire, retitled elsewhere"),
                         what="the detail showing the new title")
        # Back on the list: it shows both changes, and nothing but Esc was done.
        await pilot.press("escape")
        await wait_until(pilot, lambda: list_says(app, "Added by a script"), what="the list with the added incident")
        assert "5 of 5 incidents" in header(app)
        assert "Izhevsk factory fire, retitled elsewhere" in titles(app)
        assert highlighted_id(app) == IZHEVSK  # the cursor where it was


async def test_the_apps_own_look_at_the_file_updates_a_detail_under_the_history(journal, monkeypatch):
    monkeypatch.setattr(JournalApp, "WATCH_INTERVAL", 0.05)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_detail(pilot, IZHEVSK)
        await pilot.press("h")
        await wait_until(pilot, lambda: showing(app, HistoryScreen), what="the history")
        with another_program(journal) as other:
            other.update(other.get(IZHEVSK).with_changes(killed="4"))
        # The history in sight shows the new revision as soon as the app looked (no call here) ...
        await wait_until(pilot, lambda: "killed: 1+  →  4" in screen_text(app), what="the new revision in the history")
        # ... and the detail beneath shows the count once it is back on top.
        await pilot.press("escape")
        await wait_until(pilot, lambda: killed_shown(app) == "4", what="the detail with the new count")


async def test_an_incident_deleted_elsewhere_closes_its_detail_once_back_on_top(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_detail(pilot, IZHEVSK)
        await pilot.press("h")
        await wait_until(pilot, lambda: showing(app, HistoryScreen), what="the history")
        with another_program(journal) as other:
            other.delete(IZHEVSK)
        assert app.check_for_changes() is True
        await pilot.press("escape")  # the detail has nothing left to show: back to the list
        await wait_until(pilot, lambda: list_says(app, "3 of 3 incidents"), what="the list without it")
        assert IZHEVSK not in [row.id for row in app.screen.query_one(IncidentList).incidents]


async def test_the_overview_counts_again_and_the_list_beneath_follows(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: showing(app, OverviewScreen) and "4 of 4 incidents" in screen_text(app),
                         what="the overview of the 4 incidents")
        with another_program(journal) as other:
            other.add(IncidentFields(title="Added by a script", date="2024-07-05", country="Russia",
                                     region="Kursk", killed="2"))
        assert app.check_for_changes() is True
        await wait_until(pilot, lambda: "5 of 5 incidents" in screen_text(app), what="the overview counted again")
        assert "Kursk" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: list_says(app, "5 of 5 incidents"), what="the list with the added incident")


# -- changes made here ------------------------------------------------------------------------------


async def test_a_save_in_the_form_updates_the_detail_and_the_list_beneath(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_detail(pilot, IZHEVSK)
        # e, a new title typed at full speed, saved at once: one burst.
        burst(app, "e", "ctrl+u", *typed("Izhevsk plant fire, edited here"), "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and detail_says(app, "Izhevsk plant fire, edited here"),
                         what="the detail showing the saved title")
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list")
        assert "Izhevsk plant fire, edited here" in screen_text(app)
        assert highlighted_id(app) == IZHEVSK
    assert Journal(journal.path).get(IZHEVSK).title == "Izhevsk plant fire, edited here"


async def test_a_new_incident_saved_from_the_list_is_listed_and_opened(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        burst(app, "n", *typed("Typed and saved in one go"))
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, EditScreen), what="the form filled in")
        for name, value in (("date", "2024-07-09"), ("region", "Kursk"), ("country", "Russia")):
            app.screen.query_one(f"#f-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: detail_says(app, "Typed and saved in one go"), what="the new incident's detail")
        # The detail walks the list as it is now: the new incident is in it.
        assert "of 5" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: list_says(app, "5 of 5 incidents"), what="the list with the new incident")
        assert app.screen.query_one(IncidentList).highlighted.title == "Typed and saved in one go"


async def test_delete_and_undo_update_every_screen(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await list_shown(pilot)
        await open_detail(pilot, IZHEVSK)
        burst(app, "d", "y")  # deleted from its detail: back on the list, on the next incident
        await wait_until(pilot, lambda: all_keys_handled(app) and list_says(app, "3 of 3 incidents"),
                         what="the list without the deleted incident")
        assert "Drone strike sets a factory on fire in Izhevsk" not in titles(app)
        assert highlighted_id(app) != IZHEVSK
        await open_detail(pilot, BELGOROD)
        await pilot.press("escape")
        await list_shown(pilot)
        await pilot.press("u")
        await wait_until(pilot, lambda: list_says(app, "4 of 4 incidents"), what="the incident restored")
        assert highlighted_id(app) == IZHEVSK  # the cursor on what came back
        await pilot.press("enter")
        await wait_until(pilot, lambda: detail_says(app, "Drone strike sets a factory on fire in Izhevsk"),
                         what="the restored incident's detail")


async def test_a_delete_from_the_list_keeps_the_cursor_on_the_next_row(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await move_to(pilot, IZHEVSK)
        ids = [row.id for row in app.screen.query_one(IncidentList).incidents]
        following = ids[ids.index(IZHEVSK) + 1]
        await pilot.press("d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: list_says(app, "3 of 3 incidents"), what="the list without it")
        assert highlighted_id(app) == following


# -- nothing changed: nothing shown again -------------------------------------------------------------


@pytest.fixture
def shows(monkeypatch) -> Iterator[dict[str, int]]:
    """How many times each screen showed the journal again (the list: every reload)."""
    counts = {"list": 0, "detail": 0, "history": 0}

    def counted(kind: str, method):
        def wrapper(self, *args, **kwargs):
            counts[kind] += 1
            return method(self, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(ListScreen, "reload", counted("list", ListScreen.reload))
    monkeypatch.setattr(DetailScreen, "show_journal", counted("detail", DetailScreen.show_journal))
    monkeypatch.setattr(HistoryScreen, "show_journal", counted("history", HistoryScreen.show_journal))
    yield counts


async def test_no_screen_shows_the_journal_again_when_nothing_changed(journal, shows):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.finish_checks()
        await pilot.pause()
        assert shows["list"] >= 1  # its first showing (and its pickers' first values)
        shows["list"] = 0
        # Into the detail and the history and back, the help, the form left unchanged, the
        # app looking at the file: each time the version is the same, and nothing is reloaded.
        await open_detail(pilot, IZHEVSK)
        await pilot.press("h")
        await wait_until(pilot, lambda: showing(app, HistoryScreen), what="the history")
        assert app.check_for_changes() is False
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail again")
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail after the form")
        await pilot.press("escape")
        await list_shown(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: showing(app, HelpScreen), what="the help")
        await pilot.press("escape")
        await list_shown(pilot)
        for _ in range(3):
            assert app.check_for_changes() is False
        await pilot.pause()
        assert shows == {"list": 0, "detail": 0, "history": 0}
        # One change: each screen in sight shows it once, and only once.
        with another_program(journal) as other:
            other.update(other.get(IZHEVSK).with_changes(killed="2"))
        assert app.check_for_changes() is True
        assert app.check_for_changes() is False
        await wait_until(pilot, lambda: any("another program" in message for message in notifications(app)),
                         what="the toast")
        assert shows == {"list": 1, "detail": 0, "history": 0}


async def test_many_changes_while_a_screen_is_hidden_are_shown_once_it_is_back(journal, shows):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.finish_checks()
        await pilot.pause()
        await open_detail(pilot, IZHEVSK)
        shows["list"] = 0
        with another_program(journal) as other:
            for count in range(2, 6):
                other.update(other.get(IZHEVSK).with_changes(killed=str(count)))
                assert app.check_for_changes() is True
        await wait_until(pilot, lambda: killed_shown(app) == "5", what="the detail with the last count")
        assert shows["detail"] == 4  # in sight: each change shown as it came
        assert shows["list"] == 0  # hidden: nothing done yet
        await pilot.press("escape")
        await list_shown(pilot)
        assert shows["list"] == 1  # back on top: shown once, as it is now
