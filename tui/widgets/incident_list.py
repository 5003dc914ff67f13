"""``IncidentList``: the list of incidents, drawn one visible line at a time.

A Line API widget (``ScrollView`` + ``render_line``): it holds a plain sequence of incidents
and paints only the rows on screen, so a journal of 100,000 incidents costs no more to show
than one of 100. Line 0 is a header that stays put while the rows scroll under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import BadRecord
from store.history import display_value
from store.models import civilian_harm_of
from store.rows import IncidentRow
from tui.conflicts import MARK
from tui.plain import fit, one_line

#: (heading, width, narrowest) of each column but the last; the title takes what is left.
COLUMNS: tuple[tuple[str, int, int], ...] = (
    ("Date", 10, 10),
    ("Place", 13, 6),
    ("Region", 13, 6),
    ("Event type", 17, 6),
    ("Killed", 7, 4),
    ("Injured", 12, 5),
    ("Civ", 3, 3),  # "civ": a civilian, child or woman killed or injured
    ("Verification", 13, 6),
)
GAP = 1
MIN_TITLE = 12

Row = IncidentRow | BadRecord


def column_widths(width: int) -> list[int]:
    """Each column's width at ``width`` cells: full where there is room, else shrunk evenly."""
    widths = [full for _, full, _ in COLUMNS]
    room = width - GAP * len(COLUMNS) - MIN_TITLE
    excess = sum(widths) - room
    if excess > 0:
        slack = [full - least for _, full, least in COLUMNS]
        total = sum(slack)
        if excess >= total:
            return [least for _, _, least in COLUMNS]
        cuts = [excess * part // total for part in slack]
        for index in sorted(range(len(slack)), key=lambda i: -slack[i])[: excess - sum(cuts)]:
            cuts[index] += 1
        widths = [full - cut for full, cut in zip(widths, cuts, strict=False)]
    return widths


def _text(value: object) -> str:
    return "" if value is None else str(value)


def row_cells(row: Row) -> list[str]:
    if isinstance(row, BadRecord):
        raw = row.record
        fields = ", ".join(sorted({problem.field.split(".")[0] or "record" for problem in row.problems}))
        return [
            _text(raw.get("date")), _text(raw.get("place")), _text(raw.get("region")),
            _text(raw.get("event_type")), display_value("killed", raw.get("killed")),
            display_value("injured", raw.get("injured")), "civ" if civilian_harm_of(raw) else "", "INVALID",
            f"⚠ {_text(raw.get('title')) or '(no title)'}  — fix: {fields}",
        ]
    return [
        row.date_label(),
        row.place or "",
        row.region,
        row.event_type or "",
        row.killed,
        row.injured,
        "civ" if row.civilian_harm else "",
        row.verification,
        row.title,
    ]


def line_text(cells: Sequence[str], width: int) -> str:
    """The cells laid out in columns across ``width`` cells: text is never interpreted, and what
    a terminal would act on (control characters, bidi controls) is shown escaped."""
    parts = [fit(one_line(cell), column) for cell, column in zip(cells, column_widths(width), strict=False)]
    used = sum(column_widths(width)) + GAP * len(parts)
    parts.append(fit(one_line(cells[-1]), max(width - used, 1)))
    return (" " * GAP).join(parts)


class IncidentList(ScrollView, can_focus=True):
    """A keyboard-driven list of incidents with a cursor."""

    BINDINGS = [
        Binding("enter", "select", "Open", show=False),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "Top", show=False),
        Binding("end,G", "last", "Bottom", show=False),
    ]

    COMPONENT_CLASSES = {
        "incident-list--header", "incident-list--cursor", "incident-list--row", "incident-list--invalid",
        "incident-list--conflict",
    }

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, incident: Row | None) -> None:
            super().__init__()
            self.incident = incident

    class Selected(Message):
        def __init__(self, incident: Row) -> None:
            super().__init__()
            self.incident = incident

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._incidents: Sequence[Row] = ()
        #: The incidents a sync conflict waits on: marked (``MARK`` before the title).
        self._conflicts: frozenset[str] = frozenset()
        self._chosen_id: str | None = None
        self._placing = False

    # -- data ------------------------------------------------------------------------------

    @property
    def incidents(self) -> Sequence[Row]:
        return self._incidents

    @property
    def highlighted(self) -> Row | None:
        if 0 <= self.cursor < len(self._incidents):
            return self._incidents[self.cursor]
        return None

    def show(
        self, incidents: Sequence[Row], keep_id: str | None = None, conflicts: frozenset[str] = frozenset()
    ) -> None:
        """Show ``incidents`` with the cursor on ``keep_id``, else on the incident last chosen;
        those in ``conflicts`` (ids) marked as waiting on a sync conflict.

        The chosen incident is remembered while a filter hides it: clear the filter and the
        cursor is back on it.
        """
        if keep_id is not None:
            self._chosen_id = keep_id
        self._incidents = incidents
        self._conflicts = conflicts
        self.virtual_size = Size(self.size.width, len(incidents) + 1)
        position = 0
        if self._chosen_id is not None:
            position = next((n for n, row in enumerate(incidents) if row.id == self._chosen_id), 0)
        self._placing = True
        try:
            self.cursor = position
        finally:
            self._placing = False
        self.refresh()

    def choose(self, incident_id: str) -> None:
        """Put the cursor on ``incident_id``, now if it is shown, else when it is (``show``)."""
        self._chosen_id = incident_id
        position = next((n for n, row in enumerate(self._incidents) if row.id == incident_id), None)
        if position is not None:
            self.cursor = position

    # -- cursor ----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._incidents) - 1)) if self._incidents else 0

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._placing and self.highlighted is not None:
            self._chosen_id = self.highlighted.id  # moved by the person: this is their choice
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted))

    @property
    def _rows_visible(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._rows_visible:
            self.scroll_to(y=self.cursor - self._rows_visible + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._incidents) + 1)
        self._scroll_to_cursor()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * self._rows_visible

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._incidents) - 1

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self.highlighted))

    def on_click(self, event) -> None:  # the mouse is never needed, but it works
        row = event.y - 1 + round(self.scroll_y)
        if event.y >= 1 and 0 <= row < len(self._incidents):
            if row == self.cursor and event.chain > 1:
                self.action_select()
            self.cursor = row

    # -- painting --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            text = line_text([heading for heading, _, _ in COLUMNS] + ["Title"], width)
            style = self.get_component_rich_style("incident-list--header")
        else:
            position = round(self.scroll_y) + y - 1
            if position >= len(self._incidents):
                return Strip.blank(width, self.rich_style)
            row = self._incidents[position]
            cells = row_cells(row)
            conflict = row.id in self._conflicts
            if conflict:
                cells[-1] = MARK + cells[-1]
            text = line_text(cells, width)
            name = "incident-list--cursor" if position == self.cursor else "incident-list--row"
            style = self.get_component_rich_style(name)
            if isinstance(row, BadRecord):
                style += self.get_component_rich_style("incident-list--invalid")
            elif conflict and position != self.cursor:
                style += self.get_component_rich_style("incident-list--conflict")
            if position == self.cursor and not self.has_focus:
                style = style + Style(dim=True)
        return Strip([Segment(text, self.rich_style + style)], width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
