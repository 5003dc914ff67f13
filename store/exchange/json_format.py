"""JSON: an array of incidents, every field as stored, plus ``casualty_status``.

The shape ``list --format json`` prints; the lossless way between two journals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from store.exchange.batch import INCIDENT_FIELDS, Candidate, ImportRejected, rejected, validate
from store.exchange.source import Source
from store.models import Incident
from store.storage import atomic_write_bytes


def incident_json(incident: Incident) -> dict[str, Any]:
    """One incident as JSON output shows it: every field, with ``casualty_status``."""
    return incident.model_dump(mode="json")


def write(incidents: Iterable[Incident], *, excel: bool = False) -> bytes:
    return orjson.dumps(
        [incident_json(incident) for incident in incidents],
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
    )


incidents_to_json = write


def export_json(incidents: Iterable[Incident], path: Path) -> None:
    """Write incidents to ``path`` as a JSON array, atomically."""
    atomic_write_bytes(Path(path), write(incidents))


def load(data: bytes | str | Source, name: str) -> Any:
    """The JSON document in ``data``: UTF-8, with or without a byte-order mark (as Notepad saves it).

    A ``Source`` is read whole (JSON is parsed whole), within the size limit.
    """
    if isinstance(data, Source):
        data = data.read_all()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"{name} is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8"
            ) from None
    else:
        data = data.removeprefix("\ufeff")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportRejected(f"{name} is not valid JSON ({exc})") from None


def read(data: bytes | str | Source, name: str) -> Iterator[Candidate]:
    """The rows of a JSON array of incidents (rows count from 1), one at a time.

    The document is parsed whole; each row is let go once it has been handed on.
    """
    rows = load(data, name)
    if not isinstance(rows, list):
        raise ImportRejected(f"{name} must hold a JSON array of incidents, not a {type(rows).__name__}")
    return _candidates(rows)


def _candidates(rows: list[Any]) -> Iterator[Candidate]:
    for index in range(len(rows)):
        row, rows[index] = rows[index], None
        if not isinstance(row, dict):
            candidate = Candidate(index + 1, {})
            candidate.problem("", "is not a JSON object")
        else:
            candidate = Candidate(index + 1, row, given=INCIDENT_FIELDS & set(row))
        yield candidate


def parse_incidents_json(data: bytes | str, *, name: str = "input") -> list[Incident]:
    """Validate a JSON array of incidents; raise ``ImportRejected`` naming every bad row.

    Rows without ``id`` get a new one; missing ``revision`` and timestamps are filled in.
    """
    candidates = list(read(data, name))
    checked = validate(candidates, len(candidates))
    if checked.errors:
        raise rejected(name, checked)
    return [incident for _, incident in checked.valid]
