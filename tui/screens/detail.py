"""``DetailScreen``: every field of one incident; ``[`` and ``]`` walk the filtered list."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from store import Incident, JournalError
from store.merge import DELETED, FieldConflict
from store.models import Group
from store.rows import IncidentRow
from store.text import printable
from tui.conflicts import PICKABLE, conflict_content, field_label, shown_value, when
from tui.plain import DETAIL_HEADINGS, DETAIL_LABELS, detail
from tui.screens.base import JournalScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen


def detail_content(incident: Incident, group: Group | None = None, members: Sequence[IncidentRow] = ()) -> Content:
    """The incident's fields: the title, group headings and labels in bold; user text literal
    (and escaped: ``detail`` writes every line through ``printable``)."""
    lines = detail(incident, group, members)
    content = Content("\n".join(lines))
    offset = 0
    for number, line in enumerate(lines):
        if number == 0 or line in DETAIL_HEADINGS or (line.startswith("Sources (") and line.endswith(")")):
            content = content.stylize("bold", offset, offset + len(line))
        elif line.startswith("  ") and not line.startswith("   "):
            label, colon, _ = line[2:].partition(":")
            if colon and label in DETAIL_LABELS:
                content = content.stylize("bold", offset + 2, offset + 3 + len(label))
        offset += len(line) + 1
    return content


class DetailScreen(JournalScreen[str | None]):
    BINDINGS = [
        # Shown (first) only while a sync conflict waits on the incident (``check_action``).
        Binding("m", "resolve('mine')", "Keep mine"),
        Binding("t", "resolve('theirs')", "Take theirs"),
        Binding("1", "pick_conflict(1)", "Pick field", key_display="1-9"),
        *(Binding(str(number), f"pick_conflict({number})", show=False) for number in range(2, PICKABLE + 1)),
        Binding("e", "edit", "Edit"),
        Binding("N", "new_from", "New from this"),
        Binding("d", "delete", "Delete"),
        Binding("left_square_bracket", "step(-1)", "Previous"),
        Binding("right_square_bracket", "step(1)", "Next"),
        Binding("g", "within_group", "Group: g then [ ]"),
        Binding("h", "history", "History"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, ids: list[str], current: str) -> None:
        super().__init__()
        self.ids = ids
        self.current = current
        #: ``g`` was pressed: the next ``[`` or ``]`` moves within the incident's group of claims.
        self.within_group = False
        #: The sync conflicts waiting on the incident shown, and which of them ``m``/``t`` settle.
        self.conflicts: list[FieldConflict] = []
        self.conflict_choice = 0
        self._conflicts_of: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-position")
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="detail-conflicts")
            yield Static(id="detail-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show_current()
        self.query_one("#detail-scroll").focus()

    @property
    def incident(self) -> Incident | None:
        try:
            return self.journal.get(self.current)
        except JournalError:
            return None

    def show_journal(self) -> None:
        self.show_current(scroll_home=False)  # the same incident, changed: the place kept

    def show_current(self, *, scroll_home: bool = True) -> None:
        incident = self.incident
        if incident is None:  # deleted (by another program: a delete here closes the detail itself)
            if self.is_active:
                self.dismiss(None)
            else:
                self.shown_version = None  # under a dialog: gone back to the list once shown again
            return
        self.shown_version = self.journal.version
        position = self.ids.index(self.current) + 1 if self.current in self.ids else 0
        where = f"{position} of {len(self.ids)}" if position else "not in the filtered list"
        self.query_one("#detail-position", Static).update(
            Content(f"Incident {printable(incident.id[:8])}  ·  {where}  ·  [ previous   ] next   Esc back")
        )
        group, members = self.journal.group_of(incident)
        self.query_one("#detail-body", Static).update(detail_content(incident, group, members))
        self._show_conflicts(incident)
        if scroll_home:
            self.query_one("#detail-scroll").scroll_home(animate=False)

    # -- sync conflicts (issue 15) ------------------------------------------------------------------

    def _show_conflicts(self, incident: Incident) -> None:
        """Above the fields, each sync conflict of the incident with both values, who and when."""
        if self._conflicts_of != incident.id:
            self._conflicts_of, self.conflict_choice = incident.id, 0
        self.conflicts = self.journal.conflicts_of(incident.id)
        self.conflict_choice = max(0, min(self.conflict_choice, len(self.conflicts) - 1))
        section = self.query_one("#detail-conflicts", Static)
        section.display = bool(self.conflicts)
        if self.conflicts:
            section.update(conflict_content(self.journal, self.conflicts, self.conflict_choice))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resolve":
            return bool(self.conflicts)
        if action == "pick_conflict":
            return len(self.conflicts) > 1
        return True

    def action_pick_conflict(self, number: int) -> None:
        if number > len(self.conflicts):
            self.notify(f"This incident has {len(self.conflicts)} conflicts.", timeout=2)
            return
        self.conflict_choice = number - 1
        incident = self.incident
        if incident is not None:
            self._show_conflicts(incident)

    def action_resolve(self, take: str) -> None:
        """Settle the chosen conflict: keep mine or take theirs (asks first; a normal save, in the history)."""
        incident = self.incident
        if incident is None or not self.conflicts:
            return
        conflict = self.conflicts[self.conflict_choice]
        question, detail = self._resolve_question(conflict, take)

        def answered(yes: bool | None) -> None:
            if yes:
                self._resolve(incident.id, conflict, take)

        self.app.push_screen(ConfirmScreen(question, detail), answered)

    def _resolve_question(self, conflict: FieldConflict, take: str) -> tuple[str, str]:
        sides = dict(zip(("mine", "theirs"), self.journal.sides_of(conflict), strict=True))
        chosen, other = sides[take], sides["theirs" if take == "mine" else "mine"]
        who, at, others = chosen[1] or "someone", when(chosen[2]), other[1] or "the other side"
        if conflict.field == DELETED:
            if chosen[0]:
                return "Delete this incident?", (
                    f"{take.capitalize()}: {who} deleted it ({at}); the edits by {others} go with it "
                    "(u in the list brings it back)."
                )
            return "Keep this incident?", f"{take.capitalize()}: {who} edited it ({at}); {others}'s delete is dropped."
        label = field_label(conflict.field)
        value, other_value = shown_value(conflict.field, chosen[0]), shown_value(conflict.field, other[0])
        verb = "Keep mine" if take == "mine" else "Take theirs"
        return f"{verb} for {label}?", (
            f"{label}: {value} ({chosen[1] or 'someone'}, {when(chosen[2])}).\n"
            f"Not {other_value} ({other[1] or 'someone'}, {when(other[2])})."
        )

    def _resolve(self, incident_id: str, conflict: FieldConflict, take: str) -> None:
        waiting = {found.field: found for found in self.journal.conflicts_of(incident_id)}
        if waiting.get(conflict.field) != conflict:
            self.notify("This conflict changed meanwhile (a sync); look at it again.", severity="warning")
            self.journal_app.journal_changed()
            return
        try:
            self.journal.resolve_conflict(incident_id, conflict.field, take)
        except (KeyError, ValueError, JournalError) as exc:
            self.notify(str(exc.args[0] if exc.args else exc), title="Not resolved", severity="error")
            self.journal_app.journal_changed()
            return
        label = field_label(conflict.field)
        if incident_id not in self.journal:  # the side taken had deleted it
            self.journal_app.last_deleted_id = incident_id
            self.notify("Deleted (u in the list brings it back).", timeout=4)
            position = self.ids.index(incident_id) if incident_id in self.ids else 0
            self.ids = [kept for kept in self.ids if kept != incident_id]
            self.dismiss(self.ids[min(position, len(self.ids) - 1)] if self.ids else None)
        elif conflict.field == DELETED:
            self.notify("Kept the incident; the delete is dropped.", timeout=4)
        else:
            try:
                shown = shown_value(conflict.field, self.journal.get(incident_id).record().get(conflict.field))
            except JournalError:
                shown = ""
            said = "Took theirs" if take == "theirs" else "Kept mine"
            self.notify(f"{said}: {label} is {shown}." if shown else f"{said} for {label}.", timeout=4)
        self.journal_app.journal_changed()

    def action_within_group(self) -> None:
        incident = self.incident
        if incident is None or incident.group is None:
            self.notify("This incident is in no group of claims.", timeout=2)
            return
        self.within_group = True
        self.notify("[ or ] now moves within the group.", timeout=2, markup=False)

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("g", "left_square_bracket", "right_square_bracket"):
            self.within_group = False  # g was not followed by [ or ]

    def _step_within_group(self, step: int) -> None:
        """To the next (or previous) valid incident of the group, newest first as the list orders."""
        self.within_group = False
        incident = self.incident
        if incident is None or incident.group is None:
            return
        ids = [row.id for row in self.journal.group_members(incident.group)]
        position = ids.index(self.current) + step if self.current in ids else 0
        while 0 <= position < len(ids):
            try:
                self.journal.get(ids[position])
            except JournalError:  # invalid: passed over (the list marks it, and opens it in the form)
                position += step
                continue
            self.current = ids[position]
            self.show_current()
            return
        self.notify("That is the last of the group." if step > 0 else "That is the first of the group.", timeout=2)

    def action_step(self, step: int) -> None:
        if self.within_group:
            self._step_within_group(step)
            return
        if self.current not in self.ids:
            return
        position = self.ids.index(self.current) + step
        if 0 <= position < len(self.ids):
            self.current = self.ids[position]
            self.show_current()
        else:
            self.notify("That is the last incident of the list." if step > 0 else "That is the first.", timeout=2)

    async def action_edit(self) -> None:
        incident = self.incident
        if incident is not None:
            await self.journal_app.open_form(incident)  # shown as saved once back (``catch_up``)

    async def action_new_from(self) -> None:
        """A new incident with this one's when, where, what, who and sources."""
        incident = self.incident
        if incident is not None:
            await self.journal_app.open_form(template=incident, on_done=self._after_new)

    def _after_new(self, saved: Incident | None) -> None:
        """The new incident is shown next (in place of this one)."""
        if saved is not None:
            self.ids.insert(self.ids.index(self.current) if self.current in self.ids else 0, saved.id)
            self.current = saved.id
            self.show_current()

    def action_delete(self) -> None:
        incident = self.incident
        if incident is None:
            return

        def deleted() -> None:
            position = self.ids.index(incident.id) if incident.id in self.ids else 0
            self.ids = [incident_id for incident_id in self.ids if incident_id != incident.id]
            self.dismiss(self.ids[min(position, len(self.ids) - 1)] if self.ids else None)

        self.journal_app.confirm_delete(incident, on_done=deleted)

    def action_history(self) -> None:
        incident = self.incident
        if incident is not None:
            self.app.push_screen(HistoryScreen(incident.id, incident.title))

    def action_back(self) -> None:
        self.dismiss(self.current)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())
