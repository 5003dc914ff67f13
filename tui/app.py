"""``JournalApp``: the Textual app over one ``store.Journal``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from store import Incident, IncidentFields, Journal, JournalError
from tui.screens.confirm import ConfirmScreen
from tui.screens.list import ListScreen


class JournalApp(App[None]):
    """Browse and edit the incidents of ``journal``; every action has a key."""

    CSS_PATH = "app.tcss"
    TITLE = "Incident Journal"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        self.last_deleted: Incident | None = None

    def on_mount(self) -> None:
        self.push_screen(ListScreen())

    # -- the store, for the screens ----------------------------------------------------------

    def save_incident(self, fields: IncidentFields) -> Incident:
        """Add a new incident or update an existing one; raises ``JournalError`` if refused."""
        if isinstance(fields, Incident):
            return self.journal.update(fields)
        return self.journal.add(fields)

    def confirm_delete(self, incident: Incident, on_done: Callable[[], None]) -> None:
        """Ask, then delete ``incident``; ``u`` in the list brings it back."""

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.journal.delete(incident.id)
            except JournalError as exc:
                self.notify(str(exc), title="Not deleted", severity="error", markup=False)
                return
            self.last_deleted = incident
            self.notify(f"Deleted: {incident.title}  (u undoes)", markup=False)
            on_done()

        self.push_screen(ConfirmScreen(f"Delete this incident?", incident.title), answered)

    def undo_delete(self) -> Incident | None:
        incident = self.last_deleted
        if incident is None:
            self.notify("Nothing to undo.", timeout=2)
            return None
        try:
            self.journal.import_incidents([incident])
        except JournalError as exc:
            self.notify(str(exc), title="Not restored", severity="error", markup=False)
            return None
        self.last_deleted = None
        self.notify(f"Restored: {incident.title}", markup=False)
        return incident

    # -- the command palette: every action of the screen, by name ------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            node = active.node

            def run(node=node, action=binding.action) -> None:
                self.call_later(self.run_action, action, node)

            yield SystemCommand(binding.description, f"key: {key}", run)
        yield from super().get_system_commands(screen)
