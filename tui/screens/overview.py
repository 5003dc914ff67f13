"""``OverviewScreen`` (``s`` on the list): the incidents the list shows, counted.

By region (incidents, killed, injured), by casualty status, by event type, and per month; then
who was harmed (civilians, of them children) by region and per month, and the weapons launched
against those intercepted per month. Totals are in the count notation: ``12`` exactly, ``12+`` at
least 12, ``12-20``, ``?`` unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from store.overview import Group, Overview, Total, overview
from store.rows import IncidentRow
from store.text import printable
from tui.screens.base import JournalScreen
from tui.widgets.bar_chart import Bar, BarChart

STATUS_LABELS = {
    "killed": "killed (1 or more)",
    "injured": "injured, none killed",
    "none": "no casualties",
    "unknown": "unknown",
}


def casualties(group_killed: object, group_injured: object) -> str:
    return f"killed {group_killed} · injured {group_injured}"


def civilians(group: Group) -> str:
    """``killed 3+, children 1 · injured 2-5, children ?``: the civilians harmed, of them children."""
    return (f"killed {group.civilians_killed}, children {group.children_killed} · "
            f"injured {group.civilians_injured}, children {group.children_injured}")


def weapons(group: Group) -> str:
    return f"launched {group.weapons_launched} · intercepted {group.weapons_intercepted}"


def with_unknown(text: str, **totals: Total) -> str:
    """``text`` and, if any, how many incidents leave each of ``totals`` unknown."""
    unknown = [f"{total.unknown:,} with {name} unknown" for name, total in totals.items() if total.unknown]
    return text + (f"  ({', '.join(unknown)})" if unknown else "")


def totals_text(figures: Overview, filters: str, in_journal: int) -> Content:
    totals = figures.totals
    span = ""
    if figures.first_label:
        same = figures.first_label == figures.last_label
        span = f"  ·  {figures.first_label}" if same else f"  ·  {figures.first_label} to {figures.last_label}"
    lines = [
        f"{figures.incidents:,} of {in_journal:,} incident{'s' if in_journal != 1 else ''}{span}",
        with_unknown(casualties(totals.killed, totals.injured), killed=totals.killed, injured=totals.injured),
        with_unknown(f"civilians {casualties(totals.civilians_killed, totals.civilians_injured)}",
                     killed=totals.civilians_killed, injured=totals.civilians_injured),
        with_unknown(f"children {casualties(totals.children_killed, totals.children_injured)}",
                     killed=totals.children_killed, injured=totals.children_injured),
        with_unknown(f"weapons {weapons(totals)}",
                     launched=totals.weapons_launched, intercepted=totals.weapons_intercepted),
        "12 = exactly 12 · 12+ = at least 12 · 12-20 = between · ? = unknown",
        f"Shown: {filters}",
    ]
    return Content("\n").join(Content(printable(line)) for line in lines)  # the filters name a region


#: Up to this many rows are counted before the screen is drawn; more are counted in a thread
#: while the screen says so (about 0.1 s per 10,000 rows).
COUNT_AT_ONCE = 20_000


class OverviewScreen(JournalScreen[None]):
    """Figures of ``rows``: the list's rows under ``filters`` (in words), of ``in_journal`` in all.

    When the journal changes, ``rows_now`` (if given) says which rows the list shows then, and
    they are counted again."""

    BINDINGS = [Binding("escape,s,q", "back", "Back")]

    def __init__(
        self,
        rows: Sequence[IncidentRow],
        filters: str,
        in_journal: int,
        rows_now: Callable[[], Sequence[IncidentRow]] | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.filters = filters
        self.in_journal = in_journal
        self.rows_now = rows_now
        self.figures: Overview | None = overview(rows) if len(rows) <= COUNT_AT_ONCE else None

    def compose(self) -> ComposeResult:
        yield Static(Content("Overview"), id="overview-heading")
        with VerticalScroll(id="overview-scroll"):
            if self.figures is None:
                yield Static(Content(f"Counting {len(self.rows):,} incidents\u2026"), id="overview-counting")
            else:
                yield from self.sections(self.figures)
        yield Footer(compact=True)

    def sections(self, figures: Overview) -> ComposeResult:
        yield Static(totals_text(figures, self.filters, self.in_journal), id="overview-totals")
        yield Static(Content("By region: incidents, then casualties"), classes="overview-title")
        yield BarChart(
            [Bar(group.name, group.incidents, casualties(group.killed, group.injured)) for group in figures.by_region],
            id="by-region",
        )
        yield Static(Content("By casualty status"), classes="overview-title")
        by_status = [Bar(STATUS_LABELS.get(status, status), count) for status, count in figures.by_status]
        yield BarChart(by_status, id="by-status")
        yield Static(Content("By event type"), classes="overview-title")
        yield BarChart([Bar(name, count) for name, count in figures.by_event_type], id="by-event-type")
        yield Static(Content("Incidents per month"), classes="overview-title")
        yield BarChart([Bar(month, count) for month, count in figures.by_month], id="by-month")
        # Who was harmed and the weapons: where incidents give the figures (most leave them out)
        nothing = "no incident shown gives these figures"
        yield Static(Content("Civilians by region: incidents harming civilians, then killed and injured"),
                     classes="overview-title")
        regions = sorted((group for group in figures.by_region if group.civilian_figures),
                         key=lambda group: -group.harming_civilians)  # stable: then as above
        yield BarChart([Bar(group.name, group.harming_civilians, civilians(group)) for group in regions],
                       id="civilians-by-region", empty=nothing)
        yield Static(Content("Civilians per month: incidents harming civilians, then killed and injured"),
                     classes="overview-title")
        months = [month for month in figures.months if month.civilian_figures]
        yield BarChart([Bar(month.name, month.harming_civilians, civilians(month)) for month in months],
                       id="civilians-by-month", empty=nothing)
        yield Static(Content("Weapons per month: incidents with numbers, then launched against intercepted"),
                     classes="overview-title")
        months = [month for month in figures.months if month.weapon_figures]
        yield BarChart([Bar(month.name, month.weapon_figures, weapons(month)) for month in months],
                       id="weapons-by-month", empty=nothing)

    def on_mount(self) -> None:
        self.query_one("#overview-scroll").focus()
        if self.figures is None:
            self.count()

    def show_journal(self) -> None:
        if self.rows_now is None:
            return
        self.rows, self.in_journal = self.rows_now(), len(self.journal)
        if len(self.rows) <= COUNT_AT_ONCE:
            self.workers.cancel_group(self, "overview")  # a count of the rows before, if any
            self.call_later(self.show, overview(self.rows))
        else:
            self.count()  # a count under way for the rows before is cancelled

    @work(thread=True, exclusive=True, group="overview")
    def count(self) -> None:
        figures = overview(self.rows)
        if not get_current_worker().is_cancelled:  # rows counted again meanwhile: theirs are shown
            self.app.call_from_thread(self.call_later, self.show, figures)  # shown on the event loop

    async def show(self, figures: Overview) -> None:
        if not self.is_attached:
            return
        self.figures = figures
        scroll = self.query_one("#overview-scroll", VerticalScroll)
        await scroll.remove_children()
        await scroll.mount_all(list(self.sections(figures)))

    def action_back(self) -> None:
        self.dismiss(None)
