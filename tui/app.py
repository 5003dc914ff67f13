"""``JournalApp``: the Textual app over one ``store.Journal``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import work
from textual.app import SystemCommand
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from store import BadRecord, Incident, IncidentFields, Journal, JournalError, PossibleDuplicate
from store.journal import RewriteChanges
from store.rows import IncidentRow
from store.sync import Syncer, SyncError
from store.text import printable
from tui.conflicts import ConflictMarks
from tui.keys import OrderedKeysApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.edit import EditScreen
from tui.screens.export import FORMAT_NAMES, PALETTE_NAMES
from tui.screens.list import ListScreen, short_path
from tui.sync_state import SETUP_COMMAND, ChangedMeanwhile, JournalOnLoop, SyncInfo, read_sync_info

#: A sync the journal's own saves got in the way of (``ChangedMeanwhile``) is run again this often.
SYNC_ATTEMPTS = 3


def _seen_revision(shown: Incident | IncidentRow | BadRecord) -> int | None:
    """The revision a person was looking at (a delete of a later one is refused)."""
    if isinstance(shown, Incident):
        return shown.revision
    revision = (shown.raw if isinstance(shown, IncidentRow) else shown.record).get("revision")
    return revision if isinstance(revision, int) and not isinstance(revision, bool) else None


def _could_duplicate_now(before: Incident, after: Incident) -> bool:
    """Whether an edit changed what duplicates are found by (date, place, source URLs)."""
    def urls(incident: Incident) -> set[str]:
        return {source.url for source in incident.sources if source.url}

    return (before.date, before.place) != (after.date, after.place) or bool(urls(after) - urls(before))


def _article(name: str) -> str:
    """``a`` or ``an`` before a format's name, as it is read aloud (an ACLED, a CSV, a JSON)."""
    return "an" if name[:1] in "AEIOU" else "a"


class JournalApp(OrderedKeysApp):
    """Browse and edit the incidents of ``journal``; every action has a key.

    ``journal_version`` is how the screens learn of a change: it follows ``journal.version``
    after every save, delete and restore made here and after every re-read of another
    program's change (``check_for_changes``). Screens watch it (``tui.screens.base``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "Incident Journal"
    ENABLE_COMMAND_PALETTE = True
    #: How often (seconds) to look whether another program changed the journal file.
    WATCH_INTERVAL = 1.0

    #: The journal's version as last told to the screens (see ``journal_changed``).
    journal_version: reactive[int] = reactive(0, init=False)
    #: Whether the journal is set up for syncing and when it last synced (None: not read yet).
    #: Read in a worker at the start, after a sync, and after another program changed the journal.
    sync_info: reactive[SyncInfo | None] = reactive(None, init=False)
    #: A sync is running (in a worker).
    sync_running: reactive[bool] = reactive(False, init=False)

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        #: The incidents a sync conflict waits on, and how many conflicts wait (per version).
        self.conflict_marks = ConflictMarks(journal)
        self.last_deleted_id: str | None = None
        self._told_unreadable = False
        self.set_reactive(JournalApp.journal_version, journal.version)

    def journal_changed(self) -> None:
        """Tell every screen the journal may have changed: the one way they learn of it. Each
        screen that watches ``journal_version`` and is in sight shows the journal again; the
        others do when they come back."""
        self.journal_version = self.journal.version

    def on_mount(self) -> None:
        self.push_screen(ListScreen())
        self.set_interval(self.WATCH_INTERVAL, self.look_for_changes)
        self.tell_file_problems()
        self.refresh_sync_info()
        # The form is built while the list is idle, so that opening it only fills in values.
        self.call_after_refresh(self.form_screen)

    # -- the form, built once ----------------------------------------------------------------

    FORM = "form"

    def form_screen(self) -> EditScreen:
        """The form, built (and started, off screen) at its first use; reused from then on."""
        if self.FORM not in self._installed_screens:  # noqa: SLF001
            self.install_screen(EditScreen(), self.FORM)
        form = self.get_screen(self.FORM, EditScreen)
        if not form.is_running:
            self._get_screen(self.FORM)  # noqa: SLF001 - composes and mounts it, not shown yet
        return form

    async def open_form(
        self,
        incident: Incident | None = None,
        *,
        broken: BadRecord | None = None,
        template: Incident | None = None,
        on_done: Callable[[Incident | None], None] | None = None,
    ) -> None:
        """Show the form: a new incident, ``incident`` to edit, ``broken`` to fix, or a new one
        from ``template``. Keys typed meanwhile wait for it and land in its first field."""
        form = self.form_screen()
        if form in self.screen_stack:  # cannot happen from the keys; be safe anyway
            form = EditScreen()
        await form.load(incident, broken=broken, template=template)
        self.push_screen(form, on_done)  # the installed form stays installed when dismissed

    def tell_file_problems(self) -> None:
        """Say what was found wrong in the file and kept anyway (a record key found twice)."""
        problems = self.journal.file_problems
        if problems:
            shown = problems[:3] + ([f"… and {len(problems) - 3} more"] if len(problems) > 3 else [])
            self.notify(
                "\n".join(shown) + "\nEvery record is kept; the next save writes each under a key of its own.",
                title="The journal file holds a key twice",
                severity="warning",
                timeout=30,
            )

    def look_for_changes(self) -> None:
        """What the app does every ``WATCH_INTERVAL``: take other programs' changes in
        (``check_for_changes``), except that a journal file rewritten whole by a program other
        than incident-journal is compared in a child process, off the event loop, and only what
        changed is applied (a re-read here would keep every key waiting for the parse)."""
        if not self.journal.rewritten_elsewhere():
            self.check_for_changes()
        elif not any(worker.group == "rewrite" and not worker.is_finished for worker in self.workers):
            self._compare_rewrite(self.journal)

    @work(thread=True, group="rewrite")
    def _compare_rewrite(self, journal: Journal) -> None:
        changes = journal.rewrite_changes()  # a child process: this thread only waits for it
        self.call_from_thread(self._take_rewrite, journal, changes)

    def _take_rewrite(self, journal: Journal, changes: RewriteChanges | None) -> None:
        if journal is not self.journal:
            return
        if changes is not None and journal.take_rewrite(changes):
            self.tell_file_problems()
            self.notify("The journal was changed by another program; showing its new content.", timeout=3)
            self.journal_changed()
            self.refresh_sync_info()  # (a sync from the command line, perhaps)
        elif changes is None:
            self.check_for_changes()  # it must be read whole after all (or it cannot be read)
        # else: the journal changed meanwhile; the next look compares again

    def check_for_changes(self) -> bool:
        """Re-read the journal if another program changed it, and tell the screens."""
        try:
            changed = self.journal.refresh()
        except JournalError as exc:
            if not self._told_unreadable:
                self.notify(str(exc), title="Cannot re-read the journal", severity="error", markup=False)
                self._told_unreadable = True
            return False
        self._told_unreadable = False
        if changed:
            self.tell_file_problems()
            self.notify("The journal was changed by another program; showing its new content.", timeout=3)
            self.refresh_sync_info()  # (a sync from the command line, perhaps)
        self.journal_changed()  # also a change made through the journal by other code, if any
        return changed

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the app (screens' and widgets' ``notify`` come here): never markup, and
        whatever a title, a file name or an error holds is shown escaped (``printable``), so no
        record can send a control sequence to the terminal through a toast."""
        super().notify(printable(message, multiline=True), title=printable(title), severity=severity,
                       timeout=timeout, markup=False)

    # -- the store, for the screens ----------------------------------------------------------

    def save_incident(self, fields: IncidentFields) -> tuple[Incident, list[PossibleDuplicate]]:
        """Add a new incident or update an existing one; raises ``JournalError`` if refused.

        Returns it as saved, and the incidents that may record the same event (none for an
        edit that changed neither its date, place nor sources).
        """
        if isinstance(fields, Incident):
            try:
                before: Incident | None = self.journal.get(fields.id)
            except JournalError:  # an invalid record being fixed, or one deleted meanwhile
                before = None
            try:
                saved = self.journal.update(fields)
            finally:
                self.journal_changed()  # a refused save may have re-read the file first
            if before is not None and not _could_duplicate_now(before, saved):
                return saved, []
        else:
            try:
                saved = self.journal.add(fields)
            finally:
                self.journal_changed()
        return saved, self.journal.possible_duplicates([saved])

    def tell_saved(self, saved: Incident, duplicates: list[PossibleDuplicate]) -> None:
        """One toast: what was saved, where, and what it may duplicate."""
        lines = [f"Saved \u201c{saved.title}\u201d ({saved.id[:8]}) to {short_path(self.journal.path)}"]
        if duplicates:
            lines[0] += f" \u00b7 {len(duplicates)} possible duplicate{'s' if len(duplicates) > 1 else ''}"
            lines.extend(str(duplicate) for duplicate in duplicates[:3])
            if len(duplicates) > 3:
                lines.append(f"and {len(duplicates) - 3} more")
        self.notify("\n".join(lines), severity="warning" if duplicates else "information",
                    timeout=12 if duplicates else 4, markup=False)

    def confirm_delete(self, incident: Incident | IncidentRow | BadRecord, on_done: Callable[[], None]) -> None:
        """Ask, then delete ``incident``; ``u`` in the list brings it back. ``on_done`` (where to
        go once it is deleted) runs before the screens are told of the change."""
        title = incident.record.get("title") if isinstance(incident, BadRecord) else incident.title
        title = str(title)

        def answered(yes: bool | None) -> None:
            if not yes or incident.id is None:
                return
            try:
                self.journal.delete(incident.id, revision=_seen_revision(incident))
            except JournalError as exc:
                self.journal_changed()  # a refused delete may have re-read the file first
                self.notify(str(exc), title="Not deleted", severity="error", markup=False)
                return
            self.last_deleted_id = incident.id
            self.notify(f"Deleted: {title}  (u undoes)", markup=False)
            on_done()
            self.journal_changed()

        self.push_screen(ConfirmScreen("Delete this incident?", title), answered)

    def undo_delete(self) -> str | None:
        """Bring back the incident deleted last (here, or else by any program); returns its id."""
        if self.last_deleted_id is None:
            deleted = self.journal.deleted()  # the last delete, made here or by another program
            if not deleted:
                self.notify("Nothing to undo.", timeout=2)
                return None
            self.last_deleted_id = deleted[0].incident_id
        try:
            incident = self.journal.restore(self.last_deleted_id)
        except JournalError as exc:
            self.notify(str(exc), title="Not restored", severity="error", markup=False)
            return None
        finally:
            self.journal_changed()
        restored_id, self.last_deleted_id = self.last_deleted_id, None
        if incident is None:
            self.notify("Restored; it was invalid when deleted and is marked to be fixed.", markup=False)
        else:
            self.notify(f"Restored: {incident.title}", markup=False)
        return restored_id

    # -- team sync (issue 15) -----------------------------------------------------------------------

    @work(thread=True, group="sync-info", exclusive=True, exit_on_error=False)
    def refresh_sync_info(self) -> None:
        """Find out (in a thread: it runs git) whether the journal syncs, and when it last did."""
        journal = self.journal
        info = read_sync_info(journal)
        self.call_from_thread(self._take_sync_info, journal, info)

    def _take_sync_info(self, journal: Journal, info: SyncInfo) -> None:
        if journal is self.journal:
            self.sync_info = info

    def sync_now(self) -> None:
        """Sync with the team's remote in a thread, then say in one toast what happened."""
        if self.sync_running:
            self.notify("A sync is running already.", timeout=3)
            return
        self.sync_running = True
        self.notify("Syncing…", timeout=2)
        self._sync(self.journal)

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync(self, journal: Journal) -> None:
        """Runs ``Syncer.sync`` (git can take seconds); the journal itself is read and changed
        only on the event loop (``JournalOnLoop``), so keys and saves go on meanwhile."""
        line: str | None = None
        problem: str | None = None
        info: SyncInfo | None = None  # (read again after a sync that failed)
        try:
            syncer = Syncer(JournalOnLoop(journal, self.call_from_thread), journal.author)
            if not syncer.is_set_up():
                problem = f"This journal is not set up for syncing: {SETUP_COMMAND}"
            else:
                for attempt in range(SYNC_ATTEMPTS):
                    try:
                        line = syncer.sync().line()
                        break
                    except ChangedMeanwhile:
                        if attempt == SYNC_ATTEMPTS - 1:
                            raise
            info = read_sync_info(journal)
        except SyncError as exc:
            problem = str(exc)
        except Exception as exc:  # a disk full as the merge is saved, the app gone: never silent
            if not self.is_running:
                return  # the app has ended meanwhile: nothing of the merge was applied
            problem = f"the sync stopped: {exc}"
        self.call_from_thread(self._synced, journal, line, problem, info)

    def _synced(self, journal: Journal, line: str | None, problem: str | None, info: SyncInfo | None) -> None:
        self.sync_running = False
        if journal is not self.journal:
            return
        if info is None:
            self.refresh_sync_info()
        else:
            self.sync_info = info
        if problem is not None:
            set_up = info is None or info.set_up
            self.notify(problem, title="Not synced", severity="error" if set_up else "warning", timeout=10)
        else:
            self.notify(line or "synced", title="Synced", timeout=6)
        self.journal_changed()

    def _sync_command(self) -> SystemCommand:
        info = self.sync_info
        if info is not None and not info.set_up:
            return SystemCommand("Sync now", f"not set up for syncing yet: {SETUP_COMMAND}", self.sync_now)
        return SystemCommand(
            "Sync now", "send what changed here, receive and merge the team's changes (git remote)", self.sync_now
        )

    # -- the command palette: every action of the screen, by name ------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            node = active.node

            def run(node=node, action=binding.action) -> None:
                self.call_later(self.run_action, action, node)

            yield SystemCommand(binding.description, f"key: {self.get_key_display(binding)}", run)
        if isinstance(screen, ListScreen):
            for fmt, title in PALETTE_NAMES.items():
                yield SystemCommand(
                    title,
                    f"write the incidents the list shows to {_article(FORMAT_NAMES[fmt])} {FORMAT_NAMES[fmt]} file",
                    lambda fmt=fmt: screen.action_export(fmt),
                )
        yield self._sync_command()
        yield from super().get_system_commands(screen)
