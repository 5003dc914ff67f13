"""Issue 14 on the command line: add/edit --place filling region, country and coordinates from the
gazetteer, 'places', 'import --fill-places', 'regions' and 'regions rename', and --version's credit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.geo import CREDIT

from .cli_runner import runner

IZHEVSK_LABEL = "Izhevsk — Udmurtia, Russia · 648,213"
IZHEVSK_AT = (56.85225, 53.19862)
POKROVSK_DONETSK = "Pokrovsk — Donetsk, Ukraine · 60,127"
POKROVSK_SAKHA = "Pokrovsk — Sakha, Russia"


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal: Path, capsys: pytest.CaptureFixture[str]):
    return runner(journal, capsys)


def shown(ij, incident_id: str) -> dict:
    result = ij("show", incident_id, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def listed(ij) -> list[dict]:
    result = ij("list", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out) if result.out.strip() else []


def add(ij, *args: str):
    return ij("add", "--title", "Drone strike", "--date", "2024-07-01", *args)


def added(ij, *args: str) -> tuple[dict, list[str]]:
    """Add an incident; the stored incident and what was said on stderr."""
    result = add(ij, *args)
    assert result.code == 0, result.err
    return shown(ij, result.out.strip()), result.err_lines


@pytest.fixture
def one_incident(ij, journal: Path) -> bytes:
    """A journal with one incident (so a refused command can be shown to leave it byte for byte)."""
    assert add(ij, "--region", "Kursk", "--country", "Russia", "--no-lookup").code == 0
    return journal.read_bytes()


# -- add --place ------------------------------------------------------------------------------------


def test_a_place_fills_region_country_and_coordinates_and_says_so(ij):
    incident, err = added(ij, "--place", "Izhevsk")
    assert (incident["region"], incident["country"]) == ("Udmurtia", "Russia")
    assert (incident["latitude"], incident["longitude"]) == IZHEVSK_AT
    assert incident["geo_precision"] == "near"
    assert incident["place"] == "Izhevsk"
    assert err == [
        f"incident-journal: filled region Udmurtia, country Russia, coordinates 56.85225, 53.19862 from {IZHEVSK_LABEL}"
    ]


@pytest.mark.parametrize("typed", ["ИЖЕВСК", "izhevsk", "Ижевск"])
def test_any_name_of_the_place_fills_and_is_kept_as_typed(ij, typed):
    incident, _ = added(ij, "--place", typed)
    assert (incident["region"], incident["place"]) == ("Udmurtia", typed)


@pytest.mark.parametrize("typed", ["в Ижевске", "под Ижевском"])
def test_a_form_a_sentence_put_the_name_in_becomes_the_places_name_and_says_so(ij, typed):
    incident, err = added(ij, "--place", typed)
    assert (incident["region"], incident["place"]) == ("Udmurtia", "Izhevsk")
    assert err == [f"incident-journal: filled place Izhevsk, region Udmurtia, country Russia, coordinates "
                   f"{IZHEVSK_AT[0]}, {IZHEVSK_AT[1]} from {IZHEVSK_LABEL}"]


def test_a_given_region_and_coordinates_are_kept(ij):
    incident, err = added(ij, "--place", "Izhevsk", "--region", "Udmurt Republic", "--lat", "56.9", "--lon", "53.1")
    assert (incident["region"], incident["country"]) == ("Udmurt Republic", "Russia")  # the same region, kept
    assert (incident["latitude"], incident["longitude"], incident["geo_precision"]) == (56.9, 53.1, None)
    assert err == [f"incident-journal: filled country Russia from {IZHEVSK_LABEL}"]


def test_nothing_is_looked_up_when_nothing_is_missing(ij, monkeypatch):
    import store.place_fill

    monkeypatch.setattr(store.place_fill, "gazetteer", lambda: pytest.fail("looked up"))
    incident, err = added(ij, "--place", "Pokrovsk", "--region", "Kursk", "--country", "Russia",
                          "--lat", "51.1", "--lon", "35.2")
    assert incident["region"] == "Kursk" and err == []


def test_an_ambiguous_place_is_refused_listing_the_candidates_and_nothing_is_written(ij, journal, one_incident):
    result = add(ij, "--place", "Pokrovsk")
    assert result.code == 2 and result.out == ""
    first, *candidates = result.err_lines
    assert "'Pokrovsk' names 3 places" in first and "--region" in first and "--lat/--lon" in first
    assert candidates[0] == f"incident-journal:   {POKROVSK_DONETSK}"
    assert any(POKROVSK_SAKHA in line for line in candidates) and len(candidates) == 3
    assert journal.read_bytes() == one_incident


def test_a_name_of_many_places_lists_ten_then_how_many_more(ij):
    result = add(ij, "--place", "Springfield")
    assert result.code == 2
    listed_places = result.err_lines[1:]
    assert len(listed_places) == 11 and all("Springfield — " in line for line in listed_places[:10])
    assert listed_places[10].startswith("incident-journal:   … and ") and listed_places[10].endswith(" more")


def test_a_lone_surrogate_is_no_place_and_no_traceback(ij):
    assert ij("places", "\ud800").code == 1
    refused = add(ij, "--place", "\ud800")
    assert refused.code == 2 and "no place called '\\ud800' is known" in refused.err


def test_region_or_coordinates_pick_one_of_an_ambiguous_name(ij):
    by_region, err = added(ij, "--place", "Pokrovsk", "--region", "Donetsk")
    assert (by_region["country"], by_region["latitude"]) == ("Ukraine", 48.28014)
    assert err[0].endswith(f"from {POKROVSK_DONETSK}")
    near, err = added(ij, "--place", "Pokrovsk", "--lat", "48.3", "--lon", "37.2")
    assert (near["region"], near["country"]) == ("Donetsk", "Ukraine")
    assert (near["latitude"], near["longitude"]) == (48.3, 37.2)  # the coordinates given stay
    assert err[0] == f"incident-journal: filled region Donetsk, country Ukraine from {POKROVSK_DONETSK}"


def test_coordinates_far_from_every_place_of_the_name_fill_nothing(ij, journal, one_incident):
    result = add(ij, "--place", "Izhevsk", "--lat", "48", "--lon", "37")
    assert result.code == 2
    assert result.err_lines == [
        f"incident-journal: --region and --country: are required; --place cannot fill them: 'Izhevsk' is "
        f"{IZHEVSK_LABEL}, 1,468 km from the coordinates given; nothing was filled from it"
    ]
    assert journal.read_bytes() == one_incident


def test_a_place_known_only_in_another_region_fills_nothing_and_keeps_the_region(ij):
    incident, err = added(ij, "--place", "Izhevsk", "--region", "Belgorod", "--country", "Russia")
    assert (incident["region"], incident["latitude"], incident["geo_precision"]) == ("Belgorod", None, None)
    # Saved as typed (a village of the name may be too small for the gazetteer), with a warning.
    assert err == [
        "incident-journal: warning: --place: no place called 'Izhevsk' is known in Belgorod, Russia "
        f"(only elsewhere: {IZHEVSK_LABEL})"
    ]
    refused = add(ij, "--place", "Izhevsk", "--region", "Belgorod")  # but the country is not filled from it
    assert refused.err_lines == [
        "incident-journal: --country: is required; --place cannot fill it: no place called 'Izhevsk' is known in "
        f"Belgorod (only elsewhere: {IZHEVSK_LABEL})"
    ]


def test_an_unknown_place_is_kept_as_typed(ij, journal, one_incident):
    incident, err = added(ij, "--place", "Blahville", "--region", "Kursk", "--country", "Russia")
    assert (incident["place"], incident["latitude"]) == ("Blahville", None)
    assert err == []  # as typed, as before places were looked up
    before = journal.read_bytes()
    refused = add(ij, "--place", "Blahville")
    assert refused.code == 2
    assert refused.err_lines == [
        "incident-journal: --region and --country: are required; --place cannot fill them: "
        "no place called 'Blahville' is known"
    ]
    assert journal.read_bytes() == before


def test_no_lookup_fills_nothing_and_region_and_country_are_required_again(ij):
    incident, err = added(ij, "--place", "Izhevsk", "--region", "Udmurtia", "--country", "Russia", "--no-lookup")
    assert incident["latitude"] is None and err == []
    refused = add(ij, "--place", "Izhevsk", "--no-lookup")
    assert refused.code == 2
    assert refused.err_lines == ["incident-journal: --region and --country: are required (--no-lookup: --place "
                                 "fills nothing)"]
    bare = add(ij, "--country", "Russia")
    assert bare.code == 2
    assert bare.err_lines == ["incident-journal: --region: is required (or a --place the gazetteer knows, which "
                              "fills it)"]


def test_a_place_name_with_control_characters_is_refused_and_never_reaches_the_terminal(ij, journal, one_incident):
    result = add(ij, "--place", "Evil\x1b]0;pwned\x07", "--region", "Kursk", "--country", "Russia")
    assert result.code == 2
    assert result.err_lines == ["incident-journal: --place: contains a control character (U+001B) at position 5"]
    looked_up = add(ij, "--place", "Evil\x1b]0;pwned\x07")  # looked up to fill the region: not found
    assert looked_up.code == 2
    assert "\x1b" not in looked_up.err and "'Evil\\x1b]0;pwned\\x07' is known" in looked_up.err
    assert journal.read_bytes() == one_incident


# -- edit --place -----------------------------------------------------------------------------------


def test_edit_place_fills_what_the_incident_lacks_and_keeps_the_rest(ij):
    result = add(ij, "--place", "somewhere", "--region", "Udmurt Republic", "--country", "Russia", "--no-lookup")
    incident_id = result.out.strip()
    edited = ij("edit", incident_id, "--place", "Izhevsk")
    assert edited.code == 0, edited.err
    assert edited.err_lines == [f"incident-journal: filled coordinates 56.85225, 53.19862 from {IZHEVSK_LABEL}"]
    incident = shown(ij, incident_id)
    assert (incident["place"], incident["region"], incident["revision"]) == ("Izhevsk", "Udmurt Republic", 2)
    assert (incident["latitude"], incident["longitude"], incident["geo_precision"]) == (*IZHEVSK_AT, "near")


def test_edit_without_place_looks_nothing_up_and_no_lookup_keeps_it_off(ij):
    incident_id = add(ij, "--place", "Izhevsk", "--region", "Udmurtia", "--country", "Russia",
                      "--no-lookup").out.strip()
    assert ij("edit", incident_id, "--killed", "2").err == ""
    assert ij("edit", incident_id, "--place", "Izhevsk", "--no-lookup").code == 0
    assert shown(ij, incident_id)["latitude"] is None


def test_edit_place_looks_within_the_incident_s_region_and_refuses_an_ambiguous_name(ij, journal):
    incident_id = add(ij, "--region", "Kursk", "--country", "Russia", "--no-lookup").out.strip()
    # Kursk holds no Pokrovsk the gazetteer knows: looked up within the incident's region, nothing is filled.
    soft = ij("edit", incident_id, "--place", "Pokrovsk")
    assert soft.code == 0
    assert soft.err.startswith("incident-journal: warning: --place: no place called 'Pokrovsk' is known in Kursk")
    assert shown(ij, incident_id)["latitude"] is None
    # Emptied region and country are the place's to fill: an ambiguous name is refused, as for add.
    before = journal.read_bytes()
    refused = ij("edit", incident_id, "--place", "Pokrovsk", "--region", "", "--country", "")
    assert refused.code == 2 and "'Pokrovsk' names 3 places" in refused.err
    assert journal.read_bytes() == before
    assert ij("edit", incident_id, "--place", "Izhevsk", "--region", "", "--country", "").code == 0
    incident = shown(ij, incident_id)
    assert (incident["region"], incident["country"], incident["latitude"]) == ("Udmurtia", "Russia", IZHEVSK_AT[0])


# -- places -----------------------------------------------------------------------------------------


def test_places_prints_each_match_with_its_coordinates(ij, journal):
    result = ij("places", "Izhevsk")
    assert result.code == 0
    assert result.out.splitlines()[0] == f"{IZHEVSK_LABEL}  (56.85225, 53.19862)"
    assert not journal.exists()  # no journal needed, none created


@pytest.mark.parametrize(("typed", "first"), [("у Харкові", "Kharkiv — Kharkiv, Ukraine"), ("Odessa", "Odesa — "),
                                              ("Одеса", "Odesa — "), ("в Ижевске", IZHEVSK_LABEL)])
def test_places_understands_other_spellings_and_declined_forms(ij, typed, first):
    assert ij("places", typed).out.startswith(first)


def test_places_limit_and_none_found(ij):
    assert len(ij("places", "Pokrovsk", "--limit", "2").out.splitlines()) == 2
    none = ij("places", "Blahville")
    assert (none.code, none.out) == (1, "")
    assert none.err_lines == ["incident-journal: no place called 'Blahville' (or starting so) is known"]


def test_places_near_coordinates(ij):
    result = ij("places", "--near", "56.85,53.2")
    assert result.code == 0
    assert result.out == f"{IZHEVSK_LABEL}  (56.85225, 53.19862)  0.3 km away\n"
    assert ij("places", "--near", "0,-150").code == 1  # the Pacific
    for bad in ("56.85", "a,b", "91,0", "nan,nan"):
        refused = ij("places", "--near", bad)
        assert refused.code == 2 and refused.err.startswith("incident-journal: --near: "), bad
    assert ij("places").code == 2


def test_places_with_a_query_near_coordinates_lists_the_nearest_first(ij):
    lines = ij("places", "Pokrovsk", "--near", "48.3,37.2").out.splitlines()
    assert lines[0].startswith(POKROVSK_DONETSK) and lines[0].endswith("2.8 km away")


# -- --version --------------------------------------------------------------------------------------


def test_version_names_the_version_and_credits_geonames(ij, journal):
    result = ij("--version")
    assert result.code == 0
    first, credit = result.out.splitlines()
    assert first.startswith("incident-journal ") and first.split()[1][0].isdigit()
    assert credit == CREDIT and "GeoNames" in credit and "CC BY 4.0" in credit
    assert not journal.exists()


# -- import --fill-places ---------------------------------------------------------------------------

HEADER = "title,date,place,region,country,latitude,longitude\n"


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_import_without_fill_places_refuses_rows_without_a_region(ij, tmp_path):
    result = ij("import", str(write_csv(tmp_path / "in.csv", "A,2024-07-01,Izhevsk,,,,")))
    assert result.code == 2 and "row 2: country: is required" in result.err


def test_import_fill_places_fills_what_it_can_and_names_the_rest(ij, tmp_path, journal):
    source = write_csv(
        tmp_path / "in.csv",
        "A,2024-07-01,Izhevsk,,,,",  # row 2: filled whole
        "B,2024-07-01,в Ижевске,Udmurtia,Russia,,",  # row 3: coordinates filled
        "C,2024-07-01,Pokrovsk,,,48.3,37.2",  # row 4: the Pokrovsk near the coordinates
        "D,2024-07-01,Pokrovsk,,,,",  # row 5: ambiguous: named, invalid (no region)
        "E,2024-07-01,Blahville,Kursk,Russia,,",  # row 6: unknown: named, imported as it is
        "F,2024-07-01,,Kursk,Russia,,",  # row 7: no place: nothing to do
    )
    refused = ij("import", "--fill-places", str(source))
    assert refused.code == 2 and not journal.exists()
    result = ij("import", "--fill-places", "--skip-invalid", str(source))
    assert result.code == 0, result.err
    assert result.out.strip() == (
        "imported 5 new incidents; 1 invalid row skipped; filled places of 3 rows; 2 rows not placed "
        "(named above), left as they are"
    )
    assert (
        "incident-journal: row 5: place: 'Pokrovsk' names 3 places: "
        f"{POKROVSK_DONETSK}; Engels — Saratov, Russia · 196,011; Pokrovsk — Sakha, Russia · 9,763; not placed "
        "(the row's region, country or coordinates would pick one)"
    ) in result.err_lines
    assert "incident-journal: row 6: place: no place called 'Blahville' is known; not placed" in result.err_lines
    incidents = {item["title"]: item for item in listed(ij)}
    assert set(incidents) == {"A", "B", "C", "E", "F"}
    a, b, c = incidents["A"], incidents["B"], incidents["C"]
    assert (a["region"], a["country"], a["latitude"], a["longitude"], a["geo_precision"]) == (
        "Udmurtia", "Russia", *IZHEVSK_AT, "near")
    assert (b["place"], b["latitude"]) == ("Izhevsk", IZHEVSK_AT[0])  # "в Ижевске" is no name: the place's
    assert (c["region"], c["country"], c["latitude"], c["geo_precision"]) == ("Donetsk", "Ukraine", 48.3, None)
    assert incidents["E"]["latitude"] is None and incidents["F"]["latitude"] is None


def test_import_fill_places_dry_run_says_what_it_would_fill_and_writes_nothing(ij, tmp_path, journal, one_incident):
    source = write_csv(tmp_path / "in.csv", "A,2024-07-01,Izhevsk,,,,")
    result = ij("import", "--fill-places", "--dry-run", str(source))
    assert result.code == 0, result.err
    assert result.out.strip() == "would import 1 new incident; would fill places of 1 row"
    assert journal.read_bytes() == one_incident


def test_import_fill_places_caps_its_notes_and_errors_to_has_them_all(ij, tmp_path):
    rows = [f"T{n},2024-07-01,Blahville {n},Kursk,Russia,," for n in range(60)]
    source = write_csv(tmp_path / "in.csv", *rows)
    result = ij("import", "--fill-places", "--dry-run", str(source))
    notes = [line for line in result.err_lines if "not placed" in line]
    assert len(notes) == 50
    assert result.err_lines[-1] == (
        "incident-journal: … and 10 more notes on places (--errors-to FILE writes them all)"
    )
    everything = tmp_path / "all.txt"
    ij("import", "--fill-places", "--dry-run", "--errors-to", str(everything), str(source))
    lines = everything.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 60 and lines[59] == "row 61: place: no place called 'Blahville 59' is known; not placed"


def test_import_fill_places_with_update_fills_an_incident_s_coordinates(ij, tmp_path):
    incident_id = add(ij, "--place", "Izhevsk", "--region", "Udmurtia", "--country", "Russia",
                      "--no-lookup").out.strip()
    source = tmp_path / "ids.csv"
    source.write_text(f"id,place\n{incident_id},Izhevsk\n", encoding="utf-8")
    assert "unchanged" in ij("import", "--update", str(source)).out
    result = ij("import", "--update", "--fill-places", str(source))
    assert result.code == 0, result.err
    assert "updated 1" in result.out
    incident = shown(ij, incident_id)
    assert (incident["latitude"], incident["longitude"], incident["revision"]) == (*IZHEVSK_AT, 2)


# -- regions ----------------------------------------------------------------------------------------

SPELLINGS = [("Udmurtia", 3), ("Удмуртия", 2), ("Udmurt Republic", 1), ("Belgorod", 2), ("Zone 5", 2), ("zone 5", 1)]


@pytest.fixture
def spelt(ij, journal: Path) -> bytes:
    for region, count in SPELLINGS:
        for _ in range(count):
            assert add(ij, "--region", region, "--country", "Russia", "--no-lookup").code == 0
    return journal.read_bytes()


def test_regions_lists_each_region_and_flags_its_other_spellings(ij, spelt):
    result = ij("regions")
    assert result.code == 0
    assert result.out.splitlines() == [
        "Belgorod  2",
        "Udmurtia  6  spelt 3 ways: Udmurtia (3), Удмуртия (2), Udmurt Republic (1)",
        "             incident-journal regions rename 'Удмуртия' Udmurtia",
        "             incident-journal regions rename 'Udmurt Republic' Udmurtia",
        "Zone 5    3  spelt 2 ways: Zone 5 (2), zone 5 (1)",
        "             incident-journal regions rename 'zone 5' 'Zone 5'",
    ]
    assert "2 spelt other ways too" in result.err


def test_regions_of_an_empty_journal(ij):
    result = ij("regions")
    assert (result.code, result.out) == (0, "")
    assert result.err == "no incidents, so no regions\n"


def test_regions_rename_merges_a_spelling_with_history(ij, spelt):
    result = ij("regions", "rename", "Udmurt Republic", "Udmurtia")
    assert result.code == 0, result.err
    assert result.out == "renamed 'Udmurt Republic' to 'Udmurtia' in 1 incident\n"
    incidents = listed(ij)
    assert sum(item["region"] == "Udmurtia" for item in incidents) == 4
    assert not any(item["region"] == "Udmurt Republic" for item in incidents)
    [renamed] = [item for item in incidents if item["revision"] == 2]
    history = ij("history", renamed["id"])
    assert "  region: Udmurt Republic → Udmurtia" in history.out.splitlines()
    assert ij("regions").out.splitlines()[1] == "Udmurtia  6  spelt 2 ways: Udmurtia (4), Удмуртия (2)"


def test_regions_rename_matches_the_exact_spelling_and_suggests_near_ones(ij, journal, spelt):
    result = ij("regions", "rename", "udmurtia", "Udmurtia")
    assert result.code == 2
    assert result.err_lines == [
        "incident-journal: OLD: no incident has the region 'udmurtia'; the journal has 'Udmurtia' (3), "
        "'Удмуртия' (2), 'Udmurt Republic' (1)"
    ]
    nothing_like = ij("regions", "rename", "Kamchatka", "Kamchatka Krai")
    assert nothing_like.code == 2 and "'incident-journal regions' lists them" in nothing_like.err
    assert journal.read_bytes() == spelt


@pytest.mark.parametrize(("new", "message"), [
    ("", "NEW: cannot be empty"),
    ("Udmurtia", "NEW: 'Udmurtia' is the region's name already; nothing to rename"),
    ("two\nlines", "NEW: "),
])
def test_regions_rename_refuses_a_bad_new_name_and_writes_nothing(ij, journal, spelt, new, message):
    result = ij("regions", "rename", "Udmurtia", new)
    assert result.code == 2
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith(f"incident-journal: {message}")
    assert journal.read_bytes() == spelt


def test_regions_shows_a_hand_edited_region_literally_and_renames_its_invalid_record(ij, journal, spelt):
    tables = json.loads(journal.read_text(encoding="utf-8"))
    record = next(iter(tables["incidents"].values()))
    record["region"] = "Bad\x1b[2J"
    record["killed"] = "lots"
    journal.write_text(json.dumps(tables), encoding="utf-8")
    listing = ij("regions")
    assert "\x1b" not in listing.out and "Bad\\x1b[2J  1" in listing.out
    renamed = ij("regions", "rename", "Bad\x1b[2J", "Belgorod")
    assert renamed.code == 0, renamed.err
    assert renamed.out == "renamed 'Bad\\x1b[2J' to 'Belgorod' in 1 incident\n"
    check = ij("check")
    assert check.code == 1 and "killed" in check.out  # still invalid for what was wrong, nothing else
    stored = json.loads(journal.read_text(encoding="utf-8"))["incidents"]
    [kept] = [item for item in stored.values() if item["id"] == record["id"]]
    assert kept == {**record, "region": "Belgorod"}


# -- list --search: a place by any of its names -------------------------------------------------------


def test_list_and_export_find_a_place_under_any_of_its_names(ij, monkeypatch):
    import importlib

    # A fresh process: the gazetteer not read yet (list --search reads it).
    monkeypatch.setitem(importlib.import_module("store.geo.gazetteer").__dict__, "_loaded", None)
    assert add(ij, "--place", "Одеса", "--region", "Odesa", "--country", "Ukraine", "--no-lookup").code == 0
    assert add(ij, "--place", "Kherson", "--region", "Kherson", "--country", "Ukraine", "--no-lookup").code == 0
    for query in ("Odessa", "Одесса", "odesa"):
        result = ij("list", "--search", query, "--format", "json")
        assert result.code == 0, result.err
        assert [item["place"] for item in json.loads(result.out)] == ["Одеса"], query
    exported = ij("export", "--format", "json", "--search", "Odessa", "-o", "-")
    assert [item["place"] for item in json.loads(exported.out)] == ["Одеса"]


def test_edit_to_a_place_in_another_region_or_far_from_the_coordinates_warns_and_keeps_them(ij):
    incident, _ = added(ij, "--place", "Izhevsk")
    moved = ij("edit", incident["id"], "--place", "Kharkiv")
    assert moved.code == 0
    assert moved.err_lines == [
        "incident-journal: warning: --place: no place called 'Kharkiv' is known in Udmurtia, Russia "
        "(only elsewhere: Kharkiv — Kharkiv, Ukraine · 1,421,125)"
    ]
    kept = shown(ij, incident["id"])
    assert (kept["place"], kept["region"], kept["latitude"]) == ("Kharkiv", "Udmurtia", IZHEVSK_AT[0])
    # In the region, but over 50 km from the coordinates the incident has: warned, kept.
    far = ij("edit", incident["id"], "--place", "Sarapul")
    assert far.code == 0 and "km from the coordinates given; nothing was filled from it" in far.err


def test_places_near_lists_the_nearest_of_every_place_so_named(ij):
    result = ij("places", "Pokrovsk", "--near", "48.28,37.18", "--limit", "2")
    assert result.code == 0
    first, second = result.out.splitlines()
    assert first.startswith("Pokrovsk — Donetsk, Ukraine") and "0.2 km away" in first
    assert float(second.rsplit("  ", 1)[1].split()[0].replace(",", "")) < 200  # not Engels, 731 km away


def test_a_long_name_is_cut_in_the_message(ij):
    result = ij("places", "x" * 100_000)
    assert result.code == 1 and len(result.err) < 300
