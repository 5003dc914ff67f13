"""A group's incidents, newest first, kept right through changes to its members."""

from __future__ import annotations

from pathlib import Path

from store import Journal
from store.models import GroupFields


def test_a_groups_members_stay_newest_first_through_changes(journal_path: Path, make_fields) -> None:
    with Journal(journal_path) as journal:
        group = journal.create_group(GroupFields(title="A wave"))
        ids = [journal.add(make_fields(title=f"Strike {day}", date=f"2024-07-0{day}")).id for day in (1, 2, 3)]
        journal.set_group(ids, group.id)

        def titles() -> list[str]:
            return [row.title for row in journal.group_members(group.id)]

        assert titles() == ["Strike 3", "Strike 2", "Strike 1"]
        first = journal.get(ids[0])
        journal.update(first.model_copy(update={"date": first.date.replace(day=9)}))
        assert titles() == ["Strike 1", "Strike 3", "Strike 2"]
        journal.set_group([ids[1]], None)
        assert titles() == ["Strike 1", "Strike 3"]
        journal.delete(ids[2])
        assert titles() == ["Strike 1"]
        added = journal.add(make_fields(title="Strike 5", date="2024-07-05"))
        journal.set_group([added.id], group.id)
        assert titles() == ["Strike 1", "Strike 5"]
        # A list handed out is the caller's: changing it changes nothing kept.
        journal.group_members(group.id).clear()
        assert titles() == ["Strike 1", "Strike 5"]
