"""Running ``incident-journal`` in-process for the CLI tests, as a person or a script would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def runner(journal: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``run(*args, path=None)``: the CLI on ``journal`` (or ``path``); exit code, stdout, stderr.

    An exception escaping ``main`` fails the test: a user would have seen a traceback.
    """

    def run(*args: str, path: Path | None = None) -> Result:
        capsys.readouterr()
        try:
            main(["--journal", str(path or journal), *args])
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:
            raise AssertionError(f"{args} raised {type(exc).__name__}: {exc} (a traceback for the user)") from exc
        else:  # pragma: no cover - main always exits
            raise AssertionError("main() returned without exiting")
        captured = capsys.readouterr()
        return Result(code if isinstance(code, int) else 0, captured.out, captured.err)

    return run
