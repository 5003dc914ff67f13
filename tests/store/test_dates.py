"""A date typed as precise as it is known: ``2025-03-12``, ``2025-03`` or ``2025``.

A month or a year is stored as its first day (as the end date, its last) and sets
``date_precision`` unless a precision is given; a given precision coarser than the text is kept,
a finer one than the text supports is refused under the date field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from store import Incident, IncidentFields, Journal
from store.errors import field_problems
from store.exchange import export_bytes, plan_import, read_rows
from store.exchange.batch import validate

BASE_FIELDS: dict[str, Any] = {"title": "Shelling of a village", "country": "Ukraine", "region": "Kharkiv"}
BASE_DATE: dict[str, Any] = {**BASE_FIELDS, "date": "2025-03-12"}


def fields(**given: Any) -> IncidentFields:
    return IncidentFields.model_validate({**BASE_FIELDS, **given})


def problems(**given: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate({**BASE_FIELDS, **given})
    return {problem.field: problem.message for problem in field_problems(caught.value)}


# -- the three forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "precision", "label"),
    [
        ("2025-03-12", dt.date(2025, 3, 12), "day", "2025-03-12"),
        ("2025-03", dt.date(2025, 3, 1), "month", "2025-03"),
        ("2025", dt.date(2025, 1, 1), "year", "2025"),
        ("  2025-03 ", dt.date(2025, 3, 1), "month", "2025-03"),
    ],
)
def test_a_date_may_be_a_day_a_month_or_a_year(text: str, date: dt.date, precision: str, label: str) -> None:
    made = fields(date=text)
    assert (made.date, made.date_precision, made.date_label()) == (date, precision, label)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2025-03-12", dt.date(2025, 3, 12)),
        ("2025-03", dt.date(2025, 3, 31)),
        ("2025-04", dt.date(2025, 4, 30)),
        ("2024-02", dt.date(2024, 2, 29)),
        ("2025-02", dt.date(2025, 2, 28)),
        ("2025", dt.date(2025, 12, 31)),
    ],
)
def test_an_end_date_of_a_month_or_a_year_is_its_last_day(text: str, end: dt.date) -> None:
    assert fields(date="2024-01-01", date_end=text).date_end == end


def test_a_month_from_start_to_end_is_that_month() -> None:
    made = fields(date="2025-03", date_end="2025-03")
    assert (made.date, made.date_end, made.date_precision) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31), "month")
    assert made.date_label() == "2025-03"


def test_a_span_of_months_is_labelled_by_month() -> None:
    made = fields(date="2025-03", date_end="2025-05")
    assert (made.date_end, made.date_precision) == (dt.date(2025, 5, 31), "month")
    assert made.date_label() == "2025-03..2025-05"


def test_the_coarsest_of_the_two_dates_sets_the_precision() -> None:
    made = fields(date="2025-03", date_end="2026")
    assert (made.date, made.date_end, made.date_precision) == (dt.date(2025, 3, 1), dt.date(2026, 12, 31), "year")
    assert fields(date="2025-03-12", date_end="2025-04").date_precision == "month"


def test_an_end_in_the_start_month_is_not_before_it() -> None:
    assert fields(date="2025-03-20", date_end="2025-03").date_end == dt.date(2025, 3, 31)


def test_an_end_month_before_the_start_is_refused() -> None:
    assert problems(date="2025-04", date_end="2025-03") == {
        "date_end": "2025-03-31 is before the start date 2025-04-01"
    }


# -- the given precision -----------------------------------------------------------------------------


@pytest.mark.parametrize("given", [{}, {"date_precision": "day"}])
def test_no_precision_or_the_default_day_takes_the_texts(given: dict) -> None:
    assert fields(date="2025", **given).date_precision == "year"
    assert fields(date="2025-03", **given).date_precision == "month"
    assert fields(date="2025-03-12", **given).date_precision == "day"


@pytest.mark.parametrize(
    ("text", "precision", "date"),
    [
        ("2025-03-12", "week", dt.date(2025, 3, 12)),
        ("2025-03-12", "month", dt.date(2025, 3, 12)),
        ("2025-03-12", "year", dt.date(2025, 3, 12)),
        ("2025-03", "month", dt.date(2025, 3, 1)),
        ("2025-03", "year", dt.date(2025, 3, 1)),
        ("2025", "year", dt.date(2025, 1, 1)),
    ],
)
def test_a_given_precision_as_coarse_as_the_text_or_coarser_is_kept(text: str, precision: str, date: dt.date) -> None:
    made = fields(date=text, date_precision=precision)
    assert (made.date, made.date_precision) == (date, precision)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"date": "2025", "date_precision": "month"}, "date",
         "2025 names a year; give the month too (YYYY-MM) or choose precision year"),
        ({"date": "2025", "date_precision": "week"}, "date",
         "2025 names a year; give the day too (YYYY-MM-DD) or choose precision year"),
        ({"date": "2025-03", "date_precision": "week"}, "date",
         "2025-03 names a month; give the day too (YYYY-MM-DD) or choose precision month"),
        ({"date": "2025-03-12", "date_end": "2025", "date_precision": "month"}, "date_end",
         "2025 names a year; give the month too (YYYY-MM) or choose precision year"),
    ],
)
def test_a_given_precision_finer_than_the_text_is_refused_under_the_date(given: dict, field: str, message: str) -> None:
    assert problems(**given) == {field: message}


def test_an_unknown_precision_is_refused_as_a_choice_and_the_date_still_read() -> None:
    assert problems(date="2025", date_precision="decade") == {
        "date_precision": "must be one of: day, week, month, year; this is 'decade'"
    }


# -- what is not a date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2025-13", "2025-00", "2025-02-30", "0000", "25", "2025-3", "2025-03-1", "March 2025", "2025/03", "20250312"],
)
def test_a_bad_date_names_the_three_forms(text: str) -> None:
    assert problems(date=text) == {"date": f"{text!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY"}
    assert problems(date="2024-01-01", date_end=text) == {
        "date_end": f"{text!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY"
    }


def test_a_blank_date_is_required_with_the_forms() -> None:
    assert problems(date=" ") == {"date": "is required (YYYY-MM-DD, YYYY-MM or YYYY)"}
    assert fields(date="2025", date_end=" ").date_end is None


@pytest.mark.parametrize(
    ("value", "given"), [(2025, "the number 2025"), (2025.5, "the number 2025.5"), ([2025], "a list")]
)
def test_a_date_must_be_text(value: Any, given: str) -> None:
    assert problems(date=value) == {
        "date": f"must be a date written as text, YYYY-MM-DD, YYYY-MM or YYYY (not {given})"
    }


def test_a_sources_published_date_is_a_day() -> None:
    made = fields(date="2025", sources=[{"outlet": "Reuters", "published": "2025-03-12"}])
    assert made.sources[0].published == dt.date(2025, 3, 12)
    assert problems(date="2025", sources=[{"outlet": "Reuters", "published": "2025-03"}]) == {
        "sources.0.published": "'2025-03' is not a date; use YYYY-MM-DD"
    }


# -- stored and changed ------------------------------------------------------------------------------


@pytest.fixture
def stored() -> Incident:
    now = "2025-03-13T09:00:00Z"
    return Incident.model_validate(
        {**BASE_DATE, "id": "4b3a3c1e-1111-4111-8111-111111111111", "created_at": now, "updated_at": now}
    )


def test_a_stored_month_reads_back_as_it_was(stored: Incident) -> None:
    month = stored.with_changes(date="2025-03")
    assert (month.date, month.date_precision) == (dt.date(2025, 3, 1), "month")
    assert Incident.model_validate(month.record()) == month
    assert month.record()["date"] == "2025-03-01" and month.record()["date_precision"] == "month"


def test_changing_a_day_to_a_year_sets_the_precision(stored: Incident) -> None:
    changed = stored.with_changes(date="2024")
    assert (changed.date, changed.date_precision) == (dt.date(2024, 1, 1), "year")


def test_a_full_date_typed_over_a_month_keeps_the_month_until_the_precision_changes(stored: Incident) -> None:
    month = stored.with_changes(date="2025-03")
    assert month.with_changes(date="2025-03-20").date_precision == "month"
    assert month.with_changes(date="2025-03-20", date_precision="day").date_precision == "day"


def test_a_year_typed_over_a_month_asks_for_the_month_or_the_year(stored: Incident) -> None:
    month = stored.with_changes(date="2025-03")
    with pytest.raises(ValidationError) as caught:
        month.with_changes(date="2025")
    assert [str(p) for p in field_problems(caught.value)] == [
        "date: 2025 names a year; give the month too (YYYY-MM) or choose precision year"
    ]


# -- exchange round trips ----------------------------------------------------------------------------


@pytest.fixture
def coarse(make_incident) -> list[Incident]:
    return [
        make_incident(date="2025-03"),
        make_incident(date="2025", date_end="2025"),
        make_incident(date="2025-03", date_end="2025-05"),
        make_incident(date="2025-03-12", date_precision="month"),
    ]


@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_coarse_dates_survive_export_and_import(fmt: str, coarse: list[Incident]) -> None:
    candidates = read_rows(export_bytes(coarse, fmt), fmt, name=f"export.{fmt}")
    checked = validate(candidates, len(candidates))
    assert checked.errors == []
    assert [incident.record() for _, incident in checked.valid] == [incident.record() for incident in coarse]


def test_a_month_survives_acled(coarse: list[Incident], journal_path: Path) -> None:
    month = coarse[0]
    with Journal(journal_path) as journal:
        plan = plan_import(journal, export_bytes([month], "acled"), "acled", name="ours.csv")
    assert plan.errors == []
    (back,) = plan.new
    assert (back.date, back.date_precision, back.date_label()) == (month.date, "month", "2025-03")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_files_written_by_people_may_give_a_month_or_a_year(fmt: str, tmp_path: Path) -> None:
    if fmt == "json":
        data = b'[{"title": "t", "date": "2025-03", "date_end": "2025", "country": "c", "region": "r"}]'
    else:
        data = b"title,date,country,region\nt,2025,c,r\n"
    candidates = read_rows(data, fmt, name=f"people.{fmt}")
    checked = validate(candidates, len(candidates))
    assert checked.errors == []
    ((_, incident),) = checked.valid
    assert incident.date == dt.date(2025, 3 if fmt == "json" else 1, 1)
    assert incident.date_precision == "year"
