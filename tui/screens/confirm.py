"""``ConfirmScreen``: a yes/no question; ``y`` answers yes, ``n`` or ``Esc`` no.

The question and its detail (often a record's title) are shown literally, escaped as
``printable`` does: no markup, no control sequence reaches the terminal.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from store.text import printable


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(printable(self.question, multiline=True)), id="confirm-question")
            if self.detail:
                yield Static(Content(printable(self.detail, multiline=True)), id="confirm-detail")
            yield Static(Content("y  yes      n  no"), id="confirm-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
