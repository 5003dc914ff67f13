"""One definition of the fields a person records: the form, the CLI, the detail and CSV derive from it.

Each ``FieldSpec`` says what a field is called, which group of the form it sits in, what kind
of value it takes (and so which widget, CLI option type and display it gets), its choices, its
help text and its CLI option. Adding a field afterwards touches the model and ``FIELDS``.

The form's groups follow how a person records an incident: **What** happened, **When**,
**Where**, **Who** did it, **Casualties**, **Sources**, then **Notes**; the essentials first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from store.counts import Count
from store.models import (
    ATTRIBUTIONS,
    DATE_PRECISIONS,
    GEO_PRECISIONS,
    SOURCE_KINDS,
    TARGET_KINDS,
    VERIFICATIONS,
    Incident,
)
from store.taxonomy import SUB_EVENT_TYPES, event_type_of

GROUPS: tuple[str, ...] = ("What", "When", "Where", "Who", "Casualties", "Sources", "Notes")

#: ``line``: one line of text; ``text``: several lines; ``choice``: one of ``choices``, typed by a
#: unique start or word; ``date``: YYYY-MM-DD, YYYY-MM or YYYY; ``count``: the count notation;
#: ``number``: a decimal; ``integer``: a whole number; ``tags`` and ``sources``: lists.
Kind = Literal["line", "text", "choice", "date", "count", "number", "integer", "tags", "sources"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    group: str
    kind: Kind = "line"
    #: What to type, in a few words: the form's hint line and the CLI option's help.
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    #: The CLI option (``--title``); by default the name with dashes.
    option: str = ""
    #: Whether the form suggests the values already in the journal as a person types.
    suggest: bool = False
    #: The form's placeholder, when it differs from ``help``.
    placeholder: str = ""
    #: The CLI option's help, when it differs from ``help``.
    cli_help: str = ""

    @property
    def cli_option(self) -> str:
        return self.option or "--" + self.name.replace("_", "-")

    @property
    def hint(self) -> str:
        """The placeholder the form shows in an empty field."""
        return self.placeholder or self.help

    @property
    def single_line(self) -> bool:
        return self.kind not in ("text", "sources")


DATE_HELP = "YYYY-MM-DD, or YYYY-MM or YYYY if that is all that is known"
COUNT_HELP = "3 · 1+ at least · 2-5 a range · 0 none · empty or ? unknown; a note in ( )"
PART_HINT = "3 · 1+ · 2-5 · 0 · ? (a note)"

FIELDS: tuple[FieldSpec, ...] = (
    # What
    FieldSpec("title", "Title", "What", required=True, help="What happened, in one line (up to 200 characters)."),
    FieldSpec(
        "event_type", "Event type", "What", "choice", choices=tuple(SUB_EVENT_TYPES), option="--type",
        help="ACLED sub-event type: a start or a word of one is enough (air, shell, clash).",
    ),
    FieldSpec("weapon", "Weapon", "What", suggest=True, help="What was used, e.g. Lyutiy-type drone."),
    FieldSpec("weapons_launched", "Launched", "What", "count", option="--launched",
              help="How many weapons were launched or used: 3, 60+, 2-5, ?."),
    FieldSpec("weapons_intercepted", "Intercepted", "What", "count", option="--intercepted",
              help="How many were intercepted (shot down): 61+ (over 60)."),
    FieldSpec("weapons_hit", "Hit", "What", "count", option="--hit", help="How many hit their target."),
    FieldSpec("target", "Target", "What", help="What was hit, e.g. factory."),
    FieldSpec("target_kind", "Target kind", "What", "choice", choices=TARGET_KINDS, help="Kind of target."),
    # When
    FieldSpec("date", "Date", "When", "date", required=True, help=f"When: {DATE_HELP}."),
    FieldSpec(
        "date_precision", "Precision", "When", "choice", choices=DATE_PRECISIONS, option="--precision",
        help="How precise the date is (set by a date typed as YYYY-MM or YYYY).",
    ),
    FieldSpec("date_end", "Until", "When", "date", option="--date-end", help="The last date, if it spans days."),
    # Where
    FieldSpec("place", "Place", "Where", suggest=True, help="Town or village."),
    FieldSpec("region", "Region", "Where", required=True, suggest=True, help="Province, oblast or republic."),
    FieldSpec("country", "Country", "Where", required=True, suggest=True, help="Country, e.g. Russia."),
    FieldSpec("latitude", "Latitude", "Where", "number", option="--lat", help="Latitude, -90 to 90 (e.g. 56.85)."),
    FieldSpec("longitude", "Longitude", "Where", "number", option="--lon",
              help="Longitude, -180 to 180 (e.g. 53.2)."),
    FieldSpec("geo_precision", "Geo precision", "Where", "choice", choices=GEO_PRECISIONS,
              help="How precise the coordinates are."),
    # Who
    FieldSpec("actor", "Actor", "Who", suggest=True, help="Who is said to be responsible."),
    FieldSpec("attribution", "Attribution", "Who", "choice", choices=ATTRIBUTIONS,
              help="How sure the attribution is."),
    FieldSpec("attribution_by", "Claimed by", "Who", option="--claimed-by",
              help="Who claims the attribution: one of the sources, e.g. SHOT (Telegram)."),
    # Casualties
    FieldSpec("killed", "Killed", "Casualties", "count", help=f"People killed: {COUNT_HELP}."),
    FieldSpec("injured", "Injured", "Casualties", "count", help=f"People injured: {COUNT_HELP}."),
    *(
        FieldSpec(f"{harm}_{who}", f"{harm.capitalize()} {label}", "Casualties", "count",
                  help=f"Of the {harm}, {label}{of}: {COUNT_HELP}.", placeholder=PART_HINT)
        for harm in ("killed", "injured")
        for who, label, of in (
            ("civilians", "civilians", ""), ("children", "children", " (of the civilians)"),
            ("women", "women", " (of the civilians)"), ("combatants", "combatants", " (military or armed groups)"),
        )
    ),
    # Sources
    FieldSpec("sources", "Sources", "Sources", "sources", option="--source",
              help=f"A source: OUTLET|URL|KIND, KIND one of {', '.join(SOURCE_KINDS)}; repeatable."),
    # Notes
    FieldSpec("summary", "Summary", "Notes", "text", help="Free text; several lines."),
    FieldSpec("tags", "Tags", "Notes", "tags", option="--tag", help="Tags, separated by commas or spaces.",
              cli_help="A tag (letters, digits, - _ : . /); repeatable."),
    FieldSpec("verification", "Verification", "Notes", "choice", choices=VERIFICATIONS,
              help="How well it is verified."),
)

FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
#: What a new incident starts with where a field is left empty.
DEFAULTS: dict[str, str] = {"date_precision": "day", "attribution": "unknown", "verification": "unverified"}
#: Fields a source has, as the form shows them.
SOURCE_FIELDS = ("outlet", "url", "kind", "published", "quote", "killed", "injured", "blames")
#: A source's own figures, in the count notation.
SOURCE_COUNTS = ("killed", "injured")
#: A source's kind, a choice like the incident's own.
SOURCE_KIND = FieldSpec("kind", "Kind", "Sources", "choice", choices=SOURCE_KINDS,
                        help="What kind of source: official, media, telegram, social, witness or other.")
#: What "new from this one" copies: a wave of strikes is recorded as several incidents.
COPIED_TO_NEW = (
    "date", "date_precision", "date_end", "place", "region", "country", "latitude", "longitude",
    "geo_precision", "event_type", "weapon", "actor", "attribution", "sources",
)


def in_group(group: str) -> tuple[FieldSpec, ...]:
    return tuple(spec for spec in FIELDS if spec.group == group)


# -- choices typed by their start ------------------------------------------------------------------

_WORD = re.compile(r"[\w]+")


def choice_matches(choices: Iterable[str], text: str) -> list[str]:
    """The choices ``text`` may mean: an exact name (any case) alone; else every choice that
    starts with it or has a word that does (``air`` → Air/drone strike, ``art`` → Shelling/
    artillery/missile attack)."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    options = list(choices)
    exact = [choice for choice in options if choice.casefold() == wanted]
    if exact:
        return exact
    starts = [choice for choice in options if choice.casefold().startswith(wanted)]
    words = [
        choice for choice in options
        if choice not in starts and any(word.startswith(wanted) for word in _WORD.findall(choice.casefold()))
    ]
    return starts + words


def resolve_choice(spec: FieldSpec, text: str) -> str:
    """The one choice ``text`` names; raises ``ValueError`` saying what it could be."""
    matches = choice_matches(spec.choices, text)
    if len(matches) == 1:
        return matches[0]
    shown = text.strip()
    if matches:
        raise ValueError(f"{shown!r} could be {_listing(matches)}; type more of it")
    raise ValueError(f"{shown!r} is none of: {', '.join(spec.choices)}")


def _listing(names: list[str]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


# -- showing a value --------------------------------------------------------------------------------


def form_text(spec: FieldSpec, value: Any, precision: str = "day") -> str:
    """A stored value as the form shows it (dates as precise as they are known)."""
    if value is None:
        return ""
    if spec.kind == "tags":
        return ", ".join(value)
    if spec.kind == "count":
        return "" if value == Count() else str(value)
    if spec.kind == "date":
        day = value.isoformat() if isinstance(value, dt.date) else str(value)
        return day[: {"year": 4, "month": 7}.get(precision, 10)]
    return str(value)


def shown_value(spec: FieldSpec, incident: Incident) -> str:
    """The value of ``spec`` as the detail shows it; empty if there is nothing to show."""
    value = getattr(incident, spec.name)
    if spec.name == "event_type" and value:
        return f"{value}  ({event_type_of(value)})"
    if spec.name == "date":
        return f"{incident.date_label()}  (precision: {incident.date_precision})"
    if spec.name in ("date_precision", "date_end", "attribution_by"):
        return ""  # part of the date's line, or of the attribution's
    if spec.name == "attribution" and incident.attribution_by:
        return f"{value} by {incident.attribution_by}"
    if spec.kind == "count":
        if spec.name in ("killed", "injured"):
            claimed = list(dict.fromkeys(str(count) for source in incident.sources
                                         if (count := getattr(source, spec.name)) is not None))
            if claimed and claimed != [str(value)]:  # said only where the sources disagree
                return f"{value}  · sources: {', '.join(claimed)}"
            return str(value)
        return "" if value == Count() else str(value)  # a part nobody gave: not shown
    if spec.kind == "tags":
        return ", ".join(value)
    if value is None:
        return ""
    return str(value)


def record_text(spec: FieldSpec, record: Mapping[str, Any]) -> str:
    """What a stored record (valid or not) holds for ``spec``, as text for the form."""
    value = record.get(spec.name)
    if value is None:
        return ""
    if spec.kind == "tags" and isinstance(value, list):
        return ", ".join(map(str, value))
    if spec.kind == "count" and isinstance(value, Mapping):
        try:
            return form_text(spec, Count.model_validate(value))
        except ValueError:
            return ""
    return value if isinstance(value, str) else str(value)


def source_part_text(name: str, value: Any) -> str:
    """What a stored source (valid or not) holds for its part ``name``, as text for the form."""
    if value is None:
        return ""
    if name in SOURCE_COUNTS and isinstance(value, Mapping):
        try:
            return str(Count.model_validate(value))
        except ValueError:
            return str(dict(value))
    return value if isinstance(value, str) else str(value)
