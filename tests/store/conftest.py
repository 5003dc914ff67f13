"""Shared fixtures for the store tests."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import store.journal
from store import Incident, IncidentFields

# No time limit per Hypothesis example (unless a profile is chosen with --hypothesis-profile): on a
# busy machine (pytest -n auto on two cores) one example can take longer than the default 200 ms
# for reasons that have nothing to do with the code under test, and Hypothesis then fails the
# test ("unreliable test timings"). Where speed matters, the tests say so with their own limits.
settings.register_profile("suite", deadline=None)
if settings.get_current_profile_name() == "default":
    settings.load_profile("suite")

#: The least an incident needs.
BASE_FIELDS: dict[str, Any] = {
    "title": "Drone strike on a factory",
    "date": "2024-07-01",
    "country": "Russia",
    "region": "Udmurtia",
}


@pytest.fixture
def make_fields():
    """Build validated ``IncidentFields`` from the minimal fields plus ``overrides``."""

    def make(**overrides: Any) -> IncidentFields:
        return IncidentFields.model_validate({**BASE_FIELDS, **overrides})

    return make


@pytest.fixture
def make_incident():
    """Build a whole ``Incident`` (as if stored), with a fresh id unless one is given."""

    def make(**overrides: Any) -> Incident:
        now = dt.datetime(2024, 7, 2, 9, 30, tzinfo=dt.UTC)
        data = {**BASE_FIELDS, "id": str(uuid.uuid4()), "created_at": now, "updated_at": now}
        return Incident.model_validate({**data, **overrides})

    return make


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


class Clock:
    """A clock the journal reads: every call is one second after the previous one."""

    def __init__(self) -> None:
        self.now = dt.datetime(2024, 7, 2, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Make the journal's timestamps predictable and strictly increasing."""
    fake = Clock()
    monkeypatch.setattr(store.journal, "utc_now", fake)
    return fake


def stored_tables(path: Path) -> dict[str, Any]:
    """The tables stored for the journal at ``path`` as any new reader sees them: its file with
    the lines of its log (``<journal>.log``, the changes not folded in yet) applied. Read here
    without ``Journal``, so that a test sees what is on disk, not what a journal holds."""
    import json

    data: dict[str, Any] = json.loads(path.read_bytes()) if path.exists() and path.stat().st_size else {}
    meta = next(iter(data.get("meta", {}).values()), {})
    folded = meta.get("folded_seq", 0)
    log = path.with_name(path.name + ".log")
    for line in log.read_bytes().split(b"\n")[:-1] if log.exists() else []:
        entry = json.loads(line)
        if entry["seq"] <= folded:
            continue
        for table, doc_id, document in entry["ops"]:
            if document is None:
                data.setdefault(table, {}).pop(doc_id, None)
            else:
                data.setdefault(table, {})[doc_id] = document
    return data


def stored_bytes(path: Path) -> tuple[bytes | None, bytes | None]:
    """The journal file's bytes and its log's (None for one that does not exist): a failed
    write must leave both as they were."""
    log = path.with_name(path.name + ".log")
    return (path.read_bytes() if path.exists() else None, log.read_bytes() if log.exists() else None)
