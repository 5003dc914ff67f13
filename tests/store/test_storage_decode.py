"""``store.storage.decode``: what orjson reads is kept only when it lost nothing of the file.

A file that is byte for byte what ``encode`` writes for what orjson read is taken as read (one
comparison); any other is checked by counting, and read again exactly when orjson may have lost
a key found twice or an integer beyond 64 bits. Either way the result is what the exact reader
(Python's own, every key kept) gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import store.storage
from store.errors import JournalUnreadable
from store.storage import _exact, _keep_renamed, decode, encode

PATH = Path("journal.json")
BIG = 123456789012345678901234567890


def exactly(raw: bytes) -> tuple[Any, list[str]]:
    """What the slow, exact reader makes of ``raw``, and the problems it names."""
    data, renamed = _exact(raw, PATH)
    return data, _keep_renamed(data, renamed)


def decoded(raw: bytes) -> tuple[Any, list[str]]:
    problems: list[str] = []
    return decode(raw, PATH, problems=problems), problems


def journal(**records: dict[str, Any]) -> dict[str, Any]:
    return {"incidents": records, "meta": {"1": {"schema_version": 2}}}


RECORD = {"id": "a1", "title": "first: a title", "killed": {"min": 1, "max": None}, "tags": ["x", "y"]}


def test_a_journal_as_encode_writes_it_is_taken_as_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_exact_read(raw: bytes, path: Path) -> None:
        raise AssertionError("read again exactly")

    monkeypatch.setattr(store.storage, "_exact", no_exact_read)
    data = journal(**{"1": RECORD, "2": {**RECORD, "id": "b2", "latitude": 5.075e1, "big": 2**64 - 1}})
    assert decoded(encode(data)) == (data, [])


def test_a_key_twice_in_the_layout_encode_writes_is_found() -> None:
    raw = encode(journal(**{"1": RECORD}))
    twice = raw.replace(b'"title": "first: a title",', b'"title": "first: a title",\n      "title": "again",', 1)
    data, problems = decoded(twice)
    assert data["incidents"]["1"]["title"] == "first: a title" and data["incidents"]["1"]["title (2)"] == "again"
    assert problems == [
        "table 'incidents', record '1': key 'title' is in it more than once; the later value is kept as 'title (2)'"
    ]


def test_a_record_key_twice_in_the_layout_encode_writes_keeps_both() -> None:
    raw = encode(journal(**{"1": RECORD, "2": {**RECORD, "id": "b2"}}))
    data, problems = decoded(raw.replace(b'"2": {', b'"1": {', 1))
    assert sorted(record["id"] for record in data["incidents"].values()) == ["a1", "b2"]
    assert problems == [
        "table 'incidents': record '1' is in the file more than once; each is kept, this one as record '2'"
    ]


@pytest.mark.parametrize("layout", ["indented", "compact"])
def test_a_big_integer_stays_exact_in_any_layout(layout: str) -> None:
    data = journal(**{"1": {**RECORD, "big": BIG, "small": -BIG}})
    raw = (json.dumps(data, indent=2) + "\n" if layout == "indented" else json.dumps(data)).encode()
    record = decoded(raw)[0]["incidents"]["1"]
    assert (record["big"], record["small"]) == (BIG, -BIG)


def test_a_big_integer_is_read_as_a_float_only_when_asked() -> None:
    raw = json.dumps(journal(**{"1": {**RECORD, "big": BIG}})).encode()
    read = decode(raw, PATH, exact_integers=False)
    assert read is not None and read["incidents"]["1"]["big"] == float(BIG)


def test_escaped_colons_balancing_a_dropped_key_are_found_without_a_plus_or_a_long_number() -> None:
    # The record dropped took 3 colons away (its key, "id", "title"); 3 escaped ones came back.
    text = '{"incidents": {"1": {"id": "a1", "title": "x"}, "1": {"id": "b2", "title": "y\\u003a\\u003a\\u003a"}}}'
    data, problems = decoded(text.encode())
    assert sorted(record["id"] for record in data["incidents"].values()) == ["a1", "b2"]
    assert len(problems) == 1


def test_a_deep_record_under_an_odd_key_is_still_refused_for_its_depth() -> None:
    deep = "[" * 300 + "]" * 300
    raw = ('{"incidents": {"01": {"id": "a1", "deep": ' + deep + "}}}").encode()
    with pytest.raises(JournalUnreadable, match="nested too deeply to be written"):
        decode(raw, PATH)


# -- any file: the same as the exact reader ---------------------------------------------------------

KEYS = st.sampled_from(["a", "b", "a:b", "1", "2", "1 (2)", "ü", "+", "id", "title", "killed", "min", "max"])
#: Around the edges of what orjson reads as an integer (-2**63 to 2**64 - 1), and far beyond.
EDGES = [2**64 - 1, 2**64, -(2**63), -(2**63) - 1, BIG, -BIG, 10**19, 10**18]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from(EDGES)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from('ab:+e\\"\n\u00fc\u20ac'), max_size=6)
)


class Pairs(list):
    """A JSON object as written, which may hold a key twice."""


def objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Pairs]:
    return st.lists(st.tuples(KEYS, values), max_size=4).map(Pairs)


VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | objects(inner), max_leaves=12)
RECORDS = st.lists(st.tuples(st.sampled_from(["1", "2", "3", "01"]), objects(VALUES)), max_size=4).map(Pairs)


def write(value: Any, style: str, level: int = 0) -> str:
    """``value`` as JSON text: ``indented`` as ``encode`` writes it, ``compact``, or ``escaped``
    (compact, every colon in a string written ``\\u003a``)."""
    if isinstance(value, Pairs):
        colon = ": " if style == "indented" else ":"
        items = [write(key, style) + colon + write(item, style, level + 1) for key, item in value]
    elif isinstance(value, list):
        items = [write(item, style, level + 1) for item in value]
    if isinstance(value, list):
        opening, closing = "{}" if isinstance(value, Pairs) else "[]"
        if not items:
            return opening + closing
        if style != "indented":
            return opening + ",".join(items) + closing
        inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
        return opening + inner + ("," + inner).join(items) + outer + closing
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # beyond 64 bits too, as Python's json writes it
    text = orjson.dumps(value).decode()
    return text.replace(":", "\\u003a") if style == "escaped" and isinstance(value, str) else text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(records=RECORDS, style=st.sampled_from(["indented", "compact", "escaped"]))
def test_any_file_reads_as_the_exact_reader_reads_it(records: Pairs, style: str) -> None:
    raw = write(Pairs([("incidents", records), ("meta", Pairs([("1", Pairs([("schema_version", 2)]))]))]), style)
    raw_bytes = (raw + "\n" if style == "indented" else raw).encode()
    assert decoded(raw_bytes) == exactly(raw_bytes)


def as_pairs(value: Any) -> Any:
    if isinstance(value, dict):
        return Pairs((key, as_pairs(item)) for key, item in value.items())
    return [as_pairs(item) for item in value] if isinstance(value, list) else value


def test_the_indented_layout_above_is_the_one_encode_writes() -> None:
    """So that the test above reads files taken as read, not only files counted."""
    data = journal(**{"1": RECORD, "2": {"e": [], "o": {}, "f": -1.5e-7, "n": [1, [2, {"x": None}]], "t": True}})
    assert (write(as_pairs(data), "indented") + "\n").encode() == encode(data)


# -- the shape of what was read ----------------------------------------------------------------------


def shape_by_loop(data: dict[str, dict[str, Any]], odd_numbers: bool) -> bool | str:
    """``_check_shape`` as it was, one record at a time: its result, or the message it refuses with."""
    odd = False
    for table_name, table in data.items():
        for key, document in table.items():
            if type(document) is dict and key.isdigit() and key.isascii() and (key[0] != "0" or key == "0"):
                continue
            if odd_numbers and key.isdecimal() and isinstance(document, dict):
                odd = True
                continue
            return (
                f"{PATH}: table {table_name!r}, record {key!r} is not a JSON object "
                "under a plain number (1, 2, 3, ...); fix or remove it by hand"
            )
    return odd


RECORD_KEYS = st.sampled_from(["1", "2", "10", "0", "01", "00", "\uff12", "\u0663", "", "a", "1a", " 1"])
DOCUMENTS = st.sampled_from([{}, {"a": 1}, [], 1, None, "x"])


@given(
    tables=st.dictionaries(st.sampled_from(["incidents", "meta"]), st.dictionaries(RECORD_KEYS, DOCUMENTS)),
    odd_numbers=st.booleans(),
)
@example(tables={"incidents": {"01": {}, "2": {}}}, odd_numbers=True)
@example(tables={"incidents": {"1": {}, "02": {}}}, odd_numbers=True)
@example(tables={"incidents": {"1": {}, "0": {}}}, odd_numbers=False)
@example(tables={"incidents": {"1": {}, "\uff12": {}}}, odd_numbers=True)
@example(tables={"incidents": {"1": {}, "2": []}}, odd_numbers=True)
def test_the_shape_is_judged_as_record_by_record(tables: dict[str, dict[str, Any]], odd_numbers: bool) -> None:
    try:
        found: bool | str = store.storage._check_shape(tables, PATH, odd_numbers=odd_numbers)
    except JournalUnreadable as exc:
        found = str(exc)
    assert found == shape_by_loop(tables, odd_numbers)
