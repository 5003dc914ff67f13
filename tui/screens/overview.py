"""``OverviewScreen`` (``s`` on the list): the incidents the list shows, counted.

By region (incidents, killed, injured), by casualty status, by event type, and per month.
Casualty totals are in the count notation: ``12`` exactly, ``12+`` at least 12, ``12-20``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from store.overview import Overview
from tui.widgets.bar_chart import Bar, BarChart


STATUS_LABELS = {
    "killed": "killed (1 or more)",
    "injured": "injured, none killed",
    "none": "no casualties",
    "unknown": "unknown",
}


def casualties(group_killed: object, group_injured: object) -> str:
    return f"killed {group_killed}  injured {group_injured}"


def totals_text(figures: Overview, filters: str) -> Content:
    totals = figures.totals
    span = (
        f"  ·  {figures.first_date} to {figures.last_date}" if figures.first_date else ""
    )
    unknown = []
    if totals.killed.unknown:
        unknown.append(f"{totals.killed.unknown} with killed unknown")
    if totals.injured.unknown:
        unknown.append(f"{totals.injured.unknown} with injured unknown")
    lines = [
        f"{figures.incidents:,} incident{'s' if figures.incidents != 1 else ''}{span}",
        f"{casualties(totals.killed, totals.injured)}"
        + (f"  ({', '.join(unknown)})" if unknown else ""),
        "12 = exactly 12 · 12+ = at least 12 · 12-20 = between · ? = unknown",
        f"Shown: {filters}",
    ]
    return Content("\n").join(Content(line) for line in lines)


class OverviewScreen(Screen[None]):
    """Figures of ``figures`` (the list's rows under ``filters``, described in words)."""

    BINDINGS = [Binding("escape,s,q", "back", "Back")]

    def __init__(self, figures: Overview, filters: str) -> None:
        super().__init__()
        self.figures = figures
        self.filters = filters

    def compose(self) -> ComposeResult:
        figures = self.figures
        yield Static(Content("Overview"), id="overview-heading")
        with VerticalScroll(id="overview-scroll"):
            yield Static(totals_text(figures, self.filters), id="overview-totals")
            yield Static(Content("By region: incidents, then casualties"), classes="overview-title")
            yield BarChart(
                [Bar(group.name, group.incidents, casualties(group.killed, group.injured)) for group in figures.by_region],
                id="by-region",
            )
            yield Static(Content("By casualty status"), classes="overview-title")
            yield BarChart([Bar(STATUS_LABELS.get(status, status), count) for status, count in figures.by_status], id="by-status")
            yield Static(Content("By event type"), classes="overview-title")
            yield BarChart([Bar(name, count) for name, count in figures.by_event_type], id="by-event-type")
            yield Static(Content("Incidents per month"), classes="overview-title")
            yield BarChart([Bar(month, count) for month, count in figures.by_month], id="by-month")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#overview-scroll").focus()

    def action_back(self) -> None:
        self.dismiss(None)
