"""What every screen of the app may rely on: a typed way to reach the app and its journal."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import ModalScreen, Screen

from store import Journal

if TYPE_CHECKING:
    from tui.app import JournalApp

ResultType = TypeVar("ResultType")


class JournalScreen(Screen[ResultType]):
    """A full screen of the app."""

    @property
    def journal_app(self) -> JournalApp:
        return cast("JournalApp", self.app)

    @property
    def journal(self) -> Journal:
        return self.journal_app.journal


class JournalModal(ModalScreen[ResultType]):
    """A dialog of the app."""

    @property
    def journal_app(self) -> JournalApp:
        return cast("JournalApp", self.app)

    @property
    def journal(self) -> Journal:
        return self.journal_app.journal
