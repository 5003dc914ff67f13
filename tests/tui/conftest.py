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
