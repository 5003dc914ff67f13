"""``python -m bench``: each figure of the performance issue next to its floor and the naive design.

Generates journals of 1k, 10k and 100k incidents (cached in ``.bench/``), then measures, all in
one run: open to first paint (fresh processes), search and filters, cursor moves, one save, and
memory; and the form's figures (``bench.form``: its open time and a key's way to the screen, also
at the base size); and importing a CSV file of 100,000 and 1,000,000 rows (``bench.import_bench``:
time and peak memory); and search as you type (``bench.search``: ``select_rows`` per key with the
search index and without, at 100 to 1,000,000 rows). Prints the tables; ``--write`` also puts them
in ``bench/RESULTS.md``; ``--only form``, ``--only import``, ``--only search`` or ``--only geo`` (the
gazetteer, issue 14: ``bench.geo``) or ``--only sync`` (team sync through git, issue 15: ``bench.sync``)
runs those figures alone (printed, not written).

``--only million`` (``bench.million``, issue 12) runs the app at 1,000,000 incidents alone: open to
first paint and memory, the search index built by the background checks, "factory fel" typed key
by key (beside 100 incidents) and one edited incident saved, each in a fresh process, one at a
time (one app at this size holds about 8 GB; the run takes about 8 minutes, the first one another
minute to generate the journal). It is printed, never written: its section of ``bench/RESULTS.md``
is pasted by hand, and ``--write`` keeps it as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench import exchange, geo, import_bench, million, search, sync, terminal, waits
from bench.generate import CACHE, write_journal
from store.storage import atomic_write_bytes, encode

ROOT = Path(__file__).resolve().parent.parent
BASE = 100  # the small journal every figure is compared with


def probe(mode: str, path: Path, runs: int = 3) -> dict:
    """The best of ``runs`` fresh processes: wall seconds from start to result, and memory."""
    best: dict | None = None
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, "-m", "bench.probe", mode, str(path)], capture_output=True, text=True,
            check=True, cwd=ROOT,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        # Seconds from the child's first line to the event; the interpreter's start-up before
        # it is the same at every size, so it cancels out of every "extra time" compared.
        result["wall"] = result["seconds"]
        if best is None or result["wall"] < best["wall"]:
            best = result
    assert best is not None
    return best


async def interaction(path: Path) -> dict:
    """Per-key latencies in the real app: typing a search, filters, cursor moves."""
    from textual.widgets import Select

    from store import Journal
    from tui.app import JournalApp
    from tui.screens.list import ListScreen
    from tui.widgets.incident_list import IncidentList

    app = JournalApp(Journal(path))
    timings: dict[str, list[float]] = {
        "search": [], "filter": [], "cursor": [], "page": [], "overhead": [], "checking": [],
    }
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def timed(kind: str, *keys: str) -> None:
            for key in keys:
                begin = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                timings[kind].append(time.perf_counter() - begin)

        # While the records are still being checked in slices: the driver's pause would wait for
        # an idle app that the checks never leave, so time each key to the cursor's move instead.
        listing = app.screen.query_one(IncidentList)
        for _ in range(20):
            before, begin = listing.cursor, time.perf_counter()
            app.simulate_key("j")
            while listing.cursor == before and time.perf_counter() - begin < 10:
                await asyncio.sleep(0.0005)
            timings["checking"].append(time.perf_counter() - begin)
        timings["checking_worst_value"] = [max(timings.pop("checking"))]
        assert isinstance(app.screen, ListScreen)
        app.screen.finish_checks()
        await pilot.pause()
        await timed("overhead", *["f9"] * 10)  # an unbound key: what the test driver itself costs
        await timed("cursor", *["j"] * 15, *["k"] * 5)
        await timed("page", "pagedown", "pagedown", "pagedown", "G", "g")
        await pilot.press("slash")
        await timed("search", *"drone strike")
        await pilot.press("escape")
        for value in ("killed", "injured", ""):
            begin = time.perf_counter()
            app.screen.query_one("#casualty-filter", Select).value = value
            await pilot.pause()
            timings["filter"].append(time.perf_counter() - begin)
        rows = len(app.screen.query_one(IncidentList).incidents)
    overhead = statistics.median(timings.pop("overhead"))
    checking = timings.pop("checking_worst_value")[0]
    # Absolute figures are the app's own time: the driver's cost for an unbound key is taken
    # off. Ratios compare whole key-to-screen times (driver included) at both sizes.
    result = {key: max(statistics.median(values) - overhead, 0.0) for key, values in timings.items()}
    result |= {f"{key}_whole": statistics.median(values) for key, values in timings.items()}
    return result | {
        "search_last": max(timings["search"][-1] - overhead, 0.0), "rows": rows, "overhead": overhead,
        "checking_worst": checking,
    }


def save_times(path: Path) -> dict:
    """One edited incident saved, key to on disk: ours (a line appended to the journal's log and
    fsynced), the floor (the same bytes appended and fsynced by hand), the naive design (the
    whole journal written again, as before issue 12) and stock TinyDB JSONStorage."""
    import statistics

    from tinydb import TinyDB

    from store import Journal
    from store.changelog import log_path

    work = Path(tempfile.mkdtemp(prefix="bench-save-", dir=CACHE))
    try:
        ours_path = work / "ours.json"
        shutil.copy(path, ours_path)
        journal = Journal(ours_path)
        rows = journal.rows()
        times = []
        for n in range(7):
            incident = journal.get(rows[n * 11].id)  # as the app opens one to edit it
            begin = time.perf_counter()
            journal.update(incident.with_changes(killed=str(n + 3)))
            times.append(time.perf_counter() - begin)
        ours = statistics.median(times)
        line = log_path(ours_path).read_bytes().splitlines(keepends=True)[-1]
        begin = time.perf_counter()
        journal.close()
        fold = time.perf_counter() - begin
        del journal, rows, incident  # at 1,000,000 (bench.million) each copy below holds gigabytes

        floor_times = []
        with open(work / "floor.log", "ab") as handle:
            for _ in range(7):
                begin = time.perf_counter()
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
                floor_times.append(time.perf_counter() - begin)
        floor = statistics.median(floor_times)

        data = orjson.loads(path.read_bytes())
        whole_path = work / "whole.json"
        shutil.copy(path, whole_path)
        begin = time.perf_counter()
        atomic_write_bytes(whole_path, encode(data))
        whole = time.perf_counter() - begin
        del data
        whole_path.unlink()

        stock_path = work / "stock.json"
        shutil.copy(path, stock_path)
        db = TinyDB(stock_path)
        begin = time.perf_counter()
        db.table("incidents").update({"killed": {"min": 3, "max": 3, "note": None}}, doc_ids=[1])
        stock = time.perf_counter() - begin
        return {"ours": ours, "floor": floor, "whole": whole, "stock": stock, "fold": fold}
    finally:
        shutil.rmtree(work, ignore_errors=True)


NOTES = """How to read it:

- *open to first paint*: from the start of a fresh process to the first row of the list drawn,
  best of 3-5 runs; the target compares the extra time over a 100-incident journal with the
  extra time `orjson.loads` needs for the larger file. The interpreter's start-up is the same
  at every size and cancels out. The DataTable column is the naive design: every row added
  to a stock `DataTable` before the first paint.
- *per key*: the app driven headless with `App.run_test`; each key is timed until the screen
  has settled, less what the test driver costs for a key nothing is bound to ("driver").
  Ratios compare whole key-to-screen times at both sizes.
- *save*: one incident changed through `Journal.update`, median of 7, key to on disk: its
  history entry and new record appended to the journal's log as one line and fsynced; the floor
  is the same line appended and fsynced by hand; "whole file" is the design before issue 12
  (the journal encoded, written, fsynced and renamed on every save); stock TinyDB is
  `JSONStorage` updating one document. The fold (the log written into the file whole) runs
  when the last program closes the journal, never on a key.
- *memory*: the process's peak resident set at first paint.
"""


FORM_NOTES = """How to read it (`python -m bench.form JOURNAL` measures one size; `python -m bench --only form`
prints this table alone):

- Every time runs from a key posted to the app, as its driver posts what the terminal sends,
  to the first *paint* that shows the result: each update the app hands its driver is turned
  into the bytes a terminal would be sent and applied to a grid of cells, and the clock stops
  when that grid shows it (and the app is in the state it should be). One app per size, in a
  fresh process, the list's record checks finished; headless at 140x45. Frame pacing (Textual
  paints at most 60 times a second) is part of every figure, floors included.
- *form open*: `n` on the list until the reused form is on top, taking keys, the cursor in its
  title and the grid showing "New incident"; `e` the same for the selected incident (a different
  one each time, the grid showing "Edit: <its title>"). Median of 10, the first open beside it.
  Floors: a key pushing a screen that holds one `Static` (installed once, as the form is), and
  `Enter` opening the detail screen. Naive: a key building a new `EditScreen` and loading it at
  every open, as the app did before it reused one.
- *key to screen*: "Quartz jinx 7" typed into the title one key at a time, each until the
  title field on the grid shows it; median and worst of the 13 keys. Floor: the same keys into a
  bare `Input`, alone on the screen of a minimal `App`, in the same process after the journal's
  app. Naive: the same keys in a newly built form.
- *n and a key at once*: `n` and `Q` posted together (type-ahead), until the title shows the Q:
  the open and the first key together.
"""


MILLION_HEADING = "## At 1,000,000 (issue 12)"


def machine_line() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()} Linux, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def form_figures(path: Path) -> dict:
    """The form's figures (``bench.form``) in a fresh process: one app, the journal opened once."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.form", str(path)], capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def form_rows(size: int, path: Path) -> list[tuple[str, ...]]:
    """Form open (new, edit) and a key's way to the screen in the title, beside floor and naive."""
    form = form_figures(path)
    rows: list[tuple[str, ...]] = []
    empty, detail = form["empty"]["median"], form["detail"]["median"]
    for kind, key in (("new", "n"), ("edit", "e")):
        ours, naive = form[kind], form[f"naive {kind}"]
        rows.append((
            f"form open, {kind} ({key}), median of {len(ours['all'])}, {size:,}",
            f"{fmt(ours['median'])} (first {fmt(ours['first'])})",
            f"empty screen {fmt(empty)}, detail {fmt(detail)}",
            f"{ours['median'] / empty:.1f}x empty (< 100 ms)",
            f"new form each open: {fmt(naive['median'])} ({naive['median'] / ours['median']:.0f}x ours)",
        ))
    keys, bare, fresh = form["keys"], form["bare keys"], form["naive keys"]
    rows.append((
        f"key to screen in the title, median / worst of {len(keys['all'])}, {size:,}",
        f"{fmt(keys['median'])} / {fmt(keys['worst'])}",
        f"bare Input {fmt(bare['median'])} / {fmt(bare['worst'])}",
        f"{keys['median'] / bare['median']:.1f}x (well < 100 ms)",
        f"new form: {fmt(fresh['median'])} / {fmt(fresh['worst'])}",
    ))
    ahead, naive_ahead = form["type-ahead"], form["naive type-ahead"]
    rows.append((
        f"n and a key at once: key on screen, median of {len(ahead['all'])}, {size:,}",
        fmt(ahead["median"]), f"form open {fmt(form['new']['median'])}", "",
        f"new form: {fmt(naive_ahead['median'])}",
    ))
    return rows


def table(rows: list[tuple[str, ...]]) -> str:
    header = ("figure", "ours", "floor / base", "ratio (target)", "naive alternative")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--write", action="store_true", help="also write bench/RESULTS.md")
    parser.add_argument("--only", choices=["form", "import", "search", "million", "geo", "sync"],
                        help="only these figures (printed, never written)")
    parser.add_argument("--search-sizes", default=",".join(map(str, search.SIZES)),
                        help="rows searched as typed (default: %(default)s)")
    parser.add_argument("--import-sizes", default=",".join(map(str, import_bench.SIZES)),
                        help="rows of the CSV files imported (default: %(default)s)")
    parser.add_argument("--naive-at", type=int, default=import_bench.NAIVE_UP_TO,
                        help="run the all-at-once import up to this many rows (default: %(default)s)")
    args = parser.parse_args()
    if args.only and args.write:
        parser.error("--write needs every figure: run without --only")
    sizes = [int(size) for size in args.sizes.split(",")]
    import_sizes = tuple(int(size) for size in args.import_sizes.split(","))
    search_sizes = tuple(int(size) for size in args.search_sizes.split(","))
    if args.only == "import":
        print(table(import_bench.rows(fmt, import_sizes, args.naive_at)))
        return
    if args.only == "search":
        print(table(search.rows(fmt, search_sizes)))
        return
    if args.only == "geo":
        print("\n".join(geo.measure()))
        return
    if args.only == "sync":
        print("\n".join(sync.measure(max(sizes))))
        return
    if args.only == "million":
        began = time.perf_counter()
        print(f"machine: {machine_line()}\n")
        print(table(million.rows(fmt, probe)))
        print(f"\n(--only million took {fmt(time.perf_counter() - began)})")
        return
    base = write_journal(CACHE / f"journal-{BASE}.json", BASE)
    journals = {size: write_journal(CACHE / f"journal-{size}.json", size) for size in sizes}

    # The form's figures (issue 10) have their own table; at the base size too, which its target names.
    form = [row for size, path in {BASE: base, **journals}.items() for row in form_rows(size, path)]
    if args.only == "form":
        print(table(form))
        return

    rows: list[tuple[str, ...]] = []
    small_app, small_loads = probe("app", base, runs=5), probe("loads", base, runs=5)
    small_keys = asyncio.run(interaction(base))
    for size, path in journals.items():
        mb = path.stat().st_size / 1e6
        runs = 5 if size <= 10_000 else 3
        app, parse = probe("app", path, runs), probe("loads", path, runs)
        extra, floor_extra = app["wall"] - small_app["wall"], parse["seconds"] - small_loads["seconds"]
        naive = probe("datatable", path, runs=1)
        rows.append((
            f"open to first paint, {size:,} ({mb:.0f} MB)", fmt(app["wall"]),
            f"+{fmt(max(extra, 0))} vs +{fmt(floor_extra)} to parse",
            f"{max(extra, 0) / floor_extra:.1f}x (≤ 2x)",
            f"DataTable: {fmt(naive['wall'])}",
        ))
        keys = asyncio.run(interaction(path))
        for kind, target in (("search", 3), ("filter", 3)):
            ratio = keys[f"{kind}_whole"] / small_keys[f"{kind}_whole"]
            rows.append((
                f"{kind} per key, median, {size:,}", fmt(keys[kind]),
                f"{fmt(small_keys[kind])} at {BASE} (+{fmt(keys['overhead'])} driver)",
                f"{ratio:.1f}x (≤ {target}x, < 100 ms)", "",
            ))
        rows.append((f"search, last key, {size:,}", fmt(keys["search_last"]), "", "(< 100 ms)", ""))
        for kind in ("cursor", "page"):
            rows.append((f"{kind} move, median, {size:,}", fmt(keys[kind]), "", "(< 50 ms)", ""))
        rows.append((f"cursor move while records are checked, worst, {size:,}", fmt(keys["checking_worst"]),
                     "", "(keys never freeze)", ""))
        save = save_times(path)
        rows.append((
            f"save one incident, key to on disk, {size:,}", fmt(save["ours"]), f"floor {fmt(save['floor'])}",
            "(≤ 50 ms at 100,000)",
            f"whole file: {fmt(save['whole'])}; stock TinyDB: {fmt(save['stock'])}",
        ))
        rows.append((f"fold on close (file written whole), {size:,}", fmt(save["fold"]), "", "(not on a key)", ""))
        rows.append((f"memory at first paint, {size:,}", f"{app['rss_mb']:,.0f} MB", "", "(≤ 1024 MB)",
                     f"DataTable: {naive['rss_mb']:,.0f} MB"))
        rows.extend(exchange.rows_for(size, path, fmt))

    machine = machine_line()
    print(f"machine: {machine}\n")
    print(table(rows))
    print(f"\nThe form (issue 10):\n\n{table(form)}")
    imports = import_bench.rows(fmt, import_sizes, args.naive_at)
    print(f"\nImport (issue 11):\n\n{table(imports)}")
    searches = search.rows(fmt, search_sizes)
    print(f"\nSearch as you type (issue 12):\n\n{table(searches)}")
    typed = terminal.rows(fmt) if shutil.which("tmux") else []
    print(f"\nSearch as you type in a real terminal (issue 12):\n\n{table(typed)}")
    waiting = waits.rows(fmt, max(sizes))
    print(f"\nKeys while changes come in (issue 12):\n\n{table(waiting)}")
    places = "\n".join(geo.measure())
    print(f"\nPlaces (issue 14):\n\n{places}")
    team = "\n".join(sync.measure(max(sizes)))
    print(f"\nTeam sync (issue 15):\n\n{team}")
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        # The section of ``--only million`` is measured apart (it takes minutes and gigabytes): kept.
        kept = results.read_text(encoding="utf-8").partition(MILLION_HEADING)[2] if results.exists() else ""
        results.write_text(
            f"# Benchmark results\n\nLatest `python -m bench --write` on {machine} "
            f"({time.strftime('%Y-%m-%d')}).\n\n{table(rows)}\n\n{NOTES}{exchange.NOTES}"
            f"\n## The form (issue 10)\n\n{table(form)}\n\n{FORM_NOTES}"
            f"\n## Import (issue 11)\n\n{table(imports)}\n\n{import_bench.NOTES}"
            f"\n## Search as you type (issue 12)\n\n{table(searches)}\n\n{search.NOTES}"
            f"\n## Search as you type in a real terminal (issue 12)\n\n{table(typed)}\n\n{terminal.NOTES}"
            f"\n## Keys while changes come in (issue 12)\n\n{table(waiting)}\n\n{waits.NOTES}"
            f"\n## Places (issue 14)\n\n{places}\n\n{geo.NOTES}"
            f"\n## Team sync (issue 15)\n\n{team}\n\n{sync.NOTES}"
            + (f"\n{MILLION_HEADING}{kept}" if kept else ""),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
