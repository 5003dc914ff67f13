"""Issue 15 in the app: a journal synced through a bare git repository on a path (real ``git``),
with conflicts. The list marks the incidents a conflict waits on and ``!`` shows only them; the
title bar says when the journal last synced and how many conflicts wait; the detail shows both
values with who set them and when, and ``m``/``t`` (``1``-``9`` to pick a field) settle one;
"Sync now" in the command palette syncs in a worker. Keys go as bursts, as a person types them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput, CommandPalette

from store import IncidentFields, IncidentFilter, Journal
from store.merge import DELETED
from store.sync import Syncer
from tui.app import JournalApp
from tui.conflicts import MARK
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.list import ListScreen
from tui.sync_state import ChangedMeanwhile, JournalOnLoop, SyncInfo, ago, sync_words
from tui.widgets.incident_list import IncidentList

from .cli_runner import runner
from .conftest import header, list_shown, notifications, palette_offers, screen_text, showing, wait_until
from .test_entry import all_keys_handled, burst

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="git is needed"
)

SIZE = (150, 45)
TITLES = ("Strike on a factory", "Strike on a car", "Interception")


def fields(title: str, **values: Any) -> IncidentFields:
    return IncidentFields.model_validate(
        {"title": title, "date": "2024-07-01", "country": "Russia", "region": "Udmurtia", **values}
    )


class Member:
    """A teammate with a journal of their own, synced with the remote."""

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir()
        self.path = folder / "journal.json"
        self.name = name

    def journal(self) -> Journal:
        return Journal(self.path, author=self.name)

    def setup(self, remote: Path) -> str:
        with self.journal() as journal:
            syncer = Syncer(journal, journal.author)
            syncer.setup(str(remote))
            return syncer.sync().line()

    def sync(self) -> str:
        with self.journal() as journal:
            return Syncer(journal, journal.author).sync().line()

    def edit(self, title: str, **changes: Any) -> None:
        with self.journal() as journal:
            incident = next(incident for incident in journal.all() if incident.title == title)
            journal.update(incident.with_changes(**changes))

    def delete(self, title: str) -> None:
        with self.journal() as journal:
            journal.delete(next(incident for incident in journal.all() if incident.title == title).id)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[tuple[Member, Member]]:
    """Ann and Bob, synced with a bare repository on a path (the USB-stick case)."""
    remote = tmp_path / "stick" / "team.git"
    remote.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    ann, bob = Member(tmp_path / "ann", "Ann"), Member(tmp_path / "bob", "Bob")
    with ann.journal() as journal:
        for title in TITLES:
            journal.add(fields(title))
    ann.setup(remote)
    bob.setup(remote)
    yield ann, bob


@pytest.fixture
def conflicted(team: tuple[Member, Member]) -> tuple[Member, Member]:
    """Bob set the car strike's killed to 5 and its summary, and synced; Ann, offline, set them to
    2 and to another summary, then synced: two conflicts wait in Ann's journal."""
    ann, bob = team
    bob.edit("Strike on a car", killed="5", summary="Bob's reading")
    bob.sync()
    ann.edit("Strike on a car", killed="2", summary="Ann's reading")
    assert ann.sync().endswith("2 conflicts found, 2 conflicts to resolve")
    return ann, bob


def id_of(journal: Journal, title: str) -> str:
    return next(incident.id for incident in journal.all() if incident.title == title)


def list_screen(app: JournalApp) -> ListScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, ListScreen))


def listed_titles(app: JournalApp) -> list[str]:
    return [str(row.title) for row in list_screen(app).query_one(IncidentList).incidents]


def on_row(app: JournalApp, incident_id: str) -> list[str]:
    """The keys that put the list's cursor on ``incident_id`` (g, then j as often as needed)."""
    ids = [row.id for row in list_screen(app).query_one(IncidentList).incidents]
    return ["g", *["j"] * ids.index(incident_id)]


def row_line(app: JournalApp, title: str) -> str:
    return next(line for line in screen_text(app).splitlines() if title in line)


async def synced_info_read(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.sync_info is not None, what="the sync state read")


# -- the list -------------------------------------------------------------------------------------


async def test_the_list_marks_conflicts_says_when_synced_and_bang_shows_only_them(conflicted):
    ann, _ = conflicted
    with ann.journal() as journal:
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            await wait_until(pilot, lambda: "synced just now" in header(app), what="the title to say when synced")
            assert "3 of 3 incidents" in header(app)
            assert "synced just now  ·  2 conflicts (! shows them)" in header(app)
            assert f"{MARK}Strike on a car" in row_line(app, "Strike on a car")
            assert MARK not in row_line(app, "Strike on a factory")
            burst(app, "!")
            await wait_until(pilot, lambda: all_keys_handled(app) and listed_titles(app) == ["Strike on a car"],
                             what="only the incident with conflicts")
            assert "1 of 3 incidents" in header(app) and "only incidents with conflicts (!: all)" in header(app)
            burst(app, "!", "!", "!")  # all, only them, all
            await wait_until(pilot, lambda: all_keys_handled(app) and len(listed_titles(app)) == 3,
                             what="every incident again")
            assert "(! shows them)" in header(app)
            burst(app, "!", "x")  # x clears the filter too
            await wait_until(pilot, lambda: all_keys_handled(app) and len(listed_titles(app)) == 3,
                             what="the filters cleared")


async def test_bang_without_conflicts_says_so_and_an_unsynced_journal_says_nothing_of_sync(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await synced_info_read(pilot)
        assert app.sync_info == SyncInfo(False)
        said = header(app).rsplit("  ·  ", 1)[0]  # (the path holds the test's name)
        assert said.endswith("sorted by date") and "synced" not in said and "conflict" not in said
        burst(app, "!")
        await wait_until(pilot, lambda: any("No conflicts wait" in note for note in notifications(app)),
                         what="the toast saying no conflict waits")
        assert not list_screen(app).incident_filter.conflicts


# -- the detail -----------------------------------------------------------------------------------


async def test_the_detail_shows_both_values_with_who_and_when_and_t_takes_theirs(conflicted):
    ann, _ = conflicted
    with ann.journal() as journal:
        car = id_of(journal, "Strike on a car")
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            burst(app, *on_row(app, car), "enter")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="the detail")
            text = screen_text(app)
            assert "Conflicts from syncing: 2 fields with two values" in text
            lines = text.splitlines()
            killed = next(n for n, line in enumerate(lines) if "▸ 1  Killed" in line)
            assert "mine   2   (Ann, " in lines[killed + 1] and "shown now" in lines[killed + 1]
            assert "theirs 5   (Bob, " in lines[killed + 2] and " UTC)" in lines[killed + 2]
            assert "2  Summary" in text and "Ann's reading" in text and "Bob's reading" in text
            await wait_until(pilot, lambda: "m Keep mine t Take theirs 1-9 Pick field" in screen_text(app),
                             what="the keys in the footer")
            # t asks first; y takes it: a burst, as typed.
            burst(app, "t", "y")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen)
                             and len(app.screen.conflicts) == 1, what="the killed conflict resolved")
            assert str(journal.get(car).killed) == "5"
            assert [conflict.field for conflict in journal.conflicts_of(car)] == ["summary"]
            assert any("Took theirs: Killed is 5." in note for note in notifications(app))
            assert "Conflicts from syncing: 1 field with two values" in screen_text(app)
            # The other one, kept: m then y. The section goes, and so do the keys.
            burst(app, "m", "y")
            await wait_until(pilot, lambda: all_keys_handled(app) and not journal.conflicts(),
                             what="the summary conflict resolved")
            assert journal.get(car).summary == "Ann's reading"
            await wait_until(pilot, lambda: "Conflicts from syncing" not in screen_text(app),
                             what="the conflict section gone")
            assert "Keep mine" not in screen_text(app)
            burst(app, "escape")
            await wait_until(pilot, lambda: showing(app, ListScreen) and MARK not in row_line(app, "Strike on a car"),
                             what="the list without the marker")
            assert "conflict" not in header(app).rsplit("  ·  ", 1)[0]


async def test_a_number_picks_the_field_and_n_answers_no(conflicted):
    ann, _ = conflicted
    with ann.journal() as journal:
        car = id_of(journal, "Strike on a car")
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            burst(app, *on_row(app, car), "enter", "2", "t")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen),
                             what="the question")
            assert "Take theirs for Summary?" in screen_text(app)
            assert "Summary: Bob's reading (Bob, " in screen_text(app)
            burst(app, "n", "escape", "enter", "t")  # no; nothing changes; back, open again: field 1
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen),
                             what="the question again")
            assert "Take theirs for Killed?" in screen_text(app)
            burst(app, "escape")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="no")
            assert len(journal.conflicts_of(car)) == 2 and str(journal.get(car).killed) == "2"


async def test_an_edit_against_a_delete_taken_deletes_it_and_u_brings_it_back(team):
    ann, bob = team
    bob.delete("Interception")
    bob.sync()
    ann.edit("Interception", summary="Ann's note")
    ann.sync()
    with ann.journal() as journal:
        interception = id_of(journal, "Interception")
        assert [conflict.field for conflict in journal.conflicts_of(interception)] == [DELETED]
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            burst(app, *on_row(app, interception), "enter")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="the detail")
            text = screen_text(app)
            assert "Deleted on one side" in text and "mine   edited it   (Ann, " in text
            assert "theirs deleted it   (" in text  # (the merge does not say who deleted it, nor when)
            burst(app, "t")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen), what="asked")
            assert "Delete this incident?" in screen_text(app)
            burst(app, "y")
            await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ListScreen)
                             and "Interception" not in listed_titles(app), what="deleted, back in the list")
            assert interception not in journal and not journal.conflicts()
            burst(app, "u")
            await wait_until(pilot, lambda: all_keys_handled(app) and "Interception" in listed_titles(app),
                             what="brought back")


# -- Sync now ---------------------------------------------------------------------------------------


async def open_palette_and_run(pilot, words: str, command: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: showing(app, CommandPalette) and isinstance(app.focused, CommandInput),
                     what="the command palette")
    await pilot.press(*words)
    await wait_until(pilot, lambda: palette_offers(app, words, command), what=f"the palette to offer {command!r}")
    await pilot.press("enter")


async def test_sync_now_from_the_palette_brings_a_teammates_change_into_the_list(team):
    ann, bob = team
    with bob.journal() as journal:
        journal.add(fields("Bob's new one"))
    bob.edit("Strike on a factory", killed="3")
    bob.sync()
    with ann.journal() as journal:
        journal.add(fields("Ann's new one"))
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            await synced_info_read(pilot)
            assert "Bob's new one" not in listed_titles(app)
            await open_palette_and_run(pilot, "sync now", "Sync now")
            await wait_until(pilot, lambda: any(note.startswith("received 2, sent 1") for note in notifications(app)),
                             what="the sync's report", timeout=30)
            await wait_until(pilot, lambda: "Bob's new one" in listed_titles(app), what="Bob's incident listed")
            assert not app.sync_running and "synced just now" in header(app)
            assert "3" in row_line(app, "Strike on a factory")
            # Keys go on during a sync: the list moves while git runs.
            await open_palette_and_run(pilot, "sync", "Sync now")
            burst(app, "G", "g", "j")
            await wait_until(pilot, lambda: all_keys_handled(app) and not app.sync_running
                             and list_screen(app).query_one(IncidentList).cursor == 1, what="keys during a sync")
    assert bob.sync().startswith("received 1")  # what Ann sent from the app
    with bob.journal() as journal:
        assert "Ann's new one" in {incident.title for incident in journal.all()}


async def test_sync_now_on_a_journal_not_set_up_says_how(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await synced_info_read(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: showing(app, CommandPalette), what="the palette")
        await pilot.press(*"sync now")
        await wait_until(pilot, lambda: palette_offers(app, "sync now", "Sync now"), what="Sync now offered")
        assert "incident-journal sync setup REMOTE" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("sync setup REMOTE" in note for note in notifications(app)),
                         what="the toast saying how to set it up")


async def test_a_sync_that_fails_says_why_and_changes_nothing(team, tmp_path: Path):
    ann, _ = team
    (tmp_path / "stick" / "team.git").rename(tmp_path / "stick" / "gone.git")  # the stick is out
    with ann.journal() as journal:
        before = journal.version
        app = JournalApp(journal)
        async with app.run_test(size=SIZE) as pilot:
            await list_shown(pilot)
            await open_palette_and_run(pilot, "sync now", "Sync now")
            await wait_until(pilot, lambda: any("cannot be reached" in note for note in notifications(app)),
                             what="the error", timeout=30)
            assert journal.version == before and not app.sync_running


# -- the filter, in the store and the CLI ---------------------------------------------------------------


def test_the_conflicts_filter_keeps_the_incidents_a_conflict_waits_on(conflicted, capsys):
    ann, _ = conflicted
    with ann.journal() as journal:
        car = id_of(journal, "Strike on a car")
        asked = IncidentFilter(conflicts=True, conflict_ids=journal.conflict_ids())
        assert not asked.is_empty and IncidentFilter(conflict_ids=frozenset({car})).is_empty
        assert [row.id for row in journal.query_rows(asked)] == [car]
        assert [incident.id for incident in journal.query(asked)] == [car]
        assert journal.query_rows(IncidentFilter(conflicts=True)) == []  # no ids given: none
    ij = runner(ann.path, capsys)
    listed = ij("list", "--conflicts", "--format", "json")
    assert listed.code == 0 and [item["title"] for item in json.loads(listed.out)] == ["Strike on a car"]
    assert ij("resolve", car[:8], "killed", "--take", "mine").code == 0
    assert ij("resolve", car[:8], "summary", "--take", "theirs").code == 0
    assert ij("list", "--conflicts").err.startswith("no incidents match")


# -- the pieces ---------------------------------------------------------------------------------------


def test_a_merge_worked_out_before_an_edit_saved_during_the_sync_is_not_applied(conflicted):
    ann, _ = conflicted
    with ann.journal() as journal:
        shared = JournalOnLoop(journal, lambda work: work())
        shared.shared_snapshot()
        journal.update(journal.get(id_of(journal, "Interception")).with_changes(summary="typed meanwhile"))
        with pytest.raises(ChangedMeanwhile):
            shared.apply_merge({}, {}, [], {})
        assert journal.get(id_of(journal, "Interception")).summary == "typed meanwhile"
        shared.shared_snapshot()
        shared.apply_merge({}, {}, [], {})  # nothing changed since the snapshot: applied
        assert not journal.conflicts()


def test_when_last_synced_reads_as_a_person_says_it():
    now = dt.datetime(2025, 3, 12, 12, 0, tzinfo=dt.UTC)
    assert ago("2025-03-12T11:59:30+00:00", now) == "just now"
    assert ago("2025-03-12T11:55:00+00:00", now) == "5 min ago"
    assert ago("2025-03-12T09:00:00+00:00", now) == "3 h ago"
    assert ago("2025-03-11T09:00:00+00:00", now) == "1 day ago"
    assert ago("2025-03-01T09:00:00+00:00", now) == "on 2025-03-01"
    assert sync_words(SyncInfo(True, "2025-03-12T11:55:00+00:00"), 2, now) == "synced 5 min ago  ·  2 conflicts"
    assert sync_words(SyncInfo(True), 1, now) == "not synced yet  ·  1 conflict"
    assert sync_words(SyncInfo(False), 0, now) == ""
    assert sync_words(None, 3, now) == "3 conflicts"
