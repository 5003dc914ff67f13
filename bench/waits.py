"""How long a key may wait while the app takes in changes: ``python -m bench.waits [--size 100000]``.

The app runs headless on a copy of the bench's journal (its background checks done). While each
of these happens, the event loop is sampled every 5 ms and the worst lag is what a key pressed
then would have waited on top of its own handling (target: at most 100 ms, issue 12):

- a save here (one incident updated through the app's journal: the log line appended and fsynced);
- another program's save (an incident updated by a second process), picked up by the app's look;
- the journal file rewritten whole by another program (a hand edit of one title), compared in a
  child process and applied by the app's look;
- the naive alternative for the last: reading the whole file again on the event loop
  (``Journal.refresh``, the app's behaviour before).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from bench.generate import CACHE, write_journal

ROOT = Path(__file__).resolve().parent.parent
TICK = 0.005


class Lag:
    """The worst lag of the event loop while it runs."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            begin = time.perf_counter()
            await asyncio.sleep(TICK)
            self.worst = max(self.worst, time.perf_counter() - begin - TICK)

    def __enter__(self) -> Lag:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _save_elsewhere(path: Path) -> None:
    code = (
        "import sys; from store import Journal\n"
        "with Journal(sys.argv[1]) as j:\n"
        "    i = j.all()[1]; j.update(i.model_copy(update={'title': i.title + ' (elsewhere)'}))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=ROOT)


def _rewrite_by_hand(path: Path) -> None:
    data = orjson.loads(path.read_bytes())
    record = next(iter(data["incidents"].values()))
    record["title"] = record["title"] + " (by hand)"
    new = path.with_name("by-hand.tmp")
    new.write_bytes(orjson.dumps(data))
    os.replace(new, path)


async def measure(path: Path) -> dict[str, tuple[float, float]]:
    """For each case: (worst lag, seconds until the change was in the app's journal)."""
    from store import Journal
    from tui.app import JournalApp
    from tui.screens.list import ListScreen

    JournalApp.WATCH_INTERVAL = 3600.0  # the bench calls the app's look itself
    app = JournalApp(Journal(path))
    found: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ListScreen)
        screen.finish_checks()
        journal = app.journal

        async def case(
            name: str, change: Callable[[], None], look: Callable[[], object], done: Callable[[], bool]
        ) -> None:
            change()  # (another program's part is not on the app's loop: not timed as lag)
            begin = time.perf_counter()
            with Lag() as lag:
                look()  # on the loop: a key pressed meanwhile waits for all of it
                held = time.perf_counter() - begin
                while not done():
                    await asyncio.sleep(TICK)
                await pilot.pause()
            found[name] = (max(held, lag.worst), time.perf_counter() - begin)

        first = journal.all()[0]
        await case(
            "a save here", lambda: None,
            lambda: app.save_incident(first.model_copy(update={"title": first.title + " (here)"})),
            lambda: True,
        )
        version = journal.version
        await case("another program's save, read from the log", lambda: _save_elsewhere(path),
                   app.look_for_changes, lambda: journal.version != version)
        await case("the file rewritten by hand, compared in a child process", lambda: _rewrite_by_hand(path),
                   app.look_for_changes, lambda: not journal.rewritten_elsewhere())
        await case("naive: the rewritten file read again on the event loop", lambda: _rewrite_by_hand(path),
                   app.check_for_changes, lambda: True)
        app.workers.cancel_all()
    return found


NOTES = """How to read it: the app runs headless on the journal, its checks done; while each change
comes in, the event loop is sampled every 5 ms, and the worst lag (or the time the app's own call
held the loop) is what a key pressed then would wait on top of its own handling. Target (issue
12): at most 100 ms. "In after" is when the change was in the app's journal. The naive row is
the design before: the rewritten file read again whole on the event loop. `python -m bench.waits`
runs it alone.
"""


def rows(fmt: Callable[[float], str], size: int = 100_000) -> list[tuple[str, ...]]:
    """The figures as table rows (``python -m bench`` prints and writes them)."""
    cached = write_journal(CACHE / f"journal-{size}.json", size)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.json"
        shutil.copyfile(cached, path)
        found = asyncio.run(measure(path))
    naive_name = "naive: the rewritten file read again on the event loop"
    naive = found.pop(naive_name)
    return [
        (f"a key's worst wait: {name}, {size:,}", fmt(lag), f"in after {fmt(took)}", "(≤ 100 ms)",
         f"read again on the loop: {fmt(naive[0])}" if "by hand" in name else "")
        for name, (lag, took) in found.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    cached = CACHE / f"journal-{args.size}.json"
    write_journal(cached, args.size)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.json"
        shutil.copyfile(cached, path)
        found = asyncio.run(measure(path))
    print(f"keys' worst wait while changes come in, {args.size:,} incidents (target ≤ 100 ms):")
    for name, (lag, took) in found.items():
        print(f"  {name}: worst wait {lag * 1000:.0f} ms (the change in after {took:.2f} s)")


if __name__ == "__main__":
    main()
