"""``EditScreen``: the form for a new incident or an edit.

``ctrl+s`` validates the whole form through the model: each invalid field shows its message
beside it and nothing is written until every field is valid. Only the fields a person changed
are applied to the incident; everything else is saved exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from store import BadRecord, Incident, IncidentFields, JournalError
from store.errors import FieldProblem, field_problems
from store.history import display_value
from store.models import (
    ATTRIBUTIONS,
    DATE_PRECISIONS,
    GEO_PRECISIONS,
    TARGET_KINDS,
    VERIFICATIONS,
)
from store.taxonomy import SUB_EVENT_TYPES
from store.taxonomy import resolve as resolve_event_type
from store.models import utc_now
from tui.screens.confirm import ConfirmScreen
from tui.widgets.sources_editor import SOURCE_FIELDS, SourcesEditor, form_sources


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | select | summary | sources
    choices: tuple[str, ...] = ()
    optional: bool = True
    placeholder: str = ""


FIELDS: tuple[FormField, ...] = (
    FormField("title", "Title", optional=False, placeholder="what happened, in one line"),
    FormField("date", "Date", optional=False, placeholder="YYYY-MM-DD"),
    FormField("date_end", "Date end", placeholder="YYYY-MM-DD, if it spans days"),
    FormField("date_precision", "Date precision", "select", DATE_PRECISIONS, optional=False),
    FormField("region", "Region", optional=False, placeholder="province, oblast, republic"),
    FormField("place", "Place", placeholder="town or village"),
    FormField("country", "Country", optional=False),
    FormField("latitude", "Latitude", placeholder="-90 to 90"),
    FormField("longitude", "Longitude", placeholder="-180 to 180"),
    FormField("geo_precision", "Geo precision", "select", GEO_PRECISIONS),
    FormField("event_type", "Event type", "select", tuple(SUB_EVENT_TYPES)),
    FormField("weapon", "Weapon", placeholder="e.g. Lyutiy-type drone"),
    FormField("weapon_count", "Weapon count", placeholder="1 or more"),
    FormField("actor", "Actor", placeholder="who is said to be responsible"),
    FormField("attribution", "Attribution", "select", ATTRIBUTIONS, optional=False),
    FormField("target", "Target", placeholder="e.g. factory"),
    FormField("target_kind", "Target kind", "select", TARGET_KINDS),
    FormField("killed", "Killed", placeholder="3, 1+, 2-5, ? or 0; note in ( )"),
    FormField("injured", "Injured", placeholder="3, 1+, 2-5, ? or 0; note in ( )"),
    FormField("verification", "Verification", "select", VERIFICATIONS, optional=False),
    FormField("sources", "Sources", "sources"),
    FormField("summary", "Summary", "summary"),
    FormField("tags", "Tags", placeholder="comma-separated"),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
NEW_DEFAULTS: dict[str, Any] = {
    "date_precision": "day",
    "attribution": "unknown",
    "verification": "unverified",
    "killed": "?",
    "injured": "?",
}


def form_values(incident: Incident | None) -> dict[str, Any]:
    """What the form shows for ``incident`` (or a new one): text for every field."""
    if incident is None:
        values: dict[str, Any] = {name: "" for name in FIELD_NAMES}
        values.update(NEW_DEFAULTS, sources=[])
        return values
    values = {}
    for name in FIELD_NAMES:
        value = getattr(incident, name)
        if name == "sources":
            values[name] = form_sources(value)
        elif name == "tags":
            values[name] = ", ".join(value)
        elif value is None:
            values[name] = ""
        elif hasattr(value, "isoformat"):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values


def raw_form_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored record that is not valid: each value as best it can."""
    values = form_values(None)
    for field in FIELDS:
        value = record.get(field.name)
        if field.name == "sources":
            values["sources"] = [
                {key: "" if source.get(key) is None else str(source.get(key)) for key in SOURCE_FIELDS}
                for source in (value if isinstance(value, list) else [])
                if isinstance(source, dict)
            ]
        elif field.name == "tags" and isinstance(value, list):
            values["tags"] = ", ".join(map(str, value))
        elif field.name in ("killed", "injured"):
            values[field.name] = display_value(field.name, value) if value is not None else "?"
        elif field.name == "event_type" and isinstance(value, str):
            try:
                values[field.name] = resolve_event_type(value)
            except ValueError:
                pass  # not a type at all: left blank, with the problem marked beside it
        elif field.kind == "select":
            values[field.name] = value if value in field.choices else values[field.name]
        elif value is not None:
            values[field.name] = str(value)
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


def model_input(values: dict[str, Any]) -> dict[str, Any]:
    """Form text turned into what the model validates (blank optional fields are absent)."""
    data: dict[str, Any] = {}
    for field in FIELDS:
        value = values[field.name]
        if field.name == "sources":
            data["sources"] = value
        elif field.name == "tags":
            data[field.name] = value
        elif isinstance(value, str) and not value.strip() and field.optional and field.kind != "summary":
            data[field.name] = None
        elif field.name in ("latitude", "longitude"):
            data[field.name] = _number(value.strip(), float)
        elif field.name == "weapon_count":
            data[field.name] = _number(value.strip(), int)
        else:
            data[field.name] = value
    return data


class EditScreen(Screen[Incident | None]):
    """New (``incident`` is None) or edit. Dismisses with the saved incident, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, incident: Incident | None, *, broken: BadRecord | None = None) -> None:
        super().__init__()
        self.incident = incident
        self.broken = broken
        self.initial = raw_form_values(broken.record) if broken else form_values(incident)

    def compose(self) -> ComposeResult:
        if self.broken is not None:
            heading = f"Fix invalid incident {self.broken.id}"
        else:
            heading = f"Edit: {self.incident.title}" if self.incident else "New incident"
        yield Static(Content(heading), id="form-heading")
        with VerticalScroll(id="form"):
            for field in FIELDS:
                yield from self._field(field)
        yield Footer(compact=True)

    def _field(self, field: FormField) -> ComposeResult:
        value = self.initial[field.name]
        with Horizontal(classes="form-row", id=f"row-{field.name}"):
            yield Label(field.label + ("" if field.optional else " *"), classes="form-label")
            if field.kind == "select":
                yield Select(
                    [(choice, choice) for choice in field.choices],
                    value=value or Select.NULL,
                    allow_blank=field.optional,
                    prompt="(none)",
                    compact=True,
                    id=f"f-{field.name}",
                )
            elif field.kind == "summary":
                yield TextArea(value, id=f"f-{field.name}", soft_wrap=True, tab_behavior="focus")
            elif field.kind == "sources":
                yield SourcesEditor(value, id=f"f-{field.name}")
            else:
                suggester = None
                if field.name == "region":
                    regions = [region for region, _ in self.app.journal.row_regions()]
                    suggester = SuggestFromList(regions, case_sensitive=False)
                yield Input(value, placeholder=field.placeholder, compact=True, suggester=suggester,
                            id=f"f-{field.name}")
        yield Static(classes="field-error", id=f"e-{field.name}")

    def on_mount(self) -> None:
        self.query_one("#f-title", Input).focus()
        # What the widgets show is the baseline: a field counts as changed only if edited.
        self.call_after_refresh(self._take_baseline)
        if self.broken is not None:
            self.show_problems(list(self.broken.problems))

    def _take_baseline(self) -> None:
        self.initial = self.current_values()

    # -- reading the form ------------------------------------------------------------------

    def current_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in FIELDS:
            widget = self.query_one(f"#f-{field.name}")
            if isinstance(widget, Select):
                values[field.name] = "" if widget.value is Select.NULL else widget.value
            elif isinstance(widget, TextArea):
                values[field.name] = widget.text
            elif isinstance(widget, SourcesEditor):
                values[field.name] = widget.values()
            elif isinstance(widget, Input):
                values[field.name] = widget.value
        return values

    @property
    def changed_fields(self) -> list[str]:
        values = self.current_values()
        return [name for name in FIELD_NAMES if values[name] != self.initial[name]]

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        values = self.current_values()
        try:
            if self.broken is not None:
                fields = Incident.model_validate({**system_fields(self.broken.record), **model_input(values)})
            elif self.incident is None:
                fields = IncidentFields.model_validate(model_input(values))
            else:
                data = model_input(values)
                changes = {name: data[name] for name in self.changed_fields}
                fields = self.incident.with_changes(**changes) if changes else self.incident
        except ValidationError as exc:
            self.show_problems(field_problems(exc))
            return
        self.show_problems([])
        if self.incident is not None and fields is self.incident:
            self.notify("Nothing changed; nothing to save.", timeout=3)
            self.dismiss(self.incident)
            return
        try:
            saved = self.app.save_incident(fields)
        except JournalError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=10)
            return
        self.notify(f"Saved: {saved.title}", markup=False)
        self.dismiss(saved)

    def show_problems(self, problems: list[FieldProblem]) -> None:
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
            messages = by_field.get(name, [])
            error = self.query_one(f"#e-{name}", Static)
            error.update(Content("; ".join(messages)))
            error.set_class(bool(messages), "-shown")
            self.query_one(f"#row-{name}").set_class(bool(messages), "-invalid")
        self.query_one(SourcesEditor).show_errors(
            {position: "; ".join(messages) for position, messages in by_source.items()}
        )
        count = len(by_field) + len(by_source)
        if count:
            self.notify(
                f"{count} field{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention",
                severity="error",
            )
            first = next((name for name in FIELD_NAMES if name in by_field), "sources")
            self.query_one(f"#row-{first}").scroll_visible(animate=False)

    # -- leaving ---------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.changed_fields:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard changes?", "What you typed will be lost."), answered)
