"""Figures of issue 11, item 9: importing a valid CSV file of 100,000 and 1,000,000 rows.

``python -m bench --only import`` prints them (``--import-sizes`` to choose the sizes); a full
``python -m bench --write`` puts them in ``bench/RESULTS.md``. Each run is a fresh process, timed
from its start to its exit, its peak resident memory taken from the kernel (``wait4``):

- *ours*: ``incident-journal import FILE`` into an empty journal, as a person would run it;
- *floor*: the least the same work costs in Python: ``csv`` reading each row, the model's check
  of each, its record written out as JSON (nothing kept from row to row);
- *naive*: everything held at once, as imports did before: the file read whole, every row,
  every model and every record in memory, then one write (at 1,000,000 rows it took 189 s and
  7.5 GB, issue 11; run it with ``--naive-at``).

``python -m bench.import_bench MODE CSV JOURNAL`` runs one of them (``ours``, ``floor``, ``naive``).
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import CACHE

ROOT = Path(__file__).resolve().parent.parent
#: The sizes measured by default.
SIZES = (100_000, 1_000_000)
#: The naive design is run up to this size by default (at 1,000,000 rows it takes minutes and 7.5 GB).
NAIVE_UP_TO = 100_000
#: The target: peak memory of an import of 1,000,000 rows.
TARGET_MB = 3 * 1024


def flat_row(raw: dict[str, Any]) -> dict[str, Any]:
    """A generated record as the CSV export writes it (``store.exchange.flat``), without the model."""
    from store.exchange.flat import COUNT_PARTS, COUNTS, sources_cell

    row = dict(raw)
    for count in COUNTS:  # (a count nobody gave is left out of the record: its cells are blank)
        given = row.pop(count, None) or {}
        for part in COUNT_PARTS:
            row[f"{count}_{part}"] = given.get(part)
    row["sources"] = sources_cell(raw["sources"]) or None
    row["tags"] = ", ".join(raw["tags"]) or None
    return row


def csv_file(size: int) -> Path:
    """A valid CSV file of ``size`` incidents (``bench.generate``'s), as our export writes it; cached."""
    from bench.generate import incident
    from store.exchange.csv_format import cell
    from store.exchange.flat import COLUMNS

    path = CACHE / f"import-{size}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    now = "2026-11-01T12:00:00Z"
    columns = [column for column in COLUMNS if column != "casualty_status"]
    part = path.with_suffix(".part")
    with open(part, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for _ in range(size):
            row = flat_row(incident(rng, now))
            writer.writerow([cell(row.get(column)) for column in columns])
    part.replace(path)
    return path


def floor(source: Path, target: Path) -> None:
    """Each row read by ``csv``, checked through the model and written as JSON; nothing kept."""
    import orjson

    from store import Incident, collector
    from store.exchange.csv_format import typed_row
    from store.exchange.flat import candidate_from_flat

    with collector.paused(), open(source, encoding="utf-8", newline="") as handle, open(target, "wb") as out:
        now = "2026-11-01T12:00:00Z"
        for number, cells in enumerate(csv.DictReader(handle), start=2):
            row, _ = typed_row(number, cells)
            data = {"revision": 1, "created_at": now, "updated_at": now, **candidate_from_flat(number, row).data}
            out.write(orjson.dumps(Incident.model_validate(data).record()))
        out.flush()
        os.fsync(out.fileno())


def naive(source: Path, target: Path) -> None:
    """Everything at once: the text whole, every row, every model, every record, one write."""
    import io

    from store import Incident, collector
    from store.exchange.csv_format import typed_row
    from store.exchange.flat import candidate_from_flat
    from store.storage import atomic_write_bytes, encode

    with collector.paused():
        text = source.read_bytes().decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        now = "2026-11-01T12:00:00Z"
        candidates = [candidate_from_flat(number, typed_row(number, cells)[0]) for number, cells in enumerate(rows, 2)]
        models = [
            Incident.model_validate({"revision": 1, "created_at": now, "updated_at": now, **candidate.data})
            for candidate in candidates
        ]
        records = {str(n): model.record() for n, model in enumerate(models, start=1)}
        atomic_write_bytes(target, encode({"incidents": records}))


def ours(source: Path, target: Path) -> None:
    from tui.cli import main

    main(["--journal", str(target), "import", str(source)])


MODES: dict[str, Callable[[Path, Path], None]] = {"ours": ours, "floor": floor, "naive": naive}


def measure(mode: str, source: Path) -> dict[str, float]:
    """One fresh process running ``mode`` on ``source``: wall seconds and peak memory (MB)."""
    work = Path(tempfile.mkdtemp(prefix="bench-import-", dir=CACHE))
    try:
        begin = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.import_bench", mode, str(source), str(work / "journal.json")],
            cwd=ROOT, stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - begin
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"{mode} on {source} exited with {child.returncode}")
        return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rows(
    fmt: Callable[[float], str], sizes: tuple[int, ...] = SIZES, naive_up_to: int = NAIVE_UP_TO
) -> list[tuple[str, ...]]:
    """The table rows: time and peak memory of ours, beside the floor and the naive design."""
    table: list[tuple[str, ...]] = []
    for size in sizes:
        source = csv_file(size)
        mb = source.stat().st_size / 1e6
        figures = {mode: measure(mode, source) for mode in ("ours", "floor")}
        if size <= naive_up_to:
            figures["naive"] = measure("naive", source)
        ours_, floor_ = figures["ours"], figures["floor"]
        naive_ = figures.get("naive")
        table.append((
            f"import csv, {size:,} rows ({mb:,.0f} MB), whole command", fmt(ours_["seconds"]),
            f"floor {fmt(floor_['seconds'])} (csv + model + write)",
            f"{ours_['seconds'] / floor_['seconds']:.1f}x (≤ 3x)",
            f"all at once: {fmt(naive_['seconds'])}" if naive_ else "all at once: 189 s at 1M (issue 11)",
        ))
        table.append((
            f"import csv, {size:,} rows: peak memory", f"{ours_['rss_mb']:,.0f} MB",
            f"floor {floor_['rss_mb']:,.0f} MB",
            f"(≤ {TARGET_MB:,} MB at 1,000,000)",
            f"all at once: {naive_['rss_mb']:,.0f} MB" if naive_ else "all at once: 7.5 GB at 1M (issue 11)",
        ))
    return table


NOTES = """- *import csv* (issue 11): `incident-journal import FILE.csv` of a valid file (our export's
  columns) into an empty journal, as a fresh process, from its start to its exit; its peak
  resident memory from the kernel (`wait4`). Floor: `csv` reading each row, the model's check
  of each and its record written as JSON, nothing kept from row to row. All at once: the file
  read whole, every row, model and record held, then one write, as imports did before (at
  1,000,000 rows it took 189 s and 7.5 GB; measured here up to 100,000 rows). The 1,000,000-row
  figures come from `python -m bench --only import`; `make test` never runs them.
"""


if __name__ == "__main__":
    mode, csv_path, journal_path = sys.argv[1:4]
    try:
        MODES[mode](Path(csv_path), Path(journal_path))
    except SystemExit as exc:  # the CLI exits
        if exc.code not in (0, None):
            raise
    print(json.dumps({"mode": mode}))
