"""``Records``: a journal's incident records, as stored, and what checking them through the model found.

The records are the storage's own dicts (never copied): a journal of 100,000 incidents is listed,
sorted and searched without validating one. Each record is validated when first needed (and the
model kept), or checked between keys by ``check_steps`` (only the verdict kept). ``Journal._apply``
is the one caller of ``place`` and ``unplace`` after opening.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from store import collector
from store.errors import FieldProblem, field_problems
from store.models import Incident

_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class BadRecord:
    """A stored record that is not a valid incident (for example, edited by hand)."""

    position: int
    id: str | None
    problems: tuple[FieldProblem, ...]
    record: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Its id is held by another record: only a hand edit of the file can tell them apart.
    duplicate: bool = False

    def __str__(self) -> str:
        who = f"incident {self.id}" if self.id else "an incident with no id"
        reasons = "; ".join(str(problem) for problem in self.problems)
        return f"{who} (record {self.position}): {reasons}"


def normal_id(value: Any) -> str | None:
    """The canonical form of a stored id (ids typed by hand may be in capitals)."""
    if not isinstance(value, str):
        return None
    if _CANONICAL_ID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _sort_key(incident: Incident) -> tuple:
    return (incident.date, incident.created_at, incident.id)


class Records:
    """The incident records by id, their document ids, the documents no id can be told for,
    and for each record checked: its model (if asked for), or its problems."""

    def __init__(self) -> None:
        #: Incident id -> the stored record (the storage's dict itself).
        self.by_id: dict[str, dict[str, Any]] = {}
        #: Incident id -> its document id in the ``incidents`` table.
        self.doc_ids: dict[str, int] = {}
        #: Documents with no id, or an id another document holds: (document id, document).
        self.unidentified: list[tuple[int, dict[str, Any]]] = []
        self._valid: dict[str, Incident] = {}
        self._problems: dict[str, tuple[FieldProblem, ...]] = {}
        #: Records ``check_steps`` found valid (without keeping a model), as they were then.
        self._checked: dict[str, dict[str, Any]] = {}
        self._sorted: list[Incident] | None = None

    def __len__(self) -> int:
        return len(self.by_id) + len(self.unidentified)

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self.by_id

    # -- changing: only through Journal._apply (and opening) ---------------------------------

    def place(self, doc_id: int, record: dict[str, Any]) -> str | None:
        """Hold a document put in the table; its incident id, or None if it has none of its own."""
        incident_id = normal_id(record.get("id"))
        if incident_id is None or incident_id in self.doc_ids:
            self.unidentified.append((doc_id, record))
            return None
        self.doc_ids[incident_id], self.by_id[incident_id] = doc_id, record
        self._sorted = None
        return incident_id

    def unplace(self, doc_id: int, record: dict[str, Any]) -> str | None:
        """Let go of a document removed from (or replaced in) the table; its incident id, if it had one."""
        incident_id = normal_id(record.get("id"))
        if incident_id is None or self.doc_ids.get(incident_id) != doc_id:
            self.unidentified = [(key, doc) for key, doc in self.unidentified if key != doc_id]
            return None
        del self.doc_ids[incident_id], self.by_id[incident_id]
        self._valid.pop(incident_id, None)
        self._problems.pop(incident_id, None)
        self._checked.pop(incident_id, None)
        self._sorted = None
        return incident_id

    def keep_valid(self, incidents: Iterable[Incident]) -> None:
        """Keep the models of records just saved from them (no need to validate them again)."""
        for incident in incidents:
            if self.by_id.get(incident.id) is not None:
                self._valid[incident.id] = incident

    # -- checking ---------------------------------------------------------------------------

    def validated(self, incident_id: str) -> Incident | None:
        """The model of a stored record, or None if it is not a valid incident (``problems``)."""
        incident = self._valid.get(incident_id)
        if incident is None and incident_id not in self._problems:
            try:
                incident = Incident.model_validate(self.by_id[incident_id])
            except ValidationError as exc:
                self._problems[incident_id] = tuple(field_problems(exc))
                return None
            self._valid[incident_id] = incident
        return incident

    def problems(self, incident_id: str) -> tuple[FieldProblem, ...]:
        """What is wrong with a record ``validated`` found invalid."""
        return self._problems[incident_id]

    def all_valid(self) -> list[Incident]:
        """Every valid incident, newest first (by date, then by when it was recorded)."""
        if self._sorted is None:
            with collector.paused(len(self.by_id) > 10_000):  # models of every record: no cycles
                incidents = [self.validated(incident_id) for incident_id in self.by_id]
            self._sorted = sorted(
                (incident for incident in incidents if incident is not None), key=_sort_key, reverse=True
            )
        return list(self._sorted)

    def check_steps(self) -> Iterator[None]:
        """Validate every record not checked yet, one per step (work done in slices between
        keys); only the verdict is kept (100,000 models would cost memory). A record changed
        meanwhile is skipped: its new version is checked when used."""
        for incident_id, raw in list(self.by_id.items()):
            if incident_id not in self._valid and incident_id not in self._problems:
                if self._checked.get(incident_id) is raw:
                    continue  # found valid by an earlier pass, and not changed since
                try:
                    Incident.model_validate(raw)
                except ValidationError as exc:
                    if self.by_id.get(incident_id) is raw:
                        self._problems[incident_id] = tuple(field_problems(exc))
                else:
                    self._checked[incident_id] = raw
            yield

    def bad(self, *, validate: bool = True) -> list[BadRecord]:
        """Every record that is not a valid incident, in file order; with ``validate=False``,
        only those found so far (nothing new is validated)."""
        if not validate and not self._problems and not self.unidentified:
            return []
        bad = []
        doc_ids = [*self.doc_ids.values(), *(doc_id for doc_id, _ in self.unidentified)]
        positions = {doc_id: n for n, doc_id in enumerate(sorted(doc_ids), start=1)}
        for incident_id, doc_id in self.doc_ids.items():
            if not validate and incident_id not in self._problems:
                continue
            if self.validated(incident_id) is None:
                bad.append(
                    BadRecord(positions[doc_id], incident_id, self._problems[incident_id], self.by_id[incident_id])
                )
        for doc_id, document in self.unidentified:
            raw_id = document.get("id")
            problem = (
                FieldProblem("id", f"{raw_id!r} is used by another incident")
                if isinstance(raw_id, str)
                else FieldProblem("id", "is missing or not text")
            )
            bad.append(
                BadRecord(
                    positions[doc_id], raw_id if isinstance(raw_id, str) else None, (problem,), document,
                    duplicate=isinstance(raw_id, str),
                )
            )
        return sorted(bad, key=lambda record: record.position)
