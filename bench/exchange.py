"""Figures of the exchange issue: the overview, possible duplicates on save, export and import.

Each is timed beside its floor (the least the same work can cost in Python: reading the same
values, or the model check every row must pass) and beside the naive design it replaces.
"""

from __future__ import annotations

import csv
import gc
import io
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson


def timed(work: Callable[[], Any]) -> float:
    begin = time.perf_counter()
    work()
    return time.perf_counter() - begin


#: What the overview reads of a record besides region, type, date, killed and injured.
COUNTED_TOO = (
    "killed_civilians", "killed_children", "killed_women", "killed_combatants", "injured_civilians",
    "injured_children", "injured_women", "injured_combatants", "weapons_launched", "weapons_intercepted",
    "weapons_hit",
)


def overview_times(path: Path) -> dict:
    """``overview`` of every row; floor: reading the values it counts from every record;
    naive: every record through the model first (as counting ``Journal.all()`` would)."""
    from store import Incident, Journal
    from store.overview import overview

    with Journal(path) as journal:
        rows = journal.rows()
        for row in rows:
            row.prepare()  # as the list's background checks leave them

        def floor() -> None:
            counts: Counter[Any] = Counter()
            for row in rows:
                raw = row.raw
                counts[(raw.get("region"), raw.get("event_type"), str(raw.get("date"))[:7])] += 1
                raw.get("killed"), raw.get("injured")
                for name in COUNTED_TOO:  # who was harmed and the weapons (issue 13)
                    raw.get(name)

        ours = min(timed(lambda: overview(rows)) for _ in range(3))
        floor_time = min(timed(floor) for _ in range(3))
        records = [row.raw for row in rows]
        naive = timed(lambda: [Incident.model_validate(record) for record in records])
    return {"ours": ours, "floor": floor_time, "naive": naive}


def _scan(records: Mapping[str, Mapping[str, Any]], date: str, place: str, urls: set[str]) -> list[str]:
    """The naive duplicate search: a pass over every record (what each save did before the index)."""
    from store.duplicates import place_key, url_key

    found = []
    for incident_id, raw in records.items():
        other = raw.get("place")
        if raw.get("date") == date and isinstance(other, str) and place_key(other) == place:
            found.append(incident_id)
        for source in raw.get("sources") or ():
            url = source.get("url")
            if isinstance(url, str) and url_key(url) in urls:
                found.append(incident_id)
    return found


def duplicate_times(path: Path) -> dict:
    """Possible duplicates of one saved incident: the index lookup (as every save does), building
    the index once (done between keys after opening), and the naive pass over every record."""
    from store import Journal
    from store.duplicates import place_key, url_key

    with Journal(path) as journal:
        incident = next(journal.get(row.id) for row in journal.rows() if row.place)
        build = timed(lambda: journal.possible_duplicates([incident]))
        ours = min(timed(lambda: journal.possible_duplicates([incident])) for _ in range(5))
        records = {row.id: row.raw for row in journal.rows()}
        urls = {url_key(source.url) for source in incident.sources if source.url}
        naive = timed(lambda: _scan(records, incident.date.isoformat(), place_key(incident.place or ""), urls))
    return {"ours": ours, "build": build, "naive": naive}


def exchange_times(path: Path) -> dict:
    """CSV export of every incident, as ``export --format csv`` does it, and importing that file
    into an empty journal (planned and written). Floors: every record checked through the model
    and its cells written by ``csv``; every row read by ``csv``, checked through the model, and
    the records written as one JSON file."""
    from store import Incident, Journal, collector
    from store.exchange import export_bytes, plan_import
    from store.exchange.csv_format import cell
    from store.exchange.flat import COLUMNS
    from store.storage import atomic_write_bytes

    work = Path(tempfile.mkdtemp(prefix="bench-exchange-"))
    try:
        with Journal(path) as journal:
            export = timed(lambda: export_bytes(journal.query(), "csv"))
            data = export_bytes(journal.query(), "csv")
            records = [row.raw for row in journal.rows()]

        def write_floor() -> None:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for record in records:
                Incident.model_validate(record)
                writer.writerow([cell(value) for value in record.values()])
            buffer.getvalue().encode("utf-8")

        def read_floor() -> None:
            reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
            for _row, record in zip(reader, records, strict=True):  # each row read, as an import reads it
                Incident.model_validate(record)
            tables = {"incidents": {str(n): record for n, record in enumerate(records, start=1)}}
            atomic_write_bytes(work / "floor.json", orjson.dumps(tables))

        with collector.paused():  # as ours: the floor is not to pay for the collector either
            write_floor_time = timed(write_floor)
            read_floor_time = timed(read_floor)

        def import_all() -> None:
            with Journal(work / "imported.json") as target:
                plan = plan_import(target, data, "csv")
                target.import_incidents(plan.new)

        gc.collect()
        imported = timed(import_all)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "export": export, "export_floor": write_floor_time,
        "import": imported, "import_floor": read_floor_time, "mb": len(data) / 1e6,
    }


def rows_for(size: int, path: Path, fmt: Callable[[float], str]) -> list[tuple[str, ...]]:
    """The table rows of this module's figures for one journal."""
    rows: list[tuple[str, ...]] = []
    figures = overview_times(path)
    rows.append((
        f"overview of every incident, {size:,}", fmt(figures["ours"]), f"floor {fmt(figures['floor'])}",
        f"{figures['ours'] / figures['floor']:.1f}x (≤ 3x; in a thread from 20,000)",
        f"model first: {fmt(figures['naive'])}",
    ))
    duplicates = duplicate_times(path)
    rows.append((
        f"possible duplicates on save, {size:,}", fmt(duplicates["ours"]),
        f"index built once: {fmt(duplicates['build'])}", "(< 10 ms)",
        f"pass over every record: {fmt(duplicates['naive'])}",
    ))
    exchange = exchange_times(path)
    rows.append((
        f"export csv, {size:,} ({exchange['mb']:.0f} MB)", fmt(exchange["export"]),
        f"floor {fmt(exchange['export_floor'])} (model + write)",
        f"{exchange['export'] / exchange['export_floor']:.1f}x (≤ 3x)", "",
    ))
    rows.append((
        f"import csv into an empty journal, {size:,}", fmt(exchange["import"]),
        f"floor {fmt(exchange['import_floor'])} (read + model + write)",
        f"{exchange['import'] / exchange['import_floor']:.1f}x (≤ 3x)", "",
    ))
    return rows


NOTES = """- *overview*: `store.overview.overview` over every row (the `s` screen counts in a thread
  from 20,000 rows on, so keys stay live); the floor reads the values it counts from every
  record; "model first" is validating every record before counting, as a design over
  `Journal.all()` would.
- *possible duplicates on save*: the lookup every save in the app does, in an index kept up to
  date by saves (built once, between keys, after the journal opens); beside it the pass over
  every record that the first design made on every save.
- *export / import csv*: `export --format csv` of every incident (each checked through the
  model, then written), and importing that file into an empty journal (read, checked, planned,
  written in one atomic save). Floors: the model check every record must pass plus `csv`
  writing its cells; `csv` reading the file, the model check of every row and writing the
  records as one JSON file. Both floors run with the garbage collector paused, as ours do.
"""
