"""Who did it (issue 15): every change records its author, found as ``--author``, else
``INCIDENT_JOURNAL_AUTHOR``, else git's ``user.name``, else the login name."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import store.author
from store import Journal
from store.author import ENV_AUTHOR, UNKNOWN, BadAuthor, git_user_name, resolve_author
from store.filters import IncidentFilter
from store.journal import RecordText
from store.migrations import SCHEMA_VERSION
from store.models import GroupFields, Incident

from .conftest import BASE_FIELDS, stored_bytes, stored_tables

# -- finding the name ----------------------------------------------------------------------------


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No name in the environment, git asked afresh, reading only a global config file of the
    test's own (none yet) and no system one, from a folder that is no repository."""
    monkeypatch.delenv(ENV_AUTHOR, raising=False)
    git_user_name.cache_clear()
    config = tmp_path / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG", raising=False)
    monkeypatch.delenv("GIT_DIR", raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(store.author.getpass, "getuser", lambda: "login-name")
    yield config
    git_user_name.cache_clear()


def fake_git(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``git`` on PATH that runs ``script`` (sh) instead of git."""
    folder.mkdir(exist_ok=True)
    git = folder / "git"
    git.write_text(f"#!/bin/sh\n{script}\n")
    git.chmod(git.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", os.pathsep.join([str(folder), "/usr/bin", "/bin"]))
    return git


def test_the_name_given_comes_first_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_AUTHOR, "Bob")
    assert resolve_author("  Alice Smith ") == "Alice Smith"
    assert resolve_author(None) == "Bob"
    assert resolve_author("   ") == "Bob", "a blank name given is no name"
    monkeypatch.setenv(ENV_AUTHOR, " Bob B. ")
    assert resolve_author() == "Bob B."


def test_then_git_user_name_read_from_the_git_config(no_env: Path) -> None:
    no_env.write_text("[user]\n\tname = Олена Коваль\n", encoding="utf-8")
    assert resolve_author() == "Олена Коваль"
    no_env.write_text("[user]\n\tname = Someone Else\n")
    assert resolve_author() == "Олена Коваль", "git is asked once per process"
    git_user_name.cache_clear()
    assert resolve_author() == "Someone Else"


def test_the_environment_comes_before_git(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_env.write_text("[user]\n\tname = From Git\n")
    monkeypatch.setenv(ENV_AUTHOR, "From Env")
    assert resolve_author() == "From Env"
    monkeypatch.setenv(ENV_AUTHOR, "")
    assert resolve_author() == "From Git", "an empty variable is no name"


def test_then_the_login_name_when_git_has_none(no_env: Path) -> None:
    assert not no_env.exists()
    assert resolve_author() == "login-name"


@pytest.mark.parametrize(
    "script",
    [
        "exit 1",  # no user.name
        "printf 'bad\\033[2Jname\\n'",  # a name no record may hold: passed over
        "printf '\\377\\376\\n'",  # not UTF-8
        "sleep 5; echo Late",  # too slow
        "kill -9 $$",  # killed
    ],
)
def test_git_failing_in_any_way_is_passed_over(
    no_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    fake_git(tmp_path / "bin", script, monkeypatch)
    monkeypatch.setattr(store.author, "GIT_TIMEOUT", 0.3)
    assert resolve_author() == "login-name"


def test_no_git_at_all_and_no_login_name_is_unknown(
    no_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    def no_login() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(store.author.getpass, "getuser", no_login)
    assert resolve_author() == UNKNOWN


def test_git_is_run_once_per_process(no_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls"
    fake_git(tmp_path / "bin", f"echo called >> {calls}; echo 'Git Name'", monkeypatch)
    assert [resolve_author() for _ in range(3)] == ["Git Name"] * 3
    assert calls.read_text().count("called") == 1


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Alice\nBob", "control character (U+000A)"),
        ("\x1b]52;c;aGk=\x07", "control character (U+001B)"),
        ("Ali\u202ece", "bidirectional control character (U+202E)"),
        ("a" * 101, "at most 100 characters"),
    ],
)
def test_a_bad_name_given_or_in_the_environment_is_refused_naming_where_it_came_from(
    monkeypatch: pytest.MonkeyPatch, name: str, why: str
) -> None:
    with pytest.raises(BadAuthor) as given:
        resolve_author(name)
    assert str(given.value).startswith("--author: ") and why in str(given.value)
    assert "\n" not in str(given.value)
    monkeypatch.setenv(ENV_AUTHOR, name)
    with pytest.raises(BadAuthor) as from_env:
        resolve_author()
    assert str(from_env.value).startswith(f"{ENV_AUTHOR}: ") and why in str(from_env.value)
    assert resolve_author("Alice") == "Alice", "a good name given is used; the environment is not read"


def test_a_name_of_100_characters_is_taken() -> None:
    assert resolve_author("é" * 100) == "é" * 100


# -- what the journal records ---------------------------------------------------------------------


def _record(path: Path, incident_id: str) -> dict[str, Any]:
    [record] = [r for r in stored_tables(path)["incidents"].values() if r["id"] == incident_id]
    return record


def _history(path: Path, incident_id: str) -> list[dict[str, Any]]:
    return [entry for entry in stored_tables(path)["history"].values() if entry["incident_id"] == incident_id]


def test_add_update_delete_and_restore_record_who_did_each(journal_path: Path, make_fields, clock) -> None:
    with Journal(journal_path, author="Alice") as alice:
        added = alice.add(make_fields())
        assert alice.author == "Alice"
    assert (added.created_by, added.updated_by) == ("Alice", "Alice")
    assert _record(journal_path, added.id)["created_by"] == "Alice"

    with Journal(journal_path, author="Bob") as bob:
        changed = bob.update(bob.get(added.id).with_changes(killed="2"))
        assert (changed.created_by, changed.updated_by) == ("Alice", "Bob")
        stored = _record(journal_path, added.id)
        assert (stored["created_by"], stored["updated_by"], stored["revision"]) == ("Alice", "Bob", 2)
        bob.delete(added.id)
    with Journal(journal_path, author="Carol") as carol:
        restored = carol.restore(added.id)
        assert restored is not None
        assert (restored.created_by, restored.updated_by, restored.revision) == ("Alice", "Carol", 3)
        steps = carol.history(added.id)

    assert [(entry["action"], entry.get("by")) for entry in _history(journal_path, added.id)] == [
        ("update", "Bob"), ("delete", "Bob"), ("restore", "Carol")
    ]
    assert [(step.action, step.by) for step in steps] == [("update", "Bob"), ("delete", "Bob"), ("restore", "Carol")]
    assert steps[0].headline().endswith("revision 1 → 2 by Bob")
    assert steps[1].headline().endswith("deleted (was revision 2) by Bob")
    assert steps[2].headline().endswith("restored as revision 3 by Carol")
    assert [change.field for change in steps[0].changes] == ["killed"], "who changed it is no field change"


def test_an_update_keeps_who_recorded_it_whatever_the_version_saved_says(journal_path: Path, make_fields) -> None:
    with Journal(journal_path, author="Alice") as journal:
        added = journal.add(make_fields())
    with Journal(journal_path, author="Bob") as journal:
        forged = journal.get(added.id).model_copy(update={"created_by": "Mallory", "updated_by": "Mallory",
                                                          "summary": "changed"})
        saved = journal.update(forged)
    assert (saved.created_by, saved.updated_by) == ("Alice", "Bob")
    assert (_record(journal_path, added.id)["created_by"], _record(journal_path, added.id)["updated_by"]) == (
        "Alice", "Bob")


def test_the_author_comes_from_the_environment_when_not_given(journal_path: Path, make_fields,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_AUTHOR, "Dana")
    with Journal(journal_path) as journal:
        assert journal.add(make_fields()).created_by == "Dana"


def test_a_bad_author_given_is_refused_before_the_journal_is_opened(journal_path: Path) -> None:
    with pytest.raises(BadAuthor, match="^--author: contains a control character"):
        Journal(journal_path, author="x\x1by")
    assert not journal_path.exists()
    assert not list(journal_path.parent.iterdir()), "no log or lock was created"


def test_a_bad_author_in_the_environment_writes_nothing(journal_path: Path, make_fields,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with Journal(journal_path) as journal:
        first = journal.add(make_fields())
    before = stored_bytes(journal_path)
    monkeypatch.setenv(ENV_AUTHOR, "two\nlines")
    journal = Journal(journal_path)  # reading needs no author
    try:
        assert journal.get(first.id) == first
        for change in (lambda: journal.add(make_fields()), lambda: journal.delete(first.id),
                       lambda: journal.update(first.with_changes(summary="x")),
                       lambda: journal.import_incidents([]), lambda: journal.create_group(GroupFields(title="g"))):
            with pytest.raises(BadAuthor, match=f"^{ENV_AUTHOR}: contains a control character"):
                change()
        assert stored_bytes(journal_path) == before
    finally:
        journal.close()
    assert stored_bytes(journal_path) == before


def test_import_keeps_the_authors_a_record_names_and_gives_the_others_the_importer(
    journal_path: Path, make_incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = make_incident(title="theirs", created_by="Alice", updated_by="Bob")
    half = make_incident(title="half", created_by="Alice")
    anonymous = make_incident(title="anonymous")
    as_text = [make_incident(title=f"text {n}", **extra) for n, extra in
               enumerate([{}, {"created_by": "Eve"}, {"created_by": "Eve", "updated_by": "Fay"}])]
    with Journal(journal_path, author="Importer") as journal:
        journal.import_incidents([theirs, half, anonymous])
        journal.import_incidents([RecordText.of(incident) for incident in as_text])
        monkeypatch.setattr(Journal, "STREAM_FROM", 1)  # the texts written as they are, never parsed here
        streamed = [make_incident(title="streamed"), make_incident(title='has "created_by": in it',
                                                                   summary='a "created_by":"X" text')]
        journal.import_incidents([RecordText.of(incident) for incident in streamed])
        got = {incident.title: (incident.created_by, incident.updated_by) for incident in journal.all()}
    assert got == {
        "theirs": ("Alice", "Bob"), "half": ("Alice", "Importer"), "anonymous": ("Importer", "Importer"),
        "text 0": ("Importer", "Importer"), "text 1": ("Eve", "Importer"), "text 2": ("Eve", "Fay"),
        "streamed": ("Importer", "Importer"), 'has "created_by": in it': ("Importer", "Importer"),
    }
    with Journal(journal_path) as journal:
        assert not journal.bad_records()


def test_an_import_update_records_the_importer_as_who_changed_it(journal_path: Path, make_fields) -> None:
    with Journal(journal_path, author="Alice") as journal:
        added = journal.add(make_fields())
    with Journal(journal_path, author="Bob") as journal:
        result = journal.import_incidents([], updates=[added.with_changes(summary="more")])
        assert result.updated == (added.id,)
        saved = journal.get(added.id)
    assert (saved.created_by, saved.updated_by) == ("Alice", "Bob")
    assert _history(journal_path, added.id)[-1]["by"] == "Bob"


def test_groups_record_who_created_and_changed_them(journal_path: Path, make_fields) -> None:
    with Journal(journal_path, author="Alice") as journal:
        group = journal.create_group(GroupFields(title="Night of 1 July"))
        incident = journal.add(make_fields())
    assert (group.created_by, group.updated_by) == ("Alice", "Alice")
    with Journal(journal_path, author="Bob") as journal:
        changed = journal.update_group(journal.group(group.id).model_copy(update={"summary": "more"}))
        [member] = journal.set_group([incident.id], group.id)
        assert journal.import_groups([group.model_copy(update={"id": "0c5a4a4e-7c36-4c35-9ad2-2c7a5e4a2a11",
                                                               "created_by": None, "updated_by": None})]) == 1
        imported = journal.group("0c5a4a4e")
    assert (changed.created_by, changed.updated_by) == ("Alice", "Bob")
    assert (member.created_by, member.updated_by) == ("Alice", "Bob")
    assert (imported.created_by, imported.updated_by) == ("Bob", "Bob")
    stored = {record["id"]: record for record in stored_tables(journal_path)["groups"].values()}
    assert (stored[group.id]["created_by"], stored[group.id]["updated_by"]) == ("Alice", "Bob")


# -- older journals ------------------------------------------------------------------------------

SCHEMA_3_RECORD: dict[str, Any] = {
    **BASE_FIELDS, "id": "5b0f6a0c-1a47-4c8e-9a7c-2a9e6f9f3d11", "revision": 2,
    "created_at": "2024-07-02T09:30:00+00:00", "updated_at": "2024-07-02T09:31:00+00:00",
    "summary": "", "tags": [], "date_end": None, "date_precision": "day", "place": None, "latitude": None,
    "longitude": None, "geo_precision": None, "event_type": None, "weapon": None, "actor": None,
    "attribution": "unknown", "target": None, "target_kind": None,
    "killed": {"min": None, "max": None, "note": None}, "injured": {"min": None, "max": None, "note": None},
    "verification": "unverified", "sources": [], "acled_id": None,
}


def test_a_schema_3_journal_opens_valid_without_authors_and_is_written_as_schema_4(journal_path: Path) -> None:
    old_version = {**SCHEMA_3_RECORD, "revision": 1, "summary": "first"}
    tables = {
        "incidents": {"1": SCHEMA_3_RECORD},
        "history": {"1": {"incident_id": SCHEMA_3_RECORD["id"], "revision": 1, "at": "2024-07-02T09:31:00+00:00",
                          "action": "update", "record": old_version}},
        "meta": {"1": {"schema_version": 3, "folded_seq": 0}},
    }
    journal_path.write_text(json.dumps(tables))
    before = journal_path.read_bytes()
    with Journal(journal_path, author="Alice") as journal:
        assert journal.migrated_from == 3
        incident = journal.get(SCHEMA_3_RECORD["id"])
        assert (incident.created_by, incident.updated_by) == (None, None)
        assert journal.records([incident.id]) == [SCHEMA_3_RECORD]
        assert "created_by" not in incident.record() and "updated_by" not in incident.record(), (
            "nothing is added to a record while unknown")
        assert not journal.bad_records()
        [step] = journal.history(incident.id)
        assert step.by is None and not step.headline().endswith("by None") and " by " not in step.headline()
        assert len(journal.query(IncidentFilter(author="Alice"))) == 0
    assert journal_path.read_bytes() == before, "opening writes nothing"

    with Journal(journal_path, author="Alice") as journal:
        saved = journal.update(journal.get(SCHEMA_3_RECORD["id"]).with_changes(summary="second"))
    assert (saved.created_by, saved.updated_by) == (None, "Alice")
    stored = stored_tables(journal_path)
    assert stored["meta"]["1"]["schema_version"] == SCHEMA_VERSION == 4
    record = _record(journal_path, saved.id)
    assert "created_by" not in record and record["updated_by"] == "Alice"
    assert [entry.get("by") for entry in _history(journal_path, saved.id)] == [None, "Alice"]


def test_a_schema_3_log_line_is_read_as_it_was(journal_path: Path) -> None:
    from store.changelog import encode_entry, log_path

    journal_path.write_text(json.dumps({"incidents": {}, "history": {}, "meta": {"1": {"schema_version": 3}}}))
    log_path(journal_path).write_bytes(encode_entry(
        {"seq": 1, "at": "2024-07-03T00:00:00+00:00", "schema": 3, "ops": [["incidents", "1", SCHEMA_3_RECORD]]}))
    with Journal(journal_path) as journal:
        assert journal.get(SCHEMA_3_RECORD["id"]).created_by is None


def test_a_record_holding_a_bad_author_is_invalid_and_named(journal_path: Path, make_incident) -> None:
    record = {**make_incident().record(), "created_by": "evil\x1b[2J"}
    journal_path.write_text(json.dumps({"incidents": {"1": record}, "meta": {"1": {"schema_version": 4}}}))
    with Journal(journal_path) as journal:
        [bad] = journal.bad_records()
    assert "created_by" in str(bad) and "control character" in str(bad)


# -- the filter ----------------------------------------------------------------------------------


def test_the_author_filter_keeps_incidents_recorded_or_last_changed_by_the_name(
    journal_path: Path, make_fields
) -> None:
    with Journal(journal_path, author="Alice Smith") as journal:
        by_alice = journal.add(make_fields(title="Alice's"))
        changed_by_bob = journal.add(make_fields(title="Alice's, then Bob's"))
    with Journal(journal_path, author="Bob") as journal:
        journal.update(journal.get(changed_by_bob.id).with_changes(summary="checked"))
        by_bob = journal.add(make_fields(title="Bob's"))

        def titles(author: str) -> set[str]:
            return {incident.title for incident in journal.query(IncidentFilter(author=author))}

        assert titles("alice smith") == {by_alice.title, changed_by_bob.title}
        assert titles(" ALICE SMITH ") == {by_alice.title, changed_by_bob.title}
        assert titles("bob") == {changed_by_bob.title, by_bob.title}
        assert titles("Alice") == set(), "the whole name, not a part of it"
        assert titles("Carol") == set()
        assert not IncidentFilter(author="Bob").is_empty
        both = IncidentFilter(author="bob", text="checked")
        assert [incident.title for incident in journal.query(both)] == [changed_by_bob.title]


def test_json_output_of_an_incident_carries_its_authors(make_incident) -> None:
    from store.exchange import incidents_to_json

    incident = make_incident(created_by="Alice", updated_by="Bob")
    [shown] = json.loads(incidents_to_json([incident]))
    assert (shown["created_by"], shown["updated_by"]) == ("Alice", "Bob")
    assert Incident.model_validate(shown) == incident, "read back as it was written"


def test_the_environment_is_left_as_the_fixtures_set_it() -> None:
    assert os.environ.get(ENV_AUTHOR) == "tester"
