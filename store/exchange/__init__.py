"""Moving incidents in and out of a journal: JSON, CSV, ACLED's CSV and GeoJSON.

Export writes the incidents given (the CLI and the app pass the filtered list). Import reads
a whole file, checks every row through the model, then plans what would change (new
incidents, updates, incidents already here, possible duplicates) before anything is written;
``Journal.import_incidents`` then writes the plan in one atomic write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from store import collector
from store.errors import InvalidIncident, field_problems
from store.exchange import acled, csv_format, geojson, json_format
from store.exchange.batch import (
    INCIDENT_FIELDS,
    Candidate,
    Checked,
    ImportRejected,
    Progress,
    RowError,
    validate,
)
from store.exchange.flat import COUNT_PARTS
from store.exchange.json_format import export_json, incident_json, incidents_to_json, parse_incidents_json
from store.locking import lock_path
from store.models import Incident
from store.storage import atomic_write_bytes, backup_path

if TYPE_CHECKING:
    from store.journal import Journal, PossibleDuplicate

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "ImportPlan",
    "ImportRejected",
    "RowError",
    "export_bytes",
    "export_file",
    "export_target_problem",
    "export_json",
    "guess_format",
    "incident_json",
    "incidents_from_records",
    "incidents_to_json",
    "parse_incidents_json",
    "plan_import",
]

_WRITERS: dict[str, Callable[..., bytes]] = {
    "json": json_format.write,
    "csv": csv_format.write,
    "acled": acled.write,
    "geojson": geojson.write,
}
_READERS: dict[str, Callable[..., list[Candidate]]] = {
    "json": lambda data, name, warnings: json_format.read(data, name),
    "csv": csv_format.read,
    "acled": acled.read,
    "geojson": geojson.read,
}
EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)
IMPORT_FORMATS: tuple[str, ...] = tuple(_READERS)
#: Formats that are CSV underneath (``excel`` adds a byte-order mark to them).
CSV_FORMATS = frozenset({"csv", "acled"})
#: From this size on (bytes), reading a file pauses the garbage collector (see ``store.collector``).
LARGE_INPUT = 1_000_000
SUFFIXES = {"json": ".json", "csv": ".csv", "acled": ".csv", "geojson": ".geojson"}


def export_bytes(incidents: Iterable[Incident], fmt: str, *, excel: bool = False) -> bytes:
    """``incidents`` in format ``fmt``; ``excel`` starts CSV with a byte-order mark."""
    return _WRITERS[fmt](incidents, excel=excel)


def export_file(incidents: Iterable[Incident], fmt: str, path: Path, *, excel: bool = False) -> None:
    """Write ``incidents`` to ``path`` atomically: the file is whole, or as it was."""
    atomic_write_bytes(Path(path), export_bytes(incidents, fmt, excel=excel))


def export_target_problem(path: Path, journal_path: Path) -> str | None:
    """What is wrong with writing an export to ``path`` (None if nothing): the journal's own
    files, a folder, a folder that does not exist, or a name the system refuses."""
    try:
        own = {p.resolve() for p in (journal_path, backup_path(journal_path), lock_path(journal_path))}
        if Path(path).resolve() in own:
            return f"{path} is the journal itself (or its .bak or .lock); choose another file"
        if path.is_dir():
            return f"{path} is a folder; add a file name"
        if not path.parent.exists():
            return f"cannot write {path}: the folder {path.parent} does not exist"
        if not path.parent.is_dir():
            return f"cannot write {path}: {path.parent} is a file, not a folder"
    except (OSError, RuntimeError, ValueError) as exc:  # a name too long, ~nosuchuser, a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot write {str(path)[:80]!r}: {reason}"
    return None


def incidents_from_records(records: Iterable[dict]) -> tuple[list[Incident], int]:
    """The valid incidents among stored ``records``, and how many were not valid."""
    incidents, invalid = [], 0
    for record in records:
        try:
            incidents.append(Incident.model_validate(record))
        except ValidationError:
            invalid += 1
    return incidents, invalid


def guess_format(path: Path, head: bytes = b"") -> str | None:
    """The format a file name and its first bytes suggest; None if they do not tell.

    Without a known suffix (standard input, say) the first bytes alone decide: ``[`` is JSON,
    ``{`` GeoJSON, a first line naming ``title`` or ACLED's columns CSV or ACLED.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".geojson":
        return "geojson"
    first_line = head.split(b"\n", 1)[0]
    acled_header = b"event_id_cnty" in first_line or b"sub_event_type" in first_line
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    collection = start.startswith(b"{") and b'"FeatureCollection"' in head[:4096]
    if suffix == ".json":
        return "geojson" if collection else "json"
    if suffix in (".csv", ".tsv", ".txt"):
        return "acled" if acled_header else "csv"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "geojson" if collection else "json"
    if acled_header:
        return "acled"
    if b"title" in first_line:
        return "csv"
    return None


@dataclass
class ImportPlan:
    """What importing a file would do; nothing has been written."""

    name: str
    format: str
    total: int
    new: list[Incident] = field(default_factory=list)
    updates: list[Incident] = field(default_factory=list)
    #: Ids already in the journal that the file holds unchanged.
    unchanged: list[str] = field(default_factory=list)
    #: Ids already in the journal, left as they are (import with ``update`` to change them).
    skipped: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    #: The file's row of each incident planned.
    row_of: dict[str, int] = field(default_factory=dict)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})

    def rejected(self) -> ImportRejected:
        return ImportRejected(
            f"{self.name}: {self.bad_rows} of {self.total} rows are invalid; nothing was imported", self.errors
        )


def read_rows(data: bytes | str, fmt: str, *, name: str, warnings: list[str] | None = None) -> list[Candidate]:
    """The rows of a file in format ``fmt``; raises ``ImportRejected`` if it cannot be read at all."""
    if fmt not in _READERS:
        raise ImportRejected(f"unknown format {fmt!r}; choose one of {', '.join(IMPORT_FORMATS)}")
    return _READERS[fmt](data, name, warnings)


def _canonical_id(value: object) -> str | None:
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _fill_from_journal(candidate: Candidate, journal: Journal) -> None:
    """A row for an incident already here may give only the fields it changes (``id,title``):
    the fields it leaves out are the journal's, so it is checked as the whole incident it makes."""
    incident_id = _canonical_id(candidate.data.get("id"))
    partial = {name: parts for name, parts in candidate.count_parts.items() if parts != set(COUNT_PARTS)}
    if incident_id is None or incident_id not in journal or (candidate.given >= INCIDENT_FIELDS and not partial):
        return
    try:
        existing = journal.get(incident_id)
    except InvalidIncident:
        return  # named as such once checked
    stored = existing.fields_record()
    kept = {name: value for name, value in stored.items() if name not in candidate.given}
    candidate.data = {**kept, **candidate.data}
    for name, parts in partial.items():  # killed_min alone changes the minimum, not the maximum or note
        given_parts = candidate.data.get(name) or {}
        candidate.data[name] = {part: value for part, value in stored[name].items() if part not in parts} | given_parts
    candidate.from_journal = frozenset(kept) | frozenset(partial)


def _older(candidate: Candidate, existing: Incident) -> bool:
    """Whether the row was made from an older revision than the journal holds (so it predates a change)."""
    revision = candidate.data.get("revision")
    return type(revision) is int and revision < existing.revision


def _changed_fields(fmt: str, existing: Incident, candidate: Candidate) -> frozenset[str]:
    if fmt == "acled":
        return acled.changed_fields(existing, candidate)
    return candidate.given & INCIDENT_FIELDS


def plan_import(
    journal: Journal,
    data: bytes | str,
    fmt: str,
    *,
    name: str = "input",
    update: bool = False,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check a whole file against ``journal``: what is new, changed, already here."""
    with collector.paused(len(data) > LARGE_INPUT):
        return _plan_import(journal, data, fmt, name=name, update=update, progress=progress)


def _plan_import(
    journal: Journal, data: bytes | str, fmt: str, *, name: str, update: bool, progress: Progress | None
) -> ImportPlan:
    plan = ImportPlan(name, fmt, 0)
    candidates = read_rows(data, fmt, name=name, warnings=plan.warnings)
    plan.total = len(candidates)
    if fmt == "acled":
        acled.match_journal(candidates, journal)
    else:
        for candidate in candidates:
            _fill_from_journal(candidate, journal)
    column_of = acled.COLUMN_OF_FIELD if fmt == "acled" else None
    checked: Checked = validate(candidates, len(candidates), progress, column_of=column_of)
    plan.errors.extend(checked.errors)
    for candidate, incident in checked.valid:
        plan.row_of[incident.id] = candidate.row
        if incident.id not in journal:
            plan.new.append(incident)
            continue
        try:
            existing = journal.get(incident.id)
        except InvalidIncident:
            plan.errors.append(
                RowError(candidate.row, candidate.shown_id, "id", "belongs to an invalid incident in the journal; "
                         "fix that one first ('incident-journal check' names it)")
            )
            continue
        fields = _changed_fields(fmt, existing, candidate)
        try:
            merged = existing.with_changes(
                **{name: value for name, value in incident.fields_record().items() if name in fields}
            )
        except ValidationError as exc:  # valid alone, not with the fields the row leaves as they are
            plan.errors.extend(
                RowError(candidate.row, candidate.shown_id, problem.field,
                         f"{problem.message} (with the journal's other fields)")
                for problem in field_problems(exc)
            )
            continue
        if merged.fields_record() == existing.fields_record():
            plan.unchanged.append(incident.id)
        elif not update:
            plan.skipped.append(incident.id)
        elif _older(candidate, existing):
            plan.errors.append(RowError(
                candidate.row, candidate.shown_id, "revision",
                f"is {candidate.data['revision']}, but the journal's incident is at revision {existing.revision}: "
                "it was changed after this file was made, and updating it would undo that change; "
                "export it again, or empty the revision to overwrite it",
            ))
        else:
            plan.updates.append(merged)
    plan.duplicates = journal.possible_duplicates(plan.new)
    return plan
