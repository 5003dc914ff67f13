"""``AtomicJSONStorage``: a TinyDB storage that never writes the journal in place.

Use it as ``TinyDB(path, storage=AtomicJSONStorage)``. The file is read once and reads are
served from memory. Every write goes to a temporary file in the same folder, is flushed and
fsynced, then ``os.replace``d over the journal, and the folder is fsynced, so a crash or a
failed write leaves either the old file or the new one, whole. New files get mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from store.errors import JournalUnreadable, JournalWriteError

NEW_FILE_MODE = 0o600
NEW_FOLDER_MODE = 0o700


def atomic_write_bytes(path: Path, data: bytes, *, create_dirs: bool = False) -> None:
    """Put ``data`` at ``path`` through a fsynced temporary file and ``os.replace``.

    On any failure the file at ``path`` is untouched, the temporary file is removed and
    ``JournalWriteError`` (naming the file and the reason) is raised.
    """
    folder = path.parent
    try:
        if create_dirs:
            folder.mkdir(mode=NEW_FOLDER_MODE, parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = NEW_FILE_MODE
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise JournalWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with open(fd, "wb", closefd=True) as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise JournalWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def encode(data: Any) -> bytes:
    """The journal's on-disk form: UTF-8 JSON, indented so a person can read and diff it."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


class AtomicJSONStorage(Storage):
    """A TinyDB storage: one UTF-8 JSON file, read once, replaced atomically on each write."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = False, **_ignored: Any):
        self.path = Path(path)
        self.create_dirs = create_dirs
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = self._load()
            self._loaded = True
        return self._data

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalUnreadable(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if not raw.strip():
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise JournalUnreadable(f"{self.path} is not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise JournalUnreadable(f"{self.path} is not a journal: expected a JSON object of tables")
        for table_name, table in data.items():
            for key, document in table.items():
                # TinyDB needs each document to be an object under a numeric id.
                if not key.isdecimal() or not isinstance(document, dict):
                    raise JournalUnreadable(
                        f"{self.path}: table {table_name!r}, record {key!r} is not a JSON object "
                        "under a numeric key; fix or remove it by hand"
                    )
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = encode(data)
            atomic_write_bytes(self.path, payload, create_dirs=self.create_dirs)
        except BaseException:
            # TinyDB changes the dict it read in place before calling write; after a failed
            # write that dict no longer matches the file, so forget it and read the file again.
            self._data = None
            self._loaded = False
            raise
        self._data = data
        self._loaded = True

    def close(self) -> None:
        pass
