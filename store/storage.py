"""``AtomicJSONStorage``: a TinyDB storage that never writes the journal in place.

Use it as ``TinyDB(path, storage=AtomicJSONStorage)``. The file is read once and reads are
served from memory. Every write goes to a temporary file in the same folder, is flushed and
fsynced, then ``os.replace``d over the journal, and the folder is fsynced, so a crash or a
failed write leaves either the old file or the new one, whole. The version being replaced is
kept as ``<file>.bak``. New files get mode 0600.

``batch()`` groups several TinyDB operations (on one table or several) into one atomic write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from store.errors import JournalUnreadable, JournalWriteError

NEW_FILE_MODE = 0o600
NEW_FOLDER_MODE = 0o700
BACKUP_SUFFIX = ".bak"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def _write_error(path: Path, exc: OSError) -> JournalWriteError:
    return JournalWriteError(f"cannot write {path}: {exc.strerror or exc}")


def _keep_backup(path: Path, backup: Path) -> None:
    """Make ``backup`` the current content of ``path`` (a hard link where possible), atomically."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".tmp", dir=backup.parent)
    os.close(fd)
    try:
        try:
            os.unlink(tmp_name)
            os.link(path, tmp_name)
        except OSError:  # no hard links here: copy instead
            shutil.copy2(path, tmp_name)
            with open(tmp_name, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp_name, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def atomic_write_bytes(
    path: Path, data: bytes, *, create_dirs: bool = False, backup: Path | None = None
) -> None:
    """Put ``data`` at ``path`` through a fsynced temporary file and ``os.replace``.

    If ``backup`` is given and ``path`` exists, the old content is kept there first. On any
    failure the file at ``path`` is untouched, temporary files are removed and
    ``JournalWriteError`` (naming the file and the reason) is raised.
    """
    folder = path.parent
    try:
        if create_dirs:
            folder.mkdir(mode=NEW_FOLDER_MODE, parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o777
            exists = True
        except FileNotFoundError:
            mode, exists = NEW_FILE_MODE, False
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with open(fd, "wb", closefd=True) as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup is not None and exists:
            _keep_backup(path, backup)
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
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


#: A run of digits too long for a 64-bit integer (orjson would read it as a float).
_LONG_NUMBER = re.compile(rb"\d{19,}")


def encode(data: Any) -> bytes:
    """The journal's on-disk form: UTF-8 JSON, indented so a person can read and diff it."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        # What orjson refuses but JSON allows (integers beyond 64 bits, non-text keys).
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _parse(raw: bytes, exact_integers: bool) -> Any:
    if exact_integers and _LONG_NUMBER.search(raw):
        return json.loads(raw)  # exact big integers, as TinyDB's own storage keeps them
    return orjson.loads(raw)


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """What identifies one version of a file: inode, size and modification time."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def decode(raw: bytes, path: Path, *, exact_integers: bool = True) -> dict[str, dict[str, Any]] | None:
    """Parse a journal file's bytes; ``JournalUnreadable`` names the file and what is wrong.

    ``exact_integers=False`` skips the scan for integers beyond 64 bits (orjson reads them as
    floats): for data, like a journal's, whose model allows no such numbers.
    """
    if len(raw) < 64 and not raw.strip():
        return None
    try:
        data = _parse(raw, exact_integers)
    except ValueError as exc:  # orjson.JSONDecodeError and json.JSONDecodeError are ValueErrors
        raise JournalUnreadable(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise JournalUnreadable(f"{path} is not a journal: expected a JSON object of tables")
    for table_name, table in data.items():
        for key, document in table.items():
            # TinyDB needs each document to be an object under a numeric id.
            if not key.isdecimal() or not isinstance(document, dict):
                raise JournalUnreadable(
                    f"{path}: table {table_name!r}, record {key!r} is not a JSON object "
                    "under a numeric key; fix or remove it by hand"
                )
    return data


class AtomicJSONStorage(Storage):
    """A TinyDB storage: one UTF-8 JSON file, read once, replaced atomically on each write."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        create_dirs: bool = False,
        keep_backup: bool = False,
        exact_integers: bool = True,
        **_ignored: Any,
    ):
        self.path = Path(path)
        self.exact_integers = exact_integers
        self.create_dirs = create_dirs
        self.backup = backup_path(self.path) if keep_backup else None
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self._batching = 0
        self._pending = False
        #: The file as last read or written by this storage (see ``changed_on_disk``).
        self.signature: tuple[int, int, int] | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = self._load()
            self._loaded = True
        return self._data

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            with open(self.path, "rb") as handle:
                # The signature of the very file read, even if it is replaced meanwhile.
                stat = os.fstat(handle.fileno())
                raw = handle.read()
            self.signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            self.signature = None
            return None
        except OSError as exc:
            raise JournalUnreadable(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        return decode(raw, self.path, exact_integers=self.exact_integers)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._batching:
            self._data, self._loaded, self._pending = data, True, True
            return
        self._flush(data)

    def _flush(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = encode(data)
            atomic_write_bytes(self.path, payload, create_dirs=self.create_dirs, backup=self.backup)
        except BaseException:
            # TinyDB changes the dict it read in place before calling write; after a failed
            # write that dict no longer matches the file, so forget it and read the file again.
            self.forget()
            raise
        self._data = data
        self._loaded = True
        self.signature = file_signature(self.path)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Collect the writes made inside into one atomic write at the end.

        If anything inside fails, nothing is written and the storage forgets what it held.
        """
        self._batching += 1
        try:
            yield
        except BaseException:
            self._batching -= 1
            if not self._batching:
                self._pending = False
                self.forget()
            raise
        self._batching -= 1
        if not self._batching and self._pending:
            self._pending = False
            self._flush(self._data or {})

    def forget(self) -> None:
        """Drop what is held in memory; the next read reads the file again."""
        self._data = None
        self._loaded = False

    def changed_on_disk(self) -> bool:
        """Whether the file is no longer the version this storage last read or wrote."""
        return self._loaded and file_signature(self.path) != self.signature

    def close(self) -> None:
        pass
