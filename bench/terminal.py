"""Search as you type in a real terminal: ``python -m bench.terminal [--sizes 100 100000] [--runs 7]``.

The app runs in a tmux session (as a person runs it); each run types "/" and then an 11-character
query as one burst (as a fast typist or a paste does), and times from the burst to the screen
showing the match count in the title bar. The figure is the median of the runs at each size; the
target (issue 12) is at most 1.5x the time at 100 incidents. Each journal is a copy of the bench's
cached one, in a folder of its own; the app is left idle (its background checks done: no CPU used
for a second) before each run, as a person would have it after opening the journal.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.generate import CACHE, write_journal

ROOT = Path(__file__).resolve().parent.parent
QUERY = "factory fel"  # 11 characters, as in the issue
TARGET = 1.5


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


class Terminal:
    """One tmux session running the app on ``journal``."""

    def __init__(self, journal: Path) -> None:
        self.session = f"bench{os.getpid()}"
        _tmux("kill-session", "-t", self.session)
        app = f"{ROOT / '.venv/bin/incident-journal'} --journal {journal}"
        _tmux("new-session", "-d", "-s", self.session, "-x", "140", "-y", "45", app)

    def screen(self) -> str:
        return _tmux("capture-pane", "-p", "-t", self.session)

    def type(self, text: str) -> None:
        _tmux("send-keys", "-t", self.session, "-l", text)

    def key(self, name: str) -> None:
        _tmux("send-keys", "-t", self.session, name)

    def wait_for(self, text: str, timeout: float = 120.0) -> float:
        """Seconds until ``text`` is on the screen (polled as fast as tmux answers)."""
        begin = time.perf_counter()
        while text not in self.screen():
            if time.perf_counter() - begin > timeout:
                raise TimeoutError(f"{text!r} never appeared:\n{self.screen()}")
        return time.perf_counter() - begin

    def _cpu_ticks(self) -> int:
        pane = _tmux("list-panes", "-t", self.session, "-F", "#{pane_pid}").split()[0]
        fields = Path(f"/proc/{pane}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def wait_idle(self, quiet: float = 1.0, timeout: float = 300.0) -> None:
        """Until the app has used no CPU for ``quiet`` seconds (its background checks are done)."""
        end = time.monotonic() + timeout
        last = self._cpu_ticks()
        while time.monotonic() < end:
            time.sleep(quiet)
            now = self._cpu_ticks()
            if now - last <= 1:
                return
            last = now
        raise TimeoutError("the app never went idle")

    def close(self) -> None:
        _tmux("kill-session", "-t", self.session)


def expected_count(journal: Path) -> int:
    from store import IncidentFilter, Journal

    with Journal(journal) as opened:
        return len(opened.query_rows(IncidentFilter(text=QUERY)))


def search_times(size: int, runs: int) -> list[float]:
    cached = CACHE / f"journal-{size}.json"
    write_journal(cached, size)  # (made once, then reused)
    with tempfile.TemporaryDirectory() as folder:
        journal = Path(folder) / "journal.json"
        shutil.copyfile(cached, journal)
        found = f"{expected_count(journal)} of {size} incidents"
        everything = f"{size} of {size} incidents"
        terminal = Terminal(journal)
        try:
            terminal.wait_for(everything)
            times = []
            for _ in range(runs):
                terminal.wait_idle()
                terminal.type("/")
                time.sleep(0.2)  # the search field has the focus
                begin = time.perf_counter()
                terminal.type(QUERY)
                terminal.wait_for(found, timeout=30)
                times.append(time.perf_counter() - begin)
                terminal.key("Escape")
                terminal.wait_for(everything, timeout=30)
            return times
        finally:
            terminal.close()


NOTES = """How to read it: the app runs in tmux as a person runs it; each run types `/` and then
the 11-character query `factory fel` as one burst (as a fast typist or a paste), and is timed from
the burst to the title bar showing the match count; the median of the runs, the app idle before
each (its checks done). Issue 12's target: at most 1.5x the time at 100 incidents (it measured
333 ms against 111 ms, 3.0x, before the search index). `python -m bench.terminal` runs it alone.
"""


def rows(fmt: Callable[[float], str], sizes: Sequence[int] = (100, 100_000), runs: int = 9) -> list[tuple[str, ...]]:
    """The figures as table rows (``python -m bench`` prints and writes them)."""
    medians = {size: statistics.median(search_times(size, runs)) for size in sizes}
    base = min(medians)
    return [
        (f"search as you type in tmux, 11 keys at once, {size:,}", fmt(median),
         f"{fmt(medians[base])} at {base:,}", f"{median / medians[base]:.2f}x (≤ {TARGET}x)",
         "before the index (issue 12): 3.0x")
        for size, median in medians.items() if size != base
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: it is the real terminal the app runs in")
    medians = {}
    for size in args.sizes:
        times = search_times(size, args.runs)
        medians[size] = statistics.median(times)
        runs = ", ".join(f"{t * 1000:.0f}" for t in times)
        print(f"{size:>9,} incidents: median {medians[size] * 1000:.0f} ms  (runs: {runs} ms)", flush=True)
    base = medians[min(medians)]
    for size, median in medians.items():
        if size != min(medians):
            print(
                f"search as you type, '{QUERY}' typed at once, {size:,}: {median * 1000:.0f} ms against "
                f"{base * 1000:.0f} ms at {min(medians):,}: {median / base:.2f}x (target ≤ {TARGET}x)"
            )


if __name__ == "__main__":
    main()
