"""Every problem the models report is said in our words, and says what to do.

pydantic's own wording ("Input should be less than or equal to 90", "Value should have at most
200 items after validation, not 600") never reaches a person: ``field_problems`` translates each
error type the models can raise, and keeps the messages of our own validators as they are.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from store import Count, Incident, IncidentFields
from store.errors import field_problems

BASE_FIELDS: dict[str, Any] = {
    "title": "Drone strike on a factory",
    "date": "2024-07-01",
    "country": "Russia",
    "region": "Udmurtia",
}
NOW = "2024-07-02T09:30:00Z"
BASE_INCIDENT: dict[str, Any] = {
    **BASE_FIELDS,
    "id": "4b3a3c1e-1111-4111-8111-111111111111",
    "created_at": NOW,
    "updated_at": NOW,
}

#: What pydantic says and we never do.
PYDANTIC_WORDS = ("Input should", "Value should", "after validation", "Value error", "Assertion failed")


def problems_of(model: type, data: Any) -> dict[str, str]:
    """field -> message of ``data`` validated as ``model``; it must be invalid."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {problem.field: problem.message for problem in field_problems(caught.value)}


def problems(**overrides: Any) -> dict[str, str]:
    return problems_of(IncidentFields, {**BASE_FIELDS, **overrides})


# -- lengths -----------------------------------------------------------------------------------


def test_a_long_title_says_its_length_in_characters() -> None:
    assert problems(title="x" * 600) == {"title": "at most 200 characters; this has 600"}


def test_a_long_title_counts_what_is_left_after_stripping() -> None:
    assert problems(title="  " + "x" * 250 + "  ") == {"title": "at most 200 characters; this has 250"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"summary": "x" * 20_001}, "summary", "at most 20,000 characters; this has 20,001"),
        ({"place": "x" * 201}, "place", "at most 200 characters; this has 201"),
        ({"country": "x" * 300}, "country", "at most 200 characters; this has 300"),
        ({"sources": [{"outlet": "o", "quote": "x" * 5001}]}, "sources.0.quote",
         "at most 5000 characters; this has 5001"),
        ({"sources": [{"outlet": "o", "url": "https://a.example/" + "x" * 1990}]}, "sources.0.url",
         "at most 2000 characters; this has 2008"),
        ({"killed": {"min": 1, "note": "x" * 201}}, "killed.note", "at most 200 characters; this has 201"),
    ],
)
def test_long_texts_say_the_limit_and_the_length(overrides: dict, field: str, message: str) -> None:
    assert problems(**overrides) == {field: message}


def test_too_many_tags_or_sources_are_counted_by_name() -> None:
    assert problems(tags=[f"t{i}" for i in range(60)]) == {"tags": "at most 50 tags; this has 60"}
    assert problems(sources=[{"outlet": "o"}] * 101) == {"sources": "at most 100 sources; this has 101"}


# -- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": 95, "longitude": 30}, "latitude", "at most 90; this is 95"),
        ({"latitude": -90.5, "longitude": 30}, "latitude", "at least -90; this is -90.5"),
        ({"latitude": 50, "longitude": -200}, "longitude", "at least -180; this is -200"),
        ({"latitude": 50, "longitude": 180.25}, "longitude", "at most 180; this is 180.25"),
        ({"weapons_launched": {"min": -1}}, "weapons_launched.min", "at least 0; this is -1"),
        ({"killed": {"min": -1}}, "killed.min", "at least 0; this is -1"),
        ({"injured": {"min": 1, "max": -2}}, "injured.max", "at least 0; this is -2"),
    ],
)
def test_out_of_range_numbers_say_the_limit_and_the_value(overrides: dict, field: str, message: str) -> None:
    assert problems(**overrides) == {field: message}


@pytest.mark.parametrize(
    ("value", "given"),
    [("3", "the text '3'"), (3.5, "3.5"), (3.0, "3.0"), (True, "true"), ([3], "a list"), ({"n": 3}, "an object")],
)
def test_a_whole_number_field_says_so(value: Any, given: str) -> None:
    assert problems(weapons_hit={"min": value}) == {"weapons_hit.min": f"must be a whole number, e.g. 3 (not {given})"}


def test_count_parts_must_be_whole_numbers() -> None:
    assert problems(killed={"min": "1"}) == {"killed.min": "must be a whole number, e.g. 3 (not the text '1')"}
    assert problems(killed={"min": 1.5}) == {"killed.min": "must be a whole number, e.g. 3 (not 1.5)"}


@pytest.mark.parametrize(("value", "given"), [("56.85", "the text '56.85'"), (False, "false"), ([1], "a list")])
def test_a_coordinate_must_be_a_number(value: Any, given: str) -> None:
    assert problems(latitude=value, longitude=30) == {"latitude": f"must be a number, e.g. 56.85 (not {given})"}


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_coordinate_must_be_finite(value: float) -> None:
    assert problems(latitude=value, longitude=30) == {
        "latitude": f"must be a finite number, e.g. 56.85 (not {value})"
    }


# -- choices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "choices"),
    [
        ("date_precision", "day, week, month, year"),
        ("geo_precision", "exact, near, region"),
        ("attribution", "confirmed, claimed, suspected, unknown"),
        ("verification", "unverified, single-source, corroborated, confirmed, disputed"),
        ("target_kind", "residential, industrial, infrastructure, administrative, healthcare, education, "
                        "commercial, military, vehicle, other"),
    ],
)
def test_a_choice_lists_the_choices(field: str, choices: str) -> None:
    assert problems(**{field: "decade"}) == {field: f"must be one of: {choices}; this is 'decade'"}


def test_a_source_kind_lists_the_kinds() -> None:
    assert problems(sources=[{"outlet": "o", "kind": "tv"}]) == {
        "sources.0.kind": "must be one of: official, media, telegram, social, witness, other; this is 'tv'"
    }


def test_a_choice_given_as_a_number_is_shown_as_one() -> None:
    assert problems(date_precision=3) == {"date_precision": "must be one of: day, week, month, year; this is 3"}


# -- types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": 5}, "title", "must be text (not 5)"),
        ({"place": True}, "place", "must be text (not true)"),
        ({"event_type": 5}, "event_type", "must be text (not 5)"),
        ({"tags": [5]}, "tags.0", "must be text (not 5)"),
        ({"tags": [None]}, "tags.0", "must be text (not null)"),
        ({"sources": [{"outlet": ["a"]}]}, "sources.0.outlet", "must be text (not a list)"),
        ({"killed": {"min": 1, "note": 5}}, "killed.note", "must be text (not 5)"),
        ({"country": None}, "country", "is required"),
        ({"tags": 5}, "tags", "must be a list of tags (not 5)"),
        ({"sources": "Reuters"}, "sources", "must be a list of sources (not the text 'Reuters')"),
    ],
)
def test_wrong_types_say_what_is_wanted(overrides: dict, field: str, message: str) -> None:
    assert problems(**overrides) == {field: message}


def test_a_source_that_is_not_an_object_says_what_a_source_is() -> None:
    assert problems(sources=["Reuters"]) == {
        "sources.0": "must be a source: an object with outlet and, if known, url, kind, published, quote "
        "(not the text 'Reuters')"
    }


@pytest.mark.parametrize(("value", "given"), [(1.5, "1.5"), (True, "true"), ([1], "a list")])
def test_a_count_of_the_wrong_type_gives_the_notation(value: Any, given: str) -> None:
    assert problems(killed=value) == {
        "killed": "must be a count: 3, 1+ (at least one), 2-5 (a range), ? (unknown) or 0, "
        f"or an object with min, max, note (not {given})"
    }


def test_an_incident_that_is_not_an_object_says_so() -> None:
    assert problems_of(IncidentFields, "title") == {
        "": "must be an incident: an object of fields (title, date, country, region, ...) (not the text 'title')"
    }


# -- dates and timestamps ------------------------------------------------------------------------


def test_a_date_with_a_time_of_day_is_refused_in_our_words() -> None:
    assert problems(date=dt.datetime(2024, 7, 1, 5, 30)) == {
        "date": "must be a date without a time of day, e.g. 2024-07-01 (not 2024-07-01 05:30:00)"
    }
    assert problems(sources=[{"outlet": "o", "published": dt.datetime(2024, 7, 1, 5)}]) == {
        "sources.0.published": "must be a date without a time of day, e.g. 2024-07-01 (not 2024-07-01 05:00:00)"
    }


@pytest.mark.parametrize("stamp", ["2024-02-30T00:00:00Z", "2024-07-01T25:00:00Z"])
def test_an_impossible_timestamp_is_refused_in_our_words(stamp: str) -> None:
    assert problems_of(Incident, {**BASE_INCIDENT, "created_at": stamp}) == {
        "created_at": f"{stamp!r} is not a timestamp; use ISO 8601, e.g. 2024-07-01T09:30:00Z"
    }


# -- the store's own fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"revision": 0}, "revision", "at least 1; this is 0"),
        ({"revision": 10**10}, "revision", "at most 1,000,000,000; this is 10,000,000,000"),
        ({"revision": "2"}, "revision", "must be a whole number, e.g. 3 (not the text '2')"),
        ({"id": "x" * 65}, "id", "at most 64 characters; this has 65"),
        ({"id": 5}, "id", "must be text (not 5)"),
    ],
)
def test_incident_fields_the_store_assigns(overrides: dict, field: str, message: str) -> None:
    assert problems_of(Incident, {**BASE_INCIDENT, **overrides}) == {field: message}


# -- counts on their own ---------------------------------------------------------------------------


def test_count_problems_are_ours() -> None:
    assert problems_of(Count, {"min": -1}) == {"min": "at least 0; this is -1"}
    assert problems_of(Count, {"min": "3"}) == {"min": "must be a whole number, e.g. 3 (not the text '3')"}
    assert problems_of(Count, {"min": 1, "count": 1}) == {"count": "unknown field"}
    with pytest.raises(ValueError) as caught:
        Count.parse(["3"])  # type: ignore[arg-type]  # what a JSON file could hold
    assert str(caught.value).startswith("must be a count: 3, 1+ (at least one)")


# -- our own messages stand --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "cannot be empty"),
        ({"tags": ["a b"]}, "tags", "tag 'a b' may hold only letters, digits and - _ : . / (no spaces or commas)"),
        ({"killed": "-1"}, "killed", "'-1' is negative; a count is 0 or more"),
        ({"killed": {"max": 3}}, "killed", "a maximum without a minimum; write 0-3"),
        ({"latitude": 50}, "longitude", "latitude and longitude go together: give both or neither"),
        ({"sources": [{"outlet": "o", "url": "ftp://a"}]}, "sources.0.url", "must start with http:// or https://"),
        ({"date": "2024-07-05", "date_end": "2024-07-01"}, "date_end",
         "2024-07-01 is before the start date 2024-07-05"),
        ({"nonsense": 1}, "nonsense", "unknown field"),
    ],
)
def test_our_own_messages_are_kept(overrides: dict, field: str, message: str) -> None:
    assert problems(**overrides) == {field: message}


def test_a_missing_field_is_required() -> None:
    data = {key: value for key, value in BASE_FIELDS.items() if key != "region"}
    assert problems_of(IncidentFields, data) == {"region": "is required"}


# -- no pydantic words, whatever the input ---------------------------------------------------------

#: For each field, values of every wrong kind.
WRONG_VALUES: list[Any] = [
    None, True, 0, -1, 3.5, math.inf, "", "x" * 30_000, "\x00", [], [1], {}, {"a": 1},
    dt.datetime(2024, 7, 1, 5), dt.date(2024, 7, 1), 10**20,
]
FIELDS = [*IncidentFields.model_fields, "id", "revision", "created_at", "updated_at"]


@pytest.mark.parametrize("field", FIELDS)
def test_no_message_is_in_pydantics_words(field: str) -> None:
    for value in WRONG_VALUES:
        for nested in (value, {"min": value}, [{"outlet": "o", "published": value, "kind": value}]):
            data = {**BASE_INCIDENT, field: nested}
            try:
                Incident.model_validate(data)
            except ValidationError as exc:
                for problem in field_problems(exc):
                    assert not any(words in problem.message for words in PYDANTIC_WORDS), (field, nested, problem)


def test_a_fresh_id_is_fine() -> None:  # the base incident above is valid: the failures are the values'
    Incident.model_validate({**BASE_INCIDENT, "id": str(uuid.uuid4())})
