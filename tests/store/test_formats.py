"""JSON, CSV and GeoJSON: what is exported reads back as the same incidents, and bad files are named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import Incident, Journal
from store.exchange import ImportRejected, export_bytes, export_file, flat, guess_format, plan_import, read_rows
from store.exchange.batch import validate
from store.exchange.csv_format import neutralise, restore

ROUND_TRIP_FORMATS = ("json", "csv", "geojson")
#: Text a spreadsheet would run as a formula, or that looks like text already protected.
FORMULA_TEXTS = ("=1+1", "+7 999", "-5 degrees", "@user", "'=x", "''", "'plain")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"

ID_A = "11111111-1111-4111-8111-111111111111"
ID_B = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def tricky(make_incident) -> list[Incident]:
    """Incidents holding everything that is easy to get wrong in a text format."""
    incidents = [
        make_incident(
            title='Удар дрона по заводу «Купол»: "цех" и \'склад\' 🚀',
            summary=(
                "Ёлки-палки: пожар потушен.\nВторая строка, «ё» и эмодзи 🔥\n\n"
                "\"Двойные\" и 'одинарные' кавычки; a | bar and a \\ backslash \\n (not a newline)."
            ),
            place="Ижевск",
            region="Удмуртия",
            latitude=56.8498,
            longitude=53.2045,
            geo_precision="near",
            killed="1+",
            injured="2-5 (note)",
            date_end="2024-07-03",
            date_precision="week",
            event_type="air",
            weapon="Лютый",
            weapons_launched="70+",
            weapons_intercepted="61+ (over 60)",
            weapons_hit="0-2",
            killed_civilians="1",
            killed_children="0",
            killed_combatants="? (unclear)",
            injured_civilians="2-4",
            injured_women="1",
            injured_children="1+",
            actor="ВСУ",
            attribution="claimed",
            attribution_by="SHOT | Telegram \\ канал",
            group="5b0c8f7e-2d5a-4f53-9a52-0f1d6e3c7a61",
            target="завод",
            target_kind="industrial",
            verification="corroborated",
            tags=["завод", "ёлка", "fire"],
            acled_id="RUS12345",
            revision=4,
            sources=[
                {
                    "outlet": "SHOT | Telegram \\ канал",
                    "kind": "telegram",
                    "quote": 'Он сказал: "Есть пострадавшие."\nВторая строка | с чертой и \\ слэшем\\n',
                    "killed": "1+ (a | bar)",
                    "injured": "3",
                    "blames": "ВСУ | \\ them",
                },
                {
                    "outlet": "Коммерсантъ",
                    "url": "https://www.kommersant.ru/doc/1?a=1&b=2|3",
                    "kind": "media",
                    "published": "2024-07-02",
                    "quote": "It's 'quoted'",
                },
                {"outlet": "Глава Удмуртии", "kind": "official"},
            ],
        ),
        make_incident(title="No coordinates, unknown counts", killed="?", injured="? (several)"),
        make_incident(
            title="None hurt", killed="0", injured="0", place="New York", latitude=40.7484, longitude=-73.9857
        ),
        make_incident(title="Tab", summary="\tstarts with a tab\n\tand keeps it", tags=["-5", "x"]),
    ]
    for text in FORMULA_TEXTS:
        incidents.append(
            make_incident(
                title=text,
                summary=text,
                place=text,
                actor=text,
                sources=[{"outlet": text, "quote": text}, {"outlet": "second", "quote": text}],
            )
        )
    return incidents


def _read_back(data: bytes, fmt: str) -> list[Incident]:
    candidates = read_rows(data, fmt, name=f"export.{fmt}")
    checked = validate(candidates, len(candidates))
    assert checked.errors == []
    return [incident for _, incident in checked.valid]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _records(incidents: list[Incident]) -> list[dict]:
    return [incident.record() for incident in incidents]


# -- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
def test_export_then_read_gives_the_same_incidents(fmt: str, tricky) -> None:
    assert _records(_read_back(export_bytes(tricky, fmt), fmt)) == _records(tricky)


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
def test_export_then_plan_on_an_empty_journal_gives_the_same_incidents(fmt: str, tricky, journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        plan = plan_import(journal, export_bytes(tricky, fmt), fmt, name=f"export.{fmt}")
        assert plan.errors == [] and plan.warnings == []
        assert plan.total == len(tricky)
        assert _records(plan.new) == _records(tricky)
        assert plan.updates == plan.skipped == plan.unchanged == []


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
def test_export_file_then_import_into_a_journal(fmt: str, tricky, tmp_path: Path) -> None:
    target = tmp_path / f"export{'.geojson' if fmt == 'geojson' else '.' + fmt}"
    export_file(tricky, fmt, target)
    data = target.read_bytes()
    assert guess_format(target, data[:4096]) == fmt
    with Journal(tmp_path / "journal.json", author="Importer") as journal:
        plan = plan_import(journal, data, fmt)
        journal.import_incidents(plan.new)
        # The file's records name no author (made without a journal): the importer is theirs.
        authored = [{**record, "created_by": "Importer", "updated_by": "Importer"} for record in _records(tricky)]
        assert sorted(_records(journal.all()), key=lambda r: r["id"]) == sorted(authored, key=lambda r: r["id"])


def test_json_export_then_import_keeps_who_recorded_and_changed_each_incident(tricky, tmp_path: Path) -> None:
    authored = [incident.model_copy(update={"created_by": "Alice", "updated_by": f"Bob {n}"})
                for n, incident in enumerate(tricky)]
    with Journal(tmp_path / "journal.json", author="Importer") as journal:
        journal.import_incidents(plan_import(journal, export_bytes(authored, "json"), "json").new)
        assert sorted(_records(journal.all()), key=lambda r: r["id"]) == sorted(
            _records(authored), key=lambda r: r["id"])


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
def test_text_and_bytes_read_alike(fmt: str, tricky) -> None:
    data = export_bytes(tricky, fmt)
    assert _records(_read_back(data.decode("utf-8"), fmt)) == _records(tricky)


def test_seed_incidents_survive_every_format() -> None:
    from store.seeds import seed_incidents

    seeds = seed_incidents()
    for fmt in ROUND_TRIP_FORMATS:
        assert _records(_read_back(export_bytes(seeds, fmt), fmt)) == _records(seeds), fmt


def test_counts_keep_their_uncertainty(tricky) -> None:
    for fmt in ROUND_TRIP_FORMATS:
        back = _read_back(export_bytes(tricky, fmt), fmt)
        assert [(str(i.killed), str(i.injured)) for i in back[:3]] == [
            ("1+", "2-5 (note)"),
            ("?", "? (several)"),
            ("0", "0"),
        ], fmt


# -- formula injection ---------------------------------------------------------------------------


@given(st.text())
@settings(max_examples=500, deadline=None, derandomize=True, database=None)
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    assert restore(neutralise(text)) == text


@given(st.text())
@settings(max_examples=500, deadline=None, derandomize=True, database=None)
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(FORMULA_STARTS)


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 1"), max_size=6))
@settings(max_examples=500, deadline=None, derandomize=True, database=None)
def test_neutralise_round_trips_tricky_prefixes(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert not safe.startswith(FORMULA_STARTS)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+7 999", "'+7 999"),
        ("-5 degrees", "'-5 degrees"),
        ("@user", "'@user"),
        ("\tx", "'\tx"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'plain", "'plain"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_neutralise_adds_one_quote_only_where_needed(text: str, written: str) -> None:
    assert neutralise(text) == written
    assert restore(written) == text


def test_no_csv_text_cell_can_run_as_a_formula(tricky) -> None:
    header, *rows = _csv_rows(export_bytes(tricky, "csv"))
    for row in rows:
        for column, value in zip(header, row, strict=True):
            if column in flat.NUMBER_COLUMNS:
                assert not value.startswith("'"), (column, value)
                if value:
                    float(value)  # a number, written bare
            else:
                assert not value.startswith(FORMULA_STARTS), (column, value)


def test_csv_cells_of_formula_like_text(tricky) -> None:
    header, *rows = _csv_rows(export_bytes(tricky, "csv"))
    by_title = {row[header.index("title")]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_title) >= {"'=1+1", "'+7 999", "'-5 degrees", "'@user", "''=x", "'''", "'plain"}
    minus = by_title["'-5 degrees"]
    assert minus["summary"] == "'-5 degrees" and minus["place"] == "'-5 degrees" and minus["actor"] == "'-5 degrees"
    assert minus["sources"].startswith("'-5 degrees | ")
    tab = by_title["Tab"]
    assert tab["summary"] == "'\tstarts with a tab\n\tand keeps it"
    assert tab["tags"] == "'-5, x"


# -- CSV specifics -------------------------------------------------------------------------------


def test_csv_header_is_the_flat_columns(tricky) -> None:
    rows = _csv_rows(export_bytes(tricky, "csv"))
    assert rows[0] == list(flat.COLUMNS)
    assert len(rows) == len(tricky) + 1
    assert all(len(row) == len(flat.COLUMNS) for row in rows)


def test_csv_for_excel_starts_with_a_bom_and_reads_back(tricky, journal_path: Path) -> None:
    plain, excel = export_bytes(tricky, "csv"), export_bytes(tricky, "csv", excel=True)
    assert excel.startswith(UTF8_BOM) and not excel[3:].startswith(UTF8_BOM)
    assert not plain.startswith(UTF8_BOM)
    assert excel[3:] == plain
    assert _records(_read_back(excel, "csv")) == _records(tricky)
    with Journal(journal_path) as journal:
        plan = plan_import(journal, excel, "csv")
        assert plan.warnings == [] and plan.errors == []
        assert _records(plan.new) == _records(tricky)


def test_csv_numbers_are_written_bare(tricky) -> None:
    header, *rows = _csv_rows(export_bytes(tricky, "csv"))
    first, _, west = (dict(zip(header, row, strict=True)) for row in rows[:3])
    assert first["latitude"] == "56.8498" and first["longitude"] == "53.2045"
    assert first["killed_min"] == "1" and first["killed_max"] == "" and first["killed_note"] == ""
    assert (first["injured_min"], first["injured_max"], first["injured_note"]) == ("2", "5", "note")
    assert first["weapons_launched_min"] == "70" and first["revision"] == "4"
    assert west["longitude"] == "-73.9857"  # numbers are not neutralised
    assert west["killed_min"] == west["killed_max"] == "0"


def test_csv_cells_people_read(tricky) -> None:
    header, *rows = _csv_rows(export_bytes(tricky, "csv"))
    first = dict(zip(header, rows[0], strict=True))
    assert first["title"] == tricky[0].title
    assert first["summary"] == tricky[0].summary  # line breaks kept inside the cell
    assert first["tags"] == "завод, ёлка, fire"
    assert first["casualty_status"] == "killed"
    assert first["date_end"] == "2024-07-03"
    assert first["event_type"] == "Air/drone strike"
    lines = first["sources"].split("\n")
    assert len(lines) == 3  # one source a line
    assert lines[0].startswith("SHOT \\| Telegram \\\\ канал | ")
    assert "\\n" in lines[0] and lines[2] == "Глава Удмуртии |  | official"


def test_sources_cell_round_trips_escapes() -> None:
    sources = [
        {"outlet": "a | b \\ c", "url": None, "kind": "media", "published": None, "quote": "x\ny | z \\n"},
        {"outlet": "plain"},
    ]
    cell = flat.sources_cell(sources)
    assert "\n" not in cell.split("\n")[0]
    back = flat.sources_from_cell(cell)
    assert back[0] == {"outlet": "a | b \\ c", "kind": "media", "quote": "x\ny | z \\n"}
    assert back[1] == {"outlet": "plain"}


# -- GeoJSON specifics ---------------------------------------------------------------------------


def test_geojson_is_an_rfc7946_feature_collection(tricky) -> None:
    document = json.loads(export_bytes(tricky, "geojson"))
    assert document["type"] == "FeatureCollection"
    features = document["features"]
    assert [feature["type"] for feature in features] == ["Feature"] * len(tricky)
    assert [feature["id"] for feature in features] == [incident.id for incident in tricky]
    first, unknown, west = features[:3]
    assert first["geometry"] == {"type": "Point", "coordinates": [53.2045, 56.8498]}  # longitude first
    assert west["geometry"] == {"type": "Point", "coordinates": [-73.9857, 40.7484]}
    assert unknown["geometry"] is None
    properties = first["properties"]
    assert properties["title"] == tricky[0].title
    assert properties["region"] == "Удмуртия"
    assert properties["killed_min"] == 1 and properties["killed_max"] is None
    assert properties["injured_min"] == 2 and properties["injured_max"] == 5 and properties["injured_note"] == "note"
    assert properties["weapons_launched_min"] == 70
    assert properties["summary"] == tricky[0].summary


def test_geojson_text_is_not_neutralised(tricky) -> None:
    features = json.loads(export_bytes(tricky, "geojson"))["features"]
    assert {feature["properties"]["title"] for feature in features} >= set(FORMULA_TEXTS)


def test_geojson_accepts_an_altitude(make_incident) -> None:
    incident = make_incident(latitude=56.8498, longitude=53.2045)
    document = json.loads(export_bytes([incident], "geojson"))
    document["features"][0]["geometry"]["coordinates"].append(160.0)
    (back,) = _read_back(json.dumps(document).encode(), "geojson")
    assert (back.latitude, back.longitude) == (56.8498, 53.2045)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "LineString", "coordinates": [[53.2, 56.8], [53.3, 56.9]]},
        {"type": "Point", "coordinates": ["53.2", "56.8"]},
        {"type": "Point", "coordinates": [53.2]},
        "POINT(53.2 56.8)",
    ],
)
def test_geojson_geometry_that_is_not_a_point_is_a_row_error(geometry, make_incident, journal_path: Path) -> None:
    good, bad = make_incident(id=ID_A), make_incident(id=ID_B)
    document = json.loads(export_bytes([good, bad], "geojson"))
    document["features"][1]["geometry"] = geometry
    with Journal(journal_path) as journal:
        plan = plan_import(journal, json.dumps(document), "geojson", name="map.geojson")
        assert [(error.row, error.id, error.field) for error in plan.errors] == [(2, ID_B, "geometry")]
        assert [incident.id for incident in plan.new] == [ID_A]


@pytest.mark.parametrize(
    "document",
    [{"type": "Feature", "geometry": None, "properties": {}}, [], {"type": "FeatureCollection", "features": {}}],
)
def test_geojson_that_is_not_a_feature_collection_is_refused(document, journal_path: Path) -> None:
    with Journal(journal_path) as journal, pytest.raises(ImportRejected, match="map.geojson"):
        plan_import(journal, json.dumps(document), "geojson", name="map.geojson")


# -- bad CSV rows --------------------------------------------------------------------------------

BAD_CSV = (
    "id,title,date,country,region,latitude,longitude,event_type,summary,colour\r\n"
    f'{ID_A},Good one,2024-07-01,Russia,Udmurtia,56.8,53.2,air,"two\nlines",red\r\n'  # row 2
    f"{ID_B},Bad date,2024-13-01,Russia,Udmurtia,,,,,\r\n"  # row 3
    ",Bad latitude,2024-07-01,Russia,Udmurtia,north,53.2,,,\r\n"  # row 4
    ",,,,,,,,,\r\n"  # row 5: blank, passed over but counted
    ",Latitude alone,2024-07-01,Russia,Udmurtia,56.8,,,,\r\n"  # row 6
    ",Unknown type,2024-07-01,Russia,Udmurtia,,,teleport,,\r\n"  # row 7
    f",{'x' * 201},2024-07-01,Russia,Udmurtia,,,,,\r\n"  # row 8
)


def test_bad_csv_rows_are_named_by_spreadsheet_row_id_and_field(journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        plan = plan_import(journal, BAD_CSV, "csv", name="incidents.csv")
    assert plan.total == 6
    assert [incident.id for incident in plan.new] == [ID_A]
    assert plan.new[0].summary == "two\nlines"
    by_row: dict[int, set[tuple[str | None, str]]] = {}
    for error in plan.errors:
        by_row.setdefault(error.row, set()).add((error.id, error.field))
    assert by_row == {
        3: {(ID_B, "date")},
        4: {(None, "latitude")},
        6: {(None, "longitude")},
        7: {(None, "event_type")},
        8: {(None, "title")},
    }
    assert plan.bad_rows == 5
    messages = {error.row: str(error) for error in plan.errors}
    assert messages[3].startswith(f"row 3 (id {ID_B}): date: ") and "2024-13-01" in messages[3]
    assert messages[4].startswith("row 4: latitude: ") and "north" in messages[4]
    assert "teleport" in messages[7]
    assert "200" in messages[8]
    assert "5 of 6 rows are invalid" in str(plan.rejected())


def test_unknown_csv_columns_are_a_warning_naming_them(journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        plan = plan_import(journal, BAD_CSV, "csv", name="incidents.csv")
    assert len(plan.warnings) == 1
    assert "'colour'" in plan.warnings[0] and "incidents.csv" in plan.warnings[0]


def test_a_known_csv_gives_no_warning(tricky, journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        assert plan_import(journal, export_bytes(tricky, "csv"), "csv").warnings == []


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"date,country,region\r\n2024-07-01,Russia,Udmurtia\r\n", "no 'title' column"),
        ("title,date,place\r\nУдар,2024-07-01,Ижевск\r\n".encode("cp1251"), "not UTF-8"),
        (b"", "empty"),
        (UTF8_BOM, "empty"),
        (b"title,date\r\nA,2024-07-01,extra\r\n", "row 2 has 3 cells but the header names 2 columns"),
        (b"title,title\r\nA,B\r\n", "'title' twice"),
        (b"title,,date\r\nA,,2024-07-01\r\n", "empty column name"),
    ],
)
def test_unreadable_csv_files_are_refused_as_a_whole(data: bytes, says: str, journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        with pytest.raises(ImportRejected) as caught:
            plan_import(journal, data, "csv", name="incidents.csv")
        assert str(caught.value).startswith("incidents.csv")
        assert says in str(caught.value)
        assert len(journal) == 0


def test_an_acled_file_read_as_csv_says_so(journal_path: Path) -> None:
    with Journal(journal_path) as journal, pytest.raises(ImportRejected, match="--format acled"):
        plan_import(journal, b"event_id_cnty,event_date\r\nRUS1,2025-07-03\r\n", "csv", name="acled.csv")


def test_a_broken_csv_row_is_named_by_its_own_number(journal_path: Path) -> None:
    data = b'title,date\r\nA,2024-07-01\r\nB,2024-07-01\r\n"C,2024-07-01\r\n'  # row 4 never closes its quote
    with Journal(journal_path) as journal, pytest.raises(ImportRejected) as caught:
        plan_import(journal, data, "csv", name="incidents.csv")
    assert "row 4" in str(caught.value)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ImportRejected, match="unknown format"):
        read_rows(b"", "xlsx", name="x.xlsx")


# -- guessing the format -------------------------------------------------------------------------


def test_guess_format_from_name_and_first_bytes(tricky) -> None:
    assert guess_format(Path("a.geojson")) == "geojson"
    assert guess_format(Path("a.json"), export_bytes(tricky, "geojson")) == "geojson"
    assert guess_format(Path("a.json"), export_bytes(tricky, "json")) == "json"
    assert guess_format(Path("a.CSV"), export_bytes(tricky, "csv", excel=True)) == "csv"
    assert guess_format(Path("a.csv"), export_bytes(tricky, "acled", excel=True)) == "acled"
    assert guess_format(Path("a.xlsx")) is None


def test_a_csv_with_ids_but_no_title_column_names_each_new_row(journal_path: Path) -> None:
    """With an id column a file may update only some fields; a row for a new incident needs a title."""
    data = f"id,date,country,region\r\n{ID_A},2024-07-01,Russia,Udmurtia\r\n"
    with Journal(journal_path) as journal:
        plan = plan_import(journal, data, "csv", name="incidents.csv")
    assert [(error.row, error.id, error.field) for error in plan.errors] == [(2, ID_A, "title")]


def test_a_json_array_mentioning_featurecollection_is_still_json(make_incident) -> None:
    incident = make_incident(summary="FeatureCollection")
    data = export_bytes([incident], "json")
    assert b'"FeatureCollection"' in data
    assert guess_format(Path("a.json"), data) == "json"
    assert guess_format(Path("-"), data) == "json"
