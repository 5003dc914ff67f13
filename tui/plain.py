"""Plain-text views of incidents for the command line and the app: the list table and the detail.

User text is shown as it is written, except what a terminal would act on: control characters,
bidi controls and the like come out escaped (``\\x1b``, ``store.text.printable``), whatever a
record holds. Nothing here interprets markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

from store import Incident
from store.fields import FIELDS, GROUPS, in_group, shown_value
from store.models import Group
from store.rows import IncidentRow
from store.text import printable

SHORT_ID = 8


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` terminal cells."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def one_line(text: str) -> str:
    """``text`` safe to print on one line: escaped (``printable``), runs of spaces made one."""
    return " ".join(printable(text).split())


COLUMNS: tuple[tuple[str, int], ...] = (
    # heading, widest it may grow
    ("ID", SHORT_ID),
    ("DATE", 18),
    ("REGION", 18),
    ("PLACE", 18),
    ("TYPE", 22),
    ("KILLED", 14),
    ("INJURED", 14),
    ("TITLE", 0),
)


def table_row(incident: Incident) -> tuple[str, ...]:
    return (
        incident.id[:SHORT_ID],
        incident.date_label(),
        incident.region,
        incident.place or "",
        incident.event_type or "",
        str(incident.killed),
        str(incident.injured),
        incident.title,
    )


def table(incidents: Sequence[Incident], width: int | None) -> list[str]:
    """The list as aligned lines; the title column takes what ``width`` leaves (all if None)."""
    rows = [tuple(one_line(cell) for cell in table_row(incident)) for incident in incidents]
    headings = [heading for heading, _ in COLUMNS]
    widths = []
    for index, (heading, cap) in enumerate(COLUMNS[:-1]):
        widest = max([cell_len(heading), *(cell_len(row[index]) for row in rows)])
        widths.append(min(widest, cap))
    lines = []
    for cells in [headings, *rows]:
        fixed = "  ".join(fit(cell, w) for cell, w in zip(cells, widths, strict=False))
        title = cells[-1]
        if width is not None:
            room = max(width - cell_len(fixed) - 2, 10)
            if cell_len(title) > room:
                title = fit(title, room)
        lines.append(f"{fixed}  {title}".rstrip())
    return lines


#: Labels are padded to this width in the detail.
LABEL_WIDTH = 15


def detail_line(label: str, value: str) -> str:
    return f"  {label + ':':<{max(LABEL_WIDTH, len(label) + 2)}}{value}".rstrip()


#: The other incidents of a group the detail names (a wave may hold thousands).
OTHERS_SHOWN = 10


def detail(incident: Incident, group: Group | None = None, members: Sequence[IncidentRow] = ()) -> list[str]:
    """Every field of one incident, in the groups of the form (``store.fields``), one per line;
    empty optional fields are left out, the summary and quotes kept as written (their lines
    kept; every line escaped by ``printable``). With its ``group`` (and the group's incidents,
    ``members``), the group's title and totals and the other incidents of it."""
    title = printable(incident.title)
    out = [title, "=" * min(cell_len(title), 80)]
    if incident.group is not None:
        out.append("Group of claims")
        if group is None:
            out.append(detail_line("Group", f"{incident.group[:8]} (not in this journal, or invalid: 'check' says)"))
        else:
            out.append(detail_line("Group", f"{group.title}  ({group.id[:8]})"))
            if group.totals():
                out.append(detail_line("Totals", group.totals()))
            others = [row for row in members if row.id != incident.id]
            if others:
                out.append(detail_line("Others", f"{len(others)} (g then [ or ] to move within the group)"))
                out.extend(f"    {row.date_label()}  {row.region}  {row.title}" for row in others[:OTHERS_SHOWN])
                if len(others) > OTHERS_SHOWN:
                    out.append(f"    … and {len(others) - OTHERS_SHOWN:,} more (incident-journal list --group)")
    for heading in GROUPS:
        lines: list[str] = []
        for spec in in_group(heading):
            if spec.name == "title":
                continue
            if spec.kind == "sources":
                lines.extend(_source_lines(incident))
            elif spec.kind == "text":
                text = getattr(incident, spec.name)
                if text:
                    lines.append(detail_line(spec.label, ""))
                    lines.extend(f"    {text_line}" for text_line in _lines(text))
            else:
                value = shown_value(spec, incident)
                if value or spec.required or spec.name in ("killed", "injured"):
                    lines.append(detail_line(spec.label, value))
        if heading == "Casualties":
            lines.append(detail_line("Status", incident.casualty_status))
        if heading == "Sources":
            out.append(f"Sources ({len(incident.sources)})")
        elif lines:
            out.append(heading)
        out.extend(lines)
    out.append("Record")
    out.append(detail_line("ID", incident.id))
    out.append(
        detail_line(
            "Revision",
            f"{incident.revision}  (created {incident.created_at:%Y-%m-%d %H:%M} UTC, "
            f"updated {incident.updated_at:%Y-%m-%d %H:%M} UTC)",
        )
    )
    authors = authors_line(incident.created_by, incident.updated_by, incident.revision)
    if authors:
        out.append(f"  {authors}")
    return [printable(line, multiline=True) for line in out]  # the lines hold no "\n"; tabs stay


def authors_line(created_by: str | None, updated_by: str | None, revision: int = 2) -> str:
    """Who recorded an incident and who changed it last, as far as known: ``Recorded by A ·
    last changed by B`` (``Recorded by A`` alone for a first revision A made); empty if neither
    is known (recorded before schema 4)."""
    parts = []
    if created_by:
        parts.append(f"Recorded by {created_by}")
    if updated_by and not (revision == 1 and updated_by == created_by):
        parts.append(f"{'last' if parts else 'Last'} changed by {updated_by}")
    return " · ".join(parts)


def _lines(text: str) -> list[str]:
    """The lines of a text field as written: escaped before they are split, so only ``\\n``
    breaks them (``splitlines`` of the text itself would break at ``\\x1c`` or ``\\u2028`` too)."""
    return printable(text, multiline=True).splitlines()


def _source_lines(incident: Incident | Group) -> list[str]:
    lines = []
    for number, source in enumerate(incident.sources, start=1):
        published = f", published {source.published}" if source.published else ""
        lines.append(f"  {number}. [{source.kind}] {source.outlet}{published}")
        if source.url:
            lines.append(f"     {source.url}")
        if source.quote:
            lines.extend(f"     > {quote_line}" for quote_line in _lines(source.quote))
        if source.claims():
            lines.append(f"     claims: {source.claims()}")
    return lines


def group_detail(group: Group, members: Sequence[IncidentRow]) -> list[str]:
    """A group of claims: its fields, totals, sources and incidents (every line escaped)."""
    title = printable(group.title)
    out = [title, "=" * min(cell_len(title), 80)]
    out.append(detail_line("ID", group.id))
    if group.date is not None:
        out.append(detail_line("Date", group.date.isoformat()))
    if group.totals():
        out.append(detail_line("Totals", group.totals()))
    if group.summary:
        out.append(detail_line("Summary", ""))
        out.extend(f"    {text_line}" for text_line in _lines(group.summary))
    out.append(f"Sources ({len(group.sources)})")
    out.extend(_source_lines(group))
    out.append(f"Incidents ({len(members)})")
    out.extend(f"  {row.id[:8]}  {row.date_label()}  {row.region}  {row.title}" for row in members)
    return [printable(line, multiline=True) for line in out]


#: The headings ``detail`` writes, and the labels (for the app to set them in bold).
DETAIL_HEADINGS = frozenset([*GROUPS, "Record", "Group of claims"])
DETAIL_LABELS = frozenset([*(spec.label for spec in FIELDS), "Status", "ID", "Revision", "Group", "Totals", "Others"])
