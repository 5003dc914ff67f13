"""Where an import reads from: a file, standard input or a FIFO, never more than the size limit.

``open_source`` refuses what cannot be an import file before reading a byte of it: a device
(``/dev/zero`` would never end), a folder, a socket, and a regular file larger than
``store.limits.MAX_INPUT_BYTES``. Standard input and FIFOs have no size to check: they are read
in chunks and refused as soon as the bytes read pass the limit. ``Source`` counts what has been
read, so a progress bar can follow a file being read row by row.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from store import limits
from store.exchange.batch import ImportRejected

#: Bytes read at a time from the file.
CHUNK = 1 << 20


def size_text(size: int) -> str:
    """A size in bytes as people say it (``2 GB``, ``3.5 GB``, ``20 MB``, ``512 bytes``)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def too_big(name: str) -> ImportRejected:
    return ImportRejected(
        f"{name} is larger than {size_text(limits.MAX_INPUT_BYTES)}, the most an import reads; "
        "nothing was imported (split it into smaller files)"
    )


def _kind_problem(name: str, mode: int) -> str | None:
    """Why a file of this mode cannot be imported (None if it can: a regular file or a FIFO)."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"{name} is a device, not a file; nothing was imported"
    if stat.S_ISDIR(mode):
        return f"{name} is a folder; give the file to import"
    if stat.S_ISSOCK(mode):
        return f"{name} is a socket, not a file; nothing was imported"
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        return f"{name} is not a regular file; nothing was imported"
    return None


class Source(io.RawIOBase):
    """An import file opened for reading: counts the bytes read and stops at the size limit.

    ``size`` is known for a regular file (None for standard input or a FIFO); ``read_so_far``
    is what has been read. ``head(n)`` reads the first ``n`` bytes and gives them back again
    to the reads that follow.
    """

    def __init__(self, stream: BinaryIO, name: str, size: int | None, *, close_stream: bool = True) -> None:
        super().__init__()
        self.stream = stream
        self.name = name
        self.size = size
        self.read_so_far = 0
        self._pending = b""
        self._close_stream = close_stream

    def readable(self) -> bool:
        return True

    @property
    def consumed(self) -> int:
        """The bytes handed on to the reader so far (``read_so_far`` less what ``head`` keeps)."""
        return self.read_so_far - len(self._pending)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pending:
            count = min(len(buffer), len(self._pending))
            buffer[:count] = self._pending[:count]
            self._pending = self._pending[count:]
            return count
        chunk = self._read_stream(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _read_stream(self, size: int) -> bytes:
        try:
            chunk = self.stream.read(min(size, CHUNK))
        except OSError as exc:
            raise ImportRejected(f"cannot read {self.name}: {exc.strerror or exc}") from None
        chunk = chunk or b""
        self.read_so_far += len(chunk)
        if self.read_so_far > limits.MAX_INPUT_BYTES:
            raise too_big(self.name)
        return chunk

    def head(self, size: int = 4096) -> bytes:
        """The first ``size`` bytes (fewer if the file is shorter); later reads start at the first byte."""
        while len(self._pending) < size:
            chunk = self._read_stream(size - len(self._pending))
            if not chunk:
                break
            self._pending += chunk
        return self._pending[:size]

    def read_all(self) -> bytes:
        """Everything left to read, in chunks; refused as soon as it passes the size limit."""
        parts = [self._pending]
        self._pending = b""
        while chunk := self._read_stream(CHUNK):
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        if self._close_stream and not self.closed:
            self.stream.close()
        super().close()


def open_source(path: Path | str, *, stdin: BinaryIO | None = None) -> Source:
    """The file to import (``-``: standard input), checked before anything is read from it.

    Raises ``ImportRejected`` (one line) for a device, a folder, a socket, a regular file over
    ``store.limits.MAX_INPUT_BYTES`` or a file that cannot be opened.
    """
    if str(path) == "-":
        return Source(stdin if stdin is not None else sys.stdin.buffer, "standard input", None, close_stream=False)
    name = str(path)
    try:
        mode = os.stat(path).st_mode  # a device is refused before it is opened: opening may do something
        problem = _kind_problem(name, mode)
        if problem:
            raise ImportRejected(problem)
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the Source
    except OSError as exc:
        raise ImportRejected(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        status = os.fstat(handle.fileno())  # the file actually opened, whatever happened meanwhile
        problem = _kind_problem(name, status.st_mode)
        if problem:
            raise ImportRejected(problem)
        size = status.st_size if stat.S_ISREG(status.st_mode) else None
        if size is not None and size > limits.MAX_INPUT_BYTES:
            raise too_big(name)
    except BaseException:
        handle.close()
        raise
    return Source(handle, name, size)
