"""One measurement in a fresh process, printed as JSON: ``python -m bench.probe MODE PATH``.

Modes: ``app`` (our app until its list is painted), ``datatable`` (a stock DataTable holding
every row, the naive design), ``loads`` (reading and parsing the file: the floor).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

START = time.perf_counter()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def app_paint(path: str) -> dict:
    from store import Journal
    from tui.app import JournalApp
    from tui.widgets.incident_list import IncidentList

    painted: list[float] = []
    render_line = IncidentList.render_line

    def first_paint(self, y):  # the moment the first row of the list is drawn
        if y == 1 and not painted and self.incidents:
            painted.append(time.perf_counter() - START)
        return render_line(self, y)

    # Timing the first paint means wrapping the list's method, which a type checker forbids.
    IncidentList.render_line = first_paint  # type: ignore[method-assign]
    app = JournalApp(Journal(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rows = len(app.screen.query_one(IncidentList).incidents)
        memory = rss_mb()
        app.workers.cancel_all()
        return {"seconds": painted[0] if painted else float("nan"), "rows": rows, "rss_mb": memory}


async def datatable_paint(path: str) -> dict:
    import orjson
    from textual.app import App
    from textual.widgets import DataTable

    class Naive(App[None]):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            records = orjson.loads(open(path, "rb").read())["incidents"].values()
            table = self.query_one(DataTable)
            table.add_columns("Date", "Place", "Region", "Event type", "Killed", "Injured", "Verification", "Title")
            table.add_rows(
                (r["date"], r["place"] or "", r["region"], r["event_type"] or "", str(r["killed"]["min"]),
                 str(r["injured"]["min"]), r["verification"], r["title"])
                for r in records
            )

    app = Naive()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return {"seconds": time.perf_counter() - START, "rows": app.query_one(DataTable).row_count, "rss_mb": rss_mb()}


def loads(path: str) -> dict:
    import orjson

    begin = time.perf_counter()
    with open(path, "rb") as handle:
        data = orjson.loads(handle.read())
    return {"seconds": time.perf_counter() - begin, "rows": len(data["incidents"]), "rss_mb": rss_mb()}


if __name__ == "__main__":
    mode, target = sys.argv[1], sys.argv[2]
    if mode == "app":
        result = asyncio.run(app_paint(target))
    elif mode == "datatable":
        result = asyncio.run(datatable_paint(target))
    else:
        result = loads(target)
    print(json.dumps(result), flush=True)
