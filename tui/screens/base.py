"""What every screen of the app may rely on: a typed way to reach the app and its journal, and
one way to learn that the journal changed.

The app's ``journal_version`` (a reactive) moves with every change to the journal: a save, a
delete or a restore made here, and another program's change picked up by a re-read. A full
screen (``JournalScreen``) keeps the version it last showed (``shown_version``). When the version
moves while the screen is visible, or when the screen is shown again after it moved, the screen
calls its ``show_journal`` once; a screen hidden under another does nothing until it comes back,
however many changes it missed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual import events, on
from textual.screen import ModalScreen, Screen

from store import Journal

if TYPE_CHECKING:
    from textual.app import App

    from tui.app import JournalApp

ResultType = TypeVar("ResultType")


class JournalAccess:
    """``journal_app`` and ``journal``, typed (``self.app`` is a plain ``App`` to the type checker)."""

    app: App

    @property
    def journal_app(self) -> JournalApp:
        return cast("JournalApp", self.app)

    @property
    def journal(self) -> Journal:
        return self.journal_app.journal


class JournalScreen(JournalAccess, Screen[ResultType]):
    """A full screen of the app: it shows the journal as it is whenever it is visible."""

    #: The journal version this screen shows (None: it has not shown it yet).
    shown_version: int | None = None

    def show_journal(self) -> None:
        """Show what the journal holds now (called once the version moved): override."""

    def catch_up(self) -> bool:
        """Show the journal again if it changed since this screen last showed it; True if so."""
        version = self.journal.version
        if version == self.shown_version:
            return False
        self.shown_version = version  # first: show_journal may look, or leave and come back
        self.show_journal()
        return True

    @on(events.Mount)
    def _follow_journal(self) -> None:
        # Runs after the screen's own ``on_mount`` (handlers run down the class hierarchy): what
        # that showed is the journal as it is now, unless it called ``catch_up`` itself.
        if self.shown_version is None:
            self.shown_version = self.journal.version
        self.watch(self.app, "journal_version", self._journal_moved, init=False)

    @property
    def in_sight(self) -> bool:
        """On top, or under dialogs only (Textual's ``is_current`` also counts the full screen
        right under the top one, hidden as it is)."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(screen.is_modal for screen in stack[stack.index(self) + 1 :])

    def _journal_moved(self) -> None:
        if self.in_sight:
            self.catch_up()

    @on(events.ScreenResume)
    def _shown_again(self) -> None:
        self.catch_up()


class JournalModal(JournalAccess, ModalScreen[ResultType]):
    """A dialog of the app (it shows what it was given when it opened)."""
