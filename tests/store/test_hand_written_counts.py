"""A count written into a journal file by hand in the notation ("2", "1+") or as a whole number is
valid (the model reads it), and the list, its filters and the overview read it the same way."""

from __future__ import annotations

import json
from pathlib import Path

from store import IncidentFilter, Journal
from store.overview import overview


def test_counts_written_by_hand_are_read_as_the_model_reads_them(journal_path: Path, make_fields) -> None:
    with Journal(journal_path) as journal:
        ids = [journal.add(make_fields(title=f"Strike {n}")).id for n in range(3)]
    data = json.loads(journal_path.read_bytes())
    by_id = {record["id"]: record for record in data["incidents"].values()}
    by_id[ids[0]].update({"killed": "2", "killed_civilians": "1+"})
    by_id[ids[1]].update({"killed": 0, "injured": "3-5 (several)", "weapons_launched": "3"})
    by_id[ids[2]].update({"killed": "lots"})  # not a count: invalid, and unknown to the list
    journal_path.write_text(json.dumps(data), encoding="utf-8")

    with Journal(journal_path) as journal:
        assert journal.get(ids[0]).killed.min == 2  # valid: the model reads the notation
        rows = {row.id: row for row in journal.rows()}
        assert rows[ids[0]].casualty_status == "killed"
        assert rows[ids[1]].casualty_status == "injured"
        assert rows[ids[2]].casualty_status == "unknown"
        assert [row.id for row in journal.query_rows(IncidentFilter(civilians=True))] == [ids[0]]
        assert {row.id for row in journal.query_rows(IncidentFilter(casualties=frozenset({"killed"})))} == {ids[0]}
        totals = overview(journal.rows()).totals
        assert (totals.killed.low, totals.killed.unknown) == (2, 1)
        assert (totals.injured.low, totals.injured.high) == (3, None)  # 3-5, and two unknown
        assert totals.civilians_killed.low == 1 and totals.harming_civilians == 1
        assert totals.weapons_launched.low == 3
