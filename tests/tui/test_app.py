"""The app, driven with keys as a person would (``App.run_test``)."""

from __future__ import annotations

import errno
import os

import pytest
from textual.command import CommandInput, CommandPalette
from textual.widgets import Input, Markdown, Select, TextArea

from store import IncidentFields, Journal
from tests.store.conftest import stored_bytes
from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.help import HelpScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, header, list_shown, notifications, palette_offers, screen_text, showing, wait_until
from .test_entry import all_keys_handled, burst

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
MARKUP = "[/] closing [bold red]tag"
CYRILLIC = "Удар дрона по заводу"
SIZE = (130, 40)


def regions(app: JournalApp) -> list[str]:
    return [incident.region for incident in app.screen.query_one(IncidentList).incidents]


def cursor_incident(app: JournalApp):
    return app.screen.query_one(IncidentList).highlighted


def incident_filter(app: JournalApp):
    """What the list screen filters by now (raises while another screen is on top)."""
    screen = app.screen
    assert isinstance(screen, ListScreen)
    return screen.incident_filter


def search_text(app: JournalApp) -> str:
    return incident_filter(app).text


def focused_on_list(app: JournalApp) -> bool:
    return isinstance(app.focused, IncidentList)


async def open_search(pilot) -> None:
    """``/``, then wait for the cursor in the search (the keys typed next are meant for it)."""
    app = pilot.app
    await pilot.press("slash")
    await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "search",
                     what="the cursor in the search")


async def open_picker(pilot, key: str, picker_id: str) -> Select:
    """``r`` or ``c``: wait for the picker open, the cursor in its list of choices."""
    app = pilot.app
    picker = app.screen.query_one(picker_id, Select)
    await pilot.press(key)
    await wait_until(pilot, lambda: picker.expanded and app.focused is picker.query_one("SelectOverlay"),
                     what=f"the picker {picker_id} open")
    return picker


def title_value(app: JournalApp) -> str:
    return app.screen.query_one("#f-title", Input).value


def chose(app: JournalApp, picker_id: str, value: str) -> bool:
    """The picker holds ``value``, is closed, the list filters by it and has the focus again."""
    picker = app.screen.query_one(picker_id, Select)
    chosen = incident_filter(app)
    filtered = (chosen.region or "") if picker_id == "#region-filter" else "".join(chosen.casualties)
    return picker.value == value and not picker.expanded and filtered == value and focused_on_list(app)


def saved_titled(journal: Journal, title: str) -> list:
    with Journal(journal.path) as on_disk:
        return [incident for incident in on_disk.all() if incident.title == title]


async def keys_handled(pilot, *keys: str) -> None:
    """Press ``keys`` and wait until the app has handed every one on and it has done what it
    does (for a key whose effect is that nothing changes)."""
    app = pilot.app
    expected = app.keys_received + len(keys)
    await pilot.press(*keys)
    await wait_until(pilot, lambda: app.keys_received >= expected and app.keys_waiting == 0,
                     what=f"the keys {keys!r} handled")


async def fill(pilot, widget_id: str, text: str) -> None:
    """Put the cursor in a form field, clear it and type ``text``; wait until it holds ``text``."""
    app = pilot.app
    widget = app.screen.query_one(widget_id, Input)
    widget.focus()
    await wait_until(pilot, lambda: app.focused is widget, what=f"the cursor in {widget_id}")
    widget.value = ""
    await pilot.press(*text)
    await wait_until(pilot, lambda: widget.value == text, what=f"{text!r} typed into {widget_id}")


# -- the list --------------------------------------------------------------------------------


async def test_list_shows_the_journal_with_counts(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: "4 of 4 incidents" in header(app) and "Izhevsk" in screen_text(app),
                         what="the four incidents, Izhevsk drawn")
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
        await list_shown(pilot)
        listing = app.screen.query_one(IncidentList)
        order = [incident.id for incident in listing.incidents]

        async def moves_to(n: int, *keys: str) -> None:
            await pilot.press(*keys)
            await wait_until(pilot, lambda: cursor_incident(app).id == order[n],
                             what=f"the cursor on row {n} after {keys!r}")

        await moves_to(1, "j")
        assert cursor_incident(app).id == order[1]
        await moves_to(3, "down", "down")
        assert cursor_incident(app).id == order[3]
        await keys_handled(pilot, "j")  # stays on the last row
        assert cursor_incident(app).id == order[3]
        await moves_to(1, "k", "up")
        assert cursor_incident(app).id == order[1]
        await moves_to(3, "G")
        assert cursor_incident(app).id == order[-1]
        await moves_to(0, "g")
        assert cursor_incident(app).id == order[0]


async def test_search_filters_as_you_type_enter_returns_and_escape_clears(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_search(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        await pilot.press(*"lyut")
        await wait_until(pilot, lambda: search_text(app) == "lyut", what="the list searched for 'lyut'")
        assert regions(app) == ["Udmurtia"]
        assert "1 of 4 incidents" in header(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: focused_on_list(app), what="the cursor back in the list")
        assert isinstance(app.focused, IncidentList)
        assert regions(app) == ["Udmurtia"]
        await open_search(pilot)
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"ministry")
        await wait_until(pilot, lambda: search_text(app) == "ministry", what="the list searched for 'ministry'")
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        await pilot.press("escape")
        # the search cleared (the list filtered by nothing again) and the cursor back in the list
        await wait_until(
            pilot,
            lambda: app.screen.query_one("#search", Input).value == "" and search_text(app) == ""
            and focused_on_list(app),
            what="the search cleared, the cursor in the list",
        )
        assert app.screen.query_one("#search", Input).value == ""
        assert isinstance(app.focused, IncidentList)
        assert len(regions(app)) == 4


async def test_search_matches_outlets_tags_and_cyrillic_in_any_case(journal, make_cyrillic_incident):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_search(pilot)
        await pilot.press(*"SHOT telegram")  # an outlet; "shot" alone also finds "shot down"
        await wait_until(pilot, lambda: search_text(app) == "SHOT telegram", what="searched for 'SHOT telegram'")
        assert regions(app) == ["Удмуртия", "Udmurtia"]
        app.screen.query_one("#search", Input).value = ""
        await pilot.press(*"interception")
        await wait_until(pilot, lambda: search_text(app) == "interception", what="searched for 'interception'")
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        app.screen.query_one("#search", Input).value = ""
        await pilot.press(*"ЗАВОДУ")  # no place: the Cyrillic word alone, in any case
        await wait_until(pilot, lambda: search_text(app) == "ЗАВОДУ", what="searched for 'ЗАВОДУ'")
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
        await list_shown(pilot)
        region = await open_picker(pilot, "r", "#region-filter")
        assert region.expanded
        # All regions, Belgorod (1), Crimea (1), Rostov (1), Udmurtia (1)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: chose(app, "#region-filter", "Belgorod"), what="Belgorod chosen")
        assert regions(app) == ["Belgorod"]
        assert "1 of 4 incidents" in header(app)
        assert isinstance(app.focused, IncidentList)
        await open_picker(pilot, "c", "#casualty-filter")
        await pilot.press("down", "down", "enter")  # Injured
        await wait_until(pilot, lambda: chose(app, "#casualty-filter", "injured"), what="Injured chosen")
        assert regions(app) == ["Belgorod"]
        await open_picker(pilot, "c", "#casualty-filter")
        await pilot.press("up", "enter")  # Killed: none in Belgorod
        await wait_until(pilot, lambda: chose(app, "#casualty-filter", "killed"), what="Killed chosen")
        await wait_until(pilot, lambda: "No incidents match" in screen_text(app), what="the list saying none match")
        assert regions(app) == []
        assert "0 of 4 incidents" in header(app)
        assert "No incidents match" in screen_text(app)
        await pilot.press("x")
        await wait_until(pilot, lambda: len(regions(app)) == 4, what="the filters cleared")
        assert len(regions(app)) == 4
        assert region.value == "" and app.screen.query_one("#casualty-filter", Select).value == ""
        await open_picker(pilot, "c", "#casualty-filter")
        await pilot.press("down", "down", "down", "down", "enter")  # Unknown
        await wait_until(pilot, lambda: chose(app, "#casualty-filter", "unknown"), what="Unknown chosen")
        assert sorted(regions(app)) == ["Crimea", "Rostov"]
        assert "2 of 4 incidents" in header(app)


async def test_region_picker_lists_each_region_with_its_count(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        select = app.screen.query_one("#region-filter", Select)
        labels = [str(prompt) for prompt, _ in select._options]  # noqa: SLF001
        assert labels == ["All regions", "Belgorod (1)", "Crimea (1)", "Rostov (1)", "Udmurtia (1)"]


async def test_sort_cycles_date_region_killed(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)

        async def sorted_by(order: str) -> None:
            await pilot.press("o")
            await wait_until(pilot, lambda: f"sorted by {order}" in header(app), what=f"the list sorted by {order}")

        await sorted_by("region")
        assert regions(app) == ["Belgorod", "Crimea", "Rostov", "Udmurtia"]
        assert "sorted by region" in header(app)
        await sorted_by("killed")
        assert regions(app)[0] == "Udmurtia"  # the only one with a death
        await sorted_by("date")
        assert "sorted by date" in header(app)


async def test_empty_journal_says_how_to_start(empty_journal):
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: "Press n to add one" in screen_text(app), what="how to start")
        text = screen_text(app)
        assert "Press n to add one" in text
        assert "incident-journal seed" in text
        assert "0 of 0 incidents" in header(app)


# -- the detail ------------------------------------------------------------------------------


async def test_enter_opens_the_selected_incident_with_every_field(journal):
    app = JournalApp(journal)
    async with app.run_test(size=(130, 60)) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "enter")
        every_field = (
            "Drone strike sets a factory on fire in Izhevsk", "Place:         Izhevsk", "Region:        Udmurtia",
            "Country:       Russia", "Latitude:      56.8498", "Longitude:     53.2045", "Air/drone strike",
            "Weapon:        Lyutiy-type drone", "3 (SHOT's claim)", "claimed",
            "1+", "? (several)", "killed", "corroborated",
            "[official] Alexander Brechalov, head of Udmurtia (Telegram)", "[telegram] SHOT (Telegram)",
            "There are casualties.", IZHEVSK, "Revision:", "created 2024-07-02 09:30 UTC",
        )
        await wait_until(
            pilot,
            lambda: showing(app, DetailScreen) and all(expected in screen_text(app) for expected in every_field),
            what="the detail of Izhevsk, every field drawn",
        )
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.current == IZHEVSK
        text = screen_text(app)
        for expected in every_field:
            assert expected in text, expected


async def test_brackets_walk_the_filtered_list_and_escape_returns_to_that_row(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_picker(pilot, "c", "#casualty-filter")
        await pilot.press("down", "down", "down", "down", "enter")  # Unknown: Crimea, Rostov
        await wait_until(pilot, lambda: len(regions(app)) == 2 and chose(app, "#casualty-filter", "unknown"),
                         what="the list filtered to two rows")
        order = [incident.id for incident in app.screen.query_one(IncidentList).incidents]
        assert len(order) == 2

        def shows(incident_id: str) -> bool:
            return showing(app, DetailScreen) and app.screen.current == incident_id

        await pilot.press("enter")
        await wait_until(pilot, lambda: shows(order[0]), what="the first row in the detail")
        assert app.screen.current == order[0]
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: shows(order[1]), what="the second row in the detail")
        assert app.screen.current == order[1]
        await pilot.press("right_square_bracket")  # the end of the filtered list: stays
        await wait_until(pilot, lambda: "That is the last incident of the list." in notifications(app),
                         what="told that this is the last incident")
        assert app.screen.current == order[1]
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: shows(order[0]), what="back to the first row in the detail")
        assert app.screen.current == order[0]
        await pilot.press("right_square_bracket", "escape")
        await wait_until(pilot, lambda: showing(app, ListScreen) and cursor_incident(app).id == order[1],
                         what="the list, the cursor on the second row")
        assert isinstance(app.screen, ListScreen)
        assert cursor_incident(app).id == order[1]


# -- edit and new ----------------------------------------------------------------------------


async def test_edit_one_field_saves_only_that_field(journal):
    before = journal.get(IZHEVSK)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        assert isinstance(app.screen, EditScreen)
        assert app.focused.id == "f-title"
        await fill(pilot, "#f-killed", "3")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: showing(app, DetailScreen) and any(message.startswith("Saved") for message in notifications(app)),
            what="saved, the detail shown",
        )
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
        await list_shown(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        seen: list[str] = []

        def record(widget: object) -> None:  # each field the cursor lands in, in order
            node = widget
            while node is not None and not (getattr(node, "id", None) or "").startswith("f-"):
                node = getattr(node, "parent", None)
            field = getattr(node, "id", "") if node is not None else ""
            if field and (not seen or seen[-1] != field):
                seen.append(field)

        record(app.focused)
        app.screen.watch(app.screen, "focused", record, init=False)
        # Typed as a person holding Tab down: 40 presses at once, each handled in turn.
        burst(app, *["tab"] * 40)
        await wait_until(pilot, lambda: all_keys_handled(app), what="the 40 Tabs handled")
        # What, When, Where, Who, Casualties, Sources (none yet: nothing to stop at), Notes.
        wanted = ["f-title", "f-event_type", "f-weapon", "f-weapons_launched", "f-weapons_intercepted",
                  "f-weapons_hit", "f-target", "f-target_kind",
                  "f-date", "f-date_precision", "f-date_end",
                  "f-place", "f-region", "f-country", "f-latitude", "f-longitude", "f-geo_precision",
                  "f-actor", "f-attribution", "f-attribution_by", "f-killed", "f-injured",
                  *(f"f-{harm}_{who}" for harm in ("killed", "injured")
                    for who in ("civilians", "children", "women", "combatants")),
                  "f-summary", "f-tags", "f-verification"]
        assert [field for field in seen if field in wanted][: len(wanted)] == wanted


async def test_new_incident_is_refused_while_invalid_and_nothing_is_written(journal):
    before = stored_bytes(journal.path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        await pilot.press(*"Strike on a market")
        await wait_until(pilot, lambda: title_value(app) == "Strike on a market", what="the title typed")
        await fill(pilot, "#f-date", "2024-13-45")
        await fill(pilot, "#f-killed", "-1")
        await fill(pilot, "#f-injured", "5-2")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: app.screen.query(".field-error.-shown")
            and any("5 fields need attention" in message for message in notifications(app)),
            what="the problems shown",
        )
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
        assert stored_bytes(journal.path) == before
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
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="saved, the detail shown")
        assert isinstance(app.screen, DetailScreen)
    saved = [i for i in Journal(journal.path).all() if i.title == "Strike on a market"]
    assert len(saved) == 1
    assert (str(saved[0].killed), str(saved[0].injured)) == ("1+", "? (several)")


async def test_sources_can_be_added_and_removed_from_the_keyboard(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
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
        await pilot.press("ctrl+s")  # SHOT claims the attribution: without it as a source, refused
        await wait_until(pilot, lambda: "not a source" in str(app.screen.query_one("#e-attribution_by").render()),
                         what="the claimant refused beside its field")
        app.screen.query_one("#f-attribution_by").load("")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="saved")
    saved = Journal(journal.path).get(IZHEVSK)
    assert [source.outlet for source in saved.sources] == [
        "Alexander Brechalov, head of Udmurtia (Telegram)", "Governor (Telegram)"]
    assert saved.attribution_by is None


async def test_escape_asks_before_discarding_changes(journal):
    before = stored_bytes(journal.path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("e")
        await pilot.press(*" (edited)")
        await wait_until(pilot, lambda: showing(app, EditScreen) and title_value(app).endswith(" (edited)"),
                         what="the title edited")
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="Discard changes? asked")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await wait_until(pilot, lambda: showing(app, EditScreen), what="back in the form")
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#f-title", Input).value.endswith(" (edited)")
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the changes discarded, the list shown")
        assert isinstance(app.screen, ListScreen)
    assert stored_bytes(journal.path) == before


async def test_escape_without_changes_leaves_at_once(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list, nothing asked")
        assert isinstance(app.screen, ListScreen)


async def test_summary_is_multiline(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("n", *"Two lines")
        await wait_until(pilot, lambda: showing(app, EditScreen) and title_value(app) == "Two lines",
                         what="the title typed into the new form")
        await fill(pilot, "#f-date", "2024-07-09")
        await fill(pilot, "#f-region", "Kursk")
        await fill(pilot, "#f-country", "Russia")
        summary = app.screen.query_one("#f-summary", TextArea)
        summary.focus()
        await wait_until(pilot, lambda: app.focused is summary, what="the cursor in the summary")
        await pilot.press(*"first", "enter", *"second")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: showing(app, DetailScreen) and saved_titled(journal, "Two lines"),
                         what="saved, the detail shown")
        assert isinstance(app.screen, DetailScreen)
    [saved] = [i for i in Journal(journal.path).all() if i.title == "Two lines"]
    assert saved.summary == "first\nsecond"


async def test_a_failed_write_keeps_the_form_as_typed(journal, monkeypatch):
    before = stored_bytes(journal.path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the form")
        await fill(pilot, "#f-killed", "7")

        def disk_full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", disk_full)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any("No space left on device" in message for message in notifications(app)),
                         what="told the disk is full")
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#f-killed", Input).value == "7"
        assert any("No space left on device" in message for message in notifications(app))
    assert stored_bytes(journal.path) == before


# -- delete, undo, help, palette, quit ----------------------------------------------------------


async def test_delete_asks_and_undo_brings_it_back(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="Delete this incident? asked")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="back in the list")
        assert len(regions(app)) == 4
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: showing(app, ListScreen) and "Udmurtia" not in regions(app),
                         what="Izhevsk deleted")
        assert "Udmurtia" not in regions(app)
        assert IZHEVSK not in Journal(journal.path)
        await pilot.press("u")
        await wait_until(pilot, lambda: "Udmurtia" in regions(app), what="Izhevsk back")
        assert "Udmurtia" in regions(app)
        assert cursor_incident(app).id == IZHEVSK
    restored = Journal(journal.path).get(IZHEVSK)
    assert str(restored.killed) == "1+" and len(restored.sources) == 2


async def test_delete_from_the_detail_returns_to_the_list(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen) and app.screen.current == IZHEVSK,
                         what="Izhevsk in the detail")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: showing(app, ListScreen) and "Udmurtia" not in regions(app),
                         what="the list, Izhevsk deleted")
        assert isinstance(app.screen, ListScreen)
        assert "Udmurtia" not in regions(app)


async def test_help_lists_the_keys(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
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
        await list_shown(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for action in ("Search", "Region", "Casualties", "Clear filters", "New", "Edit", "Delete",
                       "Undo delete", "Sort", "Help", "Quit"):
            assert action in titles
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: showing(app, CommandPalette) and isinstance(app.focused, CommandInput),
                         what="the command palette")
        await pilot.press(*"Sort")
        await wait_until(pilot, lambda: palette_offers(app, "Sort", "Sort"), what="the palette to offer 'Sort' first")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, ListScreen) and "sorted by region" in header(app),
                         what="the list sorted by region")
        assert isinstance(app.screen, ListScreen)
        assert "sorted by region" in header(app)


async def test_q_quits(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None, what="the app to quit")
    assert app.return_code == 0


# -- text is shown as typed --------------------------------------------------------------------


async def test_markup_and_cyrillic_are_shown_literally_everywhere(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("n", *MARKUP)
        await wait_until(pilot, lambda: showing(app, EditScreen) and title_value(app) == MARKUP,
                         what="the title typed into the new form")
        await fill(pilot, "#f-date", "2024-07-10")
        await fill(pilot, "#f-region", "Удмуртия [b]")
        await fill(pilot, "#f-country", "Russia")
        await fill(pilot, "#f-place", "Ижевск 🚀")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: showing(app, DetailScreen) and MARKUP in screen_text(app)
            and any(MARKUP in message for message in notifications(app)),
            what="saved, the detail shown",
        )
        assert isinstance(app.screen, DetailScreen)
        detail = screen_text(app)
        assert MARKUP in detail and "Ижевск 🚀" in detail and "Удмуртия [b]" in detail
        assert any(MARKUP in message for message in notifications(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen) and MARKUP in screen_text(app),
                         what="the list, the new incident drawn")
        listing = screen_text(app)
        assert MARKUP in listing and "Удмуртия [b]" in listing
        await open_search(pilot)
        await pilot.press(*"[/]")
        await wait_until(pilot, lambda: search_text(app) == "[/]", what="searched for '[/]'")
        assert [incident.title for incident in app.screen.query_one(IncidentList).incidents] == [MARKUP]
        assert "[/]" in screen_text(app)
        await pilot.press("enter")  # back to the list, then e edits the one row found
        await wait_until(pilot, lambda: focused_on_list(app), what="the cursor back in the list")
        await pilot.press("e")
        await wait_until(
            pilot,
            lambda: form_ready(app) and title_value(app) == MARKUP and MARKUP in screen_text(app),
            what="the incident in the form",
        )
        assert app.screen.query_one("#f-title", Input).value == MARKUP
        assert MARKUP in screen_text(app)
