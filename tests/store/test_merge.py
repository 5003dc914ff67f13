"""Three-way merge of two journals' changes (issue 15): field by field, sets as sets, conflicts kept."""

from __future__ import annotations

import copy
from typing import Any

from store.merge import DELETED, FieldConflict, Snapshot, merge

NOW = "2026-11-30T12:00:00+00:00"
ID = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"


def record(**changes: Any) -> dict[str, Any]:
    base = {
        "id": ID,
        "title": "Drone strike on a factory",
        "date": "2024-07-01",
        "region": "Udmurtia",
        "country": "Russia",
        "killed": {"min": 1, "max": None},
        "sources": [{"outlet": "SHOT", "url": None, "kind": "telegram"}],
        "tags": ["factory", "drone"],
        "revision": 1,
        "updated_at": "2024-07-02T00:00:00+00:00",
        "updated_by": "ann",
    }
    base.update(changes)
    return base


def snapshot(*records: dict[str, Any], history: list[dict[str, Any]] = ()) -> Snapshot:  # type: ignore[assignment]
    return Snapshot(
        incidents={item["id"]: copy.deepcopy(item) for item in records}, history=Snapshot.history_of(history)
    )


def merged(base: Snapshot, ours: Snapshot, theirs: Snapshot):
    return merge(base, ours, theirs, now=NOW, merged_by="merger")


def test_a_field_changed_on_one_side_takes_that_change() -> None:
    base = snapshot(record())
    result = merged(base, snapshot(record()), snapshot(record(title="Strike on a plant", revision=2)))
    assert result.merged.incidents[ID]["title"] == "Strike on a plant"
    assert result.conflicts == [] and result.received == {ID}


def test_different_fields_changed_on_each_side_both_stay() -> None:
    base = snapshot(record())
    ours = snapshot(record(title="Strike on a plant", revision=2, updated_by="ann"))
    theirs = snapshot(record(killed={"min": 2, "max": 2}, revision=2, updated_by="bob"))
    result = merged(base, ours, theirs)
    incident = result.merged.incidents[ID]
    assert (incident["title"], incident["killed"]) == ("Strike on a plant", {"min": 2, "max": 2})
    assert (incident["revision"], incident["updated_at"], incident["updated_by"]) == (3, NOW, "merger")
    assert result.conflicts == []


def test_the_same_field_changed_to_different_values_is_a_conflict_never_a_silent_winner() -> None:
    base = snapshot(record())
    ours = snapshot(record(killed={"min": 2, "max": 2}, revision=2, updated_by="ann", updated_at="2024-07-03"))
    theirs = snapshot(record(killed={"min": 5, "max": 5}, revision=2, updated_by="bob", updated_at="2024-07-04"))
    result = merged(base, ours, theirs)
    assert result.merged.incidents[ID]["killed"] == {"min": 2, "max": 2}  # ours kept meanwhile
    (conflict,) = result.conflicts
    assert conflict == FieldConflict(
        record_id=ID,
        field="killed",
        ours={"min": 2, "max": 2},
        theirs={"min": 5, "max": 5},
        ours_by="ann",
        theirs_by="bob",
        ours_at="2024-07-03",
        theirs_at="2024-07-04",
    )
    assert result.merged.conflicts == {conflict.key: conflict.document()}


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    base = snapshot(record())
    same = record(killed={"min": 2, "max": 2}, revision=2)
    result = merged(base, snapshot(same), snapshot(dict(same, updated_by="bob")))
    assert result.conflicts == [] and result.merged.incidents[ID]["killed"] == {"min": 2, "max": 2}


def test_sources_and_tags_merge_as_sets() -> None:
    base = snapshot(record())
    kyiv = {"outlet": "Kyiv Independent", "url": "https://kyivindependent.com/x", "kind": "media"}
    tass = {"outlet": "TASS", "url": None, "kind": "media"}
    ours = snapshot(record(sources=[*record()["sources"], kyiv], tags=["factory"], revision=2))
    theirs = snapshot(record(sources=[*record()["sources"], tass], tags=["factory", "drone", "night"], revision=2))
    result = merged(base, ours, theirs)
    incident = result.merged.incidents[ID]
    assert [source["outlet"] for source in incident["sources"]] == ["SHOT", "Kyiv Independent", "TASS"]
    assert incident["tags"] == ["factory", "night"]  # "drone" removed on our side, "night" added on theirs
    assert result.conflicts == []


def test_a_source_removed_on_one_side_is_removed() -> None:
    base = snapshot(record())
    ours = snapshot(record(sources=[], revision=2))
    theirs = snapshot(record(sources=[*record()["sources"], {"outlet": "TASS", "url": None, "kind": "media"}]))
    result = merged(base, ours, theirs)
    assert [source["outlet"] for source in result.merged.incidents[ID]["sources"]] == ["TASS"]


def test_an_edit_against_a_delete_is_a_conflict_and_the_edit_stays() -> None:
    base = snapshot(record())
    edited = record(title="Strike on a plant", revision=2)
    for ours, theirs, deleted in (
        (snapshot(), snapshot(edited), (True, False)),
        (snapshot(edited), snapshot(), (False, True)),
    ):
        result = merged(base, ours, theirs)
        assert result.merged.incidents[ID]["title"] == "Strike on a plant"
        (conflict,) = result.conflicts
        assert (conflict.field, conflict.ours, conflict.theirs) == (DELETED, *deleted)


def test_a_delete_against_no_change_deletes() -> None:
    base = snapshot(record())
    assert merged(base, snapshot(), snapshot(record())).merged.incidents == {}
    assert merged(base, snapshot(record()), snapshot()).merged.incidents == {}


def test_a_new_incident_on_each_side_both_stay() -> None:
    base = snapshot()
    result = merged(base, snapshot(record()), snapshot(record(id=OTHER)))
    assert sorted(result.merged.incidents) == [ID, OTHER]
    assert result.received == {OTHER}


def test_history_is_the_union_of_both_sides() -> None:
    one = {"incident_id": ID, "revision": 1, "at": "2024-07-02", "action": "update", "record": record()}
    two = {"incident_id": ID, "revision": 2, "at": "2024-07-03", "action": "update", "record": record(revision=2)}
    result = merged(snapshot(record()), snapshot(record(), history=[one]), snapshot(record(), history=[one, two]))
    assert sorted(entry["revision"] for entry in result.merged.history.values()) == [1, 2]


def test_after_one_side_merged_the_other_takes_the_merge_as_it_is() -> None:
    base = snapshot(record())
    ann = snapshot(record(killed={"min": 2, "max": 2}, tags=["a"], revision=2))
    bob = snapshot(record(killed={"min": 5, "max": 5}, title="T", revision=2))
    at_bob = merged(base, bob, ann)  # Bob syncs after Ann: base is what both last shared
    # Ann syncs next: her journal is unchanged since the base Bob merged from.
    at_ann = merged(ann, ann, at_bob.merged)
    assert at_ann.merged.incidents == at_bob.merged.incidents
    assert at_ann.merged.conflicts == at_bob.merged.conflicts and len(at_bob.merged.conflicts) == 1
    assert at_ann.conflicts == []


def test_a_conflict_resolved_on_one_side_goes_and_stays_gone() -> None:
    conflict = FieldConflict(ID, "killed", {"min": 2}, {"min": 5})
    base = Snapshot(incidents={ID: record()}, conflicts={conflict.key: conflict.document()})
    resolved = Snapshot(incidents={ID: record(killed={"min": 5}, revision=2)})
    untouched = Snapshot(incidents={ID: record()}, conflicts={conflict.key: conflict.document()})
    result = merged(base, untouched, resolved)
    assert result.merged.conflicts == {} and result.merged.incidents[ID]["killed"] == {"min": 5}
