"""``FileLock``: one writer at a time on a journal, across processes (``<journal>.lock``)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from store.errors import JournalBusy, JournalWriteError
from store.storage import file_kind

LOCK_SUFFIX = ".lock"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def flock_within(fd: int, operation: int, timeout: float) -> bool:
    """Take ``flock(fd, operation)`` (``LOCK_SH`` or ``LOCK_EX``), waiting at most ``timeout``
    seconds for another program to let go; False if it did not."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


class FileLock:
    """An exclusive ``flock`` on a small file beside the journal, held around each write."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Never through a symlink: one planted (or left dangling) at the lock's name would
            # make every save create or open whatever file it points to.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise JournalWriteError(
                    f"{self.path} is a symbolic link; a lock file must be a plain file, so nothing was saved "
                    "(remove the link)"
                ) from None
            raise JournalWriteError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        kind = os.fstat(fd).st_mode
        if not stat.S_ISREG(kind):
            os.close(fd)
            raise JournalWriteError(
                f"{self.path} is {file_kind(kind)}, not a plain file; nothing was saved (remove it)"
            )
        try:
            if not flock_within(fd, fcntl.LOCK_EX, self.timeout):
                raise JournalBusy(
                    f"another program has been writing to {self.path.name[: -len(LOCK_SUFFIX)]} "
                    f"for over {self.timeout:g} s; nothing was saved, try again"
                )
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
