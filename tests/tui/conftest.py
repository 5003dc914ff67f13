"""Fixtures for the app tests: a journal on a temporary file holding the article's incidents."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from store import Journal
from store.seeds import seed_groups, seed_incidents
from tui.screens.edit import EditScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

#: A fixed recording time, so that screens (and snapshots) do not depend on the clock.
RECORDED = dt.datetime(2024, 7, 2, 9, 30, tzinfo=dt.UTC)


def seeded(path: Path) -> Journal:
    journal = Journal(path)
    journal.import_groups(seed_groups())
    journal.import_incidents(
        incident.model_copy(update={"created_at": RECORDED, "updated_at": RECORDED})
        for incident in seed_incidents()
    )
    return journal


@pytest.fixture
def journal(tmp_path: Path):
    journal = seeded(tmp_path / "journal.json")
    yield journal
    journal.close()


@pytest.fixture
def empty_journal(tmp_path: Path):
    journal = Journal(tmp_path / "empty.json")
    yield journal
    journal.close()


# -- reading the screen, shared by the app tests -------------------------------------------------


def header(app) -> str:
    """The list's title bar: "N of M incidents · sorted by … · path"."""
    return str(app.screen.query_one("#title-bar").render())


def screen_text(app) -> str:
    """Every line the screen shows, as plain text."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - test helper
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def notifications(app) -> list[str]:
    """The messages of the toasts shown so far."""
    return [notification.message for notification in app._notifications]  # noqa: SLF001


def _describe(app) -> str:
    """The screen on top and what it shows, for a failure message (never raises)."""
    try:
        screen = type(app.screen).__name__
    except Exception as exc:  # noqa: BLE001 - the app may have gone
        return f"(no screen: {exc!r})"
    try:
        text = "\n".join(line.rstrip() for line in screen_text(app).splitlines()).rstrip()
    except Exception as exc:  # noqa: BLE001
        text = f"(cannot read the screen: {exc!r})"
    try:
        toasts = notifications(app)
    except Exception:  # noqa: BLE001
        toasts = []
    return f"the screen is {screen}; toasts so far: {toasts!r}; it shows:\n{text}"


async def wait_until(
    pilot: Pilot, condition: Callable[[], Any], *, timeout: float = 10.0, what: str = ""
) -> Any:
    """Let the app run (``pilot.pause()``) until ``condition()`` is true; return what it returned.

    One pause lets the app handle what is queued, but a key may still be held (keys go one at
    a time), a screen still being mounted, a worker still running: on a busy machine the effect
    the test looks for comes a few pauses later. So a test waits for that effect itself.

    ``timeout`` only guards against an effect that never comes (the test then fails, naming
    ``what`` and showing the screen); the wait ends as soon as the condition holds. A condition
    that raises (a widget not mounted yet) counts as not yet true.
    """
    deadline = time.monotonic() + timeout
    while True:
        error: Exception | None = None
        try:
            result = condition()
        except Exception as exc:  # noqa: BLE001 - e.g. NoMatches while a screen is still opening
            result, error = None, exc
        if result:
            return result
        if time.monotonic() >= deadline:
            break
        await pilot.pause()
    raised = f" (the condition raised {error!r})" if error is not None else ""
    pytest.fail(
        f"waited {timeout:g} s for {what or 'the condition'}{raised}; {_describe(pilot.app)}",
        pytrace=True,
    )


# -- conditions the app tests wait for ----------------------------------------------------------


def showing(app, kind: type) -> bool:
    """A screen of ``kind`` is on top, mounted, and taking keys."""
    screen = app.screen
    return isinstance(screen, kind) and screen.is_mounted and getattr(screen, "accepts_keys", True)


def form_ready(app) -> bool:
    """The edit form is on top, filled in, with the cursor in its first field (the title), and
    what it shows taken as unchanged (its baseline: only fields edited after that are saved)."""
    screen = app.screen
    return (
        showing(app, EditScreen)
        and app.focused is not None
        and app.focused.id == "f-title"
        and screen.initial == screen.current_values()
    )


async def list_shown(pilot: Pilot) -> None:
    """Wait for the list screen, its title bar saying how many incidents it shows."""
    app = pilot.app
    await wait_until(pilot, lambda: showing(app, ListScreen) and " incidents" in header(app),
                     what="the list of incidents")


def palette_offers(app, words: str, command: str) -> bool:
    """The command palette holds ``words``, is done searching for them, and ``command`` is the one
    Enter runs."""
    palette = app.screen
    if not isinstance(palette, CommandPalette) or palette.query_one(CommandInput).value != words:
        return False
    if any(worker.node is palette and not worker.is_finished for worker in app.workers):
        return False  # still searching
    option = palette.query_one(CommandList).highlighted_option
    return option is not None and str(option.prompt).startswith(command)


async def move_to(pilot: Pilot, incident_id: str) -> None:
    """Move the list's cursor onto ``incident_id`` with the keys a person would press (g, then j)."""
    listing = pilot.app.screen.query_one(IncidentList)
    ids = [row.id for row in listing.incidents]
    assert incident_id in ids, f"{incident_id} is not in the list"
    await pilot.press("g", *["j"] * ids.index(incident_id))
    await wait_until(pilot, lambda: listing.highlighted is not None and listing.highlighted.id == incident_id,
                     what=f"the cursor on {incident_id}")
