"""Who did it, on the command line (issue 15): ``--author``, ``INCIDENT_JOURNAL_AUTHOR``, and
``show``, ``history``, ``list --format json`` and ``list``/``export --author``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.author import ENV_AUTHOR

from .cli_runner import runner

ADD = ["add", "--title", "Shelling of a market", "--date", "2024-07-03", "--region", "Belgorod",
       "--country", "Russia", "--no-lookup"]


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal: Path, capsys: pytest.CaptureFixture[str]):
    return runner(journal, capsys)


def files(journal: Path) -> dict[str, bytes]:
    """Every file of the journal's folder and its bytes (a refused command changes none)."""
    return {path.name: path.read_bytes() for path in journal.parent.iterdir() if path.is_file()}


def listed(ij, *args: str) -> list[dict]:
    result = ij("list", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_change_records_its_author_and_show_history_and_list_say_so(ij) -> None:
    added = ij("--author", "Alice", *ADD)
    assert added.code == 0, added.err
    incident_id = added.out.strip()
    shown = ij("show", incident_id).out.splitlines()
    assert "  Recorded by Alice" in shown, "a first revision: who recorded it, once"

    assert ij("--author", "Bob", "edit", incident_id, "--killed", "2").code == 0
    shown = ij("show", incident_id).out.splitlines()
    assert shown[-2].startswith("  Revision:      2")
    assert shown[-1] == "  Recorded by Alice · last changed by Bob"
    [item] = listed(ij)
    assert (item["created_by"], item["updated_by"]) == ("Alice", "Bob")
    assert json.loads(ij("show", incident_id, "--format", "json").out)["updated_by"] == "Bob"

    assert ij("--author", "Carol", "delete", incident_id, "--yes").code == 0
    assert ij("restore", incident_id).code == 0  # the environment's name (tests: "tester")
    history = ij("history", incident_id).out.splitlines()
    headlines = [line for line in history if not line.startswith("  ")]
    assert [line.split("  ", 1)[1] for line in headlines] == [
        "revision 1 → 2 by Bob", "deleted (was revision 2) by Carol", "restored as revision 3 by tester",
    ]
    assert "  killed: ? → 2" in history
    assert ij("show", incident_id).out.splitlines()[-1] == "  Recorded by Alice · last changed by tester"


def test_the_author_comes_from_the_environment_then_git(ij, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_AUTHOR, "Dana from env")
    assert ij(*ADD).code == 0
    assert listed(ij)[0]["created_by"] == "Dana from env"

    from store.author import git_user_name

    monkeypatch.delenv(ENV_AUTHOR)
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Erin from git\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    git_user_name.cache_clear()
    try:
        assert ij(*ADD[:2], "Another", *ADD[3:]).code == 0
    finally:
        git_user_name.cache_clear()
    assert {item["title"]: item["created_by"] for item in listed(ij)} == {
        "Shelling of a market": "Dana from env", "Another": "Erin from git"}


def test_list_and_export_keep_the_incidents_of_an_author(ij) -> None:
    alice = ij("--author", "Alice Smith", *ADD).out.strip()
    bob = ij("--author", "Bob", *ADD[:2], "Bob's", *ADD[3:]).out.strip()
    changed = ij("--author", "Alice Smith", *ADD[:2], "Alice's, changed by Bob", *ADD[3:]).out.strip()
    assert ij("--author", "Bob", "edit", changed, "--summary", "checked").code == 0

    assert {item["id"] for item in listed(ij, "--author", "alice smith")} == {alice, changed}
    assert {item["id"] for item in listed(ij, "--author", "BOB")} == {bob, changed}
    assert listed(ij, "--author", "Alice") == [], "the whole name"
    assert [item["id"] for item in listed(ij, "--author", "bob", "--search", "checked")] == [changed]
    table = ij("list", "--author", "Bob")
    assert table.code == 0 and len(table.out.splitlines()) == 3  # the heading and two incidents
    exported = ij("export", "--author", "alice smith", "--format", "json")
    assert exported.code == 0, exported.err
    assert {item["id"] for item in json.loads(exported.out)} == {alice, changed}
    none = ij("list", "--author", "Nobody")
    assert none.code == 0 and none.out == "" and "no incidents match" in none.err


def test_a_blank_author_filter_is_refused(ij) -> None:
    assert ij(*ADD).code == 0
    result = ij("list", "--author", "  ")
    assert result.code == 2 and result.err_lines == [
        "incident-journal: --author: give the name of an author (see 'show ID' or 'history ID')"]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Alice\x1b[2J", "incident-journal: --author: contains a control character (U+001B) at position 6"),
        ("Alice\nBob", "incident-journal: --author: contains a control character (U+000A) at position 6"),
        ("A" * 101, "incident-journal: --author: an author's name is at most 100 characters"),
    ],
)
def test_a_bad_author_is_one_line_exit_2_and_nothing_written(ij, journal: Path, name: str, said: str) -> None:
    assert ij(*ADD).code == 0
    before = files(journal)
    for command in (ADD, ["list"], ["delete", "--yes", listed(ij)[0]["id"]]):
        result = ij("--author", name, *command)
        assert (result.code, result.err_lines, result.out) == (2, [said], "")
        assert files(journal) == before


def test_a_bad_author_in_the_environment_is_one_line_exit_2_and_nothing_written(
    ij, journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ij(*ADD).code == 0
    [item] = listed(ij)
    before = files(journal)
    monkeypatch.setenv(ENV_AUTHOR, "x\u202ey")
    said = [f"incident-journal: {ENV_AUTHOR}: contains a bidirectional control character (U+202E) at position 2"]
    for command in (ADD, ["edit", item["id"], "--killed", "3"], ["delete", "--yes", item["id"]]):
        result = ij(*command)
        assert (result.code, result.err_lines) == (2, said)
        assert files(journal) == before
    assert len(listed(ij)) == 1, "reading needs no author"
    assert ij("--author", "Alice", "edit", item["id"], "--killed", "3").code == 0, "--author comes first"


def test_an_author_a_file_holds_is_shown_literally(ij, journal: Path) -> None:
    incident_id = ij(*ADD).out.strip()
    assert ij("edit", incident_id, "--killed", "1").code == 0
    assert ij("show", incident_id).code == 0  # folds the log: the file is whole
    data = json.loads(journal.read_text())
    for entry in data["history"].values():
        entry["by"] = "evil\x1b]0;title\x07"
    journal.write_text(json.dumps(data))
    history = ij("history", incident_id)
    assert history.code == 0
    assert "by evil\\x1b]0;title\\x07" in history.out and "\x1b" not in history.out


def test_the_app_is_given_the_author(ij, journal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app

    seen = []

    class FakeApp:
        def __init__(self, journal) -> None:
            seen.append(journal.author)

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "JournalApp", FakeApp)
    assert ij("--author", "Alice").code == 0
    assert seen == ["Alice"]
