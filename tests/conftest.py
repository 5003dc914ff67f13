"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store.author import ENV_AUTHOR


@pytest.fixture(autouse=True, scope="session")
def _author() -> Iterator[None]:
    """Every change is recorded as made by ``tester`` (``store.author``), so no test depends on the
    machine's git ``user.name`` or login name; from the start of the session, for the fixtures
    shared by a module too. Tests of how the name is found unset it (``monkeypatch``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_AUTHOR, "tester")
        yield
