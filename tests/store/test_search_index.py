"""``SearchIndex``: the list's search finds the same rows with the index as by reading every row."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from store import IncidentFields, IncidentFilter
from store.rows import IncidentRow
from store.search_index import SearchIndex
from store.text import search_fold

# Latin and Cyrillic (ё and Ё among them), a few others, and whitespace of several kinds: a small
# alphabet, so words recur and short search words hit.
LETTERS = "abdeorsDRтерёЁЕзавод\u00df"
text = st.text(alphabet=LETTERS + " \n\t-", max_size=30)
FIELDS = ("title", "place", "region", "summary")


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {name: draw(text) for name in FIELDS}
    record["sources"] = [{"outlet": outlet} for outlet in draw(st.lists(text, max_size=2))]
    record["tags"] = draw(st.lists(text, max_size=2))
    return record


def fields_of(record: dict[str, Any]) -> list[str]:
    return [
        *(record[name] for name in FIELDS), *(source["outlet"] for source in record["sources"]), *record["tags"]
    ]


@st.composite
def queries(draw: st.DrawFn, rows: list[IncidentRow]) -> str:
    """Random words, and pieces of the rows' text: within a field, or across two (never found)."""
    if rows and draw(st.booleans()):
        haystack = draw(st.sampled_from(rows)).haystack
        start = draw(st.integers(0, len(haystack)))
        return haystack[start : start + draw(st.integers(1, 12))].replace("\n", draw(st.sampled_from(["\n", ""])))
    return draw(st.text(alphabet=LETTERS + " ", max_size=12))


def rows_of(records: list[dict[str, Any]]) -> list[IncidentRow]:
    return [IncidentRow(str(number), record) for number, record in enumerate(records)]


def index_of(rows: list[IncidentRow]) -> SearchIndex:
    return SearchIndex.of((row.id, row.haystack) for row in rows)


def typed(incident_filter_text: str, rows: list[IncidentRow], index: SearchIndex | None) -> list[list[str]]:
    """The ids found after each key of ``incident_filter_text``, typing on as the journal does."""
    pool, known, found = rows, (), []
    for end in range(1, len(incident_filter_text) + 1):
        incident_filter = IncidentFilter(text=incident_filter_text[:end])
        pool = incident_filter.select_rows(pool, known_words=known, index=index)
        known = incident_filter.words
        found.append([row.id for row in pool])
    return found


@settings(max_examples=300)
@given(data=st.data(), records_=st.lists(records(), max_size=12))
def test_the_index_finds_what_reading_every_row_finds(data: st.DataObject, records_: list[dict[str, Any]]) -> None:
    rows = rows_of(records_)
    index = index_of(rows)
    query = data.draw(queries(rows))
    incident_filter = IncidentFilter(text=query)
    plain = incident_filter.select_rows(rows)
    assert incident_filter.select_rows(rows, index=index) == plain
    # A word is found in a row exactly when it is within one field (folded): never across two.
    expected = [
        row for row, record in zip(rows, records_, strict=True)
        if all(any(word in search_fold(field) for field in fields_of(record)) for word in incident_filter.words)
    ]
    assert plain == expected
    if incident_filter.words:
        ids = {row.id for row in plain}
        assert index.candidates(incident_filter.words) == ids
    assert typed(query, rows, index) == typed(query, rows, None)


@settings(max_examples=150)
@given(
    data=st.data(),
    first=st.lists(records(), min_size=1, max_size=10),
    changes=st.lists(st.tuples(st.integers(0, 14), st.none() | records()), max_size=12),
)
def test_adds_replacements_and_removals_keep_the_index_exact(data: st.DataObject, first, changes) -> None:
    rows = {row.id: row for row in rows_of(first)}
    index = index_of(list(rows.values()))
    for number, record in changes:
        row_id = str(number)
        if record is None:
            rows.pop(row_id, None)
            index.remove(row_id)
        else:
            rows[row_id] = IncidentRow(row_id, record)
            index.add(row_id, rows[row_id].haystack)
        listed = sorted(rows.values(), key=lambda row: row.id)
        query = data.draw(queries(listed))
        incident_filter = IncidentFilter(text=query)
        assert incident_filter.select_rows(listed, index=index) == incident_filter.select_rows(listed)
    assert len(index) == len(rows)


@settings(max_examples=100)
@given(data=st.data(), records_=st.lists(records(), min_size=1, max_size=12))
def test_saves_during_a_build_win_over_what_the_build_read(data: st.DataObject, records_) -> None:
    rows = rows_of(records_)
    index = SearchIndex()
    steps = index.build_steps([(row.id, row.haystack) for row in rows])  # read before the saves
    current = {row.id: row for row in rows}
    for _ in rows:
        assert not index.ready
        change = data.draw(st.sampled_from(["none", "edit", "delete"]))
        victim = data.draw(st.sampled_from(rows)).id
        if change == "edit":
            current[victim] = IncidentRow(victim, data.draw(records()))
            index.add(victim, current[victim].haystack)
        elif change == "delete":
            current.pop(victim, None)
            index.remove(victim)
        next(steps)
    assert next(steps, "done") == "done" and index.ready
    listed = sorted(current.values(), key=lambda row: row.id)
    query = data.draw(queries(listed))
    incident_filter = IncidentFilter(text=query)
    assert incident_filter.select_rows(listed, index=index) == incident_filter.select_rows(listed)
    assert len(index) == len(current)


def test_a_word_is_never_found_across_two_fields_or_two_words() -> None:
    rows = rows_of([{"title": "Удар по заводу", "place": "Ёлкино", "summary": "drone\nstrike", "tags": ["abc"]}])
    index = index_of(rows)
    for query in ("заводуелкино", "dronestrike", "по заводу", "елкино", "ЁЛКИНО strike", "abc"):
        expected = IncidentFilter(text=query).select_rows(rows)
        assert IncidentFilter(text=query).select_rows(rows, index=index) == expected
    assert IncidentFilter(text="заводуелкино").select_rows(rows, index=index) == []
    assert IncidentFilter(text="dronestrike").select_rows(rows, index=index) == []
    assert IncidentFilter(text="ЁЛКИНО strike").select_rows(rows, index=index) == rows


def test_rows_the_index_does_not_hold_are_read_instead() -> None:
    rows = rows_of([{"title": "drone strike"}, {"title": "shelling"}, {"title": "drone down"}])
    index = index_of(rows[:2])  # the third row was never added
    found = IncidentFilter(text="drone").select_rows(rows, index=index)
    assert [row.id for row in found] == ["0", "2"]


def test_an_index_still_building_is_not_used() -> None:
    rows = rows_of([{"title": "drone strike"}, {"title": "shelling"}])
    index = SearchIndex()
    index.add("0", rows[0].haystack)  # "shelling" is not in yet
    assert not index.ready
    assert [row.id for row in IncidentFilter(text="shell").select_rows(rows, index=index)] == ["1"]


def test_candidates_need_a_word() -> None:
    index = index_of(rows_of([{"title": "drone strike"}]))
    assert index.candidates([]) is None
    assert index.candidates(["d"]) == {"0"}
    assert index.candidates(["tank"]) == set()


def test_a_list_prepared_in_steps_is_searched_the_same() -> None:
    rows = rows_of([{"title": f"drone {number}"} for number in range(30)] + [{"title": "shelling"}])
    index = index_of(rows)
    for _ in index.prepare_steps(rows, step=7):
        pass
    assert [row.id for row in IncidentFilter(text="shell").select_rows(rows, index=index)] == ["30"]
    assert list(index.prepare_steps(list(rows), step=7)) == []  # numbered already: nothing to do
    backwards = rows[::-1]
    steps = index.prepare_steps(backwards, step=7)
    next(steps)
    index.add("30", "drone")  # a change meanwhile: the numbers read before it are not kept
    for _ in steps:
        pass
    assert IncidentFilter(text="shell").select_rows(backwards, index=index) == []
    assert len(IncidentFilter(text="drone").select_rows(backwards, index=index)) == 31


def test_an_incident_added_after_an_empty_journal_was_indexed_is_found(tmp_path) -> None:
    from store import Journal

    with Journal(tmp_path / "journal.json") as journal:
        for _ in journal.background_checks():  # the index built, holding nothing
            pass
        journal.add(IncidentFields(title="Shelling of a depot", date="2024-07-02", region="Belgorod",
                                   country="Russia"))
        assert [row.title for row in journal.query_rows(IncidentFilter(text="depot"))] == ["Shelling of a depot"]
