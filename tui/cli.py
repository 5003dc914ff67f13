"""The ``incident-journal`` command line: every data operation, without the app.

Errors are one line each on stderr, naming the option or field and the problem; exit status
2 means bad input, 1 a failure. Nothing is written unless the whole input is valid.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import shlex
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import click
import platformdirs
from pydantic import ValidationError

from store import (
    AmbiguousId,
    IncidentFields,
    IncidentFilter,
    IncidentNotFound,
    InvalidIncident,
    Journal,
    JournalError,
    JournalUnreadable,
)
from store.author import ENV_AUTHOR, BadAuthor, check_author
from store.errors import FieldProblem, field_problems
from store.exchange import (
    CSV_FORMATS,
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    SUFFIXES,
    ImportPlan,
    ImportRejected,
    atomic_file,
    export_bytes,
    export_file,
    export_target_problem,
    guess_format,
    incident_json,
    incidents_to_json,
    open_source,
    plan_import,
)
from store.exchange.batch import clip
from store.fields import BY_NAME, FIELDS, FieldSpec, resolve_choice
from store.geo import CREDIT, Place, distance_km, gazetteer, group_spellings, region_names
from store.models import CASUALTY_STATUSES, GroupFields, Incident, range_across
from store.place_fill import PlaceLookup, needs_place, place_finder, shown
from store.recovery import backup_report
from store.seeds import seed_groups, seed_incidents
from store.text import printable
from tui import plain

PROG = "incident-journal"
ENV_JOURNAL = "INCIDENT_JOURNAL"

#: Model field -> the option a person typed it with, so errors name what they can fix.
OPTION_FOR_FIELD = {spec.name: spec.cli_option for spec in FIELDS}


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` (to stderr with ``err``); every output line of the CLI goes through here.

    Whatever a record, a file or an error holds, control characters reach the terminal only as
    escapes (``\\x1b``): a journal shared or edited by hand cannot clear the screen, set the
    title or write the clipboard.
    """
    click.echo(printable(message, multiline=True), err=err, nl=nl)


class InputError(click.ClickException):
    """Bad input: exit status 2."""

    exit_code = 2

    def __init__(self, *lines: str):
        self.lines = [line for line in lines if line]
        super().__init__(self.lines[0] if self.lines else "bad input")


class Failure(click.ClickException):
    """The input was fine but the operation failed: exit status 1."""

    exit_code = 1


def default_journal_path() -> Path:
    return Path(platformdirs.user_data_dir(PROG, appauthor=False)) / "journal.json"


def _problem_line(problem: FieldProblem) -> str:
    head, _, rest = problem.field.partition(".")
    option = OPTION_FOR_FIELD.get(head)
    if option is None:
        return str(problem)
    if head == "sources" and rest:
        number, _, sub = rest.partition(".")
        where = f"--source #{int(number) + 1}" if number.isdigit() else option
        return f"{where}{' ' + sub if sub else ''}: {problem.message}"
    if head in ("killed", "injured") and rest:
        return f"{option}: {problem.message}"
    return f"{option}: {problem.message}"


# -- options shared by add and edit --------------------------------------------------------


def _choice(values: tuple[str, ...]) -> click.Choice:
    return click.Choice(values, case_sensitive=False)


def _option_settings(spec: FieldSpec) -> dict[str, Any]:
    """A ``FieldSpec`` as a click option: its type, help and whether it repeats."""
    settings: dict[str, Any] = {"help": spec.cli_help or spec.help}
    if spec.kind == "number":
        settings["type"] = float
    elif spec.kind == "integer":
        settings["type"] = int
    elif spec.kind in ("sources", "tags"):
        settings["multiple"] = True
    if spec.kind == "sources":
        settings["metavar"] = SOURCE_METAVAR
    elif spec.kind == "choice":
        settings["metavar"] = "CHOICE"
        if len(spec.choices) <= 10:
            settings["help"] = f"{spec.help} One of {', '.join(spec.choices)}; a unique start is enough."
    return settings


#: What ``add`` needs that a place looked up fills (``--place`` without ``--no-lookup``).
FILLED_BY_PLACE = ("region", "country")
#: What ``add`` needs in any case (click refuses the command without them).
REQUIRED_FOR_ADD = {spec.name for spec in FIELDS if spec.required} - set(FILLED_BY_PLACE)
#: ``add``'s help for the fields a place fills.
ADD_NOTES = {
    "region": "Required, unless --place names a place the gazetteer knows (then it fills it).",
    "country": "Required, unless --place names a place the gazetteer knows (then it fills it).",
    "place": "Looked up in the gazetteer (any spelling, Latin or Cyrillic): it fills region, country "
    "and coordinates not given; --no-lookup does not.",
}
EDIT_NOTES = {
    "place": "Looked up in the gazetteer: it fills coordinates (and region, country) the incident does not "
    "have; --no-lookup does not.",
}


def incident_options(
    required: set[str], notes: dict[str, str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of ``add`` and ``edit``, one per field of ``store.fields.FIELDS``; ``notes``
    adds to a field's help."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for spec in reversed(FIELDS):
            settings = _option_settings(spec)
            if notes and spec.name in notes:
                settings["help"] = f"{settings['help']} {notes[spec.name]}"
            command = click.option(spec.cli_option, spec.name, required=spec.name in required, **settings)(command)
        return command

    return decorate


#: The parts of ``--source``: where it came from, then what it claimed (each optional but the outlet).
SOURCE_OPTION_PARTS = ("outlet", "url", "kind", "killed", "injured", "blames")
SOURCE_METAVAR = "OUTLET|URL[|KIND[|KILLED|INJURED|BLAMES]]"


def parse_source(text: str) -> dict[str, Any]:
    """``OUTLET|URL|KIND|KILLED|INJURED|BLAMES`` (all but the outlet optional) as a source record:
    where it came from, and what it claimed (its own killed and injured counts, whom it blames)."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) > len(SOURCE_OPTION_PARTS):
        raise ValueError(f"{text!r} has more than {len(SOURCE_OPTION_PARTS)} parts; use {SOURCE_METAVAR}")
    given = dict(zip(SOURCE_OPTION_PARTS, parts, strict=False))
    outlet, url, kind = given.get("outlet"), given.get("url"), given.get("kind")
    if not kind:
        host = urlsplit(url).hostname or "" if url else ""
        kind = "telegram" if host in ("t.me", "telegram.me") else "other"
    source: dict[str, Any] = {"outlet": outlet, "url": url or None, "kind": kind.lower()}
    source.update({name: given[name] for name in ("killed", "injured", "blames") if given.get(name)})
    return source


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The options a person actually gave (empty repeatable options mean 'not given'), with
    each choice written out in full (a unique start of one is enough)."""
    changes = {key: value for key, value in options.items() if value not in (None, ())}
    for name, value in list(changes.items()):
        spec = BY_NAME.get(name)
        if spec is not None and spec.kind == "choice":
            try:
                changes[name] = resolve_choice(spec, value)
            except ValueError as exc:  # named with the model's problems, all at once (``_validated``)
                changes[name] = _BadChoice(f"{spec.cli_option}: {exc}")
    if "sources" in changes:
        sources = []
        for number, text in enumerate(changes["sources"], start=1):
            try:
                sources.append(parse_source(text))
            except ValueError as exc:
                raise InputError(f"--source #{number}: {exc}") from None
        changes["sources"] = sources
    if "tags" in changes:  # one --tag is one tag (the model refuses a space or comma in it)
        changes["tags"] = list(changes["tags"])
    return changes


class _BadChoice(str):
    """A choice option that names no choice: its message, kept to be said with the others."""


def _validated(build: Callable[[dict[str, Any]], Any], given: dict[str, Any]) -> Any:
    """``build(given)``, or every problem of ``given`` on a line of its own (choices first)."""
    bad = [value for value in given.values() if isinstance(value, _BadChoice)]
    usable = {name: value for name, value in given.items() if not isinstance(value, _BadChoice)}
    try:
        built = build(usable)
    except ValidationError as exc:
        raise InputError(*bad, *(_problem_line(problem) for problem in field_problems(exc))) from None
    if bad:
        raise InputError(*bad)
    return built


# -- the journal --------------------------------------------------------------------------


@contextmanager
def open_journal(ctx: click.Context) -> Iterator[Journal]:
    journal = Journal(ctx.obj["journal"], author=ctx.obj.get("author"))
    try:
        yield journal
    finally:
        journal.close()


def with_journal(command: Callable[..., Any]) -> Callable[..., Any]:
    @click.pass_context
    @functools.wraps(command)
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        with open_journal(ctx) as journal:
            return command(journal, *args, **kwargs)

    return wrapper


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--region", help="Only this region (any case, any spelling the region table knows)."),
        click.option(
            "--casualties",
            multiple=True,
            type=_choice(CASUALTY_STATUSES),
            help="Only these casualty statuses; repeatable.",
        ),
        click.option("--search", default="",
                     help="Words to find in title, place, region, summary, outlets, tags "
                          "(a place by any of its names)."),
        click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="From this date (YYYY-MM-DD)."),
        click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Up to this date (YYYY-MM-DD)."),
        click.option("--type", "event_type", help="Only this event type (or a unique start of one)."),
        click.option("--civilians", is_flag=True,
                     help="Only incidents where a civilian, child or woman was killed or injured (at least 1)."),
        click.option("--group", help="Only the incidents of this group (a unique start of its id)."),
        click.option("--author", "author", metavar="NAME",
                     help="Only incidents recorded or last changed by NAME (the whole name, any case)."),
        click.option("--conflicts", is_flag=True,
                     help="Only incidents a sync conflict waits on ('conflicts' lists them, 'resolve' settles one)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_filter(
    region: str | None,
    casualties: tuple[str, ...],
    search: str,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    event_type: str | None,
    civilians: bool = False,
    group: str | None = None,
    journal: Journal | None = None,
    author: str | None = None,
    conflicts: bool = False,
) -> IncidentFilter:
    if search.strip():
        gazetteer()  # read now (a quarter second): a word naming a place then finds its other names too
    if group is not None and journal is not None:
        try:
            group = journal.group(group).id
        except JournalError as exc:
            raise InputError(f"--group: {exc}") from None
    if author is not None and not author.strip():
        raise InputError("--author: give the name of an author (see 'show ID' or 'history ID')")
    try:
        return IncidentFilter(
            region=region,
            casualties=frozenset(status.lower() for status in casualties),
            text=search,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            event_type=event_type,
            civilians=civilians,
            group=group,
            author=author,
            conflicts=conflicts,
            conflict_ids=journal.conflict_ids() if conflicts and journal is not None else frozenset(),
        )
    except ValueError as exc:
        option = "--type" if event_type and "event type" in str(exc) or "could be any" in str(exc) else "--to"
        raise InputError(f"{option}: {exc}") from None


# -- commands -----------------------------------------------------------------------------


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=ENV_JOURNAL,
    show_envvar=True,
    help="The journal file (default: journal.json in your user data folder).",
)
@click.option(
    "--author",
    metavar="NAME",
    help=f"Who the changes are recorded as made by (default: ${ENV_AUTHOR}, else git's user.name, "
    "else the login name).",
)
@click.version_option(
    None, "--version", package_name=PROG, prog_name=PROG, message=f"%(prog)s %(version)s\n{CREDIT}",
    help="Show the version and the credit for the place names, and exit.",
)
@click.pass_context
def cli(ctx: click.Context, journal: Path | None, author: str | None) -> None:
    """Incident Journal: record and browse conflict incidents, offline.

    With no command, opens the journal in the terminal app.
    """
    if author is not None:
        try:
            author = check_author(author, "--author")
        except BadAuthor as exc:
            raise InputError(str(exc)) from None
    ctx.obj = {"journal": journal or default_journal_path(), "author": author}
    if ctx.invoked_subcommand is None:
        open_app(ctx)


def open_app(ctx: click.Context) -> None:
    """Open the journal in the terminal app."""
    from tui.app import JournalApp

    with open_journal(ctx) as journal:
        JournalApp(journal).run()


@cli.command("seed")
@with_journal
def seed_command(journal: Journal) -> None:
    """Add the example incidents from the article the project started from (once)."""
    journal.import_groups(seed_groups())  # (the incidents name them)
    result = journal.import_incidents(seed_incidents())
    if result.added:
        echo(f"added {len(result.added)} example incidents to {journal.path}")
    else:
        echo(f"the {len(result.skipped)} example incidents are already in {journal.path}; nothing added")


NO_LOOKUP_HELP = "Do not look --place up in the gazetteer: fill nothing from it."


@cli.command("add")
@incident_options(REQUIRED_FOR_ADD, ADD_NOTES)
@click.option("--no-lookup", is_flag=True, help=NO_LOOKUP_HELP)
@with_journal
def add_command(journal: Journal, no_lookup: bool = False, **options: Any) -> None:
    """Record a new incident; prints its id.

    --place fills the region, country and coordinates not given from the gazetteer's place of
    that name (and says so on stderr); a name several places bear is refused, listing them:
    pick one with --region or --country, or give --lat/--lon. A name it does not know is kept
    as typed (then --region and --country are needed).
    """
    given = _given(options)
    found = None if no_lookup else _look_up_place(given)
    if found is not None and found.filling is not None:
        given.update(found.filling.values)
    missing = [name for name in FILLED_BY_PLACE if not str(given.get(name) or "").strip()]
    if missing:
        options_missing = " and ".join(OPTION_FOR_FIELD[name] for name in missing)
        it = "them" if len(missing) > 1 else "it"
        if found is not None:
            why = f"; --place cannot fill {it}: {found.reason}"
        elif no_lookup:
            why = " (--no-lookup: --place fills nothing)" if given.get("place") else ""
        else:
            why = f" (or a --place the gazetteer knows, which fills {it})"
        raise InputError(f"{options_missing}: {'are' if len(missing) > 1 else 'is'} required{why}")
    fields = _validated(IncidentFields.model_validate, given)
    incident = journal.add(fields)
    echo(incident.id)
    _tell_place(found)
    _tell_duplicates(journal.possible_duplicates([incident]))


def _look_up_place(fields: dict[str, Any], *, always: bool = False) -> PlaceLookup | None:
    """The place ``fields`` name, looked up when it would fill something, or ``always`` (None if
    not); refused (``InputError`` listing the candidates) when the name is several places'."""
    if not isinstance(fields.get("place"), str) or not fields["place"].strip():
        return None
    if not always and not needs_place(fields):
        return None
    found = place_finder().look_up(fields)
    if found.ambiguous:
        raise InputError(
            f"--place: {found.reason}; pick one with --region (or --country), or give its --lat/--lon "
            "(--no-lookup saves the place as typed, filling nothing):",
            *(f"  {line}" for line in found.candidate_lines()),
        )
    return found


def _tell_place(found: PlaceLookup | None) -> None:
    """On stderr: what a place filled, and the fields given that name another region. A place not
    found (where the fields given need nothing from it) is saved as typed, silently, as before
    places were looked up: a village too small for the gazetteer is no mistake ('places NAME' says
    whether and where it knows a name). A name the gazetteer knows only in another region, or far
    from the coordinates given, is warned about: the place may be mistyped."""
    if found is not None and found.filling is None and found.elsewhere:
        echo(f"{PROG}: warning: --place: {found.reason}", err=True)
    if found is None or found.filling is None:
        return
    described = found.filling.describe()
    if described:
        echo(f"{PROG}: {described}", err=True)
    for conflict in found.filling.describe_conflicts():
        echo(f"{PROG}: warning: {conflict}", err=True)


#: At most this many possible duplicates are named, one per line; the rest are counted.
DUPLICATES_SHOWN = 5


def _tell_duplicates(duplicates: list[Any]) -> None:
    """Each possible duplicate on a line of stderr (a warning: the incident is saved)."""
    for duplicate in duplicates[:DUPLICATES_SHOWN]:
        echo(f"{PROG}: warning: {duplicate}", err=True)
    if len(duplicates) > DUPLICATES_SHOWN:
        echo(f"{PROG}: warning: and {len(duplicates) - DUPLICATES_SHOWN} more possible duplicates", err=True)


@cli.command("edit")
@click.argument("incident_id", metavar="ID")
@incident_options(set(), EDIT_NOTES)
@click.option("--from-sources", is_flag=True,
              help="Set killed and injured to the range the sources' own figures span.")
@click.option("--no-lookup", is_flag=True, help=NO_LOOKUP_HELP)
@with_journal
def edit_command(
    journal: Journal, incident_id: str, from_sources: bool = False, no_lookup: bool = False, **options: Any
) -> None:
    """Change the given fields of an incident; the others stay as they are.

    --source and --tag replace the incident's sources or tags when given. A new --place fills
    what the incident lacks of region, country and coordinates (as for add); what it has stays.
    """
    incident = journal.get(incident_id)
    changes = _given(options)
    found = None
    if "place" in changes and not no_lookup:
        # Looked up even when the incident lacks nothing: a place outside its region, or far from
        # its coordinates, is warned about (they are kept).
        found = _look_up_place({**incident.fields_record(), **changes}, always=True)
        if found is not None and found.filling is not None:
            changes.update(found.filling.values)
    if from_sources:
        given = [option for option, name in (("--killed", "killed"), ("--injured", "injured")) if name in changes]
        if given:
            raise InputError(f"--from-sources sets killed and injured from the sources; give it or {given[0]}, "
                             "not both")
        changes.update(_figures_from_sources(incident, changes))
    if not changes:
        raise InputError("nothing to change: give at least one option, e.g. --killed 2")
    changed = _validated(lambda given: incident.with_changes(**given), changes)
    saved = journal.update(changed)
    echo(f"updated {saved.id} (revision {saved.revision})")
    _tell_place(found)


def _figures_from_sources(incident: Incident, changes: dict[str, Any]) -> dict[str, Any]:
    """Killed and injured as the range across the sources' own figures (the new sources, if
    given); refused when no source gave one."""
    sources = incident.sources
    if "sources" in changes:
        sources = _validated(lambda given: incident.with_changes(**given), {"sources": changes["sources"]}).sources
    figures = {}
    for name in ("killed", "injured"):
        spanned = range_across([count for source in sources if (count := source.claimed(name)) is not None])
        if spanned is not None:
            figures[name] = spanned.model_dump()
    if not figures:
        raise InputError("--from-sources: no source of this incident gives a killed or injured figure; "
                         "give them as --source 'OUTLET|URL|KIND|KILLED|INJURED'")
    return figures


# -- places and regions --------------------------------------------------------------------


def _coordinates(place: Place) -> str:
    return f"{place.latitude:.5f}, {place.longitude:.5f}"


#: ``places QUERY --near``: the places so named (and starting so) measured, the nearest listed.
PLACES_NEAR_READ = 1000


def _parse_near(text: str) -> tuple[float, float]:
    """``LAT,LON`` as two numbers within the globe; ``InputError`` naming --near otherwise."""
    parts = text.replace(";", ",").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        latitude, longitude = (float(part.strip()) for part in parts)
    except ValueError:
        raise InputError(f"--near: {text!r} is not LAT,LON (e.g. 56.85,53.2)") from None
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):  # (nan fails both too)
        raise InputError(f"--near: {text!r} is off the globe: latitude is -90 to 90, longitude -180 to 180")
    return latitude, longitude


@cli.command("places", short_help="Look a place up in the offline gazetteer (GeoNames).")
@click.argument("query", required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="List at most this many places.")
@click.option("--near", metavar="LAT,LON",
              help="Without QUERY: the place nearest these coordinates (within 20 km). With QUERY: its "
                   "places, the nearest first, each with its distance.")
def places_command(query: str | None, limit: int, near: str | None) -> None:
    """Look places up in the offline gazetteer (GeoNames): each match on a line, as the form and
    add --place show it ("Izhevsk — Udmurtia, Russia · 648,213"), then its coordinates.

    QUERY is any of a place's names, Latin or Cyrillic, or the start of one; a Russian or
    Ukrainian phrase ("в Ижевске") works too. Exit status 1 when nothing matches.
    """
    point = _parse_near(near) if near is not None else None
    if query is None or not query.strip():
        if point is None:
            raise InputError("give a QUERY (a place name) or --near LAT,LON")
        found = gazetteer().nearest(*point)
        if found is None:
            raise Failure(f"no place within 20 km of {point[0]}, {point[1]}")
        place, km = found
        echo(f"{place.label()}  ({_coordinates(place)})  {km:,.1f} km away")
        return
    try:  # with --near, every place so named is a candidate: the nearest LIMIT of them are shown
        matches = gazetteer().complete(query, limit=limit if point is None else PLACES_NEAR_READ)
    except UnicodeError:
        matches = []
    if not matches:
        raise Failure(f"no place called {shown(query)} (or starting so) is known")
    if point is None:
        for place in matches:
            echo(f"{place.label()}  ({_coordinates(place)})")
        return
    distances = [(distance_km(*point, place.latitude, place.longitude), place) for place in matches]
    for km, place in sorted(distances, key=lambda item: item[0])[:limit]:
        echo(f"{place.label()}  ({_coordinates(place)})  {km:,.1f} km away")


@cli.group("regions", invoke_without_command=True,
           short_help="Every region and its count; flags spellings of one region.")
@click.pass_context
def regions_command(ctx: click.Context) -> None:
    """Every region the journal's incidents name, with how many each; spellings that name one
    region (by the gazetteer: "Udmurt Republic" and "Удмуртия" are Udmurtia; or that differ
    only in case) are flagged, each with the 'regions rename' that merges it."""
    if ctx.invoked_subcommand is not None:
        return
    with open_journal(ctx) as journal:
        counts = journal.row_regions()
    if not counts:
        echo("no incidents, so no regions", err=True)
        return
    groups = group_spellings(counts, region_names())
    width = max(len(printable(group.name)) for group in groups)  # as shown: a control character as its escape
    number_width = max(len(f"{group.count:,}") for group in groups)
    split = 0
    for group in groups:
        line = f"{printable(group.name):<{width}}  {group.count:>{number_width},}"
        if not group.split:
            echo(line)
            continue
        split += 1
        spellings = ", ".join(f"{spelling} ({count:,})" for spelling, count in group.spellings)
        ways = f"spelt {len(group.spellings)} ways" if len(group.spellings) > 1 else "spelt"
        echo(f"{line}  {ways}: {spellings}")
        for spelling, _ in group.spellings:
            if spelling == group.name:
                continue
            if printable(spelling) != spelling:  # shown escaped: a command as printed would not name it
                echo(f"{'':<{width + number_width + 4}}({printable(spelling)} holds characters a terminal "
                     "cannot show: rename it by hand, or in the app)")
                continue
            echo(f"{'':<{width + number_width + 4}}{PROG} regions rename {shlex.quote(spelling)} "
                 f"{shlex.quote(group.name)}")
    if split:
        echo(f"{_plural(len(groups), 'region')}, {split} spelt other ways too: each 'regions rename' line "
             "above merges one spelling into the region's name", err=True)


@regions_command.command("rename", short_help="Rename region OLD (the exact spelling) to NEW in every incident.")
@click.argument("old")
@click.argument("new")
@with_journal
def regions_rename_command(journal: Journal, old: str, new: str) -> None:
    """Rename region OLD to NEW in every incident, in one save; each changed incident gets a new
    revision, its old one in the history.

    OLD is matched exactly, case and all ('udmurtia' does not rename 'Udmurtia'): rename each
    spelling 'regions' lists on its own.
    """
    counts = dict(journal.row_regions())
    if old not in counts:
        near = _near_spellings(old, counts)
        hint = f"; the journal has {', '.join(near)}" if near else f"; '{PROG} regions' lists them"
        raise InputError(f"OLD: no incident has the region {old!r}{hint}")
    if new.strip() == old:
        raise InputError(f"NEW: {new!r} is the region's name already; nothing to rename")
    try:
        changed = journal.rename_region(old, new)
    except ValueError as exc:
        raise InputError(f"NEW: {exc}") from None
    if not changed:  # (a hand-edited region that is not text, shown as text in the counts)
        raise InputError(f"OLD: no incident's region is the text {old!r}")
    echo(f"renamed {old!r} to {new.strip()!r} in {_plural(len(changed), 'incident')}")


def _near_spellings(spelling: str, counts: dict[str, int]) -> list[str]:
    """The journal's region spellings like ``spelling`` (the same but for case, the same region
    by the gazetteer, or a close spelling), each as 'Name' (N), the most used first."""
    names = region_names()
    key = names.key_of(spelling)
    folded = spelling.casefold()
    like = {other for other in counts if other.casefold() == folded or (key is not None and names.key_of(other) == key)}
    like.update(difflib.get_close_matches(spelling, list(counts), n=5, cutoff=0.75))
    ordered = sorted(like, key=lambda other: (-counts[other], other))[:5]
    return [f"{other!r} ({counts[other]:,})" for other in ordered]


# -- groups of claims ---------------------------------------------------------------------


@cli.group("group")
def group_command() -> None:
    """Groups of claims that belong together (a wave of strikes, one official claim spread over
    regions): each has its own title, date, sources and totals; its incidents name it."""


#: ``group create`` options: the group's fields (a count in the notation, a source as for ``add``).
GROUP_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--title", "title", {"required": True, "help": "What the claims are, in one line."}),
    ("--date", "date", {"help": "When: YYYY-MM-DD, YYYY-MM or YYYY."}),
    ("--summary", "summary", {"help": "Free text."}),
    ("--source", "sources", {"multiple": True, "metavar": SOURCE_METAVAR, "help": "A source; repeatable."}),
    ("--killed", "killed", {"help": "Killed in all, in the count notation (3, 1+, 2-5, ?)."}),
    ("--injured", "injured", {"help": "Injured in all, in the count notation."}),
    ("--launched", "weapons_launched", {"help": "Weapons launched in all."}),
    ("--intercepted", "weapons_intercepted", {"help": "Weapons intercepted in all: 61+ (over 60)."}),
    ("--hit", "weapons_hit", {"help": "Weapons that hit, in all."}),
)
GROUP_OPTION_OF = {name: option for option, name, _ in GROUP_OPTIONS}


def _group_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option, name, settings in reversed(GROUP_OPTIONS):
        command = click.option(option, name, **settings)(command)
    return command


@group_command.command("create")
@_group_options
@with_journal
def group_create_command(journal: Journal, **options: Any) -> None:
    """Record a new group of claims; prints its id."""
    given = {name: value for name, value in options.items() if value not in (None, ())}
    if "sources" in given:
        try:
            given["sources"] = [parse_source(text) for text in given["sources"]]
        except ValueError as exc:
            raise InputError(f"--source: {exc}") from None
    try:
        fields = GroupFields.model_validate(given)
    except ValidationError as exc:
        lines = []
        for problem in field_problems(exc):
            head, _, rest = problem.field.partition(".")
            lines.append(f"{GROUP_OPTION_OF.get(head, head)}{' ' + rest if rest else ''}: {problem.message}")
        raise InputError(*lines) from None
    echo(journal.create_group(fields).id)


@group_command.command("add")
@click.argument("group_id", metavar="GROUP")
@click.argument("incident_ids", metavar="ID...", nargs=-1, required=True)
@with_journal
def group_add_command(journal: Journal, group_id: str, incident_ids: tuple[str, ...]) -> None:
    """Put incidents in a group (an incident is in one group at most: this moves it)."""
    group = journal.group(group_id)
    saved = journal.set_group(incident_ids, group.id)
    echo(f"{len(saved)} incident{'' if len(saved) == 1 else 's'} put in group {group.id[:8]} ({group.title})")


@group_command.command("remove")
@click.argument("incident_ids", metavar="ID...", nargs=-1, required=True)
@with_journal
def group_remove_command(journal: Journal, incident_ids: tuple[str, ...]) -> None:
    """Take incidents out of their group."""
    saved = journal.set_group(incident_ids, None)
    echo(f"{len(saved)} incident{'' if len(saved) == 1 else 's'} taken out of their group")


@group_command.command("delete")
@click.argument("group_id", metavar="GROUP")
@with_journal
def group_delete_command(journal: Journal, group_id: str) -> None:
    """Delete a group; its incidents stay, in no group."""
    group = journal.delete_group(group_id)
    echo(f"deleted group {group.id[:8]} ({group.title})")


@group_command.command("list")
@with_journal
def group_list_command(journal: Journal) -> None:
    """Every group: id, date, how many incidents, title."""
    groups = journal.groups()
    if not groups:
        echo(f"no groups; create one with '{PROG} group create --title ...'", err=True)
    invalid = [problem for problem in journal.group_problems() if problem.startswith(("group ", "a group "))]
    if invalid:
        echo(f"{PROG}: {_plural(len(invalid), 'group record')} not listed: invalid or a second record of one "
             f"id; '{PROG} check' names {'them' if len(invalid) > 1 else 'it'}", err=True)
    for group in groups:
        date = group.date.isoformat() if group.date else "-"
        echo(f"{group.id[:8]}  {date:<10}  {len(journal.group_members(group.id)):>5}  {group.title}")


@group_command.command("show")
@click.argument("group_id", metavar="GROUP")
@with_journal
def group_show_command(journal: Journal, group_id: str) -> None:
    """Show a group: its fields, totals, sources and incidents."""
    for line in plain.group_detail(journal.group(group_id), journal.group_members(journal.group(group_id).id)):
        echo(line)


@cli.command("delete")
@click.argument("incident_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@with_journal
def delete_command(journal: Journal, incident_id: str, yes: bool) -> None:
    """Delete an incident."""
    incident = journal.get(incident_id)
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("refusing to delete without confirmation: add --yes")
        click.confirm(printable(f"Delete {incident.id[:8]} {incident.title!r}?"), abort=True, err=True)
    journal.delete(incident.id)
    echo(f"deleted {incident.id}")


@cli.command("list")
@_filter_options
@click.option("--format", "output", type=_choice(("table", "json")), default="table", show_default=True)
@with_journal
def list_command(journal: Journal, output: str = "table", **filters: Any) -> None:
    """List incidents, newest first."""
    defaults = {"region": None, "casualties": (), "search": "", "date_from": None, "date_to": None, "event_type": None}
    incidents = journal.query(build_filter(**{**defaults, **filters}, journal=journal))
    if output.lower() == "json":
        echo(incidents_to_json(incidents).decode(), nl=False)
    elif not incidents:
        hint = "" if len(journal) else f"; add one with '{PROG} add' or try '{PROG} seed'"
        echo(f"no incidents{' match' if len(journal) else ''}{hint}", err=True)
    else:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        for line in plain.table(incidents, width):
            echo(line)
    bad = journal.bad_records()
    if bad:
        echo(f"{PROG}: {len(bad)} invalid incidents are not shown; run '{PROG} check'", err=True)


@cli.command("show")
@click.argument("incident_id", metavar="ID")
@click.option("--format", "output", type=_choice(("text", "json")), default="text", show_default=True)
@with_journal
def show_command(journal: Journal, incident_id: str, output: str) -> None:
    """Show every field of one incident (a unique start of its id is enough)."""
    incident = journal.get(incident_id)
    if output.lower() == "json":
        import orjson

        echo(orjson.dumps(incident_json(incident), option=orjson.OPT_INDENT_2).decode())
    else:
        for line in plain.detail(incident, *journal.group_of(incident)):
            echo(line)


#: The format ``export`` writes for a file name ending so (without ``--format``; none: json).
EXPORT_SUFFIXES = {suffix: fmt for fmt, suffix in SUFFIXES.items() if fmt != "acled"}  # .csv is our CSV
#: From this many rows on, an import shows a progress bar (on a terminal only).
PROGRESS_FROM = 2_000
#: An import prints at most this many problems, and as many possible duplicates; then how many
#: more there are (``--errors-to FILE`` writes every one).
IMPORT_SHOWN = 50
#: A line an import prints is cut to this many characters (a value could be megabytes long).
LINE_MAX = 2_000


class ProgressBar:
    """A progress line on stderr, only if stderr is a terminal: what is being done, how far, for how long.

    Called as ``bar(done, total)`` (a save) or ``bar.reading(rows, done, total)`` (rows checked,
    bytes read of ``total``, None when unknown, as for standard input). It is shown once the work
    reaches ``PROGRESS_FROM`` rows, and redrawn every half second by a timer even when one step
    (writing a journal of a million incidents) takes a while, so it never looks stuck.
    """

    WIDTH = 30

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.fraction: float | None = None
        self.text = ""
        self.started = time.monotonic()
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        if total >= PROGRESS_FROM:
            self._update(done / total if total else 1.0, f"{done:,}/{total:,}")

    def reading(self, rows: int, done: int, total: int | None) -> None:
        if rows >= PROGRESS_FROM or self.shown:
            self._update(min(done / total, 1.0) if total else None, f"{rows:,} rows")

    def _update(self, fraction: float | None, text: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.fraction, self.text = fraction, text
            self._draw()
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if self.fraction is None:
            bar = ""
        else:
            filled = round(self.fraction * self.WIDTH)
            bar = f" [{'#' * filled}{'-' * (self.WIDTH - filled)}] {self.fraction:4.0%}"
        tail = f"{bar} {self.text} {time.monotonic() - self.started:.0f}s"
        width = shutil.get_terminal_size().columns - 1
        room = max(width - len(tail), 10)
        label = self.label if len(self.label) <= room else self.label[: room - 1] + "…"
        sys.stderr.write("\r" + (label + tail)[:width].ljust(width))
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self.shown:
            with self._lock:
                self._draw()
                sys.stderr.write("\n")
                sys.stderr.flush()
            self.shown = False


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def import_summary(plan: ImportPlan, *, done: bool, added_meanwhile: int = 0) -> str:
    """One line: what was (or would be) imported; ``added_meanwhile``: new rows another program
    added between reading the file and writing (skipped)."""
    verb = "imported" if done else "would import"
    parts = [f"{verb} {_plural(len(plan.new) - added_meanwhile, 'new incident')}"]
    if plan.updates:
        parts[0] += f", {'updated' if done else 'update'} {len(plan.updates)}"
    if plan.unchanged:
        parts.append(f"{len(plan.unchanged)} already in the journal, unchanged")
    if plan.skipped:
        parts.append(f"{len(plan.skipped)} already in the journal, skipped (--update updates them)")
    if added_meanwhile:
        parts.append(f"{added_meanwhile} added meanwhile by another program, skipped")
    if plan.error_count:
        parts.append(f"{_plural(plan.bad_rows, 'invalid row')} skipped")
    if plan.filled_rows:
        parts.append(f"{'filled' if done else 'would fill'} places of {_plural(plan.filled_rows, 'row')}")
    if plan.unplaced_rows:
        they = "they are" if plan.unplaced_rows > 1 else "it is"
        parts.append(f"{_plural(plan.unplaced_rows, 'row')} not placed (named above), left as {they}")
    if plan.duplicate_count:
        rows = f" in {_plural(plan.duplicate_rows, 'row')}" if plan.duplicate_rows != plan.duplicate_count else ""
        parts.append(f"{plan.duplicate_count:,} possible duplicate{'' if plan.duplicate_count == 1 else 's'}{rows}")
    return "; ".join(parts)


def _line(text: str) -> str:
    """One line an import prints: control characters escaped, cut short if very long."""
    return printable(clip(text, LINE_MAX))


def _more(count: int, what: str, errors_to: Path | None) -> str:
    """The line after the first ``IMPORT_SHOWN`` of ``count``: how many more, and where they all are."""
    where = f"all {count:,} are in {errors_to}" if errors_to else "--errors-to FILE writes them all"
    return f"… and {count - IMPORT_SHOWN:,} more {what} ({where})"


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=_choice(IMPORT_FORMATS),
              help="json, csv, acled or geojson (default: from the file's name and first bytes).")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and list the invalid ones.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; write nothing.")
@click.option("--update", is_flag=True, help="Update incidents already in the journal (same id) from the file.")
@click.option("--errors-to", "errors_to", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help=f"Write every problem and warning to FILE, one a line, and each row's possible duplicates "
                   f"(the first few, and how many more) on a line (only the first {IMPORT_SHOWN} are printed).")
@click.option("--fill-places", is_flag=True,
              help="Fill each row's missing region, country and coordinates from its place name, where the "
                   "gazetteer knows one place of that name (within the row's region and country, near its "
                   "coordinates); rows it cannot place are named and left as they are.")
@with_journal
def import_command(
    journal: Journal, file: Path, fmt: str | None, skip_invalid: bool, dry_run: bool, update: bool,
    errors_to: Path | None, fill_places: bool = False,
) -> None:
    """Import incidents from a JSON, CSV, ACLED CSV or GeoJSON file.

    Every row is checked first: if one is bad, nothing is imported (unless --skip-invalid),
    and each bad row is named (the first 50; --errors-to FILE lists all). Incidents already in
    the journal (same id) are skipped unless --update. Possible duplicates (same date and place,
    or a source URL already recorded) are named but imported. A CSV file is read row by row;
    a device is refused, and so is a file over 2 GB (store.limits.MAX_INPUT_BYTES).

    --fill-places fills a row's missing region, country and coordinates from its place name
    before the row is checked (so a place can stand in for a region and country), as add --place
    does; a row whose place it cannot tell (several places of the name, or none) is named and left
    as it is.
    """
    name = "standard input" if str(file) == "-" else str(file)
    if errors_to is not None:
        problem = export_target_problem(errors_to, journal.path)
        if problem:
            raise InputError(f"--errors-to: {problem}")
    try:
        _import(journal, file, name, fmt, skip_invalid=skip_invalid, dry_run=dry_run, update=update,
                errors_to=errors_to, fill_places=fill_places)
    except MemoryError:
        raise Failure(f"not enough memory to import {name}; nothing was imported") from None
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be read; nothing was imported") from None


def _import(
    journal: Journal, file: Path, name: str, fmt: str | None, *, skip_invalid: bool, dry_run: bool, update: bool,
    errors_to: Path | None, fill_places: bool = False,
) -> None:
    """``import_command`` once its options are checked."""
    with open_source(file) as source, atomic_file(errors_to) if errors_to else nullcontext(None) as sink:
        def report(kind: str, row: int, item: object) -> None:
            assert sink is not None
            line = str(item) if kind in ("error", "place") else f"row {row}: {item}"
            sink.write(printable(line).encode("utf-8", "replace") + b"\n")

        fmt = (fmt or guess_format(file, source.head(4096)) or "json").lower()
        progress = ProgressBar(f"checking {file.name if name != 'standard input' else name}")
        try:
            plan = plan_import(journal, source, fmt, name=name, update=update, progress=progress.reading,
                               report=report if sink is not None else None, fill_places=fill_places)
        finally:
            progress.close()
        for warning in plan.warnings:
            if sink is not None:
                sink.write(printable(f"warning: {warning}").encode("utf-8", "replace") + b"\n")
    for warning in plan.warnings:
        click.echo(_line(f"{PROG}: warning: {warning}"), err=True)
    for note in plan.place_notes[:IMPORT_SHOWN]:
        click.echo(_line(f"{PROG}: {note}"), err=True)
    if plan.place_note_count > IMPORT_SHOWN:
        click.echo(f"{PROG}: {_more(plan.place_note_count, 'notes on places', errors_to)}", err=True)
    if plan.error_count and not skip_invalid:
        lines = [_line(str(error)) for error in plan.errors[:IMPORT_SHOWN]]
        if plan.error_count > IMPORT_SHOWN:
            lines.append(_more(plan.error_count, "problems", errors_to))
        raise InputError(*lines, _line(str(plan.rejected())))
    for error in plan.errors[:IMPORT_SHOWN]:
        click.echo(_line(f"{PROG}: skipped {error}"), err=True)
    if plan.error_count > IMPORT_SHOWN:
        click.echo(f"{PROG}: {_more(plan.error_count, 'problems', errors_to)}", err=True)
    _tell_import_duplicates(plan, errors_to)
    added_meanwhile = 0
    if not dry_run and (plan.new or plan.updates):
        count = len(plan.new) + len(plan.updates)
        saving = ProgressBar(f"saving {_plural(count, 'incident')}")
        try:
            result = journal.import_incidents(plan.new.texts, updates=plan.updates, progress=saving, reread=False)
        finally:
            saving.close()
        added_meanwhile = len(result.skipped)
    click.echo(import_summary(plan, done=not dry_run, added_meanwhile=added_meanwhile))


def _tell_import_duplicates(plan: ImportPlan, errors_to: Path | None) -> None:
    """The first possible duplicates of the first rows (a few of each row, then how many more that
    row has), ``IMPORT_SHOWN`` lines at most; then how many more there are in all."""
    row_of = plan.other_rows | {text.id: text.row for text in plan.new.texts} if plan.duplicates else {}
    of_row: dict[str, list[Any]] = {}
    for duplicate in plan.duplicates:
        of_row.setdefault(duplicate.incident_id, []).append(duplicate)
    lines = told = 0
    for incident_id, named in of_row.items():
        more = plan.duplicates_of.get(incident_id, len(named)) - len(named)
        if lines + len(named) + bool(more) > IMPORT_SHOWN:
            break
        for duplicate in named:
            click.echo(_line(f"{PROG}: row {row_of.get(incident_id)}: {duplicate}"), err=True)
        if more:
            tail = f"… and {more:,} more possible duplicate{'' if more == 1 else 's'}"
            click.echo(f"{PROG}: row {row_of.get(incident_id)}: {tail}", err=True)
        lines, told = lines + len(named) + bool(more), told + len(named) + more
    if plan.duplicate_count > told:
        where = f"all {plan.duplicate_count:,} are in {errors_to}" if errors_to else "--errors-to FILE writes them all"
        click.echo(f"{PROG}: … and {plan.duplicate_count - told:,} more possible duplicates ({where})", err=True)


@cli.command("export")
@_filter_options
@click.option("--format", "fmt", type=_choice(EXPORT_FORMATS),
              help="json, csv, acled or geojson (default: from -o's name: .json, .csv, .geojson; json without one).")
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default="-", show_default=True, help="The file to write ('-' for standard output).")
@click.option("--excel", is_flag=True, help="Start a CSV with a byte-order mark, so Excel reads it as UTF-8.")
@with_journal
def export_command(journal: Journal, fmt: str | None, target: Path, excel: bool, **filters: Any) -> None:
    """Export incidents (with the list's filters) as JSON, CSV, ACLED CSV or GeoJSON."""
    to_stdout = str(target) == "-"
    if fmt is None and not to_stdout and target.suffix:
        fmt = EXPORT_SUFFIXES.get(target.suffix.lower())
        if fmt is None:
            raise InputError(
                f"-o: cannot tell the format from {target.name!r}; add --format json, csv, acled or geojson"
            )
    fmt = (fmt or "json").lower()
    if excel and fmt not in CSV_FORMATS:
        raise InputError(f"--excel: only for csv and acled, not {fmt}")
    if not to_stdout:
        problem = export_target_problem(target, journal.path)
        if problem:
            raise InputError(f"-o: {problem}")
    incidents = journal.query(build_filter(**filters, journal=journal))
    if to_stdout:
        stream = sys.stdout.buffer
        sys.stdout.flush()
        stream.write(export_bytes(incidents, fmt, excel=excel))
        stream.flush()
    else:
        export_file(incidents, fmt, target, excel=excel)
        echo(f"exported {_plural(len(incidents), 'incident')} to {target} ({fmt})", err=True)
    bad = journal.bad_records(validate=False)
    if bad:
        echo(f"{PROG}: the journal holds {len(bad)} invalid incidents, never exported; "
                   f"'{PROG} check' names them", err=True)


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_journal
def backup_command(journal: Journal, target: Path) -> None:
    """Write the whole journal, with every saved change, to one complete file TARGET.

    Safe while the app or other commands have the journal open: the copy is a TinyDB JSON file
    that needs nothing beside it, and opens as a journal of its own.
    """
    problem = export_target_problem(target, journal.path)
    if problem:
        raise InputError(f"TARGET: {problem}")
    journal.write_copy(target)
    echo(f"wrote {_plural(len(journal), 'incident')} to {target}", err=True)


@cli.command("check")
@click.pass_context
def check_command(ctx: click.Context) -> None:
    """Validate every incident; name each invalid one. Exit status 1 if any is invalid.

    If the journal cannot be opened at all, says why and whether its .bak can replace it.
    """
    path = ctx.obj["journal"]
    try:
        journal = Journal(path)
    except JournalUnreadable as exc:
        echo(f"{PROG}: {exc}", err=True)
        if exc.backup_may_help:
            echo(f"{PROG}: {backup_report(path)}", err=True)
        raise click.exceptions.Exit(1) from None
    with journal:
        _check(journal)


def _check(journal: Journal) -> None:
    mended = journal.file_problems
    for problem in mended:
        echo(f"{journal.path}: {problem}")
    bad = journal.bad_records()
    for record in bad:
        echo(str(record))
    group_problems = journal.group_problems()
    for problem in group_problems:
        echo(problem)
    if mended:
        echo(f"{journal.path} holds {_plural(len(mended), 'key')} more than once (named above); every "
             "record is kept, and the next save writes each under a key of its own", err=True)
    if bad:
        echo(f"{len(bad)} of {len(journal)} incidents in {journal.path} are invalid", err=True)
    if group_problems:
        echo(f"{_plural(len(group_problems), 'problem')} with the groups of claims in {journal.path} (named above)",
             err=True)
    if bad or mended or group_problems:
        raise click.exceptions.Exit(1)
    groups = len(journal.groups())
    and_groups = f" and {_plural(groups, 'group')}" if groups else ""
    echo(f"{len(journal)} incidents{and_groups} in {journal.path}, all valid")


@cli.command("history")
@click.argument("incident_id", metavar="ID")
@with_journal
def history_command(journal: Journal, incident_id: str) -> None:
    """Show what happened to an incident, deleted ones included: each revision's changes."""
    steps = journal.history(incident_id)
    if not steps:
        echo("no changes since it was recorded")
    for step in steps:
        echo(step.headline())
        for change in step.changes:
            echo(f"  {change.field}: {change.old} → {change.new}")


@cli.command("restore")
@click.argument("incident_id", metavar="ID")
@with_journal
def restore_command(journal: Journal, incident_id: str) -> None:
    """Bring back a deleted incident, as it was when it was deleted."""
    incident = journal.restore(incident_id)
    if incident is None:
        echo(f"restored {incident_id}, as it was: invalid; '{PROG} check' says what to fix")
    else:
        echo(f"restored {incident.id} (revision {incident.revision}): {incident.title}")


@cli.command("deleted")
@with_journal
def deleted_command(journal: Journal) -> None:
    """List the deleted incidents that 'restore' can bring back."""
    entries = journal.deleted()
    if not entries:
        echo("no deleted incidents", err=True)
    for entry in entries:
        title = (entry.record or {}).get("title", "")
        echo(f"{entry.incident_id[:8]}  deleted {entry.at:%Y-%m-%d %H:%M} UTC  {title}")


# -- entry point --------------------------------------------------------------------------


def _error_lines(exc: BaseException) -> tuple[list[str], int]:
    if isinstance(exc, InputError):
        return exc.lines, 2
    if isinstance(exc, click.ClickException):
        message = exc.format_message()
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError) and ctx is not None:
            message += f" (see '{ctx.command_path} --help')"
        return [message], exc.exit_code
    if isinstance(exc, ImportRejected):
        return [*(str(error) for error in exc.errors), str(exc)], 2
    if isinstance(exc, InvalidIncident):  # a stored record, not what was typed: name the fields
        subject = exc.subject or "the stored incident"
        return [f"{subject} is invalid: {problem}" for problem in exc.problems], 1
    if isinstance(exc, (IncidentNotFound, AmbiguousId, BadAuthor)):
        return [str(exc)], 2
    if isinstance(exc, JournalUnreadable):
        return [f"{exc}; '{PROG} check' tells how to recover" if exc.backup_may_help else str(exc)], 1
    if isinstance(exc, JournalError):
        return [str(exc)], 1
    raise exc


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; never shows a traceback for an error a user can meet."""
    try:
        status = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Abort:
        echo(f"{PROG}: cancelled", err=True)
        status = 1
    except (click.ClickException, JournalError) as exc:
        lines, status = _error_lines(exc)
        for line in lines:
            echo(f"{PROG}: {line}", err=True)
    except KeyboardInterrupt:
        echo(f"{PROG}: interrupted", err=True)
        status = 130
    except MemoryError:
        echo(f"{PROG}: out of memory; nothing was saved (is the input far larger than it should be?)", err=True)
        status = 1
    except RecursionError:
        echo(f"{PROG}: the input is nested too deeply to be read; nothing was saved", err=True)
        status = 1
    except BrokenPipeError:
        sys.stderr.close()
        status = 1
    sys.exit(status if isinstance(status, int) else 0)


# The team commands (sync, merge, conflicts, resolve) register themselves on ``cli``.
from tui import cli_sync  # noqa: E402, F401
