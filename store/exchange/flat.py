"""One incident as one flat row: the columns of the CSV format and the GeoJSON properties.

Counts become three columns each (``killed_min``, ``killed_max``, ``killed_note``; blank is
unknown/none), so a spreadsheet can add them up. Tags are joined with ``", "``. Sources are one
per line, their parts joined with ``" | "``::

    OUTLET | URL | KIND | PUBLISHED | QUOTE

with ``\\`` written ``\\\\``, ``|`` written ``\\|`` and a line break written ``\\n`` inside a part;
empty trailing parts are left out. ``casualty_status`` is derived, written for reading only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from store.counts import Count
from store.exchange.batch import INCIDENT_FIELDS, Candidate
from store.fields import FIELDS
from store.models import Incident

COUNTS = tuple(spec.name for spec in FIELDS if spec.kind == "count")
#: The parts of a count, each a column (``killed_min``, ``killed_max``, ``killed_note``).
COUNT_PARTS = ("min", "max", "note")


def _columns() -> tuple[str, ...]:
    """One column per field of ``store.fields.FIELDS``, in its order (a count is three, and the
    derived casualty status follows the counts), between the store's own columns."""
    columns = ["id"]
    for spec in FIELDS:
        if spec.kind == "count":
            columns.extend(f"{spec.name}_{part}" for part in COUNT_PARTS)
            if spec.name == COUNTS[-1]:
                columns.append("casualty_status")
        else:
            columns.append(spec.name)
    return (*columns, "acled_id", "group", "revision", "created_at", "updated_at")


COLUMNS: tuple[str, ...] = _columns()
INTEGER_COLUMNS = frozenset(
    {spec.name for spec in FIELDS if spec.kind == "integer"}
    | {f"{count}_{part}" for count in COUNTS for part in ("min", "max")}
    | {"revision"}
)
FLOAT_COLUMNS = frozenset(spec.name for spec in FIELDS if spec.kind == "number")
NUMBER_COLUMNS = INTEGER_COLUMNS | FLOAT_COLUMNS
#: Written for people to read; ignored when read back.
DERIVED_COLUMNS = frozenset({"casualty_status"})
#: Also read (not written): a count in the app's notation, e.g. ``1+ (at least one)``.
NOTATION_COLUMNS = frozenset(COUNTS)
#: A source's parts in its line of the sources cell; its claims last (left out when it made none).
SOURCE_PARTS = ("outlet", "url", "kind", "published", "quote", "killed", "injured", "blames")
SOURCE_COUNTS = ("killed", "injured")


# -- sources in one cell ---------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def _split_escaped(line: str) -> list[str]:
    """Split one source line at unescaped ``|`` and undo the escapes."""
    if "\\" not in line:  # nothing escaped: most lines
        return line.split("|")
    parts, current, chars = [], [], iter(line)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append({"n": "\n", "\\": "\\", "|": "|"}.get(following, "\\" + following))
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _source_part(source: Mapping[str, Any], name: str) -> str:
    value = source.get(name)
    if value is None:
        return ""
    if name in SOURCE_COUNTS and isinstance(value, Mapping):
        return str(Count.model_validate(value))  # in the notation: 3, 1+, 2-5 (note)
    return str(value)


def sources_cell(sources: Iterable[Mapping[str, Any]]) -> str:
    lines = []
    for source in sources:
        parts = [_escape(_source_part(source, name)) for name in SOURCE_PARTS]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def sources_from_cell(text: str) -> list[dict[str, Any]]:
    sources = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        parts = [part.strip() for part in _split_escaped(line)]
        if len(parts) > len(SOURCE_PARTS):
            raise ValueError(
                f"{line.strip()[:60]!r} has {len(parts)} parts; a source is "
                "OUTLET | URL | KIND | PUBLISHED | QUOTE | KILLED | INJURED | BLAMES (write | inside a part as \\|)"
            )
        # empty trailing parts are left out of the line: zip stops at the last part given
        source = {name: part for name, part in zip(SOURCE_PARTS, parts, strict=False) if part}
        sources.append(source)
    return sources


# -- incident <-> row --------------------------------------------------------------------------


def flat_record(incident: Incident) -> dict[str, Any]:
    """The incident as one flat row of native values (None where a field is empty)."""
    record = incident.model_dump(mode="json", exclude={"casualty_status"})  # every field, empty ones too
    row: dict[str, Any] = {}
    for column in COLUMNS:
        head, _, part = column.rpartition("_")
        if head in COUNTS and part in COUNT_PARTS:
            row[column] = record[head][part]
        elif column == "casualty_status":
            row[column] = incident.casualty_status
        elif column == "sources":
            row[column] = sources_cell(record["sources"]) or None
        elif column == "tags":
            row[column] = ", ".join(record["tags"]) or None
        elif column == "summary":
            row[column] = record["summary"] or None
        else:
            row[column] = record[column]
    return row


@functools.lru_cache(maxsize=256)
def _kind(column: str) -> tuple[str, str, str]:
    """How a column is read: ("count", field, part), ("notation", field, ""), ("sources", ...),
    ("skip", ...) for the id and derived columns, or ("plain", column, "")."""
    if column == "id" or column in DERIVED_COLUMNS:
        return "skip", column, ""
    head, _, part = column.rpartition("_")
    if head in COUNTS and part in COUNT_PARTS:
        return "count", head, part
    if column in NOTATION_COLUMNS:
        return "notation", column, ""
    if column == "sources":
        return "sources", column, ""
    return "plain", column, ""


def candidate_from_flat(number: int, row: Mapping[str, Any]) -> Candidate:
    """Model input from a flat row (as ``flat_record`` writes it); blank cells are empty fields.

    Only the columns present count as given: an update through ``--update`` changes those.
    """
    candidate = Candidate(number, {})
    data = candidate.data
    identifier = row.get("id")
    if isinstance(identifier, str) and identifier.strip():
        data["id"] = identifier.strip()
    elif identifier not in (None, ""):
        data["id"] = identifier
    given: set[str] = set()
    for column, value in row.items():
        kind, name, part = _kind(column)
        if kind == "skip":
            continue
        given.add(name)
        if kind == "count":
            candidate.count_parts.setdefault(name, set()).add(part)
        if value is None or value == "":
            continue
        if kind == "plain":
            data[name] = value
        elif kind == "count":
            data.setdefault(name, {})[part] = value
        elif kind == "notation":
            if not any(f"{name}_{p}" in row for p in COUNT_PARTS):
                data[name] = value
        elif isinstance(value, str):  # sources, one a line
            try:
                data["sources"] = sources_from_cell(value)
            except ValueError as exc:
                candidate.problem("sources", str(exc))
        else:
            data["sources"] = value
    candidate.given = frozenset(given & INCIDENT_FIELDS)
    return candidate
