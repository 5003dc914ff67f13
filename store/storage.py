"""``AtomicJSONStorage``: a TinyDB storage that never writes the journal in place.

Use it as ``TinyDB(path, storage=AtomicJSONStorage)``. The file is read once and reads are
served from memory. Every write goes to a temporary file in the same folder, is flushed and
fsynced, then ``os.replace``d over the journal, and the folder is fsynced, so a crash or a
failed write leaves either the old file or the new one, whole. The version being replaced is
kept as ``<file>.bak``. New files get mode 0600.

``batch()`` groups several TinyDB operations (on one table or several) into one atomic write.

What is read is kept exactly: integers of any size, every record of a file that holds a key
twice (the later ones renamed, and named in ``problems``), and a file is only read if it is a
regular file of at most ``store.limits.MAX_INPUT_BYTES``. What is written never goes in place
of what is not a regular file, of a file the user may not write, or through a symlink: a
symlinked path is resolved once, when the storage is made, and its target is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat as stat_module
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from store import limits
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


_KINDS = {
    stat_module.S_IFDIR: "a folder",
    stat_module.S_IFCHR: "a character device",
    stat_module.S_IFBLK: "a block device",
    stat_module.S_IFIFO: "a FIFO (named pipe)",
    stat_module.S_IFSOCK: "a socket",
    stat_module.S_IFLNK: "a symbolic link",
}


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` is, in words: "a regular file", "a character device", ..."""
    return _KINDS.get(stat_module.S_IFMT(mode), "a regular file" if stat_module.S_ISREG(mode) else "not a file")


def resolved(path: Path) -> Path:
    """``path`` with a symlink in its last part resolved (a chain of them too): the file that
    reading and writing ``path`` means. Other paths are returned as they are."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def replace_problem(path: Path, info: os.stat_result) -> str | None:
    """Why the existing file ``path`` (whose ``lstat`` is ``info``) must not be replaced by a
    new one, or None: it is not a regular file (a device, a FIFO, a symlink, ...), it is
    read-only, or it belongs to another user, whom replacing it would take it from."""
    if not stat_module.S_ISREG(info.st_mode):
        return f"{path} is {file_kind(info.st_mode)}, not a regular file; it was not replaced"
    mode = stat_module.S_IMODE(info.st_mode)
    euid = os.geteuid()
    if euid == 0:  # root may write anything: a file made read-only for everyone says "don't"
        if not mode & 0o222:
            return f"{path} is read-only (mode {mode:04o}); make it writable (chmod u+w) to save to it"
        return None
    if info.st_uid != euid:
        return (
            f"{path} belongs to another user (uid {info.st_uid}); saving would replace it with a file "
            "of yours, so it was not saved"
        )
    if not os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids, follow_symlinks=False):
        return f"{path} is read-only (mode {mode:04o}); make it writable (chmod u+w) to save to it"
    return None


def atomic_write_bytes(
    path: Path, data: bytes, *, create_dirs: bool = False, backup: Path | None = None
) -> None:
    """Put ``data`` at ``path`` through a fsynced temporary file and ``os.replace``.

    If ``backup`` is given and ``path`` exists, the old content is kept there first. On any
    failure the file at ``path`` is untouched, temporary files are removed and
    ``JournalWriteError`` (naming the file and the reason) is raised. An existing ``path``
    that must not be replaced (see ``replace_problem``: not a regular file, a symlink,
    read-only, another user's) is refused the same way; the new file keeps the old one's mode,
    and its owner (as root).
    """
    folder = path.parent
    owner: tuple[int, int] | None = None
    try:
        if create_dirs:
            folder.mkdir(mode=NEW_FOLDER_MODE, parents=True, exist_ok=True)
        try:
            info = path.lstat()
        except FileNotFoundError:
            mode, exists = NEW_FILE_MODE, False
        else:
            problem = replace_problem(path, info)
            if problem is not None:
                raise JournalWriteError(problem)
            mode, exists = stat_module.S_IMODE(info.st_mode), True
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()) and os.geteuid() == 0:
                owner = (info.st_uid, info.st_gid)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with open(fd, "wb", closefd=True) as handle:
            if owner is not None:
                os.fchown(handle.fileno(), *owner)
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup is not None and exists:
            try:
                backup_info = backup.lstat()
            except FileNotFoundError:
                pass
            else:
                if not stat_module.S_ISREG(backup_info.st_mode):
                    raise JournalWriteError(
                        f"{backup} is {file_kind(backup_info.st_mode)}, not a regular file; it was not replaced "
                        "and nothing was saved (move it away)"
                    )
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


#: How orjson writes a journal (``encode``); ``decode`` writes what it read the same way.
_ORJSON_FORM = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def encode(data: Any) -> bytes:
    """The journal's on-disk form: UTF-8 JSON, indented so a person can read and diff it."""
    try:
        return orjson.dumps(data, option=_ORJSON_FORM)
    except TypeError:
        pass
    # What orjson refuses but JSON allows (integers beyond 64 bits, non-text keys).
    try:
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except (RecursionError, ValueError, TypeError) as exc:
        raise JournalWriteError(f"cannot write the journal: {exc}; nothing was saved") from None


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """What identifies one version of a file: inode, size and modification time."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _size(count: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    return f"{count} bytes"


def read_file(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``path`` and the ``fstat`` of the very file read.

    Refused (``JournalUnreadable``, naming the file) without reading: anything that is not a
    regular file (a device such as ``/dev/zero``, a FIFO, which would wait forever, a folder),
    and a file over ``limits.MAX_INPUT_BYTES``. ``FileNotFoundError`` passes through.
    """
    try:
        # Not even opened unless it is a regular file: opening some devices does things.
        kind = os.stat(path).st_mode
        if not stat_module.S_ISREG(kind):
            raise JournalUnreadable(
                f"{path} is {file_kind(kind)}, not a regular file; it was not read", backup_may_help=False
            )
        # O_NONBLOCK: should it become a FIFO meanwhile, opening must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise JournalUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat_module.S_ISREG(info.st_mode):
            raise JournalUnreadable(
                f"{path} is {file_kind(info.st_mode)}, not a regular file; it was not read", backup_may_help=False
            )
        if info.st_size > limits.MAX_INPUT_BYTES:
            raise JournalUnreadable(
                f"{path} is {_size(info.st_size)}, over the {_size(limits.MAX_INPUT_BYTES)} a journal may "
                "hold; it was not read"
            )
        with open(fd, "rb", closefd=False) as handle:
            return handle.read(), info
    except MemoryError:
        raise JournalUnreadable(f"not enough memory to read {path}") from None
    except OSError as exc:
        raise JournalUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


#: A number token of 19 digits or more (orjson reads one beyond 64 bits as a float).
_LONG_NUMBER = re.compile(rb"[-:,\[\s]\d{19,}")
#: How deep a record may nest (about what orjson can write): far beyond any incident.
MAX_DEPTH = 250


def _encoded_again(data: dict[str, dict[str, Any]], path: Path) -> bytes:
    """What orjson read, encoded again as ``encode`` writes a journal. Raises
    ``JournalUnreadable`` naming a record nested too deeply to be written."""
    try:
        return orjson.dumps(data, option=_ORJSON_FORM)
    except TypeError as exc:
        for table_name, table in data.items():
            for key, document in table.items():
                if _depth_over(document, MAX_DEPTH):
                    raise JournalUnreadable(
                        f"{path}: table {table_name!r}, record {key!r} is nested too deeply to be written "
                        f"(more than {MAX_DEPTH} levels); fix or remove it by hand"
                    ) from None
        raise JournalUnreadable(f"{path} cannot be read whole ({exc})") from None


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of objects and arrays (no recursion)."""
    level: list[Any] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
            if isinstance(child, (dict, list))
        ]
    return False


def _exact(raw: bytes, path: Path) -> tuple[Any, list[tuple[str, str]]]:
    """Parse ``raw`` with Python's own JSON reader: integers exact, and a key found more than once
    in one object kept under a new name (``"title (2)"``), the first under its own. Returns the
    data and each (key, new name)."""
    renamed: list[tuple[str, str]] = []

    def keep_every_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for key, value in pairs:
            if key in document:
                number = 2
                while f"{key} ({number})" in document:
                    number += 1
                renamed.append((key, f"{key} ({number})"))
                key = f"{key} ({number})"
            document[key] = value
        return document

    try:
        return json.loads(raw, object_pairs_hook=keep_every_key), renamed
    except RecursionError:  # pragma: no cover - the depth was checked before
        raise JournalUnreadable(f"{path} is nested too deeply to be read") from None


def _keep_renamed(data: Any, renamed: list[tuple[str, str]]) -> list[str]:
    """Give a record that shared its key with another (renamed ``"7 (2)"`` by ``_exact``) a
    numeric key of its own, after the last one (TinyDB holds one record per key); describe
    every key found twice, where it is known."""
    problems: list[str] = []
    named = 0
    for table_name, table in data.items() if isinstance(data, dict) else ():
        if not isinstance(table, dict):
            continue
        again = [key for key in table if not _plain_number(key) and key.split(" (", 1)[0].isdecimal()]
        last = max((int(key) for key in table if _plain_number(key)), default=0)
        for key in again:
            last += 1
            table[str(last)] = table.pop(key)
            if " (" in key:
                named += 1
                problems.append(
                    f"table {table_name!r}: record {key.split(' (', 1)[0]!r} is in the file more than once; "
                    f"each is kept, this one as record {str(last)!r}"
                )
            else:
                problems.append(
                    f"table {table_name!r}: record key {key!r} is not a plain number (TinyDB would take it "
                    f"for another record's); it is kept as record {str(last)!r}"
                )
        new_names = {new: old for old, new in renamed}
        for key, document in table.items():
            for name in (name for name in document if name in new_names) if isinstance(document, dict) else ():
                named += 1
                problems.append(
                    f"table {table_name!r}, record {key!r}: key {new_names[name]!r} is in it more than once; "
                    f"the later value is kept as {name!r}"
                )
    for name in data if isinstance(data, dict) else ():
        if " (" in name and name.split(" (", 1)[0] in data:
            named += 1
            problems.append(
                f"the file holds table {name.split(' (', 1)[0]!r} more than once; the first is the one used, "
                f"the other is kept as table {name!r}: merge them by hand"
            )
    if len(renamed) > named:
        problems.append(
            f"{len(renamed) - named} more keys are each in one object more than once, deeper in the file; "
            "the later values are kept under new names (\"<key> (2)\")"
        )
    return problems


def _lost(raw: bytes, encoded: bytes, *, exact_integers: bool) -> bool:
    """Whether orjson may have lost something of the file ``raw`` in what it read, given that
    encoded again (``_encoded_again``): a key found twice in one object (it keeps the last) or,
    with ``exact_integers``, an integer beyond 64 bits (read as a float)."""
    # The same bytes as the file (a journal this program wrote, as it wrote it): a key dropped
    # would be missing from them and a long integer would be a float, so nothing was lost. One
    # comparison, where the counts below pass over the bytes several times.
    if encoded == raw:
        return False
    # Another writer's layout, or edited by hand. A key dropped leaves fewer ``:`` (indenting
    # adds none). An escaped colon (``\u003a``) reads as one more ``:``, so then the count proves
    # nothing; there is none without a backslash (a single byte: found at once).
    if raw.count(b":") != encoded.count(b":"):
        return True
    if b"\\" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
        return True
    # A long integer read as a float is written with an exponent (``e+``); only then is the file
    # searched. Without a ``+`` anywhere (a single byte: found at once) there is no exponent.
    return exact_integers and b"+" in encoded and b"e+" in encoded and _LONG_NUMBER.search(raw) is not None


def decode(
    raw: bytes, path: Path, *, exact_integers: bool = True, problems: list[str] | None = None
) -> dict[str, dict[str, Any]] | None:
    """Parse a journal file's bytes; ``JournalUnreadable`` names the file and what is wrong.

    Nothing read is lost or changed: integers beyond 64 bits stay exact (unless
    ``exact_integers=False``), and a key found twice in one object (which JSON readers
    silently drop) is kept under a new name and described in ``problems``. Records nested more
    than ``MAX_DEPTH`` levels are refused. Empty or blank bytes are None (no journal yet).
    """
    if not raw or raw.isspace():
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc).lower():
            raise JournalUnreadable(f"{path} is nested more than {MAX_DEPTH} levels deep; it was not read") from exc
        raise JournalUnreadable(f"{path} is not valid JSON ({exc})") from exc
    odd_keys = _check_shape(data, path, odd_numbers=True)
    # What was read, encoded again as a journal is written (orjson: cheap; it also refuses a
    # record nested too deeply), tells whether orjson lost anything; only then is the file read
    # again, slowly and exactly.
    lost = _lost(raw, _encoded_again(data, path), exact_integers=exact_integers)
    if lost or odd_keys:
        data, renamed = _exact(raw, path)
        found = _keep_renamed(data, renamed)
        _check_shape(data, path)
        if problems is not None:
            problems.extend(found)
    return data


def _plain_number(key: str) -> bool:
    """``"12"``, not ``"012"``, ``"１２"`` or ``"x"``: a key TinyDB reads as one id, and only one."""
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0")


def _plain_table(table: dict[str, Any]) -> bool:
    """Whether every document of ``table`` is an object under a plain number other than "0",
    checked in C (the loop of ``_check_shape`` costs 3 ms at 10,000 records); if not, that loop
    tells which is not."""
    keys = "\0".join(table)
    return (
        {*map(type, table.values())} <= {dict}
        and all(map(str.isdigit, table))
        and keys.isascii()
        and not keys.startswith("0")
        and "\0" + "0" not in keys  # no key after the first starts with 0
    )


def _check_shape(data: Any, path: Path, *, odd_numbers: bool = False) -> bool:
    """Refuse what is not TinyDB's shape: tables of objects, each under a plain number (or, with
    ``odd_numbers``, any run of digits, mended by ``_keep_renamed``). True if there is such an
    odd number (``"02"``, ``"２"``)."""
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise JournalUnreadable(f"{path} is not a journal: expected a JSON object of tables")
    odd = False
    for table_name, table in data.items():
        if _plain_table(table):
            continue
        for key, document in table.items():
            # TinyDB needs each document to be an object under a numeric id.
            if type(document) is dict and key.isdigit() and key.isascii() and (key[0] != "0" or key == "0"):
                continue
            if odd_numbers and key.isdecimal() and isinstance(document, dict):
                odd = True
                continue
            raise JournalUnreadable(
                f"{path}: table {table_name!r}, record {key!r} is not a JSON object "
                "under a plain number (1, 2, 3, ...); fix or remove it by hand"
            )
    return odd


class AtomicJSONStorage(Storage):
    """A TinyDB storage: one UTF-8 JSON file, read once, replaced atomically on each write.

    ``keep_backup``: keep the replaced version as ``<file>.bak``; with ``backup_guard`` (a
    table name), a version whose table is empty never replaces a backup whose table is not.
    A symlinked ``path`` is resolved here, once: its target is read and written.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        create_dirs: bool = False,
        keep_backup: bool = False,
        exact_integers: bool = True,
        backup_guard: str | None = None,
        **_ignored: Any,
    ):
        self.path = resolved(Path(path))
        self.exact_integers = exact_integers
        self.create_dirs = create_dirs
        self.backup = backup_path(self.path) if keep_backup else None
        self.backup_guard = backup_guard
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self._batching = 0
        self._pending = False
        #: The file as last read or written by this storage (see ``changed_on_disk``).
        self.signature: tuple[int, int, int] | None = None
        #: What was found wrong in the file at the last read, and mended in memory (see ``decode``).
        self.problems: list[str] = []
        #: Whether the file on disk, as last read or written, holds documents in ``backup_guard``.
        self._guarded_on_disk = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = self._load()
            self._loaded = True
        return self._data

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw, info = read_file(self.path)
        except FileNotFoundError:
            self.signature, self._guarded_on_disk, self.problems = None, False, []
            return None
        # The signature of the very file read, even if it is replaced meanwhile.
        self.signature = (info.st_ino, info.st_size, info.st_mtime_ns)
        problems: list[str] = []
        data = decode(raw, self.path, exact_integers=self.exact_integers, problems=problems)
        self.problems = problems
        self._guarded_on_disk = self._guarded(data)
        return data

    def adopt(self, signature: tuple[int, ...], problems: list[str]) -> None:
        """The file was rewritten by another program, and what it changed applied to the data
        held (``Journal.take_rewrite``): take its signature and problems as if it had been read."""
        self.signature = (signature[0], signature[1], signature[2])
        self.problems = list(problems)
        self._guarded_on_disk = self._guarded(self._data)

    def _guarded(self, data: dict[str, dict[str, Any]] | None) -> bool:
        return bool(self.backup_guard and data and data.get(self.backup_guard))

    def _backup_to_keep(self) -> Path | None:
        """Where to keep the version on disk before it is replaced: nowhere if it holds none of
        the guarded documents while the backup does (a backup is never emptied by a save)."""
        if self.backup is None or self.backup_guard is None or self._guarded_on_disk:
            return self.backup
        try:
            raw, _ = read_file(self.backup)
        except FileNotFoundError:
            return self.backup
        except (OSError, JournalUnreadable):
            return None  # not ours to judge: kept as it is
        if not raw or raw.isspace():
            return self.backup
        try:
            kept = decode(raw, self.backup, exact_integers=False)
        except JournalUnreadable:
            return None  # it may hold what the journal lost: kept as it is
        return None if self._guarded(kept) else self.backup

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._batching:
            self._data, self._loaded, self._pending = data, True, True
            return
        self._flush(data)

    def _flush(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = encode(data)
            atomic_write_bytes(self.path, payload, create_dirs=self.create_dirs, backup=self._backup_to_keep())
        except BaseException:
            # TinyDB changes the dict it read in place before calling write; after a failed
            # write that dict no longer matches the file, so forget it and read the file again.
            self.forget()
            raise
        self._data = data
        self._loaded = True
        self.signature = file_signature(self.path)
        self._guarded_on_disk = self._guarded(data)

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
