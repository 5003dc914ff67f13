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
    return f"  {label + ':':<{LABEL_WIDTH}}{value}".rstrip()


def detail(incident: Incident) -> list[str]:
    """Every field of one incident, in the groups of the form (``store.fields``), one per line;
    empty optional fields are left out, the summary and quotes kept as written (their lines
    kept; every line escaped by ``printable``)."""
    title = printable(incident.title)
    out = [title, "=" * min(cell_len(title), 80)]
    for group in GROUPS:
        lines: list[str] = []
        for spec in in_group(group):
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
                if value or spec.required or spec.kind == "count":
                    lines.append(detail_line(spec.label, value))
        if group == "Casualties":
            lines.append(detail_line("Status", incident.casualty_status))
        if group == "Sources":
            out.append(f"Sources ({len(incident.sources)})")
        elif lines:
            out.append(group)
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
    return [printable(line, multiline=True) for line in out]  # the lines hold no "\n"; tabs stay


def _lines(text: str) -> list[str]:
    """The lines of a text field as written: escaped before they are split, so only ``\\n``
    breaks them (``splitlines`` of the text itself would break at ``\\x1c`` or ``\\u2028`` too)."""
    return printable(text, multiline=True).splitlines()


def _source_lines(incident: Incident) -> list[str]:
    lines = []
    for number, source in enumerate(incident.sources, start=1):
        published = f", published {source.published}" if source.published else ""
        lines.append(f"  {number}. [{source.kind}] {source.outlet}{published}")
        if source.url:
            lines.append(f"     {source.url}")
        if source.quote:
            lines.extend(f"     > {quote_line}" for quote_line in _lines(source.quote))
    return lines


#: The headings ``detail`` writes, and the labels (for the app to set them in bold).
DETAIL_HEADINGS = frozenset([*GROUPS, "Record"])
DETAIL_LABELS = frozenset([*(spec.label for spec in FIELDS), "Status", "ID", "Revision"])
