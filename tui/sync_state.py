"""The app's side of team sync (issue 15): what the title bar says of it, and the journal as a
sync running in a thread sees it.

Nothing here runs ``git`` on the event loop: ``read_sync_info`` (a ``git config`` and a small
file) runs in a worker, and the app keeps its answer (``JournalApp.sync_info``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from store import Journal
from store.merge import Snapshot
from store.sharing import ChangedMeanwhile as StoreChangedMeanwhile
from store.sync import Syncer, SyncError

T = TypeVar("T")

#: The command that prepares a journal for syncing (said wherever sync is not set up).
SETUP_COMMAND = "incident-journal sync setup REMOTE"


@dataclass(frozen=True)
class SyncInfo:
    """Whether the journal is set up for syncing, and when it last synced (ISO time, or None)."""

    set_up: bool
    last_synced: str | None = None


def read_sync_info(journal: Journal) -> SyncInfo:
    """Ask the journal's sync folder (runs ``git config``: call it in a thread)."""
    syncer = Syncer(journal, journal.author)
    try:
        set_up = syncer.is_set_up()
    except SyncError:  # git is not installed
        return SyncInfo(False)
    if not set_up:
        return SyncInfo(False)
    last = syncer.state().get("last_synced")
    return SyncInfo(True, last if isinstance(last, str) else None)


def ago(iso: str | None, now: dt.datetime | None = None) -> str:
    """When ``iso`` was, as a person says it: "just now", "5 min ago", "3 h ago", "2 days ago",
    or the date after a week."""
    if iso is None:
        return "never"
    try:
        then = dt.datetime.fromisoformat(iso)
    except ValueError:
        return "at an unknown time"
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    seconds = ((now or dt.datetime.now(dt.UTC)) - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days < 7:
        return f"{days} day{'s' if days > 1 else ''} ago"
    return f"on {then.date().isoformat()}"


def sync_words(info: SyncInfo | None, conflicts: int, now: dt.datetime | None = None) -> str:
    """What the title bar says of syncing: "synced 5 min ago · 2 conflicts" (the first part only
    when the journal is set up, the second only when any conflict waits)."""
    parts = []
    if info is not None and info.set_up:
        parts.append(f"synced {ago(info.last_synced, now)}" if info.last_synced else "not synced yet")
    if conflicts:
        parts.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''}")
    return "  ·  ".join(parts)


# The journal changed (a save here, another program's) while the sync was talking to git: its
# merge was worked out on what the journal held before, so it is not applied; the sync works it
# out again (``store.sync.Syncer.sync``).
ChangedMeanwhile = StoreChangedMeanwhile


class JournalOnLoop:
    """The journal as ``store.sync.Syncer`` sees it, for a sync run in a thread: every read and
    write of the journal is done on the app's event loop (``call``), where the saves made from
    the keys are, so the two never interleave. A merge is applied only if the journal did not
    change since the snapshot the sync committed (else ``ChangedMeanwhile``: nothing merged,
    the sync is run again), so an edit saved during a sync is never overwritten."""

    def __init__(self, journal: Journal, call: Callable[..., Any]) -> None:
        self.journal = journal
        self.path: Path = journal.path
        self._call = call
        self._seen: int | None = None

    def _on_loop(self, work: Callable[[], T]) -> T:
        result: T = self._call(work)
        return result

    def shared_snapshot(self) -> Snapshot:
        def take() -> Snapshot:
            self._seen = self.journal.version
            return self.journal.shared_snapshot()

        return self._on_loop(take)

    def apply_merge(
        self,
        incidents: Mapping[str, dict[str, Any] | None],
        groups: Mapping[str, dict[str, Any] | None],
        history: Iterable[dict[str, Any]],
        conflicts: Mapping[str, dict[str, Any]],
        *,
        expected: Mapping[str, dict[str, Any] | None] | None = None,
        expected_conflicts: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        received = list(history)

        def apply() -> None:
            if self.journal.version != self._seen:
                raise ChangedMeanwhile("the journal changed during the sync; nothing was merged")
            self.journal.apply_merge(
                incidents, groups, received, conflicts, expected=expected, expected_conflicts=expected_conflicts
            )
            self._seen = self.journal.version

        self._on_loop(apply)
