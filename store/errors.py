"""Errors the store raises, each with a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


class JournalError(Exception):
    """Base class: something about the journal a user must be told."""


class JournalUnreadable(JournalError):
    """The journal file exists but cannot be used (bad JSON, newer schema, not a journal)."""


class JournalWriteError(JournalError):
    """A write failed; the journal file is left exactly as it was."""


class JournalBusy(JournalError):
    """Another process holds the journal's lock for too long."""


class IncidentNotFound(JournalError, LookupError):
    """No incident has the given id (or id prefix)."""


class AmbiguousId(JournalError, LookupError):
    """An id prefix matches more than one incident."""


class RevisionConflict(JournalError):
    """The incident was changed by someone else since it was read."""


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: its dotted name (``killed``, ``sources.1.url``) and the reason."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def field_problems(exc: ValidationError) -> list[FieldProblem]:
    """Turn a pydantic error into one plain problem per field, in the model's words."""
    problems = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"])
        if not field.isprintable():  # an unknown key straight from a file: show it escaped
            field = repr(field)
        message = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if message.startswith(prefix):
                message = message[len(prefix):]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "is required"
        problems.append(FieldProblem(field, message))
    return problems


class InvalidIncident(JournalError, ValueError):
    """Input that does not make a valid incident; ``problems`` names each bad field."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "InvalidIncident":
        return cls(field_problems(exc))
