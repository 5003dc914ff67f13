"""The look of the main screens, fixed as SVG snapshots (``pytest --snapshot-update`` to renew).

Each picture is taken once what it shows is there (keys go one at a time, so a screen may come
a few pauses after its key): the steps before it wait for that, not for a fixed number of pauses.
"""

from __future__ import annotations

import pytest

from tui.app import JournalApp
from tui.screens.detail import DetailScreen
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, list_shown, seeded, showing, wait_until

SIZE = (120, 36)
IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"


@pytest.fixture
def app(tmp_path, monkeypatch):
    # A relative path, so the header reads the same on every machine.
    monkeypatch.chdir(tmp_path)
    journal = seeded(tmp_path / "journal.json")
    journal.path = type(journal.path)("journal.json")
    yield JournalApp(journal)
    journal.close()


def listing(app) -> IncidentList:
    return app.screen.query_one(IncidentList)


class TestList:
    def test_list(self, snap_compare, app):
        async def second_row(pilot):
            await list_shown(pilot)
            await pilot.press("j")
            await wait_until(pilot, lambda: listing(pilot.app).cursor == 1, what="j to move the cursor down")

        assert snap_compare(app, terminal_size=SIZE, run_before=second_row)

    def test_list_filtered_by_search(self, snap_compare, app):
        async def search(pilot):
            await list_shown(pilot)
            await pilot.press("slash", *"lyutiy", "enter")

            def searched() -> bool:
                screen = pilot.app.screen
                return (screen.query_one("#search").value == "lyutiy"
                        and isinstance(pilot.app.focused, IncidentList)
                        and len(listing(pilot.app).incidents) == 1)

            await wait_until(pilot, searched, what="the search for lyutiy, the cursor back in the list")

        assert snap_compare(app, terminal_size=SIZE, run_before=search)


class TestDetail:
    def test_detail(self, snap_compare, app):
        async def open_second(pilot):
            await list_shown(pilot)
            await pilot.press("j", "enter")
            await wait_until(pilot, lambda: showing(pilot.app, DetailScreen) and pilot.app.screen.current == IZHEVSK,
                             what="the detail of the second row")

        assert snap_compare(app, terminal_size=SIZE, run_before=open_second)


class TestEdit:
    def test_edit_form_with_errors(self, snap_compare, app):
        async def clear_and_save(pilot):
            await list_shown(pilot)
            await pilot.press("j", "e")
            await wait_until(pilot, lambda: form_ready(pilot.app), what="the edit form")
            screen = pilot.app.screen
            screen.query_one("#f-region").value = ""
            screen.query_one("#f-killed").value = "-1"
            screen.query_one("#f-date").value = "2024-02-30"
            for widget in screen.query("Input, TextArea"):
                widget.cursor_blink = False  # a steady cursor keeps the picture stable
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: screen.query(".field-error.-shown"), what="the problems marked")

        assert snap_compare(app, terminal_size=SIZE, run_before=clear_and_save)
