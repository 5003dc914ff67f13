"""The look of the main screens, fixed as SVG snapshots (``pytest --snapshot-update`` to renew)."""

from __future__ import annotations

import pytest

from tui.app import JournalApp

from .conftest import seeded

SIZE = (120, 36)


@pytest.fixture
def app(tmp_path, monkeypatch):
    # A relative path, so the header reads the same on every machine.
    monkeypatch.chdir(tmp_path)
    journal = seeded(tmp_path / "journal.json")
    journal.path = type(journal.path)("journal.json")
    yield JournalApp(journal)
    journal.close()


class TestList:
    def test_list(self, snap_compare, app):
        assert snap_compare(app, terminal_size=SIZE, press=["j"])

    def test_list_filtered_by_search(self, snap_compare, app):
        assert snap_compare(app, terminal_size=SIZE, press=["slash", *"lyutiy", "enter"])


class TestDetail:
    def test_detail(self, snap_compare, app):
        assert snap_compare(app, terminal_size=SIZE, press=["j", "enter"])


class TestEdit:
    def test_edit_form_with_errors(self, snap_compare, app):
        async def clear_and_save(pilot):
            await pilot.press("j", "e")
            screen = pilot.app.screen
            screen.query_one("#f-region").value = ""
            screen.query_one("#f-killed").value = "-1"
            screen.query_one("#f-date").value = "2024-02-30"
            for widget in screen.query("Input, TextArea"):
                widget.cursor_blink = False  # a steady cursor keeps the picture stable
            await pilot.press("ctrl+s")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=clear_and_save)
