"""What every screen of the app may rely on: a typed way to reach the app and its journal."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

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
    """A full screen of the app."""


class JournalModal(JournalAccess, ModalScreen[ResultType]):
    """A dialog of the app."""
