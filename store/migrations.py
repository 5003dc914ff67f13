"""Schema versions and the chain of small functions that bring an older journal forward.

Each migration takes the raw tables (``{"incidents": {...}, "meta": {...}, ...}``) of version
N and changes them in place into version N+1. They run in memory when a journal is opened; the
result is written with the journal's next save, so opening never writes.

History:
1. ``incidents`` and ``meta`` (``schema_version``).
2. adds ``history``: the previous versions of changed and deleted incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 2
META_TABLE = "meta"
HISTORY_TABLE = "history"

Tables = dict[str, dict[str, Any]]


def _v1_to_v2(tables: Tables) -> None:
    tables.setdefault(HISTORY_TABLE, {})


#: version N -> the function that turns N into N+1
MIGRATIONS: dict[int, Callable[[Tables], None]] = {
    1: _v1_to_v2,
}


def stored_version(tables: Tables) -> Any:
    """The schema version the tables say they have, as stored (check it before use).

    A journal without ``meta`` predates nothing but its own first save: version 1.
    """
    meta = tables.get(META_TABLE) or {}
    if not meta:
        return 1
    first = meta[min(meta, key=int)]
    return first.get("schema_version")


def migrate(tables: Tables, version: int) -> int:
    """Bring ``tables`` from ``version`` to ``SCHEMA_VERSION`` in place; returns the old version."""
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](tables)
    tables[META_TABLE] = {"1": {"schema_version": SCHEMA_VERSION}}
    return version
