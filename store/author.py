"""Who makes a change: the name every record and history entry carries (``created_by``,
``updated_by``, a history entry's ``by``).

``resolve_author`` picks it, first found: the name given (``--author``), the environment
variable ``INCIDENT_JOURNAL_AUTHOR``, git's ``user.name`` (``git config --get user.name``),
the login name, else ``unknown``. A name is one line of at most ``AUTHOR_MAX`` characters
without control characters (``store.models.AuthorName``); a bad name given or set in the
environment is refused (``BadAuthor``, naming where it came from), a bad one from git or the
login is passed over.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import os
import signal
import subprocess

from pydantic import TypeAdapter, ValidationError

from store.errors import JournalError
from store.models import AUTHOR_MAX, AuthorName

ENV_AUTHOR = "INCIDENT_JOURNAL_AUTHOR"
#: The name when nothing else gives one.
UNKNOWN = "unknown"
#: How long ``git config`` may take before it is given up on.
GIT_TIMEOUT = 2.0

_NAME: TypeAdapter[str | None] = TypeAdapter(AuthorName)

__all__ = ["AUTHOR_MAX", "ENV_AUTHOR", "UNKNOWN", "BadAuthor", "check_author", "git_user_name", "resolve_author",
           "usable_author"]


class BadAuthor(JournalError, ValueError):
    """An author name given (``--author``) or set in the environment that cannot be recorded."""


def check_author(name: str, where: str) -> str | None:
    """``name`` stripped and checked as an author's name; None if blank. ``BadAuthor`` naming
    ``where`` it came from (``--author``, ``INCIDENT_JOURNAL_AUTHOR``) if it is no name."""
    try:
        return _NAME.validate_python(name)
    except ValidationError as exc:
        reasons = "; ".join(_reason(error) for error in exc.errors())
        raise BadAuthor(f"{where}: {reasons}") from None


def _reason(error: object) -> str:
    message = str(error.get("msg", "")) if isinstance(error, dict) else str(error)
    kind = error.get("type") if isinstance(error, dict) else None
    if kind == "string_too_long":
        return f"an author's name is at most {AUTHOR_MAX} characters"
    return message.removeprefix("Value error, ")


def usable_author(name: object) -> str | None:
    """``name`` if it is a usable author's name (as a stored record may hold it), else None
    (never raises)."""
    if not isinstance(name, str):
        return None
    try:
        return _NAME.validate_python(name)
    except ValidationError:
        return None


@functools.cache
def git_user_name() -> str | None:
    """git's ``user.name`` (None if git is missing, slow, fails or has none); asked once per process.

    git runs in a session of its own, so that one that hangs is killed with whatever it started
    (a wrapper script's children would otherwise hold its output open)."""
    try:
        process = subprocess.Popen(
            ["git", "config", "--get", "user.name"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except (OSError, ValueError):
        return None
    try:
        out, _ = process.communicate(timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.kill()
        process.communicate()
        return None
    if process.returncode != 0:
        return None
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return usable_author(text.strip())


def _login() -> str | None:
    try:
        return usable_author(getpass.getuser())
    except Exception:  # noqa: BLE001 - getpass raises OSError, KeyError or ImportError when no name is found
        return None


def resolve_author(explicit: str | None = None) -> str:
    """Who is making changes: ``explicit`` (if not blank), else ``INCIDENT_JOURNAL_AUTHOR`` (if
    not blank), else git's ``user.name``, else the login name, else ``unknown``.

    ``BadAuthor`` if ``explicit`` or the environment's name is not a valid name (one line, no
    control characters, at most ``AUTHOR_MAX`` characters)."""
    if explicit is not None:
        name = check_author(explicit, "--author")
        if name is not None:
            return name
    from_env = os.environ.get(ENV_AUTHOR)
    if from_env is not None:
        name = check_author(from_env, ENV_AUTHOR)
        if name is not None:
            return name
    return git_user_name() or _login() or UNKNOWN
