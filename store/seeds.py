"""The example incidents shipped in ``seeds/`` (the article the project started from)."""

from __future__ import annotations

from pathlib import Path

from store.exchange import parse_incidents_json
from store.models import Incident

_HERE = Path(__file__).resolve().parent
#: In a wheel the seeds sit inside the package; in a checkout (editable install) beside it.
_CANDIDATES = (_HERE / "seeds", _HERE.parent / "seeds")


def seed_folder() -> Path:
    for folder in _CANDIDATES:
        if folder.is_dir():
            return folder
    raise FileNotFoundError("the seeds folder is missing from this installation")


def seed_incidents() -> list[Incident]:
    """Every seed incident, validated, with its fixed id (so seeding twice adds nothing)."""
    incidents: list[Incident] = []
    for path in sorted(seed_folder().glob("*.json")):
        incidents.extend(parse_incidents_json(path.read_bytes(), name=path.name))
    return incidents
