"""What another program changed by rewriting a journal file that is open here.

Programs other than incident-journal (an editor, a script, a copy put back by hand) may replace
the journal file while the app has it open. Reading the new file again in the app would cost a
parse of the whole journal on the event loop (1.5 s at 100,000 incidents) with every key waiting.
Instead ``Journal.rewrite_changes`` runs this module in a child process: it reads the version the
journal last read (kept open by the journal, so still readable after a rename over it) and the new
one, each with the log's changes the journal has applied, and prints the documents that differ as
one log line (``{"seq", "ops", "signature", "problems"}``), or ``{"whole": reason}`` when the new
file must be read whole after all (its schema, an empty file, a folded log this journal has not
read yet). The journal then applies only those documents, through its one ``_apply``.

``python -m store.rewrite HELD_FD JOURNAL_PATH SEQ``
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

from store.changelog import decode_line, encode_entry, log_path
from store.errors import JournalError
from store.migrations import HISTORY_TABLE, INCIDENTS_TABLE, META_TABLE, SCHEMA_VERSION, entry_ops, stored_version
from store.storage import decode, read_file

Tables = dict[str, dict[str, Any]]


def _read_held(fd: int) -> bytes:
    size, chunks, offset = os.fstat(fd).st_size, [], 0
    while offset < size:
        chunk = os.pread(fd, min(size - offset, 1 << 24), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _log_entries(path: Path, upto_seq: int) -> list[dict[str, Any]]:
    """The log's whole lines up to ``upto_seq`` (what the journal here has applied)."""
    try:
        data = log_path(path).read_bytes()
    except FileNotFoundError:
        return []
    entries = []
    for line in data.split(b"\n")[:-1]:  # the last piece is empty, or torn
        entry = decode_line(line)
        if entry is None or entry["seq"] > upto_seq:
            break
        entries.append(entry)
    return entries


def _folded_seq(tables: Tables) -> int:
    meta: Any = next(iter((tables.get(META_TABLE) or {}).values()), {})
    folded = meta.get("folded_seq") if isinstance(meta, dict) else None
    return folded if isinstance(folded, int) else 0


def _with_log(tables: Tables, entries: list[dict[str, Any]]) -> Tables:
    """``tables`` with the log's changes made after the file was written applied, as opening does."""
    folded = _folded_seq(tables)
    for entry in entries:
        if entry["seq"] > folded:
            for table_name, doc_id, document in entry_ops(entry):
                table = tables.setdefault(table_name, {})
                if document is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = document
    return tables


def differences(old: Tables, new: Tables) -> list[list[Any]]:
    """The documents to put and remove to turn ``old`` into ``new``: ``[table, doc id, document or None]``."""
    ops: list[list[Any]] = []
    for table_name in sorted(old.keys() | new.keys()):
        before, after = old.get(table_name) or {}, new.get(table_name) or {}
        ops.extend([table_name, doc_id, None] for doc_id in before if doc_id not in after)
        ops.extend(
            [table_name, doc_id, document] for doc_id, document in after.items() if before.get(doc_id) != document
        )
    return ops


def changes(held_fd: int, path: Path, upto_seq: int) -> dict[str, Any]:
    old = decode(_read_held(held_fd), path) or {}
    raw, info = read_file(path)
    problems: list[str] = []
    new = decode(raw, path, problems=problems)
    if not new or not (new.get(INCIDENTS_TABLE) or new.get(HISTORY_TABLE)):
        return {"whole": "the new file holds no incident"}
    if stored_version(new) != SCHEMA_VERSION or stored_version(old) != SCHEMA_VERSION:
        return {"whole": "the new file is of another schema version"}
    if _folded_seq(new) > upto_seq:
        return {"whole": "the new file holds changes of the log not read here yet"}
    entries = _log_entries(path, upto_seq)
    ops = differences(_with_log(old, entries), _with_log(new, entries))
    signature = [info.st_ino, info.st_size, info.st_mtime_ns]
    return {"seq": upto_seq, "ops": ops, "signature": signature, "problems": problems}


def main(argv: list[str]) -> int:
    gc.disable()  # millions of objects parsed, no cycles among them, and the process ends soon
    held_fd, path, upto_seq = int(argv[0]), Path(argv[1]), int(argv[2])
    try:
        found = changes(held_fd, path, upto_seq)
    except (JournalError, OSError, MemoryError, RecursionError) as exc:
        found = {"whole": str(exc)}
    sys.stdout.buffer.write(encode_entry(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
