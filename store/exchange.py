"""Moving incidents in and out of a journal as JSON (the shape ``list --format json`` prints).

Import validates every row before anything is written; a bad row is named by its number,
its id and the field at fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from store.errors import JournalError, field_problems
from store.models import Incident, new_id, utc_now
from store.storage import atomic_write_bytes


@dataclass(frozen=True)
class RowError:
    """One problem in one imported row (rows count from 1)."""

    row: int
    id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        shown_id = self.id if self.id is None or self.id.isprintable() else repr(self.id)
        who = f"row {self.row}" + (f" (id {shown_id})" if self.id else "")
        return f"{who}: {self.field}: {self.message}" if self.field else f"{who}: {self.message}"


class ImportRejected(JournalError):
    """The file cannot be imported; ``errors`` names every bad row. Nothing was written."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        self.errors = errors or []
        super().__init__(message)


def incident_json(incident: Incident) -> dict[str, Any]:
    """One incident as JSON output shows it: every field, with ``casualty_status``."""
    return incident.model_dump(mode="json")


def incidents_to_json(incidents: Iterable[Incident]) -> bytes:
    return orjson.dumps(
        [incident_json(incident) for incident in incidents],
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
    )


def export_json(incidents: Iterable[Incident], path: Path) -> None:
    """Write incidents to ``path`` as a JSON array, atomically."""
    atomic_write_bytes(Path(path), incidents_to_json(incidents))


def parse_incidents_json(data: bytes | str, *, name: str = "input") -> list[Incident]:
    """Validate a JSON array of incidents; raise ``ImportRejected`` naming every bad row.

    Rows without ``id`` get a new one; missing ``revision`` and timestamps are filled in.
    """
    try:
        rows = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportRejected(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(rows, list):
        raise ImportRejected(f"{name} must hold a JSON array of incidents, not a {type(rows).__name__}")
    incidents: list[Incident] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    now = utc_now()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(RowError(number, None, "", "is not a JSON object"))
            continue
        row_id = row.get("id") if isinstance(row.get("id"), str) else None
        filled = {"revision": 1, "created_at": now, "updated_at": now, **row}
        if filled.get("id") is None:
            filled["id"] = new_id()
        try:
            incident = Incident.model_validate(filled)
        except ValidationError as exc:
            errors.extend(
                RowError(number, row_id, problem.field, problem.message) for problem in field_problems(exc)
            )
            continue
        if incident.id in first_row_of:
            errors.append(
                RowError(number, row_id, "id", f"is also used by row {first_row_of[incident.id]}")
            )
            continue
        first_row_of[incident.id] = number
        incidents.append(incident)
    if errors:
        bad_rows = len({error.row for error in errors})
        raise ImportRejected(
            f"{name}: {bad_rows} of {len(rows)} rows are invalid; nothing was imported", errors
        )
    return incidents
