"""The app when the journal changes under it, when saves are refused, and with bad records."""

from __future__ import annotations

import json

from textual.widgets import Input, Select, TextArea

from store import IncidentFields, Journal
from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.history import HistoryScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, header, list_shown, move_to, notifications, screen_text, showing, wait_until

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
CRIMEA = "32047f98-ec01-4a69-a671-58ddae647c0d"
SIZE = (130, 40)


def rows(app):
    return list(app.screen.query_one(IncidentList).incidents)


def row_ids(app) -> list[str]:
    return [row.id for row in rows(app)]


def toast_saying(app, text: str) -> bool:
    return any(text in message for message in notifications(app))


async def test_another_program_adding_shows_up_in_the_list(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        with Journal(journal.path) as other:
            other.add(IncidentFields(title="Added by a script", date="2024-07-05", country="Russia",
                                     region="Kursk"))
        assert app.check_for_changes() is True
        await wait_until(pilot, lambda: "5 of 5 incidents" in header(app), what="the list to show the added incident")
        assert "Added by a script" in [row.title for row in rows(app)]
        await wait_until(pilot, lambda: toast_saying(app, "changed by another program"), what="the toast saying so")
        assert app.check_for_changes() is False  # nothing new since


async def test_a_save_over_someone_elses_change_is_refused_and_the_form_kept(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form")
        with Journal(journal.path) as other:
            other.update(other.get(IZHEVSK).with_changes(killed="2"))
        app.screen.query_one("#f-injured", Input).value = "5"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: toast_saying(app, "changed elsewhere"), what="the refusal of the save")
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#f-injured", Input).value == "5"
    on_disk = Journal(journal.path).get(IZHEVSK)
    assert (str(on_disk.killed), str(on_disk.injured)) == ("2", "? (several)")


async def test_h_shows_each_revision_with_old_and_new_values(journal):
    journal.update(journal.get(IZHEVSK).with_changes(killed="3", tags=["factory"]))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "enter", "h")
        await wait_until(pilot, lambda: showing(app, HistoryScreen) and "revision 1 → 2" in screen_text(app),
                         what="the history of the incident")
        text = screen_text(app)
        assert "revision 1 → 2" in text
        assert "killed: 1+  →  3" in text
        assert "tags: factory, fire  →  factory" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail, after the history")


async def test_undo_restores_through_the_history(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "d", "y")
        await wait_until(pilot, lambda: showing(app, ListScreen) and IZHEVSK not in row_ids(app),
                         what="the list without the deleted incident")
        await pilot.press("u")
        await wait_until(pilot, lambda: IZHEVSK in row_ids(app), what="the restored incident in the list")
        assert app.screen.query_one(IncidentList).highlighted.id == IZHEVSK
    actions = [step.action for step in Journal(journal.path).history(IZHEVSK)]
    assert actions == ["delete", "restore"]


async def test_after_a_delete_the_cursor_stays_where_it_was(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        order = row_ids(app)
        await pilot.press("j", "j", "d", "y")
        await wait_until(pilot, lambda: showing(app, ListScreen) and order[2] not in row_ids(app),
                         what="the list without the deleted incident")
        assert app.screen.query_one(IncidentList).highlighted.id == order[3]


async def test_closing_a_picker_returns_to_the_list(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.query_one("#region-filter", Select).expanded,
                         what="the region picker to open")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.focused, IncidentList), what="the cursor back in the list")
        await pilot.press("j")
        await wait_until(pilot, lambda: app.focused.cursor == 1, what="j to move the cursor down")


async def test_every_column_is_there_in_80_columns(journal):
    app = JournalApp(journal)
    columns = ("Date", "Place", "Region", "Event", "Kill", "Inju", "Veri", "Title")
    async with app.run_test(size=(80, 24)) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: all(column in screen_text(app) for column in columns),
                         what="every column heading")
        text = screen_text(app)
        for column in columns:
            assert column in text, column
        assert "2024-07-01" in text  # dates are never cut
        assert header(app).startswith("4 of 4 incidents")


def break_crimea(path):
    data = json.loads(path.read_text())
    for record in data["incidents"].values():
        if record["id"] == CRIMEA:
            record["killed"] = {"min": -1, "max": None, "note": None}
            record["title"] = "[b]hand-edited"
    path.write_text(json.dumps(data))


async def test_invalid_records_are_marked_and_can_be_fixed(journal):
    journal.close()
    break_crimea(journal.path)
    app = JournalApp(Journal(journal.path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.finish_checks()  # records are checked after the first paint, between keys
        await wait_until(pilot, lambda: "1 need fixing" in header(app) and "INVALID" in screen_text(app),
                         what="the invalid record marked")
        lines = [line for line in screen_text(app).splitlines() if "2024-07" in line]
        first = lines[0]  # records that need fixing come first
        assert "INVALID" in first and "[b]hand-edited" in first and "killed" in first
        await pilot.press("g", "enter")  # the cursor stayed on its incident; go to the top
        await wait_until(pilot, lambda: form_ready(app), what="the form to fix the record")
        error = app.screen.query_one("#e-killed")
        assert "-shown" in error.classes and "at least 0; this is -1" in str(error.render())
        assert app.screen.query_one("#f-title", Input).value == "[b]hand-edited"
        app.screen.query_one("#f-killed", Input).value = "0"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail of the fixed incident")
    reopened = Journal(journal.path)
    assert reopened.bad_records() == []
    fixed = reopened.get(CRIMEA)
    assert str(fixed.killed) == "0" and fixed.title == "[b]hand-edited" and fixed.revision == 2
    assert fixed.sources[0].outlet == "Russian Ministry of Defence"


async def test_untouched_fields_do_not_count_as_changes(journal):
    journal.update(journal.get(IZHEVSK).with_changes(summary="line one\u2028line two"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form")
        await pilot.press("escape")
        # No "Discard changes?": nothing was edited (a question would keep the list from coming back).
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list, without a question")
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form, again")
        app.screen.query_one("#f-killed", Input).value = "4"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: str(journal.get(IZHEVSK).killed) == "4",
                         what="the edit to be saved")
    assert Journal(journal.path).get(IZHEVSK).summary == "line one\u2028line two"


async def test_multi_line_quotes_survive_an_edit_of_their_source(journal):
    journal.update(
        journal.get(IZHEVSK).with_changes(
            sources=[{"outlet": "SHOT (Telegram)", "kind": "telegram", "quote": "first line\nsecond line"}],
            attribution_by=None,  # (renaming the source below would leave no source to claim it)
        )
    )
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form")
        row = app.screen.query_one("#f-sources").rows[0]
        assert row.query_one(".s-quote", TextArea).text == "first line\nsecond line"
        row.query_one(".s-outlet", Input).value = "SHOT"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: journal.get(IZHEVSK).sources[0].outlet == "SHOT",
                         what="the edit to be saved")
    [source] = Journal(journal.path).get(IZHEVSK).sources
    assert (source.outlet, source.quote) == ("SHOT", "first line\nsecond line")


async def test_deleting_from_the_list_asks_first(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="the question before deleting")
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list, after the question")
        assert len(rows(app)) == 4


async def test_an_invalid_record_opened_before_the_check_is_done_goes_to_the_form(journal, monkeypatch):
    journal.close()
    break_crimea(journal.path)
    # Before the check is done: it never starts (with four records it would be over in one slice,
    # and the record found invalid would move to the top while the cursor goes to it).
    monkeypatch.setattr(ListScreen, "start_checks", lambda self: None)
    app = JournalApp(Journal(journal.path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await move_to(pilot, CRIMEA)
        await pilot.press("enter")
        await wait_until(pilot, lambda: form_ready(app), what="the form to fix the record")
        assert app.screen.broken is not None and app.screen.broken.id == CRIMEA


async def test_u_after_a_restart_restores_the_last_delete(journal):
    journal.delete(IZHEVSK)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("u")
        await wait_until(pilot, lambda: IZHEVSK in row_ids(app), what="the restored incident in the list")
        assert app.screen.query_one(IncidentList).highlighted.id == IZHEVSK


async def test_marks_of_invalid_records_come_back_after_a_re_read(journal):
    journal.close()
    break_crimea(journal.path)
    app = JournalApp(Journal(journal.path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.finish_checks()
        await wait_until(pilot, lambda: "1 need fixing" in header(app), what="the invalid record marked")
        with Journal(journal.path) as other:
            other.add(IncidentFields(title="Another", date="2024-07-05", country="Russia", region="Kursk"))
        assert app.check_for_changes()
        await wait_until(pilot, lambda: "Another" in [getattr(row, "title", None) for row in rows(app)],
                         what="the list re-read")
        app.screen.finish_checks()
        await wait_until(pilot, lambda: "1 need fixing" in header(app), what="the invalid record marked again")


async def test_a_record_with_a_duplicate_id_does_not_hide_or_harm_the_original(journal):
    journal.close()
    data = json.loads(journal.path.read_text())
    original = next(record for record in data["incidents"].values() if record["id"] == IZHEVSK)
    data["incidents"]["99"] = {**original, "title": "a hand-made copy", "date": "bad"}
    journal.path.write_text(json.dumps(data))
    app = JournalApp(Journal(journal.path))
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        app.screen.finish_checks()
        await wait_until(pilot, lambda: "1 need fixing" in header(app), what="the copy marked")
        titles = [getattr(row, "title", None) for row in rows(app)]
        assert "Drone strike sets a factory on fire in Izhevsk" in titles  # the original is listed
        await pilot.press("g")  # the copy is marked at the top
        await pilot.press("d")
        # Refused: only a hand edit can tell them apart (the toast says so; no question is asked).
        await wait_until(pilot, lambda: toast_saying(app, "by hand"), what="the refusal to delete the copy")
        assert not isinstance(app.screen, ConfirmScreen)
    assert Journal(journal.path).get(IZHEVSK).title == "Drone strike sets a factory on fire in Izhevsk"


async def test_deleting_what_someone_else_just_changed_is_refused(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pilot.press("j", "d")
        await wait_until(pilot, lambda: showing(app, ConfirmScreen), what="the question before deleting")
        with Journal(journal.path) as other:
            other.update(other.get(IZHEVSK).with_changes(killed="5"))
        await pilot.press("y")
        await wait_until(pilot, lambda: toast_saying(app, "changed elsewhere"), what="the refusal of the delete")
    assert str(Journal(journal.path).get(IZHEVSK).killed) == "5"
