"""ACLED's CSV: a real-shaped ACLED export maps onto our fields, ours export as ACLED's 31 columns."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest

from store import Count, Incident, Journal
from store.exchange import ImportPlan, ImportRejected, export_bytes, guess_format, plan_import

DATA = Path(__file__).parent / "data" / "acled_export.csv"
UTF8_BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: ACLED's current columns, in ACLED's order.
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]
NUMBER_COLUMNS = {"year", "time_precision", "iso", "latitude", "longitude", "geo_precision", "fatalities", "timestamp"}

#: What each row of ``data/acled_export.csv`` must become, in the file's order (rows 2-11).
EXPECTED: list[dict[str, Any]] = [
    {
        "acled_id": "RUS41523", "date": "2025-07-01", "date_precision": "day", "country": "Russia",
        "region": "Удмуртия", "place": "Izhevsk", "latitude": 56.8498, "longitude": 53.2045, "geo_precision": "exact",
        "event_type": "Air/drone strike", "actor": "Military Forces of Ukraine (2019-)", "killed": 1,
        "summary": 'On 1 July 2025, Ukrainian forces struck the "Kupol" electromechanical plant in Izhevsk (Udmurtia) '
        "with drones, about 1,300 km from the border. 1 worker was killed and 35 were injured.\n"
        "The head of Udmurtia, A. Brechalov, said a fire broke out in a workshop.",
        "outlets": ["Telegram", "Kommersant"], "tags": [],
    },
    {
        "acled_id": "RUS41530", "date": "2025-07-03", "date_precision": "day", "country": "Russia",
        "region": "Belgorod", "place": "Belgorod", "latitude": 50.5954, "longitude": 36.5873, "geo_precision": "exact",
        "event_type": "Air/drone strike", "actor": "Military Forces of Ukraine (2019-)", "killed": 1,
        "summary": "On 3 July 2025, a Ukrainian FPV drone struck a car on Shchorsa street in Belgorod city, killing "
        "the driver and injuring his wife and daughter, according to Governor V. Gladkov.",
        "outlets": ["Belgorod Oblast Governor", "Telegram"], "tags": ["civilian-targeting"],
    },
    {
        "acled_id": "UKR223344", "date": "2025-07-04", "date_precision": "day", "country": "Ukraine",
        "region": "Kharkiv", "place": "Kharkiv", "latitude": 49.9935, "longitude": 36.2304, "geo_precision": "exact",
        "event_type": "Shelling/artillery/missile attack", "actor": "Military Forces of Russia (2000-)", "killed": 3,
        "summary": 'On 4 July 2025, Russian forces shelled Kharkiv city with "Grad" MLRS, hitting a residential '
        'building, a clinic and a "Nova Poshta" depot. 3 civilians were killed, including a child, '
        "and 12 were injured.",
        "outlets": ["Ukrinform", "Suspilne", "Telegram"], "tags": ["civilian-targeting"],
    },
    {
        "acled_id": "RUS41540", "date": "2025-07-05", "date_precision": "week", "country": "Russia",
        "region": "Moscow Oblast", "place": "Odintsovo", "latitude": 55.6789, "longitude": 37.2633,
        "geo_precision": "near",
        "event_type": "Disrupted weapons use", "actor": "Military Forces of Russia (2000-) Air Defense", "killed": 0,
        "summary": "=Week of 5 July 2025: Russian air defence intercepted 12 Ukrainian drones over Moscow oblast, "
        "according to the Ministry of Defence. No casualties were reported.",
        "outlets": ["Ministry of Defence of Russia"], "tags": [],
    },
    {
        "acled_id": "UKR223400", "date": "2025-07-06", "date_precision": "day", "country": "Ukraine",
        "region": "Kherson", "place": "Vysokopillia", "latitude": 47.4895, "longitude": 33.5317,
        "geo_precision": "near",
        "event_type": "Remote explosive/landmine/IED", "actor": "Unidentified Armed Group (Ukraine)", "killed": 1,
        "summary": "On 6 July 2025, a tractor hit a landmine in a field near Vysokopillia "
        "(Beryslav district, Kherson).\n"
        "The driver, 54, was killed.",
        "outlets": ["Kherson Regional Military Administration"], "tags": ["civilian-targeting"],
    },
    {
        "acled_id": "RUS41600", "date": "2025-07-07", "date_precision": "day", "country": "Russia",
        "region": "Удмуртия", "place": "Izhevsk", "latitude": 56.8498, "longitude": 53.2045, "geo_precision": "exact",
        "event_type": "Peaceful protest", "actor": "Protesters (Russia)", "killed": 0,
        "summary": "On 7 July 2025, relatives of mobilised soldiers held a picket in Izhevsk, demanding their rotation "
        "home. [size=no report]",
        "outlets": ["Telegram"], "tags": ["crowd-size-no-report"],
    },
    {
        "acled_id": "UKR223500", "date": "2025-07-15", "date_precision": "month", "country": "Ukraine",
        "region": "Odesa", "place": "Odesa", "latitude": 46.4775, "longitude": 30.7326, "geo_precision": "region",
        "event_type": "Shelling/artillery/missile attack", "actor": "Military Forces of Russia (2000-)", "killed": 2,
        "summary": "-Around mid-July 2025 (month of), Russian forces launched missiles at port infrastructure in Odesa "
        "oblast. Fatalities: at least 2, per local officials.",
        "outlets": ["Ukrainska Pravda", "Dumskaya"], "tags": [],
    },
    {
        "acled_id": "RUS41710", "date": "2025-07-18", "date_precision": "day", "country": "Russia",
        "region": "Kursk", "place": "Tetkino", "latitude": 51.2858, "longitude": 34.2962, "geo_precision": "near",
        "event_type": "Armed clash", "actor": "Military Forces of Russia (2000-)", "killed": 0,
        "summary": "On 18 July 2025, Russian and Ukrainian forces clashed near Tetkino (Kursk). Russia claimed to have "
        'repelled a "sabotage and reconnaissance group"; fatalities unknown, coded as 0.',
        "outlets": ["Ministry of Defence of Russia", "Rybar"], "tags": [],
    },
    {
        "acled_id": "UKR223700", "date": "2025-07-20", "date_precision": "day", "country": "Ukraine",
        "region": "Zaporizhia", "place": "Zaporizhzhia", "latitude": 47.8388, "longitude": 35.1396,
        "geo_precision": "exact",
        "event_type": "Air/drone strike", "actor": "Military Forces of Russia (2000-)", "killed": 2,
        "summary": 'On 20 July 2025, Russian forces struck Zaporizhzhia with "Shahed" drones and guided bombs, '
        "damaging a kindergarten, a hospital and 20 houses.\n\n2 civilians were killed; 14 were injured, "
        "per Governor I. Fedorov.",
        "outlets": ["Zaporizhia Regional Military Administration", "Telegram", "Suspilne"],
        "tags": ["civilian-targeting"],
    },
    {
        "acled_id": "RUS41790", "date": "2025-07-22", "date_precision": "day", "country": "Russia",
        "region": "Bashkortostan", "place": "Ufa", "latitude": 54.7348, "longitude": 55.9579, "geo_precision": "exact",
        "event_type": "Protest with intervention", "actor": "Protesters (Russia)", "killed": 0,
        "summary": "On 22 July 2025, police detained 4 people at a rally in Ufa against the sentencing of a local "
        "activist. [size=around 40]",
        "outlets": ["OVD-Info", "Telegram"], "tags": ["crowd-size-around-40", "arrests"],
    },
]
EVENT_IDS = [row["acled_id"] for row in EXPECTED]


@pytest.fixture
def acled_file() -> bytes:
    return DATA.read_bytes()


def _plan(journal_path: Path, data: bytes | str, *, name: str = "acled_export.csv", update: bool = False) -> ImportPlan:
    with Journal(journal_path) as journal:
        return plan_import(journal, data, "acled", name=name, update=update)


def _file_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of an ACLED file as ACLED's columns (what a person sees in a spreadsheet)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _acled_file(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACLED_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _exported(incidents: list[Incident], *, excel: bool = False) -> list[dict[str, str]]:
    data = export_bytes(incidents, "acled", excel=excel)
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == ACLED_COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


# -- the realistic file itself -------------------------------------------------------------------


def test_the_data_file_is_shaped_like_an_acled_export(acled_file: bytes) -> None:
    """Guards the fixture: ACLED's header, CRLF line ends, multi-line notes, both date forms, Cyrillic."""
    assert acled_file.split(b"\r\n", 1)[0].decode() == ",".join(ACLED_COLUMNS)
    assert acled_file.endswith(b"\r\n") and acled_file.count(b"\r\n") > len(EXPECTED)  # ACLED's CRLF line ends
    rows = _file_rows(acled_file)
    assert [row["event_id_cnty"] for row in rows] == EVENT_IDS
    assert {row["event_date"][2:3] for row in rows} == {" ", "2"}  # "01 July 2025" and "2025-07-03"
    assert any("\n" in row["notes"] for row in rows)
    assert any(row["admin1"] == "Удмуртия" for row in rows)
    assert {row["region"] for row in rows} == {"Europe"}


def test_guess_format_recognises_an_acled_export(acled_file: bytes) -> None:
    assert guess_format(DATA, acled_file[:4096]) == "acled"
    assert guess_format(Path("2025-07-01-2025-07-31-Europe.csv"), UTF8_BOM + acled_file[:4096]) == "acled"


# -- reading ACLED ---------------------------------------------------------------------------------


def test_every_row_of_an_acled_export_is_read(acled_file: bytes, journal_path: Path) -> None:
    plan = _plan(journal_path, acled_file)
    assert plan.errors == [] and plan.warnings == []
    assert plan.total == len(EXPECTED)
    assert [incident.acled_id for incident in plan.new] == EVENT_IDS
    assert plan.updates == plan.skipped == plan.unchanged == []


@pytest.mark.parametrize("expected", EXPECTED, ids=EVENT_IDS)
def test_each_acled_column_maps_to_our_field(expected: dict[str, Any], acled_file: bytes, journal_path: Path) -> None:
    (incident,) = [i for i in _plan(journal_path, acled_file).new if i.acled_id == expected["acled_id"]]
    assert incident.date.isoformat() == expected["date"]  # "01 July 2025" and "2025-07-03" alike
    assert incident.date_precision == expected["date_precision"]  # time_precision 1/2/3
    assert incident.country == expected["country"]
    assert incident.region == expected["region"]  # admin1, not ACLED's world region "Europe"
    assert incident.place == expected["place"]  # location
    assert (incident.latitude, incident.longitude) == (expected["latitude"], expected["longitude"])
    assert incident.geo_precision == expected["geo_precision"]  # geo_precision 1/2/3
    assert incident.event_type == expected["event_type"]  # sub_event_type
    assert incident.acled_event_type == next(
        row["event_type"] for row in _file_rows(acled_file) if row["event_id_cnty"] == expected["acled_id"]
    )
    assert incident.actor == expected["actor"]  # actor1
    assert incident.killed == Count(min=expected["killed"], max=expected["killed"])  # fatalities, an exact count
    assert incident.summary == expected["summary"]  # notes: quotes, commas and line breaks kept
    assert [source.outlet for source in incident.sources] == expected["outlets"]  # source, split on ";"
    assert incident.tags == expected["tags"]  # civilian_targeting and ACLED's tags
    assert incident.title == f"{expected['event_type']} in {expected['place']}"


def test_notes_are_kept_verbatim_even_when_they_look_like_a_formula(acled_file: bytes, journal_path: Path) -> None:
    by_id = {incident.acled_id: incident for incident in _plan(journal_path, acled_file).new}
    assert by_id["RUS41540"].summary.startswith("=Week of 5 July 2025: ")
    assert by_id["UKR223500"].summary.startswith("-Around mid-July 2025")


def test_a_bom_from_excel_does_not_change_what_is_read(acled_file: bytes, tmp_path: Path) -> None:
    plain = _plan(tmp_path / "a.json", acled_file)
    excel = _plan(tmp_path / "b.json", UTF8_BOM + acled_file)
    assert excel.errors == []
    assert [i.fields_record() for i in excel.new] == [i.fields_record() for i in plain.new]


def test_a_row_without_coordinates_is_imported_without_them(journal_path: Path) -> None:
    row = dict(_file_rows(DATA.read_bytes())[0], latitude="", longitude="", geo_precision="")
    plan = _plan(journal_path, _acled_file([row]))
    assert plan.errors == []
    (incident,) = plan.new
    assert (incident.latitude, incident.longitude, incident.geo_precision) == (None, None, None)
    assert incident.region == "Удмуртия" and incident.place == "Izhevsk"


def test_columns_the_journal_does_not_hold_are_not_needed(journal_path: Path) -> None:
    """An export trimmed to a few columns (ACLED's API ``fields=``) reads; the rest default."""
    data = "event_date,sub_event_type,country,admin1\r\n03 July 2025,Air/drone strike,Russia,Belgorod\r\n"
    plan = _plan(journal_path, data)
    assert plan.errors == []
    (incident,) = plan.new
    assert (incident.date.isoformat(), incident.event_type, incident.region) == (
        "2025-07-03", "Air/drone strike", "Belgorod"
    )
    assert incident.killed.is_unknown and incident.place is None and incident.acled_id is None


# -- importing again -------------------------------------------------------------------------------


def test_importing_the_same_acled_file_twice_adds_nothing(acled_file: bytes, journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        first = plan_import(journal, acled_file, "acled", name="acled_export.csv")
        journal.import_incidents(first.new, updates=first.updates)
        assert len(journal) == len(EXPECTED)
        before = sorted((i.record() for i in journal.all()), key=lambda record: record["id"])

        second = plan_import(journal, acled_file, "acled", name="acled_export.csv")
        assert second.errors == []
        assert second.new == [] and second.updates == [] and second.skipped == []
        assert second.unchanged == [incident.id for incident in first.new]
        journal.import_incidents(second.new, updates=second.updates)
        assert len(journal) == len(EXPECTED)
        assert sorted((i.record() for i in journal.all()), key=lambda record: record["id"]) == before
        assert sorted(i.acled_id for i in journal.all()) == sorted(EVENT_IDS)


def test_ids_of_acled_events_are_stable(acled_file: bytes, tmp_path: Path) -> None:
    first = _plan(tmp_path / "a.json", acled_file)
    second = _plan(tmp_path / "b.json", acled_file)
    ids = [incident.id for incident in first.new]
    assert ids == [incident.id for incident in second.new]
    assert len(set(ids)) == len(EXPECTED)
    assert all(str(uuid.UUID(value)) == value for value in ids)
    assert [incident.acled_id for incident in second.new] == EVENT_IDS  # event_id_cnty kept as ACLED writes it


def test_a_revised_acled_file_updates_only_what_acled_revised(acled_file: bytes, journal_path: Path) -> None:
    with Journal(journal_path) as journal:
        plan = plan_import(journal, acled_file, "acled", name="acled_export.csv")
        journal.import_incidents(plan.new)
        izhevsk = next(i for i in journal.all() if i.acled_id == "RUS41523")
        edited = journal.update(
            izhevsk.with_changes(title="Drone strike on the Kupol plant", weapon="Lyutyi", injured="35")
        )

        rows = _file_rows(acled_file)
        rows[0]["fatalities"] = "2"
        revised = _acled_file(rows)
        skipped = plan_import(journal, revised, "acled", name="revised.csv")
        assert skipped.new == [] and skipped.updates == []
        assert skipped.skipped == [izhevsk.id]
        assert len(skipped.unchanged) == len(EXPECTED) - 1

        plan = plan_import(journal, revised, "acled", name="revised.csv", update=True)
        assert plan.errors == [] and plan.new == []
        (updated,) = plan.updates
        assert updated.killed == Count(min=2, max=2)
        assert (updated.title, updated.weapon, str(updated.injured)) == (
            "Drone strike on the Kupol plant", "Lyutyi", "35"
        )
        journal.import_incidents(plan.new, updates=plan.updates)
        stored = journal.get(izhevsk.id)
        assert stored.killed.min == 2 and stored.revision == edited.revision + 1 and len(journal) == len(EXPECTED)


# -- bad rows ------------------------------------------------------------------------------------


def _bad_file() -> tuple[bytes, dict[int, tuple[str | None, str, str]]]:
    """The realistic file with bad cells; returns it and {row: (event_id_cnty, column, bad value)}."""
    rows = _file_rows(DATA.read_bytes())
    bad = {
        3: ("event_date", "31 June 2025"),
        4: ("sub_event_type", "Drone attack"),
        6: ("fatalities", "several"),
        7: ("time_precision", "4"),
        9: ("geo_precision", "0"),
        10: ("longitude", ""),  # a latitude without a longitude
    }
    rows[10 - 2]["event_id_cnty"] = ""  # a row without an id is named by its number alone
    expected = {}
    for row, (column, value) in bad.items():
        cells = rows[row - 2]
        cells[column] = value
        expected[row] = (cells["event_id_cnty"] or None, column, value)
    return _acled_file(rows), expected


def test_bad_acled_rows_are_named_by_row_column_and_reason(journal_path: Path) -> None:
    data, expected = _bad_file()
    plan = _plan(journal_path, data)
    assert plan.total == len(EXPECTED)
    by_row: dict[int, set[str]] = {}
    for error in plan.errors:
        by_row.setdefault(error.row, set()).add(error.field)
    assert by_row == {row: {column} for row, (_, column, _) in expected.items()}
    for error in plan.errors:
        event_id, column, value = expected[error.row]
        assert (error.id is None) == (event_id is None), error
        text = str(error)
        assert text.startswith(f"row {error.row}") and f": {column}: " in text, text
        assert value in error.message and len(error.message) > len(value) + 10, text  # says why
    messages = {error.row: error.message for error in plan.errors}
    assert "not a date" in messages[3]
    assert "not an event type" in messages[4]
    assert "latitude and longitude" in messages[10]
    assert str(plan.rejected()) == "acled_export.csv: 6 of 10 rows are invalid; nothing was imported"
    assert plan.rejected().errors == plan.errors


def test_good_rows_of_a_file_with_bad_ones_are_planned(journal_path: Path) -> None:
    """What --skip-invalid imports: the good rows, the bad ones left out; by default nothing."""
    data, expected = _bad_file()
    good_ids = [row["acled_id"] for row_number, row in enumerate(EXPECTED, start=2) if row_number not in expected]
    with Journal(journal_path) as journal:
        plan = plan_import(journal, data, "acled", name="acled_export.csv")
        assert len(journal) == 0  # planning writes nothing
        assert [incident.acled_id for incident in plan.new] == good_ids
        assert sorted(plan.row_of.values()) == [n for n in range(2, 12) if n not in expected]
        journal.import_incidents(plan.new)
        assert sorted(i.acled_id for i in journal.all()) == sorted(good_ids)


def test_bad_rows_are_named_by_their_acled_event_id(journal_path: Path) -> None:
    """A person finds a bad row by the id the file holds (UKR223344), not by one it does not."""
    data, expected = _bad_file()
    plan = _plan(journal_path, data)
    assert plan.errors
    for error in plan.errors:
        event_id = expected[error.row][0]
        if event_id is not None:
            assert event_id in str(error), str(error)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("event_date", "2025-13-01"),
        ("event_date", "July 3, 2025"),
        ("event_date", "31 June 2025"),
        ("sub_event_type", "Drone attack"),
        ("fatalities", "several"),
        ("fatalities", "1.5"),
        ("fatalities", "-1"),
        ("fatalities", "²"),  # a digit to str.isdigit, not a number
        ("time_precision", "4"),
        ("time_precision", "day"),
        ("geo_precision", "0"),
        ("latitude", "56,8498"),
        ("latitude", "95"),
        ("longitude", ""),
        ("admin1", ""),
        ("country", ""),
        ("year", "2024"),
    ],
)
def test_each_kind_of_bad_cell_is_named_by_its_acled_column(column: str, value: str, journal_path: Path) -> None:
    rows = _file_rows(DATA.read_bytes())[:3]
    rows[1][column] = value
    plan = _plan(journal_path, _acled_file(rows))
    assert [(error.row, error.field) for error in plan.errors] == [(3, column)]
    assert plan.errors[0].message
    assert [incident.acled_id for incident in plan.new] == ["RUS41523", "UKR223344"]
    assert "1 of 3 rows are invalid" in str(plan.rejected())


@pytest.mark.parametrize(
    "missing",
    [
        ("event_date",), ("sub_event_type",), ("country",), ("admin1",),
        ("event_date", "sub_event_type", "country", "admin1"),
    ],
)
def test_a_file_missing_required_columns_is_refused_as_a_whole(missing: tuple[str, ...], journal_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k not in missing} for row in _file_rows(DATA.read_bytes())]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c for c in ACLED_COLUMNS if c not in missing], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    with Journal(journal_path) as journal:
        with pytest.raises(ImportRejected) as caught:
            plan_import(journal, buffer.getvalue().encode(), "acled", name="trimmed.csv")
        assert len(journal) == 0
    message = str(caught.value)
    assert message.startswith("trimmed.csv")
    for column in missing:
        assert repr(column) in message
    for column in {"event_date", "sub_event_type", "country", "admin1"} - set(missing):
        assert repr(column) not in message


def test_one_of_our_own_csv_files_read_as_acled_says_which_format(make_incident, journal_path: Path) -> None:
    with Journal(journal_path) as journal, pytest.raises(ImportRejected, match="--format csv"):
        plan_import(journal, export_bytes([make_incident()], "csv"), "acled", name="incidents.csv")


# -- writing ACLED -------------------------------------------------------------------------------


@pytest.fixture
def ours(make_incident) -> list[Incident]:
    return [
        make_incident(
            title="Drone strike on the Kupol plant",
            summary='Губернатор: "пожар".\nSecond line, with a comma',
            date="2024-07-01",
            date_precision="week",
            region="Удмуртия",
            place="Ижевск",
            latitude=56.8498,
            longitude=53.2045,
            geo_precision="near",
            event_type="air",
            actor="Military Forces of Ukraine (2019-)",
            weapon="Lyutyi",
            killed="2-5",
            injured="35",
            tags=["civilian-targeting", "завод"],
            sources=[
                {"outlet": "Telegram", "kind": "telegram"},
                {"outlet": "Коммерсантъ", "url": "https://www.kommersant.ru/doc/1", "kind": "media"},
            ],
        ),
        make_incident(
            title="Shelling of Kharkiv",
            summary="Three hit.",
            date="2024-08-15",
            date_precision="month",
            country="Ukraine",
            region="Kharkiv",
            place="Kharkiv",
            latitude=49.9935,
            longitude=36.2304,
            geo_precision="region",
            event_type="shelling",
            actor="Military Forces of Russia (2000-)",
            killed="1+",
        ),
        make_incident(
            title="Interception",
            summary="Nothing known of casualties.",
            date="2024-09-02",
            region="Moscow Oblast",
            place="Odintsovo",
            event_type="disrupted",
            killed="?",
        ),
        make_incident(
            title="Formula-like text",
            summary="-5 degrees at night",
            date="2024-09-03",
            country="Ukraine",
            region="Kherson",
            place="@home",
            latitude=-33.8688,
            longitude=-73.9857,
            event_type="air",
            actor='=HYPERLINK("http://x","y")',
            killed="0",
            sources=[{"outlet": "+7 channel"}],
            tags=["-5", "x"],
        ),
    ]


def test_export_header_is_acleds_31_columns_in_order(ours) -> None:
    data = export_bytes(ours, "acled")
    assert data.split(b"\r\n", 1)[0].decode() == ",".join(ACLED_COLUMNS)
    assert len(ACLED_COLUMNS) == 31
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert len(rows) == len(ours) + 1 and all(len(row) == 31 for row in rows)


def test_export_maps_our_fields_to_acleds_columns(ours) -> None:
    first, kharkiv, interception, _ = _exported(ours)
    assert first["event_id_cnty"] == ours[0].id
    assert (first["event_date"], first["year"], first["time_precision"]) == ("2024-07-01", "2024", "2")
    assert (first["disorder_type"], first["event_type"], first["sub_event_type"]) == (
        "Political violence", "Explosions/Remote violence", "Air/drone strike",
    )
    assert first["actor1"] == "Military Forces of Ukraine (2019-)"
    assert first["civilian_targeting"] == "Civilian targeting"
    assert (first["iso"], first["region"], first["country"], first["admin1"]) == ("643", "Europe", "Russia", "Удмуртия")
    assert (first["location"], first["latitude"], first["longitude"], first["geo_precision"]) == (
        "Ижевск", "56.8498", "53.2045", "2",
    )
    assert first["source"] == "Telegram; Коммерсантъ"
    assert first["notes"] == ours[0].summary  # quotes and the line break inside the cell
    assert first["fatalities"] == "2"  # the minimum of 2-5
    assert first["tags"] == "завод"  # civilian-targeting is its own column
    assert first["timestamp"] == str(int(ours[0].updated_at.timestamp()))

    assert (kharkiv["iso"], kharkiv["region"], kharkiv["country"], kharkiv["admin1"]) == (
        "804", "Europe", "Ukraine", "Kharkiv"
    )
    assert (kharkiv["time_precision"], kharkiv["geo_precision"], kharkiv["fatalities"]) == ("3", "3", "1")  # 1+ -> 1
    assert kharkiv["sub_event_type"] == "Shelling/artillery/missile attack" and kharkiv["civilian_targeting"] == ""

    assert (interception["fatalities"], interception["time_precision"], interception["geo_precision"]) == ("0", "1", "")
    assert interception["disorder_type"] == interception["event_type"] == "Strategic developments"
    assert interception["latitude"] == interception["longitude"] == ""


def test_an_incident_from_acled_exports_with_its_acled_id(acled_file: bytes, journal_path: Path) -> None:
    plan = _plan(journal_path, acled_file)
    exported = _exported(plan.new)
    original = _file_rows(acled_file)
    for column in ("event_id_cnty", "sub_event_type", "event_type", "actor1", "civilian_targeting", "iso", "region",
                   "country", "admin1", "location", "latitude", "longitude", "geo_precision", "time_precision",
                   "fatalities", "source", "year"):
        assert [row[column] for row in exported] == [row[column] for row in original], column
    assert [row["event_date"] for row in exported] == [row["date"] for row in EXPECTED]  # ISO, whatever was read
    # notes as read, a ' put before the two that a spreadsheet would run as formulas
    assert [row["notes"] for row in exported] == [
        ("'" if row["summary"][0] in "=-" else "") + row["summary"] for row in EXPECTED
    ]


def test_exported_formula_like_text_is_neutralised_and_numbers_are_bare(ours) -> None:
    *_, tricky = _exported(ours)
    assert tricky["actor1"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert tricky["location"] == "'@home"
    assert tricky["notes"] == "'-5 degrees at night"
    assert tricky["source"] == "'+7 channel"
    assert tricky["tags"] == "'-5; x"
    assert (tricky["latitude"], tricky["longitude"]) == ("-33.8688", "-73.9857")  # numbers are not neutralised
    for row in _exported(ours):
        for column, value in row.items():
            if column in NUMBER_COLUMNS:
                if value:
                    float(value)
            else:
                assert not value.startswith(FORMULA_STARTS), (column, value)


def test_export_keeps_cyrillic_as_utf8(ours) -> None:
    data = export_bytes(ours, "acled")
    assert not data.startswith(UTF8_BOM)
    assert "Удмуртия".encode() in data and "Ижевск".encode() in data and "Коммерсантъ".encode() in data


def test_export_for_excel_starts_with_a_bom(ours) -> None:
    plain, excel = export_bytes(ours, "acled"), export_bytes(ours, "acled", excel=True)
    assert excel == UTF8_BOM + plain
    assert _exported(ours, excel=True) == _exported(ours)


# -- round trips ---------------------------------------------------------------------------------


def test_export_then_import_gives_back_what_acled_can_hold(ours, journal_path: Path) -> None:
    plan = _plan(journal_path, export_bytes(ours, "acled"), name="ours.csv")
    assert plan.errors == []
    assert [incident.id for incident in plan.new] == [incident.id for incident in ours]  # our ids come back
    for mine, back in zip(ours, plan.new, strict=True):
        assert back.date == mine.date and back.date_precision == mine.date_precision
        assert (back.country, back.region, back.place) == (mine.country, mine.region, mine.place)
        assert (back.latitude, back.longitude) == (mine.latitude, mine.longitude)
        assert back.geo_precision == mine.geo_precision
        assert (back.event_type, back.actor, back.summary) == (mine.event_type, mine.actor, mine.summary)
        assert back.killed == Count(min=mine.killed.min or 0, max=mine.killed.min or 0)
        assert [s.outlet for s in back.sources] == [s.outlet for s in mine.sources]
        assert back.acled_id is None  # our own ids are not taken for ACLED's
    # civilian-targeting comes back from its own column, the other tags from ACLED's tags
    assert sorted(plan.new[0].tags) == sorted(ours[0].tags) == ["civilian-targeting", "завод"]


def test_export_then_import_into_the_same_journal_changes_nothing(ours, journal_path: Path) -> None:
    """ACLED cannot hold a title, a weapon or a range of killed: a round trip keeps them."""
    with Journal(journal_path) as journal:
        journal.import_incidents(ours)
        before = sorted((i.record() for i in journal.all()), key=lambda record: record["id"])
        plan = plan_import(journal, export_bytes(journal.all(), "acled"), "acled", name="ours.csv", update=True)
        assert plan.errors == []
        assert plan.new == [] and plan.updates == [] and plan.skipped == []
        assert sorted(plan.unchanged) == sorted(incident.id for incident in ours)
        assert sorted((i.record() for i in journal.all()), key=lambda record: record["id"]) == before


def test_an_incident_without_an_event_type_survives_the_acled_round_trip(make_incident, journal_path: Path) -> None:
    """Our own export must read back: an incident not yet typed exports with a blank sub_event_type."""
    untyped = make_incident(title="Explosion heard", summary="Type not known yet.", place="Izhevsk", killed="?")
    plan = _plan(journal_path, export_bytes([untyped], "acled"), name="ours.csv")
    assert plan.errors == []
    (back,) = plan.new
    assert (back.id, back.date, back.region, back.place, back.summary) == (
        untyped.id, untyped.date, untyped.region, untyped.place, untyped.summary,
    )


def test_a_row_cut_short_is_named_not_crashed_on(journal_path: Path) -> None:
    """A truncated or hand-edited file: the cells a row lacks read as blank, and the row is named."""
    whole = _acled_file(_file_rows(DATA.read_bytes())[:1])
    plan = _plan(journal_path, whole + b"UKR1,03 July 2025\r\n")
    assert {(error.row, error.id, error.field) for error in plan.errors} == {
        (3, "UKR1", "country"), (3, "UKR1", "admin1")
    }
    assert len(plan.new) == 1
    alone = _plan(journal_path, "event_id_cnty,event_date,sub_event_type,country,admin1\r\nUKR1\r\n")
    assert (2, "UKR1", "event_date", "is required") in {(e.row, e.id, e.field, e.message) for e in alone.errors}


# -- schema 3: who was harmed, and what ACLED cannot hold ----------------------------------------

#: The parts of the killed and the injured that are civilians: any one at least 1 is civilian harm.
CIVILIAN_PARTS = (
    "killed_civilians", "killed_children", "killed_women", "injured_civilians", "injured_children", "injured_women",
)


@pytest.mark.parametrize("part", CIVILIAN_PARTS)
def test_civilian_targeting_is_set_when_civilians_were_harmed(part: str, make_incident) -> None:
    harmed = make_incident(killed="1+", injured="1+", **{part: "1"})
    (row,) = _exported([harmed])
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["tags"] == ""  # the column, not a tag, says it


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"killed": "3", "injured": "5+", "killed_combatants": "3", "injured_combatants": "2"},  # soldiers only
        {"killed_civilians": "0", "injured_civilians": "0", "killed_children": "0"},  # none, exactly
        {"killed_civilians": "?", "injured_women": "? (some)"},  # not known
        {"killed_civilians": "0-2"},  # perhaps none
    ],
    ids=["nothing", "combatants", "zero", "unknown", "perhaps-none"],
)
def test_civilian_targeting_is_blank_without_civilian_harm(fields: dict[str, str], make_incident) -> None:
    (row,) = _exported([make_incident(**fields)])
    assert row["civilian_targeting"] == ""


def test_the_civilian_targeting_tag_still_sets_the_column(make_incident) -> None:
    (row,) = _exported([make_incident(tags=["civilian-targeting"], killed_combatants="2")])
    assert row["civilian_targeting"] == "Civilian targeting"


@pytest.mark.parametrize(
    ("fields", "fatalities"),
    [
        ({"killed": "2-5", "killed_civilians": "1", "killed_combatants": "1"}, "2"),  # the total says most
        ({"killed": "1+", "killed_civilians": "3+"}, "3"),  # at least 3 civilians: at least 3 killed
        ({"killed": "?", "killed_children": "2", "killed_women": "1"}, "3"),  # children and women apart
        ({"killed": "?", "killed_civilians": "2", "killed_combatants": "4"}, "6"),
        ({"killed": "?", "killed_civilians": "?"}, "0"),  # unknown: ACLED's 0
        ({"killed": "0", "injured": "4", "injured_civilians": "4"}, "0"),  # harmed, none killed
    ],
)
def test_fatalities_is_the_minimum_killed(fields: dict[str, str], fatalities: str, make_incident) -> None:
    (row,) = _exported([make_incident(**fields)])
    assert row["fatalities"] == fatalities


def _civilian_row(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        event_id_cnty="UKR900001", event_date="05 July 2025", year="2025", time_precision="1",
        disorder_type="Political violence", event_type="Explosions/Remote violence",
        sub_event_type="Shelling/artillery/missile attack", actor1="Military Forces of Russia (2000-)",
        civilian_targeting="Civilian targeting", iso="804", region="Europe", country="Ukraine", admin1="Kharkiv",
        location="Kupiansk", source="Ukrinform", notes="A market was shelled; 4 people were killed.", fatalities="4",
    )
    row.update(cells)
    return row


def test_an_acled_row_targeting_civilians_is_tagged_not_counted(journal_path: Path) -> None:
    """ACLED says civilians were the target, not that its fatalities were civilians: the tag keeps
    the fact; who was harmed stays unknown rather than made up."""
    plan = _plan(journal_path, _acled_file([_civilian_row()]))
    assert plan.errors == []
    (incident,) = plan.new
    assert incident.tags == ["civilian-targeting"]
    assert incident.killed == Count(min=4, max=4)
    for part in (*CIVILIAN_PARTS, "killed_combatants", "injured_combatants"):
        assert getattr(incident, part) == Count(), part
    blank = _plan(journal_path, _acled_file([_civilian_row(civilian_targeting="")]))
    assert blank.new[0].tags == []


def test_an_acled_row_targeting_civilians_exports_as_it_came(journal_path: Path) -> None:
    row = _civilian_row(tags="crowd size=no report")
    (back,) = _exported(_plan(journal_path, _acled_file([row])).new)
    for column in ("event_id_cnty", "civilian_targeting", "fatalities", "sub_event_type", "admin1", "location"):
        assert back[column] == row[column], column
    assert back["tags"] == "crowd-size-no-report"


@pytest.fixture
def harmed(make_incident) -> Incident:
    """An incident with every schema 3 figure ACLED has no column for."""
    return make_incident(
        title="Strike on a market",
        summary="A market was hit in the morning.",
        date="2025-07-05",
        date_end="2025-07-06",
        country="Ukraine",
        region="Kharkiv",
        place="Kupiansk",
        event_type="shelling",
        weapon="Grad rockets",
        weapons_launched="40+ (dozens)",
        weapons_intercepted="0",
        weapons_hit="12-20",
        actor="Military Forces of Russia (2000-)",
        attribution="claimed",
        attribution_by="Ukrinform",
        target="market",
        target_kind="commercial",
        killed="4-6",
        injured="10+",
        killed_civilians="4",
        killed_children="1",
        killed_women="2",
        killed_combatants="0",
        injured_civilians="9+",
        injured_children="? (several)",
        injured_combatants="1",
        verification="corroborated",
        sources=[
            {"outlet": "Ukrinform", "url": "https://www.ukrinform.net/1", "kind": "media", "killed": "4",
             "injured": "10", "blames": "Russian forces"},
            {"outlet": "Governor (Telegram)", "kind": "official", "killed": "6", "quote": "six dead"},
        ],
    )


def test_an_incident_with_schema_3_figures_exports_what_acled_holds(harmed: Incident) -> None:
    (row,) = _exported([harmed])
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["fatalities"] == "4"  # the minimum of 4-6 (and of the 4 civilians killed)
    assert row["source"] == "Ukrinform; Governor (Telegram)"  # outlets only: their claims have no column
    assert row["actor1"] == "Military Forces of Russia (2000-)" and row["tags"] == ""
    # no column holds who was harmed, the weapons counts, or a source's claims
    assert not {"4-6", "9+", "40+", "12-20", "Russian forces", "corroborated"} & set(row.values())


def test_a_round_trip_into_the_same_journal_keeps_the_schema_3_figures(harmed: Incident, journal_path: Path) -> None:
    """Importing our own ACLED export back changes nothing: not the harm breakdown, the weapons
    counts, the sources' claims or who claims the attribution, and no civilian-targeting tag is
    added for the column the harm set."""
    with Journal(journal_path) as journal:
        journal.import_incidents([harmed])
        before = [incident.record() for incident in journal.all()]
        plan = plan_import(journal, export_bytes(journal.all(), "acled"), "acled", name="ours.csv", update=True)
        assert plan.errors == [] and plan.new == [] and plan.updates == []
        assert plan.unchanged == [harmed.id]
        assert [incident.record() for incident in journal.all()] == before


def test_a_round_trip_elsewhere_keeps_what_acled_holds_and_is_stable(harmed: Incident, journal_path: Path) -> None:
    """Into another journal: the civilian targeting comes back as the tag, the fatalities as an
    exact count; what ACLED cannot hold is lost; exporting it again gives the same ACLED row."""
    first = _exported([harmed])
    plan = _plan(journal_path, export_bytes([harmed], "acled"), name="ours.csv")
    assert plan.errors == []
    (back,) = plan.new
    assert back.id == harmed.id and back.tags == ["civilian-targeting"]
    assert back.killed == Count(min=4, max=4) and back.injured == Count()
    assert back.killed_civilians == Count() and back.weapons_launched == Count() and back.attribution_by is None
    assert [(source.outlet, source.killed, source.blames) for source in back.sources] == [
        ("Ukrinform", None, None), ("Governor (Telegram)", None, None)
    ]
    again = _exported([back])
    assert [{**row, "timestamp": ""} for row in again] == [{**row, "timestamp": ""} for row in first]
