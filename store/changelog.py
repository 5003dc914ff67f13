"""``ChangeLog``: ``<journal>.log``, the changes acknowledged since the journal file was last
written whole.

A save appends one JSON line to the log and fsyncs it: its cost is the size of the change, not
of the journal (the anchors are SQLite's write-ahead log and Redis's append-only file). The log
is folded into the journal file (one atomic rewrite, ``AtomicJSONStorage``) when the last
program that has the journal open closes it, and by the next open after a crash.

Each line is ``{"seq": N, "at": ISO time, "ops": [[table, doc_id, document or null], ...]}``:
the documents a change puts (whole) or removes (null). A line counts once it ends in a newline;
a torn last line (a writer killed mid-append) is not acknowledged, is never read, and is cut off
by the next append. The journal file's ``meta`` record holds ``folded_seq``, the last line
folded in, so lines left behind by a fold cut short are skipped.

Every program with the journal open holds a shared ``flock`` on the log; folding needs it
exclusively, so a journal is only folded by the last program that has it open, and nobody
reads the log while it is cut back to nothing.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import orjson

from store.errors import JournalBusy, JournalUnreadable, JournalWriteError
from store.locking import flock_within
from store.storage import file_kind

LOG_SUFFIX = ".log"
#: How long opening waits for a program that is folding the journal.
OPEN_TIMEOUT = 30.0


def log_path(path: Path) -> Path:
    return path.with_name(path.name + LOG_SUFFIX)


def encode_entry(entry: dict[str, Any]) -> bytes:
    """One log line: compact JSON and a newline (big integers written exactly)."""
    try:
        return orjson.dumps(entry) + b"\n"
    except TypeError:
        try:
            return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        except (RecursionError, ValueError, TypeError) as exc:
            raise JournalWriteError(f"cannot write the change: {exc}; nothing was saved") from None


#: A run of digits orjson would read as a float if it is a number (then Python's reader reads it).
_LONG_DIGITS = re.compile(rb"\d{19,}")


def decode_line(line: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line) if _LONG_DIGITS.search(line) else orjson.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int) or not isinstance(entry.get("ops"), list):
        return None
    return entry


class ChangeLog:
    """The log of one journal, opened for as long as the journal is."""

    def __init__(self, journal_path: Path) -> None:
        self.path = log_path(journal_path)
        self._fd: int | None = None
        #: Where the lines read so far end: what comes after is new (or torn).
        self.offset = 0

    # -- opening and closing -----------------------------------------------------------------

    def open(self, *, create: bool = False) -> None:
        """Open the log and hold it shared. Without ``create``, a log that does not exist is left
        so (reading a journal creates nothing): it is made by the first save (``opened``)."""
        if self._fd is not None:
            return
        flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            if create:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, flags | (os.O_CREAT if create else 0), 0o600)
        except FileNotFoundError:
            if create:
                raise JournalWriteError(f"cannot write {self.path}: its folder is gone") from None
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise JournalUnreadable(
                    f"{self.path} is a symbolic link; the journal's log must be a plain file (remove the link)",
                    backup_may_help=False,
                ) from None
            if create:
                raise JournalWriteError(f"cannot write {self.path}: {exc.strerror or exc}; nothing was saved") from exc
            if exc.errno not in (errno.EACCES, errno.EROFS, errno.EPERM):
                raise JournalUnreadable(f"cannot open {self.path}: {exc.strerror or exc}") from exc
            fd = self._open_read_only(exc)
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise JournalUnreadable(
                f"{self.path} is {file_kind(mode)}, not a plain file; the journal was not opened (remove it)",
                backup_may_help=False,
            )
        if not flock_within(fd, fcntl.LOCK_SH, OPEN_TIMEOUT):
            os.close(fd)
            raise JournalBusy(
                f"another program has been writing {self.path.name[: -len(LOG_SUFFIX)]} whole for over "
                f"{OPEN_TIMEOUT:g} s; try again"
            )
        self._fd, self.offset = fd, 0

    def _open_read_only(self, error: OSError) -> int:
        """A log the user may not write (a read-only journal): read it all the same."""
        try:
            return os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            raise JournalUnreadable(f"cannot open {self.path}: {error.strerror or error}") from error

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # and with it the shared lock
            self._fd = None

    @property
    def fd(self) -> int:
        if self._fd is None:
            raise JournalWriteError(f"{self.path} is closed")
        return self._fd

    # -- reading -----------------------------------------------------------------------------

    def size(self) -> int:
        """The log's size (0 while it is not open: none was found)."""
        if self._fd is None:
            self.open()  # made by another program since?
            if self._fd is None:
                return 0
        return os.fstat(self._fd).st_size

    def has_news(self) -> bool:
        """Whether lines may have been added since the last read (a cheap ``fstat``)."""
        return self.size() > self.offset

    def read_new(self) -> list[dict[str, Any]]:
        """The whole lines added since the last read; a torn or damaged line ends them."""
        size = self.size()
        if size <= self.offset or self._fd is None:
            return []
        data = os.pread(self._fd, size - self.offset, self.offset)
        entries: list[dict[str, Any]] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            entry = decode_line(data[start:end])
            if entry is None:
                break  # torn or damaged: nothing after it was acknowledged either
            entries.append(entry)
            start = end + 1
        self.offset += start
        return entries

    # -- writing (with the journal's write lock held) -----------------------------------------

    def append(self, line: bytes) -> None:
        """Add one line (from ``encode_entry``) and fsync it; on failure the log is as it was."""
        self.open(create=True)
        fd = self.fd
        try:
            if self.size() != self.offset:
                os.ftruncate(fd, self.offset)  # a torn line left by a writer killed mid-append
            written = 0
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, self.offset)
            except OSError:
                pass  # what was written is torn, never read, and cut off by the next append
            raise JournalWriteError(f"cannot write {self.path}: {exc.strerror or exc}; nothing was saved") from exc
        self.offset += len(line)

    def alone(self) -> bool:
        """Take the log exclusively if no other program has the journal open (then ``shared()``
        must follow); False if another one does."""
        self.open(create=True)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def shared(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def clear(self) -> None:
        """Empty the log (after a fold wrote everything in it into the journal file)."""
        try:
            os.ftruncate(self.fd, 0)
            os.fsync(self.fd)
        except OSError as exc:  # the file holds every line: they are skipped by their seq
            raise JournalWriteError(f"cannot empty {self.path}: {exc.strerror or exc}") from exc
        self.offset = 0
