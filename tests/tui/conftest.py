"""Fixtures for the app tests: a journal on a temporary file holding the article's incidents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from store import Journal
from store.seeds import seed_incidents

#: A fixed recording time, so that screens (and snapshots) do not depend on the clock.
RECORDED = dt.datetime(2024, 7, 2, 9, 30, tzinfo=dt.timezone.utc)


def seeded(path: Path) -> Journal:
    journal = Journal(path)
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
