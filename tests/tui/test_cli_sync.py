"""Issue 15 on the command line: sync setup, sync, sync status, conflicts, resolve and merge, with
real ``git`` and a bare repository on a path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .cli_runner import runner

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="git is needed"
)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "stick" / "team.git"
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


@pytest.fixture
def ij(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    run = runner(tmp_path / "ann.json", capsys)

    def as_member(name: str, *args: str):
        return run("--author", name, *args, path=tmp_path / f"{name.lower()}.json")

    return as_member


def add(ij, name: str, title: str) -> str:
    result = ij(name, "add", "--title", title, "--date", "2024-07-01", "--region", "Kursk", "--country", "Russia")
    assert result.code == 0, result.err
    return result.out.strip()


def test_two_members_sync_through_a_bare_repository_and_settle_a_conflict(ij, remote: Path) -> None:
    strike = add(ij, "Ann", "Strike on a depot")
    setup = ij("Ann", "sync", "setup", str(remote))
    assert setup.code == 0, setup.err
    assert setup.out.strip() == f"set up to sync with {remote}; received 0, sent 1"
    assert ij("Bob", "sync", "setup", str(remote)).out.strip().endswith("received 1, sent 0")
    assert ij("Ann", "edit", strike, "--killed", "2").code == 0
    assert ij("Bob", "edit", strike, "--killed", "5").code == 0
    assert ij("Bob", "sync", "status").out.splitlines()[-1].startswith("to send 1, to receive 0")
    assert ij("Ann", "sync").out.strip() == "received 0, sent 1"
    bob = ij("Bob", "sync")
    # Bob's change goes; Ann's arrives, in conflict with his: his value kept meanwhile, both held.
    assert bob.out.strip() == "received 1, sent 1, 1 conflict found, 1 conflict to resolve"
    assert ij("Ann", "sync").out.strip() == "received 1, sent 0, 1 conflict to resolve"
    listed = ij("Ann", "conflicts")
    assert listed.code == 0
    assert listed.out.splitlines()[0] == f"incident {strike[:8]}  killed"
    mine, theirs = listed.out.splitlines()[1:3]
    assert mine.split()[:2] == ["mine", "2"] and "Ann" in mine
    assert theirs.split()[:2] == ["theirs", "5"] and "Bob" in theirs
    resolved = ij("Ann", "resolve", strike[:8], "killed", "--take", "theirs")
    assert resolved.code == 0, resolved.err
    assert ij("Ann", "sync").out.strip() == "received 0, sent 1"
    assert ij("Bob", "sync").out.strip() == "received 1, sent 0"
    for name in ("Ann", "Bob"):
        shown = json.loads(ij(name, "show", strike, "--format", "json").out)
        assert shown["killed"]["min"] == 5
        assert ij(name, "conflicts").err.strip() == "no conflicts"


def test_resolving_what_is_not_in_conflict_is_refused_in_one_line(ij) -> None:
    strike = add(ij, "Ann", "Strike")
    result = ij("Ann", "resolve", strike, "killed", "--take", "mine")
    assert result.code == 2
    assert result.err_lines == [
        f"incident-journal: FIELD: no conflict over 'killed' waits on incident {strike[:8]} (conflicts: none)"
    ]


def test_a_journal_not_set_up_says_how_and_an_unreachable_remote_changes_nothing(ij, tmp_path: Path) -> None:
    add(ij, "Ann", "Strike")
    result = ij("Ann", "sync")
    assert result.code == 1
    assert result.err_lines == [
        f"incident-journal: sync: {tmp_path / 'ann.json'} is not set up for syncing: incident-journal sync setup REMOTE"
    ]
    before = (tmp_path / "ann.json").read_bytes()
    gone = ij("Ann", "sync", "setup", str(tmp_path / "no-such.git"))
    assert gone.code == 1 and len(gone.err_lines) == 1 and "cannot be reached" in gone.err
    assert (tmp_path / "ann.json").read_bytes() == before


def test_merge_takes_a_teammates_file_by_the_same_rules(ij, tmp_path: Path) -> None:
    strike = add(ij, "Ann", "Strike on a depot")
    # Bob starts from a copy of Ann's journal (sent on a stick), and both edit.
    assert ij("Ann", "backup", str(tmp_path / "bob.json")).code == 0
    assert ij("Ann", "edit", strike, "--injured", "3").code == 0
    assert ij("Bob", "edit", strike, "--killed", "1+").code == 0
    add(ij, "Bob", "Bob's own")
    assert ij("Bob", "backup", str(tmp_path / "from-bob.json")).code == 0
    merged = ij("Ann", "merge", str(tmp_path / "from-bob.json"))
    assert merged.code == 0, merged.err
    assert merged.out.strip() == "received 2, 0 new conflicts, 0 conflicts to resolve"
    shown = json.loads(ij("Ann", "show", strike, "--format", "json").out)
    assert (shown["killed"]["min"], shown["injured"]["min"]) == (1, 3)
    titles = sorted(item["title"] for item in json.loads(ij("Ann", "list", "--format", "json").out))
    assert titles == ["Bob's own", "Strike on a depot"]
    bad = ij("Ann", "merge", str(tmp_path / "nothing.json"))
    assert bad.code == 2 and len(bad.err_lines) == 1 and "OTHER.json" in bad.err
