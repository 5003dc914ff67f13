"""Moving incidents in and out as JSON: the shape ``list --format json`` prints."""

from __future__ import annotations

import errno
import json
import os
import uuid
from pathlib import Path

import pytest

from store import Journal, JournalWriteError
from store.exchange import ImportRejected, RowError, export_json, incidents_to_json, parse_incidents_json


@pytest.fixture
def sample(make_incident):
    return [
        make_incident(
            title='Удар дрона по заводу "Купол"',
            summary="Line one.\n\tLine two with a \\ backslash and 'quotes'.\n🚀",
            place="Ижевск",
            killed="1+",
            injured="? (several)",
            latitude=56.8498,
            longitude=53.2045,
            event_type="air",
            tags=["завод", "fire"],
            sources=[
                {"outlet": "SHOT (Telegram)", "kind": "telegram", "quote": 'He said: "There are casualties."'},
                {"outlet": "Example", "url": "https://example.com/a?b=1", "kind": "media", "published": "2024-07-02"},
            ],
            revision=4,
        ),
        make_incident(title="[/] closing [bold red]tag", killed="0", injured="0", date_end="2024-07-03"),
    ]


# -- round trip ------------------------------------------------------------------------------------


def test_export_then_parse_gives_the_same_incidents(sample) -> None:
    assert parse_incidents_json(incidents_to_json(sample)) == sample


def test_output_is_readable_utf8_with_casualty_status(sample) -> None:
    raw = incidents_to_json(sample)
    assert "Ижевск".encode() in raw and "🚀".encode() in raw
    rows = json.loads(raw.decode("utf-8"))
    assert [row["id"] for row in rows] == [incident.id for incident in sample]
    assert [row["casualty_status"] for row in rows] == ["killed", "none"]
    assert rows[0]["killed"] == {"min": 1, "max": None, "note": None}
    assert rows[0]["summary"] == sample[0].summary


def test_parse_accepts_text_as_well_as_bytes(sample) -> None:
    assert parse_incidents_json(incidents_to_json(sample).decode("utf-8")) == sample


def test_an_empty_array_is_nothing_to_import() -> None:
    assert parse_incidents_json(b"[]") == []


# -- rows written by people -------------------------------------------------------------------------


def test_rows_without_id_get_new_ids_and_defaults() -> None:
    rows = [
        {"title": "one", "date": "2024-07-01", "country": "Russia", "region": "Rostov"},
        {"id": None, "title": "two", "date": "2024-07-01", "country": "Russia", "region": "Rostov", "killed": "2"},
    ]
    one, two = parse_incidents_json(json.dumps(rows))
    assert one.id != two.id
    assert all(uuid.UUID(incident.id).version == 4 for incident in (one, two))
    assert one.revision == two.revision == 1
    assert one.created_at == one.updated_at
    assert str(two.killed) == "2"


def test_rows_keep_their_given_ids(make_incident) -> None:
    given = str(uuid.uuid4())
    row = {**make_incident().model_dump(mode="json"), "id": given}
    assert [incident.id for incident in parse_incidents_json(json.dumps([row]))] == [given]


def test_duplicate_ids_in_one_file_are_refused(make_incident) -> None:
    first = make_incident(title="first")
    rows = [
        first.model_dump(mode="json"),
        make_incident(title="other").model_dump(mode="json"),
        {**make_incident(title="again").model_dump(mode="json"), "id": first.id.upper()},
    ]
    with pytest.raises(ImportRejected) as caught:
        parse_incidents_json(json.dumps(rows), name="incidents.json")
    (error,) = caught.value.errors
    assert (error.row, error.field) == (3, "id")
    assert "row 1" in error.message
    assert "nothing was imported" in str(caught.value)


def test_bad_rows_are_named_by_number_id_and_field(make_incident) -> None:
    good = make_incident().model_dump(mode="json")
    bad_count = {**make_incident().model_dump(mode="json"), "killed": "several"}
    bad_url = make_incident(sources=[{"outlet": "x"}]).model_dump(mode="json")
    bad_url["sources"][0]["url"] = "ftp://example.com"
    no_title = {key: value for key, value in good.items() if key not in ("title", "id")}
    with pytest.raises(ImportRejected) as caught:
        parse_incidents_json(json.dumps([good, bad_count, bad_url, no_title]), name="incidents.json")

    errors = caught.value.errors
    assert [(e.row, e.id, e.field) for e in errors] == [
        (2, bad_count["id"], "killed"),
        (3, bad_url["id"], "sources.0.url"),
        (4, None, "title"),
    ]
    assert str(errors[0]).startswith(f"row 2 (id {bad_count['id']}): killed: ")
    assert str(errors[2]) == "row 4: title: is required"
    assert "incidents.json: 3 of 4 rows are invalid; nothing was imported" == str(caught.value)


def test_every_problem_in_a_row_is_named(make_incident) -> None:
    row = {**make_incident().model_dump(mode="json"), "region": "", "weapon_count": 0, "colour": "red"}
    with pytest.raises(ImportRejected) as caught:
        parse_incidents_json(json.dumps([row]))
    assert {error.field for error in caught.value.errors} == {"region", "weapon_count", "colour"}
    assert "1 of 1 rows" in str(caught.value)


def test_a_row_that_is_not_an_object_is_named() -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_incidents_json(b'["text"]')
    assert caught.value.errors == [RowError(1, None, "", "is not a JSON object")]
    assert str(caught.value.errors[0]) == "row 1: is not a JSON object"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"title": "one"}', "must hold a JSON array of incidents, not a dict"),
        (b'"text"', "must hold a JSON array"),
        (b"[{", "is not valid JSON"),
        (b"", "is not valid JSON"),
        (b"\xff\xfe", "is not UTF-8 text (byte 1 cannot be read)"),
    ],
)
def test_a_file_that_is_not_an_array_of_incidents_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_incidents_json(data, name="incidents.json")
    assert str(caught.value).startswith("incidents.json")
    assert says in str(caught.value)


# -- export to a file --------------------------------------------------------------------------------


def test_export_json_writes_the_file(tmp_path: Path, sample) -> None:
    target = tmp_path / "export.json"
    export_json(sample, target)
    assert parse_incidents_json(target.read_bytes()) == sample


def test_export_json_replaces_the_file_whole(tmp_path: Path, sample, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.json"
    target.write_bytes(b"previous export")
    old_inode = target.stat().st_ino

    replaced: list[Path] = []
    real_replace = os.replace

    def recording_replace(src, dst):
        replaced.append(Path(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    export_json(sample, target)
    assert replaced == [target]
    assert target.stat().st_ino != old_inode


def test_a_failed_export_leaves_the_old_file(tmp_path: Path, sample, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.json"
    target.write_bytes(b"previous export")

    def fail(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(JournalWriteError):
        export_json(sample, target)
    assert target.read_bytes() == b"previous export"
    assert [entry.name for entry in tmp_path.iterdir()] == ["export.json"]


# -- between journals --------------------------------------------------------------------------------


def test_a_journal_exported_and_imported_elsewhere_is_the_same(tmp_path: Path, make_fields) -> None:
    with Journal(tmp_path / "one.json") as one:
        one.add(make_fields(title="Удар дрона", killed="1+"))
        one.add(make_fields(title="Second", region="Belgorod", injured="2"))
        export_json(one.all(), tmp_path / "export.json")
        originals = one.all()

    with Journal(tmp_path / "two.json") as two:
        result = two.import_incidents(parse_incidents_json((tmp_path / "export.json").read_bytes()))
        assert set(result.added) == {incident.id for incident in originals}
        assert two.all() == originals
        again = two.import_incidents(parse_incidents_json((tmp_path / "export.json").read_bytes()))
        assert again.added == () and len(again.skipped) == 2
