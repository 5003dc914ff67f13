"""``EditScreen``: the form for a new incident, an edit, a fix, or a new one from another.

The form is built from ``store.fields.FIELDS``, in its groups (What, When, Where, Who,
Casualties, Sources, Notes). It is built once, while the list is idle, and then reused: opening
it only fills in values, so it takes keys at once, and the keys typed while it opens land in
its first field (``tui.keys`` holds them until it is ready).

``ctrl+s`` validates the whole form through the model: each invalid field shows its message
beside it and nothing is written until every field is valid. Only the fields a person changed
are applied to an existing incident; everything else is saved exactly as it was. ``ctrl+n``
saves and starts the next incident at once.

Places (``store.geo``, read in a thread as the form opens): typing in Place lists the places it
may name under it; ``↓``/``↑`` and ``Enter`` choose one, which fills region, country, coordinates
and geo precision where they are empty (``store.geo.fill_from_place``) and says so beside Place;
a region or country typed that names another region is replaced only if the person says yes.
Coordinates typed offer the nearest place within 20 km; ``Enter`` in them takes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static

from store import BadRecord, Incident, IncidentFields, JournalError
from store.counts import Count
from store.errors import FieldProblem, field_problems
from store.fields import (
    BY_NAME,
    COPIED_TO_NEW,
    DEFAULTS,
    FIELD_NAMES,
    FIELDS,
    GROUPS,
    SOURCE_KIND,
    FieldSpec,
    form_text,
    in_group,
    record_text,
    resolve_choice,
    source_part_text,
)
from store.geo import FILLED_FIELDS, Filling, Place, fill_from_place, fold
from store.models import range_across, utc_now
from store.text import printable
from tui.keys import OrderedKeysApp
from tui.screens.base import JournalScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.form_fields import ChoiceInput, FieldInput, FieldTextArea, ValuesSuggester
from tui.widgets.place_suggestions import (
    SUGGESTED,
    NearestPlace,
    PlaceInput,
    PlacesReady,
    PlaceSuggestions,
    load_places,
    places,
)
from tui.widgets.sources_editor import SOURCE_FIELDS, SourcesEditor, form_sources

_PARTIAL_DATE = {re.compile(r"^\s*\d{4}\s*$"): "year", re.compile(r"^\s*\d{4}-\d{1,2}\s*$"): "month"}
_FULL_DATE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")
#: How far (km) from the coordinates typed a place is offered.
NEAREST_WITHIN_KM = 20.0
COORDINATES = ("latitude", "longitude")
#: Seconds the keys after an Enter in the coordinates may wait for the gazetteer (read in about
#: 0.3 s as the form opens): only a failed read comes near it.
KEYS_WAIT_FOR_PLACES = 5.0


# -- what the form shows --------------------------------------------------------------------------


def blank_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: "" for name in FIELD_NAMES}
    values.update(DEFAULTS, sources=[])
    return values


def form_values(incident: Incident | None) -> dict[str, Any]:
    """What the form shows for ``incident`` (or a new one): text for every field."""
    if incident is None:
        return blank_values()
    values: dict[str, Any] = {}
    for spec in FIELDS:
        value = getattr(incident, spec.name)
        if spec.kind == "sources":
            values[spec.name] = form_sources(value)
        else:
            values[spec.name] = form_text(spec, value, incident.date_precision)
    if incident.date_end is not None:  # the end is shown as precise as the start
        values["date_end"] = form_text(BY_NAME["date_end"], incident.date_end, incident.date_precision)
    return values


def values_from(template: Incident) -> dict[str, Any]:
    """A new incident from ``template``: where, when, what and who, and its sources; no title
    and no counts (a wave of strikes is recorded as several incidents)."""
    copied = form_values(template)
    values = blank_values()
    values.update({name: copied[name] for name in COPIED_TO_NEW})
    return values


def raw_form_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored record that is not valid: each value as best it can."""
    values = blank_values()
    for spec in FIELDS:
        if spec.kind == "sources":
            sources = record.get("sources")
            values["sources"] = [
                {key: source_part_text(key, source.get(key)) for key in SOURCE_FIELDS}
                for source in (sources if isinstance(sources, list) else [])
                if isinstance(source, dict)
            ]
        elif spec.name in record:
            text = record_text(spec, record)
            if spec.kind == "choice" and text not in spec.choices:
                try:
                    text = resolve_choice(spec, text)
                except ValueError:
                    pass  # shown as it is, with the problem marked beside it
            values[spec.name] = text
    return values


def system_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The store's own fields of a stored record, made valid where they are not."""
    now = utc_now()
    revision = record.get("revision")
    fields: dict[str, Any] = {
        "id": record.get("id"),
        "revision": revision if isinstance(revision, int) and not isinstance(revision, bool) and revision >= 1 else 1,
    }
    for name in ("created_at", "updated_at"):
        try:
            fields[name] = dt.datetime.fromisoformat(str(record.get(name)))
        except ValueError:
            fields[name] = now
    return fields


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        return text


def model_input(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Form text turned into what the model validates, and the problems found on the way
    (a choice typed that names none or several)."""
    data: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for spec in FIELDS:
        value = values[spec.name]
        if spec.kind == "sources":
            data["sources"] = []
            for number, source in enumerate(value):
                source = {key: text for key, text in source.items() if key != "kind" or text.strip()}
                if source.get("kind"):
                    try:
                        source["kind"] = resolve_choice(SOURCE_KIND, source["kind"])
                    except ValueError as exc:
                        problems.append(FieldProblem(f"sources.{number}.kind", str(exc)))
                data["sources"].append(source)
        elif spec.kind in ("text", "tags"):
            data[spec.name] = value
        elif not value.strip():
            if spec.name in DEFAULTS:
                data[spec.name] = DEFAULTS[spec.name]
            elif spec.required:
                data[spec.name] = value
            else:
                data[spec.name] = None
        elif spec.kind == "choice":
            try:
                data[spec.name] = resolve_choice(spec, value)
            except ValueError as exc:
                problems.append(FieldProblem(spec.name, str(exc)))
        elif spec.kind == "number":
            data[spec.name] = _number(value.strip(), float)
        elif spec.kind == "integer":
            data[spec.name] = _number(value.strip(), int)
        else:
            data[spec.name] = value
    return data, problems


def _widget_id(name: str) -> str:
    return f"f-{name}"


class EditScreen(JournalScreen[Incident | None]):
    """New, edit, fix or new-from-another (see ``load``). Dismisses with the saved incident, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save"),
        Binding("ctrl+n", "save_and_new", "Save + new", id="save_and_new"),
        Binding("ctrl+down", "group(1)", "Next group", id="next_group"),
        Binding("ctrl+up", "group(-1)", "Group back", id="previous_group"),
        Binding("ctrl+o", "add_source", "Add source", id="add_source"),
        Binding("ctrl+r", "remove_source", "Remove source", id="remove_source"),
        Binding("ctrl+f", "figures_from_sources", "Figures from sources", id="from_sources"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    #: The title has the cursor from the start, even while the form is built off screen: a focus
    #: moving from the scroll container on the first opening restyled the whole form.
    AUTO_FOCUS = "#f-title"

    def __init__(self) -> None:
        super().__init__()
        self.incident: Incident | None = None
        self.broken: BadRecord | None = None
        self.template: Incident | None = None
        self.initial: dict[str, Any] = blank_values()
        self._pending: dict[str, Any] | None = None
        #: The coordinate field whose Enter waits for the gazetteer (the keys after it held).
        self._nearest_waited_for: str | None = None
        self._keys_waiting_timer: Timer | None = None
        self._heading = "New incident"
        #: The precision was set by a date typed as YYYY-MM or YYYY (a full date sets it back).
        self._precision_from_date = False
        #: Whether the form shows what ``load`` gave it, so keys may come.
        self.accepts_keys = False
        self._resumed_theme: str | None = None
        self._marks: dict[str, tuple[str, bool]] = {}
        #: Beside Place: what choosing a place filled (said until Place is typed again).
        self._place_note = False
        self._built = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Content(self._heading), id="form-heading")
        yield Static(id="form-duplicates")
        with VerticalScroll(id="form", can_focus=False):  # Tab goes from field to field, never to it
            for group in GROUPS:
                with Vertical(classes="form-group", id=f"group-{group.lower()}") as box:
                    box.border_title = group
                    for spec in in_group(group):
                        yield from self._field(spec)
                        if spec.name == "place":
                            yield PlaceSuggestions(id="place-suggestions")
                        elif spec.name == "longitude":
                            yield NearestPlace(id="nearest-place")
        yield Static(id="form-hint")
        yield Footer(compact=True)

    def _field(self, spec: FieldSpec) -> ComposeResult:
        value = self.initial[spec.name]
        with Horizontal(classes="form-row", id=f"row-{spec.name}"):
            yield Label(spec.label + (" *" if spec.required else ""), classes="form-label")
            if spec.kind == "choice":
                yield ChoiceInput(value, choices=spec.choices, placeholder=self._placeholder(spec),
                                  id=_widget_id(spec.name))
            elif spec.kind == "text":
                yield FieldTextArea(value, id=_widget_id(spec.name))
            elif spec.kind == "sources":
                yield SourcesEditor(value, outlets=self._completer("outlet"), id=_widget_id(spec.name))
            else:
                suggester = ValuesSuggester(self._completer(spec.name)) if spec.suggest else None
                kind = PlaceInput if spec.name == "place" else FieldInput
                yield kind(value, placeholder=self._placeholder(spec), suggester=suggester, id=_widget_id(spec.name))

    @staticmethod
    def _placeholder(spec: FieldSpec) -> str:
        if spec.kind == "choice":
            shown = ", ".join(spec.choices[:4]) + ("…" if len(spec.choices) > 4 else "")
            return f"type a start: {shown}"
        return spec.hint

    def _completer(self, field: str) -> Any:
        return lambda typed: self.journal.suggest(field, typed)

    async def on_mount(self) -> None:
        self.query_one(PlaceInput).suggestions = self.query_one(PlaceSuggestions)
        self._resumed_theme = self.app.theme  # styled as it mounted
        self._built = True  # from here on ``load`` fills the widgets in itself
        if self._pending is not None:
            await self._show(self._pending)
        elif not self.is_current:  # built ahead of its first use: lay it out now, not then
            self.call_after_refresh(self._lay_out_off_screen)

    def _lay_out_off_screen(self) -> None:
        if not self.is_current:
            self._refresh_layout(self.app.size)  # noqa: SLF001 - what showing it would do first

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen it shows again, in case the app's styles
        # changed meanwhile: for the form that is most of the time it takes to open. They
        # change only with the theme; the form restyles itself when that changed.
        theme = self.app.theme
        if self._resumed_theme == theme:
            event.refresh_styles = False
        self._resumed_theme = theme
        super()._on_screen_resume(event)

    # -- what it shows -------------------------------------------------------------------------

    async def load(self, incident: Incident | None = None, *, broken: BadRecord | None = None,
                   template: Incident | None = None) -> None:
        """Show a new incident (nothing given), ``incident`` to edit, the invalid record ``broken``
        to fix, or a new incident from ``template``. Taken as unchanged: what it shows now."""
        self.incident, self.broken, self.template = incident, broken, template
        if broken is not None:
            values = raw_form_values(broken.record)
            self._heading = f"Fix invalid incident {broken.id}"
        elif incident is not None:
            values = form_values(incident)
            self._heading = f"Edit: {incident.title}"
        elif template is not None:
            values = values_from(template)
            self._heading = f"New incident, from \u201c{template.title}\u201d"
        else:
            values = blank_values()
            self._heading = "New incident"
        if not self._built:  # shown by ``on_mount``, once the widgets are there
            self._pending = values
            return
        await self._show(values)

    async def _show(self, values: dict[str, Any]) -> None:
        self.accepts_keys = False
        self._pending = None
        for spec in FIELDS:
            widget = self.query_one(f"#{_widget_id(spec.name)}")
            if isinstance(widget, FieldInput):
                widget.load(values[spec.name])
            elif isinstance(widget, FieldTextArea):
                widget.load(values[spec.name])
            elif isinstance(widget, SourcesEditor):
                await widget.load(values[spec.name])
        heading = Content(printable(self._heading))  # a title, or the id of a hand-edited record
        self.query_one("#form-heading", Static).update(heading, layout=False)  # one line, always
        self.query_one("#form-duplicates", Static).display = False
        self.query_one(PlaceSuggestions).hide()
        self.query_one(NearestPlace).hide()
        self._precision_from_date = False
        self.show_problems(list(self.broken.problems) if self.broken is not None else [], quiet=True)
        # What the widgets show now is the baseline: a field counts as changed only if edited.
        self.initial = self.current_values()
        self.query_one("#form", VerticalScroll).scroll_home(animate=False)
        self.set_focus(self.query_one(f"#{_widget_id('title')}"))
        self._hint_for(self.focused)
        self.accepts_keys = True
        if self.template is not None:
            self._check_duplicates()
        load_places(self)  # in a thread: Place suggests once it is read

    # -- reading the form ------------------------------------------------------------------------

    def current_values(self) -> dict[str, Any]:
        """What each field holds (the characters its escapes stand for, not the escapes)."""
        values: dict[str, Any] = {}
        for spec in FIELDS:
            widget = self.query_one(f"#{_widget_id(spec.name)}")
            if isinstance(widget, FieldInput):
                values[spec.name] = widget.held
            elif isinstance(widget, FieldTextArea):
                values[spec.name] = widget.held
            elif isinstance(widget, SourcesEditor):
                values[spec.name] = widget.values()
        return values

    @property
    def changed_fields(self) -> list[str]:
        values = self.current_values()
        return [name for name in FIELD_NAMES if values[name] != self.initial[name]]

    # -- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        self._save(then_new=False)

    def action_save_and_new(self) -> None:
        self._save(then_new=True)

    def _validated(self) -> IncidentFields | None:
        """The incident the form holds, or None (each problem marked beside its field)."""
        data, problems = model_input(self.current_values())
        fields: IncidentFields | None = None
        try:
            if self.broken is not None:
                fields = Incident.model_validate({**system_fields(self.broken.record), **data})
            elif self.incident is None:
                fields = IncidentFields.model_validate(data)
            else:
                changes = {name: data[name] for name in self.changed_fields if name in data}
                fields = self.incident.with_changes(**changes) if changes else self.incident
        except ValidationError as exc:  # named with a choice that means none, all at once
            named = {problem.field for problem in problems}
            problems += [problem for problem in field_problems(exc) if problem.field not in named]
        if problems or fields is None:
            self.show_problems(problems)
            return None
        return fields

    def _save(self, *, then_new: bool) -> None:
        fields = self._validated()
        if fields is None:
            return
        self.show_problems([], quiet=True)
        if self.incident is not None and fields is self.incident:
            self.notify("Nothing changed; nothing to save.", timeout=3)
            if then_new:
                self.call_later(self.load)
            else:
                self.dismiss(self.incident)
            return
        try:
            saved, duplicates = self.journal_app.save_incident(fields)
        except JournalError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=10)
            return
        self.journal_app.tell_saved(saved, duplicates)
        if then_new:
            self.call_later(self.load)
        else:
            self.dismiss(saved)

    def show_problems(self, problems: list[FieldProblem], *, quiet: bool = False) -> None:
        """Mark each invalid field with its message; clear the marks of the others."""
        by_field: dict[str, list[str]] = {}
        by_source: dict[int, list[str]] = {}
        for problem in problems:
            head, _, rest = problem.field.partition(".")
            if head == "sources" and rest:
                number, _, sub = rest.partition(".")
                if number.isdigit():
                    by_source.setdefault(int(number), []).append(f"{sub or 'source'}: {problem.message}")
                    continue
            by_field.setdefault(head if head in FIELD_NAMES else "title", []).append(problem.message)
        for name in FIELD_NAMES:
            self._mark(name, "; ".join(by_field.get(name, [])))
        self.query_one(SourcesEditor).show_errors(
            {position: "; ".join(messages) for position, messages in by_source.items()}
        )
        count = len(by_field) + len(by_source)
        if count and not quiet:
            self.notify(
                f"{count} field{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention; "
                "each says what is wrong beside it",
                severity="error",
            )
            first = next((name for name in FIELD_NAMES if name in by_field), "sources")
            self.query_one(f"#row-{first}").scroll_visible(animate=False)

    def _mark(self, name: str, message: str, *, note: bool = False) -> None:
        if self._marks.get(name, ("", False)) == (message, note):
            return  # restyling a row costs; most are unchanged
        self._marks[name] = (message, note)
        row = self.query_one(f"#row-{name}")
        row.set_class(bool(message) and not note, "-invalid")
        # The message line under the field exists only while there is something to say:
        # twenty-odd hidden lines would be laid out every time the form opens.
        found = self.query(f"#e-{name}")
        if not message:
            found.remove()
            return
        error = found.first(Static) if found else Static(classes="field-error -shown", id=f"e-{name}")
        error.update(Content(printable(message, multiline=True)))  # may quote what the record holds
        error.set_class(note, "-note")
        if not found:
            row.parent.mount(error, after=row)  # type: ignore[union-attr]

    # -- as a person types -------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if not self.accepts_keys:
            return
        widget = event.input
        if widget.id == _widget_id("date"):
            self._precision_follows(widget.value)
        if isinstance(widget, PlaceInput):
            self._suggest_places()
        elif widget.id in (_widget_id("latitude"), _widget_id("longitude")):
            self._offer_nearest()
        if widget is self.focused:
            self._hint_for(widget)
        if widget.id in (_widget_id("date"), _widget_id("place")) or widget.has_class("s-url"):
            self._check_duplicates()

    def _precision_follows(self, date_text: str) -> None:
        """A date typed as YYYY-MM or YYYY sets the precision; a full date sets it back."""
        precision = self.query_one(f"#{_widget_id('date_precision')}", ChoiceInput)
        for pattern, level in _PARTIAL_DATE.items():
            if pattern.match(date_text):
                precision.load(level)
                self._precision_from_date = True
                return
        if _FULL_DATE.match(date_text) and (self._precision_from_date or precision.value in ("month", "year")):
            precision.load("day")  # the day is known now
            self._precision_from_date = False

    def _check_duplicates(self) -> None:
        """Name the incidents this one may duplicate, as its date and place are typed."""
        values = self.current_values()
        shown = self.query_one("#form-duplicates", Static)
        date = _typed_date(values["date"])
        duplicates = []
        if date is not None:
            urls = [source["url"].strip() for source in values["sources"] if source["url"].strip()]
            own = self.incident.id if self.incident is not None else (self.broken.id if self.broken else None)
            duplicates = self.journal.duplicates_so_far(date, values["place"].strip() or None, urls, own)
        if not duplicates:
            shown.display = False
            return
        lines = [f"\u26a0 {duplicate}" for duplicate in duplicates[:3]]
        if len(duplicates) > 3:
            lines.append(f"  and {len(duplicates) - 3} more")
        shown.update(Content(printable("\n".join(lines), multiline=True)))  # other incidents' titles
        shown.display = True

    # -- places: suggested as Place is typed, the nearest offered for coordinates ------------------

    def _suggest_places(self) -> None:
        """Show the places the Place field's text may name (once the gazetteer is read)."""
        field = self.query_one(PlaceInput)
        box = self.query_one(PlaceSuggestions)
        typed = field.value.strip()
        if self._place_note:  # what the last choice filled is said until Place is typed again
            self._mark("place", "")
            self._place_note = False
        if not typed or not field.has_focus:
            box.hide()
            return
        gazetteer = places()
        if gazetteer is None:
            box.hide()
            load_places(self)  # under way since the form opened, unless it failed
            return
        app = self.app
        if isinstance(app, OrderedKeysApp) and app.text_key_held():
            return  # typed on at once: only the last text's places are ever seen (or chosen)
        box.offer(gazetteer.complete(typed, limit=SUGGESTED))

    def _coordinates(self) -> tuple[float, float] | None:
        """The latitude and longitude typed, if both are numbers on the globe."""
        try:
            latitude = float(self.query_one(f"#{_widget_id('latitude')}", FieldInput).value)
            longitude = float(self.query_one(f"#{_widget_id('longitude')}", FieldInput).value)
        except ValueError:
            return None
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return latitude, longitude
        return None

    def _offer_nearest(self) -> None:
        """Offer the place nearest to the coordinates typed, while the cursor is in them."""
        shown = self.query_one(NearestPlace)
        spec = self._spec_of(self.focused)
        coordinates = self._coordinates()
        gazetteer = places()
        in_coordinates = spec is not None and spec.name in COORDINATES
        if not in_coordinates or coordinates is None or gazetteer is None:
            shown.hide()
        else:
            found = gazetteer.nearest(*coordinates, within_km=NEAREST_WITHIN_KM)
            shown.offer(found, within_km=NEAREST_WITHIN_KM)

    @on(PlacesReady)
    def _places_read(self, event: PlacesReady) -> None:
        """What waited for the gazetteer: the suggestions for Place, the nearest place, and an
        Enter in the coordinates typed before it was read (the keys after it held meanwhile)."""
        if self._nearest_waited_for is not None:
            self._take_nearest_waited_for()
        if not self.accepts_keys:
            return
        self._suggest_places()
        self._offer_nearest()

    def _take_nearest_waited_for(self) -> None:
        """Take the nearest place for the Enter that waited for the gazetteer, and let the keys
        typed after it go (``ctrl+s`` right behind it saves what it filled)."""
        self._nearest_waited_for = None
        if self._keys_waiting_timer is not None:
            self._keys_waiting_timer.stop()
            self._keys_waiting_timer = None
        self._offer_nearest()
        self._take_nearest()
        self.accepts_keys = True
        self._hint_for(self.focused)

    @on(PlaceInput.Chosen)
    def _place_chosen(self, event: PlaceInput.Chosen) -> None:
        event.stop()
        self.query_one(PlaceSuggestions).hide()
        place = event.place
        field = event.field
        gazetteer = places()
        typed = field.value.strip()
        # What was typed is kept if it is a name of the place as written ("Odessa", "Одеса"); a
        # start of a name ("Izh") or a form a sentence put it in ("в Ижевске") becomes its name.
        other_name = not fold(place.name).startswith(fold(typed)) and (
            gazetteer is not None and fold(typed) in {fold(name) for name in gazetteer.names_of(place)}
        )
        self._fill_from(place, "place", set_place=None if other_name else place.name)
        self._hint_for(self.focused)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in the coordinates takes the nearest place offered."""
        spec = self._spec_of(event.input)
        if spec is None or spec.name not in COORDINATES:
            return
        event.stop()
        if places() is None and self._coordinates() is not None:
            # Typed before the gazetteer was read: the keys after this one wait for it (at most
            # KEYS_WAIT_FOR_PLACES seconds), so that a save right behind takes what it fills.
            self._nearest_waited_for = spec.name
            self.accepts_keys = False
            self._keys_waiting_timer = self.set_timer(KEYS_WAIT_FOR_PLACES, self._give_up_waiting_for_places)
            load_places(self)
            return
        self._take_nearest()

    def _give_up_waiting_for_places(self) -> None:
        """The gazetteer was not read in time (it failed): the keys go on, nothing taken."""
        self._keys_waiting_timer = None
        if self._nearest_waited_for is not None:
            self._nearest_waited_for = None
            self.accepts_keys = True

    def _take_nearest(self) -> None:
        """Take the nearest place offered for the coordinates: its name if Place is empty, its
        region and country where empty."""
        spec = self._spec_of(self.focused)
        offered = self.query_one(NearestPlace).offered
        if offered is None or spec is None:
            return
        place = offered[0]
        empty_place = not self.query_one(PlaceInput).value.strip()
        self.query_one(NearestPlace).hide()  # taken: offered again when the coordinates change
        self._fill_from(place, spec.name, set_place=place.name if empty_place else None)

    def _fill_from(self, place: Place, beside: str, *, set_place: str | None) -> None:
        """Fill what ``place`` fills (``store.geo.fill_from_place``: region, country, coordinates
        and their precision where empty), set Place to ``set_place`` if given, say so beside the
        field ``beside``, and ask before replacing a region or country typed that names another."""
        gazetteer = places()
        if gazetteer is None:
            return
        current = self.current_values()
        filling = fill_from_place(place, current, gazetteer.regions)
        for name, value in filling.values.items():
            self._load_field(name, value)
        said = []
        if set_place is not None and set_place != current["place"]:
            self._load_field("place", set_place)
            said.append(f"place {set_place}")
            self._check_duplicates()
        described = filling.describe()
        if said:
            described = (f"filled {', '.join(said)}, " + described.removeprefix("filled ")) if described else (
                f"filled {', '.join(said)} from {place.label()}"
            )
        if not described:
            described = f"{place.label()}: region, country and coordinates were given already; nothing filled"
        self._say_filled(beside, described)
        if filling.conflicts:
            self._ask_to_replace(filling, beside, described)

    def _load_field(self, name: str, value: Any) -> None:
        widget = self.query_one(f"#{_widget_id(name)}", FieldInput)
        widget.load(form_text(BY_NAME[name], value))

    def _say_filled(self, beside: str, text: str) -> None:
        self._mark(beside, text, note=True)
        self._place_note = beside == "place"

    def _ask_to_replace(self, filling: Filling, beside: str, said: str) -> None:
        """Ask whether to replace the region or country typed with the place's own."""
        place = filling.place
        conflicts = {name: filling.conflicts[name] for name in FILLED_FIELDS if name in filling.conflicts}
        lines = [f"{name}: {given} → {theirs}" for name, (given, theirs) in conflicts.items()]
        names = " and ".join(conflicts)

        def answered(replace: bool | None) -> None:
            if replace:
                for name, (_, theirs) in conflicts.items():
                    self._load_field(name, theirs)
                replaced = ", ".join(f"{name} {given} with {theirs}" for name, (given, theirs) in conflicts.items())
                self._say_filled(beside, f"{said}; replaced {replaced}")
            else:
                kept = "; ".join(filling.describe_conflicts())
                self._say_filled(beside, f"{said}; {kept}")

        question = f"{place.name} is in {', '.join(part for part in (place.region, place.country) if part)}. " \
            f"Replace the {names} you typed?"
        self.app.push_screen(ConfirmScreen(question, "\n".join(lines)), answered)

    @on(FieldInput.Note)
    def _field_note(self, event: FieldInput.Note) -> None:
        spec = self._spec_of(event.field)
        if spec is not None:
            self._mark(spec.name, event.text, note=True)
        else:
            self.notify(event.text, timeout=4, markup=False)

    def on_descendant_focus(self, event: Any) -> None:
        focused = self.focused
        if not isinstance(focused, PlaceInput):
            self.query_one(PlaceSuggestions).hide()
        self._offer_nearest()  # shown while the cursor is in the coordinates
        self._hint_for(focused)

    def _spec_of(self, widget: Widget | None) -> FieldSpec | None:
        if widget is None or not widget.id or not widget.id.startswith("f-"):
            return None
        return BY_NAME.get(widget.id[2:])

    def _hint_for(self, widget: Widget | None) -> None:
        """The hint line: what the focused field takes; for a choice, what the text matches."""
        hint = self.query_one("#form-hint", Static)
        spec = self._spec_of(widget)
        text = spec.help if spec is not None else ""
        if isinstance(widget, ChoiceInput):
            choices = widget.choices
            matches = widget.matches()
            label = spec.label if spec is not None else "Choice"
            if not widget.value.strip():
                text = f"{label}: type a start or a word of one of: {', '.join(choices)}  (↑ ↓ step through them)"
            elif len(matches) == 1:
                text = f"{label}: {widget.value.strip()} \u2192 {matches[0]}  (Tab takes it)"
            elif matches:
                text = f"{label}: {widget.value.strip()} could be {len(matches)}: {', '.join(matches)}"
            else:
                text = f"{label}: nothing starts so; the choices: {', '.join(choices)}"
        elif isinstance(widget, PlaceInput):
            if self.query_one(PlaceSuggestions).showing:
                text = ("Place: ↓ ↑ mark one of the places below, Enter fills its region, country and "
                        "coordinates where empty (Esc hides them). Tab takes the grey completion.")
            elif places() is None and widget.value.strip():
                text = "Place: town or village. (Reading the place names; the matches show in a moment.)"
            else:
                text = "Place: town or village; the places it may name show below as you type."
        elif spec is not None and spec.name in COORDINATES and self.query_one(NearestPlace).offered is not None:
            text = f"{spec.help} Enter takes the nearest place: its name if Place is empty, its region and country."
        elif widget is not None and widget.has_class("s-published"):
            text = "When the source published it: YYYY-MM-DD."
        elif widget is not None and widget.has_class("s-url"):
            text = "The source's address, https://…"
        elif widget is not None and widget.has_class("s-outlet"):
            text = "Who reported or said it: an outlet, channel or official. ctrl+o adds another source."
        # Two lines, always: no layout of the whole form per key. The text may quote the field's.
        hint.update(Content(printable(text, multiline=True)), layout=False)

    # -- moving around --------------------------------------------------------------------------

    def _group_of(self, widget: Widget | None) -> int:
        node: DOMNode | None = widget
        while node is not None:
            if node.has_class("form-group") and node.id:
                return GROUPS.index(node.id.removeprefix("group-").title())
            node = node.parent
        return -1

    def action_group(self, step: int) -> None:
        """Jump to the first field of the next (or previous) group."""
        current = self._group_of(self.focused)
        target = min(max(current + step, 0), len(GROUPS) - 1) if current >= 0 else 0
        box = self.query_one(f"#group-{GROUPS[target].lower()}")
        first = next((widget for widget in box.query("*") if widget.focusable), None)
        if first is None:  # sources with none yet: nothing to type in but ctrl+o
            self.notify("No sources yet: ctrl+o adds one.", timeout=3)
            return
        self.set_focus(first)
        box.scroll_visible(animate=False)

    async def action_add_source(self) -> None:
        outlet = await self.query_one(SourcesEditor).add_row()
        self.set_focus(outlet)

    def action_figures_from_sources(self) -> None:
        """Killed and injured set to the range the sources' own figures span (as typed)."""
        sources = self.query_one(SourcesEditor).values()
        said = []
        for name in ("killed", "injured"):
            counts = []
            for source in sources:
                with contextlib.suppress(ValueError):
                    if source.get(name, "").strip():
                        counts.append(Count.parse(source[name]))
            spanned = range_across(counts)
            if spanned is not None:
                self.query_one(f"#{_widget_id(name)}", FieldInput).load(str(spanned))
                said.append(f"{name} {spanned}")
        if said:
            self.notify(f"From the sources: {', '.join(said)}.", timeout=3, markup=False)
        else:
            self.notify("No source gives a killed or injured figure yet (below each source's quote).", timeout=3)

    def action_remove_source(self) -> None:
        editor = self.query_one(SourcesEditor)
        row = editor.row_of(self.focused)
        if row is None:
            self.notify("Put the cursor in a source first; ctrl+r removes that one.", timeout=3)
            return
        position = editor.rows.index(row) + 1

        def answered(remove: bool | None) -> None:
            if not remove:
                return
            editor.remove_row(row)
            rest = editor.rows
            focus = rest[min(position - 1, len(rest) - 1)].query_one(".s-outlet") if rest else None
            self.set_focus(focus or self.query_one(f"#{_widget_id('summary')}"))
            self.notify(f"Source {position} removed.", timeout=3)

        self.app.push_screen(ConfirmScreen(f"Remove source {position}?", row.describe()), answered)

    # -- leaving ----------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.changed_fields:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard changes?", "What you typed will be lost."), answered)


def _typed_date(text: str) -> dt.date | None:
    text = text.strip()
    for form in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None
