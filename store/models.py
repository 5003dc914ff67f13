"""The incident model (pydantic v2): what one conflict incident holds, and its rules.

``IncidentFields`` is what a person writes; ``Incident`` adds what the store assigns
(``id``, ``revision``, ``created_at``, ``updated_at``, ``created_by``, ``updated_by``). Models
are frozen: an edit is a new, fully validated model (``Incident.with_changes``), never a silent
attribute change.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from store import taxonomy
from store.counts import Count, stored_bounds
from store.errors import describe_value
from store.text import check_text, normalise_newlines

DatePrecision = Literal["day", "week", "month", "year"]
GeoPrecision = Literal["exact", "near", "region"]
Attribution = Literal["confirmed", "claimed", "suspected", "unknown"]
TargetKind = Literal[
    "residential", "industrial", "infrastructure", "administrative", "healthcare",
    "education", "commercial", "military", "vehicle", "other",
]
Verification = Literal["unverified", "single-source", "corroborated", "confirmed", "disputed"]
SourceKind = Literal["official", "media", "telegram", "social", "witness", "other"]
CasualtyStatus = Literal["killed", "injured", "none", "unknown"]

DATE_PRECISIONS: tuple[str, ...] = get_args(DatePrecision)
GEO_PRECISIONS: tuple[str, ...] = get_args(GeoPrecision)
ATTRIBUTIONS: tuple[str, ...] = get_args(Attribution)
TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)
VERIFICATIONS: tuple[str, ...] = get_args(Verification)
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
CASUALTY_STATUSES: tuple[str, ...] = get_args(CasualtyStatus)

TITLE_MAX = 200
SUMMARY_MAX = 20_000
SHORT_TEXT_MAX = 200
QUOTE_MAX = 5_000
TAG_MAX = 40
TAGS_MAX = 50
SOURCES_MAX = 100
URL_MAX = 2_000
#: An author's name (``store.author``) is at most this long.
AUTHOR_MAX = 100

# -- derived values, worked out once for a model and for a stored record (``store.rows``) ----------


#: Each part of a figure -> the figure it is part of: who was harmed of the killed and the
#: injured, and what became of the weapons launched.
PART_OF: dict[str, str] = {
    "killed_civilians": "killed", "killed_combatants": "killed",
    "killed_children": "killed_civilians", "killed_women": "killed_civilians",
    "injured_civilians": "injured", "injured_combatants": "injured",
    "injured_children": "injured_civilians", "injured_women": "injured_civilians",
    "weapons_intercepted": "weapons_launched", "weapons_hit": "weapons_launched",
}
#: Fields a record leaves out while they hold nothing (most incidents): the journal stays small.
LEFT_OUT_WHEN_EMPTY = (*PART_OF, "weapons_launched", "attribution_by", "group", "created_by", "updated_by")
#: A source's claims, left out of its record while it made none.
SOURCE_CLAIMS = ("killed", "injured", "blames")


def part_within_whole(value: Count, info: ValidationInfo) -> Count:
    """A part (civilians of the killed, children of the civilians, interceptions of the
    launched) cannot be more than its whole, alone or with the parts validated before it."""
    name = info.field_name
    assert name is not None
    whole_name = PART_OF[name]
    whole = info.data.get(whole_name)
    if value.min is None or not isinstance(whole, Count) or whole.max is None:
        return value
    if value.min > whole.max:
        raise ValueError(f"{value.notation()} is more than {_label(whole_name)} ({whole.notation()})")
    before = [other for other, of in PART_OF.items() if of == whole_name and other != name and other in info.data]
    for other in before:
        sibling = info.data[other]
        if isinstance(sibling, Count) and sibling.min is not None and value.min + sibling.min > whole.max:
            raise ValueError(
                f"{value.notation()} and {_label(other)} ({sibling.notation()}) are more than "
                f"{_label(whole_name)} ({whole.notation()})"
            )
    return value


def _within_total(value: Count, info: ValidationInfo) -> Count:
    """Children and women of civilians whose count is open: with the other parts, not more than
    the total (killed 3 with 5 children killed is refused even when the civilians are ``?``)."""
    name = info.field_name
    assert name is not None
    total_name = name.split("_")[0]
    total = info.data.get(total_name)
    if value.min is None or total_name not in ("killed", "injured"):
        return value
    if not isinstance(total, Count) or total.max is None:
        return value

    def low(field: str) -> int | None:
        if field == name:
            return value.min
        count = info.data.get(field)
        return count.min if isinstance(count, Count) else None

    least = least_harmed(low, total_name)
    if least is not None and least > total.max:
        raise ValueError(f"{value.notation()} makes the {total_name} at least {least}, more than "
                         f"{total_name} ({total.notation()})")
    return value


def range_across(counts: list[Count]) -> Count | None:
    """The range the given counts span (``1`` and ``3`` -> ``1-3``; ``1+`` and ``3`` -> ``1+``);
    None when none is known."""
    known = [count for count in counts if count.min is not None]
    if not known:
        return None
    low = min(count.min for count in known if count.min is not None)
    highs = [count.max for count in known]
    return Count(min=low, max=None if None in highs else max(high for high in highs if high is not None))


def _label(name: str) -> str:
    return name.replace("_", " ")


def civilian_harm_of(record: Any) -> bool:
    """Whether at least one civilian, child or woman is reported killed or injured (a stored
    record's counts: ``min`` of 1 or more)."""
    for name in ("killed_civilians", "killed_children", "killed_women",
                 "injured_civilians", "injured_children", "injured_women"):
        count = record.get(name)
        if type(count) is not dict:
            count = stored_bounds(count)  # "2" or "1+" written by hand, as the model reads it
        if type(count) is dict:
            low = count.get("min")
            if type(low) is int and low >= 1:
                return True
    return False


def least_harmed(low: Callable[[str], int | None], harm: str) -> int | None:
    """The fewest people ``harm`` (``killed`` or ``injured``) the figures allow, ``low(field)``
    giving each figure's minimum: the total's, or its parts' where they add up to more (killed
    ``?`` with 2 civilians killed is 2; children and women are separate parts of the civilians,
    civilians and combatants of the total, as the model checks them). None if none is known."""
    total, civilians, children, women, combatants = (
        low(f"{harm}{part}") for part in ("", "_civilians", "_children", "_women", "_combatants")
    )
    if total is None and civilians is None and children is None and women is None and combatants is None:
        return None
    civilians_at_least = max(civilians or 0, (children or 0) + (women or 0))
    return max(total or 0, civilians_at_least + (combatants or 0))


def casualty_status_of(
    killed_min: int | None, killed_max: int | None, injured_min: int | None, injured_max: int | None
) -> CasualtyStatus:
    """killed if a death is reported, else injured if an injury, else none if both are 0."""
    if (killed_min or 0) >= 1:
        return "killed"
    if (injured_min or 0) >= 1:
        return "injured"
    if killed_max == 0 and injured_max == 0:
        return "none"
    return "unknown"


def as_precise(date: str, precision: Any) -> str:
    """An ISO date cut to what its precision knows: ``2024-07`` for a month, ``2024`` for a year."""
    return date[: {"year": 4, "month": 7}.get(precision, 10) if isinstance(precision, str) else 10]


def date_label_of(date: str, date_end: str, precision: Any) -> str:
    """The ISO dates as precise as they are known: ``2024-07-01``, ``2024-07``, ``2024``,
    ``2024-07-01..2024-07-03``, ``week of …`` (``date_end`` empty if there is none)."""
    label = as_precise(date, precision)
    end = as_precise(date_end, precision)
    if end and end != label:
        label = f"{label}..{end}"
    return f"week of {label}" if precision == "week" else label


_TAG_RE = re.compile(r"^[\w\-:./]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_YEAR = re.compile(r"^\d{4}$")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _required_line(value: str) -> str:
    if not value:
        raise ValueError("cannot be empty")
    return check_text(value)


def _multi_line(value: str) -> str:
    return check_text(normalise_newlines(value), multiline=True)


#: A required single-line text: stripped, no control characters, not empty.
RequiredLine = Annotated[
    str, BeforeValidator(_strip), Field(max_length=SHORT_TEXT_MAX), AfterValidator(_required_line)
]
#: An optional single-line text: blank means absent.
OptionalLine = Annotated[
    Annotated[str, Field(max_length=SHORT_TEXT_MAX), AfterValidator(check_text)] | None,
    BeforeValidator(_blank_to_none),
]
#: Who made a change (``store.author``): one line, no control characters; blank means unknown.
AuthorName = Annotated[
    Annotated[str, Field(max_length=AUTHOR_MAX), AfterValidator(check_text)] | None,
    BeforeValidator(_blank_to_none),
]
Latitude = Annotated[float | None, Field(default=None, ge=-90, le=90, allow_inf_nan=False, strict=True)]
Longitude = Annotated[
    float | None, Field(default=None, ge=-180, le=180, allow_inf_nan=False, strict=True, validate_default=True)
]


#: The forms an incident's date may take, each as precise as it is known.
DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
#: The date precisions from the finest to the coarsest.
_PRECISION_ORDER = {precision: rank for rank, precision in enumerate(("day", "week", "month", "year"))}
#: What to add to a date text to make it as precise as a finer precision needs.
_MORE_PRECISE = {"month": ("the month", "YYYY-MM"), "day": ("the day", "YYYY-MM-DD")}


def _date_text_precision(text: str) -> str | None:
    """How precise a date text is by its form: ``day``, ``month``, ``year``, None if no date form."""
    if _ISO_DATE.match(text):
        return "day"
    if _ISO_MONTH.match(text):
        return "month"
    if _ISO_YEAR.match(text):
        return "year"
    return None


def _parse_date(value: Any, *, required: bool = False, end: bool = False, coarse: bool = False) -> Any:
    """A date from text; blank text is no date (refused where one is required).

    With ``coarse``, a month (``2025-03``) or a year (``2025``) is taken too: its first day, or with
    ``end`` its last (2025-03-31, 2025-12-31). Numbers are refused: they would be read as seconds
    since 1970, or taken for a year when they are a typo.
    """
    forms = DATE_FORMS if coarse else "YYYY-MM-DD"
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        given = f"the number {value}" if isinstance(value, (int, float)) else describe_value(value)
        raise ValueError(f"must be a date written as text, {forms} (not {given})")
    text = value.strip()
    if not text:
        if required:
            raise ValueError(f"is required ({forms})")
        return None
    precision = _date_text_precision(text)
    try:
        if precision == "day":
            return dt.date.fromisoformat(text)
        if coarse and precision == "month":
            year, month = int(text[:4]), int(text[5:])
            day = calendar.monthrange(year, month)[1] if end else 1
            return dt.date(year, month, day)
        if coarse and precision == "year":
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    except ValueError:
        pass
    raise ValueError(f"{text[:40]!r} is not a date; use {forms}")


def _date_precision(data: dict[str, Any]) -> dict[str, Any]:
    """``date_precision`` made to fit a month or a year typed as the date or the end date.

    A coarser date text sets the precision when none is given (or the default, ``day``); a given
    precision at least as coarse as the text is kept; a finer one than the text supports is refused
    under the date field, whose value becomes a ``_Refused`` for its validator to raise.
    """
    given = data.get("date_precision")
    explicit = given if isinstance(given, str) and given in _PRECISION_ORDER and given != "day" else None
    coarsest = None
    changes: dict[str, Any] = {}
    for name in ("date", "date_end"):
        value = data.get(name)
        text = value.strip() if isinstance(value, str) else ""
        precision = _date_text_precision(text)
        if precision is None or precision == "day":  # most dates: nothing to do
            continue
        if explicit is not None and _PRECISION_ORDER[explicit] < _PRECISION_ORDER[precision]:
            what, form = _MORE_PRECISE["day" if explicit == "week" else explicit]
            changes[name] = _Refused(
                f"{text} names a {precision}; give {what} too ({form}) or choose precision {precision}"
            )
        elif coarsest is None or _PRECISION_ORDER[precision] > _PRECISION_ORDER[coarsest]:
            coarsest = precision
    if explicit is None and coarsest is not None and given in (None, "day"):
        changes["date_precision"] = coarsest
    return {**data, **changes} if changes else data


@dataclass(frozen=True)
class _Refused:
    """A date the precision rules refused (see ``_date_precision``), with the reason."""

    reason: str


def _check_url(value: str) -> str:
    check_text(value)
    if any(char.isspace() for char in value):
        raise ValueError("a URL cannot contain spaces")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must start with http:// or https://")
    if not parts.netloc:
        raise ValueError("has no host after the scheme")
    return value


class Source(BaseModel):
    """Who reported or said something about an incident, and where; and what it claimed: its own
    figures for the killed and the injured, and whom it blames (each None if it said nothing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outlet: RequiredLine
    url: Annotated[
        Annotated[str, Field(max_length=URL_MAX), AfterValidator(_check_url)] | None,
        BeforeValidator(_blank_to_none),
    ] = None
    kind: SourceKind = "other"
    published: Annotated[dt.date | None, BeforeValidator(_parse_date)] = None
    quote: Annotated[
        Annotated[str, Field(max_length=QUOTE_MAX), AfterValidator(_multi_line)] | None,
        BeforeValidator(_blank_to_none),
    ] = None
    killed: Annotated[Count | None, BeforeValidator(_blank_to_none)] = None
    injured: Annotated[Count | None, BeforeValidator(_blank_to_none)] = None
    blames: OptionalLine = None

    def claimed(self, name: str) -> Count | None:
        """This source's own figure for ``killed`` or ``injured``."""
        count: Count | None = getattr(self, name)
        return count

    def claims(self) -> str:
        """What it claimed, in a few words: ``killed 3 · injured 1+ · blames X``; empty if nothing."""
        parts = [f"{name} {count}" for name, count in (("killed", self.killed), ("injured", self.injured)) if count]
        if self.blames:
            parts.append(f"blames {self.blames}")
        return " · ".join(parts)


class IncidentFields(BaseModel):
    """Everything a person records about an incident."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Annotated[
        str, BeforeValidator(_strip), Field(max_length=TITLE_MAX), AfterValidator(_required_line)
    ]
    summary: Annotated[str, Field(max_length=SUMMARY_MAX), AfterValidator(_multi_line)] = ""
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)

    date: dt.date
    date_end: dt.date | None = None
    date_precision: DatePrecision = "day"

    country: RequiredLine
    region: RequiredLine
    place: OptionalLine = None
    latitude: Latitude = None
    longitude: Longitude = None
    geo_precision: GeoPrecision | None = None

    event_type: str | None = None

    weapon: OptionalLine = None
    #: How many of the weapon were launched, intercepted (shot down) and hit, each a count.
    weapons_launched: Count = Field(default_factory=Count)
    weapons_intercepted: Count = Field(default_factory=Count)
    weapons_hit: Count = Field(default_factory=Count)
    actor: OptionalLine = None
    attribution: Attribution = "unknown"
    target: OptionalLine = None
    target_kind: TargetKind | None = None

    killed: Count = Field(default_factory=Count)
    injured: Count = Field(default_factory=Count)
    #: Who was harmed, besides the totals: civilians (of whom children, of whom women) and
    #: combatants (military or armed groups), each a count (unknown unless given).
    killed_civilians: Count = Field(default_factory=Count)
    killed_children: Count = Field(default_factory=Count)
    killed_women: Count = Field(default_factory=Count)
    killed_combatants: Count = Field(default_factory=Count)
    injured_civilians: Count = Field(default_factory=Count)
    injured_children: Count = Field(default_factory=Count)
    injured_women: Count = Field(default_factory=Count)
    injured_combatants: Count = Field(default_factory=Count)

    verification: Verification = "unverified"
    sources: list[Source] = Field(default_factory=list, max_length=SOURCES_MAX)
    #: Who claims the attribution: one of the sources (its outlet), e.g. SHOT (Telegram).
    attribution_by: OptionalLine = None

    #: ACLED's ``event_id_cnty`` of an incident imported from ACLED (importing it again adds nothing).
    acled_id: OptionalLine = None
    #: The id of the group of claims this incident belongs to (``Journal.groups``), if any.
    group: Annotated[
        Annotated[str, Field(max_length=64), AfterValidator(lambda value: _check_id(value))] | None,
        BeforeValidator(_blank_to_none),
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # JSON output carries the derived casualty_status; reading it back must not fail.
        if isinstance(data, dict) and "casualty_status" in data:
            data = {key: value for key, value in data.items() if key != "casualty_status"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _precision_from_dates(cls, data: Any) -> Any:
        return _date_precision(data) if isinstance(data, dict) else data

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in re.split(r"[,\s]+", value) if part]
        return value

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        cleaned: dict[str, None] = {}
        for tag in tags:
            tag = tag.strip().lower()
            if not tag:
                raise ValueError("a tag cannot be empty")
            if len(tag) > TAG_MAX:
                raise ValueError(f"tag {tag[:20]!r}… is longer than {TAG_MAX} characters")
            if not _TAG_RE.match(tag):
                raise ValueError(
                    f"tag {tag!r} may hold only letters, digits and - _ : . / (no spaces or commas)"
                )
            cleaned[tag] = None
        return list(cleaned)

    @field_validator("event_type", mode="before")
    @classmethod
    def _resolve_event_type(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        return taxonomy.resolve(value) if isinstance(value, str) else value

    @field_validator("killed", "injured", "weapons_launched", *PART_OF, mode="before")
    @classmethod
    def _count_default(cls, value: Any) -> Any:
        return Count() if value is None else value

    @field_validator(*PART_OF)
    @classmethod
    def _within_whole(cls, value: Count, info: ValidationInfo) -> Count:
        return _within_total(part_within_whole(value, info), info)

    @field_validator("attribution_by")
    @classmethod
    def _a_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "sources" not in info.data:  # (sources refused: that is the message)
            return value
        outlets = [source.outlet for source in info.data["sources"]]
        named = next((outlet for outlet in outlets if outlet.casefold() == value.casefold()), None)
        if named is not None and info.data.get("attribution") not in (None, "claimed"):
            raise ValueError(f"only a claimed attribution has a claimant (this one is "
                             f"{info.data.get('attribution')}); set the attribution to claimed")
        if named is None:
            listed = f"its sources are {', '.join(outlets)}" if outlets else "it has none yet"
            raise ValueError(f"{value!r} is not a source of this incident ({listed}); add it as a source, "
                             "or clear who claims the attribution")
        return named

    @field_validator("date", "date_end", mode="before")
    @classmethod
    def _iso_date(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, _Refused):
            raise ValueError(value.reason)
        return _parse_date(value, required=info.field_name == "date", end=info.field_name == "date_end", coarse=True)

    @field_validator("date_end")
    @classmethod
    def _end_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date")
        if value is not None and start is not None and value < start:
            raise ValueError(f"{value} is before the start date {start}")
        return value

    @field_validator("longitude")
    @classmethod
    def _both_coordinates(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" in info.data and (info.data["latitude"] is None) != (value is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def casualty_status(self) -> CasualtyStatus:
        """killed if a death is reported, else injured if an injury, else none if both are 0."""
        def low(name: str) -> int | None:
            return getattr(self, name).min

        return casualty_status_of(least_harmed(low, "killed"), self.killed.max, least_harmed(low, "injured"),
                                  self.injured.max)

    def date_label(self) -> str:
        """The date as precise as it is known: ``2024-07-01``, ``2024-07``, ``2024``, ``week of …``."""
        end = self.date_end.isoformat() if self.date_end is not None else ""
        return date_label_of(self.date.isoformat(), end, self.date_precision)

    @property
    def acled_event_type(self) -> str | None:
        return taxonomy.event_type_of(self.event_type) if self.event_type else None

    def fields_record(self) -> dict[str, Any]:
        """The person-written fields as JSON-ready data (no derived fields)."""
        return self.model_dump(mode="json", include=set(IncidentFields.model_fields))


_ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def _timestamp_text(value: Any) -> Any:
    """Timestamps are ISO 8601 text (or datetimes); numbers would be read as seconds since 1970."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_TIMESTAMP.match(value.strip()):
        return value.strip()
    raise ValueError(f"{value!r} is not a timestamp; use ISO 8601, e.g. 2024-07-01T09:30:00Z")


def _utc(value: dt.datetime) -> dt.datetime:
    try:
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is out of the calendar's range in UTC") from None


def _check_id(value: str) -> str:
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ValueError(f"{value!r} is not a UUID") from None
    return str(parsed)


class Incident(IncidentFields):
    """A recorded incident: the fields plus what the store assigns."""

    id: Annotated[str, Field(max_length=64), AfterValidator(_check_id)]
    revision: Annotated[int, Field(ge=1, le=1_000_000_000, strict=True)] = 1
    created_at: Annotated[dt.datetime, BeforeValidator(_timestamp_text), AfterValidator(_utc)]
    updated_at: Annotated[dt.datetime, BeforeValidator(_timestamp_text), AfterValidator(_utc)]
    #: Who recorded it and who changed it last (``store.author``), set by the journal; left out
    #: of the record while unknown (incidents recorded before schema 4).
    created_by: AuthorName = None
    updated_by: AuthorName = None

    def record(self) -> dict[str, Any]:
        """What the journal stores: every field as JSON data, without derived ones (and without
        the figures and claims nobody gave: see ``LEFT_OUT_WHEN_EMPTY``)."""
        return compact(self.model_dump(mode="json", exclude={"casualty_status"}))

    def record_json(self) -> bytes:
        """``record()`` as JSON text, serialised straight from the model (for imports of many)."""
        empty = Count()
        exclude: dict[Any, Any] = {"casualty_status": True}
        exclude.update({name: True for name in LEFT_OUT_WHEN_EMPTY if getattr(self, name) in (None, empty)})
        claims = {
            index: {name: True for name in SOURCE_CLAIMS if getattr(source, name) is None}
            for index, source in enumerate(self.sources)
        }
        if claims:
            exclude["sources"] = claims
        return Incident.__pydantic_serializer__.to_json(self, exclude=exclude)

    def with_changes(self, **changes: Any) -> Incident:
        """A validated copy with ``changes`` applied; raises ``ValidationError`` if invalid."""
        return Incident.model_validate({**self.record(), **changes})


_EMPTY_COUNT = {"min": None, "max": None, "note": None}

GROUP_PARTS = ("weapons_intercepted", "weapons_hit")


class GroupFields(BaseModel):
    """Claims that belong together, written once: a wave of strikes, one official claim spread
    over regions ("over 60 drones shot down, most over Crimea and Rostov region"). Its own title,
    date, sources and totals; its incidents name it (``IncidentFields.group``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Annotated[str, BeforeValidator(_strip), Field(max_length=TITLE_MAX), AfterValidator(_required_line)]
    date: Annotated[dt.date | None, BeforeValidator(lambda value: _parse_date(value, coarse=True))] = None
    summary: Annotated[str, Field(max_length=SUMMARY_MAX), AfterValidator(_multi_line)] = ""
    sources: list[Source] = Field(default_factory=list, max_length=SOURCES_MAX)
    killed: Count = Field(default_factory=Count)
    injured: Count = Field(default_factory=Count)
    weapons_launched: Count = Field(default_factory=Count)
    weapons_intercepted: Count = Field(default_factory=Count)
    weapons_hit: Count = Field(default_factory=Count)

    @field_validator("killed", "injured", "weapons_launched", *GROUP_PARTS, mode="before")
    @classmethod
    def _count_default(cls, value: Any) -> Any:
        return Count() if value is None else value

    @field_validator(*GROUP_PARTS)
    @classmethod
    def _within_whole(cls, value: Count, info: ValidationInfo) -> Count:
        return part_within_whole(value, info)

    def totals(self) -> str:
        """Its totals given, in a few words: ``intercepted 61+ (over 60)``; empty if none."""
        named = (("killed", self.killed), ("injured", self.injured), ("launched", self.weapons_launched),
                 ("intercepted", self.weapons_intercepted), ("hit", self.weapons_hit))
        return " · ".join(f"{name} {count}" for name, count in named if count != Count())


class Group(GroupFields):
    """A stored group: its fields plus what the store assigns."""

    id: Annotated[str, Field(max_length=64), AfterValidator(lambda value: _check_id(value))]
    revision: Annotated[int, Field(ge=1, le=1_000_000_000, strict=True)] = 1
    created_at: Annotated[dt.datetime, BeforeValidator(_timestamp_text), AfterValidator(_utc)]
    updated_at: Annotated[dt.datetime, BeforeValidator(_timestamp_text), AfterValidator(_utc)]
    #: Who created it and who changed it last, as for incidents (left out while unknown).
    created_by: AuthorName = None
    updated_by: AuthorName = None

    def record(self) -> dict[str, Any]:
        return compact(self.model_dump(mode="json"))


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without the fields of ``LEFT_OUT_WHEN_EMPTY`` that hold nothing, and its
    sources without the claims they did not make."""
    for name in LEFT_OUT_WHEN_EMPTY:
        if record.get(name) in (None, _EMPTY_COUNT):
            record.pop(name, None)
    sources = record.get("sources")
    if isinstance(sources, list):
        for source in sources:
            if isinstance(source, dict):
                for name in SOURCE_CLAIMS:
                    if source.get(name) is None:
                        source.pop(name, None)
    return record


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
