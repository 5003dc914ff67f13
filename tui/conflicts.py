"""Conflicts a sync or merge left (issue 15), as the app shows them: which incidents hold one
(the list's marker and filter, worked out once per journal version) and each conflict of an
incident with both of its values, who set them and when (the detail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from textual.content import Content

from store import Journal
from store.fields import BY_NAME
from store.merge import DELETED, FieldConflict
from store.sharing import shown_value
from store.text import printable

#: What the list shows before the title of an incident a conflict waits on.
MARK = "≠ "
#: How many conflicts of one incident the keys 1-9 can pick.
PICKABLE = 9


class ConflictMarks:
    """Which incidents of ``journal`` a conflict waits on, and how many conflicts wait: read from
    the journal once per version (a save, a merge, a re-read), not per row or per key."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._version: int | None = None
        self._ids: frozenset[str] = frozenset()
        self._count = 0

    def _catch_up(self) -> None:
        version = self.journal.version
        if version != self._version:
            self._ids = self.journal.conflict_ids()
            self._count = len(self.journal.conflicts()) if self._ids else 0
            self._version = version

    @property
    def ids(self) -> frozenset[str]:
        self._catch_up()
        return self._ids

    @property
    def count(self) -> int:
        self._catch_up()
        return self._count


def field_label(field: str) -> str:
    if field == DELETED:
        return "Deleted on one side"
    spec = BY_NAME.get(field)
    return spec.label if spec is not None else field


def when(iso: str | None) -> str:
    if not iso:
        return "when unknown"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC"


def side_lines(journal: Journal, conflict: FieldConflict) -> list[tuple[str, str, str, bool]]:
    """(mine or theirs, the value, who and when, whether the incident shows it now) of each side."""
    found = []
    for label, (value, by, at) in zip(("mine", "theirs"), journal.sides_of(conflict), strict=True):
        if conflict.field == DELETED:
            shown, now = ("deleted it" if value else "edited it"), False
        else:
            shown, now = shown_value(conflict.field, value), value is conflict.ours
        found.append((label, shown, f"{by or 'someone'}, {when(at)}", now))
    return found


def conflict_content(journal: Journal, conflicts: Sequence[FieldConflict], chosen: int) -> Content:
    """The detail's section of an incident's conflicts: each field with both values, the one the
    keys act on (``chosen``) marked, and the keys. User text literal (``printable``)."""
    count = len(conflicts)
    heading = f"Conflicts from syncing: {count} field{'s' if count != 1 else ''} with two values"
    parts: list[Content] = [Content(heading).stylize("bold")]
    for number, conflict in enumerate(conflicts):
        pointer = "▸" if number == chosen else " "
        name = f" {pointer} {number + 1 if number < PICKABLE else ' '}  {field_label(conflict.field)}"
        parts.append(Content(name).stylize("bold") if number == chosen else Content(name))
        for label, shown, who, now in side_lines(journal, conflict):
            line = f"        {label:<7}{printable(shown, multiline=False)}   ({printable(who)})"
            if now:
                line += "   shown now"
            parts.append(Content(line))
    picks = f" · 1-{min(count, PICKABLE)} picks a field" if count > 1 else ""
    parts.append(
        Content(f"m keeps mine · t takes theirs{picks} · e edits (the conflict stays until m or t)").stylize("italic")
    )
    return Content("\n").join(parts)
