"""Team journals through git (issue 15): clones of one remote (a bare repository on a path, the
USB-stick case), offline edits on every side, syncs in different orders, real ``git`` processes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import IncidentFields, Journal
from store.merge import DELETED
from store.sync import Syncer, SyncError, sync_folder

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="git is needed"
)


def fields(title: str, **values: Any) -> IncidentFields:
    return IncidentFields.model_validate(
        {"title": title, "date": "2024-07-01", "country": "Russia", "region": "Udmurtia", **values}
    )


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "stick" / "team.git"
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


class Member:
    """One teammate: a journal of their own, synced with the remote."""

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir()
        self.path = folder / "journal.json"
        self.name = name

    def journal(self) -> Journal:
        return Journal(self.path, author=self.name)

    def sync(self) -> str:
        with self.journal() as journal:
            return Syncer(journal, journal.author).sync().line()

    def setup(self, remote: Path) -> str:
        with self.journal() as journal:
            syncer = Syncer(journal, journal.author)
            syncer.setup(str(remote))
            return syncer.sync().line()

    def shared(self) -> tuple[dict[str, Any], dict[str, Any]]:
        with self.journal() as journal:
            snapshot = journal.shared_snapshot()
            return dict(snapshot.incidents), dict(snapshot.conflicts)


@pytest.fixture
def team(tmp_path: Path, remote: Path) -> Iterator[tuple[Member, Member, Member]]:
    ann, bob, cat = Member(tmp_path / "ann", "Ann"), Member(tmp_path / "bob", "Bob"), Member(tmp_path / "cat", "Cat")
    with ann.journal() as journal:
        for title in ("Strike on a factory", "Strike on a car", "Interception", "Shelling", "Fire"):
            journal.add(fields(title))
    assert ann.setup(remote).startswith("received 0, sent 5")
    assert bob.setup(remote) == "received 5, sent 0"
    assert cat.setup(remote) == "received 5, sent 0"
    yield ann, bob, cat


def by_title(member: Member) -> dict[str, Any]:
    with member.journal() as journal:
        return {incident.title: incident for incident in journal.all()}


def edit(member: Member, title: str, **changes: Any) -> None:
    with member.journal() as journal:
        incident = next(incident for incident in journal.all() if incident.title == title)
        journal.update(incident.with_changes(**changes))


def delete(member: Member, title: str) -> None:
    with member.journal() as journal:
        incident = next(incident for incident in journal.all() if incident.title == title)
        journal.delete(incident.id)


def offline_edits(ann: Member, bob: Member, cat: Member) -> None:
    edit(ann, "Strike on a factory", killed="1+")  # the same incident, different fields
    edit(bob, "Strike on a factory", injured="3")
    edit(ann, "Strike on a car", killed="2")  # the same field, different values
    edit(bob, "Strike on a car", killed="5")
    edit(ann, "Interception", summary="Ann's note")  # edit against delete
    delete(cat, "Interception")
    edit(ann, "Shelling", sources=[{"outlet": "SHOT", "kind": "telegram"}])  # sources added on both
    edit(bob, "Shelling", sources=[{"outlet": "TASS", "kind": "media"}])
    edit(cat, "Fire", tags=["night"])  # disjoint
    with ann.journal() as journal:  # a new incident on each side
        journal.add(fields("Ann's new one"))
    with bob.journal() as journal:
        journal.add(fields("Bob's new one"))


@pytest.mark.parametrize("order", ["abc", "cba", "bac"])
def test_every_journal_ends_identical_with_nothing_lost_and_every_conflict_marked(team, order: str) -> None:
    ann, bob, cat = team
    members = {"a": ann, "b": bob, "c": cat}
    offline_edits(ann, bob, cat)
    for key in order:
        members[key].sync()
    for key in order:  # a second round: everyone takes what the last ones merged
        members[key].sync()
    shared = [member.shared() for member in (ann, bob, cat)]
    assert shared[0] == shared[1] == shared[2]
    incidents = by_title(ann)
    assert sorted(incidents) == [
        "Ann's new one", "Bob's new one", "Fire", "Interception", "Shelling", "Strike on a car", "Strike on a factory",
    ]  # fmt: skip
    factory = incidents["Strike on a factory"]
    assert (str(factory.killed), str(factory.injured)) == ("1+", "3")
    assert [source.outlet for source in incidents["Shelling"].sources] in (["SHOT", "TASS"], ["TASS", "SHOT"])
    assert incidents["Fire"].tags == ["night"]
    assert incidents["Interception"].summary == "Ann's note"  # the edit stays, marked
    with ann.journal() as journal:
        conflicts = {(conflict.record_id, conflict.field): conflict for conflict in journal.conflicts()}
    car, interception = incidents["Strike on a car"], incidents["Interception"]
    assert set(conflicts) == {(car.id, "killed"), (interception.id, DELETED)}
    killed = conflicts[(car.id, "killed")]
    assert {killed.ours["min"], killed.theirs["min"]} == {2, 5}
    assert {conflicts[(car.id, "killed")].ours_by, conflicts[(car.id, "killed")].theirs_by} == {"Ann", "Bob"}


def test_a_conflict_resolved_on_one_side_is_resolved_everywhere(team) -> None:
    ann, bob, cat = team
    edit(ann, "Strike on a car", killed="2")
    edit(bob, "Strike on a car", killed="5")
    ann.sync(), bob.sync(), ann.sync()
    with ann.journal() as journal:
        (conflict,) = journal.conflicts()
        mine, theirs = journal.sides_of(conflict)
        assert (mine[0]["min"], mine[1], theirs[0]["min"], theirs[1]) == (2, "Ann", 5, "Bob")  # Ann's is hers
        journal.resolve_conflict(conflict.record_id[:8], "killed", "theirs")
    ann.sync(), bob.sync(), cat.sync()
    for member in (ann, bob, cat):
        assert str(by_title(member)["Strike on a car"].killed) == "5"
        assert member.shared()[1] == {}


def test_history_is_the_union_of_everyones(team) -> None:
    ann, bob, _ = team
    edit(ann, "Fire", summary="first")
    ann.sync(), bob.sync()
    edit(bob, "Fire", summary="second")
    bob.sync(), ann.sync()
    incident = by_title(ann)["Fire"]
    with ann.journal() as journal:
        steps = journal.history(incident.id)
    assert [(step.by, step.changes[0].new) for step in steps if step.changes] == [("Ann", "first"), ("Bob", "second")]


def test_a_sync_with_the_remote_gone_changes_nothing_and_the_next_completes(team, remote: Path, tmp_path: Path) -> None:
    ann, bob, _ = team
    edit(ann, "Fire", summary="offline")
    edit(bob, "Shelling", summary="Bob's")
    bob.sync()
    before = ann.path.read_bytes()
    moved = tmp_path / "elsewhere.git"
    remote.rename(moved)
    with pytest.raises(SyncError, match="cannot be reached"):
        ann.sync()
    assert ann.path.read_bytes() == before or by_title(ann)["Fire"].summary == "offline"
    moved.rename(remote)
    assert ann.sync().startswith("received 1, sent 1")
    assert by_title(ann)["Shelling"].summary == "Bob's"


def test_someone_pushing_meanwhile_is_merged_and_the_push_retried(team, monkeypatch: pytest.MonkeyPatch) -> None:
    ann, bob, _ = team
    edit(ann, "Fire", summary="Ann's")
    edit(bob, "Shelling", summary="Bob's")
    pushes = []
    real_run = Syncer.__init__

    def pushing_first(self: Syncer, journal: Any, author: str) -> None:
        real_run(self, journal, author)
        run = self.git.run

        def run_once(*args: str, **kwargs: Any) -> Any:
            if args and args[0] == "push" and not pushes:
                pushes.append(True)
                bob.sync()  # Bob pushes between Ann's fetch and her push
            return run(*args, **kwargs)

        self.git.run = run_once  # type: ignore[method-assign]

    monkeypatch.setattr(Syncer, "__init__", pushing_first)
    ann.sync()
    monkeypatch.undo()
    bob.sync()
    assert by_title(ann)["Shelling"].summary == "Bob's" and by_title(bob)["Fire"].summary == "Ann's"
    assert ann.shared() == bob.shared()


def test_a_journal_not_set_up_says_how(tmp_path: Path) -> None:
    member = Member(tmp_path / "solo", "Solo")
    with member.journal() as journal, pytest.raises(SyncError, match="sync setup REMOTE"):
        Syncer(journal, journal.author).sync()
    assert not sync_folder(member.path).exists()


def test_a_disk_full_while_merging_leaves_the_journal_as_it_was_and_the_next_sync_completes(
    team, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from store.sharing import Sharing

    ann, bob, _ = team
    edit(bob, "Shelling", summary="Bob's")
    bob.sync()
    edit(ann, "Fire", summary="Ann's")
    apply_merge = Sharing.apply_merge

    def full_disk(self: Any, *args: Any, **kwargs: Any) -> None:
        def no_space(descriptor: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", no_space)
            apply_merge(self, *args, **kwargs)

    monkeypatch.setattr(Sharing, "apply_merge", full_disk)
    before = ann.shared()
    with pytest.raises(Exception, match="space"):
        ann.sync()
    assert ann.shared() == before  # the merge is all or nothing: nothing of it was saved
    monkeypatch.undo()
    assert ann.sync().startswith("received 1, sent 1")
    bob.sync()
    assert ann.shared() == bob.shared()
    assert by_title(ann)["Shelling"].summary == "Bob's" and by_title(bob)["Fire"].summary == "Ann's"


@pytest.mark.parametrize("point", ["merged", "pushing"])
def test_a_sync_killed_midway_is_completed_by_the_next(team, point: str) -> None:
    """SIGKILL after the merge is saved in the journal but before git records it ("merged"), and
    just before the push ("pushing"): the next sync completes, and the journals agree."""
    import sys

    ann, bob, _ = team
    edit(bob, "Shelling", summary="Bob's")
    bob.sync()
    edit(ann, "Fire", summary="Ann's")
    script = f"""
import os, signal, sys
from store import Journal
from store.sync import Syncer
merging = {point == "merged"!r}
original_commit, original_push = Syncer._commit_here, Syncer._push
def commit(self, message, *parents):
    if merging and len(parents) == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # the journal holds the merge; git does not yet
    return original_commit(self, message, *parents)
def push(self, head):
    if not merging:
        os.kill(os.getpid(), signal.SIGKILL)
    return original_push(self, head)
Syncer._commit_here, Syncer._push = commit, push
with Journal(sys.argv[1], author="Ann") as journal:
    Syncer(journal, "Ann").sync()
"""
    killed = subprocess.run([sys.executable, "-c", script, str(ann.path)], capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()
    assert ann.sync().startswith("received")
    bob.sync()
    ann.sync()
    assert ann.shared() == bob.shared()
    assert by_title(ann)["Shelling"].summary == "Bob's" and by_title(bob)["Fire"].summary == "Ann's"


def test_an_edit_saved_by_another_program_during_a_sync_is_never_overwritten(
    team, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    ann, bob, _ = team
    with bob.journal() as journal:
        fire = next(incident for incident in journal.all() if incident.title == "Fire")
        journal.update(fire.with_changes(title="Fire at the depot"))
    bob.sync()
    target = by_title(ann)["Fire"].id
    fetch = Syncer._fetch

    def editing_meanwhile(self: Syncer) -> Any:
        found = fetch(self)
        if not getattr(editing_meanwhile, "done", False):
            editing_meanwhile.done = True  # type: ignore[attr-defined]
            edited = subprocess.run(
                [sys.executable, "-m", "tui", "--journal", str(ann.path), "--author", "Ann", "edit", target,
                 "--killed", "11"],
                capture_output=True,
            )  # fmt: skip
            assert edited.returncode == 0, edited.stderr.decode()
        return found

    monkeypatch.setattr(Syncer, "_fetch", editing_meanwhile)
    ann.sync()
    monkeypatch.undo()
    incident = by_title(ann)["Fire at the depot"]
    assert str(incident.killed) == "11"  # Ann's edit made during the sync, and Bob's title
    bob.sync()
    assert str(by_title(bob)["Fire at the depot"].killed) == "11"


def test_a_journal_set_up_afresh_takes_its_base_from_the_histories(team, tmp_path: Path, remote: Path) -> None:
    import shutil

    ann, bob, _ = team
    delete(ann, "Fire")
    edit(ann, "Shelling", summary="Ann's")
    ann.sync()
    # Bob's journal copied elsewhere without its .sync folder, and set up again.
    moved = Member(tmp_path / "bob-elsewhere", "Bob")
    shutil.copyfile(bob.path, moved.path)
    moved.setup(remote)
    incidents, conflicts = moved.shared()
    assert "Fire" not in {record["title"] for record in incidents.values()}  # deleted stays deleted
    assert conflicts == {}  # nothing invented: Bob changed nothing
    assert by_title(moved)["Shelling"].summary == "Ann's"


def test_a_line_that_is_not_a_record_stops_the_sync_in_one_message(team, tmp_path: Path, remote: Path) -> None:
    ann, _, _ = team
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--branch", "journal", str(remote), str(clone)], check=True)
    shard = sorted((clone / "incidents").glob("*.jsonl"))[0]
    shard.write_bytes(shard.read_bytes() + b'{"id": broken\n')
    environment = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x",
                   "GIT_COMMITTER_EMAIL": "x@x", "PATH": __import__("os").environ["PATH"]}  # fmt: skip
    subprocess.run(["git", "-C", str(clone), "commit", "--quiet", "-am", "by hand"], check=True, env=environment)
    subprocess.run(["git", "-C", str(clone), "push", "--quiet"], check=True)
    before = ann.path.read_bytes()
    with pytest.raises(SyncError, match="is not a record"):
        ann.sync()
    assert ann.path.read_bytes() == before


def test_a_failed_setup_keeps_the_remote_set_before_and_a_file_in_the_way_is_named(team, tmp_path: Path) -> None:
    ann, _, _ = team
    with ann.journal() as journal:
        syncer = Syncer(journal, "Ann")
        before = syncer.remote()
        with pytest.raises(SyncError, match="cannot be reached"):
            syncer.setup(str(tmp_path / "no-such.git"))
        assert syncer.remote() == before
    solo = Member(tmp_path / "solo", "Solo")
    sync_folder(solo.path).write_text("in the way")
    with solo.journal() as journal, pytest.raises(SyncError, match="is a file"):
        Syncer(journal, "Solo").setup(str(tmp_path / "x.git"))


def test_three_values_of_one_field_from_three_members_are_all_kept(team) -> None:
    ann, bob, cat = team
    edit(ann, "Strike on a car", killed="1")
    edit(bob, "Strike on a car", killed="2")
    edit(cat, "Strike on a car", killed="3")
    for _ in range(2):
        for member in (ann, bob, cat):
            member.sync()
    assert ann.shared() == bob.shared() == cat.shared()
    with ann.journal() as journal:
        (conflict,) = journal.conflicts()
    values = {conflict.ours["min"], conflict.theirs["min"], *(other["value"]["min"] for other in conflict.others)}
    by = {conflict.ours_by, conflict.theirs_by, *(other["by"] for other in conflict.others)}
    assert (values, by) == ({1, 2, 3}, {"Ann", "Bob", "Cat"})
