"""Team sync at scale (issue 15): two journals of 100,000 incidents sharing a bare git remote,
1,000 changes on each side, then each side's sync timed (target: at most 30 s); and 100 syncs of
one changed incident each, then the repository's size beside one compressed journal (target: at
most twice).

``python -m bench.sync [SIZE]`` prints the table (``python -m bench --only sync`` too).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import CACHE, write_journal
from store import Journal
from store.sync import Syncer, sync_folder

NOTES = """How to read it: two journals (Ann's and Bob's) of the generated incidents share a bare
repository on a path; each makes 1,000 changes (half of Bob's on incidents Ann changed too, in
another field), then Ann syncs (she sends) and Bob syncs (he receives hers, merges, sends his).
Each sync is one process's ``Syncer.sync``, the journal already open. The size rows: a journal
set up afresh, then 100 syncs of one changed incident each (git packing as it goes), its
``.sync/.git`` and the bare remote beside the journal file gzipped. The naive design, the whole
journal as one file in git, rewrites and sends the whole file at every sync.
"""

SIZE = 100_000
CHANGES = 1_000
SYNCS = 100
TARGET_SECONDS = 30
TARGET_SIZE_RATIO = 2.0


def _folder_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _edit(path: Path, author: str, count: int, start: int, field: str) -> None:
    with Journal(path, author=author) as journal:
        rows = journal.rows()
        for row in rows[start : start + count]:
            incident = journal.get(row.id)
            journal.update(incident.with_changes(**{field: f"{author} {start}"}))


def _sync(path: Path, author: str) -> tuple[float, str]:
    with Journal(path, author=author) as journal:
        begin = time.perf_counter()
        line = Syncer(journal, author).sync().line()
        return time.perf_counter() - begin, line


def measure(size: int = SIZE) -> list[str]:
    source = write_journal(CACHE / f"journal-{size}.json", size)
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        remote = work / "team.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
        ann, bob = work / "ann" / "journal.json", work / "bob" / "journal.json"
        ann.parent.mkdir()
        bob.parent.mkdir()
        shutil.copyfile(source, ann)
        begin = time.perf_counter()
        with Journal(ann, author="Ann") as journal:
            syncer = Syncer(journal, "Ann")
            syncer.setup(str(remote))
            syncer.sync()
        first = time.perf_counter() - begin
        begin = time.perf_counter()
        with Journal(bob, author="Bob") as journal:
            syncer = Syncer(journal, "Bob")
            syncer.setup(str(remote))
            syncer.sync()
        joining = time.perf_counter() - begin
        _edit(ann, "Ann", CHANGES, 0, "summary")
        _edit(bob, "Bob", CHANGES, CHANGES // 2, "target")  # half on incidents Ann changed too (other field)
        ann_seconds, ann_line = _sync(ann, "Ann")
        bob_seconds, bob_line = _sync(bob, "Bob")
        compressed_after_changes = len(gzip.compress(ann.read_bytes(), compresslevel=6))
        repository = _folder_bytes(sync_folder(ann) / ".git")
        # The size: a journal set up afresh, then SYNCS syncs of one changed incident each.
        carol, carol_remote = work / "carol" / "journal.json", work / "carol.git"
        carol.parent.mkdir()
        subprocess.run(["git", "init", "--quiet", "--bare", str(carol_remote)], check=True)
        shutil.copyfile(source, carol)
        compressed = len(gzip.compress(carol.read_bytes(), compresslevel=6))
        with Journal(carol, author="Carol") as journal:
            syncer = Syncer(journal, "Carol")
            syncer.setup(str(carol_remote))
            syncer.sync()
        for number in range(SYNCS):
            _edit(carol, "Carol", 1, number, "weapon")
            _sync(carol, "Carol")
        after = _folder_bytes(sync_folder(carol) / ".git")
        remote_after = _folder_bytes(carol_remote)
        return [
            "| figure | measured | target |",
            "|---|---|---|",
            f"| first sync of {size:,} incidents (set-up, all sent) | {first:.1f} s | |",
            f"| a second journal joins (all received) | {joining:.1f} s | |",
            f"| sync after {CHANGES:,} changes here: {ann_line} | {ann_seconds:.1f} s | ≤ {TARGET_SECONDS} s |",
            f"| sync after {CHANGES:,} changes on each side: {bob_line} | {bob_seconds:.1f} s | ≤ {TARGET_SECONDS} s |",
            f"| repository after those, beside the journal compressed ({compressed_after_changes / 1e6:.1f} MB) "
            f"| {repository / 1e6:.1f} MB | |",
            f"| a journal set up afresh, after {SYNCS} syncs of one changed incident each: its repository "
            f"| {after / 1e6:.1f} MB, {after / compressed:.2f}x the journal compressed ({compressed / 1e6:.1f} MB); "
            f"the bare remote {remote_after / 1e6:.1f} MB, {remote_after / compressed:.2f}x "
            f"| ≤ {TARGET_SIZE_RATIO:.0f}x |",
        ]
    finally:
        if "--keep" in sys.argv:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    sizes = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    size = int(sizes[0]) if sizes else SIZE
    print("\n".join(measure(size)))


if __name__ == "__main__":
    main()
