"""The form's input widgets: one-line fields that complete, and choices picked by typing.

``FieldInput`` is Textual's ``Input`` as a fast typist needs it: the cursor goes to the end on
focus (nothing is selected, so a key typed on arrival never replaces what is there), ``Tab``
accepts the grey completion before it moves on, and a paste of several lines keeps every line
(joined by spaces) and says so. ``ChoiceInput`` takes any unique start or word of a choice
(``air`` → Air/drone strike), shows the matches as it is typed, steps through the choices
with ``↑``/``↓``, and writes out the full name as the focus leaves it. ``FieldTextArea`` is the
``TextArea`` of the form's texts (summary, notes, quotes). ``PastedEscapedInput`` is a plain
``Input`` (the search, a file name) that escapes what a paste brings.

A field never shows a control character: a record opened in the form (an invalid one, from a
hand-edited file) may hold ``ESC`` or a bidi override, and the field shows it escaped as
``store.text.printable`` does (``\\x1b``, ``\\u202e``), as does a paste. Each escape stands for
the character: the field's ``held`` text has it back, so a field left as it was saves the
record's own text, and one still holding an escaped control character is refused on save like
any control character (the escape text is deleted to fix it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, TextArea

from store.fields import choice_matches
from store.text import normalise_newlines, printable


class Escapes:
    """The escapes a field shows for characters it holds: ``shown`` is the escaped text of
    ``held``; ``held_text`` turns a field's text (as edited since) back into what it holds."""

    def __init__(self, held: str = "", *, multiline: bool = False) -> None:
        self.multiline = multiline
        self.held = held
        self.shown = printable(held, multiline=multiline)
        self._characters: dict[str, str] = {}
        self.add(held)

    def add(self, text: str) -> None:
        """Take the escapes of the characters in ``text`` (a paste) as standing for them; not an
        escape the text also holds as it is, written out (``\\x1b`` typed as four characters)."""
        for character in set(text):
            escape = printable(character, multiline=self.multiline)
            if escape != character and escape not in text:
                self._characters[escape] = character

    def held_text(self, text: str) -> str:
        """What a field showing ``text`` holds: the held text if it is unchanged; else ``text``
        with each escape this field made put back as its character."""
        if text == self.shown:
            return self.held
        for escape, character in self._characters.items():
            text = text.replace(escape, character)
        return text

    @property
    def any(self) -> bool:
        return bool(self._characters)


class ValuesSuggester(Suggester):
    """Completes with what ``values(typed)`` gives: the most used value that starts as typed."""

    def __init__(self, values: Callable[[str], str | None]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._complete = values

    def suggest_now(self, value: str) -> str | None:
        if not value.strip():
            return None
        suggestion = self._complete(value)
        if suggestion is None or suggestion == value or printable(suggestion) != suggestion:
            return None  # nothing a field could not show as it is (a control character) is offered
        return suggestion  # as the journal spells it (``udm`` becomes Udmurtia, not udmurtia)

    async def get_suggestion(self, value: str) -> str | None:
        return self.suggest_now(value)


class PastedEscapedInput(Input):
    """An ``Input`` (the list's search, the export's file name) whose pastes show any control
    character escaped: the field draws what it holds, and it holds what it draws."""

    def _on_paste(self, event: events.Paste) -> None:
        lines = event.text.splitlines()
        text = lines[0] if lines else ""
        if printable(text) != text:
            event.stop()
            event.prevent_default()  # Input's own handler would paste it raw
            if self.selection.is_empty:
                self.insert_text_at_cursor(printable(text))
            else:
                self.replace(printable(text), *self.selection)


class FieldInput(Input):
    """A one-line form field (see the module's docstring)."""

    class Note(Message):
        """Something a person should know about what just happened to a field's text."""

        def __init__(self, field: FieldInput, text: str) -> None:
            super().__init__()
            self.field = field
            self.text = text

    def __init__(self, value: str = "", *, placeholder: str = "", suggester: Suggester | None = None,
                 select_on_focus: bool = False, id: str | None = None, classes: str | None = None) -> None:
        self.escapes = Escapes(value)
        super().__init__(self.escapes.shown, placeholder=placeholder, compact=True, suggester=suggester,
                         select_on_focus=select_on_focus, id=id, classes=classes)

    def load(self, value: str) -> None:
        """Show ``value`` as the field's text (escaped), cursor at its end (no change a person made)."""
        self.escapes = Escapes(value)
        with self.prevent(Input.Changed):
            self.value = self.escapes.shown
            self.cursor_position = len(self.value)

    @property
    def held(self) -> str:
        """The text the field holds: ``value``, each escape of a character it holds put back."""
        return self.escapes.held_text(self.value)

    def completion(self) -> str | None:
        """The completion ``Tab`` would accept now (worked out now, not when the worker is done)."""
        if not self.cursor_at_end:
            return None
        if isinstance(self.suggester, ValuesSuggester):
            return self.suggester.suggest_now(self.value)
        return self._suggestion or None  # noqa: SLF001 - Input's own pending completion

    def accept_completion(self) -> bool:
        completion = self.completion()
        if completion and completion != self.value:
            self.value = completion
            self.cursor_position = len(completion)
            return True
        return False

    # Textual calls the ``_on_*`` handler of each class in turn (this one first, then Input's),
    # unless one prevents the default: so these never call ``super()``.

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab":
            self.accept_completion()  # and the key goes on, to move the focus

    def _on_focus(self, event: events.Focus) -> None:
        if not self.select_on_focus:
            self.cursor_position = len(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        lines = [line.strip() for line in event.text.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1:
            text = " ".join(lines)
        else:  # as Input's own handler takes it
            text = event.text.splitlines()[0] if event.text.splitlines() else ""
        shown = printable(text)
        if len(lines) <= 1 and shown == text:
            return  # Input's own handler pastes it
        event.stop()
        event.prevent_default()  # Input's own handler would keep the first line only, and raw
        self.escapes.add(text)
        if self.selection.is_empty:
            self.insert_text_at_cursor(shown)
        else:
            self.replace(shown, *self.selection)
        notes = []
        if len(lines) > 1:
            notes.append(f"pasted {len(lines)} lines as one: this field keeps one line")
        if shown != text:
            notes.append("the paste holds control characters, shown as escapes (\\x1b): delete them to save")
        self.post_message(self.Note(self, "; ".join(notes)))


class ChoiceInput(FieldInput):
    """One of ``choices``, picked by typing a unique start or word of it, or with ``↑``/``↓``."""

    BINDINGS = [
        Binding("down", "step(1)", "Next choice", show=False),
        Binding("up", "step(-1)", "Previous choice", show=False),
    ]

    def __init__(self, value: str = "", *, choices: Sequence[str], placeholder: str = "",
                 id: str | None = None, classes: str | None = None) -> None:
        self.choices = tuple(choices)
        # Selected on arrival: typing replaces the choice shown (keys wait for the focus, so
        # the selection is made before the first key typed into it lands).
        super().__init__(value, placeholder=placeholder, suggester=ValuesSuggester(self._first_start),
                         select_on_focus=True, id=id, classes=classes)

    def _first_start(self, typed: str) -> str | None:
        starts = [choice for choice in self.matches(typed) if choice.casefold().startswith(typed.casefold())]
        return starts[0] if len(starts) == 1 and len(self.matches(typed)) == 1 else None

    def matches(self, typed: str | None = None) -> list[str]:
        """The choices the text (or ``typed``) may mean."""
        return choice_matches(self.choices, self.value if typed is None else typed)

    def completion(self) -> str | None:
        matches = self.matches()
        return matches[0] if len(matches) == 1 and matches[0] != self.value else None

    def resolve(self) -> None:
        """Write out the one choice the text means (left as typed if it means none or several)."""
        matches = self.matches()
        if len(matches) == 1 and matches[0] != self.value:
            self.value = matches[0]
            self.cursor_position = len(self.value)

    def action_step(self, step: int) -> None:
        matches = self.matches()
        current = matches[0] if len(matches) == 1 else None
        if current is None:
            position = 0 if step > 0 else len(self.choices) - 1
        else:
            position = (self.choices.index(current) + step) % len(self.choices)
        self.value = self.choices[position]
        self.cursor_position = len(self.value)

    def _on_blur(self, event: events.Blur) -> None:
        self.resolve()


class FieldTextArea(TextArea):
    """A text of the form (summary, notes, a quote): any control character it holds is shown
    escaped, newlines and tabs kept (see the module's docstring)."""

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        self.escapes = Escapes(text, multiline=True)
        super().__init__(self.escapes.shown, soft_wrap=True, tab_behavior="focus", compact=True, id=id,
                         classes=classes)

    def load(self, text: str) -> None:
        """Show ``text`` (escaped) as the field's text, as it was before any edit."""
        self.escapes = Escapes(text, multiline=True)
        self.load_text(self.escapes.shown)

    @property
    def held(self) -> str:
        """The text the field holds: ``text``, each escape of a character it holds put back."""
        return self.escapes.held_text(self.text)

    async def _on_paste(self, event: events.Paste) -> None:
        text = normalise_newlines(event.text).replace("\r", "\n")  # a terminal sends Enter as \r
        shown = printable(text, multiline=True)
        if shown == event.text:
            return  # TextArea's own handler pastes it
        event.prevent_default()
        if self.read_only:
            return
        self.escapes.add(text)
        if result := self._replace_via_keyboard(shown, *self.selection):
            self.move_cursor(result.end_location)
            self.focus()
