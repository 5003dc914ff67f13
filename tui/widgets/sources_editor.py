"""``SourcesEditor``: an incident's sources as rows, added and removed by key.

``ctrl+o`` adds a source and puts the cursor in its outlet; ``ctrl+r`` removes the source the
cursor is in, after asking (the form's screen asks). Nothing destructive is in the ``Tab`` order.
Rows are kept and reused when the form shows another incident, so opening the form mounts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from store.fields import SOURCE_FIELDS, SOURCE_KIND
from store.text import printable
from tui.widgets.form_fields import ChoiceInput, FieldInput, FieldTextArea, ValuesSuggester

__all__ = ["SOURCE_FIELDS", "SourceRow", "SourcesEditor", "blank_source", "form_sources"]


def blank_source() -> dict[str, str]:
    return dict.fromkeys(SOURCE_FIELDS, "")


#: The one-line parts of a source, each a ``FieldInput`` with the class ``s-NAME``.
LINE_PARTS = ("outlet", "kind", "published", "url", "killed", "injured", "blames")


class SourceRow(Vertical):
    """One source: outlet, kind, published date, URL, quote, and what it claimed (its own killed
    and injured figures, whom it blames), with its own error line."""

    def __init__(self, values: dict[str, str], outlets: ValuesSuggester | None) -> None:
        super().__init__(classes="source-row")
        self.initial = values
        self.outlets = outlets

    def compose(self) -> ComposeResult:
        with Horizontal(classes="source-line"):
            yield FieldInput(self.initial["outlet"], placeholder="outlet (required)", suggester=self.outlets,
                             classes="s-outlet")
            yield ChoiceInput(self.initial["kind"], choices=SOURCE_KIND.choices, placeholder="kind: media, telegram…",
                              classes="s-kind")
            yield FieldInput(self.initial["published"], placeholder="published YYYY-MM-DD", classes="s-published")
        yield FieldInput(self.initial["url"], placeholder="https://…", classes="s-url")
        quote = FieldTextArea(self.initial["quote"], classes="s-quote")
        quote.border_title = "quote"
        yield quote
        with Horizontal(classes="source-line"):
            yield FieldInput(self.initial["killed"], placeholder="killed, it says: 3, 1+", classes="s-killed")
            yield FieldInput(self.initial["injured"], placeholder="injured, it says", classes="s-injured")
            yield FieldInput(self.initial["blames"], placeholder="whom it blames", classes="s-blames")
        yield Static(classes="field-error")

    def load(self, values: dict[str, str]) -> None:
        self.initial = values
        for name in LINE_PARTS:
            self.query_one(f".s-{name}", FieldInput).load(values[name])
        self.query_one(".s-quote", FieldTextArea).load(values["quote"])
        self.show_error("")

    def values(self) -> dict[str, str]:
        kind = self.query_one(".s-kind", ChoiceInput)
        kind.resolve()
        values = {name: self.query_one(f".s-{name}", FieldInput).held for name in LINE_PARTS}
        values["quote"] = self.query_one(".s-quote", FieldTextArea).held
        return values

    def describe(self) -> str:
        values = self.values()
        return " · ".join(part for part in (values["outlet"], values["url"]) if part.strip()) or "(empty)"

    def show_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(Content(printable(message, multiline=True)))
        error.set_class(bool(message), "-shown")
        self.set_class(bool(message), "-invalid")


class SourcesEditor(Vertical):
    """The sources, one ``SourceRow`` each; hidden rows are kept for the next incident."""

    def __init__(self, sources: list[dict[str, str]], *, outlets: Callable[[str], str | None] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.initial = sources
        self.outlets = ValuesSuggester(outlets) if outlets is not None else None

    def compose(self) -> ComposeResult:
        for values in self.initial:
            yield SourceRow(values, self.outlets)
        spare = SourceRow(blank_source(), self.outlets)  # ctrl+o shows it: nothing to mount then
        spare.display = False
        yield spare
        yield Static(Content("ctrl+o adds a source · ctrl+r removes the one the cursor is in"), classes="s-keys")

    @property
    def rows(self) -> list[SourceRow]:
        """The rows in use (shown), in order."""
        return [row for row in self.query(SourceRow) if row.display]

    @property
    def mounted_rows(self) -> list[SourceRow]:
        return list(self.query(SourceRow))

    async def load(self, sources: list[dict[str, str]]) -> None:
        """Show ``sources``: existing rows are reused, more are mounted only if needed."""
        rows = self.mounted_rows
        for position, values in enumerate(sources):
            if position < len(rows):
                rows[position].load(values)
                rows[position].display = True
            else:
                await self.mount(SourceRow(values, self.outlets), before=self.query_one(".s-keys"))
        for row in rows[len(sources):]:
            row.display = False
            row.load(blank_source())

    def values(self) -> list[dict[str, str]]:
        return [row.values() for row in self.rows]

    def show_errors(self, errors: dict[int, str]) -> None:
        for position, row in enumerate(self.rows):
            row.show_error(errors.get(position, ""))

    async def add_row(self) -> FieldInput:
        """A new, empty source at the end; returns its outlet field (for the focus)."""
        hidden = [row for row in self.mounted_rows if not row.display]
        if hidden:
            row = hidden[0]
            row.load(blank_source())
            row.display = True
            self.move_child(row, before=self.query_one(".s-keys"))
        else:
            row = SourceRow(blank_source(), self.outlets)
            await self.mount(row, before=self.query_one(".s-keys"))
        return row.query_one(".s-outlet", FieldInput)

    def row_of(self, widget: Any) -> SourceRow | None:
        """The source row ``widget`` is in, if any."""
        node = widget
        while node is not None and node is not self:
            if isinstance(node, SourceRow):
                return node
            node = node.parent
        return None

    def remove_row(self, row: SourceRow) -> None:
        """Take ``row`` out (kept hidden for reuse)."""
        row.display = False
        row.load(blank_source())
        self.move_child(row, after=self.mounted_rows[-1]) if len(self.mounted_rows) > 1 else None


def form_sources(sources: list[Any]) -> list[dict[str, str]]:
    """Sources as the editor shows them: every value a string."""
    return [
        {
            "outlet": source.outlet,
            "url": source.url or "",
            "kind": source.kind,
            "published": source.published.isoformat() if source.published else "",
            "quote": source.quote or "",
            "killed": "" if source.killed is None else str(source.killed),
            "injured": "" if source.injured is None else str(source.injured),
            "blames": source.blames or "",
        }
        for source in sources
    ]
