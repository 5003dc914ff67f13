"""A journal file rewritten whole by a program other than incident-journal while it is open
(issue 12): what changed is worked out in a child process and applied as a change, never by
parsing the file in the process that has it open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

import store.storage
from store import Journal
from store.errors import JournalUnreadable


def rewrite_by_hand(path: Path, change: Any) -> None:
    """What an editor or a script does: read the file, change it, put a new file in its place."""
    data = orjson.loads(path.read_bytes())
    change(data)
    new = path.with_name("hand.tmp")
    new.write_bytes(orjson.dumps(data))
    os.replace(new, path)


def everything(journal: Journal) -> tuple[list[Any], list[Any]]:
    return [incident.model_dump() for incident in journal.all()], [
        (entry.incident_id, entry.action) for entry in journal.deleted()
    ]


@pytest.fixture
def opened(journal_path: Path, make_fields) -> Journal:
    with Journal(journal_path) as setup:
        for n in range(5):
            setup.add(make_fields(title=f"incident {n}"))
    journal = Journal(journal_path)
    yield journal
    journal.close()


def test_changes_made_by_rewriting_the_file_are_applied_without_a_parse_here(opened, journal_path, monkeypatch):
    first, second, third, *_ = opened.all()
    with Journal(journal_path) as other:  # a change in the log, which the rewrite knows nothing of
        other.update(first.model_copy(update={"summary": "from the log"}))
    assert opened.refresh()

    def edit(data: dict[str, Any]) -> None:
        incidents = data["incidents"]
        for key, record in list(incidents.items()):
            if record["id"] == third.id:
                record["title"] = "edited by hand"
            if record["id"] == second.id:
                del incidents[key]
        incidents["99"] = {**incidents[next(iter(incidents))], "id": "5d3c9a66-1b0e-4f0e-9c41-3f1f2d0c0a99",
                           "title": "added by hand"}

    rewrite_by_hand(journal_path, edit)
    assert opened.rewritten_elsewhere()
    parses = []
    real_decode = store.storage.decode
    monkeypatch.setattr(store.storage, "decode", lambda *a, **k: parses.append(a) or real_decode(*a, **k))
    changes = opened.rewrite_changes()
    assert changes is not None and len(changes.ops) == 3  # one edited, one removed, one added
    assert opened.take_rewrite(changes)
    assert parses == [], "the file was parsed in the process that has it open"
    assert not opened.rewritten_elsewhere()

    assert opened.get(third.id).title == "edited by hand"
    assert opened.get(first.id).summary == "from the log"  # the log's changes still apply on top
    assert second.id not in opened
    assert opened.get("5d3c9a66-1b0e-4f0e-9c41-3f1f2d0c0a99").title == "added by hand"
    assert [row.title for row in opened.rows()] == [incident.title for incident in opened.all()]
    monkeypatch.undo()
    with Journal(journal_path) as fresh:
        assert everything(fresh) == everything(opened)


def test_changes_found_are_not_applied_over_a_save_made_meanwhile(opened, journal_path):
    first = opened.all()[0]
    rewrite_by_hand(journal_path, lambda data: next(iter(data["incidents"].values())).update(title="by hand"))
    changes = opened.rewrite_changes()
    assert changes is not None
    opened.update(first.model_copy(update={"title": "saved here meanwhile"}))  # reads the file whole
    assert not opened.take_rewrite(changes)
    with Journal(journal_path) as fresh:
        assert everything(fresh) == everything(opened)


@pytest.mark.parametrize("content", [b"", b'{"incidents": {}, "history": {}, "meta": {"1": {"schema_version": 1}}}'])
def test_a_file_to_be_read_whole_is_left_to_refresh(opened, journal_path, content):
    new = journal_path.with_name("hand.tmp")
    new.write_bytes(content)
    os.replace(new, journal_path)
    assert opened.rewritten_elsewhere()
    assert opened.rewrite_changes() is None


def test_a_new_file_found_unreadable_is_not_compared_again_until_it_changes(opened, journal_path):
    new = journal_path.with_name("hand.tmp")
    new.write_bytes(b'{"incidents": {"1": ')
    os.replace(new, journal_path)
    assert opened.rewritten_elsewhere()
    assert opened.rewrite_changes() is None
    with pytest.raises(JournalUnreadable):
        opened.refresh()  # what the app does then: the refusal is told once
    assert not opened.rewritten_elsewhere()
    new.write_bytes(b'{"incidents": {}, "history": {"1": {}}, "meta": {"1": {"schema_version": 2}}}')
    os.replace(new, journal_path)  # mended (by hand again): compared again
    assert opened.rewritten_elsewhere()
