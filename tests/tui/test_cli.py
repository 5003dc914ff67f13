"""The incident-journal command line, driven as a person or a script would."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

from .cli_runner import runner

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal: Path, capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process on the test journal; returns exit code, stdout, stderr."""
    return runner(journal, capsys)


def listed(ij, *args: str) -> list[dict]:
    result = ij("list", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


ADD = ["add", "--title", "Shelling of a market", "--date", "2024-07-03", "--region", "Belgorod",
       "--country", "Russia"]


# -- seed and list --------------------------------------------------------------------------


def test_seed_then_list_shows_the_article_incidents_structured(ij):
    assert ij("seed").code == 0
    incidents = {item["region"]: item for item in listed(ij)}
    assert set(incidents) == {"Udmurtia", "Belgorod", "Crimea", "Rostov"}
    izhevsk = incidents["Udmurtia"]
    assert izhevsk["place"] == "Izhevsk"
    assert izhevsk["killed"] == {"min": 1, "max": None, "note": None}
    assert izhevsk["injured"] == {"min": None, "max": None, "note": "several"}
    assert izhevsk["casualty_status"] == "killed"
    assert izhevsk["weapon"] == "Lyutiy-type drone"
    assert izhevsk["weapons_launched"] == {"min": 3, "max": 3, "note": "SHOT's claim"}
    assert izhevsk["attribution_by"] == "SHOT (Telegram)"
    assert izhevsk["attribution"] == "claimed"
    assert [s["kind"] for s in izhevsk["sources"]] == ["official", "telegram"]
    assert incidents["Belgorod"]["injured"] == {"min": 2, "max": 2, "note": None}
    assert incidents["Belgorod"]["casualty_status"] == "injured"
    for region in ("Crimea", "Rostov"):
        assert incidents[region]["event_type"] == "Disrupted weapons use"


def test_seed_twice_adds_nothing(ij, journal):
    ij("seed")
    before = journal.read_bytes()
    second = ij("seed")
    assert second.code == 0
    assert "nothing added" in second.out
    assert journal.read_bytes() == before
    assert len(listed(ij)) == 4


def test_list_table_shows_counts_in_notation(ij):
    ij("seed")
    result = ij("list")
    assert result.code == 0
    izhevsk_line = next(line for line in result.out.splitlines() if "Izhevsk" in line)
    assert "1+" in izhevsk_line and "? (several)" in izhevsk_line
    assert result.out.splitlines()[0].split()[:3] == ["ID", "DATE", "REGION"]


def test_list_filters(ij):
    ij("seed")
    assert [i["region"] for i in listed(ij, "--region", "udmurtia")] == ["Udmurtia"]
    assert [i["region"] for i in listed(ij, "--casualties", "injured")] == ["Belgorod"]
    assert {i["region"] for i in listed(ij, "--casualties", "killed", "--casualties", "injured")} == {
        "Udmurtia", "Belgorod"}
    assert {i["region"] for i in listed(ij, "--casualties", "unknown")} == {"Crimea", "Rostov"}
    assert [i["region"] for i in listed(ij, "--search", "LYUTIY shot")] == ["Udmurtia"]
    assert {i["region"] for i in listed(ij, "--type", "disrupted")} == {"Crimea", "Rostov"}
    assert listed(ij, "--region", "Udmurtia", "--casualties", "injured") == []


def test_search_finds_cyrillic_in_any_case(ij):
    assert ij(*ADD[:1], "--title", "Удар дрона по заводу", *ADD[3:], "--place", "Ижевск").code == 0
    assert [i["place"] for i in listed(ij, "--search", "ижевск")] == ["Ижевск"]
    assert [i["title"] for i in listed(ij, "--search", "УДАР")] == ["Удар дрона по заводу"]


def test_bad_filter_value_is_one_line_exit_2(ij):
    result = ij("list", "--casualties", "dead")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "--casualties" in result.err


def test_empty_journal_says_how_to_start(ij, journal):
    result = ij("list")
    assert result.code == 0
    assert "seed" in result.err and "add" in result.err
    assert not journal.exists()


def test_no_subcommand_opens_the_app_on_the_journal(ij, journal, monkeypatch):
    from tui.app import JournalApp

    opened = []
    monkeypatch.setattr(JournalApp, "run", lambda app: opened.append((app.journal.path, len(app.journal))))
    ij("seed")
    result = ij()
    assert result.code == 0
    assert opened == [(journal, 4)]


def test_no_subcommand_on_an_unreadable_journal_does_not_start_the_app(ij, journal, monkeypatch):
    from tui.app import JournalApp

    monkeypatch.setattr(JournalApp, "run", lambda app: pytest.fail("the app started"))
    journal.write_text("not json")
    result = ij()
    assert result.code == 1 and "not valid JSON" in result.err


# -- add, show, edit, delete ------------------------------------------------------------------


def test_add_with_every_option_then_show(ij):
    result = ij(
        "add", "--title", "  Drone hits a car [/] ", "--date", "2024-07-05", "--date-end", "2024-07-06",
        "--precision", "day", "--region", "Belgorod", "--country", "Russia", "--place", "Shebekino",
        "--lat", "50.41", "--lon", "36.89", "--geo-precision", "near", "--type", "air",
        "--weapon", "FPV drone", "--launched", "2", "--hit", "1", "--actor", "Armed Forces of Ukraine",
        "--attribution", "suspected", "--target", "car", "--target-kind", "vehicle",
        "--killed", "0", "--injured", "2-3 (two or three)", "--verification", "single-source",
        "--summary", "Line one\nLine two", "--source", "Governor (Telegram)|https://t.me/gov/1",
        "--source", "RBC|https://www.rbc.ru/x|media", "--tag", "Car", "--tag", "border",
    )
    assert result.code == 0, result.err
    new_id = result.out.strip()
    [item] = listed(ij)
    assert item["id"] == new_id
    assert item["title"] == "Drone hits a car [/]"
    assert item["event_type"] == "Air/drone strike"
    assert item["killed"] == {"min": 0, "max": 0, "note": None}
    assert item["injured"] == {"min": 2, "max": 3, "note": "two or three"}
    assert item["casualty_status"] == "injured"
    assert (item["weapons_launched"], item["weapons_hit"]) == ({"min": 2, "max": 2, "note": None},
                                                               {"min": 1, "max": 1, "note": None})
    assert item["sources"][0]["kind"] == "telegram"  # a t.me link is a Telegram source
    assert item["sources"][1]["kind"] == "media"
    assert item["tags"] == ["car", "border"]
    assert item["summary"] == "Line one\nLine two"
    assert (item["latitude"], item["longitude"]) == (50.41, 36.89)
    shown = ij("show", new_id[:6])
    assert shown.code == 0
    assert "Drone hits a car [/]" in shown.out
    assert "2-3 (two or three)" in shown.out
    assert "https://t.me/gov/1" in shown.out


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--killed", "-1"], "--killed"),
        (["--killed=-3"], "--killed"),
        (["--injured", "5-2"], "--injured"),
        (["--killed", "several"], "--killed"),
        (["--date", "2024-13-01"], "--date"),
        (["--date-end", "2024-07-01"], "--date-end"),
        (["--type", "bombing"], "--type"),
        (["--type", "s"], "--type"),
        (["--launched", "-1"], "--launched"),
        (["--launched", "three"], "--launched"),
        (["--launched", "2", "--hit", "3"], "--hit"),
        (["--lat", "50"], "--lon"),
        (["--lat", "95", "--lon", "30"], "--lat"),
        (["--source", "SHOT|ftp://example.org"], "--source #1 url"),
        (["--source", "|https://t.me/x"], "--source #1 outlet"),
        (["--source", "SHOT|https://t.me/x|rumour"], "--source #1 kind"),
        (["--tag", "not!a-tag"], "--tag"),
        (["--title", "bell\x07"], "--title"),
        (["--region", "  "], "--region"),
        (["--attribution", "maybe"], "--attribution"),
    ],
)
def test_add_refuses_bad_input_with_one_line_naming_the_option(ij, journal, extra, option):
    ij("seed")
    before = journal.read_bytes()
    result = ij(*ADD, *extra)
    assert result.code == 2
    assert len(result.err_lines) == 1, result.err
    assert option in result.err
    assert "Traceback" not in result.err
    assert journal.read_bytes() == before


def test_several_bad_fields_are_each_named(ij, journal):
    result = ij(*ADD, "--killed", "-1", "--injured", "x", "--type", "nope")
    assert result.code == 2
    assert len(result.err_lines) == 3
    for option in ("--killed", "--injured", "--type"):
        assert any(option in line for line in result.err_lines)
    assert not journal.exists()


def test_missing_required_option(ij, journal):
    result = ij("add", "--title", "x")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "--date" in result.err
    assert not journal.exists()


def test_show_unknown_and_ambiguous_ids(ij, tmp_path):
    rows = [
        {"id": f"aaaaaaaa-0000-4000-8000-00000000000{n}", "title": f"t{n}", "date": "2024-07-01",
         "country": "Russia", "region": "Kursk"} for n in (1, 2)
    ]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    assert ij("import", str(path)).code == 0
    ambiguous = ij("show", "aaaa")
    assert ambiguous.code == 2 and "matches 2 incidents" in ambiguous.err
    assert ij("show", "aaaaaaaa-0000-4000-8000-000000000002").code == 0
    missing = ij("show", "bbbb")
    assert missing.code == 2 and "no incident" in missing.err and len(missing.err_lines) == 1


def test_edit_changes_only_the_given_fields(ij):
    ij("seed")
    before = {i["id"]: i for i in listed(ij)}[IZHEVSK]
    result = ij("edit", IZHEVSK[:8], "--killed", "3")
    assert result.code == 0, result.err
    after = {i["id"]: i for i in listed(ij)}[IZHEVSK]
    assert after["killed"] == {"min": 3, "max": 3, "note": None}
    assert after["revision"] == before["revision"] + 1
    for field in set(before) - {"killed", "revision", "updated_at"}:
        assert after[field] == before[field], field


def test_edit_with_bad_value_changes_nothing(ij, journal):
    ij("seed")
    before = journal.read_bytes()
    result = ij("edit", IZHEVSK, "--injured", "4-1")
    assert result.code == 2 and "--injured" in result.err
    assert journal.read_bytes() == before


def test_delete(ij):
    ij("seed")
    result = ij("delete", IZHEVSK[:8], "--yes")
    assert result.code == 0
    assert IZHEVSK not in {i["id"] for i in listed(ij)}
    assert ij("show", IZHEVSK).code == 2


def test_delete_without_confirmation_is_refused_when_not_interactive(ij, journal, monkeypatch):
    ij("seed")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    before = journal.read_bytes()
    result = ij("delete", IZHEVSK)
    assert result.code == 2 and "--yes" in result.err
    assert journal.read_bytes() == before


# -- import and export ------------------------------------------------------------------------


def test_export_then_import_gives_identical_incidents(ij, tmp_path):
    ij("seed")
    ij(*ADD, "--title", "Удар [bold red]по[/] заводу 🚀", "--summary", 'He said "quote"\nnext line')
    out = tmp_path / "export.json"
    assert ij("export", "--format", "json", "-o", str(out)).code == 0
    other = tmp_path / "other.json"
    result = ij("import", str(out), path=other)
    assert result.code == 0 and "imported 5" in result.out
    assert json.loads(ij("list", "--format", "json", path=other).out) == listed(ij)


def test_export_honours_filters(ij, tmp_path):
    ij("seed")
    out = tmp_path / "killed.json"
    assert ij("export", "-o", str(out), "--casualties", "killed").code == 0
    assert [i["id"] for i in json.loads(out.read_text())] == [IZHEVSK]
    assert ij("export", "-o", str(out), "--from", "2024-07-02").code == 0
    assert json.loads(out.read_text()) == []


def test_import_with_one_bad_row_writes_nothing_and_names_the_row(ij, journal, tmp_path):
    ij("seed")
    before = journal.read_bytes()
    rows = [
        {"title": "good", "date": "2024-07-01", "country": "Russia", "region": "Kursk"},
        {"id": "0b0e7f39-5ae4-4f9c-a5a4-2b8f5e0e6a11", "title": "bad", "date": "2024-07-01",
         "country": "Russia", "region": "Kursk", "killed": {"min": 5, "max": 2}},
    ]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    result = ij("import", str(path))
    assert result.code == 2
    assert any(line.startswith("incident-journal: row 2 (id 0b0e7f39") and "killed" in line
               for line in result.err_lines), result.err
    assert "nothing was imported" in result.err
    assert journal.read_bytes() == before


def test_reimport_skips_existing_incidents(ij, tmp_path):
    ij("seed")
    out = tmp_path / "all.json"
    ij("export", "-o", str(out))
    result = ij("import", str(out))
    assert result.code == 0
    assert "imported 0" in result.out and "4 already in the journal" in result.out


@pytest.mark.parametrize("content", [b"{not json", b'{"title": "x"}', b"[1, 2]"])
def test_import_of_a_bad_file_is_refused(ij, journal, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = ij("import", str(path))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert not journal.exists()


def test_import_of_a_missing_file(ij, tmp_path):
    result = ij("import", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "nope.json" in result.err and len(result.err_lines) == 1


# -- check and broken journals ----------------------------------------------------------------


def test_check_passes_on_a_good_journal(ij):
    ij("seed")
    result = ij("check")
    assert result.code == 0 and "all valid" in result.out


def test_check_names_each_hand_broken_incident(ij, journal):
    ij("seed")
    data = json.loads(journal.read_text())
    records = data["incidents"]
    for record in records.values():
        if record["id"] == IZHEVSK:
            record["killed"] = {"min": -1, "max": None, "note": None}
        if record["region"] == "Crimea":
            record["title"] = ""
    journal.write_text(json.dumps(data))
    result = ij("check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert any(IZHEVSK in line and "killed" in line for line in lines)
    assert any("32047f98" in line and "title" in line for line in lines)
    # the valid ones still list; the broken ones are reported, not hidden silently
    listing = ij("list", "--format", "json")
    assert len(json.loads(listing.out)) == 2
    assert "2 invalid" in listing.err


def test_unreadable_journal_is_reported_and_left_alone(ij, journal):
    journal.write_bytes(b'{"incidents": {"1": ')
    for args in (["list"], ADD, []):
        result = ij(*args)
        assert result.code == 1
        assert len(result.err_lines) == 1
        assert str(journal) in result.err and "not valid JSON" in result.err
        assert "check" in result.err  # where to turn next
    check = ij("check")
    assert check.code == 1
    assert "not valid JSON" in check.err_lines[0]
    assert "no backup" in check.err_lines[1]
    assert journal.read_bytes() == b'{"incidents": {"1": '


def test_check_tells_how_to_restore_a_whole_backup(ij, journal):
    ij("seed")
    ij("delete", IZHEVSK, "--yes")  # a second save: the seeded journal is now the .bak
    journal.write_bytes(b"\x00garbage")
    check = ij("check")
    assert check.code == 1
    assert "journal.json.bak" in check.err_lines[1] and "4 incidents" in check.err_lines[1]
    command = check.err_lines[1].split("to go back to it: ")[1]
    subprocess.run(command, shell=True, check=True, cwd=journal.parent)
    assert len(listed(ij)) == 4
    assert (journal.parent / "journal.json.broken").read_bytes() == b"\x00garbage"


def test_journal_from_a_newer_version_is_refused(ij, journal):
    content = json.dumps({"meta": {"1": {"schema_version": 99}}, "incidents": {}}).encode()
    journal.write_bytes(content)
    result = ij(*ADD)
    assert result.code == 1 and "newer" in result.err and len(result.err_lines) == 1
    assert journal.read_bytes() == content


def test_failed_write_leaves_the_journal_as_it_was(ij, journal, monkeypatch):
    ij("seed")
    before = journal.read_bytes()

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = ij(*ADD)
    assert result.code == 1
    assert len(result.err_lines) == 1 and "No space left on device" in result.err
    assert journal.read_bytes() == before
    # no temporary file is left behind (the lock file stays; no .bak yet: the seed was the first save)
    assert sorted(p.name for p in journal.parent.iterdir()) == ["journal.json", "journal.json.lock", "journal.json.log"]
    assert journal.with_name("journal.json.log").read_bytes() == b"", "no torn line is left in the log"


# -- where the journal lives ------------------------------------------------------------------


def test_journal_from_environment_variable(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.json"
    monkeypatch.setenv("INCIDENT_JOURNAL", str(path))
    with pytest.raises(SystemExit) as exit_info:
        main(["seed"])
    assert exit_info.value.code == 0
    assert path.exists()


def test_default_journal_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("INCIDENT_JOURNAL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pytest.raises(SystemExit) as exit_info:
        main(["seed"])
    assert exit_info.value.code == 0
    path = tmp_path / "data" / "incident-journal" / "journal.json"
    assert path.exists()
    assert path.stat().st_mode & 0o777 == 0o600


# -- the installed command ----------------------------------------------------------------------


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_python_m_tui_reports_bad_input_without_a_traceback(journal):
    result = run_module("--journal", str(journal), *ADD, "--killed", "-1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "incident-journal: --killed: '-1' is negative; a count is 0 or more"
    ]
    assert not journal.exists()


def test_markup_like_text_is_printed_literally(journal):
    title = "[/] closing [bold red]tag"
    assert run_module("--journal", str(journal), *ADD[:1], "--title", title, *ADD[3:]).returncode == 0
    listing = run_module("--journal", str(journal), "list")
    assert listing.returncode == 0
    assert title in listing.stdout


def test_export_never_writes_over_the_journal(ij, journal):
    ij("seed")
    before = journal.read_bytes()
    for target in (journal, journal.with_name("journal.json.bak"), journal.with_name("journal.json.lock")):
        result = ij("export", "-o", str(target))
        assert result.code == 2 and "-o" in result.err and len(result.err_lines) == 1
    assert journal.read_bytes() == before


# -- choices by a start or a word; duplicates named by add (issue 10) ----------------------------


def test_add_takes_a_unique_start_or_word_of_each_choice(ij, journal):
    result = ij(*ADD, "--type", "art", "--precision", "m", "--attribution", "cla", "--target-kind", "ind")
    assert result.code == 0, result.err
    [stored] = listed(ij)
    assert (stored["event_type"], stored["date_precision"]) == ("Shelling/artillery/missile attack", "month")
    assert (stored["attribution"], stored["target_kind"]) == ("claimed", "industrial")


def test_an_ambiguous_choice_is_refused_naming_what_it_could_be_with_the_other_problems(ij, journal):
    result = ij(*ADD, "--attribution", "c", "--killed", "-1")
    assert result.code == 2
    assert any("--attribution" in line and "confirmed" in line and "claimed" in line for line in result.err_lines)
    assert any("--killed" in line for line in result.err_lines)
    assert not journal.exists()


def test_add_warns_of_possible_duplicates_and_saves_all_the_same(ij, journal):
    ij("seed")
    result = ij("add", "--title", "Izhevsk again", "--date", "2024-07-01", "--place", "izhevsk",
                "--region", "Udmurtia", "--country", "Russia")
    assert result.code == 0
    assert len(result.out.split()) == 1  # the id alone on stdout, for scripts
    assert any("warning: possible duplicate" in line and "same date and place" in line
               for line in result.err_lines)
    assert any(item["title"] == "Izhevsk again" for item in listed(ij))
