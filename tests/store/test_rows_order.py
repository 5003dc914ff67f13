"""``IncidentRow.sort_key``: one string that orders the rows as (date, created, id) would."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from store.rows import IncidentRow

#: Dates as the journal holds them, and as a hand edit may leave them (shorter, longer, empty).
TEXT = st.sampled_from(["", "2024", "2024-07-01", "2024-07-01T10:00:00Z", "2024-7-1", "x", "ü"]) | st.text(
    alphabet=st.characters(blacklist_characters="\0"), max_size=12
)
STORED = TEXT | st.none() | st.integers(0, 3)


def tuple_key(row: IncidentRow) -> tuple[str, str, str]:
    date, created = row.raw.get("date"), row.raw.get("created_at")
    return (date if type(date) is str else "", created if type(created) is str else "", row.id)


@given(st.lists(st.tuples(STORED, STORED, TEXT), max_size=30))
def test_rows_sort_as_by_date_then_created_then_id(records: list[tuple[Any, Any, str]]) -> None:
    rows = [IncidentRow(incident_id, {"date": date, "created_at": created}) for date, created, incident_id in records]
    by_string = sorted(rows, key=IncidentRow.sort_key, reverse=True)
    assert [tuple_key(row) for row in by_string] == sorted(map(tuple_key, rows), reverse=True)


def test_a_row_without_dates_sorts_last() -> None:
    dated = IncidentRow("b", {"date": "2024-07-01", "created_at": "2024-07-02T00:00:00Z"})
    undated = IncidentRow("a", {"date": None})
    assert sorted([undated, dated], key=IncidentRow.sort_key, reverse=True) == [dated, undated]
