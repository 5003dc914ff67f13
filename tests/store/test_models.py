"""The incident model: every field's rules, the derived casualty status, and JSON."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from store import Count, Incident, IncidentFields, InvalidIncident, Source, taxonomy
from store.errors import FieldProblem, field_problems
from store.models import (
    ATTRIBUTIONS,
    DATE_PRECISIONS,
    GEO_PRECISIONS,
    SOURCE_KINDS,
    SUMMARY_MAX,
    TARGET_KINDS,
    TITLE_MAX,
    VERIFICATIONS,
)

#: The least an incident needs (the same as the ``make_fields`` fixture's).
BASE_FIELDS: dict[str, Any] = {
    "title": "Drone strike on a factory",
    "date": "2024-07-01",
    "country": "Russia",
    "region": "Udmurtia",
}


def problems(**overrides: Any) -> dict[str, str]:
    """The field -> message problems of the minimal incident with ``overrides``; must be invalid."""
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate({**BASE_FIELDS, **overrides})
    return {problem.field: problem.message for problem in field_problems(caught.value)}


def without(*names: str) -> dict[str, Any]:
    return {key: value for key, value in BASE_FIELDS.items() if key not in names}


# -- title and the other single-line texts ------------------------------------------------


def test_title_is_stripped(make_fields) -> None:
    assert make_fields(title="  Drone strike  ").title == "Drone strike"


@pytest.mark.parametrize("title", ["", "   ", "\t"])
def test_empty_title_is_refused(title: str) -> None:
    assert problems(title=title) == {"title": "cannot be empty"}


def test_title_is_required() -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate(without("title"))
    assert [str(p) for p in field_problems(caught.value)] == ["title: is required"]


def test_title_length_limit(make_fields) -> None:
    assert make_fields(title="x" * TITLE_MAX).title == "x" * TITLE_MAX
    assert make_fields(title=" " + "x" * TITLE_MAX + " ").title == "x" * TITLE_MAX
    assert "title" in problems(title="x" * (TITLE_MAX + 1))


SINGLE_LINE_FIELDS = ["title", "country", "region", "place", "weapon", "actor", "target"]


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@pytest.mark.parametrize("bad", ["a\nb", "a\tb", "a\x00b", "a\x1b[31mb", "a\x7fb", "a\x85b", "a\rb"])
def test_single_line_fields_refuse_control_characters(field: str, bad: str) -> None:
    found = problems(**{field: bad})
    assert list(found) == [field]
    assert "control character" in found[field]


@pytest.mark.parametrize("field", [*SINGLE_LINE_FIELDS, "summary"])
def test_text_fields_refuse_lone_surrogates(field: str) -> None:
    assert list(problems(**{field: "bad \ud800 text"})) == [field]


def test_sources_refuse_lone_surrogates() -> None:
    assert list(problems(sources=[{"outlet": "bad \udfff"}])) == ["sources.0.outlet"]
    assert list(problems(sources=[{"outlet": "x", "quote": "bad \ud800"}])) == ["sources.0.quote"]


@pytest.mark.parametrize("field", ["place", "weapon", "actor", "target"])
def test_optional_lines_treat_blank_as_absent(make_fields, field: str) -> None:
    assert getattr(make_fields(**{field: "   "}), field) is None
    assert getattr(make_fields(**{field: " Izhevsk "}), field) == "Izhevsk"


# -- summary --------------------------------------------------------------------------------


def test_summary_keeps_newlines_and_tabs(make_fields) -> None:
    text = "First paragraph.\n\n\tIndented line.\nLast line."
    assert make_fields(summary=text).summary == text


def test_summary_folds_windows_line_endings(make_fields) -> None:
    assert make_fields(summary="one\r\ntwo").summary == "one\ntwo"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\rb", "a\x0bb", "a\x0cb"])
def test_summary_refuses_other_control_characters(bad: str) -> None:
    assert "control character" in problems(summary=bad)["summary"]


def test_summary_length_limit(make_fields) -> None:
    assert len(make_fields(summary="x" * SUMMARY_MAX).summary) == SUMMARY_MAX
    assert "summary" in problems(summary="x" * (SUMMARY_MAX + 1))


# -- tags -------------------------------------------------------------------------------------


def test_tags_are_lowercased_and_deduplicated_in_order(make_fields) -> None:
    assert make_fields(tags=["Fire", "factory", "FIRE", " fire "]).tags == ["fire", "factory"]


def test_tags_may_be_typed_as_one_text(make_fields) -> None:
    assert make_fields(tags="Fire, factory  night-strike").tags == ["fire", "factory", "night-strike"]


def test_tags_may_be_cyrillic_and_use_the_allowed_punctuation(make_fields) -> None:
    tags = ["завод", "acled:air", "2024/07", "a.b", "under_score"]
    assert make_fields(tags=tags).tags == tags


@pytest.mark.parametrize("bad", ["two words", "#hashtag", "a,b", "", "x" * 41, "tag!", "a\nb"])
def test_bad_tags_are_refused(bad: str) -> None:
    assert list(problems(tags=["fine", bad])) == ["tags"]


# -- dates ------------------------------------------------------------------------------------


def test_date_end_may_equal_or_follow_date(make_fields) -> None:
    assert make_fields(date_end="2024-07-01").date_end == dt.date(2024, 7, 1)
    assert make_fields(date_end="2024-07-05").date_end == dt.date(2024, 7, 5)


def test_date_end_before_date_is_refused() -> None:
    found = problems(date="2024-07-05", date_end="2024-07-01")
    assert list(found) == ["date_end"]
    assert "before the start date 2024-07-05" in found["date_end"]


@pytest.mark.parametrize("bad", ["2024-02-30", "01/07/2024", "July 2024", ""])
def test_impossible_dates_are_refused(bad: str) -> None:
    assert "date" in problems(date=bad)


def test_date_is_required() -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate(without("date"))
    assert {p.field: p.message for p in field_problems(caught.value)} == {"date": "is required"}


@pytest.mark.parametrize("precision", ["day", "week", "month", "year"])
def test_date_precisions(make_fields, precision: str) -> None:
    assert DATE_PRECISIONS == ("day", "week", "month", "year")
    assert make_fields(date_precision=precision).date_precision == precision


def test_unknown_date_precision_is_refused() -> None:
    assert list(problems(date_precision="decade")) == ["date_precision"]


@pytest.mark.parametrize(
    ("precision", "date_end", "label"),
    [
        ("day", None, "2024-07-01"),
        ("day", "2024-07-03", "2024-07-01..2024-07-03"),
        ("month", None, "2024-07"),
        ("month", "2024-07-20", "2024-07"),
        ("month", "2024-08-02", "2024-07..2024-08"),
        ("year", None, "2024"),
        ("week", None, "week of 2024-07-01"),
    ],
)
def test_date_label_shows_only_what_is_known(make_fields, precision: str, date_end: str | None, label: str) -> None:
    assert make_fields(date_precision=precision, date_end=date_end).date_label() == label


# -- place --------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["country", "region"])
def test_country_and_region_are_required(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate(without(field))
    assert {p.field: p.message for p in field_problems(caught.value)} == {field: "is required"}
    assert problems(**{field: "  "}) == {field: "cannot be empty"}


@pytest.mark.parametrize(("lat", "lon"), [(90, 180), (-90, -180), (0, 0), (56.8498, 53.2045)])
def test_coordinates_in_range_are_kept(make_fields, lat: float, lon: float) -> None:
    fields = make_fields(latitude=lat, longitude=lon)
    assert (fields.latitude, fields.longitude) == (lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (90.01, 10, "latitude"),
        (-91, 10, "latitude"),
        (10, 180.5, "longitude"),
        (10, -181, "longitude"),
        (math.nan, 10, "latitude"),
        (10, math.inf, "longitude"),
    ],
)
def test_coordinates_out_of_range_are_refused(lat: float, lon: float, field: str) -> None:
    assert field in problems(latitude=lat, longitude=lon)


@pytest.mark.parametrize("given", [{"latitude": 56.8}, {"longitude": 53.2}])
def test_coordinates_go_together(given: dict) -> None:
    found = problems(**given)
    assert "give both or neither" in " ".join(found.values())


def test_no_coordinates_is_fine(make_fields) -> None:
    fields = make_fields()
    assert (fields.latitude, fields.longitude) == (None, None)


@pytest.mark.parametrize("precision", ["exact", "near", "region"])
def test_geo_precisions(make_fields, precision: str) -> None:
    assert GEO_PRECISIONS == ("exact", "near", "region")
    assert make_fields(geo_precision=precision).geo_precision == precision


def test_unknown_geo_precision_is_refused() -> None:
    assert list(problems(geo_precision="approximate")) == ["geo_precision"]


# -- event type -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Air/drone strike", "Air/drone strike"),
        ("AIR/DRONE STRIKE", "Air/drone strike"),
        ("air", "Air/drone strike"),
        ("  Air  ", "Air/drone strike"),
        ("shelling", "Shelling/artillery/missile attack"),
        ("disrupted", "Disrupted weapons use"),
        ("Attack", "Attack"),
        ("other", "Other"),
    ],
)
def test_event_type_resolves_names_and_unique_prefixes(make_fields, typed: str, name: str) -> None:
    assert make_fields(event_type=typed).event_type == name


def test_blank_event_type_means_none(make_fields) -> None:
    assert make_fields(event_type="  ").event_type is None
    assert make_fields().acled_event_type is None


def test_ambiguous_event_type_prefix_is_refused_with_the_choices() -> None:
    message = problems(event_type="a")["event_type"]
    for choice in ("Armed clash", "Air/drone strike", "Attack", "Agreement", "Arrests"):
        assert choice in message
    assert "Non-state actor overtakes territory" in problems(event_type="non")["event_type"]


def test_unknown_event_type_is_refused_with_the_choices() -> None:
    message = problems(event_type="bombing")["event_type"]
    assert "'bombing' is not an event type" in message
    assert "Air/drone strike" in message


#: ACLED's codebook: each event type with its sub-event types.
ACLED = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": [
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": [
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ],
}


def test_taxonomy_holds_acleds_25_sub_event_types() -> None:
    assert taxonomy.EVENT_TYPES == tuple(ACLED)
    assert [len(ACLED[event]) for event in taxonomy.EVENT_TYPES] == [3, 6, 3, 3, 2, 8]
    expected = {sub: event for event, subs in ACLED.items() for sub in subs}
    assert len(expected) == 25
    assert taxonomy.SUB_EVENT_TYPES == expected


@pytest.mark.parametrize("sub_event", [sub for subs in ACLED.values() for sub in subs])
def test_every_sub_event_type_is_accepted_with_its_event_type(make_fields, sub_event: str) -> None:
    fields = make_fields(event_type=sub_event.upper())
    assert fields.event_type == sub_event
    assert sub_event in ACLED[fields.acled_event_type]


def test_event_type_knows_its_acled_event_type(make_fields) -> None:
    assert make_fields(event_type="air").acled_event_type == "Explosions/Remote violence"
    assert make_fields(event_type="disrupted").acled_event_type == "Strategic developments"


# -- weapon, attribution, target, verification ------------------------------------------------------


def test_weapons_are_counted_in_the_notation(make_fields) -> None:
    fields = make_fields(weapons_launched="70+", weapons_intercepted="61+ (over 60)", weapons_hit=0)
    assert (str(fields.weapons_launched), str(fields.weapons_intercepted), str(fields.weapons_hit)) == (
        "70+", "61+ (over 60)", "0")
    assert str(make_fields().weapons_launched) == "?"
    assert list(problems(weapons_launched="-2")) == ["weapons_launched"]
    assert list(problems(weapons_launched="three")) == ["weapons_launched"]


@pytest.mark.parametrize(
    ("field", "values", "default"),
    [
        ("attribution", ("confirmed", "claimed", "suspected", "unknown"), "unknown"),
        (
            "target_kind",
            (
                "residential", "industrial", "infrastructure", "administrative", "healthcare",
                "education", "commercial", "military", "vehicle", "other",
            ),
            None,
        ),
        ("verification", ("unverified", "single-source", "corroborated", "confirmed", "disputed"), "unverified"),
    ],
)
def test_enumerated_fields(make_fields, field: str, values: tuple[str, ...], default: str | None) -> None:
    assert getattr(make_fields(), field) == default
    for value in values:
        assert getattr(make_fields(**{field: value}), field) == value
    assert list(problems(**{field: "probably"})) == [field]
    assert list(problems(**{field: values[0].upper()})) == [field]


def test_enumerations_match_the_documented_values() -> None:
    assert ATTRIBUTIONS == ("confirmed", "claimed", "suspected", "unknown")
    assert len(TARGET_KINDS) == 10
    assert VERIFICATIONS == ("unverified", "single-source", "corroborated", "confirmed", "disputed")
    assert SOURCE_KINDS == ("official", "media", "telegram", "social", "witness", "other")


# -- sources ----------------------------------------------------------------------------------------


def test_a_full_source_is_kept(make_fields) -> None:
    source = {
        "outlet": "SHOT (Telegram)",
        "url": "https://t.me/shot_shot/12345",
        "kind": "telegram",
        "published": "2024-07-01",
        "quote": "Line one.\n\tLine two.",
    }
    (kept,) = make_fields(sources=[source]).sources
    assert kept == Source(**source)
    assert kept.published == dt.date(2024, 7, 1)
    assert kept.quote == "Line one.\n\tLine two."


def test_source_defaults(make_fields) -> None:
    (kept,) = make_fields(sources=[{"outlet": "Local news"}]).sources
    assert (kept.url, kept.kind, kept.published, kept.quote) == (None, "other", None, None)


def test_source_outlet_is_required() -> None:
    assert problems(sources=[{"url": "https://example.com"}]) == {"sources.0.outlet": "is required"}
    assert problems(sources=[{"outlet": "  "}]) == {"sources.0.outlet": "cannot be empty"}


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "https://t.me/brechalov/123?x=1#y", "HTTPS://EXAMPLE.COM/Путь"],
)
def test_http_and_https_urls_are_kept(make_fields, url: str) -> None:
    assert make_fields(sources=[{"outlet": "x", "url": url}]).sources[0].url == url


def test_blank_url_means_none(make_fields) -> None:
    assert make_fields(sources=[{"outlet": "x", "url": "  "}]).sources[0].url is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/file", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("example.com/page", "http:// or https://"),
        ("https://exa mple.com", "spaces"),
        ("https://example.com/a b", "spaces"),
        ("https://", "no host"),
        ("https://example.com/\x00", "control character"),
    ],
)
def test_other_urls_are_refused_naming_the_source(make_fields, url: str, says: str) -> None:
    good = {"outlet": "Good", "url": "https://example.com"}
    found = problems(sources=[good, {"outlet": "Bad", "url": url}])
    assert list(found) == ["sources.1.url"]
    assert says in found["sources.1.url"]


def test_source_kind_is_enumerated() -> None:
    assert list(problems(sources=[{"outlet": "x", "kind": "tv"}])) == ["sources.0.kind"]


def test_source_quote_refuses_control_characters_but_keeps_newlines(make_fields) -> None:
    assert make_fields(sources=[{"outlet": "x", "quote": "a\nb"}]).sources[0].quote == "a\nb"
    assert list(problems(sources=[{"outlet": "x", "quote": "a\x07b"}])) == ["sources.0.quote"]
    assert list(problems(sources=[{"outlet": "a\nb"}])) == ["sources.0.outlet"]


# -- unknown fields ---------------------------------------------------------------------------------


def test_unknown_fields_are_refused_by_name() -> None:
    assert problems(casualties=3) == {"casualties": "unknown field"}
    assert problems(sources=[{"outlet": "x", "link": "y"}]) == {"sources.0.link": "unknown field"}
    assert problems(killed={"min": 1, "max": 1, "extra": 2}) == {"killed.extra": "unknown field"}


def test_incident_refuses_unknown_fields_too(make_incident) -> None:
    with pytest.raises(ValidationError) as caught:
        make_incident(colour="red")
    assert [str(p) for p in field_problems(caught.value)] == ["colour: unknown field"]


# -- casualties -------------------------------------------------------------------------------------


def test_counts_default_to_unknown(make_fields) -> None:
    fields = make_fields()
    assert fields.killed == Count() and fields.injured == Count()
    assert make_fields(killed=None).killed == Count()


def test_counts_accept_the_notation_and_the_json_shape(make_fields) -> None:
    fields = make_fields(killed="1+", injured={"min": None, "max": None, "note": "several"})
    assert str(fields.killed) == "1+"
    assert str(fields.injured) == "? (several)"


@pytest.mark.parametrize(
    ("killed", "says"),
    [("-1", "negative"), ("several", "is not a count"), ("5-2", "less than the minimum")],
)
def test_bad_counts_are_named_by_field(killed: str, says: str) -> None:
    found = problems(killed=killed)
    assert list(found) == ["killed"]
    assert says in found["killed"]


def test_bool_is_not_a_count() -> None:
    assert "killed" in problems(killed=True)


@pytest.mark.parametrize(
    ("killed", "injured", "status"),
    [
        ("1+", "?", "killed"),
        ("1", "0", "killed"),
        ("2-5", "1", "killed"),
        ("1+ (at least one)", "? (several)", "killed"),
        ("?", "2", "injured"),
        ("0", "1+", "injured"),
        ("0-2", "1-4", "injured"),
        ("0", "0", "none"),
        ("0 (none reported)", "0", "none"),
        ("0", "?", "unknown"),
        ("?", "0", "unknown"),
        ("?", "?", "unknown"),
        ("0-2", "0", "unknown"),
        ("0-2", "?", "unknown"),
        ("0", "0-3", "unknown"),
        ("0", "0+", "unknown"),
        ("? (several)", "0", "unknown"),
    ],
)
def test_casualty_status(make_fields, killed: str, injured: str, status: str) -> None:
    assert make_fields(killed=killed, injured=injured).casualty_status == status


# -- JSON -------------------------------------------------------------------------------------------


def test_json_output_carries_casualty_status_and_reads_back(make_incident) -> None:
    incident = make_incident(killed="1+", injured="? (several)", sources=[{"outlet": "SHOT", "kind": "telegram"}])
    output = json.loads(json.dumps(incident.model_dump(mode="json")))
    assert output["casualty_status"] == "killed"
    assert output["killed"] == {"min": 1, "max": None, "note": None}
    assert Incident.model_validate(output) == incident


def test_stored_record_leaves_out_derived_fields(make_incident) -> None:
    record = make_incident(killed="0", injured="0").record()
    assert "casualty_status" not in record
    assert Incident.model_validate(record).casualty_status == "none"


def test_fields_record_holds_only_what_a_person_writes(make_incident) -> None:
    record = make_incident().fields_record()
    assert not {"id", "revision", "created_at", "updated_at", "casualty_status"} & set(record)
    assert IncidentFields.model_validate(record) == IncidentFields.model_validate(BASE_FIELDS)


@pytest.mark.parametrize(
    "text",
    [
        "[/] closing [bold red]tag",
        "Удар дрона по заводу",
        "Ёлки-палки, ёж",
        "🚀🔥 drone 🛩️ (ZWJ: 👨‍👩‍👧)",
        'He said "there are casualties" — \\ and \'quotes\'',
        "$(rm -rf ~) `x` %s {0} <b>",
    ],
)
def test_unusual_text_is_kept_exactly(make_incident, text: str) -> None:
    incident = make_incident(
        title=text, summary=text + "\n" + text, place=text, sources=[{"outlet": text, "quote": text}], actor=text
    )
    assert incident.title == text
    assert incident.summary == text + "\n" + text
    assert incident.place == text
    assert incident.actor == text
    assert incident.sources[0].outlet == text and incident.sources[0].quote == text
    again = Incident.model_validate(json.loads(json.dumps(incident.model_dump(mode="json"), ensure_ascii=False)))
    assert again == incident


# -- Incident: what the store assigns ---------------------------------------------------------------


def test_incident_id_must_be_a_uuid(make_incident) -> None:
    with pytest.raises(ValidationError) as caught:
        make_incident(id="not-a-uuid")
    assert [p.field for p in field_problems(caught.value)] == ["id"]


def test_incident_id_is_normalised(make_incident) -> None:
    value = uuid.uuid4()
    assert make_incident(id=str(value).upper()).id == str(value)


def test_incident_timestamps_are_utc(make_incident) -> None:
    naive = dt.datetime(2024, 7, 2, 12, 0)
    moscow = dt.datetime(2024, 7, 2, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    incident = make_incident(created_at=naive, updated_at=moscow)
    assert incident.created_at == dt.datetime(2024, 7, 2, 12, 0, tzinfo=dt.UTC)
    assert incident.updated_at.utcoffset() == dt.timedelta(0)
    assert incident.updated_at == incident.created_at


def test_revision_is_at_least_one(make_incident) -> None:
    assert make_incident().revision == 1
    with pytest.raises(ValidationError):
        make_incident(revision=0)


def test_models_are_frozen_and_changes_are_validated(make_incident) -> None:
    incident = make_incident()
    with pytest.raises(ValidationError):
        incident.title = "changed"  # type: ignore[misc]
    changed = incident.with_changes(title="  New title ", killed="2")
    assert changed.title == "New title" and str(changed.killed) == "2"
    assert changed.id == incident.id
    assert incident.title == BASE_FIELDS["title"]
    with pytest.raises(ValidationError):
        incident.with_changes(killed="-1")


# -- errors as people see them ----------------------------------------------------------------------


def test_field_problems_name_every_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate(
            {**BASE_FIELDS, "title": "", "killed": "lots", "sources": [{"outlet": "x", "url": "ftp://x"}]}
        )
    found = field_problems(caught.value)
    assert all(isinstance(p, FieldProblem) for p in found)
    assert {p.field for p in found} == {"title", "killed", "sources.0.url"}
    # Messages are the model's words, without pydantic's prefixes.
    assert all(not p.message.startswith("Value error") for p in found)
    assert "sources.0.url: must start with http:// or https://" in [str(p) for p in found]


def test_invalid_incident_carries_the_problems() -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentFields.model_validate({**BASE_FIELDS, "region": "", "weapons_launched": "three"})
    error = InvalidIncident(field_problems(caught.value))
    assert {p.field for p in error.problems} == {"region", "weapons_launched"}
    assert "region: cannot be empty" in str(error)
    assert isinstance(error, ValueError)


# -- property: titles are refused or kept ------------------------------------------------------------


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=TITLE_MAX + 20))
def test_any_title_is_refused_or_kept_exactly(text: str) -> None:
    try:
        fields = IncidentFields.model_validate({**BASE_FIELDS, "title": text})
    except ValidationError as exc:
        assert [p.field for p in field_problems(exc)] == ["title"]
        return
    assert fields.title == text.strip()
    assert 1 <= len(fields.title) <= TITLE_MAX
