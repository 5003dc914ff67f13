"""Where an export (or an import's list of problems) is written: a regular file, never a device.

A target that exists must be a regular file, or a symlink to one: the file it points to is
written (replaced atomically) and the symlink stays. Refused, with one line that says why:
a device (``/dev/full``, ``/dev/null``), a FIFO, a socket, a folder, a symlink to nothing (it
would create a file wherever it points), and a name that leads to an open file of a process,
such as ``/dev/stdout`` (a symlink to ``/proc/self/fd/1``): standard output is ``-o -``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from store.errors import JournalWriteError
from store.locking import lock_path
from store.storage import NEW_FILE_MODE, atomic_write_bytes, backup_path

#: Said with every refusal of a name that stands for a stream.
STDOUT_HINT = "use -o - for standard output"


def _leads_to_a_process_file(path: Path) -> bool:
    """Whether ``path`` or a symlink it follows lies in ``/proc`` (``/dev/stdout``, ``/dev/fd/1``)."""
    current = os.path.abspath(path)
    for _ in range(40):  # as many symlinks as the system follows
        parent = os.path.realpath(os.path.dirname(current))
        if parent == "/proc" or parent.startswith("/proc/"):
            return True
        full = os.path.join(parent, os.path.basename(current))
        if not os.path.islink(full):
            return False
        current = os.path.join(parent, os.readlink(full))
    return True


def _kind(mode: int) -> str | None:
    """What a file that is not a regular one is (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def target_problem(path: Path, journal_path: Path | None = None) -> str | None:
    """What is wrong with writing a file at ``path`` (None if nothing): see the module's text,
    and the journal's own files, a folder that does not exist, or a name the system refuses."""
    path = Path(path)
    try:
        if journal_path is not None:
            own = {p.resolve() for p in (journal_path, backup_path(journal_path), lock_path(journal_path))}
            if path.resolve() in own:
                return f"{path} is the journal itself (or its .bak or .lock); choose another file"
        if _leads_to_a_process_file(path):
            return f"{path} is an open file of a process (such as standard output), not a file to write; {STDOUT_HINT}"
        if path.is_symlink():
            if not path.exists():
                return (f"{path} is a symlink to {os.readlink(path)}, which does not exist; "
                        "give the name of the file itself")
        if path.exists():
            kind = _kind(path.stat().st_mode)
            if kind == "a folder":
                return f"{path} is a folder; add a file name"
            if kind is not None:
                return f"{path} is {kind}, not a file; nothing was written ({STDOUT_HINT})"
            return None
        if not path.parent.exists():
            return f"cannot write {path}: the folder {path.parent} does not exist"
        if not path.parent.is_dir():
            return f"cannot write {path}: {path.parent} is a file, not a folder"
    except (OSError, RuntimeError, ValueError) as exc:  # a name too long, ~nosuchuser, a NUL, a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot write {str(path)[:80]!r}: {reason}"
    return None


def writable(path: Path) -> Path:
    """The file to replace for ``path``: itself, or the regular file its symlink points to.

    Raises ``JournalWriteError`` if ``target_problem`` finds one (checked again just before writing).
    """
    problem = target_problem(path)
    if problem:
        raise JournalWriteError(problem)
    return Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)


def write_bytes(path: Path, data: bytes) -> None:
    """``data`` at ``path`` (see ``writable``), atomically: the file is whole, or as it was."""
    atomic_write_bytes(writable(path), data)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write bit by bit, put at ``path`` (see ``writable``) atomically when the block
    ends; if it fails, the file at ``path`` is left as it was."""
    target = writable(path)
    try:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = NEW_FILE_MODE
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise JournalWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with open(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise JournalWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
