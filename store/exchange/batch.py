"""What every import format shares: rows read from a file, checked before anything is written.

A format's reader turns its file into ``Candidate`` rows (model input, plus the problems met
while reading it); ``validate`` checks each one through the model and names every bad row by
its number, its id, the field at fault and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from store.errors import JournalError, field_problems
from store.models import Incident, IncidentFields, new_id, utc_now

#: ``progress(done, total)``: called as rows are checked, for a progress bar.
Progress = Callable[[int, int], None]
#: A message line quotes at most this many characters of a value, a name or an id.
SHOWN_MAX = 60
#: A message is cut to this many characters (a value quoted in full could be megabytes).
MESSAGE_MAX = 1_000
#: A message names at most this many names (columns, properties), then says how many more.
NAMES_SHOWN = 10
#: Said of a problem with a field the row leaves out (so the journal's value was checked).
JOURNAL_VALUE = " (as the journal holds it; the file leaves it out)"
#: The fields a person writes (what an import may change in an existing incident).
INCIDENT_FIELDS: frozenset[str] = frozenset(IncidentFields.model_fields)


@dataclass(frozen=True)
class RowError:
    """One problem in one imported row."""

    row: int
    id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        shown_id = None if self.id is None else clip(self.id if self.id.isprintable() else repr(self.id), SHOWN_MAX)
        who = f"row {self.row}" + (f" (id {shown_id})" if self.id else "")
        message = clip(self.message, MESSAGE_MAX)
        return f"{who}: {clip(self.field, SHOWN_MAX)}: {message}" if self.field else f"{who}: {message}"


def clip(text: str, limit: int) -> str:
    """``text``, or its start and end around how much was left out when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 20, 1)
    return f"{text[:keep]}… ({len(text) - 2 * keep:,} characters) …{text[-keep:]}"


def names(items: Sequence[str], *, limit: int = NAMES_SHOWN) -> str:
    """``'a', 'b', 'c'``: at most ``limit`` names, each quoted and cut short, then ``and N more``."""
    shown = ", ".join(repr(item if len(item) <= SHOWN_MAX else item[:SHOWN_MAX] + "…") for item in items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit:,} more"


class ImportRejected(JournalError):
    """The file cannot be imported; ``errors`` names every bad row. Nothing was written."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        self.errors = errors or []
        super().__init__(message)


@dataclass
class Candidate:
    """One row of an imported file, as model input."""

    row: int
    data: dict[str, Any]
    #: The incident fields the row holds: updating an existing incident changes only these.
    given: frozenset[str] = INCIDENT_FIELDS
    problems: list[RowError] = field(default_factory=list)
    #: The row as the file holds it (formats that compare rows with incidents keep it).
    source: Any = None
    #: Fields whose problems are already named (by the file's own column name).
    covered: set[str] = field(default_factory=set)
    #: The id as the file writes it, when ours is derived from it (ACLED's ``event_id_cnty``).
    file_id: str | None = None
    #: Fields the row leaves out, filled in from the incident the journal holds (an update).
    from_journal: frozenset[str] = frozenset()
    #: Of each count the row gives in columns, the parts it has columns for (``min``, ``max``, ``note``).
    count_parts: dict[str, set[str]] = field(default_factory=dict)

    @property
    def shown_id(self) -> str | None:
        if self.file_id:
            return self.file_id
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    def problem(self, field_name: str, message: str, *, covers: tuple[str, ...] = ()) -> None:
        """Name a problem of the row; ``covers``: the incident fields it is about, if named otherwise."""
        self.problems.append(RowError(self.row, self.shown_id, field_name, message))
        self.covered.update(covers)


@dataclass
class Checked:
    """The rows of a file after validation: the valid incidents and every problem."""

    valid: list[tuple[Candidate, Incident]]
    errors: list[RowError]
    total: int

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


def validate(
    candidates: Iterable[Candidate],
    total: int,
    progress: Progress | None = None,
    *,
    column_of: Mapping[str, str] | None = None,
) -> Checked:
    """Check every row through the model; rows without an id get a new one (see ``check``).

    Collects every valid incident and every problem: for files read whole (``check`` streams).
    """
    valid: list[tuple[Candidate, Incident]] = []
    errors: list[RowError] = []
    for done, (candidate, incident, problems) in enumerate(check(candidates, column_of=column_of), start=1):
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)
        errors.extend(problems)
        if incident is not None:
            valid.append((candidate, incident))
    return Checked(valid, errors, total)


def check(
    candidates: Iterable[Candidate], *, column_of: Mapping[str, str] | None = None
) -> Iterator[tuple[Candidate, Incident | None, list[RowError]]]:
    """Each row checked through the model, one at a time: the row, its incident (None if it is
    invalid) and its problems. Rows without an id get a new one.

    ``column_of`` names a field's problems by the file's column (ACLED's ``admin1``, not ``region``).

    Missing ``revision`` and timestamps are filled in. Two rows with one id are both named.
    Only the ids seen are kept from row to row.
    """
    first_row_of: dict[str, int] = {}
    now = utc_now()
    for candidate in candidates:
        if candidate.problems and not candidate.data:  # nothing could be read from the row
            yield candidate, None, candidate.problems
            continue
        filled = {"revision": 1, "created_at": now, "updated_at": now, **candidate.data}
        if filled.get("id") is None:
            filled["id"] = new_id()
        try:
            incident = Incident.model_validate(filled)
        except ValidationError as exc:
            # Every problem of the row at once; not twice for a cell the reader refused already.
            refused = {_head(error.field) for error in candidate.problems} | candidate.covered
            if refused & {"latitude", "longitude"}:
                refused |= {"latitude", "longitude"}
            problems = list(candidate.problems)
            problems.extend(
                RowError(
                    candidate.row,
                    candidate.shown_id,
                    _column(problem.field, column_of),
                    problem.message
                    + (JOURNAL_VALUE if _head(problem.field) in candidate.from_journal else ""),
                )
                for problem in field_problems(exc)
                if _head(problem.field) not in refused
            )
            yield candidate, None, problems
            continue
        if candidate.problems:
            yield candidate, None, candidate.problems
            continue
        if incident.id in first_row_of:
            yield candidate, None, [
                RowError(candidate.row, candidate.shown_id, "id", f"is also used by row {first_row_of[incident.id]}")
            ]
            continue
        first_row_of[incident.id] = candidate.row
        yield candidate, incident, []


def _head(field_name: str) -> str:
    """The incident field a problem is about (``killed_min`` and ``killed.min`` are ``killed``)."""
    head = field_name.split(".")[0]
    for count in ("killed", "injured"):
        if head.startswith(count + "_"):
            return count
    return head


def _column(field_name: str, column_of: Mapping[str, str] | None) -> str:
    if not column_of:
        return field_name
    head, dot, rest = field_name.partition(".")
    return column_of.get(head, head) + dot + rest


def rejected(name: str, checked: Checked) -> ImportRejected:
    return ImportRejected(
        f"{name}: {checked.bad_rows} of {checked.total} rows are invalid; nothing was imported", checked.errors
    )
