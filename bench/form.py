"""Figures of the form issue (10): the form's open time and a key's way to the screen in it.

``python -m bench.form PATH`` measures them in one fresh process on the journal at ``PATH`` and
prints them as JSON (one app for all of them: the journal is opened once).

Every time runs from posting a key to the app (as the driver does with what the terminal sends)
until the app has *painted* the result: each update the app hands its driver is turned into the
bytes a terminal would be sent (``render_segments``) and applied to a grid of cells, a terminal
of our own (``Terminal``); the clock stops at the first paint after which that grid shows the
result and the app is in the state it should be (the form on top, taking keys, the cursor in its
title). That is what a person sees in a real terminal, less the terminal's own drawing.

- *form open*: ``n`` (new) and ``e`` (edit the selected incident, a different one each time) on
  the reused form, until the grid shows its heading; ten of each. Floors: ``Enter`` opening the
  detail screen (a new ``DetailScreen``: its fields in one ``Static``, a footer), and a key pushing a screen
  holding a single ``Static`` (installed once, like the form). Naive: a key building a brand-new
  ``EditScreen`` and loading it at every open, as the app did before it reused one.
- *key to screen*: a distinctive string typed into the title, one key at a time, each timed
  until the grid's title field shows it. Floor: the same keys into a bare ``Input`` alone on the
  screen of a minimal ``App`` (in the same process, after the journal's app, the journal still in
  memory). Naive: the same keys in a freshly built form. Also the first key typed together with
  the key that opens the form (type-ahead), until it shows in the title.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual import events
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

SIZE = (140, 45)
OPENS = 10
TYPE_AHEADS = 5
TYPED = "Quartz jinx 7"
TIMEOUT = 30.0
FLOOR_TEXT = "bench: one Static on an empty screen"


class Terminal:
    """The cells a terminal would show: every update the app sends its driver, applied in turn."""

    def __init__(self, app: App[Any], size: tuple[int, int] = SIZE) -> None:
        width, height = size
        self.app = app
        self.cells = [[" "] * width for _ in range(height)]
        self.paints = 0
        self.last_paint = 0.0
        self._waiting: tuple[Callable[[], bool], asyncio.Future[float]] | None = None
        original = app._display  # noqa: SLF001

        def display(screen: Screen[Any], renderable: Any) -> None:
            original(screen, renderable)
            if not isinstance(renderable, CompositorUpdate) or app._batch_count:  # noqa: SLF001
                return  # what _display itself skips
            renderable.render_segments(app.console)  # the bytes a real terminal would be sent
            self._apply(renderable)
            self.paints += 1
            self.last_paint = time.perf_counter()
            self._check()

        # Wrapping the app's display means replacing a method, which a type checker forbids.
        app._display = display  # type: ignore[method-assign]  # noqa: SLF001

    # -- the cells ------------------------------------------------------------------------------

    def _put(self, x: int, y: int, strip: Strip) -> None:
        if not 0 <= y < len(self.cells):
            return
        row = self.cells[y]
        text = strip.text
        if len(text) == strip.cell_length:  # one cell a character: the common case, at once
            start, end = max(x, 0), min(x + len(text), len(row))
            if start < end:
                row[start:end] = text[start - x:end - x]
            return
        for segment in strip:
            for char in segment.text:
                if 0 <= x < len(row):
                    row[x] = char
                width = cell_len(char)
                if width == 2 and 0 <= x + 1 < len(row):
                    row[x + 1] = ""
                x += width

    def _apply(self, update: CompositorUpdate) -> None:
        if isinstance(update, LayoutUpdate):
            for y, line in enumerate(update.strips, update.region.y):
                x = update.region.x
                for strip in line:
                    self._put(x, y, strip)
                    x += strip.cell_length
        elif isinstance(update, ChopsUpdate):  # as ChopsUpdate.render_segments writes it
            for y, x1, x2 in update.spans:
                for end, (x, chop) in zip(update.chop_ends[y], update.chops[y].items(), strict=False):
                    if chop is None or x > x2 or end <= x1:
                        continue
                    if not (x2 > x >= x1 and end <= x2):
                        chop = chop.crop(0, min(end, x2) - x)
                    self._put(x, y, chop)

    def text(self, y: int, x1: int = 0, x2: int | None = None) -> str:
        return "".join(self.cells[y][x1:x2]) if 0 <= y < len(self.cells) else ""

    def shows(self, text: str) -> bool:
        return any(text in "".join(row) for row in self.cells)

    def dump(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.cells)

    # -- waiting for a paint ----------------------------------------------------------------------

    def _check(self) -> None:
        if self._waiting is None:
            return
        condition, future = self._waiting
        if not future.done() and condition():
            future.set_result(time.perf_counter())

    async def painted(self, condition: Callable[[], bool], what: str) -> float:
        """The moment of the first paint after which ``condition`` holds."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting = (condition, future)
        try:
            return await asyncio.wait_for(future, TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"not painted within {TIMEOUT} s: {what}\n{self.dump()}") from None
        finally:
            self._waiting = None


def key_event(key: str) -> events.Key:
    named = {" ": ("space", " "), "\n": ("enter", "\r"), "\x1b": ("escape", "\x1b")}
    if key in named:
        return events.Key(*named[key])
    return events.Key(key, key if len(key) == 1 else None)


def post_key(app: App[Any], key: str) -> float:
    """Send ``key`` to the app as its driver does; returns the moment it was sent."""
    event = key_event(key)
    event.set_sender(app)
    begin = time.perf_counter()
    app.post_message(event)
    return begin


async def settle(pilot: Pilot[Any], terminal: Terminal, quiet: float = 0.03) -> None:
    """Nothing left to do: no key on its way, no message waiting, nothing painted for ``quiet`` s."""
    app = pilot.app
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
        screen = app.screen
        if (
            not getattr(app, "keys_waiting", 0)
            and time.perf_counter() - terminal.last_paint > quiet
            and app._message_queue.empty()  # noqa: SLF001
            and screen._message_queue.empty()  # noqa: SLF001
            and (app.focused is None or app.focused._message_queue.empty())  # noqa: SLF001
            and not (screen._dirty_widgets or screen._layout_required or screen._repaint_required)  # noqa: SLF001
        ):
            return
    raise RuntimeError(f"the app did not settle within {TIMEOUT} s")


def field_shows(terminal: Terminal, field: Callable[[], Any], text: str) -> Callable[[], bool]:
    """Whether the field (``field()``, when it has the focus) shows ``text`` on the terminal."""

    def shows() -> bool:
        widget: Widget | None = field()
        if widget is None or terminal.app.focused is not widget:
            return False
        region = widget.region
        return any(text in terminal.text(y, region.x, region.right) for y in range(region.y, region.bottom))

    return shows


async def type_keys(pilot: Pilot[Any], terminal: Terminal, timings: Timings, kind: str,
                    field: Callable[[], Any], text: str = TYPED) -> None:
    """Type ``text`` one key at a time into the focused field; each key until the field shows it."""
    for number in range(len(text)):
        shown = text[: number + 1]
        await settle(pilot, terminal)
        await timings.key(kind, terminal, text[number], field_shows(terminal, field, shown), f"{shown!r} in the field")


class Timings:
    """Each timed key of each kind: wall seconds, the process's CPU seconds meanwhile, and the
    seconds the garbage collector ran meanwhile (from ``gc.callbacks``)."""

    def __init__(self, profile: str | None = None) -> None:
        #: The kind whose timed keys are profiled (``--profile KIND``), and its profiler.
        self.profile, self.profiler = profile, cProfile.Profile()
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.gc: dict[str, list[float]] = {}
        self._collecting = 0.0
        self._collected = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self._collected += time.perf_counter() - self._collecting

    async def key(self, kind: str, terminal: Terminal, keys: str | tuple[str, ...],
                  condition: Callable[[], bool], what: str) -> float:
        """Send ``keys`` (one or several at once); time until a paint after which ``condition`` holds."""
        if kind == self.profile:
            self.profiler.enable()
        cpu, collected = time.process_time(), self._collected
        begin = [post_key(terminal.app, key) for key in ((keys,) if isinstance(keys, str) else keys)][0]
        try:
            seconds = await terminal.painted(condition, what) - begin
        finally:
            self.profiler.disable()
        self.wall.setdefault(kind, []).append(seconds)
        self.cpu.setdefault(kind, []).append(time.process_time() - cpu)
        self.gc.setdefault(kind, []).append(self._collected - collected)
        return seconds

    def close(self) -> None:
        gc.callbacks.remove(self._gc)
        if self.profile is not None:
            stats = pstats.Stats(self.profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(20)

    def summary(self) -> dict[str, dict[str, Any]]:
        out = {}
        for kind, walls in self.wall.items():
            worst = walls.index(max(walls))
            out[kind] = {
                "median": statistics.median(walls), "worst": walls[worst], "first": walls[0], "all": walls,
                "cpu_median": statistics.median(self.cpu[kind]), "cpu_of_worst": self.cpu[kind][worst],
                "gc_of_worst": self.gc[kind][worst], "gc_most": max(self.gc[kind]),
            }
        return out


class FloorScreen(Screen[None]):
    """The least a screen can be: one Static."""

    BINDINGS = [Binding("escape", "app.pop_screen", show=False)]

    def compose(self) -> ComposeResult:
        yield Static(FLOOR_TEXT)


class BareInput(App[None]):
    """The floor of a key's way to the screen: an ``Input`` alone in a minimal app."""

    def compose(self) -> ComposeResult:
        yield Input(id="bare")


async def bare_input_keys(timings: Timings) -> None:
    app = BareInput()
    async with app.run_test(headless=True, size=SIZE) as pilot:
        terminal = Terminal(app)
        bare = app.query_one("#bare", Input)
        bare.focus()
        await settle(pilot, terminal)
        await type_keys(pilot, terminal, timings, "bare keys", lambda: bare)


async def measure(path: Path, profile: str | None = None) -> dict[str, Any]:
    from store import Journal
    from store.rows import IncidentRow
    from tui.app import JournalApp
    from tui.screens.detail import DetailScreen
    from tui.screens.edit import EditScreen
    from tui.screens.list import ListScreen

    began = time.perf_counter()
    journal = Journal(path)
    app = JournalApp(journal)
    timings = Timings(profile)
    extra: dict[str, Any] = {"rows": len(journal), "phase_seconds": {}}
    heading = ""  # what the screen being timed shows (gone again once back on the list)

    async def naive_form(edit: bool = False) -> None:
        """The design before the form was reused: a new form, built and loaded at every open."""
        incident = None
        if edit:
            screen = app.screen
            assert isinstance(screen, ListScreen)
            row = screen.incident_list.highlighted
            assert row is not None and row.id is not None
            incident = app.journal.get(row.id)
        form = EditScreen()
        await form.load(incident)
        app.push_screen(form)

    # Bound on this app only, for the floor and the naive design; the app is otherwise untouched.
    app.bind("f12", "push_screen('bench-floor')", show=False)
    app.bind("f11", "bench_naive_form(False)", show=False)
    app.bind("f10", "bench_naive_form(True)", show=False)
    app.action_bench_naive_form = naive_form  # type: ignore[attr-defined]

    async with app.run_test(headless=True, size=SIZE) as pilot:
        terminal = Terminal(app)
        await pilot.pause()
        lister = app.screen
        assert isinstance(lister, ListScreen)
        lister.finish_checks()  # as once the list has checked every record (a few seconds at 100k)
        app.install_screen(FloorScreen(), "bench-floor")
        reused = app.form_screen()
        deadline = time.perf_counter() + TIMEOUT
        while not (reused.is_running and reused._built) and time.perf_counter() < deadline:  # noqa: SLF001
            await asyncio.sleep(0.01)
        await settle(pilot, terminal)
        extra["ready_seconds"] = time.perf_counter() - began
        extra["gc_objects_ready"] = len(gc.get_objects())
        full_collections = gc.get_stats()[2]["collections"]

        def on_list() -> bool:
            return isinstance(app.screen, ListScreen) and app.screen.is_current

        async def back_to_list(*keys: str) -> None:
            for key in keys:
                await settle(pilot, terminal)
                post_key(app, key)
            await terminal.painted(lambda: on_list() and not terminal.shows(heading), "the list again")
            await settle(pilot, terminal)

        def form_shown(heading: str, reuse: bool, incident_id: str | None = None) -> Callable[[], bool]:
            def shown() -> bool:
                screen = app.screen
                return (
                    isinstance(screen, EditScreen)
                    and (screen is reused) == reuse
                    and screen.accepts_keys
                    and app.focused is not None
                    and app.focused.id == "f-title"
                    and (incident_id is None or (screen.incident is not None and screen.incident.id == incident_id))
                    and terminal.shows(heading)
                )

            return shown

        def highlighted() -> tuple[str, str]:
            assert isinstance(lister, ListScreen)
            row = lister.incident_list.highlighted
            assert isinstance(row, IncidentRow)
            return row.id, row.title

        async def opens(kind: str, key: str, expect: Callable[[str, str], tuple[str, Callable[[], bool]]],
                        step: bool = False) -> None:
            """``OPENS`` times: ``key`` pressed on the list, timed until ``expect`` is painted."""
            nonlocal heading
            phase = time.perf_counter()
            for _ in range(OPENS):
                if step:  # a different incident each time
                    await settle(pilot, terminal)
                    post_key(app, "j")
                await settle(pilot, terminal)
                assert on_list(), f"{kind}: not on the list"
                heading, condition = expect(*highlighted())
                assert not terminal.shows(heading), f"{kind}: {heading!r} already on screen"
                await timings.key(kind, terminal, key, condition, f"{kind} open")
                await back_to_list("escape")
            extra["phase_seconds"][kind] = time.perf_counter() - phase
            extra.setdefault("gc_objects_after", {})[kind] = len(gc.get_objects())

        def new_form(reuse: bool) -> Callable[[str, str], tuple[str, Callable[[], bool]]]:
            return lambda incident_id, title: ("New incident", form_shown("New incident", reuse))

        def edit_form(reuse: bool) -> Callable[[str, str], tuple[str, Callable[[], bool]]]:
            def expect(incident_id: str, title: str) -> tuple[str, Callable[[], bool]]:
                heading = f"Edit: {title}"[:40]
                return heading, form_shown(heading, reuse, incident_id)

            return expect

        def detail(incident_id: str, title: str) -> tuple[str, Callable[[], bool]]:
            heading = f"Incident {incident_id[:8]}"
            return heading, lambda: isinstance(app.screen, DetailScreen) and terminal.shows(heading)

        def floor(incident_id: str, title: str) -> tuple[str, Callable[[], bool]]:
            return FLOOR_TEXT, lambda: isinstance(app.screen, FloorScreen) and terminal.shows(FLOOR_TEXT)

        await opens("new", "n", new_form(True))
        await opens("edit", "e", edit_form(True), step=True)
        await opens("empty", "f12", floor)
        await opens("detail", "\n", detail, step=True)
        await opens("naive new", "f11", new_form(False))
        await opens("naive edit", "f10", edit_form(False), step=True)

        def title_field() -> Any:
            focused = app.focused
            return focused if focused is not None and focused.id == "f-title" else None

        # Keys in the reused form, then in a freshly built one.
        for kind, key, reuse in (("keys", "n", True), ("naive keys", "f11", False)):
            heading = "New incident"
            await settle(pilot, terminal)
            post_key(app, key)
            await terminal.painted(form_shown(heading, reuse), f"{kind}: the form")
            await type_keys(pilot, terminal, timings, kind, title_field)
            await back_to_list("escape", "y")

        # Type-ahead: the first key sent together with the one that opens the form.
        for kind, key in (("type-ahead", "n"), ("naive type-ahead", "f11")):
            for _ in range(TYPE_AHEADS):
                heading = "New incident"
                await settle(pilot, terminal)
                await timings.key(kind, terminal, (key, "Q"), field_shows(terminal, title_field, "Q"),
                                  f"{kind}: Q in the title")
                await back_to_list("escape", "y")
        extra["paints"] = terminal.paints
        extra["gc_objects_end"] = len(gc.get_objects())
        extra["gc_frozen"] = gc.get_freeze_count()
        extra["gc_full_collections"] = gc.get_stats()[2]["collections"] - full_collections
        app.workers.cancel_all()

    await bare_input_keys(timings)  # the journal still in memory, as for the app
    timings.close()
    del journal
    return timings.summary() | extra


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.form")
    parser.add_argument("journal", type=Path)
    parser.add_argument("--profile", metavar="KIND", help="cProfile the timed keys of KIND (e.g. new), to stderr")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.journal, args.profile))), flush=True)
