"""``ListScreen``: the start screen. Filter, search, sort and move through incidents."""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Select, Static

from store import BadRecord, Incident, IncidentFilter, InvalidIncident, JournalError
from store.geo import RegionNames, RegionSpellings, group_spellings, region_names
from store.rows import IncidentRow
from store.text import printable
from tui.keys import OrderedKeysApp
from tui.screens.base import JournalScreen
from tui.screens.detail import DetailScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.overview import OverviewScreen
from tui.sync_state import sync_words
from tui.widgets.form_fields import PastedEscapedInput
from tui.widgets.incident_list import IncidentList, Row
from tui.widgets.place_suggestions import PlacesReady, load_places, places

ALL = ""
CASUALTY_CHOICES = (
    ("All casualties", ALL),
    ("Killed", "killed"),
    ("Injured", "injured"),
    ("No casualties", "none"),
    ("Unknown", "unknown"),
)
CIVILIAN_CHOICES = (("Anyone harmed", ALL), ("Civilian harm", "civilians"))
SORTS = ("date", "region", "killed")
#: The records are checked in slices of this many seconds, with this pause between two, so no
#: key waits for more than one slice.
CHECK_SLICE = 0.008
CHECK_PAUSE = 0.012


@functools.cache
def short_path(path: Path) -> str:
    """The journal's path as a person reads it: ``~`` for the home folder."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home()))
    except ValueError:
        return str(path)


def region_entry(group: RegionSpellings) -> str:
    """A region as the picker lists it: "Udmurtia (6)", "Udmurtia (6, 3 spellings)" when its
    incidents spell it several ways, "Udmurtia (2, as Udmurt Republic)" when one other way."""
    name = printable(group.name)
    if not group.split:
        return f"{name} ({group.count})"
    if len(group.spellings) == 1:
        return f"{name} ({group.count}, as {printable(group.spellings[0][0])})"
    return f"{name} ({group.count}, {len(group.spellings)} spellings)"


class ListScreen(JournalScreen[None]):
    BINDINGS = [
        Binding("slash", "search", "Search", id="search"),
        Binding("r", "pick_region", "Region", id="region"),
        Binding("c", "pick_casualties", "Casualties", id="casualties"),
        Binding("v", "pick_civilians", "Civilians", id="civilians"),
        Binding("w", "within_group", "Group", id="group"),
        Binding("x", "clear_filters", "Clear filters", id="clear"),
        Binding("n", "new", "New", id="new"),
        Binding("N", "new_from", "New from this", id="new_from"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("d", "delete", "Delete", id="delete"),
        Binding("u", "undo", "Undo delete", id="undo"),
        Binding("o", "cycle_sort", "Sort", id="sort"),
        Binding("s", "overview", "Overview", id="overview"),
        Binding("exclamation_mark", "only_conflicts", "Only incidents with conflicts", show=False, id="conflicts"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("escape", "leave_search", "Back to list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.incident_filter = IncidentFilter()
        #: The list's order ("sort_order" is Textual's own: a widget's place among its siblings).
        self.row_order = "date"
        self._checks: Iterator[None] = iter(())
        self._checked_generation = -1
        self._marks_due = False  # the records found invalid are to be marked once checked
        self._regions_shown: tuple[list[tuple[str, int]], str, bool] | None = None
        #: The region table (``store.geo.region_names``), read in a thread after the first paint;
        #: until then the picker lists each spelling as it is.
        self._region_names: RegionNames | None = None
        #: The title bar's parts around what it says of syncing (see ``_show_title``).
        self._title = ("", "")

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        with Horizontal(id="filter-bar"):
            yield Select([("All regions", ALL)], allow_blank=False, value=ALL, id="region-filter")
            yield Select(CASUALTY_CHOICES, allow_blank=False, value=ALL, id="casualty-filter")
            yield Select(CIVILIAN_CHOICES, allow_blank=False, value=ALL, id="civilian-filter")
            yield PastedEscapedInput(placeholder="/ search title, place, region, summary, sources, tags", id="search")
        yield Static(id="empty-message")
        yield IncidentList(id="incidents")
        yield Footer(compact=True)

    @property
    def incident_list(self) -> IncidentList:
        return self.query_one(IncidentList)

    def on_mount(self) -> None:
        self._checked_generation = self.journal.generation  # checks start after the paint
        self.catch_up()
        self.incident_list.focus()
        for picker in self.query(Select):
            # A picker takes the focus only while it is open (r, c): a stray Enter or arrow
            # on a focused picker would change a filter nobody chose to change.
            picker.can_focus = False
            self.watch(picker, "expanded", self._on_picker_toggle(picker), init=False)
        # Only once the list is on screen: checking 100,000 records must not delay it.
        self.call_after_refresh(self.start_checks)
        self.call_after_refresh(self._read_region_names)
        self.watch(self.app, "sync_info", self._show_title, init=False)
        self.watch(self.app, "sync_running", self._show_title, init=False)
        self.set_interval(30, self._show_title)  # "synced 5 min ago" moves on

    # -- checking the records, between keys ----------------------------------------------------

    def start_checks(self) -> None:
        """Check every record and prepare search (``journal.background_checks``), in a worker
        that steps through them between keys; one started before (an older read) is cancelled."""
        self._checks = self.journal.background_checks()
        self._checked_generation = self.journal.generation
        self._marks_due = True
        self._check_records()

    @work(exclusive=True, group="checks")
    async def _check_records(self) -> None:
        """Steps ``journal.background_checks`` on the event loop, a slice at a time.

        Not in a thread: each step reads and fills the journal's own dicts, which a save on the
        event loop changes too, and nothing guards them against two threads. Here a save can only
        come between two steps (the generator allows for that); with the GIL a thread would have
        made no step faster, only the keys' wait no shorter than a slice.
        """
        while True:  # ``self._checks`` may have grown meanwhile (``_prepare_search``)
            deadline = time.perf_counter() + CHECK_SLICE
            for _ in self._checks:
                if time.perf_counter() > deadline:
                    break
            else:
                break
            await asyncio.sleep(CHECK_PAUSE)  # the keys come here
        self._checks_done()

    def finish_checks(self) -> None:
        """Do what is left of the checks now (tests, the bench), and mark the records found invalid."""
        self.workers.cancel_group(self, "checks")
        for _ in self._checks:
            pass
        self._checks_done()

    def _checks_done(self) -> None:
        if not self._marks_due:
            return
        self._marks_due = False
        if self.journal.bad_records(validate=False):  # to be marked: the list is out of date
            self.shown_version = None
            if self.in_sight:
                self.catch_up()

    def show_journal(self) -> None:
        self.reload()
        self._prepare_search()

    def _prepare_search(self) -> None:
        """After a change (or a new order), number the rows for the search index between keys
        too, so the next search's first key does not wait for it."""
        self._checks = itertools.chain(self._checks, self.journal.prepare_search(self.row_order))
        self._check_records()  # goes on from where a running one is (it is replaced)

    # -- data ------------------------------------------------------------------------------

    def reload(self, keep_id: str | None = None) -> None:
        """Show the journal through the current filters and order."""
        journal = self.journal
        self.shown_version = journal.version
        self._refresh_regions()
        if journal.generation != self._checked_generation:
            self.start_checks()  # the file was (re-)read: what was found before no longer holds
        asked = self.incident_filter
        if asked.conflicts:  # the incidents a conflict waits on, as they are now
            asked = replace(asked, conflict_ids=self.journal_app.conflict_marks.ids)
        incidents: Sequence[Row] = journal.query_rows(asked, self.row_order)  # a new list
        bad = journal.bad_records(validate=False)  # the rest are checked in the background
        bad_ids = {record.id for record in bad if not record.duplicate}
        if bad_ids:
            incidents = [row for row in incidents if row.id not in bad_ids]
        # Records that need fixing come first while nothing is filtered out.
        rows = [*bad, *incidents] if bad and self.incident_filter.is_empty else incidents
        self.incident_list.show(rows, keep_id=keep_id, conflicts=self.journal_app.conflict_marks.ids)
        total = len(journal)
        fixing = f"  ·  {len(bad)} need fixing" if bad else ""
        in_group = ""
        if self.incident_filter.group is not None:
            try:
                in_group = f"  ·  group: {printable(journal.group(self.incident_filter.group).title)} (w: all)"
            except JournalError:
                in_group = f"  ·  group {self.incident_filter.group[:8]} (w: all)"
        conflicts = "  ·  only incidents with conflicts (!: all)" if self.incident_filter.conflicts else ""
        self._title = (
            f"{len(rows)} of {total} incidents  ·  sorted by {self.row_order}{fixing}{in_group}{conflicts}",
            printable(short_path(journal.path)),
        )
        self._show_title()
        incidents = rows
        empty = self.query_one("#empty-message", Static)
        if total == 0:
            empty.update(
                Content(
                    "No incidents yet.\n\nPress n to add one, or run `incident-journal seed` "
                    "for the examples from the article."
                )
            )
        elif not incidents:
            empty.update(Content("No incidents match the filters. Press x to clear them."))
        empty.display = not incidents
        self.incident_list.set_class(not incidents, "-empty")
        if self.is_current and self.focused is None:  # the focus is never lost
            self.set_focus(self.incident_list)

    def _show_title(self) -> None:
        """The title bar: what the list shows, then (when set up, when any wait) when the journal
        last synced and how many conflicts wait, then the journal's path: "5 of 5 incidents  ·
        sorted by date  ·  synced 5 min ago  ·  2 conflicts (! shows them)  ·  ~/journal.json"."""
        app = self.journal_app
        count = app.conflict_marks.count
        sync = sync_words(app.sync_info, count)
        if app.sync_running:
            sync = "  ·  ".join(("syncing…", *([sync_words(None, count)] if count else [])))
        if count and not self.incident_filter.conflicts:
            sync += " (! shows them)"
        head, path = self._title
        self.query_one("#title-bar", Static).update(Content("  ·  ".join(part for part in (head, sync, path) if part)))

    class RegionNamesRead(Message):
        def __init__(self, names: RegionNames) -> None:
            super().__init__()
            self.names = names

    @work(thread=True, group="region-names", exit_on_error=False)
    def _read_region_names(self) -> None:
        self.post_message(self.RegionNamesRead(region_names()))  # about 50 ms, once per process

    @on(RegionNamesRead)
    def _region_names_read(self, event: RegionNamesRead) -> None:
        self._region_names = event.names
        self._refresh_regions()

    def _refresh_regions(self) -> None:
        select = self.query_one("#region-filter", Select)
        if select.expanded:
            return  # not under a person choosing: done as it closes
        current = self.incident_filter.region or ALL
        regions = self.journal.row_regions()
        names = self._region_names
        if (regions, current, names is not None) == self._regions_shown:
            return  # typing a search changes neither: leave the picker alone
        self._regions_shown = (regions, current, names is not None)
        # One entry per region: its spellings together ("Udmurtia", "Udmurt Republic", "Удмуртия").
        if names is not None:
            groups = group_spellings(regions, names)
        else:
            groups = [RegionSpellings(region, "", ((region, count),)) for region, count in regions]
        # Text: literal, and found by typing; the name escaped (the value, what filters, is not).
        options = [("All regions", ALL)] + [
            (Text(region_entry(group), no_wrap=True, overflow="ellipsis"), group.name) for group in groups
        ]
        if current not in {value for _, value in options}:
            options.append((Text(f"{printable(current)} (0)"), current))
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = current

    def set_filter(self, **changes: Any) -> None:
        fields: dict[str, Any] = {
            "region": self.incident_filter.region,
            "casualties": self.incident_filter.casualties,
            "text": self.incident_filter.text,
            "civilians": self.incident_filter.civilians,
            "group": self.incident_filter.group,
            "conflicts": self.incident_filter.conflicts,
        }
        fields.update(changes)
        self.incident_filter = IncidentFilter(**fields)
        self.reload()

    @on(Select.Changed, "#region-filter")
    def _region_chosen(self, event: Select.Changed) -> None:
        self.set_filter(region=event.value or None)
        self.incident_list.focus()

    @on(Select.Changed, "#casualty-filter")
    def _casualties_chosen(self, event: Select.Changed) -> None:
        self.set_filter(casualties=frozenset({event.value}) if event.value else frozenset())
        self.incident_list.focus()

    @on(Select.Changed, "#civilian-filter")
    def _civilians_chosen(self, event: Select.Changed) -> None:
        self.set_filter(civilians=event.value == "civilians")
        self.incident_list.focus()

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        if places() is None and event.value.strip():
            load_places(self)  # in a thread; a place's other names are searched once it is read
        # Typed as a burst (or pasted by keys), the search runs once, for the last of the
        # characters: while the next key held is one more character, this one's result would
        # never be seen. Any other key (Enter, ↓, Esc) finds the list searched to the end.
        if isinstance(self.app, OrderedKeysApp) and self.app.text_key_held():
            return
        self.set_filter(text=event.value)

    @on(PlacesReady)
    def _places_read(self) -> None:
        """The gazetteer is read: search again, so a place's other names find their incidents."""
        if self.incident_filter.text.strip():
            self.set_filter(text=self.incident_filter.text)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.incident_list.focus()

    @on(IncidentList.Selected)
    async def _open(self, event: IncidentList.Selected) -> None:
        await self._open_row(event.incident, edit=False)

    async def _open_row(self, row: Row, *, edit: bool) -> None:
        """Open a row in the detail (or the form); an invalid one opens in the form to be fixed."""
        if isinstance(row, BadRecord):
            await self.fix(row)
            return
        try:
            incident = self.journal.get(row.id)
        except InvalidIncident:
            bad = {record.id: record for record in self.journal.bad_records(validate=False)}
            self.reload(keep_id=row.id)
            await self.fix(bad[row.id])
            return
        except JournalError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.reload()
            return
        if edit:
            await self.journal_app.open_form(incident, on_done=self._after_edit)
        else:
            self.open_detail(incident)

    def _on_picker_toggle(self, picker: Select) -> Callable[[bool], None]:
        def toggled(expanded: bool) -> None:
            self._picker_closed(picker, expanded)

        return toggled

    def _picker_closed(self, picker: Select, expanded: bool) -> None:
        if not expanded:
            # Not focusable again, so the Select's own deferred focus() as it closes does nothing;
            # the list takes the focus now, before the next key is handed on.
            picker.can_focus = False
            if self.is_current:
                self.set_focus(self.incident_list)
            if picker.id == "region-filter":
                self._refresh_regions()  # what changed while it was open (the region names read)

    # -- actions ---------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.value = ""
        self.incident_list.focus()

    def action_pick_region(self) -> None:
        self._open_picker(self.query_one("#region-filter", Select))

    def action_pick_casualties(self) -> None:
        self._open_picker(self.query_one("#casualty-filter", Select))

    def action_pick_civilians(self) -> None:
        self._open_picker(self.query_one("#civilian-filter", Select))

    def action_within_group(self) -> None:
        """Show only the incidents of the highlighted incident's group of claims; again: all."""
        if self.incident_filter.group is not None:
            self.set_filter(group=None)
            return
        row = self.incident_list.highlighted
        group = row.raw.get("group") if isinstance(row, IncidentRow) else None
        if not isinstance(group, str):
            self.notify("This incident is in no group of claims.", timeout=2)
            return
        self.set_filter(group=group)

    def action_only_conflicts(self) -> None:
        """Show only the incidents a sync conflict waits on; again: all."""
        if self.incident_filter.conflicts:
            self.set_filter(conflicts=False)
            return
        if not self.journal_app.conflict_marks.ids:
            self.notify("No conflicts wait: every incident agrees with the team's.", timeout=3)
            return
        self.set_filter(conflicts=True)

    def _open_picker(self, picker: Select) -> None:
        picker.can_focus = True
        self.set_focus(picker)
        picker.expanded = True

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#casualty-filter", Select).value = ALL
            self.query_one("#civilian-filter", Select).value = ALL
        self.incident_filter = IncidentFilter()
        self.reload()
        self.incident_list.focus()

    def action_cycle_sort(self) -> None:
        self.row_order = SORTS[(SORTS.index(self.row_order) + 1) % len(SORTS)]
        self.reload()
        self._prepare_search()
        self.notify(f"Sorted by {self.row_order}", timeout=2)

    async def action_new(self) -> None:
        await self.journal_app.open_form(on_done=self._after_edit)

    async def action_new_from(self) -> None:
        """A new incident with the selected one's when, where, what, who and sources."""
        row = self.incident_list.highlighted
        if row is None:
            await self.action_new()
            return
        try:
            template = self.journal.get(row.id) if row.id is not None else None
        except JournalError:
            template = None
        if template is None:
            self.notify("This incident is invalid; fix it first (Enter opens it in the form).", severity="warning")
            return
        await self.journal_app.open_form(template=template, on_done=self._after_edit)

    async def action_edit(self) -> None:
        row = self.incident_list.highlighted
        if row is not None:
            await self._open_row(row, edit=True)

    async def fix(self, record: BadRecord) -> None:
        """Open an invalid record in the form, with its problems marked."""
        if record.id is None or record.duplicate or record.id not in self.journal:
            self.notify(
                "This record has no usable id; fix it by hand in the journal file "
                "(incident-journal check names it).", severity="warning", markup=False,
            )
            return
        await self.journal_app.open_form(broken=record, on_done=self._after_edit)

    def _after_edit(self, saved: Incident | None) -> None:
        if saved is not None:
            self.incident_list.choose(saved.id)
            self.open_detail(saved)

    def open_detail(self, incident: Incident) -> None:
        self.catch_up()  # the detail walks the list as it is now ([ and ])
        ids = [item.id for item in self.incident_list.incidents if isinstance(item, IncidentRow)]
        self.app.push_screen(DetailScreen(ids, incident.id), self._back_from_detail)

    def _back_from_detail(self, incident_id: str | None) -> None:
        if incident_id is not None:
            self.incident_list.choose(incident_id)  # where [ and ] or a delete there left off

    def action_delete(self) -> None:
        listing = self.incident_list
        incident = listing.highlighted
        if incident is None:
            return
        if incident.id is None or getattr(incident, "duplicate", False) or incident.id not in self.journal:
            self.notify("This record has no id of its own; fix it by hand in the file.", severity="warning")
            return
        rows = listing.incidents
        neighbour = rows[listing.cursor + 1] if listing.cursor + 1 < len(rows) else (
            rows[listing.cursor - 1] if listing.cursor > 0 else None
        )
        keep = neighbour.id if neighbour is not None else None

        def deleted() -> None:
            if keep is not None:
                self.incident_list.choose(keep)

        self.journal_app.confirm_delete(incident, on_done=deleted)

    def action_undo(self) -> None:
        restored_id = self.journal_app.undo_delete()
        if restored_id is not None:
            self.incident_list.choose(restored_id)

    def shown_rows(self) -> list[IncidentRow]:
        """The rows the list shows now (invalid records included, read as they are)."""
        return [
            row if isinstance(row, IncidentRow) else IncidentRow(row.id or "", row.record)
            for row in self.incident_list.incidents
        ]

    def describe_filters(self) -> str:
        chosen = self.incident_filter
        parts = []
        if chosen.region:
            parts.append(f"region {chosen.region}")
        if chosen.casualties:
            parts.append(f"casualties {', '.join(sorted(chosen.casualties))}")
        if chosen.text.strip():
            parts.append(f"search \u201c{chosen.text.strip()}\u201d")
        if chosen.conflicts:
            parts.append("with conflicts")
        return " · ".join(parts) if parts else "every incident (no filters)"

    def rows_now(self) -> list[IncidentRow]:
        """The rows the list shows once it has caught up with the journal (for the overview)."""
        self.catch_up()
        return self.shown_rows()

    def action_overview(self) -> None:
        self.app.push_screen(
            OverviewScreen(self.shown_rows(), self.describe_filters(), len(self.journal), rows_now=self.rows_now)
        )

    def action_export(self, fmt: str = "csv") -> None:
        rows = [row for row in self.incident_list.incidents if isinstance(row, IncidentRow)]
        skipped = len(self.incident_list.incidents) - len(rows)
        self.app.push_screen(ExportScreen(rows, fmt, skipped_invalid=skipped, filters=self.describe_filters()))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()
