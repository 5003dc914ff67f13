"""Plain-text views of incidents for the command line: the list table and the detail.

User text is printed as it is: nothing here interprets markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size

from store import Incident

SHORT_ID = 8


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` terminal cells."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    rows = [tuple(_one_line(cell) for cell in table_row(incident)) for incident in incidents]
    headings = [heading for heading, _ in COLUMNS]
    widths = []
    for index, (heading, cap) in enumerate(COLUMNS[:-1]):
        widest = max([cell_len(heading), *(cell_len(row[index]) for row in rows)])
        widths.append(min(widest, cap))
    lines = []
    for cells in [headings, *rows]:
        fixed = "  ".join(fit(cell, w) for cell, w in zip(cells, widths))
        title = cells[-1]
        if width is not None:
            room = max(width - cell_len(fixed) - 2, 10)
            if cell_len(title) > room:
                title = fit(title, room)
        lines.append(f"{fixed}  {title}".rstrip())
    return lines


def detail(incident: Incident) -> list[str]:
    """Every field of one incident, labelled, one per line (the summary and quotes as written)."""

    def line(label: str, value: object) -> str:
        return f"{label + ':':<16}{value}"

    out = [incident.title, "=" * min(cell_len(incident.title), 80)]
    out.append(line("Date", incident.date_label() + f"  (precision: {incident.date_precision})"))
    where = ", ".join(part for part in (incident.place, incident.region, incident.country) if part)
    out.append(line("Where", where))
    if incident.latitude is not None:
        precision = f"  ({incident.geo_precision})" if incident.geo_precision else ""
        out.append(line("Coordinates", f"{incident.latitude}, {incident.longitude}{precision}"))
    if incident.event_type:
        out.append(line("Event type", f"{incident.event_type}  ({incident.acled_event_type})"))
    if incident.weapon or incident.weapon_count:
        count = f"{incident.weapon_count} × " if incident.weapon_count else ""
        out.append(line("Weapon", f"{count}{incident.weapon or 'unspecified'}"))
    out.append(line("Actor", f"{incident.actor or 'not named'}  (attribution: {incident.attribution})"))
    if incident.target or incident.target_kind:
        kind = f"  ({incident.target_kind})" if incident.target_kind else ""
        out.append(line("Target", f"{incident.target or 'unspecified'}{kind}"))
    out.append(line("Killed", str(incident.killed)))
    out.append(line("Injured", str(incident.injured)))
    out.append(line("Casualties", incident.casualty_status))
    out.append(line("Verification", incident.verification))
    if incident.tags:
        out.append(line("Tags", ", ".join(incident.tags)))
    out.append(f"Sources ({len(incident.sources)}):")
    for number, source in enumerate(incident.sources, start=1):
        published = f", published {source.published}" if source.published else ""
        out.append(f"  {number}. [{source.kind}] {source.outlet}{published}")
        if source.url:
            out.append(f"     {source.url}")
        if source.quote:
            out.extend(f"     > {quote_line}" for quote_line in source.quote.splitlines())
    if incident.summary:
        out.append("Summary:")
        out.extend(f"  {summary_line}" for summary_line in incident.summary.splitlines())
    out.append(line("ID", incident.id))
    out.append(
        line(
            "Revision",
            f"{incident.revision}  (created {incident.created_at:%Y-%m-%d %H:%M} UTC, "
            f"updated {incident.updated_at:%Y-%m-%d %H:%M} UTC)",
        )
    )
    return out
