"""Issue 13 on the command line: groups of claims, the civilian-harm filter, what each source
claimed and ``edit --from-sources``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import Journal

from .cli_runner import runner

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
BELGOROD = "9ccb6b32-da98-47df-8bc1-fcd75b62a9da"
CRIMEA = "32047f98-ec01-4a69-a671-58ddae647c0d"
ROSTOV = "6452587f-76cc-4f94-bd58-d2ac3372af27"
MINISTRY = "5b0c8f7e-2d5a-4f53-9a52-0f1d6e3c7a61"


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal: Path, capsys: pytest.CaptureFixture[str]):
    run = runner(journal, capsys)
    assert run("seed").code == 0
    return run


def ids(ij, *args: str) -> list[str]:
    result = ij("list", "--format", "json", *args)
    assert result.code == 0, result.err
    return [item["id"] for item in json.loads(result.out)]


def test_the_seeded_ministry_claim_is_a_group_with_its_total_and_both_incidents(ij):
    shown = ij("group", "show", MINISTRY[:6])
    assert shown.code == 0, shown.err
    assert "Russian defence ministry: over 60 drones shot down, night of 1 July" in shown.out
    assert "Totals:        intercepted 61+ (over 60)" in shown.out
    assert "[official] Russian Ministry of Defence" in shown.out
    assert "Incidents (2)" in shown.out and CRIMEA[:8] in shown.out and ROSTOV[:8] in shown.out
    assert sorted(ids(ij, "--group", MINISTRY[:4])) == sorted([CRIMEA, ROSTOV])
    detail = ij("show", CRIMEA[:6]).out
    assert "Group:         Russian defence ministry" in detail and "Rostov" in detail


def test_groups_are_created_filled_emptied_and_deleted_with_the_incidents_kept(ij, journal):
    created = ij("group", "create", "--title", "Wave of strikes on Belgorod, 5 July", "--date", "2024-07-05",
                 "--launched", "12", "--intercepted", "10", "--source", "Governor (Telegram)||official")
    assert created.code == 0, created.err
    group_id = created.out.strip()
    assert ij("group", "add", group_id[:6], BELGOROD, IZHEVSK[:5]).code == 0
    assert sorted(ids(ij, "--group", group_id)) == sorted([BELGOROD, IZHEVSK])
    assert "Wave of strikes on Belgorod" in ij("group", "list").out
    # an incident is in one group at most: adding it to another moves it
    assert ij("group", "add", MINISTRY, IZHEVSK).code == 0
    assert ids(ij, "--group", group_id) == [BELGOROD]
    assert ij("group", "remove", BELGOROD).code == 0
    assert ids(ij, "--group", group_id) == []
    assert ij("group", "add", group_id, BELGOROD).code == 0
    deleted = ij("group", "delete", group_id[:8])
    assert deleted.code == 0 and "deleted group" in deleted.out
    assert BELGOROD in ids(ij) and ids(ij, "--group", MINISTRY[:8]) == sorted([CRIMEA, ROSTOV, IZHEVSK],
                                                                             key=ids(ij).index)
    with Journal(journal) as opened:  # every change of membership is a revision in the history
        assert [step.action for step in opened.history(BELGOROD)][-3:] == ["update", "update", "update"]
        assert opened.get(BELGOROD).group is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["group", "create", "--title", "x", "--launched", "3", "--intercepted", "4"], "--intercepted"),
        (["group", "create", "--date", "2024-07-01"], "--title"),
        (["group", "show", "ffff"], "no group with id"),
        (["group", "add", "ffff", IZHEVSK], "no group with id"),
        (["list", "--group", "ffff"], "--group"),
    ],
)
def test_bad_group_input_is_one_line_and_changes_nothing(ij, journal, args, says):
    before = ij("list", "--format", "json").out
    result = ij(*args)
    assert result.code != 0 and says in result.err and "Traceback" not in result.err
    assert ij("list", "--format", "json").out == before


def test_the_civilian_harm_filter(ij):
    assert ids(ij, "--civilians") == []
    assert ij("edit", BELGOROD, "--injured-civilians", "2").code == 0
    assert ids(ij, "--civilians") == [BELGOROD]
    assert ij("edit", IZHEVSK, "--killed-combatants", "1").code == 0  # combatants are not civilians
    assert ids(ij, "--civilians") == [BELGOROD]
    refused = ij("edit", BELGOROD, "--injured-children", "3")
    assert refused.code == 2 and "--injured-children: 3 is more than injured civilians (2)" in refused.err


def test_sources_say_what_they_claimed_and_from_sources_takes_their_range(ij):
    result = ij("edit", IZHEVSK, "--source", "Governor (Telegram)|https://t.me/gov/1|official|1",
                "--source", "SHOT (Telegram)||telegram|3|2-4|Armed Forces of Ukraine", "--from-sources")
    assert result.code == 0, result.err
    shown = ij("show", IZHEVSK).out
    assert "Killed:        1-3  · sources: 1, 3" in shown
    assert "claims: killed 3 · injured 2-4 · blames Armed Forces of Ukraine" in shown
    nothing = ij("edit", BELGOROD, "--from-sources")
    assert nothing.code == 2 and "--from-sources: no source" in nothing.err


def test_from_sources_and_an_explicit_killed_are_not_given_together(ij):
    result = ij("edit", IZHEVSK, "--killed", "7", "--from-sources")
    assert result.code == 2 and "--from-sources" in result.err and "--killed" in result.err


def edit_groups_by_hand(journal: Path, change) -> None:
    """Close nothing (each command closes the journal, folding its log), then edit the file."""
    data = json.loads(journal.read_bytes())
    change(data)
    journal.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_check_names_what_is_wrong_with_the_groups(ij, journal):
    assert "incidents and 1 group in" in ij("check").out and ij("check").out.strip().endswith("all valid")
    missing = "aaaaaaaa-0000-4000-8000-00000000000a"

    def break_groups(data):
        groups = data["groups"]
        (key, ministry), = groups.items()
        ministry["title"] = ""  # a group needs a title
        groups[str(int(key) + 1)] = {**ministry, "title": "A copy"}  # a second record of one id
        for record in data["incidents"].values():
            if record["id"] == IZHEVSK:
                record["group"] = missing

    edit_groups_by_hand(journal, break_groups)
    result = ij("check")
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.startswith(f"group {MINISTRY} (record 1): title") for line in lines), lines
    assert f"group {MINISTRY} (record 2): its id is held by record 1 too; only that one is used" in lines
    assert f"1 incident ({IZHEVSK[:8]}) name group {missing}, which is not in this journal" in lines
    assert any("which is invalid (above)" in line and CRIMEA[:8] in line for line in lines), lines
    assert "4 problems with the groups of claims" in result.err

    listed = ij("group", "list")
    assert listed.out == "" and "2 group records not listed" in listed.err and "check" in listed.err
    shown = ij("group", "show", MINISTRY[:8])
    assert shown.code == 1
    assert shown.err.startswith(f"incident-journal: group {MINISTRY} is invalid: title"), shown.err
    detail = ij("show", CRIMEA)
    assert "(not in this journal, or invalid: 'check' says)" in detail.out
