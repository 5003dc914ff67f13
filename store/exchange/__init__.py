"""Moving incidents in and out of a journal: JSON, CSV, ACLED's CSV and GeoJSON.

Export writes the incidents given (the CLI and the app pass the filtered list) to a regular
file (or through a symlink to one), never over a device, a FIFO or a socket. Import reads a
file (``store.exchange.source``: never a device, never more than ``store.limits.MAX_INPUT_BYTES``)
row by row, checks each row through the model, and plans what would change (new incidents, kept
as JSON text; updates; incidents already here; possible duplicates) before anything is written;
``Journal.import_incidents`` then writes the plan in one atomic write. A CSV file is never held
whole; JSON and GeoJSON are parsed whole, their rows let go one by one.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, overload

from pydantic import ValidationError

from store import collector
from store.errors import InvalidIncident, field_problems
from store.exchange import acled, csv_format, geojson, json_format
from store.exchange.batch import INCIDENT_FIELDS, Candidate, ImportRejected, RowError, check
from store.exchange.flat import COUNT_PARTS
from store.exchange.json_format import export_json, incident_json, incidents_to_json, parse_incidents_json
from store.exchange.source import Source, open_source
from store.exchange.target import atomic_file, target_problem, writable
from store.journal import RecordText
from store.models import Incident
from store.place_fill import needs_place, place_finder
from store.storage import atomic_write_bytes

if TYPE_CHECKING:
    from store.journal import Journal, PossibleDuplicate

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "ImportPlan",
    "ImportRejected",
    "PlannedIncidents",
    "atomic_file",
    "RowError",
    "Source",
    "export_bytes",
    "export_file",
    "export_target_problem",
    "export_json",
    "guess_format",
    "incident_json",
    "incidents_from_records",
    "incidents_to_json",
    "open_source",
    "parse_incidents_json",
    "plan_import",
]

_WRITERS: dict[str, Callable[..., bytes]] = {
    "json": json_format.write,
    "csv": csv_format.write,
    "acled": acled.write,
    "geojson": geojson.write,
}
_READERS: dict[str, Callable[..., Iterator[Candidate]]] = {
    "json": lambda data, name, warnings: json_format.read(data, name),
    "csv": csv_format.read,
    "acled": acled.read,
    "geojson": geojson.read,
}
EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)
IMPORT_FORMATS: tuple[str, ...] = tuple(_READERS)
#: Formats that are CSV underneath (``excel`` adds a byte-order mark to them).
CSV_FORMATS = frozenset({"csv", "acled"})
SUFFIXES = {"json": ".json", "csv": ".csv", "acled": ".csv", "geojson": ".geojson"}


def export_bytes(incidents: Iterable[Incident], fmt: str, *, excel: bool = False) -> bytes:
    """``incidents`` in format ``fmt``; ``excel`` starts CSV with a byte-order mark."""
    return _WRITERS[fmt](incidents, excel=excel)


def export_file(incidents: Iterable[Incident], fmt: str, path: Path, *, excel: bool = False) -> None:
    """Write ``incidents`` to ``path`` atomically: the file is whole, or as it was.

    A symlink to a regular file writes that file and stays a symlink; a device, a FIFO, a socket,
    a dangling symlink or ``/dev/stdout`` is refused (``JournalWriteError``; see ``store.exchange.target``).
    """
    target = writable(Path(path))  # before the incidents are written out: nothing is done for a refused name
    atomic_write_bytes(target, export_bytes(incidents, fmt, excel=excel))


def export_target_problem(path: Path, journal_path: Path) -> str | None:
    """What is wrong with writing an export to ``path`` (None if nothing): the journal's own
    files, a folder, a folder that does not exist, a name the system refuses, or a file that
    is not a regular one (a device, a FIFO, a socket, a dangling symlink, ``/dev/stdout``)."""
    return target_problem(Path(path), journal_path)


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


class PlannedIncidents(Sequence[Incident]):
    """The new incidents of a plan, held as their records' JSON text (``RecordText``): a million
    models or records would take gigabytes. Reading one checks its text through the model again;
    ``texts`` is what ``Journal.import_incidents`` writes as it is."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, texts: Iterable[RecordText] = ()) -> None:
        self.texts: list[RecordText] = list(texts)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Incident: ...

    @overload
    def __getitem__(self, index: slice) -> list[Incident]: ...

    def __getitem__(self, index: int | slice) -> Incident | list[Incident]:
        if isinstance(index, slice):
            return [Incident.model_validate_json(text.json) for text in self.texts[index]]
        return Incident.model_validate_json(self.texts[index].json)

    def __iter__(self) -> Iterator[Incident]:
        return (Incident.model_validate_json(text.json) for text in self.texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlannedIncidents):
            return self.texts == other.texts
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"PlannedIncidents({len(self.texts)} incidents)"

    def __add__(self, other: Iterable[Incident]) -> list[Incident]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Incident]) -> list[Incident]:
        return [*other, *self]

    def ids(self) -> list[str]:
        return [text.id for text in self.texts]


#: A plan keeps this many of its problems and possible duplicates (the rest are counted, and
#: handed one by one to ``plan_import``'s ``report``).
KEPT = 1_000
#: A plan names at most this many possible duplicates of each row (the first by the index's
#: order), and counts the rest: 20,000 incidents on a row's date and place are not listed.
DUPLICATES_PER_ROW = 3


@dataclass
class ImportPlan:
    """What importing a file would do; nothing has been written."""

    name: str
    format: str
    total: int
    new: PlannedIncidents = field(default_factory=PlannedIncidents)
    updates: list[Incident] = field(default_factory=list)
    #: Ids already in the journal that the file holds unchanged.
    unchanged: list[str] = field(default_factory=list)
    #: Ids already in the journal, left as they are (import with ``update`` to change them).
    skipped: list[str] = field(default_factory=list)
    #: The first ``KEPT`` problems; ``error_count`` counts them all, ``bad_rows`` the rows they are in.
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The first ``DUPLICATES_PER_ROW`` possible duplicates of each row, in the order of the
    #: rows, ``KEPT`` at most in all; ``duplicate_count`` counts them all (without listing them).
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    #: How many possible duplicates each incident named in ``duplicates`` has in all.
    duplicates_of: dict[str, int] = field(default_factory=dict)
    error_count: int = 0
    bad_rows: int = 0
    duplicate_count: int = 0
    #: The rows with at least one possible duplicate.
    duplicate_rows: int = 0
    #: The file's row of each incident planned that is not new (the new ones carry theirs).
    other_rows: dict[str, int] = field(default_factory=dict)
    #: With ``fill_places``: the rows whose place filled something (region, country, coordinates),
    filled_rows: int = 0
    #: the rows with a place that lack something and could not be placed (ambiguous or unknown),
    unplaced_rows: int = 0
    #: and what was said of them (why each was not placed; a region or country given that names
    #: another than the place's): the first ``KEPT``, ``place_note_count`` counting them all.
    place_notes: list[RowError] = field(default_factory=list)
    place_note_count: int = 0

    @property
    def row_of(self) -> dict[str, int]:
        """The file's row of each incident planned."""
        return {text.id: text.row for text in self.new.texts} | self.other_rows

    def rejected(self) -> ImportRejected:
        return ImportRejected(
            f"{self.name}: {self.bad_rows:,} of {self.total:,} rows are invalid; nothing was imported", self.errors
        )


def stream_rows(
    data: bytes | str | Source, fmt: str, *, name: str, warnings: list[str] | None = None
) -> Iterator[Candidate]:
    """The rows of a file in format ``fmt``, one at a time; raises ``ImportRejected`` if it cannot
    be read at all (at once for a file without the columns needed, else when the reading reaches
    the fault: nothing is written before every row is read)."""
    if fmt not in _READERS:
        raise ImportRejected(f"unknown format {fmt!r}; choose one of {', '.join(IMPORT_FORMATS)}")
    return _READERS[fmt](data, name, warnings)


def read_rows(data: bytes | str | Source, fmt: str, *, name: str, warnings: list[str] | None = None) -> list[Candidate]:
    """Every row of a file in format ``fmt`` (see ``stream_rows``)."""
    return list(stream_rows(data, fmt, name=name, warnings=warnings))


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


#: ACLED rows are matched with the journal's events this many at a time (one pass over the journal each).
ACLED_BATCH = 20_000


def _matched(candidates: Iterator[Candidate], fmt: str, journal: Journal) -> Iterator[Candidate]:
    """The rows, each made whole from the journal's incident it updates (see ``_fill_from_journal``)."""
    if fmt == "acled":
        for batch in iter(lambda: list(itertools.islice(candidates, ACLED_BATCH)), []):
            acled.match_journal(batch, journal)
            yield from batch
        return
    for candidate in candidates:
        _fill_from_journal(candidate, journal)
        yield candidate


#: ``report(kind, row, text)``: every problem (``error``), each row's possible duplicates
#: (``duplicate``: a ``FirstDuplicates``, the first few and how many) and what filling places said
#: of a row (``place``: a ``RowError``) of an import, as found, for a caller that keeps them all
#: (``--errors-to``).
Report = Callable[[str, int, object], None]
#: ``progress(rows, done, total)``: rows checked so far, and bytes read of ``total`` (None: unknown).
ReadProgress = Callable[[int, int, "int | None"], None]


def plan_import(
    journal: Journal,
    data: bytes | str | Source,
    fmt: str,
    *,
    name: str = "input",
    update: bool = False,
    progress: ReadProgress | None = None,
    report: Report | None = None,
    fill_places: bool = False,
) -> ImportPlan:
    """Read and check a file against ``journal``, row by row: what is new, changed, already here.

    ``data`` is the file's content, or a ``Source`` read as the rows are needed (a CSV file of any
    length is never held whole). Each new incident is kept as its record's JSON text.

    ``fill_places``: a row with a place that lacks its region, country or coordinates gets them
    from the gazetteer's place of that name (``store.place_fill``) before it is checked, so a place
    may make a row without a region valid; a row it cannot place is left as it is, and named.
    """
    with collector.paused():  # millions of short-lived objects without cycles: nothing to collect
        return _plan_import(journal, data, fmt, name=name, update=update, progress=progress, report=report,
                            fill_places=fill_places)


def _plan_import(
    journal: Journal,
    data: bytes | str | Source,
    fmt: str,
    *,
    name: str,
    update: bool,
    progress: ReadProgress | None,
    report: Report | None,
    fill_places: bool = False,
) -> ImportPlan:
    plan = ImportPlan(name, fmt, 0)
    source = data if isinstance(data, Source) else None
    size = source.size if source is not None else len(data)  # type: ignore[arg-type]

    def problem(error: RowError) -> None:
        plan.error_count += 1
        if len(plan.errors) < KEPT:
            plan.errors.append(error)
        if report is not None:
            report("error", error.row, error)

    candidates = _matched(stream_rows(data, fmt, name=name, warnings=plan.warnings), fmt, journal)
    if fill_places:
        candidates = _placed(candidates, plan, report, fmt)
    column_of = acled.COLUMN_OF_FIELD if fmt == "acled" else None
    for candidate, incident, problems in check(candidates, column_of=column_of):
        plan.total += 1
        if progress is not None and plan.total % 1_000 == 0:
            progress(plan.total, source.consumed if source is not None else size or 0, size)
        if problems:
            plan.bad_rows += 1
            for error in problems:
                problem(error)
            continue
        assert incident is not None
        if incident.id not in journal:
            plan.new.texts.append(RecordText.of(incident, candidate.row))
            found = journal.first_duplicates(incident, DUPLICATES_PER_ROW)
            if found.count:
                plan.duplicate_count += found.count
                plan.duplicate_rows += 1
                if len(plan.duplicates) < KEPT:
                    plan.duplicates.extend(found.first[: KEPT - len(plan.duplicates)])
                    plan.duplicates_of[incident.id] = found.count
                if report is not None:
                    report("duplicate", candidate.row, found)
            continue
        plan.other_rows[incident.id] = candidate.row
        errors = _plan_existing(plan, journal, candidate, incident, update)
        if errors:
            del plan.other_rows[incident.id]
            plan.bad_rows += 1
            for error in errors:
                problem(error)
    if progress is not None:
        progress(plan.total, source.consumed if source is not None else size or 0, size)
    return plan


def _placed(candidates: Iterator[Candidate], plan: ImportPlan, report: Report | None, fmt: str) -> Iterator[Candidate]:
    """The rows, each with a place that lacks region, country or coordinates filled from the
    gazetteer where it names one place (``store.place_fill``); the others as they are, named."""
    finder = place_finder()
    place_column = "location" if fmt == "acled" else "place"

    def note(candidate: Candidate, field_name: str, message: str) -> None:
        error = RowError(candidate.row, candidate.shown_id, field_name, message)
        plan.place_note_count += 1
        if len(plan.place_notes) < KEPT:
            plan.place_notes.append(error)
        if report is not None:
            report("place", candidate.row, error)

    for candidate in candidates:
        if candidate.problems or not needs_place(candidate.data) or not isinstance(candidate.data.get("place"), str):
            yield candidate
            continue
        found = finder.look_up(candidate.data)
        if found.filling is None:
            plan.unplaced_rows += 1
            if found.ambiguous:
                named = "; ".join(found.candidate_lines()[:5])
                why = f"{found.reason}: {named}; not placed (the row's region, country or coordinates would pick one)"
            else:
                why = f"{found.reason}; not placed"
            note(candidate, place_column, why)
            yield candidate
            continue
        values = found.filling.values
        if values:
            plan.filled_rows += 1
            candidate.data = {**candidate.data, **values}
            candidate.given = candidate.given | frozenset(values)
        for conflict in found.filling.describe_conflicts():
            note(candidate, "", conflict)
        yield candidate


def _plan_existing(
    plan: ImportPlan, journal: Journal, candidate: Candidate, incident: Incident, update: bool
) -> list[RowError]:
    """Plan a valid row for an incident already here: unchanged, skipped or an update; or its problems."""
    try:
        existing = journal.get(incident.id)
    except InvalidIncident:
        return [RowError(candidate.row, candidate.shown_id, "id", "belongs to an invalid incident in the journal; "
                         "fix that one first ('incident-journal check' names it)")]
    fields = _changed_fields(plan.format, existing, candidate)
    try:
        merged = existing.with_changes(
            **{name: value for name, value in incident.fields_record().items() if name in fields}
        )
    except ValidationError as exc:  # valid alone, not with the fields the row leaves as they are
        return [
            RowError(
                candidate.row, candidate.shown_id, problem.field, f"{problem.message} (with the journal's other fields)"
            )
            for problem in field_problems(exc)
        ]
    if merged.fields_record() == existing.fields_record():
        plan.unchanged.append(incident.id)
    elif not update:
        plan.skipped.append(incident.id)
    elif _older(candidate, existing):
        return [RowError(
            candidate.row, candidate.shown_id, "revision",
            f"is {candidate.data['revision']}, but the journal's incident is at revision {existing.revision}: "
            "it was changed after this file was made, and updating it would undo that change; "
            "export it again, or empty the revision to overwrite it",
        )]
    else:
        plan.updates.append(merged)
    return []
