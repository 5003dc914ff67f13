"""A journal holding what a terminal would act on: nothing of it reaches the screen raw.

A hand-edited or shared journal file may hold records whose text carries control sequences
(``ESC [2J`` clears the screen, ``ESC ]0;…BEL`` sets the terminal's title, ``ESC ]52;…`` writes
the clipboard, ``\\x9b`` is the one-byte CSI) or bidi overrides (``U+202E`` reorders what
follows). Typed and imported text is refused; records already in the file are shown, so each
place the app draws them must show such characters escaped (``\\x1b``, ``\\u202e``).

Each test reads what the screen would send to the terminal (every segment the compositor
renders) and asserts the escaped forms are there and no raw control character is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Select

from store import Journal
from tui.app import JournalApp
from tui.plain import detail
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.export import ExportScreen
from tui.screens.history import HistoryScreen
from tui.screens.list import ListScreen
from tui.screens.overview import OverviewScreen
from tui.widgets.form_fields import FieldInput, FieldTextArea

from .conftest import header, list_shown, move_to, notifications, screen_text, seeded, showing, wait_until

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
CRIMEA = "32047f98-ec01-4a69-a671-58ddae647c0d"
SIZE = (140, 40)

TITLE_SET = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
CSI = "\x9b31m"
RLO = "\u202e"
#: What reaches the terminal raw only if something was not escaped (Textual itself drops BEL).
RAW = ("\x1b", "\x07", "\x9b", RLO)

#: The Crimea record, hand-edited: invalid, with a well-formed id (the form can fix it).
HOSTILE_TITLE = f"Depot fire {TITLE_SET}at night"
HOSTILE_PLACE = f"{CLEAR}Kursk"
HOSTILE_REGION = f"Zapor{RLO}izhzhia"
HOSTILE_TYPE = f"{CSI}Shelling"
HOSTILE_SUMMARY = f"first line {CLIPBOARD}\nsecond line"
HOSTILE_OUTLET = f"Outlet {CLEAR}"
#: A record added by hand whose id itself is hostile (it cannot be fixed in the form).
BAD_ID = f"{TITLE_SET}-bad-id"
BAD_ID_TITLE = f"Copy {CLEAR}of a record"


def escaped(text: str) -> str:
    """``text`` as the screen must show it."""
    return (
        text.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\x9b", "\\u009b").replace(RLO, "\\u202e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def raw_on(app) -> list[str]:
    """The raw control characters the screen would send to the terminal, if any."""
    text = screen_text(app)
    return [repr(character) for character in RAW if character in text]


def clean(app) -> bool:
    return not raw_on(app)


def write_hostile(path: Path) -> None:
    """The journal at ``path`` with Crimea made hostile and a record with a hostile id added."""
    data = json.loads(path.read_text())
    records = data["incidents"]
    for record in records.values():
        if record["id"] == CRIMEA:
            record.update(
                title=HOSTILE_TITLE, place=HOSTILE_PLACE, region=HOSTILE_REGION, event_type=HOSTILE_TYPE,
                summary=HOSTILE_SUMMARY,
            )
            record["sources"][0]["outlet"] = HOSTILE_OUTLET
            copy = dict(record, id=BAD_ID, title=BAD_ID_TITLE)
    records[str(max(map(int, records)) + 1)] = copy
    path.write_text(json.dumps(data))


def unchecked(monkeypatch) -> None:
    """The records are never checked: the list shows each as it reads it, as it does on a large
    journal's first paint (and filters and searches them as they are)."""
    monkeypatch.setattr(ListScreen, "start_checks", lambda self: None)


@pytest.fixture
def hostile(journal) -> Path:
    journal.close()
    write_hostile(journal.path)
    return journal.path


def line_of(app, words: str) -> str:
    """The screen's line holding ``words`` (the escaped form of what it looks for)."""
    lines = [line for line in screen_text(app).splitlines() if words in line]
    assert lines, f"no line shows {words!r}:\n{screen_text(app)}"
    return lines[0]


async def checks_done(pilot) -> None:
    """The list with the hostile records checked: marked INVALID, first."""
    app = pilot.app
    await list_shown(pilot)
    app.screen.finish_checks()  # records are checked after the first paint, between keys
    await wait_until(pilot, lambda: "2 need fixing" in header(app), what="the records marked invalid")


# -- the list -------------------------------------------------------------------------------------


async def test_rows_read_before_the_check_show_their_text_escaped(hostile, monkeypatch):
    """Rows are drawn from the stored records before any is checked (a large journal's first
    paint): the hostile text is drawn through the same row cells, escaped."""
    unchecked(monkeypatch)
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: "Depot fire" in screen_text(app), what="the hostile row")
        assert "INVALID" not in screen_text(app)
        line = line_of(app, "Depot fire")
        assert escaped(HOSTILE_TITLE) in line
        assert escaped(HOSTILE_PLACE)[:13] in line  # the place column is 13 cells wide
        assert escaped(HOSTILE_TYPE) in line
        assert escaped(BAD_ID_TITLE) in screen_text(app)
        assert clean(app), raw_on(app)


async def test_invalid_rows_show_their_text_escaped(hostile):
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await checks_done(pilot)
        await wait_until(pilot, lambda: "INVALID" in screen_text(app), what="the INVALID rows drawn")
        line = line_of(app, "Depot fire")
        assert "INVALID" in line and f"⚠ {escaped(HOSTILE_TITLE)}"[:30] in line  # the title column is cut
        assert escaped(HOSTILE_PLACE)[:13] in line
        assert f"⚠ {escaped(BAD_ID_TITLE)}" in line_of(app, "of a record")
        assert clean(app), raw_on(app)


async def test_a_file_name_holding_control_characters_is_shown_escaped(tmp_path):
    path = tmp_path / f"j{CLEAR}.json"
    seeded(path).close()
    app = JournalApp(Journal(path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        assert escaped(f"j{CLEAR}.json") in header(app)
        assert clean(app), raw_on(app)


# -- the pickers and the overview ---------------------------------------------------------------


async def test_the_region_picker_shows_names_escaped_and_filters_on_the_real_name(hostile, monkeypatch):
    unchecked(monkeypatch)  # records found invalid are listed only while nothing is filtered out
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("r")
        picker = app.screen.query_one("#region-filter", Select)
        await wait_until(pilot, lambda: picker.expanded and escaped(HOSTILE_REGION) in screen_text(app),
                         what="the region picker open, naming the hostile region")
        assert clean(app), raw_on(app)
        await pilot.press("Z", "a", "p", "enter")  # found by typing its name, as shown
        await wait_until(pilot, lambda: app.screen.incident_filter.region == HOSTILE_REGION,
                         what="the list filtered by the region's real name")
        await wait_until(pilot, lambda: header(app).startswith("2 of 5 incidents"), what="its two records listed")
        assert escaped(HOSTILE_REGION) in screen_text(app)  # the picker's closed line too
        assert clean(app), raw_on(app)


async def test_a_search_finds_hostile_records_by_their_real_text(hostile, monkeypatch):
    unchecked(monkeypatch)  # records found invalid are listed only while nothing is filtered out
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("slash")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "search",
                         what="the cursor in the search")
        await pilot.press(*"kursk")
        await wait_until(pilot, lambda: header(app).startswith("2 of 5 incidents"),
                         what="the two records whose place is Kursk")
        assert escaped(HOSTILE_PLACE)[:13] in line_of(app, "Depot fire")
        assert clean(app), raw_on(app)


async def test_the_overview_shows_region_names_and_filters_escaped(hostile, monkeypatch):
    unchecked(monkeypatch)  # records found invalid are listed only while nothing is filtered out
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.set_filter(region=HOSTILE_REGION)
        await wait_until(pilot, lambda: header(app).startswith("2 of 5"), what="the list filtered by region")
        await pilot.press("s")
        await wait_until(pilot, lambda: showing(app, OverviewScreen) and "By region" in screen_text(app),
                         what="the overview")
        assert f"Shown: region {escaped(HOSTILE_REGION)}" in screen_text(app)
        assert escaped(HOSTILE_REGION) in line_of(app, "Zapor")
        assert clean(app), raw_on(app)


async def test_the_export_dialog_names_the_filters_escaped(hostile, monkeypatch):
    unchecked(monkeypatch)  # records found invalid are listed only while nothing is filtered out
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.set_filter(region=HOSTILE_REGION)
        await wait_until(pilot, lambda: header(app).startswith("2 of 5"), what="the list filtered by region")
        app.screen.action_export("csv")
        await wait_until(pilot, lambda: showing(app, ExportScreen) and "Shown: " in screen_text(app),
                         what="the export dialog")
        assert f"Shown: region {escaped(HOSTILE_REGION)}" in screen_text(app)
        assert clean(app), raw_on(app)


# -- the detail and the history -----------------------------------------------------------------


async def test_the_detail_shows_line_separators_escaped(journal):
    """A valid incident cannot hold a control character, but may hold U+2028 and U+2029, which
    the detail shows escaped rather than as line breaks the text does not have."""
    journal.update(journal.get(IZHEVSK).with_changes(
        title="Drone strike\u2028on a factory", summary="one\u2029two\nthree",
    ))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen) and "Drone strike" in screen_text(app),
                         what="the detail of the incident")
        text = screen_text(app)
        assert "Drone strike\\u2028on a factory" in text
        assert "    one\\u2029two" in text and "    three" in text  # its own line break kept
        assert "\u2028" not in text and "\u2029" not in text


def test_the_detail_escapes_whatever_an_incident_holds(journal):
    """The detail's lines (the app's, and the CLI's ``show``) escape every field, even of an
    incident that never went through validation."""
    incident = journal.get(IZHEVSK).model_copy(update={
        "title": HOSTILE_TITLE, "place": HOSTILE_PLACE, "region": HOSTILE_REGION, "summary": HOSTILE_SUMMARY,
    })
    text = "\n".join(detail(incident))
    for value in (HOSTILE_TITLE, HOSTILE_PLACE, HOSTILE_REGION, CLIPBOARD):
        assert escaped(value) in text
    assert not [character for character in RAW if character in text]


async def test_the_history_shows_old_values_escaped(journal):
    """A valid incident whose history (hand-edited) holds hostile old values."""
    journal.update(journal.get(IZHEVSK).with_changes(place="Votkinsk"))
    journal.close()
    data = json.loads(journal.path.read_text())
    [entry] = data["history"].values()
    entry["record"].update(place=HOSTILE_PLACE, target=HOSTILE_TYPE, title=HOSTILE_TITLE)
    entry["record"][f"note{CLIPBOARD}"] = RLO
    journal.path.write_text(json.dumps(data))
    app = JournalApp(Journal(journal.path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail of the incident")
        await pilot.press("h")
        await wait_until(pilot, lambda: showing(app, HistoryScreen) and "revision 1 → 2" in screen_text(app),
                         what="the history of the incident")
        text = screen_text(app)
        assert f"place: {escaped(HOSTILE_PLACE)}  →  Votkinsk" in text
        assert f"title: {escaped(HOSTILE_TITLE)}  →  Drone strike" in text
        assert f"{escaped(HOSTILE_TYPE)}  →  factory" in text
        assert f"note{escaped(CLIPBOARD)}: \\u202e  →  —" in text
        assert clean(app), raw_on(app)


# -- dialogs, toasts and errors -----------------------------------------------------------------


async def test_deleting_a_hostile_record_asks_and_tells_with_its_title_escaped(hostile):
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await checks_done(pilot)
        await move_to(pilot, CRIMEA)
        await pilot.press("d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen) and "Depot fire" in screen_text(app),
                         what="the question naming the record")
        assert escaped(HOSTILE_TITLE) in screen_text(app)
        assert clean(app), raw_on(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Deleted: " in message for message in notifications(app))
                         and "Deleted: " in screen_text(app), what="the toast saying it was deleted")
        assert f"Deleted: {escaped(HOSTILE_TITLE)}" in notifications(app)[-1]
        assert escaped(HOSTILE_TITLE) in screen_text(app)
        assert clean(app), raw_on(app)


async def test_an_error_naming_a_hostile_record_is_shown_escaped(hostile):
    """The store's refusal names the record by its id, which here holds ``ESC ]0;`` and ``BEL``."""
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await checks_done(pilot)
        await move_to(pilot, BAD_ID)
        await pilot.press("d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="the question")
        data = json.loads(hostile.read_text())  # another program changes the record meanwhile
        [record] = [record for record in data["incidents"].values() if record["id"] == BAD_ID]
        record["revision"] = 7
        hostile.write_text(json.dumps(data))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Not deleted" in screen_text(app), what="the refusal")
        refusal = notifications(app)[-1]
        assert escaped(f"incident {BAD_ID[:8]} was changed elsewhere") in refusal
        assert escaped(BAD_ID[:8]) in screen_text(app)
        assert clean(app), raw_on(app)


# -- the form, fixing a hostile record -------------------------------------------------------------


async def open_to_fix(pilot, incident_id: str) -> EditScreen:
    app = pilot.app
    await checks_done(pilot)
    await move_to(pilot, incident_id)
    await pilot.press("enter")
    await wait_until(pilot, lambda: showing(app, EditScreen) and app.focused is not None
                     and app.focused.id == "f-title", what="the form to fix the record")
    return app.screen


async def test_the_form_shows_a_hostile_record_escaped_and_saves_only_once_fixed(hostile):
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        form = await open_to_fix(pilot, CRIMEA)
        title = form.query_one("#f-title", FieldInput)
        assert title.value == escaped(HOSTILE_TITLE)  # what the field draws
        assert form.query_one("#f-summary", FieldTextArea).text == escaped(HOSTILE_SUMMARY)
        # What the fields hold is the record's own text: left as it is, nothing counts as changed.
        assert form.current_values()["title"] == HOSTILE_TITLE
        assert form.current_values()["summary"] == HOSTILE_SUMMARY
        assert form.current_values()["sources"][0]["outlet"] == HOSTILE_OUTLET
        assert form.changed_fields == []
        error = form.query_one("#e-title")
        assert "control character (U+001B)" in str(error.render())
        await wait_until(pilot, lambda: escaped(HOSTILE_PLACE) in screen_text(app), what="the fields drawn")
        assert clean(app), raw_on(app)

        # An edit that keeps the escape keeps the character it stands for: still refused.
        await pilot.press("end", *" now")
        await wait_until(pilot, lambda: title.value.endswith(" now"), what="the typed text")
        assert form.current_values()["title"] == HOSTILE_TITLE + " now"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any("attention" in message for message in notifications(app)),
                         what="the save refused")
        assert showing(app, EditScreen)
        for name in ("title", "place", "region", "summary"):  # every problem named at once
            assert "control character (U+" in str(form.query_one(f"#e-{name}").render()), name
        assert "U+001B" in str(form.query_one("#e-title").render())

        # Each field fixed: the escapes deleted (as a person would), the record saves.
        for name, value in (("title", "Depot fire at night"), ("place", "Kursk"), ("region", "Belgorod"),
                            ("event_type", "Shelling/artillery/missile attack")):
            form.query_one(f"#f-{name}", Input).value = value
        form.query_one("#f-summary", FieldTextArea).load_text("first line\nsecond line")
        form.query_one("#f-sources").rows[0].query_one(".s-outlet", Input).value = "Outlet"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail of the fixed record")
        assert clean(app), raw_on(app)
    fixed = Journal(hostile).get(CRIMEA)
    assert (fixed.title, fixed.place, fixed.region, fixed.summary) == (
        "Depot fire at night", "Kursk", "Belgorod", "first line\nsecond line",
    )
    assert fixed.sources[0].outlet == "Outlet"


async def test_the_form_heading_shows_a_hostile_id_escaped(hostile):
    app = JournalApp(Journal(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await open_to_fix(pilot, BAD_ID)
        await wait_until(pilot, lambda: "Fix invalid incident" in screen_text(app), what="the heading")
        assert f"Fix invalid incident {escaped(BAD_ID)}" in screen_text(app)
        assert clean(app), raw_on(app)


async def test_a_paste_holding_control_characters_is_shown_escaped_and_refused(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: showing(app, EditScreen) and app.focused is not None
                         and app.focused.id == "f-title", what="the edit form")
        form = app.screen
        title = form.query_one("#f-title", FieldInput)
        await pilot.press("end")
        app.post_message(events.Paste(f" {CLEAR}pasted"))  # as the terminal's bracketed paste
        await wait_until(pilot, lambda: title.value.endswith(escaped(f" {CLEAR}pasted")), what="the paste")
        assert form.current_values()["title"].endswith(f" {CLEAR}pasted")
        await wait_until(pilot, lambda: "control characters" in screen_text(app), what="the note under the field")
        assert clean(app), raw_on(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "control character (U+001B)" in str(form.query_one("#e-title").render()),
                         what="the save refused, naming the character")
    assert "pasted" not in Journal(journal.path).get(IZHEVSK).title



async def test_a_paste_into_the_search_is_shown_escaped(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("slash")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "search",
                         what="the cursor in the search")
        app.post_message(events.Paste(f"{CLEAR}{RLO}izhevsk"))
        await wait_until(pilot, lambda: "izhevsk" in app.screen.query_one("#search", Input).value, what="the paste")
        await wait_until(pilot, lambda: "\\x1b[2J\\u202eizhevsk" in screen_text(app), what="the paste drawn")
        assert clean(app), raw_on(app)
