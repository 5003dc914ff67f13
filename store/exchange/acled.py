"""ACLED's CSV layout: its current 31 columns, mapped to and from our fields.

Writing: ``admin1`` is our region (ACLED's ``region`` is the world region), ``location`` our
place, ``fatalities`` the conservative count (the minimum killed, ``minimum_killed``; 0 when
unknown), ``civilian_targeting`` set when civilians were harmed (``civilian_harm_of``: at least
one civilian, child or woman killed or injured) or the incident has the tag
``civilian-targeting``, ``notes`` the summary (the title when there is none), ``source`` the
outlets joined with ``"; "``, ``event_id_cnty`` the ACLED id an incident came with (else our id).
Who was harmed, weapons counts, sources' own claims and the rest ACLED has no column for are
not written (the README lists them).

Reading: the columns above, the other way round; ``event_date`` as ``2025-07-03`` or
``03 July 2025``; precision codes 1/2/3; ``civilian_targeting`` becomes the tag
``civilian-targeting`` (ACLED says civilians were targeted, not how many of the fatalities were
civilians, so no count of who was harmed is made up from it); ACLED's tags become tags. An
incident gets an id derived from ``event_id_cnty``, so importing a file twice adds nothing.
ACLED has no title: a new incident is titled ``<sub_event_type> in <location>``. Columns not
named here are not read.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from store import taxonomy
from store.counts import Count
from store.exchange import csv_format
from store.exchange.batch import SHOWN_MAX, Candidate, ImportRejected
from store.exchange.source import Source
from store.models import TAG_MAX, Incident, civilian_harm_of, least_harmed

COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
REQUIRED = ("event_date", "sub_event_type", "country", "admin1")
#: Ids of imported ACLED events are derived from their event_id_cnty in this namespace.
NAMESPACE = uuid.UUID("6c1d5a0e-3f7b-4c43-9a49-5b0a3c1e2d7f")
CIVILIAN_TARGETING = "Civilian targeting"
CIVILIAN_TAG = "civilian-targeting"

TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
TIME_PRECISION_READ = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"exact": 1, "near": 2, "region": 3}
GEO_PRECISION_READ = {"1": "exact", "2": "near", "3": "region"}

DISORDER_TYPE = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
DISORDER_EXCEPTIONS = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence",
}
#: country -> (ISO 3166-1 numeric code, ACLED's world region), for the countries the journal
#: is mostly about; other countries get blank ``iso`` and ``region``.
COUNTRIES: dict[str, tuple[int, str]] = {
    "Russia": (643, "Europe"),
    "Ukraine": (804, "Europe"),
    "Belarus": (112, "Europe"),
    "Moldova": (498, "Europe"),
    "Poland": (616, "Europe"),
    "Romania": (642, "Europe"),
    "Georgia": (268, "Caucasus and Central Asia"),
    "Armenia": (51, "Caucasus and Central Asia"),
    "Azerbaijan": (31, "Caucasus and Central Asia"),
    "Syria": (760, "Middle East"),
    "Israel": (376, "Middle East"),
    "Palestine": (275, "Middle East"),
    "Lebanon": (422, "Middle East"),
    "Iran": (364, "Middle East"),
    "Iraq": (368, "Middle East"),
    "Yemen": (887, "Middle East"),
    "Sudan": (729, "Northern Africa"),
}
MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_ACLED_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})$")


# -- writing ---------------------------------------------------------------------------------


class _Counts:
    """An incident's counts as a stored record holds them (``{"min": …}``), so the ACLED export
    asks ``civilian_harm_of`` (the "civilian harm" filter's own test) without dumping the record."""

    __slots__ = ("_incident",)

    def __init__(self, incident: Incident) -> None:
        self._incident = incident

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self._incident, name, None)
        return {"min": value.min, "max": value.max} if isinstance(value, Count) else default


def civilians_harmed(incident: Incident) -> bool:
    """Whether at least one civilian, child or woman is reported killed or injured."""
    return civilian_harm_of(_Counts(incident))


def minimum_killed(incident: Incident) -> int:
    """The fewest killed the incident's figures allow (0 when unknown): the minimum of
    ``killed``, or of its parts where they say more (``killed`` ``?`` with 2 civilians killed is
    2; children and women are separate parts of the civilians, civilians and combatants of the
    killed, as the model checks them)."""
    def low(name: str) -> int | None:
        count: Count = getattr(incident, name)
        return count.min

    return least_harmed(low, "killed") or 0


def acled_row(incident: Incident) -> dict[str, Any]:
    """The incident as one row of ACLED's columns (values as written: numbers stay numbers)."""
    sub_event = incident.event_type
    event = incident.acled_event_type
    iso, world_region = COUNTRIES.get(incident.country, (None, None))
    tags = [tag for tag in incident.tags if tag != CIVILIAN_TAG]
    return {
        "event_id_cnty": incident.acled_id or incident.id,
        "event_date": incident.date.isoformat(),
        "year": incident.date.year,
        "time_precision": TIME_PRECISION[incident.date_precision],
        "disorder_type": DISORDER_EXCEPTIONS.get(sub_event or "", DISORDER_TYPE.get(event or "")),
        "event_type": event,
        "sub_event_type": sub_event,
        "actor1": incident.actor,
        "civilian_targeting": (
            CIVILIAN_TARGETING if CIVILIAN_TAG in incident.tags or civilians_harmed(incident) else None
        ),
        "iso": iso,
        "region": world_region,
        "country": incident.country,
        "admin1": incident.region,
        "location": incident.place,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "geo_precision": GEO_PRECISION.get(incident.geo_precision or ""),
        "source": "; ".join(source.outlet for source in incident.sources) or None,
        "notes": incident.summary or incident.title,
        "fatalities": minimum_killed(incident),
        "tags": "; ".join(tags) or None,
        "timestamp": int(incident.updated_at.timestamp()),
    }


def write(incidents: Iterable[Incident], *, excel: bool = False) -> bytes:
    return csv_format.write_table(COLUMNS, (acled_row(incident) for incident in incidents), excel=excel)


# -- reading ---------------------------------------------------------------------------------


def _shown(text: str) -> str:
    """A cell quoted in a message: cut short if long."""
    return repr(text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…")


def parse_date(text: str) -> str:
    """ACLED's date as YYYY-MM-DD: given so, or as ACLED writes it (``03 July 2025``)."""
    text = text.strip()
    if not text:
        raise ValueError("is required")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    match = _ACLED_DATE.match(text)
    if match and match[2].lower() in MONTHS:
        try:
            return dt.date(int(match[3]), MONTHS[match[2].lower()], int(match[1])).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{text[:40]!r} is not a date; use YYYY-MM-DD or DD Month YYYY (03 July 2025)")


def acled_tag(text: str) -> str | None:
    """An ACLED tag ("crowd size=no report") as one of ours (``crowd-size-no-report``)."""
    tag = re.sub(r"[^\w\-:./]+", "-", text.strip().lower()).strip("-")
    return tag[:TAG_MAX].rstrip("-") or None


def incident_id(event_id: str) -> str:
    """Our id for an ACLED event: its own if it is one of ours, else derived from it."""
    try:
        return str(uuid.UUID(event_id))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, event_id.upper()))


def _sources(text: str) -> list[dict[str, str]]:
    outlets = [part.strip() for part in text.split(";") if part.strip()]
    return [
        {"outlet": outlet, "kind": "telegram" if "telegram" in outlet.casefold() else "other"}
        for outlet in dict.fromkeys(outlets)
    ]


#: Which of our fields each ACLED column fills (an update changes the fields whose column differs).
FIELDS_OF_COLUMN: dict[str, tuple[str, ...]] = {
    "event_id_cnty": ("acled_id",),
    "event_date": ("date",),
    "time_precision": ("date_precision",),
    "sub_event_type": ("event_type",),
    "actor1": ("actor",),
    "civilian_targeting": ("tags",),
    "country": ("country",),
    "admin1": ("region",),
    "location": ("place",),
    "latitude": ("latitude", "longitude"),
    "longitude": ("latitude", "longitude"),
    "geo_precision": ("geo_precision",),
    "source": ("sources",),
    "notes": ("summary",),
    "fatalities": ("killed",),
    "tags": ("tags",),
}


#: Our field -> the ACLED column it comes from, to name a problem by the column a person can fix.
COLUMN_OF_FIELD: dict[str, str] = {
    fields[0]: column for column, fields in FIELDS_OF_COLUMN.items() if column not in ("longitude", "tags")
} | {"longitude": "longitude", "tags": "tags", "title": "sub_event_type/location"}


def candidate(number: int, cells: Mapping[str, str]) -> Candidate:
    row, problems = csv_format.typed_row(
        number, {column: cells[column] for column in ("latitude", "longitude") if column in cells}
    )
    # A row shorter than the header lacks the last columns: they read as blank cells.
    text = {column: "" for column in REQUIRED} | {
        column: csv_format.restore(value).strip() for column, value in cells.items()
    }
    event_id = text.get("event_id_cnty", "")
    data: dict[str, Any] = {"id": incident_id(event_id)} if event_id else {}
    result = Candidate(number, data, source=text, file_id=event_id or None)
    if event_id and data["id"] != event_id.lower():
        data["acled_id"] = event_id
    for column, message in problems:
        result.problem(column, message)
    try:
        data["date"] = parse_date(text["event_date"])
        year = text.get("year", "")
        if year and year != data["date"][:4]:
            result.problem("year", f"{_shown(year)} is not the year of event_date {_shown(text['event_date'])}")
    except ValueError as exc:
        result.problem("event_date", str(exc), covers=("date",))
    precision = text.get("time_precision", "")
    if precision:
        if precision in TIME_PRECISION_READ:
            data["date_precision"] = TIME_PRECISION_READ[precision]
        else:
            result.problem(
                "time_precision",
                f"{_shown(precision)} is not an ACLED time precision (1, 2 or 3)",
                covers=("date_precision",),
            )
    sub_event = text["sub_event_type"]
    try:
        if not sub_event:  # our own export of an incident without an event type
            raise LookupError
        data["event_type"] = taxonomy.resolve(sub_event)
        event = text.get("event_type", "")
        if event and event.casefold() != taxonomy.event_type_of(data["event_type"]).casefold():
            result.problem(
                "event_type",
                f"{_shown(event)} does not hold sub_event_type {data['event_type']!r} "
                f"(it belongs to {taxonomy.event_type_of(data['event_type'])!r})",
            )
    except LookupError:
        pass
    except ValueError as exc:
        result.problem("sub_event_type", str(exc), covers=("event_type",))
    plain_columns = (("actor1", "actor"), ("country", "country"), ("admin1", "region"), ("location", "place"))
    for column, field_name in plain_columns:
        if text.get(column):
            data[field_name] = text[column]
    for column in ("latitude", "longitude"):
        if row.get(column) is not None:
            data[column] = row[column]
    geo = text.get("geo_precision", "")
    if geo:
        if geo in GEO_PRECISION_READ:
            data["geo_precision"] = GEO_PRECISION_READ[geo]
        else:
            result.problem(
                "geo_precision", f"{_shown(geo)} is not an ACLED geo precision (1, 2 or 3)", covers=("geo_precision",)
            )
    fatalities = text.get("fatalities", "")
    if fatalities:
        if fatalities.isascii() and fatalities.isdigit():
            data["killed"] = int(fatalities)
        else:
            result.problem("fatalities", f"{fatalities[:40]!r} is not a whole number of people", covers=("killed",))
    if text.get("notes"):
        data["summary"] = csv_format.restore(cells["notes"])  # line breaks and quotes kept, not stripped
    if text.get("source"):
        data["sources"] = _sources(text["source"])
    tags = [acled_tag(tag) for tag in text.get("tags", "").split(";")]
    if text.get("civilian_targeting"):
        tags.append(CIVILIAN_TAG)
    tags = [tag for tag in tags if tag]
    if tags:
        data["tags"] = tags
    place = data.get("place") or data.get("region") or data.get("country") or "unknown place"
    data["title"] = f"{data.get('event_type') or sub_event or 'Event'} in {place}"[:200].strip()
    return result


def read(data: bytes | str | Source, name: str, warnings: list[str] | None = None) -> Iterator[Candidate]:
    """The rows of an ACLED file as candidates, read one at a time (the header at once)."""
    header, rows = csv_format.read_table(data, name)
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        hint = "; is it one of our CSV exports? (use --format csv)" if "title" in header else ""
        raise ImportRejected(
            f"{name} has no {', '.join(map(repr, missing))} column{'s' if len(missing) > 1 else ''}; "
            f"an ACLED file names its columns in the first row{hint}"
        )
    return (candidate(number, cells) for number, cells in rows)


def match_journal(candidates: list[Candidate], journal: Any) -> None:
    """Rows whose event an incident here already holds (as its ``acled_id``, however it got it)
    update that incident rather than add a second one."""
    event_ids = {candidate.data["acled_id"] for candidate in candidates if "acled_id" in candidate.data}
    holders = journal.ids_with("acled_id", event_ids)
    for candidate in candidates:
        holder = holders.get(candidate.data.get("acled_id", ""))
        if holder is not None:
            candidate.data["id"] = holder


def _same(column: str, ours: Any, theirs: str) -> bool:
    ours_text = "" if ours is None else str(ours)
    if column in ("latitude", "longitude", "fatalities", "time_precision", "geo_precision"):
        try:
            return (float(theirs) if theirs else None) == (float(ours) if ours is not None else None)
        except ValueError:
            return False
    if column == "event_date":
        try:
            return parse_date(theirs) == ours_text
        except ValueError:
            return False
    if column == "notes":
        return theirs.replace("\r\n", "\n").strip() == ours_text.strip()
    return theirs.strip() == ours_text.strip()


def changed_fields(existing: Incident, candidate: Candidate) -> frozenset[str]:
    """The fields an ACLED row changes in ``existing``: those whose column differs from what
    ``acled_row(existing)`` writes (so an ACLED round trip keeps what ACLED cannot hold)."""
    ours = acled_row(existing)
    text: Mapping[str, str] = candidate.source or {}
    changed: set[str] = set()
    for column, fields in FIELDS_OF_COLUMN.items():
        if column in text and not _same(column, ours.get(column), text[column]):
            if column == "event_id_cnty" and incident_id(text[column]) == existing.id and not existing.acled_id:
                continue  # our own id, written back by our export
            changed.update(fields)
    return frozenset(changed)
