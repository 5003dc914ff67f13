"""Casualty counts with their uncertainty, and the compact notation people type.

Notation (what ``Count.parse`` accepts and ``str(count)`` prints):

=========  ==================  =======================
``3``      exactly three       min 3, max 3
``1+``     at least one        min 1, max null
``2-5``    between two, five   min 2, max 5
``?``      unknown             min null, max null
``0``      none                min 0, max 0
=========  ==================  =======================

A note in parentheses may follow any of them: ``? (several)``, ``1+ (at least one)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from store.errors import field_problems
from store.text import check_text

#: A count above this is taken for a typing mistake.
MAX_COUNT = 10_000_000
NOTE_MAX = 200

_NUMBER = r"\d+"
_PATTERN = re.compile(
    rf"""^\s*
    (?:
        (?P<unknown>\?)
      | (?P<low>{_NUMBER}) \s* (?:(?P<plus>\+) | [-–—] \s* (?P<high>{_NUMBER}))?
    )?
    \s* (?:\((?P<note>[^()]*)\))? \s*$""",
    re.VERBOSE,
)

NOTATION_HELP = "use 3, 1+ (at least one), 2-5 (a range), ? (unknown) or 0, optionally with a note: ? (several)"


def _number(digits: str) -> int:
    if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        raise ValueError(f"{digits} is more than {MAX_COUNT:,}; a count that large is taken for a typo")
    return int(digits)


class Count(BaseModel):
    """A count of people: exact, at least, a range, or unknown; with an optional note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int | None = Field(default=None, ge=0, strict=True)
    max: int | None = Field(default=None, ge=0, strict=True)
    note: str | None = Field(default=None, max_length=NOTE_MAX)

    @model_validator(mode="before")
    @classmethod
    def _from_notation(cls, data: Any) -> Any:
        if isinstance(data, str):
            return cls._parse_fields(data)
        if isinstance(data, int) and not isinstance(data, bool):
            return {"min": data, "max": data}
        return data

    @field_validator("note")
    @classmethod
    def _clean_note(cls, note: str | None) -> str | None:
        if note is None:
            return None
        check_text(note)
        if "(" in note or ")" in note:
            raise ValueError("a note cannot contain parentheses")
        return note.strip() or None

    @model_validator(mode="after")
    def _consistent(self) -> Count:
        for value in (self.min, self.max):
            if value is not None and value > MAX_COUNT:
                raise ValueError(f"{value} is more than {MAX_COUNT:,}; a count that large is taken for a typo")
        if self.max is not None and self.min is None:
            raise ValueError(f"a maximum without a minimum; write 0-{self.max}")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"the maximum ({self.max}) is less than the minimum ({self.min})")
        return self

    @staticmethod
    def _parse_fields(text: str) -> dict[str, Any]:
        if len(text) > NOTE_MAX + 50:
            raise ValueError(f"is {len(text):,} characters long, too long for a count: {NOTATION_HELP}")
        if text.strip().startswith("-"):
            raise ValueError(f"{text.strip()!r} is negative; a count is 0 or more")
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"{text.strip()!r} is not a count: {NOTATION_HELP}")
        note = match["note"]
        if match["low"] is None:
            return {"min": None, "max": None, "note": note}
        low = _number(match["low"])
        if match["plus"]:
            return {"min": low, "max": None, "note": note}
        high = _number(match["high"]) if match["high"] is not None else low
        return {"min": low, "max": high, "note": note}

    @classmethod
    def parse(cls, text: str) -> Count:
        """Read the notation; raise ``ValueError`` with a message a person can act on."""
        try:
            return cls.model_validate(text)
        except ValidationError as exc:
            raise ValueError("; ".join(str(p.message) for p in field_problems(exc))) from None

    @classmethod
    def unknown(cls) -> Count:
        return cls()

    @property
    def is_unknown(self) -> bool:
        return self.min is None

    @property
    def is_exact(self) -> bool:
        return self.min is not None and self.min == self.max

    def notation(self) -> str:
        """The compact form without the note: ``3``, ``1+``, ``2-5``, ``?``."""
        if self.min is None:
            return "?"
        if self.max is None:
            return f"{self.min}+"
        if self.min == self.max:
            return str(self.min)
        return f"{self.min}-{self.max}"

    def __str__(self) -> str:
        return f"{self.notation()} ({self.note})" if self.note else self.notation()


@lru_cache(maxsize=4096)
def _notation_bounds(text: str) -> dict[str, Any] | None:
    try:
        return Count.parse(text).model_dump()
    except ValueError:
        return None


def stored_bounds(value: Any) -> Any:
    """A stored count as the ``{"min", "max", "note"}`` dict the list reads, whichever form the
    model accepts it in: the dict itself, or the notation ("2", "1+") or a whole number written
    by hand into a journal file. Anything else is returned as it is (and reads as unknown)."""
    if type(value) is str:
        return _notation_bounds(value)
    if type(value) is int:
        return {"min": value, "max": value, "note": None} if value >= 0 else None
    return value
