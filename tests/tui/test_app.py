"""The app, driven with keys as a person would (``App.run_test``)."""

from __future__ import annotations

import errno
import os

import pytest
from textual.widgets import Input, Markdown, Select, TextArea

from store import IncidentFields, Journal
from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.help import HelpScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

from .conftest import header, notifications, screen_text, wait_until

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
MARKUP = "[/] closing [bold red]tag"
CYRILLIC = "Удар дрона по заводу"
SIZE = (130, 40)


def regions(app: JournalApp) -> list[str]:
    return [incident.region for incident in app.screen.query_one(IncidentList).incidents]


def cursor_incident(app: JournalApp):
    return app.screen.query_one(IncidentList).highlighted


async def fill(pilot, widget_id: str, text: str) -> None:
    """Put the cursor in a form field, clear it and type ``text``."""
    widget = pilot.app.screen.query_one(widget_id, Input)
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)


# -- the list --------------------------------------------------------------------------------


async def test_list_shows_the_journal_with_counts(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert str(journal.path) in header(app)
        assert "4 of 4 incidents" in header(app)
        text = screen_text(app)
        for column in ("Date", "Place", "Region", "Event type", "Killed", "Injured", "Verification", "Title"):
            assert column in text
        izhevsk_line = next(line for line in text.splitlines() if "Izhevsk" in line)
        assert "1+" in izhevsk_line and "? (several)" in izhevsk_line and "corroborated" in izhevsk_line


async def test_moving_with_vim_keys_and_arrows(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(IncidentList)
        order = [incident.id for incident in listing.incidents]
        await pilot.press("j")
        assert cursor_incident(app).id == order[1]
        await pilot.press("down", "down")
        assert cursor_incident(app).id == order[3]
        await pilot.press("j")  # stays on the last row
        assert cursor_incident(app).id == order[3]
        await pilot.press("k", "up")
        assert cursor_incident(app).id == order[1]
        await pilot.press("G")
        assert cursor_incident(app).id == order[-1]
        await pilot.press("g")
        assert cursor_incident(app).id == order[0]


async def test_search_filters_as_you_type_enter_returns_and_escape_clears(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        await pilot.press(*"lyut")
        await pilot.pause()
        assert regions(app) == ["Udmurtia"]
        assert "1 of 4 incidents" in header(app)
        await pilot.press("enter")
        assert isinstance(app.focused, IncidentList)
        assert regions(app) == ["Udmurtia"]
        await pilot.press("slash", "backspace", "backspace", "backspace", "backspace", *"ministry")
        await pilot.pause()
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == ""
        assert isinstance(app.focused, IncidentList)
        assert len(regions(app)) == 4


async def test_search_matches_outlets_tags_and_cyrillic_in_any_case(journal, make_cyrillic_incident):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"SHOT telegram")  # an outlet; "shot" alone also finds "shot down"
        await pilot.pause()
        assert regions(app) == ["Удмуртия", "Udmurtia"]
        app.screen.query_one("#search", Input).value = ""
        await pilot.press(*"interception")
        await pilot.pause()
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        app.screen.query_one("#search", Input).value = ""
        await pilot.press(*"ижевск")
        await pilot.pause()
        assert [i.title for i in app.screen.query_one(IncidentList).incidents] == [CYRILLIC]


@pytest.fixture
def make_cyrillic_incident(journal):
    return journal.add(
        IncidentFields.model_validate(
            {**journal.get(IZHEVSK).fields_record(), "title": CYRILLIC, "place": "Ижевск",
             "region": "Удмуртия"}
        )
    )


async def test_region_picker_casualty_picker_and_their_combination(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        region = app.screen.query_one("#region-filter", Select)
        assert region.expanded
        # All regions, Belgorod (1), Crimea (1), Rostov (1), Udmurtia (1)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert regions(app) == ["Belgorod"]
        assert "1 of 4 incidents" in header(app)
        assert isinstance(app.focused, IncidentList)
        await pilot.press("c", "down", "down", "enter")  # Injured
        await pilot.pause()
        assert regions(app) == ["Belgorod"]
        await pilot.press("c", "up", "enter")  # Killed: none in Belgorod
        await pilot.pause()
        assert regions(app) == []
        assert "0 of 4 incidents" in header(app)
        assert "No incidents match" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert len(regions(app)) == 4
        assert region.value == "" and app.screen.query_one("#casualty-filter", Select).value == ""
        await pilot.press("c", "down", "down", "down", "down", "enter")  # Unknown
        await pilot.pause()
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        assert "2 of 4 incidents" in header(app)


async def test_region_picker_lists_each_region_with_its_count(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select = app.screen.query_one("#region-filter", Select)
        labels = [str(prompt) for prompt, _ in select._options]  # noqa: SLF001
        assert labels == ["All regions", "Belgorod (1)", "Crimea (1)", "Rostov (1)", "Udmurtia (1)"]


async def test_sort_cycles_date_region_killed(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        assert regions(app) == ["Belgorod", "Crimea", "Rostov", "Udmurtia"]
        assert "sorted by region" in header(app)
        await pilot.press("o")
        assert regions(app)[0] == "Udmurtia"  # the only one with a death
        await pilot.press("o")
        assert "sorted by date" in header(app)


async def test_empty_journal_says_how_to_start(empty_journal):
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Press n to add one" in text
        assert "incident-journal seed" in text
        assert "0 of 0 incidents" in header(app)


# -- the detail ------------------------------------------------------------------------------


async def test_enter_opens_the_selected_incident_with_every_field(journal):
    app = JournalApp(journal)
    async with app.run_test(size=(130, 60)) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.current == IZHEVSK
        text = screen_text(app)
        for expected in (
            "Drone strike sets a factory on fire in Izhevsk", "Place:         Izhevsk", "Region:        Udmurtia",
            "Country:       Russia", "Latitude:      56.8498", "Longitude:     53.2045", "Air/drone strike",
            "Weapon:        Lyutiy-type drone", "Weapon count:  3", "claimed",
            "1+", "? (several)", "killed", "corroborated",
            "[official] Alexander Brechalov, head of Udmurtia (Telegram)", "[telegram] SHOT (Telegram)",
            "There are casualties.", IZHEVSK, "Revision:", "created 2024-07-02 09:30 UTC",
        ):
            assert expected in text, expected


async def test_brackets_walk_the_filtered_list_and_escape_returns_to_that_row(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "down", "down", "down", "down", "enter")  # Unknown: Crimea, Rostov
        await pilot.pause()
        order = [incident.id for incident in app.screen.query_one(IncidentList).incidents]
        assert len(order) == 2
        await pilot.press("enter")
        assert app.screen.current == order[0]
        await pilot.press("right_square_bracket")
        assert app.screen.current == order[1]
        await pilot.press("right_square_bracket")  # the end of the filtered list: stays
        assert app.screen.current == order[1]
        await pilot.press("left_square_bracket")
        assert app.screen.current == order[0]
        await pilot.press("right_square_bracket", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert cursor_incident(app).id == order[1]


# -- edit and new ----------------------------------------------------------------------------


async def test_edit_one_field_saves_only_that_field(journal):
    before = journal.get(IZHEVSK)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "e")
        assert isinstance(app.screen, EditScreen)
        assert app.focused.id == "f-title"
        await fill(pilot, "#f-killed", "3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert any("Saved" in message for message in notifications(app))
    after = Journal(journal.path).get(IZHEVSK)
    assert str(after.killed) == "3"
    assert after.revision == before.revision + 1
    unchanged = before.record()
    changed = after.record()
    for field in set(unchanged) - {"killed", "revision", "updated_at"}:
        assert changed[field] == unchanged[field], field


async def test_tab_reaches_every_field_in_order(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        seen = []
        for _ in range(40):
            node = app.focused
            while node is not None and not (node.id or "").startswith("f-"):
                node = node.parent
            field = node.id if node is not None else ""
            if field and (not seen or seen[-1] != field):
                seen.append(field)
            await pilot.press("tab")
        # What, When, Where, Who, Casualties, Sources (none yet: nothing to stop at), Notes.
        wanted = ["f-title", "f-event_type", "f-weapon", "f-weapon_count", "f-target", "f-target_kind",
                  "f-date", "f-date_precision", "f-date_end",
                  "f-place", "f-region", "f-country", "f-latitude", "f-longitude", "f-geo_precision",
                  "f-actor", "f-attribution", "f-killed", "f-injured", "f-summary", "f-tags", "f-verification"]
        assert [field for field in seen if field in wanted][: len(wanted)] == wanted


async def test_new_incident_is_refused_while_invalid_and_nothing_is_written(journal):
    before = journal.path.read_bytes()
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.press(*"Strike on a market")
        await fill(pilot, "#f-date", "2024-13-45")
        await fill(pilot, "#f-killed", "-1")
        await fill(pilot, "#f-injured", "5-2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        errors = {
            widget.id.removeprefix("e-"): str(widget.render())
            for widget in app.screen.query(".field-error.-shown")
        }
        assert set(errors) == {"date", "region", "country", "killed", "injured"}
        assert "YYYY-MM-DD" in errors["date"]
        assert "negative" in errors["killed"]
        assert "less than the minimum" in errors["injured"]
        assert "cannot be empty" in errors["region"]
        assert any("5 fields need attention" in message for message in notifications(app))
        assert journal.path.read_bytes() == before
        # the form keeps what was typed
        assert app.screen.query_one("#f-title", Input).value == "Strike on a market"
        assert app.screen.query_one("#f-killed", Input).value == "-1"
        # fix them all; the marks go and the incident is saved
        await fill(pilot, "#f-date", "2024-07-09")
        await fill(pilot, "#f-region", "Belgorod")
        await fill(pilot, "#f-country", "Russia")
        await fill(pilot, "#f-killed", "1+")
        await fill(pilot, "#f-injured", "? (several)")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
    saved = [i for i in Journal(journal.path).all() if i.title == "Strike on a market"]
    assert len(saved) == 1
    assert (str(saved[0].killed), str(saved[0].injured)) == ("1+", "? (several)")


async def test_sources_can_be_added_and_removed_from_the_keyboard(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "e")
        editor = app.screen.query_one("#f-sources")
        assert len(editor.rows) == 2
        await pilot.press("ctrl+o")  # wherever the cursor is: a new source, the cursor in its outlet
        await wait_until(pilot, lambda: len(editor.rows) == 3 and "s-outlet" in app.focused.classes,
                         what="a third source with the cursor in its outlet")
        # outlet, kind, published, then the URL: no Remove button in the Tab order
        await pilot.press(*"Governor (Telegram)", "tab", *"tel", "tab", "tab", *"ftp://example.org")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: editor.rows[2].has_class("-invalid"), what="the bad URL marked")
        assert isinstance(app.screen, EditScreen)
        row_error = editor.rows[2].query_one(".field-error")
        assert "url" in str(row_error.render()) and "http" in str(row_error.render())
        assert editor.rows[2].values()["kind"] == "telegram"
        # remove the SHOT row (the second): ctrl+r in it asks first; n keeps it
        app.screen.set_focus(editor.rows[1].query_one(".s-url"))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked before removing")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, EditScreen) and len(editor.rows) == 3)
        await pilot.press("ctrl+r", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, EditScreen) and len(editor.rows) == 2,
                         what="the source removed")
        assert app.focused is not None and editor.row_of(app.focused) is editor.rows[1]  # the focus is kept
        editor.rows[1].query_one(".s-url").value = ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="saved")
    outlets = [source.outlet for source in Journal(journal.path).get(IZHEVSK).sources]
    assert outlets == ["Alexander Brechalov, head of Udmurtia (Telegram)", "Governor (Telegram)"]


async def test_escape_asks_before_discarding_changes(journal):
    before = journal.path.read_bytes()
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.press(*" (edited)")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#f-title", Input).value.endswith(" (edited)")
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
    assert journal.path.read_bytes() == before


async def test_escape_without_changes_leaves_at_once(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)


async def test_summary_is_multiline(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", *"Two lines")
        await fill(pilot, "#f-date", "2024-07-09")
        await fill(pilot, "#f-region", "Kursk")
        await fill(pilot, "#f-country", "Russia")
        summary = app.screen.query_one("#f-summary", TextArea)
        summary.focus()
        await pilot.press(*"first", "enter", *"second")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
    [saved] = [i for i in Journal(journal.path).all() if i.title == "Two lines"]
    assert saved.summary == "first\nsecond"


async def test_a_failed_write_keeps_the_form_as_typed(journal, monkeypatch):
    before = journal.path.read_bytes()
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await fill(pilot, "#f-killed", "7")

        def disk_full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", disk_full)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#f-killed", Input).value == "7"
        assert any("No space left on device" in message for message in notifications(app))
    assert journal.path.read_bytes() == before


# -- delete, undo, help, palette, quit ----------------------------------------------------------


async def test_delete_asks_and_undo_brings_it_back(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(regions(app)) == 4
        await pilot.press("d", "y")
        await pilot.pause()
        assert "Udmurtia" not in regions(app)
        assert IZHEVSK not in Journal(journal.path)
        await pilot.press("u")
        await pilot.pause()
        assert "Udmurtia" in regions(app)
        assert cursor_incident(app).id == IZHEVSK
    restored = Journal(journal.path).get(IZHEVSK)
    assert str(restored.killed) == "1+" and len(restored.sources) == 2


async def test_delete_from_the_detail_returns_to_the_list(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter", "d", "y")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert "Udmurtia" not in regions(app)


async def test_help_lists_the_keys(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "closes this help" in screen_text(app), what="the help, saying how to close it")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one(Markdown).source
        for expected in ("undo the last delete", "history", "new incident from the selected one", "save, then start",
                         "ctrl+↓", "ctrl+o", "Esc"):
            assert expected in text, expected
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ListScreen), what="help closed")


async def test_command_palette_offers_every_list_action(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for action in ("Search", "Region", "Casualties", "Clear filters", "New", "Edit", "Delete",
                       "Undo delete", "Sort", "Help", "Quit"):
            assert action in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Sort", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert "sorted by region" in header(app)


async def test_q_quits(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


# -- text is shown as typed --------------------------------------------------------------------


async def test_markup_and_cyrillic_are_shown_literally_everywhere(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", *MARKUP)
        await fill(pilot, "#f-date", "2024-07-10")
        await fill(pilot, "#f-region", "Удмуртия [b]")
        await fill(pilot, "#f-country", "Russia")
        await fill(pilot, "#f-place", "Ижевск 🚀")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        detail = screen_text(app)
        assert MARKUP in detail and "Ижевск 🚀" in detail and "Удмуртия [b]" in detail
        assert any(MARKUP in message for message in notifications(app))
        await pilot.press("escape")
        await pilot.pause()
        listing = screen_text(app)
        assert MARKUP in listing and "Удмуртия [b]" in listing
        await pilot.press("slash", *"[/]")
        await pilot.pause()
        assert [incident.title for incident in app.screen.query_one(IncidentList).incidents] == [MARKUP]
        assert "[/]" in screen_text(app)
        await pilot.press("enter", "e")
        await pilot.pause()
        assert app.screen.query_one("#f-title", Input).value == MARKUP
        assert MARKUP in screen_text(app)
