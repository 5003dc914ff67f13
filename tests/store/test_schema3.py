"""Schema 3 (issue 13): who was harmed, weapons in numbers, what each source claimed, and who
claims the attribution; migrated losslessly from schema 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from store import Journal
from store.changelog import encode_entry, log_path
from store.errors import field_problems
from store.exchange.flat import flat_record, sources_from_cell
from store.migrations import SCHEMA_VERSION
from store.models import Incident, IncidentFields
from tui.plain import detail

from .conftest import BASE_FIELDS, stored_tables

SCHEMA_2_RECORD: dict[str, Any] = {
    "id": "78b9375e-f810-45cb-89db-0333a9e5afb0", "revision": 2,
    "created_at": "2024-07-02T09:30:00+00:00", "updated_at": "2024-07-02T09:31:00+00:00",
    "title": "Drone strike sets a factory on fire in Izhevsk", "summary": "", "tags": ["factory"],
    "date": "2024-07-01", "date_end": None, "date_precision": "month", "country": "Russia", "region": "Udmurtia",
    "place": "Izhevsk", "latitude": 56.8498, "longitude": 53.2045, "geo_precision": "near",
    "event_type": "Air/drone strike", "weapon": "Lyutiy-type drone", "weapon_count": 3,
    "actor": "Armed Forces of Ukraine", "attribution": "claimed", "target": "factory", "target_kind": "industrial",
    "killed": {"min": 1, "max": None, "note": None}, "injured": {"min": None, "max": None, "note": "several"},
    "verification": "corroborated",
    "sources": [{"outlet": "SHOT (Telegram)", "url": None, "kind": "telegram", "published": None, "quote": None}],
    "acled_id": None,
}


def problems(**overrides: Any) -> dict[str, str]:
    try:
        IncidentFields.model_validate({**BASE_FIELDS, **overrides})
    except ValidationError as exc:
        return {problem.field: problem.message for problem in field_problems(exc)}
    return {}


# -- migration ------------------------------------------------------------------------------------


def test_a_schema_2_journal_opens_migrated_and_is_written_as_schema_3_by_the_first_save(journal_path: Path):
    without_count = {**SCHEMA_2_RECORD, "id": "9ccb6b32-da98-47df-8bc1-fcd75b62a9da", "weapon_count": None}
    by_hand = {**SCHEMA_2_RECORD, "id": "32047f98-ec01-4a69-a671-58ddae647c0d", "weapon_count": "three"}
    old_version = {**SCHEMA_2_RECORD, "revision": 1, "weapon_count": 2}
    tables = {
        "incidents": {"1": SCHEMA_2_RECORD, "2": without_count, "3": by_hand},
        "history": {"1": {"incident_id": SCHEMA_2_RECORD["id"], "revision": 1, "at": "2024-07-02T09:31:00+00:00",
                          "action": "update", "record": old_version}},
        "meta": {"1": {"schema_version": 2, "folded_seq": 4}},
    }
    journal_path.write_text(json.dumps(tables))
    before = journal_path.read_bytes()
    with Journal(journal_path) as journal:
        assert str(journal.get(SCHEMA_2_RECORD["id"]).weapons_launched) == "3"
    assert journal_path.read_bytes() == before  # opened, read and closed: nothing written

    # a change a schema-2 program acknowledged in the log before it was killed (no "schema" in the line)
    logged = {**SCHEMA_2_RECORD, "id": "6452587f-76cc-4f94-bd58-d2ac3372af27", "weapon_count": 5}
    log_path(journal_path).write_bytes(encode_entry({"seq": 5, "at": "2024-07-03T00:00:00+00:00",
                                                     "ops": [["incidents", "4", logged]]}))
    journal = Journal(journal_path)  # folds the log in (a crash was left behind)
    try:
        izhevsk = journal.get(SCHEMA_2_RECORD["id"])
        assert str(izhevsk.weapons_launched) == "3"
        assert str(journal.get(without_count["id"]).weapons_launched) == "?"
        assert str(journal.get(logged["id"]).weapons_launched) == "5"
        # a hand-edited count is kept where the person can see and fix it
        [bad] = journal.bad_records()
        assert bad.id == by_hand["id"] and bad.record["weapons_launched"] == "three"
        assert "weapon_count" not in bad.record
        # every other value as it was
        kept = {key: value for key, value in SCHEMA_2_RECORD.items() if key != "weapon_count"}
        assert {key: value for key, value in journal.records([izhevsk.id])[0].items() if key in kept} == kept
        [step] = [s for s in journal.history(izhevsk.id) if s.action == "update"]
    finally:
        journal.close()

    with Journal(journal_path) as journal:
        journal.update(journal.get(SCHEMA_2_RECORD["id"]).model_copy(update={"summary": "saved once"}))
    stored = stored_tables(journal_path)
    assert stored["meta"]["1"]["schema_version"] == SCHEMA_VERSION  # (3 then; 4 since issue 15)
    assert all("weapon_count" not in record for record in stored["incidents"].values())
    assert stored["history"]["1"]["record"]["weapons_launched"] == {"min": 2, "max": 2, "note": None}
    assert step is not None


# -- who was harmed ---------------------------------------------------------------------------------


def test_harm_is_recorded_by_who_was_harmed_in_the_count_notation() -> None:
    fields = IncidentFields.model_validate({
        **BASE_FIELDS, "killed": "3", "killed_civilians": "2", "killed_children": "1",
        "killed_combatants": "1", "injured": "5+", "injured_civilians": "2-4 (reports differ)", "injured_women": "?",
    })
    assert (str(fields.killed_civilians), str(fields.killed_children), str(fields.killed_combatants)) == (
        "2", "1", "1")
    assert str(fields.injured_civilians) == "2-4 (reports differ)"
    assert str(fields.killed_women) == "?"


@pytest.mark.parametrize(
    ("given", "field", "names"),
    [
        ({"killed": "1", "killed_civilians": "2"}, "killed_civilians", "killed (1)"),
        ({"killed_civilians": "2", "killed_children": "3"}, "killed_children", "killed civilians (2)"),
        ({"injured_civilians": "1-2", "injured_women": "3+"}, "injured_women", "injured civilians (1-2)"),
        ({"killed": "3", "killed_civilians": "2", "killed_combatants": "2"}, "killed_combatants",
         "killed civilians (2)"),
        ({"killed_civilians": "4", "killed_children": "3", "killed_women": "2"}, "killed_women",
         "killed children (3)"),
        ({"weapons_launched": "60", "weapons_intercepted": "61+ (over 60)"}, "weapons_intercepted",
         "weapons launched (60)"),
        ({"weapons_launched": "3", "weapons_intercepted": "2", "weapons_hit": "2"}, "weapons_hit",
         "weapons intercepted (2)"),
        # through civilians left open: children and women still count against the total
        ({"killed": "3", "killed_children": "5"}, "killed_children", "killed (3)"),
        ({"killed": "3", "killed_civilians": "1+", "killed_children": "2", "killed_women": "2"}, "killed_women",
         "killed (3)"),
        ({"injured": "3", "injured_children": "2", "injured_combatants": "2"}, "injured_combatants", "injured (3)"),
        ({"attribution": "suspected", "attribution_by": "SHOT", "sources": [{"outlet": "SHOT"}]}, "attribution_by",
         "claimed"),
    ],
)
def test_parts_that_contradict_their_whole_are_refused_naming_both(given: dict, field: str, names: str) -> None:
    found = problems(**given)
    assert list(found) == [field]
    assert names in found[field]


def test_uncertain_parts_within_their_whole_are_taken() -> None:
    assert problems(killed="1+", killed_civilians="5", killed_children="2-9") == {}
    assert problems(killed="2-5", killed_civilians="3", killed_combatants="2") == {}
    assert problems(weapons_launched="?", weapons_intercepted="61+") == {}


# -- what each source claimed, and who claims the attribution ------------------------------------------


def test_sources_carry_their_own_figures_and_whom_they_blame(make_incident) -> None:
    incident = make_incident(
        killed="1+",
        sources=[
            {"outlet": "Governor (Telegram)", "killed": "1", "injured": "2"},
            {"outlet": "SHOT (Telegram)", "killed": "3", "blames": "Armed Forces of Ukraine"},
            {"outlet": "RBC"},
        ],
        attribution="claimed", attribution_by="shot (telegram)",
    )
    assert incident.attribution_by == "SHOT (Telegram)"  # as the source is spelt
    assert [source.claims() for source in incident.sources] == [
        "killed 1 · injured 2", "killed 3 · blames Armed Forces of Ukraine", ""]
    shown = detail(incident)
    assert "  Killed:        1+  · sources: 1, 3" in shown
    assert "  Attribution:   claimed by SHOT (Telegram)" in shown
    assert "     claims: killed 3 · blames Armed Forces of Ukraine" in shown
    # stored without the claims a source did not make
    assert incident.record()["sources"][2] == {"outlet": "RBC", "url": None, "kind": "other", "published": None,
                                              "quote": None}
    # CSV keeps them in the sources cell, and reads them back
    cell = flat_record(incident)["sources"]
    assert "Governor (Telegram) |  | other |  |  | 1 | 2" in cell
    again = Incident.model_validate({**incident.record(), "sources": sources_from_cell(cell)})
    assert again == incident


def test_the_claimant_must_be_one_of_the_sources() -> None:
    found = problems(attribution="claimed", attribution_by="SHOT", sources=[{"outlet": "RBC"}])
    assert list(found) == ["attribution_by"] and "RBC" in found["attribution_by"]
    assert "none yet" in problems(attribution_by="SHOT")["attribution_by"]


def test_figures_and_claims_nobody_gave_are_left_out_of_the_stored_record(make_incident) -> None:
    record = make_incident().record()
    assert not {"killed_civilians", "weapons_launched", "weapons_hit", "attribution_by"} & set(record)
    assert {"killed", "injured"} <= set(record)  # the totals always
    given = make_incident(killed_children="1", weapons_hit="0").record()
    assert given["killed_children"] == {"min": 1, "max": 1, "note": None}
    assert given["weapons_hit"] == {"min": 0, "max": 0, "note": None}
    assert Incident.model_validate(record).record() == record


# -- groups of claims -----------------------------------------------------------------------------


def test_the_seeded_ministry_claim_is_one_group_holding_both_regions(journal_path: Path) -> None:
    from store.seeds import seed_groups, seed_incidents

    with Journal(journal_path) as journal:
        journal.import_groups(seed_groups())
        journal.import_incidents(seed_incidents())
        [ministry] = journal.groups()
        assert str(ministry.weapons_intercepted) == "61+ (over 60)"
        assert [source.outlet for source in ministry.sources] == ["Russian Ministry of Defence"]
        regions = sorted(row.region for row in journal.group_members(ministry.id))
        assert regions == ["Crimea", "Rostov"]
        assert journal.import_groups(seed_groups()) == 0  # seeding twice adds nothing


def test_a_group_follows_its_incidents_through_saves_deletes_and_restores(journal_path: Path, make_fields) -> None:
    from store.models import GroupFields

    with Journal(journal_path) as journal:
        one, two = journal.add(make_fields(title="one")), journal.add(make_fields(title="two"))
        group = journal.create_group(GroupFields(title="A wave", weapons_launched="5"))
        journal.set_group([one.id, two.id[:6]], group.id)
        assert {row.id for row in journal.group_members(group.id)} == {one.id, two.id}
        journal.delete(one.id)
        assert [row.id for row in journal.group_members(group.id)] == [two.id]
        journal.restore(one.id)  # comes back in its group
        assert {row.id for row in journal.group_members(group.id)} == {one.id, two.id}
        journal.update(journal.get(two.id).model_copy(update={"title": "two, edited"}))
        assert {row.title for row in journal.group_members(group.id)} == {"one", "two, edited"}
        journal.delete_group(group.id)
        assert journal.groups() == [] and journal.group_members(group.id) == []
        assert journal.get(one.id).group is None and journal.get(two.id).group is None
    with Journal(journal_path) as again:  # as stored
        assert again.groups() == [] and len(again) == 2


def test_an_incident_cannot_join_a_group_that_is_not_there(journal_path: Path, make_fields) -> None:
    from store.errors import IncidentNotFound

    with Journal(journal_path) as journal:
        one = journal.add(make_fields())
        with pytest.raises(IncidentNotFound, match="no group"):
            journal.set_group([one.id], "5b0c8f7e-2d5a-4f53-9a52-0f1d6e3c7a61")
        assert journal.get(one.id).revision == 1


def test_a_death_reported_in_a_part_counts_even_where_the_total_is_unknown(make_incident) -> None:
    from store.rows import IncidentRow

    incident = make_incident(killed="?", killed_civilians="2")
    assert incident.casualty_status == "killed"
    assert IncidentRow(incident.id, incident.record()).casualty_status == "killed"
    injured = make_incident(killed="0", injured="?", injured_children="1")
    assert injured.casualty_status == "injured"
    assert make_incident(killed="?", killed_civilians="0").casualty_status == "unknown"


def test_a_group_id_written_in_capitals_is_the_same_group(journal_path: Path, make_fields) -> None:
    from store.models import GroupFields

    with Journal(journal_path) as journal:
        group = journal.create_group(GroupFields(title="A wave"))
        one = journal.add(make_fields(title="one"))
    tables = json.loads(journal_path.read_text())
    [record] = [r for r in tables["incidents"].values() if r["id"] == one.id]
    record["group"] = group.id.upper()  # as a hand edit may leave it
    journal_path.write_text(json.dumps(tables))
    with Journal(journal_path) as journal:
        assert [row.id for row in journal.group_members(group.id)] == [one.id]
        from store import IncidentFilter
        assert [row.id for row in journal.query_rows(IncidentFilter(group=group.id))] == [one.id]


def test_the_detail_names_a_few_others_of_a_large_group(make_incident) -> None:
    from store.models import Group
    from store.rows import IncidentRow
    from tui.plain import OTHERS_SHOWN

    group = Group.model_validate({"id": "5b0c8f7e-2d5a-4f53-9a52-0f1d6e3c7a61", "title": "A wave",
                                  "created_at": "2024-07-02T09:30:00Z", "updated_at": "2024-07-02T09:30:00Z"})
    members = [make_incident(title=f"strike {n}", group=group.id) for n in range(50)]
    rows = [IncidentRow(incident.id, incident.record()) for incident in members]
    shown = detail(members[0], group, rows)
    assert sum(line.startswith("    ") and "strike" in line for line in shown) == OTHERS_SHOWN
    assert "    … and 39 more (incident-journal list --group)" in shown


def test_deleting_a_group_takes_it_out_of_an_invalid_member_too(journal_path: Path, make_fields) -> None:
    from store.models import GroupFields

    with Journal(journal_path) as journal:
        group = journal.create_group(GroupFields(title="A wave"))
        one, two = journal.add(make_fields(title="one")), journal.add(make_fields(title="two"))
        journal.set_group([one.id, two.id], group.id)
    tables = json.loads(journal_path.read_text())
    [record] = [r for r in tables["incidents"].values() if r["id"] == two.id]
    record["killed"] = "lots"  # broken by hand
    journal_path.write_text(json.dumps(tables))
    with Journal(journal_path) as journal:
        journal.delete_group(group.id)
        assert journal.groups() == [] and journal.get(one.id).group is None
        [bad] = journal.bad_records()
        assert bad.id == two.id and "group" not in bad.record and bad.record["killed"] == "lots"
