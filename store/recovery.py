"""What to tell a person whose journal cannot be opened: is its ``.bak`` whole?"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

from store.errors import JournalUnreadable
from store.migrations import INCIDENTS_TABLE, SCHEMA_VERSION, stored_version
from store.storage import backup_path, decode, read_file


def backup_report(path: Path) -> str:
    """One line about ``<path>.bak``: missing, damaged, or whole with how to restore it."""
    backup = backup_path(path)
    if not backup.exists():
        return f"there is no backup ({backup.name}) to go back to"
    try:
        raw, _ = read_file(backup)
        tables = decode(raw, backup) or {}
    except (JournalUnreadable, OSError, MemoryError, RecursionError) as exc:
        return f"the backup is not usable either: {exc}"
    version = stored_version(tables) if tables else SCHEMA_VERSION
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        return f"the backup {backup} has schema version {version!r}, which this version cannot read"
    count = len(tables.get(INCIDENTS_TABLE, {}))
    saved = dt.datetime.fromtimestamp(backup.stat().st_mtime, dt.UTC)
    broken = path.with_name(path.name + ".broken")
    return (
        f"the backup {backup} (saved {saved:%Y-%m-%d %H:%M} UTC, {count} incidents) is whole; "
        f"to go back to it: mv {shlex.quote(str(path))} {shlex.quote(str(broken))} && "
        f"cp {shlex.quote(str(backup))} {shlex.quote(str(path))}"
    )
