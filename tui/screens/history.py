"""``HistoryScreen``: each revision of an incident with the fields it changed, old and new.

Values are shown as stored, escaped as ``printable`` does (an old revision may hold anything).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from store.history import HistoryStep
from store.text import printable
from tui.screens.base import JournalScreen


def history_content(steps: list[HistoryStep]) -> Content:
    if not steps:
        return Content("No changes since it was recorded.")
    lines: list[Content] = []
    for step in steps:
        lines.append(Content.styled(printable(step.headline()), "bold"))
        for change in step.changes:
            lines.append(
                Content.assemble(
                    "  ", Content.styled(printable(change.field), "bold"), ": ",
                    Content.styled(printable(change.old, multiline=True), "red"), "  →  ",
                    Content.styled(printable(change.new, multiline=True), "green"),
                )
            )
        lines.append(Content(""))
    return Content("\n").join(lines)


class HistoryScreen(JournalScreen[None]):
    BINDINGS = [Binding("escape,h", "back", "Back")]

    def __init__(self, incident_id: str, title: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.incident_title = title

    def compose(self) -> ComposeResult:
        heading = printable(f"History of {self.incident_id[:8]}: {self.incident_title}")
        yield Static(Content(heading), id="history-heading")
        with VerticalScroll(id="history-scroll"):
            yield Static(history_content(self.journal.history(self.incident_id)), id="history-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#history-scroll").focus()

    def show_journal(self) -> None:
        """Another revision may have come (or the incident gone: its history stays)."""
        body = self.query_one("#history-body", Static)
        body.update(history_content(self.journal.history(self.incident_id)))

    def action_back(self) -> None:
        self.dismiss(None)
