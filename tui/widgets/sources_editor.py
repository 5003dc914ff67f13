"""``SourcesEditor``: an incident's sources as rows that can be added and removed by key.

``Tab`` reaches each row's fields and its Remove button; the "Add source" button (``Enter``)
adds a row and puts the cursor in its outlet.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Select, Static, TextArea

from store.models import SOURCE_KINDS

SOURCE_FIELDS = ("outlet", "url", "kind", "published", "quote")


def blank_source() -> dict[str, str]:
    return {"outlet": "", "url": "", "kind": "other", "published": "", "quote": ""}


class SourceRow(Vertical):
    """One source: outlet, kind, published date, URL and quote, with its own error line."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(classes="source-row")
        self.initial = values

    def compose(self) -> ComposeResult:
        with Horizontal(classes="source-line"):
            yield Input(self.initial["outlet"], placeholder="outlet (required)", compact=True, classes="s-outlet")
            yield Select(
                [(kind, kind) for kind in SOURCE_KINDS], value=self.initial["kind"] or "other",
                allow_blank=False, compact=True, classes="s-kind",
            )
            yield Input(self.initial["published"], placeholder="published YYYY-MM-DD", compact=True,
                        classes="s-published")
            yield Button("Remove", compact=True, classes="s-remove")
        yield Input(self.initial["url"], placeholder="https://…", compact=True, classes="s-url")
        quote = TextArea(self.initial["quote"], soft_wrap=True, tab_behavior="focus", compact=True, classes="s-quote")
        quote.border_title = "quote"
        yield quote
        yield Static(classes="field-error")

    def values(self) -> dict[str, str]:
        kind = self.query_one(".s-kind", Select).value
        return {
            "outlet": self.query_one(".s-outlet", Input).value,
            "url": self.query_one(".s-url", Input).value,
            "kind": kind if isinstance(kind, str) else "other",
            "published": self.query_one(".s-published", Input).value,
            "quote": self.query_one(".s-quote", TextArea).text,
        }

    def show_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(Content(message))
        error.set_class(bool(message), "-shown")
        self.set_class(bool(message), "-invalid")

    @on(Button.Pressed, ".s-remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        editor = self.parent
        self.remove()
        if isinstance(editor, SourcesEditor):
            editor.focus_add_button()


class SourcesEditor(Vertical):
    def __init__(self, sources: list[dict[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.initial = sources

    def compose(self) -> ComposeResult:
        for values in self.initial:
            yield SourceRow(values)
        yield Button("Add source", compact=True, id="add-source")

    @property
    def rows(self) -> list[SourceRow]:
        return list(self.query(SourceRow))

    def values(self) -> list[dict[str, str]]:
        return [row.values() for row in self.rows]

    def show_errors(self, errors: dict[int, str]) -> None:
        for position, row in enumerate(self.rows):
            row.show_error(errors.get(position, ""))

    def focus_add_button(self) -> None:
        self.query_one("#add-source", Button).focus()

    @on(Button.Pressed, "#add-source")
    async def add_row(self, event: Button.Pressed | None = None) -> None:
        if event is not None:
            event.stop()
        row = SourceRow(blank_source())
        await self.mount(row, before=self.query_one("#add-source"))
        row.query_one(".s-outlet", Input).focus()


def form_sources(sources: list[Any]) -> list[dict[str, str]]:
    """Sources as the editor shows them: every value a string."""
    return [
        {
            "outlet": source.outlet,
            "url": source.url or "",
            "kind": source.kind,
            "published": source.published.isoformat() if source.published else "",
            "quote": source.quote or "",
        }
        for source in sources
    ]
