"""Errors the store raises, each with a message a person can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


class JournalError(Exception):
    """Base class: something about the journal a user must be told."""


class JournalUnreadable(JournalError):
    """The journal file exists but cannot be used (bad JSON, newer schema, not a journal).

    ``backup_may_help``: whether its ``.bak`` may be what to go back to (false when the path is
    not a file at all, or the message already says what to do).
    """

    def __init__(self, message: str, *, backup_may_help: bool = True) -> None:
        super().__init__(message)
        self.backup_may_help = backup_may_help


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


#: Lists whose length is limited, named by their field: "at most 50 tags".
_LIST_NOUNS = frozenset({"tags", "sources"})

#: What each model is, for input that is not one: "must be a source: ...".
_MODEL_SHAPES = {
    "Count": "a count: 3, 1+ (at least one), 2-5 (a range), ? (unknown) or 0, or an object with min, max, note",
    "Source": "a source: an object with outlet and, if known, url, kind, published, quote",
    "IncidentFields": "an incident: an object of fields (title, date, country, region, ...)",
    "Incident": "an incident: an object of fields (id, title, date, country, region, ...)",
}

_INT_TYPES = frozenset({"int_type", "int_parsing", "int_from_float", "int_parsing_size"})
_FLOAT_TYPES = frozenset({"float_type", "float_parsing"})
_BOOL_TYPES = frozenset({"bool_type", "bool_parsing"})
_STRING_TYPES = frozenset({"string_type", "string_sub_type", "string_unicode"})
_DATE_TYPES = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_DATETIME_TYPES = frozenset(
    {"datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"}
)
_MODEL_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})
#: Date fields that take a month or a year too (a source's ``published`` takes a day only).
_INCIDENT_DATES = frozenset({"date", "date_end"})
_OUR_PREFIXES = ("Value error, ", "Assertion failed, ")


def _number(value: Any) -> str:
    """A number as a person writes it: ``90`` not ``90.0``, ``100,000`` for large whole numbers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def describe_value(value: Any, *, text: str = "the text ") -> str:
    """What was given instead, in a few words: ``the text '3'``, ``3.5``, ``true``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _number(value)
    if isinstance(value, float):
        return str(value)  # 3.0 stays 3.0: it is why a whole number was refused
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"{text}{shown!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _noun(loc: tuple[int | str, ...], value: Any) -> str:
    """What a length counts: characters of a text, else the list's items (``tags``, ``sources``)."""
    if isinstance(value, str):
        return "characters"
    names = [part for part in loc if isinstance(part, str)]
    return names[-1] if names and names[-1] in _LIST_NOUNS else "items"


def _literal_choices(expected: str) -> str:
    """pydantic's ``'day', 'week' or 'year'`` as ``day, week, year``."""
    choices = re.findall(r"'([^']*)'", expected)
    return ", ".join(choices) if choices else expected


def problem_message(err: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in our words: what to do."""
    kind: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    loc: tuple[int | str, ...] = tuple(err.get("loc", ()))
    if kind in ("value_error", "assertion_error"):  # our own validators: their words stand
        message: str = err["msg"]
        for prefix in _OUR_PREFIXES:
            message = message.removeprefix(prefix)
        return message
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("string_too_long", "too_long", "string_too_short", "too_short"):
        bound = "at most" if kind.endswith("long") else "at least"
        limit = ctx.get("max_length" if kind.endswith("long") else "min_length")
        actual = ctx.get("actual_length")
        if actual is None and isinstance(value, (str, list, tuple, dict)):
            actual = len(value)
        has = "" if actual is None else f"; this has {_number(actual)}"
        return f"{bound} {_number(limit)} {_noun(loc, value)}{has}"
    if kind == "less_than_equal":
        return f"at most {_number(ctx.get('le'))}; this is {describe_value(value, text='')}"
    if kind == "less_than":
        return f"less than {_number(ctx.get('lt'))}; this is {describe_value(value, text='')}"
    if kind == "greater_than_equal":
        return f"at least {_number(ctx.get('ge'))}; this is {describe_value(value, text='')}"
    if kind == "greater_than":
        return f"more than {_number(ctx.get('gt'))}; this is {describe_value(value, text='')}"
    if kind in _INT_TYPES:
        return f"must be a whole number, e.g. 3 (not {describe_value(value)})"
    if kind in _FLOAT_TYPES:
        return f"must be a number, e.g. 56.85 (not {describe_value(value)})"
    if kind == "finite_number":
        return f"must be a finite number, e.g. 56.85 (not {describe_value(value)})"
    if kind == "literal_error":
        choices = _literal_choices(str(ctx.get("expected", "")))
        return f"must be one of: {choices}; this is {describe_value(value, text='')}"
    if kind in _BOOL_TYPES:
        return f"must be true or false (not {describe_value(value)})"
    if kind in _STRING_TYPES:
        if value is None and len(loc) == 1:  # a field given as null: as good as left out
            return "is required"
        return f"must be text (not {describe_value(value)})"
    if kind == "list_type":
        noun = _noun(loc, None)
        what = "a list" if noun == "items" else f"a list of {noun}"
        return f"must be {what} (not {describe_value(value)})"
    if kind in _MODEL_TYPES:
        shape = _MODEL_SHAPES.get(str(ctx.get("class_name", "")), "an object of fields")
        return f"must be {shape} (not {describe_value(value)})"
    if kind in _DATE_TYPES:
        if kind == "date_from_datetime_inexact":
            return f"must be a date without a time of day, e.g. 2024-07-01 (not {value})"
        forms = "YYYY-MM-DD, YYYY-MM or YYYY" if loc and loc[-1] in _INCIDENT_DATES else "YYYY-MM-DD"
        return f"must be a date written {forms} (not {describe_value(value)})"
    if kind in _DATETIME_TYPES:
        return f"{describe_value(value, text='')} is not a timestamp; use ISO 8601, e.g. 2024-07-01T09:30:00Z"
    # Any other type: pydantic's words, put as ours ("Input should be x" -> "must be x").
    message = str(err["msg"])
    for prefix, ours in (("Input should be ", "must be "), ("Value should be ", "must be ")):
        if message.startswith(prefix):
            message = ours + message[len(prefix):]
    return message


def field_problems(exc: ValidationError) -> list[FieldProblem]:
    """Turn a pydantic error into one plain problem per field, in our words (``problem_message``)."""
    problems = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"])
        if not field.isprintable():  # an unknown key straight from a file: show it escaped
            field = repr(field)
        problems.append(FieldProblem(field, problem_message(err)))
    return problems


class InvalidIncident(JournalError, ValueError):
    """Input that does not make a valid incident (or group); ``problems`` names each bad field,
    ``subject`` the stored record when it is one ("incident 3f2a…", "group 9c1d…")."""

    def __init__(self, problems: list[FieldProblem], subject: str = ""):
        self.problems = problems
        self.subject = subject
        super().__init__("; ".join(str(p) for p in problems))
