"""Casualty counts: the notation people type, what it stores, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from store import Count
from store.counts import MAX_COUNT, NOTE_MAX


@pytest.mark.parametrize(
    ("text", "low", "high", "note"),
    [
        ("3", 3, 3, None),
        ("1+", 1, None, None),
        ("2-5", 2, 5, None),
        ("?", None, None, None),
        ("0", 0, 0, None),
        ("? (several)", None, None, "several"),
        ("1+ (at least one)", 1, None, "at least one"),
        ("2-5 (estimate)", 2, 5, "estimate"),
        ("2–5", 2, 5, None),  # en dash, as word processors and phones type it
        ("  2 - 5  ", 2, 5, None),
        ("1 +", 1, None, None),
        ("4-4", 4, 4, None),
        ("?(several)", None, None, "several"),
        ("? (  several  )", None, None, "several"),
        ("0-2", 0, 2, None),
        (str(MAX_COUNT), MAX_COUNT, MAX_COUNT, None),
    ],
)
def test_parse_reads_the_notation(text: str, low: int | None, high: int | None, note: str | None) -> None:
    count = Count.parse(text)
    assert (count.min, count.max, count.note) == (low, high, note)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (Count(min=3, max=3), "3"),
        (Count(min=1), "1+"),
        (Count(min=2, max=5), "2-5"),
        (Count(), "?"),
        (Count(min=0, max=0), "0"),
        (Count(note="several"), "? (several)"),
        (Count(min=1, note="at least one"), "1+ (at least one)"),
    ],
)
def test_str_prints_the_notation(count: Count, text: str) -> None:
    assert str(count) == text


def test_notation_leaves_out_the_note() -> None:
    assert Count(note="several").notation() == "?"


def test_exact_and_unknown_properties() -> None:
    assert Count.parse("3").is_exact
    assert not Count.parse("2-5").is_exact
    assert not Count.parse("1+").is_exact
    assert Count.parse("? (several)").is_unknown
    assert Count.unknown().is_unknown
    assert not Count.parse("0").is_unknown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-1", "negative"),
        ("-3+", "negative"),
        (" -2-5", "negative"),
        ("5-2", "the maximum (2) is less than the minimum (5)"),
        ("several", "'several' is not a count"),
        ("three", "'three' is not a count"),
        ("1.5", "is not a count"),
        ("1++", "is not a count"),
        ("2-", "is not a count"),
        ("3 several", "is not a count"),
        ("? ((nested))", "is not a count"),
        ("99999999999", "is more than 10,000,000"),
        (str(MAX_COUNT + 1), "is more than 10,000,000"),
        ("1-" + str(MAX_COUNT + 1), "is more than 10,000,000"),
        ("1 (a\tb)", "control character"),
        ("1 (a\x00b)", "control character"),
    ],
)
def test_bad_notation_is_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        Count.parse(text)
    assert says in str(caught.value)


def test_words_are_pointed_to_the_note() -> None:
    with pytest.raises(ValueError) as caught:
        Count.parse("several")
    # The message shows how to write a word: in a note after the count.
    assert "? (several)" in str(caught.value)


def test_a_note_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        Count.parse(f"? ({'x' * (NOTE_MAX + 1)})")


# -- the JSON shape ------------------------------------------------------------------------


def test_json_shape_is_min_max_note() -> None:
    assert Count.parse("1+ (at least one)").model_dump(mode="json") == {
        "min": 1,
        "max": None,
        "note": "at least one",
    }
    assert Count.parse("?").model_dump(mode="json") == {"min": None, "max": None, "note": None}


def test_json_shape_reads_back() -> None:
    assert Count.model_validate({"min": 2, "max": 5, "note": None}) == Count.parse("2-5")
    assert Count.model_validate({"min": None, "max": None, "note": "several"}) == Count.parse("? (several)")


def test_a_bare_number_in_json_means_exactly_that_many() -> None:
    assert Count.model_validate(3) == Count.parse("3")


@pytest.mark.parametrize(
    "data",
    [
        True,
        False,
        {"min": True, "max": True},
        {"min": 1, "max": False},
        {"min": 1.0, "max": 1.0},
        {"min": "1", "max": "1"},
    ],
)
def test_bools_floats_and_strings_are_not_numbers_in_json(data: object) -> None:
    with pytest.raises(ValidationError):
        Count.model_validate(data)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"min": -1, "max": None}, "greater than or equal to 0"),
        ({"min": 5, "max": 2}, "the maximum (2) is less than the minimum (5)"),
        ({"min": None, "max": 3}, "a maximum without a minimum"),
        ({"min": MAX_COUNT + 1, "max": None}, "is more than 10,000,000"),
        ({"min": 1, "max": 1, "count": 1}, "Extra inputs are not permitted"),
        ({"min": None, "max": None, "note": "a (b)"}, "parentheses"),
    ],
)
def test_inconsistent_json_is_refused(data: dict, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Count.model_validate(data)
    assert says in str(caught.value)


def test_counts_are_frozen() -> None:
    count = Count.parse("3")
    with pytest.raises(ValidationError):
        count.min = 4  # type: ignore[misc]


# -- properties ----------------------------------------------------------------------------

notes = st.none() | st.text(
    # No control characters, surrogates or bidirectional controls: a note may hold none of them.
    alphabet=st.characters(
        exclude_categories=("Cc", "Cs"), exclude_characters="()\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    ),
    max_size=NOTE_MAX,
)


@st.composite
def valid_counts(draw: st.DrawFn) -> Count:
    low = draw(st.none() | st.integers(0, MAX_COUNT))
    if low is None:
        high = None
    else:
        high = draw(st.none() | st.just(low) | st.integers(low, MAX_COUNT))
    return Count(min=low, max=high, note=draw(notes))


@settings(max_examples=200)
@given(valid_counts())
def test_every_count_survives_its_notation(count: Count) -> None:
    assert Count.parse(str(count)) == count


@settings(max_examples=100)
@given(valid_counts())
def test_every_count_survives_json(count: Count) -> None:
    assert Count.model_validate(count.model_dump(mode="json")) == count


notation_like = st.from_regex(
    r"\s*(\?|-?\d{1,9}(\+|\s*[-–—]\s*\d{1,9})?)?\s*(\([^()]{0,12}\))?\s*", fullmatch=True
)


@settings(max_examples=200)
@given(st.text() | notation_like)
def test_any_text_is_refused_cleanly_or_read_consistently(text: str) -> None:
    try:
        count = Count.parse(text)
    except ValueError as exc:
        assert str(exc), "a refusal must say why"
        return
    assert Count.parse(str(count)) == count
