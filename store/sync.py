"""Team journals synced through git (issue 15): the ``git`` command, a remote, and ``store.merge``.

A journal syncs through a git working tree beside it, ``JOURNAL.sync/`` (so a journal in the
default data folder syncs as well as one anywhere else), on the branch ``journal`` of the remote
``origin``: a URL, or a path to a bare repository (a server over SSH, a forge, a USB stick). The
tree holds the shared part of the journal as text git can delta: one line of canonical JSON per
record, sorted, in files by the first three characters of the id (``incidents/3f2.jsonl``,
``history/3f2.jsonl``), with ``groups.jsonl`` and ``conflicts.jsonl``.

``sync`` (``Syncer.sync``):

1. writes the journal into the tree and commits what changed here since the last sync;
2. fetches the remote's branch; if it holds commits we lack, merges them (``store.merge``: the
   base is the commit both last shared, ``git merge-base``) into the journal in **one** save,
   writes the merged journal into the tree and commits it with both parents;
3. pushes; if someone pushed meanwhile, goes back to 2 (a few times).

A sync that fails at any point (remote unreachable, a push refused, disk full, killed) leaves the
journal as it was or fully merged: the journal changes only by its one atomic save, and whatever
git was doing is redone by the next sync from what the journal holds.

Only the records in files that changed since the base are read, so a sync of a few changes to a
journal of 100,000 incidents reads a few files, not the journal.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from store.errors import JournalError
from store.merge import Snapshot, base_from_histories, canonical, changes, entry_key, merge
from store.sharing import ChangedMeanwhile, conflict_key

BRANCH = "journal"
REMOTE = "origin"
REMOTE_BRANCH = f"refs/remotes/{REMOTE}/{BRANCH}"
#: The commit the last sync ended at (kept apart from the branch: what "sent" counts from).
SYNCED_REF = "refs/incident-journal/synced"
#: A push refused because someone pushed meanwhile is retried (fetch, merge, push) this often.
PUSH_ATTEMPTS = 5
#: Seconds a git command may take (a fetch over a slow link, a push of a large journal).
GIT_TIMEOUT = 600
STATE_FILE = "incident-journal-sync.json"
#: What the working tree shares; anything else in it is not committed.
SHARED_PATHS = ("incidents", "history", "groups.jsonl", "conflicts.jsonl")


class SyncError(JournalError):
    """A sync (or its set-up) could not be done; the journal is as it was (or fully merged)."""


class Shared(Protocol):
    """What a journal gives a sync and takes from it (``store.journal.Journal``)."""

    @property
    def path(self) -> Path: ...

    def shared_snapshot(self) -> Snapshot: ...

    def apply_merge(
        self,
        incidents: Mapping[str, dict[str, Any] | None],
        groups: Mapping[str, dict[str, Any] | None],
        history: Iterable[dict[str, Any]],
        conflicts: Mapping[str, dict[str, Any]],
        *,
        expected: Mapping[str, dict[str, Any] | None] | None = None,
        expected_conflicts: Mapping[str, dict[str, Any]] | None = None,
    ) -> None: ...


def sync_folder(journal_path: Path) -> Path:
    return journal_path.with_name(journal_path.name + ".sync")


@dataclass(frozen=True)
class SyncReport:
    received: int
    sent: int
    conflicts: int
    #: Conflicts waiting in the journal after the sync (found now or before).
    waiting: int
    pushed: bool

    def line(self) -> str:
        conflicts = f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} found"
        waiting = f"{self.waiting} conflict{'s' if self.waiting != 1 else ''} to resolve"
        return f"received {self.received}, sent {self.sent}" + (
            f", {conflicts}, {waiting}" if self.conflicts else f", {waiting}" if self.waiting else ""
        )


@dataclass(frozen=True)
class SyncStatus:
    remote: str | None
    last_synced: str | None
    #: Incidents changed here since the last sync (not sent yet).
    to_send: int
    #: Incidents the remote holds changed that this journal has not merged; None if unreachable.
    to_receive: int | None
    conflicts: int
    reason: str = ""

    def lines(self) -> list[str]:
        if self.remote is None:
            return ["not set up for syncing: incident-journal sync setup REMOTE"]
        lines = [f"remote {self.remote}", f"last synced {self.last_synced or 'never'}"]
        receive = "unknown (" + self.reason + ")" if self.to_receive is None else str(self.to_receive)
        conflicts = f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} to resolve"
        lines.append(f"to send {self.to_send}, to receive {receive}, {conflicts}")
        return lines


# -- the tree's files ---------------------------------------------------------------------------------


#: Characters of an id that name its file: 16**3 = 4,096 files of about 35 kB at 100,000
#: incidents, so 1,000 changes rewrite (and git stores and sends) some 30 MB, not the journal.
SHARD_CHARACTERS = 3


def _shard(record_id: str) -> str:
    head = record_id[:SHARD_CHARACTERS].lower()
    hexadecimal = len(head) == SHARD_CHARACTERS and all(char in "0123456789abcdef" for char in head)
    return head if hexadecimal else "x" * SHARD_CHARACTERS


def snapshot_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The tree's files for ``snapshot``: path -> content (lines sorted, one record each)."""
    shards: dict[str, list[tuple[str, bytes]]] = {}
    for record_id, record in snapshot.incidents.items():
        shards.setdefault(f"incidents/{_shard(record_id)}.jsonl", []).append((record_id, canonical(record)))
    for key, entry in snapshot.history.items():
        incident_id = str(entry.get("incident_id"))
        shards.setdefault(f"history/{_shard(incident_id)}.jsonl", []).append((f"{incident_id}:{key}", canonical(entry)))
    shards["groups.jsonl"] = [(group_id, canonical(record)) for group_id, record in snapshot.groups.items()]
    shards["conflicts.jsonl"] = [(key, canonical(document)) for key, document in snapshot.conflicts.items()]
    return {path: b"".join(line + b"\n" for _, line in sorted(lines)) for path, lines in shards.items()}


def _lines(content: bytes) -> list[dict[str, Any]]:
    """The records of one of the tree's files; ``SyncError`` for a line that is not JSON (written
    there by hand, or by something else than this program)."""
    found = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise SyncError(
                f"line {number} of a file in the shared journal is not a record (not JSON): "
                "it was written by something else than incident-journal; nothing was merged"
            ) from None
        if isinstance(item, dict):
            found.append(item)
    return found


def _records(content: bytes) -> dict[str, dict[str, Any]]:
    return {str(record.get("id")): record for record in _lines(content)}


# -- git ------------------------------------------------------------------------------------------------


def git_said(stderr: bytes, status: int) -> str:
    """What git said went wrong: its ``fatal:`` or ``error:`` line (not the advice after it)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else f"exit status {status}"


class Git:
    """The ``git`` command in one working tree: never asks on the terminal, never reads a pager."""

    def __init__(self, folder: Path, author: str) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "LC_ALL": "C",
            "GIT_AUTHOR_NAME": author or "incident-journal",
            "GIT_AUTHOR_EMAIL": "incident-journal@localhost",
            "GIT_COMMITTER_NAME": author or "incident-journal",
            "GIT_COMMITTER_EMAIL": "incident-journal@localhost",
        }

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.folder), *args],
                input=input,
                capture_output=True,
                env=self.env,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise SyncError("git is not installed (the 'git' command was not found)") from None
        except subprocess.TimeoutExpired:
            raise SyncError(f"git {args[0]} took over {GIT_TIMEOUT} s and was stopped") from None
        if check and done.returncode != 0:
            raise SyncError(f"git {args[0]} failed: {git_said(done.stderr, done.returncode)}")
        return done

    def text(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    def commit_of(self, ref: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def blobs(self, commit: str | None, paths: Iterable[str]) -> dict[str, bytes]:
        """The content of ``paths`` at ``commit`` (missing ones left out), in one ``cat-file``."""
        wanted = sorted(set(paths))
        if commit is None or not wanted:
            return {}
        request = "".join(f"{commit}:{path}\n" for path in wanted).encode()
        output = self.run("cat-file", "--batch", input=request).stdout
        found, at = {}, 0
        for path in wanted:
            end = output.index(b"\n", at)
            header = output[at:end].split()
            at = end + 1
            if len(header) == 2 and header[1] == b"missing":
                continue
            size = int(header[2])
            found[path] = output[at : at + size]
            at += size + 1
        return found

    def changed_paths(self, one: str | None, other: str | None) -> set[str]:
        """Paths that differ between two commits (every path of the other when one is None)."""
        if other is None:
            return set()
        if one is None:
            listed = self.run("ls-tree", "-r", "-z", "--name-only", other).stdout
        else:
            listed = self.run("diff", "--name-only", "-z", "--no-renames", one, other).stdout
        return {path.decode() for path in listed.split(b"\0") if path}


# -- syncing ----------------------------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Syncer:
    """Syncs one journal with its remote (see the module's docstring)."""

    def __init__(self, journal: Shared, author: str) -> None:
        self.journal = journal
        self.author = author
        self.folder = sync_folder(journal.path)
        self.git = Git(self.folder, author)

    # -- set-up and state --------------------------------------------------------------------------

    def is_set_up(self) -> bool:
        return (self.folder / ".git").is_dir() and self.remote() is not None

    def remote(self) -> str | None:
        if not (self.folder / ".git").is_dir():
            return None
        done = self.git.run("config", "--get", f"remote.{REMOTE}.url", check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def setup(self, remote: str) -> None:
        """Prepare the journal for syncing with ``remote`` (a URL or a path to a bare repository)."""
        if not remote.strip():
            raise SyncError("REMOTE: give a URL or the path of a bare git repository")
        if "://" not in remote and ":" not in remote.split("/")[0]:  # a path: absolute, as git needs from elsewhere
            remote = str(Path(remote).expanduser().resolve())
        if self.folder.exists() and not self.folder.is_dir():
            raise SyncError(f"{self.folder} is a file, not the journal's sync folder: move it away first")
        try:
            self.folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise SyncError(f"cannot make the sync folder {self.folder}: {exc.strerror or exc}") from None
        checked = Git(self.folder, self.author).run("ls-remote", "--heads", "--", remote, BRANCH, check=False)
        if checked.returncode != 0:  # the remote set before (if any) is kept
            raise SyncError(f"the remote cannot be reached: {git_said(checked.stderr, checked.returncode)}")
        if not (self.folder / ".git").is_dir():
            self.git.run("init", "--quiet")
            self.git.run("symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
        self.git.run("config", "gc.auto", "256")  # loose objects packed (with deltas) as they pile up
        self.git.run("config", "gc.autoDetach", "false")  # packed within the sync, not by a process left behind
        self.git.run("config", "core.autocrlf", "false")
        if self.remote() is None:
            self.git.run("remote", "add", REMOTE, remote)
        else:
            self.git.run("remote", "set-url", REMOTE, remote)
        bare = Path(remote)
        if "://" not in remote and (bare / "objects").is_dir() and (bare / "HEAD").is_file():
            # A bare repository on a path (a stick, a share): each push kept as the pack it came
            # in (its changes as deltas), not unpacked into whole files, so the stick does not fill.
            Git(bare, self.author).run("config", "receive.unpackLimit", "1", check=False)
            Git(bare, self.author).run("config", "gc.autoDetach", "false", check=False)

    def state(self) -> dict[str, Any]:
        try:
            loaded = orjson.loads((self.folder / ".git" / STATE_FILE).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _save_state(self, **values: Any) -> None:
        path = self.folder / ".git" / STATE_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps({**self.state(), **values}))
        os.replace(temporary, path)

    # -- the steps -------------------------------------------------------------------------------------

    def _write_tree(self, snapshot: Snapshot) -> None:
        """Write ``snapshot`` into the working tree: changed files only; files no longer held removed."""
        files = snapshot_files(snapshot)
        for folder in ("incidents", "history"):
            (self.folder / folder).mkdir(exist_ok=True)
            for path in (self.folder / folder).glob("*.jsonl"):
                if f"{folder}/{path.name}" not in files:
                    path.unlink()
        for relative, content in files.items():
            path = self.folder / relative
            try:
                if path.read_bytes() == content:
                    continue
            except OSError:
                pass
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_bytes(content)
            os.replace(temporary, path)

    def _commit_here(self, message: str, *parents: str) -> str | None:
        """Commit the working tree (on the branch, with ``parents`` when given, else HEAD);
        the commit, or None when nothing changed and no parents were given."""
        # Only the journal's own files: anything else put in the folder stays out of the team's.
        self.git.run("add", "--all", "--", *SHARED_PATHS)
        head = self.git.commit_of("HEAD")
        if (
            not parents
            and head is not None
            and self.git.run("diff", "--cached", "--quiet", check=False).returncode == 0
        ):
            return None
        tree = self.git.text("write-tree")
        parent_args = [arg for parent in (parents or ((head,) if head else ())) for arg in ("-p", parent)]
        commit = self.git.text("commit-tree", tree, *parent_args, "-m", message)
        self.git.run("update-ref", f"refs/heads/{BRANCH}", commit)
        return commit

    def _fetch(self) -> str | None:
        """Fetch the remote's branch; its commit, or None when it has none yet."""
        done = self.git.run("ls-remote", "--heads", REMOTE, BRANCH, check=False)
        if done.returncode != 0:
            raise SyncError(f"the remote cannot be reached: {git_said(done.stderr, done.returncode)}")
        if not done.stdout.strip():
            return None
        fetched = self.git.run("fetch", "--quiet", REMOTE, f"+refs/heads/{BRANCH}:{REMOTE_BRANCH}", check=False)
        if fetched.returncode != 0:
            raise SyncError(f"the remote cannot be reached: {git_said(fetched.stderr, fetched.returncode)}")
        return self.git.commit_of(REMOTE_BRANCH)

    def _merge_from(self, head: str, theirs: str) -> tuple[int, int]:
        """Merge the commit ``theirs`` into the journal and commit it; (received, conflicts found)."""
        done = self.git.run("merge-base", head, theirs, check=False)
        base = done.stdout.decode().strip() or None
        changed = self.git.changed_paths(base, head) | self.git.changed_paths(base, theirs)
        changed |= {"groups.jsonl", "conflicts.jsonl"}
        sides = [self.git.blobs(commit, changed) for commit in (base, head, theirs)]

        def snapshot(files: dict[str, bytes]) -> Snapshot:
            part = Snapshot()
            for path, content in files.items():
                if path.startswith("incidents/"):
                    part.incidents.update(_records(content))
                elif path.startswith("history/"):
                    part.history.update(Snapshot.history_of(_lines(content)))
                elif path == "groups.jsonl":
                    part.groups.update(_records(content))
                elif path == "conflicts.jsonl":
                    part.conflicts.update({conflict_key(item): item for item in _lines(content)})
            return part

        base_part, ours_part, theirs_part = (snapshot(files) for files in sides)
        if base is None:  # no commit both held (a journal set up afresh): the base from both histories
            base_part = base_from_histories(ours_part, theirs_part)
        result = merge(base_part, ours_part, theirs_part, now=_now(), merged_by=self.author)
        merged = result.merged
        incidents, groups, history = changes(ours_part, merged)
        # The journal changes here, in one save: all of the merge or none of it, and only if it
        # still holds what the merge was worked out from (else ChangedMeanwhile: worked out again).
        self.journal.apply_merge(
            incidents,
            groups,
            history,
            merged.conflicts,
            expected={record_id: ours_part.incidents.get(record_id) for record_id in incidents},
            expected_conflicts=ours_part.conflicts,
        )
        self._write_tree(self.journal.shared_snapshot())
        self._commit_here(f"merge by {self.author}", head, theirs)
        return len(result.received), len(result.conflicts)

    def _changed_incidents(self, one: str | None, other: str | None) -> int:
        """How many incidents differ between two commits (their record, or a conflict on them)."""
        paths = {path for path in self.git.changed_paths(one, other) if path.startswith("incidents/")}
        paths.add("conflicts.jsonl")
        before, after = self.git.blobs(one, paths), self.git.blobs(other, paths)
        changed: set[str] = set()
        for path in paths - {"conflicts.jsonl"}:
            old, new = _records(before.get(path, b"")), _records(after.get(path, b""))
            changed.update(record_id for record_id in {*old, *new} if old.get(record_id) != new.get(record_id))
        old_conflicts = {canonical(item) for item in _lines(before.get("conflicts.jsonl", b""))}
        new_conflicts = {canonical(item) for item in _lines(after.get("conflicts.jsonl", b""))}
        for line in old_conflicts ^ new_conflicts:
            document = orjson.loads(line)
            if document.get("kind", "incident") == "incident":
                changed.add(str(document.get("record_id")))
        return len(changed)

    def _push(self, head: str) -> subprocess.CompletedProcess[bytes]:
        return self.git.run("push", "--quiet", REMOTE, f"{head}:refs/heads/{BRANCH}", check=False)

    def sync(self) -> SyncReport:
        if not self.is_set_up():
            raise SyncError(f"{self.journal.path} is not set up for syncing: incident-journal sync setup REMOTE")
        self.folder.joinpath(".git", "index.lock").unlink(missing_ok=True)  # left by a git killed mid-way
        synced = self.git.commit_of(SYNCED_REF)
        self._write_tree(self.journal.shared_snapshot())
        self._commit_here(f"changes by {self.author}")
        # What this sync sends: the incidents changed here since the last one.
        sent = self._changed_incidents(synced, self.git.commit_of("HEAD"))
        received = found = 0
        pushed = False
        for _ in range(PUSH_ATTEMPTS):
            head = self.git.commit_of("HEAD")
            theirs = self._fetch()
            if head is None:  # an empty journal, never committed: nothing to send yet
                self._commit_here(f"journal of {self.author}")
                head = self.git.commit_of("HEAD")
            assert head is not None
            if theirs is not None and theirs != head:
                is_ours = self.git.run("merge-base", "--is-ancestor", theirs, head, check=False).returncode == 0
                if not is_ours:  # (ours unchanged since: the merge takes theirs as it is)
                    try:
                        got, conflicts = self._merge_from(head, theirs)
                    except ChangedMeanwhile:
                        # A change saved during the sync: commit it, and merge again from there.
                        self._write_tree(self.journal.shared_snapshot())
                        self._commit_here(f"changes by {self.author}")
                        continue
                    received += got
                    found += conflicts
                    head = self.git.commit_of("HEAD")
                    assert head is not None
            if theirs == head:
                pushed = True
                break
            done = self._push(head)
            if done.returncode == 0:
                self.git.run("update-ref", REMOTE_BRANCH, head)
                pushed = True
                break
            said = done.stderr.decode("utf-8", "replace")
            if "rejected" not in said and "fetch first" not in said and "non-fast-forward" not in said:
                raise SyncError(f"the push failed: {git_said(done.stderr, done.returncode)}")
        if not pushed:
            raise SyncError(f"others kept pushing: the push was refused {PUSH_ATTEMPTS} times; sync again")
        head = self.git.commit_of("HEAD")
        assert head is not None
        self.git.run("update-ref", SYNCED_REF, head)
        self._save_state(last_synced=_now())
        waiting = len(self.journal.shared_snapshot().conflicts)
        return SyncReport(received=received, sent=sent, conflicts=found, waiting=waiting, pushed=pushed)

    def status(self) -> SyncStatus:
        remote = self.remote()
        conflicts = len(self.journal.shared_snapshot().conflicts)
        if remote is None:
            return SyncStatus(None, None, 0, 0, conflicts)
        synced = self.git.commit_of(SYNCED_REF)
        files = snapshot_files(self.journal.shared_snapshot())
        committed = self.git.blobs(synced, [path for path in files if path.startswith("incidents/")])
        to_send = 0
        for path, content in files.items():
            if path.startswith("incidents/") and committed.get(path) != content:
                old, new = _records(committed.get(path, b"")), _records(content)
                to_send += sum(1 for record_id in {*old, *new} if old.get(record_id) != new.get(record_id))
        reason = ""
        try:
            theirs = self._fetch()
            to_receive: int | None = 0
            if theirs is not None and synced != theirs:
                base = self.git.run("merge-base", synced, theirs, check=False).stdout.decode().strip() if synced else ""
                to_receive = self._changed_incidents(base or None, theirs)
        except SyncError as exc:
            to_receive, reason = None, str(exc)
        return SyncStatus(remote, self.state().get("last_synced"), to_send, to_receive, conflicts, reason)


__all__ = ["SyncError", "SyncReport", "SyncStatus", "Syncer", "entry_key", "snapshot_files", "sync_folder"]
