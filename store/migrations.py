"""Schema versions and the chain of small functions that bring an older journal forward.

Each migration takes the raw tables (``{"incidents": {...}, "meta": {...}, ...}``) of version
N and changes them in place into version N+1. They run in memory when a journal is opened; the
result is written with the journal's next save, so opening never writes.

History:
1. ``incidents`` and ``meta`` (``schema_version``).
2. adds ``history``: the previous versions of changed and deleted incidents.
3. who was harmed (``killed_civilians`` … ``injured_combatants``), weapons in numbers
   (``weapon_count`` becomes ``weapons_launched``, exact; ``weapons_intercepted``,
   ``weapons_hit``), each source's claims (``killed``, ``injured``, ``blames``) and the
   attribution's claimant (``attribution_by``). Only ``weapon_count`` changes in stored records
   (in the incidents, in the history's old versions and in the log's changes); the new fields
   are left out while empty.
4. who made each change (issue 15): ``created_by`` and ``updated_by`` in incidents and groups,
   ``by`` in history entries, each left out while unknown. Nothing stored changes: a schema-3
   journal is a valid schema-4 one. The version goes up so that an older incident-journal, whose
   models refuse fields they do not know, refuses the file whole (and never writes it) rather
   than marking every new record invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 4
META_TABLE = "meta"
INCIDENTS_TABLE = "incidents"
HISTORY_TABLE = "history"

Tables = dict[str, dict[str, Any]]


def _v1_to_v2(tables: Tables) -> None:
    tables.setdefault(HISTORY_TABLE, {})


def incident_v2_to_v3(record: Any) -> Any:
    """One stored incident record of schema 2 as schema 3 (in place; returned). A
    ``weapon_count`` of n becomes ``weapons_launched`` exactly n; anything else it held (a hand
    edit) is kept there as it was, for the person to fix."""
    if isinstance(record, dict) and "weapon_count" in record:
        count = record.pop("weapon_count")
        if count is not None and "weapons_launched" not in record:
            exact = isinstance(count, int) and not isinstance(count, bool)
            record["weapons_launched"] = {"min": count, "max": count, "note": None} if exact else count
    return record


def history_v2_to_v3(document: Any) -> Any:
    if isinstance(document, dict):
        incident_v2_to_v3(document.get("record"))
    return document


#: Per table, how one of its documents is brought from version N to N+1 (for documents met
#: outside the file too: a log's changes written by an older incident-journal).
DOCUMENT_MIGRATIONS: dict[int, dict[str, Callable[[Any], Any]]] = {
    2: {INCIDENTS_TABLE: incident_v2_to_v3, HISTORY_TABLE: history_v2_to_v3},
}


def _v2_to_v3(tables: Tables) -> None:
    for table_name, step in DOCUMENT_MIGRATIONS[2].items():
        for document in (tables.get(table_name) or {}).values():
            step(document)


def migrate_document(table_name: str, document: Any, version: int) -> Any:
    """A document of ``table_name`` written by schema ``version``, brought to ``SCHEMA_VERSION``."""
    for step in range(version, SCHEMA_VERSION):
        migration = DOCUMENT_MIGRATIONS.get(step, {}).get(table_name)
        if migration is not None:
            document = migration(document)
    return document


def _v3_to_v4(tables: Tables) -> None:
    """Nothing to change: the new fields are left out while unknown (see the history above)."""


#: version N -> the function that turns N into N+1
MIGRATIONS: dict[int, Callable[[Tables], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
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
    meta = tables.get(META_TABLE) or {}
    first = meta[min(meta, key=int)] if meta else {}
    kept = {key: value for key, value in first.items() if key != "schema_version"} if isinstance(first, dict) else {}
    tables[META_TABLE] = {"1": {"schema_version": SCHEMA_VERSION, **kept}}  # (and where the log was folded)
    return version


#: The schema of a log entry that does not say (written before schema 3).
LOG_SCHEMA_BEFORE_3 = 2


def entry_ops(entry: dict[str, Any]) -> list[list[Any]]:
    """A log entry's documents, brought to ``SCHEMA_VERSION`` if an older incident-journal wrote it."""
    version = entry.get("schema", LOG_SCHEMA_BEFORE_3)
    ops: list[list[Any]] = entry["ops"]
    if not isinstance(version, int) or version >= SCHEMA_VERSION:
        return ops
    return [
        [table, doc_id, None if document is None else migrate_document(table, document, version)]
        for table, doc_id, document in ops
    ]
