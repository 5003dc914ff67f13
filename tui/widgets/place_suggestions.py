"""Places from the offline gazetteer (``store.geo``) in the app: read in a thread, never on the loop.

``load_places(node)`` reads the gazetteer in a thread worker of ``node`` (about 0.3 s) and posts
``PlacesReady`` to ``node`` when done, so a screen shows what waited for it: no key waits.
``places()`` is the gazetteer once read (None before); its reverse lookup is read with it.

``PlaceInput`` is the form's Place field: while ``PlaceSuggestions`` shows the places its text may
name, ``↓``/``↑`` move through them, ``Enter`` chooses the one marked (``PlaceInput.Chosen``) and
``Esc`` hides them; otherwise it is a ``FieldInput`` like the others (``Tab`` takes the grey
completion from the journal's own places).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Static

from store.geo import Gazetteer, Place, gazetteer, loaded
from store.text import printable
from tui.widgets.form_fields import FieldInput

#: How many places the form offers for what is typed.
SUGGESTED = 8

def places() -> Gazetteer | None:
    """The gazetteer if it has been read (never reads it)."""
    return loaded()


def read_places() -> Gazetteer:
    """Read the gazetteer now, its reverse lookup with it: in a thread, or in a test."""
    return gazetteer()  # thread-safe: one read per process, whoever asks first


class PlacesReady(Message):
    """The gazetteer has been read."""


def load_places(node: DOMNode) -> bool:
    """Read the gazetteer in a thread worker of ``node``, which gets ``PlacesReady`` once done.
    False when it is read already or under way."""
    if loaded() is not None:
        return False
    if any(worker.group == "places" and not worker.is_finished for worker in node.workers):
        return False

    def read() -> None:
        read_places()
        node.post_message(PlacesReady())  # thread-safe, never waits

    node.run_worker(read, thread=True, group="places", name="read the gazetteer", exit_on_error=False)
    return True


class PlaceSuggestions(Static):
    """The places the Place field's text may name, one per line, the one ``↓``/``↑`` marked
    reversed. Shown only while there are some; the labels are literal text."""

    DEFAULT_CSS = """
    PlaceSuggestions {
        display: none;
        height: auto;
        padding-left: 20;
        color: $text-muted;
    }
    PlaceSuggestions.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.places: list[Place] = []
        #: The place ``↓``/``↑`` marked, None before the first ``↓``.
        self.marked: int | None = None

    @property
    def showing(self) -> bool:
        return bool(self.places) and self.has_class("-shown")

    def offer(self, places: list[Place]) -> None:
        """Show ``places`` (none: hide), nothing marked."""
        if places == self.places and self.marked is None and self.has_class("-shown") == bool(places):
            return  # as shown: no redraw
        self.places = list(places)
        self.marked = None
        self._draw()

    def hide(self) -> None:
        self.offer([])

    def move(self, step: int) -> None:
        """Mark the next (``1``) or previous (``-1``) place; from none, ``↓`` marks the first."""
        if not self.places:
            return
        if self.marked is None:
            self.marked = 0 if step > 0 else len(self.places) - 1
        else:
            self.marked = (self.marked + step) % len(self.places)
        self._draw()

    @property
    def chosen(self) -> Place | None:
        return self.places[self.marked] if self.showing and self.marked is not None else None

    def _draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, place in enumerate(self.places):
            if number:
                text.append("\n")
            line = printable(place.label())
            if number == self.marked:
                text.append(f"\u203a {line}", style="reverse bold")
            else:
                text.append(f"  {line}")
        self.update(text)
        self.set_class(bool(self.places), "-shown")


class NearestPlace(Static):
    """The place nearest to the coordinates typed (``Enter`` in them takes it), or that none is
    within reach. Shown only while the cursor is in the coordinates."""

    DEFAULT_CSS = """
    NearestPlace {
        display: none;
        height: 1;
        padding-left: 20;
        color: $text-muted;
    }
    NearestPlace.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The place offered and how far it is (km), if any.
        self.offered: tuple[Place, float] | None = None
        self._said: str | None = None

    def offer(self, found: tuple[Place, float] | None, *, within_km: float) -> None:
        self.offered = found
        if found is None:
            self._say(f"No known place within {within_km:g} km of these coordinates.")
        else:
            place, km = found
            self._say(f"Nearest: {place.label()} ({km:.1f} km) · Enter takes its place, region and country")

    def hide(self) -> None:
        self.offered = None
        self._say(None)

    def _say(self, line: str | None) -> None:
        if line == self._said:
            return
        self._said = line
        if line is not None:
            self.update(Text(printable(line), no_wrap=True, overflow="ellipsis"))
        self.set_class(line is not None, "-shown")


class PlaceInput(FieldInput):
    """The form's Place field (see the module's docstring)."""

    class Chosen(Message):
        """A place was chosen from the suggestions (``Enter`` on the one marked)."""

        def __init__(self, field: PlaceInput, place: Place) -> None:
            super().__init__()
            self.field = field
            self.place = place

    #: The suggestions this field moves through (set by the form that shows both).
    suggestions: PlaceSuggestions | None = None

    # Runs before FieldInput's and Input's own ``_on_key`` (see ``FieldInput``): a key it takes
    # stops here, so ``Enter`` chooses and does nothing else, ``Esc`` does not leave the form.
    async def _on_key(self, event: events.Key) -> None:
        box = self.suggestions
        if box is None or not box.showing or event.key not in ("down", "up", "enter", "escape"):
            return
        if event.key == "enter":
            place = box.chosen
            if place is None:
                return  # nothing marked: Enter does what it does in any field
            self.post_message(self.Chosen(self, place))
        elif event.key == "escape":
            box.hide()
        else:
            box.move(1 if event.key == "down" else -1)
        event.stop()
        event.prevent_default()
